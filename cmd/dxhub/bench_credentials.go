package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"dxhub/internal/app"
	"dxhub/internal/assessment"
	"dxhub/internal/credential"
	"dxhub/internal/demo"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/events"
)

// benchCredentials measures certificates on loopback: a national exam
// day's passes recorded as the exam engine records them (events in its
// outbox), issued by the certificates room as fast as the store takes
// them; then the public verification page under concurrent load; then
// fetches of the signed status list.
func benchCredentials(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench credentials", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", ""), "database URL; default a fresh SQLite file in a temporary folder")
	passes := fs.Int("passes", 100000, "exam passes to issue certificates for")
	verifies := fs.Int("verifies", 20000, "verification page views")
	statuses := fs.Int("status", 20000, "status list fetches")
	conns := fs.Int("conns", 16, "concurrent clients for the pages")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the issuing to this file")
	verifyProfile := fs.String("verifyprofile", "", "write a CPU profile of the verification pages to this file")
	if err := parse(fs, args, "dxhub bench credentials [flags]: on loopback only, certificates for --passes exam passes issued by the\nevents consumer, then --verifies verification pages and --status status-list fetches from --conns clients."); err != nil {
		return err
	}
	if *passes < 1 || *conns < 1 || *verifies < 1 || *statuses < 1 {
		return errors.New("--passes, --verifies, --status and --conns must be positive")
	}
	// The consumer starts when the passes are recorded, as after a burst.
	a, closeApp, err := benchAppWith(ctx, *dbURL, func(c *app.Config) {
		c.Background, c.CredentialKey, c.BaseURL = false, "bench credential key", "https://dxhub.example.vn"
	})
	if err != nil {
		return err
	}
	defer closeApp()
	_, sid, err := benchExamSetup(ctx, a, "cb-")
	if err != nil {
		return err
	}
	acct, err := a.Auth.AccountByUsername(ctx, "cb-admin")
	if err != nil {
		return err
	}
	admin, err := a.Auth.Principal(ctx, acct.ID)
	if err != nil {
		return err
	}
	ach := &credential.Achievement{Code: "BENCH", UnitCode: "VN", Name: "Chứng nhận đạt sát hạch kỹ năng số cơ bản", Criteria: "Đạt kỳ sát hạch", Rule: credential.RuleSession, RuleRef: sid, ValidYears: 3,
		Alignments: []credential.AlignmentRef{{Standard: "VN-DSF", Version: 1, Competence: "1.1", Name: "Duyệt, tìm kiếm dữ liệu"}}}
	if err := a.Cred.SaveAchievement(auth.WithPrincipal(ctx, admin), ach); err != nil {
		return err
	}
	t0 := time.Now()
	news := make([]auth.NewAccount, *passes)
	for i := range news {
		news[i] = auth.NewAccount{Username: fmt.Sprintf("thi-sinh-%d", i), Email: fmt.Sprintf("thi.sinh.%d@example.vn", i), DisplayName: fmt.Sprintf("Thí sinh %d", i)}
	}
	ids, err := a.Auth.ProvisionAccounts(ctx, news, demo.Password)
	if err != nil {
		return err
	}
	// The passes, as the engine records them: an event each, in its outbox.
	now := time.Now().UnixMilli()
	for start := 0; start < len(ids); start += 1000 {
		err := a.DB.Tx(ctx, func(tx *sql.Tx) error {
			for i := start; i < min(start+1000, len(ids)); i++ {
				if err := events.Record(ctx, tx, assessment.TopicAttemptFinished, assessment.AttemptFinished{AttemptID: fmt.Sprintf("a-%d", i), SessionID: sid,
					AccountID: ids[i], Status: "submitted", Passed: true, Percent: 80, At: now}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	fmt.Printf("setup: %d accounts and their passes recorded in %s\n", *passes, time.Since(t0).Round(time.Second))

	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stopProfile, err := profileCPU(*cpuProfile)
	if err != nil {
		return err
	}
	began := time.Now()
	a.Events.Start(ctx)
	count := func() int {
		var n int
		a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM credentials`).Scan(&n)
		return n
	}
	issued, last := 0, 0
	deadline := began.Add(time.Duration(*passes) * 50 * time.Millisecond) // far beyond any rate worth having
	for issued < *passes && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(250 * time.Millisecond)
		if issued = count(); issued/10000 != last/10000 {
			fmt.Printf("  %d issued after %s\n", issued, time.Since(began).Round(time.Second))
			last = issued
		}
	}
	took := time.Since(began)
	stopProfile()
	perS := float64(issued) / took.Seconds()
	fmt.Printf("issued: %d credentials (Data Integrity proof and VC-JWT each) in %s: %.0f/s, on %d cores\n", issued, took.Round(100*time.Millisecond), perS, runtime.NumCPU())
	missing := int64(*passes - issued)

	base, stop, err := serveLoopback(a)
	if err != nil {
		return err
	}
	defer stop()
	credIDs, err := db.Column[string](a.DB.R.QueryContext(ctx, `SELECT id FROM credentials`))
	if err != nil || len(credIDs) == 0 {
		return fmt.Errorf("no credential to verify: %v", err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conns}, Timeout: time.Minute}
	get := func(path string, want string) bool {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode == 200 && (want == "" || bytes.Contains(b, []byte(want)))
	}
	run := func(n int, do func(i int) bool) *recorder {
		rec := &recorder{}
		var next atomic.Int64
		var wg sync.WaitGroup
		for range *conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					i := int(next.Add(1)) - 1
					if i >= n {
						return
					}
					t := time.Now()
					if do(i) {
						rec.ok(time.Since(t))
					} else {
						rec.fail()
					}
				}
			}()
		}
		wg.Wait()
		return rec
	}
	stopProfile, err = profileCPU(*verifyProfile)
	if err != nil {
		return err
	}
	verify := run(*verifies, func(int) bool {
		return get("/credentials/"+credIDs[rand.IntN(len(credIDs))], `data-result="valid"`)
	})
	stopProfile()
	fmt.Printf("verification pages (%d clients): %.0f/s\n", *conns, verify.rate())
	verify.print("verify")
	status := run(*statuses, func(int) bool { return get("/credential-status/VN/1", "BitstringStatusListCredential") })
	fmt.Printf("status list fetches (%d clients): %.0f/s\n", *conns, status.rate())
	status.print("status")

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("memory: heap %d MiB, from OS %d MiB\n", ms.HeapAlloc>>20, ms.Sys>>20)
	errs := missing + verify.errors.Load() + status.errors.Load()
	fmt.Printf("RESULT passes=%d issued_per_s=%.0f verify_p50_ms=%.1f verify_p99_ms=%.1f status_p99_ms=%.1f errors=%d db=%s\n",
		*passes, perS, verify.pct(0.5), verify.pct(0.99), status.pct(0.99), errs, a.DB.Dialect)
	return nil
}
