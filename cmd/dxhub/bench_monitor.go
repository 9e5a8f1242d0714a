package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"runtime"
	"strings"
	"time"

	"dxhub/internal/app"
	"dxhub/internal/demo"
	"dxhub/internal/monitor"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
)

// benchMonitor builds a national-scale data set (the real tree, people,
// learning and exam records, monthly commune reports over several years)
// and measures a full recompute of the current year, an incremental one
// after new completions, and the national and a province's dashboard.
func benchMonitor(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench monitoring", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", ""), "database URL; default a fresh SQLite file in a temporary folder")
	people := fs.Int("people", 3000000, "people (each with an account)")
	records := fs.Int("records", 10000000, "learning completions plus exam attempts, spread over the years")
	years := fs.Int("years", 5, "years of records and of monthly commune reports, ending this year")
	newDone := fs.Int("new", 10000, "completions added before the incremental recompute")
	requests := fs.Int("requests", 400, "dashboard requests per page")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured phases to this file")
	if err := parse(fs, args, "dxhub bench monitoring [flags]: on loopback only, build a national data set and print the time of a\nfull recompute of this year, of an incremental recompute after --new completions, and p50/p99\nof the national and a province's dashboard page, then a last line RESULT key=value ..."); err != nil {
		return err
	}
	a, closeApp, err := benchApp(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeApp()
	sys := auth.WithPrincipal(ctx, auth.System())
	now := time.Now()
	year := now.Year()
	if _, err := a.Org.UnitByCode(ctx, "66"); err != nil {
		start := time.Now()
		if err := demo.Seed(ctx, demo.Services{Org: a.Org, Auth: a.Auth}, 0); err != nil {
			return err
		}
		if err := demo.SeedMonitoringDefinitions(sys, a.Mon, org.NationCode); err != nil {
			return err
		}
		if err := fillMonitoring(ctx, a, *people, *records, *years, now); err != nil {
			return err
		}
		fmt.Printf("built %d people, %d learning and exam records, %d years of monthly reports in %s\n", *people, *records, *years, time.Since(start).Round(time.Millisecond))
	}
	if a.DB.Dialect == db.Postgres {
		if _, err := a.DB.W.ExecContext(ctx, `ANALYZE`); err != nil {
			return err
		}
	}
	// A running server has read the year's values before: warm them.
	start := time.Now()
	if err := a.Mon.Warm(sys, year); err != nil {
		return err
	}
	fmt.Printf("first roll-up of %d (a server does it once): %.0f ms\n", year, ms(time.Since(start)))
	stopProfile, err := profileCPU(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	// Full recompute of this year, until dashboards read the new figures.
	start = time.Now()
	res, err := a.Mon.Recompute(sys, year)
	if err != nil {
		return err
	}
	if err := a.Mon.Warm(sys, year); err != nil {
		return err
	}
	full := time.Since(start)
	fmt.Printf("full recompute %d: %d computed rows, %.0f ms (recompute %d ms, then the year's roll-up)\n", year, res.Rows, ms(full), res.Millis)
	// New completions, then an incremental recompute.
	if err := addCompletions(ctx, a, *newDone, now); err != nil {
		return err
	}
	start = time.Now()
	inc, err := a.Mon.RecomputeIncremental(sys)
	if err != nil {
		return err
	}
	if err := a.Mon.Warm(sys, year); err != nil {
		return err
	}
	incr := time.Since(start)
	fmt.Printf("incremental recompute after %d new completions: %d rows changed, %.0f ms (recompute %d ms, then the year's roll-up)\n", *newDone, inc.Rows, ms(incr), inc.Millis)
	// Dashboards over loopback, as the national administrator.
	base, stop, err := serveLoopback(a)
	if err != nil {
		return err
	}
	defer stop()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {demo.Password}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	var all recorder
	for _, page := range []string{"/monitoring/units/VN", "/monitoring/units/66"} {
		var r recorder
		deadline := time.Now().Add(60 * time.Second)
		for i := 0; i < *requests && time.Now().Before(deadline); i++ {
			t0 := time.Now()
			resp, err := c.Get(base + page)
			if err != nil || resp.StatusCode != 200 {
				r.fail()
				all.fail()
				if resp != nil {
					resp.Body.Close()
				}
				continue
			}
			var n int64
			buf := make([]byte, 32<<10)
			for {
				k, err := resp.Body.Read(buf)
				n += int64(k)
				if err != nil {
					break
				}
			}
			resp.Body.Close()
			d := time.Since(t0)
			if i == 0 {
				fmt.Printf("%s: first request %.1f ms, %d bytes\n", page, ms(d), n)
				continue // the first request builds the trend years' roll-ups
			}
			r.ok(d)
			all.ok(d)
		}
		fmt.Printf("%s: %d requests p50=%.1f ms p99=%.1f ms errors=%d\n", page, len(r.lat), r.pct(0.50), r.pct(0.99), r.errors.Load())
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Printf("memory: heap in use %d MiB, total allocated %d MiB\n", m.HeapInuse>>20, m.TotalAlloc>>20)
	fmt.Printf("RESULT db=%s full_recompute_ms=%.0f incremental_ms=%.0f dashboard_p50_ms=%.1f dashboard_p99_ms=%.1f errors=%d people=%d records=%d\n",
		a.DB.Dialect, ms(full), ms(incr), all.pct(0.50), all.pct(0.99), all.errors.Load(), *people, *records)
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// bulk inserts rows into table in multi-row statements inside one
// transaction per chunk.
type bulk struct {
	ctx   context.Context
	d     *db.DB
	table string
	cols  []string
	rows  [][]any
}

func (b *bulk) add(row ...any) error {
	b.rows = append(b.rows, row)
	if len(b.rows) >= 20000 {
		return b.flush()
	}
	return nil
}

func (b *bulk) flush() error {
	if len(b.rows) == 0 {
		return nil
	}
	per := min(200, 30000/len(b.cols))
	err := b.d.Tx(b.ctx, func(tx *sql.Tx) error {
		for i := 0; i < len(b.rows); i += per {
			end := min(i+per, len(b.rows))
			var q strings.Builder
			q.WriteString("INSERT INTO " + b.table + " (" + strings.Join(b.cols, ",") + ") VALUES ")
			args := make([]any, 0, (end-i)*len(b.cols))
			for j, row := range b.rows[i:end] {
				if j > 0 {
					q.WriteByte(',')
				}
				q.WriteByte('(')
				for k := range row {
					if k > 0 {
						q.WriteByte(',')
					}
					q.WriteString(b.d.Dialect.Param(len(args) + 1))
					args = append(args, row[k])
				}
				q.WriteByte(')')
			}
			if _, err := tx.ExecContext(b.ctx, q.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	b.rows = b.rows[:0]
	return err
}

// fillMonitoring writes the data set straight into the tables (the
// services' own paths would take hours at this size): people with groups
// and accounts in the communes, courses and exam sessions, completions and
// attempts spread over the years, and monthly reports of every commune.
func fillMonitoring(ctx context.Context, a *app.App, people, records, years int, now time.Time) error {
	communes, err := a.Org.UnitsOfTypes(ctx, "/", []string{org.TypeCommune})
	if err != nil {
		return err
	}
	nation, _ := a.Org.Nation(ctx)
	d := a.DB
	ts := db.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	pb := &bulk{ctx: ctx, d: d, table: "people", cols: []string{"id", "ext_key", "full_name", "name_fold", "unit_id", "unit_path", "groups", "created_at", "updated_at"}}
	gb := &bulk{ctx: ctx, d: d, table: "person_groups", cols: []string{"person_id", "grp"}}
	ab := &bulk{ctx: ctx, d: d, table: "accounts", cols: []string{"id", "username", "password_hash", "person_id", "created_at", "updated_at"}}
	accounts, groups := make([]string, people), make([]string, people)
	unitOf := func(i int) string { return communes[i%len(communes)].ID }
	for i := range people {
		u := communes[i%len(communes)]
		pid := fmt.Sprintf("bp%09d", i)
		grp := org.Groups[rng.IntN(len(org.Groups))]
		groups[i] = grp
		if err := pb.add(pid, pid, "Người "+pid, "nguoi "+pid, u.ID, u.Path, grp, ts, ts); err != nil {
			return err
		}
		if err := gb.add(pid, grp); err != nil {
			return err
		}
		accounts[i] = fmt.Sprintf("ba%09d", i)
		if err := ab.add(accounts[i], accounts[i], "-", pid, ts, ts); err != nil {
			return err
		}
	}
	for _, b := range []*bulk{pb, gb, ab} {
		if err := b.flush(); err != nil {
			return err
		}
	}
	fmt.Printf("  people and accounts: %d\n", people)
	// One course and one exam session per year, so that each person has at
	// most one completion and one attempt a year.
	first := now.Year() - years + 1
	var courses, sessions []string
	for y := first; y <= now.Year(); y++ {
		c, s, bp := fmt.Sprintf("bc%d", y), fmt.Sprintf("bs%d", y), fmt.Sprintf("bb%d", y)
		if _, err := d.W.ExecContext(ctx, `INSERT INTO courses (id, code, unit_id, unit_path, title, title_fold, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$7)`, c, "BENCH-"+c, nation.ID, nation.Path, "Khóa "+c, "khoa "+c, ts); err != nil {
			return fmt.Errorf("course: %w", err)
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO blueprints (id, name, unit_id, unit_path, standard_code, standard_version, time_limit_s, pass_percent, rules, created_at, updated_at) VALUES ($1,$2,$3,$4,'VN-DSF',1,1800,50,'[]',$5,$5)`, bp, bp, nation.ID, nation.Path, ts); err != nil {
			return fmt.Errorf("blueprint: %w", err)
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO exam_sessions (id, blueprint_id, name, unit_id, unit_path, opens_at, closes_at, time_limit_s, eligibility, created_at) VALUES ($1,$2,$3,$4,$5,0,0,1800,'open',$6)`, s, bp, s, nation.ID, nation.Path, ts); err != nil {
			return fmt.Errorf("session: %w", err)
		}
		courses, sessions = append(courses, c), append(sessions, s)
	}
	eb := &bulk{ctx: ctx, d: d, table: "enrolments", cols: []string{"id", "course_id", "account_id", "unit_path", "version", "registration", "status", "progress", "enrolled_at", "updated_at", "completed_at", "person_unit", "person_groups"}}
	tb := &bulk{ctx: ctx, d: d, table: "attempts", cols: []string{"id", "session_id", "account_id", "status", "form", "started_at", "deadline", "finished_at", "score", "max_score", "passed", "person_unit", "person_groups"}}
	perYear := records / 2 / years
	for yi := range years {
		from := time.Date(first+yi, 1, 1, 0, 0, 0, 0, time.UTC)
		span := time.Date(first+yi+1, 1, 1, 0, 0, 0, 0, time.UTC).Sub(from)
		if first+yi == now.Year() {
			span = now.Add(-time.Hour).Sub(from)
		}
		// Records arrive in time order, as they do in life (a few seconds
		// apart, in no order within that), so the time indexes grow at
		// their end.
		step := span / time.Duration(perYear)
		for k := range perYear {
			acc := (k*7919 + yi*104729) % people
			at := from.Add(step*time.Duration(k) + time.Duration(rng.Int64N(int64(step)))).UnixMilli()
			if err := eb.add(fmt.Sprintf("be%d-%d", yi, k), courses[yi], accounts[acc], "", 1, "r", "completed", 100, at, at, at, unitOf(acc), groups[acc]); err != nil {
				return err
			}
			acc2 := (k*6007 + yi*7) % people
			at2 := from.Add(step*time.Duration(k) + time.Duration(rng.Int64N(int64(step)))).UnixMilli()
			if err := tb.add(fmt.Sprintf("bt%d-%d", yi, k), sessions[yi], accounts[acc2], "submitted", "{}", at2, at2, at2, 10.0, 20.0, k%3, unitOf(acc2), groups[acc2]); err != nil {
				return err
			}
		}
		if err := eb.flush(); err != nil {
			return err
		}
		if err := tb.flush(); err != nil {
			return err
		}
		fmt.Printf("  records of %d: %d completions, %d attempts\n", first+yi, perYear, perYear)
	}
	// Monthly reports of every commune, approved, with five values each.
	set, err := a.Mon.Dataset(ctx, demo.MonthlyDataset)
	if err != nil {
		return err
	}
	els, _ := a.Mon.Elements(ctx)
	elemID := map[string]string{}
	for _, e := range els {
		elemID[e.Code] = e.ID
	}
	rb := &bulk{ctx: ctx, d: d, table: "mon_reports", cols: []string{"id", "dataset_id", "unit_id", "unit_path", "period", "year", "due", "status", "submitted_at", "created_at", "updated_at"}}
	vb := &bulk{ctx: ctx, d: d, table: "mon_values", cols: []string{"report_id", "element_id", "category", "value"}}
	n := 0
	for y := first; y <= now.Year(); y++ {
		for _, per := range monitor.PeriodsOfYear(monitor.Monthly, y) {
			if !per.End.Before(now) {
				break
			}
			for ci, u := range communes {
				id := fmt.Sprintf("br%s-%d", per.ID, ci)
				if len(vb.rows)+5 >= 20000 { // reports before their values
					if err := rb.flush(); err != nil {
						return err
					}
					if err := vb.flush(); err != nil {
						return err
					}
				}
				if err := rb.add(id, set.ID, u.ID, u.Path, per.ID, y, per.DayAfterEnd(5), "approved", ts, ts, ts); err != nil {
					return err
				}
				work := 3000 + ci%2000
				for code, v := range map[string]int{"working_age": work, "using_online_services": work * (40 + (y-first)*8 + ci%10) / 100, "trainings_held": 1 + ci%3, "schools_total": 8, "schools_stem": 2 + (y-first)%5} {
					if err := vb.add(id, elemID[code], "", float64(v)); err != nil {
						return err
					}
				}
				n++
			}
		}
	}
	if err := rb.flush(); err != nil {
		return err
	}
	if err := vb.flush(); err != nil {
		return err
	}
	fmt.Printf("  monthly reports: %d\n", n)
	return nil
}

// addCompletions records n new completions this year by people who had
// none this year, as a learning platform would.
func addCompletions(ctx context.Context, a *app.App, n int, now time.Time) error {
	var course string
	if err := a.DB.R.QueryRowContext(ctx, `SELECT id FROM courses WHERE code = $1`, fmt.Sprintf("BENCH-bc%d", now.Year())).Scan(&course); err != nil {
		return err
	}
	eb := &bulk{ctx: ctx, d: a.DB, table: "enrolments", cols: []string{"id", "course_id", "account_id", "unit_path", "version", "registration", "status", "progress", "enrolled_at", "updated_at", "completed_at"}}
	at := db.Now()
	fresh := fmt.Sprintf("%sx%d", course, at) // a course of this run: earlier runs' learners may enrol again
	// Learners without a completion this year (earlier runs on the same
	// data set added some).
	yearStart := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	learners, err := db.Column[string](a.DB.R.QueryContext(ctx, `SELECT a.id FROM accounts a WHERE a.id LIKE 'ba%' AND NOT EXISTS
		(SELECT 1 FROM enrolments e WHERE e.account_id = a.id AND e.completed_at >= $1) LIMIT $2`, yearStart, n))
	if err != nil {
		return err
	}
	for k, acc := range learners {
		if err := eb.add(fmt.Sprintf("bn%d-%d", at, k), fresh, acc, "", 1, "r", "completed", 100, at, at, at+int64(k%1000)); err != nil {
			return err
		}
	}
	// A second course row takes the new completions, so that no person
	// enrols twice in one course.
	ts := db.Now()
	nation, _ := a.Org.Nation(ctx)
	if _, err := a.DB.W.ExecContext(ctx, `INSERT INTO courses (id, code, unit_id, unit_path, title, title_fold, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$7) ON CONFLICT DO NOTHING`,
		fresh, fmt.Sprintf("BENCH-%d-%d", now.Year(), ts), nation.ID, nation.Path, "Khóa mới", "khoa moi", ts); err != nil {
		return err
	}
	if err := eb.flush(); err != nil {
		return err
	}
	// Where each learner sat, as enrolling records it.
	_, err = a.DB.W.ExecContext(ctx, `UPDATE enrolments SET person_unit = p.unit_id, person_groups = p.groups FROM accounts ac JOIN people p ON p.id = ac.person_id
		WHERE ac.id = enrolments.account_id AND enrolments.id >= $1 AND enrolments.id < $2`, fmt.Sprintf("bn%d-", at), fmt.Sprintf("bn%d.", at))
	return err
}
