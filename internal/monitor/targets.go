package monitor

import (
	"context"
	"database/sql"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/tabular"
)

// Target kinds.
const (
	KindTarget   = "target"
	KindBaseline = "baseline"
)

// Target is a value an indicator should reach (or started from, for a
// baseline) in a unit by the end of a year.
type Target struct {
	Indicator string  `json:"indicator"`
	UnitCode  string  `json:"unit_code"`
	UnitName  string  `json:"unit_name,omitempty"`
	UnitLive  bool    `json:"unit_live"`
	Year      int     `json:"year"`
	Kind      string  `json:"kind"`
	Value     float64 `json:"value"`
	Source    string  `json:"source,omitempty"`
	unitID    string
}

// targetSet holds every target by indicator and unit.
type targetSet struct {
	by map[string]map[string][]Target // indicator id → unit id → targets by year
}

func (s *Service) loadTargets(ctx context.Context) (*targetSet, error) {
	ts := &targetSet{by: map[string]map[string][]Target{}}
	return ts, db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var ind string
		var t Target
		if err := r.Scan(&ind, &t.unitID, &t.Year, &t.Kind, &t.Value, &t.Source); err != nil {
			return err
		}
		if ts.by[ind] == nil {
			ts.by[ind] = map[string][]Target{}
		}
		ts.by[ind][t.unitID] = append(ts.by[ind][t.unitID], t)
		return nil
	}, `SELECT t.indicator_id, t.unit_id, t.year, t.kind, t.value, t.source FROM mon_targets t ORDER BY t.year`)
}

// goal is the target and baseline that apply to an indicator in a unit
// for a year, found on the unit or else on the nearest unit above it.
type goal struct {
	target, baseline Target
	hasTarget        bool
	from             string // unit id the target was set on
}

func (ts *targetSet) goal(indID string, path string, year int) goal {
	byUnit := ts.by[indID]
	if byUnit == nil {
		return goal{}
	}
	ids := pathIDs(path)
	for i := len(ids) - 1; i >= 0; i-- {
		list := byUnit[ids[i]]
		var g goal
		for _, t := range list {
			if t.Kind != KindTarget {
				continue
			}
			b := g.target
			// The first target year from the viewed year on; else the last one before.
			if !g.hasTarget || (t.Year >= year && (b.Year < year || t.Year < b.Year)) || (t.Year < year && b.Year < year && t.Year > b.Year) {
				g.target, g.hasTarget = t, true
			}
		}
		if !g.hasTarget {
			continue
		}
		g.from = ids[i]
		// The path starts from the latest baseline or earlier target.
		g.baseline = Target{Year: baselineYear, Value: 0, Kind: KindBaseline}
		for _, t := range list {
			if t.Year < g.target.Year && t.Year >= g.baseline.Year {
				g.baseline = t
			}
		}
		return g
	}
	return goal{}
}

// SetTarget stores a target or baseline for an indicator in a unit; the
// caller needs monitoring rights on the unit.
func (s *Service) SetTarget(ctx context.Context, t Target) error {
	ind, err := s.Indicator(ctx, t.Indicator)
	if err != nil {
		return errs.Field("indicator", "monitor.indicator_not_found", t.Indicator)
	}
	u, err := s.Org.UnitByCode(ctx, t.UnitCode)
	if err != nil {
		return errs.Field("unit_code", "monitor.unit_not_found", t.UnitCode)
	}
	p, err := auth.Authorize(ctx, auth.ManageTargets, u.Path)
	if err != nil {
		return err
	}
	if err := checkTarget(t); err != nil {
		return err
	}
	_, err = s.DB.W.ExecContext(ctx, `INSERT INTO mon_targets (indicator_id, unit_id, year, kind, value, source, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
		ON CONFLICT (indicator_id, unit_id, year, kind) DO UPDATE SET value = excluded.value, source = excluded.source, created_by = excluded.created_by, created_at = excluded.created_at`,
		ind.ID, u.ID, t.Year, t.Kind, t.Value, t.Source, p.AccountID, db.Now())
	if err != nil {
		return err
	}
	s.changed()
	return s.audit(ctx, p, "monitor_target", "indicator", ind.Code, u.Path, t.Kind+" "+strconv.Itoa(t.Year)+"="+fmtNum(t.Value))
}

func checkTarget(t Target) error {
	if t.Kind == "" {
		t.Kind = KindTarget
	}
	if t.Kind != KindTarget && t.Kind != KindBaseline {
		return errs.Field("kind", "monitor.kind_invalid", t.Kind)
	}
	if t.Year < firstYear || t.Year > lastYear {
		return errs.Field("year", "monitor.year_invalid", t.Year)
	}
	if math.IsNaN(t.Value) || math.IsInf(t.Value, 0) || t.Value < 0 || t.Value > 1e12 {
		return errs.Field("value", "monitor.value_not_number", fmtNum(t.Value))
	}
	return nil
}

// Targets lists the targets set on the units inside the caller's view
// under unitCode (all units when empty), including units since merged.
func (s *Service) Targets(ctx context.Context, unitCode string) ([]Target, error) {
	u, err := s.viewableUnit(ctx, unitCode)
	if err != nil {
		return nil, err
	}
	// Targets are few (indicators × units that have one); they are read
	// whole and kept to the units under u, which org places in the tree.
	type row struct {
		t      Target
		unitID string
		seq    int
	}
	all, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (row, error) {
		var x row
		err := r.Scan(&x.t.Indicator, &x.seq, &x.unitID, &x.t.Year, &x.t.Kind, &x.t.Value, &x.t.Source)
		return x, err
	}, `SELECT i.code, i.seq, t.unit_id, t.year, t.kind, t.value, t.source FROM mon_targets t JOIN mon_indicators i ON i.id = t.indicator_id`)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(all))
	for i, x := range all {
		ids[i] = x.unitID
	}
	units, err := s.Org.UnitsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	var kept []row
	paths := map[string]string{}
	for _, x := range all {
		v := units[x.unitID]
		if v == nil || !strings.HasPrefix(v.Path, u.Path) {
			continue
		}
		x.t.UnitCode, x.t.UnitName, x.t.UnitLive = v.Code, v.NameVI, v.Live()
		paths[x.unitID] = v.Path
		kept = append(kept, x)
	}
	sort.SliceStable(kept, func(i, j int) bool {
		a, b := kept[i], kept[j]
		switch {
		case a.seq != b.seq:
			return a.seq < b.seq
		case a.t.Indicator != b.t.Indicator:
			return a.t.Indicator < b.t.Indicator
		case paths[a.unitID] != paths[b.unitID]:
			return paths[a.unitID] < paths[b.unitID]
		case a.t.Year != b.t.Year:
			return a.t.Year < b.t.Year
		}
		return a.t.Kind < b.t.Kind
	})
	out := make([]Target, len(kept))
	for i, x := range kept {
		out[i] = x.t
	}
	return out, nil
}

// viewableUnit is the unit coded code (the nation when empty), if the
// caller may read monitoring figures for it.
func (s *Service) viewableUnit(ctx context.Context, code string) (*org.Unit, error) {
	if code == "" {
		code = ownScopeCode(auth.FromContext(ctx), auth.ViewMonitoring)
	}
	u, err := s.unitOrNation(ctx, code)
	if err != nil {
		return nil, err
	}
	_, err = auth.Authorize(ctx, auth.ViewMonitoring, u.Path)
	return u, err
}

// ownScopeCode is the code of the unit of the caller's first scope for a,
// so that a page without a unit opens on the caller's own unit rather than
// on the nation, which most callers may not read. Empty means the nation.
func ownScopeCode(p *auth.Principal, a auth.Action) string {
	scopes := p.Scopes(a)
	if len(scopes) == 0 {
		return ""
	}
	for _, g := range p.Grants {
		if g.UnitPath == scopes[0] {
			return g.UnitCode
		}
	}
	return ""
}

func (s *Service) unitOrNation(ctx context.Context, code string) (*org.Unit, error) {
	if code == "" {
		return s.Org.Nation(ctx)
	}
	u, err := s.Org.UnitByCode(ctx, code)
	if err != nil {
		return nil, errs.E(errs.NotFound, "monitor.unit_not_found", code)
	}
	return u, nil
}

// targetFields are the columns of targets-146.csv.
var targetFields = []tabular.Field{
	{Name: "indicator", Aliases: []string{"chỉ tiêu", "ma_chi_tieu"}, Required: true},
	{Name: "unit_scope", Aliases: []string{"cấp"}},
	{Name: "scope_code", Aliases: []string{"mã đơn vị", "unit_code"}, Required: true},
	{Name: "name_vi", Aliases: []string{"tên"}},
	{Name: "name_en"},
	{Name: "measure", Aliases: []string{"đơn vị tính"}},
	{Name: "target_2025"},
	{Name: "target_2030"},
	{Name: "baseline_year"},
	{Name: "baseline"},
	{Name: "source", Aliases: []string{"nguồn"}},
}

// TargetImport says what an import stored.
type TargetImport struct {
	Targets    int      `json:"targets"`
	Created    []string `json:"created_indicators,omitempty"`
	MergedInto []string `json:"merged_units,omitempty"` // "70 → 75": targets kept on units since merged
}

// ImportTargets reads targets in the format of targets-146.csv (CSV or
// XLSX): one row per indicator and unit, with target_2025, target_2030 and
// any other target_YYYY column. scope_code "70-old" names the unit coded 70
// before a merge. Unknown indicators are created with the row's names and
// no formula yet. All or nothing: any bad row refuses the whole file.
func (s *Service) ImportTargets(ctx context.Context, r io.Reader) (*TargetImport, error) {
	t, err := tabular.Read(r)
	if err != nil {
		return nil, err
	}
	cols, err := t.Columns(targetFields)
	if err != nil {
		return nil, err
	}
	yearCols := map[int]int{}
	for i, h := range t.Header {
		h = strings.TrimSpace(strings.ToLower(h))
		if y, ok := strings.CutPrefix(h, "target_"); ok {
			n, err := strconv.Atoi(y)
			if err != nil || n < firstYear || n > lastYear {
				return nil, errs.Field(h, "monitor.year_invalid", y)
			}
			yearCols[n] = i
		}
	}
	if len(yearCols) == 0 {
		return nil, errs.Field("target_2025", "import.missing_column")
	}
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	type row struct {
		ind    string
		newInd *Indicator
		unit   *org.Unit
		t      Target
		line   int
	}
	var bad tabular.ImportError
	var rows []row
	newInds := map[string]*Indicator{}
	res := &TargetImport{}
	for i := range t.Rows {
		line := t.Lines[i]
		cell := func(f string) string { return strings.TrimSpace(t.Cell(cols, i, f)) }
		code := cell("indicator")
		if !codeRe.MatchString(code) {
			bad.Add(line, "indicator", "monitor.code_invalid", code)
			continue
		}
		ind := c.indByCode[code]
		if ind == nil && newInds[code] == nil {
			measure := cell("measure")
			if measure == "" {
				measure = "percent"
			}
			if measure != "percent" && measure != "count" && measure != "number" {
				bad.Add(line, "measure", "monitor.measure_invalid", measure)
				continue
			}
			if cell("name_vi") == "" {
				bad.Add(line, "name_vi", "monitor.name_required")
				continue
			}
			newInds[code] = &Indicator{Code: code, NameVI: cell("name_vi"), NameEN: cell("name_en"), Measure: measure, Factor: 1}
		}
		scope := cell("scope_code")
		codeOnly, old := strings.CutSuffix(scope, "-old")
		u, err := s.Org.UnitByCode(ctx, codeOnly)
		if err != nil || (old && u.Live()) || (!old && !u.Live()) {
			bad.Add(line, "scope_code", "monitor.unit_not_found", scope)
			continue
		}
		if p == nil || !p.Can(auth.ManageTargets, u.Path) {
			bad.Add(line, "scope_code", "monitor.target_forbidden", scope)
			continue
		}
		if old {
			if succ, err := s.Org.Successors(ctx, u.ID); err == nil && len(succ) > 0 {
				res.MergedInto = appendOnce(res.MergedInto, u.Code+" → "+succ[0].Code)
			}
		}
		years := make([]int, 0, len(yearCols))
		for y := range yearCols {
			years = append(years, y)
		}
		sort.Ints(years)
		for _, y := range years {
			raw := strings.TrimSpace(t.Rows[i][yearCols[y]])
			if raw == "" {
				continue
			}
			v, err := strconv.ParseFloat(strings.Replace(raw, ",", ".", 1), 64)
			tg := Target{Indicator: code, Year: y, Kind: KindTarget, Value: v, Source: truncate(cell("source"), 500)}
			if err != nil || checkTarget(tg) != nil {
				bad.Add(line, "target_"+strconv.Itoa(y), "monitor.value_not_number", raw)
				continue
			}
			rows = append(rows, row{ind: code, unit: u, t: tg, line: line})
		}
		if by := cell("baseline_year"); by != "" {
			y, err1 := strconv.Atoi(by)
			v, err2 := strconv.ParseFloat(strings.Replace(cell("baseline"), ",", ".", 1), 64)
			tg := Target{Indicator: code, Year: y, Kind: KindBaseline, Value: v}
			if err1 != nil || err2 != nil || checkTarget(tg) != nil {
				bad.Add(line, "baseline", "monitor.value_not_number", cell("baseline"))
				continue
			}
			rows = append(rows, row{ind: code, unit: u, t: tg, line: line})
		}
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errs.E(errs.Invalid, "import.empty")
	}
	if len(newInds) > 0 {
		if _, err := s.nationAdmin(ctx); err != nil {
			return nil, errs.E(errs.Forbidden, "monitor.new_indicator_forbidden")
		}
	}
	now := db.Now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		ids := map[string]string{}
		for code, ind := range c.indByCode {
			ids[code] = ind.ID
		}
		codes := make([]string, 0, len(newInds))
		for code := range newInds {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for i, code := range codes {
			ind := newInds[code]
			ids[code] = db.NewID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO mon_indicators (id, code, name_vi, name_en, measure, factor, seq, updated_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,1,$6,$7,$8,$8)`,
				ids[code], code, ind.NameVI, ind.NameEN, ind.Measure, 1000+i, p.AccountID, now); err != nil {
				return err
			}
			res.Created = append(res.Created, code)
		}
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mon_targets (indicator_id, unit_id, year, kind, value, source, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
				ON CONFLICT (indicator_id, unit_id, year, kind) DO UPDATE SET value = excluded.value, source = excluded.source, created_by = excluded.created_by, created_at = excluded.created_at`,
				ids[r.ind], r.unit.ID, r.t.Year, r.t.Kind, r.t.Value, r.t.Source, p.AccountID, now); err != nil {
				return err
			}
			res.Targets++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.changed()
	return res, s.audit(ctx, p, "monitor_targets_import", "targets", "", "", strconv.Itoa(res.Targets))
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
