package app

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TestSynonymsEditAndApply: a national administrator adds a synonym group
// through the API, and unit search uses it at once; bad groups are
// refused naming the field, and a province's administrator may not edit.
func TestSynonymsEditAndApply(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	units := func(q string) []string {
		t.Helper()
		var out struct {
			Units []struct {
				Code string `json:"code"`
			} `json:"units"`
		}
		if err := json.Unmarshal([]byte(apiJSON(t, ta, "", "GET", "/api/v1/units?q="+url.QueryEscape(q), "", 200)), &out); err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, u := range out.Units {
			codes = append(codes, u.Code)
		}
		return codes
	}
	if got := units("thủ phủ cà phê"); len(got) > 0 {
		t.Fatalf("found before the synonym exists: %v", got)
	}
	apiJSON(t, ta, "daklak", "POST", "/api/v1/synonyms", `{"phrases":["thủ phủ cà phê","buôn ma thuột"]}`, 403)
	out := apiJSON(t, ta, "national", "POST", "/api/v1/synonyms", `{"phrases":["Thủ phủ Cà phê","","buôn ma thuột"],"note":"tên gọi"}`, 201)
	if !strings.Contains(out, `"phrases":["Thủ phủ Cà phê","buôn ma thuột"]`) {
		t.Fatalf("saved group: %s", out)
	}
	if got := units("thu phu ca phe"); len(got) == 0 || got[0] != "24121" {
		t.Fatalf("thu phu ca phe: %v, want Buôn Ma Thuột (24121) first", got)
	}
	for body, field := range map[string]string{
		`{"phrases":["chỉ một"]}`:                                         `"field":"phrases"`,
		`{"phrases":["a|b","c"]}`:                                         `"field":"phrases[0]"`,
		`{"phrases":["Hòa","hoà"]}`:                                       `"field":"phrases[1]"`,
		`{"phrases":["x","y"],"note":"` + strings.Repeat("n", 201) + `"}`: `"field":"note"`,
	} {
		if out := apiJSON(t, ta, "national", "POST", "/api/v1/synonyms", body, 400); !strings.Contains(out, field) {
			t.Errorf("%s: %s, want %s", body, out, field)
		}
	}
	if !strings.Contains(apiJSON(t, ta, "national", "GET", "/api/v1/audit?action=search_synonyms_create", "", 200), "search_synonyms_create") {
		t.Error("the change is not in the audit log")
	}
}

// TestSearchCompetences: the shipped standard's competences are found by
// words of their names in any order, without marks, with a typo, in
// English, and by the scheme's abbreviations.
func TestSearchCompetences(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	first := func(q string) string {
		t.Helper()
		var out struct {
			Competences []struct {
				Code     string `json:"code"`
				Standard string `json:"standard_code"`
				NameVI   string `json:"name_vi"`
			} `json:"competences"`
		}
		if err := json.Unmarshal([]byte(apiJSON(t, ta, "", "GET", "/api/v1/skills/search?q="+url.QueryEscape(q), "", 200)), &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Competences) == 0 {
			return ""
		}
		return out.Competences[0].NameVI
	}
	want := first("Bảo vệ dữ liệu cá nhân")
	if want == "" {
		t.Fatal("nothing found for a competence's own words")
	}
	for _, q := range []string{"bao ve du lieu ca nhan", "dữ liệu cá nhân bảo vệ", "bảo vệ dữ liệu cá nhna"} {
		if got := first(q); got != want {
			t.Errorf("%q: %q, want %q", q, got, want)
		}
	}
	if got := first("zzzz qqqq"); got != "" {
		t.Errorf("nonsense found %q", got)
	}
	apiJSON(t, ta, "", "GET", "/api/v1/skills/search?q="+strings.Repeat("a", 300), "", 400)
}
