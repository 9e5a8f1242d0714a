package org

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/search"
)

// unitIndex keeps every unit in memory for search: the tree has a few
// thousand units and is searched on every keystroke, while it changes a few
// times a year. Each node reloads it when the units table's version (row
// count and last change) differs, checked at most once per refreshEvery.
type unitIndex struct {
	mu       sync.RWMutex
	units    []*indexedUnit
	byID     map[string]*indexedUnit
	mem      *search.Memory
	version  string
	checked  time.Time
	reloadMu sync.Mutex
}

type indexedUnit struct {
	u        *Unit
	formerly []string // names it had before a rename
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
	version := strconv.Itoa(n) + "/" + strconv.FormatInt(last, 10)
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
	formerly := map[string][]string{}
	err = db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var id, name string
		err := r.Scan(&id, &name)
		formerly[id] = append(formerly[id], name)
		return err
	}, `SELECT p.from_unit_id, p.old_name_vi FROM unit_event_parts p JOIN unit_events e ON e.id = p.event_id WHERE e.kind = 'rename' AND p.old_name_vi <> '' ORDER BY e.effective, p.event_id, p.seq`)
	if err != nil {
		return nil, err
	}
	units = make([]*indexedUnit, len(all))
	byID := make(map[string]*indexedUnit, len(all))
	for i, u := range all {
		units[i] = &indexedUnit{u: u, formerly: formerly[u.ID]}
		byID[u.ID] = units[i]
	}
	docs := make([]search.Doc, len(units))
	for i, x := range units {
		docs[i] = unitDoc(x, byID)
	}
	mem := search.NewMemory(docs)
	ix.mu.Lock()
	ix.units, ix.byID, ix.mem, ix.version, ix.checked = units, byID, mem, version, time.Now()
	ix.mu.Unlock()
	return units, nil
}

// unitDoc is what a unit is found by: its names in both languages and its
// code (rank 0), the names it had before a rename (rank 0 too: people type
// them for years), its parent's names (rank 1) and further ancestors'
// (rank 2), so that "Tân An Đắk Lắk" finds the ward by its province. A
// unit dissolved by a merge hangs under its successor but is found by the
// parent it had: its own names are what people type.
func unitDoc(x *indexedUnit, byID map[string]*indexedUnit) search.Doc {
	u := x.u
	d := search.Doc{ID: u.ID, Boost: kindBoost(u.Type)}
	for i, t := range []string{u.NameVI, u.FullNameVI, u.NameEN, u.FullNameEN, u.Code} {
		if t != "" {
			d.Fields = append(d.Fields, search.Field{Text: t, Rank: 0, Plain: i >= 2})
		}
	}
	for _, f := range x.formerly {
		d.Fields = append(d.Fields, search.Field{Text: f, Rank: 0})
	}
	if !u.Live() {
		return d // its parent today is its successor, not where it was
	}
	rank := 1
	for p := byID[u.ParentID]; p != nil && p.u.Type != TypeNation && rank <= 3; p = byID[p.u.ParentID] {
		d.Fields = append(d.Fields, search.Field{Text: p.u.FullNameVI + " " + p.u.NameVI, Rank: rank}, search.Field{Text: p.u.FullNameEN, Rank: rank, Plain: true})
		rank++
	}
	return d
}

// kindBoost orders units of equal match by kind: the nation, provinces,
// ministries, then the units inside them, communes last (a province's
// name finds the province before its communes named alike).
func kindBoost(t string) int64 {
	switch t {
	case TypeNation:
		return 9
	case TypeProvince:
		return 8
	case TypeMinistry, TypeMinistryAgency:
		return 7
	case TypeDepartment:
		return 6
	case TypeUniversity, TypeEnterprise:
		return 5
	case TypeCommune:
		return 3
	}
	return 4
}

// invalidateIndex makes the next search reload the index (after a write
// on this node; other nodes notice within refreshEvery).
func (s *Service) invalidateIndex() {
	s.searchIndex.mu.Lock()
	s.searchIndex.checked = time.Time{}
	s.searchIndex.mu.Unlock()
}

// SearchUnits finds units by their names in either language, their code,
// their parents' names and their names before a rename, as
// internal/platform/search matches and ranks. A unit dissolved by a merge
// is shown as its successor today, with Formerly set to the name that was
// found ("Bình Phước" finds Đồng Nai, formerly Bình Phước); each unit
// comes once, at its best place.
func (s *Service) SearchUnits(ctx context.Context, q string, limit int) ([]*Unit, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	if len(q) > search.MaxQuery {
		return nil, errs.Field("q", "org.query_too_long")
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	if _, err := s.index(ctx); err != nil {
		return nil, err
	}
	var syn *search.Synonyms
	if s.Search != nil {
		var err error
		if syn, err = s.Search.Synonyms(ctx); err != nil {
			return nil, err
		}
	}
	ix := &s.searchIndex
	ix.mu.RLock()
	mem, byID := ix.mem, ix.byID
	ix.mu.RUnlock()
	// Successors fold several hits into one: ask for more than shown.
	hits, err := mem.Search(search.Query{Text: q, Limit: limit * 2}, syn)
	if err != nil {
		return nil, err
	}
	qf := search.Folded(q)
	seen := map[string]bool{}
	out := make([]*Unit, 0, min(limit, len(hits)))
	for _, h := range hits {
		x := byID[h.ID]
		shown := x
		formerly := ""
		for n := 0; !shown.u.Live() && shown.u.SuccessorID != "" && n < 10; n++ {
			next := byID[shown.u.SuccessorID]
			if next == nil {
				break
			}
			if formerly == "" {
				formerly = x.u.NameVI
			}
			shown = next
		}
		if formerly == "" {
			formerly = formerName(x, qf)
		}
		if seen[shown.u.ID] {
			continue
		}
		seen[shown.u.ID] = true
		u := *shown.u
		u.Formerly = formerly
		out = append(out, &u)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// formerName is the name before a rename that the query (folded) found x
// by, when none of its names today holds every query word.
func formerName(x *indexedUnit, qf string) string {
	if len(x.formerly) == 0 {
		return ""
	}
	contains := func(text string) bool {
		have := map[string]bool{}
		for _, w := range strings.Fields(search.Folded(text)) {
			have[w] = true
		}
		for _, w := range strings.Fields(qf) {
			if !have[w] {
				return false
			}
		}
		return true
	}
	if contains(x.u.NameVI + " " + x.u.FullNameVI + " " + x.u.NameEN + " " + x.u.FullNameEN) {
		return ""
	}
	for _, f := range x.formerly {
		if contains(f) {
			return f
		}
	}
	return ""
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
