package app

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPhoneExam: a candidate on a 375 px phone sits a three-hour
// exam. The site menu is not shown, the timer reads hours, the deadline is
// a clock time, "Nộp bài" is far from "save and next", an answered
// question is marked in the grid by a sign and in words, and submitting
// asks first, saying how many questions are blank.
func TestBrowserPhoneExam(t *testing.T) {
	ctx := browser(t)
	ta := newTestApp(t)
	examFixture(t, ta, `,"time_limit_min":180`)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(phoneWidth, 740),
		signIn(t, ta, "learner"),
		chromedp.Navigate(ta.Srv.URL+"/exams"),
		chromedp.Click(chromedp.CSS(`button.start`)),
		chromedp.WaitVisible(chromedp.ID("timer")),
	)
	if err != nil {
		t.Fatal(err)
	}
	var timer string
	for i := 0; i < 50 && !strings.HasPrefix(timer, "2:59:"); i++ {
		time.Sleep(100 * time.Millisecond)
		timer, _ = chromedp.Run(ctx, chromedp.Text(chromedp.ID("timer")))
	}
	if !strings.HasPrefix(timer, "2:59:") {
		t.Fatalf("a three-hour exam's timer reads %q", timer)
	}
	deadline, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("deadline")))
	if !strings.Contains(deadline, "giờ Việt Nam") || !strings.Contains(deadline, ":") {
		t.Fatalf("deadline %q", deadline)
	}
	menu, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.getElementById("site-menu") || document.body.textContent.includes("Đăng xuất")`))
	if menu {
		t.Fatal("the site menu (with Đăng xuất) is shown during the attempt")
	}
	gap, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById("submit-exam").getBoundingClientRect().top - document.getElementById("next").getBoundingClientRect().bottom`))
	if err != nil || gap < 150 {
		t.Fatalf("'Nộp bài' is %v px below 'save and next' (%v)", gap, err)
	}
	// Answer the first question (of whatever type the shuffle put first)
	// and move on: its number is marked.
	err = chromedp.Do(ctx,
		answerFirst(),
		chromedp.Click(chromedp.ID("next")),
		chromedp.WaitVisible(chromedp.CSS(`.qnav a.done`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	mark, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){ var a = document.querySelector(".qnav a.done"); return a.textContent + "|" + getComputedStyle(a, "::after").content; })()`))
	if !strings.Contains(mark, "đã trả lời") || !strings.Contains(mark, "✓") {
		t.Fatalf("an answered question in the grid reads %q", mark)
	}
	if score := submitConfirmed(t, ctx, 11); !strings.Contains(score, "/12 câu") {
		t.Fatalf("a 12-question exam is scored %q", score)
	}
}

// TestBrowserPhoneMenu: on a phone the site menu is folded behind
// "Danh mục" (without JavaScript), and opens when tapped.
func TestBrowserPhoneMenu(t *testing.T) {
	ctx := browser(t)
	ta := newTestApp(t)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(phoneWidth, 740),
		signIn(t, ta, "national"),
		chromedp.Navigate(ta.Srv.URL+"/units"),
		chromedp.WaitVisible(chromedp.CSS(`a.menu-open`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.getElementById("site-menu")).display !== "none"`))
	if shown {
		t.Fatal("the site menu takes the first screen on a phone")
	}
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a.menu-open`)), chromedp.WaitVisible(chromedp.CSS(`#site-menu a[href="/monitoring"]`)))
	if err != nil {
		t.Fatalf("the menu does not open: %v", err)
	}
	height, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`(function(){ document.location.hash = ""; return document.querySelector("header.top").getBoundingClientRect().height; })()`))
	if height > 120 {
		t.Fatalf("the closed header is %v px tall on a phone", height)
	}
}
