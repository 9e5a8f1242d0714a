package monitor

import (
	"context"
	"dxhub/internal/platform/i18n"
	"fmt"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"dxhub/internal/org"
	"dxhub/internal/platform/errs"
)

// Statuses of an indicator against its target.
const (
	OnTrack  = "on_track"
	AtRisk   = "at_risk"
	OffTrack = "off_track"
	NoData   = "no_data"
	NoTarget = "no_target"
	// Check marks a figure that cannot be right (a share above 100 %, an
	// achievement many times the target): it is flagged, never praised.
	Check = "check"
)

// Options choose what a dashboard shows.
type Options struct {
	Year      int    `json:"year"`
	AsOf      string `json:"as_of"`   // the tree as of this date; also the point on the path to the target
	Pending   bool   `json:"pending"` // count submitted reports not yet approved
	Indicator string `json:"indicator,omitempty"`
}

// Normalize fills the defaults: this year, as of today (or the end of a
// past year).
func (s *Service) Normalize(o *Options) error {
	now := s.now().In(i18n.DefaultZone)
	if o.Year == 0 {
		o.Year = now.Year()
	}
	if o.Year < firstYear || o.Year > lastYear {
		return errs.Field("year", "monitor.year_invalid", o.Year)
	}
	if o.AsOf == "" {
		o.AsOf = now.Format("2006-01-02")
		if o.Year < now.Year() {
			o.AsOf = strconv.Itoa(o.Year) + "-12-31"
		}
	}
	if _, err := time.Parse("2006-01-02", o.AsOf); err != nil {
		return errs.Field("as_of", "monitor.date_invalid", o.AsOf)
	}
	return nil
}

// Point is one year of a trend.
type Point struct {
	Year  int     `json:"year"`
	Value float64 `json:"value"`
	Has   bool    `json:"has"`
}

// Row is an indicator's figures in one unit for one year.
type Row struct {
	Indicator    *Indicator `json:"indicator"`
	Value        float64    `json:"value"`
	HasValue     bool       `json:"has_value"`
	Target       float64    `json:"target"`
	TargetYear   int        `json:"target_year,omitempty"`
	HasTarget    bool       `json:"has_target"`
	TargetFrom   string     `json:"target_from,omitempty"` // code of the unit above whose target applies
	Baseline     float64    `json:"baseline"`
	BaselineYear int        `json:"baseline_year,omitempty"`
	Expected     float64    `json:"expected"` // on the straight path at the reference date
	Achievement  float64    `json:"achievement"`
	Status       string     `json:"status"`
	Trend        []Point    `json:"trend,omitempty"`
	Sources      []string   `json:"sources"`
	// Reported of Units units below (of the kind that reports this
	// figure) have a value: what the figure covers. Units is 0 for a unit
	// with none below.
	Reported  int    `json:"units_reported"`
	Units     int    `json:"units_below"`
	UnitsType string `json:"units_type,omitempty"`
}

// evaluate computes an indicator's row at unit index u.
func (s *Service) evaluate(sn *snapshot, ind *Indicator, u int, o Options, c *catalog) Row {
	r := Row{Indicator: ind, Status: NoData}
	r.Value, r.HasValue = sn.indicator(ind, u)
	r.Sources = indicatorSources(ind, c)
	g := sn.targets.goal(ind.ID, sn.units[u].Path, o.Year)
	if !g.hasTarget {
		if r.HasValue {
			r.Status = NoTarget
		}
		return r
	}
	r.HasTarget, r.Target, r.TargetYear = true, g.target.Value, g.target.Year
	r.Baseline, r.BaselineYear = g.baseline.Value, g.baseline.Year
	if g.from != sn.units[u].ID {
		if i, ok := sn.idx[g.from]; ok {
			r.TargetFrom = sn.units[i].Code
		}
	}
	ref, _ := time.Parse("2006-01-02", o.AsOf)
	if end := time.Date(o.Year, 12, 31, 0, 0, 0, 0, time.UTC); ref.After(end) {
		ref = end
	}
	r.Expected = expected(r.Baseline, float64(r.BaselineYear+1), r.Target, float64(r.TargetYear+1), fracYear(ref))
	if r.Target != 0 && r.HasValue {
		r.Achievement = 100 * r.Value / r.Target
	}
	if r.HasValue {
		r.Status = status(r.Value, r.Expected, r.Target >= r.Baseline)
	}
	if implausible(r) {
		r.Status = Check
	}
	return r
}

// implausible reports a figure that cannot be right: a share outside 0 to
// 100 %, a negative count, an achievement above 500 % of the target.
func implausible(r Row) bool {
	if r.Indicator.Measure == "percent" && ((r.HasValue && (r.Value < 0 || r.Value > 100)) || (r.HasTarget && (r.Target < 0 || r.Target > 100))) {
		return true
	}
	if r.HasValue && r.Value < 0 {
		return true
	}
	return r.HasValue && r.HasTarget && r.Target > 0 && r.Achievement > 500
}

// expected is the value on the straight path from (b, vb) to (t, vt) at
// time x (fractional years), held at the ends.
func expected(vb, b, vt, t, x float64) float64 {
	if t <= b {
		return vt
	}
	f := (x - b) / (t - b)
	f = math.Max(0, math.Min(1, f))
	return vb + (vt-vb)*f
}

// status compares a value with where the straight path says it should be:
// on track at or beyond it, at risk within 15 % of it, off track beyond.
func status(v, exp float64, up bool) string {
	const eps = 1e-9
	if up {
		switch {
		case v+eps >= exp:
			return OnTrack
		case v+eps >= atRiskShare*exp:
			return AtRisk
		}
		return OffTrack
	}
	switch {
	case v-eps <= exp:
		return OnTrack
	case v-eps <= exp/atRiskShare:
		return AtRisk
	}
	return OffTrack
}

// indicatorSources says where an indicator's values come from.
func indicatorSources(ind *Indicator, c *catalog) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range []*Expr{ind.num, ind.den} {
		for _, r := range e.Refs() {
			src := SourceReported
			if el := c.elemByCode[r.Element]; el != nil && el.Source != SourceReported {
				src = "computed"
			}
			if !seen[src] {
				seen[src] = true
				out = append(out, src)
			}
		}
	}
	return out
}

// ElementValue is a data element's rolled-up value in a unit, by source.
type ElementValue struct {
	Element    *Element `json:"element"`
	Value      float64  `json:"value"`
	Has        bool     `json:"has"`
	Categories []Point  `json:"-"`
}

// ChildRow is a unit below with its figures for the selected indicator.
type ChildRow struct {
	Unit *org.Unit `json:"-"`
	Code string    `json:"unit_code"`
	Name string    `json:"unit_name"`
	Row  Row       `json:"row"`
	// Rank is within Group (0: no figure, not ranked); Tied says another
	// unit of the group shares it.
	Rank  int    `json:"rank"`
	Tied  bool   `json:"tied,omitempty"`
	Group string `json:"group"`
}

// Dashboard is a unit's monitoring page.
type Dashboard struct {
	Unit      *org.Unit      `json:"-"`
	UnitCode  string         `json:"unit_code"`
	UnitName  string         `json:"unit_name"`
	Options   Options        `json:"options"`
	Ancestors []*org.Unit    `json:"-"`
	Rows      []Row          `json:"indicators"`
	Selected  *Indicator     `json:"-"`
	Children  []ChildRow     `json:"children"`
	Merged    []ChildRow     `json:"merged_units,omitempty"`
	Elements  []ElementValue `json:"elements"`
}

// trendYears is how many years a trend shows.
const trendYears = 5

// Dashboard builds a unit's page: every indicator with value, target,
// status and trend; the units below for the selected indicator; the
// targets of units merged into this one; the data elements by source.
func (s *Service) Dashboard(ctx context.Context, unitCode string, o Options) (*Dashboard, error) {
	u, err := s.viewableUnit(ctx, unitCode)
	if err != nil {
		return nil, err
	}
	return s.dashboard(ctx, u, o, true)
}

// rollup fills o's defaults and returns the definitions and the roll-up
// they ask for.
func (s *Service) rollup(ctx context.Context, o *Options) (*catalog, *snapshot, error) {
	if err := s.Normalize(o); err != nil {
		return nil, nil, err
	}
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, nil, err
	}
	sn, err := s.snap(ctx, o.Year, o.AsOf, o.Pending)
	return c, sn, err
}

func (s *Service) dashboard(ctx context.Context, u *org.Unit, o Options, full bool) (*Dashboard, error) {
	c, sn, err := s.rollup(ctx, &o)
	if err != nil {
		return nil, err
	}
	ui, ok := sn.idx[u.ID]
	if !ok {
		return nil, errs.E(errs.NotFound, "monitor.unit_not_found", u.Code)
	}
	d := &Dashboard{Unit: u, UnitCode: u.Code, UnitName: u.NameVI, Options: o}
	for a := sn.parent[ui]; a >= 0 && len(d.Ancestors) < 16; a = sn.parent[a] {
		d.Ancestors = append([]*org.Unit{sn.units[a]}, d.Ancestors...)
	}
	trend := make([]*snapshot, 0, trendYears)
	if full {
		for y := o.Year - trendYears + 1; y <= o.Year; y++ {
			if y == o.Year {
				trend = append(trend, sn)
				continue
			}
			t, err := s.snap(ctx, y, o.AsOf, o.Pending)
			if err != nil {
				return nil, err
			}
			trend = append(trend, t)
		}
	}
	below, belowType := reportingChildren(sn, ui)
	for _, ind := range c.inds {
		r := s.evaluate(sn, ind, ui, o, c)
		r.Units, r.UnitsType = len(below), belowType
		for _, k := range below {
			if _, has := sn.indicator(ind, k); has {
				r.Reported++
			}
		}
		for _, t := range trend {
			v, has := t.indicator(ind, ui)
			r.Trend = append(r.Trend, Point{Year: t.year, Value: v, Has: has})
		}
		d.Rows = append(d.Rows, r)
		if ind.Code == o.Indicator || (d.Selected == nil && o.Indicator == "" && ind.num != nil) {
			d.Selected = ind
		}
	}
	if d.Selected != nil {
		d.Children = s.childRows(sn, d.Selected, sn.children[ui], o, c)
	}
	if !full {
		return d, nil
	}
	// Targets set on units merged into this one stay visible, with the
	// values of the part they became.
	for i, x := range sn.units {
		if x.Live() || sn.parent[i] < 0 || i == ui || !isBelow(sn, i, ui) {
			continue
		}
		for _, ind := range c.inds {
			if list := sn.targets.by[ind.ID][x.ID]; len(list) > 0 {
				d.Merged = append(d.Merged, ChildRow{Unit: x, Code: x.Code, Name: x.NameVI, Row: s.evaluate(sn, ind, i, o, c)})
			}
		}
	}
	for _, e := range c.elems {
		ev := ElementValue{Element: e}
		ev.Value, ev.Has = sn.value(ui, e.Code)
		for _, cat := range e.Categories {
			v, has := sn.value(ui, e.Code+"."+cat)
			ev.Categories = append(ev.Categories, Point{Value: v, Has: has})
		}
		d.Elements = append(d.Elements, ev)
	}
	return d, nil
}

// reportingChildren are the live units right below unit ui of the kind
// that makes up a territory (the provinces under the nation, the communes
// under a province), or all live units below when there is no such kind;
// a figure's coverage is counted among them.
func reportingChildren(sn *snapshot, ui int) ([]int, string) {
	byType := map[string][]int{}
	var all []int
	for _, k := range sn.children[ui] {
		if u := sn.units[k]; u.Live() {
			byType[u.Type] = append(byType[u.Type], k)
			all = append(all, k)
		}
	}
	for _, t := range []string{org.TypeProvince, org.TypeCommune} {
		if len(byType[t]) > 0 {
			return byType[t], t
		}
	}
	return all, ""
}

func isBelow(sn *snapshot, i, root int) bool {
	for a, hops := sn.parent[i], 0; a >= 0 && hops < 64; a, hops = sn.parent[a], hops+1 {
		if a == root {
			return true
		}
	}
	return false
}

// childRows evaluates ind for units, ranked by achievement (or by value
// when there is no target).
func (s *Service) childRows(sn *snapshot, ind *Indicator, units []int, o Options, c *catalog) []ChildRow {
	out := make([]ChildRow, 0, len(units))
	for _, k := range units {
		x := sn.units[k]
		out = append(out, ChildRow{Unit: x, Code: x.Code, Name: x.NameVI, Row: s.evaluate(sn, ind, k, o, c)})
	}
	rankRows(out, func(r ChildRow) (float64, bool) {
		if r.Row.HasTarget && r.Row.Target != 0 {
			return r.Row.Achievement, r.Row.HasValue
		}
		return r.Row.Value, r.Row.HasValue
	})
	return out
}

// rankRows orders rows by score, highest first, rows without a score last,
// and ranks each group (territorial units, sectoral bodies) on its own: a
// ministry is never ranked against provinces. Equal scores share a rank
// and are marked tied.
func rankRows(rows []ChildRow, score func(ChildRow) (float64, bool)) {
	for i := range rows {
		rows[i].Group = groupOf(rows[i].Unit)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Group != rows[j].Group {
			return rows[i].Group > rows[j].Group // territorial first
		}
		a, ah := score(rows[i])
		b, bh := score(rows[j])
		if ah != bh {
			return ah
		}
		if a != b {
			return a > b
		}
		return rows[i].Code < rows[j].Code
	})
	start := 0
	for i := range rows {
		if i > 0 && rows[i].Group != rows[i-1].Group {
			start = i
		}
		v, has := score(rows[i])
		rows[i].Rank = 0
		if !has {
			continue
		}
		rows[i].Rank = i - start + 1
		if i > start && rows[i-1].Rank > 0 {
			if pv, _ := score(rows[i-1]); pv == v {
				rows[i].Rank, rows[i].Tied, rows[i-1].Tied = rows[i-1].Rank, true, true
			}
		}
	}
}

// Groups of units that are ranked together.
const (
	GroupTerritorial = "territorial"
	GroupSectoral    = "sectoral"
)

func groupOf(u *org.Unit) string {
	if u != nil && (u.Type == org.TypeProvince || u.Type == org.TypeCommune || u.Type == org.TypeNation) {
		return GroupTerritorial
	}
	return GroupSectoral
}

// Public is the national progress shown to everyone: the nation's
// indicators that have a national target. No sign-in is needed; it shows
// only national aggregates.
func (s *Service) Public(ctx context.Context, year int) (*Dashboard, error) {
	n, err := s.Org.Nation(ctx)
	if err != nil {
		return nil, err
	}
	d, err := s.dashboard(ctx, n, Options{Year: year}, true)
	if err != nil {
		return nil, err
	}
	var rows []Row
	for _, r := range d.Rows {
		if r.HasTarget && r.TargetFrom == "" {
			rows = append(rows, r)
		}
	}
	d.Rows, d.Children, d.Merged, d.Elements = rows, nil, nil, nil
	return d, nil
}

// fmtValue prints an indicator figure for files (no separators): one
// decimal for percents and numbers, none for counts.
func fmtValue(measure string, v float64) string {
	if measure == "count" {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// ValueText is the value as written to files ("—" when none).
func (r Row) ValueText() string {
	if !r.HasValue {
		return "—"
	}
	return fmtValue(r.Indicator.Measure, r.Value)
}

// TargetText is the target as written to files.
func (r Row) TargetText() string {
	if !r.HasTarget {
		return "—"
	}
	return fmtValue(r.Indicator.Measure, r.Target)
}

// ExpectedText is where the straight path says the value should be.
func (r Row) ExpectedText() string {
	if !r.HasTarget {
		return "—"
	}
	return fmtValue(r.Indicator.Measure, r.Expected)
}

// AchievementText is value / target in percent.
func (r Row) AchievementText() string {
	if !r.HasTarget || !r.HasValue || r.Target == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", r.Achievement)
}

// achievementNum is value / target in percent as a number for files
// (the header says it is a percentage), empty when there is none.
func (r Row) achievementNum() string {
	if !r.HasTarget || !r.HasValue || r.Target == 0 {
		return ""
	}
	return strconv.FormatFloat(math.Round(r.Achievement*10)/10, 'f', -1, 64)
}

// figure shows v as people read it: 77,1 % or 306.441 in Vietnamese.
func (r Row) figure(lang i18n.Lang, v float64) string {
	switch r.Indicator.Measure {
	case "percent":
		return i18n.Pct(lang, v)
	case "count":
		return i18n.Dec(lang, v, 0)
	}
	return i18n.Dec(lang, v, 1)
}

// Value shows the value on a page ("—" when none).
func (r Row) ValueIn(lang i18n.Lang) string {
	if !r.HasValue {
		return "—"
	}
	return r.figure(lang, r.Value)
}

// TargetIn shows the target on a page.
func (r Row) TargetIn(lang i18n.Lang) string {
	if !r.HasTarget {
		return "—"
	}
	return r.figure(lang, r.Target)
}

// ExpectedIn shows the expected value on a page.
func (r Row) ExpectedIn(lang i18n.Lang) string {
	if !r.HasTarget {
		return "—"
	}
	return r.figure(lang, r.Expected)
}

// AchievementIn shows value / target on a page.
func (r Row) AchievementIn(lang i18n.Lang) string {
	if !r.HasTarget || !r.HasValue || r.Target == 0 {
		return "—"
	}
	return i18n.Pct(lang, math.Round(r.Achievement))
}

// Coverage says what the figure covers: "1/34 tỉnh, thành phố có số
// liệu"; empty for a unit with nothing below.
func (r Row) Coverage(lang i18n.Lang) string {
	if r.Units == 0 {
		return ""
	}
	kind := i18n.T(lang, "monitor.units_below_any")
	if r.UnitsType != "" {
		kind = i18n.T(lang, "type."+r.UnitsType)
	}
	if lang == i18n.VI {
		kind = strings.ToLower(kind)
	}
	return i18n.T(lang, "monitor.coverage", i18n.Num(lang, r.Reported), i18n.Num(lang, r.Units), kind)
}

// Spark draws the row's trend.
func (r Row) Spark(lang i18n.Lang) template.HTML {
	return Sparkline(r.Trend, r.Indicator.Name(lang == i18n.EN), lang, r.figure)
}

// ChildBars draws the children's values for the selected indicator.
func (d *Dashboard) ChildBars(lang i18n.Lang) template.HTML {
	bars := make([]Bar, 0, len(d.Children))
	var fig func(i18n.Lang, float64) string
	for _, c := range d.Children {
		b := Bar{Label: c.Unit.Name(lang), Value: c.Row.Value, Has: c.Row.HasValue, Status: c.Row.Status}
		if c.Row.HasTarget {
			b.Target = c.Row.Target
		}
		bars = append(bars, b)
		fig = c.Row.figure
	}
	if d.Selected == nil || fig == nil {
		return ""
	}
	return Bars(bars, d.Selected.Name(lang == i18n.EN), lang, fig)
}

// Text prints an element category value.
func (p Point) Text(lang i18n.Lang) string {
	if !p.Has {
		return "—"
	}
	return i18n.Dec(lang, p.Value, 1)
}
