package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"dxhub/internal/demo"
	"dxhub/internal/platform/auth"
)

// evalExpertsCmd ranks experts for the evaluation's needs over the demo
// expert network and compares the first five with the experts a person
// chose: dxhub eval experts.
func evalExpertsCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("eval experts", flag.ContinueOnError)
	dbURL := fs.String("db", "", "database URL; default a fresh SQLite file in a temporary folder")
	n := fs.Int("experts", 300, "profiles in the demo network")
	if err := parse(fs, args, "dxhub eval experts [flags]: seed the demo expert network (written anchors and generated profiles), post the\nevaluation's needs (internal/demo/experts.go, each with the five experts a person chose for it), rank\nexperts for each and print the first five with the chosen ones; the last line is\nRESULT needs=… precision_at_5=… (the share of the first five that are chosen ones, over every need)"); err != nil {
		return err
	}
	a, closeApp, err := benchApp(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeApp()
	if _, err := a.Org.UnitByCode(ctx, "66"); err != nil {
		if err := demo.Seed(ctx, demo.Services{Org: a.Org, Auth: a.Auth}, 0); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	var have int
	if err := a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM exp_profiles`).Scan(&have); err != nil {
		return err
	}
	if have == 0 {
		if err := demo.SeedExperts(ctx, a.Exp, a.Org, principalOf(ctx, a), *n); err != nil {
			return err
		}
	}
	sys := auth.WithPrincipal(ctx, auth.System())
	hits, total := 0, 0
	for _, e := range demo.ExpertEvalSet {
		need, err := a.Exp.PostNeed(sys, e.Need)
		if err != nil {
			return fmt.Errorf("need %q: %w", e.Need.Title, err)
		}
		ms, err := a.Exp.Matches(sys, need.ID, 5)
		if err != nil {
			return err
		}
		var got []string
		k := 0
		for _, m := range ms {
			mark := " "
			if slices.Contains(e.Expected, m.Expert.FullName) {
				mark, k = "✓", k+1
			}
			got = append(got, fmt.Sprintf("%s %s (%.1f)", mark, m.Expert.FullName, m.Score))
		}
		hits, total = hits+k, total+5
		fmt.Printf("%d/5  %s\n      %s\n", k, e.Need.Title, strings.Join(got, "\n      "))
	}
	fmt.Printf("RESULT needs=%d precision_at_5=%.2f\n", len(demo.ExpertEvalSet), float64(hits)/float64(total))
	return nil
}
