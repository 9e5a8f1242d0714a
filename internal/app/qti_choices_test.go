package app

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "interop", "examples", "qti21", "sdkc_choice_min_max.xml"))
	if err != nil {
		t.Skipf("shared interop examples not found: %v", err)
	}
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
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "interop", "examples", "qti30", "ims3_order_partial_scoring.xml"))
	if err != nil {
		t.Skipf("shared interop examples not found: %v", err)
	}
	code, out, _ := ta.do(ta.as("author"), "POST", "/api/v1/items/qti?filename=order.xml&competence=1.1&level=1", strings.NewReader(string(doc)), "Content-Type", "application/xml")
	if code != 201 {
		t.Fatalf("import: %d %.400s", code, out)
	}
	var id string
	ta.App.DB.R.QueryRow(`SELECT id FROM items ORDER BY created_at DESC LIMIT 1`).Scan(&id)
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
	out = apiJSON(t, ta, "learner", "POST", "/api/v1/courses/Q-RULES/enrol", "", 200)
	enr := jsonField(t, out, "id")
	// One near order: 1 of 2 points by the item's rules.
	out = apiJSON(t, ta, "learner", "POST", "/api/v1/enrolments/"+enr+"/lessons/"+ls[0].ID+"/quiz", `{"answers":{"`+id+`":["DriverC","DriverB","DriverA"]}}`, 200)
	if !strings.Contains(out, `"percent":50`) {
		t.Fatalf("a near order: %s", out)
	}
}
