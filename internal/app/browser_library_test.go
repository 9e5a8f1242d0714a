package app

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"dxhub/internal/library"
	"dxhub/internal/platform/auth"
)

// TestBrowserLibraryJourney: on a phone, an anonymous visitor searches the
// front page for "an toan thong tin" without diacritics and opens the
// guide; Đắk Lắk's editor drafts a news item, the province's
// administrator publishes it, and the visitor's search finds it.
func TestBrowserLibraryJourney(t *testing.T) {
	ctx := browser(t)
	axe := axeScript(t)
	ta := newTestApp(t)
	addAccount(t, ta, "ed66", "editor@66")
	nat := auth.WithPrincipal(t.Context(), mustPrincipal(t, ta, "national"))
	g, err := ta.App.Lib.Create(nat, library.Input{Kind: library.Guide, UnitCode: "VN", TitleVI: "Bảo đảm an toàn thông tin khi dùng mạng xã hội",
		SummaryVI: "Năm thói quen an toàn.", BodyVI: "Đặt **mật khẩu mạnh** và bật xác thực hai lớp.", Topics: []string{"safety"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Lib.Publish(nat, g.ID, 0); err != nil {
		t.Fatal(err)
	}
	find := func(q string) string {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(phoneWidth, 800),
			chromedp.Navigate(ta.Srv.URL+"/"),
			chromedp.WaitVisible(chromedp.ID("q")),
			chromedp.SendKeys(chromedp.ID("q"), q),
			chromedp.Submit(chromedp.ID("q")),
			chromedp.WaitVisible(chromedp.CSS(`#doc-results li`)),
		)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("doc-results")))
		return text
	}
	if text := find("an toan thong tin"); !strings.Contains(text, "Bảo đảm an toàn thông tin") {
		t.Fatalf("the search lists %q", text)
	}
	phoneCheck(t, ctx, axe, "search results on a phone")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#doc-results li:first-child a`)),
		chromedp.WaitVisible(chromedp.ID("doc-body")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("doc-body"))); !strings.Contains(body, "mật khẩu mạnh") {
		t.Fatalf("the guide reads %q", body)
	}
	phoneCheck(t, ctx, axe, "a guide on a phone")

	// The editor drafts.
	ed := browser(t)
	err = chromedp.Do(ed,
		chromedp.EmulateViewport(phoneWidth, 800),
		signIn(t, ta, "ed66"),
		chromedp.Navigate(ta.Srv.URL+"/library/new?kind=news"),
		chromedp.WaitVisible(chromedp.ID("title_vi")),
		chromedp.SendKeys(chromedp.ID("title_vi"), "Buôn Ma Thuột mở lớp an toàn thông tin cho người cao tuổi"),
		chromedp.SendKeys(chromedp.ID("body_vi"), "Lớp học miễn phí tại nhà văn hóa phường."),
		chromedp.Click(chromedp.ID("save")),
		chromedp.WaitVisible(chromedp.ID("doc-status")),
	)
	if err != nil {
		t.Fatal(err)
	}
	status, _ := chromedp.Run(ed, chromedp.Text(chromedp.ID("doc-status")))
	if !strings.Contains(status, "Bản nháp") {
		t.Fatalf("after saving, the status reads %q", status)
	}
	if n, _ := chromedp.Run(ed, chromedp.Evaluate[int](`document.querySelectorAll("#publish").length`)); n != 0 {
		t.Fatal("an editor is offered the publish button")
	}
	var url string
	url, _ = chromedp.Run(ed, chromedp.Location())
	phoneCheck(t, ed, axe, "a draft on a phone")

	// The province's administrator publishes.
	adm := browser(t)
	err = chromedp.Do(adm,
		chromedp.EmulateViewport(phoneWidth, 800),
		signIn(t, ta, "daklak"),
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.ID("publish")),
		chromedp.Click(chromedp.ID("publish")),
		chromedp.WaitNotPresent(chromedp.ID("publish")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text := find("lop an toan thong tin nguoi cao tuoi"); !strings.Contains(text, "Buôn Ma Thuột mở lớp") {
		t.Fatalf("the published news is not found: %q", text)
	}
}
