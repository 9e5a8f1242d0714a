package credential

import (
	"context"
	"fmt"
	"slices"
	"time"

	"dxhub/internal/assessment"
	"dxhub/internal/learning"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/events"
)

// Subscribe makes the room issue certificates as passes and completions
// happen (within a second on the node that recorded them, as the events
// bus wakes): each event is handled once per consumer, and issuing twice
// is harmless anyway.
func (s *Service) Subscribe(bus *events.Bus) {
	bus.Subscribe("credential.issue", []string{assessment.TopicAttemptFinished, learning.TopicCourseCompleted}, s.onEvent)
}

func (s *Service) onEvent(ctx context.Context, ev events.Event) error {
	ctx = auth.WithPrincipal(ctx, auth.System())
	switch ev.Topic {
	case assessment.TopicAttemptFinished:
		var a assessment.AttemptFinished
		if err := ev.Decode(&a); err != nil {
			s.Log.Error("credential: bad event", "id", ev.ID, "err", err)
			return nil // a payload that cannot be read never will be
		}
		if !a.Passed {
			return nil
		}
		return s.onPass(ctx, a)
	case learning.TopicCourseCompleted:
		var c learning.CourseCompleted
		if err := ev.Decode(&c); err != nil {
			s.Log.Error("credential: bad event", "id", ev.ID, "err", err)
			return nil
		}
		return s.onCompletion(ctx, c)
	}
	return nil
}

func (s *Service) onPass(ctx context.Context, a assessment.AttemptFinished) error {
	sess, err := s.Exams.Session(ctx, a.SessionID)
	if err != nil {
		s.Log.Warn("credential: session of a pass", "session", a.SessionID, "err", err)
		return nil
	}
	achs, err := db.Query(ctx, s.DB.R, scanAchievement, `SELECT `+achievementCols+` FROM achievements
		WHERE status = $1 AND ((rule = $2 AND rule_ref = $3) OR (rule = $4 AND rule_ref = $5))`, Active, RuleSession, sess.ID, RuleBlueprint, sess.BlueprintID)
	if err != nil {
		return err
	}
	for _, ach := range achs {
		if a.Percent < ach.MinPercent {
			continue
		}
		in := issueInput{ach: ach, accountID: a.AccountID, source: "attempt:" + a.AttemptID, at: time.UnixMilli(a.At),
			result: fmt.Sprintf("%.0f%%", a.Percent), evidence: "Đạt kỳ sát hạch: " + sess.Name}
		if err := s.issueAndFollow(ctx, in); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) onCompletion(ctx context.Context, c learning.CourseCompleted) error {
	achs, err := db.Query(ctx, s.DB.R, scanAchievement, `SELECT `+achievementCols+` FROM achievements WHERE status = $1 AND rule = $2 AND rule_ref = $3`, Active, RuleCourse, c.CourseCode)
	if err != nil {
		return err
	}
	for _, ach := range achs {
		if ach.MinPercent > 0 && c.FinalPercent < ach.MinPercent {
			continue
		}
		in := issueInput{ach: ach, accountID: c.AccountID, source: "enrolment:" + c.EnrolmentID, at: time.UnixMilli(c.At), evidence: "Hoàn thành khóa học: " + c.CourseTitle}
		if c.FinalPercent >= 0 {
			in.result = fmt.Sprintf("%.0f%%", c.FinalPercent)
		}
		if err := s.issueAndFollow(ctx, in); err != nil {
			return err
		}
	}
	return nil
}

// issueAndFollow issues a credential, then any achievement of the modules
// rule that the person's credentials now complete (the basic certificate
// once IU01..IU06 are all held, earned over several sessions).
func (s *Service) issueAndFollow(ctx context.Context, in issueInput) error {
	got, err := s.issue(ctx, in)
	if err != nil {
		return err
	}
	if !got.New {
		return nil
	}
	return s.followModules(ctx, in.accountID, in.at, 0)
}

func (s *Service) followModules(ctx context.Context, accountID string, at time.Time, depth int) error {
	if depth > 5 {
		return nil // rules built on rules end somewhere
	}
	rules, err := db.Query(ctx, s.DB.R, scanAchievement, `SELECT `+achievementCols+` FROM achievements WHERE status = $1 AND rule = $2`, Active, RuleModules)
	if err != nil || len(rules) == 0 {
		return err
	}
	held, err := db.Column[string](s.DB.R.QueryContext(ctx, `SELECT a.code FROM credentials c JOIN achievements a ON a.id = c.achievement_id WHERE c.account_id = $1 AND c.revoked_at = 0`, accountID))
	if err != nil {
		return err
	}
	for _, r := range rules {
		if slices.Contains(held, r.Code) || !modulesMet(r, held) {
			continue
		}
		got, err := s.issue(ctx, issueInput{ach: r, accountID: accountID, source: "modules", at: at, evidence: "Đạt các mô-đun: " + fmt.Sprint(append(slices.Clone(r.All), r.Any...))})
		if err != nil {
			return err
		}
		if got.New {
			return s.followModules(ctx, accountID, at, depth+1)
		}
	}
	return nil
}

// modulesMet says whether held codes satisfy a modules rule.
func modulesMet(r *Achievement, held []string) bool {
	for _, c := range r.All {
		if !slices.Contains(held, c) {
			return false
		}
	}
	n := 0
	for _, c := range r.Any {
		if slices.Contains(held, c) {
			n++
		}
	}
	return n >= r.AnyN
}
