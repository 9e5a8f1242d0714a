package library

import (
	"embed"
	"encoding/xml"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/web"
)

//go:embed templates
var templates embed.FS

// Templates are the room's pages.
func Templates() fs.FS { t, _ := fs.Sub(templates, "templates"); return t }

// HTTP serves the library's pages, feed and API.
type HTTP struct {
	Svc     *Service
	Web     *web.Web
	Auth    *auth.Service // rate limits of the assistant
	BaseURL string
}

// Rate limits per address: questions (each runs several searches), and
// questions kept for the editors (a form anyone may post).
const (
	askEvery  = 2 * time.Second
	askBurst  = 20
	keepEvery = 5 * time.Minute
	keepBurst = 5
)

func (h *HTTP) allow(r *http.Request, what string, every time.Duration, burst int) error {
	if h.Auth != nil && !h.Auth.Allow(what+":"+h.Auth.ClientIP(r), every, burst) {
		return errs.E(errs.TooMany, "library.too_many_questions")
	}
	return nil
}

// filterOf reads a list's filters from the query string.
func filterOf(q url.Values) Filter {
	year, _ := strconv.Atoi(q.Get("year"))
	page, _ := strconv.Atoi(q.Get("page"))
	f := Filter{Q: q.Get("q"), Kind: q.Get("kind"), Topic: q.Get("topic"), Audience: q.Get("audience"), Issuer: q.Get("issuer"), Year: year, Status: q.Get("status"), Mine: q.Get("mine") == "1", Limit: 20}
	if page > 1 {
		f.Offset = (page - 1) * f.Limit
	}
	return f
}

// checkFilter refuses values no list has, naming the parameter.
func checkFilter(f Filter) error {
	switch {
	case f.Kind != "" && !slices.Contains(Kinds, f.Kind):
		return errs.Field("kind", "error.param", "kind", f.Kind)
	case f.Audience != "" && !slices.Contains(Audiences, f.Audience):
		return errs.Field("audience", "error.param", "audience", f.Audience)
	case f.Status != "" && !slices.Contains(LegalStatuses, f.Status):
		return errs.Field("status", "error.param", "status", f.Status)
	case f.Year != 0 && (f.Year < 1945 || f.Year > 2100):
		return errs.Field("year", "error.param", "year", strconv.Itoa(f.Year))
	case len(f.Q) > 200:
		return errs.Field("q", "search.too_long", 200)
	}
	return nil
}

// LibraryPage lists documents with filters (public), or the viewer's
// units' documents with ?mine=1.
func (h *HTTP) LibraryPage(w http.ResponseWriter, r *http.Request) error {
	f := filterOf(r.URL.Query())
	if err := checkFilter(f); err != nil {
		return err
	}
	list, err := h.Svc.List(r.Context(), f)
	if err != nil {
		return err
	}
	topics, err := h.Svc.Topics(r.Context())
	if err != nil {
		return err
	}
	issuers, err := h.Svc.Issuers(r.Context())
	if err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	page := f.Offset/f.Limit + 1
	return h.Web.Render(w, r, http.StatusOK, "library/library", "library.title", map[string]any{
		"List": list, "F": f, "Topics": topics, "Issuers": issuers, "Kinds": Kinds, "Audiences": Audiences, "LegalStatuses": LegalStatuses,
		"CanEdit": p != nil && p.CanAnywhere(auth.EditLibrary), "Now": h.Svc.clock(),
		"Pager": map[string]any{"Current": page, "More": len(list) == f.Limit, "Query": r.URL.Query()},
	})
}

// DocPage shows a document.
func (h *HTTP) DocPage(w http.ResponseWriter, r *http.Request) error {
	d, err := h.Svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	data := map[string]any{"D": d, "Now": h.Svc.clock(), "CanEdit": mayEdit(r.Context(), d.UnitPath),
		"CanPublish": p != nil && p.Can(auth.PublishLibrary, d.UnitPath)}
	if mayEdit(r.Context(), d.UnitPath) {
		vs, err := h.Svc.Versions(r.Context(), d.ID)
		if err != nil {
			return err
		}
		data["Versions"] = vs
	}
	return h.Web.RenderTitle(w, r, http.StatusOK, "library/doc", d.Title(web.LangOf(r)), data)
}

// NewPage is the form for a new document.
func (h *HTTP) NewPage(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.EditLibrary); err != nil {
		return err
	}
	kind := r.URL.Query().Get("kind")
	if !slices.Contains(Kinds, kind) {
		kind = News
	}
	// An FAQ entry may start from a question people sent (its title).
	title := r.URL.Query().Get("title_vi")
	if len(title) > maxTitle {
		title = ""
	}
	return h.form(w, r, http.StatusOK, nil, Input{Kind: kind, UnitCode: h.defaultUnit(r), TitleVI: title}, nil)
}

// defaultUnit is the unit a new document is written for: the viewer's
// first unit where they edit.
func (h *HTTP) defaultUnit(r *http.Request) string {
	p := auth.FromContext(r.Context())
	for _, g := range p.Grants {
		if p.Can(auth.EditLibrary, g.UnitPath) {
			return g.UnitCode
		}
	}
	return ""
}

func (h *HTTP) form(w http.ResponseWriter, r *http.Request, status int, d *Doc, in Input, formErr *errs.Error) error {
	topics, err := h.Svc.Topics(r.Context())
	if err != nil {
		return err
	}
	title := "library.new"
	if d != nil {
		title = "library.edit"
	}
	return h.Web.Render(w, r, status, "library/doc_form", title, map[string]any{"D": d, "In": in, "Error": formErr, "Topics": topics,
		"Kinds": Kinds, "Audiences": Audiences, "LegalTypes": LegalTypes, "LegalStatuses": LegalStatuses, "RelationKinds": RelationKinds,
		"Relations": relationLines(in.Relations)})
}

func relationLines(rs []RelationInput) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Kind + " " + r.Target + "\n")
	}
	return b.String()
}

// inputOf reads the form.
func inputOf(v url.Values) (Input, error) {
	in := Input{Kind: v.Get("kind"), UnitCode: strings.TrimSpace(v.Get("unit_code")), TitleVI: v.Get("title_vi"), TitleEN: v.Get("title_en"),
		SummaryVI: v.Get("summary_vi"), SummaryEN: v.Get("summary_en"), BodyVI: v.Get("body_vi"), BodyEN: v.Get("body_en"),
		Topics: v["topics"], Audiences: v["audiences"], Link: v.Get("link"), Number: v.Get("number"), DocType: v.Get("doc_type"),
		Issuer: v.Get("issuer"), SignedOn: v.Get("signed_on"), EffectiveOn: v.Get("effective_on"), LegalStatus: v.Get("legal_status")}
	in.Version, _ = strconv.Atoi(v.Get("version"))
	for _, c := range strings.FieldsFunc(v.Get("competences"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		in.Competences = append(in.Competences, c)
	}
	for i, line := range strings.Split(v.Get("relations"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		kind, target, ok := strings.Cut(line, " ")
		if !ok {
			return in, errs.Field("relations", "library.bad_relation_line", i+1, line)
		}
		in.Relations = append(in.Relations, RelationInput{Kind: kind, Target: strings.TrimSpace(target)})
	}
	return in, nil
}

// Create saves the form as a new draft.
func (h *HTTP) Create(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := auth.RequireScopes(r.Context(), auth.EditLibrary); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	in, err := inputOf(r.PostForm)
	var d *Doc
	if err == nil {
		d, err = h.Svc.Create(r.Context(), in)
	}
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.form(w, r, http.StatusBadRequest, nil, in, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/library/"+d.ID, http.StatusSeeOther)
	return nil
}

// EditPage is the form for a document's next version.
func (h *HTTP) EditPage(w http.ResponseWriter, r *http.Request) error {
	d, err := h.Svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if _, err := h.Svc.authorizeChange(r.Context(), d); err != nil {
		return err
	}
	in := d.input()
	for _, rel := range d.Relations {
		if slices.Contains(RelationKinds, rel.Kind) {
			t := rel.Number
			if t == "" {
				t = rel.DocID
			}
			in.Relations = append(in.Relations, RelationInput{Kind: rel.Kind, Target: t})
		}
	}
	return h.form(w, r, http.StatusOK, d, in, nil)
}

// Update saves the form as the document's next version.
func (h *HTTP) Update(w http.ResponseWriter, r *http.Request) error {
	d, err := h.Svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	in, err := inputOf(r.PostForm)
	if err == nil {
		_, err = h.Svc.Update(r.Context(), d.ID, in)
	}
	if e, ok := errs.As(err); ok && (e.Code == errs.Invalid || e.Code == errs.Conflict) {
		return h.form(w, r, http.StatusBadRequest, d, in, e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/library/"+d.ID, http.StatusSeeOther)
	return nil
}

// publishAt reads a publish time typed in the viewer's zone
// (datetime-local), or now when empty.
func publishAt(r *http.Request, v string) (int64, error) {
	if strings.TrimSpace(v) == "" {
		return 0, nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", v, auth.FromContext(r.Context()).Zone())
	if err != nil {
		return 0, errs.Field("publish_at", "library.bad_time", v)
	}
	return t.UnixMilli(), nil
}

// Transition publishes, unpublishes or archives (POST /library/{id}/{action}).
func (h *HTTP) Transition(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var err error
	switch r.PathValue("action") {
	case "publish":
		var at int64
		if at, err = publishAt(r, r.FormValue("publish_at")); err == nil {
			_, err = h.Svc.Publish(r.Context(), id, at)
		}
	case "unpublish":
		_, err = h.Svc.Unpublish(r.Context(), id)
	case "archive":
		_, err = h.Svc.Archive(r.Context(), id)
	case "files":
		r.Body = http.MaxBytesReader(w, r.Body, 64<<20)
		f, hdr, ferr := r.FormFile("file")
		if ferr != nil {
			return errs.Field("file", "error.param", "file", "-")
		}
		defer f.Close()
		_, err = h.Svc.Attach(r.Context(), id, hdr.Filename, f)
	default:
		return errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/library/"+id, http.StatusSeeOther)
	return nil
}

// APIList lists documents (GET /api/v1/library).
func (h *HTTP) APIList(w http.ResponseWriter, r *http.Request) error {
	f := filterOf(r.URL.Query())
	if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil {
		f.Limit = l
	}
	if err := checkFilter(f); err != nil {
		return err
	}
	list, err := h.Svc.List(r.Context(), f)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"documents": list})
}

// APIGet returns a document.
func (h *HTTP) APIGet(w http.ResponseWriter, r *http.Request) error {
	d, err := h.Svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

// APICreate saves a new draft.
func (h *HTTP) APICreate(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	d, err := h.Svc.Create(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, d)
}

// APIUpdate saves a new version.
func (h *HTTP) APIUpdate(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	d, err := h.Svc.Update(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

// APITransition publishes (with an optional publish_at, ms),
// unpublishes or archives.
func (h *HTTP) APITransition(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		PublishAt int64 `json:"publish_at"`
	}
	if r.ContentLength != 0 {
		if err := web.DecodeJSON(r, &body); err != nil {
			return err
		}
	}
	var d *Doc
	var err error
	switch r.PathValue("action") {
	case "publish":
		d, err = h.Svc.Publish(r.Context(), r.PathValue("id"), body.PublishAt)
	case "unpublish":
		d, err = h.Svc.Unpublish(r.Context(), r.PathValue("id"))
	case "archive":
		d, err = h.Svc.Archive(r.Context(), r.PathValue("id"))
	default:
		return errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

// APIVersions lists a document's versions (its editors).
func (h *HTTP) APIVersions(w http.ResponseWriter, r *http.Request) error {
	vs, err := h.Svc.Versions(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"versions": vs})
}

// APITopics lists the topics.
func (h *HTTP) APITopics(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.Svc.Topics(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"topics": ts})
}

// Atom feed of the latest public news (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Link      atomLink   `xml:"link"`
	Author    atomPerson `xml:"author"`
	Summary   string     `xml:"summary"`
}

// Feed is the Atom feed of the latest 30 public news items
// (/news.atom, ?lang=en for English titles where given).
func (h *HTTP) Feed(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Svc.List(r.Context(), Filter{Kind: News, Limit: 30})
	if err != nil {
		return err
	}
	lang := web.LangOf(r)
	base := strings.TrimSuffix(h.BaseURL, "/")
	feed := atomFeed{Lang: string(lang), ID: base + "/news.atom", Title: i18n.T(lang, "library.feed_title"), Updated: atomTime(0),
		Links:  []atomLink{{Rel: "self", Href: base + "/news.atom", Type: "application/atom+xml"}, {Rel: "alternate", Href: base + "/library?kind=news", Type: "text/html"}},
		Author: atomPerson{Name: "dxhub"}}
	for i, d := range list {
		if i == 0 {
			feed.Updated = atomTime(max(d.PublishAt, d.UpdatedAt))
		}
		feed.Entries = append(feed.Entries, atomEntry{ID: base + "/library/" + d.ID, Title: d.Title(lang), Updated: atomTime(max(d.PublishAt, d.UpdatedAt)),
			Published: atomTime(d.PublishAt), Link: atomLink{Rel: "alternate", Href: base + "/library/" + d.ID}, Author: atomPerson{Name: d.UnitName}, Summary: d.Summary(lang)})
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	return enc.Encode(feed)
}

func atomTime(ms int64) string {
	if ms == 0 {
		ms = time.Date(2022, 1, 28, 0, 0, 0, 0, time.UTC).UnixMilli()
	}
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

// Sitemap lists the public pages for search engines (sitemaps.org 0.9):
// the front pages and every public document.
func (h *HTTP) Sitemap(w http.ResponseWriter, r *http.Request) error {
	type loc struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod,omitempty"`
	}
	type urlset struct {
		XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
		URLs    []loc    `xml:"url"`
	}
	base := strings.TrimSuffix(h.BaseURL, "/")
	set := urlset{}
	for _, p := range []string{"/", "/library", "/courses", "/units", "/achievements"} {
		set.URLs = append(set.URLs, loc{Loc: base + p})
	}
	for offset := 0; offset < 50000; offset += 100 {
		list, err := h.Svc.List(r.Context(), Filter{Limit: 100, Offset: offset})
		if err != nil {
			return err
		}
		for _, d := range list {
			set.URLs = append(set.URLs, loc{Loc: base + "/library/" + d.ID, LastMod: time.UnixMilli(max(d.PublishAt, d.UpdatedAt)).UTC().Format("2006-01-02")})
		}
		if len(list) < 100 {
			break
		}
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	return xml.NewEncoder(w).Encode(set)
}

// AskPage answers a question (/ask?q=), citing the library, or says it
// does not know and offers the nearest documents and a way to ask a
// person.
func (h *HTTP) AskPage(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	data := map[string]any{"Q": q}
	if q != "" {
		if err := h.allow(r, "ask", askEvery, askBurst); err != nil {
			return err
		}
		ans, err := h.Svc.Ask(r.Context(), q, web.LangOf(r))
		if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
			data["Error"] = e
		} else if err != nil {
			return err
		} else {
			data["A"] = ans
		}
	}
	data["Kept"] = r.URL.Query().Get("kept") == "1"
	return h.Web.Render(w, r, http.StatusOK, "library/ask", "library.ask_title", data)
}

// KeepQuestion keeps a question (unanswered, or its answer rated) when
// the asker agrees (POST /ask/keep).
func (h *HTTP) KeepQuestion(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	var helpful *bool
	switch r.PostForm.Get("helpful") {
	case "yes":
		t := true
		helpful = &t
	case "no":
		f := false
		helpful = &f
	}
	q := r.PostForm.Get("q")
	if err := h.allow(r, "keep", keepEvery, keepBurst); err != nil {
		return err
	}
	if helpful != nil && *helpful {
		// A helpful answer needs nothing kept.
		http.Redirect(w, r, "/ask?kept=1&q="+url.QueryEscape(q), http.StatusSeeOther)
		return nil
	}
	if err := h.Svc.Keep(r.Context(), q, web.LangOf(r), r.PostForm.Get("answered") == "1", helpful, r.PostForm.Get("consent") != ""); err != nil {
		return err
	}
	http.Redirect(w, r, "/ask?kept=1&q="+url.QueryEscape(q), http.StatusSeeOther)
	return nil
}

// QuestionsPage lists the kept questions to editors, each with a link
// that starts an FAQ entry answering it.
func (h *HTTP) QuestionsPage(w http.ResponseWriter, r *http.Request) error {
	qs, err := h.Svc.Questions(r.Context())
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "library/questions", "library.questions_title", map[string]any{"List": qs})
}

// APIAsk answers a question (GET /api/v1/ask?q=).
func (h *HTTP) APIAsk(w http.ResponseWriter, r *http.Request) error {
	if err := h.allow(r, "ask", askEvery, askBurst); err != nil {
		return err
	}
	ans, err := h.Svc.Ask(r.Context(), r.URL.Query().Get("q"), web.LangOf(r))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, ans)
}

// APIKeepQuestion keeps a question with the asker's consent (POST
// /api/v1/ask/keep).
func (h *HTTP) APIKeepQuestion(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Question string `json:"question"`
		Answered bool   `json:"answered"`
		Helpful  *bool  `json:"helpful"`
		Consent  bool   `json:"consent"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	if err := h.allow(r, "keep", keepEvery, keepBurst); err != nil {
		return err
	}
	if err := h.Svc.Keep(r.Context(), body.Question, web.LangOf(r), body.Answered, body.Helpful, body.Consent); err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, map[string]bool{"kept": true})
}

// APIQuestions lists kept questions (editors).
func (h *HTTP) APIQuestions(w http.ResponseWriter, r *http.Request) error {
	qs, err := h.Svc.Questions(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"questions": qs})
}
