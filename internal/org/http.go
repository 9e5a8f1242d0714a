package org

import (
	"bytes"
	"embed"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/tabular"
	"dxhub/internal/platform/web"
)

//go:embed templates
var templates embed.FS

// Templates returns the room's page templates.
func Templates() fs.FS { t, _ := fs.Sub(templates, "templates"); return t }

// HTTP holds the room's handlers; the app lists their routes.
type HTTP struct {
	Svc  *Service
	Web  *web.Web
	Auth *auth.Service
}

// UnitsPage is the tree's root, or search results when ?q= is given.
func (h *HTTP) UnitsPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	data := map[string]any{"Q": q}
	if q != "" {
		found, err := h.Svc.SearchUnits(ctx, q, 50)
		if err != nil {
			return err
		}
		data["Results"] = found
		return h.Web.RenderFramed(w, r, http.StatusOK, "org/units", web.T(r, "units.search_title"), liveFrame, data)
	}
	nation, err := h.Svc.Nation(ctx)
	if err != nil {
		return err
	}
	kids, err := h.Svc.Children(ctx, nation.ID, "")
	if err != nil {
		return err
	}
	var provinces, others []*Unit
	for _, k := range kids {
		if k.Type == TypeProvince {
			provinces = append(provinces, k)
		} else {
			others = append(others, k)
		}
	}
	data["Nation"], data["Provinces"], data["Others"] = nation, provinces, others
	return h.Web.RenderFramed(w, r, http.StatusOK, "org/units", web.T(r, "units.title"), liveFrame, data)
}

// unitView gathers what a unit's page and its API show.
type unitView struct {
	Unit        *Unit       `json:"unit"`
	Ancestors   []*Unit     `json:"ancestors"`
	Children    []*Unit     `json:"children"`
	AsOf        string      `json:"as_of,omitempty"`
	PeopleCount int         `json:"people_count"`
	Successors  []*Unit     `json:"successors,omitempty"`
	Events      []Event     `json:"events"`
	Admins      []adminView `json:"admins,omitempty"`
	CanPeople   bool        `json:"-"`
	CanEdit     bool        `json:"-"`
	Types       []string    `json:"-"`
	FormError   *errs.Error `json:"-"`
	FormName    string      `json:"-"`
	// Shown is the page of Children the page lists (a province has over a
	// hundred communes: a phone should not scroll through all of them).
	Shown []*Unit        `json:"-"`
	Pager map[string]any `json:"-"`
}

// childrenPerPage is how many units below a unit page lists at once.
const childrenPerPage = 40

// paginate fills Shown and Pager from the page number in r.
func (v *unitView) paginate(r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(1, min(page, (len(v.Children)+childrenPerPage-1)/childrenPerPage))
	from := (page - 1) * childrenPerPage
	v.Shown = v.Children[from:min(from+childrenPerPage, len(v.Children))]
	v.Pager = map[string]any{"Current": page, "More": from+childrenPerPage < len(v.Children), "Query": r.URL.Query()}
}

type adminView struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

func (h *HTTP) unitView(r *http.Request) (*unitView, error) {
	ctx := r.Context()
	u, err := h.Svc.UnitByCode(ctx, r.PathValue("code"))
	if err != nil {
		return nil, err
	}
	v := &unitView{Unit: u, AsOf: r.URL.Query().Get("as_of")}
	if v.Ancestors, err = h.Svc.Ancestors(ctx, u); err != nil {
		return nil, err
	}
	if v.Children, err = h.Svc.Children(ctx, u.ID, v.AsOf); err != nil {
		return nil, err
	}
	if v.Children == nil {
		v.Children = []*Unit{}
	}
	if v.PeopleCount, err = h.Svc.PeopleCount(ctx, u); err != nil {
		return nil, err
	}
	if !u.Live() {
		if v.Successors, err = h.Svc.Successors(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	if v.Events, err = h.Svc.Events(ctx, u.ID); err != nil {
		return nil, err
	}
	if v.Events == nil {
		v.Events = []Event{}
	}
	// Who administers a unit is shown to signed-in users only.
	if p := auth.FromContext(ctx); p != nil {
		admins, err := h.Auth.AdminsOf(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range admins {
			v.Admins = append(v.Admins, adminView{Name: a.Name, Role: string(a.Role)})
		}
		v.CanPeople = p.Can(auth.ViewPeople, u.Path)
		v.CanEdit = u.Live() && p.Can(auth.EditUnits, u.Path)
		v.Types = UnitTypes[1:]
	}
	return v, nil
}

// UnitPage shows one unit.
func (h *HTTP) UnitPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.unitView(r)
	if err != nil {
		return err
	}
	v.paginate(r)
	return h.Web.RenderTitle(w, r, http.StatusOK, "org/unit", v.Unit.FullName(web.LangOf(r)), v)
}

// APIUnits searches units: GET /api/v1/units?q=TEXT (public).
func (h *HTTP) APIUnits(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query().Get("q")
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	var units []*Unit
	var err error
	if strings.TrimSpace(q) == "" {
		nation, err := h.Svc.Nation(r.Context())
		if err != nil {
			return err
		}
		units, err = h.Svc.Children(r.Context(), nation.ID, "")
		if err != nil {
			return err
		}
	} else if units, err = h.Svc.SearchUnits(r.Context(), q, limit); err != nil {
		return err
	}
	if units == nil {
		units = []*Unit{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"units": units})
}

// APIUnit returns a unit with its children: GET /api/v1/units/{code}.
func (h *HTTP) APIUnit(w http.ResponseWriter, r *http.Request) error {
	v, err := h.unitView(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, v)
}

func peopleFilter(r *http.Request) (PeopleFilter, error) {
	q := r.URL.Query()
	f := PeopleFilter{UnitCode: strings.TrimSpace(q.Get("unit")), Group: q.Get("group"), Q: q.Get("q")}
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return f, errs.Field("page", "error.param", "page", s)
		}
		f.Page = n
	}
	if s := q.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			return f, errs.Field("per_page", "error.param", "per_page", s)
		}
		f.PerPage = n
	}
	return f, nil
}

// PeoplePage lists people in the viewer's scope.
func (h *HTTP) PeoplePage(w http.ResponseWriter, r *http.Request) error {
	f, err := peopleFilter(r)
	if err != nil {
		return err
	}
	pg, err := h.Svc.ListPeople(r.Context(), f, h.Auth.ClientIP(r))
	if err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	return h.Web.Render(w, r, http.StatusOK, "org/people", "people.title", map[string]any{
		"Filter": f, "List": pg, "Groups": Groups, "Query": r.URL.Query(),
		"CanImport": p.CanAnywhere(auth.ImportPeople), "CanExport": p.CanAnywhere(auth.ExportPeople),
		"Pager": map[string]any{"Current": pg.Page, "More": pg.More, "Query": r.URL.Query()},
	})
}

// APIPeople lists people: GET /api/v1/people (sign-in or token required).
func (h *HTTP) APIPeople(w http.ResponseWriter, r *http.Request) error {
	f, err := peopleFilter(r)
	if err != nil {
		return err
	}
	pg, err := h.Svc.ListPeople(r.Context(), f, h.Auth.ClientIP(r))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, pg)
}

// PersonPage shows one person's record.
func (h *HTTP) PersonPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	per, err := h.Svc.Person(r.Context(), r.PathValue("id"), h.Auth.ClientIP(r))
	if err != nil {
		return err
	}
	return h.Web.RenderTitle(w, r, http.StatusOK, "org/person", per.FullName, per)
}

// APIPerson returns one person: GET /api/v1/people/{id}.
func (h *HTTP) APIPerson(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	per, err := h.Svc.Person(r.Context(), r.PathValue("id"), h.Auth.ClientIP(r))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, per)
}

// ImportForm shows the people import form.
func (h *HTTP) ImportForm(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.ImportPeople); err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "org/import", "people.import_title", map[string]any{})
}

const maxUpload = tabular.MaxBytes + 1<<20

// ImportSubmit takes an uploaded spreadsheet. Refused imports show every
// row error and change nothing.
func (h *HTTP) ImportSubmit(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.ImportPeople); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	file, _, err := r.FormFile("file")
	if err != nil {
		return h.Web.Render(w, r, http.StatusBadRequest, "org/import", "people.import_title", map[string]any{"Error": errs.Field("file", "error.param", "file", "-")})
	}
	defer file.Close()
	res, err := h.Svc.ImportPeople(r.Context(), file, h.Auth.ClientIP(r))
	if ie, ok := tabular.AsImportError(err); ok {
		return h.Web.Render(w, r, http.StatusUnprocessableEntity, "org/import", "people.import_title", map[string]any{"Import": ie, "Messages": ie.Messages(web.LangOf(r))})
	}
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.Web.Render(w, r, http.StatusBadRequest, "org/import", "people.import_title", map[string]any{"Error": e})
	}
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "org/import", "people.import_title", map[string]any{"Result": res})
}

// APIImport takes a spreadsheet as the request body (or a multipart "file"
// field): POST /api/v1/people/import.
func (h *HTTP) APIImport(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.ImportPeople); err != nil {
		return err
	}
	body, err := web.Sheet(w, r, maxUpload)
	if err != nil {
		return err
	}
	defer body.Close()
	res, err := h.Svc.ImportPeople(r.Context(), body, h.Auth.ClientIP(r))
	if ie, ok := tabular.AsImportError(err); ok {
		return web.ImportRefused(w, r, ie)
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, res)
}

// Export downloads the people list as CSV or XLSX with the list's filters.
func (h *HTTP) Export(w http.ResponseWriter, r *http.Request) error {
	f, err := peopleFilter(r)
	if err != nil {
		return err
	}
	format := tabular.CSV
	switch r.URL.Query().Get("format") {
	case "", "csv":
	case "xlsx":
		format = tabular.XLSX
	default:
		return errs.Field("format", "error.param", "format", r.URL.Query().Get("format"))
	}
	var buf bytes.Buffer
	if err := h.Svc.ExportPeople(r.Context(), &buf, format, f, web.LangOf(r), h.Auth.ClientIP(r)); err != nil {
		return err
	}
	ct := "text/csv; charset=utf-8"
	if format == tabular.XLSX {
		ct = web.XLSXType
	}
	return web.Download(w, ct, "people."+string(format), &buf)
}

// liveFrame loads the script that refreshes search results as people type.
var liveFrame = web.Frame{Scripts: []string{"live-1.js"}}
