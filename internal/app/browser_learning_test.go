package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserLearnerJourney: a commune's DX officer searches "ky nang so"
// without diacritics, enrols, reads the lesson, passes the final quiz and
// sees the course completed; the province administrator then sees the
// completion in the compliance report.
func TestBrowserLearnerJourney(t *testing.T) {
	ctx := browser(t)
	ta := newTestApp(t)
	answers := learnFixture(t, ta)
	due := time.Now().AddDate(0, 0, 20).Format("2006-01-02")
	out := apiJSON(t, ta, "daklak", "POST", "/api/v1/assignments", `{"unit_code":"66","kind":"course","code":"KNS-TEST","groups":["dx_staff"],"due":"`+due+`"}`, 201)
	id := out[strings.Index(out, `"id":"`)+6:]
	id = id[:strings.Index(id, `"`)]
	var pick []string
	for item, ans := range answers {
		pick = append(pick, fmt.Sprintf(`document.querySelector('input[name="a-%s"][value="%s"]').click();`, item, ans))
	}
	err := chromedp.Do(ctx,
		signIn(t, ta, "staff"),
		// The search as the form sends it (typing would let the live
		// results swap the list under the click below).
		chromedp.Navigate(ta.Srv.URL+"/courses?q=ky+nang+so"),
		chromedp.WaitVisible(chromedp.CSS(`#catalogue a[href="/courses/KNS-TEST"]`)),
		chromedp.Click(chromedp.CSS(`#catalogue a[href="/courses/KNS-TEST"]`)),
		chromedp.WaitVisible(chromedp.ID("enrol")),
		chromedp.Click(chromedp.ID("enrol")),
		chromedp.WaitVisible(chromedp.ID("complete")),
		chromedp.Click(chromedp.ID("complete")),
		chromedp.WaitVisible(chromedp.ID("submit-quiz")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](strings.Join(pick, "")+"true")); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("submit-quiz")),
		chromedp.WaitVisible(chromedp.ID("quiz-result")),
		chromedp.Navigate(ta.Srv.URL+"/courses/KNS-TEST"),
		chromedp.WaitVisible(chromedp.ID("course-status")),
	)
	if err != nil {
		t.Fatal(err)
	}
	status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("course-status")))
	if !strings.Contains(status, "hoàn thành") {
		t.Fatalf("course status %q", status)
	}
	// The province administrator sees the completion.
	bctx := browser(t)
	err = chromedp.Do(bctx,
		signIn(t, ta, "daklak"),
		chromedp.Navigate(ta.Srv.URL+"/learning/assignments/"+id+"?people=1"),
		chromedp.WaitVisible(chromedp.ID("total")),
	)
	if err != nil {
		t.Fatal(err)
	}
	done, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#total td.done")))
	people, _ := chromedp.Run(bctx, chromedp.Text(chromedp.ID("people")))
	if strings.TrimSpace(done) != "1" || !strings.Contains(people, "Nguyễn Văn Ánh") || !strings.Contains(people, "Đã hoàn thành") {
		t.Fatalf("compliance: completed %q, people %q", done, people)
	}
}
