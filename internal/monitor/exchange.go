package monitor

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/tabular"
)

// DataValue is one value in the shape of DHIS2's dataValueSets.
type DataValue struct {
	DataSet             string `json:"dataSet,omitempty"`
	DataElement         string `json:"dataElement"`
	Period              string `json:"period"`
	OrgUnit             string `json:"orgUnit"`
	CategoryOptionCombo string `json:"categoryOptionCombo,omitempty"`
	Value               string `json:"value"`
	Comment             string `json:"comment,omitempty"`
	row                 int
}

// DataValueSet is DHIS2's import and export envelope; top-level dataSet,
// period and orgUnit apply to values that leave them out.
type DataValueSet struct {
	DataSet      string      `json:"dataSet,omitempty"`
	Period       string      `json:"period,omitempty"`
	OrgUnit      string      `json:"orgUnit,omitempty"`
	CompleteDate string      `json:"completeDate,omitempty"`
	DataValues   []DataValue `json:"dataValues"`
}

// ImportResult says what an import stored.
type ImportResult struct {
	Reports   int  `json:"reports"`
	Values    int  `json:"values"`
	Submitted bool `json:"submitted"`
}

// maxImportValues bounds one import.
const maxImportValues = 200000

// ParseDataValueSet reads DHIS2 dataValueSets JSON.
func ParseDataValueSet(r io.Reader) (*DataValueSet, error) {
	var set DataValueSet
	dec := json.NewDecoder(io.LimitReader(r, tabular.MaxBytes))
	if err := dec.Decode(&set); err != nil {
		return nil, errs.Field("body", "monitor.json_invalid", err.Error())
	}
	if len(set.DataValues) > maxImportValues {
		return nil, errs.Field("dataValues", "monitor.too_many_values", maxImportValues)
	}
	for i := range set.DataValues {
		v := &set.DataValues[i]
		v.row = i + 1
		if v.DataSet == "" {
			v.DataSet = set.DataSet
		}
		if v.Period == "" {
			v.Period = set.Period
		}
		if v.OrgUnit == "" {
			v.OrgUnit = set.OrgUnit
		}
	}
	return &set, nil
}

var valueFields = []tabular.Field{
	{Name: "dataset", Aliases: []string{"dataSet", "bộ báo cáo"}, Required: true},
	{Name: "period", Aliases: []string{"kỳ"}, Required: true},
	{Name: "org_unit", Aliases: []string{"orgUnit", "unit_code", "mã đơn vị"}, Required: true},
	{Name: "data_element", Aliases: []string{"dataElement", "element", "phần tử"}, Required: true},
	{Name: "category", Aliases: []string{"categoryOptionCombo", "nhóm"}},
	{Name: "value", Aliases: []string{"giá trị"}, Required: true},
	{Name: "comment", Aliases: []string{"ghi chú"}},
}

// ParseValuesCSV reads values from CSV or XLSX with the columns dataset,
// period, org_unit, data_element, category, value, comment (row numbers
// are the sheet's).
func ParseValuesCSV(r io.Reader) (*DataValueSet, error) {
	t, err := tabular.Read(r)
	if err != nil {
		return nil, err
	}
	cols, err := t.Columns(valueFields)
	if err != nil {
		return nil, err
	}
	set := &DataValueSet{}
	for i := range t.Rows {
		cell := func(f string) string { return strings.TrimSpace(t.Cell(cols, i, f)) }
		set.DataValues = append(set.DataValues, DataValue{DataSet: cell("dataset"), Period: cell("period"), OrgUnit: cell("org_unit"), DataElement: cell("data_element"),
			CategoryOptionCombo: cell("category"), Value: cell("value"), Comment: cell("comment"), row: t.Lines[i]})
	}
	return set, nil
}

// ImportValues stores values into the reports they belong to, as drafts
// (or submitted when submit is set), all or nothing: any bad row, unit out
// of the caller's reach or locked report refuses the whole import with
// every problem named by row.
func (s *Service) ImportValues(ctx context.Context, set *DataValueSet, submit bool) (*ImportResult, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	type key struct{ ds, unit, period string }
	type group struct {
		d    *Dataset
		u    *org.Unit
		per  Period
		vals map[string]string
		rows map[string]int
		note string
	}
	groups := map[key]*group{}
	var order []key
	var bad tabular.ImportError
	units := map[string]*org.Unit{}
	for _, v := range set.DataValues {
		d := c.setByCode[v.DataSet]
		if d == nil {
			bad.Add(v.row, "dataset", "monitor.dataset_not_found", v.DataSet)
			continue
		}
		u := units[v.OrgUnit]
		if u == nil {
			if u, err = s.Org.UnitByCode(ctx, v.OrgUnit); err != nil {
				bad.Add(v.row, "org_unit", "monitor.unit_not_found", v.OrgUnit)
				continue
			}
			units[v.OrgUnit] = u
		}
		if !p.Can(auth.SubmitReports, u.Path) {
			bad.Add(v.row, "org_unit", "monitor.unit_forbidden", v.OrgUnit)
			continue
		}
		if reportingUnit(d, u) != nil {
			bad.Add(v.row, "org_unit", "monitor.unit_not_reporting", v.OrgUnit, d.Code)
			continue
		}
		per, err := ParsePeriod("period", d.PeriodType, v.Period)
		if err != nil {
			bad.Add(v.row, "period", "monitor.period_invalid", v.Period)
			continue
		}
		cat := v.CategoryOptionCombo
		if cat == "default" {
			cat = "" // DHIS2's name for "no disaggregation"
		}
		e := c.elemByCode[v.DataElement]
		if e == nil || !slices.Contains(d.Elements, e.Code) {
			bad.Add(v.row, "data_element", "monitor.unknown_element", v.DataElement)
			continue
		}
		if cat != "" && !slices.Contains(e.Categories, cat) {
			bad.Add(v.row, "category", "monitor.unknown_category", e.Code, cat)
			continue
		}
		k := key{d.Code, u.ID, per.ID}
		g := groups[k]
		if g == nil {
			g = &group{d: d, u: u, per: per, vals: map[string]string{}, rows: map[string]int{}}
			groups[k] = g
			order = append(order, k)
		}
		ck := cellKey(e.Code, cat)
		if _, dup := g.rows[ck]; dup {
			bad.Add(v.row, "data_element", "monitor.duplicate_value", ck, g.rows[ck])
			continue
		}
		if _, err := ParseValue(e, "value", v.Value); err != nil {
			fe := err.(*errs.Error)
			bad.Add(v.row, "value", fe.Key, fe.Args...)
			continue
		}
		g.vals[ck], g.rows[ck] = v.Value, v.row
		if v.Comment != "" {
			g.note = truncate(v.Comment, 4000)
		}
	}
	if len(set.DataValues) == 0 {
		return nil, errs.E(errs.Invalid, "import.empty")
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	res := &ImportResult{Submitted: submit}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, k := range order {
			g := groups[k]
			r, err := s.loadReport(ctx, tx, g.d, g.u, g.per)
			if err != nil {
				return err
			}
			firstRow := minRow(g.rows)
			if err := s.editable(r); err != nil {
				fe, _ := err.(*errs.Error)
				bad.Add(firstRow, "org_unit", fe.Key, fe.Args...)
				continue
			}
			merged := map[string]string{}
			for ck, v := range r.Values {
				merged[ck] = strconv.FormatFloat(v, 'f', -1, 64)
			}
			for ck, v := range g.vals {
				merged[ck] = v
			}
			vals, ve, err := s.check(ctx, g.d, merged)
			if err != nil {
				return err
			}
			if submit && len(ve.Rules) > 0 {
				for _, m := range ve.Rules {
					bad.Add(firstRow, "value", "monitor.rule_failed", m.Message, fmtNum(m.Left), fmtNum(m.Right))
				}
				continue
			}
			note := g.note
			if note == "" {
				note = r.Comment
			}
			if err := s.writeReport(ctx, tx, c, r, vals, note, submit, p); err != nil {
				return err
			}
			res.Reports++
			res.Values += len(g.vals)
		}
		return bad.Err()
	})
	if err != nil {
		return nil, err
	}
	for _, k := range order {
		s.reportsChanged(groups[k].per.Year, groups[k].u.ID)
	}
	return res, s.audit(ctx, p, "monitor_values_import", "values", "", "", fmt.Sprintf("reports=%d values=%d", res.Reports, res.Values))
}

func minRow(rows map[string]int) int {
	m := 0
	for _, r := range rows {
		if m == 0 || r < m {
			m = r
		}
	}
	return m
}

// ExportValues returns the values of a data set for a period in the
// subtree of unitCode; approvedOnly leaves out reports not yet approved.
func (s *Service) ExportValues(ctx context.Context, dsCode, periodID, unitCode string, approvedOnly bool) (*DataValueSet, error) {
	d, err := s.Dataset(ctx, dsCode)
	if err != nil {
		return nil, err
	}
	per, err := ParsePeriod("period", d.PeriodType, periodID)
	if err != nil {
		return nil, err
	}
	u, err := s.unitOrNation(ctx, unitCode)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "error.unauthorized")
	}
	if !p.Can(auth.ViewMonitoring, u.Path) {
		return nil, errs.E(errs.Forbidden, "error.forbidden")
	}
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	q := `SELECT u.code, v.element_id, v.category, v.value, r.comment FROM mon_values v JOIN mon_reports r ON r.id = v.report_id JOIN units u ON u.id = r.unit_id
		WHERE r.dataset_id = $1 AND r.period = $2 AND ` + s.DB.Dialect.PrefixMatch("r.unit_path", 3)
	if approvedOnly {
		q += ` AND r.status = 'approved'`
	} else {
		q += ` AND r.status IN ('approved', 'submitted', 'draft', 'returned')`
	}
	rows, err := s.DB.R.QueryContext(ctx, q+` ORDER BY u.code, v.element_id, v.category`, d.ID, per.ID, s.DB.Dialect.PrefixPattern(u.Path))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := &DataValueSet{DataSet: d.Code, Period: per.ID}
	for rows.Next() {
		var dv DataValue
		var el string
		var v float64
		if err := rows.Scan(&dv.OrgUnit, &el, &dv.CategoryOptionCombo, &v, &dv.Comment); err != nil {
			return nil, err
		}
		if e := c.elemByID[el]; e != nil {
			dv.DataElement = e.Code
		}
		dv.DataSet, dv.Period, dv.Value = d.Code, per.ID, strconv.FormatFloat(v, 'f', -1, 64)
		set.DataValues = append(set.DataValues, dv)
	}
	sort.SliceStable(set.DataValues, func(i, j int) bool { return set.DataValues[i].OrgUnit < set.DataValues[j].OrgUnit })
	if set.DataValues == nil {
		set.DataValues = []DataValue{}
	}
	return set, rows.Err()
}

// WriteCSV writes a value set in the import's CSV columns.
func (set *DataValueSet) WriteCSV(w io.Writer, f tabular.Format) error {
	rows := make([][]string, len(set.DataValues))
	for i, v := range set.DataValues {
		rows[i] = []string{v.DataSet, v.Period, v.OrgUnit, v.DataElement, v.CategoryOptionCombo, v.Value, v.Comment}
	}
	var buf bytes.Buffer
	if err := tabular.Write(&buf, f, "values", []string{"dataset", "period", "org_unit", "data_element", "category", "value", "comment"}, rows); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
