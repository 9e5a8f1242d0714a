package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"dxhub/internal/demo"
	"dxhub/internal/platform/db"
)

// benchLRS loads the xAPI endpoint on loopback: first it stores --stored
// statements through the store (to reach the size asked for quickly), then
// clients POST batches of 50 statements over HTTP, then they query by
// agent and by activity.
func benchLRS(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench lrs", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", ""), "database URL; default a fresh SQLite file in a temporary folder")
	stored := fs.Int("stored", 5_000_000, "statements stored before the measured phases (added until the store holds this many)")
	conc := fs.Int("concurrency", 8, "concurrent clients")
	batch := fs.Int("batch", 50, "statements per POST")
	duration := fs.Duration("duration", 20*time.Second, "length of the measured POST phase, and the most the query phase takes")
	warmup := fs.Duration("warmup", 10*time.Second, "POSTs before the measured phase, reported apart (0: none)")
	maxBatches := fs.Int("batches", 20000, "upper bound on POSTs")
	queries := fs.Int("queries", 20000, "queries in the query phase (half by agent, half by activity), within --duration; enough that p99 is not a handful of them")
	agents := fs.Int("agents", 200_000, "distinct learners (agents) the statements are about")
	activities := fs.Int("activities", 5_000, "distinct activities")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured POST phase to this file")
	queryProfile := fs.String("query-cpuprofile", "", "write a CPU profile of the query phase to this file")
	if err := parse(fs, args, "dxhub bench lrs [flags]: on loopback only, POST batches of statements to /xapi/statements from\nseveral clients over a store of --stored statements, then query by agent and by activity;\nprints statements/s, p50/p99 per batch and per query, errors and memory, and a last line RESULT ..."); err != nil {
		return err
	}
	a, closeApp, err := benchApp(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeApp()
	nation, err := a.Org.Nation(ctx)
	if err != nil {
		if err := demo.Seed(ctx, demo.Services{Org: a.Org, Auth: a.Auth}, 0); err != nil {
			return err
		}
		if nation, err = a.Org.Nation(ctx); err != nil {
			return err
		}
	}
	c, secret, err := a.LRS.CreateClient(ctx, nation.ID, nation.Path, "bench", "bench")
	if err != nil {
		return err
	}
	// Statement i as JSON, written straight into the request body: the
	// clients share the machine with the server and should cost it little.
	appendStatement := func(b []byte, i int) []byte {
		ag, act := (i*7919)%*agents, (i*104729)%*activities
		return fmt.Appendf(b, `{"actor":{"objectType":"Agent","name":"Học viên %[1]d","account":{"homePage":"https://lms.example.vn","name":"hv%[1]d"}},`+
			`"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"vi-VN":"đã hoàn thành"}},`+
			`"object":{"id":"https://lms.example.vn/activities/%[2]d","definition":{"name":{"vi-VN":"Bài %[2]d"}}},`+
			`"result":{"completion":true,"score":{"scaled":0.8}},`+
			`"context":{"registration":"6f1c2a5e-3b7d-4c8e-9f10-%012[1]d","contextActivities":{"parent":[{"id":"https://lms.example.vn/courses/1"}]}}}`, ag, act)
	}
	statement := func(i int) map[string]any {
		d := json.NewDecoder(bytes.NewReader(appendStatement(nil, i)))
		d.UseNumber()
		var st map[string]any
		if err := d.Decode(&st); err != nil {
			panic(err)
		}
		return st
	}
	have, err := a.LRS.Count(ctx, "")
	if err != nil {
		return err
	}
	if int(have) < *stored {
		// Several callers at once, so the store commits their chunks
		// together as it does for concurrent clients.
		start := time.Now()
		const chunk = 1000
		var next atomic.Int64
		next.Store(have)
		var wg sync.WaitGroup
		errs := make(chan error, *conc)
		for range *conc {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					i := int(next.Add(chunk)) - chunk
					if i >= *stored {
						return
					}
					list := make([]map[string]any, 0, chunk)
					for j := i; j < min(i+chunk, *stored); j++ {
						list = append(list, statement(j))
					}
					if _, err := a.LRS.Save(ctx, c, list); err != nil {
						errs <- err
						return
					}
					if (i/chunk)%500 == 0 && i > int(have) {
						fmt.Printf("  stored %d statements (%.0f/s)\n", i, float64(i-int(have))/time.Since(start).Seconds())
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return err
		}
		fmt.Printf("stored %d statements through the store in %s\n", *stored-int(have), time.Since(start).Round(time.Second))
	}
	total, _ := a.LRS.Count(ctx, "")
	fmt.Printf("database %s: %d statements stored\n", a.DB.Dialect, total)
	if a.DB.Dialect == db.Postgres { // as autovacuum would have by now
		if _, err := a.DB.W.ExecContext(ctx, `ANALYZE xapi_statements`); err != nil {
			return err
		}
	}

	// As a server does at start (there in the background).
	warmStart := time.Now()
	if err := a.LRS.Warm(ctx); err != nil {
		return err
	}
	fmt.Printf("indexes warmed in %s\n", time.Since(warmStart).Round(time.Millisecond))

	server, stopServer, err := serveLoopback(a)
	if err != nil {
		return err
	}
	defer stopServer()
	base := server + "/xapi/"
	authz := "Basic " + base64.StdEncoding.EncodeToString([]byte(c.Key+":"+secret))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}}
	do := func(method, u string, body []byte) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
		req.Header.Set("Authorization", authz)
		req.Header.Set("X-Experience-API-Version", "1.0.3")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}

	// POST phases: a warm-up, as a server that has been running has its
	// recent index pages in memory, then the measured one.
	var next atomic.Int64
	next.Store(int64(total))
	postPhase := func(length time.Duration) (*recorder, int64) {
		posts := &recorder{}
		var sent atomic.Int64
		deadline := time.Now().Add(length)
		var wg sync.WaitGroup
		for w := 0; w < *conc; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; n < *maxBatches/(*conc) && time.Now().Before(deadline) && ctx.Err() == nil; n++ {
					from := int(next.Add(int64(*batch))) - *batch
					body := append(make([]byte, 0, 64*(*batch)*8), '[')
					for j := range *batch {
						if j > 0 {
							body = append(body, ',')
						}
						body = appendStatement(body, from+j)
					}
					body = append(body, ']')
					t0 := time.Now()
					status, err := do("POST", base+"statements", body)
					if err != nil || status != http.StatusOK {
						posts.fail()
						continue
					}
					posts.ok(time.Since(t0))
					sent.Add(int64(*batch))
				}
			}()
		}
		wg.Wait()
		return posts, sent.Load()
	}
	if *warmup > 0 {
		w, n := postPhase(*warmup)
		fmt.Printf("warm-up %d statements in %s: %.0f statements/s, batch p99 %.1f ms, %d errors (not counted below)\n",
			n, *warmup, w.rate()*float64(*batch), w.pct(0.99), w.errors.Load())
	}
	stopProfile, err := profileCPU(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	posts, sent := postPhase(*duration)
	stopProfile()
	posts.print("POST")
	stmtRate := posts.rate() * float64(*batch)
	fmt.Printf("POST    %d statements in batches of %d: %.0f statements/s\n", sent, *batch, stmtRate)
	stopQueryProfile, err := profileCPU(*queryProfile)
	if err != nil {
		return err
	}

	// Query phase: by agent and by activity, 10 statements a page. Each run
	// starts at its own learner and activity, so that it does not find the
	// pages a run just before it read still in memory.
	byAgent, byActivity := &recorder{}, &recorder{}
	agentFrom, activityFrom := rand.IntN(*agents), rand.IntN(*activities)
	var qn atomic.Int64
	var wg sync.WaitGroup
	qEnd := time.Now().Add(*duration)
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(qEnd) {
				i := int(qn.Add(1))
				if i > *queries {
					return
				}
				var u string
				rec := byAgent
				if i%2 == 0 {
					ag, _ := json.Marshal(map[string]any{"account": map[string]any{"homePage": "https://lms.example.vn", "name": fmt.Sprintf("hv%d", (agentFrom+i*31)%*agents)}})
					u = base + "statements?limit=10&agent=" + url.QueryEscape(string(ag))
				} else {
					rec = byActivity
					u = base + "statements?limit=10&activity=" + url.QueryEscape(fmt.Sprintf("https://lms.example.vn/activities/%d", (activityFrom+i*17)%*activities))
				}
				t0 := time.Now()
				status, err := do("GET", u, nil)
				if err != nil || status != http.StatusOK {
					rec.fail()
					continue
				}
				rec.ok(time.Since(t0))
			}
		}()
	}
	wg.Wait()
	stopQueryProfile()
	byAgent.print("agent")
	byActivity.print("activity")
	all := &recorder{lat: append(append([]time.Duration{}, byAgent.lat...), byActivity.lat...)}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("memory: heap %d MiB, total from OS %d MiB, GC cycles %d\n", ms.HeapAlloc>>20, ms.Sys>>20, ms.NumGC)
	errors := posts.errors.Load() + byAgent.errors.Load() + byActivity.errors.Load()
	final, _ := a.LRS.Count(ctx, "")
	fmt.Printf("RESULT db=%s statements_per_s=%.0f batch_p50_ms=%.1f batch_p99_ms=%.1f query_p50_ms=%.1f query_p99_ms=%.1f errors=%d stored=%d\n",
		a.DB.Dialect, stmtRate, posts.pct(0.5), posts.pct(0.99), all.pct(0.5), all.pct(0.99), errors, final)
	return nil
}
