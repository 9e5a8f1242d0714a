package experts_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"dxhub/internal/demo"
	"dxhub/internal/experts"
	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db/dbtest"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/search"
)

// ORCID iDs: the form and the ISO 7064 11,2 check digit.
func TestValidORCID(t *testing.T) {
	for id, want := range map[string]bool{
		"0000-0002-1825-0097": true,  // ORCID's documented example
		"0000-0001-5109-3700": true,  // another documented example
		"0000-0002-1694-233X": true,  // a check digit X
		"0000-0002-1825-0098": false, // wrong check digit
		"0000-0002-1825-009":  false,
		"0000000218250097":    false,
	} {
		if got := experts.ValidORCID(id); got != want {
			t.Errorf("ValidORCID(%q) = %v", id, got)
		}
	}
}

// FuzzImportSheet feeds arbitrary files to the experts' importer: no
// panic, no internal error for outside input, and a refused file leaves
// the profiles as they were.
func FuzzImportSheet(f *testing.F) {
	f.Add([]byte("full_name,unit_code,fields,skills,orcid,remote,public\nNguyễn Văn A,24121,data; ai,,0000-0002-1825-0097,x,có\n"))
	f.Add([]byte("Họ và tên,Mã đơn vị,Lĩnh vực,Công trình\nB,66,cybersecurity,Tên | 2024 | https://example.org\n"))
	f.Add([]byte("id,full_name,unit_code\nnope,C,66\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	d := dbtest.Open(f)
	au := &audit.Log{DB: d}
	f.Cleanup(au.Close)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	sr := &search.Service{DB: d, Audit: au}
	o := &org.Service{DB: d, Audit: au, Log: log, Search: sr}
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := o.ImportUnits(ctx, strings.NewReader(demo.SampleUnitsCSV)); err != nil {
		f.Fatal(err)
	}
	s := &experts.Service{DB: d, Log: log, Audit: au, Org: o, Search: sr}
	if err := s.EnsureTaxonomy(ctx); err != nil {
		f.Fatal(err)
	}
	count := func() string {
		var n int
		d.R.QueryRow(`SELECT COUNT(*) FROM exp_profiles`).Scan(&n)
		return fmt.Sprint(n)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		before := count()
		_, _, err := s.ImportSheet(ctx, bytes.NewReader(data))
		if err != nil && count() != before {
			t.Fatalf("a refused file changed the profiles: %s → %s", before, count())
		}
		if err != nil && errs.Code(err) == errs.Internal {
			t.Fatalf("internal error on outside input: %v", err)
		}
	})
}
