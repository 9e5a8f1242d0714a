package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// clearCookies signs the browser out of every site.
var clearCookies = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
	return err
})

// TestBrowserSSOJourney: on a phone, a citizen new to dxhub signs in
// with the provider (a real one, started by the test) and lands in the
// catalogue with a new account; the owner of an existing account links it
// with their password; when the provider is down the button says so and
// the password sign-in works. The dxhub pages on the way pass axe-core.
func TestBrowserSSOJourney(t *testing.T) {
	ctx := browser(t)
	axe := axeScript(t)
	st := newSSOTest(t)
	learnFixture(t, st.testApp)
	check := func(what string) { t.Helper(); phoneCheck(t, ctx, axe, what) }
	atProvider := func(user, password string) chromedp.Action[chromedp.Void] {
		// The provider's own page (its form posts to /login/username).
		return chromedp.Steps(
			chromedp.WaitReady(chromedp.CSS(`form[action="/login/username"]`)),
			chromedp.SendKeys(chromedp.ID("username"), user),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Submit(chromedp.ID("password")),
		)
	}
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(phoneWidth, 800),
		chromedp.Navigate(st.Srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("sso-gov")),
	)
	if err != nil {
		t.Fatal(err)
	}
	check("sign-in page with a provider")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("sso-gov")),
		atProvider("hoa", "mat-khau-cua-hoa"),
		chromedp.WaitVisible(chromedp.ID("catalogue")),
	)
	if err != nil {
		t.Fatal(err)
	}
	who, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".who")))
	if !strings.Contains(who, "Lê Thị Hoa") {
		t.Fatalf("signed in as %q", who)
	}

	// The owner of "learner" signs in with the provider: asked for the
	// dxhub password before the accounts are linked.
	err = chromedp.Do(ctx,
		clearCookies,
		chromedp.Navigate(st.Srv.URL+"/login"),
		chromedp.Click(chromedp.ID("sso-gov")),
		atProvider("learner", "mat-khau-hoc-vien"),
		chromedp.WaitVisible(chromedp.ID("link-pw")),
	)
	if err != nil {
		t.Fatal(err)
	}
	check("link page")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("link-pw"), testPassword),
		chromedp.Click(chromedp.ID("link")),
		chromedp.WaitNotPresent(chromedp.ID("link-pw")),
		chromedp.Navigate(st.Srv.URL+"/account/data"),
		chromedp.WaitVisible(chromedp.ID("identities")),
	)
	if err != nil {
		t.Fatal(err)
	}
	check("my data with a linked provider")
	ids, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("identities")))
	if !strings.Contains(ids, "Cổng định danh") {
		t.Fatalf("linked providers shown: %q", ids)
	}

	// The provider goes down.
	st.prov.Close()
	st.App.Account.SetClock(func() time.Time { return time.Now().Add(freshForTest) })
	err = chromedp.Do(ctx,
		clearCookies,
		chromedp.Navigate(st.Srv.URL+"/login"),
		chromedp.Click(chromedp.ID("sso-gov")),
		chromedp.WaitVisible(chromedp.ID("sso-error")),
	)
	if err != nil {
		t.Fatal(err)
	}
	check("provider down")
	msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("sso-error")))
	if !strings.Contains(msg, "Không kết nối được") {
		t.Fatalf("provider down says %q", msg)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("password-login")),
		chromedp.SendKeys(chromedp.ID("username"), "learner"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(`.who a[href="/account"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
}
