package app

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func form(v url.Values) (*strings.Reader, string, string) {
	return strings.NewReader(v.Encode()), "Content-Type", "application/x-www-form-urlencoded"
}

// After five failed sign-ins in a row a name waits before it may try
// again (the right password too), whether it has an account or not, with
// the same answer; the owner is e-mailed a one-use link that ends the wait.
func TestLoginSlowDownAndUnlock(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	c := ta.client("")
	try := func(user, pw string) (int, string) {
		body, k, v := form(url.Values{"username": {user}, "password": {pw}})
		status, page, _ := ta.do(c, "POST", "/login", body, k, v)
		return status, strings.ReplaceAll(page, user, "NAME")
	}
	var answers [2][]string
	for n, user := range []string{"learner", "no-such-person"} {
		for i := 1; i <= 5; i++ {
			status, page := try(user, "wrong password")
			if status != 401 || !strings.Contains(page, "Tên đăng nhập hoặc mật khẩu không đúng") {
				t.Fatalf("%s attempt %d: %d", user, i, status)
			}
		}
		status, page := try(user, testPassword)
		if status != 429 || !strings.Contains(page, "vui lòng đợi 30 giây") {
			t.Fatalf("%s after five failures: %d %.300s", user, status, page)
		}
		answers[n] = []string{strconv.Itoa(status), page}
	}
	if answers[0][1] != answers[1][1] {
		t.Fatal("a name with an account is answered differently from one without")
	}
	sent := ta.Mail.Sent()
	if len(sent) != 1 || sent[0].To != "learner@example.vn" || !strings.Contains(sent[0].Subject, "locked") {
		t.Fatalf("notice %+v", sent)
	}
	link := regexp.MustCompile(`/account/unlock/[A-Za-z0-9_-]+`).FindString(sent[0].Body)
	if link == "" {
		t.Fatalf("no unlock link in %q", sent[0].Body)
	}
	if status, page, _ := ta.do(c, "GET", link, nil); status != 200 || !strings.Contains(page, `action="`+link+`"`) {
		t.Fatalf("unlock page: %d", status)
	}
	if status, _, _ := ta.do(c, "POST", link, nil); status != 200 {
		t.Fatalf("unlock: %d", status)
	}
	if status, _ := try("learner", testPassword); status != 303 {
		t.Fatalf("after unlocking: %d", status)
	}
	if status, _, _ := ta.do(c, "POST", link, nil); status != 400 {
		t.Fatalf("unlock link used twice: %d", status)
	}
	// Without the link, the wait ends by itself (another account: the
	// per-name rate limit has been spent on learner).
	for i := 0; i < 5; i++ {
		try("author2", "wrong password")
	}
	if status, _ := try("author2", testPassword); status != 429 {
		t.Fatalf("waiting again: %d", status)
	}
	ta.App.Auth.Clock = func() time.Time { return time.Now().Add(31 * time.Second) }
	if status, _ := try("author2", testPassword); status != 303 {
		t.Fatalf("after the wait: %d", status)
	}
	var n int
	if err := ta.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action IN ('account_locked', 'account_unlocked') AND actor_id <> ''`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("slow-downs and unlock audited %d times: %v", n, err)
	}
}

func TestLoginRateLimitPerAddress(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
