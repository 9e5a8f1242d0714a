package app

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"dxhub/internal/assessment"
	"dxhub/internal/learning"
	"dxhub/internal/platform/auth"
)

// A real QTI item with min-choices and max-choices (oat-sa's qti-sdk
// sample), imported through the API, keeps its bounds: the quiz page says
// them and a quiz answer beyond them is refused naming the question.
func TestQTIChoiceBoundsEnforced(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	doc := interopDoc(t, "qti21/sdkc_choice_min_max.xml")
	code, out, _ := ta.do(ta.as("author"), "POST", "/api/v1/items/qti?filename=min_max.xml&competence=1.1&level=1", strings.NewReader(string(doc)), "Content-Type", "application/xml")
	if code != 201 {
		t.Fatalf("import: %d %.400s", code, out)
	}
	ctx := context.Background()
	var id string
	ta.App.DB.R.QueryRow(`SELECT id FROM items ORDER BY created_at DESC LIMIT 1`).Scan(&id)
	a1 := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author"))
	a2 := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author2"))
	if _, err := ta.App.Bank.Transition(a1, id, assessment.ActionSubmit, ""); err != nil {
		t.Fatal(err)
	}
	it, err := ta.App.Bank.Transition(a2, id, assessment.ActionApprove, "")
	if err != nil {
		t.Fatal(err)
	}
	if it.Body.MaxChoices != 2 || it.Body.MinChoices != 2 {
		t.Fatalf("bounds: %+v", it.Body)
	}
	_, ls := mustCourse(t, ta, a1, learning.CourseInput{Code: "Q-MM", Title: "Quiz", Summary: "x", Audiences: []string{"citizen"}, OpenEnrol: true, PassPercent: 50},
		learning.LessonInput{Kind: learning.KindQuiz, Title: "Q", Items: []string{id}, Required: true})
	l := ls[0]
	out = apiJSON(t, ta, "learner", "POST", "/api/v1/courses/Q-MM/enrol", "", 200)
	enr := jsonField(t, out, "id")
	if _, page, _ := ta.do(ta.as("learner"), "GET", "/courses/Q-MM/lessons/"+l.ID+"?lang=en", nil); !strings.Contains(page, "Choose at most 2 options") {
		t.Fatal("the quiz page does not say how many to choose")
	}
	out = apiJSON(t, ta, "learner", "POST", "/api/v1/enrolments/"+enr+"/lessons/"+l.ID+"/quiz?lang=en", `{"answers":{"`+id+`":["H","O","C"]}}`, 400)
	if !strings.Contains(out, "Question 1: choose at most 2") {
		t.Fatalf("three choices: %s", out)
	}
	apiJSON(t, ta, "learner", "POST", "/api/v1/enrolments/"+enr+"/lessons/"+l.ID+"/quiz", `{"answers":{"`+id+`":["H","O"]}}`, 200)
}

// jsonField is one top-level string field of a JSON object.
func jsonField(t *testing.T, body, field string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	s, _ := m[field].(string)
	return s
}

// The API takes an item whatever content type the client declares: raw
// XML, what curl --data-binary sends, or a multipart form.
func TestQTIImportContentTypes(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "interop", "examples", "qti30", "ims3_match.xml"))
	if err != nil {
		t.Skipf("shared interop examples not found: %v", err)
	}
	for _, ct := range []string{"application/xml", "application/x-www-form-urlencoded", ""} {
		if code, out, _ := ta.do(ta.as("author"), "POST", "/api/v1/items/qti?filename=m.xml&competence=1.1&level=1", strings.NewReader(string(doc)), "Content-Type", ct); code != 201 {
			t.Fatalf("%q: %d %.300s", ct, code, out)
		}
	}
	body, ct := multipartFile(t, "file", "m.xml", "text/xml", doc)
	if code, out, _ := ta.do(ta.as("author"), "POST", "/api/v1/items/qti?competence=1.1&level=1", body, "Content-Type", ct); code != 201 {
		t.Fatalf("multipart: %d %.300s", code, out)
	}
}

// An item scored by rules of its own (1EdTech's order with partial
// credit) keeps them through the database on both engines, scores a
// quiz answer as they say, and keeps them when its wording is edited in
// the form.
func TestQTIRulesItemInAQuiz(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	id := importInterop(t, ta, "qti30/ims3_order_partial_scoring.xml")
	ctx := context.Background()
	a1 := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author"))
	a2 := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author2"))
	// The wording changes in the form; the rules stay.
	it, err := ta.App.Bank.Get(a1, id)
	if err != nil || it.Body.Rules == nil {
		t.Fatalf("stored without its rules: %v %+v", err, it)
	}
	if _, page, _ := ta.do(ta.as("author"), "GET", "/items/"+id+"/edit?lang=en", nil); !strings.Contains(page, "scored by the QTI rules it was imported with") {
		t.Fatal("the form does not say the item keeps rules of its own")
	}
	f := assessment.FormFor(it)
	form := url.Values{"competence": {f.Competence}, "level": {f.Level}, "type": {f.Type}, "stem": {"Xếp các tay đua theo thứ tự về đích."}, "options": {f.Options}, "mode": {f.Mode}, "max_score": {f.MaxScore}}
	if code, out, _ := ta.do(ta.as("author"), "POST", "/items/"+id+"/edit", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded"); code != 303 {
		t.Fatalf("edit: %d %.400s", code, out)
	}
	if _, err := ta.App.Bank.Transition(a1, id, assessment.ActionSubmit, ""); err != nil {
		t.Fatal(err)
	}
	it, err = ta.App.Bank.Transition(a2, id, assessment.ActionApprove, "")
	if err != nil {
		t.Fatal(err)
	}
	if it.Body.Rules == nil || it.Body.MaxScore != 2 || !strings.Contains(it.Body.Stem, "tay đua") {
		t.Fatalf("after the edit: %+v", it.Body)
	}
	if _, page, _ := ta.do(ta.as("author"), "GET", "/items/"+id+"?lang=en", nil); !strings.Contains(page, "Scored by the item&#39;s own QTI rules") {
		t.Fatal("the item page does not say how it is scored")
	}
	_, ls := mustCourse(t, ta, a1, learning.CourseInput{Code: "Q-RULES", Title: "Quiz", Summary: "x", Audiences: []string{"citizen"}, OpenEnrol: true, PassPercent: 40},
		learning.LessonInput{Kind: learning.KindQuiz, Title: "Q", Items: []string{id}, Required: true})
	out := apiJSON(t, ta, "learner", "POST", "/api/v1/courses/Q-RULES/enrol", "", 200)
	enr := jsonField(t, out, "id")
	// One near order: 1 of 2 points by the item's rules.
	out = apiJSON(t, ta, "learner", "POST", "/api/v1/enrolments/"+enr+"/lessons/"+ls[0].ID+"/quiz", `{"answers":{"`+id+`":["DriverC","DriverB","DriverA"]}}`, 200)
	if !strings.Contains(out, `"percent":50`) {
		t.Fatalf("a near order: %s", out)
	}
}

// An item with template processing (qtiworks' UPMC addition) in an exam
// and in a quiz: each candidate sees the numbers drawn for their attempt,
// the same each time the attempt is read, and is scored on those numbers
// (the sum right: full marks; another candidate's sum: none), on both
// engines.
func TestQTITemplateItemInExamAndQuiz(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	id := importInterop(t, ta, "qti21/qw_upmc_addition.xml")
	ctx := context.Background()
	a1 := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author"))
	if _, err := ta.App.Bank.Transition(a1, id, assessment.ActionSubmit, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Bank.Transition(auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author2")), id, assessment.ActionApprove, ""); err != nil {
		t.Fatal(err)
	}
	if _, page, _ := ta.do(ta.as("author"), "GET", "/items/"+id+"?lang=en", nil); !strings.Contains(page, "each attempt draws its own values") || strings.Contains(page, "⟦") {
		t.Fatal("the item page does not show one draw and say so")
	}
	numbers := regexp.MustCompile(`Compute: ([\d.]+) \+ ([\d.]+) =`)
	sumOf := func(text string) string {
		t.Helper()
		m := numbers.FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("no numbers drawn in %q", text)
		}
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		return strconv.FormatFloat(x+y, 'f', 2, 64)
	}

	s := oneItemSession(t, ta, "Phép cộng", assessment.ReviewScore)
	var sums []string
	for _, who := range []string{"learner", "author2"} {
		c := auth.WithPrincipal(ctx, mustPrincipal(t, ta, who))
		a, err := ta.App.Exams.StartAttempt(c, s.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		items, err := ta.App.Exams.AttemptItems(c, a)
		if err != nil || len(items) != 1 {
			t.Fatalf("%v %d", err, len(items))
		}
		sums = append(sums, sumOf(string(items[0].View.Stem)))
		again, _ := ta.App.Exams.Attempt(c, a.ID)
		items, _ = ta.App.Exams.AttemptItems(c, again)
		if got := sumOf(string(items[0].View.Stem)); got != sums[len(sums)-1] {
			t.Fatalf("the attempt's numbers changed: %s then %s", sums[len(sums)-1], got)
		}
	}
	if sums[0] == sums[1] {
		t.Logf("both candidates drew the same sum %s (possible, unlikely)", sums[0])
	}
	for i, who := range []string{"learner", "author2"} {
		c := auth.WithPrincipal(ctx, mustPrincipal(t, ta, who))
		as, _ := ta.App.Exams.MyAttempts(c)
		var a *assessment.Attempt
		for _, x := range as {
			if x.SessionID == s.ID {
				a = x
			}
		}
		answer := sums[i]
		if who == "author2" && sums[0] != sums[1] {
			answer = sums[0] // another candidate's sum
		}
		if _, err := ta.App.Exams.SaveAnswer(c, a.ID, 0, []string{answer}); err != nil {
			t.Fatal(err)
		}
		done, err := ta.App.Exams.Submit(c, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		// An exam counts each item as one point, the item's share of its
		// own maximum.
		want := 1.0
		if who == "author2" && sums[0] != sums[1] {
			want = 0
		}
		if done.Score != want || done.MaxScore != 1 {
			t.Fatalf("%s answered %s for %s: %g of %g", who, answer, sums[i], done.Score, done.MaxScore)
		}
	}

	_, ls := mustCourse(t, ta, a1, learning.CourseInput{Code: "Q-TPL", Title: "Cộng", Summary: "x", Audiences: []string{"citizen"}, OpenEnrol: true, PassPercent: 40},
		learning.LessonInput{Kind: learning.KindQuiz, Title: "Q", Items: []string{id}, Required: true})
	out := apiJSON(t, ta, "learner", "POST", "/api/v1/courses/Q-TPL/enrol", "", 200)
	enr := jsonField(t, out, "id")
	_, page, _ := ta.do(ta.as("learner"), "GET", "/courses/Q-TPL/lessons/"+ls[0].ID, nil)
	sum := sumOf(page)
	if _, again, _ := ta.do(ta.as("learner"), "GET", "/courses/Q-TPL/lessons/"+ls[0].ID, nil); sumOf(again) != sum {
		t.Fatal("the quiz drew again on a second visit")
	}
	out = apiJSON(t, ta, "learner", "POST", "/api/v1/enrolments/"+enr+"/lessons/"+ls[0].ID+"/quiz", `{"answers":{"`+id+`":["`+sum+`"]}}`, 200)
	if !strings.Contains(out, `"percent":100`) {
		t.Fatalf("the quiz's own sum %s: %s", sum, out)
	}
}

// interopDoc reads one of the shared interop examples (rel under
// shared/interop/examples); the test is skipped where they are not.
func interopDoc(t *testing.T, rel string) []byte {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "interop", "examples", filepath.FromSlash(rel)))
	if err != nil {
		t.Skipf("shared interop examples not found: %v", err)
	}
	return doc
}

// importInterop imports one of the shared interop examples (rel under
// shared/interop/examples) as the author, competence 1.1, and returns the
// item's id; the test is skipped where the examples are not.
func importInterop(t *testing.T, ta *testApp, rel string) string {
	t.Helper()
	doc := interopDoc(t, rel)
	code, out, _ := ta.do(ta.as("author"), "POST", "/api/v1/items/qti?filename="+filepath.Base(rel)+"&competence=1.1&level=1", strings.NewReader(string(doc)), "Content-Type", "application/xml")
	if code != 201 {
		t.Fatalf("import %s: %d %.400s", rel, code, out)
	}
	var id string
	ta.App.DB.R.QueryRow(`SELECT id FROM items ORDER BY created_at DESC LIMIT 1`).Scan(&id)
	return id
}

// A composite item (a choice, an inline choice, a text entry and a gap
// match about one passage, 1EdTech's own example) is asked part by part
// on the exam page, saved from its form and through the API, and scored
// by its rules; a quiz asks and scores it the same way.
func TestQTICompositeItemInExamAndQuiz(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	id, s := compositeExam(t, ta)
	ctx := context.Background()
	a1 := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author"))
	_, page, _ := ta.do(ta.as("author"), "GET", "/items/"+id+"?lang=en", nil)
	for _, want := range []string{"Several questions in one", `data-part="3"`, `name="p2-r"`, `name="p3-match-G1"`, "(2) Marion", "(3) wicked king"} {
		if !strings.Contains(page, want) {
			t.Fatalf("item page lacks %q", want)
		}
	}

	// The page's form: every part's fields, saved together.
	learner := ta.client("learner")
	status, _, h := ta.do(learner, "POST", "/exams/"+s.ID+"/start", strings.NewReader(""), "Content-Type", "application/x-www-form-urlencoded")
	if status != 303 {
		t.Fatalf("start: %d", status)
	}
	attempt := strings.TrimPrefix(h.Get("Location"), "/attempts/")
	_, page, _ = ta.do(learner, "GET", "/attempts/"+attempt, nil)
	for _, want := range []string{`data-type="composite"`, `name="p0-r" value="ChoiceA"`, `name="p1-r" value="A2"`, `name="p2-r"`, `name="p3-match-G3"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("exam page lacks %q", want)
		}
	}
	fb, k, v := form(url.Values{"idx": {"0"}, "go": {"stay"}, "p0-r": {"ChoiceA"}, "p1-r": {"A2"}, "p2-r": {"evil king"},
		"p3-match-G1": {"F"}, "p3-match-G2": {"C"}, "p3-match-G3": {"H"}})
	if s, _, _ := ta.do(learner, "POST", "/attempts/"+attempt+"/answer", fb, k, v); s != 303 {
		t.Fatalf("save: %d", s)
	}
	_, page, _ = ta.do(learner, "GET", "/attempts/"+attempt, nil)
	if !strings.Contains(page, `name="p2-r" aria-labelledby="part-2" value="evil king"`) || !strings.Contains(page, `<option value="H" selected>`) {
		t.Fatal("the saved parts are not shown again")
	}
	c := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "learner"))
	done, err := ta.App.Exams.Submit(c, attempt)
	if err != nil {
		t.Fatal(err)
	}
	// 3.5 of the item's 4: "evil king" earns the text entry 0.5.
	if done.Score != 0.875 || done.MaxScore != 1 {
		t.Fatalf("form answers: %g of %g", done.Score, done.MaxScore)
	}
	_, page, _ = ta.do(learner, "GET", "/attempts/"+attempt+"/result?lang=en", nil)
	if !strings.Contains(page, "(3) evil king") || !strings.Contains(page, "(3) wicked king") {
		t.Fatal("the review does not show each part's answer and the right one")
	}

	// The API: values written "k:value"; a part's value naming no part
	// is ignored, and a response too large is refused.
	c2 := auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author2"))
	a2, err := ta.App.Exams.StartAttempt(c2, s.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	apiJSON(t, ta, "author2", "PUT", "/api/v1/attempts/"+a2.ID+"/answers/0", `{"response":["0:ChoiceA","1:A2","2:wicked king","3:G1:F","3:G2:C","3:G3:H","9:x"]}`, 200)
	big := `{"response":[` + strings.Repeat(`"2:x",`, 300) + `"2:x"]}`
	apiJSON(t, ta, "author2", "PUT", "/api/v1/attempts/"+a2.ID+"/answers/0", big, 400)
	done, err = ta.App.Exams.Submit(c2, a2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Score != 1 {
		t.Fatalf("API answers: %g of %g", done.Score, done.MaxScore)
	}

	// A quiz: each part's fields a-ID~k.
	_, ls := mustCourse(t, ta, a1, learning.CourseInput{Code: "Q-CMP", Title: "Đọc hiểu", Summary: "x", Audiences: []string{"citizen"}, OpenEnrol: true, PassPercent: 40},
		learning.LessonInput{Kind: learning.KindQuiz, Title: "Q", Items: []string{id}, Required: true})
	apiJSON(t, ta, "learner", "POST", "/api/v1/courses/Q-CMP/enrol", "", 200)
	_, page, _ = ta.do(learner, "GET", "/courses/Q-CMP/lessons/"+ls[0].ID, nil)
	if !strings.Contains(page, `name="a-`+id+`~2"`) || !strings.Contains(page, `value="G1:F"`) {
		t.Fatal("the quiz does not ask the parts")
	}
	fb, k, v = form(url.Values{"a-" + id + "~0": {"ChoiceA"}, "a-" + id + "~2": {"wicked king"}, "a-" + id + "~3": {"G1:F", "G2:C", "G3:H"}})
	_, page, _ = ta.do(learner, "POST", "/courses/Q-CMP/lessons/"+ls[0].ID+"/quiz", fb, k, v)
	if !strings.Contains(page, `id="quiz-result"`) || !strings.Contains(page, "75") {
		t.Fatalf("quiz of three parts right of four: %.600s", page[strings.Index(page, "<main"):])
	}
}

// compositeExam imports 1EdTech's composite example, approves it and
// opens an exam session of that one item, showing answers afterwards.
func compositeExam(t *testing.T, ta *testApp) (string, *assessment.Session) {
	t.Helper()
	id := importInterop(t, ta, "qti21/sdk21_multi-input.xml")
	ctx := context.Background()
	if _, err := ta.App.Bank.Transition(auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author")), id, assessment.ActionSubmit, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Bank.Transition(auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author2")), id, assessment.ActionApprove, ""); err != nil {
		t.Fatal(err)
	}
	return id, oneItemSession(t, ta, "Truyền thuyết", assessment.ReviewAnswers)
}

// oneItemSession opens, as the examiner, an exam of one item of
// competence 1.1 (the only approved one), open to anyone for an hour.
func oneItemSession(t *testing.T, ta *testApp, name, review string) *assessment.Session {
	t.Helper()
	ex := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, "examiner"))
	bp := &assessment.Blueprint{Name: name, UnitCode: "66", StandardCode: "VN-DSF", StandardVersion: 1, TimeLimitMin: 20, PassPercent: 50,
		Rules: []assessment.Rule{{Competence: "1.1", Count: 1}}, Navigation: "free"}
	if err := ta.App.Exams.SaveBlueprint(ex, bp); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s := &assessment.Session{BlueprintID: bp.ID, Name: "Ca " + name, UnitCode: "66", OpensAt: now.Add(-time.Minute).UnixMilli(), ClosesAt: now.Add(time.Hour).UnixMilli(), Eligibility: "open", ReviewPolicy: review}
	if err := ta.App.Exams.SaveSession(ex, s); err != nil {
		t.Fatal(err)
	}
	return s
}

// importApproved imports the files (zipped as a folder) as the author and
// approves every item as the second author; it returns their ids.
func importApproved(t *testing.T, ta *testApp, files map[string][]byte) []string {
	t.Helper()
	status, body, _ := ta.do(ta.client("author"), "POST", "/api/v1/items/qti?filename=items.zip&competence=1.1&level=1", zipOf(files), "Content-Type", "application/zip")
	if status != 201 {
		t.Fatalf("import: %d %.500s", status, body)
	}
	ctx := context.Background()
	var ids []string
	for id := range itemsOf(t, ta) {
		if _, err := ta.App.Bank.Transition(auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author")), id, assessment.ActionSubmit, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := ta.App.Bank.Transition(auth.WithPrincipal(ctx, mustPrincipal(t, ta, "author2")), id, assessment.ActionApprove, ""); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// zipOf packs files (name → bytes) as a zip.
func zipOf(files map[string][]byte) *bytes.Buffer {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, b := range files {
		w, _ := zw.Create(name)
		w.Write(b)
	}
	zw.Close()
	return &buf
}
