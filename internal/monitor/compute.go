package monitor

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
)

// yearRange is [start, end) of a calendar year in Vietnam, Unix ms.
func yearRange(year int) (int64, int64) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, vnZone)
	return from.UnixMilli(), from.AddDate(1, 0, 0).UnixMilli()
}

// RecomputeResult says what a recompute did.
type RecomputeResult struct {
	Year     int   `json:"year"`
	Rows     int   `json:"rows"`
	Millis   int64 `json:"ms"`
	Upto     int64 `json:"upto"`
	Increase bool  `json:"incremental"`
}

// watermarks of the sources, stored in mon_state.
const (
	stateLearning   = "watermark.learning"
	stateAssessment = "watermark.assessment"
	stateYear       = "recomputed.year" // the year the watermarks belong to
)

func (s *Service) state(ctx context.Context, q querier, k string) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `SELECT v FROM mon_state WHERE k = $1`, k).Scan(&v)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return v, err
}

func setState(ctx context.Context, tx *sql.Tx, k string, v int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO mon_state (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, k, v)
	return err
}

// sourceCounts reads one computed source for a year, counting records up
// to the watermarks; since > 0 counts only what came after it.
func (s *Service) sourceCounts(ctx context.Context, source string, year int, since, upto int64) ([]org.UnitCount, error) {
	from, to := yearRange(year)
	if upto+1 < to {
		to = upto + 1
	}
	if to <= from {
		return nil, nil
	}
	switch source {
	case SourcePeople:
		if since > 0 {
			return nil, nil
		}
		return s.Org.PeopleCounts(ctx)
	case SourceTrained:
		return s.Learn.TrainedCounts(ctx, from, to, since)
	case SourceAssessed:
		return s.Exams.AssessedCounts(ctx, from, to, since, false)
	case SourcePassed:
		return s.Exams.AssessedCounts(ctx, from, to, since, true)
	}
	return nil, fmt.Errorf("unknown source %q", source)
}

// Recompute rebuilds every computed value of a year from the records of
// the services that own them. The caller needs monitoring rights on the
// nation.
func (s *Service) Recompute(ctx context.Context, year int) (*RecomputeResult, error) {
	if _, err := s.nationAdmin(ctx); err != nil {
		return nil, err
	}
	if year < firstYear || year > lastYear {
		return nil, errs.Field("year", "monitor.year_invalid", year)
	}
	start := time.Now()
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	learnW, err := s.Learn.LastCompletion(ctx)
	if err != nil {
		return nil, err
	}
	examW, err := s.Exams.LastFinish(ctx)
	if err != nil {
		return nil, err
	}
	type batch struct {
		e      *Element
		counts []org.UnitCount
	}
	var batches []batch
	for _, e := range c.elems {
		if e.Source == SourceReported {
			continue
		}
		w := learnW
		if e.Source == SourceAssessed || e.Source == SourcePassed {
			w = examW
		}
		if e.Source == SourcePeople {
			w = math.MaxInt64 - 1
		}
		counts, err := s.sourceCounts(ctx, e.Source, year, 0, w)
		if err != nil {
			return nil, err
		}
		batches = append(batches, batch{e, counts})
	}
	res := &RecomputeResult{Year: year, Upto: learnW}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM mon_computed WHERE year = $1`, year); err != nil {
			return err
		}
		for _, b := range batches {
			n, err := insertCounts(ctx, tx, b.e.ID, year, b.counts)
			if err != nil {
				return err
			}
			res.Rows += n
		}
		if year == s.now().In(vnZone).Year() {
			if err := setState(ctx, tx, stateLearning, learnW); err != nil {
				return err
			}
			if err := setState(ctx, tx, stateYear, int64(year)); err != nil {
				return err
			}
			return setState(ctx, tx, stateAssessment, examW)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.changedYear(year)
	res.Millis = time.Since(start).Milliseconds()
	return res, nil
}

// insertCounts writes counts as computed values, many rows per statement.
func insertCounts(ctx context.Context, tx *sql.Tx, elemID string, year int, counts []org.UnitCount) (int, error) {
	const per = 150
	for i := 0; i < len(counts); i += per {
		end := min(i+per, len(counts))
		q := make([]byte, 0, 64*per)
		q = append(q, "INSERT INTO mon_computed (element_id, unit_id, year, category, value) VALUES "...)
		args := make([]any, 0, 3*(end-i)+2)
		args = append(args, elemID, year)
		for j, c := range counts[i:end] {
			if j > 0 {
				q = append(q, ',')
			}
			n := len(args)
			q = fmt.Appendf(q, "($1,$%d,$2,$%d,$%d)", n+1, n+2, n+3)
			args = append(args, c.UnitID, c.Group, float64(c.N))
		}
		q = append(q, " ON CONFLICT (year, element_id, unit_id, category) DO UPDATE SET value = mon_computed.value + excluded.value"...)
		if _, err := tx.ExecContext(ctx, string(q), args...); err != nil {
			return 0, err
		}
	}
	return len(counts), nil
}

// RecomputeIncremental adds to the computed values what the sources
// recorded since the last recompute: only the new records are read.
func (s *Service) RecomputeIncremental(ctx context.Context) (*RecomputeResult, error) {
	if _, err := s.nationAdmin(ctx); err != nil {
		return nil, err
	}
	start := time.Now()
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	year := s.now().In(vnZone).Year()
	res := &RecomputeResult{Year: year, Increase: true}
	oldL, err := s.state(ctx, s.DB.R, stateLearning)
	if err != nil {
		return nil, err
	}
	oldE, err := s.state(ctx, s.DB.R, stateAssessment)
	if err != nil {
		return nil, err
	}
	if y, err := s.state(ctx, s.DB.R, stateYear); err != nil {
		return nil, err
	} else if y != int64(year) {
		return s.Recompute(ctx, year) // nothing to add to: a new year starts whole
	}
	newL, err := s.Learn.LastCompletion(ctx)
	if err != nil {
		return nil, err
	}
	newE, err := s.Exams.LastFinish(ctx)
	if err != nil {
		return nil, err
	}
	res.Upto = newL
	type batch struct {
		e      *Element
		counts []org.UnitCount
	}
	var batches []batch
	for _, e := range c.elems {
		since, upto := oldL, newL
		switch e.Source {
		case SourceReported, SourcePeople:
			continue
		case SourceAssessed, SourcePassed:
			since, upto = oldE, newE
		}
		if upto <= since {
			continue
		}
		counts, err := s.sourceCounts(ctx, e.Source, year, since, upto)
		if err != nil {
			return nil, err
		}
		batches = append(batches, batch{e, counts})
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, b := range batches {
			n, err := insertCounts(ctx, tx, b.e.ID, year, b.counts)
			if err != nil {
				return err
			}
			res.Rows += n
		}
		if err := setState(ctx, tx, stateLearning, max(newL, oldL)); err != nil {
			return err
		}
		return setState(ctx, tx, stateAssessment, max(newE, oldE))
	})
	if err != nil {
		return nil, err
	}
	if res.Rows > 0 {
		s.changedYear(year)
	}
	res.Millis = time.Since(start).Milliseconds()
	return res, nil
}

// requireView checks that the caller may read monitoring figures for u.
func requireView(ctx context.Context, u *org.Unit) error {
	_, err := auth.Authorize(ctx, auth.ViewMonitoring, u.Path)
	return err
}
