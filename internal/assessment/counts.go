package assessment

import (
	"context"
	"strings"

	"dxhub/internal/org"
)

// finished is the condition on an attempt (alias t) that ended with a
// result.
const finished = `t.finished_at > 0 AND t.status NOT IN ('in_progress', 'voided')`

// AssessedCounts counts, per unit and group, the people who finished an
// exam (passedOnly: passed one) in [from, to) (Unix ms). With since > 0 it
// counts only people first counted after since: what an incremental
// recompute adds.
func (x *Exams) AssessedCounts(ctx context.Context, from, to, since int64, passedOnly bool) ([]org.UnitCount, error) {
	cond := finished
	if passedOnly {
		cond += ` AND t.passed = 1`
	}
	if since <= 0 {
		return x.Bank.Org.CountAccountsByUnit(ctx, `SELECT t.account_id FROM attempts t WHERE t.finished_at >= $1 AND t.finished_at < $2 AND `+cond, from, to)
	}
	earlier := strings.ReplaceAll(cond, "t.", "o.")
	return x.Bank.Org.CountAccountsByUnit(ctx, `SELECT t.account_id FROM attempts t WHERE t.finished_at > $3 AND t.finished_at >= $1 AND t.finished_at < $2 AND `+cond+`
		AND NOT EXISTS (SELECT 1 FROM attempts o WHERE o.account_id = t.account_id AND o.finished_at >= $1 AND o.finished_at <= $3 AND `+earlier+`)`, from, to, since)
}

// LastFinish is the latest attempt end stored, the watermark of
// incremental recomputes.
func (x *Exams) LastFinish(ctx context.Context) (int64, error) {
	var t int64
	err := x.Bank.DB.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(finished_at), 0) FROM attempts`).Scan(&t)
	return t, err
}
