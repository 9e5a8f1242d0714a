package app

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"dxhub/internal/experts"
	"dxhub/internal/platform/auth"
)

// TestBrowserExpertEngagement: Đắk Lắk's office posts a need on a phone,
// sees the matching expert with the reasons, invites her; she accepts on
// her page; the office records the work and rates it.
func TestBrowserExpertEngagement(t *testing.T) {
	ctx := browser(t)
	axe := axeScript(t)
	ta := newTestApp(t)
	addAccount(t, ta, "cgmai", "expert@66")
	mai := auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "cgmai"))
	pr, err := ta.App.Exp.SaveMine(mai, experts.Input{FullName: "Lê Thị Mai", Details: experts.Details{Fields: []string{"data"}, Skills: []experts.Skill{{Competence: "2.1", Level: 4}}, Hours: 10, Remote: true, Public: true}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Exp.Verify(auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "daklak")), pr.ID, "Hồ sơ gốc"); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(phoneWidth, 800),
		signIn(t, ta, "daklak"),
		chromedp.Navigate(ta.Srv.URL+"/experts/needs"),
		chromedp.WaitVisible(chromedp.ID("need-form")),
		chromedp.SendKeys(chromedp.ID("n-unit"), "66"),
		chromedp.SendKeys(chromedp.ID("n-title"), "Kho dữ liệu dùng chung của tỉnh"),
		chromedp.Click(chromedp.CSS(`#need-form input[name=fields][value=data]`)),
		chromedp.SendKeys(chromedp.ID("n-skills"), "2.1:3"),
		chromedp.SendKeys(chromedp.ID("n-place"), "remote"),
		chromedp.Click(chromedp.CSS(`#need-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("matches")),
	)
	if err != nil {
		t.Fatalf("posting the need: %v", err)
	}
	matches, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("matches")))
	if !strings.Contains(matches, "Lê Thị Mai") || !strings.Contains(matches, "Cùng lĩnh vực") || !strings.Contains(matches, "2.1 (4/3)") {
		t.Fatalf("the matches read %q", matches)
	}
	phoneCheck(t, ctx, axe, "a need's matches on a phone")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#matches .invite-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#need-invitations .inv-status`)),
	)
	if err != nil {
		t.Fatal(err)
	}

	// The expert accepts on her page.
	ex := browser(t)
	err = chromedp.Do(ex,
		chromedp.EmulateViewport(phoneWidth, 800),
		signIn(t, ta, "cgmai"),
		chromedp.Navigate(ta.Srv.URL+"/experts/me"),
		chromedp.WaitVisible(chromedp.CSS(`#my-invitations .answer-form`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	phoneCheck(t, ex, axe, "an expert's page on a phone")
	err = chromedp.Do(ex,
		chromedp.Click(chromedp.CSS(`#my-invitations .answer-form button[value=accept]`)),
		chromedp.WaitVisible(chromedp.CSS(`#my-invitations .rate-form`)),
	)
	if err != nil {
		t.Fatal(err)
	}

	// The office records the work and rates it.
	err = chromedp.Do(ctx,
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#need-invitations .record-form`)),
		chromedp.SendKeys(chromedp.CSS(`#need-invitations .record-form input[name=hours]`), "24"),
		chromedp.SendKeys(chromedp.CSS(`#need-invitations .record-form textarea[name=outcome]`), "Thiết kế kho dữ liệu"),
		chromedp.Click(chromedp.CSS(`#need-invitations .record-form input[name=done]`)),
		chromedp.SetValue(chromedp.CSS(`#need-invitations .record-form select[name=rating]`), "5"),
		chromedp.Click(chromedp.CSS(`#need-invitations .record-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#need-invitations .eng-done`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("need-invitations")))
	if !strings.Contains(status, "Đã xong") || !strings.Contains(status, "bạn đánh giá 5/5") {
		t.Fatalf("the engagement reads %q", status)
	}
	got, err := ta.App.Exp.Profile(auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "daklak")), pr.ID)
	if err != nil || got.Rating != 5 || got.Load != 0 {
		t.Fatalf("the expert after the work: %+v %v", got, err)
	}
}
