package experts

import (
	"context"
	"slices"
	"strings"
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
	// order is every profile, by name then id (the directory's order
	// without a query), rebuilt when profiles come or names change.
	order []*Profile
	// byTerm are the profiles of each field ("f:data") and competence
	// ("c:2.1"), in the same order: a facet's list without reading all.
	byTerm map[string][]*Profile
	// public is the public directory without a query or facet — every
	// verified public profile and its facets — made once per change.
	public    *Result
	publicAll []*Profile
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
		b.all[pr.ID] = pr
		b.upto = max(b.upto, pr.UpdatedAt)
	}
	// Profiles are replaced, not changed in place: the order is rebuilt
	// whenever any came, so that it holds the current ones.
	if len(changed) > 0 {
		// New slices, not the old ones refilled: readers may still walk those.
		b.order = make([]*Profile, 0, len(b.all))
		for _, pr := range b.all {
			b.order = append(b.order, pr)
		}
		slices.SortFunc(b.order, func(x, y *Profile) int {
			if c := strings.Compare(x.FullName, y.FullName); c != 0 {
				return c
			}
			return strings.Compare(x.ID, y.ID)
		})
		b.byTerm = map[string][]*Profile{}
		for _, pr := range b.order {
			for _, f := range pr.Fields {
				b.byTerm["f:"+f] = append(b.byTerm["f:"+f], pr)
			}
			for _, sk := range pr.Skills {
				b.byTerm["c:"+sk.Competence] = append(b.byTerm["c:"+sk.Competence], pr)
			}
		}
		b.public, b.publicAll = nil, nil
	}
	return b, nil
}

// list is what a listing without a query walks: the profiles of a field
// or competence it asks for, else all.
func (b *briefs) list(f Filter) []*Profile {
	b.mu.RLock()
	defer b.mu.RUnlock()
	switch {
	case f.Field != "":
		return b.byTerm["f:"+f.Field]
	case f.Competence != "":
		return b.byTerm["c:"+f.Competence]
	}
	return b.order
}

// publicDirectory is the public directory without a query or facet, made
// once per change: the verified public profiles, their facets.
func (b *briefs) publicDirectory() ([]*Profile, *Result) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.public == nil {
		var kept []*Profile
		var whole []bool
		for _, pr := range b.order {
			if pr.Public && pr.Status == Verified {
				kept, whole = append(kept, pr), append(whole, false)
			}
		}
		b.publicAll, b.public = kept, &Result{Total: len(kept), Facets: facets(kept, whole)}
	}
	return b.publicAll, b.public
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
	for _, pr := range b.order {
		if !f(pr) {
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
