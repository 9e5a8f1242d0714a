package app

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeScript reads axe-core, which the test command installs with npm and
// names in DXHUB_AXE.
func axeScript(t *testing.T) string {
	t.Helper()
	path := os.Getenv("DXHUB_AXE")
	if path == "" {
		if os.Getenv("DXHUB_BROWSER") == "required" {
			t.Fatal("DXHUB_AXE does not name axe-core's axe.min.js (the test command installs it)")
		}
		t.Skip("accessibility checks run with DXHUB_AXE=path/to/axe.min.js (the test command sets it)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// axeRun runs axe-core over the page and returns its serious and critical
// violations, one line each with the elements they concern.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
	return r.violations.filter(function (v) { return v.impact === "serious" || v.impact === "critical"; })
		.map(function (v) { return v.impact + " " + v.id + ": " + v.help + " — " + v.nodes.slice(0, 3).map(function (n) { return n.target.join(" "); }).join(" | "); });
})`

// pageChecks are what every page must pass at any width: no serious
// or critical axe-core violation, no sideways scrolling of the whole page,
// and nothing wider than the screen but inside its own scroll region.
func pageChecks(ctx context.Context, axe string, width int64) ([]string, error) {
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
		return nil, err
	}
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, err
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
	if err != nil {
		return nil, err
	}
	if wide > 1 {
		problems = append(problems, fmt.Sprintf("the page scrolls sideways by %d px at %d px wide", wide, width))
	}
	return problems, nil
}

const phoneWidth = 375

// phoneCheck runs pageChecks on the page open at a phone's width and
// reports its problems as errors under what.
func phoneCheck(t *testing.T, ctx context.Context, axe, what string) {
	t.Helper()
	problems, err := pageChecks(ctx, axe, phoneWidth)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("%s:\n  %s", what, strings.Join(problems, "\n  "))
	}
}

// TestBrowserAccessibilityEveryPage opens every page of the app in
// Chromium at a phone's width (375 px) and a desktop's (1280 px), in
// Vietnamese, as the role that uses it, with JavaScript on, and runs
// axe-core over it: a serious or critical violation, or a page wider than
// the screen, fails the test.
func TestBrowserAccessibilityEveryPage(t *testing.T) {
	ctx := browser(t)
	axe := axeScript(t)
	ta := newTestApp(t)
	pages := everyPage(t, ta)
	checked := 0
	// Anonymous pages first, then each role's, signing in as it.
	for _, user := range []string{"", "national", "learner", "author"} {
		if user != "" {
			if err := chromedp.Do(ctx, chromedp.Navigate(ta.Srv.URL+"/login"), chromedp.SendKeys(chromedp.ID("username"), user), chromedp.SendKeys(chromedp.ID("password"), testPassword),
				chromedp.Submit(chromedp.ID("password")), chromedp.WaitNotPresent(chromedp.ID("password")), chromedp.WaitVisible(chromedp.CSS(`.who a[href="/account"]`))); err != nil {
				t.Fatalf("sign in as %s: %v", user, err)
			}
		}
		for _, p := range pages {
			if p.user != user {
				continue
			}
			for _, width := range []int64{phoneWidth, 1280} {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800), chromedp.Navigate(ta.Srv.URL+p.url), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
					t.Fatalf("%s: %v", p.url, err)
				}
				problems, err := pageChecks(ctx, axe, width)
				if err != nil {
					t.Fatalf("%s: %v", p.url, err)
				}
				if len(problems) > 0 {
					t.Errorf("%s (%s, as %q, %d px):\n  %s", p.url, p.template, user, width, strings.Join(problems, "\n  "))
				}
			}
			checked++
		}
	}
	if checked < len(pages) {
		t.Fatalf("checked %d of %d pages", checked, len(pages))
	}
}
