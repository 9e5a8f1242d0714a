package app

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"dxhub/internal/demo"
	"dxhub/internal/learning"
	"dxhub/internal/lrs"
	"dxhub/internal/monitor"
	"dxhub/internal/platform/auth"
)

// Each test here reproduces a hole an authorization sweep or a hostile
// tester found, and fails if it opens again.

// A province administrator cannot take over another province's data set
// by saving one with its code and their own scope.
func TestSecurityDatasetTakeover(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	sys := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := ta.App.Mon.SaveDataset(sys, monitor.Dataset{Code: "BC-DL", NameVI: "Báo cáo Đắk Lắk", PeriodType: "month", UnitTypes: []string{"commune"},
		ScopeCode: "66", DueDays: 5, Elements: []string{"working_age"}}); err != nil {
		t.Fatal(err)
	}
	body := `{"code":"BC-DL","name_vi":"Chiếm","period_type":"month","unit_types":["commune"],"scope_code":"75","due_days":5,"elements":["working_age"]}`
	apiJSON(t, ta, "dongnai", "POST", "/api/v1/datasets", body, 403)
	form := url.Values{"code": {"BC-DL"}, "name_vi": {"Chiếm"}, "period_type": {"month"}, "unit_types": {"commune"}, "scope_code": {"75"}, "due_days": {"5"}, "elements": {"working_age"}}
	if code, out, _ := ta.do(ta.as("dongnai"), "POST", "/monitoring/datasets", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded"); code != 403 {
		t.Fatalf("form: %d %.300s", code, out)
	}
	d, err := ta.App.Mon.Dataset(context.Background(), "BC-DL")
	if err != nil || d.NameVI != "Báo cáo Đắk Lắk" || d.ScopeCode != "66" {
		t.Fatalf("data set changed: %+v %v", d, err)
	}
	// Its own administrator still may change it.
	apiJSON(t, ta, "daklak", "POST", "/api/v1/datasets", strings.Replace(body, `"75"`, `"66"`, 1), 200)
}

// Launch credentials for an external xAPI lesson are bound to the learner,
// the activity and the registration, and read nothing else.
func TestSecurityLaunchCredentialsBound(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	ctx := context.Background()
	a := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author"))
	_, ls := mustCourse(t, ta, a, learning.CourseInput{Code: "XAPI-1", Title: "Bài ngoài", Summary: "x", Audiences: []string{"citizen"}, OpenEnrol: true, PassPercent: 50},
		learning.LessonInput{Kind: learning.KindXAPI, Title: "Bài tương tác", URL: "https://content.example.vn/lesson/index.html", Required: true})
	l := ls[0]
	// Another unit's statements with a learner's e-mail, and another
	// learner's statement, are in the store.
	sys := auth.WithPrincipal(ctx, auth.System())
	nation, _ := ta.App.Org.Nation(sys)
	secretStmt := `{"actor":{"mbox":"mailto:other.person@example.vn"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://lms.example.vn/x"}}`
	if _, err := ta.App.LRS.Save(ctx, ta.App.LRS.System(nation.Path), []map[string]any{mustObj(t, secretStmt)}); err != nil {
		t.Fatal(err)
	}
	c := ta.as("learner")
	if code, out, _ := ta.do(c, "POST", "/courses/XAPI-1/enrol", nil); code != 303 {
		t.Fatalf("enrol: %d %.300s", code, out)
	}
	code, _, h := ta.do(c, "GET", "/courses/XAPI-1/lessons/"+l.ID+"/launch", nil)
	if code != 303 {
		t.Fatalf("launch: %d", code)
	}
	loc, _ := url.Parse(h.Get("Location"))
	q := loc.Query()
	authz, actor, reg, activity := q.Get("auth"), q.Get("actor"), q.Get("registration"), q.Get("activity_id")
	if authz == "" || actor == "" || reg == "" || activity == "" {
		t.Fatalf("launch URL lacks parameters: %s", loc)
	}
	x := func(method, path, body string) (int, string) {
		code, out, _ := ta.do(ta.client(""), method, path, strings.NewReader(body), "Authorization", authz, "X-Experience-API-Version", "1.0.3", "Content-Type", "application/json")
		return code, out
	}
	own := fmt.Sprintf(`{"actor":%s,"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":%q},"context":{"registration":%q}}`, actor, activity, reg)
	part := fmt.Sprintf(`{"actor":%s,"verb":{"id":"http://adlnet.gov/expapi/verbs/answered"},"object":{"id":%q},"context":{"registration":%q,"contextActivities":{"parent":[{"id":%q}]}}}`, actor, activity+"/q1", reg, activity)
	for _, tc := range []struct {
		name, method, path, body string
		want                     int
	}{
		{"writes its own learner's statement about its activity", "POST", "/xapi/statements", own, 200},
		{"writes a part of its activity", "POST", "/xapi/statements", part, 200},
		{"cannot write another learner's statement", "POST", "/xapi/statements", strings.Replace(own, actor, `{"mbox":"mailto:someone@example.vn"}`, 1), 403},
		{"cannot write about another activity", "POST", "/xapi/statements", strings.Replace(own, fmt.Sprintf("%q", activity), `"https://evil.example/a"`, 1), 403},
		{"cannot write in another registration", "POST", "/xapi/statements", strings.Replace(own, reg, "0b8f6a4e-3c36-4a5e-9f1e-3e6c2b1d0a99", 1), 403},
		{"cannot read another agent's statements", "GET", "/xapi/statements?agent=" + url.QueryEscape(`{"mbox":"mailto:other.person@example.vn"}`), "", 403},
		{"reads another learner's state: no", "GET", "/xapi/activities/state?stateId=s&activityId=" + url.QueryEscape(activity) + "&agent=" + url.QueryEscape(`{"mbox":"mailto:other.person@example.vn"}`), "", 403},
		{"reads its own state", "GET", "/xapi/activities/state?activityId=" + url.QueryEscape(activity) + "&agent=" + url.QueryEscape(actor), "", 200},
		{"cannot write an activity profile", "PUT", "/xapi/activities/profile?profileId=p&activityId=" + url.QueryEscape(activity), `{}`, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, out := x(tc.method, tc.path, tc.body); code != tc.want {
				t.Fatalf("%s %s: %d, want %d: %.300s", tc.method, tc.path, code, tc.want, out)
			}
		})
	}
	code, out := x("GET", "/xapi/statements", "")
	if code != 200 || strings.Contains(out, "other.person@example.vn") || !strings.Contains(out, activity+"/q1") {
		t.Fatalf("statements read with launch credentials: %d %.500s", code, out)
	}

	// The content's page, on its own origin, calls the LRS from the
	// browser (CORS); another origin's page gets no answer to read, and
	// dxhub's own pages stay closed to cross-site writes.
	browser := func(method, path, origin, body string, extra ...string) (int, http.Header) {
		hdr := append([]string{"Origin", origin, "Sec-Fetch-Site", "cross-site", "Content-Type", "application/json"}, extra...)
		code, _, h := ta.do(ta.client(""), method, path, strings.NewReader(body), hdr...)
		return code, h
	}
	content := "https://content.example.vn"
	code, h = browser("OPTIONS", "/xapi/statements", content, "", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,x-experience-api-version")
	if code != 204 || h.Get("Access-Control-Allow-Origin") != content || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("preflight: %d %v", code, h)
	}
	code, h = browser("POST", "/xapi/statements", content, part, "Authorization", authz, "X-Experience-API-Version", "1.0.3")
	if code != 200 || h.Get("Access-Control-Allow-Origin") != content {
		t.Fatalf("cross-origin POST from the content: %d %v", code, h)
	}
	if _, h = browser("GET", "/xapi/statements", "https://evil.example", "", "Authorization", authz, "X-Experience-API-Version", "1.0.3"); h.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("another origin may read the answer: %v", h)
	}
	c2 := ta.as("learner")
	req, _ := http.NewRequest("POST", ta.Srv.URL+"/account/tokens", strings.NewReader("name=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := c2.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("cross-site write to a dxhub page: %d", resp.StatusCode)
	}
	// A new agent profile is created by a PUT without preconditions; the
	// same PUT over it is a conflict (xAPI 1.0.3).
	prof := "/xapi/agents/profile?profileId=prefs&agent=" + url.QueryEscape(actor)
	if code, out := x("PUT", prof, `{"lang":"vi"}`); code != 204 {
		t.Fatalf("create profile: %d %s", code, out)
	}
	if code, _ := x("PUT", prof, `{"lang":"en"}`); code != 409 {
		t.Fatalf("replace profile without If-Match: %d", code)
	}
}

func mustObj(t *testing.T, s string) map[string]any {
	t.Helper()
	var o map[string]any
	if err := json.Unmarshal([]byte(s), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// multipartFile builds a multipart form body with one file field.
func multipartFile(t *testing.T, field, name, contentType string, content []byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name=%q; filename=%q`, field, name)}
	h["Content-Type"] = []string{contentType}
	pw, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	pw.Write(content)
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// Uploads are never served as active content: HTML and scripts are
// refused as evidence, what is served is a download with a sandboxing
// policy unless it is an image or a PDF, and evidence is served only to
// those who may read its report.
func TestSecurityUploadsNotActive(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	rep := ta.as("rep1")
	path := "/reports/" + demo.MonthlyDataset + "/24121/" + monitor.PeriodOf(monitor.Monthly, time.Now()).Prev().ID
	apiJSON(t, ta, "rep1", "PUT", "/api/v1"+path, `{"values":{"working_age":"10"}}`, 200)
	for _, bad := range []struct{ name, ct, body string }{
		{"x.html", "text/html", "<html><script>fetch('/account/tokens',{method:'POST'})</script></html>"},
		{"x.js", "application/javascript", "fetch('/account/tokens',{method:'POST'})"},
		{"x.svg", "image/svg+xml", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`},
		{"x.pdf", "application/pdf", "<html><script>alert(1)</script>"},
	} {
		body, ct := multipartFile(t, "file", bad.name, bad.ct, []byte(bad.body))
		if code, out, _ := ta.do(rep, "POST", path+"/files", body, "Content-Type", ct); code != 400 {
			t.Fatalf("%s accepted as evidence: %d %.300s", bad.name, code, out)
		}
	}
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	body, ct := multipartFile(t, "file", "bien-ban.pdf", "text/html", pdf)
	if code, out, _ := ta.do(rep, "POST", path+"/files", body, "Content-Type", ct); code != 200 {
		t.Fatalf("pdf evidence: %d %.300s", code, out)
	}
	var key, stored string
	if err := ta.App.DB.R.QueryRow(`SELECT id, content_type FROM files WHERE name = 'bien-ban.pdf'`).Scan(&key, &stored); err != nil {
		t.Fatal(err)
	}
	if stored != "application/pdf" {
		t.Fatalf("stored with the uploader's type %q", stored)
	}
	code, _, h := ta.do(rep, "GET", "/files/"+key, nil)
	if code != 200 || h.Get("Content-Type") != "application/pdf" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("served: %d %v", code, h)
	}
	// A file stored before uploads were checked, with an active type.
	_, err := ta.App.DB.W.Exec(`INSERT INTO files (id, name, content_type, size, sha256, created_by, created_at, owner) VALUES ('legacyhtml01', 'x.html', 'text/html', 1, '', '', 0, '')`)
	if err != nil {
		t.Fatal(err)
	}
	fkey, _, _, err := ta.App.Files.Put(context.Background(), strings.NewReader("<html><script>alert(1)</script></html>"))
	if err != nil {
		t.Fatal(err)
	}
	ta.App.DB.W.Exec(`UPDATE files SET id = $1 WHERE id = 'legacyhtml01'`, fkey)
	code, _, h = ta.do(rep, "GET", "/files/"+fkey, nil)
	if code != 200 || strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("legacy html served as %q %q", h.Get("Content-Type"), h.Get("Content-Disposition"))
	}
	// Evidence of a Đắk Lắk report is not for Đồng Nai nor for a learner.
	for _, u := range []string{"dongnai", "learner"} {
		if code, _, _ := ta.do(ta.as(u), "GET", "/files/"+key, nil); code != 403 {
			t.Fatalf("%s reads the evidence: %d", u, code)
		}
	}
	if code, _, _ := ta.do(ta.as("daklak"), "GET", "/files/"+key, nil); code != 200 {
		t.Fatalf("the province office cannot read its evidence: %d", code)
	}
}

var _ = http.StatusOK
var _ = base64.StdEncoding
var _ = lrs.Version

// A QTI package that unpacks to far more than it weighs is refused from
// its headers, naming the limit.
func TestSecurityQTIZipBomb(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("imsmanifest.xml")
	w.Write([]byte(`<manifest><resources><resource identifier="r1" type="imsqti_item_xmlv2p1" href="a.xml"/></resources></manifest>`))
	for i := range 12 {
		w, _ := zw.Create(fmt.Sprintf("pad%d.bin", i))
		w.Write(bytes.Repeat([]byte{0}, 7<<20))
	}
	zw.Close()
	if buf.Len() > 1<<20 {
		t.Fatalf("the bomb weighs %d bytes", buf.Len())
	}
	code, out, _ := ta.do(ta.as("author"), "POST", "/api/v1/items/qti?filename=bomb.zip&competence=1.1&level=1", &buf, "Content-Type", "application/zip", "Accept-Language", "en")
	if code != 422 && code != 400 || !strings.Contains(out, "64 MB") {
		t.Fatalf("bomb: %d %.300s", code, out)
	}
}

// A province author cannot read another unit's items by putting them in a
// quiz of their own draft course and previewing it.
func TestSecurityQuizItemsGoThroughTheBank(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	std, _ := ta.App.Skills.Latest(t.Context(), "VN-DSF")
	if _, err := demo.SeedItems(t.Context(), ta.App.Bank, std, mustPrincipal(t, ta, "author"), mustPrincipal(t, ta, "author2")); err != nil {
		t.Fatal(err)
	}
	var itemID string
	if err := ta.App.DB.R.QueryRow(`SELECT id FROM items WHERE status = 'approved' LIMIT 1`).Scan(&itemID); err != nil {
		t.Fatal(err)
	}
	apiJSON(t, ta, "dlauthor", "POST", "/api/v1/courses", `{"code":"DL-1","title":"Khoá của tỉnh","summary":"x","unit_code":"66","audiences":["citizen"],"pass_percent":50}`, 201)
	out := apiJSON(t, ta, "dlauthor", "POST", "/api/v1/courses/DL-1/modules", `{"title":"Chương 1"}`, 201)
	var m struct{ ID string }
	json.Unmarshal([]byte(out), &m)
	out = apiJSON(t, ta, "dlauthor", "POST", "/api/v1/modules/"+m.ID+"/lessons", `{"kind":"quiz","title":"Q","items":["`+itemID+`"]}`, 403)
	// A lesson stored before the check cannot be previewed either.
	l, err := ta.App.Learn.AddLesson(auth.WithPrincipal(t.Context(), auth.System()), m.ID, learning.LessonInput{Kind: learning.KindQuiz, Title: "Q", Items: []string{itemID}})
	if err != nil {
		t.Fatal(err)
	}
	it, _ := ta.App.Bank.Version(t.Context(), itemID, 0)
	code, page, _ := ta.do(ta.as("dlauthor"), "GET", "/courses/DL-1/preview/"+l.ID, nil)
	if code != 403 || strings.Contains(page, it.Body.Stem) {
		t.Fatalf("preview: %d, stem shown: %v", code, strings.Contains(page, it.Body.Stem))
	}
}

// An xAPI client of one unit cannot void another unit's statements.
func TestSecurityVoidStaysInScope(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	issue := func(user, unit string) string {
		out := apiJSON(t, ta, user, "POST", "/api/v1/lrs/clients", `{"unit_code":"`+unit+`","name":"LMS `+unit+`"}`, 201)
		var r struct {
			Client lrs.Client
			Secret string
		}
		json.Unmarshal([]byte(out), &r)
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(r.Client.Key+":"+r.Secret))
	}
	dl, dn := issue("daklak", "66"), issue("dongnai", "75")
	x := func(authz, method, path, body string) (int, string) {
		code, out, _ := ta.do(ta.client(""), method, path, strings.NewReader(body), "Authorization", authz, "X-Experience-API-Version", "1.0.3", "Content-Type", "application/json")
		return code, out
	}
	id := "6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
	if code, out := x(dl, "PUT", "/xapi/statements?statementId="+id, `{"actor":{"mbox":"mailto:a@example.vn"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://lms.example.vn/c"}}`); code != 204 {
		t.Fatalf("store: %d %s", code, out)
	}
	void := `{"actor":{"mbox":"mailto:x@example.vn"},"verb":{"id":"http://adlnet.gov/expapi/verbs/voided"},"object":{"objectType":"StatementRef","id":"` + id + `"}}`
	if code, out := x(dn, "POST", "/xapi/statements", void); code != 200 {
		t.Fatalf("void from another unit: %d %s", code, out)
	}
	if code, out := x(dl, "GET", "/xapi/statements?statementId="+id, ""); code != 200 {
		t.Fatalf("Đắk Lắk's statement was voided by Đồng Nai: %d %s", code, out)
	}
	// Re-sending another unit's id answers as any conflict, whatever the content.
	same := `{"actor":{"mbox":"mailto:a@example.vn"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://lms.example.vn/c"}}`
	if code, _ := x(dn, "PUT", "/xapi/statements?statementId="+id, same); code != 409 {
		t.Fatalf("the same content from another unit: %d", code)
	}
	// Its own unit voids it.
	if code, out := x(dl, "POST", "/xapi/statements", void); code != 200 {
		t.Fatalf("void: %d %s", code, out)
	}
	if code, _ := x(dl, "GET", "/xapi/statements?statementId="+id, ""); code != 404 {
		t.Fatalf("voided statement still returned: %d", code)
	}
}

// Nobody reviews a report they submitted, even after granting themself
// the reporter role.
func TestSecurityReviewerIsNotSubmitter(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	c := ta.as("daklak")
	if code, out, _ := ta.do(c, "POST", "/admin/roles", strings.NewReader("username=daklak&role=reporter&unit=24121"), "Content-Type", "application/x-www-form-urlencoded"); code != 303 {
		t.Fatalf("grant: %d %.300s", code, out)
	}
	path := "/api/v1/reports/" + demo.MonthlyDataset + "/24121/" + monitor.PeriodOf(monitor.Monthly, time.Now()).Prev().ID
	apiJSON(t, ta, "daklak", "PUT", path, `{"values":{"working_age":"10","using_online_services":"5"},"submit":true}`, 200)
	out := apiJSON(t, ta, "daklak", "POST", path+"/review?lang=en", `{"action":"approve"}`, 403)
	if !strings.Contains(out, "submitted") {
		t.Fatalf("message: %s", out)
	}
	apiJSON(t, ta, "national", "POST", path+"/review", `{"action":"approve"}`, 200)
	// The approval is in the province's audit log.
	if out := apiJSON(t, ta, "daklak", "GET", "/api/v1/audit", "", 200); !strings.Contains(out, "report_approve") {
		t.Fatalf("approval not audited: %.500s", out)
	}
}

// The code of a dissolved unit cannot be given to a new unit: it still
// names old Bình Phước, whose targets Đồng Nai keeps.
func TestSecurityDissolvedCodesStay(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	out := apiJSON(t, ta, "daklak", "POST", "/api/v1/units", `{"code":"70","type":"commune","name_vi":"Xã Bảy Mươi","parent_code":"24121"}`, 400)
	if !strings.Contains(out, `"field":"code"`) {
		t.Fatalf("%s", out)
	}
	u, err := ta.App.Org.UnitByCode(t.Context(), "70")
	if err != nil || u.Live() {
		t.Fatalf("70 is %+v %v", u, err)
	}
	// Nor by re-coding a unit of one's own onto it.
	apiJSON(t, ta, "daklak", "POST", "/api/v1/units/24133/changes", `{"kind":"recode","new_code":"70","effective":"2026-01-01"}`, 403)
}

// Redirects after sign-in and language change stay on the site.
func TestSecurityNoOpenRedirect(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	for _, next := range []string{"/%09/evil.example/", "//evil.example", "/%5Cevil.example", "https://evil.example"} {
		_, _, h := ta.do(ta.client(""), "GET", "/lang/en?next="+next, nil)
		if loc := h.Get("Location"); loc != "/" {
			t.Errorf("/lang/en?next=%s goes to %q", next, loc)
		}
		form := url.Values{"username": {"learner"}, "password": {testPassword}, "next": {mustUnescape(next)}}
		_, _, h = ta.do(ta.client(""), "POST", "/login", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
		if loc := h.Get("Location"); loc != "/" {
			t.Errorf("sign-in with next=%s goes to %q", next, loc)
		}
	}
}

func mustUnescape(s string) string {
	u, err := url.QueryUnescape(s)
	if err != nil {
		panic(err)
	}
	return u
}

// API tokens stop working when the password is reset, and when it is
// changed with the box ticked; unticked, they are kept.
func TestSecurityTokensAfterPasswordChange(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	ctx := context.Background()
	p := mustPrincipal(t, ta, "learner")
	token := func() string {
		tok, err := ta.App.Auth.CreateToken(ctx, p, "script", "")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	works := func(tok string) bool {
		code, _, _ := ta.do(ta.client(""), "GET", "/api/v1/me", nil, "Authorization", "Bearer "+tok)
		return code == 200
	}
	kept := token()
	if err := ta.App.Auth.ChangePassword(ctx, p, testPassword, "another long secret", false, ""); err != nil {
		t.Fatal(err)
	}
	if !works(kept) {
		t.Fatal("a change without the box revoked the token")
	}
	if err := ta.App.Auth.ChangePassword(ctx, p, "another long secret", testPassword, true, ""); err != nil {
		t.Fatal(err)
	}
	if works(kept) {
		t.Fatal("a change with the box kept the token")
	}
	tok := token()
	c := ta.client("")
	ta.do(c, "POST", "/password/forgot", strings.NewReader("who=learner"), "Content-Type", "application/x-www-form-urlencoded")
	sent := ta.Mail.Sent()
	link := regexp.MustCompile(`/password/reset/[A-Za-z0-9_-]+`).FindString(sent[len(sent)-1].Body)
	if link == "" {
		t.Fatalf("no reset link: %+v", sent)
	}
	if code, out, _ := ta.do(c, "POST", link, strings.NewReader("password=a+third+long+secret&confirm=a+third+long+secret"), "Content-Type", "application/x-www-form-urlencoded"); code != 303 && code != 200 {
		t.Fatalf("reset: %d %.300s", code, out)
	}
	if works(tok) {
		t.Fatal("a reset kept the token")
	}
}

// The session cookie is Secure, and HSTS is sent, when the request came
// over HTTPS, directly or through a trusted proxy, without configuration.
func TestSecuritySecureCookieOverHTTPS(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	login := func(header ...string) http.Header {
		form := url.Values{"username": {"learner"}, "password": {testPassword}}
		_, _, h := ta.do(ta.client(""), "POST", "/login", strings.NewReader(form.Encode()), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)...)
		return h
	}
	if h := login(); strings.Contains(h.Get("Set-Cookie"), "Secure") || h.Get("Strict-Transport-Security") != "" {
		t.Fatalf("plain HTTP: %v", h)
	}
	if h := login("X-Forwarded-Proto", "https"); strings.Contains(h.Get("Set-Cookie"), "Secure") {
		t.Fatal("X-Forwarded-Proto trusted without --trust-proxy")
	}
	ta.App.Auth.TrustProxy = true
	h := login("X-Forwarded-Proto", "https")
	if !strings.Contains(h.Get("Set-Cookie"), "; Secure") || !strings.HasPrefix(h.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("behind a trusted HTTPS proxy: %v", h)
	}
}

// A province office sets targets inside its subtree from the targets page
// and sees the page again; a target for another province is refused
// before anything is written.
func TestSecurityTargetsForm(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	monFixture(t, ta)
	c := ta.as("daklak")
	post := func(unit string) int {
		v := url.Values{"indicator": {"population_using_online_services"}, "unit_code": {unit}, "year": {"2027"}, "kind": {"target"}, "value": {"81"}}
		code, _, _ := ta.do(c, "POST", "/monitoring/targets", strings.NewReader(v.Encode()), "Content-Type", "application/x-www-form-urlencoded")
		return code
	}
	if code := post("75"); code != 403 {
		t.Fatalf("another province: %d", code)
	}
	if code := post("66"); code != 200 {
		t.Fatalf("own province: %d", code)
	}
	var n int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM mon_targets WHERE year = 2027 AND value = 81`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d targets stored, want only Đắk Lắk's", n)
	}
}

// /metrics is served on the main address only with the configured token;
// the separate metrics handler serves it to whoever reaches that address.
func TestSecurityMetricsNotPublic(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	if code, _, _ := ta.do(ta.client(""), "GET", "/metrics", nil); code != 404 {
		t.Fatalf("without a token configured: %d", code)
	}
	ta.App.Cfg.MetricsToken = "s3cret-scraper-token"
	if code, _, _ := ta.do(ta.client(""), "GET", "/metrics", nil, "Authorization", "Bearer wrong"); code != 404 {
		t.Fatalf("wrong token: %d", code)
	}
	if code, body, _ := ta.do(ta.client(""), "GET", "/metrics", nil, "Authorization", "Bearer s3cret-scraper-token"); code != 200 || !strings.Contains(body, "dxhub_http_requests_total") {
		t.Fatalf("right token: %d", code)
	}
	srv := httptest.NewServer(ta.App.MetricsHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("metrics address: %v %v", resp, err)
	}
	resp.Body.Close()
}
