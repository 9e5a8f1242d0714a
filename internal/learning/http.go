package learning

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"dxhub/internal/lrs"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/tabular"
	"dxhub/internal/platform/web"
	"dxhub/internal/skills"
)

//go:embed templates
var templates embed.FS

// Templates are the learning room's pages.
func Templates() fs.FS { t, _ := fs.Sub(templates, "templates"); return t }

// HTTP holds the learning pages and API.
type HTTP struct {
	Svc *Service
	Web *web.Web
}

func filterOf(q url.Values) Filter {
	f := Filter{Q: q.Get("q"), Audience: q.Get("audience"), Area: q.Get("area"), Level: q.Get("level"), Sort: q.Get("sort")}
	f.MaxMinutes, _ = strconv.Atoi(q.Get("max_minutes"))
	return f
}

func (h *HTTP) areas(r *http.Request) []skills.Area {
	std, err := h.Svc.Skills.Latest(r.Context(), "VN-DSF")
	if err != nil {
		return nil
	}
	return std.Areas
}

// CataloguePage lists published courses with search and filters.
func (h *HTTP) CataloguePage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	list, err := h.Svc.Catalogue(r.Context(), filterOf(q))
	if err != nil {
		return err
	}
	// The person's own courses are marked on their cards.
	mine := map[string]string{}
	if auth.FromContext(r.Context()) != nil {
		if es, err := h.Svc.MyEnrolments(r.Context()); err == nil {
			for _, e := range es {
				mine[e.CourseID] = e.Status
			}
		}
	}
	areaNames := map[string]string{}
	areas := h.areas(r)
	for _, a := range areas {
		areaNames[a.Code] = a.NameVI
		if web.LangOf(r) == i18n.EN && a.NameEN != "" {
			areaNames[a.Code] = a.NameEN
		}
	}
	filtered := q.Get("audience") != "" || q.Get("area") != "" || q.Get("level") != "" || q.Get("max_minutes") != "" || q.Get("sort") != ""
	return h.Web.Render(w, r, http.StatusOK, "learning/courses", "learning.catalogue", map[string]any{
		"Courses": list, "Q": q, "Audiences": Audiences, "Levels": Levels, "Areas": areas, "AreaNames": areaNames, "Mine": mine, "Filtered": filtered,
		"CanAuthor": auth.FromContext(r.Context()).CanAnywhere(auth.AuthorContent)})
}

// CoursePage shows a course's outline and the caller's progress.
func (h *HTTP) CoursePage(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Svc.CourseByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	data := map[string]any{"Course": c, "CanEdit": auth.FromContext(r.Context()).Can(auth.AuthorContent, c.UnitPath)}
	if c.Version > 0 {
		o, err := h.Svc.Published(r.Context(), c.ID, 0)
		if err != nil {
			return err
		}
		data["Outline"] = o
		if auth.FromContext(r.Context()) != nil {
			if e, err := h.Svc.MyEnrolment(r.Context(), c.ID); err == nil {
				eo, err := h.Svc.Published(r.Context(), c.ID, e.Version)
				if err != nil {
					return err
				}
				data["Enrolment"], data["Outline"] = e, eo
				data["Next"] = nextLesson(eo, e)
			}
		}
	}
	return h.Web.RenderTitle(w, r, http.StatusOK, "learning/course", c.Title, data)
}

// nextLesson is where a learner resumes: the first lesson not done after
// the last one opened, else the first not done.
func nextLesson(o *Outline, e *Enrolment) string {
	ls := o.Lessons()
	start := 0
	if _, i := o.Lesson(e.LastLesson); i >= 0 {
		if !e.Done[e.LastLesson] {
			return e.LastLesson
		}
		start = i
	}
	for k := 0; k < len(ls); k++ {
		l := ls[(start+k)%len(ls)]
		if !e.Done[l.ID] {
			return l.ID
		}
	}
	if len(ls) > 0 {
		return ls[0].ID
	}
	return ""
}

// Enrol enrols the caller and opens the first lesson.
func (h *HTTP) Enrol(w http.ResponseWriter, r *http.Request) error {
	e, err := h.Svc.Enrol(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	o, err := h.Svc.Published(r.Context(), e.CourseID, e.Version)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/courses/"+e.CourseCode+"/lessons/"+nextLesson(o, e), http.StatusSeeOther)
	return nil
}

func (h *HTTP) enrolment(r *http.Request) (*Enrolment, error) {
	c, err := h.Svc.CourseByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return nil, err
	}
	if _, err := auth.RequireUser(r.Context()); err != nil {
		return nil, err
	}
	return h.Svc.MyEnrolment(r.Context(), c.ID)
}

// LessonPage shows a lesson to an enrolled learner.
func (h *HTTP) LessonPage(w http.ResponseWriter, r *http.Request) error {
	e, err := h.enrolment(r)
	if err != nil {
		return err
	}
	o, l, err := h.Svc.Open(r.Context(), e, r.PathValue("lesson"))
	if err != nil {
		return err
	}
	if l.Kind == KindXAPI {
		if _, err := h.Svc.SyncExternal(r.Context(), e, o, l); err != nil {
			return err
		}
	}
	return h.lesson(w, r, http.StatusOK, o, l, e, nil, false)
}

func (h *HTTP) lesson(w http.ResponseWriter, r *http.Request, status int, o *Outline, l *Lesson, e *Enrolment, res *QuizResult, preview bool) error {
	data := map[string]any{"Outline": o, "Lesson": l, "Enrolment": e, "Result": res, "Preview": preview}
	ls := o.Lessons()
	_, i := o.Lesson(l.ID)
	if i > 0 {
		data["Prev"] = ls[i-1]
	}
	if i+1 < len(ls) {
		data["NextLesson"] = ls[i+1]
	}
	if l.Kind == KindQuiz {
		enrolment := ""
		if e != nil {
			enrolment = e.ID
		}
		items, err := h.Svc.QuizItems(r.Context(), l, enrolment)
		if err != nil {
			return err
		}
		data["Items"] = items
		if res != nil {
			fb := map[string]ItemFeedback{}
			for _, f := range res.Items {
				fb[f.ItemID] = f
			}
			data["Feedback"] = fb
		}
	}
	return h.Web.RenderTitle(w, r, status, "learning/lesson", l.Title+" · "+o.Course.Title, data)
}

// CompleteLesson marks the lesson done and goes to the next one.
func (h *HTTP) CompleteLesson(w http.ResponseWriter, r *http.Request) error {
	e, err := h.enrolment(r)
	if err != nil {
		return err
	}
	e, err = h.Svc.CompleteLesson(r.Context(), e.ID, r.PathValue("lesson"))
	if err != nil {
		return err
	}
	o, err := h.Svc.Published(r.Context(), e.CourseID, e.Version)
	if err != nil {
		return err
	}
	if e.Status == "completed" {
		http.Redirect(w, r, "/courses/"+e.CourseCode, http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/courses/"+e.CourseCode+"/lessons/"+nextLesson(o, e), http.StatusSeeOther)
	return nil
}

// answersFrom reads quiz answers: item ID fields, several values for
// multiple choice; ordering and matching as one field per position.
func answersFrom(r *http.Request, items []string) map[string][]string {
	out := map[string][]string{}
	for _, id := range items {
		var vals []string
		for _, v := range r.Form["a-"+id] {
			if v = strings.TrimSpace(v); v != "" {
				vals = append(vals, v)
			}
		}
		// A composite item's parts: fields a-ID~k, their values written
		// "k:value" as the item's response holds them.
		var parts []int
		for name := range r.Form {
			if k, err := strconv.Atoi(strings.TrimPrefix(name, "a-"+id+"~")); err == nil && strings.HasPrefix(name, "a-"+id+"~") && k >= 0 && k < 1000 {
				parts = append(parts, k)
			}
		}
		slices.Sort(parts)
		for _, k := range parts {
			for _, v := range r.Form["a-"+id+"~"+strconv.Itoa(k)] {
				if v = strings.TrimSpace(v); v != "" {
					vals = append(vals, strconv.Itoa(k)+":"+v)
				}
			}
		}
		if len(vals) > 0 {
			out[id] = vals
		}
	}
	return out
}

// SubmitQuiz scores a quiz lesson and shows the feedback.
func (h *HTTP) SubmitQuiz(w http.ResponseWriter, r *http.Request) error {
	e, err := h.enrolment(r)
	if err != nil {
		return err
	}
	o, err := h.Svc.Published(r.Context(), e.CourseID, e.Version)
	if err != nil {
		return err
	}
	l, _ := o.Lesson(r.PathValue("lesson"))
	if l == nil {
		return errs.E(errs.NotFound, "learning.lesson_not_found")
	}
	if err := r.ParseForm(); err != nil {
		return errs.Field("answers", "error.param", "answers", "-")
	}
	res, e, err := h.Svc.SubmitQuiz(r.Context(), e.ID, l.ID, answersFrom(r, l.Items))
	if err != nil {
		return err
	}
	return h.lesson(w, r, http.StatusOK, o, l, e, res, false)
}

// Launch opens an external xAPI activity with launch credentials.
func (h *HTTP) Launch(w http.ResponseWriter, r *http.Request) error {
	e, err := h.enrolment(r)
	if err != nil {
		return err
	}
	u, err := h.Svc.Launch(r.Context(), e, r.PathValue("lesson"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
	return nil
}

// MyLearningPage is the learner's own page.
func (h *HTTP) MyLearningPage(w http.ResponseWriter, r *http.Request) error {
	data, err := h.myLearning(r)
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "learning/learning", "learning.mine", data)
}

func (h *HTTP) myLearning(r *http.Request) (map[string]any, error) {
	ctx := r.Context()
	mine, err := h.Svc.MyEnrolments(ctx)
	if err != nil {
		return nil, err
	}
	as, err := h.Svc.MyAssignments(ctx)
	if err != nil {
		return nil, err
	}
	recs, err := h.Svc.Recommend(ctx)
	if err != nil {
		return nil, err
	}
	paths, err := h.Svc.Paths(ctx)
	if err != nil {
		return nil, err
	}
	status := map[string]string{}
	for _, e := range mine {
		status[e.CourseID] = e.Status
	}
	type due struct {
		*Assignment
		Status string `json:"status"`
	}
	var dues []due
	for _, a := range as {
		st := NotStarted
		done := 0
		for _, id := range a.CourseIDs {
			switch status[id] {
			case "completed":
				done++
				st = InProgress
			case "active":
				st = InProgress
			}
		}
		if done == len(a.CourseIDs) {
			st = Completed
		}
		dues = append(dues, due{a, st})
	}
	return map[string]any{"Enrolments": mine, "Assignments": dues, "Recommendations": recs, "Paths": paths, "Now": time.Now().UnixMilli()}, nil
}

// PathsPage lists learning paths with the caller's progress.
func (h *HTTP) PathsPage(w http.ResponseWriter, r *http.Request) error {
	paths, err := h.Svc.Paths(r.Context())
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "learning/paths", "learning.paths", map[string]any{"Paths": paths})
}

// --- authoring ---------------------------------------------------------

// ManagePage lists the courses the caller authors, with the forms to start
// a course and a learning path.
func (h *HTTP) ManagePage(w http.ResponseWriter, r *http.Request) error {
	return h.manage(w, r, http.StatusOK, map[string]any{})
}

func (h *HTTP) manage(w http.ResponseWriter, r *http.Request, status int, data map[string]any) error {
	list, err := h.Svc.AuthoredCourses(r.Context())
	if err != nil {
		return err
	}
	data["Courses"], data["Audiences"], data["Levels"] = list, Audiences, Levels
	return h.Web.Render(w, r, status, "learning/manage", "learning.manage", data)
}

func courseForm(r *http.Request) CourseInput {
	dur, _ := strconv.Atoi(r.FormValue("duration_min"))
	pass, _ := strconv.ParseFloat(r.FormValue("pass_percent"), 64)
	var comps []string
	for _, c := range strings.FieldsFunc(r.FormValue("competences"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		comps = append(comps, c)
	}
	return CourseInput{Code: r.FormValue("code"), UnitCode: r.FormValue("unit_code"), Title: r.FormValue("title"), Summary: r.FormValue("summary"),
		Outcomes: r.FormValue("outcomes"), Audiences: r.Form["audiences"], Level: r.FormValue("level"), Competences: comps, DurationMin: dur,
		Language: r.FormValue("language"), Licence: r.FormValue("licence"), OpenEnrol: r.FormValue("open_enrol") != "", PassPercent: pass, FinalSession: r.FormValue("final_session")}
}

// CreateCourse starts a course from the manage page.
func (h *HTTP) CreateCourse(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	in := courseForm(r)
	c, err := h.Svc.CreateCourse(r.Context(), in)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.manage(w, r, http.StatusBadRequest, map[string]any{"Error": e, "F": in})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/courses/"+c.Code+"/edit", http.StatusSeeOther)
	return nil
}

// EditPage is the course editor.
func (h *HTTP) EditPage(w http.ResponseWriter, r *http.Request) error {
	return h.edit(w, r, http.StatusOK, map[string]any{})
}

func (h *HTTP) edit(w http.ResponseWriter, r *http.Request, status int, data map[string]any) error {
	o, err := h.Svc.Draft(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	data["Outline"], data["Audiences"], data["Levels"], data["Kinds"] = o, Audiences, Levels, Kinds
	if _, ok := data["F"]; !ok {
		c := o.Course
		data["F"] = CourseInput{Code: c.Code, UnitCode: c.UnitCode, Title: c.Title, Summary: c.Summary, Outcomes: c.Outcomes, Audiences: c.Audiences, Level: c.Level,
			Competences: c.Competences, DurationMin: c.DurationMin, Language: c.Language, Licence: c.Licence, OpenEnrol: c.OpenEnrol, PassPercent: c.PassPercent, FinalSession: c.FinalSession}
	}
	return h.Web.RenderTitle(w, r, status, "learning/edit", i18n.T(web.LangOf(r), "learning.edit")+": "+o.Course.Title, data)
}

// editResult re-renders the editor with a form error, or goes back to it.
func (h *HTTP) editResult(w http.ResponseWriter, r *http.Request, err error, data map[string]any) error {
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		data["Error"] = e
		return h.edit(w, r, http.StatusBadRequest, data)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/courses/"+r.PathValue("code")+"/edit", http.StatusSeeOther)
	return nil
}

// UpdateCourse saves the course description.
func (h *HTTP) UpdateCourse(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	in := courseForm(r)
	_, err := h.Svc.UpdateCourse(r.Context(), r.PathValue("code"), in)
	return h.editResult(w, r, err, map[string]any{"F": in})
}

// AddModule appends a module.
func (h *HTTP) AddModule(w http.ResponseWriter, r *http.Request) error {
	_, err := h.Svc.AddModule(r.Context(), r.PathValue("code"), r.FormValue("title"))
	return h.editResult(w, r, err, map[string]any{})
}

func lessonForm(r *http.Request) LessonInput {
	dur, _ := strconv.Atoi(r.FormValue("duration_min"))
	var items []string
	for _, s := range strings.FieldsFunc(r.FormValue("items"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' }) {
		items = append(items, s)
	}
	return LessonInput{Kind: r.FormValue("kind"), Title: r.FormValue("title"), Body: r.FormValue("body"), URL: r.FormValue("url"), FileKey: strings.TrimPrefix(r.FormValue("file_key"), "/files/"),
		Items: items, Required: r.FormValue("required") != "", Final: r.FormValue("final") != "", DurationMin: dur}
}

// AddLesson appends a lesson to a module.
func (h *HTTP) AddLesson(w http.ResponseWriter, r *http.Request) error {
	in := lessonForm(r)
	_, err := h.Svc.AddLesson(r.Context(), r.FormValue("module"), in)
	return h.editResult(w, r, err, map[string]any{"L": in, "LModule": r.FormValue("module")})
}

// Move reorders a module or lesson.
func (h *HTTP) Move(w http.ResponseWriter, r *http.Request) error {
	dir := 1
	if r.FormValue("dir") == "up" {
		dir = -1
	}
	kind := "lesson"
	if r.FormValue("kind") == "module" {
		kind = "module"
	}
	err := h.Svc.Move(r.Context(), kind, r.FormValue("id"), dir)
	return h.editResult(w, r, err, map[string]any{})
}

// Publish publishes the draft.
func (h *HTTP) Publish(w http.ResponseWriter, r *http.Request) error {
	_, err := h.Svc.Publish(r.Context(), r.PathValue("code"))
	return h.editResult(w, r, err, map[string]any{})
}

// LessonEditPage edits one lesson.
func (h *HTTP) LessonEditPage(w http.ResponseWriter, r *http.Request) error {
	c, l, err := h.Svc.DraftLesson(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.Web.RenderTitle(w, r, http.StatusOK, "learning/lesson_form", l.Title, map[string]any{"Course": c, "L": l, "Kinds": Kinds})
}

// UpdateLesson saves a lesson.
func (h *HTTP) UpdateLesson(w http.ResponseWriter, r *http.Request) error {
	c, l, err := h.Svc.DraftLesson(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	in := lessonForm(r)
	err = h.Svc.UpdateLesson(r.Context(), l.ID, in)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		nl := &Lesson{ID: l.ID, Kind: in.Kind, Title: in.Title, Body: in.Body, URL: in.URL, FileKey: in.FileKey, Items: in.Items, Required: in.Required, Final: in.Final, DurationMin: in.DurationMin}
		return h.Web.RenderTitle(w, r, http.StatusBadRequest, "learning/lesson_form", l.Title, map[string]any{"Course": c, "L": nl, "Kinds": Kinds, "Error": e})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/courses/"+c.Code+"/edit", http.StatusSeeOther)
	return nil
}

// PreviewPage shows a draft lesson as a learner would see it.
func (h *HTTP) PreviewPage(w http.ResponseWriter, r *http.Request) error {
	o, err := h.Svc.Draft(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	l, _ := o.Lesson(r.PathValue("lesson"))
	if l == nil {
		return errs.E(errs.NotFound, "learning.lesson_not_found")
	}
	// A draft is its editor's: its quiz shows only items the editor may
	// read in the bank.
	for _, id := range l.Items {
		if _, err := h.Svc.Bank.Get(r.Context(), id); err != nil {
			return err
		}
	}
	return h.lesson(w, r, http.StatusOK, o, l, &Enrolment{Done: map[string]bool{}}, nil, true)
}

// CreatePath stores a learning path from the manage page.
func (h *HTTP) CreatePath(w http.ResponseWriter, r *http.Request) error {
	in := PathInput{Code: r.FormValue("code"), UnitCode: r.FormValue("unit_code"), Title: r.FormValue("title"), Summary: r.FormValue("summary"),
		Courses: strings.Fields(strings.ReplaceAll(r.FormValue("courses"), ",", " "))}
	_, err := h.Svc.CreatePath(r.Context(), in)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.manage(w, r, http.StatusBadRequest, map[string]any{"PathError": e, "P": in})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/paths", http.StatusSeeOther)
	return nil
}

// --- assignments and compliance ------------------------------------------

// AssignmentsPage lists assignments in the caller's scope with the form to
// make one.
func (h *HTTP) AssignmentsPage(w http.ResponseWriter, r *http.Request) error {
	return h.assignmentsPage(w, r, http.StatusOK, map[string]any{})
}

func (h *HTTP) assignmentsPage(w http.ResponseWriter, r *http.Request, status int, data map[string]any) error {
	as, err := h.Svc.Assignments(r.Context())
	if err != nil {
		return err
	}
	data["Assignments"], data["Groups"] = as, org.Groups
	data["CanAssign"] = auth.FromContext(r.Context()).CanAnywhere(auth.AssignLearning)
	return h.Web.Render(w, r, status, "learning/assignments", "learning.assignments", data)
}

// Assign creates an assignment from the form.
func (h *HTTP) Assign(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	in := AssignInput{UnitCode: r.FormValue("unit_code"), Kind: r.FormValue("kind"), Code: r.FormValue("code"), Groups: r.Form["groups"], Due: r.FormValue("due")}
	a, err := h.Svc.Assign(r.Context(), in)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.assignmentsPage(w, r, http.StatusBadRequest, map[string]any{"Error": e, "F": in})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/learning/assignments/"+a.ID, http.StatusSeeOther)
	return nil
}

func (h *HTTP) report(r *http.Request) (*Report, error) {
	a, err := h.Svc.Assignment(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	unit := r.URL.Query().Get("unit")
	if unit == "" {
		unit = a.UnitCode
		// An administrator of a part of the subtree starts at their unit.
		p := auth.FromContext(r.Context())
		if !p.Can(auth.ViewLearning, a.UnitPath) {
			for _, g := range p.Grants {
				if strings.HasPrefix(g.UnitPath, a.UnitPath) && p.Can(auth.ViewLearning, g.UnitPath) {
					unit = g.UnitCode
					break
				}
			}
		}
	}
	return h.Svc.Compliance(r.Context(), a.ID, unit, r.URL.Query().Get("people") == "1")
}

// CompliancePage shows an assignment's compliance for a unit.
func (h *HTTP) CompliancePage(w http.ResponseWriter, r *http.Request) error {
	rep, err := h.report(r)
	if err != nil {
		return err
	}
	return h.Web.RenderTitle(w, r, http.StatusOK, "learning/compliance", i18n.T(web.LangOf(r), "learning.compliance")+": "+rep.Assignment.Title, map[string]any{"R": rep, "Now": time.Now().UnixMilli()})
}

// ComplianceXLSX exports the report: units, then people.
func (h *HTTP) ComplianceXLSX(w http.ResponseWriter, r *http.Request) error {
	r.URL.RawQuery += "&people=1"
	rep, err := h.report(r)
	if err != nil {
		return err
	}
	lang := web.LangOf(r)
	t := func(k string) string { return i18n.T(lang, k) }
	header := []string{t("learning.unit"), t("learning.name"), t("learning.status"), t("learning.overdue"), t("learning.completed_at"), t("learning.assigned"), t("learning.st.completed"), t("learning.st.in_progress"), t("learning.st.not_started")}
	var rows [][]string
	tally := func(tl Tally) []string {
		return []string{tl.UnitCode, tl.UnitName, "", strconv.Itoa(tl.Overdue), "", strconv.Itoa(tl.Assigned), strconv.Itoa(tl.Completed), strconv.Itoa(tl.InProgress), strconv.Itoa(tl.NotStarted)}
	}
	rows = append(rows, tally(Tally{UnitCode: rep.Unit.Code, UnitName: rep.Unit.NameVI, Assigned: rep.Total.Assigned, Completed: rep.Total.Completed, InProgress: rep.Total.InProgress, NotStarted: rep.Total.NotStarted, Overdue: rep.Total.Overdue}))
	for _, c := range rep.Children {
		rows = append(rows, tally(c))
	}
	for _, p := range rep.People {
		done := ""
		if p.CompletedAt > 0 {
			done = time.UnixMilli(p.CompletedAt).In(i18n.DefaultZone).Format("2006-01-02")
		}
		over := ""
		if p.Overdue {
			over = "1"
		}
		rows = append(rows, []string{rep.Unit.Code, p.Name, t("learning.st." + p.Status), over, done, "", "", "", ""})
	}
	var buf bytes.Buffer
	if err := tabular.Write(&buf, tabular.XLSX, "compliance", header, rows, tabular.Numbers(3, 5, 6, 7, 8), tabular.Dates(4)); err != nil {
		return err
	}
	return web.Download(w, web.XLSXType, fmt.Sprintf("compliance-%s-%s.xlsx", rep.Assignment.Code, rep.Unit.Code), &buf)
}

// --- LRS credentials ---------------------------------------------------

// LRSPage lists the LRS credentials in the caller's scope.
func (h *HTTP) LRSPage(w http.ResponseWriter, r *http.Request) error {
	return h.lrsPage(w, r, http.StatusOK, map[string]any{})
}

func (h *HTTP) lrsPage(w http.ResponseWriter, r *http.Request, status int, data map[string]any) error {
	list, err := h.clients(r)
	if err != nil {
		return err
	}
	data["Clients"] = list
	data["Endpoint"] = h.Svc.home() + "/xapi/"
	return h.Web.Render(w, r, status, "learning/lrs", "learning.lrs", data)
}

func (h *HTTP) clients(r *http.Request) ([]lrs.Client, error) {
	_, scopes, err := auth.RequireScopes(r.Context(), auth.ManageLRS)
	if err != nil {
		return nil, err
	}
	var out []lrs.Client
	for _, sc := range scopes {
		list, err := h.Svc.LRS.Clients(r.Context(), sc)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	codes := make([]*string, len(out))
	for i := range out {
		codes[i] = &out[i].UnitCode
	}
	return out, h.Svc.Org.ResolveCodes(r.Context(), codes...)
}

func (h *HTTP) createClient(r *http.Request, unitCode, name string) (*lrs.Client, string, error) {
	u, err := h.Svc.Org.UnitByCode(r.Context(), unitCode)
	if err != nil {
		return nil, "", errs.Field("unit_code", "learning.unit_invalid", unitCode)
	}
	p, err := auth.Authorize(r.Context(), auth.ManageLRS, u.Path)
	if err != nil {
		return nil, "", err
	}
	c, secret, err := h.Svc.LRS.CreateClient(r.Context(), u.ID, u.Path, name, p.AccountID)
	if err == nil {
		h.Svc.audit(r.Context(), "lrs.client.create", c.ID, u.Path, name)
	}
	return c, secret, err
}

// CreateClient issues credentials and shows the secret once.
func (h *HTTP) CreateClient(w http.ResponseWriter, r *http.Request) error {
	c, secret, err := h.createClient(r, r.FormValue("unit_code"), r.FormValue("name"))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.lrsPage(w, r, http.StatusBadRequest, map[string]any{"Error": e})
	}
	if err != nil {
		return err
	}
	return h.lrsPage(w, r, http.StatusOK, map[string]any{"New": c, "Secret": secret})
}

func (h *HTTP) revoke(r *http.Request, id string) error {
	c, err := h.Svc.LRS.ClientByID(r.Context(), id)
	if err != nil {
		return err
	}
	if _, err := auth.Authorize(r.Context(), auth.ManageLRS, c.UnitPath); err != nil {
		return err
	}
	h.Svc.audit(r.Context(), "lrs.client.revoke", c.ID, c.UnitPath, c.Name)
	return h.Svc.LRS.RevokeClient(r.Context(), id)
}

// RevokeClient stops a client's credentials.
func (h *HTTP) RevokeClient(w http.ResponseWriter, r *http.Request) error {
	if err := h.revoke(r, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/lrs", http.StatusSeeOther)
	return nil
}
