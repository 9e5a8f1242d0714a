package app

import (
	"bytes"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"dxhub/internal/demo"
	"dxhub/internal/platform/auth"
)

// TestBrowserHomeSearch: on the real tree with the 2025 reorganisation, the
// home page's search for "tp hcm" lands on Hồ Chí Minh City first, and
// for the old province "Bình Phước" on Đồng Nai, marked as formerly Bình
// Phước.
func TestBrowserHomeSearch(t *testing.T) {
	ctx := browser(t)
	axe := axeScript(t)
	ta := newTestApp(t)
	sys := auth.WithPrincipal(t.Context(), auth.System())
	if _, err := ta.App.Org.ImportUnits(sys, bytes.NewReader(demo.UnitsCSV)); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.App.Org.RecordReorganisation(sys, bytes.NewReader(demo.MergesCSV), demo.Resolution2025); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][2]string{"tp hcm": {"/units/79", ""}, "Bình Phước": {"/units/75", "Bình Phước"}} {
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(phoneWidth, 800),
			chromedp.Navigate(ta.Srv.URL+"/"),
			chromedp.WaitVisible(chromedp.ID("q")),
			chromedp.SendKeys(chromedp.ID("q"), q),
			chromedp.Submit(chromedp.ID("q")),
			chromedp.WaitVisible(chromedp.CSS(`#unit-results li`)),
		)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		attr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#unit-results li:first-child a`), "href"))
		if err != nil {
			t.Fatal(err)
		}
		href := attr.Value
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#unit-results li:first-child`)))
		if err != nil {
			t.Fatal(err)
		}
		if href != want[0] || !strings.Contains(text, want[1]) {
			t.Errorf("%q: first result %s %q, want %s %s", q, href, text, want[0], want[1])
		}
	}
	phoneCheck(t, ctx, axe, "unit search results on a phone")
}
