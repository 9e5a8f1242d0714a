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
)

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
	addr := freeAddr(t)
	var cfg strings.Builder
	fmt.Fprintf(&cfg, `global
    maxconn 2000
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    option forwardfor
    retries 3
    option redispatch
    retry-on conn-failure empty-response response-timeout
frontend dxhub
    bind %s
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 200ms fall 1 rise 1
`, addr)
	for i, n := range nodes {
		fmt.Fprintf(&cfg, "    server node%d %s check\n", i+1, n)
	}
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
	a, err := app.New(ctx, app.Config{DB: dbURL, FilesDir: t.TempDir()}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	_, sid, err := benchExamSetup(ctx, a, "c-")
	if err != nil {
		t.Fatal(err)
	}
	const candidates = 24
	var names []auth.NewAccount
	for i := range candidates {
		names = append(names, auth.NewAccount{Username: fmt.Sprintf("node%02d", i)})
	}
	ids, err := a.Auth.ProvisionAccounts(ctx, names, demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	tokens := make([]string, len(ids))
	for i, id := range ids {
		tokens[i], _ = a.Auth.OpenSession(ctx, id)
	}
	a.Close()

	addrs := []string{freeAddr(t), freeAddr(t), freeAddr(t)}
	nodes := make([]*server, len(addrs))
	for i, addr := range addrs {
		nodes[i] = startServer(t, dbURL, addr)
	}
	lb := startBalancer(t, addrs)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: candidates}}
	call := func(i int, method, path, body string) (int, []byte) {
		req, _ := http.NewRequest(method, "http://"+lb+path, strings.NewReader(body))
		req.Header.Set("Cookie", auth.SessionCookie+"="+tokens[i])
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
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
	stored := map[string]bool{}
	if err := db.Each(ctx, d.R, func(r db.Scanner) error {
		var id string
		var seq int64
		err := r.Scan(&id, &seq)
		stored[fmt.Sprint(id, seq)] = true
		return err
	}, `SELECT attempt_id, seq FROM attempt_steps`); err != nil {
		t.Fatal(err)
	}
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
