package assessment

import (
	"context"
	"database/sql"
	"dxhub/internal/platform/events"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/textfold"
	"dxhub/internal/skills"
)

// Rule asks for Count approved items of a competence (or, without one, of
// an area) and, optionally, of one tier.
type Rule struct {
	Area       string `json:"area,omitempty"`
	Competence string `json:"competence,omitempty"`
	Tier       string `json:"tier,omitempty"` // basic, intermediate, advanced, specialised; empty = any
	Count      int    `json:"count"`
}

func (r Rule) tierIndex() int {
	for i, t := range skills.Tiers {
		if t == r.Tier {
			return i
		}
	}
	return -1
}

// matches reports whether an item fits the rule.
func (r Rule) matches(competence, area string, level int) bool {
	if r.Competence != "" && r.Competence != competence {
		return false
	}
	if r.Competence == "" && r.Area != "" && r.Area != area {
		return false
	}
	if t := r.tierIndex(); t >= 0 && skills.TierOfLevel(level) != t {
		return false
	}
	return true
}

// Navigation modes.
const (
	Free   = "free"
	Linear = "linear"
)

// Blueprint (ma trận đề) says how each candidate's form is built.
type Blueprint struct {
	ID              string             `json:"id"`
	Name            string             `json:"name"`
	UnitCode        string             `json:"unit_code"`
	UnitPath        string             `json:"-"`
	StandardCode    string             `json:"standard_code"`
	StandardVersion int                `json:"standard_version"`
	TimeLimitMin    int                `json:"time_limit_min"`
	PassPercent     float64            `json:"pass_percent"`
	AreaMin         map[string]float64 `json:"area_min,omitempty"` // minimum percent per area
	Rules           []Rule             `json:"rules"`
	ShuffleItems    bool               `json:"shuffle_items"`
	ShuffleOptions  bool               `json:"shuffle_options"`
	Navigation      string             `json:"navigation"`
}

// ItemCount is the number of items a form holds.
func (b *Blueprint) ItemCount() int {
	n := 0
	for _, r := range b.Rules {
		n += r.Count
	}
	return n
}

// Validate checks a blueprint against its standard.
func (b *Blueprint) Validate(std *skills.Standard) error {
	b.Name = textfold.NFC(strings.TrimSpace(b.Name))
	if b.Name == "" {
		return errs.Field("name", "org.name_required")
	}
	if b.TimeLimitMin < 1 || b.TimeLimitMin > 600 {
		return errs.Field("time_limit_min", "exams.bad_time_limit")
	}
	if b.PassPercent < 0 || b.PassPercent > 100 {
		return errs.Field("pass_percent", "exams.bad_percent")
	}
	if b.Navigation == "" {
		b.Navigation = Free
	}
	if b.Navigation != Free && b.Navigation != Linear {
		return errs.Field("navigation", "exams.bad_navigation", b.Navigation)
	}
	if len(b.Rules) == 0 {
		return errs.Field("rules", "exams.no_rules")
	}
	areas := map[string]bool{}
	for _, a := range std.Areas {
		areas[a.Code] = true
	}
	for i, r := range b.Rules {
		f := fmt.Sprintf("rules[%d]", i)
		if r.Count < 1 || r.Count > 200 {
			return errs.Field(f+".count", "exams.bad_count")
		}
		if r.Competence != "" {
			if _, ok := std.Competence(r.Competence); !ok {
				return errs.Field(f+".competence", "skills.no_competence", r.Competence)
			}
		} else if r.Area != "" && !areas[r.Area] {
			return errs.Field(f+".area", "exams.bad_area", r.Area)
		}
		if r.Tier != "" && r.tierIndex() < 0 {
			return errs.Field(f+".tier", "exams.bad_tier", r.Tier)
		}
	}
	if b.ItemCount() > 300 {
		return errs.Field("rules", "exams.bad_count")
	}
	for a, p := range b.AreaMin {
		if !areas[a] || p < 0 || p > 100 {
			return errs.Field("area_min", "exams.bad_area", a)
		}
	}
	return nil
}

// Exams is the service of blueprints, sessions and attempts.
type Exams struct {
	Bank *Bank
	// Events is woken when an attempt finishes (its event is recorded
	// in the finishing transaction); nil in tools that run no consumers.
	Events *events.Bus
	engine *engine
}

// TopicAttemptFinished is the event of an attempt submitted, expired or
// scored: other rooms (a course's final exam, certificates, monitoring)
// react to it.
const TopicAttemptFinished = "exam.attempt_finished"

// AttemptFinished is the payload of TopicAttemptFinished.
type AttemptFinished struct {
	AttemptID string  `json:"attempt_id"`
	SessionID string  `json:"session_id"`
	AccountID string  `json:"account_id"`
	Status    string  `json:"status"`
	Passed    bool    `json:"passed"`
	Percent   float64 `json:"percent"`
	At        int64   `json:"at"`
	// What a contest ranks and checks by (fields added later: absent in
	// events recorded before them).
	StartedAt   int64   `json:"started_at,omitempty"`
	Score       float64 `json:"score,omitempty"`
	MaxScore    float64 `json:"max_score,omitempty"`
	DisplayName string  `json:"display_name,omitempty"`
	Unit        string  `json:"unit,omitempty"` // the person's unit when the attempt began
	Answered    int     `json:"answered,omitempty"`
	Items       int     `json:"items,omitempty"`
	// Digest is a hash of the items and responses, whatever order they
	// were shown in: equal digests are identical answer sheets.
	Digest string `json:"digest,omitempty"`
}

// SaveBlueprint creates (ID empty) or replaces a blueprint; the caller
// needs ManageExams on its unit.
func (x *Exams) SaveBlueprint(ctx context.Context, b *Blueprint) error {
	if b.UnitCode == "" {
		b.UnitCode = org.NationCode
	}
	u, err := x.Bank.Org.UnitByCode(ctx, b.UnitCode)
	if err != nil || !u.Live() {
		return errs.Field("unit_code", "org.unit_not_found", b.UnitCode)
	}
	p, err := auth.Authorize(ctx, auth.ManageExams, u.Path)
	if err != nil {
		return err
	}
	std, err := x.Bank.Skills.Get(ctx, b.StandardCode, b.StandardVersion)
	if err != nil {
		return errs.Field("standard_code", "items.bad_standard", b.StandardCode, b.StandardVersion)
	}
	if err := b.Validate(std); err != nil {
		return err
	}
	b.UnitPath = u.Path
	rules, _ := json.Marshal(b.Rules)
	amin, _ := json.Marshal(b.AreaMin)
	now := db.Now()
	if b.ID == "" {
		b.ID = db.NewID()
		_, err = x.Bank.DB.W.ExecContext(ctx, `INSERT INTO blueprints (id, name, unit_id, unit_path, standard_code, standard_version, time_limit_s, pass_percent, area_min, rules, shuffle_items, shuffle_options, navigation, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)`,
			b.ID, b.Name, u.ID, u.Path, b.StandardCode, b.StandardVersion, b.TimeLimitMin*60, b.PassPercent, string(amin), string(rules), db.Flag(b.ShuffleItems), db.Flag(b.ShuffleOptions), b.Navigation, p.AccountID, now)
		return err
	}
	old, err := x.Blueprint(ctx, b.ID)
	if err != nil {
		return err
	}
	if _, err := auth.Authorize(ctx, auth.ManageExams, old.UnitPath); err != nil {
		return err
	}
	_, err = x.Bank.DB.W.ExecContext(ctx, `UPDATE blueprints SET name = $1, unit_id = $2, unit_path = $3, standard_code = $4, standard_version = $5, time_limit_s = $6, pass_percent = $7,
		area_min = $8, rules = $9, shuffle_items = $10, shuffle_options = $11, navigation = $12, updated_at = $13 WHERE id = $14`,
		b.Name, u.ID, u.Path, b.StandardCode, b.StandardVersion, b.TimeLimitMin*60, b.PassPercent, string(amin), string(rules), db.Flag(b.ShuffleItems), db.Flag(b.ShuffleOptions), b.Navigation, now, b.ID)
	if err == nil {
		x.engine.sessions.Clear()
		x.Bank.DB.Announce(ctx, topicSessions, "")
	}
	return err
}

const blueprintCols = `b.id, b.name, b.unit_id, b.unit_path, b.standard_code, b.standard_version, b.time_limit_s, b.pass_percent, b.area_min, b.rules, b.shuffle_items, b.shuffle_options, b.navigation`

func scanBlueprint(r interface{ Scan(...any) error }) (*Blueprint, error) {
	var b Blueprint
	var rules, amin string
	var limit, si, so int
	if err := r.Scan(&b.ID, &b.Name, &b.UnitCode, &b.UnitPath, &b.StandardCode, &b.StandardVersion, &limit, &b.PassPercent, &amin, &rules, &si, &so, &b.Navigation); err != nil {
		return nil, err
	}
	b.TimeLimitMin, b.ShuffleItems, b.ShuffleOptions = limit/60, si != 0, so != 0
	json.Unmarshal([]byte(rules), &b.Rules)
	json.Unmarshal([]byte(amin), &b.AreaMin)
	return &b, nil
}

// Blueprint loads a blueprint (no permission check: sessions read it).
func (x *Exams) Blueprint(ctx context.Context, id string) (*Blueprint, error) {
	b, err := scanBlueprint(x.Bank.DB.R.QueryRowContext(ctx, `SELECT `+blueprintCols+` FROM blueprints b WHERE b.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "exams.no_blueprint", id)
	}
	if err != nil {
		return nil, err
	}
	return b, x.Bank.Org.ResolveCodes(ctx, &b.UnitCode)
}

// Blueprints lists the blueprints within the caller's exam scopes.
func (x *Exams) Blueprints(ctx context.Context) ([]*Blueprint, error) {
	_, scopes, err := auth.RequireScopes(ctx, auth.ManageExams)
	if err != nil {
		return nil, err
	}
	where, args := scopeWhere(x.Bank.DB, "b.unit_path", scopes, nil)
	out, err := db.Query(ctx, x.Bank.DB.R, scanBlueprint, `SELECT `+blueprintCols+` FROM blueprints b WHERE `+where+` ORDER BY b.updated_at DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	codes := make([]*string, len(out))
	for i, b := range out {
		codes[i] = &b.UnitCode
	}
	return append([]*Blueprint{}, out...), x.Bank.Org.ResolveCodes(ctx, codes...)
}

// BlueprintsAbove lists the blueprints of the unit at path and of the
// units above it: those a session another room owns there may use.
func (x *Exams) BlueprintsAbove(ctx context.Context, path string) ([]*Blueprint, error) {
	out, err := db.Query(ctx, x.Bank.DB.R, scanBlueprint, `SELECT `+blueprintCols+` FROM blueprints b ORDER BY b.updated_at DESC LIMIT 2000`)
	if err != nil {
		return nil, err
	}
	out = slices.DeleteFunc(out, func(b *Blueprint) bool { return !strings.HasPrefix(path, b.UnitPath) })
	codes := make([]*string, len(out))
	for i, b := range out {
		codes[i] = &b.UnitCode
	}
	return out, x.Bank.Org.ResolveCodes(ctx, codes...)
}

func scopeWhere(d *db.DB, col string, scopes []string, args []any) (string, []any) {
	var conds []string
	for _, s := range scopes {
		args = append(args, d.Dialect.PrefixPattern(s))
		conds = append(conds, d.Dialect.PrefixMatch(col, len(args)))
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// Coverage says, per rule, how many approved items could fill it.
type Coverage struct {
	Rule      Rule `json:"rule"`
	Available int  `json:"available"`
	Enough    bool `json:"enough"`
}

// Coverage checks whether the bank can fill a blueprint: each rule draws
// from items that earlier rules did not take.
func (x *Exams) Coverage(ctx context.Context, b *Blueprint) ([]Coverage, bool, error) {
	pool, err := x.loadPool(ctx, b)
	if err != nil {
		return nil, false, err
	}
	taken := map[string]bool{}
	ok := true
	var out []Coverage
	for _, r := range b.Rules {
		n := 0
		var picked []string
		for _, it := range pool {
			if !taken[it.id] && r.matches(it.competence, it.area, it.level) {
				n++
				if len(picked) < r.Count {
					picked = append(picked, it.id)
				}
			}
		}
		for _, id := range picked {
			taken[id] = true
		}
		c := Coverage{Rule: r, Available: n, Enough: n >= r.Count}
		ok = ok && c.Enough
		out = append(out, c)
	}
	return out, ok, nil
}
