package app

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestScenarios walks the HTTP surface as each kind of user: method, URL,
// who, expected status and text that must (or must not) appear.
func TestScenarios(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	a1, b1 := ta.personID("A1"), ta.personID("B1")
	clients := map[string]*http.Client{"": ta.client("")}
	for u := range testAccounts {
		clients[u] = ta.client(u)
	}
	for _, sc := range []struct {
		name, method, url, user string
		status                  int
		want, notWant           []string
	}{
		{"home page is public", "GET", "/", "", 200, []string{"dxhub", "Bỏ qua, đến nội dung chính"}, nil},
		{"home page in English", "GET", "/?lang=en", "", 200, []string{"Skip to main content"}, nil},
		{"unit search without diacritics", "GET", "/units?q=dak+lak", "", 200, []string{"Tỉnh Đắk Lắk"}, []string{"Đồng Nai"}},
		{"unit page", "GET", "/units/66", "", 200, []string{`Buôn Ma Thuột</a> <span class="muted">Phường ·`, `Tân An</a> <span class="muted">Phường ·`}, nil},
		{"unknown unit", "GET", "/units/99999", "", 404, nil, nil},
		{"API unit search is public", "GET", "/api/v1/units?q=dong%20nai", "", 200, []string{`"code":"75"`}, nil},
		{"API unit with children", "GET", "/api/v1/units/66", "", 200, []string{`"children":[`, `"code":"24121"`}, nil},
		{"API unit search rejects a long query", "GET", "/api/v1/units?q=" + strings.Repeat("a", 250), "", 400, []string{`"field":"q"`}, nil},
		{"people API needs sign-in", "GET", "/api/v1/people", "", 401, []string{`"code":"unauthorized"`}, nil},
		{"people page sends anonymous users to sign in", "GET", "/people", "", 303, nil, nil},
		{"learner cannot list people", "GET", "/api/v1/people", "learner", 403, nil, nil},
		{"province admin lists own people", "GET", "/api/v1/people", "daklak", 200, []string{"A1"}, []string{"B1"}},
		{"province admin pages own people", "GET", "/people", "daklak", 200, []string{"Nguyễn Văn Ánh"}, []string{"Trần Thị Bưởi"}},
		{"province admin cannot filter another province", "GET", "/api/v1/people?unit=75", "daklak", 403, nil, nil},
		{"province admin cannot page another province", "GET", "/people?unit=75", "daklak", 403, nil, nil},
		{"province admin cannot read a person elsewhere (API)", "GET", "/api/v1/people/" + b1, "daklak", 403, nil, nil},
		{"province admin cannot read a person elsewhere (page)", "GET", "/people/" + b1, "daklak", 403, nil, []string{"Trần Thị Bưởi"}},
		{"province admin reads own person", "GET", "/api/v1/people/" + a1, "daklak", 200, []string{"Nguyễn Văn Ánh"}, nil},
		{"export stays in scope", "GET", "/people/export?format=csv", "daklak", 200, []string{"A1"}, []string{"B1"}},
		{"export format is checked", "GET", "/people/export?format=pdf", "daklak", 400, nil, nil},
		{"national admin sees everyone", "GET", "/api/v1/people", "national", 200, []string{"A1", "B1"}, nil},
		{"exam admin may view people of own province", "GET", "/api/v1/people?unit=66", "examiner", 200, []string{"A1"}, nil},
		{"exam admin cannot export", "GET", "/people/export", "examiner", 403, nil, nil},
		{"bad page parameter", "GET", "/api/v1/people?page=abc", "daklak", 400, []string{`"field":"page"`}, nil},
		{"bad group parameter", "GET", "/api/v1/people?group=wizard", "daklak", 400, []string{`"field":"group"`}, nil},
		{"roles page for admins", "GET", "/admin/roles", "daklak", 200, []string{"daklak"}, []string{"dongnai"}},
		{"roles page refused to learners", "GET", "/admin/roles", "learner", 403, nil, nil},
		{"audit page for admins", "GET", "/admin/audit", "daklak", 200, nil, nil},
		{"audit API refused to learners", "GET", "/api/v1/audit", "learner", 403, nil, nil},
		{"me API", "GET", "/api/v1/me", "daklak", 200, []string{`"role":"unit_admin"`, `"unit_code":"66"`}, nil},
		{"account page", "GET", "/account", "learner", 200, []string{"Khóa API"}, nil},
		{"health", "GET", "/healthz", "", 200, []string{"ok"}, nil},
		{"ready", "GET", "/readyz", "", 200, []string{"ready"}, nil},
		{"metrics are not public", "GET", "/metrics", "", 404, nil, []string{"dxhub_http_requests_total"}},
		{"unknown page", "GET", "/nope", "", 404, nil, nil},
	} {
		t.Run(sc.name, func(t *testing.T) {
			status, body, _ := ta.do(clients[sc.user], sc.method, sc.url, nil)
			if status != sc.status {
				t.Fatalf("%s %s as %q: status %d, want %d\n%.500s", sc.method, sc.url, sc.user, status, sc.status, body)
			}
			for _, w := range sc.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q\n%.800s", w, body)
				}
			}
			for _, w := range sc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("body has %q", w)
				}
			}
		})
	}
}

func TestProvinceAdminCannotChangeAnotherProvince(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	c := ta.client("daklak")
	t.Run("grant a role in another province", func(t *testing.T) {
		status, body, _ := ta.do(c, "POST", "/admin/roles", strings.NewReader("username=learner&role=reporter&unit=75"), "Content-Type", "application/x-www-form-urlencoded")
		if status != 403 {
			t.Fatalf("status %d %.300s", status, body)
		}
	})
	t.Run("grant national administrator", func(t *testing.T) {
		status, _, _ := ta.do(c, "POST", "/admin/roles", strings.NewReader("username=learner&role=national_admin&unit=66"), "Content-Type", "application/x-www-form-urlencoded")
		if status != 403 {
			t.Fatalf("status %d", status)
		}
	})
	t.Run("revoke a grant of another province", func(t *testing.T) {
		grants, _ := ta.App.Auth.ListGrants(t.Context(), []string{"/"})
		for _, g := range grants {
			if g.Username == "dongnai" {
				status, _, _ := ta.do(c, "POST", "/admin/roles/"+g.ID+"/revoke", nil)
				if status != 403 {
					t.Fatalf("status %d", status)
				}
				return
			}
		}
		t.Fatal("no grant for dongnai")
	})
	t.Run("import people into another province", func(t *testing.T) {
		status, body, _ := ta.do(c, "POST", "/api/v1/people/import", strings.NewReader("key,full_name,unit_code\nX9,Người X,26041\n"), "Content-Type", "text/csv")
		if status != 422 || !strings.Contains(body, "26041") {
			t.Fatalf("status %d %s", status, body)
		}
	})
	t.Run("grant within own province works and is audited", func(t *testing.T) {
		status, body, _ := ta.do(c, "POST", "/admin/roles", strings.NewReader("username=learner&role=reporter&unit=24121"), "Content-Type", "application/x-www-form-urlencoded")
		if status != 303 {
			t.Fatalf("status %d %.300s", status, body)
		}
		_, body, _ = ta.do(c, "GET", "/api/v1/audit?action=role_grant", nil)
		if !strings.Contains(body, "reporter → learner") {
			t.Fatalf("audit lacks the grant: %s", body)
		}
		_, body, _ = ta.do(ta.client("dongnai"), "GET", "/api/v1/audit?action=role_grant", nil)
		if strings.Contains(body, "reporter → learner") {
			t.Fatalf("Đồng Nai admin reads Đắk Lắk's audit: %s", body)
		}
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	c := ta.client("daklak")
	status, body, _ := ta.do(c, "POST", "/account/tokens", strings.NewReader("name=script"), "Content-Type", "application/x-www-form-urlencoded")
	if status != 200 {
		t.Fatalf("create token: %d", status)
	}
	token := regexp.MustCompile(`dxh_[0-9a-f]+`).FindString(body)
	if token == "" {
		t.Fatal("no token shown")
	}
	anon := ta.client("")
	status, body, _ = ta.do(anon, "GET", "/api/v1/people", nil, "Authorization", "Bearer "+token)
	if status != 200 || !strings.Contains(body, "A1") || strings.Contains(body, "B1") {
		t.Fatalf("token list: %d %s", status, body)
	}
	status, _, _ = ta.do(anon, "GET", "/api/v1/people?unit=75", nil, "Authorization", "Bearer "+token)
	if status != 403 {
		t.Fatalf("token crosses scope: %d", status)
	}
	tokens, _ := ta.App.Auth.ListTokens(t.Context(), mustPrincipal(t, ta, "daklak"))
	status, _, _ = ta.do(c, "POST", "/account/tokens/"+tokens[0].ID+"/revoke", nil)
	if status != 303 {
		t.Fatalf("revoke: %d", status)
	}
	status, _, _ = ta.do(anon, "GET", "/api/v1/people", nil, "Authorization", "Bearer "+token)
	if status != 401 {
		t.Fatalf("revoked token still works: %d", status)
	}
	status, _, _ = ta.do(anon, "GET", "/api/v1/people", nil, "Authorization", "Bearer dxh_forged")
	if status != 401 {
		t.Fatalf("forged token: %d", status)
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	c := ta.client("daklak")
	status, _, _ := ta.do(c, "POST", "/account/tokens", strings.NewReader("name=evil"), "Content-Type", "application/x-www-form-urlencoded",
		"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if status != 403 {
		t.Fatalf("cross-site POST: %d", status)
	}
	tokens, _ := ta.App.Auth.ListTokens(t.Context(), mustPrincipal(t, ta, "daklak"))
	if len(tokens) != 0 {
		t.Fatal("cross-site POST created a token")
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	_, _, h := ta.do(ta.client(""), "GET", "/", nil)
	for k, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"X-Request-Id":            "",
	} {
		if got := h.Get(k); got == "" || !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestOpenAPIDescribesEveryAPIRoute(t *testing.T) {
	t.Parallel()
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	a := &App{}
	seen := map[string]bool{}
	for _, r := range a.Routes() {
		method, path, _ := strings.Cut(r.Pattern, " ")
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		seen[method+" "+path] = true
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is not in openapi.json", r.Pattern)
		}
	}
	for path, ops := range doc.Paths {
		for m := range ops {
			if !seen[strings.ToUpper(m)+" "+path] {
				t.Errorf("openapi.json describes %s %s, which is not a route", m, path)
			}
		}
	}
}

func TestUnitManagementByPageAndAPI(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	dl := ta.client("daklak")
	t.Run("add a school below a commune", func(t *testing.T) {
		body, k, v := form(url.Values{"code": {"66-THCS-TA"}, "type": {"school"}, "name_vi": {"Trường THCS Tân An"}, "classes": {"lower_secondary"}})
		status, _, h := ta.do(dl, "POST", "/units/24133/children", body, k, v)
		if status != 303 || h.Get("Location") != "/units/66-THCS-TA" {
			t.Fatalf("status %d location %q", status, h.Get("Location"))
		}
		_, page, _ := ta.do(dl, "GET", "/units/66-THCS-TA", nil)
		if !strings.Contains(page, "lower_secondary") || !strings.Contains(page, `<a href="/units/24133">Tân An</a>`) {
			t.Fatalf("new unit page: %.400s", page)
		}
	})
	t.Run("a bad form names the field and keeps the page", func(t *testing.T) {
		body, k, v := form(url.Values{"code": {"bad code"}, "type": {"school"}, "name_vi": {"X"}})
		status, page, _ := ta.do(dl, "POST", "/units/24133/children", body, k, v)
		if status != 400 || !strings.Contains(page, `id="form-error"`) || !strings.Contains(page, "bad code") {
			t.Fatalf("status %d", status)
		}
	})
	t.Run("rename by API", func(t *testing.T) {
		status, body, _ := ta.do(dl, "POST", "/api/v1/units/24133/changes", strings.NewReader(`{"kind":"rename","new_name_vi":"Tân An Mới","effective":"2026-01-01","resolution":"1/NQ-HĐND"}`), "Content-Type", "application/json")
		if status != 201 || !strings.Contains(body, `"kind":"rename"`) {
			t.Fatalf("status %d %s", status, body)
		}
		_, page, _ := ta.do(dl, "GET", "/units/24133", nil)
		if !strings.Contains(page, "Phường Tân An Mới") || !strings.Contains(page, "1/NQ-HĐND") {
			t.Fatalf("renamed page: %.600s", page)
		}
	})
	t.Run("merge by page", func(t *testing.T) {
		body, k, v := form(url.Values{"kind": {"merge"}, "into": {"24121"}, "effective": {"2026-07-01"}, "resolution": {"5/NQ-UBTVQH"}})
		if status, page, _ := ta.do(dl, "POST", "/units/24133/changes", body, k, v); status != 303 {
			t.Fatalf("status %d %.300s", status, page)
		}
		_, api, _ := ta.do(dl, "GET", "/api/v1/units/24133", nil)
		if !strings.Contains(api, `"valid_to":"2026-07-01"`) || !strings.Contains(api, `"successors":[{`) {
			t.Fatalf("merged unit: %s", api)
		}
	})
	t.Run("another province is out of reach", func(t *testing.T) {
		body, k, v := form(url.Values{"code": {"X1"}, "type": {"school"}, "name_vi": {"X"}})
		if status, _, _ := ta.do(dl, "POST", "/units/26041/children", body, k, v); status != 403 {
			t.Fatalf("add under Đồng Nai: %d", status)
		}
		status, _, _ := ta.do(dl, "POST", "/api/v1/units/75/changes", strings.NewReader(`{"kind":"rename","new_name_vi":"X","effective":"2026-01-01"}`), "Content-Type", "application/json")
		if status != 403 {
			t.Fatalf("rename Đồng Nai: %d", status)
		}
		status, _, _ = ta.do(dl, "POST", "/api/v1/units/24121/changes", strings.NewReader(`{"kind":"merge","into":["26041"],"effective":"2026-01-01"}`), "Content-Type", "application/json")
		if status != 403 {
			t.Fatalf("merge into Đồng Nai: %d", status)
		}
	})
	t.Run("anonymous and malformed requests", func(t *testing.T) {
		if status, _, _ := ta.do(ta.client(""), "POST", "/api/v1/units", strings.NewReader(`{}`), "Content-Type", "application/json"); status != 401 {
			t.Fatalf("anonymous create: %d", status)
		}
		status, body, _ := ta.do(dl, "POST", "/api/v1/units", strings.NewReader(`{"code":1}`), "Content-Type", "application/json")
		if status != 400 || !strings.Contains(body, `"field":"body"`) {
			t.Fatalf("malformed create: %d %s", status, body)
		}
	})
}

func TestReadyzReportsDatabaseDown(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	c := ta.client("")
	if status, _, _ := ta.do(c, "GET", "/readyz", nil); status != 200 {
		t.Fatalf("readyz: %d", status)
	}
	ta.App.DB.R.Close()
	status, body, _ := ta.do(c, "GET", "/readyz", nil)
	if status != 503 || !strings.Contains(body, "database unavailable") {
		t.Fatalf("readyz with the database down: %d %s", status, body)
	}
	if status, _, _ := ta.do(c, "GET", "/healthz", nil); status != 200 {
		t.Fatalf("healthz: %d", status)
	}
}

func TestImageUploadForItems(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	upload := func(c *http.Client, name string, data []byte) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
		mw.WriteField("alt", "sơ đồ")
		mw.Close()
		s, body, _ := ta.do(c, "POST", "/files", &buf, "Content-Type", mw.FormDataContentType())
		return s, body
	}
	author := ta.client("author")
	status, body := upload(author, "a.png", png)
	key := regexp.MustCompile(`/files/([0-9a-z-]+)`).FindStringSubmatch(body)
	if status != 200 || key == nil || !strings.Contains(body, "![sơ đồ](/files/") {
		t.Fatalf("upload: %d", status)
	}
	if s, _ := upload(author, "x.html", []byte("<script>alert(1)</script>")); s != 400 {
		t.Fatalf("html upload: %d", s)
	}
	if s, _ := upload(ta.client("learner"), "a.png", png); s != 403 {
		t.Fatalf("learner upload: %d", s)
	}
	s, got, h := ta.do(ta.client("learner"), "GET", "/files/"+key[1], nil)
	if s != 200 || h.Get("Content-Type") != "image/png" || got != string(png) {
		t.Fatalf("serve: %d %s", s, h.Get("Content-Type"))
	}
	s, part, _ := ta.do(ta.client("learner"), "GET", "/files/"+key[1], nil, "Range", "bytes=0-7")
	if s != 206 || part != string(png[:8]) {
		t.Fatalf("range: %d", s)
	}
	if s, _, _ := ta.do(ta.client(""), "GET", "/files/"+key[1], nil); s != 303 {
		t.Fatalf("anonymous read: %d", s)
	}
}
