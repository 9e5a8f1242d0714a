package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"dxhub/internal/demo"
	"dxhub/internal/learning"
	"dxhub/internal/lrs"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
)

// learnFixture seeds the item bank, links a "staff" account to the dx_staff
// person A1 of Đắk Lắk, and publishes course KNS-TEST: one text lesson and
// a final quiz of two single-choice or true/false items. It returns the
// final quiz's items with their correct answers.
func learnFixture(t *testing.T, ta *testApp) map[string]string {
	t.Helper()
	ctx := context.Background()
	std, err := ta.App.Skills.Latest(ctx, "VN-DSF")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedItems(ctx, ta.App.Bank, std, mustPrincipal(t, ta, "author"), mustPrincipal(t, ta, "author2")); err != nil {
		t.Fatal(err)
	}
	return learnCourse(t, ta)
}

// learnCourse is learnFixture over an item bank already seeded.
func learnCourse(t *testing.T, ta *testApp) map[string]string {
	t.Helper()
	ctx := context.Background()
	sys := auth.WithPrincipal(ctx, auth.System())
	if _, err := ta.App.Auth.CreateAccount(sys, auth.NewAccount{Username: "staff", Email: "staff@example.vn", Password: testPassword, PersonID: ta.personID("A1")}); err != nil {
		t.Fatal(err)
	}
	ids, err := db.Column[string](ta.App.DB.R.QueryContext(ctx, `SELECT id FROM items WHERE status = 'approved' AND type IN ('single', 'true_false') AND competence = '1.1' ORDER BY id LIMIT 2`))
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]string{}
	for _, id := range ids {
		it, err := ta.App.Bank.Version(ctx, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		answers[id] = it.Body.Correct[0]
	}
	if len(answers) != 2 {
		t.Fatalf("want 2 quiz items, got %v", answers)
	}
	a := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author"))
	if _, err := ta.App.Learn.CreateCourse(a, learning.CourseInput{Code: "KNS-TEST", Title: "Kỹ năng số cho người mới", Summary: "Làm quen với thiết bị số",
		Audiences: []string{"citizen", "dx_staff"}, Competences: []string{"1.1", "4.2"}, DurationMin: 30, OpenEnrol: true, PassPercent: 100}); err != nil {
		t.Fatal(err)
	}
	m, err := ta.App.Learn.AddModule(a, "KNS-TEST", "Chương 1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Learn.AddLesson(a, m.ID, learning.LessonInput{Kind: learning.KindText, Title: "Thiết bị số", Body: "Điện thoại là **thiết bị số**.", Required: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Learn.AddLesson(a, m.ID, learning.LessonInput{Kind: learning.KindQuiz, Title: "Kiểm tra cuối", Items: ids, Required: true, Final: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Learn.Publish(a, "KNS-TEST"); err != nil {
		t.Fatal(err)
	}
	return answers
}

func apiJSON(t *testing.T, ta *testApp, user, method, path, body string, want int) string {
	t.Helper()
	status, out, _ := ta.do(ta.as(user), method, path, strings.NewReader(body), "Content-Type", "application/json", "Accept-Language", "en")
	if status != want {
		t.Fatalf("%s %s as %q: status %d, want %d: %s", method, path, user, status, want, out)
	}
	return out
}

// TestLearningJourneyAPI: enrol, a lesson, a failed then a passed final
// quiz, completion with version and result, the statements in the LRS, and
// a new published version that leaves the completed enrolment alone.
func TestLearningJourneyAPI(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	answers := learnFixture(t, ta)
	out := apiJSON(t, ta, "staff", "POST", "/api/v1/courses/KNS-TEST/enrol", "", 200)
	var e learning.Enrolment
	json.Unmarshal([]byte(out), &e)
	if e.Version != 1 || e.Status != "active" {
		t.Fatalf("enrolment %+v", e)
	}
	c, _ := ta.App.Learn.CourseByCode(context.Background(), "KNS-TEST")
	o, err := ta.App.Learn.Published(context.Background(), c.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	ls := o.Lessons()
	apiJSON(t, ta, "staff", "POST", "/api/v1/enrolments/"+e.ID+"/lessons/"+ls[0].ID+"/complete", "", 200)
	// Another learner cannot touch this enrolment.
	apiJSON(t, ta, "learner", "POST", "/api/v1/enrolments/"+e.ID+"/lessons/"+ls[0].ID+"/complete", "", 404)
	wrong, right := map[string][]string{}, map[string][]string{}
	for id, a := range answers {
		right[id] = []string{a}
		wrong[id] = []string{"zzz"}
	}
	b, _ := json.Marshal(map[string]any{"answers": wrong})
	out = apiJSON(t, ta, "staff", "POST", "/api/v1/enrolments/"+e.ID+"/lessons/"+ls[1].ID+"/quiz", string(b), 200)
	if !strings.Contains(out, `"passed":false`) || !strings.Contains(out, `"status":"active"`) {
		t.Fatalf("wrong answers: %s", out)
	}
	b, _ = json.Marshal(map[string]any{"answers": right})
	out = apiJSON(t, ta, "staff", "POST", "/api/v1/enrolments/"+e.ID+"/lessons/"+ls[1].ID+"/quiz", string(b), 200)
	if !strings.Contains(out, `"passed":true`) || !strings.Contains(out, `"status":"completed"`) || !strings.Contains(out, `"final_percent":100`) {
		t.Fatalf("right answers: %s", out)
	}
	// Unknown item in the answers: refused naming the field.
	apiJSON(t, ta, "staff", "POST", "/api/v1/enrolments/"+e.ID+"/lessons/"+ls[1].ID+"/quiz", `{"answers":{"nope":["A"]}}`, 400)

	// The LRS holds the history of this enrolment.
	for _, verb := range []string{"registered", "launched", "completed", "passed", "failed", "answered", "progressed"} {
		if verb == "launched" {
			continue // launched is recorded by opening a lesson page
		}
		page, err := ta.App.LRS.Find(context.Background(), lrs.Query{Registration: e.Registration, Verb: "http://adlnet.gov/expapi/verbs/" + verb})
		if err != nil || len(page.Statements) == 0 {
			t.Errorf("no %q statement for the enrolment (%v)", verb, err)
		}
	}

	// A new version: the completed enrolment keeps version 1.
	m := apiJSON(t, ta, "author", "POST", "/api/v1/courses/KNS-TEST/modules", `{"title":"Chương 2"}`, 201)
	var mod learning.Module
	json.Unmarshal([]byte(m), &mod)
	apiJSON(t, ta, "author", "POST", "/api/v1/modules/"+mod.ID+"/lessons", `{"kind":"video","title":"Video","url":"https://video.example.vn/1","required":true}`, 201)
	apiJSON(t, ta, "author", "POST", "/api/v1/courses/KNS-TEST/publish", "", 200)
	out = apiJSON(t, ta, "staff", "GET", "/api/v1/me/learning", "", 200)
	if !strings.Contains(out, `"version":1`) || !strings.Contains(out, `"status":"completed"`) {
		t.Fatalf("after v2 the enrolment changed: %s", out)
	}
	out = apiJSON(t, ta, "staff", "GET", "/api/v1/courses/KNS-TEST", "", 200)
	if !strings.Contains(out, `"version":2`) {
		t.Fatalf("course not at v2: %s", out)
	}
}

// TestLearningBadInput: authoring errors name the field, in the reader's
// language, and change nothing.
func TestLearningBadInput(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	learnFixture(t, ta)
	cases := []struct{ body, field string }{
		{`{"code":"x","title":"T","audiences":["citizen"]}`, "code"},
		{`{"code":"OK-1","title":"","audiences":["citizen"]}`, "title"},
		{`{"code":"OK-1","title":"T","audiences":["martian"]}`, "audiences"},
		{`{"code":"OK-1","title":"T","audiences":["citizen"],"competences":["9.9"]}`, "competences"},
		{`{"code":"OK-1","title":"T","audiences":["citizen"],"level":"expert"}`, "level"},
		{`{"code":"KNS-TEST","title":"T","audiences":["citizen"]}`, "code"},
	}
	for _, c := range cases {
		out := apiJSON(t, ta, "author", "POST", "/api/v1/courses", c.body, 400)
		if !strings.Contains(out, `"field":"`+c.field+`"`) {
			t.Errorf("%s: want field %s: %s", c.body, c.field, out)
		}
	}
	out := apiJSON(t, ta, "author", "GET", "/api/v1/courses", "", 200)
	if strings.Count(out, `"code":`) != 1 {
		t.Fatalf("refused courses were stored: %s", out)
	}
	var d struct {
		Draft []learning.Module `json:"draft"`
	}
	json.Unmarshal([]byte(apiJSON(t, ta, "author", "GET", "/api/v1/courses/KNS-TEST", "", 200)), &d)
	mid := d.Draft[0].ID
	for _, c := range []struct{ body, field string }{
		{`{"kind":"podcast","title":"T"}`, "kind"},
		{`{"kind":"video","title":"T"}`, "url"},
		{`{"kind":"quiz","title":"T","items":["no-such-item"]}`, "items"},
		{`{"kind":"xapi","title":"T","url":"ftp://x"}`, "url"},
		{`{"kind":"text","title":"T","final":true}`, "final"},
	} {
		out := apiJSON(t, ta, "author", "POST", "/api/v1/modules/"+mid+"/lessons", c.body, 400)
		if !strings.Contains(out, `"field":"`+c.field+`"`) {
			t.Errorf("%s: want field %s: %s", c.body, c.field, out)
		}
	}
}

// TestLearningPermissions: authors and administrators only in their
// subtree; learners only their own records.
func TestLearningPermissions(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	learnFixture(t, ta)
	due := time.Now().AddDate(0, 0, 20).Format("2006-01-02")
	// A province author cannot edit national content, but can write for the province.
	apiJSON(t, ta, "dlauthor", "PUT", "/api/v1/courses/KNS-TEST", `{"title":"X","audiences":["citizen"]}`, 403)
	apiJSON(t, ta, "dlauthor", "POST", "/api/v1/courses", `{"code":"DL-1","unit_code":"VN","title":"T","audiences":["citizen"]}`, 403)
	apiJSON(t, ta, "dlauthor", "POST", "/api/v1/courses", `{"code":"DL-1","unit_code":"66","title":"T","audiences":["citizen"]}`, 201)
	apiJSON(t, ta, "learner", "POST", "/api/v1/courses", `{"code":"L-1","title":"T","audiences":["citizen"]}`, 403)
	apiJSON(t, ta, "", "POST", "/api/v1/courses/KNS-TEST/enrol", "", 401)
	// A draft is invisible to learners.
	apiJSON(t, ta, "learner", "GET", "/api/v1/courses/DL-1", "", 404)
	// Assignments: only in one's own subtree.
	apiJSON(t, ta, "daklak", "POST", "/api/v1/assignments", `{"unit_code":"75","kind":"course","code":"KNS-TEST","due":"`+due+`"}`, 403)
	apiJSON(t, ta, "learner", "POST", "/api/v1/assignments", `{"unit_code":"66","kind":"course","code":"KNS-TEST","due":"`+due+`"}`, 403)
	out := apiJSON(t, ta, "daklak", "POST", "/api/v1/assignments", `{"unit_code":"66","kind":"course","code":"KNS-TEST","groups":["dx_staff"],"due":"`+due+`"}`, 201)
	var a learning.Assignment
	json.Unmarshal([]byte(out), &a)
	apiJSON(t, ta, "daklak", "POST", "/api/v1/assignments", `{"unit_code":"66","kind":"course","code":"KNS-TEST","due":"2001-01-01"}`, 400)
	apiJSON(t, ta, "dongnai", "GET", "/api/v1/assignments/"+a.ID+"/compliance", "", 403)
	apiJSON(t, ta, "learner", "GET", "/api/v1/assignments/"+a.ID+"/compliance", "", 403)
	apiJSON(t, ta, "national", "GET", "/api/v1/assignments/"+a.ID+"/compliance", "", 200)
	// LRS credentials: only for one's own subtree.
	apiJSON(t, ta, "daklak", "POST", "/api/v1/lrs/clients", `{"unit_code":"75","name":"LMS"}`, 403)
	apiJSON(t, ta, "learner", "GET", "/api/v1/lrs/clients", "", 403)
}

// TestComplianceAndReminders: an assignment to Đắk Lắk's DX staff, one
// completion, the report per unit and per person, the XLSX, and the
// reminders before and after the due date.
func TestComplianceAndReminders(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	answers := learnFixture(t, ta)
	due := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	out := apiJSON(t, ta, "daklak", "POST", "/api/v1/assignments", `{"unit_code":"66","kind":"course","code":"KNS-TEST","groups":["dx_staff"],"due":"`+due+`"}`, 201)
	var a learning.Assignment
	json.Unmarshal([]byte(out), &a)
	out = apiJSON(t, ta, "staff", "GET", "/api/v1/me/learning", "", 200)
	if !strings.Contains(out, `"code":"KNS-TEST"`) || !strings.Contains(out, `"status":"not_started"`) {
		t.Fatalf("the learner does not see the assignment: %s", out)
	}
	// A reminder goes to the learner before the due date, once.
	n, err := ta.App.Learn.Remind(context.Background(), time.Now())
	if err != nil || n != 1 {
		t.Fatalf("reminders before: %d %v", n, err)
	}
	if n, _ := ta.App.Learn.Remind(context.Background(), time.Now()); n != 0 {
		t.Fatalf("reminder sent twice: %d", n)
	}
	rep := apiJSON(t, ta, "daklak", "GET", "/api/v1/assignments/"+a.ID+"/compliance?people=1", "", 200)
	if !strings.Contains(rep, `"assigned":1`) || !strings.Contains(rep, `"not_started":1`) {
		t.Fatalf("report before: %s", rep)
	}
	completeTestCourse(t, ta, answers)
	rep = apiJSON(t, ta, "daklak", "GET", "/api/v1/assignments/"+a.ID+"/compliance?people=1", "", 200)
	var r learning.Report
	json.Unmarshal([]byte(rep), &r)
	if r.Total.Assigned != 1 || r.Total.Completed != 1 || len(r.People) != 1 || r.People[0].Status != learning.Completed {
		t.Fatalf("report after: %s", rep)
	}
	found := false
	for _, c := range r.Children {
		if c.UnitCode == "24121" && c.Completed == 1 {
			found = true
		}
	}
	if !found {
		t.Fatalf("no drill-down row for commune 24121: %s", rep)
	}
	status, body, h := ta.do(ta.client("daklak"), "GET", "/learning/assignments/"+a.ID+"/xlsx", nil)
	if status != 200 || !strings.Contains(h.Get("Content-Type"), "spreadsheet") || !strings.HasPrefix(body, "PK") {
		t.Fatalf("xlsx: %d %s", status, h.Get("Content-Type"))
	}
	// After the due date: nobody is late, so only the overdue sweep runs.
	if n, err := ta.App.Learn.Remind(context.Background(), time.Now().AddDate(0, 0, 5)); err != nil || n != 0 {
		t.Fatalf("overdue reminders with everyone done: %d %v", n, err)
	}
}

// TestRecommendationsFromGaps: after an exam with weak results, the
// learner is offered a course covering a weak competence, with the reason.
func TestRecommendationsFromGaps(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	learnFixture(t, ta)
	out := apiJSON(t, ta, "learner", "GET", "/api/v1/me/learning", "", 200)
	if !strings.Contains(out, `"percent":-1`) {
		t.Fatalf("without results the recommendation should be a basic course: %s", out)
	}
	all := `"1.1","1.2","1.3","2.1","2.2","2.3","2.4","2.5","2.6","3.1","3.2","3.3","3.4","4.1","4.2","4.3","4.4","5.1","5.2","5.3","5.4","6.1","6.2","6.3"`
	apiJSON(t, ta, "author", "PUT", "/api/v1/courses/KNS-TEST", `{"title":"Kỹ năng số cho người mới","audiences":["citizen"],"competences":[`+all+`],"open_enrol":true,"pass_percent":100}`, 200)
	apiJSON(t, ta, "author", "POST", "/api/v1/courses/KNS-TEST/publish", "", 200)
	_, sid := examFixtureNoSeed(t, ta)
	c := ta.client("learner")
	status, body, _ := ta.do(c, "POST", "/api/v1/exams/"+sid+"/start", nil)
	if status != 200 && status != 201 {
		t.Fatalf("start: %d %s", status, body)
	}
	var at attemptJSON
	json.Unmarshal([]byte(body), &at)
	if status, body, _ := ta.do(c, "POST", "/api/v1/attempts/"+at.Attempt.ID+"/submit", nil); status != 200 {
		t.Fatalf("submit: %d %s", status, body)
	}
	out = apiJSON(t, ta, "learner", "GET", "/api/v1/me/learning", "", 200)
	var ml struct {
		Recommendations []learning.Recommendation `json:"recommendations"`
	}
	json.Unmarshal([]byte(out), &ml)
	if len(ml.Recommendations) == 0 || ml.Recommendations[0].Percent != 0 || ml.Recommendations[0].Target != 50 || ml.Recommendations[0].Course.Code != "KNS-TEST" {
		t.Fatalf("recommendations: %s", out)
	}
	status, page, _ := ta.do(ta.client("learner"), "GET", "/learning", nil)
	if status != 200 || !strings.Contains(page, "kết quả của bạn ở năng lực") {
		t.Fatalf("learning page reason missing: %d", status)
	}
}

// TestLRSClientsAndScope: credentials issued to a unit, Basic auth and
// version header required, a unit's client reads only its subtree's
// statements, revoked credentials stop working.
func TestLRSClientsAndScope(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	issue := func(user, unit string) (string, string) {
		out := apiJSON(t, ta, user, "POST", "/api/v1/lrs/clients", `{"unit_code":"`+unit+`","name":"LMS `+unit+`"}`, 201)
		var r struct {
			Client lrs.Client
			Secret string
		}
		json.Unmarshal([]byte(out), &r)
		return r.Client.ID, "Basic " + base64.StdEncoding.EncodeToString([]byte(r.Client.Key+":"+r.Secret))
	}
	dlID, dl := issue("daklak", "66")
	_, dn := issue("dongnai", "75")
	anon := ta.client("")
	stmt := func(n int) string {
		return fmt.Sprintf(`{"actor":{"mbox":"mailto:hv%d@example.vn"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://lms.example.vn/course/%d"}}`, n, n)
	}
	if s, _, _ := ta.do(anon, "POST", "/xapi/statements", strings.NewReader(stmt(1)), "Content-Type", "application/json", "X-Experience-API-Version", "1.0.3"); s != 401 {
		t.Fatalf("without credentials: %d", s)
	}
	if s, _, _ := ta.do(anon, "POST", "/xapi/statements", strings.NewReader(stmt(1)), "Content-Type", "application/json", "Authorization", dl); s != 400 {
		t.Fatalf("without version header: %d", s)
	}
	if s, b, _ := ta.do(anon, "POST", "/xapi/statements", strings.NewReader(`{"actor":{"mbox":"x"},"verb":{"id":"v"},"object":{"id":"o"}}`), "Content-Type", "application/json", "X-Experience-API-Version", "1.0.3", "Authorization", dl); s != 400 || !strings.Contains(b, "mbox") {
		t.Fatalf("invalid statement: %d %s", s, b)
	}
	if s, b, _ := ta.do(anon, "POST", "/xapi/statements", strings.NewReader(stmt(1)), "Content-Type", "application/json", "X-Experience-API-Version", "1.0.3", "Authorization", dl); s != 200 {
		t.Fatalf("post: %d %s", s, b)
	}
	if s, b, _ := ta.do(anon, "POST", "/xapi/statements", strings.NewReader(stmt(2)), "Content-Type", "application/json", "X-Experience-API-Version", "1.0.3", "Authorization", dn); s != 200 {
		t.Fatalf("post: %d %s", s, b)
	}
	_, b, h := ta.do(anon, "GET", "/xapi/statements", nil, "X-Experience-API-Version", "1.0.3", "Authorization", dl)
	if !strings.Contains(b, "hv1@") || strings.Contains(b, "hv2@") || h.Get("X-Experience-API-Consistent-Through") == "" {
		t.Fatalf("Đắk Lắk's client must see only its statements: %s", b)
	}
	apiJSON(t, ta, "dongnai", "POST", "/api/v1/lrs/clients/"+dlID+"/revoke", "", 403)
	apiJSON(t, ta, "daklak", "POST", "/api/v1/lrs/clients/"+dlID+"/revoke", "", 200)
	if s, _, _ := ta.do(anon, "GET", "/xapi/statements", nil, "X-Experience-API-Version", "1.0.3", "Authorization", dl); s != 401 {
		t.Fatalf("revoked credentials still work: %d", s)
	}
	if s, b, _ := ta.do(anon, "GET", "/xapi/about", nil); s != 200 || !strings.Contains(b, "1.0.3") {
		t.Fatalf("about: %d %s", s, b)
	}
}

// completeTestCourse has "staff" enrol in KNS-TEST, read its text lesson
// and pass its final quiz with answers (from learnFixture).
func completeTestCourse(t *testing.T, ta *testApp, answers map[string]string) {
	t.Helper()
	sctx := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, "staff"))
	e, err := ta.App.Learn.Enrol(sctx, "KNS-TEST")
	if err != nil {
		t.Fatal(err)
	}
	o, _ := ta.App.Learn.Published(sctx, e.CourseID, e.Version)
	if _, err := ta.App.Learn.CompleteLesson(sctx, e.ID, o.Lessons()[0].ID); err != nil {
		t.Fatal(err)
	}
	resp := map[string][]string{}
	for id, ans := range answers {
		resp[id] = []string{ans}
	}
	if _, e2, err := ta.App.Learn.SubmitQuiz(sctx, e.ID, o.Lessons()[1].ID, resp); err != nil || e2.Status != "completed" {
		t.Fatalf("complete: %v %+v", err, e2)
	}
}

// TestCourseCompletesWhenFinalExamPassedLast: a course whose final exam is
// an exam session completes when the learner passes the exam after
// finishing the lessons, without opening the course again (the exam's
// event reaches learning through the outbox).
func TestCourseCompletesWhenFinalExamPassedLast(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	_, sid := examFixture(t, ta, "")
	a := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, "author"))
	if _, err := ta.App.Learn.CreateCourse(a, learning.CourseInput{Code: "KNS-THI", Title: "Kỹ năng số có thi cuối khóa", Summary: "Học rồi thi",
		Audiences: []string{"citizen"}, Competences: []string{"1.1"}, DurationMin: 30, OpenEnrol: true, PassPercent: 50, FinalSession: sid}); err != nil {
		t.Fatal(err)
	}
	m, err := ta.App.Learn.AddModule(a, "KNS-THI", "Chương 1")
	if err != nil {
		t.Fatal(err)
	}
	l, err := ta.App.Learn.AddLesson(a, m.ID, learning.LessonInput{Kind: learning.KindText, Title: "Đọc", Body: "Nội dung.", Required: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Learn.Publish(a, "KNS-THI"); err != nil {
		t.Fatal(err)
	}
	lc := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, "learner"))
	e, err := ta.App.Learn.Enrol(lc, "KNS-THI")
	if err != nil {
		t.Fatal(err)
	}
	if e, err = ta.App.Learn.CompleteLesson(lc, e.ID, l.ID); err != nil || e.Status == "completed" {
		t.Fatalf("lessons done, exam not passed: %+v %v", e, err)
	}
	// Now the exam, every answer right.
	learner := ta.client("learner")
	_, body, _ := ta.do(learner, "POST", "/api/v1/exams/"+sid+"/start", nil)
	attempt := between(body, `"id":"`, `"`)
	at, err := ta.App.Exams.Attempt(lc, attempt)
	if err != nil {
		t.Fatal(err)
	}
	for i := range at.Form {
		correct, _, _ := ta.App.Exams.Correct(t.Context(), at, i)
		b, _ := json.Marshal(map[string]any{"response": correct})
		if s, out, _ := ta.do(learner, "PUT", fmt.Sprintf("/api/v1/attempts/%s/answers/%d", attempt, i), strings.NewReader(string(b)), "Content-Type", "application/json"); s != 200 {
			t.Fatalf("save %d: %d %s", i, s, out)
		}
	}
	if _, body, _ = ta.do(learner, "POST", "/api/v1/attempts/"+attempt+"/submit", nil); !strings.Contains(body, `"passed":true`) {
		t.Fatalf("submit: %s", body)
	}
	c, _ := ta.App.Learn.CourseByCode(context.Background(), "KNS-THI")
	for i := 0; i < 100; i++ {
		if e, err = ta.App.Learn.MyEnrolment(lc, c.ID); err == nil && e.Status == "completed" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the course did not complete after the final exam was passed: %+v %v", e, err)
}

// TestConsentsTakeEffect: a learner who withdraws consent to share results
// with their office is counted in its compliance report but not named,
// and one who withdraws consent to reminders is not e-mailed; both are
// audited and listed in their data.
func TestConsentsTakeEffect(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	learnFixture(t, ta)
	due := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	out := apiJSON(t, ta, "daklak", "POST", "/api/v1/assignments", `{"unit_code":"66","kind":"course","code":"KNS-TEST","groups":["dx_staff"],"due":"`+due+`"}`, 201)
	var a learning.Assignment
	json.Unmarshal([]byte(out), &a)
	apiJSON(t, ta, "staff", "POST", "/api/v1/courses/KNS-TEST/enrol", "", 200)
	if rep := apiJSON(t, ta, "daklak", "GET", "/api/v1/assignments/"+a.ID+"/compliance?people=1", "", 200); !strings.Contains(rep, "Nguyễn Văn Ánh") {
		t.Fatalf("before: %s", rep)
	}
	consents := apiJSON(t, ta, "staff", "PUT", "/api/v1/me/consents", `{"share_results":false,"reminders":false}`, 200)
	if !strings.Contains(consents, `"kind":"share_results","granted":false`) || !strings.Contains(consents, `"kind":"reminders","granted":false`) {
		t.Fatalf("consents: %s", consents)
	}
	rep := apiJSON(t, ta, "daklak", "GET", "/api/v1/assignments/"+a.ID+"/compliance?people=1", "", 200)
	if strings.Contains(rep, "Nguyễn Văn Ánh") || !strings.Contains(rep, `"hidden":true`) || !strings.Contains(rep, `"in_progress":1`) {
		t.Fatalf("after withdrawing: %s", rep)
	}
	before := len(ta.Mail.Sent())
	if n, err := ta.App.Learn.Remind(context.Background(), time.Now()); err != nil || n != 0 || len(ta.Mail.Sent()) != before {
		t.Fatalf("reminders after withdrawing: %d %v", n, err)
	}
	apiJSON(t, ta, "staff", "PUT", "/api/v1/me/consents", `{"terms":false}`, 400)
	var audited int
	ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'consent_withdrawn'`).Scan(&audited)
	if audited != 2 {
		t.Fatalf("%d withdrawals audited, want 2", audited)
	}
}
