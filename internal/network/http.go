package network

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/files"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/tabular"
	"dxhub/internal/platform/web"
)

//go:embed templates
var templates embed.FS

// Templates are the room's pages.
func Templates() fs.FS { t, _ := fs.Sub(templates, "templates"); return t }

// HTTP serves the network's pages and API.
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

// NetworkPage lists the teams in the viewer's scope (or a unit's
// subtree), with the form for a new one.
func (h *HTTP) NetworkPage(w http.ResponseWriter, r *http.Request) error {
	return h.networkPage(w, r, http.StatusOK, nil, TeamInput{UnitCode: r.URL.Query().Get("unit")})
}

func (h *HTTP) networkPage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error, in TeamInput) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	f := Filter{UnitCode: q.Get("unit"), Kind: q.Get("kind"), Limit: 50}
	if page > 1 {
		f.Offset = (page - 1) * f.Limit
	}
	teams, err := h.Svc.Teams(r.Context(), f)
	if err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	return h.Web.Render(w, r, status, "network/network", "network.title", map[string]any{
		"Teams": teams, "F": f, "Kinds": TeamKinds, "In": in, "Error": formErr,
		"CanManage": p.CanAnywhere(auth.ManageNetwork),
		"Pager":     map[string]any{"Current": max(page, 1), "More": len(teams) == f.Limit, "Query": q},
	})
}

// CreateTeam adds a team from the form.
func (h *HTTP) CreateTeam(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	in := TeamInput{Kind: r.PostForm.Get("kind"), UnitCode: r.PostForm.Get("unit_code"), Name: r.PostForm.Get("name"), FoundedOn: r.PostForm.Get("founded_on")}
	t, err := h.Svc.CreateTeam(r.Context(), in)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.networkPage(w, r, http.StatusBadRequest, e, in)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/network/teams/"+t.ID, http.StatusSeeOther)
	return nil
}

// TeamPage shows a team, its villages, members and latest activities.
func (h *HTTP) TeamPage(w http.ResponseWriter, r *http.Request) error {
	return h.teamPage(w, r, http.StatusOK, nil)
}

func (h *HTTP) teamPage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error) error {
	t, err := h.Svc.Team(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	acts, err := h.Svc.activitiesOf(r.Context(), t.ID, 20)
	if err != nil {
		return err
	}
	data := map[string]any{"T": t, "Activities": acts, "Error": formErr, "Roles": MemberRoles, "Today": h.Svc.today(),
		"CanManage": auth.FromContext(r.Context()).Can(auth.ManageNetwork, t.UnitPath)}
	if data["CanManage"] == true {
		vs, err := h.Svc.villagesOf(r.Context(), h.Svc.DB.R, t.UnitID)
		if err != nil {
			return err
		}
		data["UnitVillages"] = vs
	}
	return h.Web.Render(w, r, status, "network/team", "network.team", data)
}

// UpdateTeam saves a team's name, dates and villages from the form.
func (h *HTTP) UpdateTeam(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	in := TeamInput{Name: r.PostForm.Get("name"), FoundedOn: r.PostForm.Get("founded_on"), DissolvedOn: r.PostForm.Get("dissolved_on"), Villages: r.PostForm["villages"]}
	_, err := h.Svc.UpdateTeam(r.Context(), r.PathValue("id"), in)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.teamPage(w, r, http.StatusBadRequest, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/network/teams/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

func memberOf(v url.Values) MemberInput {
	return MemberInput{PersonKey: v.Get("person_key"), FullName: v.Get("full_name"), Role: v.Get("role"), JoinedOn: v.Get("joined_on"), LeftOn: v.Get("left_on"), Phone: v.Get("phone"), Skills: v.Get("skills")}
}

// AddMember adds a member from the form.
func (h *HTTP) AddMember(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	_, err := h.Svc.AddMember(r.Context(), r.PathValue("id"), memberOf(r.PostForm))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.teamPage(w, r, http.StatusBadRequest, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/network/teams/"+r.PathValue("id")+"#members", http.StatusSeeOther)
	return nil
}

// LogPage is the phone form a member logs help with: plain HTML, a key
// of its own so that sending it twice records it once.
func (h *HTTP) LogPage(w http.ResponseWriter, r *http.Request) error {
	return h.logPage(w, r, http.StatusOK, nil, Activity{DoneOn: h.Svc.today(), People: 1, Kind: "public_service"})
}

func (h *HTTP) logPage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error, a Activity) error {
	teams, err := h.Svc.MyTeams(r.Context())
	if err != nil {
		return err
	}
	if a.ClientKey == "" {
		a.ClientKey = db.Token(16)
	}
	q := r.URL.Query()
	return h.Web.Render(w, r, status, "network/log", "network.log", map[string]any{
		"Teams": teams, "A": a, "Error": formErr, "Kinds": ActivityKinds, "Campaigns": Campaigns, "Today": h.Svc.today(),
		"Done": q.Get("done") == "1", "Dup": q.Get("dup") == "1",
	})
}

// maxPhoto bounds the form carrying a photo (the files store checks the
// image's own bound).
const maxPhoto = 12 << 20

// imageHead reports whether the first bytes are a photo's (JPEG, PNG,
// WebP, GIF): a photo field takes nothing else.
func imageHead(head []byte) bool {
	switch http.DetectContentType(head) {
	case "image/jpeg", "image/png", "image/webp", "image/gif":
		return true
	}
	return false
}

// Log records an activity from the form, with its optional photo. A form
// sent again (same key) stores neither the entry nor the photo again.
func (h *HTTP) Log(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxPhoto)
	var perr error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		perr = r.ParseMultipartForm(1 << 20)
	} else {
		perr = r.ParseForm()
	}
	if perr != nil {
		return h.logPage(w, r, http.StatusBadRequest, errs.Field("photo", "network.photo_too_big", maxPhoto>>20), Activity{DoneOn: h.Svc.today(), People: 1})
	}
	v := r.PostForm
	n, _ := strconv.Atoi(strings.TrimSpace(v.Get("people")))
	a := Activity{TeamID: v.Get("team_id"), VillageID: v.Get("village_id"), DoneOn: v.Get("done_on"), Kind: v.Get("kind"), Service: v.Get("service"),
		People: n, Note: v.Get("note"), Campaign: v.Get("campaign"), ClientKey: v.Get("client_key")}
	ctx := r.Context()
	if dup, err := h.Svc.Logged(ctx, strings.TrimSpace(a.ClientKey)); err != nil {
		return err
	} else if dup != "" {
		http.Redirect(w, r, "/network/log?done=1&dup=1", http.StatusSeeOther)
		return nil
	}
	_, err := h.Svc.CheckActivity(ctx, &a)
	if err == nil {
		a.PhotoID, err = h.photo(r, a.TeamID)
	}
	var got *Activity
	if err == nil {
		got, err = h.Svc.LogActivity(ctx, a)
	}
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.logPage(w, r, http.StatusBadRequest, e, a)
	}
	if err != nil {
		return err
	}
	to := "/network/log?done=1"
	if got.Duplicate {
		to += "&dup=1"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// photo stores the form's photo, if any, as the team's.
func (h *HTTP) photo(r *http.Request, teamID string) (string, error) {
	f, hdr, err := r.FormFile("photo")
	if err != nil || hdr.Size == 0 {
		return "", nil // no photo
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if !imageHead(head[:n]) {
		return "", errs.Field("photo", "network.photo_not_image")
	}
	key, _, err := files.Save(r.Context(), h.Svc.DB, h.Svc.Files, files.Evidence, "netteam:"+teamID, hdr.Filename, io.MultiReader(bytes.NewReader(head[:n]), f), auth.FromContext(r.Context()).AccountID)
	return key, err
}

// CoveragePage shows a unit's coverage and that of the units below it.
func (h *HTTP) CoveragePage(w http.ResponseWriter, r *http.Request) error {
	return h.coveragePage(w, r, http.StatusOK, nil)
}

func (h *HTTP) coveragePage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error) error {
	return h.coverageWith(w, r, status, map[string]any{"Error": formErr})
}

// coverageWith renders the coverage page with extra data (an error, an
// import's refusal, a notice).
func (h *HTTP) coverageWith(w http.ResponseWriter, r *http.Request, status int, extra map[string]any) error {
	code, err := h.defaultUnit(r)
	if err != nil {
		return err
	}
	c, err := h.Svc.Coverage(r.Context(), code)
	if err != nil {
		return err
	}
	data := map[string]any{"C": c, "VillageKinds": VillageKinds, "Today": h.Svc.today(), "Chart": monthChart(c.Total.Months, web.LangOf(r)),
		"CanManage": auth.FromContext(r.Context()).Can(auth.ManageNetwork, c.Unit.Path)}
	if len(c.Rows) == 0 {
		vs, err := h.Svc.villagesOf(r.Context(), h.Svc.DB.R, c.Unit.ID)
		if err != nil {
			return err
		}
		data["Villages"] = vs
	}
	maps.Copy(data, extra)
	return h.Web.RenderTitle(w, r, status, "network/coverage", web.T(r, "network.coverage_of", c.Unit.Name(web.LangOf(r))), data)
}

// AddVillages adds the villages typed one a line.
func (h *HTTP) AddVillages(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	var vs []Village
	for line := range strings.SplitSeq(r.PostForm.Get("names"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			vs = append(vs, Village{Name: line, Kind: r.PostForm.Get("kind")})
		}
	}
	code := r.PostForm.Get("unit_code")
	_, err := h.Svc.AddVillages(r.Context(), code, vs)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		r.URL.RawQuery = "unit=" + url.QueryEscape(code)
		return h.coveragePage(w, r, http.StatusBadRequest, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/network/coverage?unit="+url.QueryEscape(code), http.StatusSeeOther)
	return nil
}

// SetPopulation records a unit's population from the form.
func (h *HTTP) SetPopulation(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	code := r.PostForm.Get("unit_code")
	n, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("population")), 10, 64)
	if err != nil {
		err = errs.Field("population", "network.bad_population")
	} else {
		err = h.Svc.SetPopulation(r.Context(), code, n, r.PostForm.Get("as_of"))
	}
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		r.URL.RawQuery = "unit=" + url.QueryEscape(code)
		return h.coveragePage(w, r, http.StatusBadRequest, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/network/coverage?unit="+url.QueryEscape(code), http.StatusSeeOther)
	return nil
}

// ---- API

// APITeams lists teams: ?unit=CODE&kind=&page=.
func (h *HTTP) APITeams(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	offset, _ := strconv.Atoi(q.Get("offset"))
	if limit < 0 || offset < 0 {
		return errs.Field("limit", "error.param", "limit/offset", q.Get("limit")+"/"+q.Get("offset"))
	}
	ts, err := h.Svc.Teams(r.Context(), Filter{UnitCode: q.Get("unit"), Kind: q.Get("kind"), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"teams": nonNil(ts)})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// APICreateTeam adds a team.
func (h *HTTP) APICreateTeam(w http.ResponseWriter, r *http.Request) error {
	var in TeamInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := h.Svc.CreateTeam(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, t)
}

// APITeam returns a team with villages and members.
func (h *HTTP) APITeam(w http.ResponseWriter, r *http.Request) error {
	t, err := h.Svc.Team(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, t)
}

// APIUpdateTeam changes a team.
func (h *HTTP) APIUpdateTeam(w http.ResponseWriter, r *http.Request) error {
	var in TeamInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := h.Svc.UpdateTeam(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, t)
}

// APIAddMember adds a member.
func (h *HTTP) APIAddMember(w http.ResponseWriter, r *http.Request) error {
	var in MemberInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	m, err := h.Svc.AddMember(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, m)
}

// APIUpdateMember changes a membership.
func (h *HTTP) APIUpdateMember(w http.ResponseWriter, r *http.Request) error {
	var in MemberInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	m, err := h.Svc.UpdateMember(r.Context(), r.PathValue("id"), r.PathValue("member"), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, m)
}

// APITeamActivities lists a team's latest activities (?limit=).
func (h *HTTP) APITeamActivities(w http.ResponseWriter, r *http.Request) error {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	as, err := h.Svc.Activities(r.Context(), r.PathValue("id"), limit)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"activities": nonNil(as)})
}

// APILog records an activity: 201 when stored, 200 with duplicate=true
// when the client key was sent before.
func (h *HTTP) APILog(w http.ResponseWriter, r *http.Request) error {
	var a Activity
	if err := web.DecodeJSON(r, &a); err != nil {
		return err
	}
	a.PhotoID = "" // photos come with the form's upload, not as a reference
	got, err := h.Svc.LogActivity(r.Context(), a)
	if err != nil {
		return err
	}
	if got.Duplicate {
		return web.JSON(w, http.StatusOK, got)
	}
	return web.JSON(w, http.StatusCreated, got)
}

// APIMyTeams lists the signed-in person's teams.
func (h *HTTP) APIMyTeams(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.Svc.MyTeams(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"teams": nonNil(ts)})
}

// APIVillages lists a unit's villages (?unit=CODE).
func (h *HTTP) APIVillages(w http.ResponseWriter, r *http.Request) error {
	vs, err := h.Svc.Villages(r.Context(), r.URL.Query().Get("unit"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"villages": nonNil(vs)})
}

// APIAddVillages adds villages to a unit.
func (h *HTTP) APIAddVillages(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UnitCode string    `json:"unit_code"`
		Villages []Village `json:"villages"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	vs, err := h.Svc.AddVillages(r.Context(), in.UnitCode, in.Villages)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, map[string]any{"villages": vs})
}

// APIPopulation records a unit's population.
func (h *HTTP) APIPopulation(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UnitCode   string `json:"unit_code"`
		Population int64  `json:"population"`
		AsOf       string `json:"as_of"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.Svc.SetPopulation(r.Context(), in.UnitCode, in.Population, in.AsOf); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, in)
}

// defaultUnit is the unit a coverage request names (?unit=CODE), else the
// first the viewer sees the network of (a province's office its
// province), else the nation.
func (h *HTTP) defaultUnit(r *http.Request) (string, error) {
	if code := r.URL.Query().Get("unit"); code != "" {
		return code, nil
	}
	if scopes := auth.FromContext(r.Context()).Scopes(auth.ViewNetwork); len(scopes) > 0 {
		u, err := h.Svc.Org.UnitByPath(r.Context(), scopes[0])
		if err == nil {
			return u.Code, nil
		}
		if !errs.Is(err, errs.NotFound) {
			return "", err
		}
	}
	return "VN", nil
}

// APICoverage returns a unit's coverage (?unit=CODE, default the viewer's
// own unit).
func (h *HTTP) APICoverage(w http.ResponseWriter, r *http.Request) error {
	code, err := h.defaultUnit(r)
	if err != nil {
		return err
	}
	c, err := h.Svc.Coverage(r.Context(), code)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

// monthChart draws people helped per month as columns, on the server, so
// that it shows on a phone with JavaScript off; its text alternative reads
// out every month's figure.
func monthChart(ms []Month, lang i18n.Lang) template.HTML {
	const w, h, top = 360.0, 140.0, 16.0
	most := 1
	for _, m := range ms {
		most = max(most, m.People)
	}
	var label []string
	for _, m := range ms {
		label = append(label, m.Month[5:]+"/"+m.Month[:4]+": "+i18n.Num(lang, m.People))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="bars" width="100%%" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h+18, template.HTMLEscapeString(i18n.T(lang, "network.by_month")+": "+strings.Join(label, "; ")))
	step := w / float64(max(len(ms), 1))
	for i, m := range ms {
		bh := (h - top) * float64(m.People) / float64(most)
		x := float64(i)*step + 2
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#1d4ed8"></rect>`, x, h-bh, step-4, bh)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="10" text-anchor="middle">%s</text>`, x+(step-4)/2, h+14, m.Month[5:])
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// maxUpload bounds an uploaded sheet (the shared reading's own bound, and
// the form around it).
const maxUpload = tabular.MaxBytes + 1<<20

// ImportPage is the form for a sheet of teams and members.
func (h *HTTP) ImportPage(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.ManageNetwork); err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "network/import", "network.import", map[string]any{})
}

// Import takes an uploaded sheet; a refused one shows every row error and
// changes nothing.
func (h *HTTP) Import(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.ManageNetwork); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	file, _, err := r.FormFile("file")
	if err != nil {
		return h.Web.Render(w, r, http.StatusBadRequest, "network/import", "network.import", map[string]any{"Error": errs.Field("file", "error.param", "file", "-")})
	}
	defer file.Close()
	res, err := h.Svc.ImportTeams(r.Context(), file)
	if ie, ok := tabular.AsImportError(err); ok {
		return h.Web.Render(w, r, http.StatusUnprocessableEntity, "network/import", "network.import", map[string]any{"Import": ie, "Messages": ie.Messages(web.LangOf(r))})
	}
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.Web.Render(w, r, http.StatusBadRequest, "network/import", "network.import", map[string]any{"Error": e})
	}
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "network/import", "network.import", map[string]any{"Result": res})
}

// APIImport takes a sheet of teams and members as the body (or a
// multipart "file" field).
func (h *HTTP) APIImport(w http.ResponseWriter, r *http.Request) error {
	return h.apiSheet(w, r, func(body io.Reader) (any, error) { return h.Svc.ImportTeams(r.Context(), body) })
}

// apiSheet runs an API import: the caller keeps a network, the sheet is
// bounded, a refusal names every row's problem.
func (h *HTTP) apiSheet(w http.ResponseWriter, r *http.Request, read func(io.Reader) (any, error)) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.ManageNetwork); err != nil {
		return err
	}
	body, err := web.Sheet(w, r, maxUpload)
	if err != nil {
		return err
	}
	defer body.Close()
	res, err := read(body)
	if ie, ok := tabular.AsImportError(err); ok {
		return web.ImportRefused(w, r, ie)
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, res)
}

// Export downloads a unit's teams and members (?unit=CODE&format=xlsx|csv).
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
	if err := h.Svc.ExportTeams(r.Context(), &buf, q.Get("unit"), f, web.LangOf(r)); err != nil {
		return err
	}
	if f == tabular.CSV {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	w.Header().Set("Content-Disposition", `attachment; filename="teams-`+url.PathEscape(q.Get("unit"))+`.`+string(f)+`"`)
	_, err := buf.WriteTo(w)
	return err
}

// ImportPopulation records the populations of a sheet from the coverage
// page's form.
func (h *HTTP) ImportPopulation(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.ManageNetwork); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	code := r.FormValue("unit_code")
	r.URL.RawQuery = "unit=" + url.QueryEscape(code)
	file, _, err := r.FormFile("file")
	if err != nil {
		return h.coveragePage(w, r, http.StatusBadRequest, errs.Field("file", "error.param", "file", "-"))
	}
	defer file.Close()
	n, err := h.Svc.ImportPopulation(r.Context(), file)
	if ie, ok := tabular.AsImportError(err); ok {
		return h.coverageWith(w, r, http.StatusUnprocessableEntity, map[string]any{"Import": ie, "Messages": ie.Messages(web.LangOf(r))})
	}
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.coveragePage(w, r, http.StatusBadRequest, e)
	}
	if err != nil {
		return err
	}
	return h.coverageWith(w, r, http.StatusOK, map[string]any{"Notice": web.T(r, "network.population_imported", n)})
}

// APIImportPopulation records the populations of a sheet sent as the body
// (or a multipart "file" field).
func (h *HTTP) APIImportPopulation(w http.ResponseWriter, r *http.Request) error {
	return h.apiSheet(w, r, func(body io.Reader) (any, error) {
		n, err := h.Svc.ImportPopulation(r.Context(), body)
		return map[string]int{"units": n}, err
	})
}
