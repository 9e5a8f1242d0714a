package monitor

import (
	"context"
	"database/sql"
	"dxhub/internal/platform/i18n"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"dxhub/internal/org"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
)

// yearRange is [start, end) of a calendar year in Vietnam, Unix ms.
func yearRange(year int) (int64, int64) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, i18n.DefaultZone)
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

// window is what a recompute reads of the sources: records of a year up
// to the watermarks and, when since is set, only those after it.
type window struct {
	year                  int
	sinceLearn, uptoLearn int64
	sinceExams, uptoExams int64
	people                bool // recount the people of the tree too
}

// readSources reads, in parallel, the computed sources that elements use,
// through the services that own the records: counts per source.
func (s *Service) readSources(ctx context.Context, elems []*Element, w window) (map[string][]org.UnitCount, error) {
	need := map[string]bool{}
	for _, e := range elems {
		need[e.Source] = true
	}
	from, to := yearRange(w.year)
	clip := func(upto int64) int64 { return min(to, upto+1) }
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		out  = map[string][]org.UnitCount{}
		errs []error
	)
	run := func(f func() (map[string][]org.UnitCount, error)) {
		wg.Go(func() {
			got, err := f()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			maps.Copy(out, got)
		})
	}
	if need[SourcePeople] && w.people {
		run(func() (map[string][]org.UnitCount, error) {
			c, err := s.Org.PeopleCounts(ctx)
			return map[string][]org.UnitCount{SourcePeople: c}, err
		})
	}
	if need[SourceTrained] && clip(w.uptoLearn) > from && w.uptoLearn > w.sinceLearn {
		run(func() (map[string][]org.UnitCount, error) {
			c, err := s.Learn.TrainedCounts(ctx, from, clip(w.uptoLearn), w.sinceLearn)
			return map[string][]org.UnitCount{SourceTrained: c}, err
		})
	}
	if (need[SourceAssessed] || need[SourcePassed]) && clip(w.uptoExams) > from && w.uptoExams > w.sinceExams {
		run(func() (map[string][]org.UnitCount, error) {
			all, won, err := s.Exams.AssessedCounts(ctx, from, clip(w.uptoExams), w.sinceExams)
			return map[string][]org.UnitCount{SourceAssessed: all, SourcePassed: won}, err
		})
	}
	for _, room := range []struct {
		counts  RoomCounts
		sources []string
	}{{s.Net, networkSources}, {s.Experts, expertSources}, {s.Campaigns, campaignSources}} {
		if room.counts != nil && w.people && slices.ContainsFunc(room.sources, func(src string) bool { return need[src] }) {
			run(func() (map[string][]org.UnitCount, error) { return room.counts.MonitorCounts(ctx, w.year) })
		}
	}
	wg.Wait()
	return out, errors.Join(errs...)
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
	s.recomputing.Lock()
	defer s.recomputing.Unlock()
	return s.recompute(ctx, year)
}

func (s *Service) recompute(ctx context.Context, year int) (*RecomputeResult, error) {
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
	counts, err := s.readSources(ctx, c.elems, window{year: year, uptoLearn: learnW, uptoExams: examW, people: true})
	if err != nil {
		return nil, err
	}
	res := &RecomputeResult{Year: year, Upto: learnW}
	err = s.computedStored(c, year, counts, true, func() error {
		return s.DB.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM mon_computed WHERE year = $1`, year); err != nil {
				return err
			}
			n, err := insertComputed(ctx, tx, s.DB.Dialect, c.elems, year, counts)
			if err != nil {
				return err
			}
			res.Rows = n
			if year == s.now().In(i18n.DefaultZone).Year() {
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
	})
	if err != nil {
		return nil, err
	}
	res.Millis = time.Since(start).Milliseconds()
	return res, nil
}

// insertComputed adds the counts of their sources to the computed values
// of elements.
func insertComputed(ctx context.Context, tx *sql.Tx, d db.Dialect, elems []*Element, year int, counts map[string][]org.UnitCount) (int, error) {
	rows := 0
	for _, e := range elems {
		if e.Source == SourceReported {
			continue
		}
		n, err := insertCounts(ctx, tx, d, e.ID, year, counts[e.Source])
		if err != nil {
			return 0, err
		}
		rows += n
	}
	return rows, nil
}

// insertCounts writes counts as computed values, many rows per statement.
func insertCounts(ctx context.Context, tx *sql.Tx, d db.Dialect, elemID string, year int, counts []org.UnitCount) (int, error) {
	const per = 400
	for i := 0; i < len(counts); i += per {
		end := min(i+per, len(counts))
		q := make([]byte, 0, 40*per)
		q = append(q, "INSERT INTO mon_computed (element_id, unit_id, year, category, value) VALUES "...)
		args := make([]any, 0, 5*(end-i))
		for j, c := range counts[i:end] {
			if j > 0 {
				q = append(q, ',')
			}
			// Every row its own placeholders, in increasing order: SQLite
			// looks a repeated one up in a list.
			q = append(q, '(')
			for k := range 5 {
				if k > 0 {
					q = append(q, ',')
				}
				q = append(q, d.Param(len(args)+k+1)...)
			}
			q = append(q, ')')
			args = append(args, elemID, c.UnitID, year, c.Group, float64(c.N))
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
	s.recomputing.Lock()
	defer s.recomputing.Unlock()
	start := time.Now()
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	year := s.now().In(i18n.DefaultZone).Year()
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
		return s.recompute(ctx, year) // nothing to add to: a new year starts whole
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
	counts, err := s.readSources(ctx, c.elems, window{year: year, sinceLearn: oldL, uptoLearn: newL, sinceExams: oldE, uptoExams: newE})
	if err != nil {
		return nil, err
	}
	err = s.computedStored(c, year, counts, false, func() error {
		return s.DB.Tx(ctx, func(tx *sql.Tx) error {
			n, err := insertComputed(ctx, tx, s.DB.Dialect, c.elems, year, counts)
			if err != nil {
				return err
			}
			res.Rows = n
			if err := setState(ctx, tx, stateLearning, max(newL, oldL)); err != nil {
				return err
			}
			return setState(ctx, tx, stateAssessment, max(newE, oldE))
		})
	})
	if err != nil {
		return nil, err
	}
	res.Millis = time.Since(start).Milliseconds()
	return res, nil
}
