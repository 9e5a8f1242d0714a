package monitor

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"strings"

	"dxhub/internal/org"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
)

// Ranking orders the units below one unit by an indicator, or by the
// composite of every indicator with a target when Indicator is nil.
type Ranking struct {
	Unit      *org.Unit  `json:"-"`
	UnitCode  string     `json:"unit_code"`
	Options   Options    `json:"options"`
	Indicator *Indicator `json:"indicator,omitempty"`
	Rows      []RankRow  `json:"rows"`
}

// RankRow is one ranked unit.
type RankRow struct {
	ChildRow
	Score float64 `json:"score"` // composite: mean of min(value/target, 1) over indicators
	Count int     `json:"indicators"`
}

// MarshalJSON writes a unit without a composite score (no indicator with
// both a value and a target) with "score": null; JSON has no NaN.
func (r RankRow) MarshalJSON() ([]byte, error) {
	type plain RankRow
	var score *float64
	if !math.IsNaN(r.Score) && !math.IsInf(r.Score, 0) {
		score = &r.Score
	}
	return json.Marshal(struct {
		plain
		Score *float64 `json:"score"`
	}{plain(r), score})
}

// Rank ranks the units below unitCode (the provinces and ministries when
// empty).
func (s *Service) Rank(ctx context.Context, unitCode string, o Options) (*Ranking, error) {
	u, err := s.viewableUnit(ctx, unitCode)
	if err != nil {
		return nil, err
	}
	c, sn, err := s.rollup(ctx, &o)
	if err != nil {
		return nil, err
	}
	ui := sn.idx[u.ID]
	rk := &Ranking{Unit: u, UnitCode: u.Code, Options: o}
	if o.Indicator != "" {
		ind := c.indByCode[o.Indicator]
		if ind == nil {
			return nil, errs.Field("indicator", "monitor.indicator_not_found", o.Indicator)
		}
		rk.Indicator = ind
		for _, r := range s.childRows(sn, ind, sn.children[ui], o, c) {
			rk.Rows = append(rk.Rows, RankRow{ChildRow: r})
		}
		return rk, nil
	}
	rows := make([]ChildRow, 0, len(sn.children[ui]))
	scores := map[string][2]float64{}
	for _, k := range sn.children[ui] {
		x := sn.units[k]
		var sum float64
		var n int
		for _, ind := range c.inds {
			r := s.evaluate(sn, ind, k, o, c)
			if r.HasValue && r.HasTarget && r.Target > 0 {
				sum += math.Min(r.Value/r.Target, 1)
				n++
			}
		}
		score := math.NaN()
		if n > 0 {
			score = sum / float64(n)
		}
		scores[x.ID] = [2]float64{score, float64(n)}
		rows = append(rows, ChildRow{Unit: x, Code: x.Code, Name: x.NameVI})
	}
	rankRows(rows, func(r ChildRow) (float64, bool) {
		v := scores[r.Unit.ID][0]
		return v, !math.IsNaN(v)
	})
	for _, r := range rows {
		sc := scores[r.Unit.ID]
		rk.Rows = append(rk.Rows, RankRow{ChildRow: r, Score: sc[0], Count: int(sc[1])})
	}
	return rk, nil
}

// IndexNode is a node of a composite index: a pillar, an index or a
// component; components point at an indicator.
type IndexNode struct {
	Code      string       `json:"code"`
	NameVI    string       `json:"name_vi"`
	NameEN    string       `json:"name_en"`
	Points    float64      `json:"points"`
	Indicator string       `json:"indicator,omitempty"`
	Children  []*IndexNode `json:"children,omitempty"`
}

// SaveIndex stores (replacing) a composite index such as the DX index.
func (s *Service) SaveIndex(ctx context.Context, code string, roots []*IndexNode) error {
	p, err := s.nationAdmin(ctx)
	if err != nil {
		return err
	}
	if !codeRe.MatchString(code) {
		return errs.Field("code", "monitor.code_invalid", code)
	}
	c, err := s.catalog(ctx)
	if err != nil {
		return err
	}
	if len(roots) == 0 {
		return errs.Field("nodes", "monitor.index_empty")
	}
	type flat struct {
		n      *IndexNode
		id     string
		parent string
	}
	var all []flat
	var walk func(ns []*IndexNode, parent string, depth int) error
	walk = func(ns []*IndexNode, parent string, depth int) error {
		if depth > 5 {
			return errs.Field("nodes", "monitor.index_too_deep")
		}
		for _, n := range ns {
			if !codeRe.MatchString(n.Code) {
				return errs.Field("nodes", "monitor.code_invalid", n.Code)
			}
			if strings.TrimSpace(n.NameVI) == "" {
				return errs.Field("nodes", "monitor.name_required")
			}
			if !(n.Points > 0) || n.Points > 1e6 {
				return errs.Field("nodes", "monitor.points_invalid", n.Code)
			}
			if len(n.Children) == 0 && c.indByCode[n.Indicator] == nil {
				return errs.Field("nodes", "monitor.indicator_not_found", n.Indicator)
			}
			f := flat{n: n, id: db.NewID(), parent: parent}
			all = append(all, f)
			if err := walk(n.Children, f.id, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(roots, "", 0); err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM mon_index_nodes WHERE index_code = $1`, code); err != nil {
			return err
		}
		for i, f := range all {
			indID := ""
			if ind := c.indByCode[f.n.Indicator]; ind != nil && len(f.n.Children) == 0 {
				indID = ind.ID
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO mon_index_nodes (id, index_code, parent_id, seq, code, name_vi, name_en, points, indicator_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
				f.id, code, f.parent, i, f.n.Code, f.n.NameVI, f.n.NameEN, f.n.Points, indID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.changed()
	return s.audit(ctx, p, "monitor_index", "index", code, "", "")
}

// IndexTree reads a stored index.
func (s *Service) IndexTree(ctx context.Context, code string) ([]*IndexNode, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]*IndexNode{}
	var roots []*IndexNode
	err = db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var id, parent, indID string
		n := &IndexNode{}
		if err := r.Scan(&id, &parent, &n.Code, &n.NameVI, &n.NameEN, &n.Points, &indID); err != nil {
			return err
		}
		if ind := c.indByID[indID]; ind != nil {
			n.Indicator = ind.Code
		}
		byID[id] = n
		if p := byID[parent]; p != nil {
			p.Children = append(p.Children, n)
		} else {
			roots = append(roots, n)
		}
		return nil
	}, `SELECT id, parent_id, code, name_vi, name_en, points, indicator_id FROM mon_index_nodes WHERE index_code = $1 ORDER BY seq`, code)
	if err != nil {
		return nil, err
	}
	if len(roots) == 0 {
		return nil, errs.E(errs.NotFound, "monitor.index_not_found", code)
	}
	return roots, nil
}

// IndexRow is a unit's score in a composite index.
type IndexRow struct {
	Code    string    `json:"unit_code"`
	Name    string    `json:"unit_name"`
	Score   float64   `json:"score"`   // 0–1
	Pillars []float64 `json:"pillars"` // 0–1 each, in the order of the index's roots
	Rank    int       `json:"rank"`
}

// IndexResult is a composite index computed for the units below one unit.
type IndexResult struct {
	Code     string       `json:"code"`
	UnitCode string       `json:"unit_code"`
	Options  Options      `json:"options"`
	Pillars  []*IndexNode `json:"pillars"`
	Rows     []IndexRow   `json:"rows"`
}

// Index scores the units below unitCode on a composite index. A component
// scores value / target (at most 1) when the unit has a target, else its
// value over the best value among the units compared; a node scores the
// points-weighted mean of its children; all scores lie in 0–1.
func (s *Service) Index(ctx context.Context, code, unitCode string, o Options) (*IndexResult, error) {
	roots, err := s.IndexTree(ctx, code)
	if err != nil {
		return nil, err
	}
	u, err := s.viewableUnit(ctx, unitCode)
	if err != nil {
		return nil, err
	}
	c, sn, err := s.rollup(ctx, &o)
	if err != nil {
		return nil, err
	}
	kids := sn.children[sn.idx[u.ID]]
	best := map[string]float64{}
	rowsOf := map[string][]Row{}
	for _, k := range kids {
		for _, ind := range c.inds {
			r := s.evaluate(sn, ind, k, o, c)
			rowsOf[sn.units[k].ID] = append(rowsOf[sn.units[k].ID], r)
			if r.HasValue && r.Value > best[ind.Code] {
				best[ind.Code] = r.Value
			}
		}
	}
	var score func(n *IndexNode, rows []Row) float64
	score = func(n *IndexNode, rows []Row) float64 {
		if len(n.Children) == 0 {
			for _, r := range rows {
				if r.Indicator.Code != n.Indicator || !r.HasValue {
					continue
				}
				if r.HasTarget && r.Target > 0 {
					return math.Min(r.Value/r.Target, 1)
				}
				if b := best[n.Indicator]; b > 0 {
					return r.Value / b
				}
			}
			return 0
		}
		var sum, pts float64
		for _, ch := range n.Children {
			sum += ch.Points * score(ch, rows)
			pts += ch.Points
		}
		return sum / pts
	}
	res := &IndexResult{Code: code, UnitCode: u.Code, Options: o, Pillars: roots}
	var total float64
	for _, r := range roots {
		total += r.Points
	}
	for _, k := range kids {
		x := sn.units[k]
		row := IndexRow{Code: x.Code, Name: x.NameVI}
		var sum float64
		for _, p := range roots {
			v := score(p, rowsOf[x.ID])
			row.Pillars = append(row.Pillars, v)
			sum += p.Points * v
		}
		row.Score = sum / total
		res.Rows = append(res.Rows, row)
	}
	cr := make([]ChildRow, len(res.Rows))
	by := map[string]IndexRow{}
	for i, r := range res.Rows {
		cr[i] = ChildRow{Code: r.Code}
		by[r.Code] = r
	}
	rankRows(cr, func(r ChildRow) (float64, bool) { return by[r.Code].Score, true })
	res.Rows = res.Rows[:0]
	for _, r := range cr {
		ir := by[r.Code]
		ir.Rank = r.Rank
		res.Rows = append(res.Rows, ir)
	}
	return res, nil
}
