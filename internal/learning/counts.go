package learning

import (
	"context"

	"dxhub/internal/org"
)

// TrainedCounts counts, per unit and group, the people who completed at
// least one course in [from, to) (Unix ms). With since > 0 it counts only
// people whose first completion in that window came after since: what an
// incremental recompute adds.
func (s *Service) TrainedCounts(ctx context.Context, from, to, since int64) ([]org.UnitCount, error) {
	if since <= 0 {
		return s.Org.CountAccountsByUnit(ctx, `SELECT account_id FROM enrolments WHERE completed_at >= $1 AND completed_at < $2`, from, to)
	}
	return s.Org.CountAccountsByUnit(ctx, `SELECT e.account_id FROM enrolments e WHERE e.completed_at > $3 AND e.completed_at >= $1 AND e.completed_at < $2
		AND NOT EXISTS (SELECT 1 FROM enrolments o WHERE o.account_id = e.account_id AND o.completed_at >= $1 AND o.completed_at <= $3)`, from, to, since)
}

// LastCompletion is the latest completion time stored, the watermark of
// incremental recomputes.
func (s *Service) LastCompletion(ctx context.Context) (int64, error) {
	var t int64
	err := s.DB.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(completed_at), 0) FROM enrolments`).Scan(&t)
	return t, err
}
