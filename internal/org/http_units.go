package org

import (
	"net/http"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/web"
)

func splitCodes(s string) []string {
	var out []string
	for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		out = append(out, strings.TrimSpace(c))
	}
	return out
}

// renderUnitWithError shows the unit page again with a form error.
func (h *HTTP) renderUnitWithError(w http.ResponseWriter, r *http.Request, e *errs.Error, form string) error {
	v, err := h.unitView(r)
	if err != nil {
		return err
	}
	v.FormError, v.FormName = e, form
	v.paginate(r)
	return h.Web.RenderTitle(w, r, web.Status(e.Code), "org/unit", v.Unit.FullName(web.LangOf(r)), v)
}

// AddChild creates a unit under the unit in the path (form).
func (h *HTTP) AddChild(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	f := r.PostForm
	n := NewUnit{Code: f.Get("code"), Type: f.Get("type"), NameVI: f.Get("name_vi"), NameEN: f.Get("name_en"),
		FullNameVI: f.Get("full_name_vi"), FullNameEN: f.Get("full_name_en"), ParentCode: r.PathValue("code"), ValidFrom: f.Get("valid_from"),
		Classes: splitCodes(f.Get("classes"))}
	u, err := h.Svc.CreateUnit(r.Context(), n)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.renderUnitWithError(w, r, e, "child")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/units/"+u.Code, http.StatusSeeOther)
	return nil
}

// RecordChange records a change by resolution on the unit in the path.
func (h *HTTP) RecordChange(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	f := r.PostForm
	c := Change{Kind: f.Get("kind"), From: []string{r.PathValue("code")}, Into: splitCodes(f.Get("into")), NewCode: f.Get("new_code"),
		NewNameVI: f.Get("new_name_vi"), NewNameEN: f.Get("new_name_en"), Effective: f.Get("effective"), Resolution: f.Get("resolution"), Note: f.Get("note")}
	_, err := h.Svc.ApplyChange(r.Context(), c)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.renderUnitWithError(w, r, e, "change")
	}
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	if c.Kind == EventRecode {
		code = strings.TrimSpace(c.NewCode)
	}
	http.Redirect(w, r, "/units/"+code, http.StatusSeeOther)
	return nil
}

// APICreateUnit creates a unit: POST /api/v1/units.
func (h *HTTP) APICreateUnit(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	var in NewUnit
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	u, err := h.Svc.CreateUnit(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, u)
}

// APIRecordChange records a change by resolution: POST /api/v1/units/{code}/changes.
func (h *HTTP) APIRecordChange(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	var in struct {
		Kind       string   `json:"kind"`
		Into       []string `json:"into"`
		NewCode    string   `json:"new_code"`
		NewNameVI  string   `json:"new_name_vi"`
		NewNameEN  string   `json:"new_name_en"`
		Effective  string   `json:"effective"`
		Resolution string   `json:"resolution"`
		Note       string   `json:"note"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	ev, err := h.Svc.ApplyChange(r.Context(), Change{Kind: in.Kind, From: []string{r.PathValue("code")}, Into: in.Into, NewCode: in.NewCode,
		NewNameVI: in.NewNameVI, NewNameEN: in.NewNameEN, Effective: in.Effective, Resolution: in.Resolution, Note: in.Note})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, ev)
}
