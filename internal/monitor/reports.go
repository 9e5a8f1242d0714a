package monitor

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/tabular"
)

// Report statuses.
const (
	StatusNone      = "none" // nothing entered yet
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusReturned  = "returned"
	StatusApproved  = "approved"
)

// Timeliness of a report.
const (
	OnTime  = "on_time"
	Late    = "late"
	Missing = "missing"
	NotDue  = "not_due"
)

// Report is one unit's report for one data set and period.
type Report struct {
	ID            string             `json:"id,omitempty"`
	Dataset       *Dataset           `json:"-"`
	DatasetCode   string             `json:"dataset"`
	Unit          *org.Unit          `json:"-"`
	UnitCode      string             `json:"unit_code"`
	UnitName      string             `json:"unit_name"`
	Period        Period             `json:"period"`
	Status        string             `json:"status"`
	Due           string             `json:"due"`
	Closes        string             `json:"closes,omitempty"`
	Comment       string             `json:"comment"`
	SubmittedAt   int64              `json:"submitted_at,omitempty"`
	ReviewedAt    int64              `json:"reviewed_at,omitempty"`
	ReviewComment string             `json:"review_comment,omitempty"`
	Values        map[string]float64 `json:"values"`
	// Notes are the comments of single values (DHIS2's value comments),
	// by the same keys as Values.
	Notes      map[string]string `json:"value_comments,omitempty"`
	Files      []ReportFile      `json:"files,omitempty"`
	Log        []LogEntry        `json:"log,omitempty"`
	Timeliness string            `json:"timeliness"`
	CanEdit    bool              `json:"can_edit"`
	CanReview  bool              `json:"can_review"`
}

// ReportFile is an evidence file attached to a report.
type ReportFile struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// LogEntry is one step of a report's history.
type LogEntry struct {
	Action  string `json:"action"`
	Actor   string `json:"actor"`
	Comment string `json:"comment,omitempty"`
	At      int64  `json:"at"`
}

// Cell is one value slot of a data set's form.
type Cell struct {
	Key      string // element or element.category
	Element  *Element
	Category string
}

// Cells lists the form's value slots: each element, and each of its
// categories when it has some.
func (s *Service) Cells(ctx context.Context, d *Dataset) ([]Cell, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	var out []Cell
	for _, code := range d.Elements {
		e := c.elemByCode[code]
		if e == nil {
			continue
		}
		out = append(out, Cell{Key: e.Code, Element: e})
		for _, cat := range e.Categories {
			out = append(out, Cell{Key: e.Code + "." + cat, Element: e, Category: cat})
		}
	}
	return out, nil
}

// reportingUnit checks that unit reports in data set d.
func reportingUnit(d *Dataset, u *org.Unit) error {
	if !u.Live() || !slices.Contains(d.UnitTypes, u.Type) || !strings.HasPrefix(u.Path, d.ScopePath) {
		return errs.E(errs.Invalid, "monitor.unit_not_reporting", u.Code, d.Code)
	}
	return nil
}

func parentPath(path string) string {
	t := strings.TrimSuffix(path, "/")
	i := strings.LastIndexByte(t, '/')
	if i < 0 {
		return ""
	}
	return t[:i+1]
}

func (s *Service) today() string { return s.now().In(i18n.DefaultZone).Format("2006-01-02") }

// timeliness says whether a report came in by its due day.
func (s *Service) timeliness(r *Report) string {
	switch {
	case r.Status == StatusSubmitted || r.Status == StatusApproved:
		if r.SubmittedAt > 0 && tabular.Day(r.SubmittedAt) <= r.Due {
			return OnTime
		}
		return Late
	case s.today() > r.Due:
		return Missing
	}
	return NotDue
}

// Report reads a report (empty when none was entered). Reporters of the
// unit, and those who approve or monitor above it, may read it.
func (s *Service) Report(ctx context.Context, dsCode, unitCode, periodID string) (*Report, error) {
	d, err := s.Dataset(ctx, dsCode)
	if err != nil {
		return nil, err
	}
	u, err := s.Org.UnitByCode(ctx, unitCode)
	if err != nil {
		return nil, errs.E(errs.NotFound, "monitor.unit_not_found", unitCode)
	}
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "error.unauthorized")
	}
	if !mayReadReport(p, u.Path) {
		return nil, errs.E(errs.Forbidden, "error.forbidden")
	}
	if err := reportingUnit(d, u); err != nil {
		return nil, err
	}
	per, err := ParsePeriod("period", d.PeriodType, periodID)
	if err != nil {
		return nil, err
	}
	r, err := s.loadReport(ctx, s.DB.R, d, u, per)
	if err != nil {
		return nil, err
	}
	r.CanEdit = p.Can(auth.SubmitReports, u.Path) && s.editable(r) == nil
	r.CanReview = p.Can(auth.ApproveReports, parentPath(u.Path))
	return r, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Service) loadReport(ctx context.Context, q querier, d *Dataset, u *org.Unit, per Period) (*Report, error) {
	r := &Report{Dataset: d, DatasetCode: d.Code, Unit: u, UnitCode: u.Code, UnitName: u.NameVI, Period: per, Status: StatusNone,
		Due: per.DayAfterEnd(d.DueDays), Values: map[string]float64{}}
	if d.CloseDays > 0 {
		r.Closes = per.DayAfterEnd(d.CloseDays)
	}
	err := q.QueryRowContext(ctx, `SELECT id, status, comment, submitted_at, reviewed_at, review_comment FROM mon_reports WHERE dataset_id = $1 AND unit_id = $2 AND period = $3`,
		d.ID, u.ID, per.ID).Scan(&r.ID, &r.Status, &r.Comment, &r.SubmittedAt, &r.ReviewedAt, &r.ReviewComment)
	if errors.Is(err, sql.ErrNoRows) {
		r.Timeliness = s.timeliness(r)
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	// (The loops these replaced never asked the first two reads' rows for
	// an error part-way.)
	err = db.Each(ctx, q, func(row db.Scanner) error {
		var el, cat, note string
		var v float64
		if err := row.Scan(&el, &cat, &v, &note); err != nil {
			return err
		}
		if e := c.elemByID[el]; e != nil {
			r.Values[cellKey(e.Code, cat)] = v
			if note != "" {
				if r.Notes == nil {
					r.Notes = map[string]string{}
				}
				r.Notes[cellKey(e.Code, cat)] = note
			}
		}
		return nil
	}, `SELECT element_id, category, value, comment FROM mon_values WHERE report_id = $1`, r.ID)
	if err != nil {
		return nil, err
	}
	if r.Files, err = db.Query(ctx, q, func(row db.Scanner) (ReportFile, error) {
		var f ReportFile
		err := row.Scan(&f.ID, &f.Name)
		return f, err
	}, `SELECT file_id, name FROM mon_report_files WHERE report_id = $1 ORDER BY created_at`, r.ID); err != nil {
		return nil, err
	}
	if r.Log, err = db.Query(ctx, q, func(row db.Scanner) (LogEntry, error) {
		var l LogEntry
		err := row.Scan(&l.Action, &l.Actor, &l.Comment, &l.At)
		return l, err
	}, `SELECT action, actor_name, comment, at FROM mon_report_log WHERE report_id = $1 ORDER BY at, id`, r.ID); err != nil {
		return nil, err
	}
	r.Timeliness = s.timeliness(r)
	return r, nil
}

func cellKey(elem, cat string) string {
	if cat == "" {
		return elem
	}
	return elem + "." + cat
}

// editable says why a report cannot be changed by its unit, or nil.
func (s *Service) editable(r *Report) error {
	switch r.Status {
	case StatusApproved:
		return errs.E(errs.Conflict, "monitor.locked")
	case StatusSubmitted:
		return errs.E(errs.Conflict, "monitor.already_submitted")
	}
	today := s.today()
	if r.Period.Start.Format("2006-01-02") > today {
		return errs.Field("period", "monitor.period_future", r.Period.ID)
	}
	if r.Closes != "" && today > r.Closes && r.Status != StatusReturned {
		return errs.E(errs.Conflict, "monitor.entry_closed", r.Closes)
	}
	return nil
}

// Entry is what a reporter sends: values by cell key as typed, a comment,
// and whether to submit (else the report is saved as a draft).
type Entry struct {
	Values  map[string]string `json:"values"`
	Comment string            `json:"comment"`
	Submit  bool              `json:"submit"`
}

// RuleFailure is a validation rule that the values break.
type RuleFailure struct {
	Rule      Rule    `json:"-"`
	Message   string  `json:"message"`
	Left      float64 `json:"left"`
	Right     float64 `json:"right"`
	MessageEN string  `json:"-"`
}

// ValidationError lists the problems of an entry: bad values by cell, and
// broken rules. Nothing is saved when it is returned.
type ValidationError struct {
	Fields map[string]*errs.Error
	Rules  []RuleFailure
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	for k, f := range e.Fields {
		fmt.Fprintf(&b, "%s: %s; ", k, i18n.T(i18n.EN, f.Key, f.Args...))
	}
	for _, r := range e.Rules {
		fmt.Fprintf(&b, "rule: %s; ", r.MessageEN)
	}
	return "invalid report: " + b.String()
}

// ErrorCode makes it an "invalid" error.
func (e *ValidationError) ErrorCode() string { return errs.Invalid }

// Messages renders every problem in lang, each naming its field.
func (e *ValidationError) Messages(lang i18n.Lang) []string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		f := e.Fields[k]
		out = append(out, k+": "+i18n.T(lang, f.Key, f.Args...))
	}
	return append(out, e.RuleMessages(lang)...)
}

// RuleMessages says which validation rules failed.
func (e *ValidationError) RuleMessages(lang i18n.Lang) []string {
	var out []string
	for _, r := range e.Rules {
		m := r.Message
		if lang == i18n.EN && r.MessageEN != "" {
			m = r.MessageEN
		}
		out = append(out, i18n.T(lang, "monitor.rule_failed", m, fmtNum(r.Left), fmtNum(r.Right)))
	}
	return out
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ParseValue reads a typed number: digits with "." or "," as the decimal
// mark, no thousands separators; key names the cell in errors.
func ParseValue(e *Element, key, raw string) (float64, error) {
	s := strings.TrimSpace(raw)
	if len(s) > 30 {
		return 0, errs.Field(key, "monitor.value_not_number", raw)
	}
	s = strings.Replace(s, ",", ".", 1)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || strings.ContainsAny(s, "eEx_+") {
		return 0, errs.Field(key, "monitor.value_not_number", raw)
	}
	if v < 0 {
		return 0, errs.Field(key, "monitor.value_negative", raw)
	}
	switch e.ValueType {
	case TypeInteger:
		if v != math.Trunc(v) {
			return 0, errs.Field(key, "monitor.value_not_integer", raw)
		}
		if v > 1e12 {
			return 0, errs.Field(key, "monitor.value_too_large", raw)
		}
	case TypePercent:
		if v > 100 {
			return 0, errs.Field(key, "monitor.value_percent", raw)
		}
	default:
		if v > 1e15 {
			return 0, errs.Field(key, "monitor.value_too_large", raw)
		}
	}
	return v, nil
}

// check parses an entry's values against the data set's cells and rules.
func (s *Service) check(ctx context.Context, d *Dataset, in map[string]string) (map[string]float64, *ValidationError, error) {
	cells, err := s.Cells(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	byKey := map[string]Cell{}
	for _, c := range cells {
		byKey[c.Key] = c
	}
	ve := &ValidationError{Fields: map[string]*errs.Error{}}
	vals := map[string]float64{}
	for k, raw := range in {
		c, ok := byKey[k]
		if !ok {
			ve.Fields[k] = errs.Field(k, "monitor.unknown_cell", k)
			continue
		}
		if strings.TrimSpace(raw) == "" {
			continue
		}
		v, err := ParseValue(c.Element, k, raw)
		if err != nil {
			ve.Fields[k], _ = errs.As(err)
			continue
		}
		vals[k] = v
	}
	if len(ve.Fields) == 0 {
		ve.Rules = evalRules(d, vals)
	}
	return vals, ve, nil
}

func evalRules(d *Dataset, vals map[string]float64) []RuleFailure {
	look := func(e, c string) (float64, bool) {
		v, ok := vals[cellKey(e, c)]
		return v, ok
	}
	var out []RuleFailure
	for _, r := range d.Rules {
		l, lok := r.l.Eval(look)
		rv, rok := r.r.Eval(look)
		if !lok && r.l.Constant() {
			l, lok = r.l.num, true
		}
		if !rok && r.r.Constant() {
			rv, rok = r.r.Eval(func(string, string) (float64, bool) { return 0, true })
		}
		if !lok || !rok {
			continue // a rule over missing values does not apply
		}
		var hold bool
		switch r.Op {
		case "<=":
			hold = l <= rv
		case "<":
			hold = l < rv
		case ">=":
			hold = l >= rv
		case ">":
			hold = l > rv
		case "==":
			hold = math.Abs(l-rv) < 1e-9
		case "!=":
			hold = math.Abs(l-rv) >= 1e-9
		}
		if !hold {
			out = append(out, RuleFailure{Rule: r, Message: r.MessageVI, MessageEN: r.MessageEN, Left: l, Right: rv})
		}
	}
	return out
}

// SaveReport stores a unit's values as a draft, or submits them. Bad
// values are refused whole; broken rules refuse a submission and come
// back as warnings on a draft.
func (s *Service) SaveReport(ctx context.Context, dsCode, unitCode, periodID string, in Entry) (*Report, []RuleFailure, error) {
	d, err := s.Dataset(ctx, dsCode)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.Org.UnitByCode(ctx, unitCode)
	if err != nil {
		return nil, nil, errs.E(errs.NotFound, "monitor.unit_not_found", unitCode)
	}
	p, err := auth.Authorize(ctx, auth.SubmitReports, u.Path)
	if err != nil {
		return nil, nil, err
	}
	if err := reportingUnit(d, u); err != nil {
		return nil, nil, err
	}
	per, err := ParsePeriod("period", d.PeriodType, periodID)
	if err != nil {
		return nil, nil, err
	}
	if len(in.Comment) > 4000 {
		return nil, nil, errs.Field("comment", "monitor.comment_too_long", 4000)
	}
	vals, ve, err := s.check(ctx, d, in.Values)
	if err != nil {
		return nil, nil, err
	}
	if len(ve.Fields) > 0 || (in.Submit && len(ve.Rules) > 0) {
		return nil, nil, ve
	}
	if in.Submit && len(vals) == 0 {
		return nil, nil, errs.Field("values", "monitor.nothing_to_submit")
	}
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, nil, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.loadReport(ctx, tx, d, u, per)
		if err != nil {
			return err
		}
		if err := s.editable(r); err != nil {
			return err
		}
		return s.writeReport(ctx, tx, c, r, vals, r.Notes, in.Comment, in.Submit, p)
	})
	if err != nil {
		return nil, nil, err
	}
	s.reportsChanged(per.Year, u.ID)
	r, err := s.Report(ctx, dsCode, unitCode, periodID)
	return r, ve.Rules, err
}

// writeReport replaces a report's values inside tx and logs the step.
func (s *Service) writeReport(ctx context.Context, tx *sql.Tx, c *catalog, r *Report, vals map[string]float64, notes map[string]string, comment string, submit bool, p *auth.Principal) error {
	now := s.now().UnixMilli()
	status, action := StatusDraft, "save"
	if submit {
		status, action = StatusSubmitted, "submit"
	}
	if r.ID == "" {
		r.ID = db.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO mon_reports (id, dataset_id, unit_id, unit_path, period, year, due, status, comment, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10)`,
			r.ID, r.Dataset.ID, r.Unit.ID, r.Unit.Path, r.Period.ID, r.Period.Year, r.Due, status, comment, now); err != nil {
			return err
		}
	} else if _, err := tx.ExecContext(ctx, `UPDATE mon_reports SET status = $1, comment = $2, updated_at = $3 WHERE id = $4`, status, comment, now, r.ID); err != nil {
		return err
	}
	if submit {
		if _, err := tx.ExecContext(ctx, `UPDATE mon_reports SET submitted_at = $1, submitted_by = $2 WHERE id = $3`, now, p.AccountID, r.ID); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM mon_values WHERE report_id = $1`, r.ID); err != nil {
		return err
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		el, cat, _ := strings.Cut(k, ".")
		if _, err := tx.ExecContext(ctx, `INSERT INTO mon_values (report_id, element_id, category, value, comment) VALUES ($1,$2,$3,$4,$5)`, r.ID, c.elemByCode[el].ID, cat, vals[k], notes[k]); err != nil {
			return err
		}
	}
	return s.logStep(ctx, tx, r.ID, action, p, comment)
}

func (s *Service) logStep(ctx context.Context, tx *sql.Tx, reportID, action string, p *auth.Principal, comment string) error {
	name := p.DisplayName
	if name == "" {
		name = p.Username
	}
	// Steps keep their order even within one millisecond.
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(at), 0) FROM mon_report_log WHERE report_id = $1`, reportID).Scan(&last); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO mon_report_log (id, report_id, action, actor_id, actor_name, comment, at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		db.NewID(), reportID, action, p.AccountID, name, comment, max(s.now().UnixMilli(), last+1))
	return err
}

// EvidenceAccess says whether the viewer in ctx may read the evidence of
// report reportID: whoever may read the report itself.
func (s *Service) EvidenceAccess(ctx context.Context, reportID string) error {
	var path string
	err := s.DB.R.QueryRowContext(ctx, `SELECT unit_path FROM mon_reports WHERE id = $1`, reportID).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	if !mayReadReport(auth.FromContext(ctx), path) {
		return errs.E(errs.Forbidden, "error.forbidden")
	}
	return nil
}

// mayReadReport is who may read a report of the unit at path, and its
// evidence: its reporters, those who follow its figures, its reviewers.
func mayReadReport(p *auth.Principal, path string) bool {
	return p.Can(auth.SubmitReports, path) || p.Can(auth.ViewMonitoring, path) || p.Can(auth.ApproveReports, path)
}

// AttachFile records an evidence file on a report the unit may still edit.
func (s *Service) AttachFile(ctx context.Context, dsCode, unitCode, periodID, fileID, name string) error {
	r, err := s.Report(ctx, dsCode, unitCode, periodID)
	if err != nil {
		return err
	}
	p, err := auth.Authorize(ctx, auth.SubmitReports, r.Unit.Path)
	if err != nil {
		return err
	}
	if r.ID == "" {
		return errs.Field("file", "monitor.save_first")
	}
	if err := s.editable(r); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mon_report_files (report_id, file_id, name, created_at) VALUES ($1,$2,$3,$4)`, r.ID, fileID, name, db.Now()); err != nil {
			return err
		}
		return s.logStep(ctx, tx, r.ID, "attach", p, name)
	})
}

// Review actions.
const (
	ActApprove   = "approve"
	ActReturn    = "return"
	ActUnapprove = "unapprove"
)

// Review approves, returns or un-approves a report. Only the level above
// the unit may; a report is approved only when the reports of the units
// below it have been; it is un-approved only while the level above has not
// approved its own.
func (s *Service) Review(ctx context.Context, dsCode, unitCode, periodID, action, comment string) (*Report, error) {
	r, err := s.Report(ctx, dsCode, unitCode, periodID)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.ApproveReports, parentPath(r.Unit.Path))
	if err != nil {
		return nil, err
	}
	// Four eyes: whoever submitted a report never reviews it, whatever
	// roles they hold (a national administrator included).
	var submitter string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COALESCE(submitted_by, '') FROM mon_reports WHERE id = $1`, r.ID).Scan(&submitter); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if p.AccountID != "" && submitter == p.AccountID {
		return nil, errs.E(errs.Forbidden, "monitor.own_report")
	}
	comment = strings.TrimSpace(comment)
	if len(comment) > 4000 {
		return nil, errs.Field("comment", "monitor.comment_too_long", 4000)
	}
	var next string
	switch action {
	case ActApprove:
		if r.Status != StatusSubmitted {
			return nil, errs.E(errs.Conflict, "monitor.not_submitted")
		}
		if pending, err := s.childrenPending(ctx, r); err != nil {
			return nil, err
		} else if pending != "" {
			return nil, errs.E(errs.Conflict, "monitor.children_pending", pending)
		}
		next = StatusApproved
	case ActReturn:
		if r.Status != StatusSubmitted {
			return nil, errs.E(errs.Conflict, "monitor.not_submitted")
		}
		if comment == "" {
			return nil, errs.Field("comment", "monitor.return_needs_comment")
		}
		next = StatusReturned
	case ActUnapprove:
		if r.Status != StatusApproved {
			return nil, errs.E(errs.Conflict, "monitor.not_approved")
		}
		if up, err := s.parentApproved(ctx, r); err != nil {
			return nil, err
		} else if up {
			return nil, errs.E(errs.Conflict, "monitor.parent_approved")
		}
		next = StatusSubmitted
	default:
		return nil, errs.Field("action", "monitor.action_invalid", action)
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE mon_reports SET status = $1, reviewed_at = $2, reviewed_by = $3, review_comment = $4, updated_at = $2 WHERE id = $5 AND status = $6`,
			next, s.now().UnixMilli(), p.AccountID, comment, r.ID, r.Status)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Conflict, "monitor.changed_meanwhile")
		}
		return s.logStep(ctx, tx, r.ID, action, p, comment)
	})
	if err != nil {
		return nil, err
	}
	s.reportsChanged(r.Period.Year, r.Unit.ID)
	if err := s.audit(ctx, p, "report_"+action, "report", r.ID, r.Unit.Path, dsCode+" "+periodID); err != nil {
		return nil, err
	}
	return s.Report(ctx, dsCode, unitCode, periodID)
}

// childrenPending names a reporting unit below r's whose report for the
// period is not approved, or "".
func (s *Service) childrenPending(ctx context.Context, r *Report) (string, error) {
	units, err := s.Org.UnitsOfTypes(ctx, r.Unit.Path, r.Dataset.UnitTypes)
	if err != nil {
		return "", err
	}
	ids, err := db.Strings(ctx, s.DB.R, `SELECT unit_id FROM mon_reports WHERE dataset_id = $1 AND period = $2 AND status = 'approved' AND `+s.DB.Dialect.PrefixMatch("unit_path", 3),
		r.Dataset.ID, r.Period.ID, s.DB.Dialect.PrefixPattern(r.Unit.Path))
	if err != nil {
		return "", err
	}
	approved := map[string]bool{}
	for _, id := range ids {
		approved[id] = true
	}
	for _, u := range units {
		if u.ID != r.Unit.ID && strings.HasPrefix(u.Path, r.Dataset.ScopePath) && !approved[u.ID] {
			return u.Code + " " + u.NameVI, nil
		}
	}
	return "", nil
}

// parentApproved reports whether the nearest unit above r's that reports
// in the same data set has approved its report for the period.
func (s *Service) parentApproved(ctx context.Context, r *Report) (bool, error) {
	var paths []string
	for p := parentPath(r.Unit.Path); p != ""; p = parentPath(p) {
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		return false, nil
	}
	args := []any{r.Dataset.ID, r.Period.ID}
	for _, p := range paths {
		args = append(args, p)
	}
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM mon_reports WHERE dataset_id = $1 AND period = $2 AND status = 'approved' AND unit_path IN (`+db.Numbered(3, len(paths))+`)`, args...).Scan(&n)
	return n > 0, err
}
