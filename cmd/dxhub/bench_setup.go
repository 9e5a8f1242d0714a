package main

import (
	"context"
	"time"

	"dxhub/internal/demo"
	"dxhub/internal/platform/auth"

	"dxhub/internal/app"
	"dxhub/internal/assessment"
	"dxhub/internal/skills"
)

// benchExamSetup prepares an exam on an empty database: staff accounts
// (two authors, one national administrator), the demo item bank, a 30-item
// blueprint and a session open for the next hours. prefix keeps user names
// unique when a database is reused.
func benchExamSetup(ctx context.Context, a *app.App, prefix string) (*assessment.Blueprint, string, error) {
	sys := auth.WithPrincipal(ctx, auth.System())
	nation, err := a.Org.EnsureNation(sys)
	if err != nil {
		return nil, "", err
	}
	names := []string{prefix + "author", prefix + "reviewer", prefix + "admin"}
	staff, err := a.Auth.ProvisionAccounts(ctx, []auth.NewAccount{{Username: names[0]}, {Username: names[1]}, {Username: names[2]}}, demo.Password)
	if err != nil {
		return nil, "", err
	}
	var ps []*auth.Principal
	for i, role := range []auth.Role{auth.Author, auth.Author, auth.NationalAdmin} {
		if _, err := a.Auth.GrantRole(sys, names[i], role, nation.ID, nation.Path, ""); err != nil {
			return nil, "", err
		}
		p, err := a.Auth.Principal(ctx, staff[i])
		if err != nil {
			return nil, "", err
		}
		ps = append(ps, p)
	}
	std, err := a.Skills.Latest(ctx, "VN-DSF")
	if err != nil {
		return nil, "", err
	}
	if _, err := demo.SeedItems(ctx, a.Bank, std, ps[0], ps[1]); err != nil {
		return nil, "", err
	}
	admin := auth.WithPrincipal(ctx, ps[2])
	b, err := benchBlueprint(admin, a, std)
	if err != nil {
		return nil, "", err
	}
	now := time.Now()
	sid, err := benchSession(admin, a, b, now.Add(-time.Minute), now.Add(3*time.Hour))
	return b, sid, err
}

// benchBlueprint saves the benchmark's 30-item blueprint: five items from
// each area of the standard.
func benchBlueprint(ctx context.Context, a *app.App, std *skills.Standard) (*assessment.Blueprint, error) {
	b := &assessment.Blueprint{Name: "Bench 30", StandardCode: std.Code, StandardVersion: std.Version, TimeLimitMin: 60,
		PassPercent: 50, ShuffleItems: true, ShuffleOptions: true, Navigation: assessment.Free}
	for _, area := range std.Areas {
		b.Rules = append(b.Rules, assessment.Rule{Area: area.Code, Count: 5})
	}
	return b, a.Exams.SaveBlueprint(ctx, b)
}

// benchSession schedules an open session of the blueprint.
func benchSession(ctx context.Context, a *app.App, b *assessment.Blueprint, opens, closes time.Time) (string, error) {
	s := &assessment.Session{BlueprintID: b.ID, Name: "Bench session", OpensAt: opens.UnixMilli(), ClosesAt: closes.UnixMilli(),
		Eligibility: assessment.EligibleOpen, ReviewPolicy: assessment.ReviewBreakdown}
	if err := a.Exams.SaveSession(ctx, s); err != nil {
		return "", err
	}
	return s.ID, nil
}
