package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	pngenc "image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"dxhub/internal/demo"
	"dxhub/internal/learning"
	"dxhub/internal/lrs"
	"dxhub/internal/monitor"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/db/dbtest"
	"dxhub/internal/platform/files"
	"dxhub/internal/platform/mail"
)

// secondNode starts another dxhub node over ta's PostgreSQL database, as a
// second server behind a load balancer would be: its own pools, caches
// and listener. Sessions live in the database, so a client signed in on
// one node is signed in on the other (cookies ignore the port).
func secondNode(t *testing.T, ta *testApp) *testApp {
	t.Helper()
	d, err := db.Open(t.Context(), ta.App.DB.URL)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := Build(Config{FilesDir: t.TempDir(), BaseURL: "http://dxhub.test", CredentialKey: "test-seal-key"}, log, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	srv := httptest.NewServer(b.Handler())
	t.Cleanup(srv.Close)
	return &testApp{t: t, App: b, Srv: srv, Mail: ta.Mail, signedIn: ta.signedIn}
}

// within fails unless ok becomes true within a second, asking every 10 ms.
func within(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(time.Second); ; {
		if ok() {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("%s: not seen on the other node within a second", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestChangesReachEveryNode: what one node changes takes effect on the
// other within a second, though the other had it cached: a revoked role,
// an ended session, a revoked LRS client, an extended and a voided
// attempt, a published course, an approved report.
func TestChangesReachEveryNode(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	if ta.App.DB.Dialect != db.Postgres {
		t.Skip("several nodes share a PostgreSQL database")
	}
	tb := secondNode(t, ta)
	status := func(node *testApp, user, method, path string) int {
		s, _, _ := node.do(ta.as(user), method, path, nil, "Accept-Language", "en")
		return s
	}

	t.Run("revoked role", func(t *testing.T) {
		ctx := auth.WithPrincipal(context.Background(), auth.System())
		u, err := ta.App.Org.UnitByCode(ctx, "66")
		if err != nil {
			t.Fatal(err)
		}
		id, err := ta.App.Auth.GrantRole(ctx, "learner", auth.UnitAdmin, u.ID, u.Path, "")
		if err != nil {
			t.Fatal(err)
		}
		if s := status(tb, "learner", "GET", "/api/v1/people?unit=66"); s != 200 {
			t.Fatalf("granted role on the other node: %d", s)
		}
		if s, _, _ := ta.do(ta.as("national"), "POST", "/admin/roles/"+id+"/revoke", nil); s != 303 {
			t.Fatalf("revoke: %d", s)
		}
		within(t, "a revoked role", func() bool { return status(tb, "learner", "GET", "/api/v1/people?unit=66") == 403 })
	})

	t.Run("ended session", func(t *testing.T) {
		c := ta.client("author2")
		u, _ := url.Parse(ta.Srv.URL)
		cookie := c.Jar.Cookies(u)[0]
		me := func() int {
			s, _, _ := tb.do(ta.client(""), "GET", "/api/v1/me/sessions", nil, "Cookie", cookie.Name+"="+cookie.Value)
			return s
		}
		if s := me(); s != 200 {
			t.Fatalf("session on the other node: %d", s)
		}
		if s, _, _ := ta.do(c, "POST", "/logout", nil); s != 303 {
			t.Fatalf("sign out: %d", s)
		}
		within(t, "an ended session", func() bool { return me() == 401 })
	})

	t.Run("revoked LRS client", func(t *testing.T) {
		out := apiJSON(t, ta, "daklak", "POST", "/api/v1/lrs/clients", `{"unit_code":"66","name":"LMS"}`, 201)
		var r struct {
			Client lrs.Client
			Secret string
		}
		json.Unmarshal([]byte(out), &r)
		basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(r.Client.Key+":"+r.Secret))
		read := func() int {
			s, _, _ := tb.do(ta.client(""), "GET", "/xapi/statements", nil, "X-Experience-API-Version", "1.0.3", "Authorization", basic)
			return s
		}
		if s := read(); s != 200 {
			t.Fatalf("client on the other node: %d", s)
		}
		apiJSON(t, ta, "daklak", "POST", "/api/v1/lrs/clients/"+r.Client.ID+"/revoke", "", 200)
		within(t, "a revoked LRS client", func() bool { return read() == 401 })
	})

	t.Run("extended and voided attempt", func(t *testing.T) {
		_, sid := examFixture(t, ta, "")
		learner := ta.as("learner")
		_, body, _ := tb.do(learner, "POST", "/api/v1/exams/"+sid+"/start", nil)
		var a attemptJSON
		json.Unmarshal([]byte(body), &a)
		save := func() int {
			s, _, _ := tb.do(learner, "PUT", "/api/v1/attempts/"+a.Attempt.ID+"/answers/0", strings.NewReader(`{"response":["A"]}`), "Content-Type", "application/json")
			return s
		}
		if s := save(); s != 200 {
			t.Fatalf("save on the other node: %d %s", s, body)
		}
		remaining := func() int64 {
			_, body, _ := tb.do(learner, "GET", "/api/v1/attempts/"+a.Attempt.ID, nil)
			var d attemptJSON
			json.Unmarshal([]byte(body), &d)
			return d.Remaining
		}
		before := remaining()
		apiJSON(t, ta, "national", "POST", "/api/v1/attempts/"+a.Attempt.ID+"/extend", `{"minutes":10,"reason":"mất điện"}`, 204)
		within(t, "an extended deadline", func() bool { return remaining() >= before+9*60 })
		apiJSON(t, ta, "national", "POST", "/api/v1/attempts/"+a.Attempt.ID+"/void", `{"reason":"dùng tài liệu"}`, 204)
		within(t, "a voided attempt", func() bool { return save() == 409 })
	})

	t.Run("published course", func(t *testing.T) {
		ctx := auth.WithPrincipal(context.Background(), mustPrincipal(t, ta, "author"))
		if _, err := ta.App.Learn.CreateCourse(ctx, learning.CourseInput{Code: "NODES-1", Title: "Khoá học trên hai máy", Summary: "Thử", Audiences: []string{"citizen"}, Competences: []string{"1.1"}, DurationMin: 10, OpenEnrol: true}); err != nil {
			t.Fatal(err)
		}
		m, err := ta.App.Learn.AddModule(ctx, "NODES-1", "Chương 1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ta.App.Learn.AddLesson(ctx, m.ID, learning.LessonInput{Kind: learning.KindText, Title: "Bài 1", Body: "Nội dung", Required: true}); err != nil {
			t.Fatal(err)
		}
		if s := status(tb, "learner", "GET", "/api/v1/courses/NODES-1"); s != 404 {
			t.Fatalf("a draft course on the other node: %d", s)
		}
		apiJSON(t, ta, "author", "POST", "/api/v1/courses/NODES-1/publish", "", 200)
		within(t, "a published course", func() bool { return status(tb, "learner", "GET", "/api/v1/courses/NODES-1") == 200 })
	})

	t.Run("approved report", func(t *testing.T) {
		monFixture(t, ta)
		per := monitor.PeriodOf(monitor.Monthly, time.Now()).Prev().ID
		url := "/api/v1/reports/" + demo.MonthlyDataset + "/24121/" + per
		apiJSON(t, ta, "rep1", "PUT", url, `{"values":{"working_age":"200","using_online_services":"50"},"submit":true}`, 200)
		value := func() monitor.Row {
			return indicatorRow(t, dashboard(t, tb, "daklak", "66", ""), "working_age_using_online_services")
		}
		if r := value(); r.HasValue {
			t.Fatalf("a submitted report counts on the other node: %+v", r)
		}
		apiJSON(t, ta, "daklak", "POST", url+"/review", `{"action":"approve"}`, 200)
		within(t, "an approved report", func() bool { r := value(); return r.HasValue && r.Value == 25 })
		// A recompute on one node reaches the other's computed figures.
		before := ta.App.DB.ChangesReceived() + tb.App.DB.ChangesReceived()
		apiJSON(t, ta, "national", "POST", "/api/v1/monitoring/recompute", "", 200)
		within(t, "a recompute", func() bool { return tb.App.DB.ChangesReceived()+ta.App.DB.ChangesReceived() > before })
	})
}

// dyingSender sends through next, then after `after` messages the node
// "dies": the context its work runs under ends and the message in hand
// is not sent.
type dyingSender struct {
	next   mail.Sender
	after  int
	sent   int
	cancel context.CancelFunc
}

func (d *dyingSender) Send(ctx context.Context, m mail.Message) error {
	if d.sent == d.after {
		d.cancel()
		return context.Canceled
	}
	d.sent++
	return d.next.Send(ctx, m)
}

// TestRemindersOnceAcrossNodes: course reminders of one assignment to 41
// people, run by two nodes taking turns (one dies after ten e-mails): every
// person gets exactly one.
func TestRemindersOnceAcrossNodes(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	if ta.App.DB.Dialect != db.Postgres {
		t.Skip("several nodes share a PostgreSQL database")
	}
	tb := secondNode(t, ta)
	learnFixture(t, ta)
	sys := auth.WithPrincipal(context.Background(), auth.System())
	var csv strings.Builder
	csv.WriteString("key,full_name,unit_code,groups\n")
	for i := range 40 {
		fmt.Fprintf(&csv, "R%02d,Người Nhắc %d,24121,dx_staff\n", i, i)
	}
	if _, err := ta.App.Org.ImportPeople(sys, strings.NewReader(csv.String()), ""); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		key := fmt.Sprintf("R%02d", i)
		if _, err := ta.App.Auth.CreateAccount(sys, auth.NewAccount{Username: "nhac" + key, Email: "nhac" + key + "@example.vn", Password: testPassword, PersonID: ta.personID(key)}); err != nil {
			t.Fatal(err)
		}
	}
	due := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	apiJSON(t, ta, "daklak", "POST", "/api/v1/assignments", `{"unit_code":"66","kind":"course","code":"KNS-TEST","groups":["dx_staff"],"due":"`+due+`"}`, 201)

	sentA, sentB := &mail.LogSender{Log: ta.App.Log}, &mail.LogSender{Log: ta.App.Log}
	ctx, cancel := context.WithCancel(context.Background())
	ta.App.Learn.Mail = &dyingSender{next: sentA, after: 10, cancel: cancel}
	ran, err := ta.App.DB.Alone(ctx, "course reminders", func(ctx context.Context) error {
		_, err := ta.App.Learn.Remind(ctx, time.Now())
		return err
	})
	if !ran || err == nil {
		t.Fatalf("the dying node's turn: ran %v, err %v", ran, err)
	}
	// Both nodes now take turns at once, as their tickers would.
	tb.App.Learn.Mail = sentB
	ta.App.Learn.Mail = sentA
	var wg sync.WaitGroup
	for _, node := range []*App{ta.App, tb.App, ta.App, tb.App} {
		wg.Go(func() {
			if _, err := node.DB.Alone(context.Background(), "course reminders", func(ctx context.Context) error {
				_, err := node.Learn.Remind(ctx, time.Now())
				return err
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, err := tb.App.Learn.Remind(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, m := range append(sentA.Sent(), sentB.Sent()...) {
		got[m.To]++
	}
	if len(got) != 41 {
		t.Fatalf("%d people reminded, want 41", len(got))
	}
	for to, n := range got {
		if n != 1 {
			t.Fatalf("%s reminded %d times", to, n)
		}
	}
}

// TestOperatorMetrics: /metrics carries the exam-day figures: attempts in
// progress, saves counted, the exam writer's batches, the sweeper's lag,
// queues and cache invalidations.
func TestOperatorMetrics(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	ta.App.Cfg.MetricsToken = "scrape-secret"
	ta.App.RegisterMetrics()
	_, sid := examFixture(t, ta, "")
	learner := ta.as("learner")
	_, body, _ := ta.do(learner, "POST", "/api/v1/exams/"+sid+"/start", nil)
	var a attemptJSON
	json.Unmarshal([]byte(body), &a)
	if s, _, _ := ta.do(learner, "PUT", "/api/v1/attempts/"+a.Attempt.ID+"/answers/0", strings.NewReader(`{"response":["A"]}`), "Content-Type", "application/json"); s != 200 {
		t.Fatalf("save: %d", s)
	}
	if s, _, _ := ta.do(ta.client(""), "GET", "/metrics", nil); s != 404 {
		t.Fatalf("metrics without the token: %d", s)
	}
	s, out, _ := ta.do(ta.client(""), "GET", "/metrics", nil, "Authorization", "Bearer scrape-secret")
	if s != 200 {
		t.Fatalf("metrics: %d", s)
	}
	for _, want := range []string{"dxhub_exam_attempts_in_progress 1", `dxhub_exam_operations_total{op="save"}`, `dxhub_group_commit_batch_size_count{writer="exam"}`,
		"dxhub_exam_sweeper_lag_seconds 0", "dxhub_events_behind", "dxhub_message_deliveries_pending 0", "dxhub_cache_invalidations_total"} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestUploadsSharedThroughObjectStore: two nodes whose uploads go to one
// S3-compatible object store (gofakes3 on a loopback port, reached with
// minio-go): a file uploaded through one node is served by the other.
func TestUploadsSharedThroughObjectStore(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	if d.Dialect != db.Postgres {
		t.Skip("several nodes share a PostgreSQL database")
	}
	ctx := context.Background()
	s3srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(s3srv.Close)
	admin, err := minio.New(strings.TrimPrefix(s3srv.URL, "http://"), &minio.Options{Creds: credentials.NewStaticV4("dxhub", "s3-secret", ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.MakeBucket(ctx, "uploads", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg := Config{FilesDir: "s3://uploads/dxhub", S3: files.S3Config{Endpoint: s3srv.URL, Region: "us-east-1", AccessKey: "dxhub", SecretKey: "s3-secret"}, BaseURL: "http://dxhub.test"}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var nodes []*httptest.Server
	var apps []*App
	for i := range 2 {
		dn := d
		if i > 0 {
			if dn, err = db.Open(ctx, d.URL); err != nil {
				t.Fatal(err)
			}
		}
		a, err := Build(cfg, log, dn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Exams.Close(); a.Audit.Close() })
		srv := httptest.NewServer(a.Handler())
		t.Cleanup(srv.Close)
		nodes, apps = append(nodes, srv), append(apps, a)
	}
	sys := auth.WithPrincipal(ctx, auth.System())
	id, err := apps[0].Auth.CreateAccount(sys, auth.NewAccount{Username: "uploader", Email: "uploader@example.vn", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	token, err := apps[0].Auth.OpenSession(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var png bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	if err := pngenc.Encode(&png, img); err != nil {
		t.Fatal(err)
	}
	key, _, err := files.Save(ctx, apps[0].DB, apps[0].Files, files.Media, "", "hinh.png", bytes.NewReader(png.Bytes()), id)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", nodes[1].URL+"/files/"+key, nil)
	req.Header.Set("Cookie", auth.SessionCookie+"="+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, png.Bytes()) || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the other node serves the upload: %d %q, %d bytes of %d", resp.StatusCode, resp.Header.Get("Content-Type"), len(got), png.Len())
	}
	objects := 0
	for o := range admin.ListObjects(ctx, "uploads", minio.ListObjectsOptions{Prefix: "dxhub/", Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		objects++
	}
	if objects != 1 {
		t.Fatalf("%d objects in the bucket, want the one upload", objects)
	}
}
