package org

import (
	"context"
	"fmt"
	"strings"

	"dxhub/internal/platform/errs"
)

// UnitCount is how many people of a unit (and of one group, "" for all)
// something counts. Monitoring reads its computed values as these.
type UnitCount struct {
	UnitID string
	Group  string
	N      int64
}

// PeopleCounts returns the number of people per unit, in total and per
// group.
func (s *Service) PeopleCounts(ctx context.Context) ([]UnitCount, error) {
	return s.scanCounts(ctx, `SELECT unit_id, '', COUNT(*) FROM people GROUP BY unit_id
		UNION ALL SELECT p.unit_id, g.grp, COUNT(*) FROM people p JOIN person_groups g ON g.person_id = p.id GROUP BY p.unit_id, g.grp`)
}

// CountAccountsByUnit counts, per unit of the person behind each account
// and per group, the distinct accounts that accounts (an SQL query
// returning one column, account_id, with $1… bound to args) yields.
// Accounts without a person are not counted: monitoring counts people.
func (s *Service) CountAccountsByUnit(ctx context.Context, accounts string, args ...any) ([]UnitCount, error) {
	q := fmt.Sprintf(`WITH x AS MATERIALIZED (SELECT DISTINCT p.id AS person_id, p.unit_id FROM (%s) s
		JOIN accounts a ON a.id = s.account_id JOIN people p ON p.id = a.person_id)
		SELECT unit_id, '', COUNT(*) FROM x GROUP BY unit_id
		UNION ALL SELECT x.unit_id, g.grp, COUNT(*) FROM x JOIN person_groups g ON g.person_id = x.person_id GROUP BY x.unit_id, g.grp`, accounts)
	return s.scanCounts(ctx, q, args...)
}

func (s *Service) scanCounts(ctx context.Context, q string, args ...any) ([]UnitCount, error) {
	rows, err := s.DB.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("unit counts: %w", err)
	}
	defer rows.Close()
	var out []UnitCount
	for rows.Next() {
		var c UnitCount
		if err := rows.Scan(&c.UnitID, &c.Group, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AllUnits returns every unit, live and dissolved, in path order.
func (s *Service) AllUnits(ctx context.Context) ([]*Unit, error) {
	return s.queryUnits(ctx, s.DB.R, `SELECT `+unitCols+` FROM units u ORDER BY u.path`)
}

// UnitsOfTypes returns the live units of the given types inside the
// subtree at path.
func (s *Service) UnitsOfTypes(ctx context.Context, path string, types []string) ([]*Unit, error) {
	args := []any{s.DB.Dialect.PrefixPattern(path)}
	ph := make([]string, len(types))
	for i, t := range types {
		args = append(args, t)
		ph[i] = fmt.Sprintf("$%d", i+2)
	}
	return s.queryUnits(ctx, s.DB.R, `SELECT `+unitCols+` FROM units u WHERE `+s.DB.Dialect.PrefixMatch("u.path", 1)+
		` AND u.valid_to = '' AND u.type IN (`+strings.Join(ph, ",")+`) ORDER BY u.path`, args...)
}

// ParentsAsOf maps every unit to the unit its data rolled up into on date
// (YYYY-MM-DD): its parent then if it existed, its successor if it had been
// dissolved by then, its current parent otherwise.
func (s *Service) ParentsAsOf(ctx context.Context, date string) (map[string]string, error) {
	if !validDate(date) {
		return nil, errs.Field("as_of", "org.bad_date", date)
	}
	out := map[string]string{}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, COALESCE(parent_id, ''), valid_from, valid_to, COALESCE(successor_id, '') FROM units`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, parent, from, to, succ string
		if err := rows.Scan(&id, &parent, &from, &to, &succ); err != nil {
			rows.Close()
			return nil, err
		}
		if to != "" && to <= date && succ != "" {
			parent = succ
		}
		out[id] = parent
	}
	rows.Close()
	rows, err = s.DB.R.QueryContext(ctx, `SELECT l.unit_id, l.parent_id FROM unit_links l JOIN units u ON u.id = l.unit_id
		WHERE l.valid_from <= $1 AND (l.valid_to = '' OR l.valid_to > $1) AND (u.valid_to = '' OR u.valid_to > $1)`, date)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent string
		if err := rows.Scan(&id, &parent); err != nil {
			return nil, err
		}
		out[id] = parent
	}
	return out, rows.Err()
}
