package skills_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db/dbtest"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/tabular"
	"dxhub/internal/skills"
)

const nation = "/vn/"

func newService(t testing.TB) *skills.Service {
	t.Helper()
	s := &skills.Service{DB: dbtest.Open(t), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Scope: func(context.Context) (string, error) { return nation, nil }}
	if err := s.EnsureDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func as(role auth.Role, path string) context.Context {
	return auth.WithPrincipal(context.Background(), &auth.Principal{AccountID: "a-" + string(role), Username: string(role), Grants: []auth.Grant{{Role: role, UnitPath: path}}})
}

func TestDefaultStandards(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	dsf, err := s.Latest(ctx, "VN-DSF")
	if err != nil {
		t.Fatal(err)
	}
	if len(dsf.Areas) != 6 || dsf.CountCompetences() != 24 || dsf.Status != skills.Published {
		t.Fatalf("framework: %d areas, %d competences, %s", len(dsf.Areas), dsf.CountCompetences(), dsf.Status)
	}
	if dsf.Areas[5].NameEN != "Applying artificial intelligence" {
		t.Fatalf("sixth area is %q", dsf.Areas[5].NameEN)
	}
	for _, a := range dsf.Areas {
		for _, c := range a.Competences {
			if len(c.TiersVI) != 4 || len(c.TiersEN) != 4 || c.NameEN == "" || c.DescriptionVI == "" {
				t.Errorf("competence %s is incomplete: %+v", c.Code, c)
			}
		}
	}
	iu, err := s.Latest(ctx, "VN-IU")
	if err != nil {
		t.Fatal(err)
	}
	if iu.CountCompetences() != 15 || iu.AdvancedChoose != 3 || iu.Kind != skills.KindModules {
		t.Fatalf("module standard %+v", iu)
	}
	t.Run("module rule", func(t *testing.T) {
		basic6 := []string{"IU01", "IU02", "IU03", "IU04", "IU05", "IU06"}
		for _, c := range []struct {
			passed          []string
			basic, advanced bool
		}{
			{basic6, true, false},
			{append(basic6, "IU07", "IU08"), true, false},
			{append(basic6, "iu07", "IU10", "IU15"), true, true},
			{[]string{"IU01", "IU02", "IU04", "IU05", "IU06", "IU07", "IU08", "IU09"}, false, false},
		} {
			b, a := iu.ModuleResult(c.passed)
			if b != c.basic || a != c.advanced {
				t.Errorf("passed %v: basic %v advanced %v, want %v %v", c.passed, b, a, c.basic, c.advanced)
			}
		}
	})
	t.Run("defaults are stored once", func(t *testing.T) {
		if err := s.EnsureDefaults(ctx); err != nil {
			t.Fatal(err)
		}
		list, _ := s.List(ctx, true)
		if len(list) != 2 {
			t.Fatalf("%d standards after a second EnsureDefaults", len(list))
		}
	})
}

func TestVersioning(t *testing.T) {
	s := newService(t)
	author := as(auth.Author, nation)
	v2, err := s.NewVersion(author, "VN-DSF", 1)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 || v2.Status != skills.Draft || v2.BasedOn != "VN-DSF/1" {
		t.Fatalf("new version %d %s %s", v2.Version, v2.Status, v2.BasedOn)
	}
	edit := skills.CompetenceEdit{NameVI: "Bảo vệ dữ liệu cá nhân", NameEN: "Protecting personal data", DescriptionVI: "Mô tả mới",
		TiersVI: []string{"a", "b", "c", "d"}, TiersEN: []string{"A", "B", "C", "D"}}
	if err := s.EditCompetence(author, "VN-DSF", 2, "4.2", edit); err != nil {
		t.Fatal(err)
	}
	if err := s.EditCompetence(author, "VN-DSF", 2, "4.2", skills.CompetenceEdit{NameVI: "x", TiersVI: []string{"only one"}}); errs.Code(err) != errs.Invalid {
		t.Fatalf("three tiers missing: %v", err)
	}
	if err := s.Publish(author, "VN-DSF", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.EditCompetence(author, "VN-DSF", 2, "4.2", edit); errs.Code(err) != errs.Conflict {
		t.Fatalf("edit of a published version: %v", err)
	}
	if err := s.Publish(author, "VN-DSF", 2); errs.Code(err) != errs.Conflict {
		t.Fatalf("second publish: %v", err)
	}
	latest, _ := s.Latest(context.Background(), "VN-DSF")
	c, _ := latest.Competence("4.2")
	if latest.Version != 2 || c.NameVI != "Bảo vệ dữ liệu cá nhân" || c.TiersEN[3] != "D" {
		t.Fatalf("latest %d %+v", latest.Version, c)
	}
	v1, _ := s.Get(context.Background(), "VN-DSF", 1)
	if c1, _ := v1.Competence("4.2"); c1.DescriptionVI == "Mô tả mới" {
		t.Fatal("the published version changed")
	}
}

func TestAuthoringRights(t *testing.T) {
	s := newService(t)
	for name, ctx := range map[string]context.Context{
		"province author":     as(auth.Author, nation+"66/"),
		"national unit admin": as(auth.UnitAdmin, nation),
		"national exam admin": as(auth.ExamAdmin, nation),
	} {
		if _, err := s.NewVersion(ctx, "VN-DSF", 1); errs.Code(err) != errs.Forbidden {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := s.NewVersion(context.Background(), "VN-DSF", 1); errs.Code(err) != errs.Unauthorized {
		t.Errorf("anonymous: %v", err)
	}
	if _, err := s.NewVersion(as(auth.NationalAdmin, nation), "VN-DSF", 1); err != nil {
		t.Errorf("national admin: %v", err)
	}
}

func TestJSONAndCSVRoundTrip(t *testing.T) {
	s := newService(t)
	author := as(auth.Author, nation)
	var buf bytes.Buffer
	if err := s.ExportJSON(context.Background(), &buf, "VN-DSF", 1); err != nil {
		t.Fatal(err)
	}
	copyJSON := strings.Replace(buf.String(), `"code": "VN-DSF"`, `"code": "PROV-66"`, 1)
	got, err := s.ImportJSON(author, strings.NewReader(copyJSON))
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := s.Get(context.Background(), "VN-DSF", 1)
	back, _ := s.Get(context.Background(), "PROV-66", 1)
	if got.Status != skills.Draft || !sameContent(orig, back) {
		t.Fatal("JSON round trip changed the content")
	}
	for _, f := range []tabular.Format{tabular.CSV, tabular.XLSX} {
		buf.Reset()
		if err := s.ExportCSV(context.Background(), &buf, f, "VN-IU", 1); err != nil {
			t.Fatal(err)
		}
		code := "IU-" + strings.ToUpper(string(f))
		if _, err := s.ImportCSV(author, &buf, skills.Standard{Code: code, Version: 1, Kind: skills.KindModules, NameVI: "Bản sao", AdvancedChoose: 3}); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		a, _ := s.Get(context.Background(), "VN-IU", 1)
		b, _ := s.Get(context.Background(), code, 1)
		if !sameContent(a, b) {
			t.Fatalf("%s round trip changed the content", f)
		}
	}
}

func sameContent(a, b *skills.Standard) bool {
	strip := func(s *skills.Standard) string {
		x := *s
		x.ID, x.Code, x.Status, x.CreatedAt, x.PublishedAt, x.NameVI, x.NameEN, x.DescriptionVI, x.DescriptionEN, x.BasedOn = "", "", "", 0, 0, "", "", "", "", ""
		out, _ := json.Marshal(x)
		return string(out)
	}
	return strip(a) == strip(b)
}

func TestImportsRefuseBadInput(t *testing.T) {
	s := newService(t)
	author := as(auth.Author, nation)
	bad := "area_code,area_name_vi,code,name_vi,tier1_vi,tier2_vi,tier3_vi,tier4_vi,required\n1,Miền một,1.1,Năng lực,a,b,c,d,yes\n1,Miền một,1.1,Trùng mã,,,,,\n2,,2.1,,a,,c,d,maybe\n"
	_, err := s.ImportCSV(author, strings.NewReader(bad), skills.Standard{Code: "BAD", Version: 1, Kind: skills.KindFramework, NameVI: "Sai"})
	ie, ok := err.(*tabular.ImportError)
	if !ok {
		t.Fatalf("want row errors, got %v", err)
	}
	msgs := strings.Join(ie.Messages(i18n.EN), "\n")
	for _, want := range []string{"Row 3, column code: same key as row 2", "Row 4, column name_vi", "Row 4, column tier2_vi", "Row 4, column required", "Row 4, column area_name_vi"} {
		if !strings.Contains(msgs, want) {
			t.Errorf("lacks %q in\n%s", want, msgs)
		}
	}
	if _, err := s.Get(context.Background(), "BAD", 1); errs.Code(err) != errs.NotFound {
		t.Fatal("a refused import stored something")
	}
	for name, body := range map[string]string{
		"duplicate competence": `{"code":"X","version":1,"kind":"framework","name_vi":"X","areas":[{"code":"1","name_vi":"A","competences":[{"code":"1.1","name_vi":"a"},{"code":"1.1","name_vi":"b"}]}]}`,
		"unknown field":        `{"code":"X","version":1,"kind":"framework","name_vi":"X","colour":"red","areas":[]}`,
		"bad kind":             `{"code":"X","version":1,"kind":"tree","name_vi":"X","areas":[{"code":"1","name_vi":"A","competences":[{"code":"1.1","name_vi":"a"}]}]}`,
		"existing version":     `{"code":"VN-DSF","version":1,"kind":"framework","name_vi":"X","areas":[{"code":"1","name_vi":"A","competences":[{"code":"1.1","name_vi":"a"}]}]}`,
	} {
		if _, err := s.ImportJSON(author, strings.NewReader(body)); errs.Code(err) != errs.Invalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err = s.ImportJSON(author, strings.NewReader(`{"code":"X","version":1,"kind":"framework","name_vi":"X","areas":[{"code":"1","name_vi":"A","competences":[{"code":"1.1","name_vi":"a"},{"code":"1.1","name_vi":"b"}]}]}`))
	if e, _ := errs.As(err); e == nil || e.Field != "areas[0].competences[1].code" {
		t.Fatalf("error does not name the path: %v", err)
	}
}

func TestTierOfLevel(t *testing.T) {
	for level, tier := range map[int]int{1: 0, 2: 0, 3: 1, 4: 1, 5: 2, 6: 2, 7: 3, 8: 3} {
		if got := skills.TierOfLevel(level); got != tier {
			t.Errorf("level %d: tier %d, want %d", level, got, tier)
		}
	}
}

// FuzzStandardJSON feeds arbitrary JSON to the standard importer's decoding
// and validation: it must never panic, and what it accepts must be whole.
func FuzzStandardJSON(f *testing.F) {
	f.Add([]byte(`{"code":"X","version":1,"kind":"framework","name_vi":"X","areas":[{"code":"1","name_vi":"A","competences":[{"code":"1.1","name_vi":"a","tiers_vi":["1","2","3","4"]}]}]}`))
	f.Add([]byte(`{"code":"","areas":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var st skills.Standard
		if json.Unmarshal(data, &st) != nil {
			return
		}
		if err := st.Validate(); err == nil {
			if st.CountCompetences() == 0 || st.Code == "" {
				t.Fatalf("accepted an empty standard: %+v", st)
			}
		} else if errs.Code(err) != errs.Invalid {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}
