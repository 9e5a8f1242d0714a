package credential

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"dxhub/internal/assessment"
	"dxhub/internal/learning"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/events"
)

// Subscribe makes the room issue certificates as passes and completions
// happen, within a second of them on the node that recorded them (the
// events bus wakes at once). Events come in batches: the batch's
// credentials are signed on every core and stored in one transaction,
// which is what lets a national exam day's passes through. Issuing twice
// is harmless: the database keeps one credential per person and
// achievement.
func (s *Service) Subscribe(bus *events.Bus) {
	bus.SubscribeBatch("credential.issue", []string{assessment.TopicAttemptFinished, learning.TopicCourseCompleted}, s.onEvents)
}

func (s *Service) onEvents(ctx context.Context, es []events.Event) error {
	ctx = auth.WithPrincipal(ctx, auth.System())
	var ins []issueInput
	sessions := map[string][]*Achievement{} // session id → its achievements
	courses := map[string][]*Achievement{}
	for _, ev := range es {
		switch ev.Topic {
		case assessment.TopicAttemptFinished:
			var a assessment.AttemptFinished
			if err := ev.Decode(&a); err != nil {
				s.Log.Error("credential: bad event", "id", ev.ID, "err", err)
				continue // a payload that cannot be read never will be
			}
			if !a.Passed {
				continue
			}
			achs, ok := sessions[a.SessionID]
			if !ok {
				var err error
				if achs, err = s.sessionAchievements(ctx, a.SessionID); err != nil {
					return err
				}
				sessions[a.SessionID] = achs
			}
			for _, ach := range achs {
				if a.Percent >= ach.MinPercent {
					ins = append(ins, issueInput{ach: ach, accountID: a.AccountID, source: "attempt:" + a.AttemptID, at: time.UnixMilli(a.At),
						result: fmt.Sprintf("%.0f%%", a.Percent), evidence: "Đạt kỳ sát hạch", skipGone: true})
				}
			}
		case learning.TopicCourseCompleted:
			var c learning.CourseCompleted
			if err := ev.Decode(&c); err != nil {
				s.Log.Error("credential: bad event", "id", ev.ID, "err", err)
				continue
			}
			achs, ok := courses[c.CourseCode]
			if !ok {
				var err error
				if achs, err = db.Query(ctx, s.DB.R, scanAchievement, `SELECT `+achievementCols+` FROM achievements WHERE status = $1 AND rule = $2 AND rule_ref = $3`, Active, RuleCourse, c.CourseCode); err != nil {
					return err
				}
				courses[c.CourseCode] = achs
			}
			for _, ach := range achs {
				if ach.MinPercent > 0 && c.FinalPercent < ach.MinPercent {
					continue
				}
				in := issueInput{ach: ach, accountID: c.AccountID, source: "enrolment:" + c.EnrolmentID, at: time.UnixMilli(c.At), evidence: "Hoàn thành khóa học: " + c.CourseTitle, skipGone: true}
				if c.FinalPercent >= 0 {
					in.result = fmt.Sprintf("%.0f%%", c.FinalPercent)
				}
				ins = append(ins, in)
			}
		}
	}
	return s.issueMany(ctx, ins)
}

// sessionAchievements are the achievements a pass in the session earns.
func (s *Service) sessionAchievements(ctx context.Context, sessionID string) ([]*Achievement, error) {
	sess, err := s.Exams.Session(ctx, sessionID)
	if err != nil {
		s.Log.Warn("credential: session of a pass", "session", sessionID, "err", err)
		return nil, nil
	}
	return db.Query(ctx, s.DB.R, scanAchievement, `SELECT `+achievementCols+` FROM achievements
		WHERE status = $1 AND ((rule = $2 AND rule_ref = $3) OR (rule = $4 AND rule_ref = $5))`, Active, RuleSession, sess.ID, RuleBlueprint, sess.BlueprintID)
}

// issueMany issues what ins earn and nobody holds yet: signed on every
// core, stored in one transaction (a credential someone got meanwhile is
// skipped by the database), then audited and put on the learners'
// histories; then the modules rules those credentials may complete.
func (s *Service) issueMany(ctx context.Context, ins []issueInput) error {
	// What someone already holds is signed for nothing and skipped by the
	// store (a repeated event, a second pass): rare enough not to look up
	// each one first.
	seen := map[string]bool{}
	var todo []issueInput
	for _, in := range ins {
		key := in.ach.ID + "/" + in.accountID
		if !seen[key] {
			seen[key] = true
			todo = append(todo, in)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	stored, err := s.store(ctx, todo, "")
	if err != nil || len(stored) == 0 {
		return err
	}
	var modules int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM achievements WHERE status = $1 AND rule = $2`, Active, RuleModules).Scan(&modules); err != nil || modules == 0 {
		return err
	}
	done := map[string]bool{}
	for _, row := range stored {
		if !done[row.accountID] {
			done[row.accountID] = true
			if err := s.followModules(ctx, row.accountID, time.UnixMilli(row.issuedAt), 0); err != nil {
				return err
			}
		}
	}
	return nil
}

// store signs and stores credentials for ins, then audits them and puts
// them on the learners' histories; it returns those stored (not those
// someone held already, nor those whose account is gone).
func (s *Service) store(ctx context.Context, ins []issueInput, by string) ([]*prepared, error) {
	rows, err := s.prepareAll(ctx, ins)
	if err != nil {
		return nil, err
	}
	var stored []*prepared
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		got, err := insertCredentials(ctx, tx, rows)
		stored = slices.DeleteFunc(got, func(p *prepared) bool { return p == nil })
		return err
	})
	if err != nil {
		return nil, err
	}
	return stored, s.announce(ctx, stored, by)
}

// prepareAll signs credentials for ins on every core, taking status
// indexes for each issuing unit at once. An input whose account is gone
// leaves nil in its place.
func (s *Service) prepareAll(ctx context.Context, ins []issueInput) ([]*prepared, error) {
	perUnit := map[string][]int{}
	for i, in := range ins {
		perUnit[in.ach.UnitID] = append(perUnit[in.ach.UnitID], i)
	}
	type job struct {
		i, list, index int
	}
	var jobs []job
	units := map[string]*org.Unit{}
	for unit, idx := range perUnit {
		u, err := s.Org.UnitByID(ctx, unit)
		if err != nil {
			return nil, err
		}
		units[unit] = u
		list, first, err := s.allocate(ctx, unit, len(idx))
		if err != nil {
			return nil, err
		}
		for k, i := range idx {
			jobs = append(jobs, job{i, list, first + k})
		}
	}
	out := make([]*prepared, len(ins))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     = make(chan job)
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				p, err := s.prepare(ctx, ins[j.i], j.list, j.index, units[ins[j.i].ach.UnitID])
				if err != nil && ins[j.i].skipGone && isNoAccount(err) {
					continue
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				out[j.i] = p
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	return out, firstErr
}

// announce audits credentials just stored (concurrently, so that the
// audit's group commit takes them together) and puts them on the
// learners' histories in one write.
func (s *Service) announce(ctx context.Context, rows []*prepared, by string) error {
	var wg sync.WaitGroup
	errc := make(chan error, len(rows))
	for _, row := range rows {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.auditIssued(ctx, row, by); err != nil {
				errc <- err
			}
		}()
	}
	wg.Wait()
	close(errc)
	s.recordEarned(ctx, rows)
	return <-errc
}

// followModules issues the achievements of the modules rule that the
// person's credentials now complete (the basic certificate once IU01..IU06
// are all held, earned over several sessions).
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
