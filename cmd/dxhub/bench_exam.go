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
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"dxhub/internal/app"
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
	conns := fs.Int("conns", 512, "HTTP connections from the load generator (shared by all candidates unless --pace realistic)")
	pace := fs.String("pace", "compressed", "compressed: the flags above; realistic: start within 60s, 20–60s an item, submit within 2m, each candidate its own keep-alive connection (flags given still win)")
	target := fs.String("url", "", "send the load to this running dxhub (a cluster's balancer) instead of serving in this process; --db must be its database")
	generators := fs.Int("generators", -1, "load generator child processes, for more connections than one process may open (default: 0, or one per 15,000 candidates with --pace realistic)")
	ownConns := fs.Bool("own-conns", false, "each candidate its own keep-alive connection (default with --pace realistic)")
	sources := fs.Int("sources", 0, "loopback source addresses 127.0.0.1 … 127.0.0.N, past one address's port range (default: one per 20,000 candidates)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the load phases to this file")
	if err := parse(fs, args, "dxhub bench exam [flags]: loopback load test of an exam session with a 30-item blueprint:\nstart rush, autosaves, submission rush; prints per-phase rates and latencies and a RESULT line."); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	p := examPace{StartWindow: *startWindow, ThinkMin: *thinkMin, ThinkMax: *thinkMax, SubmitWindow: *submitWindow, Conns: *conns, Sources: *sources}
	switch *pace {
	case "compressed":
	case "realistic":
		preset := func(name string, v *time.Duration, d time.Duration) {
			if !set[name] {
				*v = d
			}
		}
		preset("start-window", &p.StartWindow, time.Minute)
		preset("think-min", &p.ThinkMin, 20*time.Second)
		preset("think-max", &p.ThinkMax, time.Minute)
		preset("submit-window", &p.SubmitWindow, 2*time.Minute)
		p.OwnConn = !set["own-conns"] || *ownConns
		if *generators < 0 && p.OwnConn {
			*generators = (*n + 14999) / 15000
		}
	default:
		return fmt.Errorf("--pace: want compressed or realistic, not %q", *pace)
	}
	if set["own-conns"] {
		p.OwnConn = *ownConns
	}
	if *generators < 0 {
		*generators = 0
	}
	if p.Sources == 0 {
		p.Sources = (*n + 19999) / 20000
	}
	if p.OwnConn && *target == "" && uint64(*n)+500 > openFileLimit() {
		return fmt.Errorf("%d candidates with a connection each need more open files than this process may hold (%d; raise `ulimit -n`, or give --url a server of its own)", *n, openFileLimit())
	}
	a, closeApp, err := benchAppWith(ctx, *dbURL, func(c *app.Config) {
		c.Background = *target == "" // the cluster's nodes do the background work
	})
	if err != nil {
		return err
	}
	defer closeApp()
	setupStart := time.Now()
	b, sid, err := benchExamSetup(ctx, a, fmt.Sprintf("b%d-", time.Now().Unix()%100000))
	if err != nil {
		return err
	}
	p.Items = b.ItemCount()
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
	fmt.Printf("setup: %s, %d candidates, session %s, %d-item blueprint, db %s\n", time.Since(setupStart).Round(time.Millisecond), *n, sid, p.Items, a.DB.Dialect)

	var server serverWatch
	base := *target
	if base == "" {
		b, stopServer, err := serveLoopbackWith(a, server.hook)
		if err != nil {
			return err
		}
		defer stopServer()
		base = b
	}
	stopProfile, err := profileCPU(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	// Children need a moment to start; the schedule begins after it.
	t0 := time.Now().Add(2 * time.Second)
	load := &examLoad{Base: base, Session: sid, Tokens: tokens, T0: t0, Pace: p}
	if p.OwnConn {
		load.AnswerEnd = t0.Add(p.lastAnswer(*n) + 5*time.Second)
	} else {
		load.AnswerEnd = t0.Add(p.StartWindow + time.Duration(p.Items)*p.ThinkMax + 2*time.Second)
	}
	fmt.Printf("pace %s: starts within %s, %s–%s an item, the last answer at +%s, submits within %s after; %d load generator processes, %d source addresses, own connections %v\n",
		*pace, p.StartWindow, p.ThinkMin, p.ThinkMax, load.AnswerEnd.Sub(t0).Round(time.Second), p.SubmitWindow, *generators, p.Sources, p.OwnConn)
	stopWatch := server.watch()
	var res *examLoadResult
	if *generators > 0 {
		if res, err = load.runSplit(ctx, *generators); err != nil {
			return err
		}
	} else {
		res = load.run()
	}
	stopWatch()
	total := time.Since(t0)
	var starts, saves, submits recorder
	starts.add(res.Starts)
	saves.add(res.Saves)
	submits.add(res.Submits)

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
	for _, k := range res.Acks {
		if !stored[k.Attempt][k.Seq] {
			lost++
		}
	}
	unscored := 0
	for _, id := range res.Submitted {
		var status string
		var maxScore float64
		a.DB.R.QueryRowContext(ctx, `SELECT status, max_score FROM attempts WHERE id = $1`, id).Scan(&status, &maxScore)
		if status != "submitted" || maxScore <= 0 {
			unscored++
		}
	}
	starts.print("start")
	saves.print("save")
	submits.print("submit")
	errs := starts.errors.Load() + saves.errors.Load() + submits.errors.Load()
	fmt.Printf("total %s; acknowledged saves %d, lost %d; submitted %d, unscored %d\n",
		total.Round(time.Millisecond), len(res.Acks), lost, len(res.Submitted), unscored)
	fmt.Printf("connections: %d opened by the load generators, at most %d open at once\n", res.Dials, res.PeakConns)
	if *target == "" {
		fmt.Printf("server: at most %d connections open at once; memory: heap at most %d MiB, resident at most %d MiB (this process%s)\n",
			server.peakConns.Load(), server.peakHeap.Load()>>20, peakRSS()>>20, map[bool]string{true: "", false: ", load generator included"}[*generators > 0])
	}
	fmt.Printf("RESULT candidates=%d errors=%d lost=%d unscored=%d start_p99_ms=%.1f save_p99_ms=%.1f submit_p99_ms=%.1f saves_per_s=%.0f pace=%s peak_conns=%d db=%s\n",
		*n, errs, lost, unscored, starts.pct(0.99), saves.pct(0.99), submits.pct(0.99), saves.rate(), *pace, res.PeakConns, a.DB.Dialect)
	return nil
}

// benchItem is an item of an attempt as the API sends it, with what a
// candidate's response needs.
type benchItem struct {
	Type    string `json:"type"`
	Options []struct {
		ID string `json:"id"`
	} `json:"options"`
	Targets []struct {
		ID string `json:"id"`
	} `json:"targets"`
}

// response picks a plausible response for the item.
func (it benchItem) response(rng *rand.Rand) []string {
	opt := func(k int) string { return it.Options[k].ID }
	n := len(it.Options)
	switch it.Type {
	case "single":
		return []string{opt(rng.IntN(n))}
	case "multiple":
		return []string{opt(0), opt(rng.IntN(n))}
	case "true_false":
		return []string{[]string{"true", "false"}[rng.IntN(2)]}
	case "ordering":
		out := make([]string, n)
		for k := range out {
			out[k] = opt(k)
		}
		return out
	case "matching":
		out := make([]string, n)
		for k := range out {
			out[k] = opt(k) + ":" + it.Targets[k%max(1, len(it.Targets))].ID
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
