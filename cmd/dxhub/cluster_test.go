package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"dxhub/internal/app"
	"dxhub/internal/demo"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/db/dbtest"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/web"
)

// examCandidates makes an exam session open now on the database at dbURL
// and n candidates signed in, and returns the session and their session
// tokens.
func examCandidates(t *testing.T, dbURL, prefix string, n int) (string, []string) {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DB: dbURL, FilesDir: t.TempDir()}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	_, sid, err := benchExamSetup(ctx, a, prefix)
	if err != nil {
		t.Fatal(err)
	}
	var names []auth.NewAccount
	for i := range n {
		names = append(names, auth.NewAccount{Username: fmt.Sprintf("%scand%02d", prefix, i)})
	}
	ids, err := a.Auth.ProvisionAccounts(ctx, names, demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	tokens := make([]string, len(ids))
	for i, id := range ids {
		if tokens[i], err = a.Auth.OpenSession(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	return sid, tokens
}

// asCandidate sends a JSON request to base as the holder of the session
// token and returns the status and body (0 when no answer came).
func asCandidate(client *http.Client, base, token, method, path, body string) (int, []byte) {
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Cookie", auth.SessionCookie+"="+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// storedSteps are the saves stored in the database, as "attempt seq".
func storedSteps(t *testing.T, d *db.DB) map[string]bool {
	t.Helper()
	stored := map[string]bool{}
	if err := db.Each(context.Background(), d.R, func(r db.Scanner) error {
		var id string
		var seq int64
		err := r.Scan(&id, &seq)
		stored[fmt.Sprint(id, seq)] = true
		return err
	}, `SELECT attempt_id, seq FROM attempt_steps`); err != nil {
		t.Fatal(err)
	}
	return stored
}

// freeAddr is a loopback address nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// unavailableResponse is the balancer's answer when no node can serve,
// in the shape and words of dxhub's own (error.unavailable).
func unavailableResponse() []byte {
	var body web.ErrorBody
	body.Error.Code = "unavailable"
	body.Error.Message = i18n.T(i18n.VI, "error.unavailable") + " / " + i18n.T(i18n.EN, "error.unavailable")
	b, _ := json.Marshal(body)
	return []byte("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nRetry-After: 5\r\nConnection: close\r\n\r\n" + string(b) + "\n")
}

// startBalancer runs HAProxy in front of the nodes, as scripts/cluster.sh
// does, with checks every 200 ms so that the test need not wait long.
func startBalancer(t *testing.T, nodes []string) string {
	t.Helper()
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("DXHUB_CLUSTER") == "required" {
			t.Fatal("haproxy not found (the test command installs it)")
		}
		t.Skip("haproxy not installed")
	}
	// With every node out (the database is down and /readyz says so),
	// the balancer answers in dxhub's own shape (scripts/cluster.sh has
	// the same file).
	errPath := filepath.Join(t.TempDir(), "503.http")
	if err := os.WriteFile(errPath, unavailableResponse(), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	var cfg strings.Builder
	fmt.Fprintf(&cfg, `global
    maxconn 2000
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    http-reuse always
    option forwardfor
    retries 3
    option redispatch
    retry-on conn-failure empty-response response-timeout
    errorfile 503 %s
backend nodes
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 200ms fall 1 rise 1
`, errPath)
	for i, n := range nodes {
		fmt.Fprintf(&cfg, "    server node%d %s check\n", i+1, n)
	}
	fmt.Fprintf(&cfg, "frontend dxhub\n    bind %s\n    default_backend nodes\n", addr)
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-f", path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for range 100 {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return addr
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the balancer did not answer: %s", stderr.String())
	return ""
}

// TestClusterSurvivesKillAndRollingRestart: three dxhub processes on one
// PostgreSQL database behind HAProxy while candidates save answers
// through the balancer. One node is killed with SIGKILL, then every node
// is restarted in turn (SIGTERM, a new process): candidates keep saving
// through the others, no acknowledged save is lost, and every attempt's
// deadline is unchanged.
func TestClusterSurvivesKillAndRollingRestart(t *testing.T) {
	if dbtest.Engine() != "postgres" {
		t.Skip("several nodes share a PostgreSQL database")
	}
	ctx := context.Background()
	dbURL := dbtest.URL(t)
	const candidates = 24
	sid, tokens := examCandidates(t, dbURL, "c-", candidates)

	addrs := []string{freeAddr(t), freeAddr(t), freeAddr(t)}
	nodes := make([]*server, len(addrs))
	for i, addr := range addrs {
		nodes[i] = startServer(t, dbURL, addr)
	}
	lb := startBalancer(t, addrs)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: candidates}}
	call := func(i int, method, path, body string) (int, []byte) {
		return asCandidate(client, "http://"+lb, tokens[i], method, path, body)
	}

	type ack struct {
		attempt string
		seq     int64
	}
	var mu sync.Mutex
	var acks []ack
	var failed atomic.Int64
	var since atomic.Int64 // acknowledged saves since the counter was last reset
	attempts := make([]string, candidates)
	deadlines := make([]int64, candidates)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range candidates {
		status, body := call(i, "POST", "/api/v1/exams/"+sid+"/start", "")
		if status != 200 {
			t.Fatalf("start through the balancer: %d %s", status, body)
		}
		var at struct {
			Attempt struct {
				ID       string
				Deadline int64
			} `json:"attempt"`
		}
		json.Unmarshal(body, &at)
		attempts[i], deadlines[i] = at.Attempt.ID, at.Attempt.Deadline
		wg.Go(func() {
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
				status, body := call(i, "PUT", fmt.Sprintf("/api/v1/attempts/%s/answers/%d", attempts[i], k%30), fmt.Sprintf(`{"response":["A%d"]}`, k))
				if status != 200 {
					failed.Add(1)
					continue
				}
				var r struct{ Seq int64 }
				json.Unmarshal(body, &r)
				mu.Lock()
				acks = append(acks, ack{attempts[i], r.Seq})
				mu.Unlock()
				since.Add(1)
			}
		})
	}
	keepsSaving := func(what string) {
		t.Helper()
		since.Store(0)
		time.Sleep(time.Second)
		if n := since.Load(); n < 100 {
			t.Errorf("%s: only %d saves acknowledged in the second after", what, n)
		}
	}
	time.Sleep(time.Second)
	nodes[0].cmd.Process.Kill() // SIGKILL: no shutdown, nothing flushed
	nodes[0].cmd.Wait()
	keepsSaving("node 1 killed")
	afterKill := failed.Load()
	nodes[0] = startServer(t, dbURL, addrs[0])
	time.Sleep(500 * time.Millisecond) // the balancer's checks find it up
	for i := range nodes {
		nodes[i].cmd.Process.Signal(syscall.SIGTERM)
		nodes[i].cmd.Wait()
		nodes[i] = startServer(t, dbURL, addrs[i])
		keepsSaving(fmt.Sprintf("node %d restarted", i+1))
	}
	close(stop)
	wg.Wait()
	t.Logf("%d saves acknowledged; %d not (in flight on the killed node, or refused while it was being found dead), %d of them during the rolling restart",
		len(acks), failed.Load(), failed.Load()-afterKill)

	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	stored := storedSteps(t, d)
	lost := 0
	for _, k := range acks {
		if !stored[fmt.Sprint(k.attempt, k.seq)] {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged saves lost", lost, len(acks))
	}
	for i := range attempts {
		status, body := call(i, "GET", "/api/v1/attempts/"+attempts[i], "")
		var at struct {
			Attempt struct {
				Status   string
				Deadline int64
			} `json:"attempt"`
			Remaining int64 `json:"remaining_s"`
		}
		json.Unmarshal(body, &at)
		if status != 200 || at.Attempt.Status != "in_progress" || at.Attempt.Deadline != deadlines[i] {
			t.Fatalf("attempt %d after the faults: %d %s", i, status, body)
		}
		if want := (deadlines[i] - time.Now().UnixMilli()) / 1000; at.Remaining > want+1 || at.Remaining < want-3 {
			t.Fatalf("remaining %d s after the faults, want about %d", at.Remaining, want)
		}
	}
}

// TestDemoSeedsEverything runs `dxhub demo` (the README's first command)
// on a fresh database of the suite's engine: every seeding step succeeds
// and the server answers with the demo campaign and the monitoring data.
func TestDemoSeedsEverything(t *testing.T) {
	if raceDetector {
		t.Skip("the demo's data is built in the runs without the race detector")
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := freeAddr(t)
	done := make(chan error, 1)
	go func() {
		log := slog.New(slog.NewJSONHandler(io.Discard, nil))
		done <- serve(ctx, log, []string{"--addr", addr, "--db", dbtest.URL(t), "--files", t.TempDir(), "--people", "200"}, true)
	}()
	ready := false
	for range 1200 {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("dxhub demo stopped: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			ready = resp.StatusCode == 200
			if ready {
				break
			}
		}
	}
	if !ready {
		cancel()
		t.Fatal("dxhub demo did not start within two minutes")
	}
	for path, want := range map[string]string{
		"/campaigns/thang-chuyen-doi-so": "Cuộc thi tìm hiểu về chuyển đổi số",
		"/campaigns":                     "thang-chuyen-doi-so",
	} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, lacks %q", path, resp.StatusCode, want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("dxhub demo on stop: %v", err)
	}
}

// ownPostgres starts a PostgreSQL server of the test's own (the suite's
// is shared with other tests and cannot be stopped) and returns its URL
// and a function that runs pg_ctl with the given arguments on it.
func ownPostgres(t *testing.T) (string, func(args ...string)) {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		t.Fatal("pg_ctl not found (the test command installs postgresql)")
	}
	bindir := filepath.Dir(bins[len(bins)-1])
	dir, err := os.MkdirTemp("", "dxhub-pg-")
	if err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) *exec.Cmd {
		if os.Getuid() == 0 { // PostgreSQL refuses to run as root
			return exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(bindir, name)}, args...)...)
		}
		return exec.Command(filepath.Join(bindir, name), args...)
	}
	if os.Getuid() == 0 {
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
	}
	port := strings.TrimPrefix(freeAddr(t), "127.0.0.1:")
	data := filepath.Join(dir, "data")
	if out, err := run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v %s", err, out)
	}
	ctl := func(args ...string) {
		t.Helper()
		args = append([]string{"-D", data, "-l", filepath.Join(dir, "pg.log"), "-w", "-o", "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir}, args...)
		if out, err := run("pg_ctl", args...).CombinedOutput(); err != nil {
			t.Fatalf("pg_ctl %v: %v %s", args, err, out)
		}
	}
	ctl("start")
	t.Cleanup(func() {
		run("pg_ctl", "-D", data, "-m", "immediate", "stop").Run()
		os.RemoveAll(dir)
	})
	return "postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=disable", ctl
}

// TestDatabaseStopsAndReturns: PostgreSQL stops for ten seconds while
// candidates save through two nodes behind the balancer. Meanwhile saves
// fail at once (no hang) with 503 and a message that the database cannot
// be reached, and /readyz says so too; once it is back the nodes serve again by themselves, and no
// acknowledged save is lost.
func TestDatabaseStopsAndReturns(t *testing.T) {
	if dbtest.Engine() != "postgres" {
		t.Skip("the fault is PostgreSQL's")
	}
	ctx := context.Background()
	dbURL, ctl := ownPostgres(t)
	const candidates = 8
	sid, tokens := examCandidates(t, dbURL, "p-", candidates)
	addrs := []string{freeAddr(t), freeAddr(t)}
	for _, addr := range addrs {
		startServer(t, dbURL, addr)
	}
	lb := startBalancer(t, addrs)
	client := &http.Client{Timeout: 10 * time.Second}
	call := func(i int, method, path, body string) (int, []byte, time.Duration) {
		start := time.Now()
		status, out := asCandidate(client, "http://"+lb, tokens[i], method, path, body)
		return status, out, time.Since(start)
	}
	attempts := make([]string, candidates)
	for i := range candidates {
		status, body, _ := call(i, "POST", "/api/v1/exams/"+sid+"/start", "")
		if status != 200 {
			t.Fatalf("start: %d %s", status, body)
		}
		var at struct{ Attempt struct{ ID string } }
		json.Unmarshal(body, &at)
		attempts[i] = at.Attempt.ID
	}
	type ack struct {
		attempt string
		seq     int64
	}
	var mu sync.Mutex
	var acks []ack
	// A save counts as made while the database was down when it began
	// after the stop and ended before the start.
	var downAt, upAt atomic.Int64
	upAt.Store(1 << 62)
	var failedDown, okDown, slowest, unclear atomic.Int64
	var lastUnclear atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range candidates {
		wg.Go(func() {
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				began := time.Now().UnixNano()
				status, body, took := call(i, "PUT", fmt.Sprintf("/api/v1/attempts/%s/answers/%d", attempts[i], k%30), fmt.Sprintf(`{"response":["B%d"]}`, k))
				if d := downAt.Load(); d > 0 && began > d && time.Now().UnixNano() < upAt.Load() {
					slowest.Store(max(slowest.Load(), int64(took)))
					switch {
					case status == 200:
						okDown.Add(1)
					case status == 503 && strings.Contains(string(body), `"code":"unavailable"`):
						failedDown.Add(1)
					default:
						unclear.Add(1)
						lastUnclear.Store(fmt.Sprintf("%d %s", status, body))
					}
				}
				if status != 200 {
					continue
				}
				var r struct{ Seq int64 }
				json.Unmarshal(body, &r)
				mu.Lock()
				acks = append(acks, ack{attempts[i], r.Seq})
				mu.Unlock()
			}
		})
	}
	time.Sleep(time.Second)
	ctl("-m", "fast", "stop")
	downAt.Store(time.Now().UnixNano())
	time.Sleep(time.Second)
	resp, err := http.Get("http://" + addrs[0] + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("/readyz with the database stopped: %d", resp.StatusCode)
	}
	// A node asked directly says so itself, in the reader's language.
	req, _ := http.NewRequest("PUT", "http://"+addrs[0]+"/api/v1/attempts/"+attempts[0]+"/answers/1", strings.NewReader(`{"response":["D"]}`))
	req.Header.Set("Cookie", auth.SessionCookie+"="+tokens[0])
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "vi")
	if resp, err := client.Do(req); err != nil {
		t.Error(err)
	} else {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "không kết nối được cơ sở dữ liệu") {
			t.Errorf("a node's own answer with the database stopped: %d %s", resp.StatusCode, body)
		}
	}
	time.Sleep(9 * time.Second)
	upAt.Store(time.Now().UnixNano())
	ctl("start")
	// The nodes serve again by themselves.
	back := time.Now()
	for i := 0; ; i++ {
		if status, _, _ := call(0, "PUT", "/api/v1/attempts/"+attempts[0]+"/answers/0", `{"response":["C"]}`); status == 200 {
			break
		}
		if time.Since(back) > 15*time.Second {
			t.Fatal("the nodes did not serve again within 15 s of the database's return")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("served again %s after the database returned; while it was stopped %d saves failed, %d succeeded, the slowest answer took %s",
		time.Since(back).Round(time.Millisecond), failedDown.Load(), okDown.Load(), time.Duration(slowest.Load()).Round(time.Millisecond))
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	if failedDown.Load() == 0 {
		t.Error("no save failed while the database was stopped: the fault was not felt")
	}
	if n := unclear.Load(); n > 0 {
		t.Errorf("%d saves failed without saying the database is unavailable (503), e.g. %v", n, lastUnclear.Load())
	}
	if okDown.Load() > 0 {
		t.Errorf("%d saves acknowledged while the database was stopped", okDown.Load())
	}
	if time.Duration(slowest.Load()) > 6*time.Second {
		t.Errorf("a save waited %s for its error while the database was stopped", time.Duration(slowest.Load()))
	}
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, k := range acks {
		var n int
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM attempt_steps WHERE attempt_id = $1 AND seq = $2`, k.attempt, k.seq).Scan(&n); err != nil || n != 1 {
			t.Fatalf("an acknowledged save (%s, %d) is not stored: %v", k.attempt, k.seq, err)
		}
	}
}
