package experts

import (
	"context"
	"sync"

	"dxhub/internal/platform/db"
)

// briefs is this node's copy of every profile as lists and matching read
// it (no works, no checks: some hundred bytes each). Before each use it
// reads again the profiles changed since it last looked — one indexed
// query that finds nothing most of the time — so a change made on any
// node is seen by the next request on every node: the copy is never
// stale, and a directory page or a match reads memory instead of
// thousands of rows.
type briefs struct {
	mu   sync.RWMutex
	upto int64 // the latest updated_at read
	all  map[string]*Profile
	// order is every profile id, by name then id (the directory's order
	// without a query), rebuilt when profiles come or names change.
	order []string
	dirty bool
}

// current returns the copy, brought up to date.
func (s *Service) current(ctx context.Context) (*briefs, error) {
	b := &s.briefs
	b.mu.RLock()
	upto, loaded := b.upto, b.all != nil
	b.mu.RUnlock()
	var latest int64
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(updated_at), 0) FROM exp_profiles`).Scan(&latest); err != nil {
		return nil, err
	}
	if loaded && latest <= upto {
		return b, nil
	}
	// Rows changed in the last millisecond read may be joined by others
	// written in the same millisecond: read from it again.
	changed, err := db.Query(ctx, s.DB.R, scanBrief, `SELECT `+profileBriefCols+` FROM exp_profiles WHERE updated_at >= $1`, upto)
	if err != nil {
		return nil, err
	}
	if err := s.name(ctx, changed...); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.all == nil {
		b.all = map[string]*Profile{}
	}
	for _, pr := range changed {
		old := b.all[pr.ID]
		if old == nil || old.FullName != pr.FullName {
			b.dirty = true
		}
		b.all[pr.ID] = pr
		b.upto = max(b.upto, pr.UpdatedAt)
	}
	if b.dirty {
		b.order = b.order[:0]
		for id := range b.all {
			b.order = append(b.order, id)
		}
		sortByName(b.order, b.all)
		b.dirty = false
	}
	return b, nil
}

// get returns copies of the profiles with ids, in their order (ids not
// known are left out): callers redact them.
func (b *briefs) get(ids []string) []*Profile {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]*Profile, 0, len(ids))
	for _, id := range ids {
		if pr := b.all[id]; pr != nil {
			out = append(out, pr.copy())
		}
	}
	return out
}

// each calls f with every profile (shared: f must not change it) in
// name order until f returns false.
func (b *briefs) each(f func(*Profile) bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, id := range b.order {
		if !f(b.all[id]) {
			return
		}
	}
}

// copy is a profile a caller may change (redact) without touching the
// shared one.
func (pr *Profile) copy() *Profile {
	c := *pr
	c.Details.Languages, c.Details.Fields, c.Details.Skills = append([]string{}, pr.Languages...), append([]string{}, pr.Fields...), append([]Skill{}, pr.Skills...)
	c.Details.Provinces, c.Details.Private = append([]string{}, pr.Provinces...), append([]string{}, pr.Private...)
	c.Details.Degrees, c.Details.Works, c.Details.Projects = []Work{}, []Work{}, []Work{}
	c.Verified = map[string]Check{}
	return &c
}
