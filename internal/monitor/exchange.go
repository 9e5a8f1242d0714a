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
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/tabular"
)

// DataValue is one value in the shape of DHIS2's dataValueSets.
type DataValue struct {
	DataSet              string    `json:"dataSet,omitempty"`
	DataElement          string    `json:"dataElement"`
	Period               string    `json:"period"`
	OrgUnit              string    `json:"orgUnit"`
	CategoryOptionCombo  string    `json:"categoryOptionCombo,omitempty"`
	AttributeOptionCombo string    `json:"attributeOptionCombo,omitempty"`
	Value                flexValue `json:"value"`
	Comment              string    `json:"comment,omitempty"`
	// Deleted asks for the stored value to be deleted (DHIS2's soft
	// delete): it is never imported as a live value.
	Deleted bool `json:"deleted,omitempty"`
	row     int
}

// flexValue is a value sent as a JSON string ("12") or number (12), as
// DHIS2 clients do both; it is kept as text.
type flexValue string

func (v *flexValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = flexValue(s)
	case string(b) == "null":
		*v = ""
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("value %s is neither text nor a number", b)
		}
		*v = flexValue(n.String())
	}
	return nil
}

// defaultCombo reports whether a category or attribute option combo is
// DHIS2's "no disaggregation" (by name or by its well-known uid).
func defaultCombo(s string) bool { return s == "" || s == "default" || s == "HllvX50cXC0" }

// DataValueSet is DHIS2's import and export envelope; top-level dataSet,
// period and orgUnit apply to values that leave them out.
type DataValueSet struct {
	DataSet      string `json:"dataSet,omitempty"`
	Period       string `json:"period,omitempty"`
	OrgUnit      string `json:"orgUnit,omitempty"`
	CompleteDate string `json:"completeDate,omitempty"`
	// AttributeOptionCombo applies to every value that gives none.
	AttributeOptionCombo string      `json:"attributeOptionCombo,omitempty"`
	DataValues           []DataValue `json:"dataValues"`
}

// ImportResult says what an import stored: dxhub's counts, and DHIS2's
// import summary (status, importCount, conflicts) for DHIS2 clients.
type ImportResult struct {
	Reports   int  `json:"reports"`
	Values    int  `json:"values"`
	Submitted bool `json:"submitted"`

	Status      string      `json:"status"`
	ImportCount ImportCount `json:"importCount"`
	Conflicts   []Conflict  `json:"conflicts"`
}

// ImportCount is DHIS2's count of an import's values.
type ImportCount struct {
	Imported int `json:"imported"`
	Updated  int `json:"updated"`
	Ignored  int `json:"ignored"`
	Deleted  int `json:"deleted"`
}

// Conflict is DHIS2's description of one refused value.
type Conflict struct {
	Object string `json:"object"`
	Value  string `json:"value"`
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
		if v.AttributeOptionCombo == "" {
			v.AttributeOptionCombo = set.AttributeOptionCombo
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
	{Name: "attribute", Aliases: []string{"attributeOptionCombo", "attroptioncombo"}},
	{Name: "deleted", Aliases: []string{"đã xóa"}},
}

// deletedCell reads DHIS2's deleted column (true/false, 1/0, có).
func deletedCell(s string) bool {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "có", "x":
		return true
	}
	return false
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
			CategoryOptionCombo: cell("category"), AttributeOptionCombo: cell("attribute"), Value: flexValue(cell("value")), Comment: cell("comment"),
			Deleted: deletedCell(cell("deleted")), row: t.Lines[i]})
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
		d     *Dataset
		u     *org.Unit
		per   Period
		vals  map[string]string
		rows  map[string]int
		notes map[string]string
		del   map[string]bool
	}
	groups := map[key]*group{}
	var order []key
	var bad tabular.ImportError
	units := map[string]*org.Unit{}
	for _, v := range set.DataValues {
		if v.DataSet == "" {
			bad.Add(v.row, "dataset", "monitor.dataset_missing")
			continue
		}
		d := c.setByCode[v.DataSet]
		if d == nil {
			bad.Add(v.row, "dataset", "monitor.dataset_not_found", v.DataSet)
			continue
		}
		if !defaultCombo(v.AttributeOptionCombo) {
			// dxhub keeps no attribute disaggregation: refused, never
			// silently merged into the default.
			bad.Add(v.row, "attribute_option_combo", "monitor.attribute_combo", v.AttributeOptionCombo)
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
		if defaultCombo(cat) {
			cat = ""
		}
		e := c.elemByCode[v.DataElement]
		switch {
		case e == nil:
			bad.Add(v.row, "data_element", "monitor.unknown_element", v.DataElement)
			continue
		case e.Source != SourceReported:
			bad.Add(v.row, "data_element", "monitor.element_computed", e.Code)
			continue
		case !slices.Contains(d.Elements, e.Code):
			bad.Add(v.row, "data_element", "monitor.element_not_in_dataset", e.Code, d.Code)
			continue
		}
		if cat != "" && !slices.Contains(e.Categories, cat) {
			bad.Add(v.row, "category", "monitor.unknown_category", e.Code, cat)
			continue
		}
		k := key{d.Code, u.ID, per.ID}
		g := groups[k]
		if g == nil {
			g = &group{d: d, u: u, per: per, vals: map[string]string{}, rows: map[string]int{}, notes: map[string]string{}, del: map[string]bool{}}
			groups[k] = g
			order = append(order, k)
		}
		ck := cellKey(e.Code, cat)
		if _, dup := g.rows[ck]; dup {
			bad.Add(v.row, "data_element", "monitor.duplicate_value", ck, g.rows[ck])
			continue
		}
		g.rows[ck] = v.row
		if v.Deleted {
			g.del[ck] = true
			continue
		}
		if _, err := ParseValue(e, "value", string(v.Value)); err != nil {
			fe, _ := errs.As(err)
			bad.Add(v.row, "value", fe.Key, fe.Args...)
			continue
		}
		g.vals[ck] = string(v.Value)
		if v.Comment != "" {
			g.notes[ck] = truncate(v.Comment, 4000)
		}
	}
	if len(set.DataValues) == 0 {
		return nil, errs.E(errs.Invalid, "import.empty")
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	res := &ImportResult{Submitted: submit, Status: "SUCCESS", Conflicts: []Conflict{}}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, k := range order {
			g := groups[k]
			r, err := s.loadReport(ctx, tx, g.d, g.u, g.per)
			if err != nil {
				return err
			}
			firstRow := minRow(g.rows)
			if err := s.editable(r); err != nil {
				fe, _ := errs.As(err)
				bad.Add(firstRow, "org_unit", fe.Key, fe.Args...)
				continue
			}
			merged, notes := map[string]string{}, map[string]string{}
			for ck, v := range r.Values {
				merged[ck] = strconv.FormatFloat(v, 'f', -1, 64)
			}
			for ck, n := range r.Notes {
				notes[ck] = n
			}
			var count ImportCount
			for ck, v := range g.vals {
				if _, had := r.Values[ck]; had {
					count.Updated++
				} else {
					count.Imported++
				}
				merged[ck] = v
				if n, ok := g.notes[ck]; ok {
					notes[ck] = n
				}
			}
			for ck := range g.del {
				if _, had := r.Values[ck]; had {
					count.Deleted++
				} else {
					count.Ignored++
				}
				delete(merged, ck)
				delete(notes, ck)
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
			if err := s.writeReport(ctx, tx, c, r, vals, notes, r.Comment, submit, p); err != nil {
				return err
			}
			res.Reports++
			res.Values += len(g.vals)
			res.ImportCount.Imported += count.Imported
			res.ImportCount.Updated += count.Updated
			res.ImportCount.Deleted += count.Deleted
			res.ImportCount.Ignored += count.Ignored
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
	q := `SELECT r.unit_id, v.element_id, v.category, v.value, v.comment FROM mon_values v JOIN mon_reports r ON r.id = v.report_id
		WHERE r.dataset_id = $1 AND r.period = $2 AND ` + s.DB.Dialect.PrefixMatch("r.unit_path", 3)
	if approvedOnly {
		q += ` AND r.status = 'approved'`
	} else {
		q += ` AND r.status IN ('approved', 'submitted', 'draft', 'returned')`
	}
	set := &DataValueSet{DataSet: d.Code, Period: per.ID}
	set.DataValues, err = db.Query(ctx, s.DB.R, func(r db.Scanner) (DataValue, error) {
		var dv DataValue
		var el string
		var v float64
		if err := r.Scan(&dv.OrgUnit, &el, &dv.CategoryOptionCombo, &v, &dv.Comment); err != nil {
			return dv, err
		}
		if e := c.elemByID[el]; e != nil {
			dv.DataElement = e.Code
		}
		dv.DataSet, dv.Period, dv.Value = d.Code, per.ID, flexValue(strconv.FormatFloat(v, 'f', -1, 64))
		return dv, nil
	}, q+` ORDER BY r.unit_path, v.element_id, v.category`, d.ID, per.ID, s.DB.Dialect.PrefixPattern(u.Path))
	if err != nil {
		return nil, err
	}
	// OrgUnit was read as the unit's id: org gives its code.
	units := make([]*string, len(set.DataValues))
	for i := range set.DataValues {
		units[i] = &set.DataValues[i].OrgUnit
	}
	if err := s.Org.ResolveCodes(ctx, units...); err != nil {
		return nil, err
	}
	sort.SliceStable(set.DataValues, func(i, j int) bool { return set.DataValues[i].OrgUnit < set.DataValues[j].OrgUnit })
	if set.DataValues == nil {
		set.DataValues = []DataValue{}
	}
	return set, nil
}

// WriteCSV writes a value set in the import's CSV columns.
func (set *DataValueSet) WriteCSV(w io.Writer, f tabular.Format) error {
	rows := make([][]string, len(set.DataValues))
	for i, v := range set.DataValues {
		rows[i] = []string{v.DataSet, v.Period, v.OrgUnit, v.DataElement, v.CategoryOptionCombo, string(v.Value), v.Comment}
	}
	var buf bytes.Buffer
	if err := tabular.Write(&buf, f, set.DataSet+" "+set.Period, []string{"dataset", "period", "org_unit", "data_element", "category", "value", "comment"}, rows); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
