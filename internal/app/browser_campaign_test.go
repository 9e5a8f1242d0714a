package app

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dxhub/internal/campaign"
	"dxhub/internal/platform/auth"
)

// TestBrowserContestAndNotice: a citizen enters a contest's round on a
// phone, answers, submits, and after the round closes and its results are
// published sees their place on the leaderboard; Đắk Lắk's office sends a
// message and the citizen sees the notice on the home page.
func TestBrowserContestAndNotice(t *testing.T) {
	ctx := browser(t)
	axe := axeScript(t)
	ta := newTestApp(t)
	bp, _ := examFixture(t, ta, "")
	sys := auth.WithPrincipal(t.Context(), auth.System())
	if _, err := ta.App.Org.ImportPeople(sys, strings.NewReader("key,full_name,unit_code,groups\nC1,Lê Thị Cúc,24133,citizen\n"), ""); err != nil {
		t.Fatal(err)
	}
	if err := ta.App.Auth.LinkPerson(sys, mustPrincipal(t, ta, "learner").AccountID, ta.personID("C1")); err != nil {
		t.Fatal(err)
	}
	dl := auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "daklak"))
	now := time.Now()
	c, err := ta.App.Camp.SaveCampaign(dl, "", campaign.CampaignInput{Slug: "thang-cds-66", NameVI: "Tháng chuyển đổi số Đắk Lắk", UnitCode: "66",
		StartsOn: now.Format(time.DateOnly), EndsOn: now.AddDate(0, 1, 0).Format(time.DateOnly), Published: true})
	if err != nil {
		t.Fatal(err)
	}
	k, err := ta.App.Camp.AddContest(dl, c.ID, campaign.ContestInput{Name: "Tìm hiểu chuyển đổi số", BlueprintID: bp, TimeLimitMin: 20, Prediction: "Bao nhiêu người đúng hết?",
		Rounds: []campaign.RoundInput{{OpensAt: now.Add(-time.Minute).UnixMilli(), ClosesAt: now.Add(time.Hour).UnixMilli()}}})
	if err != nil {
		t.Fatal(err)
	}

	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(phoneWidth, 800),
		signIn(t, ta, "learner"),
		chromedp.Navigate(ta.Srv.URL+"/campaigns/thang-cds-66"),
		chromedp.Click(chromedp.CSS(`#contest-list a`)),
		chromedp.WaitVisible(chromedp.ID("round-1")),
	)
	if err != nil {
		t.Fatal(err)
	}
	phoneCheck(t, ctx, axe, "a contest's page on a phone")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("pred-1"), "3"),
		chromedp.Click(chromedp.CSS(`#round-1 input[name=consent]`)),
		chromedp.Click(chromedp.CSS(`#round-1 .enter-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("timer")),
		answerFirst(),
	)
	if err != nil {
		t.Fatalf("entering the round: %v", err)
	}
	if score := submitConfirmed(t, ctx, 11); !strings.Contains(score, "/12 câu") {
		t.Fatalf("the entry is scored %q", score)
	}
	if err := ta.App.Events.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The round closes; the office publishes its results.
	ta.App.Exams.SetClock(func() time.Time { return now.Add(2 * time.Hour) })
	t.Cleanup(func() { ta.App.Exams.SetClock(time.Now) })
	if err := ta.App.Camp.Publish(dl, k, c, k.Rounds[0]); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(ta.Srv.URL+"/contests/"+k.ID+"/rounds/1"),
		chromedp.WaitVisible(chromedp.ID("my-place")),
	)
	if err != nil {
		t.Fatal(err)
	}
	place, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("my-place")))
	board, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`table.board`)))
	if !strings.Contains(place, "xếp thứ 1") || !strings.Contains(board, "learner") || !strings.Contains(board, "Tân An") {
		t.Fatalf("after the round: place %q, board %q", place, board)
	}
	phoneCheck(t, ctx, axe, "a round's leaderboard on a phone")

	// The office writes a message to the province on its phone.
	office := browser(t)
	err = chromedp.Do(office,
		chromedp.EmulateViewport(phoneWidth, 800),
		signIn(t, ta, "daklak"),
		chromedp.Navigate(ta.Srv.URL+"/messages"),
		chromedp.WaitVisible(chromedp.ID("message-form")),
		chromedp.SendKeys(chromedp.ID("m-unit"), "66"),
		chromedp.SendKeys(chromedp.ID("m-subject-vi"), "Vòng 2 sắp mở"),
		chromedp.SendKeys(chromedp.ID("m-body-vi"), "Mời bạn dự vòng 2 cuộc thi tìm hiểu chuyển đổi số."),
		chromedp.Click(chromedp.CSS(`#message-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("delivery")),
	)
	if err != nil {
		t.Fatalf("writing the message: %v", err)
	}
	phoneCheck(t, office, axe, "a message's delivery on a phone")
	if _, err := ta.App.Camp.SendDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(ta.Srv.URL+"/"),
		chromedp.Click(chromedp.CSS(`#next-steps a[href="/notices"]`)),
		chromedp.WaitVisible(chromedp.ID("notices")),
	)
	if err != nil {
		t.Fatal(err)
	}
	notices, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("notices")))
	if !strings.Contains(notices, "Vòng 2 sắp mở") {
		t.Fatalf("the notices read %q", notices)
	}
	phoneCheck(t, ctx, axe, "the notices page on a phone")
}
