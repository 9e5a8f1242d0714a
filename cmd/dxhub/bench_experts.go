package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"dxhub/internal/demo"
	"dxhub/internal/experts"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
)

// benchExperts builds an expert network of n profiles and m needs and
// measures the directory's searches and the matching of needs from
// concurrent callers: dxhub bench experts.
func benchExperts(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench experts", flag.ContinueOnError)
	dbURL := fs.String("db", env("DB", ""), "database URL; default a fresh SQLite file in a temporary folder")
	n := fs.Int("experts", 100000, "verified profiles across the provinces")
	m := fs.Int("needs", 10000, "needs posted by the provinces")
	duration := fs.Duration("duration", 10*time.Second, "length of each phase")
	conc := fs.Int("concurrency", 2, "concurrent callers")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured phases to this file")
	if err := parse(fs, args, "dxhub bench experts [flags]: build an expert network (generated verified profiles across the provinces\nand needs of the provinces), then measure directory searches (public and offices', with and without\ndiacritics, with facets) and matching from concurrent callers; prints p50/p99, memory, and a last line\nRESULT search_p99_ms=… match_p99_ms=… experts=…"); err != nil {
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
	provs, err := a.Org.UnitsOfTypes(ctx, nation.Path, []string{org.TypeProvince})
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(*n), 27))
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middle := []string{"Văn", "Thị", "Minh", "Thanh", "Quốc", "Hữu", "Ngọc", "Đức", "Thu", "Xuân"}
	given := []string{"An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hiếu", "Hòa", "Hùng", "Khoa", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trung", "Tú", "Uyên", "Việt", "Yến"}
	fields := []string{"e_government", "digital_economy", "digital_society", "cybersecurity", "data", "ai", "cloud", "iot", "health", "education", "agriculture", "finance", "transport", "tourism", "smart_city", "digital_skills"}
	comps := []string{"1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.4", "4.1", "4.2", "5.1", "5.2", "6.1"}
	var have int
	if err := a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM exp_profiles`).Scan(&have); err != nil {
		return err
	}
	names := map[int]string{}
	if have < *n {
		start := time.Now()
		for from := have; from < *n; from += 1000 {
			var batch []experts.Input
			for i := from; i < min(*n, from+1000); i++ {
				p := provs[rng.IntN(len(provs))]
				in := experts.Input{UnitCode: p.Code, FullName: family[rng.IntN(len(family))] + " " + middle[rng.IntN(len(middle))] + " " + given[rng.IntN(len(given))],
					Details: experts.Details{Origin: experts.Domestic, Province: p.Code, Languages: []string{"vi"}, Hours: 5 * rng.IntN(7), Remote: rng.IntN(2) == 0, OnSite: rng.IntN(3) > 0, Public: rng.IntN(10) > 0,
						OrgName: "Đơn vị " + p.NameVI}}
				if rng.IntN(3) == 0 {
					in.Languages = append(in.Languages, "en")
				}
				for _, f := range rng.Perm(len(fields))[:1+rng.IntN(3)] {
					in.Fields = append(in.Fields, fields[f])
				}
				for _, c := range rng.Perm(len(comps))[:1+rng.IntN(3)] {
					in.Skills = append(in.Skills, experts.Skill{Competence: comps[c], Level: 1 + rng.IntN(4)})
				}
				in.Works = []experts.Work{{Title: "Nghiên cứu " + in.Fields[0] + " tại " + p.NameVI, Year: 2015 + rng.IntN(10)}}
				if rng.IntN(4) == 0 {
					in.Private = []string{"contact", "publications"}
				}
				batch = append(batch, in)
			}
			if err := a.Exp.Load(sys, batch); err != nil {
				return err
			}
		}
		took := time.Since(start)
		fmt.Printf("experts: %d profiles written and indexed in %s (%.0f a second)\n", *n-have, took.Round(time.Millisecond), float64(*n-have)/took.Seconds())
	}
	var needs []string
	if err := db.Each(ctx, a.DB.R, func(r db.Scanner) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		needs = append(needs, id)
		return nil
	}, `SELECT id FROM exp_needs`); err != nil {
		return err
	}
	if len(needs) < *m {
		start := time.Now()
		for i := len(needs); i < *m; i++ {
			p := provs[rng.IntN(len(provs))]
			in := experts.NeedInput{UnitCode: p.Code, Title: fmt.Sprintf("Nhu cầu %d của %s", i, p.NameVI), Hours: 5 + rng.IntN(20)}
			for _, f := range rng.Perm(len(fields))[:1+rng.IntN(2)] {
				in.Fields = append(in.Fields, fields[f])
			}
			for _, c := range rng.Perm(len(comps))[:rng.IntN(3)] {
				in.Skills = append(in.Skills, experts.Skill{Competence: comps[c], Level: 1 + rng.IntN(4)})
			}
			if rng.IntN(2) == 0 {
				in.Place = "remote"
			} else {
				in.Place = p.Code
			}
			nd, err := a.Exp.PostNeed(sys, in)
			if err != nil {
				return err
			}
			needs = append(needs, nd.ID)
		}
		fmt.Printf("needs: %d in all, posted in %s\n", len(needs), time.Since(start).Round(time.Millisecond))
	}
	for i := range 50 {
		names[i] = family[i%len(family)] + " " + middle[i%len(middle)] + " " + given[i%len(given)]
	}
	if a.DB.Dialect == db.SQLite {
		if _, err := a.DB.W.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return err
		}
	}
	runtime.GC()
	stop, err := profileCPU(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	queries := []experts.Filter{
		{Q: "nguyen van an"}, {Q: "Trần Thị Mai"}, {Q: "an toan thong tin"}, {Q: "trí tuệ nhân tạo"}, {Q: "du lieu", Field: "data"},
		{Field: "cybersecurity", Province: "66"}, {Competence: "2.1", Language: "en"}, {Q: "le minh", Origin: experts.Domestic}, {Field: "ai", Available: true},
	}
	anon := ctx
	search := runCalls("search", *conc, *duration, 1_000_000, func(i int) error {
		f := queries[i%len(queries)]
		c := anon
		if i%3 == 0 {
			f.All, c = true, sys
		}
		if i%7 == 0 {
			f = experts.Filter{Q: names[i%len(names)]}
		}
		_, err := a.Exp.Directory(c, f)
		return err
	})
	match := runCalls("match", *conc, *duration, 1_000_000, func(i int) error {
		_, err := a.Exp.Matches(sys, needs[(i*7919)%len(needs)], 20)
		return err
	})
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("memory: heap %d MiB\n", ms.HeapAlloc>>20)
	if search.errors+match.errors > 0 {
		return fmt.Errorf("%d searches and %d matches failed", search.errors, match.errors)
	}
	fmt.Printf("RESULT db=%s experts=%d needs=%d concurrency=%d search_p50_ms=%.2f search_p99_ms=%.2f match_p50_ms=%.2f match_p99_ms=%.2f heap_mib=%d\n",
		a.DB.Dialect, *n, *m, *conc, search.p50, search.p99, match.p50, match.p99, ms.HeapAlloc>>20)
	return nil
}
