package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// pdfText reads a PDF's text with poppler's pdftotext, as a person's
// reader would show it (the test command installs poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("DXHUB_BROWSER") == "required" {
			t.Fatal("pdftotext is not installed (the test command installs poppler-utils)")
		}
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	path := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestBrowserCertificateJourney: on a phone, the learner passes the exam
// and finds the certificate on "My certificates"; its PDF (read with
// pdftotext) names them in Vietnamese and prints the link its QR code
// holds; that link says valid; the unit's administrator revokes it on
// the same page, which then says revoked. The pages pass axe-core.
func TestBrowserCertificateJourney(t *testing.T) {
	ctx := browser(t)
	axe := axeScript(t)
	ta := newTestApp(t)
	_, sid := examFixture(t, ta, "")
	defineAchievement(t, ta, "daklak", `{"code":"KNS-SH","unit_code":"66","name":"Chứng nhận kỹ năng số cơ bản","criteria":"Đạt kỳ sát hạch.","rule":"session","rule_ref":"`+sid+`"}`)
	if _, err := ta.App.DB.W.Exec(`UPDATE accounts SET display_name = 'Đỗ Thị Hương Giang' WHERE username = 'learner'`); err != nil {
		t.Fatal(err)
	}
	passExam(t, ta, "learner", sid)
	if err := ta.App.Events.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	check := func(what string) { t.Helper(); phoneCheck(t, ctx, axe, what) }
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(phoneWidth, 800),
		signIn(t, ta, "learner"),
		chromedp.Navigate(ta.Srv.URL+"/certificates"),
		chromedp.WaitVisible(chromedp.CSS("#certificates a.pdf")),
	)
	if err != nil {
		t.Fatal(err)
	}
	check("my certificates")
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#certificates a.pdf"), "href"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, h := ta.do(ta.client(""), "GET", href.Value, nil); code != 401 && !(code == 303 && strings.HasPrefix(h.Get("Location"), "/login")) {
		t.Fatalf("the PDF, which names the holder, is open to anyone: %d", code)
	}
	code, pdf, h := ta.do(ta.client("learner"), "GET", href.Value, nil)
	if code != 200 || h.Get("Content-Type") != "application/pdf" || len(pdf) > 200_000 {
		t.Fatalf("PDF: %d %s, %d bytes", code, h.Get("Content-Type"), len(pdf))
	}
	text := pdfText(t, []byte(pdf))
	if !strings.Contains(text, "Đỗ Thị Hương Giang") || !strings.Contains(text, "Chứng nhận kỹ năng số cơ bản") {
		t.Fatalf("the PDF reads:\n%s", text)
	}
	link := regexp.MustCompile(`http://dxhub\.test(/credentials/[0-9a-f-]{36})`).FindStringSubmatch(strings.Join(strings.Fields(text), ""))
	if link == nil {
		t.Fatalf("no verification link in the PDF:\n%s", text)
	}
	verdict := func() string {
		v, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("verdict"), "data-result"))
		if err != nil {
			t.Fatal(err)
		}
		return v.Value
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(ta.Srv.URL+link[1]), chromedp.WaitVisible(chromedp.ID("verdict"))); err != nil {
		t.Fatal(err)
	}
	check("verification page")
	if v := verdict(); v != "valid" {
		t.Fatalf("the QR link says %s", v)
	}
	err = chromedp.Do(ctx,
		clearCookies,
		signIn(t, ta, "daklak"),
		chromedp.Navigate(ta.Srv.URL+link[1]),
		chromedp.WaitVisible(chromedp.ID("revoke")),
	)
	if err != nil {
		t.Fatal(err)
	}
	check("verification page with the revoke form")
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("reason"), "fraud"),
		chromedp.Click(chromedp.ID("revoke")),
		chromedp.WaitNotPresent(chromedp.ID("revoke")),
		chromedp.WaitVisible(chromedp.ID("verdict")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if v := verdict(); v != "revoked" {
		t.Fatalf("after revoking the page says %s", v)
	}
	say, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("verdict")))
	if !strings.Contains(say, "gian lận") {
		t.Fatalf("the reason is not shown: %q", say)
	}
}
