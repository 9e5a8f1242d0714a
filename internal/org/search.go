package org

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/textfold"
)

// unitIndex keeps every unit in memory for search: the tree has a few
// thousand units and is searched on every keystroke, while it changes a few
// times a year. Each node reloads it when the units table's version (row
// count and last change) differs, checked at most once per refreshEvery.
type unitIndex struct {
	mu       sync.RWMutex
	units    []*indexedUnit
	version  string
	checked  time.Time
	reloadMu sync.Mutex
}

type indexedUnit struct {
	u           *Unit
	fold, lower string // folded search text; lowercase names for exact matches
	lowerName   string
}

const refreshEvery = time.Second

func (s *Service) index(ctx context.Context) ([]*indexedUnit, error) {
	ix := &s.searchIndex
	ix.mu.RLock()
	units, fresh := ix.units, time.Since(ix.checked) < refreshEvery
	ix.mu.RUnlock()
	if units != nil && fresh {
		return units, nil
	}
	ix.reloadMu.Lock()
	defer ix.reloadMu.Unlock()
	ix.mu.RLock()
	units, fresh = ix.units, time.Since(ix.checked) < refreshEvery
	ix.mu.RUnlock()
	if units != nil && fresh {
		return units, nil
	}
	var n int
	var last int64
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM units`).Scan(&n, &last); err != nil {
		return nil, err
	}
	version := strings.Join([]string{itoa(int64(n)), itoa(last)}, "/")
	if units != nil && version == ix.version {
		ix.mu.Lock()
		ix.checked = time.Now()
		ix.mu.Unlock()
		return units, nil
	}
	all, err := s.queryUnits(ctx, s.DB.R, `SELECT `+unitCols+` FROM units u`)
	if err != nil {
		return nil, err
	}
	units = make([]*indexedUnit, len(all))
	for i, u := range all {
		units[i] = &indexedUnit{u: u, fold: searchFold(u), lower: textfold.Lower(u.FullNameVI), lowerName: textfold.Lower(u.NameVI)}
	}
	ix.mu.Lock()
	ix.units, ix.version, ix.checked = units, version, time.Now()
	ix.mu.Unlock()
	return units, nil
}

// invalidateIndex makes the next search reload the index (after a write
// on this node; other nodes notice within refreshEvery).
func (s *Service) invalidateIndex() {
	s.searchIndex.mu.Lock()
	s.searchIndex.checked = time.Time{}
	s.searchIndex.mu.Unlock()
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// SearchUnits finds units by name or code, with or without diacritics.
// Ranking: the code itself, then the exact spelling of the name, then
// names starting with the folded query, then names containing it; live
// units before dissolved ones, higher levels first.
func (s *Service) SearchUnits(ctx context.Context, q string, limit int) ([]*Unit, error) {
	q = strings.TrimSpace(textfold.NFC(q))
	if q == "" {
		return nil, nil
	}
	if len(q) > 100 {
		return nil, errs.Field("q", "org.query_too_long")
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	f := textfold.Fold(q)
	if f == "" {
		return nil, nil
	}
	lower := textfold.Lower(q)
	units, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	type hit struct {
		u    *indexedUnit
		rank int
	}
	var hits []hit
	for _, x := range units {
		var rank int
		switch {
		case x.u.Code == q:
			rank = 0
		case x.lowerName == lower || x.lower == lower:
			rank = 1
		case strings.Contains(x.lowerName, lower):
			rank = 2
		case strings.HasPrefix(x.fold, f):
			rank = 3
		case strings.Contains(x.fold, f):
			rank = 4
		default:
			continue
		}
		hits = append(hits, hit{x, rank})
	}
	sort.Slice(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if a.u.u.Live() != b.u.u.Live() {
			return a.u.u.Live()
		}
		if a.u.u.Depth != b.u.u.Depth {
			return a.u.u.Depth < b.u.u.Depth
		}
		if a.u.u.NameVI != b.u.u.NameVI {
			return a.u.u.NameVI < b.u.u.NameVI
		}
		return a.u.u.Code < b.u.u.Code
	})
	out := make([]*Unit, 0, min(limit, len(hits)))
	for _, h := range hits[:min(limit, len(hits))] {
		u := *h.u.u
		out = append(out, &u)
	}
	return out, nil
}

// UnitsByID returns the units with the given ids, from the in-memory tree
// (no classifications), by id; unknown ids are left out. Other rooms store
// a unit's id with their records and ask here for its code, name and path
// rather than reading the units table.
func (s *Service) UnitsByID(ctx context.Context, ids []string) (map[string]*Unit, error) {
	units, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	out := make(map[string]*Unit, len(ids))
	for _, x := range units {
		if want[x.u.ID] {
			u := *x.u
			out[u.ID] = &u
		}
	}
	return out, nil
}

// ResolveCodes replaces the unit ids held in the strings that fields
// point to by those units' codes (an id it does not know stays): for
// records read with their unit's id and shown with its code.
func (s *Service) ResolveCodes(ctx context.Context, fields ...*string) error {
	ids := make([]string, len(fields))
	for i, f := range fields {
		ids[i] = *f
	}
	units, err := s.UnitsByID(ctx, ids)
	if err != nil {
		return err
	}
	for _, f := range fields {
		if u := units[*f]; u != nil {
			*f = u.Code
		}
	}
	return nil
}

// UnitByPath returns the unit at a tree path, from the in-memory tree.
func (s *Service) UnitByPath(ctx context.Context, path string) (*Unit, error) {
	units, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	for _, x := range units {
		if x.u.Path == path {
			u := *x.u
			return &u, nil
		}
	}
	return nil, errs.E(errs.NotFound, "org.unit_not_found", path)
}

// unitByCodeFast answers from the in-memory index (no classifications):
// the live unit with the code, else the latest dissolved one. Hot paths
// that need only a unit's id and path use it.
func (s *Service) unitByCodeFast(ctx context.Context, code string) (*Unit, error) {
	units, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	var best *Unit
	for _, x := range units {
		if x.u.Code != code {
			continue
		}
		if x.u.Live() {
			u := *x.u
			return &u, nil
		}
		if best == nil || x.u.ValidTo > best.ValidTo {
			best = x.u
		}
	}
	if best == nil {
		return nil, errs.E(errs.NotFound, "org.unit_not_found", code)
	}
	u := *best
	return &u, nil
}
