package monitor

import (
	"context"
	"dxhub/internal/platform/i18n"
	"math"
	"strings"
	"time"

	"dxhub/internal/org"
)

// snapshot is every element's value for every unit for one year, rolled
// up along the tree as of a date. Dashboards and rankings read it; it is
// rebuilt after any change.
type snapshot struct {
	gen      int64
	ygen     int64
	year     int
	asOf     string
	units    []*org.Unit
	idx      map[string]int // unit id → index
	parent   []int          // as of the date; -1 for the root
	children [][]int        // live (as of the date) children, in code order
	slots    map[string]int // cell key → slot
	counted  []bool         // slots of computed elements: no record means 0
	vals     [][]float64    // [unit][slot], NaN when nothing
	targets  *targetSet
}

type snapKey struct {
	year    int
	asOf    string
	pending bool
}

// Warm builds the year's roll-up as of today, so that the next dashboard
// reads it at once (after a recompute, for example).
func (s *Service) Warm(ctx context.Context, year int) error {
	_, err := s.snap(ctx, year, s.now().In(i18n.DefaultZone).Format("2006-01-02"), false)
	return err
}

// WarmTrend builds, in the background, the roll-ups that the first
// dashboard after a start reads (this year and the years of its trend), so
// that its visitor does not wait for them.
func (s *Service) WarmTrend(ctx context.Context) {
	go func() {
		start := time.Now()
		year := s.now().In(i18n.DefaultZone).Year()
		for y := year; y > year-trendYears; y-- {
			if err := s.Warm(ctx, y); err != nil {
				if ctx.Err() == nil {
					s.Log.Error("monitoring warm-up", "year", y, "err", err)
				}
				return
			}
		}
		s.Log.Info("monitoring roll-ups ready", "years", trendYears, "ms", time.Since(start).Milliseconds())
	}()
}

// maxSnapshots bounds the cache.
const maxSnapshots = 32

// snap returns the roll-up for a year as of a date (YYYY-MM-DD), with
// submitted (not yet approved) reports counted when pending is set.
func (s *Service) snap(ctx context.Context, year int, asOf string, pending bool) (*snapshot, error) {
	gen, ygen := s.gen.Load(), s.yearGen(year).Load()
	k := snapKey{year, asOf, pending}
	s.mu.Lock()
	if sn := s.snaps[k]; sn != nil && sn.gen == gen && sn.ygen == ygen {
		s.mu.Unlock()
		return sn, nil
	}
	s.mu.Unlock()
	sn, err := s.build(ctx, year, asOf, pending, gen)
	if err != nil {
		return nil, err
	}
	sn.ygen = ygen
	s.mu.Lock()
	if s.snaps == nil || len(s.snaps) >= maxSnapshots {
		s.snaps = map[snapKey]*snapshot{}
	}
	for key, old := range s.snaps {
		if old.gen != gen || old.ygen != s.yearGen(key.year).Load() {
			delete(s.snaps, key)
		}
	}
	s.snaps[k] = sn
	s.mu.Unlock()
	return sn, nil
}

func (s *Service) build(ctx context.Context, year int, asOf string, pending bool, gen int64) (*snapshot, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	units, err := s.Org.AllUnits(ctx)
	if err != nil {
		return nil, err
	}
	parents, err := s.Org.ParentsAsOf(ctx, asOf)
	if err != nil {
		return nil, err
	}
	sn := &snapshot{gen: gen, year: year, asOf: asOf, units: units, idx: make(map[string]int, len(units))}
	for i, u := range units {
		sn.idx[u.ID] = i
	}
	sn.parent = make([]int, len(units))
	sn.children = make([][]int, len(units))
	for i, u := range units {
		sn.parent[i] = -1
		if p, ok := sn.idx[parents[u.ID]]; ok && p != i {
			sn.parent[i] = p
			if u.ValidFrom <= asOf && (u.ValidTo == "" || u.ValidTo > asOf) {
				sn.children[p] = append(sn.children[p], i)
			}
		}
	}
	for _, kids := range sn.children {
		sortByCode(units, kids)
	}
	sn.slots, sn.counted = c.slots, c.counted
	nslots := len(sn.slots)
	computed, reported, err := s.ownValues(ctx, c, year, pending)
	if err != nil {
		return nil, err
	}
	own := make([][]float64, len(units))
	for _, lay := range []*layer{computed, reported} {
		for id, row := range lay.rows {
			u, ok := sn.idx[id]
			if !ok {
				continue
			}
			if own[u] == nil {
				own[u] = c.emptyRow()
			}
			for i, v := range row {
				if !math.IsNaN(v) {
					own[u][i] = addNaN(own[u][i], v)
				}
			}
		}
	}
	// Roll up: each unit's own values count in every unit above it.
	sn.vals = make([][]float64, len(units))
	for u, row := range own {
		if row == nil {
			continue
		}
		for a, hops := u, 0; a >= 0 && hops < 64; a, hops = sn.parent[a], hops+1 {
			if sn.vals[a] == nil {
				sn.vals[a] = make([]float64, nslots)
				for i := range sn.vals[a] {
					sn.vals[a][i] = math.NaN()
				}
			}
			dst := sn.vals[a]
			for i, v := range row {
				if !math.IsNaN(v) {
					dst[i] = addNaN(dst[i], v)
				}
			}
		}
	}
	if sn.targets, err = s.loadTargets(ctx); err != nil {
		return nil, err
	}
	return sn, nil
}

func addNaN(a, b float64) float64 {
	if math.IsNaN(a) {
		return b
	}
	return a + b
}

func sortByCode(units []*org.Unit, ids []int) {
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && units[ids[j]].Code < units[ids[j-1]].Code; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
}

// value returns a cell's rolled-up value at unit u.
// Computed elements are counts of records: none means 0.
func (sn *snapshot) value(u int, key string) (float64, bool) {
	slot, ok := sn.slots[key]
	if !ok {
		return 0, false
	}
	if sn.vals[u] == nil || math.IsNaN(sn.vals[u][slot]) {
		return 0, sn.counted[slot]
	}
	return sn.vals[u][slot], true
}

// indicator evaluates ind at unit u.
func (sn *snapshot) indicator(ind *Indicator, u int) (float64, bool) {
	if ind.num == nil {
		return 0, false
	}
	look := func(e, c string) (float64, bool) { return sn.value(u, cellKey(e, c)) }
	n, ok := ind.num.Eval(look)
	if !ok {
		return 0, false
	}
	d := 1.0
	if ind.den != nil {
		if d, ok = ind.den.Eval(look); !ok || d == 0 {
			return 0, false
		}
	}
	return n / d * ind.Factor, true
}

// fracYear turns a date into a fractional year (2026-07-02 ≈ 2026.5).
func fracYear(t time.Time) float64 {
	start := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(1, 0, 0)
	return float64(t.Year()) + float64(t.Sub(start))/float64(end.Sub(start))
}

// pathIDs splits a unit path into its ids, root first.
func pathIDs(path string) []string { return strings.Split(strings.Trim(path, "/"), "/") }
