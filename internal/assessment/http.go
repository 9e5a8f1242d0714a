package assessment

import (
	"bytes"
	"embed"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/web"
	"dxhub/internal/skills"
)

//go:embed templates
var templates embed.FS

// Templates returns the room's pages.
func Templates() fs.FS { t, _ := fs.Sub(templates, "templates"); return t }

// HTTP holds the room's handlers.
type HTTP struct {
	Bank *Bank
	Web  *web.Web
}

// DefaultStandard is the standard new items are tagged to unless the form
// names another.
const DefaultStandard = "VN-DSF"

func (h *HTTP) standard(r *http.Request) (*skills.Standard, error) {
	code, ver := DefaultStandard, 0
	if s := r.FormValue("standard"); s != "" {
		c, v, _ := strings.Cut(s, "/")
		code = c
		ver, _ = strconv.Atoi(v)
	}
	if ver == 0 {
		return h.Bank.Skills.Latest(r.Context(), code)
	}
	return h.Bank.Skills.Get(r.Context(), code, ver)
}

// ListPage is the bank with filters and bulk actions.
func (h *HTTP) ListPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := Filter{StandardCode: q.Get("standard_code"), Competence: q.Get("competence"), Type: q.Get("type"), Status: q.Get("status"), Q: q.Get("q"), Flagged: q.Get("flagged") != ""}
	f.Level, _ = strconv.Atoi(q.Get("level"))
	f.Page, _ = strconv.Atoi(q.Get("page"))
	page, err := h.Bank.List(r.Context(), f)
	if err != nil {
		return err
	}
	data := map[string]any{"Page": page, "F": f, "Types": Types, "Statuses": Statuses, "Query": q,
		"Pager": map[string]any{"Current": page.Page, "More": page.More, "Query": q}}
	if moved := q.Get("moved"); moved != "" {
		data["Moved"], data["Failed"] = moved, q.Get("failed")
	}
	return h.Web.Render(w, r, http.StatusOK, "assessment/items", "items.title", data)
}

// APIList: GET /api/v1/items.
func (h *HTTP) APIList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := Filter{StandardCode: q.Get("standard_code"), Competence: q.Get("competence"), Type: q.Get("type"), Status: q.Get("status"), Q: q.Get("q")}
	if s := q.Get("level"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 8 {
			return errs.Field("level", "items.bad_level")
		}
		f.Level = n
	}
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return errs.Field("page", "error.param", "page", s)
		}
		f.Page = n
	}
	page, err := h.Bank.List(r.Context(), f)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, page)
}

func (h *HTTP) form(w http.ResponseWriter, r *http.Request, status int, it *Item, f ItemForm, formErr *errs.Error) error {
	st, err := h.standard(r)
	if err != nil {
		return err
	}
	title := "items.new"
	if it != nil {
		title = "items.edit"
	}
	// The form writes an item of one question; a composite item's parts
	// and a point item's picture come from QTI or the API, and their form
	// changes the rest.
	var types []string
	for _, t := range Types {
		if t != Composite && t != Point { // a picture's points come from QTI
			types = append(types, t)
		}
	}
	if it != nil && (it.Body.Type == Composite || it.Body.Type == Point) {
		types = []string{it.Body.Type}
	}
	return h.Web.Render(w, r, status, "assessment/item_form", title, map[string]any{"Item": it, "F": f, "S": st, "Types": types, "Error": formErr,
		"Levels": []int{1, 2, 3, 4, 5, 6, 7, 8}})
}

// NewForm shows an empty authoring form.
func (h *HTTP) NewForm(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.AuthorContent); err != nil {
		return err
	}
	return h.form(w, r, http.StatusOK, nil, ItemForm{Type: Single, Level: "1", Mode: AllOrNothing, MaxScore: "1"}, nil)
}

// Create handles the authoring form.
func (h *HTTP) Create(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.AuthorContent); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	st, err := h.standard(r)
	if err != nil {
		return err
	}
	f := FormOf(r.PostForm)
	in, err := f.Input(st.Code, st.Version)
	in.UnitCode = r.PostForm.Get("unit_code")
	var it *Item
	if err == nil {
		it, err = h.Bank.Create(r.Context(), in)
	}
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.form(w, r, http.StatusBadRequest, nil, f, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/items/"+it.ID, http.StatusSeeOther)
	return nil
}

// EditForm shows an item in the authoring form.
func (h *HTTP) EditForm(w http.ResponseWriter, r *http.Request) error {
	it, err := h.Bank.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.form(w, r, http.StatusOK, it, FormFor(it), nil)
}

// Update saves the authoring form as a new version.
func (h *HTTP) Update(w http.ResponseWriter, r *http.Request) error {
	it, err := h.Bank.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	f := FormOf(r.PostForm)
	in, err := f.Input(it.StandardCode, it.StandardVersion)
	if err == nil && it.Body.Rules != nil && in.Body.Type == it.Body.Type {
		// An imported item's own rules outlive a change of wording; the
		// form cannot show them, so it cannot be asked to keep them.
		in.Body.Rules, in.Body.Mode, in.Body.Map, in.Body.Template = it.Body.Rules, AllOrNothing, nil, it.Body.Template
		in.Body.QTIPairs, in.Body.Language = it.Body.QTIPairs, it.Body.Language
	}
	if err == nil && it.Body.Type == in.Body.Type && it.Body.Picture != nil {
		// A graphic item's areas are its options: the form changes its
		// text, not the areas or what is right.
		ob := it.Body
		in.Body.Options, in.Body.Targets, in.Body.Correct, in.Body.Picture, in.Body.QTIPairs = ob.Options, ob.Targets, ob.Correct, ob.Picture, ob.QTIPairs
		in.Body.Mode, in.Body.Map, in.Body.MapBounds, in.Body.MapDefault, in.Body.MapLower, in.Body.MapUpper = ob.Mode, ob.Map, ob.MapBounds, ob.MapDefault, ob.MapLower, ob.MapUpper
		in.Body.MinChoices, in.Body.MaxChoices, in.Body.MaxScore = ob.MinChoices, ob.MaxChoices, ob.MaxScore
	}
	if err == nil && it.Body.Type == Essay && in.Body.Type == Essay {
		in.Body.ExpectedLength = it.Body.ExpectedLength
	}
	if err == nil && it.Body.Type == Composite && in.Body.Type == Composite {
		// Likewise a composite item's parts: the form changes its text.
		in.Body.Parts, in.Body.Mode, in.Body.Map = it.Body.Parts, AllOrNothing, nil
		if in.Body.Rules != nil {
			in.Body.MaxScore = it.Body.MaxScore
		}
	}
	if err == nil {
		_, err = h.Bank.Update(r.Context(), it.ID, in)
	}
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.form(w, r, http.StatusBadRequest, it, f, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/items/"+it.ID, http.StatusSeeOther)
	return nil
}

// ItemPage shows an item: its metadata, the candidate's view and the
// workflow buttons. ?version=N shows an older version.
func (h *HTTP) ItemPage(w http.ResponseWriter, r *http.Request) error {
	it, err := h.Bank.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	shown := it
	if v, _ := strconv.Atoi(r.URL.Query().Get("version")); v > 0 && v != it.Version {
		if shown, err = h.Bank.Version(r.Context(), it.ID, v); err != nil {
			return err
		}
	}
	p := auth.FromContext(r.Context())
	drawn := shown.Body.Instance(1) // an item with a template: one draw of its variables
	view := CandidateView(&drawn, rand.New(rand.NewPCG(1, 2)))
	return h.Web.Render(w, r, http.StatusOK, "assessment/item", "items.item", map[string]any{
		"Item": it, "Shown": shown, "Drawn": drawn, "View": view, "Answer": answerStateOf(view, nil), "Right": answerText(&drawn, drawn.CorrectResponse()),
		"CanReview": p.AccountID != it.AuthorID && p.AccountID != it.EditorID, "Versions": versionList(it.Version)})
}

func versionList(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = n - i
	}
	return out
}

// Transition applies a workflow action from a button.
func (h *HTTP) Transition(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	if _, err := h.Bank.Transition(r.Context(), r.PathValue("id"), r.PathValue("action"), r.PostForm.Get("note")); err != nil {
		return err
	}
	http.Redirect(w, r, "/items/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

// Bulk applies an action to the items ticked in the list.
func (h *HTTP) Bulk(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.AuthorContent); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	ids := r.PostForm["id"]
	if len(ids) == 0 || len(ids) > 500 {
		return errs.Field("id", "items.none_selected")
	}
	moved, failed := h.Bank.Bulk(r.Context(), r.PostForm.Get("action"), ids, r.PostForm.Get("note"))
	http.Redirect(w, r, "/items?moved="+strconv.Itoa(moved)+"&failed="+strconv.Itoa(len(failed)), http.StatusSeeOther)
	return nil
}

// APIGet: GET /api/v1/items/{id}.
func (h *HTTP) APIGet(w http.ResponseWriter, r *http.Request) error {
	it, err := h.Bank.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, it)
}

// APICreate: POST /api/v1/items.
func (h *HTTP) APICreate(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	var in ItemInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	it, err := h.Bank.Create(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, it)
}

// APIUpdate: PUT /api/v1/items/{id}.
func (h *HTTP) APIUpdate(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	var in ItemInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	it, err := h.Bank.Update(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, it)
}

// APITransition: POST /api/v1/items/{id}/{action} with {"note": "..."}.
func (h *HTTP) APITransition(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if r.ContentLength > 0 {
		if err := web.DecodeJSON(r, &in); err != nil {
			return err
		}
	}
	it, err := h.Bank.Transition(r.Context(), r.PathValue("id"), r.PathValue("action"), in.Note)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, it)
}

// QTIForm shows the QTI import form.
func (h *HTTP) QTIForm(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.AuthorContent); err != nil {
		return err
	}
	st, err := h.standard(r)
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "assessment/qti", "qti.import", map[string]any{"S": st, "Levels": []int{1, 2, 3, 4, 5, 6, 7, 8}})
}

func (h *HTTP) qtiDefaults(r *http.Request, st *skills.Standard) QTIDefaults {
	level, _ := strconv.Atoi(r.FormValue("level"))
	return QTIDefaults{StandardCode: st.Code, StandardVersion: st.Version, Competence: r.FormValue("competence"), Level: level, UnitCode: r.FormValue("unit_code")}
}

// asQTIImportError finds a *QTIImportError through any wrapping.
func asQTIImportError(err error) (*QTIImportError, bool) {
	var qe *QTIImportError
	ok := errors.As(err, &qe)
	return qe, ok
}

// QTIImport takes a package or an item file from the form.
func (h *HTTP) QTIImport(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.AuthorContent); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<20)
	st, err := h.standard(r)
	if err != nil {
		return err
	}
	data := map[string]any{"S": st, "Levels": []int{1, 2, 3, 4, 5, 6, 7, 8}}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		data["Error"] = errs.Field("file", "error.param", "file", "-")
		return h.Web.Render(w, r, http.StatusBadRequest, "assessment/qti", "qti.import", data)
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	items, err := h.Bank.ImportQTI(r.Context(), hdr.Filename, raw, h.qtiDefaults(r, st))
	if qe, ok := asQTIImportError(err); ok {
		data["Messages"] = qe.Messages(web.LangOf(r))
		return h.Web.Render(w, r, http.StatusUnprocessableEntity, "assessment/qti", "qti.import", data)
	}
	if err != nil {
		return err
	}
	data["Imported"] = len(items)
	return h.Web.Render(w, r, http.StatusOK, "assessment/qti", "qti.import", data)
}

// QTIExport downloads the listed items (the list's filters, at most 1,000)
// as a QTI 3.0 package.
func (h *HTTP) QTIExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := Filter{StandardCode: q.Get("standard_code"), Competence: q.Get("competence"), Type: q.Get("type"), Status: q.Get("status"), Q: q.Get("q")}
	var ids []string
	for page := 1; page <= 20; page++ {
		f.Page = page
		pg, err := h.Bank.List(r.Context(), f)
		if err != nil {
			return err
		}
		for _, it := range pg.Items {
			ids = append(ids, it.ID)
		}
		if !pg.More {
			break
		}
	}
	var buf bytes.Buffer
	if err := h.Bank.ExportQTI(r.Context(), &buf, ids); err != nil {
		return err
	}
	return web.Download(w, "application/zip", "dxhub-items-qti3.zip", &buf)
}

// APIQTIImport: POST /api/v1/items/qti (body: package or item; query:
// competence, level, unit_code, standard defaults).
func (h *HTTP) APIQTIImport(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	// The body is the package or the item whatever its declared type
	// (curl --data-binary says application/x-www-form-urlencoded): it is
	// read before anything parses it as a form, and the parameters come
	// from the query. A multipart form's "file" field is taken as well.
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<20))
	if err != nil {
		return errs.Field("body", "error.too_large", 64)
	}
	name := r.URL.Query().Get("filename")
	if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		mr := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
		form, err := mr.ReadForm(64 << 20)
		if err != nil || len(form.File["file"]) == 0 {
			return errs.Field("file", "error.param", "file", "-")
		}
		defer form.RemoveAll()
		fh := form.File["file"][0]
		f, err := fh.Open()
		if err != nil {
			return err
		}
		raw, err = io.ReadAll(f)
		f.Close()
		if err != nil {
			return err
		}
		if name == "" {
			name = fh.Filename
		}
	}
	r.Body, r.Form, r.PostForm = http.NoBody, r.URL.Query(), url.Values{}
	st, err := h.standard(r)
	if err != nil {
		return err
	}
	items, err := h.Bank.ImportQTI(r.Context(), name, raw, h.qtiDefaults(r, st))
	if qe, ok := asQTIImportError(err); ok {
		var body web.ErrorBody
		body.Error.Code, body.Error.Message, body.Error.RequestID = errs.Invalid, web.T(r, "import.refused", len(qe.Errors)), web.RequestID(r.Context())
		return web.JSON(w, http.StatusUnprocessableEntity, map[string]any{"error": body.Error, "problems": qe.Messages(web.LangOf(r))})
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, map[string]any{"items": items})
}
