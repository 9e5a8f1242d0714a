package org_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"dxhub/internal/demo"
	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db/dbtest"
	"dxhub/internal/platform/search"
)

// fullTree is the real tree (34 provinces, 3,321 communes) with the whole
// 2025 reorganisation of provinces recorded, on the engine under test.
func fullTree(t *testing.T) (*org.Service, context.Context) {
	t.Helper()
	d := dbtest.Open(t)
	au := &audit.Log{DB: d}
	s := &org.Service{DB: d, Audit: au, Log: slog.New(slog.NewTextHandler(os.Stderr, nil)), Search: &search.Service{DB: d, Audit: au}}
	t.Cleanup(au.Close)
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := s.ImportUnits(ctx, bytes.NewReader(demo.UnitsCSV)); err != nil {
		t.Fatal(err)
	}
	res, err := s.RecordReorganisation(ctx, bytes.NewReader(demo.MergesCSV), demo.Resolution2025)
	if err != nil {
		t.Fatal(err)
	}
	// 63 rows: 11 unchanged (Thừa Thiên Huế, now Huế, a rename), 52 in
	// mergers of which 16 kept their code and name.
	if res.Merged != 36 || res.Renamed != 1 || res.Unchanged != 26 {
		t.Fatalf("reorganisation: %+v", res)
	}
	return s, ctx
}

func TestReorganisation2025(t *testing.T) {
	s, ctx := fullTree(t)
	t.Run("again changes nothing", func(t *testing.T) {
		res, err := s.RecordReorganisation(ctx, bytes.NewReader(demo.MergesCSV), demo.Resolution2025)
		if err != nil || res.Merged != 0 || res.Renamed != 0 || res.Already != 37 {
			t.Fatalf("second run: %+v %v", res, err)
		}
	})
	t.Run("codes that passed to another unit", func(t *testing.T) {
		// Old Yên Bái was 15; 15 is the new Lào Cai.
		if u := mustUnit(t, s, "15"); u.NameVI != "Lào Cai" || !u.Live() {
			t.Fatalf("15 is %s", u.NameVI)
		}
		old := mustUnit(t, s, "15"+org.FormerCodeSuffix)
		if old.NameVI != "Yên Bái" || old.Live() || old.SuccessorID != mustUnit(t, s, "15").ID || old.ValidTo != "2025-07-01" {
			t.Fatalf("old Yên Bái: %+v", old)
		}
		if u := mustUnit(t, s, "10"); u.NameVI != "Lào Cai" || u.Live() {
			t.Fatalf("old Lào Cai (10): %+v", u)
		}
	})
	t.Run("a bad row changes nothing", func(t *testing.T) {
		csv := "old_code,old_name,successor_code,successor_name,effective,basis\n99,Tỉnh Thử,75,Đồng Nai,2025-07-01,merged\n98,Tỉnh Khác,7777,Không Có,2025-07-01,merged\n"
		_, err := s.RecordReorganisation(ctx, strings.NewReader(csv), "x")
		if err == nil || !strings.Contains(err.Error(), "row 3") || !strings.Contains(err.Error(), "successor_code") {
			t.Fatalf("bad file: %v", err)
		}
		if _, err := s.UnitByCode(ctx, "99"); err == nil {
			t.Fatal("a row before the bad one was kept")
		}
	})
}

func TestSearchUnitsRanking(t *testing.T) {
	s, ctx := fullTree(t)
	first := func(q string) *org.Unit {
		t.Helper()
		got, err := s.SearchUnits(ctx, q, 5)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if len(got) == 0 {
			t.Fatalf("%q found nothing", q)
		}
		return got[0]
	}
	for q, want := range map[string]string{
		// Words in any order and across fields: a commune with its province.
		"Tân An Đắk Lắk": "Tân An/Đắk Lắk", "Ba Đình Hà Nội": "Ba Đình/Hà Nội", "Hà Nội Ba Đình": "Ba Đình/Hà Nội",
		// Typos, joined words, abbreviations and synonyms.
		"Daklak": "Đắk Lắk", "Dak Lac": "Đắk Lắk", "Quảng Nih": "Quảng Ninh", "Thnah Hoa": "Thanh Hóa",
		"Buon Me Thuot": "Buôn Ma Thuột", "BMT": "Buôn Ma Thuột", "TP. Hồ Chí Minh": "Hồ Chí Minh", "TP HCM": "Hồ Chí Minh",
		"tp. cần thơ": "Cần Thơ", "sài gòn": "Sài Gòn",
		// Case, look-alike letters, NFD, spaces and punctuation.
		"ĐÀ NẴNG": "Đà Nẵng", "Ðà Nẵng": "Đà Nẵng", "Đà  Nẵng!!": "Đà Nẵng", "\u0110a\u0300 N\u0103\u0303ng": "Đà Nẵng",
		// English names.
		"Hanoi": "Hà Nội", "Ho Chi Minh City": "Hồ Chí Minh",
	} {
		u := first(q)
		name, parent, _ := strings.Cut(want, "/")
		if u.NameVI != name {
			t.Errorf("%q: first %s (%s), want %s", q, u.NameVI, u.Code, want)
			continue
		}
		if parent != "" {
			p := mustUnit(t, s, u.ParentCode)
			if p.NameVI != parent {
				t.Errorf("%q: %s of %s, want of %s", q, u.NameVI, p.NameVI, parent)
			}
		}
	}
	t.Run("old provinces find their successor", func(t *testing.T) {
		for old, want := range map[string]string{"Bình Phước": "Đồng Nai", "Yên Bái": "Lào Cai", "Quảng Bình": "Quảng Trị", "Bà Rịa - Vũng Tàu": "Hồ Chí Minh", "ba ria vung tau": "Hồ Chí Minh", "Thừa Thiên Huế": "Huế", "Kon Tum": "Quảng Ngãi"} {
			u := first(old)
			if u.NameVI != want || !u.Live() || u.Formerly == "" {
				t.Errorf("%q: %s (formerly %q), want %s", old, u.NameVI, u.Formerly, want)
			}
		}
	})
	t.Run("a province before its communes", func(t *testing.T) {
		got, _ := s.SearchUnits(ctx, "Đắk Lắk", 5)
		if got[0].Code != "66" || got[1].Type != org.TypeCommune {
			t.Fatalf("Đắk Lắk: %v", codes(got))
		}
	})
	t.Run("whole words, not inside words", func(t *testing.T) {
		for _, u := range must(s.SearchUnits(ctx, "ha long", 10)) {
			if strings.Contains(strings.ToLower(u.NameVI), "pha long") {
				t.Fatalf("ha long found %s", u.NameVI)
			}
		}
	})
	t.Run("tones: as typed first, then placed otherwise, then folded", func(t *testing.T) {
		// The tree spells Hòa the classic way; "Hoà" is the same name.
		a, b := must(s.SearchUnits(ctx, "Thanh Hoà", 3)), must(s.SearchUnits(ctx, "Thanh Hòa", 3))
		if len(a) == 0 || len(b) == 0 || a[0].Code != b[0].Code || a[0].NameVI != "Thanh Hòa" {
			t.Fatalf("Thanh Hoà %v, Thanh Hòa %v", codes(a), codes(b))
		}
		if u := first("Thanh Hóa"); u.Code != "38" {
			t.Fatalf("Thanh Hóa: %s %s", u.Code, u.NameVI)
		}
	})
	t.Run("equal results come in the same order", func(t *testing.T) {
		a, b := must(s.SearchUnits(ctx, "an", 20)), must(s.SearchUnits(ctx, "an", 20))
		if strings.Join(codes(a), ",") != strings.Join(codes(b), ",") {
			t.Fatal("order changed between two searches")
		}
	})
	t.Run("concurrent searches", func(t *testing.T) {
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if got, err := s.SearchUnits(ctx, "thanh hoa", 5); err != nil || len(got) == 0 {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestSearchPeople(t *testing.T) {
	s, sys := newService(t)
	csv := "key,full_name,unit_code\n" +
		"P1,Nguyễn Văn Hòa,24121\n" + // Đắk Lắk
		"P2,Nguyễn Văn Hoà,24121\n" +
		"P3,Nguyen Van Hoa,24121\n" +
		"P4,Nguyễn Văn Hóa,24121\n" +
		"P5,Trần Thị Hoà,24121\n" +
		"P6,Nguyễn Văn Hòa,26041\n" + // Đồng Nai
		"P7,Lê Đình Thắng,24121\n" +
		"P8,Hoàng Văn Nam,24121\n"
	if _, err := s.ImportPeople(sys, strings.NewReader(csv), ""); err != nil {
		t.Fatal(err)
	}
	keys := func(ctx context.Context, q string) string {
		t.Helper()
		page, err := s.ListPeople(ctx, org.PeopleFilter{Q: q}, "")
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		var k []string
		for _, p := range page.People {
			k = append(k, p.Key)
		}
		return strings.Join(k, " ")
	}
	dl := provinceAdmin(t, s, "66")
	for _, c := range []struct {
		ctx     context.Context
		q, want string
	}{
		// As typed, then tones placed otherwise, then folded (more words
		// as typed first: P4 differs in one tone, P3 in all marks); equals
		// by name in byte order ("hoà" before "hòa"). Another province's
		// Hòa is out of the Đắk Lắk officer's scope.
		{dl, "Nguyễn Văn Hòa", "P1 P2 P4 P3"},
		{dl, "Nguyễn Văn Hoà", "P2 P1 P4 P3"},
		{dl, "hoa nguyen", "P3 P2 P1 P4"},
		{sys, "Nguyễn Văn Hòa", "P1 P6 P2 P4 P3"},
		// A typo in a long word, a prefix while typing, a key.
		{dl, "Đình Thắgn", "P7"},
		{dl, "hoàng văn n", "P8"},
		{dl, "P7", "P7"},
	} {
		if got := keys(c.ctx, c.q); got != c.want {
			t.Errorf("%q: %s, want %s", c.q, got, c.want)
		}
	}
	t.Run("a merge moves people's scope in the index", func(t *testing.T) {
		// After 26041's province merges into 66, Đắk Lắk's officer finds P6.
		u := mustUnit(t, s, "26041")
		if _, err := s.ApplyChange(sys, org.Change{Kind: org.EventMerge, From: []string{u.ParentCode}, Into: []string{"66"}, Effective: "2030-01-01"}); err != nil {
			t.Fatal(err)
		}
		if got := keys(dl, "Nguyễn Văn Hòa"); got != "P1 P6 P2 P4 P3" {
			t.Fatalf("after the merge: %s", got)
		}
	})
}

// A database from before search: people saved without an index are
// indexed at start, once.
func TestReindexPeopleFillsAnEmptyIndex(t *testing.T) {
	s, sys := newService(t)
	searchSvc := s.Search
	s.Search = nil // people saved before search existed
	if _, err := s.ImportPeople(sys, strings.NewReader("key,full_name,unit_code\nR1,Phan Thị Ngọc Ánh,24121\nR2,Hồ Văn Tư,24121\n"), ""); err != nil {
		t.Fatal(err)
	}
	s.Search = searchSvc
	if n, err := s.ReindexPeople(sys); err != nil || n != 2 {
		t.Fatalf("reindex: %d %v", n, err)
	}
	if n, err := s.ReindexPeople(sys); err != nil || n != 0 {
		t.Fatalf("second reindex: %d %v", n, err)
	}
	page, err := s.ListPeople(sys, org.PeopleFilter{Q: "ngoc anh"}, "")
	if err != nil || len(page.People) != 1 || page.People[0].Key != "R1" {
		t.Fatalf("after reindex: %+v %v", page, err)
	}
}
