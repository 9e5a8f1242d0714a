package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"dxhub/internal/assessment"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/db/dbtest"
)

// TestMain lets the crash test run this test binary as the dxhub server.
func TestMain(m *testing.M) {
	if os.Getenv("DXHUB_TEST_SERVE") != "" {
		log := slog.New(slog.NewJSONHandler(io.Discard, nil))
		if err := serve(context.Background(), log, nil, false); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if len(os.Args) > 2 && os.Args[1] == "bench" && os.Args[2] == "exam-load" {
		// A load generator child of bench exam run by a test (the
		// benchmark starts its own executable: here, this test binary).
		if err := benchExamLoad(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type server struct {
	cmd  *exec.Cmd
	addr string
}

func startServer(t *testing.T, dbURL, addr string) *server {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DXHUB_TEST_SERVE=1", "DXHUB_DB="+dbURL, "DXHUB_ADDR="+addr, "DXHUB_FILES="+t.TempDir())
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, addr: addr}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; i < 200; i++ {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server did not become ready")
	return nil
}

// TestCrashKeepsAcknowledgedSaves kills the server with SIGKILL while
// candidates are saving answers, restarts it, and checks that every save
// the server acknowledged is stored and that attempts resume with their
// answers and the right remaining time.
func TestCrashKeepsAcknowledgedSaves(t *testing.T) {
	ctx := context.Background()
	dbURL := dbtest.URL(t)
	const candidates = 16
	sid, tokens := examCandidates(t, dbURL, "t-", candidates)

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	srv := startServer(t, dbURL, addr)
	client := &http.Client{Timeout: 5 * time.Second}
	call := func(i int, method, path, body string) (int, []byte) {
		return asCandidate(client, "http://"+addr, tokens[i], method, path, body)
	}
	type ack struct {
		attempt string
		seq     int64
		idx     int
	}
	var mu sync.Mutex
	var acks []ack
	attempts := make([]string, candidates)
	deadlines := make([]int64, candidates)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < candidates; i++ {
		status, body := call(i, "POST", "/api/v1/exams/"+sid+"/start", "")
		if status != 200 {
			t.Fatalf("start: %d %s", status, body)
		}
		var at struct {
			Attempt struct {
				ID       string
				Deadline int64
			} `json:"attempt"`
		}
		json.Unmarshal(body, &at)
		attempts[i], deadlines[i] = at.Attempt.ID, at.Attempt.Deadline
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				idx := k % 30
				status, body := call(i, "PUT", fmt.Sprintf("/api/v1/attempts/%s/answers/%d", attempts[i], idx), fmt.Sprintf(`{"response":["A%d"]}`, k))
				if status != 200 {
					continue
				}
				var r struct{ Seq int64 }
				json.Unmarshal(body, &r)
				mu.Lock()
				acks = append(acks, ack{attempts[i], r.Seq, idx})
				mu.Unlock()
			}
		}(i)
	}
	time.Sleep(1500 * time.Millisecond)
	if err := srv.cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown, no flush
		t.Fatal(err)
	}
	srv.cmd.Wait()
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	if len(acks) < 50 {
		t.Fatalf("only %d saves acknowledged before the kill", len(acks))
	}

	startServer(t, dbURL, addr)
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	stored := storedSteps(t, d)
	lost := 0
	answered := map[string]map[int]bool{}
	for _, k := range acks {
		if !stored[fmt.Sprint(k.attempt, k.seq)] {
			lost++
		}
		if answered[k.attempt] == nil {
			answered[k.attempt] = map[int]bool{}
		}
		answered[k.attempt][k.idx] = true
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged saves lost in the crash", lost, len(acks))
	}
	for i := range attempts {
		status, body := call(i, "GET", "/api/v1/attempts/"+attempts[i], "")
		var at struct {
			Attempt struct {
				Status   string
				Deadline int64
			} `json:"attempt"`
			Remaining int64                         `json:"remaining_s"`
			Items     []struct{ Response []string } `json:"items"`
		}
		json.Unmarshal(body, &at)
		if status != 200 || at.Attempt.Status != "in_progress" || at.Attempt.Deadline != deadlines[i] {
			t.Fatalf("attempt %d after restart: %d %s", i, status, body)
		}
		want := (deadlines[i] - time.Now().UnixMilli()) / 1000
		if at.Remaining > want+1 || at.Remaining < want-3 {
			t.Fatalf("remaining %d s after restart, want about %d", at.Remaining, want)
		}
		for idx := range answered[attempts[i]] {
			if len(at.Items[idx].Response) == 0 {
				t.Fatalf("attempt %d item %d lost its answer", i, idx)
			}
		}
	}
	t.Logf("%d acknowledged saves before SIGKILL, all present after restart", len(acks))

	// After the restart, each candidate answers right and wrong in turn
	// while submitting: the score is that of the last acknowledged save
	// of each item, whichever side of the submission the others fell.
	type entry struct {
		Item    string `json:"i"`
		Version int    `json:"v"`
	}
	bodies := map[string]assessment.Body{}
	forms := make([][]entry, candidates)
	for i := range attempts {
		var form string
		if err := d.R.QueryRowContext(ctx, `SELECT form FROM attempts WHERE id = $1`, attempts[i]).Scan(&form); err != nil {
			t.Fatal(err)
		}
		json.Unmarshal([]byte(form), &forms[i])
		for _, fe := range forms[i] {
			key := fmt.Sprint(fe.Item, fe.Version)
			if _, ok := bodies[key]; ok {
				continue
			}
			var raw string
			if err := d.R.QueryRowContext(ctx, `SELECT body FROM item_versions WHERE item_id = $1 AND version = $2`, fe.Item, fe.Version).Scan(&raw); err != nil {
				t.Fatal(err)
			}
			var b assessment.Body
			json.Unmarshal([]byte(raw), &b)
			bodies[key] = b
		}
	}
	type final struct {
		seq  int64
		resp []string
	}
	for i := range attempts {
		last := map[int]final{}
		var lmu sync.Mutex
		var sw sync.WaitGroup
		for w := 0; w < 4; w++ {
			sw.Add(1)
			go func(w int) {
				defer sw.Done()
				for k := 0; k < 40; k++ {
					idx := (w*7 + k) % len(forms[i])
					b := bodies[fmt.Sprint(forms[i][idx].Item, forms[i][idx].Version)]
					resp := []string{"nothing-right"}
					if k%2 == 0 {
						resp = b.Correct
					}
					rb, _ := json.Marshal(map[string]any{"response": resp})
					status, body := call(i, "PUT", fmt.Sprintf("/api/v1/attempts/%s/answers/%d", attempts[i], idx), string(rb))
					if status != 200 {
						continue
					}
					var r struct{ Seq int64 }
					json.Unmarshal(body, &r)
					lmu.Lock()
					if r.Seq > last[idx].seq {
						last[idx] = final{r.Seq, resp}
					}
					lmu.Unlock()
				}
			}(w)
		}
		time.Sleep(20 * time.Millisecond)
		status, body := call(i, "POST", "/api/v1/attempts/"+attempts[i]+"/submit", "")
		sw.Wait()
		if status != 200 {
			t.Fatalf("submit %d: %d %s", i, status, body)
		}
		var got struct{ Score float64 }
		json.Unmarshal(body, &got)
		// Saves stored before the kill count too, where no later one was
		// acknowledged for that item.
		stepRows, err := d.R.QueryContext(ctx, `SELECT idx, seq, response FROM attempt_steps WHERE attempt_id = $1 ORDER BY seq`, attempts[i])
		if err != nil {
			t.Fatal(err)
		}
		latest := map[int][]string{}
		for stepRows.Next() {
			var idx int
			var seq int64
			var resp string
			stepRows.Scan(&idx, &seq, &resp)
			var r []string
			json.Unmarshal([]byte(resp), &r)
			latest[idx] = r
		}
		stepRows.Close()
		want := 0.0
		for idx, fe := range forms[i] {
			b := bodies[fmt.Sprint(fe.Item, fe.Version)]
			if f, ok := last[idx]; ok && fmt.Sprint(latest[idx]) != fmt.Sprint(f.resp) {
				t.Fatalf("attempt %d item %d: stored %v, last acknowledged %v", i, idx, latest[idx], f.resp)
			}
			want += b.Points(latest[idx])
		}
		if math.Abs(got.Score-want) > 1e-9 {
			t.Fatalf("attempt %d scored %v, its stored answers are worth %v", i, got.Score, want)
		}
	}
}
