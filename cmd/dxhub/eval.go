package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"dxhub/internal/assessment"
	"dxhub/internal/demo"
	"dxhub/internal/learning"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/search"
)

// evalCmd measures search against a file of queries with the answers
// people expect: dxhub eval search FILE.
func evalCmd(ctx context.Context, args []string) error {
	if len(args) >= 1 && args[0] == "qti" {
		return evalQTICmd(ctx, args[1:])
	}
	if len(args) >= 1 && args[0] == "qa" {
		return evalQACmd(ctx, args[1:])
	}
	if len(args) >= 1 && args[0] == "experts" {
		return evalExpertsCmd(ctx, args[1:])
	}
	if len(args) < 1 || args[0] != "search" {
		return errors.New("want: eval search FILE, eval qa FILE, eval experts, or eval qti DIR...")
	}
	fs := flag.NewFlagSet("eval search", flag.ContinueOnError)
	dbURL := fs.String("db", "", "database URL; default a fresh SQLite file in a temporary folder")
	peopleFile := fs.String("people", "", "people to import first (CSV: key,full_name,unit_code); default people.csv beside FILE when there is one")
	verbose := fs.Bool("v", false, "print every query, not only the failures")
	if err := parse(fs, args[1:], "dxhub eval search [flags] FILE: run the queries of FILE (CSV: domain,category,query,expect)\nagainst the demo data (the real tree with the 2025 reorganisation, the demo courses and items) and\na known list of people; expect lists acceptable answers separated by | (unit codes, course codes,\npeople's keys, words of an item's stem). Prints top-1 and top-3 rates per domain and category, the\nfailures, and a last line RESULT units_top1=… units_top3=… courses_top3=… people_top3=… items_top3=…"); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("want: eval search FILE")
	}
	file := fs.Arg(0)
	queries, err := readEvalQueries(file)
	if err != nil {
		return err
	}
	if *peopleFile == "" {
		if p := filepath.Join(filepath.Dir(file), "people.csv"); fileExists(p) {
			*peopleFile = p
		}
	}
	a, closeApp, err := benchApp(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeApp()
	sys := auth.WithPrincipal(ctx, auth.System())
	if _, err := a.Org.UnitByCode(ctx, "66"); err != nil {
		if err := demo.Seed(ctx, demo.Services{Org: a.Org, Auth: a.Auth, Skills: a.Skills, Bank: a.Bank, Exams: a.Exams, Learn: a.Learn, Files: a.Files}, 0); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if *peopleFile != "" {
			b, err := os.ReadFile(*peopleFile)
			if err != nil {
				return err
			}
			if _, err := a.Org.ImportPeople(sys, bytes.NewReader(b), ""); err != nil {
				return fmt.Errorf("people: %w", err)
			}
		}
	}
	type tally struct{ n, top1, top3 int }
	tallies := map[string]*tally{}
	count := func(key string, r int) {
		t := tallies[key]
		if t == nil {
			t = &tally{}
			tallies[key] = t
		}
		t.n++
		if r == 1 {
			t.top1++
		}
		if r >= 1 && r <= 3 {
			t.top3++
		}
	}
	var failures []string
	for _, q := range queries {
		got, err := evalAnswers(sys, a.Org, a.Learn, a.Bank, q.domain, q.query)
		if err != nil {
			return fmt.Errorf("line %d: %w", q.line, err)
		}
		rank := 0
		for i, g := range got {
			if q.matches(g) {
				rank = i + 1
				break
			}
		}
		count(q.domain, rank)
		count(q.domain+"/"+q.category, rank)
		line := fmt.Sprintf("%-8s %-12s %-32q want %-20s got %s", q.domain, q.category, q.query, strings.Join(q.expect, "|"), strings.Join(got, ", "))
		if rank != 1 {
			failures = append(failures, fmt.Sprintf("%s (rank %d)", line, rank))
		} else if *verbose {
			fmt.Println("ok      ", line)
		}
	}
	keys := make([]string, 0, len(tallies))
	for k := range tallies {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("%d queries from %s on %s\n", len(queries), file, a.DB.Dialect)
	fmt.Printf("%-28s %6s %7s %7s\n", "domain/category", "n", "top-1", "top-3")
	rate := func(n, d int) float64 {
		if d == 0 {
			return 0
		}
		return 100 * float64(n) / float64(d)
	}
	for _, k := range keys {
		t := tallies[k]
		fmt.Printf("%-28s %6d %6.1f%% %6.1f%%\n", k, t.n, rate(t.top1, t.n), rate(t.top3, t.n))
	}
	if len(failures) > 0 {
		fmt.Printf("\nnot first (%d):\n", len(failures))
		for _, f := range failures {
			fmt.Println("  " + f)
		}
	}
	get := func(k string, top1 bool) float64 {
		t := tallies[k]
		if t == nil {
			return 0
		}
		if top1 {
			return rate(t.top1, t.n)
		}
		return rate(t.top3, t.n)
	}
	fmt.Printf("RESULT units_top1=%.1f units_top3=%.1f courses_top3=%.1f people_top3=%.1f items_top3=%.1f\n",
		get("units", true), get("units", false), get("courses", false), get("people", false), get("items", false))
	return nil
}

type evalQuery struct {
	line                    int
	domain, category, query string
	expect                  []string
}

// matches says whether an answer is one of the expected: the same code
// or key, or for items a stem holding the expected words.
func (q evalQuery) matches(got string) bool {
	for _, e := range q.expect {
		if q.domain == "items" {
			if strings.Contains(" "+search.Folded(got)+" ", " "+search.Folded(e)+" ") {
				return true
			}
		} else if got == e {
			return true
		}
	}
	return false
}

func readEvalQueries(file string) ([]evalQuery, error) {
	rows, err := readEvalCSV(file, 4)
	if err != nil {
		return nil, err
	}
	var out []evalQuery
	for i, row := range rows {
		if i == 0 && row[0] == "domain" {
			continue
		}
		switch row[0] {
		case "units", "courses", "people", "items":
		default:
			return nil, fmt.Errorf("%s row %d: unknown domain %q", file, i+1, row[0])
		}
		out = append(out, evalQuery{line: i + 1, domain: row[0], category: row[1], query: row[2], expect: strings.Split(row[3], "|")})
	}
	return out, nil
}

// readEvalCSV reads an evaluation file: CSV with fields columns, lines
// starting with # left out.
func readEvalCSV(file string, fields int) ([][]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	r.FieldsPerRecord = fields
	return r.ReadAll()
}

// evalAnswers asks the room of domain for q and returns its first three
// answers as the file names them.
func evalAnswers(ctx context.Context, o *org.Service, l *learning.Service, b *assessment.Bank, domain, q string) ([]string, error) {
	var out []string
	switch domain {
	case "units":
		units, err := o.SearchUnits(ctx, q, 3)
		if err != nil {
			return nil, err
		}
		for _, u := range units {
			out = append(out, u.Code)
		}
	case "courses":
		courses, err := l.Catalogue(ctx, learning.Filter{Q: q})
		if err != nil {
			return nil, err
		}
		for _, c := range courses[:min(3, len(courses))] {
			out = append(out, c.Code)
		}
	case "people":
		page, err := o.ListPeople(ctx, org.PeopleFilter{Q: q, PerPage: 3}, "")
		if err != nil {
			return nil, err
		}
		for _, p := range page.People {
			out = append(out, p.Key)
		}
	case "items":
		page, err := b.List(ctx, assessment.Filter{Q: q})
		if err != nil {
			return nil, err
		}
		for _, it := range page.Items[:min(3, len(page.Items))] {
			out = append(out, it.Body.Stem)
		}
	}
	return out, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
