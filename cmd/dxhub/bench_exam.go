package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"dxhub/internal/demo"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
)

// benchExam simulates the two moments exams fail at: the synchronized start
// and the submission rush, with autosaves in between, all over HTTP on
// loopback. It then checks in the database that no acknowledged save was
// lost and that every submitted attempt was scored.
func benchExam(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench exam", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", ""), "database URL; default a fresh SQLite file in a temporary folder")
	n := fs.Int("candidates", 1000, "number of candidates")
	startWindow := fs.Duration("start-window", 10*time.Second, "all candidates start within this window")
	submitWindow := fs.Duration("submit-window", 30*time.Second, "all candidates submit within this window")
	thinkMin := fs.Duration("think-min", time.Second, "shortest think time between answers")
	thinkMax := fs.Duration("think-max", 4*time.Second, "longest think time between answers")
	conns := fs.Int("conns", 512, "HTTP connections from the load generator")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the load phases to this file")
	if err := parse(fs, args, "dxhub bench exam [flags]: loopback load test of an exam session with a 30-item blueprint:\nstart rush, autosaves, submission rush; prints per-phase rates and latencies and a RESULT line."); err != nil {
		return err
	}
	a, closeApp, err := benchApp(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeApp()
	setupStart := time.Now()
	b, sid, err := benchExamSetup(ctx, a, fmt.Sprintf("b%d-", time.Now().Unix()%100000))
	if err != nil {
		return err
	}
	run := fmt.Sprintf("c%d", time.Now().UnixNano()%1000000)
	names := make([]auth.NewAccount, *n)
	for i := range names {
		names[i] = auth.NewAccount{Username: fmt.Sprintf("%s-c%06d", run, i), DisplayName: fmt.Sprintf("Thí sinh %d", i)}
	}
	ids, err := a.Auth.ProvisionAccounts(ctx, names, demo.Password)
	if err != nil {
		return err
	}
	tokens := make([]string, len(ids))
	for i, id := range ids {
		if tokens[i], err = a.Auth.OpenSession(ctx, id); err != nil {
			return err
		}
	}
	fmt.Printf("setup: %s, %d candidates, session %s, %d-item blueprint, db %s\n", time.Since(setupStart).Round(time.Millisecond), *n, sid, b.ItemCount(), a.DB.Dialect)

	server, stopServer, err := serveLoopback(a)
	if err != nil {
		return err
	}
	defer stopServer()
	base := server
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: *conns, MaxIdleConnsPerHost: *conns}, Timeout: 60 * time.Second}

	stopProfile, err := profileCPU(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	var starts, saves, submits recorder
	type acked struct {
		attempt string
		seq     int64
	}
	var ackMu sync.Mutex
	var acks []acked
	var submitted atomic.Int64
	var submittedIDs sync.Map
	t0 := time.Now()
	answerEnd := t0.Add(*startWindow + 30**thinkMax + 2*time.Second)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			time.Sleep(time.Duration(rng.Int64N(int64(*startWindow))))
			call := func(rec *recorder, method, path string, body any) ([]byte, bool) {
				return rec.call(client, base+path, tokens[i], method, body)
			}
			body, ok := call(&starts, "POST", "/api/v1/exams/"+sid+"/start", nil)
			if !ok {
				return
			}
			var att struct {
				Attempt struct{ ID string } `json:"attempt"`
				Items   []struct {
					Type    string `json:"type"`
					Options []struct {
						ID string `json:"id"`
					} `json:"options"`
					Targets []struct {
						ID string `json:"id"`
					} `json:"targets"`
				} `json:"items"`
			}
			json.Unmarshal(body, &att)
			for idx, it := range att.Items {
				time.Sleep(*thinkMin + time.Duration(rng.Int64N(int64(*thinkMax-*thinkMin)+1)))
				resp := benchResponse(it.Type, len(it.Options), rng, func(k int) string { return it.Options[k].ID }, func(k int) string { return it.Targets[k%max(1, len(it.Targets))].ID })
				out, ok := call(&saves, "PUT", fmt.Sprintf("/api/v1/attempts/%s/answers/%d", att.Attempt.ID, idx), map[string]any{"response": resp})
				if ok {
					var r struct{ Seq int64 }
					json.Unmarshal(out, &r)
					ackMu.Lock()
					acks = append(acks, acked{att.Attempt.ID, r.Seq})
					ackMu.Unlock()
				}
			}
			time.Sleep(time.Until(answerEnd) + time.Duration(rng.Int64N(int64(*submitWindow))))
			if _, ok := call(&submits, "POST", "/api/v1/attempts/"+att.Attempt.ID+"/submit", nil); ok {
				submitted.Add(1)
				submittedIDs.Store(att.Attempt.ID, true)
			}
		}(i)
	}
	wg.Wait()
	total := time.Since(t0)

	// Verify: every acknowledged save is stored, every submission scored.
	stored := map[string]map[int64]bool{}
	err = db.Each(ctx, a.DB.R, func(r db.Scanner) error {
		var id string
		var seq int64
		if err := r.Scan(&id, &seq); err != nil {
			return err
		}
		if stored[id] == nil {
			stored[id] = map[int64]bool{}
		}
		stored[id][seq] = true
		return nil
	}, `SELECT attempt_id, seq FROM attempt_steps`)
	if err != nil {
		return err
	}
	lost := 0
	for _, k := range acks {
		if !stored[k.attempt][k.seq] {
			lost++
		}
	}
	unscored := 0
	submittedIDs.Range(func(k, _ any) bool {
		var status string
		var maxScore float64
		a.DB.R.QueryRowContext(ctx, `SELECT status, max_score FROM attempts WHERE id = $1`, k).Scan(&status, &maxScore)
		if status != "submitted" || maxScore <= 0 {
			unscored++
		}
		return true
	})
	starts.print("start")
	saves.print("save")
	submits.print("submit")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	errs := starts.errors.Load() + saves.errors.Load() + submits.errors.Load()
	fmt.Printf("total %s; acknowledged saves %d, lost %d; submitted %d, unscored %d; memory: heap %d MiB, from OS %d MiB\n",
		total.Round(time.Millisecond), len(acks), lost, submitted.Load(), unscored, ms.HeapAlloc>>20, ms.Sys>>20)
	fmt.Printf("RESULT candidates=%d errors=%d lost=%d unscored=%d start_p99_ms=%.1f save_p99_ms=%.1f submit_p99_ms=%.1f saves_per_s=%.0f db=%s\n",
		*n, errs, lost, unscored, starts.pct(0.99), saves.pct(0.99), submits.pct(0.99), saves.rate(), a.DB.Dialect)
	return nil
}

// benchResponse picks a plausible response for an item type.
func benchResponse(typ string, nOpts int, rng *rand.Rand, opt func(int) string, target func(int) string) []string {
	switch typ {
	case "single":
		return []string{opt(rng.IntN(nOpts))}
	case "multiple":
		return []string{opt(0), opt(rng.IntN(nOpts))}
	case "true_false":
		return []string{[]string{"true", "false"}[rng.IntN(2)]}
	case "ordering":
		out := make([]string, nOpts)
		for k := range out {
			out[k] = opt(k)
		}
		return out
	case "matching":
		out := make([]string, nOpts)
		for k := range out {
			out[k] = opt(k) + ":" + target(k)
		}
		return out
	case "numeric":
		return []string{fmt.Sprint(rng.IntN(10))}
	}
	return []string{"Ctrl+C"}
}

// recorder collects latencies and counts of one phase.
type recorder struct {
	mu          sync.Mutex
	lat         []time.Duration
	first, last time.Time
	errors      atomic.Int64
}

func (r *recorder) ok(d time.Duration) {
	now := time.Now()
	r.mu.Lock()
	r.lat = append(r.lat, d)
	if r.first.IsZero() || now.Add(-d).Before(r.first) {
		r.first = now.Add(-d)
	}
	if now.After(r.last) {
		r.last = now
	}
	r.mu.Unlock()
}

func (r *recorder) fail() { r.errors.Add(1) }

// call sends a request with body as JSON (nil: none) to url as the holder
// of the session token ("" for none), records its time when answered 200
// and a failure otherwise, and returns the answer and whether it was 200.
func (r *recorder) call(client *http.Client, url, token, method string, body any) ([]byte, bool) {
	var rd io.Reader
	if body != nil {
		bb, _ := json.Marshal(body)
		rd = bytes.NewReader(bb)
	}
	req, _ := http.NewRequest(method, url, rd)
	if token != "" {
		req.Header.Set("Cookie", auth.SessionCookie+"="+token)
	}
	req.Header.Set("Content-Type", "application/json")
	t := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		r.fail()
		return nil, false
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		r.fail()
		return out, false
	}
	r.ok(time.Since(t))
	return out, true
}

func (r *recorder) pct(p float64) float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.lat) == 0 {
		return 0
	}
	s := slices.Clone(r.lat)
	slices.Sort(s)
	return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
}

func (r *recorder) rate() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.lat) < 2 {
		return 0
	}
	return float64(len(r.lat)) / r.last.Sub(r.first).Seconds()
}

func (r *recorder) print(name string) {
	r.mu.Lock()
	n := len(r.lat)
	r.mu.Unlock()
	fmt.Printf("%-7s %7d ok  %6d errors  %8.0f req/s over the phase  p50 %7.1f ms  p95 %7.1f ms  p99 %7.1f ms\n",
		name, n, r.errors.Load(), r.rate(), r.pct(0.5), r.pct(0.95), r.pct(0.99))
}
