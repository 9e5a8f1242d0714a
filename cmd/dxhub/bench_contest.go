package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"dxhub/internal/app"
	"dxhub/internal/campaign"
	"dxhub/internal/demo"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
)

// benchContest runs one round of an online contest the way rounds are
// entered in Vietnam: a trickle through the round and most entrants in its
// last minutes, while many clients read the leaderboards. Then, with
// -recipients, a message to that many people through the log sender.
func benchContest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench contest", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", ""), "database URL; default a fresh SQLite file in a temporary folder")
	n := fs.Int("entrants", 50000, "entrants of the round (0: only the message, with -recipients)")
	round := fs.Duration("round", 8*time.Minute, "length of the round (its days compressed into minutes)")
	rush := fs.Duration("rush", 5*time.Minute, "the round's last minutes, when -rush-share of the entrants submit (real time by default)")
	share := fs.Float64("rush-share", 0.7, "share of the entrants who submit in the rush")
	answers := fs.Int("answers", 10, "items each entrant answers before submitting")
	think := fs.Duration("think", 10*time.Second, "longest think time between answers (each entrant answers for up to -answers × -think before submitting)")
	readers := fs.Int("readers", 1000, "clients reading the leaderboards")
	readEvery := fs.Duration("read-every", time.Second, "each reader's pause between reads")
	conns := fs.Int("conns", 1024, "HTTP connections from the load generator")
	recipients := fs.Int("recipients", 0, "then send a message to this many people through the log sender (0: skip)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the load phase to this file")
	if err := parse(fs, args, "dxhub bench contest [flags]: loopback load test of one contest round: entrants start, answer and submit,\nmost in the round's last minutes, while readers poll the leaderboards; prints latencies, errors, lost answers,\nthe leaderboard's lag and memory, and a RESULT line; with -recipients, a message send's rate."); err != nil {
		return err
	}
	a, closeApp, err := benchAppWith(ctx, *dbURL, func(c *app.Config) { c.MailRate, c.SMSRate = 0, 0 })
	if err != nil {
		return err
	}
	defer closeApp()
	setupStart := time.Now()
	if _, err := a.Org.UnitByCode(ctx, "66"); err != nil {
		// The real tree and one person record per entrant, so that the
		// provinces' boards hold their own entrants.
		if err := demo.Seed(ctx, demo.Services{Org: a.Org, Auth: a.Auth}, 0); err != nil {
			return err
		}
		if err := demo.SeedPeople(auth.WithPrincipal(ctx, auth.System()), a.Org, *n, 7); err != nil {
			return err
		}
	}
	prefix := fmt.Sprintf("k%d-", time.Now().Unix()%100000)
	b, _, err := benchExamSetup(ctx, a, prefix)
	if err != nil {
		return err
	}
	admin, err := a.Auth.AccountByUsername(ctx, prefix+"admin")
	if err != nil {
		return err
	}
	ap, err := a.Auth.Principal(ctx, admin.ID)
	if err != nil {
		return err
	}
	actx := auth.WithPrincipal(ctx, ap)
	nation, err := a.Org.Nation(ctx)
	if err != nil {
		return err
	}
	if *n == 0 {
		return benchMessage(ctx, a, actx, nation.Code, *recipients)
	}
	now := time.Now()
	c, err := a.Camp.SaveCampaign(actx, "", campaign.CampaignInput{Slug: prefix + "dx-month", NameVI: "Tháng chuyển đổi số (bench)", UnitCode: nation.Code,
		StartsOn: now.Format(time.DateOnly), EndsOn: now.AddDate(0, 1, 0).Format(time.DateOnly), Published: true})
	if err != nil {
		return err
	}
	start := now.Add(5 * time.Second)
	k, err := a.Camp.AddContest(actx, c.ID, campaign.ContestInput{Name: "Bench contest", BlueprintID: b.ID, TimeLimitMin: 30,
		Rounds: []campaign.RoundInput{{OpensAt: now.Add(-time.Minute).UnixMilli(), ClosesAt: start.Add(*round + time.Minute).UnixMilli()}}})
	if err != nil {
		return err
	}
	names := make([]auth.NewAccount, *n)
	for i := range names {
		names[i] = auth.NewAccount{Username: fmt.Sprintf("%se%06d", prefix, i), DisplayName: fmt.Sprintf("Người dự thi %d", i)}
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
	// Each entrant is a person of the tree (a setup shortcut: people
	// claim their records one by one in real life).
	persons, err := db.Query(ctx, a.DB.R, func(r db.Scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT id FROM people WHERE id NOT IN (SELECT person_id FROM accounts WHERE person_id IS NOT NULL) ORDER BY ext_key LIMIT $1`, len(ids))
	if err != nil {
		return err
	}
	for from := 0; from < len(persons); from += 1000 {
		if err := a.DB.Tx(ctx, func(tx *sql.Tx) error {
			for i := from; i < min(from+1000, len(persons)); i++ {
				if _, err := tx.ExecContext(ctx, `UPDATE accounts SET person_id = $1 WHERE id = $2`, persons[i], ids[i]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	fmt.Printf("setup: %s, %d entrants, round of %s with %s of rush (%.0f%% of entrants), %d readers, db %s\n",
		time.Since(setupStart).Round(time.Millisecond), *n, *round, *rush, 100**share, *readers, a.DB.Dialect)

	base, stopServer, err := serveLoopback(a)
	if err != nil {
		return err
	}
	defer stopServer()
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: *conns, MaxIdleConnsPerHost: *conns}, Timeout: 60 * time.Second}
	stopProfile, err := profileCPU(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()

	var enters, opens, saves, submits, boards recorder
	call := func(rec *recorder, token, method, path string, body any) ([]byte, bool) {
		return rec.call(client, base+path, token, method, body)
	}
	type acked struct {
		attempt string
		seq     int64
	}
	var ackMu sync.Mutex
	var acks []acked
	var submitMu sync.Mutex
	var submitAt []time.Time // when each submission was acknowledged
	end := start.Add(*round)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 11))
			// The share in the rush begin so as to hand in during it; the
			// others begin at any moment of the round before it.
			work := time.Duration(*answers) * *think / 2 // think times average half the longest
			var begin time.Time
			if rng.Float64() < *share {
				begin = end.Add(-time.Duration(rng.Int64N(int64(*rush))) - work)
			} else {
				begin = start.Add(time.Duration(rng.Int64N(int64(max(*round-*rush-work, time.Second)))))
			}
			time.Sleep(time.Until(begin))
			out, ok := call(&enters, tokens[i], "POST", "/api/v1/contests/"+k.ID+"/rounds/1/enter", map[string]any{"consent": i%2 == 0})
			if !ok {
				return
			}
			var e struct {
				AttemptID string `json:"attempt_id"`
			}
			json.Unmarshal(out, &e)
			out, ok = call(&opens, tokens[i], "GET", "/api/v1/attempts/"+e.AttemptID, nil)
			if !ok {
				return
			}
			var att struct {
				Items []benchItem `json:"items"`
			}
			json.Unmarshal(out, &att)
			for idx, it := range att.Items[:min(*answers, len(att.Items))] {
				time.Sleep(time.Duration(rng.Int64N(int64(*think) + 1)))
				resp := it.response(rng)
				out, ok := call(&saves, tokens[i], "PUT", fmt.Sprintf("/api/v1/attempts/%s/answers/%d", e.AttemptID, idx), map[string]any{"response": resp})
				if ok {
					var r struct{ Seq int64 }
					json.Unmarshal(out, &r)
					ackMu.Lock()
					acks = append(acks, acked{e.AttemptID, r.Seq})
					ackMu.Unlock()
				}
			}
			if _, ok := call(&submits, tokens[i], "POST", "/api/v1/attempts/"+e.AttemptID+"/submit", nil); ok {
				submitMu.Lock()
				submitAt = append(submitAt, time.Now())
				submitMu.Unlock()
			}
		}(i)
	}
	// Readers: the national board, a province's, the overall one; each
	// read notes how many entrants the board held.
	type sample struct {
		at       time.Time
		entrants int
	}
	var sampleMu sync.Mutex
	var samples []sample
	codes := []string{"", "66", "75"}
	readersDone := make(chan struct{})
	var rwg sync.WaitGroup
	for r := range *readers {
		rwg.Add(1)
		go func(r int) {
			defer rwg.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 13))
			time.Sleep(time.Until(start) + time.Duration(rng.Int64N(int64(*readEvery))))
			for {
				select {
				case <-readersDone:
					return
				default:
				}
				path := "/api/v1/contests/" + k.ID + "/rounds/1/board"
				if code := codes[r%len(codes)]; code != "" {
					path += "?unit=" + code
				}
				t := time.Now()
				out, ok := call(&boards, "", "GET", path, nil)
				if ok && r%len(codes) == 0 {
					var b struct{ Entrants int }
					json.Unmarshal(out, &b)
					sampleMu.Lock()
					samples = append(samples, sample{t, b.Entrants})
					sampleMu.Unlock()
				}
				time.Sleep(*readEvery)
			}
		}(r)
	}
	wg.Wait()
	time.Sleep(3 * time.Second) // the board catches up
	close(readersDone)
	rwg.Wait()
	stopProfile()

	// Lost answers: every acknowledged save is stored.
	stored := map[string]map[int64]bool{}
	if err := db.Each(ctx, a.DB.R, func(r db.Scanner) error {
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
	}, `SELECT attempt_id, seq FROM attempt_steps`); err != nil {
		return err
	}
	lost := 0
	for _, k := range acks {
		if !stored[k.attempt][k.seq] {
			lost++
		}
	}
	var entries int
	if err := a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cmp_entries WHERE round_id = $1`, k.Rounds[0].ID).Scan(&entries); err != nil {
		return err
	}
	// Lag: a board read at t holding E entrants is behind by t minus the
	// moment the (E+1)-th submission was acknowledged, when that came first.
	slices.SortFunc(submitAt, func(x, y time.Time) int { return x.Compare(y) })
	var behind time.Duration
	for _, s := range samples {
		if s.entrants < len(submitAt) && submitAt[s.entrants].Before(s.at) {
			behind = max(behind, s.at.Sub(submitAt[s.entrants]))
		}
	}
	enters.print("enter")
	opens.print("open")
	saves.print("save")
	submits.print("submit")
	boards.print("board")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	errs := enters.errors.Load() + opens.errors.Load() + saves.errors.Load() + submits.errors.Load() + boards.errors.Load()
	fmt.Printf("acknowledged saves %d, lost %d; submissions acknowledged %d, entries on the board %d; board behind at most %s; memory: heap %d MiB, from OS %d MiB\n",
		len(acks), lost, len(submitAt), entries, behind.Round(time.Millisecond), ms.HeapAlloc>>20, ms.Sys>>20)
	fmt.Printf("RESULT entrants=%d errors=%d lost=%d missing_entries=%d enter_p99_ms=%.1f save_p99_ms=%.1f submit_p50_ms=%.1f submit_p99_ms=%.1f leaderboard_p50_ms=%.1f leaderboard_p99_ms=%.1f board_behind_ms=%d db=%s\n",
		*n, errs, lost, len(submitAt)-entries, enters.pct(0.99), saves.pct(0.99), submits.pct(0.5), submits.pct(0.99), boards.pct(0.5), boards.pct(0.99), behind.Milliseconds(), a.DB.Dialect)
	if *recipients > 0 {
		return benchMessage(ctx, a, actx, nation.Code, *recipients)
	}
	return nil
}

// benchMessage sends one message by e-mail and notice to recipients
// people through the log sender and prints the rate and memory.
func benchMessage(ctx context.Context, a *app.App, actx context.Context, nationCode string, recipients int) error {
	var have int
	if err := a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM people`).Scan(&have); err != nil {
		return err
	}
	if have < recipients {
		t := time.Now()
		if err := demo.SeedMorePeople(auth.WithPrincipal(ctx, auth.System()), a.Org, have, recipients-have, 31); err != nil {
			return err
		}
		// Generated people have no address; a message bench needs one each.
		if _, err := a.DB.W.ExecContext(ctx, `UPDATE people SET email = ext_key || '@example.vn' WHERE email = ''`); err != nil {
			return err
		}
		fmt.Printf("seeded %d people in %s\n", recipients-have, time.Since(t).Round(time.Millisecond))
	}
	m, err := a.Camp.Compose(actx, campaign.MessageInput{UnitCode: nationCode, Topic: "campaigns", SubjectVI: "Tháng chuyển đổi số", BodyVI: "Mời bạn tham gia.", Channels: []string{campaign.Notice, campaign.Email}})
	if err != nil {
		return err
	}
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	t := time.Now()
	for {
		// The server's own sender runs too: whichever node holds the
		// message's lease sends it.
		if _, err := a.Camp.SendDue(ctx); err != nil {
			return err
		}
		var status string
		if err := a.DB.R.QueryRowContext(ctx, `SELECT status FROM cmp_messages WHERE id = $1`, m.ID).Scan(&status); err != nil {
			return err
		}
		if status == campaign.Sent {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(t)
	close(done)
	var people, deliveries, mailed int
	if err := a.DB.R.QueryRowContext(ctx, `SELECT COUNT(DISTINCT person_id), COUNT(*), SUM(CASE WHEN channel = 'email' AND status = 'sent' THEN 1 ELSE 0 END) FROM cmp_deliveries WHERE message_id = $1`, m.ID).Scan(&people, &deliveries, &mailed); err != nil {
		return err
	}
	fmt.Printf("message: %d recipients, %d deliveries (%d e-mails sent) in %s; peak heap %d MiB\n", people, deliveries, mailed, took.Round(time.Millisecond), peak.Load()>>20)
	fmt.Printf("RESULT message_recipients=%d recipients_per_s=%.0f peak_heap_mib=%d db=%s\n", people, float64(people)/took.Seconds(), peak.Load()>>20, a.DB.Dialect)
	return nil
}
