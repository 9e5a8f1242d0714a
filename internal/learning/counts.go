package learning

import (
	"context"
	"database/sql"

	"dxhub/internal/org"
	"dxhub/internal/platform/db"
)

// TrainedCounts counts, per unit and group, the people who completed at
// least one course in [from, to) (Unix ms), where they sat when they
// enrolled. With since > 0 it counts only people whose first completion in
// that window came after since: what an incremental recompute adds.
func (s *Service) TrainedCounts(ctx context.Context, from, to, since int64) ([]org.UnitCount, error) {
	q := `SELECT account_id, person_unit, person_groups FROM enrolments WHERE completed_at >= $1 AND completed_at < $2`
	args := []any{from, to}
	if since > 0 {
		q = `SELECT e.account_id, e.person_unit, e.person_groups FROM enrolments e WHERE e.completed_at > $3 AND e.completed_at >= $1 AND e.completed_at < $2
		AND NOT EXISTS (SELECT 1 FROM enrolments o WHERE o.account_id = e.account_id AND o.completed_at >= $1 AND o.completed_at <= $3)`
		args = append(args, since)
	}
	t := org.NewTally()
	var who, unit, groups sql.RawBytes
	err := db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		if err := r.Scan(&who, &unit, &groups); err != nil {
			return err
		}
		t.Add(who, unit, groups)
		return nil
	}, q, args...)
	return t.Counts(), err
}

// LastCompletion is the latest completion time stored, the watermark of
// incremental recomputes.
func (s *Service) LastCompletion(ctx context.Context) (int64, error) {
	var t int64
	err := s.DB.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(completed_at), 0) FROM enrolments`).Scan(&t)
	return t, err
}

// CompletedCourses counts, for each person, the courses completed by the
// accounts linked to them (people without any are left out): how far a
// community team's members have trained.
func (s *Service) CompletedCourses(ctx context.Context, personIDs []string) (map[string]int, error) {
	return s.Auth.PerPerson(ctx, personIDs, func(accounts []string) (map[string]int, error) { return s.CompletedByAccounts(ctx, accounts) })
}

// CompletedByAccounts counts the courses each account completed.
func (s *Service) CompletedByAccounts(ctx context.Context, accountIDs []string) (map[string]int, error) {
	return db.CountsByIDs(ctx, s.DB.R, `SELECT account_id, COUNT(*) FROM enrolments WHERE completed_at > 0 AND account_id IN (%s) GROUP BY account_id`, accountIDs)
}

// EnrolmentsIn counts the enrolments in the courses of the given codes
// made in [from, to) by people of the subtree at path (a campaign's
// figures: the courses it promotes, during its period, among its target).
func (s *Service) EnrolmentsIn(ctx context.Context, codes []string, path string, from, to int64) (int, error) {
	if len(codes) == 0 {
		return 0, nil
	}
	args := []any{from, to, s.DB.Dialect.PrefixPattern(path)}
	for _, c := range codes {
		args = append(args, c)
	}
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM enrolments e JOIN courses c ON c.id = e.course_id
		WHERE e.enrolled_at >= $1 AND e.enrolled_at < $2 AND `+s.DB.Dialect.PrefixMatch("e.unit_path", 3)+` AND c.code IN (`+db.Numbered(4, len(codes))+`)`, args...).Scan(&n)
	return n, err
}
