package network_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"dxhub/internal/demo"
	"dxhub/internal/network"
	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db/dbtest"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/search"
)

// FuzzImportTeams feeds arbitrary files to the teams importer: it never
// panics, never answers an internal error for outside input, and a
// refused file leaves teams, villages and members as they were.
func FuzzImportTeams(f *testing.F) {
	f.Add([]byte("unit_code,team_kind,team_name,villages,person_key,full_name,role,joined_on,left_on,phone\n24121,community_team,Tổ 1,Thôn 1; Thôn 2,,Nguyễn Văn A,leader,15/08/2025,,0901234567\n"))
	f.Add([]byte("Mã đơn vị,Tên tổ,Họ và tên,Vai trò\n24121,Tổ 2,B,Tổ trưởng\n24121,Tổ 2,B,Thành viên\n"))
	f.Add([]byte("unit_code,team_name,team_kind,villages\n24121,Ban,committee,Thôn 9\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte("unit_code,team_name,joined_on,left_on\n24121,T,2026-02-30,2020-01-01\n"))
	d := dbtest.Open(f)
	au := &audit.Log{DB: d}
	f.Cleanup(au.Close)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	o := &org.Service{DB: d, Audit: au, Log: log, Search: &search.Service{DB: d, Audit: au}}
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := o.ImportUnits(ctx, strings.NewReader(demo.SampleUnitsCSV)); err != nil {
		f.Fatal(err)
	}
	s := &network.Service{DB: d, Log: log, Audit: au, Org: o}
	f.Cleanup(s.Close)
	count := func() string {
		var b strings.Builder
		for _, table := range []string{"net_teams", "net_villages", "net_members", "net_team_villages"} {
			var n int
			d.R.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n)
			fmt.Fprintf(&b, "%s=%d ", table, n)
		}
		return b.String()
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		before := count()
		_, err := s.ImportTeams(ctx, bytes.NewReader(data))
		if err != nil && count() != before {
			t.Fatalf("a refused file changed the network: %s → %s", before, count())
		}
		if err != nil && errs.Code(err) == errs.Internal {
			t.Fatalf("internal error on outside input: %v", err)
		}
	})
}
