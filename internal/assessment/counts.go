package assessment

import (
	"context"
	"database/sql"
	"strings"

	"dxhub/internal/org"
	"dxhub/internal/platform/db"
)

// finished is the condition on an attempt (alias t) that ended with a
// result.
const finished = `t.finished_at > 0 AND t.status NOT IN ('in_progress', 'voided')`

// AssessedCounts counts, per unit and group, the people who finished an
// exam in [from, to) (Unix ms) and those who passed one, where they sat
// when they started it. With since > 0 it counts only people first counted
// after since: what an incremental recompute adds.
func (x *Exams) AssessedCounts(ctx context.Context, from, to, since int64) (assessed, passed []org.UnitCount, err error) {
	q := `SELECT t.account_id, t.person_unit, t.person_groups, t.passed FROM attempts t WHERE t.finished_at >= $1 AND t.finished_at < $2 AND ` + finished
	args := []any{from, to}
	if since > 0 {
		earlier := `SELECT 1 FROM attempts o WHERE o.account_id = t.account_id AND o.finished_at >= $1 AND o.finished_at <= $3 AND ` + strings.ReplaceAll(finished, "t.", "o.")
		q = `SELECT t.account_id, t.person_unit, t.person_groups, t.passed,
			CASE WHEN EXISTS (` + earlier + `) THEN 1 ELSE 0 END,
			CASE WHEN EXISTS (` + earlier + ` AND o.passed = 1) THEN 1 ELSE 0 END
			FROM attempts t WHERE t.finished_at > $3 AND t.finished_at >= $1 AND t.finished_at < $2 AND ` + finished
		args = append(args, since)
	}
	all, won := org.NewTally(), org.NewTally()
	var who, unit, groups sql.RawBytes
	var ok, counted, countedPass int
	dest := []any{&who, &unit, &groups, &ok, &counted, &countedPass}
	if since <= 0 {
		dest = dest[:4] // nobody was counted before
	}
	err = db.Each(ctx, x.Bank.DB.R, func(r db.Scanner) error {
		if err := r.Scan(dest...); err != nil {
			return err
		}
		if counted == 0 {
			all.Add(who, unit, groups)
		}
		if ok == 1 && countedPass == 0 {
			won.Add(who, unit, groups)
		}
		return nil
	}, q, args...)
	return all.Counts(), won.Counts(), err
}

// LastFinish is the latest attempt end stored, the watermark of
// incremental recomputes.
func (x *Exams) LastFinish(ctx context.Context) (int64, error) {
	var t int64
	err := x.Bank.DB.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(finished_at), 0) FROM attempts`).Scan(&t)
	return t, err
}
