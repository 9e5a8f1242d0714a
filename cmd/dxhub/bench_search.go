package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"dxhub/internal/app"
	"dxhub/internal/demo"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/search"
)

// benchSearch measures search in every room at national sizes: the unit
// tree (in memory), people (rows and index, as the people list searches
// them), courses and items (the index alone, with generated titles and
// stems), with typo tolerance on, under concurrent load.
func benchSearch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench search", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", ""), "database URL; default a fresh SQLite file in a temporary folder")
	people := fs.Int("people", 3000000, "people (rows and index)")
	courses := fs.Int("courses", 10000, "courses in the index")
	items := fs.Int("items", 100000, "items in the index")
	duration := fs.Duration("duration", 10*time.Second, "length of each phase")
	maxReq := fs.Int("requests", 200000, "upper bound on searches per phase")
	conc := fs.Int("concurrency", 8, "concurrent searchers")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	verbose := fs.Bool("v", false, "print each query's slowest search")
	only := fs.String("only", "", "measure only these phases (comma-separated keys: units, people, people_nation, courses, items)")
	if err := parse(fs, args, "dxhub bench search [flags]: build the search indexes at national sizes and measure searches with typos\n(units, people, courses, items) from concurrent searchers; prints build time, index size, searches/s,\np50/p99 latency, and a last line RESULT key=value ..."); err != nil {
		return err
	}
	a, closeApp, err := benchApp(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeApp()
	stopProfile, err := profileCPU(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	sys := auth.WithPrincipal(ctx, auth.System())
	if _, err := a.Org.UnitByCode(ctx, "66"); err != nil {
		if _, err := a.Org.ImportUnits(sys, bytes.NewReader(demo.UnitsCSV)); err != nil {
			return err
		}
		if _, err := a.Org.RecordReorganisation(sys, bytes.NewReader(demo.MergesCSV), demo.Resolution2025); err != nil {
			return err
		}
	}
	st := a.Search
	var res []string
	// People: rows and index together, as imports write them.
	if n, _ := st.Store("people").Count(ctx); n < *people {
		start, before := time.Now(), indexBytes(ctx, a)
		if err := demo.SeedMorePeople(sys, a.Org, n, *people-n, uint64(11+n)); err != nil {
			return err
		}
		fmt.Printf("people: %d rows and their index in %s; index %.0f MiB\n", *people-n, time.Since(start).Round(time.Second), float64(indexBytes(ctx, a)-before)/(1<<20))
	}
	words := vocabularyOf(demo.UnitsCSV)
	for _, d := range []struct {
		domain string
		n      int
		doc    func(i int, rng *rand.Rand) search.Doc
	}{
		{"courses", *courses, func(i int, rng *rand.Rand) search.Doc {
			return search.Doc{ID: fmt.Sprintf("C%06d", i), Boost: int64(rng.IntN(5000)), Fields: []search.Field{
				{Text: courseTitles[rng.IntN(len(courseTitles))] + " " + phrase(rng, words, 3), Rank: 0}, {Text: fmt.Sprintf("KH-%06d", i), Rank: 0, Plain: true},
				{Text: phrase(rng, words, 25), Rank: 1}}}
		}},
		{"items", *items, func(i int, rng *rand.Rand) search.Doc {
			return search.Doc{ID: fmt.Sprintf("I%07d", i), Scopes: []string{fmt.Sprintf("unit%02d", rng.IntN(34))}, Fields: []search.Field{
				{Text: itemStems[rng.IntN(len(itemStems))] + " " + phrase(rng, words, 12), Rank: 0},
				{Text: phrase(rng, words, 4), Rank: 1}, {Text: phrase(rng, words, 4), Rank: 1}, {Text: phrase(rng, words, 4), Rank: 1}}}
		}},
	} {
		store := st.Store(d.domain)
		have, err := store.Count(ctx)
		if err != nil {
			return err
		}
		if have >= d.n {
			continue
		}
		start, before := time.Now(), indexBytes(ctx, a)
		rng := rand.New(rand.NewPCG(uint64(d.n), 7))
		const batch = 2000
		for from := have; from < d.n; from += batch {
			docs := make([]search.Doc, 0, batch)
			for i := from; i < min(d.n, from+batch); i++ {
				docs = append(docs, d.doc(i, rng))
			}
			if err := a.DB.Tx(ctx, func(tx *sql.Tx) error { return store.Put(ctx, tx, docs...) }); err != nil {
				return err
			}
		}
		fmt.Printf("%s: %d in the index in %s; index %.0f MiB\n", d.domain, d.n-have, time.Since(start).Round(time.Millisecond), float64(indexBytes(ctx, a)-before)/(1<<20))
	}
	// Measure the indexes, not the bulk load: its write-ahead log folded
	// into the database and its garbage collected first.
	if a.DB.Dialect == db.SQLite {
		if _, err := a.DB.W.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return err
		}
	}
	runtime.GC()
	var built runtime.MemStats
	runtime.ReadMemStats(&built)
	fmt.Printf("heap after building: %d MiB\n", built.HeapAlloc>>20)
	dl, err := a.Org.UnitByCode(ctx, "66")
	if err != nil {
		return err
	}
	phases := []struct {
		name, key string
		queries   []string
		search    func(q string) error
	}{
		{"units", "units", []string{"Tân An Đắk Lắk", "daklak", "Buon Me Thuot", "Quảng Nih", "Thnah Hoa", "tp hcm", "binh phuoc", "ba dinh ha noi", "hai phong", "xa ea"}, func(q string) error {
			_, err := a.Org.SearchUnits(ctx, q, 20)
			return err
		}},
		{"people (a province)", "people", []string{"Nguyễn Văn An", "nguyen thi hoa", "Trần Minh Thắng", "le ngoc lan", "Phạm Qúôc Bảo", "hoang van nam", "Đặng Thu Tràng", "vo xuan phuc"}, func(q string) error {
			_, err := st.Store("people").Search(ctx, search.Query{Text: q, Scopes: search.PathScopes(dl.Path), Limit: 50})
			return err
		}},
		{"people (the nation)", "people_nation", []string{"Nguyễn Văn An", "nguyen thi hoa", "Trần Minh Thắng", "le ngoc lan", "hoang van nam", "Đặng Thu Tràng"}, func(q string) error {
			_, err := st.Store("people").Search(ctx, search.Query{Text: q, Limit: 50})
			return err
		}},
		{"courses", "courses", []string{"an toàn mạng", "ky nang so", "chuyen doi sox", "trí tuệ nhân tạo", "dich vu cong truc tuyen", "bảo vệ dữ liệu"}, func(q string) error {
			_, err := st.Store("courses").Search(ctx, search.Query{Text: q, Limit: 20})
			return err
		}},
		{"items", "items", []string{"mật khẩu mạnh", "lua dao truc tuyen", "thư điện tử", "dinh danh dien tu", "sao chep", "cong thuc bang tinh"}, func(q string) error {
			_, err := st.Store("items").Search(ctx, search.Query{Text: q, Scopes: []string{"unit03", "unit07"}, Limit: 50})
			return err
		}},
	}
	// Read what the searches read once before measuring: a database just
	// opened is on disk, not in memory (the first searches wait seconds).
	warm := time.Now()
	for _, p := range phases {
		for _, q := range p.queries {
			if err := p.search(q); err != nil {
				return err
			}
		}
	}
	fmt.Printf("warm-up (each query once): %s\n", time.Since(warm).Round(time.Millisecond))
	for _, p := range phases {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), p.key) {
			continue
		}
		var mu sync.Mutex
		slowest := map[string]time.Duration{}
		ph := runCalls(p.name, *conc, *duration, *maxReq, func(i int) error {
			q := p.queries[i%len(p.queries)]
			t0 := time.Now()
			err := p.search(q)
			d := time.Since(t0)
			mu.Lock()
			slowest[q] = max(slowest[q], d)
			mu.Unlock()
			return err
		})
		if *verbose {
			for q, d := range slowest {
				fmt.Printf("    slowest %-28q %8.2f ms\n", q, float64(d.Microseconds())/1000)
			}
		}
		res = append(res, fmt.Sprintf("%s_p50_ms=%.2f %s_p99_ms=%.2f", p.key, ph.p50, p.key, ph.p99))
		if ph.errors > 0 {
			return fmt.Errorf("%s: %d searches failed", p.name, ph.errors)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("memory: heap %d MiB\n", ms.HeapAlloc>>20)
	fmt.Printf("RESULT db=%s people=%d courses=%d items=%d concurrency=%d %s heap_mib=%d\n", a.DB.Dialect, *people, *courses, *items, *conc, strings.Join(res, " "), ms.HeapAlloc>>20)
	return nil
}

// runCalls calls fn from conc workers until duration passes or max calls
// were made, and prints the phase's figures.
func runCalls(name string, conc int, duration time.Duration, max int, fn func(int) error) phase {
	var next, errs atomic.Int64
	lat := make([][]time.Duration, conc)
	deadline := time.Now().Add(duration)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range conc {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				i := int(next.Add(1))
				if i > max {
					return
				}
				t0 := time.Now()
				if err := fn(i); err != nil {
					errs.Add(1)
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		})
	}
	wg.Wait()
	return summarize(name, "searches", lat, time.Since(start), errs.Load())
}

// indexBytes is the size of the search tables and indexes.
func indexBytes(ctx context.Context, a *app.App) int64 {
	var n int64
	if a.DB.Dialect == db.Postgres {
		a.DB.R.QueryRowContext(ctx, `SELECT pg_total_relation_size('search_docs') + pg_total_relation_size('search_terms')`).Scan(&n)
		return n
	}
	// The whole file: the search tables are most of what grows here.
	var pages, size int64
	a.DB.R.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages)
	a.DB.R.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size)
	return pages * size
}

// vocabularyOf collects the syllables of the tree's names: generated
// titles and stems are made of real Vietnamese words.
func vocabularyOf(unitsCSV []byte) []string {
	rows, _ := csv.NewReader(bytes.NewReader(unitsCSV)).ReadAll()
	seen := map[string]bool{}
	var out []string
	for _, r := range rows[1:] {
		for _, w := range strings.Fields(r[4]) {
			if !seen[w] {
				seen[w] = true
				out = append(out, strings.ToLower(w))
			}
		}
	}
	return out
}

func phrase(rng *rand.Rand, words []string, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = words[rng.IntN(len(words))]
	}
	return strings.Join(ws, " ")
}

var (
	courseTitles = []string{"Kỹ năng số cơ bản cho mọi người", "An toàn khi dùng mạng và bảo vệ dữ liệu cá nhân", "Dùng dịch vụ công trực tuyến và định danh điện tử",
		"Giao tiếp và phối hợp công việc trên môi trường số", "Tạo nội dung số và tôn trọng bản quyền", "Tự xử lý sự cố thiết bị và chọn giải pháp số",
		"Trí tuệ nhân tạo trong công việc hằng ngày", "Chuyển đổi số cho cán bộ chuyên trách cấp xã", "Thương mại điện tử cho hộ kinh doanh", "Thanh toán không dùng tiền mặt"}
	itemStems = []string{"Mật khẩu nào mạnh nhất?", "Những dấu hiệu nào cho thấy một thư điện tử có thể là lừa đảo?", "Ứng dụng định danh điện tử quốc gia có tên là gì?",
		"Tổ hợp phím thường dùng để sao chép trên máy tính là gì?", "Công thức bảng tính nào cho kết quả trung bình?", "Sắp xếp các bước nộp hồ sơ trên Cổng dịch vụ công.",
		"Trước khi chia sẻ một tin trên mạng xã hội, bạn nên làm gì?", "Lừa đảo trực tuyến thường giả danh cơ quan nào?"}
)
