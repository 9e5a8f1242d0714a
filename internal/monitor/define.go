package monitor

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
)

// Period types.
const (
	Monthly    = "month"
	Quarterly  = "quarter"
	HalfYearly = "half_year"
	Yearly     = "year"
)

// PeriodTypes lists them in display order.
var PeriodTypes = []string{Monthly, Quarterly, HalfYearly, Yearly}

// Dataset is a periodic report form (bộ biểu mẫu báo cáo định kỳ).
type Dataset struct {
	ID         string   `json:"-"`
	Code       string   `json:"code"`
	NameVI     string   `json:"name_vi"`
	NameEN     string   `json:"name_en"`
	PeriodType string   `json:"period_type"`
	UnitTypes  []string `json:"unit_types"`
	ScopeCode  string   `json:"scope_code"`
	ScopePath  string   `json:"-"`
	scopeID    string
	DueDays    int      `json:"due_days"`   // the report is due this many days after the period ends
	CloseDays  int      `json:"close_days"` // entry closes this many days after the period ends (0: never)
	Elements   []string `json:"elements"`
	Rules      []Rule   `json:"rules,omitempty"`
}

// Name returns the data set's name in the language.
func (d *Dataset) Name(en bool) string {
	if en && d.NameEN != "" {
		return d.NameEN
	}
	return d.NameVI
}

// Rule is a validation rule: left op right, with the message shown when
// it fails.
type Rule struct {
	Left      string `json:"left"`
	Op        string `json:"op"`
	Right     string `json:"right"`
	MessageVI string `json:"message_vi"`
	MessageEN string `json:"message_en"`
	l, r      *Expr
}

var ruleOps = []string{"<=", "<", ">=", ">", "==", "!="}

// catalog is every definition, loaded once per change.
type catalog struct {
	elems      []*Element
	elemByCode map[string]*Element
	elemByID   map[string]*Element
	inds       []*Indicator
	indByCode  map[string]*Indicator
	indByID    map[string]*Indicator
	sets       []*Dataset
	setByCode  map[string]*Dataset
	setByID    map[string]*Dataset
	slots      map[string]int // cell key → slot in a unit's row of values
	counted    []bool         // per slot: a count of records (none means 0)
}

func (s *Service) catalog(ctx context.Context) (*catalog, error) {
	if c := s.cat.Load(); c != nil {
		return c, nil
	}
	c := &catalog{elemByCode: map[string]*Element{}, elemByID: map[string]*Element{}, indByCode: map[string]*Indicator{}, indByID: map[string]*Indicator{},
		setByCode: map[string]*Dataset{}, setByID: map[string]*Dataset{}}
	// An error part-way through any of these reads fails the catalog
	// rather than leaving it short (db.Each asks the rows for it).
	err := db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		e := &Element{}
		var cats string
		if err := r.Scan(&e.ID, &e.Code, &e.NameVI, &e.NameEN, &e.Aggregation, &e.ValueType, &cats, &e.Source, &e.UnitVI, &e.UnitEN); err != nil {
			return err
		}
		e.Categories = splitList(cats)
		c.elems = append(c.elems, e)
		c.elemByCode[e.Code], c.elemByID[e.ID] = e, e
		return nil
	}, `SELECT id, code, name_vi, name_en, aggregation, value_type, categories, source, unit_vi, unit_en FROM mon_elements ORDER BY code`)
	if err != nil {
		return nil, err
	}
	c.slots, c.counted = slotsOf(c.elems)
	err = db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		i := &Indicator{}
		var public int
		if err := r.Scan(&i.ID, &i.Code, &i.NameVI, &i.NameEN, &i.Measure, &i.Numerator, &i.Denominator, &i.Factor, &i.Seq, &public); err != nil {
			return err
		}
		i.Public = public == 1
		if i.Numerator != "" {
			i.num, _ = ParseExpr("numerator", i.Numerator)
		}
		if i.Denominator != "" {
			i.den, _ = ParseExpr("denominator", i.Denominator)
		}
		c.inds = append(c.inds, i)
		c.indByCode[i.Code], c.indByID[i.ID] = i, i
		return nil
	}, `SELECT id, code, name_vi, name_en, measure, numerator, denominator, factor, seq, public FROM mon_indicators ORDER BY seq, code`)
	if err != nil {
		return nil, err
	}
	err = db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		d := &Dataset{}
		var types, elems string
		if err := r.Scan(&d.ID, &d.Code, &d.NameVI, &d.NameEN, &d.PeriodType, &types, &d.scopeID, &d.ScopePath, &d.ScopeCode, &d.DueDays, &d.CloseDays, &elems); err != nil {
			return err
		}
		d.UnitTypes, d.Elements = splitList(types), splitList(elems)
		c.sets = append(c.sets, d)
		c.setByCode[d.Code], c.setByID[d.ID] = d, d
		return nil
	}, `SELECT d.id, d.code, d.name_vi, d.name_en, d.period_type, d.unit_types, d.scope_id, d.scope_path, d.scope_id, d.due_days, d.close_days, d.elements
		FROM mon_datasets d ORDER BY d.code`)
	if err != nil {
		return nil, err
	}
	// ScopeCode was read as the scope's id: org, which owns the units,
	// gives its code.
	scopes := make([]*string, len(c.sets))
	for i, d := range c.sets {
		scopes[i] = &d.ScopeCode
	}
	if err := s.Org.ResolveCodes(ctx, scopes...); err != nil {
		return nil, err
	}
	err = db.Each(ctx, s.DB.R, func(row db.Scanner) error {
		var id string
		var r Rule
		if err := row.Scan(&id, &r.Left, &r.Op, &r.Right, &r.MessageVI, &r.MessageEN); err != nil {
			return err
		}
		r.l, _ = ParseExpr("left", r.Left)
		r.r, _ = ParseExpr("right", r.Right)
		if d := c.setByID[id]; d != nil {
			d.Rules = append(d.Rules, r)
		}
		return nil
	}, `SELECT dataset_id, left_expr, op, right_expr, message_vi, message_en FROM mon_rules ORDER BY dataset_id, seq`)
	if err != nil {
		return nil, err
	}
	s.cat.Store(c)
	return c, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Elements returns every data element.
func (s *Service) Elements(ctx context.Context) ([]*Element, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	return c.elems, nil
}

// Indicators returns every indicator in display order.
func (s *Service) Indicators(ctx context.Context) ([]*Indicator, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	return c.inds, nil
}

// Datasets returns every data set.
func (s *Service) Datasets(ctx context.Context) ([]*Dataset, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	return c.sets, nil
}

// Dataset returns one data set by code.
func (s *Service) Dataset(ctx context.Context, code string) (*Dataset, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	d := c.setByCode[code]
	if d == nil {
		return nil, errs.E(errs.NotFound, "monitor.dataset_not_found", code)
	}
	return d, nil
}

// nationAdmin checks that the caller may change national definitions.
func (s *Service) nationAdmin(ctx context.Context) (*auth.Principal, error) {
	n, err := s.Org.Nation(ctx)
	if err != nil {
		return nil, err
	}
	return auth.Authorize(ctx, auth.ManageTargets, n.Path)
}

func (s *Service) audit(ctx context.Context, p *auth.Principal, action, objType, objID, path, detail string) error {
	return s.Audit.Record(ctx, audit.Entry{ActorID: p.AccountID, ActorName: p.DisplayName, Action: action, ObjectType: objType, ObjectID: objID, UnitPath: path, Detail: detail})
}

// SaveElement creates or updates (by code) a data element. Definitions
// are national: the caller needs monitoring rights on the nation.
func (s *Service) SaveElement(ctx context.Context, e Element) (*Element, error) {
	p, err := s.nationAdmin(ctx)
	if err != nil {
		return nil, err
	}
	e.Code, e.NameVI, e.NameEN = strings.TrimSpace(e.Code), strings.TrimSpace(e.NameVI), strings.TrimSpace(e.NameEN)
	if !codeRe.MatchString(e.Code) {
		return nil, errs.Field("code", "monitor.code_invalid", e.Code)
	}
	if e.NameVI == "" || len(e.NameVI) > 500 {
		return nil, errs.Field("name_vi", "monitor.name_required")
	}
	e.UnitVI, e.UnitEN = strings.TrimSpace(e.UnitVI), strings.TrimSpace(e.UnitEN)
	if len(e.UnitVI) > 40 || len(e.UnitEN) > 40 {
		return nil, errs.Field("unit_vi", "monitor.unit_too_long")
	}
	if e.Source == "" {
		e.Source = SourceReported
	}
	if e.Source != SourceReported && !slices.Contains(Sources, e.Source) {
		return nil, errs.Field("source", "monitor.source_invalid", e.Source)
	}
	if e.Aggregation == "" {
		e.Aggregation = AggSum
	}
	if !slices.Contains([]string{AggSum, AggLast, AggAverage}, e.Aggregation) {
		return nil, errs.Field("aggregation", "monitor.aggregation_invalid", e.Aggregation)
	}
	if e.ValueType == "" {
		e.ValueType = TypeInteger
	}
	if !slices.Contains([]string{TypeInteger, TypeNumber, TypePercent}, e.ValueType) {
		return nil, errs.Field("value_type", "monitor.value_type_invalid", e.ValueType)
	}
	given := e.Categories
	if e.Source != SourceReported {
		e.Categories = slices.Clone(org.Groups)
		e.ValueType = TypeInteger
		if e.Source == SourcePeople {
			e.Aggregation = AggLast
		} else {
			e.Aggregation = AggSum
		}
		if slices.Contains(networkSources, e.Source) || slices.Contains(expertSources, e.Source) || slices.Contains(campaignSources, e.Source) {
			// The network counts without categories; the expert network
			// per field of its taxonomy, so its elements keep the field
			// codes their definer names.
			e.Categories = nil
			if slices.Contains(expertSources, e.Source) {
				e.Categories = given
			}
			if !slices.Contains(roomFlows, e.Source) {
				e.Aggregation = AggLast
			}
		}
	}
	if len(e.Categories) > maxCategories {
		return nil, errs.Field("categories", "monitor.too_many_categories", maxCategories)
	}
	for _, c := range e.Categories {
		if !codeRe.MatchString(c) {
			return nil, errs.Field("categories", "monitor.code_invalid", c)
		}
	}
	now := db.Now()
	cats := strings.Join(e.Categories, ",")
	res, err := s.DB.W.ExecContext(ctx, `UPDATE mon_elements SET name_vi = $1, name_en = $2, aggregation = $3, value_type = $4, categories = $5, source = $6, updated_at = $7, unit_vi = $9, unit_en = $10 WHERE code = $8`,
		e.NameVI, e.NameEN, e.Aggregation, e.ValueType, cats, e.Source, now, e.Code, e.UnitVI, e.UnitEN)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO mon_elements (id, code, name_vi, name_en, aggregation, value_type, categories, source, created_at, updated_at, unit_vi, unit_en) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9,$10,$11)`,
			db.NewID(), e.Code, e.NameVI, e.NameEN, e.Aggregation, e.ValueType, cats, e.Source, now, e.UnitVI, e.UnitEN); err != nil {
			return nil, err
		}
	}
	s.changed()
	if err := s.audit(ctx, p, "monitor_element", "element", e.Code, "", e.Source); err != nil {
		return nil, err
	}
	return &e, nil
}

// checkFormula parses a formula and checks that it names existing elements
// and categories.
func checkFormula(c *catalog, field, s string) (*Expr, error) {
	e, err := ParseExpr(field, s)
	if err != nil {
		return nil, err
	}
	for _, r := range e.Refs() {
		el := c.elemByCode[r.Element]
		if el == nil {
			return nil, errs.Field(field, "monitor.unknown_element", r.Element)
		}
		if r.Category != "" && !slices.Contains(el.Categories, r.Category) {
			return nil, errs.Field(field, "monitor.unknown_category", r.Element, r.Category)
		}
	}
	return e, nil
}

// SaveIndicator creates or updates (by code) an indicator. Values are
// computed when read, so a changed formula applies at once to every stored
// value, with nothing to migrate.
func (s *Service) SaveIndicator(ctx context.Context, in Indicator) (*Indicator, error) {
	p, err := s.nationAdmin(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	in.Code, in.NameVI, in.NameEN = strings.TrimSpace(in.Code), strings.TrimSpace(in.NameVI), strings.TrimSpace(in.NameEN)
	in.Numerator, in.Denominator = strings.TrimSpace(in.Numerator), strings.TrimSpace(in.Denominator)
	if !codeRe.MatchString(in.Code) {
		return nil, errs.Field("code", "monitor.code_invalid", in.Code)
	}
	if in.NameVI == "" || len(in.NameVI) > 500 {
		return nil, errs.Field("name_vi", "monitor.name_required")
	}
	if in.Measure == "" {
		in.Measure = "percent"
	}
	if !slices.Contains([]string{"percent", "count", "number"}, in.Measure) {
		return nil, errs.Field("measure", "monitor.measure_invalid", in.Measure)
	}
	if in.Numerator != "" {
		if _, err := checkFormula(c, "numerator", in.Numerator); err != nil {
			return nil, err
		}
	}
	if in.Denominator != "" {
		if in.Numerator == "" {
			return nil, errs.Field("numerator", "monitor.numerator_required")
		}
		if _, err := checkFormula(c, "denominator", in.Denominator); err != nil {
			return nil, err
		}
	}
	if in.Factor == 0 {
		in.Factor = 1
		if in.Measure == "percent" && in.Denominator != "" {
			in.Factor = 100
		}
	}
	if math.IsNaN(in.Factor) || math.IsInf(in.Factor, 0) || in.Factor < 0 {
		return nil, errs.Field("factor", "monitor.factor_invalid")
	}
	now := db.Now()
	res, err := s.DB.W.ExecContext(ctx, `UPDATE mon_indicators SET name_vi = $1, name_en = $2, measure = $3, numerator = $4, denominator = $5, factor = $6, seq = $7, public = $8, updated_by = $9, updated_at = $10 WHERE code = $11`,
		in.NameVI, in.NameEN, in.Measure, in.Numerator, in.Denominator, in.Factor, in.Seq, db.Flag(in.Public), p.AccountID, now, in.Code)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO mon_indicators (id, code, name_vi, name_en, measure, numerator, denominator, factor, seq, public, updated_by, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$12)`, db.NewID(), in.Code, in.NameVI, in.NameEN, in.Measure, in.Numerator, in.Denominator, in.Factor, in.Seq, db.Flag(in.Public), p.AccountID, now); err != nil {
			return nil, err
		}
	}
	s.changed()
	if err := s.audit(ctx, p, "monitor_indicator", "indicator", in.Code, "", in.Numerator+" / "+in.Denominator); err != nil {
		return nil, err
	}
	return s.Indicator(ctx, in.Code)
}

// Indicator returns one indicator by code.
func (s *Service) Indicator(ctx context.Context, code string) (*Indicator, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	i := c.indByCode[code]
	if i == nil {
		return nil, errs.E(errs.NotFound, "monitor.indicator_not_found", code)
	}
	return i, nil
}

// SaveDataset creates or replaces (by code) a data set with its rules.
// The caller needs monitoring rights on the data set's scope unit.
func (s *Service) SaveDataset(ctx context.Context, in Dataset) (*Dataset, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	in.Code, in.NameVI = strings.TrimSpace(in.Code), strings.TrimSpace(in.NameVI)
	if !codeRe.MatchString(in.Code) {
		return nil, errs.Field("code", "monitor.code_invalid", in.Code)
	}
	if in.NameVI == "" {
		return nil, errs.Field("name_vi", "monitor.name_required")
	}
	if !slices.Contains(PeriodTypes, in.PeriodType) {
		return nil, errs.Field("period_type", "monitor.period_type_invalid", in.PeriodType)
	}
	if len(in.UnitTypes) == 0 {
		return nil, errs.Field("unit_types", "monitor.unit_types_required")
	}
	for _, t := range in.UnitTypes {
		if !slices.Contains(org.UnitTypes, t) {
			return nil, errs.Field("unit_types", "monitor.unit_type_invalid", t)
		}
	}
	if in.DueDays < 0 || in.DueDays > 365 {
		return nil, errs.Field("due_days", "monitor.days_invalid")
	}
	if in.CloseDays < 0 || in.CloseDays > 730 || (in.CloseDays > 0 && in.CloseDays < in.DueDays) {
		return nil, errs.Field("close_days", "monitor.close_invalid")
	}
	if len(in.Elements) == 0 || len(in.Elements) > maxDatasetElems {
		return nil, errs.Field("elements", "monitor.elements_required")
	}
	for _, code := range in.Elements {
		e := c.elemByCode[code]
		if e == nil {
			return nil, errs.Field("elements", "monitor.unknown_element", code)
		}
		if e.Source != SourceReported {
			return nil, errs.Field("elements", "monitor.element_computed", code)
		}
	}
	for i := range in.Rules {
		r := &in.Rules[i]
		field := fmt.Sprintf("rules[%d]", i)
		if !slices.Contains(ruleOps, r.Op) {
			return nil, errs.Field(field, "monitor.rule_op_invalid", r.Op)
		}
		if strings.TrimSpace(r.MessageVI) == "" {
			return nil, errs.Field(field, "monitor.rule_message_required")
		}
		for _, side := range []string{r.Left, r.Right} {
			e, err := checkFormula(c, field, side)
			if err != nil {
				return nil, err
			}
			for _, ref := range e.Refs() {
				if !slices.Contains(in.Elements, ref.Element) {
					return nil, errs.Field(field, "monitor.rule_element_outside", ref.Element)
				}
			}
		}
	}
	if in.ScopeCode == "" {
		in.ScopeCode = org.NationCode
	}
	scope, err := s.Org.UnitByCode(ctx, in.ScopeCode)
	if err != nil {
		return nil, errs.Field("scope_code", "monitor.unit_not_found", in.ScopeCode)
	}
	p, err := auth.Authorize(ctx, auth.ManageTargets, scope.Path)
	if err != nil {
		return nil, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var id, storedPath string
		err := tx.QueryRowContext(ctx, `SELECT id, scope_path FROM mon_datasets WHERE code = $1`, in.Code).Scan(&id, &storedPath)
		if err == nil && !p.Can(auth.ManageTargets, storedPath) {
			// The data set as stored belongs to someone else's scope:
			// rights on what it would become are not enough.
			return errs.E(errs.Forbidden, "error.forbidden")
		}
		switch {
		case errors.Is(err, sql.ErrNoRows):
			id = db.NewID()
			_, err = tx.ExecContext(ctx, `INSERT INTO mon_datasets (id, code, name_vi, name_en, period_type, unit_types, scope_id, scope_path, due_days, close_days, elements, created_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`, id, in.Code, in.NameVI, in.NameEN, in.PeriodType, strings.Join(in.UnitTypes, ","), scope.ID, scope.Path, in.DueDays, in.CloseDays, strings.Join(in.Elements, ","), db.Now())
		case err == nil:
			_, err = tx.ExecContext(ctx, `UPDATE mon_datasets SET name_vi = $1, name_en = $2, period_type = $3, unit_types = $4, scope_id = $5, scope_path = $6, due_days = $7, close_days = $8, elements = $9 WHERE id = $10`,
				in.NameVI, in.NameEN, in.PeriodType, strings.Join(in.UnitTypes, ","), scope.ID, scope.Path, in.DueDays, in.CloseDays, strings.Join(in.Elements, ","), id)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM mon_rules WHERE dataset_id = $1`, id); err != nil {
			return err
		}
		for i, r := range in.Rules {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mon_rules (dataset_id, seq, left_expr, op, right_expr, message_vi, message_en) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
				id, i, r.Left, r.Op, r.Right, r.MessageVI, r.MessageEN); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.changed()
	if err := s.audit(ctx, p, "monitor_dataset", "dataset", in.Code, scope.Path, in.PeriodType); err != nil {
		return nil, err
	}
	return s.Dataset(ctx, in.Code)
}
