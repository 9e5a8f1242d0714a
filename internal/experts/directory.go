package experts

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"strconv"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/search"
)

// The directory has two indexes: "experts" holds verified public
// profiles with their public fields only, so that nothing private can be
// found (or guessed from a hit) by the public; "experts_all" holds every
// profile whole, with its unit's scope, for the offices that may read it.

// index writes a profile's search entries.
func (s *Service) index(ctx context.Context, tx *sql.Tx, pr *Profile) error {
	fields, err := s.Fields(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, f := range fields {
		names[f.Code] = f.NameVI + " " + f.NameEN
	}
	scopes := strings.Split(strings.Trim(pr.UnitPath, "/"), "/")
	doc := func(hide []string) search.Doc {
		hidden := func(f string) bool { return slices.Contains(hide, f) }
		d := search.Doc{ID: pr.ID, Scopes: scopes, Fields: []search.Field{{Text: pr.FullName, Rank: 0}}}
		if !hidden("org") {
			d.Fields = append(d.Fields, search.Field{Text: pr.OrgName + " " + pr.UnitName, Rank: 1})
		}
		if !hidden("position") {
			d.Fields = append(d.Fields, search.Field{Text: pr.Position, Rank: 2})
		}
		if !hidden("fields") {
			var t []string
			for _, f := range pr.Fields {
				t = append(t, names[f])
			}
			d.Fields = append(d.Fields, search.Field{Text: strings.Join(t, " "), Rank: 1})
		}
		if !hidden("skills") {
			var t []string
			for _, sk := range pr.Skills {
				t = append(t, sk.Competence)
			}
			d.Fields = append(d.Fields, search.Field{Text: strings.Join(t, " "), Rank: 2, Plain: true})
		}
		for _, w := range []struct {
			field string
			list  []Work
		}{{"publications", pr.Works}, {"projects", pr.Projects}, {"degrees", pr.Degrees}} {
			if hidden(w.field) {
				continue
			}
			var t []string
			for _, x := range w.list {
				t = append(t, x.Title)
			}
			d.Fields = append(d.Fields, search.Field{Text: strings.Join(t, " "), Rank: 3, IndexOnly: true})
		}
		return d
	}
	all := s.Search.Store("experts_all")
	if err := all.Put(ctx, tx, doc(nil)); err != nil {
		return err
	}
	pub := s.Search.Store("experts")
	if pr.Public && pr.Status == Verified {
		return pub.Put(ctx, tx, doc(pr.Private))
	}
	return pub.Delete(ctx, tx, pr.ID)
}

// Filter narrows the directory.
type Filter struct {
	Q          string
	Field      string
	Competence string
	Province   string // based in, or travels to
	Language   string
	Origin     string
	Available  bool // with hours to give
	// All is the offices' directory: every profile of their scope, not
	// only verified public ones. UnitCode narrows it to a subtree.
	All      bool
	UnitCode string
	Limit    int
	Offset   int
}

// Facet is a value of a facet with how many of the results hold it.
type Facet struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Result is a page of the directory with its facets.
type Result struct {
	Experts []*Profile         `json:"experts"`
	Total   int                `json:"total"`
	Facets  map[string][]Facet `json:"facets"`
}

// candidateLimit bounds the profiles a directory query looks at.
const candidateLimit = 500

// Directory searches the public directory (verified public profiles, as
// the public sees them) or, with All, the offices' directory of their
// scope. Results are ranked by the search (an exact name first), then
// filtered by the facets; the facets count the results before paging.
func (s *Service) Directory(ctx context.Context, f Filter) (*Result, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	if len(f.Q) > 200 {
		return nil, errs.Field("q", "search.too_long", 200)
	}
	p := auth.FromContext(ctx)
	var scopes []string
	if f.All {
		var err error
		if _, scopes, err = auth.RequireScopes(ctx, auth.VerifyExperts); err != nil {
			return nil, err
		}
		if f.UnitCode != "" {
			u, err := s.unit(ctx, "unit", f.UnitCode)
			if err != nil {
				return nil, err
			}
			if _, err := auth.Authorize(ctx, auth.VerifyExperts, u.Path); err != nil {
				return nil, err
			}
			scopes = []string{u.Path}
		}
	}
	b, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	// What this reader sees of a profile: everything in its office's
	// scope, else the public fields of a verified public profile.
	var inScope func(path string) bool
	if f.All {
		inScope = func(path string) bool {
			for _, sc := range scopes {
				if strings.HasPrefix(path, sc) {
					return true
				}
			}
			return false
		}
	}
	// seen says whether the reader sees a profile, and whole (an office
	// of its scope) or only its public fields.
	seen := func(pr *Profile) (ok, whole bool) {
		if f.All && inScope(pr.UnitPath) {
			return true, true
		}
		return !f.All && pr.Public && pr.Status == Verified, false
	}
	var kept []*Profile
	var whole []bool
	var res *Result
	keep := func(pr *Profile) {
		ok, w := seen(pr)
		if ok && f.matches(pr, w) {
			kept, whole = append(kept, pr), append(whole, w)
		}
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		ids, err := s.searchIDs(ctx, q, f.All, scopes)
		if err != nil {
			return nil, err
		}
		for _, pr := range b.get(ids) {
			keep(pr)
		}
	} else if !f.All && f == (Filter{Limit: f.Limit, Offset: f.Offset}) {
		// The public directory as it opens: made once per change.
		all, made := b.publicDirectory()
		kept = all
		res = &Result{Total: made.Total, Facets: made.Facets}
	} else {
		for _, pr := range b.list(f) {
			keep(pr)
		}
	}
	if res == nil {
		res = &Result{Total: len(kept), Facets: facets(kept, whole)}
	}
	page := kept[min(f.Offset, len(kept)):min(f.Offset+f.Limit, len(kept))]
	res.Experts = make([]*Profile, len(page))
	for i, pr := range page {
		res.Experts[i] = pr.copy()
		if !f.All || !office(p, pr.UnitPath) {
			redact(res.Experts[i])
		}
	}
	if f.All && len(res.Experts) > 0 {
		if err := s.record(ctx, p, "experts_listed", "", scopes[0], strconv.Itoa(len(res.Experts))); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// matches reports whether a profile meets the filter's facets, on its
// public fields only unless whole.
func (f Filter) matches(pr *Profile, whole bool) bool {
	shown := func(field string) bool { return whole || !slices.Contains(pr.Private, field) }
	switch {
	case f.Field != "" && !(shown("fields") && slices.Contains(pr.Fields, f.Field)):
		return false
	case f.Competence != "" && !(shown("skills") && slices.ContainsFunc(pr.Skills, func(s Skill) bool { return s.Competence == f.Competence })):
		return false
	case f.Province != "" && pr.Province != f.Province && !(shown("availability") && slices.Contains(pr.Provinces, f.Province)):
		return false
	case f.Language != "" && !(shown("languages") && slices.Contains(pr.Languages, f.Language)):
		return false
	case f.Origin != "" && pr.Origin != f.Origin:
		return false
	case f.Available && (!shown("availability") || pr.Hours == 0 || pr.Load >= 3):
		return false
	}
	return true
}

func facets(prs []*Profile, whole []bool) map[string][]Facet {
	counts := map[string]map[string]int{}
	add := func(facet, v string) {
		if v == "" {
			return
		}
		if counts[facet] == nil {
			counts[facet] = map[string]int{}
		}
		counts[facet][v]++
	}
	for i, pr := range prs {
		shown := func(field string) bool { return whole[i] || !slices.Contains(pr.Private, field) }
		if shown("fields") {
			for _, v := range pr.Fields {
				add("field", v)
			}
		}
		if shown("skills") {
			for _, v := range pr.Skills {
				add("competence", v.Competence)
			}
		}
		add("province", pr.Province)
		if shown("languages") {
			for _, v := range pr.Languages {
				add("language", v)
			}
		}
		add("origin", pr.Origin)
	}
	out := map[string][]Facet{}
	for facet, m := range counts {
		for v, n := range m {
			out[facet] = append(out[facet], Facet{v, n})
		}
		sort.Slice(out[facet], func(i, j int) bool {
			a, b := out[facet][i], out[facet][j]
			return a.Count > b.Count || (a.Count == b.Count && a.Value < b.Value)
		})
		out[facet] = out[facet][:min(len(out[facet]), 12)]
	}
	return out
}

// searchIDs finds profiles by text, best first: in the public index
// (public fields of verified public profiles) or the offices' (their
// scopes).
func (s *Service) searchIDs(ctx context.Context, q string, all bool, scopes []string) ([]string, error) {
	st, query := s.Search.Store("experts"), search.Query{Text: q, Limit: candidateLimit}
	if all {
		st = s.Search.Store("experts_all")
		for _, sc := range scopes {
			ids := strings.Split(strings.Trim(sc, "/"), "/")
			query.Scopes = append(query.Scopes, ids[len(ids)-1])
		}
	}
	hits, err := st.Search(ctx, query)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids, nil
}

// byIDs returns copies of profiles in the order of ids.
func (s *Service) byIDs(ctx context.Context, ids []string) ([]*Profile, error) {
	b, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return b.get(ids), nil
}

// Similar lists the profiles nearest to one (shared fields and
// competences), as the reader may see them.
func (s *Service) Similar(ctx context.Context, id string, n int) ([]*Profile, error) {
	pr, err := s.Profile(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(pr.Fields) == 0 && len(pr.Skills) == 0 {
		return []*Profile{}, nil
	}
	p := auth.FromContext(ctx)
	b, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	// Scored on what this reader sees of each: the public's view unless
	// an office of its scope or the expert.
	mine := competencesOf(pr.Skills)
	type scored struct {
		pr *Profile
		s  float64
	}
	var out []scored
	b.each(func(c *Profile) bool {
		if c.ID == id || !mayRead(p, c) {
			return true
		}
		whole := office(p, c.UnitPath) || own(p, c)
		sc := 0.0
		if whole || !slices.Contains(c.Private, "fields") {
			sc += overlap(pr.Fields, c.Fields)
		}
		if whole || !slices.Contains(c.Private, "skills") {
			sc += 0.5 * overlap(mine, competencesOf(c.Skills))
		}
		if sc > 0 {
			out = append(out, scored{c, sc})
		}
		return true
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].s > out[j].s })
	res := []*Profile{}
	for _, o := range out[:min(n, len(out))] {
		c := o.pr.copy()
		if !office(p, c.UnitPath) && !own(p, c) {
			redact(c)
		}
		res = append(res, c)
	}
	return res, nil
}

func competencesOf(sk []Skill) []string {
	out := make([]string, len(sk))
	for i, s := range sk {
		out[i] = s.Competence
	}
	return out
}

// overlap is the Jaccard index of two lists.
func overlap(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	in := 0
	for _, x := range a {
		if slices.Contains(b, x) {
			in++
		}
	}
	return float64(in) / float64(len(a)+len(b)-in)
}
