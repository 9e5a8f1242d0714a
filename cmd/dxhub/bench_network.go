package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"dxhub/internal/demo"
	"dxhub/internal/network"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/i18n"
)

// benchNetwork builds a national DX network (teams in every commune of the
// real tree, their villages and members, two years of help logged), then
// offers a rush of activity entries at a fixed rate from many phones and
// reads the coverage pages of the nation and a province: dxhub bench
// network.
func benchNetwork(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench network", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", ""), "database URL; default a fresh SQLite file in a temporary folder")
	teams := fs.Int("teams", 100000, "community teams, spread over every commune")
	members := fs.Int("members", 600000, "members of those teams")
	acts := fs.Int("activities", 10000000, "activity entries over the last two years")
	rate := fs.Int("rate", 5000, "activity entries offered per second in the rush")
	duration := fs.Duration("duration", 60*time.Second, "length of the rush")
	phones := fs.Int("clients", 2000, "phones logging in the rush (each a team leader; at most this many entries in flight)")
	covDur := fs.Duration("coverage-duration", 10*time.Second, "length of the coverage phase")
	conc := fs.Int("concurrency", 2, "concurrent readers of the coverage pages")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured phases to this file")
	if err := parse(fs, args, "dxhub bench network [flags]: build a national DX network (teams, villages, members and two years of\nactivities written straight into the tables, then the roll-ups rebuilt), offer a rush of activity\nentries at a fixed rate through the service, and read the coverage of the nation and a province;\nprints the logging rate, p50/p99, coverage p99, errors, and a last line\nRESULT log_per_s=… log_p99_ms=… coverage_p99_ms=… errors=…"); err != nil {
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
	nation, err := a.Org.Nation(ctx)
	if err != nil {
		return err
	}
	communes, err := a.Org.UnitsOfTypes(ctx, nation.Path, []string{org.TypeCommune})
	if err != nil {
		return err
	}
	var have int
	if err := a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM net_teams WHERE kind = 'community_team'`).Scan(&have); err != nil {
		return err
	}
	now := time.Now().In(i18n.DefaultZone)
	if have < *teams {
		start := time.Now()
		if err := fillNetwork(ctx, a.DB, communes, *teams, *members, *acts, now); err != nil {
			return err
		}
		loaded := time.Since(start)
		if err := a.Net.Rebuild(sys); err != nil {
			return err
		}
		fmt.Printf("network: %d teams, %d members, %d activities written in %s; roll-ups rebuilt in %s\n",
			*teams, *members, *acts, loaded.Round(time.Millisecond), (time.Since(start) - loaded).Round(time.Millisecond))
	}
	if a.DB.Dialect == db.SQLite {
		if _, err := a.DB.W.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return err
		}
	}
	// The phones: team leaders of teams spread over the country, each
	// signed in as their person.
	type phone struct {
		ctx    context.Context
		team   string
		member string
	}
	var ph []phone
	err = db.Each(ctx, a.DB.R, func(r db.Scanner) error {
		var team, member, person string
		if err := r.Scan(&team, &member, &person); err != nil {
			return err
		}
		p := &auth.Principal{AccountID: "bench-" + member, Username: "bench", PersonID: person}
		ph = append(ph, phone{auth.WithPrincipal(ctx, p), team, member})
		return nil
	}, `SELECT team_id, id, person_id FROM net_members WHERE role = 'leader' ORDER BY id LIMIT $1`, *phones)
	if err != nil {
		return err
	}
	if len(ph) == 0 {
		return fmt.Errorf("no team leaders in the database")
	}
	runtime.GC()
	stopProfile, err := profileCPU(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()

	// The rush: entries offered at a fixed rate, each timed from the
	// moment it was due, so that a server falling behind shows in the
	// latency (no coordinated omission); a phone sends its next entry only
	// after its last was answered.
	kinds := network.ActivityKinds
	rec := &recorder{}
	due := make(chan time.Time, *phones)
	var wg sync.WaitGroup
	var mu sync.Mutex
	free := make([]int, len(ph))
	for i := range free {
		free[i] = i
	}
	var late int
	interval := time.Second / time.Duration(*rate)
	seq := 0
	start := time.Now()
	for w := range min(*phones, len(ph)) {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 26))
			for at := range due {
				mu.Lock()
				i := free[len(free)-1]
				free = free[:len(free)-1]
				seq++
				key := fmt.Sprintf("rush-%d", seq)
				mu.Unlock()
				p := ph[i]
				_, err := a.Net.LogActivity(p.ctx, network.Activity{TeamID: p.team, DoneOn: now.Format(time.DateOnly), Kind: kinds[1+rng.IntN(len(kinds)-1)], People: 1 + rng.IntN(5), ClientKey: key})
				d := time.Since(at)
				mu.Lock()
				free = append(free, i)
				mu.Unlock()
				if err != nil {
					rec.fail()
					if rec.errors.Load() <= 3 {
						fmt.Println("error:", err)
					}
					continue
				}
				rec.ok(d)
			}
		})
	}
	end := start.Add(*duration)
	for at := start; at.Before(end); at = at.Add(interval) {
		if w := time.Until(at); w > 0 {
			time.Sleep(w)
		}
		select {
		case due <- at:
		default:
			late++ // every phone busy: the entry is not offered
		}
	}
	close(due)
	wg.Wait()
	took := time.Since(start)
	mu.Lock()
	n := len(rec.lat)
	mu.Unlock()
	logRate := float64(n) / took.Seconds()
	fmt.Printf("rush: %d entries offered at %d/s for %s from %d phones: %d stored in %s (%.0f a second), %d not offered (every phone busy)\n",
		n+int(rec.errors.Load())+late, *rate, *duration, len(ph), n, took.Round(time.Millisecond), logRate, late)
	rec.print("log")

	// Coverage of the nation and of a province, read by concurrent callers.
	nat := auth.WithPrincipal(ctx, auth.System())
	cov := runCalls("coverage", *conc, *covDur, 1_000_000, func(i int) error {
		code := "VN"
		if i%2 == 1 {
			code = "66"
		}
		_, err := a.Net.Coverage(nat, code)
		return err
	})
	c, err := a.Net.Coverage(nat, "VN")
	if err != nil {
		return err
	}
	fmt.Printf("nation: %d communes, %d with a committee, %d teams, %d members, %d people helped in 12 months\n",
		c.Total.Communes, c.Total.CommunesWithCommittee, c.Total.Teams, c.Total.Members, c.Total.Helped())
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("memory: heap %d MiB\n", ms.HeapAlloc>>20)
	errors := rec.errors.Load() + int64(cov.errors) + int64(late)
	fmt.Printf("RESULT db=%s teams=%d members=%d activities=%d offered_per_s=%d log_per_s=%.0f log_p50_ms=%.2f log_p99_ms=%.2f coverage_p50_ms=%.2f coverage_p99_ms=%.2f errors=%d\n",
		a.DB.Dialect, *teams, *members, *acts, *rate, logRate, rec.pct(0.5), rec.pct(0.99), cov.p50, cov.p99, errors)
	return nil
}

// fillNetwork writes a national network straight into the tables: the
// services' own paths would take hours at this size. Teams are spread
// evenly over the communes, each covering one or two of its commune's
// villages (a fifth of villages left uncovered); most communes have a
// committee; members get made-up person ids (people records are not
// needed by the network's figures); activities are written team by team,
// so that every index grows at its end.
func fillNetwork(ctx context.Context, d *db.DB, communes []*org.Unit, teams, members, acts int, now time.Time) error {
	rng := rand.New(rand.NewPCG(uint64(teams), 7))
	b := func(table string, cols ...string) *bulk { return &bulk{ctx: ctx, d: d, table: table, cols: cols} }
	villages := b("net_villages", "id", "unit_id", "unit_path", "name", "kind", "created_at")
	teamRows := b("net_teams", "id", "kind", "unit_id", "unit_path", "name", "founded_on", "dissolved_on", "created_at", "updated_at")
	links := b("net_team_villages", "team_id", "village_id")
	memRows := b("net_members", "id", "team_id", "person_id", "role", "joined_on", "left_on", "phone", "skills", "created_at")
	pops := b("net_population", "unit_id", "population", "as_of")
	actRows := b("net_activities", "id", "team_id", "unit_path", "village_id", "done_on", "kind", "service", "people", "note", "photo_id", "campaign", "member_id", "logged_by", "client_key", "created_at")
	ts := db.Now()
	perCommune := (teams + len(communes) - 1) / len(communes)
	made, memMade, actMade := 0, 0, 0
	for ci, c := range communes {
		if err := pops.add(c.ID, int64(5000+rng.IntN(60000)), "2025-07-01"); err != nil {
			return err
		}
		if ci%5 != 4 {
			if err := teamRows.add(db.NewID(), network.Committee, c.ID, c.Path, "Ban chỉ đạo "+c.NameVI, "2025-07-01", "", ts, ts); err != nil {
				return err
			}
		}
		for k := 0; k < perCommune && made < teams; k++ {
			teamID := db.NewID()
			var vs []string
			for v := range 1 + k%2 {
				id := db.NewID()
				vs = append(vs, id)
				if err := villages.add(id, c.ID, c.Path, fmt.Sprintf("Thôn %d", k*2+v+1), "village", ts); err != nil {
					return err
				}
			}
			if k%4 == 3 { // an uncovered village
				if err := villages.add(db.NewID(), c.ID, c.Path, fmt.Sprintf("Thôn %d-b", k*2+1), "village", ts); err != nil {
					return err
				}
			}
			if err := teamRows.add(teamID, network.CommunityTeam, c.ID, c.Path, fmt.Sprintf("Tổ công nghệ số cộng đồng %d", k+1), "2025-08-15", "", ts, ts); err != nil {
				return err
			}
			for _, v := range vs {
				if err := links.add(teamID, v); err != nil {
					return err
				}
			}
			// Members of this team: an even share of what is left.
			n := (members - memMade) / (teams - made)
			var mems []string
			for m := range n {
				role := network.Member
				if m == 0 {
					role = network.Leader
				}
				id := db.NewID()
				mems = append(mems, id)
				if err := memRows.add(id, teamID, db.NewID(), role, "2025-08-15", "", fmt.Sprintf("09%08d", rng.IntN(100000000)), "", ts); err != nil {
					return err
				}
			}
			memMade += n
			na := (acts - actMade) / (teams - made)
			for j := range na {
				day := now.AddDate(0, 0, -rng.IntN(730)).Format(time.DateOnly)
				kind := network.ActivityKinds[rng.IntN(len(network.ActivityKinds))]
				service := ""
				if kind == "public_service" {
					service = "Đăng ký khai sinh trực tuyến"
				}
				member := ""
				if len(mems) > 0 {
					member = mems[rng.IntN(len(mems))]
				}
				if err := actRows.add(db.NewID(), teamID, c.Path, vs[rng.IntN(len(vs))], day, kind, service, 1+rng.IntN(10), "", "", "", member, "bulk-"+teamID, fmt.Sprintf("%d", j), ts); err != nil {
					return err
				}
			}
			actMade += na
			made++
		}
	}
	for _, t := range []*bulk{villages, teamRows, links, memRows, pops, actRows} {
		if err := t.flush(); err != nil {
			return err
		}
	}
	return nil
}
