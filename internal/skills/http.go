package skills

import (
	"bytes"
	"embed"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/search"
	"dxhub/internal/platform/tabular"
	"dxhub/internal/platform/web"
)

//go:embed templates
var templates embed.FS

// Templates returns the room's pages.
func Templates() fs.FS { t, _ := fs.Sub(templates, "templates"); return t }

// HTTP holds the room's handlers.
type HTTP struct {
	Svc *Service
	Web *web.Web
	// Search gives competence search its synonyms.
	Search *search.Service
}

// found runs a competence search for the request's q.
func (h *HTTP) found(r *http.Request) (string, []Found, error) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	syn, err := h.Search.Synonyms(r.Context())
	if err != nil {
		return q, nil, err
	}
	found, err := h.Svc.SearchCompetences(r.Context(), q, syn, 30)
	return q, found, err
}

// APISearch finds competences: GET /api/v1/skills/search?q=.
func (h *HTTP) APISearch(w http.ResponseWriter, r *http.Request) error {
	_, found, err := h.found(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"competences": found})
}

func (h *HTTP) canAuthor(r *http.Request) bool {
	_, err := h.Svc.authorize(r.Context())
	return err == nil
}

func version(r *http.Request) (string, int, error) {
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v < 1 {
		return "", 0, errs.Field("version", "error.param", "version", r.PathValue("version"))
	}
	return r.PathValue("code"), v, nil
}

// ListPage lists the standards; authors also see drafts.
func (h *HTTP) ListPage(w http.ResponseWriter, r *http.Request) error {
	author := h.canAuthor(r)
	list, err := h.Svc.List(r.Context(), author)
	if err != nil {
		return err
	}
	q, found, err := h.found(r)
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "skills/list", "skills.title", map[string]any{"List": list, "CanAuthor": author, "Q": q, "Found": found})
}

// StandardPage shows a version: areas, competences and tiers.
func (h *HTTP) StandardPage(w http.ResponseWriter, r *http.Request) error {
	code, v, err := version(r)
	if err != nil {
		return err
	}
	st, err := h.Svc.Get(r.Context(), code, v)
	if err != nil {
		return err
	}
	if st.Status == Draft && !h.canAuthor(r) {
		return errs.E(errs.NotFound, "skills.not_found", code, v)
	}
	return h.Web.RenderTitle(w, r, http.StatusOK, "skills/standard", st.Name(web.LangOf(r)), map[string]any{"S": st, "Tiers": Tiers, "CanAuthor": h.canAuthor(r)})
}

// NewVersion copies a version into a new draft.
func (h *HTTP) NewVersion(w http.ResponseWriter, r *http.Request) error {
	code, v, err := version(r)
	if err != nil {
		return err
	}
	st, err := h.Svc.NewVersion(r.Context(), code, v)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/skills/"+st.Ref(), http.StatusSeeOther)
	return nil
}

// Publish publishes a draft.
func (h *HTTP) Publish(w http.ResponseWriter, r *http.Request) error {
	code, v, err := version(r)
	if err != nil {
		return err
	}
	if err := h.Svc.Publish(r.Context(), code, v); err != nil {
		return err
	}
	http.Redirect(w, r, "/skills/"+code+"/"+strconv.Itoa(v), http.StatusSeeOther)
	return nil
}

// EditForm shows a draft competence's text.
func (h *HTTP) EditForm(w http.ResponseWriter, r *http.Request) error {
	return h.edit(w, r, http.StatusOK, nil)
}

func (h *HTTP) edit(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error) error {
	if _, err := h.Svc.authorize(r.Context()); err != nil {
		return err
	}
	code, v, err := version(r)
	if err != nil {
		return err
	}
	st, err := h.Svc.Get(r.Context(), code, v)
	if err != nil {
		return err
	}
	c, ok := st.Competence(r.PathValue("comp"))
	if !ok {
		return errs.E(errs.NotFound, "skills.no_competence", r.PathValue("comp"))
	}
	tvi, ten := append([]string(nil), c.TiersVI...), append([]string(nil), c.TiersEN...)
	for len(tvi) < len(Tiers) {
		tvi = append(tvi, "")
	}
	for len(ten) < len(Tiers) {
		ten = append(ten, "")
	}
	return h.Web.Render(w, r, status, "skills/edit", "skills.edit_title", map[string]any{"S": st, "C": c, "TiersVI": tvi, "TiersEN": ten, "Tiers": Tiers, "Error": formErr})
}

// EditSubmit saves a draft competence's text.
func (h *HTTP) EditSubmit(w http.ResponseWriter, r *http.Request) error {
	code, v, err := version(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	f := r.PostForm
	e := CompetenceEdit{NameVI: f.Get("name_vi"), NameEN: f.Get("name_en"), DescriptionVI: f.Get("description_vi"), DescriptionEN: f.Get("description_en"),
		TiersVI: f["tier_vi"], TiersEN: f["tier_en"]}
	if strings.Join(e.TiersEN, "") == "" {
		e.TiersEN = nil
	}
	err = h.Svc.EditCompetence(r.Context(), code, v, r.PathValue("comp"), e)
	if fe, ok := errs.As(err); ok && fe.Code == errs.Invalid {
		return h.edit(w, r, http.StatusBadRequest, fe)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/skills/"+code+"/"+strconv.Itoa(v)+"#c-"+r.PathValue("comp"), http.StatusSeeOther)
	return nil
}

// Export downloads a version as JSON, CSV or XLSX.
func (h *HTTP) Export(w http.ResponseWriter, r *http.Request) error {
	code, v, err := version(r)
	if err != nil {
		return err
	}
	st, err := h.Svc.Get(r.Context(), code, v)
	if err != nil {
		return err
	}
	if st.Status == Draft && !h.canAuthor(r) {
		return errs.E(errs.NotFound, "skills.not_found", code, v)
	}
	var buf bytes.Buffer
	format := r.PathValue("format")
	ct := "application/json"
	switch format {
	case "json":
		err = h.Svc.ExportJSON(r.Context(), &buf, code, v)
	case "csv":
		ct = "text/csv; charset=utf-8"
		err = h.Svc.ExportCSV(r.Context(), &buf, tabular.CSV, code, v)
	case "xlsx":
		ct = web.XLSXType
		err = h.Svc.ExportCSV(r.Context(), &buf, tabular.XLSX, code, v)
	default:
		return errs.Field("format", "error.param", "format", format)
	}
	if err != nil {
		return err
	}
	return web.Download(w, ct, code+"-"+strconv.Itoa(v)+"."+format, &buf)
}

// ImportForm and ImportSubmit import a standard from a file.
func (h *HTTP) ImportForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.Svc.authorize(r.Context()); err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "skills/import", "skills.import", map[string]any{})
}

func (h *HTTP) ImportSubmit(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.Svc.authorize(r.Context()); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, tabular.MaxBytes)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return h.Web.Render(w, r, http.StatusBadRequest, "skills/import", "skills.import", map[string]any{"Error": errs.Field("file", "error.param", "file", "-")})
	}
	defer file.Close()
	var st *Standard
	if strings.HasSuffix(strings.ToLower(hdr.Filename), ".json") {
		st, err = h.Svc.ImportJSON(r.Context(), file)
	} else {
		ver, _ := strconv.Atoi(r.FormValue("version"))
		choose, _ := strconv.Atoi(r.FormValue("advanced_choose"))
		st, err = h.Svc.ImportCSV(r.Context(), file, Standard{Code: r.FormValue("code"), Version: ver, Kind: r.FormValue("kind"),
			NameVI: r.FormValue("name_vi"), NameEN: r.FormValue("name_en"), AdvancedChoose: choose})
	}
	if ie, ok := tabular.AsImportError(err); ok {
		return h.Web.Render(w, r, http.StatusUnprocessableEntity, "skills/import", "skills.import", map[string]any{"Import": ie, "Messages": ie.Messages(web.LangOf(r))})
	}
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.Web.Render(w, r, http.StatusBadRequest, "skills/import", "skills.import", map[string]any{"Error": e})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/skills/"+st.Ref(), http.StatusSeeOther)
	return nil
}

// APIList lists published standards (and drafts for authors): GET /api/v1/skills.
func (h *HTTP) APIList(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Svc.List(r.Context(), h.canAuthor(r))
	if err != nil {
		return err
	}
	for i := range list {
		list[i].Areas = []Area{}
	}
	if list == nil {
		list = []Standard{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"standards": list})
}

// APIGet returns one version with areas and competences.
func (h *HTTP) APIGet(w http.ResponseWriter, r *http.Request) error {
	code, v, err := version(r)
	if err != nil {
		return err
	}
	st, err := h.Svc.Get(r.Context(), code, v)
	if err != nil {
		return err
	}
	if st.Status == Draft && !h.canAuthor(r) {
		return errs.E(errs.NotFound, "skills.not_found", code, v)
	}
	return web.JSON(w, http.StatusOK, st)
}

// APIImport stores a standard from JSON: POST /api/v1/skills.
func (h *HTTP) APIImport(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	st, err := h.Svc.ImportJSON(r.Context(), http.MaxBytesReader(w, r.Body, 8<<20))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, st)
}

// APINewVersion: POST /api/v1/skills/{code}/{version}/versions.
func (h *HTTP) APINewVersion(w http.ResponseWriter, r *http.Request) error {
	code, v, err := version(r)
	if err != nil {
		return err
	}
	st, err := h.Svc.NewVersion(r.Context(), code, v)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, st)
}

// APIPublish: POST /api/v1/skills/{code}/{version}/publish.
func (h *HTTP) APIPublish(w http.ResponseWriter, r *http.Request) error {
	code, v, err := version(r)
	if err != nil {
		return err
	}
	if err := h.Svc.Publish(r.Context(), code, v); err != nil {
		return err
	}
	st, err := h.Svc.Get(r.Context(), code, v)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, st)
}

// APIEditCompetence: PUT /api/v1/skills/{code}/{version}/competences/{comp}.
func (h *HTTP) APIEditCompetence(w http.ResponseWriter, r *http.Request) error {
	code, v, err := version(r)
	if err != nil {
		return err
	}
	var e CompetenceEdit
	if err := web.DecodeJSON(r, &e); err != nil {
		return err
	}
	if err := h.Svc.EditCompetence(r.Context(), code, v, r.PathValue("comp"), e); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
