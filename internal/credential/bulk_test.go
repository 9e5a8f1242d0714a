package credential

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db/dbtest"
	"dxhub/internal/platform/errs"
)

// FuzzIssueList: whatever list is uploaded (CSV, XLSX or neither), it is
// issued whole or refused with a reason that is not an internal error,
// and a refused list issues nothing.
func FuzzIssueList(f *testing.F) {
	d := dbtest.Open(f)
	log := slog.New(slog.DiscardHandler)
	au := &audit.Log{DB: d}
	f.Cleanup(au.Close)
	o := &org.Service{DB: d, Audit: au, Log: log}
	a := &auth.Service{DB: d, Audit: au, Log: log}
	s := &Service{DB: d, Log: log, Audit: au, Auth: a, Org: o, Keys: NewKeys(d, "fuzz key"), BaseURL: "https://dxhub.test"}
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := o.EnsureNation(ctx); err != nil {
		f.Fatal(err)
	}
	for _, u := range []string{"hoa", "minh"} {
		if _, err := a.CreateAccount(ctx, auth.NewAccount{Username: u, Email: u + "@example.vn", PasswordHash: auth.NoPassword}); err != nil {
			f.Fatal(err)
		}
	}
	for _, code := range []string{"IU01", "IU02"} {
		if err := s.SaveAchievement(ctx, &Achievement{Code: code, UnitCode: "VN", Name: "Mô-đun " + code, Criteria: "x", Rule: RuleManual}); err != nil {
			f.Fatal(err)
		}
	}
	f.Add([]byte("achievement,username,number,issued_on,result\nIU01,hoa,GIAY-1,15/03/2023,Đạt\n"))
	f.Add([]byte("achievement,username\nIU02,minh\nIU02,minh\n"))
	f.Add([]byte("Mã chứng nhận;Tên đăng nhập;Ngày cấp\nIU01;minh;31/02/2023\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte("achievement,username,number\nNOPE,hoa,\"unterminated\n"))
	count := func() int {
		var n int
		d.R.QueryRow(`SELECT COUNT(*) FROM credentials`).Scan(&n)
		return n
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		before := count()
		res, err := s.IssueList(ctx, bytes.NewReader(data), "")
		after := count()
		if err != nil {
			if after != before {
				t.Fatalf("a refused list issued %d", after-before)
			}
			if errs.Code(err) == errs.Internal {
				t.Fatalf("internal error on outside input: %v", err)
			}
			return
		}
		if after-before != res.Issued {
			t.Fatalf("issued %d, stored %d", res.Issued, after-before)
		}
	})
}
