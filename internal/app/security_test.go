package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
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
	ta := newTestApp(t)
	ctx := context.Background()
	a := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author"))
	if _, err := ta.App.Learn.CreateCourse(a, learning.CourseInput{Code: "XAPI-1", Title: "Bài ngoài", Summary: "x", Audiences: []string{"citizen"}, OpenEnrol: true, PassPercent: 50}); err != nil {
		t.Fatal(err)
	}
	m, err := ta.App.Learn.AddModule(a, "XAPI-1", "Chương 1")
	if err != nil {
		t.Fatal(err)
	}
	l, err := ta.App.Learn.AddLesson(a, m.ID, learning.LessonInput{Kind: learning.KindXAPI, Title: "Bài tương tác", URL: "https://content.example.vn/lesson/index.html", Required: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Learn.Publish(a, "XAPI-1"); err != nil {
		t.Fatal(err)
	}
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
