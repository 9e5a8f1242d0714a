package monitor

import (
	"context"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"dxhub/internal/org"
	"dxhub/internal/platform/db"
)

// A layer is the own values (before roll-up) of every unit for one year
// from one kind of source. Layers are kept apart so that a change touches
// only its part: an incremental recompute adds its counts to the computed
// layer, and a report marks its unit for reading again in the reported
// layers; the roll-up of a year is then rebuilt in memory from them. A
// published layer is never changed: a patch makes a new one.
type layer struct {
	cat  *catalog             // the definitions its slots follow
	rows map[string][]float64 // unit id → value per slot, NaN when none
}

type layerKind int

// maxPatch is how many changed units a layer reads again on their own;
// more, and it reads the whole year.
const maxPatch = 500

const (
	layerComputed layerKind = iota
	layerApproved           // reported values of approved reports
	layerPending            // reported values of approved and submitted reports
)

type layerKey struct {
	year int
	kind layerKind
}

// layers caches the layers. mu is held while a layer is read from the
// database or patched, so that an incremental recompute's counts are
// either in what a read finds or added to what it built, never both;
// dirty (units whose reports changed, per year) has its own lock so that
// saving a report never waits for a read.
type layers struct {
	mu     sync.Mutex
	cached map[layerKey]*layer
	dmu    sync.Mutex
	dirty  map[int]map[string]bool // year → unit ids; "" = every unit
}

// slotsOf lays out the cells of every element (and of its categories) in
// slots, and says which are counts of records (no record means 0).
func slotsOf(elems []*Element) (map[string]int, []bool) {
	slots, counted := map[string]int{}, []bool(nil)
	for _, e := range elems {
		computed := e.Source != SourceReported
		slots[e.Code] = len(slots)
		counted = append(counted, computed)
		for _, cat := range e.Categories {
			slots[e.Code+"."+cat] = len(slots)
			counted = append(counted, computed)
		}
	}
	return slots, counted
}

// slotOf finds the element with id elemID and the slot of its category
// cat ("" for the element's total).
func (c *catalog) slotOf(elemID, cat string) (*Element, int, bool) {
	e := c.elemByID[elemID]
	if e == nil {
		return nil, 0, false
	}
	slot, ok := c.slots[cellKey(e.Code, cat)]
	return e, slot, ok
}

func (c *catalog) emptyRow() []float64 {
	row := make([]float64, len(c.counted))
	for i := range row {
		row[i] = math.NaN()
	}
	return row
}

// reportsChanged marks units whose reports of a year changed (none: all of
// them) on every node; the reported layers read them again when next
// needed.
func (s *Service) reportsChanged(year int, unitIDs ...string) {
	s.markReports(year, unitIDs...)
	key := strconv.Itoa(year)
	if units := strings.Join(unitIDs, ","); units != "" && len(units) < 6000 {
		key += " " + units
	}
	s.DB.Announce(context.Background(), topicReports, key)
}

// drop forgets every cached layer.
func (l *layers) drop() {
	l.mu.Lock()
	l.cached = nil
	l.mu.Unlock()
}

// dropComputed forgets a year's computed layer.
func (l *layers) dropComputed(year int) {
	l.mu.Lock()
	delete(l.cached, layerKey{year, layerComputed})
	l.mu.Unlock()
}

func (s *Service) markReports(year int, unitIDs ...string) {
	l := &s.layers
	l.dmu.Lock()
	if l.dirty == nil {
		l.dirty = map[int]map[string]bool{}
	}
	if l.dirty[year] == nil {
		l.dirty[year] = map[string]bool{}
	}
	if len(unitIDs) == 0 {
		unitIDs = []string{""}
	}
	for _, id := range unitIDs {
		l.dirty[year][id] = true
	}
	l.dmu.Unlock()
	s.changedYear(year)
}

// takeDirty returns and forgets the units marked for a year.
func (s *Service) takeDirty(year int) map[string]bool {
	l := &s.layers
	l.dmu.Lock()
	defer l.dmu.Unlock()
	d := l.dirty[year]
	delete(l.dirty, year)
	return d
}

// ownValues returns the computed and reported layers of a year, reading
// from the database only what changed since they were last read.
func (s *Service) ownValues(ctx context.Context, c *catalog, year int, pending bool) (computed, reported *layer, err error) {
	l := &s.layers
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cached == nil {
		l.cached = map[layerKey]*layer{}
	}
	ck := layerKey{year, layerComputed}
	if computed = l.cached[ck]; computed == nil || computed.cat != c {
		if computed, err = s.readComputed(ctx, c, year); err != nil {
			return nil, nil, err
		}
		l.cached[ck] = computed
	}
	// A change of reports concerns both reported layers: the one not
	// asked for now keeps the marks for later.
	dirty := s.takeDirty(year)
	for _, kind := range []layerKind{layerApproved, layerPending} {
		k := layerKey{year, kind}
		lay := l.cached[k]
		switch {
		case lay == nil || lay.cat != c || dirty[""] || len(dirty) > maxPatch:
			if (kind == layerPending) != pending {
				delete(l.cached, k) // read when asked for
				continue
			}
			lay, err = s.readReported(ctx, c, year, kind == layerPending, nil)
		case len(dirty) > 0:
			ids := slices.Collect(maps.Keys(dirty))
			var fresh *layer
			if fresh, err = s.readReported(ctx, c, year, kind == layerPending, ids); err == nil {
				lay = lay.patched(ids, fresh)
			}
		}
		if err != nil {
			s.reportsChanged(year, slices.Collect(maps.Keys(dirty))...) // not read: read them next time
			return nil, nil, err
		}
		l.cached[k] = lay
		if (kind == layerPending) == pending {
			reported = lay
		}
	}
	return computed, reported, nil
}

// patched returns a copy of lay whose rows of units are those of fresh.
func (lay *layer) patched(units []string, fresh *layer) *layer {
	out := &layer{cat: lay.cat, rows: make(map[string][]float64, len(lay.rows))}
	maps.Copy(out.rows, lay.rows)
	for _, id := range units {
		if row, ok := fresh.rows[id]; ok {
			out.rows[id] = row
		} else {
			delete(out.rows, id)
		}
	}
	return out
}

// computedStored puts a recompute's counts in the cached computed layer
// of a year: added to it (incremental), or as the whole of it (replace).
// commit writes them to the database meanwhile, under the same lock, so
// that no read of the layer sees them twice.
func (s *Service) computedStored(c *catalog, year int, counts map[string][]org.UnitCount, replace bool, commit func() error) error {
	l := &s.layers
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := commit(); err != nil {
		return err
	}
	defer s.changedYear(year)
	defer s.DB.Announce(context.Background(), topicComputed, strconv.Itoa(year))
	if l.cached == nil {
		l.cached = map[layerKey]*layer{}
	}
	k := layerKey{year, layerComputed}
	lay := l.cached[k]
	if replace {
		lay = &layer{cat: c, rows: map[string][]float64{}}
	} else if lay == nil || lay.cat != c {
		delete(l.cached, k) // read whole when next needed
		return nil
	}
	out := &layer{cat: c, rows: make(map[string][]float64, len(lay.rows))}
	maps.Copy(out.rows, lay.rows)
	copied := map[string]bool{}
	for _, e := range c.elems {
		if e.Source == SourceReported {
			continue
		}
		for _, n := range counts[e.Source] {
			slot, ok := c.slots[cellKey(e.Code, n.Group)]
			if !ok {
				continue
			}
			if !copied[n.UnitID] {
				row := c.emptyRow()
				if old := out.rows[n.UnitID]; old != nil {
					copy(row, old)
				}
				out.rows[n.UnitID], copied[n.UnitID] = row, true
			}
			row := out.rows[n.UnitID]
			row[slot] = addNaN(row[slot], float64(n.N))
		}
	}
	l.cached[k] = out
	return nil
}

// readComputed reads a year's computed values, where the records sit.
func (s *Service) readComputed(ctx context.Context, c *catalog, year int) (*layer, error) {
	lay := &layer{cat: c, rows: map[string][]float64{}}
	return lay, db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var el, unit, cat string
		var v float64
		if err := r.Scan(&el, &unit, &cat, &v); err != nil {
			return err
		}
		_, slot, ok := c.slotOf(el, cat)
		if !ok {
			return nil
		}
		row := lay.rows[unit]
		if row == nil {
			row = c.emptyRow()
			lay.rows[unit] = row
		}
		row[slot] = addNaN(row[slot], v)
		return nil
	}, `SELECT element_id, unit_id, category, value FROM mon_computed WHERE year = $1`, year)
}

// readReported reads a year's reported values (of the given units; nil:
// all), each unit's periods combined per the element's aggregation.
func (s *Service) readReported(ctx context.Context, c *catalog, year int, pending bool, units []string) (*layer, error) {
	statuses := `'approved'`
	if pending {
		statuses = `'approved', 'submitted'`
	}
	q := `SELECT r.unit_id, r.period, v.element_id, v.category, v.value FROM mon_values v JOIN mon_reports r ON r.id = v.report_id
		WHERE r.year = ` + s.DB.Dialect.Param(1) + ` AND r.status IN (` + statuses + `)`
	args := []any{year}
	if len(units) > 0 {
		ph := make([]string, len(units))
		for i, u := range units {
			args = append(args, u)
			ph[i] = s.DB.Dialect.Param(i + 2)
		}
		q += ` AND r.unit_id IN (` + strings.Join(ph, ",") + `)`
	}
	type acc struct {
		sum   float64
		n     int
		last  string
		lastV float64
	}
	type cell struct {
		unit string
		slot int
	}
	accs := map[cell]*acc{}
	aggOf := map[int]string{}
	err := db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var unit, period, el, cat string
		var v float64
		if err := r.Scan(&unit, &period, &el, &cat, &v); err != nil {
			return err
		}
		e, slot, ok := c.slotOf(el, cat)
		if !ok {
			return nil
		}
		aggOf[slot] = e.Aggregation
		a := accs[cell{unit, slot}]
		if a == nil {
			a = &acc{}
			accs[cell{unit, slot}] = a
		}
		a.sum += v
		a.n++
		if period > a.last {
			a.last, a.lastV = period, v
		}
		return nil
	}, q, args...)
	if err != nil {
		return nil, err
	}
	lay := &layer{cat: c, rows: map[string][]float64{}}
	for k, a := range accs {
		v := a.sum
		switch aggOf[k.slot] {
		case AggLast:
			v = a.lastV
		case AggAverage:
			v = a.sum / float64(a.n)
		}
		row := lay.rows[k.unit]
		if row == nil {
			row = c.emptyRow()
			lay.rows[k.unit] = row
		}
		row[k.slot] = v
	}
	return lay, nil
}
