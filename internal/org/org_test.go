package org_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"

	"dxhub/internal/demo"
	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db/dbtest"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/search"
)

func newService(t testing.TB) (*org.Service, context.Context) {
	t.Helper()
	d := dbtest.Open(t)
	au := &audit.Log{DB: d}
	s := &org.Service{DB: d, Audit: au, Log: slog.New(slog.NewTextHandler(os.Stderr, nil)), Search: &search.Service{DB: d, Audit: au}}
	t.Cleanup(s.Audit.Close)
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := s.ImportUnits(ctx, strings.NewReader(demo.SampleUnitsCSV)); err != nil {
		t.Fatal(err)
	}
	return s, ctx
}

func mustUnit(t testing.TB, s *org.Service, code string) *org.Unit {
	t.Helper()
	u, err := s.UnitByCode(context.Background(), code)
	if err != nil {
		t.Fatalf("unit %s: %v", code, err)
	}
	return u
}

func TestImportRealTree(t *testing.T) {
	s, ctx := newService(t)
	res, err := s.ImportUnits(ctx, bytes.NewReader(demo.UnitsCSV))
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 3355-5 || res.Updated != 5 {
		t.Fatalf("created %d updated %d, want %d and 5", res.Created, res.Updated, 3355-5)
	}
	stats, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats[org.TypeProvince] != 34 || stats[org.TypeCommune] != 3321 {
		t.Fatalf("stats %v, want 34 provinces and 3321 communes", stats)
	}
	t.Run("re-import changes nothing but counts updates", func(t *testing.T) {
		res, err := s.ImportUnits(ctx, bytes.NewReader(demo.UnitsCSV))
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 0 || res.Updated != 3355 {
			t.Fatalf("second import: %+v", res)
		}
	})
}

func TestSearchUnitsFoldsDiacritics(t *testing.T) {
	s, ctx := newService(t)
	for _, c := range []struct{ q, want string }{
		{"dak lak", "66"},
		{"Đắk Lắk", "66"},
		{"DAK LAK", "66"},
		{"dong nai", "75"},
		{"Đồng Nai", "75"},
		{"buon ma thuot", "24121"},
		{"24133", "24133"},
		{"tran bien", "26041"},
	} {
		got, err := s.SearchUnits(ctx, c.q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || got[0].Code != c.want {
			t.Errorf("search %q: first result %v, want %s", c.q, codes(got), c.want)
		}
	}
	t.Run("exact spelling ranks first", func(t *testing.T) {
		// "Tân An" and a made-up "Tấn An" fold alike; the exact one wins.
		if _, err := s.CreateUnit(ctx, org.NewUnit{Code: "66999", Type: org.TypeCommune, NameVI: "Tấn An", ParentCode: "66"}); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]string{"Tấn An": "66999", "Tân An": "24133"} {
			got, _ := s.SearchUnits(ctx, q, 10)
			if len(got) < 2 || got[0].Code != want {
				t.Errorf("search %q: %v, want %s first", q, codes(got), want)
			}
		}
	})
	t.Run("wildcards are literal", func(t *testing.T) {
		got, err := s.SearchUnits(ctx, "%", 10)
		if err != nil || len(got) != 0 {
			t.Fatalf("search %%: %v %v", codes(got), err)
		}
	})
}

func codes(us []*org.Unit) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Code)
	}
	return out
}

func TestMergeKeepsHistoryAndRollsUp(t *testing.T) {
	s, ctx := newService(t)
	old, err := s.CreateUnit(ctx, org.NewUnit{Code: "70", Type: org.TypeProvince, NameVI: "Bình Phước", FullNameVI: "Tỉnh Bình Phước", ParentCode: "VN"})
	if err != nil {
		t.Fatal(err)
	}
	oldCommune, err := s.CreateUnit(ctx, org.NewUnit{Code: "25000", Type: org.TypeCommune, NameVI: "Đồng Xoài", ParentCode: "70"})
	if err != nil {
		t.Fatal(err)
	}
	// A person recorded against the old province before the merge.
	if err := s.SavePeople(ctx, []org.Person{{Key: "BP1", FullName: "Điểu Thị Hạnh", UnitID: old.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyChange(ctx, org.Change{Kind: org.EventMerge, From: []string{"70"}, Into: []string{"75"}, Effective: "2025-07-01", Resolution: "202/2025/QH15"}); err != nil {
		t.Fatal(err)
	}
	nation := mustUnit(t, s, "VN")
	dongNai := mustUnit(t, s, "75")

	t.Run("children of the nation as of a date", func(t *testing.T) {
		before, _ := s.Children(ctx, nation.ID, "2025-06-30")
		after, _ := s.Children(ctx, nation.ID, "2025-07-01")
		today, _ := s.Children(ctx, nation.ID, "")
		if !contains(codes(before), "70") || contains(codes(after), "70") || contains(codes(today), "70") {
			t.Fatalf("before %v after %v today %v", codes(before), codes(after), codes(today))
		}
	})
	t.Run("old commune moved under the successor", func(t *testing.T) {
		kids, _ := s.Children(ctx, dongNai.ID, "")
		if !contains(codes(kids), "25000") {
			t.Fatalf("Đồng Nai children %v lack 25000", codes(kids))
		}
		was, _ := s.Children(ctx, old.ID, "2025-06-30")
		if !contains(codes(was), "25000") {
			t.Fatalf("old Bình Phước as of 2025-06-30 had %v", codes(was))
		}
		_ = oldCommune
	})
	t.Run("successor of the old unit", func(t *testing.T) {
		succ, err := s.Successors(ctx, old.ID)
		if err != nil || len(succ) != 1 || succ[0].Code != "75" {
			t.Fatalf("successors %v %v", codes(succ), err)
		}
		u := mustUnit(t, s, "70")
		if u.Live() || u.ValidTo != "2025-07-01" {
			t.Fatalf("old unit still live: %+v", u)
		}
	})
	t.Run("everything that ever rolled up into the successor", func(t *testing.T) {
		all, err := s.EverRolledInto(ctx, dongNai.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []string{"70", "25000", "26041"} {
			if !contains(codes(all), c) {
				t.Errorf("EverRolledInto(75) = %v lacks %s", codes(all), c)
			}
		}
	})
	t.Run("data of the old unit counts in the successor", func(t *testing.T) {
		n, err := s.PeopleCount(ctx, mustUnit(t, s, "75"))
		if err != nil || n != 1 {
			t.Fatalf("people in Đồng Nai = %d, %v; want the old province's person", n, err)
		}
	})
	t.Run("history is recorded", func(t *testing.T) {
		evs, err := s.Events(ctx, old.ID)
		if err != nil || len(evs) != 1 || evs[0].Kind != org.EventMerge || evs[0].Parts[0].ToCode != "75" {
			t.Fatalf("events %+v %v", evs, err)
		}
	})
	t.Run("cannot merge a unit into its own descendant", func(t *testing.T) {
		_, err := s.ApplyChange(ctx, org.Change{Kind: org.EventMerge, From: []string{"75"}, Into: []string{"26041"}, Effective: "2026-01-01"})
		if errs.Code(err) != errs.Invalid {
			t.Fatalf("err %v", err)
		}
	})
}

func TestRenameRecodeSplit(t *testing.T) {
	s, ctx := newService(t)
	if _, err := s.ApplyChange(ctx, org.Change{Kind: org.EventRename, From: []string{"24133"}, NewNameVI: "Tân An Mới", NewNameEN: "New Tan An", Effective: "2026-01-01", Resolution: "1/2026"}); err != nil {
		t.Fatal(err)
	}
	u := mustUnit(t, s, "24133")
	if u.NameVI != "Tân An Mới" || u.FullNameVI != "Phường Tân An Mới" || u.NameEN != "New Tan An" {
		t.Fatalf("renamed unit %+v", u)
	}
	if got, _ := s.SearchUnits(ctx, "tan an moi", 5); len(got) == 0 || got[0].Code != "24133" {
		t.Fatalf("renamed unit not found by its new name: %v", codes(got))
	}
	if _, err := s.ApplyChange(ctx, org.Change{Kind: org.EventRecode, From: []string{"24133"}, NewCode: "24134", Effective: "2026-01-01"}); err != nil {
		t.Fatal(err)
	}
	if mustUnit(t, s, "24134").ID != u.ID {
		t.Fatal("recode lost the unit")
	}
	if _, err := s.ApplyChange(ctx, org.Change{Kind: org.EventRecode, From: []string{"24134"}, NewCode: "24121", Effective: "2026-01-01"}); errs.Code(err) != errs.Invalid {
		t.Fatalf("recode onto a taken code: %v", err)
	}
	for _, c := range []string{"S1", "S2"} {
		if _, err := s.CreateUnit(ctx, org.NewUnit{Code: c, Type: org.TypeCommune, NameVI: "Mới " + c, ParentCode: "66"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ApplyChange(ctx, org.Change{Kind: org.EventSplit, From: []string{"24121"}, Into: []string{"S1", "S2"}, Effective: "2026-02-01"}); err != nil {
		t.Fatal(err)
	}
	succ, _ := s.Successors(ctx, mustUnit(t, s, "24121").ID)
	if got := codes(succ); len(got) != 2 || !contains(got, "S1") || !contains(got, "S2") {
		t.Fatalf("split successors %v", got)
	}
}

func TestChangesNeedRights(t *testing.T) {
	s, _ := newService(t)
	// A Đắk Lắk administrator may not touch Đồng Nai.
	p := &auth.Principal{AccountID: "x", Username: "dl", Grants: []auth.Grant{{Role: auth.UnitAdmin, UnitPath: mustUnit(t, s, "66").Path}}}
	ctx := auth.WithPrincipal(context.Background(), p)
	if _, err := s.ApplyChange(ctx, org.Change{Kind: org.EventRename, From: []string{"75"}, NewNameVI: "X", Effective: "2026-01-01"}); errs.Code(err) != errs.Forbidden {
		t.Fatalf("rename of another province: %v", err)
	}
	if _, err := s.CreateUnit(ctx, org.NewUnit{Code: "Z1", Type: org.TypeSchool, NameVI: "Trường Z", ParentCode: "75"}); errs.Code(err) != errs.Forbidden {
		t.Fatalf("create under another province: %v", err)
	}
	if _, err := s.CreateUnit(ctx, org.NewUnit{Code: "Z2", Type: org.TypeSchool, NameVI: "Trường Z", ParentCode: "66"}); err != nil {
		t.Fatalf("create in own province: %v", err)
	}
	if _, err := s.ApplyChange(context.Background(), org.Change{Kind: org.EventRename, From: []string{"66"}, NewNameVI: "X", Effective: "2026-01-01"}); errs.Code(err) != errs.Unauthorized {
		t.Fatalf("anonymous change: %v", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
