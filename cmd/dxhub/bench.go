package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"dxhub/internal/demo"
	"dxhub/internal/platform/auth"
)

func bench(ctx context.Context, log *slog.Logger, args []string) error {
	if len(args) > 0 && args[0] == "exam-load" { // a child of bench exam
		return benchExamLoad()
	}
	if len(args) > 0 && args[0] == "exam" {
		return benchExam(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "monitoring" {
		return benchMonitor(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "lrs" {
		return benchLRS(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "accounts" {
		return benchAccounts(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "credentials" {
		return benchCredentials(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "search" {
		return benchSearch(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "library" {
		return benchLibrary(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "experts" {
		return benchExperts(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "network" {
		return benchNetwork(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "contest" {
		return benchContest(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "all" {
		return benchAll(ctx, args[1:])
	}
	if len(args) < 1 || args[0] != "org" {
		return errors.New("want: bench org|search|library|network|experts|contest|exam|lrs|monitoring|accounts|credentials|all [flags]")
	}
	fs := flag.NewFlagSet("bench org", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", ""), "database URL; default a fresh SQLite file in a temporary folder")
	people := fs.Int("people", 200000, "people in the demo database (created when the database has no tree yet)")
	duration := fs.Duration("duration", 10*time.Second, "length of each phase")
	maxReq := fs.Int("requests", 300000, "upper bound on requests per phase")
	conc := fs.Int("concurrency", 8, "concurrent clients")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured phases to this file")
	if err := parse(fs, args[1:], "dxhub bench org [flags]: on loopback only, measure unit search and a province's people list\n(JSON API, as the Đắk Lắk administrator) on a demo database; prints requests/s, p50/p99\nlatency, errors and memory, and a last line RESULT key=value ..."); err != nil {
		return err
	}
	a, closeApp, err := benchApp(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeApp()
	if _, err := a.Org.UnitByCode(ctx, "66"); err != nil {
		start := time.Now()
		if err := demo.Seed(ctx, demo.Services{Org: a.Org, Auth: a.Auth}, 0); err != nil {
			return err
		}
		if err := demo.SeedPeople(auth.WithPrincipal(ctx, auth.System()), a.Org, *people, 7); err != nil {
			return err
		}
		fmt.Printf("seeded the real tree and %d people in %s\n", *people, time.Since(start).Round(time.Millisecond))
	}
	nation, _ := a.Org.Nation(ctx)
	total, _ := a.Org.PeopleCount(ctx, nation)
	dl, _ := a.Org.UnitByCode(ctx, "66")
	inProvince, _ := a.Org.PeopleCount(ctx, dl)
	fmt.Printf("database %s: %d people, %d in Đắk Lắk\n", a.DB.Dialect, total, inProvince)

	base, stopServer, err := serveLoopback(a)
	if err != nil {
		return err
	}
	defer stopServer()

	tr := &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Transport: tr, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/login", url.Values{"username": {"daklak.admin"}, "password": {demo.Password}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("sign in: status %d", resp.StatusCode)
	}

	stopProfile, err := profileCPU(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	queries := []string{"dak lak", "Đắk Lắk", "dong nai", "buon ma thuot", "phuong", "xa ea", "ha noi", "Hồ Chí Minh", "tan an", "66", "24121", "hoa"}
	search := run("unit search", *conc, *duration, *maxReq, func(i int) string {
		return base + "/api/v1/units?q=" + url.QueryEscape(queries[i%len(queries)])
	}, client)
	list := run("province people list", *conc, *duration, *maxReq, func(i int) string {
		return fmt.Sprintf("%s/api/v1/people?unit=66&page=%d", base, 1+i%20)
	}, client)
	listQ := run("province people search", *conc, *duration, *maxReq, func(i int) string {
		return fmt.Sprintf("%s/api/v1/people?unit=66&q=%s", base, url.QueryEscape(queries[i%3]))
	}, client)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("memory: heap %d MiB, total from OS %d MiB, GC cycles %d\n", ms.HeapAlloc>>20, ms.Sys>>20, ms.NumGC)
	fmt.Printf("RESULT db=%s people=%d concurrency=%d search_rps=%.0f search_p50_ms=%.2f search_p99_ms=%.2f list_rps=%.0f list_p50_ms=%.2f list_p99_ms=%.2f listq_p99_ms=%.2f errors=%d heap_mib=%d\n",
		a.DB.Dialect, total, *conc, search.rps, search.p50, search.p99, list.rps, list.p50, list.p99, listQ.p99, search.errors+list.errors+listQ.errors, ms.HeapAlloc>>20)
	return nil
}

type phase struct {
	rps, p50, p99 float64
	errors        int64
}

// run sends GET requests from conc workers until duration passes or max
// requests were sent, and prints the phase's figures.
func run(name string, conc int, duration time.Duration, max int, urlFor func(int) string, c *http.Client) phase {
	var next, errs atomic.Int64
	lat := make([][]time.Duration, conc)
	deadline := time.Now().Add(duration)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				i := int(next.Add(1))
				if i > max {
					return
				}
				t0 := time.Now()
				resp, err := c.Get(urlFor(i))
				if err != nil {
					errs.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs.Add(1)
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}(w)
	}
	wg.Wait()
	return summarize(name, "requests", lat, time.Since(start), errs.Load())
}

// summarize prints a phase's figures from each worker's latencies and
// returns them.
func summarize(name, unit string, lat [][]time.Duration, elapsed time.Duration, errors int64) phase {
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	ph := phase{rps: float64(len(all)) / elapsed.Seconds(), p50: pct(0.50), p99: pct(0.99), errors: errors}
	fmt.Printf("%-24s %7d %s in %5.1fs  %8.0f /s  p50 %6.2f ms  p99 %6.2f ms  errors %d\n", name, len(all), unit, elapsed.Seconds(), ph.rps, ph.p50, ph.p99, ph.errors)
	return ph
}
