package assessment

import (
	"context"
	"database/sql"
	"dxhub/internal/platform/db"
	"fmt"
	"sort"
	"strings"
	"time"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
)

// RosterRow is one candidate's state in the proctor's view.
type RosterRow struct {
	AttemptID  string  `json:"attempt_id,omitempty"`
	AccountID  string  `json:"-"`
	Name       string  `json:"name"`
	State      string  `json:"state"` // not_started, in_progress, submitted, expired, voided
	RemainingS int64   `json:"remaining_s"`
	Answered   int     `json:"answered"`
	Items      int     `json:"items"`
	Percent    float64 `json:"percent"`
	Passed     bool    `json:"passed"`
	ExtraS     int     `json:"extra_s"`
	VoidReason string  `json:"void_reason,omitempty"`
	Awaiting   int     `json:"awaiting_marks,omitempty"` // essays not yet marked
}

// Roster is the live state of a session.
type Roster struct {
	Session *Session       `json:"session"`
	Rows    []RosterRow    `json:"rows"`
	Counts  map[string]int `json:"counts"`
}

// proctorSession loads a session the caller may proctor.
func (x *Exams) proctorSession(ctx context.Context, id string) (*Session, *auth.Principal, error) {
	return x.sessionFor(ctx, id, auth.ProctorExams)
}

// sessionFor loads a session on whose unit the caller may do what.
func (x *Exams) sessionFor(ctx context.Context, id string, what auth.Action) (*Session, *auth.Principal, error) {
	s, err := x.Session(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	p, err := auth.Authorize(ctx, what, s.UnitPath)
	if err != nil {
		return nil, nil, err
	}
	return s, p, nil
}

// Roster returns every candidate's state: those who started, and for
// list sessions those who have not yet.
func (x *Exams) Roster(ctx context.Context, sessionID string) (*Roster, error) {
	s, _, err := x.proctorSession(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	now := x.engine.Now()
	r := &Roster{Session: s, Counts: map[string]int{}}
	started := map[string]bool{}
	// (The loop this replaced never asked the rows for an error part-way.)
	err = db.Each(ctx, x.Bank.DB.R, func(row db.Scanner) error {
		var answered int
		a, err := scanAttemptWith(row, &answered)
		if err != nil {
			return err
		}
		started[a.AccountID] = true
		r.Rows = append(r.Rows, RosterRow{AttemptID: a.ID, AccountID: a.AccountID, Name: a.DisplayName, State: a.Status, RemainingS: a.RemainingS(now),
			Answered: answered, Items: a.Items, Percent: a.Percent, Passed: a.Passed, ExtraS: a.ExtraS, VoidReason: a.VoidReason, Awaiting: a.AwaitingMarks})
		return nil
	}, `SELECT `+attemptCols+`, (SELECT COUNT(DISTINCT idx) FROM attempt_steps st WHERE st.attempt_id = attempts.id)
		FROM attempts WHERE session_id = $1 ORDER BY display_name, id LIMIT 20000`, sessionID)
	if err != nil {
		return nil, err
	}
	if s.Eligibility == EligibleList {
		ids, err := db.Strings(ctx, x.Bank.DB.R, `SELECT account_id FROM session_candidates WHERE session_id = $1`, sessionID)
		if err != nil {
			return nil, err
		}
		names, err := x.Bank.Auth.DisplayNames(ctx, ids)
		if err != nil {
			return nil, err
		}
		var waiting []RosterRow
		for _, id := range ids {
			if !started[id] {
				waiting = append(waiting, RosterRow{AccountID: id, Name: names[id], State: "not_started"})
			}
		}
		sort.Slice(waiting, func(i, j int) bool { return waiting[i].Name < waiting[j].Name })
		r.Rows = append(r.Rows, waiting...)
	}
	for _, row := range r.Rows {
		r.Counts[row.State]++
	}
	return r, nil
}

// scanAttemptWith scans an attempt followed by extra columns.
func scanAttemptWith(rows db.Scanner, extra ...any) (*Attempt, error) {
	return scanAttempt(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, extra...)...) }))
}

type scanFunc func(...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// Extend gives one candidate more time; it is logged.
func (x *Exams) Extend(ctx context.Context, attemptID string, minutes int, reason string) error {
	if minutes < 1 || minutes > 120 {
		return errs.Field("minutes", "exams.bad_extension")
	}
	a, err := x.attemptWhere(ctx, x.Bank.DB.R, `id = $1`, attemptID)
	if err != nil {
		return err
	}
	if _, _, err := x.proctorSession(ctx, a.SessionID); err != nil {
		return err
	}
	if a.Status != InProgress {
		return errs.E(errs.Conflict, "exams.finished")
	}
	if err := x.engine.write(ctx, attemptID, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE attempts SET extra_s = extra_s + $1 WHERE id = $2 AND status = 'in_progress'`, minutes*60, attemptID)
		return err
	}); err != nil {
		return err
	}
	x.forgetAttempt(ctx, attemptID)
	return x.event(ctx, a.SessionID, attemptID, "extend", fmt.Sprintf("+%d min: %s", minutes, strings.TrimSpace(reason)))
}

// Void cancels an attempt with a reason (cheating, a failed device ...).
func (x *Exams) Void(ctx context.Context, attemptID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return errs.Field("reason", "exams.reason_required")
	}
	a, err := x.attemptWhere(ctx, x.Bank.DB.R, `id = $1`, attemptID)
	if err != nil {
		return err
	}
	if _, _, err := x.proctorSession(ctx, a.SessionID); err != nil {
		return err
	}
	if a.Status == Voided {
		return errs.E(errs.Conflict, "exams.voided")
	}
	if err := x.engine.write(ctx, attemptID, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE attempts SET status = 'voided', void_reason = $1, finished_at = $2 WHERE id = $3 AND status <> 'voided'`,
			reason, time.Now().UnixMilli(), attemptID)
		return err
	}); err != nil {
		return err
	}
	x.forgetAttempt(ctx, attemptID)
	return x.event(ctx, a.SessionID, attemptID, "void", reason)
}

// ProctorAct applies a proctor action ("extend" with minutes, or "void")
// to an attempt; pages and the API both come through here.
func (x *Exams) ProctorAct(ctx context.Context, attemptID, action string, minutes int, reason string) error {
	switch action {
	case "extend":
		return x.Extend(ctx, attemptID, minutes, reason)
	case "void":
		return x.Void(ctx, attemptID, reason)
	}
	return errs.Field("action", "items.bad_action", action)
}
