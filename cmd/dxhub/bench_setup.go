package main

import (
	"context"
	"time"

	"dxhub/internal/app"
	"dxhub/internal/assessment"
	"dxhub/internal/skills"
)

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
