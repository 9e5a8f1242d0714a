package assessment

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/web"
	"dxhub/internal/skills"
)

// ExamHTTP holds the exam handlers: candidates, managers and proctors.
type ExamHTTP struct {
	X   *Exams
	Web *web.Web
}

// MyExams lists open sessions for the candidate and their attempts.
func (h *ExamHTTP) MyExams(w http.ResponseWriter, r *http.Request) error {
	sessions, err := h.X.AvailableSessions(r.Context())
	if err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	attempts := map[string]*Attempt{}
	for _, s := range sessions {
		if a, err := h.X.MyAttemptIn(r.Context(), s.ID); err == nil {
			attempts[s.ID] = a
		}
	}
	mine, err := h.X.MyAttempts(r.Context())
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "assessment/exams", "exams.title", map[string]any{"Sessions": sessions, "Attempts": attempts, "Mine": mine,
		"CanManage": p.CanAnywhere(auth.ManageExams) || p.CanAnywhere(auth.ProctorExams)})
}

// Start starts or resumes an attempt and goes to its first item.
func (h *ExamHTTP) Start(w http.ResponseWriter, r *http.Request) error {
	a, err := h.X.StartAttempt(r.Context(), r.PathValue("id"), r.FormValue("access_code"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/attempts/"+a.ID, http.StatusSeeOther)
	return nil
}

// AttemptPage shows one item of an attempt (?q=N, from 1) with the timer.
func (h *ExamHTTP) AttemptPage(w http.ResponseWriter, r *http.Request) error {
	a, b, items, err := h.openAttempt(w, r)
	if a == nil {
		return err
	}
	q, _ := strconv.Atoi(r.URL.Query().Get("q"))
	idx := q - 1
	if b.Navigation == Linear || idx < 0 || idx >= len(items) {
		idx = a.Cursor
		if b.Navigation == Free && q == 0 {
			idx = 0
		}
	}
	answered, others := 0, 0
	for _, it := range items {
		if len(it.Response) > 0 {
			answered++
			if it.Index != idx {
				others++
			}
		}
	}
	st := answerStateOf(items[idx].View, items[idx].Response)
	if items[idx].View.Type == Upload && len(items[idx].Response) == 1 {
		st.File, st.FileName = strings.TrimPrefix(items[idx].Response[0], UploadPrefix), h.X.uploadName(r.Context(), items[idx].Response[0])
	}
	return h.Web.RenderFramed(w, r, http.StatusOK, "assessment/attempt", web.T(r, "exams.title"), examFrame, map[string]any{
		"A": a, "Items": items, "Cur": items[idx], "N": idx + 1, "Total": len(items), "Linear": b.Navigation == Linear,
		"Remaining": a.RemainingS(h.X.Now()), "Answer": st, "Answered": answered, "AnsweredOthers": others})
}

// openAttempt loads the caller's attempt in progress with its blueprint
// and items. A finished attempt redirects to its result; then, as on any
// error, the attempt returned is nil.
func (h *ExamHTTP) openAttempt(w http.ResponseWriter, r *http.Request) (*Attempt, *Blueprint, []AttemptItem, error) {
	a, err := h.X.Attempt(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, nil, nil, err
	}
	if a.Status != InProgress {
		http.Redirect(w, r, "/attempts/"+a.ID+"/result", http.StatusSeeOther)
		return nil, nil, nil, nil
	}
	_, b, err := h.X.SessionOf(r.Context(), a.SessionID)
	if err != nil {
		return nil, nil, nil, err
	}
	items, err := h.X.AttemptItems(r.Context(), a)
	if err != nil {
		return nil, nil, nil, err
	}
	return a, b, items, nil
}

// examFrame shows an attempt without the site menu, with its script.
var examFrame = web.Frame{Focus: true, Scripts: []string{"exam-3.js"}}

// ConfirmPage asks a candidate to confirm submitting, saying which
// questions are still blank (the page a tap on "Nộp bài" leads to without
// JavaScript; with it, a dialog on the exam page says the same).
func (h *ExamHTTP) ConfirmPage(w http.ResponseWriter, r *http.Request) error {
	a, b, items, err := h.openAttempt(w, r)
	if a == nil {
		return err
	}
	var blank []int
	for _, it := range items {
		if len(it.Response) == 0 {
			blank = append(blank, it.Index+1)
		}
	}
	back, _ := strconv.Atoi(r.URL.Query().Get("from"))
	if back < 1 || back > len(items) {
		back = a.Cursor + 1
	}
	return h.Web.RenderFramed(w, r, http.StatusOK, "assessment/confirm", web.T(r, "exams.confirm_title"), examFrame, map[string]any{
		"A": a, "Unanswered": blank, "Linear": b.Navigation == Linear, "Remaining": a.RemainingS(h.X.Now()), "Back": back})
}

// answerState is what a response has filled in of an item's fields:
// Sel by option id (its position for ordering), "match-"+left by the
// right chosen, Text the typed answer; a composite item's Parts each
// their own.
type answerState struct {
	Sel   map[string]string
	Text  string
	Parts []answerState
	// Points: a point item's boxes, one per point it takes.
	Points []string
	// File: an upload item's file handed in (its key), FileName its name.
	File, FileName string
}

func answerStateOf(v View, resp []string) answerState {
	st := answerState{Sel: map[string]string{}, Text: strings.Join(resp, "")}
	if v.Type == Composite {
		st.Text = ""
		for k, p := range partValues(len(v.Parts), resp) {
			st.Parts = append(st.Parts, answerStateOf(v.Parts[k], p))
		}
		return st
	}
	if v.Type == Point {
		st.Points = make([]string, max(v.MaxChoices, 1))
		copy(st.Points, resp)
	}
	for i, r := range resp {
		st.Sel[r] = strconv.Itoa(i + 1)
		if l, rt, ok := strings.Cut(r, ":"); ok {
			st.Sel["match-"+l] = rt
		}
	}
	return st
}

// responseOf reads a response from the item's form fields: r (choices,
// text), pos-ID (ordering positions) and match-ID (matching), each
// prefixed with a composite item's part name ("p0-").
func responseOf(v url.Values, view View) []string {
	if view.Type == Composite {
		parts := make([][]string, len(view.Parts))
		for k, p := range view.Parts {
			parts[k] = responseOf(v, p)
		}
		return JoinParts(parts)
	}
	pre := view.Name
	switch view.Type {
	case Ordering:
		type pos struct {
			id string
			n  int
		}
		var ps []pos
		for _, o := range view.Options {
			n, err := strconv.Atoi(v.Get(pre + "pos-" + o.ID))
			if err != nil {
				return nil
			}
			ps = append(ps, pos{o.ID, n})
		}
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].n < ps[j].n })
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.id
		}
		return out
	case Matching:
		var out []string
		for _, o := range view.Options {
			if t := v.Get(pre + "match-" + o.ID); t != "" {
				out = append(out, o.ID+":"+t)
			}
		}
		return out
	}
	var out []string
	for _, s := range v[pre+"r"] {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Answer saves the posted item (without JavaScript) and moves on.
func (h *ExamHTTP) Answer(w http.ResponseWriter, r *http.Request) error {
	a, err := h.X.Attempt(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	// An upload item's page posts its file with the form (multipart).
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+1<<20)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return errs.Field("file", "exams.upload_too_large", maxUpload>>20)
		}
	} else if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	idx, err := strconv.Atoi(r.PostForm.Get("idx"))
	if err != nil || idx < 0 || idx >= len(a.Form) {
		return errs.Field("idx", "exams.bad_item")
	}
	items, err := h.X.AttemptItems(r.Context(), a)
	if err != nil {
		return err
	}
	if items[idx].View.Type == Upload {
		// The file, if one was chosen; without one the answer stays.
		if f, hdr, err := r.FormFile("file"); err == nil {
			_, err = h.X.UploadAnswer(r.Context(), a.ID, idx, hdr.Filename, f)
			f.Close()
			if err != nil {
				return err
			}
		}
	} else if _, err := h.X.SaveAnswer(r.Context(), a.ID, idx, responseOf(r.PostForm, items[idx].View)); err != nil {
		return err
	}
	next := idx + 1
	switch r.PostForm.Get("go") {
	case "prev":
		next = idx - 1
	case "review", "submit":
		// Submitting is never one tap: the answer is saved, then the
		// candidate confirms on a page that counts the blank questions.
		http.Redirect(w, r, "/attempts/"+a.ID+"/submit?from="+strconv.Itoa(idx+1), http.StatusSeeOther)
		return nil
	case "stay":
		next = idx
	}
	_, b, _ := h.X.SessionOf(r.Context(), a.SessionID)
	if b != nil && b.Navigation == Linear && next > idx {
		if _, err := h.X.Advance(r.Context(), a.ID); err != nil {
			return err
		}
	}
	next = max(0, min(next, len(a.Form)-1))
	http.Redirect(w, r, "/attempts/"+a.ID+"?q="+strconv.Itoa(next+1), http.StatusSeeOther)
	return nil
}

// SubmitPage submits and shows the result.
func (h *ExamHTTP) SubmitPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.X.Submit(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/attempts/"+r.PathValue("id")+"/result", http.StatusSeeOther)
	return nil
}

// ResultPage shows a finished attempt as the session's review policy allows.
func (h *ExamHTTP) ResultPage(w http.ResponseWriter, r *http.Request) error {
	a, err := h.X.Attempt(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if a.Status == InProgress {
		http.Redirect(w, r, "/attempts/"+a.ID, http.StatusSeeOther)
		return nil
	}
	s, b, err := h.X.SessionOf(r.Context(), a.SessionID)
	if err != nil {
		return err
	}
	if err := h.reviewPolicy(r.Context(), a); err != nil {
		return err
	}
	data := map[string]any{"A": a, "S": s}
	if a.Breakdown != nil && s.ReviewPolicy != ReviewScore {
		data["Names"], data["Next"] = h.breakdownNames(r, b), weakAreas(a.Breakdown)
	}
	if s.ReviewPolicy == ReviewAnswers {
		rev, err := h.X.Review(r.Context(), a)
		if err != nil {
			return err
		}
		for i := range rev {
			if rev[i].TrueFalse { // the words the exam showed, not the stored values
				for _, l := range [][]string{rev[i].Given, rev[i].Right} {
					for j, v := range l {
						l[j] = web.T(r, "items."+v)
					}
				}
			}
		}
		data["Review"] = rev
	}
	return h.Web.Render(w, r, http.StatusOK, "assessment/result", "exams.result", data)
}

// breakdownNames names the areas and competences of the blueprint's skills
// standard in the reader's language ("4.3 Bảo vệ sức khỏe..."), by code.
func (h *ExamHTTP) breakdownNames(r *http.Request, b *Blueprint) map[string]string {
	names := map[string]string{}
	std, err := h.X.Bank.Skills.Get(r.Context(), b.StandardCode, b.StandardVersion)
	if err != nil {
		return names
	}
	en := web.LangOf(r) == "en"
	pick := func(vi, e string) string {
		if en && e != "" {
			return e
		}
		return vi
	}
	for _, ar := range std.Areas {
		names[ar.Code] = pick(ar.NameVI, ar.NameEN)
		for _, c := range ar.Competences {
			names[c.Code] = pick(c.NameVI, c.NameEN)
		}
	}
	return names
}

// weakAreas are the areas a candidate should learn next: below their
// minimum, or under half marks, weakest first.
func weakAreas(bd *Breakdown) []Part {
	var out []Part
	for _, p := range bd.Areas {
		if !p.Passed || p.Percent < 50 {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Percent < out[j].Percent })
	return out
}

// ManagePage lists blueprints and sessions with the forms to add them.
func (h *ExamHTTP) ManagePage(w http.ResponseWriter, r *http.Request) error {
	return h.manage(w, r, http.StatusOK, map[string]any{})
}

func (h *ExamHTTP) manage(w http.ResponseWriter, r *http.Request, status int, data map[string]any) error {
	sessions, err := h.X.ManagedSessions(r.Context())
	if err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	var bps []*Blueprint
	if p.CanAnywhere(auth.ManageExams) {
		if bps, err = h.X.Blueprints(r.Context()); err != nil {
			return err
		}
	}
	std, err := h.X.Bank.Skills.Latest(r.Context(), DefaultStandard)
	if err != nil {
		return err
	}
	data["Sessions"], data["Blueprints"], data["CanManage"], data["S"], data["Tiers"] = sessions, bps, p.CanAnywhere(auth.ManageExams), std, skills.Tiers
	if data["Now"] == nil {
		now := time.Now().In(auth.FromContext(r.Context()).Zone())
		data["Now"], data["Later"] = now.Format("2006-01-02T15:04"), now.Add(24*time.Hour).Format("2006-01-02T15:04")
	}
	return h.Web.Render(w, r, status, "assessment/manage", "exams.manage", data)
}

// parseRules reads "3 4.2 basic" and "5 area:4" lines.
func parseRules(text string) ([]Rule, error) {
	var out []Rule
	for i, l := range lines(text) {
		f := strings.Fields(l)
		if len(f) < 2 || len(f) > 3 {
			return nil, errs.Field("rules", "exams.bad_rule_line", i+1, l)
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			return nil, errs.Field("rules", "exams.bad_rule_line", i+1, l)
		}
		r := Rule{Count: n}
		if a, ok := strings.CutPrefix(f[1], "area:"); ok {
			r.Area = a
		} else {
			r.Competence = f[1]
		}
		if len(f) == 3 {
			r.Tier = f[2]
		}
		out = append(out, r)
	}
	return out, nil
}

// CreateBlueprint handles the blueprint form.
func (h *ExamHTTP) CreateBlueprint(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	f := r.PostForm
	b := &Blueprint{Name: f.Get("name"), UnitCode: f.Get("unit_code"), StandardCode: DefaultStandard, Navigation: f.Get("navigation"),
		ShuffleItems: f.Get("shuffle_items") != "", ShuffleOptions: f.Get("shuffle_options") != "", AreaMin: map[string]float64{}}
	if std, err := h.X.Bank.Skills.Latest(r.Context(), DefaultStandard); err == nil {
		b.StandardVersion = std.Version
	}
	b.TimeLimitMin, _ = strconv.Atoi(f.Get("time_limit_min"))
	b.PassPercent, _ = parseNumber(f.Get("pass_percent"))
	rules, err := parseRules(f.Get("rules"))
	if err == nil {
		b.Rules = rules
		for _, l := range lines(f.Get("area_min")) {
			k, v, ok := strings.Cut(l, "=")
			n, perr := parseNumber(v)
			if !ok || perr != nil {
				err = errs.Field("area_min", "items.bad_map_line", l)
				break
			}
			b.AreaMin[strings.TrimSpace(k)] = n
		}
	}
	if err == nil {
		err = h.X.SaveBlueprint(r.Context(), b)
	}
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.manage(w, r, http.StatusBadRequest, map[string]any{"Error": e, "Form": f})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/blueprints/"+b.ID, http.StatusSeeOther)
	return nil
}

// BlueprintPage shows a blueprint and whether the bank can fill it.
func (h *ExamHTTP) BlueprintPage(w http.ResponseWriter, r *http.Request) error {
	b, err := h.X.Blueprint(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if _, err := auth.Authorize(r.Context(), auth.ManageExams, b.UnitPath); err != nil {
		return err
	}
	cov, ok, err := h.X.Coverage(r.Context(), b)
	if err != nil {
		return err
	}
	return h.Web.RenderTitle(w, r, http.StatusOK, "assessment/blueprint", b.Name, map[string]any{"B": b, "Coverage": cov, "OK": ok})
}

// parseTime reads a datetime-local field as a time in loc, the zone the
// person reads and types times in.
func parseTime(s string, loc *time.Location) int64 {
	t, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(s), loc)
	if err != nil {
		return 0
	}
	return t.UnixMilli()
}

// CreateSession handles the session form.
func (h *ExamHTTP) CreateSession(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	f := r.PostForm
	zone := auth.FromContext(r.Context()).Zone()
	s := &Session{BlueprintID: f.Get("blueprint_id"), Name: f.Get("name"), UnitCode: f.Get("unit_code"), OpensAt: parseTime(f.Get("opens_at"), zone), ClosesAt: parseTime(f.Get("closes_at"), zone),
		AccessCode: f.Get("access_code"), Eligibility: f.Get("eligibility"), Groups: f["groups"], ReviewPolicy: f.Get("review_policy"), Candidates: lines(f.Get("candidates"))}
	s.TimeLimitMin, _ = strconv.Atoi(f.Get("time_limit_min"))
	s.Waves, _ = strconv.Atoi(f.Get("waves"))
	s.WaveIntervalS, _ = strconv.Atoi(f.Get("wave_interval_s"))
	err := h.X.SaveSession(r.Context(), s)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.manage(w, r, http.StatusBadRequest, map[string]any{"Error": e, "Form": f})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/exam-sessions/"+s.ID+"/proctor", http.StatusSeeOther)
	return nil
}

// ProctorPage shows the live roster; its script refreshes it every 5 seconds.
func (h *ExamHTTP) ProctorPage(w http.ResponseWriter, r *http.Request) error {
	ro, err := h.X.Roster(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.Web.RenderFramed(w, r, http.StatusOK, "assessment/proctor", ro.Session.Name, web.Frame{Scripts: []string{"live-1.js"}}, ro)
}

// ProctorAction extends or voids an attempt from the roster.
func (h *ExamHTTP) ProctorAction(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	n, _ := strconv.Atoi(r.PostForm.Get("minutes"))
	if err := h.X.ProctorAct(r.Context(), r.PathValue("id"), r.PathValue("action"), n, r.PostForm.Get("reason")); err != nil {
		return err
	}
	http.Redirect(w, r, "/exam-sessions/"+r.PostForm.Get("session")+"/proctor", http.StatusSeeOther)
	return nil
}

// MarkingPage lists a session's essay answers for its examiners to
// mark.
func (h *ExamHTTP) MarkingPage(w http.ResponseWriter, r *http.Request) error {
	m, err := h.X.Marking(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "assessment/marking", "exams.marking", map[string]any{"M": m, "Saved": r.URL.Query().Get("saved") != ""})
}

// MarkAnswer records one mark from the marking page.
func (h *ExamHTTP) MarkAnswer(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.E(errs.Invalid, "error.bad_request")
	}
	idx, err := strconv.Atoi(r.PostForm.Get("index"))
	if err != nil {
		return errs.Field("index", "exams.bad_item")
	}
	points, err := parseNumber(r.PostForm.Get("points"))
	if err != nil {
		return errs.Field("points", "exams.bad_points", "?")
	}
	if _, err := h.X.Mark(r.Context(), r.PostForm.Get("attempt"), idx, points, r.PostForm.Get("comment")); err != nil {
		return err
	}
	http.Redirect(w, r, "/exam-sessions/"+r.PathValue("id")+"/marking?saved=1", http.StatusSeeOther)
	return nil
}

// --- JSON API ---

// APIUpload: POST /api/v1/attempts/{id}/files/{idx}, the file as the
// multipart field "file": an upload item's answer.
func (h *ExamHTTP) APIUpload(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	idx, err := strconv.Atoi(r.PathValue("idx"))
	if err != nil {
		return errs.Field("item", "exams.bad_item")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+1<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return errs.Field("file", "error.param", "file", "-")
	}
	defer f.Close()
	key, err := h.X.UploadAnswer(r.Context(), r.PathValue("id"), idx, hdr.Filename, f)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"response": []string{UploadPrefix + key}, "name": hdr.Filename})
}

// APIMarking: GET /api/v1/exam-sessions/{id}/marking.
func (h *ExamHTTP) APIMarking(w http.ResponseWriter, r *http.Request) error {
	m, err := h.X.Marking(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	m.Session.AccessCode = ""
	return web.JSON(w, http.StatusOK, m)
}

// APIMark: PUT /api/v1/attempts/{id}/marks/{idx} {"points", "comment"}.
func (h *ExamHTTP) APIMark(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	idx, err := strconv.Atoi(r.PathValue("idx"))
	if err != nil {
		return errs.Field("index", "exams.bad_item")
	}
	var in struct {
		Points  *float64 `json:"points"`
		Comment string   `json:"comment"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Points == nil {
		return errs.Field("points", "exams.bad_points", "?")
	}
	a, err := h.X.Mark(r.Context(), r.PathValue("id"), idx, *in.Points, in.Comment)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, a)
}

// APIAvailable: GET /api/v1/exams.
func (h *ExamHTTP) APIAvailable(w http.ResponseWriter, r *http.Request) error {
	s, err := h.X.AvailableSessions(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"sessions": s})
}

// APIStart: POST /api/v1/exams/{id}/start {"access_code": ""}.
func (h *ExamHTTP) APIStart(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		AccessCode string `json:"access_code"`
	}
	if r.ContentLength > 0 {
		if err := web.DecodeJSON(r, &in); err != nil {
			return err
		}
	}
	a, err := h.X.StartAttempt(r.Context(), r.PathValue("id"), in.AccessCode)
	if err != nil {
		return err
	}
	return h.attemptJSON(w, r, a)
}

type apiItem struct {
	Index    int      `json:"index"`
	Type     string   `json:"type"`
	Stem     string   `json:"stem_html"`
	Options  []Option `json:"options,omitempty"`
	Targets  []Option `json:"targets,omitempty"`
	Response []string `json:"response"`
}

func (h *ExamHTTP) attemptJSON(w http.ResponseWriter, r *http.Request, a *Attempt) error {
	if err := h.reviewPolicy(r.Context(), a); err != nil {
		return err
	}
	out := map[string]any{"attempt": a, "remaining_s": a.RemainingS(h.X.Now())}
	if a.Status == InProgress {
		items, err := h.X.AttemptItems(r.Context(), a)
		if err != nil {
			return err
		}
		list := make([]apiItem, len(items))
		for i, it := range items {
			list[i] = apiItem{Index: i, Type: it.View.Type, Stem: string(it.View.Stem), Options: it.View.Options, Targets: it.View.Targets, Response: it.Response}
		}
		out["items"] = list
	}
	return web.JSON(w, http.StatusOK, out)
}

// APIAttempt: GET /api/v1/attempts/{id}.
func (h *ExamHTTP) APIAttempt(w http.ResponseWriter, r *http.Request) error {
	a, err := h.X.Attempt(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.attemptJSON(w, r, a)
}

// APISave: PUT /api/v1/attempts/{id}/answers/{idx} {"response": [...]}.
func (h *ExamHTTP) APISave(w http.ResponseWriter, r *http.Request) error {
	idx, err := strconv.Atoi(r.PathValue("idx"))
	if err != nil {
		return errs.Field("idx", "exams.bad_item")
	}
	var in struct {
		Response []string `json:"response"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	seq, err := h.X.SaveAnswer(r.Context(), r.PathValue("id"), idx, in.Response)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"saved": true, "seq": seq})
}

// APINext: POST /api/v1/attempts/{id}/next (linear navigation).
func (h *ExamHTTP) APINext(w http.ResponseWriter, r *http.Request) error {
	a, err := h.X.Advance(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, a)
}

// APISubmit: POST /api/v1/attempts/{id}/submit.
func (h *ExamHTTP) APISubmit(w http.ResponseWriter, r *http.Request) error {
	a, err := h.X.Submit(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := h.reviewPolicy(r.Context(), a); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, a)
}

// reviewPolicy removes from a what its session's review policy does not
// show the candidate; those who manage or proctor the session see all.
// Every API answer that carries an attempt goes through it.
func (h *ExamHTTP) reviewPolicy(ctx context.Context, a *Attempt) error {
	s, _, err := h.X.SessionOf(ctx, a.SessionID)
	if err != nil {
		return err
	}
	p := auth.FromContext(ctx)
	if p.Can(auth.ManageExams, s.UnitPath) || p.Can(auth.ProctorExams, s.UnitPath) {
		return nil
	}
	if s.ReviewPolicy == ReviewScore {
		a.Breakdown = nil
	}
	return nil
}

// APICreateBlueprint: POST /api/v1/blueprints.
func (h *ExamHTTP) APICreateBlueprint(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	var b Blueprint
	if err := web.DecodeJSON(r, &b); err != nil {
		return err
	}
	b.ID = ""
	if err := h.X.SaveBlueprint(r.Context(), &b); err != nil {
		return err
	}
	cov, ok, err := h.X.Coverage(r.Context(), &b)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, map[string]any{"blueprint": b, "coverage": cov, "fillable": ok})
}

// APIBlueprint: GET /api/v1/blueprints/{id}.
func (h *ExamHTTP) APIBlueprint(w http.ResponseWriter, r *http.Request) error {
	b, err := h.X.Blueprint(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if _, err := auth.Authorize(r.Context(), auth.ManageExams, b.UnitPath); err != nil {
		return err
	}
	cov, ok, err := h.X.Coverage(r.Context(), b)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"blueprint": b, "coverage": cov, "fillable": ok})
}

// APICreateSession: POST /api/v1/exam-sessions.
func (h *ExamHTTP) APICreateSession(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	var s Session
	if err := web.DecodeJSON(r, &s); err != nil {
		return err
	}
	if err := h.X.SaveSession(r.Context(), &s); err != nil {
		return err
	}
	s.AccessCode = ""
	return web.JSON(w, http.StatusCreated, s)
}

// APIRoster: GET /api/v1/exam-sessions/{id}/roster.
func (h *ExamHTTP) APIRoster(w http.ResponseWriter, r *http.Request) error {
	ro, err := h.X.Roster(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	ro.Session.AccessCode = ""
	return web.JSON(w, http.StatusOK, ro)
}

// APIProctor: POST /api/v1/attempts/{id}/extend {"minutes","reason"} and /void {"reason"}.
func (h *ExamHTTP) APIProctor(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return err
	}
	var in struct {
		Minutes int    `json:"minutes"`
		Reason  string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.X.ProctorAct(r.Context(), r.PathValue("id"), r.PathValue("action"), in.Minutes, in.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// StatsPage shows a session's item and form statistics.
func (h *ExamHTTP) StatsPage(w http.ResponseWriter, r *http.Request) error {
	st, err := h.X.Stats(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.Web.RenderTitle(w, r, http.StatusOK, "assessment/stats", st.Session.Name, st)
}

// StatsXLSX downloads the item statistics.
func (h *ExamHTTP) StatsXLSX(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := h.X.ExportStats(r.Context(), &buf, r.PathValue("id")); err != nil {
		return err
	}
	return web.Download(w, web.XLSXType, "item-statistics.xlsx", &buf)
}

// APIStats: GET /api/v1/exam-sessions/{id}/stats.
func (h *ExamHTTP) APIStats(w http.ResponseWriter, r *http.Request) error {
	st, err := h.X.Stats(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	st.Session.AccessCode = ""
	return web.JSON(w, http.StatusOK, st)
}
