package monitor

import (
	"bytes"
	"embed"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/files"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/tabular"
	"dxhub/internal/platform/web"
)

//go:embed templates
var templates embed.FS

// Templates are the monitoring pages.
func Templates() fs.FS { t, _ := fs.Sub(templates, "templates"); return t }

// HTTP serves the monitoring pages and API.
type HTTP struct {
	Svc *Service
	Web *web.Web
}

const maxUpload = tabular.MaxBytes + 1<<20

// options reads year, as_of, pending and indicator from the query.
func options(r *http.Request) (Options, error) {
	q := r.URL.Query()
	o := Options{AsOf: q.Get("as_of"), Pending: q.Get("pending") == "1", Indicator: q.Get("indicator")}
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			return o, errs.Field("year", "monitor.year_invalid", y)
		}
		o.Year = n
	}
	return o, nil
}

func en(r *http.Request) bool { return web.LangOf(r) == i18n.EN }

// Home sends the viewer to the dashboard of the highest unit they see.
func (h *HTTP) Home(w http.ResponseWriter, r *http.Request) error {
	_, scopes, err := auth.RequireScopes(r.Context(), auth.ViewMonitoring)
	if err != nil {
		return err
	}
	units, err := h.Svc.Org.AllUnits(r.Context())
	if err != nil {
		return err
	}
	for _, u := range units {
		if u.Path == scopes[0] {
			http.Redirect(w, r, "/monitoring/units/"+url.PathEscape(u.Code), http.StatusSeeOther)
			return nil
		}
	}
	return errs.E(errs.NotFound, "error.not_found")
}

// dashboard reads the unit in the path and the options in the query.
func (h *HTTP) dashboard(r *http.Request) (*Dashboard, error) {
	o, err := options(r)
	if err != nil {
		return nil, err
	}
	return h.Svc.Dashboard(r.Context(), r.PathValue("code"), o)
}

// DashboardPage shows a unit's indicators, children and elements.
func (h *HTTP) DashboardPage(w http.ResponseWriter, r *http.Request) error {
	d, err := h.dashboard(r)
	if err != nil {
		return err
	}
	inds, _ := h.Svc.Indicators(r.Context())
	return h.Web.RenderTitle(w, r, http.StatusOK, "monitor/dashboard", web.T(r, "monitor.dashboard")+": "+d.Unit.Name(web.LangOf(r)),
		map[string]any{"D": d, "Q": r.URL.Query(), "EN": en(r), "Indicators": inds, "Groups": groupsOf(d), "CanOpen": openable(r, d.Ancestors)})
}

// openable says which of units the caller may open, so that breadcrumbs
// link only where the caller is let in.
func openable(r *http.Request, units []*org.Unit) map[string]bool {
	p := auth.FromContext(r.Context())
	out := map[string]bool{}
	for _, u := range units {
		out[u.Code] = p.Can(auth.ViewMonitoring, u.Path)
	}
	return out
}

func groupsOf(d *Dashboard) []string {
	for _, e := range d.Elements {
		if len(e.Element.Categories) > 0 && e.Element.Source != SourceReported {
			return e.Element.Categories
		}
	}
	return nil
}

// PrintPage is the printable report for a unit and a year.
func (h *HTTP) PrintPage(w http.ResponseWriter, r *http.Request) error {
	d, err := h.dashboard(r)
	if err != nil {
		return err
	}
	return h.Web.RenderTitle(w, r, http.StatusOK, "monitor/print", web.T(r, "monitor.report_title", d.Unit.FullName(web.LangOf(r)), d.Options.Year), map[string]any{"D": d, "EN": en(r)})
}

// DashboardXLSX exports the dashboard's tables.
func (h *HTTP) DashboardXLSX(w http.ResponseWriter, r *http.Request) error {
	d, err := h.dashboard(r)
	if err != nil {
		return err
	}
	lang := web.LangOf(r)
	t := func(k string) string { return i18n.T(lang, k) }
	header := []string{t("monitor.unit"), t("monitor.indicator"), t("monitor.value"), t("monitor.target"), t("monitor.target_year"), t("monitor.expected"), t("monitor.achievement") + " (%)", t("monitor.status")}
	var rows [][]string
	add := func(unit string, rr Row) {
		rows = append(rows, []string{unit, rr.Indicator.Code, rr.ValueText(), rr.TargetText(), yearText(rr.TargetYear), rr.ExpectedText(), rr.achievementNum(), t("monitor.st." + rr.Status)})
	}
	for _, rr := range d.Rows {
		add(d.Unit.Code, rr)
	}
	for _, c := range d.Children {
		add(c.Code, c.Row)
	}
	return download(w, "dashboard-"+d.Unit.Code, header, rows, tabular.Numbers(2, 3, 4, 5, 6))
}

func yearText(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

func download(w http.ResponseWriter, name string, header []string, rows [][]string, opts ...tabular.WriteOption) error {
	var buf bytes.Buffer
	// The sheet is named as the file is (dashboard-66-2026, completeness-…).
	if err := tabular.Write(&buf, tabular.XLSX, name, header, rows, opts...); err != nil {
		return err
	}
	return web.Download(w, web.XLSXType, name+".xlsx", &buf)
}

// rank ranks the units below ?unit= with the request's options.
func (h *HTTP) rank(r *http.Request) (*Ranking, error) {
	o, err := options(r)
	if err != nil {
		return nil, err
	}
	return h.Svc.Rank(r.Context(), r.URL.Query().Get("unit"), o)
}

// RankingsPage ranks the units below one unit.
func (h *HTTP) RankingsPage(w http.ResponseWriter, r *http.Request) error {
	rk, err := h.rank(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "xlsx" {
		lang := web.LangOf(r)
		header := []string{i18n.T(lang, "monitor.rank"), i18n.T(lang, "monitor.unit"), i18n.T(lang, "monitor.unit_name"), i18n.T(lang, "monitor.value"), i18n.T(lang, "monitor.target"), i18n.T(lang, "monitor.achievement") + " (%)", i18n.T(lang, "monitor.score")}
		var rows [][]string
		for _, x := range rk.Rows {
			rank := ""
			if x.Rank > 0 {
				rank = strconv.Itoa(x.Rank)
			}
			rows = append(rows, []string{rank, x.Code, x.Name, x.Row.ValueText(), x.Row.TargetText(), x.Row.achievementNum(), strconv.FormatFloat(x.Score, 'f', 3, 64)})
		}
		return download(w, "ranking-"+rk.UnitCode, header, rows, tabular.Numbers(0, 3, 4, 5, 6))
	}
	inds, _ := h.Svc.Indicators(r.Context())
	return h.Web.Render(w, r, http.StatusOK, "monitor/rankings", "monitor.rankings", map[string]any{"R": rk, "Q": r.URL.Query(), "EN": en(r), "Indicators": inds})
}

// IndexPage scores the units below one unit on a composite index.
func (h *HTTP) IndexPage(w http.ResponseWriter, r *http.Request) error {
	o, err := options(r)
	if err != nil {
		return err
	}
	res, err := h.Svc.Index(r.Context(), r.PathValue("code"), r.URL.Query().Get("unit"), o)
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "monitor/index", "monitor.index", map[string]any{"X": res, "Q": r.URL.Query(), "EN": en(r)})
}

// PublicPage is the national progress towards the scheme's targets, for
// everyone.
func (h *HTTP) PublicPage(w http.ResponseWriter, r *http.Request) error {
	d, err := h.Svc.Public(r.Context(), 0)
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "monitor/public", "monitor.public_title", map[string]any{"D": d, "EN": en(r)})
}

// SetupPage lists elements, indicators, data sets and indices, with the
// forms national administrators define them with.
func (h *HTTP) SetupPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderSetup(w, r, http.StatusOK, nil, "")
}

func (h *HTTP) renderSetup(w http.ResponseWriter, r *http.Request, status int, e *errs.Error, done string) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.ManageTargets); err != nil {
		return err
	}
	ctx := r.Context()
	elems, err := h.Svc.Elements(ctx)
	if err != nil {
		return err
	}
	inds, err := h.Svc.Indicators(ctx)
	if err != nil {
		return err
	}
	sets, err := h.Svc.Datasets(ctx)
	if err != nil {
		return err
	}
	// The data set form: what was posted to it, or the data set to change.
	form, dsForm := r.PostForm, url.Values(nil)
	if r.URL.Path == "/monitoring/datasets" {
		form, dsForm = nil, r.PostForm
	} else if code := r.URL.Query().Get("dataset"); code != "" {
		d, err := h.Svc.Dataset(ctx, code)
		if err != nil {
			return err
		}
		dsForm = datasetForm(d)
	}
	return h.Web.Render(w, r, status, "monitor/setup", "monitor.setup", map[string]any{"Elements": elems, "Indicators": inds, "Datasets": sets, "Error": e, "Done": done,
		"Sources": Sources, "Form": form, "DS": dsForm, "PeriodTypes": PeriodTypes, "UnitTypes": org.UnitTypes, "EN": en(r)})
}

// datasetForm is a data set as the setup page's form posts it.
func datasetForm(d *Dataset) url.Values {
	return url.Values{"code": {d.Code}, "name_vi": {d.NameVI}, "name_en": {d.NameEN}, "period_type": {d.PeriodType}, "unit_types": d.UnitTypes,
		"scope_code": {d.ScopeCode}, "due_days": {strconv.Itoa(d.DueDays)}, "close_days": {strconv.Itoa(d.CloseDays)}, "elements": d.Elements, "rules": {FormatRules(d.Rules)}}
}

// SaveDatasetForm creates or changes a data set from the setup page.
func (h *HTTP) SaveDatasetForm(w http.ResponseWriter, r *http.Request) error {
	d, err := h.saveDatasetForm(r)
	if e, ok := formErr(err); ok {
		return h.renderSetup(w, r, http.StatusBadRequest, e, "")
	}
	if err != nil {
		return err
	}
	return h.renderSetup(w, r, http.StatusOK, nil, d.Code)
}

func (h *HTTP) saveDatasetForm(r *http.Request) (*Dataset, error) {
	days := func(field string) (int, error) {
		v := strings.TrimSpace(r.PostFormValue(field))
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, errs.Field(field, "monitor.days_invalid")
		}
		return n, nil
	}
	due, err := days("due_days")
	if err != nil {
		return nil, err
	}
	closes, err := days("close_days")
	if err != nil {
		return nil, err
	}
	rules, err := ParseRules(r.PostFormValue("rules"))
	if err != nil {
		return nil, err
	}
	return h.Svc.SaveDataset(r.Context(), Dataset{Code: r.PostFormValue("code"), NameVI: r.PostFormValue("name_vi"), NameEN: r.PostFormValue("name_en"),
		PeriodType: r.PostFormValue("period_type"), UnitTypes: r.PostForm["unit_types"], ScopeCode: strings.TrimSpace(r.PostFormValue("scope_code")),
		DueDays: due, CloseDays: closes, Elements: r.PostForm["elements"], Rules: rules})
}

func formErr(err error) (*errs.Error, bool) {
	e, ok := errs.As(err)
	if ok && (e.Code == errs.Invalid || e.Code == errs.Conflict) {
		return e, true
	}
	return nil, false
}

// SaveIndicatorForm creates or changes an indicator from the setup page.
func (h *HTTP) SaveIndicatorForm(w http.ResponseWriter, r *http.Request) error {
	f, _ := strconv.ParseFloat(r.PostFormValue("factor"), 64)
	seq, _ := strconv.Atoi(r.PostFormValue("seq"))
	in := Indicator{Code: r.PostFormValue("code"), NameVI: r.PostFormValue("name_vi"), NameEN: r.PostFormValue("name_en"), Measure: r.PostFormValue("measure"),
		Numerator: r.PostFormValue("numerator"), Denominator: r.PostFormValue("denominator"), Factor: f, Seq: seq, Public: r.PostFormValue("public") == "1"}
	ind, err := h.Svc.SaveIndicator(r.Context(), in)
	if e, ok := formErr(err); ok {
		return h.renderSetup(w, r, http.StatusBadRequest, e, "")
	}
	if err != nil {
		return err
	}
	return h.renderSetup(w, r, http.StatusOK, nil, ind.Code)
}

// SaveElementForm creates or changes a data element from the setup page.
func (h *HTTP) SaveElementForm(w http.ResponseWriter, r *http.Request) error {
	in := Element{Code: r.PostFormValue("code"), NameVI: r.PostFormValue("name_vi"), NameEN: r.PostFormValue("name_en"), Aggregation: r.PostFormValue("aggregation"),
		ValueType: r.PostFormValue("value_type"), Source: r.PostFormValue("source"), Categories: splitForm(r.PostFormValue("categories")),
		UnitVI: r.PostFormValue("unit_vi"), UnitEN: r.PostFormValue("unit_en")}
	e, err := h.Svc.SaveElement(r.Context(), in)
	if fe, ok := formErr(err); ok {
		return h.renderSetup(w, r, http.StatusBadRequest, fe, "")
	}
	if err != nil {
		return err
	}
	return h.renderSetup(w, r, http.StatusOK, nil, e.Code)
}

func splitForm(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == ';' }) {
		out = append(out, strings.TrimSpace(p))
	}
	return out
}

// Recompute rebuilds computed values (the whole year, or incrementally).
func (h *HTTP) Recompute(w http.ResponseWriter, r *http.Request) error {
	res, err := h.recompute(r)
	if err != nil {
		return err
	}
	if web.IsAPI(r) {
		return web.JSON(w, http.StatusOK, res)
	}
	return h.renderSetup(w, r, http.StatusOK, nil, web.T(r, "monitor.recomputed", res.Rows, res.Millis))
}

func (h *HTTP) recompute(r *http.Request) (*RecomputeResult, error) {
	if r.FormValue("incremental") == "1" {
		return h.Svc.RecomputeIncremental(r.Context())
	}
	year := h.Svc.now().In(i18n.DefaultZone).Year()
	if y := r.FormValue("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			return nil, errs.Field("year", "monitor.year_invalid", y)
		}
		year = n
	}
	return h.Svc.Recompute(r.Context(), year)
}

// TargetsPage lists the targets under a unit, with the import form.
func (h *HTTP) TargetsPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderTargets(w, r, http.StatusOK, map[string]any{})
}

func (h *HTTP) renderTargets(w http.ResponseWriter, r *http.Request, status int, data map[string]any) error {
	ts, err := h.Svc.Targets(r.Context(), r.URL.Query().Get("unit"))
	if err != nil {
		return err
	}
	inds, err := h.Svc.Indicators(r.Context())
	if err != nil {
		return err
	}
	data["Targets"], data["Indicators"], data["EN"] = ts, inds, en(r)
	data["CanManage"] = auth.FromContext(r.Context()).CanAnywhere(auth.ManageTargets)
	return h.Web.Render(w, r, status, "monitor/targets", "monitor.targets", data)
}

// ImportTargetsForm takes a targets file from the targets page.
func (h *HTTP) ImportTargetsForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	file, _, err := r.FormFile("file")
	if err != nil {
		return h.renderTargets(w, r, http.StatusBadRequest, map[string]any{"Error": errs.Field("file", "error.param", "file", "-")})
	}
	defer file.Close()
	res, err := h.Svc.ImportTargets(r.Context(), file)
	return importOutcome(r, func(status int, data map[string]any) error { return h.renderTargets(w, r, status, data) }, res, err)
}

// importOutcome shows an import's result on its page: every row error, a
// bad input, or what was stored.
func importOutcome[T any](r *http.Request, render func(int, map[string]any) error, res *T, err error) error {
	if ie, ok := tabular.AsImportError(err); ok {
		return render(http.StatusUnprocessableEntity, map[string]any{"Messages": ie.Messages(web.LangOf(r))})
	}
	if e, ok := formErr(err); ok {
		return render(http.StatusBadRequest, map[string]any{"Error": e})
	}
	if err != nil {
		return err
	}
	return render(http.StatusOK, map[string]any{"Result": res})
}

// SetTargetForm stores one target from the targets page.
func (h *HTTP) SetTargetForm(w http.ResponseWriter, r *http.Request) error {
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	v, perr := strconv.ParseFloat(strings.Replace(strings.TrimSpace(r.PostFormValue("value")), ",", ".", 1), 64)
	t := Target{Indicator: r.PostFormValue("indicator"), UnitCode: strings.TrimSpace(r.PostFormValue("unit_code")), Year: year, Kind: r.PostFormValue("kind"), Value: v}
	var err error
	if perr != nil {
		err = errs.Field("value", "monitor.value_not_number", r.PostFormValue("value"))
	} else {
		err = h.Svc.SetTarget(r.Context(), t)
	}
	if e, ok := formErr(err); ok {
		return h.renderTargets(w, r, http.StatusBadRequest, map[string]any{"Error": e})
	}
	if err != nil {
		return err
	}
	return h.renderTargets(w, r, http.StatusOK, map[string]any{"Saved": true})
}

// ReportsPage lists what the viewer should enter and review, the data
// sets, and the exchange forms.
func (h *HTTP) ReportsPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderReports(w, r, http.StatusOK, map[string]any{})
}

func (h *HTTP) renderReports(w http.ResponseWriter, r *http.Request, status int, data map[string]any) error {
	enter, review, err := h.Svc.MyTasks(r.Context())
	if err != nil {
		return err
	}
	sets, err := h.Svc.Datasets(r.Context())
	if err != nil {
		return err
	}
	data["Enter"], data["Review"], data["Datasets"], data["EN"] = enter, review, sets, en(r)
	return h.Web.Render(w, r, status, "monitor/reports", "monitor.reports", data)
}

// reportView is what the entry form shows.
type reportView struct {
	R        *Report
	Cells    []Cell
	Input    map[string]string
	Errors   map[string]string
	Messages []string
	Warnings []string
	Saved    string
	EN       bool
	// Last is the previous period's report, shown beside each field so a
	// reporter sees at once a figure that jumped (nil when not readable).
	Last *Report
}

// LastText is the previous period's value of cell key as shown.
func (v *reportView) LastText(lang i18n.Lang, c Cell) string {
	if v.Last == nil {
		return i18n.T(lang, "monitor.no_last_period")
	}
	x, ok := v.Last.Values[c.Key]
	if !ok {
		return i18n.T(lang, "monitor.no_last_period")
	}
	val := i18n.Dec(lang, x, 2)
	if u := c.Element.Unit(lang == i18n.EN); u != "" && c.Element.ValueType != TypePercent {
		val += " " + u
	}
	return i18n.T(lang, "monitor.last_period", v.Last.Period.Label(lang), val)
}

// Label is what the form calls cell c: the element's name, or its group.
func (v *reportView) Label(lang i18n.Lang, c Cell) string {
	if c.Category != "" {
		return c.Element.Name(lang == i18n.EN) + " — " + i18n.T(lang, "group."+c.Category)
	}
	return c.Element.Name(lang == i18n.EN)
}

func (h *HTTP) renderReport(w http.ResponseWriter, r *http.Request, status int, v *reportView) error {
	if v.R == nil {
		rep, err := h.Svc.Report(r.Context(), r.PathValue("dataset"), r.PathValue("unit"), r.PathValue("period"))
		if err != nil {
			return err
		}
		v.R = rep
	}
	cells, err := h.Svc.Cells(r.Context(), v.R.Dataset)
	if err != nil {
		return err
	}
	v.Cells, v.EN = cells, en(r)
	lang := web.LangOf(r)
	if last, err := h.Svc.Report(r.Context(), v.R.DatasetCode, v.R.UnitCode, v.R.Period.Prev().ID); err == nil && last.ID != "" {
		v.Last = last
	}
	// Field errors are listed above the form by the fields' labels (each
	// also sits beside its field), never by the elements' codes.
	var fieldMsgs []string
	for _, c := range cells {
		if e, ok := v.Errors[c.Key]; ok {
			fieldMsgs = append(fieldMsgs, i18n.T(lang, "monitor.field_error", v.Label(lang, c), e))
		}
	}
	v.Messages = append(fieldMsgs, v.Messages...)
	if v.Input == nil {
		v.Input = map[string]string{}
		for k, x := range v.R.Values {
			v.Input[k] = strconv.FormatFloat(x, 'f', -1, 64)
		}
	}
	return h.Web.RenderTitle(w, r, status, "monitor/report", v.R.Dataset.Name(lang == i18n.EN)+" · "+v.R.Unit.Name(lang)+" · "+v.R.Period.Label(lang), v)
}

// ReportPage is a unit's entry form for one period.
func (h *HTTP) ReportPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderReport(w, r, http.StatusOK, &reportView{})
}

// SaveReportForm saves a draft or submits; bad values come back on the
// form, each next to its field, and nothing is saved.
func (h *HTTP) SaveReportForm(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Field("body", "error.param", "body", "-")
	}
	in := Entry{Values: map[string]string{}, Comment: r.PostFormValue("comment"), Submit: r.PostFormValue("action") == "submit"}
	for k, vs := range r.PostForm {
		if key, ok := strings.CutPrefix(k, "v:"); ok && len(vs) > 0 {
			in.Values[key] = vs[0]
		}
	}
	ds, unit, period := r.PathValue("dataset"), r.PathValue("unit"), r.PathValue("period")
	rep, warn, err := h.Svc.SaveReport(r.Context(), ds, unit, period, in)
	lang := web.LangOf(r)
	if ve := (*ValidationError)(nil); errors.As(err, &ve) {
		v := &reportView{Input: in.Values, Errors: map[string]string{}, Messages: ve.RuleMessages(lang)}
		for k, fe := range ve.Fields {
			v.Errors[k] = i18n.T(lang, fe.Key, fe.Args...)
		}
		return h.renderReport(w, r, http.StatusUnprocessableEntity, v)
	}
	if e, ok := formErr(err); ok {
		return h.renderReport(w, r, http.StatusBadRequest, &reportView{Input: in.Values, Messages: []string{i18n.T(lang, e.Key, e.Args...)}})
	}
	if err != nil {
		return err
	}
	v := &reportView{R: rep, Saved: "monitor.saved_draft"}
	if in.Submit {
		v.Saved = "monitor.saved_submitted"
	}
	for _, f := range warn {
		v.Warnings = append(v.Warnings, (&ValidationError{Rules: []RuleFailure{f}}).Messages(lang)...)
	}
	return h.renderReport(w, r, http.StatusOK, v)
}

// ReviewForm approves, returns or un-approves a report.
func (h *HTTP) ReviewForm(w http.ResponseWriter, r *http.Request) error {
	rep, err := h.Svc.Review(r.Context(), r.PathValue("dataset"), r.PathValue("unit"), r.PathValue("period"), r.PostFormValue("action"), r.PostFormValue("comment"))
	if e, ok := formErr(err); ok {
		return h.renderReport(w, r, http.StatusConflict, &reportView{Messages: []string{web.T(r, e.Key, e.Args...)}})
	}
	if err != nil {
		return err
	}
	return h.renderReport(w, r, http.StatusOK, &reportView{R: rep, Saved: "monitor.reviewed_" + r.PostFormValue("action")})
}

// UploadEvidence attaches an evidence file to a report.
func (h *HTTP) UploadEvidence(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 50<<20)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return h.renderReport(w, r, http.StatusBadRequest, &reportView{Messages: []string{web.T(r, "error.param", "file", "-")}})
	}
	defer file.Close()
	rep, err := h.Svc.Report(r.Context(), r.PathValue("dataset"), r.PathValue("unit"), r.PathValue("period"))
	if err != nil {
		return err
	}
	if _, err := auth.Authorize(r.Context(), auth.SubmitReports, rep.Unit.Path); err != nil {
		return err
	}
	if rep.ID == "" {
		return h.renderReport(w, r, http.StatusBadRequest, &reportView{Messages: []string{web.T(r, "monitor.save_first")}})
	}
	p := auth.FromContext(r.Context())
	key, _, err := files.Save(r.Context(), h.Svc.DB, h.Svc.Files, files.Evidence, "report:"+rep.ID, hdr.Filename, file, p.AccountID)
	if err == nil {
		err = h.Svc.AttachFile(r.Context(), r.PathValue("dataset"), r.PathValue("unit"), r.PathValue("period"), key, hdr.Filename)
	}
	if e, ok := formErr(err); ok {
		return h.renderReport(w, r, http.StatusBadRequest, &reportView{Messages: []string{web.T(r, e.Key, e.Args...)}})
	}
	if err != nil {
		return err
	}
	return h.renderReport(w, r, http.StatusOK, &reportView{Saved: "monitor.file_attached"})
}

// CompletenessPage shows who reported, on time, late or not at all.
func (h *HTTP) CompletenessPage(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.Completeness(r.Context(), r.PathValue("dataset"), r.URL.Query().Get("unit"), r.URL.Query().Get("period"))
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "xlsx" {
		lang := web.LangOf(r)
		header := []string{i18n.T(lang, "monitor.unit"), i18n.T(lang, "monitor.unit_name"), i18n.T(lang, "monitor.status"), i18n.T(lang, "monitor.timeliness"), i18n.T(lang, "monitor.submitted_at")}
		var rows [][]string
		for _, x := range c.Rows {
			rows = append(rows, []string{x.UnitCode, x.UnitName, i18n.T(lang, "monitor.rs."+x.Status), i18n.T(lang, "monitor.tl."+x.Timeliness), tabular.Day(x.SubmittedAt)})
		}
		return download(w, "completeness-"+c.Dataset.Code+"-"+c.Period.ID, header, rows, tabular.Dates(4))
	}
	return h.Web.Render(w, r, http.StatusOK, "monitor/completeness", "monitor.completeness", map[string]any{"C": c, "Q": r.URL.Query(), "EN": en(r)})
}

// readValues reads an import body: DHIS2 JSON when it looks like JSON,
// else CSV or XLSX.
func readValues(body io.Reader, contentType string) (*DataValueSet, error) {
	data, err := io.ReadAll(io.LimitReader(body, tabular.MaxBytes+1))
	if err != nil {
		return nil, errs.Field("file", "error.param", "file", "-")
	}
	trim := bytes.TrimSpace(data)
	if strings.Contains(contentType, "json") || bytes.HasPrefix(trim, []byte("{")) {
		return ParseDataValueSet(bytes.NewReader(trim))
	}
	return ParseValuesCSV(bytes.NewReader(data))
}

// ImportValuesForm takes a CSV, XLSX or DHIS2 JSON file of values.
func (h *HTTP) ImportValuesForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	file, _, err := r.FormFile("file")
	if err != nil {
		return h.renderReports(w, r, http.StatusBadRequest, map[string]any{"Error": errs.Field("file", "error.param", "file", "-")})
	}
	defer file.Close()
	set, err := readValues(file, "")
	var res *ImportResult
	if err == nil {
		res, err = h.Svc.ImportValues(r.Context(), set, r.PostFormValue("submit") == "1")
	}
	return importOutcome(r, func(status int, data map[string]any) error { return h.renderReports(w, r, status, data) }, res, err)
}

// ExportValues downloads values as CSV, XLSX or DHIS2 JSON.
func (h *HTTP) ExportValues(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ds, per := q.Get("dataset"), q.Get("period")
	if ds == "" {
		ds = q.Get("dataSet")
	}
	if q.Get("orgUnit") != "" {
		q.Set("unit", q.Get("orgUnit"))
	}
	set, err := h.Svc.ExportValues(r.Context(), ds, per, q.Get("unit"), q.Get("approved") == "1")
	if err != nil {
		return err
	}
	switch q.Get("format") {
	case "csv", "xlsx":
		f := tabular.Format(q.Get("format"))
		var buf bytes.Buffer
		if err := set.WriteCSV(&buf, f); err != nil {
			return err
		}
		ct := "text/csv; charset=utf-8"
		if f == tabular.XLSX {
			ct = web.XLSXType
		}
		return web.Download(w, ct, "values-"+set.DataSet+"-"+set.Period+"."+string(f), &buf)
	}
	return web.JSON(w, http.StatusOK, set)
}
