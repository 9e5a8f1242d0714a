package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"dxhub/internal/demo"
	"dxhub/internal/learning"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db/dbtest"
	"dxhub/internal/platform/mail"
)

const testPassword = "correct horse battery"

// testApp is a running dxhub over a fresh database with a small tree, a
// person in each province and accounts for the scenarios.
type testApp struct {
	t    *testing.T
	App  *App
	Srv  *httptest.Server
	Mail *mail.LogSender

	signedIn map[string]*http.Client
}

// as returns a client signed in as user, signing in once per test app
// (the login rate limit counts every sign-in).
func (ta *testApp) as(user string) *http.Client {
	if c, ok := ta.signedIn[user]; ok {
		return c
	}
	if ta.signedIn == nil {
		ta.signedIn = map[string]*http.Client{}
	}
	c := ta.client(user)
	ta.signedIn[user] = c
	return c
}

// accounts: username → role@unit ("" for a plain learner).
var testAccounts = map[string]string{
	"national": "national_admin@VN",
	"daklak":   "unit_admin@66",
	"dongnai":  "unit_admin@75",
	"examiner": "exam_admin@66",
	"author":   "author@VN",
	"author2":  "author@VN",
	"dlauthor": "author@66",
	"learner":  "",
}

func newTestApp(t *testing.T) *testApp {
	t.Helper()
	d := dbtest.Open(t)
	var out io.Writer = io.Discard
	if os.Getenv("DXHUB_TEST_LOG") != "" {
		out = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := Build(Config{FilesDir: t.TempDir(), BaseURL: "http://dxhub.test", CredentialKey: "test-seal-key"}, log, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Exams.Close(); a.Audit.Close() })
	a.Events.Start(context.Background())
	t.Cleanup(a.Events.Close)
	if err := a.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	ls := &mail.LogSender{Log: log}
	a.Mail, a.Auth.Mail, a.Learn.Mail, a.Mon.Mail, a.Account.Mail, a.Net.Mail, a.Exp.Mail, a.Camp.Mail = ls, ls, ls, ls, ls, ls, ls, ls
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	if _, err := a.Org.ImportUnits(ctx, strings.NewReader(demo.SampleUnitsCSV)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Org.ImportPeople(ctx, strings.NewReader("key,full_name,unit_code,groups\nA1,Nguyễn Văn Ánh,24121,dx_staff\nB1,Trần Thị Bưởi,26041,teacher\n"), ""); err != nil {
		t.Fatal(err)
	}
	for name, grant := range testAccounts {
		if _, err := a.Auth.CreateAccount(ctx, auth.NewAccount{Username: name, Email: name + "@example.vn", Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		if grant != "" {
			role, code, _ := strings.Cut(grant, "@")
			u, err := a.Org.UnitByCode(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Auth.GrantRole(ctx, name, auth.Role(role), u.ID, u.Path, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv := httptest.NewServer(checkAPI(t, a.Handler()))
	t.Cleanup(srv.Close)
	return &testApp{t: t, App: a, Srv: srv, Mail: ls}
}

// client returns an HTTP client signed in as user ("" for anonymous) that
// does not follow redirects.
func (ta *testApp) client(user string) *http.Client {
	ta.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if user == "" {
		return c
	}
	resp, err := c.PostForm(ta.Srv.URL+"/login", url.Values{"username": {user}, "password": {testPassword}})
	if err != nil {
		ta.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		ta.t.Fatalf("sign in as %s: status %d", user, resp.StatusCode)
	}
	return c
}

// do sends a request and returns status and body.
func (ta *testApp) do(c *http.Client, method, path string, body io.Reader, header ...string) (int, string, http.Header) {
	ta.t.Helper()
	req, err := http.NewRequest(method, ta.Srv.URL+path, body)
	if err != nil {
		ta.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		ta.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (ta *testApp) personID(key string) string {
	ctx := auth.WithPrincipal(context.Background(), auth.System())
	page, err := ta.App.Org.ListPeople(ctx, org.PeopleFilter{Q: key}, "")
	if err != nil || len(page.People) != 1 {
		ta.t.Fatalf("person %s: %v", key, err)
	}
	return page.People[0].ID
}

func mustPrincipal(t *testing.T, ta *testApp, username string) *auth.Principal {
	acc, err := ta.App.Auth.AccountByUsername(t.Context(), username)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ta.App.Auth.Principal(t.Context(), acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mustCourse creates and publishes a course as the principal in ctx, with
// one module holding the given lessons, and returns the module's id and
// the lessons.
func mustCourse(t *testing.T, ta *testApp, ctx context.Context, in learning.CourseInput, lessons ...learning.LessonInput) (string, []*learning.Lesson) {
	t.Helper()
	if _, err := ta.App.Learn.CreateCourse(ctx, in); err != nil {
		t.Fatal(err)
	}
	m, err := ta.App.Learn.AddModule(ctx, in.Code, "Chương 1")
	if err != nil {
		t.Fatal(err)
	}
	var out []*learning.Lesson
	for _, li := range lessons {
		l, err := ta.App.Learn.AddLesson(ctx, m.ID, li)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	if _, err := ta.App.Learn.Publish(ctx, in.Code); err != nil {
		t.Fatal(err)
	}
	return m.ID, out
}
