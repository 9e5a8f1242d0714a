package experts

import (
	"cmp"
	"container/heap"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
)

// Need is an organisation's call for an expert.
type Need struct {
	ID          string   `json:"id"`
	UnitID      string   `json:"-"`
	UnitCode    string   `json:"unit_code"`
	UnitName    string   `json:"unit_name"`
	UnitPath    string   `json:"-"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Fields      []string `json:"fields"`
	Skills      []Skill  `json:"skills"` // competences with the lowest level wanted
	Languages   []string `json:"languages"`
	// Place is "remote" or a province code (on site there).
	Place     string `json:"place,omitempty"`
	StartOn   string `json:"start_on,omitempty"`
	EndOn     string `json:"end_on,omitempty"`
	Hours     int    `json:"hours_per_month,omitempty"`
	Status    string `json:"status"`
	CreatedAt int64  `json:"created_at"`
}

// NeedInput is a need as a form or the API gives it.
type NeedInput struct {
	UnitCode    string   `json:"unit_code"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Fields      []string `json:"fields"`
	Skills      []Skill  `json:"skills"`
	Languages   []string `json:"languages"`
	Place       string   `json:"place"`
	StartOn     string   `json:"start_on"`
	EndOn       string   `json:"end_on"`
	Hours       int      `json:"hours_per_month"`
}

// Weights say how much each reason counts in a match; an office tunes
// them for its unit (the nation's are everyone's default).
type Weights struct {
	Field        float64 `json:"field"`
	Skill        float64 `json:"skill"`
	Language     float64 `json:"language"`
	Place        float64 `json:"place"`
	Availability float64 `json:"availability"`
	Load         float64 `json:"load"`
	Feedback     float64 `json:"feedback"`
}

// DefaultWeights favour what the need asks for (fields, competences) over
// circumstances (place, time, load, feedback).
var DefaultWeights = Weights{Field: 30, Skill: 30, Language: 10, Place: 10, Availability: 8, Load: 6, Feedback: 6}

func (w Weights) total() float64 {
	return w.Field + w.Skill + w.Language + w.Place + w.Availability + w.Load + w.Feedback
}

func (w Weights) validate() error {
	for name, v := range map[string]float64{"field": w.Field, "skill": w.Skill, "language": w.Language, "place": w.Place, "availability": w.Availability, "load": w.Load, "feedback": w.Feedback} {
		if v < 0 || v > 100 || math.IsNaN(v) {
			return errs.Field(name, "experts.bad_weight")
		}
	}
	if w.total() == 0 {
		return errs.Field("field", "experts.bad_weight")
	}
	return nil
}

// Reason is one part of a match's score, said in words.
type Reason struct {
	Key    string  `json:"key"`
	Args   []any   `json:"args,omitempty"`
	Points float64 `json:"points"`
}

// Match is an expert ranked for a need, with why.
type Match struct {
	Expert  *Profile `json:"expert"`
	Score   float64  `json:"score"` // 0…100
	Reasons []Reason `json:"reasons"`
	// Invited is the invitation's status when the expert was invited.
	Invited string `json:"invited,omitempty"`
}

var placeRemote = "remote"

// validate checks a need against the taxonomy and the standard.
func (in *NeedInput) validate(fields map[string]bool, comps map[string]int) error {
	in.Title = strings.TrimSpace(in.Title)
	switch {
	case in.Title == "" || tooLong(in.Title, 300):
		return errs.Field("title", "experts.bad_title", 300)
	case tooLong(in.Description, 4000):
		return errs.Field("description", "experts.too_long", 4000)
	case len(in.Fields)+len(in.Skills) == 0:
		return errs.Field("fields", "experts.need_what")
	case len(in.Fields) > maxList || len(in.Skills) > maxList || len(in.Languages) > 10:
		return errs.Field("fields", "experts.too_many", maxList)
	case in.Hours < 0 || in.Hours > 200:
		return errs.Field("hours_per_month", "experts.bad_hours")
	case in.StartOn != "" && !validDay(in.StartOn):
		return errs.Field("start_on", "experts.bad_day", in.StartOn)
	case in.EndOn != "" && !validDay(in.EndOn):
		return errs.Field("end_on", "experts.bad_day", in.EndOn)
	case in.StartOn != "" && in.EndOn != "" && in.EndOn < in.StartOn:
		return errs.Field("end_on", "experts.end_before_start")
	}
	for i, f := range in.Fields {
		if !fields[f] {
			return errs.Field(fmt.Sprintf("fields[%d]", i), "experts.bad_field", f)
		}
	}
	for i, sk := range in.Skills {
		top, ok := comps[sk.Competence]
		if !ok {
			return errs.Field(fmt.Sprintf("skills[%d].competence", i), "experts.bad_competence", sk.Competence)
		}
		if sk.Level < 1 || sk.Level > top {
			return errs.Field(fmt.Sprintf("skills[%d].level", i), "experts.bad_level", top)
		}
	}
	for i, l := range in.Languages {
		if !slices.Contains(Languages, l) {
			return errs.Field(fmt.Sprintf("languages[%d]", i), "experts.bad_language", l)
		}
	}
	return nil
}

// PostNeed writes a unit's need (experts.need on the unit).
func (s *Service) PostNeed(ctx context.Context, in NeedInput) (*Need, error) {
	u, err := s.unit(ctx, "unit_code", in.UnitCode)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.PostNeeds, u.Path)
	if err != nil {
		return nil, err
	}
	fields, err := s.taxonomySet(ctx)
	if err != nil {
		return nil, err
	}
	comps, err := s.competences(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(fields, comps); err != nil {
		return nil, err
	}
	if in.Place != "" && in.Place != placeRemote {
		if pu, err := s.Org.UnitByCode(ctx, in.Place); err != nil || pu.Type != "province" {
			return nil, errs.Field("place", "experts.bad_province", in.Place)
		}
	}
	id := db.NewID()
	j := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO exp_needs (id, unit_id, unit_path, title, description, fields, skills, languages, place, start_on, end_on, hours, status, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'open', $13, $14)`,
		id, u.ID, u.Path, in.Title, strings.TrimSpace(in.Description), j(nonNil(in.Fields)), j(nonNil(in.Skills)), j(nonNil(in.Languages)), in.Place, in.StartOn, in.EndOn, in.Hours, p.AccountID, db.Now()); err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "expert_need_posted", id, u.Path, in.Title); err != nil {
		return nil, err
	}
	return s.Need(ctx, id)
}

const needCols = `id, unit_id, unit_path, title, description, fields, skills, languages, place, start_on, end_on, hours, status, created_at`

func scanNeed(r db.Scanner) (*Need, error) {
	n := &Need{}
	var fields, skills, langs string
	err := r.Scan(&n.ID, &n.UnitID, &n.UnitPath, &n.Title, &n.Description, &fields, &skills, &langs, &n.Place, &n.StartOn, &n.EndOn, &n.Hours, &n.Status, &n.CreatedAt)
	json.Unmarshal([]byte(fields), &n.Fields)
	json.Unmarshal([]byte(skills), &n.Skills)
	json.Unmarshal([]byte(langs), &n.Languages)
	return n, err
}

// Need returns a need to those who post needs in its unit (and above).
func (s *Service) Need(ctx context.Context, id string) (*Need, error) {
	n, err := scanNeed(s.DB.R.QueryRowContext(ctx, `SELECT `+needCols+` FROM exp_needs WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, err
	}
	if _, err := auth.Authorize(ctx, auth.PostNeeds, n.UnitPath); err != nil {
		return nil, err
	}
	return n, s.nameNeeds(ctx, n)
}

func (s *Service) nameNeeds(ctx context.Context, ns ...*Need) error {
	var ids []string
	for _, n := range ns {
		ids = append(ids, n.UnitID)
	}
	us, err := s.Org.UnitsByID(ctx, ids)
	for _, n := range ns {
		if u := us[n.UnitID]; u != nil {
			n.UnitCode, n.UnitName = u.Code, u.NameVI
		}
	}
	return err
}

// Needs lists the needs of the caller's scope, newest first.
func (s *Service) Needs(ctx context.Context) ([]*Need, error) {
	_, scopes, err := auth.RequireScopes(ctx, auth.PostNeeds)
	if err != nil {
		return nil, err
	}
	var or []string
	var args []any
	for _, sc := range scopes {
		args = append(args, sc, strings.TrimSuffix(sc, "/")+"0")
		or = append(or, fmt.Sprintf("(unit_path >= $%d AND unit_path < $%d)", len(args)-1, len(args)))
	}
	ns, err := db.Query(ctx, s.DB.R, scanNeed, `SELECT `+needCols+` FROM exp_needs WHERE `+strings.Join(or, " OR ")+` ORDER BY created_at DESC LIMIT 200`, args...)
	if err != nil {
		return nil, err
	}
	return ns, s.nameNeeds(ctx, ns...)
}

// WeightsFor are the weights in force for a unit: its own, else the
// nearest above it, else the defaults.
func (s *Service) WeightsFor(ctx context.Context, unitPath string) (Weights, error) {
	ids := strings.Split(strings.Trim(unitPath, "/"), "/")
	for i := len(ids) - 1; i >= 0; i-- {
		var raw string
		err := s.DB.R.QueryRowContext(ctx, `SELECT weights FROM exp_weights WHERE unit_id = $1`, ids[i]).Scan(&raw)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return Weights{}, err
		}
		var w Weights
		if json.Unmarshal([]byte(raw), &w) == nil {
			return w, nil
		}
	}
	return DefaultWeights, nil
}

// SetWeights tunes the matching of a unit's needs (experts.verify on it).
func (s *Service) SetWeights(ctx context.Context, unitCode string, w Weights) error {
	u, err := s.unit(ctx, "unit_code", unitCode)
	if err != nil {
		return err
	}
	p, err := auth.Authorize(ctx, auth.VerifyExperts, u.Path)
	if err != nil {
		return err
	}
	if err := w.validate(); err != nil {
		return err
	}
	b, _ := json.Marshal(w)
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO exp_weights (unit_id, weights, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (unit_id) DO UPDATE SET weights = excluded.weights, updated_at = excluded.updated_at`, u.ID, string(b), db.Now()); err != nil {
		return err
	}
	return s.record(ctx, p, "expert_weights_set", u.ID, u.Path, string(b))
}

// matchCandidates bounds the profiles a match scores with every reason.
const matchCandidates = 300

// Matches ranks experts for a need: verified profiles, public or of the
// need's unit's scope, holding one of the fields or competences asked.
func (s *Service) Matches(ctx context.Context, needID string, n int) ([]Match, error) {
	need, err := s.Need(ctx, needID)
	if err != nil {
		return nil, err
	}
	w, err := s.WeightsFor(ctx, need.UnitPath)
	if err != nil {
		return nil, err
	}
	cands, err := s.candidates(ctx, need)
	if err != nil {
		return nil, err
	}
	invited := map[string]string{}
	err = db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var id, st string
		if err := r.Scan(&id, &st); err != nil {
			return err
		}
		invited[id] = st
		return nil
	}, `SELECT profile_id, status FROM exp_invitations WHERE need_id = $1`, needID)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	var out []Match
	for _, pr := range cands {
		if !office(p, pr.UnitPath) {
			redact(pr)
		}
		m := score(need, pr, w)
		if m.Score > 0 {
			m.Invited = invited[pr.ID]
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Expert.FullName < out[j].Expert.FullName
	})
	out = out[:min(n, len(out))]
	var prs []*Profile
	for _, m := range out {
		prs = append(prs, m.Expert)
	}
	return out, s.name(ctx, prs...)
}

// candidates are the verified profiles a need's unit may consider —
// public ones, and its offices' own — that share a field or competence
// with it, the most promising first: shared fields and competences (one
// at the level wanted or above counting whole) add up, and the best
// matchCandidates go on to be scored with every reason.
func (s *Service) candidates(ctx context.Context, need *Need) ([]*Profile, error) {
	b, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	scopes := auth.FromContext(ctx).Scopes(auth.VerifyExperts)
	// The best matchCandidates so far, the weakest first (a min-heap).
	top := &preHeap{}
	b.each(func(pr *Profile) bool {
		if pr.Status != Verified {
			return true
		}
		sc := 0.0
		for _, f := range need.Fields {
			if slices.Contains(pr.Fields, f) {
				sc += 1 / float64(len(need.Fields))
			}
		}
		for _, want := range need.Skills {
			for _, have := range pr.Skills {
				if have.Competence == want.Competence {
					sc += min(1, float64(have.Level)/float64(max(want.Level, 1))) / float64(len(need.Skills))
				}
			}
		}
		if sc == 0 || (top.Len() == matchCandidates && sc <= (*top)[0].s) {
			return true
		}
		visible := pr.Public
		for _, s := range scopes {
			visible = visible || strings.HasPrefix(pr.UnitPath, s)
		}
		if !visible {
			return true
		}
		heap.Push(top, pre{sc, pr})
		if top.Len() > matchCandidates {
			heap.Pop(top)
		}
		return true
	})
	found := *top
	slices.SortFunc(found, func(a, b pre) int {
		if a.s != b.s {
			return cmp.Compare(b.s, a.s)
		}
		return strings.Compare(a.pr.ID, b.pr.ID)
	})
	out := make([]*Profile, 0, len(found))
	for _, f := range found {
		out = append(out, f.pr.copy())
	}
	return out, nil
}

// pre is a profile with its first, rough score.
type pre struct {
	s  float64
	pr *Profile
}

// preHeap keeps the best rough scores, the weakest on top.
type preHeap []pre

func (h preHeap) Len() int { return len(h) }
func (h preHeap) Less(i, j int) bool {
	return h[i].s < h[j].s || (h[i].s == h[j].s && h[i].pr.ID > h[j].pr.ID)
}
func (h preHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *preHeap) Push(x any)   { *h = append(*h, x.(pre)) }
func (h *preHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// score rates a profile (as the reader sees it) for a need, each part
// with its reason.
func score(need *Need, pr *Profile, w Weights) Match {
	m := Match{Expert: pr}
	add := func(weight, share float64, key string, args ...any) {
		if share <= 0 || weight == 0 {
			return
		}
		pts := weight * share
		m.Score += pts
		m.Reasons = append(m.Reasons, Reason{Key: key, Args: args, Points: math.Round(pts*10) / 10})
	}
	if len(need.Fields) > 0 {
		var shared []string
		for _, f := range need.Fields {
			if slices.Contains(pr.Fields, f) {
				shared = append(shared, f)
			}
		}
		add(w.Field, float64(len(shared))/float64(len(need.Fields)), "experts.why_fields", strings.Join(shared, ", "))
	}
	if len(need.Skills) > 0 {
		got := 0.0
		var met []string
		for _, want := range need.Skills {
			for _, have := range pr.Skills {
				if have.Competence == want.Competence {
					got += min(1, float64(have.Level)/float64(want.Level))
					met = append(met, fmt.Sprintf("%s (%d/%d)", have.Competence, have.Level, want.Level))
				}
			}
		}
		add(w.Skill, got/float64(len(need.Skills)), "experts.why_skills", strings.Join(met, ", "))
	}
	if len(m.Reasons) == 0 {
		return Match{Expert: pr} // neither a field nor a competence: no match
	}
	if len(need.Languages) > 0 {
		n := 0
		for _, l := range need.Languages {
			if slices.Contains(pr.Languages, l) {
				n++
			}
		}
		add(w.Language, float64(n)/float64(len(need.Languages)), "experts.why_languages", strings.Join(need.Languages, ", "))
	}
	switch {
	case need.Place == placeRemote && pr.Remote:
		add(w.Place, 1, "experts.why_remote")
	case need.Place != "" && need.Place != placeRemote && pr.OnSite && (pr.Province == need.Place || slices.Contains(pr.Provinces, need.Place)):
		add(w.Place, 1, "experts.why_place", need.Place)
	case need.Place == "" && (pr.Remote || pr.OnSite):
		add(w.Place, 1, "experts.why_any_place")
	}
	if pr.Hours > 0 {
		share := 1.0
		if need.Hours > 0 {
			share = min(1, float64(pr.Hours)/float64(need.Hours))
		}
		add(w.Availability, share, "experts.why_hours", pr.Hours)
	}
	if pr.Load == 0 {
		add(w.Load, 1, "experts.why_free")
	} else {
		add(w.Load, 1-min(float64(pr.Load), 3)/3, "experts.why_load", pr.Load)
	}
	if pr.Ratings > 0 {
		add(w.Feedback, pr.Rating/5, "experts.why_rating", math.Round(pr.Rating*10)/10, pr.Ratings)
	}
	m.Score = math.Round(m.Score/w.total()*1000) / 10
	return m
}

// ReasonText says a reason in lang.
func ReasonText(r Reason, lang i18n.Lang) string { return i18n.T(lang, r.Key, r.Args...) }
