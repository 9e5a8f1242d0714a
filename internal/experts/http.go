package experts

import (
	"bytes"
	"embed"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/tabular"
	"dxhub/internal/platform/web"
)

//go:embed templates
var templates embed.FS

// Templates are the room's pages.
func Templates() fs.FS { t, _ := fs.Sub(templates, "templates"); return t }

// HTTP serves the expert network's pages and API.
type HTTP struct {
	Svc *Service
	Web *web.Web
}

func (h *HTTP) form(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	return nil
}

func invalid(err error) (*errs.Error, bool) {
	e, ok := errs.As(err)
	return e, ok && e.Code == errs.Invalid
}

// listOf splits typed lists (commas, semicolons, new lines).
func listOf(s string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// skillsOf reads "1.1:5" items, one a line or comma separated; a level
// that does not read is 0, which validation names.
func skillsOf(s string) []Skill {
	var out []Skill
	for _, v := range listOf(s) {
		code, lvl, _ := strings.Cut(v, ":")
		n, _ := strconv.Atoi(strings.TrimSpace(lvl))
		out = append(out, Skill{Competence: strings.TrimSpace(code), Level: n})
	}
	return out
}

// worksOf reads "title | year | link" lines.
func worksOf(s string) []Work {
	var out []Work
	for line := range strings.SplitSeq(s, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		parts := strings.Split(line, "|")
		w := Work{Title: strings.TrimSpace(parts[0])}
		if len(parts) > 1 {
			w.Year, _ = strconv.Atoi(strings.TrimSpace(parts[1]))
		}
		if len(parts) > 2 {
			w.URL = strings.TrimSpace(parts[2])
		}
		out = append(out, w)
	}
	return out
}

func inputOf(v url.Values) Input {
	hours, _ := strconv.Atoi(strings.TrimSpace(v.Get("hours_per_month")))
	return Input{FullName: v.Get("full_name"), UnitCode: v.Get("unit_code"), Submit: v.Get("submit") == "1", Details: Details{
		OrgName: v.Get("org_name"), Position: v.Get("position"), Origin: v.Get("origin"), Province: strings.TrimSpace(v.Get("province")),
		Languages: v["languages"], Fields: v["fields"], Skills: skillsOf(v.Get("skills")),
		Degrees: worksOf(v.Get("degrees")), Works: worksOf(v.Get("publications")), Projects: worksOf(v.Get("projects")), ORCID: v.Get("orcid"),
		Hours: hours, Remote: v.Get("remote") == "1", OnSite: v.Get("on_site") == "1", Provinces: listOf(v.Get("provinces")),
		Email: v.Get("email"), Phone: v.Get("phone"), ContactPref: v.Get("contact_pref"), Public: v.Get("public") == "1", Private: v["private"]}}
}

// textOf writes works back as the form's lines.
func textOf(ws []Work) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.Title)
		if w.Year != 0 || w.URL != "" {
			b.WriteString(" | ")
			if w.Year != 0 {
				b.WriteString(strconv.Itoa(w.Year))
			}
			if w.URL != "" {
				b.WriteString(" | " + w.URL)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func skillsText(sk []Skill) string {
	var parts []string
	for _, s := range sk {
		parts = append(parts, s.Competence+":"+strconv.Itoa(s.Level))
	}
	return strings.Join(parts, ", ")
}

// formData is what the profile form shows.
func (h *HTTP) formData(r *http.Request, pr *Profile, in Input, formErr *errs.Error, action string) (map[string]any, error) {
	fields, err := h.Svc.Fields(r.Context())
	if err != nil {
		return nil, err
	}
	if pr != nil && in.FullName == "" {
		in = Input{FullName: pr.FullName, UnitCode: pr.UnitCode, Details: pr.Details}
	}
	return map[string]any{"P": pr, "In": in, "Error": formErr, "Action": action, "Fields": fields, "Languages": Languages, "PrivateFields": PrivateFields,
		"Skills": skillsText(in.Skills), "Degrees": textOf(in.Degrees), "Works": textOf(in.Works), "Projects": textOf(in.Projects),
		"Provinces": strings.Join(in.Provinces, ", "), "Prefs": []string{"email", "phone", "through_office"}, "Stars": []int{5, 4, 3, 2, 1}}, nil
}

// DirectoryPage is the public directory (or, ?all=1, the offices').
func (h *HTTP) DirectoryPage(w http.ResponseWriter, r *http.Request) error {
	f, err := filterOf(r.URL.Query())
	if err != nil {
		return err
	}
	res, err := h.Svc.Directory(r.Context(), f)
	if err != nil {
		return err
	}
	fields, err := h.Svc.Fields(r.Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, fl := range fields {
		names[fl.Code] = fl.Name(web.LangOf(r))
	}
	p := auth.FromContext(r.Context())
	page := f.Offset/f.Limit + 1
	return h.Web.Render(w, r, http.StatusOK, "experts/directory", "experts.title", map[string]any{
		"R": res, "F": f, "Fields": fields, "FieldNames": names, "Languages": Languages,
		"IsOffice": p.CanAnywhere(auth.VerifyExperts), "CanNeed": p.CanAnywhere(auth.PostNeeds), "IsExpert": p.CanAnywhere(auth.ManageExpert),
		"Pager": map[string]any{"Current": page, "More": f.Offset+f.Limit < res.Total, "Query": r.URL.Query()},
	})
}

func filterOf(q url.Values) (Filter, error) {
	page, _ := strconv.Atoi(q.Get("page"))
	f := Filter{Q: q.Get("q"), Field: q.Get("field"), Competence: q.Get("competence"), Province: q.Get("province"), Language: q.Get("language"),
		Origin: q.Get("origin"), Available: q.Get("available") == "1", All: q.Get("all") == "1", UnitCode: q.Get("unit"), Limit: 20}
	if page > 1 {
		f.Offset = (page - 1) * f.Limit
	}
	if f.Origin != "" && f.Origin != Domestic && f.Origin != Foreign {
		return f, errs.Field("origin", "error.param", "origin", f.Origin)
	}
	return f, nil
}

// ProfilePage shows a profile as the reader may see it.
func (h *HTTP) ProfilePage(w http.ResponseWriter, r *http.Request) error {
	return h.profilePage(w, r, http.StatusOK, nil, "")
}

func (h *HTTP) profilePage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error, notice string) error {
	pr, err := h.Svc.Profile(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	similar, err := h.Svc.Similar(r.Context(), pr.ID, 5)
	if err != nil {
		return err
	}
	fields, err := h.Svc.Fields(r.Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, fl := range fields {
		names[fl.Code] = fl.Name(web.LangOf(r))
	}
	courses, err := h.Svc.Courses(r.Context(), pr)
	if err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	return h.Web.RenderTitle(w, r, status, "experts/profile", pr.FullName, map[string]any{
		"P": pr, "Similar": similar, "FieldNames": names, "Error": formErr, "Notice": notice, "Courses": courses,
		"IsOffice": office(p, pr.UnitPath) && !own(p, pr), "Own": own(p, pr), "Verifiable": VerifiableFields,
	})
}

// Verify records an office's check from the profile page.
func (h *HTTP) Verify(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	_, err := h.Svc.Verify(r.Context(), r.PathValue("id"), r.PostForm.Get("note"))
	if e, ok := invalid(err); ok {
		return h.profilePage(w, r, http.StatusBadRequest, e, "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/experts/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

// Nominate puts the expert forward from the profile page.
func (h *HTTP) Nominate(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	_, err := h.Svc.Nominate(r.Context(), r.PathValue("id"), r.PostForm.Get("level"), r.PostForm.Get("unit_code"), r.PostForm.Get("note"))
	if e, ok := invalid(err); ok {
		return h.profilePage(w, r, http.StatusBadRequest, e, "")
	}
	if err != nil {
		return err
	}
	return h.profilePage(w, r, http.StatusOK, nil, web.T(r, "experts.nominated"))
}

// MyPage is the expert's own page: invitations first, then the profile
// form.
func (h *HTTP) MyPage(w http.ResponseWriter, r *http.Request) error {
	return h.myPage(w, r, http.StatusOK, Input{}, nil)
}

func (h *HTTP) myPage(w http.ResponseWriter, r *http.Request, status int, in Input, formErr *errs.Error) error {
	pr, err := h.Svc.Mine(r.Context())
	if err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	if pr == nil && !p.CanAnywhere(auth.ManageExpert) {
		return errs.E(errs.Forbidden, "experts.not_expert")
	}
	invs, err := h.Svc.MyInvitations(r.Context())
	if err != nil {
		return err
	}
	data, err := h.formData(r, pr, in, formErr, "/experts/me")
	if err != nil {
		return err
	}
	data["Invitations"] = invs
	data["Saved"] = r.URL.Query().Get("saved") == "1"
	return h.Web.Render(w, r, status, "experts/me", "experts.me", data)
}

// SaveMine saves the expert's own profile.
func (h *HTTP) SaveMine(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	in := inputOf(r.PostForm)
	_, err := h.Svc.SaveMine(r.Context(), in)
	if e, ok := invalid(err); ok {
		return h.myPage(w, r, http.StatusBadRequest, in, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/experts/me?saved=1", http.StatusSeeOther)
	return nil
}

// NewPage is the office's form for an outside expert's profile.
func (h *HTTP) NewPage(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.VerifyExperts); err != nil {
		return err
	}
	data, err := h.formData(r, nil, Input{}, nil, "/experts/new")
	if err != nil {
		return err
	}
	data["Office"] = true
	return h.Web.Render(w, r, http.StatusOK, "experts/form", "experts.new", data)
}

// Create adds an office's profile from the form.
func (h *HTTP) Create(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	in := inputOf(r.PostForm)
	pr, err := h.Svc.Create(r.Context(), in)
	if e, ok := invalid(err); ok {
		data, derr := h.formData(r, nil, in, e, "/experts/new")
		if derr != nil {
			return derr
		}
		data["Office"] = true
		return h.Web.Render(w, r, http.StatusBadRequest, "experts/form", "experts.new", data)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/experts/"+pr.ID, http.StatusSeeOther)
	return nil
}

// NeedsPage lists the unit's needs and the form for a new one.
func (h *HTTP) NeedsPage(w http.ResponseWriter, r *http.Request) error {
	return h.needsPage(w, r, http.StatusOK, NeedInput{}, nil)
}

func (h *HTTP) needsPage(w http.ResponseWriter, r *http.Request, status int, in NeedInput, formErr *errs.Error) error {
	ns, err := h.Svc.Needs(r.Context())
	if err != nil {
		return err
	}
	fields, err := h.Svc.Fields(r.Context())
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, status, "experts/needs", "experts.needs", map[string]any{"Needs": ns, "In": in, "Error": formErr, "Fields": fields, "Languages": Languages, "Skills": skillsText(in.Skills)})
}

// PostNeed writes a need from the form.
func (h *HTTP) PostNeed(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	v := r.PostForm
	hours, _ := strconv.Atoi(strings.TrimSpace(v.Get("hours_per_month")))
	in := NeedInput{UnitCode: v.Get("unit_code"), Title: v.Get("title"), Description: v.Get("description"), Fields: v["fields"], Skills: skillsOf(v.Get("skills")),
		Languages: v["languages"], Place: strings.TrimSpace(v.Get("place")), StartOn: v.Get("start_on"), EndOn: v.Get("end_on"), Hours: hours}
	n, err := h.Svc.PostNeed(r.Context(), in)
	if e, ok := invalid(err); ok {
		return h.needsPage(w, r, http.StatusBadRequest, in, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/experts/needs/"+n.ID, http.StatusSeeOther)
	return nil
}

// NeedPage shows a need, its ranked matches with reasons, and its
// invitations with their engagements.
func (h *HTTP) NeedPage(w http.ResponseWriter, r *http.Request) error {
	return h.needPage(w, r, http.StatusOK, nil)
}

func (h *HTTP) needPage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error) error {
	n, err := h.Svc.Need(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	ms, err := h.Svc.Matches(r.Context(), n.ID, 20)
	if err != nil {
		return err
	}
	invs, err := h.Svc.NeedInvitations(r.Context(), n.ID)
	if err != nil {
		return err
	}
	lang := web.LangOf(r)
	reasons := map[string][]string{}
	for _, m := range ms {
		for _, rs := range m.Reasons {
			reasons[m.Expert.ID] = append(reasons[m.Expert.ID], ReasonText(rs, lang))
		}
	}
	return h.Web.RenderTitle(w, r, status, "experts/need", n.Title, map[string]any{"N": n, "Matches": ms, "Reasons": reasons, "Invitations": invs, "Error": formErr})
}

// Invite invites an expert from the need's page.
func (h *HTTP) Invite(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	_, err := h.Svc.Invite(r.Context(), r.PathValue("id"), r.PostForm.Get("profile_id"), r.PostForm.Get("message"))
	if e, ok := errs.As(err); ok && (e.Code == errs.Invalid || e.Code == errs.Conflict) {
		return h.needPage(w, r, http.StatusBadRequest, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/experts/needs/"+r.PathValue("id")+"#invitations", http.StatusSeeOther)
	return nil
}

// Answer is the expert's accept or decline from their page.
func (h *HTTP) Answer(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	_, err := h.Svc.Answer(r.Context(), r.PathValue("id"), r.PostForm.Get("answer") == "accept", r.PostForm.Get("reason"))
	if e, ok := errs.As(err); ok && (e.Code == errs.Invalid || e.Code == errs.Conflict) {
		return h.myPage(w, r, http.StatusBadRequest, Input{}, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/experts/me#invitations", http.StatusSeeOther)
	return nil
}

// RecordEngagement saves the organisation's record and rating, or the
// expert's rating, from either page.
func (h *HTTP) RecordEngagement(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	v := r.PostForm
	hours, _ := strconv.Atoi(strings.TrimSpace(v.Get("hours")))
	rating, _ := strconv.Atoi(strings.TrimSpace(v.Get("rating")))
	inv, err := h.Svc.Record(r.Context(), r.PathValue("id"), EngagementInput{StartOn: v.Get("start_on"), EndOn: v.Get("end_on"), Hours: hours, Outcome: v.Get("outcome"), Done: v.Get("done") == "1", Rating: rating, Comment: v.Get("comment")})
	back := "/experts/me#invitations"
	if v.Get("from") == "need" {
		back = "/experts/needs/" + url.PathEscape(v.Get("need")) + "#invitations"
	}
	if e, ok := invalid(err); ok {
		if v.Get("from") == "need" {
			r.SetPathValue("id", v.Get("need"))
			return h.needPage(w, r, http.StatusBadRequest, e)
		}
		return h.myPage(w, r, http.StatusBadRequest, Input{}, e)
	}
	if err != nil {
		return err
	}
	if v.Get("from") == "need" {
		back = "/experts/needs/" + inv.NeedID + "#invitations"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// NominationsPage lists nominations in scope, with the deciders' forms.
func (h *HTTP) NominationsPage(w http.ResponseWriter, r *http.Request) error {
	return h.nominationsPage(w, r, http.StatusOK, nil)
}

func (h *HTTP) nominationsPage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error) error {
	ns, err := h.Svc.Nominations(r.Context())
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, status, "experts/nominations", "experts.nominations", map[string]any{"List": ns, "Error": formErr})
}

// Decide selects or rejects a nomination from the list.
func (h *HTTP) Decide(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	_, err := h.Svc.Decide(r.Context(), r.PathValue("id"), r.PostForm.Get("decision") == "select", r.PostForm.Get("decision_ref"))
	if e, ok := invalid(err); ok {
		return h.nominationsPage(w, r, http.StatusBadRequest, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/experts/nominations", http.StatusSeeOther)
	return nil
}

// FieldsPage shows the taxonomy and, to the national office, its form.
func (h *HTTP) FieldsPage(w http.ResponseWriter, r *http.Request) error {
	return h.fieldsPage(w, r, http.StatusOK, nil)
}

func (h *HTTP) fieldsPage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error) error {
	fields, err := h.Svc.Fields(r.Context())
	if err != nil {
		return err
	}
	nation, err := h.Svc.Org.Nation(r.Context())
	if err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	w8, err := h.Svc.WeightsFor(r.Context(), nation.Path)
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, status, "experts/fields", "experts.fields", map[string]any{"Fields": fields, "Error": formErr,
		"CanChange": p.Can(auth.VerifyExperts, nation.Path), "IsOffice": p.CanAnywhere(auth.VerifyExperts), "W": w8})
}

// ChangeFields applies a taxonomy change from the form ("code | name vi |
// name en" lines to add, codes to retire).
func (h *HTTP) ChangeFields(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	c := TaxonomyChange{Retire: listOf(r.PostForm.Get("retire")), Note: r.PostForm.Get("note")}
	for line := range strings.SplitSeq(r.PostForm.Get("add"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			parts := append(strings.Split(line, "|"), "", "")
			c.Add = append(c.Add, Field{Code: strings.TrimSpace(parts[0]), NameVI: strings.TrimSpace(parts[1]), NameEN: strings.TrimSpace(parts[2])})
		}
	}
	_, err := h.Svc.ChangeTaxonomy(r.Context(), c)
	if e, ok := invalid(err); ok {
		return h.fieldsPage(w, r, http.StatusBadRequest, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/experts/fields", http.StatusSeeOther)
	return nil
}

// SetWeights tunes the matching weights of the office's unit.
func (h *HTTP) SetWeights(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	f := func(k string) float64 { v, _ := strconv.ParseFloat(strings.TrimSpace(r.PostForm.Get(k)), 64); return v }
	err := h.Svc.SetWeights(r.Context(), r.PostForm.Get("unit_code"), Weights{Field: f("field"), Skill: f("skill"), Language: f("language"), Place: f("place"), Availability: f("availability"), Load: f("load"), Feedback: f("feedback")})
	if e, ok := invalid(err); ok {
		return h.fieldsPage(w, r, http.StatusBadRequest, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/experts/fields#weights", http.StatusSeeOther)
	return nil
}

// reasonsIn renders match reasons in the request's language (API).
func reasonsIn(ms []Match, lang i18n.Lang) []map[string]any {
	out := make([]map[string]any, len(ms))
	for i, m := range ms {
		var rs []map[string]any
		for _, r := range m.Reasons {
			rs = append(rs, map[string]any{"key": r.Key, "text": ReasonText(r, lang), "points": r.Points})
		}
		out[i] = map[string]any{"expert": m.Expert, "score": m.Score, "reasons": rs, "invited": m.Invited}
	}
	return out
}

// maxUpload bounds an uploaded sheet.
const maxUpload = tabular.MaxBytes + 1<<20

// ImportPage is the form for a sheet of experts.
func (h *HTTP) ImportPage(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.VerifyExperts); err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "experts/import", "experts.import", map[string]any{})
}

// Import takes an uploaded sheet; a refused one shows every row's error
// and changes nothing.
func (h *HTTP) Import(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.VerifyExperts); err != nil {
		return err
	}
	body, err := web.Sheet(w, r, maxUpload)
	if e, ok := invalid(err); ok {
		return h.Web.Render(w, r, http.StatusBadRequest, "experts/import", "experts.import", map[string]any{"Error": e})
	}
	if err != nil {
		return err
	}
	defer body.Close()
	c, u, err := h.Svc.ImportSheet(r.Context(), body)
	if ie, ok := tabular.AsImportError(err); ok {
		return h.Web.Render(w, r, http.StatusUnprocessableEntity, "experts/import", "experts.import", map[string]any{"Import": ie, "Messages": ie.Messages(web.LangOf(r))})
	}
	if e, ok := invalid(err); ok {
		return h.Web.Render(w, r, http.StatusBadRequest, "experts/import", "experts.import", map[string]any{"Error": e})
	}
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "experts/import", "experts.import", map[string]any{"Created": c, "Updated": u, "Done": true})
}

// APIImport takes a sheet as the body (or a multipart "file" field).
func (h *HTTP) APIImport(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.VerifyExperts); err != nil {
		return err
	}
	body, err := web.Sheet(w, r, maxUpload)
	if err != nil {
		return err
	}
	defer body.Close()
	c, u, err := h.Svc.ImportSheet(r.Context(), body)
	if ie, ok := tabular.AsImportError(err); ok {
		return web.ImportRefused(w, r, ie)
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]int{"created": c, "updated": u})
}

// Export downloads the experts of a unit's subtree (?unit=&format=xlsx|csv).
func (h *HTTP) Export(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := tabular.XLSX
	switch q.Get("format") {
	case "", "xlsx":
	case "csv":
		f = tabular.CSV
	default:
		return errs.Field("format", "error.param", "format", q.Get("format"))
	}
	var buf bytes.Buffer
	if err := h.Svc.ExportSheet(r.Context(), &buf, q.Get("unit"), f, web.LangOf(r)); err != nil {
		return err
	}
	ct := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	if f == tabular.CSV {
		ct = "text/csv; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="experts-`+url.PathEscape(q.Get("unit"))+`.`+string(f)+`"`)
	_, err := buf.WriteTo(w)
	return err
}

// Photo stores a profile's photo from the expert's or the office's form.
func (h *HTTP) Photo(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 6<<20)
	f, hdr, err := r.FormFile("photo")
	if err != nil {
		return errs.Field("photo", "experts.photo_not_image")
	}
	defer f.Close()
	id := r.PathValue("id")
	if id == "" {
		mine, err := h.Svc.Mine(r.Context())
		if err != nil {
			return err
		}
		if mine == nil {
			return errs.E(errs.Forbidden, "experts.not_expert")
		}
		id = mine.ID
	}
	if _, err := h.Svc.SetPhoto(r.Context(), id, hdr.Filename, f); err != nil {
		if e, ok := invalid(err); ok && r.PathValue("id") == "" {
			return h.myPage(w, r, http.StatusBadRequest, Input{}, e)
		}
		return err
	}
	to := "/experts/me?saved=1"
	if r.PathValue("id") != "" {
		to = "/experts/" + id
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
