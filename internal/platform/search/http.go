package search

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/web"
)

//go:embed templates
var templates embed.FS

// Templates returns the synonym editor's page.
func Templates() fs.FS { t, _ := fs.Sub(templates, "templates"); return t }

// HTTP serves the synonym editor (national administrators) and its API;
// the app lists the routes.
type HTTP struct {
	Svc *Service
	Web *web.Web
}

// SynonymsPage lists the groups with a form to add one: GET /admin/synonyms.
func (h *HTTP) SynonymsPage(w http.ResponseWriter, r *http.Request) error {
	return h.page(w, r, http.StatusOK, map[string]any{})
}

func (h *HTTP) page(w http.ResponseWriter, r *http.Request, status int, data map[string]any) error {
	groups, err := h.Svc.SynonymGroups(r.Context())
	if err != nil {
		return err
	}
	data["Groups"] = groups
	return h.Web.Render(w, r, status, "search/synonyms", "search.synonyms_title", data)
}

// formGroup reads a group from a form: phrases one per line or
// separated by |.
func formGroup(r *http.Request) *SynonymGroup {
	phrases := strings.FieldsFunc(r.FormValue("phrases"), func(c rune) bool { return c == '\n' || c == '|' })
	return &SynonymGroup{ID: r.PathValue("id"), Phrases: phrases, Note: r.FormValue("note")}
}

// SaveSynonyms adds (POST /admin/synonyms) or changes (POST
// /admin/synonyms/{id}) a group.
func (h *HTTP) SaveSynonyms(w http.ResponseWriter, r *http.Request) error {
	g := formGroup(r)
	err := h.Svc.SaveSynonyms(r.Context(), g)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.page(w, r, http.StatusBadRequest, map[string]any{"Error": e, "Draft": g})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/synonyms#g-"+g.ID, http.StatusSeeOther)
	return nil
}

// DeleteSynonyms removes a group: POST /admin/synonyms/{id}/delete.
func (h *HTTP) DeleteSynonyms(w http.ResponseWriter, r *http.Request) error {
	if err := h.Svc.DeleteSynonyms(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/synonyms", http.StatusSeeOther)
	return nil
}

// APISynonyms lists the groups: GET /api/v1/synonyms.
func (h *HTTP) APISynonyms(w http.ResponseWriter, r *http.Request) error {
	groups, err := h.Svc.SynonymGroups(r.Context())
	if err != nil {
		return err
	}
	if groups == nil {
		groups = []SynonymGroup{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"groups": groups})
}

// APISaveSynonyms adds (POST /api/v1/synonyms) or replaces (PUT
// /api/v1/synonyms/{id}) a group given as {"phrases": [...], "note": ...}.
func (h *HTTP) APISaveSynonyms(w http.ResponseWriter, r *http.Request) error {
	var g SynonymGroup
	if err := web.DecodeJSON(r, &g); err != nil {
		return err
	}
	g.ID = r.PathValue("id")
	status := http.StatusOK
	if g.ID == "" {
		status = http.StatusCreated
	}
	if err := h.Svc.SaveSynonyms(r.Context(), &g); err != nil {
		return err
	}
	return web.JSON(w, status, g)
}

// APIDeleteSynonyms removes a group: DELETE /api/v1/synonyms/{id}.
func (h *HTTP) APIDeleteSynonyms(w http.ResponseWriter, r *http.Request) error {
	if err := h.Svc.DeleteSynonyms(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
