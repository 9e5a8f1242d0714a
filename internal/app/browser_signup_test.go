package app

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSignUpJourney: an anonymous visitor on a phone signs up with
// a Vietnamese name, follows the e-mailed link and confirms, enrols in a
// course, starts the open exam, looks at their data, moves their sign-in
// to another address, deletes the account and can no longer sign in.
func TestBrowserSignUpJourney(t *testing.T) {
	ctx := browser(t)
	ta := newTestApp(t)
	learnFixture(t, ta)
	examSession(t, ta, "")
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(phoneWidth, 800),
		chromedp.Navigate(ta.Srv.URL+"/"),
		chromedp.Click(chromedp.CSS(`a.signup`)),
		chromedp.WaitVisible(chromedp.ID("signup")),
		chromedp.SendKeys(chromedp.ID("name"), "Đỗ Thị Hương Giang"),
		chromedp.SendKeys(chromedp.ID("contact"), "giang@example.vn"),
		chromedp.SendKeys(chromedp.ID("password"), "sông Hồng nước đỏ"),
		chromedp.SendKeys(chromedp.ID("place"), "buon ma thuot"),
		chromedp.Click(chromedp.ID("terms")),
		chromedp.Click(chromedp.ID("signup-submit")),
		chromedp.WaitVisible(chromedp.ID("sent")),
	)
	if err != nil {
		t.Fatal(err)
	}
	mails := ta.Mail.Sent()
	link := regexp.MustCompile(`http://dxhub.test(/signup/confirm/[0-9a-f]+)`).FindStringSubmatch(mails[len(mails)-1].Body)
	if link == nil {
		t.Fatalf("no confirmation link in %q", mails[len(mails)-1].Body)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(ta.Srv.URL+link[1]),
		chromedp.Click(chromedp.ID("confirm")),
		chromedp.WaitVisible(chromedp.ID("catalogue")),
		chromedp.Navigate(ta.Srv.URL+"/courses/KNS-TEST"),
		chromedp.Click(chromedp.ID("enrol")),
		chromedp.WaitVisible(chromedp.ID("complete")),
		chromedp.Navigate(ta.Srv.URL+"/exams"),
		chromedp.Click(chromedp.CSS(`button.start`)),
		chromedp.WaitVisible(chromedp.ID("timer")),
		chromedp.Navigate(ta.Srv.URL+"/account/data"),
		chromedp.WaitVisible(chromedp.ID("about")),
	)
	if err != nil {
		t.Fatal(err)
	}
	about, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("about")))
	if !strings.Contains(about, "Đỗ Thị Hương Giang") || !strings.Contains(about, "giang@example.vn") || !strings.Contains(about, "24121") {
		t.Fatalf("my data shows %q", about)
	}
	// She moves her sign-in to another address, confirmed by its link.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("new-contact"), "giang.do@example.vn"),
		chromedp.Click(chromedp.ID("change-contact")),
		chromedp.WaitVisible(chromedp.ID("contact-sent")),
	)
	if err != nil {
		t.Fatal(err)
	}
	mails = ta.Mail.Sent()
	link = regexp.MustCompile(`http://dxhub.test(/account/contact/confirm/[0-9a-f]+)`).FindStringSubmatch(mails[len(mails)-1].Body)
	if link == nil || mails[len(mails)-1].To != "giang.do@example.vn" {
		t.Fatalf("no contact link to the new address in %+v", mails[len(mails)-1])
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(ta.Srv.URL+link[1]),
		chromedp.Click(chromedp.ID("contact-confirm")),
		chromedp.WaitVisible(chromedp.ID("contact-changed")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if about, _ = chromedp.Run(ctx, chromedp.Text(chromedp.ID("about"))); !strings.Contains(about, "giang.do@example.vn") {
		t.Fatalf("after the change my data shows %q", about)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("del-pw"), "sông Hồng nước đỏ"),
		chromedp.Click(chromedp.ID("delete-account")),
		chromedp.WaitVisible(chromedp.ID("deleted")),
		chromedp.Navigate(ta.Srv.URL+"/login"),
		chromedp.SendKeys(chromedp.ID("username"), "giang.do@example.vn"),
		chromedp.SendKeys(chromedp.ID("password"), "sông Hồng nước đỏ"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("login-error")),
	)
	if err != nil {
		t.Fatalf("after deleting the account: %v", err)
	}
}
