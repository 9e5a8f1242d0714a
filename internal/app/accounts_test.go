package app

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func form(v url.Values) (*strings.Reader, string, string) {
	return strings.NewReader(v.Encode()), "Content-Type", "application/x-www-form-urlencoded"
}

func TestLoginLockoutAndNotice(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client("")
	for i := 1; i <= 4; i++ {
		body, k, v := form(url.Values{"username": {"learner"}, "password": {"wrong password"}})
		status, page, _ := ta.do(c, "POST", "/login", body, k, v)
		if status != 401 || !strings.Contains(page, "Tên đăng nhập hoặc mật khẩu không đúng") {
			t.Fatalf("attempt %d: %d", i, status)
		}
	}
	body, k, v := form(url.Values{"username": {"learner"}, "password": {"wrong password"}})
	status, page, _ := ta.do(c, "POST", "/login", body, k, v)
	if status != 403 || !strings.Contains(page, "tạm khóa") {
		t.Fatalf("fifth failure: %d %.300s", status, page)
	}
	sent := ta.Mail.Sent()
	if len(sent) != 1 || sent[0].To != "learner@example.vn" || !strings.Contains(sent[0].Subject, "locked") {
		t.Fatalf("lock-out notice %+v", sent)
	}
	// Even the right password is refused while locked.
	body, k, v = form(url.Values{"username": {"learner"}, "password": {testPassword}})
	if status, _, _ := ta.do(c, "POST", "/login", body, k, v); status != 403 {
		t.Fatalf("locked account signed in: %d", status)
	}
	// After the lock-out the right password works again.
	ta.App.Auth.Clock = func() time.Time { return time.Now().Add(16 * time.Minute) }
	body, k, v = form(url.Values{"username": {"learner"}, "password": {testPassword}})
	if status, _, _ := ta.do(c, "POST", "/login", body, k, v); status != 303 {
		t.Fatalf("after lock-out: %d", status)
	}
	_, audit, _ := ta.do(ta.client("national"), "GET", "/api/v1/audit?action=account_locked", nil)
	if !strings.Contains(audit, `"actor_name":"learner"`) {
		t.Fatalf("lock-out not audited: %s", audit)
	}
}

func TestLoginRateLimitPerAddress(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client("")
	limited := false
	for i := 0; i < 40 && !limited; i++ {
		body, k, v := form(url.Values{"username": {"nobody" + string(rune('a'+i%26))}, "password": {"x"}})
		status, _, _ := ta.do(c, "POST", "/login", body, k, v)
		limited = status == 429
	}
	if !limited {
		t.Fatal("40 rapid sign-ins from one address were never limited")
	}
}

func TestSessionExpiresAndLogout(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client("daklak")
	if status, _, _ := ta.do(c, "GET", "/api/v1/me", nil); status != 200 {
		t.Fatalf("me: %d", status)
	}
	ta.App.Auth.Clock = func() time.Time { return time.Now().Add(13 * time.Hour) }
	if status, _, _ := ta.do(c, "GET", "/api/v1/me", nil); status != 401 {
		t.Fatalf("expired session still works: %d", status)
	}
	ta.App.Auth.Clock = nil
	c = ta.client("daklak")
	if status, _, _ := ta.do(c, "POST", "/logout", nil); status != 303 {
		t.Fatalf("logout: %d", status)
	}
	if status, _, _ := ta.do(c, "GET", "/api/v1/me", nil); status != 401 {
		t.Fatalf("session alive after logout: %d", status)
	}
}

func TestPasswordChangeAndReset(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client("learner")
	body, k, v := form(url.Values{"old": {"not it at all"}, "new": {"a brand new secret"}, "confirm": {"a brand new secret"}})
	if status, page, _ := ta.do(c, "POST", "/account/password", body, k, v); status != 400 || !strings.Contains(page, "mật khẩu hiện tại không đúng") {
		t.Fatalf("wrong old password: %d", status)
	}
	body, k, v = form(url.Values{"old": {testPassword}, "new": {"short"}, "confirm": {"short"}})
	if status, _, _ := ta.do(c, "POST", "/account/password", body, k, v); status != 400 {
		t.Fatalf("short password: %d", status)
	}
	body, k, v = form(url.Values{"old": {testPassword}, "new": {"a brand new secret"}, "confirm": {"a brand new secret"}})
	if status, _, _ := ta.do(c, "POST", "/account/password", body, k, v); status != 303 {
		t.Fatalf("change: %d", status)
	}
	if status, _, _ := ta.do(c, "GET", "/api/v1/me", nil); status != 401 {
		t.Fatal("old session survived a password change")
	}

	anon := ta.client("")
	body, k, v = form(url.Values{"who": {"learner@example.vn"}})
	if status, _, _ := ta.do(anon, "POST", "/password/forgot", body, k, v); status != 200 {
		t.Fatalf("forgot: %d", status)
	}
	sent := ta.Mail.Sent()
	link := regexp.MustCompile(`http://dxhub.test(/password/reset/[0-9a-f]+)`).FindStringSubmatch(sent[len(sent)-1].Body)
	if link == nil {
		t.Fatalf("no reset link in %+v", sent)
	}
	body, k, v = form(url.Values{"password": {"third secret here"}, "confirm": {"third secret here"}})
	if status, _, _ := ta.do(anon, "POST", link[1], body, k, v); status != 303 {
		t.Fatalf("reset: %d", status)
	}
	body, k, v = form(url.Values{"password": {"fourth secret here"}, "confirm": {"fourth secret here"}})
	if status, _, _ := ta.do(anon, "POST", link[1], body, k, v); status != 400 {
		t.Fatalf("reset link reused: %d", status)
	}
	body, k, v = form(url.Values{"username": {"learner"}, "password": {"third secret here"}})
	if status, _, _ := ta.do(anon, "POST", "/login", body, k, v); status != 303 {
		t.Fatalf("sign in with the reset password: %d", status)
	}
	// Unknown accounts get the same answer and no mail.
	n := len(ta.Mail.Sent())
	body, k, v = form(url.Values{"who": {"nobody"}})
	if status, _, _ := ta.do(anon, "POST", "/password/forgot", body, k, v); status != 200 || len(ta.Mail.Sent()) != n {
		t.Fatalf("unknown account: %d", status)
	}
}

func TestLoginRedirectStaysOnSite(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client("")
	for next, want := range map[string]string{"/people": "/people", "//evil.example": "/", "https://evil.example": "/", "/\\evil": "/"} {
		body, k, v := form(url.Values{"username": {"daklak"}, "password": {testPassword}, "next": {next}})
		_, _, h := ta.do(c, "POST", "/login", body, k, v)
		if h.Get("Location") != want {
			t.Errorf("next=%q redirected to %q, want %q", next, h.Get("Location"), want)
		}
	}
}
