package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"dxhub/internal/account"
	"dxhub/internal/testoidc"
)

// ssoTest is dxhub and a real OpenID provider (zitadel/oidc's op package)
// started by the test, the provider knowing dxhub as client "dxhub".
type ssoTest struct {
	*testApp
	prov  *testoidc.Provider
	other testoidc.Client
}

var ssoUsers = []testoidc.User{
	// A citizen new to dxhub, with a Vietnamese name.
	{ID: "hoa", Username: "hoa", Password: "mat-khau-cua-hoa", GivenName: "Lê Thị", FamilyName: "Hoa", Email: "hoa@tinh.gov.vn", EmailVerified: true},
	// The owner of dxhub's test account "learner" (learner@example.vn).
	{ID: "learner", Username: "learner", Password: "mat-khau-hoc-vien", GivenName: "Học", FamilyName: "Viên", Email: "learner@example.vn", EmailVerified: true},
	// Someone whose provider has not checked the address they typed: the
	// address of "author" must not let them into that account.
	{ID: "mallory", Username: "mallory", Password: "mat-khau-mallory", GivenName: "Mallory", Email: "author@example.vn", EmailVerified: false},
}

func newSSOTest(t *testing.T) *ssoTest {
	ta := newTestApp(t)
	other := testoidc.Client{ID: "other-app", Secret: "other-secret", RedirectURIs: []string{"http://127.0.0.1:1/cb"}}
	prov, err := testoidc.Start("127.0.0.1:0", ssoUsers, []testoidc.Client{
		{ID: "dxhub", Secret: "dxhub-secret", RedirectURIs: []string{ta.Srv.URL + "/auth/oidc/gov/callback"}},
		other,
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prov.Close)
	cfgs, err := account.ParseProviders("id=gov,issuer="+prov.Issuer+",client=dxhub,name=Cổng định danh", func(string) string { return "dxhub-secret" })
	if err != nil {
		t.Fatal(err)
	}
	ta.App.Account.SSO = account.NewSSO(cfgs, ta.Srv.URL)
	return &ssoTest{testApp: ta, prov: prov, other: other}
}

// begin presses "sign in with" on dxhub and signs in at the provider as
// username; it returns the URL the provider sends the browser back to.
func (st *ssoTest) begin(c *http.Client, path, username, password string) *url.URL {
	st.t.Helper()
	resp, err := c.Get(st.Srv.URL + path + "?next=%2Flearn")
	if err != nil {
		st.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		st.t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	to, _ := resp.Location()
	q := to.Query()
	if !strings.HasPrefix(to.String(), st.prov.Issuer+"/") || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" || q.Get("client_id") != "dxhub" {
		st.t.Fatalf("authorization request lacks PKCE, nonce or state: %s", to)
	}
	resp, err = c.Get(to.String())
	if err != nil {
		st.t.Fatal(err)
	}
	resp.Body.Close()
	login, err := resp.Location()
	if err != nil {
		st.t.Fatalf("provider answered %d to the authorization request", resp.StatusCode)
	}
	back, err := st.prov.SignIn(context.Background(), c, st.prov.Issuer+login.RequestURI(), username, password)
	if err != nil {
		st.t.Fatal(err)
	}
	if !strings.HasPrefix(back.String(), st.Srv.URL+"/auth/oidc/gov/callback?") {
		st.t.Fatalf("provider sent the browser to %s", back)
	}
	return back
}

// signIn runs the whole sign-in and returns dxhub's answer to the callback.
func (st *ssoTest) signIn(c *http.Client, username, password string) (int, string, http.Header) {
	back := st.begin(c, "/auth/oidc/gov", username, password)
	return st.do(c, "GET", strings.TrimPrefix(back.String(), st.Srv.URL), nil)
}

func (st *ssoTest) post(c *http.Client, path string, v url.Values) (int, string, http.Header) {
	fb, k, val := form(v)
	return st.do(c, "POST", path, fb, k, val)
}

func (st *ssoTest) me(c *http.Client) (int, map[string]any) {
	code, body, _ := st.do(c, "GET", "/api/v1/me", nil)
	var m map[string]any
	json.Unmarshal([]byte(body), &m)
	return code, m
}

func TestSSOFirstSignInMakesACitizenAccount(t *testing.T) {
	st := newSSOTest(t)
	anon := st.client("")
	_, page, _ := st.do(anon, "GET", "/login", nil)
	if !strings.Contains(page, `href="/auth/oidc/gov?next=%2f"`) || !strings.Contains(page, "Đăng nhập bằng Cổng định danh") {
		t.Fatal("the sign-in page offers no provider")
	}
	code, body, h := st.signIn(anon, "hoa", "mat-khau-cua-hoa")
	if code != http.StatusSeeOther || h.Get("Location") != "/courses?welcome=1" {
		t.Fatalf("first sign-in: %d %s %s", code, h.Get("Location"), body)
	}
	code, me := st.me(anon)
	if code != 200 || me["display_name"] != "Lê Thị Hoa" || me["username"] != "hoa@tinh.gov.vn" {
		t.Fatalf("signed in as %v (%d)", me, code)
	}
	id := me["account_id"]
	_, data, _ := st.do(anon, "GET", "/api/v1/me/data", nil)
	if !strings.Contains(data, `"provider":"gov"`) || !strings.Contains(data, `"kind":"terms"`) {
		t.Fatalf("my data lacks the linked provider or the terms: %s", data)
	}
	// Signing in again finds the same account, and goes where asked.
	again := st.client("")
	code, _, h = st.signIn(again, "hoa", "mat-khau-cua-hoa")
	if code != http.StatusSeeOther || h.Get("Location") != "/learn" {
		t.Fatalf("second sign-in: %d %s", code, h.Get("Location"))
	}
	if _, me := st.me(again); me["account_id"] != id {
		t.Fatalf("second sign-in reached account %v, want %v", me["account_id"], id)
	}
	// The only way into this account cannot be unlinked.
	if code, body, _ := st.do(again, "DELETE", "/api/v1/me/identities/gov", nil); code != http.StatusConflict || !strings.Contains(body, "mật khẩu") {
		t.Fatalf("unlinking the only way in: %d %s", code, body)
	}
	// Deleting it asks for the sign-in name, as there is no password.
	if code, _, _ := st.post(again, "/account/delete", url.Values{"password": {"wrong"}}); code != http.StatusBadRequest {
		t.Fatalf("delete with a wrong name: %d", code)
	}
	if code, _, _ := st.post(again, "/account/delete", url.Values{"password": {"hoa@tinh.gov.vn"}}); code != http.StatusSeeOther {
		t.Fatalf("delete: %d", code)
	}
	// The provider's person is then new to dxhub again.
	third := st.client("")
	st.signIn(third, "hoa", "mat-khau-cua-hoa")
	if _, me := st.me(third); me["account_id"] == id || me["account_id"] == nil {
		t.Fatalf("after deletion the sign-in reached %v", me["account_id"])
	}
	var n int
	st.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'oidc_account_created'`).Scan(&n)
	if n != 2 {
		t.Fatalf("%d accounts made through the provider in the audit, want 2", n)
	}
}

func TestSSOLinksAnExistingAccountOnlyWithItsPassword(t *testing.T) {
	st := newSSOTest(t)
	c := st.client("")
	code, body, _ := st.signIn(c, "learner", "mat-khau-hoc-vien")
	if code != http.StatusOK || !strings.Contains(body, "learner@example.vn") || !strings.Contains(body, `action="/auth/oidc/link"`) {
		t.Fatalf("verified address of an existing account: %d %s", code, body)
	}
	if code, _ := st.me(c); code != http.StatusUnauthorized {
		t.Fatal("signed in before the link was confirmed")
	}
	token := between(body, `name="token" value="`, `"`)
	if code, body, _ := st.post(c, "/auth/oidc/link", url.Values{"token": {token}, "password": {"not the password"}}); code != http.StatusBadRequest || !strings.Contains(body, "mật khẩu không đúng") {
		t.Fatalf("wrong password: %d %s", code, body)
	}
	if code, _, h := st.post(c, "/auth/oidc/link", url.Values{"token": {token}, "password": {testPassword}}); code != http.StatusSeeOther || h.Get("Location") != "/learn" {
		t.Fatalf("right password: %d %s", code, h.Get("Location"))
	}
	if _, me := st.me(c); me["username"] != "learner" {
		t.Fatalf("signed in as %v", me["username"])
	}
	if code, _, _ := st.post(c, "/auth/oidc/link", url.Values{"token": {token}, "password": {testPassword}}); code != http.StatusBadRequest {
		t.Fatalf("a link token used twice: %d", code)
	}
	// From now on the provider signs the learner in directly.
	c2 := st.client("")
	if code, _, _ := st.signIn(c2, "learner", "mat-khau-hoc-vien"); code != http.StatusSeeOther {
		t.Fatalf("sign-in after linking: %d", code)
	}
	if _, me := st.me(c2); me["username"] != "learner" {
		t.Fatalf("signed in as %v", me["username"])
	}
	// The learner has a password, so the link can go.
	if code, body, _ := st.do(c2, "DELETE", "/api/v1/me/identities/gov", nil); code != 200 {
		t.Fatalf("unlink: %d %s", code, body)
	}
	if _, body, _ := st.do(c2, "GET", "/api/v1/me/identities", nil); strings.Contains(body, "gov") {
		t.Fatalf("still linked: %s", body)
	}

	// An address the provider has not verified links nothing: Mallory
	// gets an account of her own, without that address.
	m := st.client("")
	if code, _, _ := st.signIn(m, "mallory", "mat-khau-mallory"); code != http.StatusSeeOther {
		t.Fatalf("unverified address: %d", code)
	}
	_, me := st.me(m)
	if u, _ := me["username"].(string); !strings.HasPrefix(u, "gov-") {
		t.Fatalf("unverified address reached account %v", me["username"])
	}
	_, data, _ := st.do(m, "GET", "/api/v1/me/data", nil)
	if strings.Contains(data, "author@example.vn") {
		t.Fatal("an unverified address was stored")
	}
}

func TestSSOLinkFromTheAccountPage(t *testing.T) {
	st := newSSOTest(t)
	c := st.client("author2")
	_, page, _ := st.do(c, "GET", "/account/data", nil)
	if !strings.Contains(page, `href="/account/sso/gov/link"`) {
		t.Fatal("my data page offers no provider to link")
	}
	back := st.begin(c, "/account/sso/gov/link", "hoa", "mat-khau-cua-hoa")
	code, _, h := st.do(c, "GET", strings.TrimPrefix(back.String(), st.Srv.URL), nil)
	if code != http.StatusSeeOther || h.Get("Location") != "/account/data#sso" {
		t.Fatalf("link from the account page: %d %s", code, h.Get("Location"))
	}
	fresh := st.client("")
	st.signIn(fresh, "hoa", "mat-khau-cua-hoa")
	if _, me := st.me(fresh); me["username"] != "author2" {
		t.Fatalf("the linked provider signs in as %v", me["username"])
	}
}

// TestSSORefusesWhatItMust: every way a callback can be forged or stale
// leaves the browser signed out, with a page that says why.
func TestSSORefusesWhatItMust(t *testing.T) {
	st := newSSOTest(t)
	signedOut := func(c *http.Client, what string) {
		t.Helper()
		if code, _ := st.me(c); code != http.StatusUnauthorized {
			t.Fatalf("%s: signed in", what)
		}
	}
	refused := func(what string, code int, body string, want string) {
		t.Helper()
		if code != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Fatalf("%s: %d %s", what, code, body)
		}
		if !strings.Contains(body, `href="/login"`) {
			t.Fatalf("%s: no way back to the password sign-in", what)
		}
	}

	// Replayed state: the callback of a finished sign-in, shown again with
	// its state cookie, is refused.
	c := st.client("")
	back := st.begin(c, "/auth/oidc/gov", "hoa", "mat-khau-cua-hoa")
	path := strings.TrimPrefix(back.String(), st.Srv.URL)
	if code, _, _ := st.do(c, "GET", path, nil); code != http.StatusSeeOther {
		t.Fatalf("first callback: %d", code)
	}
	replay := st.client("")
	u, _ := url.Parse(st.Srv.URL + "/auth/oidc/")
	replay.Jar.SetCookies(u, []*http.Cookie{{Name: "dxhub_oidc", Value: back.Query().Get("state")}})
	code, body, _ := st.do(replay, "GET", path, nil)
	refused("replayed state", code, body, "đã được dùng")
	signedOut(replay, "replayed state")

	// A callback reaching another browser (no state cookie): refused.
	other := st.client("")
	back = st.begin(st.client(""), "/auth/oidc/gov", "hoa", "mat-khau-cua-hoa")
	code, body, _ = st.do(other, "GET", strings.TrimPrefix(back.String(), st.Srv.URL), nil)
	refused("callback in another browser", code, body, "không bắt đầu từ trình duyệt này")
	signedOut(other, "callback in another browser")

	// Wrong audience: a genuine token the provider issued to another
	// application for the same sign-in (same person, same nonce), put in
	// dxhub's token answer.
	claimsOf := func(tok string) map[string]any {
		payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
		var claims map[string]any
		json.Unmarshal(payload, &claims)
		return claims
	}
	var foreignErr error
	st.prov.Tamper("dxhub", func(tok string) string {
		nonce, _ := claimsOf(tok)["nonce"].(string)
		foreign, err := st.prov.IDToken(context.Background(), st.other, "hoa", "mat-khau-cua-hoa", nonce)
		if err != nil {
			foreignErr = err
			return tok
		}
		return foreign
	})
	c = st.client("")
	code, body, _ = st.signIn(c, "hoa", "mat-khau-cua-hoa")
	if foreignErr != nil {
		t.Fatal(foreignErr)
	}
	refused("wrong audience", code, body, "Không xác minh được")
	signedOut(c, "wrong audience")

	// Tampered signature: dxhub's own token with the subject changed to
	// another person's, the signature left as it was.
	st.prov.Tamper("dxhub", func(tok string) string {
		parts := strings.Split(tok, ".")
		claims := claimsOf(tok)
		claims["sub"] = "learner"
		payload, _ := json.Marshal(claims)
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
	})
	c = st.client("")
	code, body, _ = st.signIn(c, "hoa", "mat-khau-cua-hoa")
	refused("tampered signature", code, body, "Không xác minh được")
	signedOut(c, "tampered signature")
	st.prov.Tamper("", nil)

	// A replayed ID token: genuine, for dxhub, unexpired, but from an
	// earlier sign-in (another nonce).
	var earlier string
	st.prov.Tamper("dxhub", func(tok string) string { earlier = tok; return tok })
	st.signIn(st.client(""), "hoa", "mat-khau-cua-hoa")
	st.prov.Tamper("dxhub", func(string) string { return earlier })
	c = st.client("")
	code, body, _ = st.signIn(c, "hoa", "mat-khau-cua-hoa")
	refused("replayed ID token", code, body, "Không xác minh được")
	signedOut(c, "replayed ID token")
	st.prov.Tamper("", nil)

	// Expired token: dxhub's clock two hours after the provider's (its
	// ID tokens live an hour).
	st.App.Account.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
	c = st.client("")
	code, body, _ = st.signIn(c, "hoa", "mat-khau-cua-hoa")
	refused("expired token", code, body, "Không xác minh được")
	signedOut(c, "expired token")
	st.App.Account.SetClock(nil)

	// Cancelled at the provider.
	code, body, _ = st.do(st.client(""), "GET", "/auth/oidc/gov/callback?error=access_denied&state=x", nil)
	refused("cancelled", code, body, "đã hủy")

	// Each refusal is in the audit log with its reason.
	var n int
	st.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'oidc_failed'`).Scan(&n)
	if n < 5 {
		t.Fatalf("%d failed sign-ins audited, want at least 5", n)
	}

	// Provider down: the button answers a page that says so, and the
	// password sign-in still works.
	st.prov.Close()
	st.App.Account.SetClock(func() time.Time { return time.Now().Add(2 * freshForTest) })
	code, body, _ = st.do(st.client(""), "GET", "/auth/oidc/gov", nil)
	if code != http.StatusBadGateway || !strings.Contains(body, "Không kết nối được với Cổng định danh") || !strings.Contains(body, `href="/login"`) {
		t.Fatalf("provider down: %d %s", code, body)
	}
	if code, _ := st.me(st.client("learner")); code != 200 {
		t.Fatal("password sign-in fails while the provider is down")
	}
	// An unknown provider is a 404, not a crash.
	if code, _, _ := st.do(st.client(""), "GET", "/auth/oidc/nope", nil); code != http.StatusNotFound {
		t.Fatalf("unknown provider: %d", code)
	}
}

// freshForTest is past account.freshFor: the discovery is read again.
const freshForTest = 2 * time.Minute

func TestParseProviders(t *testing.T) {
	got, err := account.ParseProviders(" id=vneid, issuer=https://sso.example.vn/ ,client=dxhub,name=VNeID ; id=hn,issuer=https://id.hanoi.example.vn,client=x", func(id string) string { return "s-" + id })
	if err != nil || len(got) != 2 || got[0].Name != "VNeID" || got[0].ClientSecret != "s-vneid" || got[1].Name != "hn" || got[1].Issuer != "https://id.hanoi.example.vn" {
		t.Fatalf("%+v %v", got, err)
	}
	for _, bad := range []string{
		"id=Bad Id,issuer=https://x.vn,client=c",
		"id=a,issuer=ftp://x.vn,client=c",
		"id=a,issuer=https://x.vn",
		"id=a,issuer=https://x.vn,client=c,secret=s",
		"id=a,issuer=https://x.vn,client=c;id=a,issuer=https://y.vn,client=c",
		"id=link,issuer=https://x.vn,client=c",
		"id=a,issuer=https://x.vn,client=c,colour=blue",
		"id=a,issuer",
	} {
		if _, err := account.ParseProviders(bad, nil); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
