package monitor

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/tabular"
	"dxhub/internal/platform/web"
)

// APIElements lists the data elements: GET /api/v1/monitoring/elements.
func (h *HTTP) APIElements(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.ViewMonitoring); err != nil {
		return err
	}
	es, err := h.Svc.Elements(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"elements": nonNil(es)})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// APISaveElement creates or changes a data element.
func (h *HTTP) APISaveElement(w http.ResponseWriter, r *http.Request) error {
	var in Element
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	e, err := h.Svc.SaveElement(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, e)
}

// APIIndicators lists the indicators.
func (h *HTTP) APIIndicators(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.ViewMonitoring); err != nil {
		return err
	}
	is, err := h.Svc.Indicators(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"indicators": nonNil(is)})
}

// APISaveIndicator creates or changes an indicator.
func (h *HTTP) APISaveIndicator(w http.ResponseWriter, r *http.Request) error {
	var in Indicator
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	ind, err := h.Svc.SaveIndicator(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, ind)
}

// APITargets lists targets under ?unit=.
func (h *HTTP) APITargets(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.Svc.Targets(r.Context(), r.URL.Query().Get("unit"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"targets": nonNil(ts)})
}

// APISetTarget stores one target.
func (h *HTTP) APISetTarget(w http.ResponseWriter, r *http.Request) error {
	var t Target
	if err := web.DecodeJSON(r, &t); err != nil {
		return err
	}
	if t.Kind == "" {
		t.Kind = KindTarget
	}
	if err := h.Svc.SetTarget(r.Context(), t); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, t)
}

// APIImportTargets takes a targets CSV or XLSX as the body.
func (h *HTTP) APIImportTargets(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.ManageTargets); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	res, err := h.Svc.ImportTargets(r.Context(), r.Body)
	if ie, ok := tabular.AsImportError(err); ok {
		return web.ImportRefused(w, r, ie)
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, res)
}

// APIDashboard is a unit's dashboard as data.
func (h *HTTP) APIDashboard(w http.ResponseWriter, r *http.Request) error {
	d, err := h.dashboard(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

// APIRankings ranks the units below ?unit=.
func (h *HTTP) APIRankings(w http.ResponseWriter, r *http.Request) error {
	rk, err := h.rank(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, rk)
}

// APIIndex scores the units below ?unit= on a composite index.
func (h *HTTP) APIIndex(w http.ResponseWriter, r *http.Request) error {
	o, err := options(r)
	if err != nil {
		return err
	}
	res, err := h.Svc.Index(r.Context(), r.PathValue("code"), r.URL.Query().Get("unit"), o)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, res)
}

// APISaveIndex stores a composite index: PUT with {"pillars": [...]}.
func (h *HTTP) APISaveIndex(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Pillars []*IndexNode `json:"pillars"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.Svc.SaveIndex(r.Context(), r.PathValue("code"), in.Pillars); err != nil {
		return err
	}
	nodes, err := h.Svc.IndexTree(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"code": r.PathValue("code"), "pillars": nodes})
}

// APIPublic is the public national progress.
func (h *HTTP) APIPublic(w http.ResponseWriter, r *http.Request) error {
	d, err := h.Svc.Public(r.Context(), 0)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

// APIDatasets lists the data sets.
func (h *HTTP) APIDatasets(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	ds, err := h.Svc.Datasets(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"datasets": nonNil(ds)})
}

// APISaveDataset creates or replaces a data set.
func (h *HTTP) APISaveDataset(w http.ResponseWriter, r *http.Request) error {
	var in Dataset
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	d, err := h.Svc.SaveDataset(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

// APICompleteness is completeness and timeliness as data.
func (h *HTTP) APICompleteness(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.Completeness(r.Context(), r.PathValue("dataset"), r.URL.Query().Get("unit"), r.URL.Query().Get("period"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

// APIReport reads a report.
func (h *HTTP) APIReport(w http.ResponseWriter, r *http.Request) error {
	rep, err := h.Svc.Report(r.Context(), r.PathValue("dataset"), r.PathValue("unit"), r.PathValue("period"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, rep)
}

// APISaveReport saves or submits a report: PUT with {"values": {...},
// "comment": "...", "submit": true}. Bad values answer 422 with each
// field's message.
func (h *HTTP) APISaveReport(w http.ResponseWriter, r *http.Request) error {
	var in Entry
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	rep, warn, err := h.Svc.SaveReport(r.Context(), r.PathValue("dataset"), r.PathValue("unit"), r.PathValue("period"), in)
	if ve := (*ValidationError)(nil); errors.As(err, &ve) {
		lang := web.LangOf(r)
		fields := map[string]string{}
		for k, fe := range ve.Fields {
			fields[k] = web.T(r, fe.Key, fe.Args...)
		}
		var body web.ErrorBody
		body.Error.Code, body.Error.RequestID = errs.Invalid, web.RequestID(r.Context())
		body.Error.Message = strings.Join(ve.Messages(lang), "; ")
		return web.JSON(w, http.StatusUnprocessableEntity, map[string]any{"error": body.Error, "fields": fields, "rules": ve.Messages(lang)[len(ve.Fields):]})
	}
	if err != nil {
		return err
	}
	msgs := []string{}
	for _, f := range warn {
		msgs = append(msgs, (&ValidationError{Rules: []RuleFailure{f}}).Messages(web.LangOf(r))...)
	}
	return web.JSON(w, http.StatusOK, map[string]any{"report": rep, "warnings": msgs})
}

// APIReview approves, returns or un-approves: {"action": "approve", "comment": ""}.
func (h *HTTP) APIReview(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Action  string `json:"action"`
		Comment string `json:"comment"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	rep, err := h.Svc.Review(r.Context(), r.PathValue("dataset"), r.PathValue("unit"), r.PathValue("period"), in.Action, in.Comment)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, rep)
}

// APIImportValues takes DHIS2 dataValueSets JSON, or CSV/XLSX, as the
// body; ?submit=1 submits the reports.
func (h *HTTP) APIImportValues(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	set, err := readValues(r.Body, r.Header.Get("Content-Type"))
	if err != nil {
		return err
	}
	res, err := h.Svc.ImportValues(r.Context(), set, r.URL.Query().Get("submit") == "1")
	if ie, ok := tabular.AsImportError(err); ok {
		// dxhub's refusal, with DHIS2's import summary beside it: nothing
		// imported, each refused value a conflict.
		lang := web.LangOf(r)
		type rowErr struct {
			Row     int    `json:"row"`
			Column  string `json:"column,omitempty"`
			Message string `json:"message"`
		}
		rows := make([]rowErr, len(ie.Errors))
		conflicts := make([]Conflict, len(ie.Errors))
		for i, e := range ie.Errors {
			rows[i] = rowErr{e.Row, e.Column, e.Message(lang)}
			conflicts[i] = Conflict{Object: fmt.Sprintf("dataValues[%d].%s", e.Row-1, e.Column), Value: e.Message(lang)}
		}
		var body web.ErrorBody
		body.Error.Code, body.Error.Message, body.Error.RequestID = errs.Invalid, web.T(r, "import.refused", len(rows)), web.RequestID(r.Context())
		return web.JSON(w, http.StatusUnprocessableEntity, map[string]any{"error": body.Error, "rows": rows, "truncated": ie.Truncated,
			"status": "ERROR", "importCount": ImportCount{Ignored: len(set.DataValues)}, "conflicts": conflicts})
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, res)
}
