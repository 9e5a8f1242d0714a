package app

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"dxhub/internal/demo"
	"dxhub/internal/platform/auth"
)

// examFixture fills the bank with the demo items and schedules an open
// session of a 12-item blueprint; it returns the blueprint and session ids.
func examFixture(t *testing.T, ta *testApp, extra string) (string, string) {
	t.Helper()
	std, err := ta.App.Skills.Latest(t.Context(), "VN-DSF")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := demo.SeedItems(t.Context(), ta.App.Bank, std, mustPrincipal(t, ta, "author"), mustPrincipal(t, ta, "author2")); err != nil || n < 120 {
		t.Fatalf("seed items: %d %v", n, err)
	}
	return examSession(t, ta, extra)
}

// examFixtureNoSeed is examFixture over an item bank already seeded.
func examFixtureNoSeed(t *testing.T, ta *testApp) (string, string) { return examSession(t, ta, "") }

func examSession(t *testing.T, ta *testApp, extra string) (string, string) {
	t.Helper()
	nat := ta.client("national")
	status, body, _ := ta.do(nat, "POST", "/api/v1/blueprints", strings.NewReader(`{"name":"Sát hạch thử","standard_code":"VN-DSF","standard_version":1,
		"time_limit_min":20,"pass_percent":50,"rules":[{"area":"1","count":2},{"area":"2","count":2},{"area":"3","count":2},{"area":"4","count":2},{"area":"5","count":2},{"area":"6","count":2,"tier":"basic"}],
		"shuffle_items":true,"shuffle_options":true,"navigation":"free"`+extra+`}`), "Content-Type", "application/json")
	if status != 201 || !strings.Contains(body, `"fillable":true`) {
		t.Fatalf("blueprint: %d %s", status, body)
	}
	var bp struct {
		Blueprint struct{ ID string } `json:"blueprint"`
	}
	json.Unmarshal([]byte(body), &bp)
	now := time.Now().UnixMilli()
	status, body, _ = ta.do(nat, "POST", "/api/v1/exam-sessions", strings.NewReader(fmt.Sprintf(`{"blueprint_id":%q,"name":"Ca thi mở","opens_at":%d,"closes_at":%d,"eligibility":"open","review_policy":"answers","grace_s":10}`,
		bp.Blueprint.ID, now-60000, now+6*3600000)), "Content-Type", "application/json")
	if status != 201 {
		t.Fatalf("session: %d %s", status, body)
	}
	var s struct{ ID string }
	json.Unmarshal([]byte(body), &s)
	return bp.Blueprint.ID, s.ID
}

type attemptJSON struct {
	Attempt struct {
		ID       string  `json:"id"`
		Status   string  `json:"status"`
		Deadline int64   `json:"deadline"`
		Percent  float64 `json:"percent"`
		Passed   bool    `json:"passed"`
	} `json:"attempt"`
	Remaining int64 `json:"remaining_s"`
	Items     []struct {
		Index    int                   `json:"index"`
		Type     string                `json:"type"`
		Options  []struct{ ID string } `json:"options"`
		Response []string              `json:"response"`
	} `json:"items"`
}

func TestExamJourneyByAPI(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	_, sid := examFixture(t, ta, "")
	learner := ta.client("learner")
	status, body, _ := ta.do(learner, "POST", "/api/v1/exams/"+sid+"/start", nil)
	if status != 200 {
		t.Fatalf("start: %d %s", status, body)
	}
	var a attemptJSON
	json.Unmarshal([]byte(body), &a)
	if a.Attempt.Status != "in_progress" || len(a.Items) != 12 || a.Remaining < 20*60-5 {
		t.Fatalf("attempt %+v", a)
	}
	if strings.Contains(body, `"correct"`) {
		t.Fatal("the attempt leaks correct answers")
	}
	t.Run("a second start returns the same attempt", func(t *testing.T) {
		_, again, _ := ta.do(learner, "POST", "/api/v1/exams/"+sid+"/start", nil)
		var b attemptJSON
		json.Unmarshal([]byte(again), &b)
		if b.Attempt.ID != a.Attempt.ID || b.Attempt.Deadline != a.Attempt.Deadline {
			t.Fatalf("second start: %s vs %s", b.Attempt.ID, a.Attempt.ID)
		}
	})
	// Answer every item with its correct response, read from the bank.
	at, err := ta.App.Exams.Attempt(auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "learner")), a.Attempt.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Items {
		correct, _, err := ta.App.Exams.Correct(t.Context(), at, i)
		if err != nil {
			t.Fatal(err)
		}
		resp, _ := json.Marshal(map[string]any{"response": correct})
		if i == 0 {
			// A wrong answer first, then the right one: the latest counts.
			ta.do(learner, "PUT", fmt.Sprintf("/api/v1/attempts/%s/answers/%d", a.Attempt.ID, i), strings.NewReader(`{"response":["zzz"]}`), "Content-Type", "application/json")
		}
		if status, body, _ := ta.do(learner, "PUT", fmt.Sprintf("/api/v1/attempts/%s/answers/%d", a.Attempt.ID, i), strings.NewReader(string(resp)), "Content-Type", "application/json"); status != 200 {
			t.Fatalf("save %d: %d %s", i, status, body)
		}
	}
	t.Run("a reload resumes with the answers", func(t *testing.T) {
		_, body, _ := ta.do(learner, "GET", "/api/v1/attempts/"+a.Attempt.ID, nil)
		var b attemptJSON
		json.Unmarshal([]byte(body), &b)
		for _, it := range b.Items {
			if len(it.Response) == 0 {
				t.Fatalf("item %d lost its answer", it.Index)
			}
		}
	})
	t.Run("another candidate cannot read or answer the attempt", func(t *testing.T) {
		other := ta.client("author")
		if status, _, _ := ta.do(other, "GET", "/api/v1/attempts/"+a.Attempt.ID, nil); status != 404 {
			t.Fatalf("read: %d", status)
		}
		if status, _, _ := ta.do(other, "PUT", "/api/v1/attempts/"+a.Attempt.ID+"/answers/0", strings.NewReader(`{"response":["A"]}`), "Content-Type", "application/json"); status != 404 {
			t.Fatalf("answer: %d", status)
		}
	})
	t.Run("bad item index", func(t *testing.T) {
		if status, body, _ := ta.do(learner, "PUT", "/api/v1/attempts/"+a.Attempt.ID+"/answers/99", strings.NewReader(`{"response":["A"]}`), "Content-Type", "application/json"); status != 400 || !strings.Contains(body, `"field":"item"`) {
			t.Fatalf("%d %s", status, body)
		}
	})
	status, body, _ = ta.do(learner, "POST", "/api/v1/attempts/"+a.Attempt.ID+"/submit", nil)
	if status != 200 || !strings.Contains(body, `"status":"submitted"`) || !strings.Contains(body, `"percent":100`) || !strings.Contains(body, `"passed":true`) {
		t.Fatalf("submit: %d %s", status, body)
	}
	if status, _, _ := ta.do(learner, "PUT", "/api/v1/attempts/"+a.Attempt.ID+"/answers/0", strings.NewReader(`{"response":["A"]}`), "Content-Type", "application/json"); status != 409 {
		t.Fatalf("save after submit: %d", status)
	}
	if status, again, _ := ta.do(learner, "POST", "/api/v1/attempts/"+a.Attempt.ID+"/submit", nil); status != 200 || !strings.Contains(again, `"percent":100`) {
		t.Fatalf("second submit: %d", status)
	}
	_, page, _ := ta.do(learner, "GET", "/attempts/"+a.Attempt.ID+"/result", nil)
	if !strings.Contains(page, `id="verdict">Đạt`) || !strings.Contains(page, "Xem lại bài làm") {
		t.Fatal("result page lacks the verdict or the review")
	}
}

func TestExamDeadlineGraceAndSweeper(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	_, sid := examFixture(t, ta, "")
	learner := ta.client("learner")
	_, body, _ := ta.do(learner, "POST", "/api/v1/exams/"+sid+"/start", nil)
	var a attemptJSON
	json.Unmarshal([]byte(body), &a)
	deadline := time.UnixMilli(a.Attempt.Deadline)
	save := func(i int) int {
		s, _, _ := ta.do(learner, "PUT", fmt.Sprintf("/api/v1/attempts/%s/answers/%d", a.Attempt.ID, i), strings.NewReader(`{"response":["A"]}`), "Content-Type", "application/json")
		return s
	}
	ta.App.Exams.SetClock(func() time.Time { return deadline.Add(5 * time.Second) })
	if s := save(0); s != 200 {
		t.Fatalf("save within grace: %d", s)
	}
	ta.App.Exams.SetClock(func() time.Time { return deadline.Add(11 * time.Second) })
	if s := save(1); s != 409 {
		t.Fatalf("save after grace: %d", s)
	}
	// The background sweeper may close it first; either way it is closed.
	if n, err := ta.App.Exams.Sweep(t.Context()); err != nil || n > 1 {
		t.Fatalf("sweep closed %d: %v", n, err)
	}
	_, body, _ = ta.do(learner, "GET", "/api/v1/attempts/"+a.Attempt.ID, nil)
	var b attemptJSON
	json.Unmarshal([]byte(body), &b)
	if b.Attempt.Status != "expired" || !strings.Contains(body, fmt.Sprintf(`"finished_at":%d`, a.Attempt.Deadline)) {
		t.Fatalf("after sweep: %s", body)
	}
	t.Run("proctor extension and void are logged", func(t *testing.T) {
		ta.App.Exams.SetClock(time.Now)
		author := ta.client("author")
		_, body, _ := ta.do(author, "POST", "/api/v1/exams/"+sid+"/start", nil)
		var c attemptJSON
		json.Unmarshal([]byte(body), &c)
		examiner, learnerC := ta.client("examiner"), ta.client("learner")
		if s, _, _ := ta.do(learnerC, "POST", "/api/v1/attempts/"+c.Attempt.ID+"/extend", strings.NewReader(`{"minutes":5,"reason":"x"}`), "Content-Type", "application/json"); s != 403 {
			t.Fatalf("learner extends: %d", s)
		}
		if s, _, _ := ta.do(examiner, "POST", "/api/v1/attempts/"+c.Attempt.ID+"/extend", strings.NewReader(`{"minutes":5,"reason":"x"}`), "Content-Type", "application/json"); s != 403 {
			t.Fatalf("Đắk Lắk examiner extends in a national session: %d", s)
		}
		nat := ta.client("national")
		if s, b, _ := ta.do(nat, "POST", "/api/v1/attempts/"+c.Attempt.ID+"/extend", strings.NewReader(`{"minutes":10,"reason":"mất điện"}`), "Content-Type", "application/json"); s != 204 {
			t.Fatalf("extend: %d %s", s, b)
		}
		_, body, _ = ta.do(author, "GET", "/api/v1/attempts/"+c.Attempt.ID, nil)
		var d attemptJSON
		json.Unmarshal([]byte(body), &d)
		if d.Remaining < 29*60 {
			t.Fatalf("remaining after a 10-minute extension: %d s", d.Remaining)
		}
		if s, b, _ := ta.do(nat, "POST", "/api/v1/attempts/"+c.Attempt.ID+"/void", strings.NewReader(`{"reason":""}`), "Content-Type", "application/json"); s != 400 || !strings.Contains(b, `"field":"reason"`) {
			t.Fatalf("void without a reason: %d", s)
		}
		if s, _, _ := ta.do(nat, "POST", "/api/v1/attempts/"+c.Attempt.ID+"/void", strings.NewReader(`{"reason":"dùng tài liệu"}`), "Content-Type", "application/json"); s != 204 {
			t.Fatalf("void: %d", s)
		}
		_, roster, _ := ta.do(nat, "GET", "/api/v1/exam-sessions/"+sid+"/roster", nil)
		if !strings.Contains(roster, `"state":"voided"`) || !strings.Contains(roster, `"state":"expired"`) {
			t.Fatalf("roster: %s", roster)
		}
		_, audit, _ := ta.do(nat, "GET", "/api/v1/audit?action=exam_extend", nil)
		if !strings.Contains(audit, "mất điện") {
			t.Fatalf("extension not audited: %s", audit)
		}
	})
}

func TestExamAccessRules(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	bpID, _ := examFixture(t, ta, "")
	nat := ta.client("national")
	now := time.Now().UnixMilli()
	mk := func(body string) string {
		status, resp, _ := ta.do(nat, "POST", "/api/v1/exam-sessions", strings.NewReader(body), "Content-Type", "application/json")
		if status != 201 {
			t.Fatalf("session: %d %s", status, resp)
		}
		var s struct{ ID string }
		json.Unmarshal([]byte(resp), &s)
		return s.ID
	}
	coded := mk(fmt.Sprintf(`{"blueprint_id":%q,"name":"Có mã","opens_at":%d,"closes_at":%d,"eligibility":"open","access_code":"ABC123"}`, bpID, now-1000, now+3600000))
	listed := mk(fmt.Sprintf(`{"blueprint_id":%q,"name":"Danh sách","opens_at":%d,"closes_at":%d,"eligibility":"list","candidates":["author"]}`, bpID, now-1000, now+3600000))
	later := mk(fmt.Sprintf(`{"blueprint_id":%q,"name":"Chưa mở","opens_at":%d,"closes_at":%d,"eligibility":"open"}`, bpID, now+3600000, now+7200000))
	learner := ta.client("learner")
	if _, list, _ := ta.do(learner, "GET", "/api/v1/exams", nil); strings.Contains(list, "ABC123") || !strings.Contains(list, `"has_access_code":true`) {
		t.Fatalf("the session list leaks or loses the access code: %s", list)
	}
	// In order: once started, a start returns the attempt whatever the code.
	for _, c := range []struct {
		name, url, body string
		status          int
	}{
		{"wrong access code", "/api/v1/exams/" + coded + "/start", `{"access_code":"nope"}`, 400},
		{"right access code", "/api/v1/exams/" + coded + "/start", `{"access_code":"ABC123"}`, 200},
		{"not on the list", "/api/v1/exams/" + listed + "/start", ``, 403},
		{"not open yet", "/api/v1/exams/" + later + "/start", ``, 409},
		{"no such session", "/api/v1/exams/nope/start", ``, 404},
	} {
		name := c.name
		var body *strings.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		} else {
			body = strings.NewReader("")
		}
		if s, resp, _ := ta.do(learner, "POST", c.url, body, "Content-Type", "application/json"); s != c.status {
			t.Errorf("%s: %d, want %d (%s)", name, s, c.status, resp)
		}
	}
	if s, _, _ := ta.do(ta.client("author"), "POST", "/api/v1/exams/"+listed+"/start", strings.NewReader(""), "Content-Type", "application/json"); s != 200 {
		t.Errorf("listed candidate: %d", s)
	}
	if s, _, _ := ta.do(ta.client(""), "POST", "/api/v1/exams/"+coded+"/start", strings.NewReader(""), "Content-Type", "application/json"); s != 401 {
		t.Errorf("anonymous start: %d", s)
	}
	if s, _, _ := ta.do(ta.client("daklak"), "POST", "/api/v1/blueprints", strings.NewReader(`{"name":"x","standard_code":"VN-DSF","standard_version":1,"time_limit_min":5,"pass_percent":50,"rules":[{"area":"1","count":1}]}`), "Content-Type", "application/json"); s != 403 {
		t.Errorf("unit admin without the exam role made a national blueprint: %d", s)
	}
	if s, body, _ := ta.do(nat, "POST", "/api/v1/blueprints", strings.NewReader(`{"name":"quá nhiều","standard_code":"VN-DSF","standard_version":1,"time_limit_min":5,"pass_percent":50,"rules":[{"competence":"1.1","tier":"basic","count":50}]}`), "Content-Type", "application/json"); s != 201 || !strings.Contains(body, `"fillable":false`) {
		t.Errorf("unfillable blueprint: %d %s", s, body)
	}
}

func TestExamLinearNavigationAndPages(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	_, sid := examFixture(t, ta, `,"navigation":"linear"`)
	learner := ta.client("learner")
	status, _, h := ta.do(learner, "POST", "/exams/"+sid+"/start", strings.NewReader(""), "Content-Type", "application/x-www-form-urlencoded")
	if status != 303 {
		t.Fatalf("start page: %d", status)
	}
	attempt := strings.TrimPrefix(h.Get("Location"), "/attempts/")
	if s, _, _ := ta.do(learner, "PUT", "/api/v1/attempts/"+attempt+"/answers/3", strings.NewReader(`{"response":["A"]}`), "Content-Type", "application/json"); s != 409 {
		t.Fatalf("answer ahead in a linear exam: %d", s)
	}
	_, page, _ := ta.do(learner, "GET", "/attempts/"+attempt, nil)
	if !strings.Contains(page, `id="timer"`) || !strings.Contains(page, "Câu 1/12") {
		t.Fatal("attempt page lacks the timer or the position")
	}
	fb, k, v := form(url.Values{"idx": {"0"}, "r": {"A"}, "go": {"next"}})
	if s, _, h := ta.do(learner, "POST", "/attempts/"+attempt+"/answer", fb, k, v); s != 303 || !strings.Contains(h.Get("Location"), "q=2") {
		t.Fatalf("save and next: %d %s", s, h.Get("Location"))
	}
	if s, _, _ := ta.do(learner, "PUT", "/api/v1/attempts/"+attempt+"/answers/0", strings.NewReader(`{"response":["B"]}`), "Content-Type", "application/json"); s != 409 {
		t.Fatalf("going back in a linear exam: %d", s)
	}
	if s, _, _ := ta.do(learner, "PUT", "/api/v1/attempts/"+attempt+"/answers/1", strings.NewReader(`{"response":["B"]}`), "Content-Type", "application/json"); s != 200 {
		t.Fatalf("current item: %d", s)
	}
	// "Nộp bài" saves the answer and asks for confirmation, counting the
	// blank questions; only the confirmation submits.
	fb, k, v = form(url.Values{"idx": {"1"}, "r": {"B"}, "go": {"review"}})
	s, _, h := ta.do(learner, "POST", "/attempts/"+attempt+"/answer", fb, k, v)
	if s != 303 || !strings.HasSuffix(h.Get("Location"), "/submit?from=2") {
		t.Fatalf("submit button: %d %s", s, h.Get("Location"))
	}
	// The two answers are kept unless the drawn item takes no such
	// response (the draw is random): count what the attempt holds.
	_, state, _ := ta.do(learner, "GET", "/api/v1/attempts/"+attempt, nil)
	var held attemptJSON
	json.Unmarshal([]byte(state), &held)
	blank := 0
	for _, it := range held.Items {
		if len(it.Response) == 0 {
			blank++
		}
	}
	if blank < 10 {
		t.Fatalf("%d blank questions after answering two of twelve", blank)
	}
	_, page, _ = ta.do(learner, "GET", h.Get("Location"), nil)
	if !strings.Contains(page, fmt.Sprintf("Còn %d câu chưa trả lời.", blank)) || !strings.Contains(page, `id="confirm-yes"`) {
		t.Fatalf("confirmation page does not count the %d blank questions:\n%s", blank, page)
	}
	if _, page, _ = ta.do(learner, "GET", "/attempts/"+attempt, nil); !strings.Contains(page, `id="timer"`) {
		t.Fatal("the attempt ended before the candidate confirmed")
	}
	if s, _, h := ta.do(learner, "POST", "/attempts/"+attempt+"/submit", strings.NewReader(""), "Content-Type", "application/x-www-form-urlencoded"); s != 303 || !strings.HasSuffix(h.Get("Location"), "/result") {
		t.Fatalf("confirmed submit: %d", s)
	}
	_, page, _ = ta.do(learner, "GET", "/attempts/"+attempt+"/result", nil)
	if !strings.Contains(page, `id="verdict"`) {
		t.Fatal("no verdict")
	}
}
