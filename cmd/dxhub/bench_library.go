package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"dxhub/internal/demo"
	"dxhub/internal/library"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/i18n"
)

// benchLibrary builds a library of n documents (the demo library and
// generated ones of realistic Vietnamese lengths) and measures, from
// concurrent callers of the service, searches and the assistant's
// extractive answers: dxhub bench library.
func benchLibrary(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench library", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", ""), "database URL; default a fresh SQLite file in a temporary folder")
	docs := fs.Int("docs", 100000, "documents in the library (the demo's 62 included)")
	duration := fs.Duration("duration", 10*time.Second, "length of each phase")
	maxReq := fs.Int("requests", 100000, "upper bound on calls per phase")
	conc := fs.Int("concurrency", 2, "concurrent callers")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured phases to this file")
	if err := parse(fs, args, "dxhub bench library [flags]: build a library of generated documents (titles, summaries and bodies made of\nthe demo library's real Vietnamese sentences, 0.5–4 KB each) and measure searches and the assistant's\nextractive answers from concurrent callers; prints the indexing rate, index size, p50/p99 latency,\nmemory, and a last line RESULT search_p99_ms=… answer_p99_ms=… docs=…"); err != nil {
		return err
	}
	a, closeApp, err := benchApp(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeApp()
	sys := auth.WithPrincipal(ctx, auth.System())
	if _, err := a.Org.UnitByCode(ctx, "66"); err != nil {
		if err := demo.Seed(ctx, demo.Services{Org: a.Org, Auth: a.Auth}, 0); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	var have int
	if err := a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM lib_docs`).Scan(&have); err != nil {
		return err
	}
	if have == 0 {
		if _, err := demo.SeedLibrary(ctx, a.Lib, principalOf(ctx, a)); err != nil {
			return err
		}
		have = len(demo.LibraryDocs)
	}
	if have < *docs {
		sentences := demoSentences()
		places := vocabularyOf(demo.UnitsCSV)
		rng := rand.New(rand.NewPCG(uint64(*docs), 5))
		kinds := []string{library.News, library.News, library.News, library.Guide, library.FAQ}
		provinces := []string{"VN", "66", "75"}
		start, before := time.Now(), indexBytes(ctx, a)
		const batch = 1000
		for from := have; from < *docs; from += batch {
			list := make([]*library.Doc, 0, batch)
			for i := from; i < min(*docs, from+batch); i++ {
				var body strings.Builder
				for p, n := 0, 3+rng.IntN(6); p < n; p++ {
					if p > 0 {
						body.WriteString("\n\n")
					}
					for k, m := 0, 1+rng.IntN(3); k < m; k++ {
						if k > 0 {
							body.WriteByte(' ')
						}
						body.WriteString(sentences[rng.IntN(len(sentences))])
					}
				}
				title := strings.TrimRight(sentences[rng.IntN(len(sentences))], ".?!") + " tại " + phrase(rng, places, 2)
				if len(title) > 280 {
					title = title[:strings.LastIndex(title[:280], " ")]
				}
				list = append(list, &library.Doc{Kind: kinds[rng.IntN(len(kinds))], UnitCode: provinces[rng.IntN(len(provinces))], TitleVI: title,
					SummaryVI: sentences[rng.IntN(len(sentences))], BodyVI: body.String(), PublishAt: time.Now().Add(-time.Duration(rng.IntN(1000)) * time.Hour).UnixMilli()})
			}
			if err := a.Lib.Load(sys, list); err != nil {
				return err
			}
		}
		took := time.Since(start)
		fmt.Printf("library: %d documents written and indexed in %s (%.0f a second); database grew %.0f MiB\n",
			*docs-have, took.Round(time.Millisecond), float64(*docs-have)/took.Seconds(), float64(indexBytes(ctx, a)-before)/(1<<20))
	}
	if a.DB.Dialect == db.SQLite {
		if _, err := a.DB.W.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return err
		}
	}
	runtime.GC()
	queries := []string{"an toan thong tin", "mật khẩu mạnh", "dich vu cong truc tuyen", "146/QĐ-TTg", "chuyển đổi số", "ky nang so cho can bo", "lừa đảo OTP", "VNeID"}
	questions, err := readQAQuestions("testdata/qa-eval/questions.csv")
	if err != nil {
		// Run from elsewhere than the repository: a handful of questions.
		questions = nil
		for _, q := range []string{"Học trên dxhub có mất phí không?", "Làm sao đăng ký tài khoản?", "Mục tiêu năm 2025 của Đề án 146 là gì?", "Có người gọi điện xin mã OTP thì làm gì?", "Giá vàng hôm nay bao nhiêu?"} {
			questions = append(questions, qaQuestion{lang: i18n.VI, question: q})
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	warm := time.Now()
	for _, q := range queries {
		if _, err := a.Lib.List(ctx, library.Filter{Q: q}); err != nil {
			return err
		}
	}
	for _, q := range questions {
		if _, err := a.Lib.Ask(ctx, q.question, q.lang); err != nil {
			return err
		}
	}
	fmt.Printf("warm-up (each query and question once): %s\n", time.Since(warm).Round(time.Millisecond))
	var mu sync.Mutex
	slowest := map[string]time.Duration{}
	timed := func(key string, f func() error) error {
		t0 := time.Now()
		err := f()
		d := time.Since(t0)
		mu.Lock()
		slowest[key] = max(slowest[key], d)
		mu.Unlock()
		return err
	}
	search := runCalls("search", *conc, *duration, *maxReq, func(i int) error {
		q := queries[i%len(queries)]
		return timed(q, func() error { _, err := a.Lib.List(ctx, library.Filter{Q: q}); return err })
	})
	answer := runCalls("answer (extractive)", *conc, *duration, *maxReq, func(i int) error {
		q := questions[i%len(questions)]
		return timed(q.question, func() error { _, err := a.Lib.Ask(ctx, q.question, q.lang); return err })
	})
	if search.errors+answer.errors > 0 {
		return fmt.Errorf("%d searches and %d answers failed", search.errors, answer.errors)
	}
	worst, worstQ := time.Duration(0), ""
	for q, d := range slowest {
		if d > worst {
			worst, worstQ = d, q
		}
	}
	fmt.Printf("slowest call: %q %.1f ms\n", worstQ, float64(worst.Microseconds())/1000)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("memory: heap %d MiB\n", ms.HeapAlloc>>20)
	fmt.Printf("RESULT db=%s docs=%d concurrency=%d search_p50_ms=%.2f search_p99_ms=%.2f answer_p50_ms=%.2f answer_p99_ms=%.2f heap_mib=%d\n",
		a.DB.Dialect, *docs, *conc, search.p50, search.p99, answer.p50, answer.p99, ms.HeapAlloc>>20)
	return nil
}

// demoSentences are the sentences of the demo library: real Vietnamese
// for generated documents.
func demoSentences() []string {
	var out []string
	for _, d := range demo.LibraryDocs {
		for _, t := range []string{d.In().SummaryVI, d.In().BodyVI} {
			for _, para := range strings.Split(t, "\n") {
				for _, s := range strings.SplitAfter(strings.TrimPrefix(strings.TrimSpace(para), "- "), ". ") {
					if s = strings.TrimSpace(s); len(s) > 30 {
						out = append(out, s)
					}
				}
			}
		}
	}
	return out
}
