package network

import (
	"bytes"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/files"
	"dxhub/internal/platform/web"
)

func planInputOf(v url.Values) PlanInput {
	return PlanInput{UnitCode: v.Get("unit_code"), Title: v.Get("title"), Number: v.Get("number"), DecisionRef: v.Get("decision_ref"), SignedOn: v.Get("signed_on"), Summary: v.Get("summary")}
}

func taskInputOf(v url.Values) TaskInput {
	return TaskInput{Title: v.Get("title"), Description: v.Get("description"), LeadUnitCode: v.Get("lead_unit_code"), Coordinating: codes(v.Get("coordinating")),
		StartOn: v.Get("start_on"), DueOn: v.Get("due_on"), Output: v.Get("output"), Indicator: v.Get("indicator"), Budget: v.Get("budget")}
}

// codes splits a typed list of unit codes.
func codes(s string) []string {
	var out []string
	for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' }) {
		out = append(out, strings.TrimSpace(c))
	}
	return out
}

// PlansPage lists the plans in scope with their progress, and the form
// for a new one.
func (h *HTTP) PlansPage(w http.ResponseWriter, r *http.Request) error {
	return h.plansPage(w, r, http.StatusOK, nil, PlanInput{DecisionRef: "146/QĐ-TTg"})
}

func (h *HTTP) plansPage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error, in PlanInput) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	f := PlanFilter{UnitCode: q.Get("unit"), Limit: 50}
	if page > 1 {
		f.Offset = (page - 1) * f.Limit
	}
	pls, err := h.Svc.Plans(r.Context(), f)
	if err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	return h.Web.Render(w, r, status, "network/plans", "network.plans", map[string]any{
		"Plans": pls, "F": f, "In": in, "Error": formErr, "CanManage": p.CanAnywhere(auth.ManagePlans), "CanReport": p.CanAnywhere(auth.ReportTasks),
		"Pager": map[string]any{"Current": max(page, 1), "More": len(pls) == f.Limit, "Query": q},
	})
}

// CreatePlan adds a plan from the form.
func (h *HTTP) CreatePlan(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	in := planInputOf(r.PostForm)
	pl, err := h.Svc.CreatePlan(r.Context(), in)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.plansPage(w, r, http.StatusBadRequest, e, in)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/plans/"+pl.ID, http.StatusSeeOther)
	return nil
}

// PlanPage shows a plan: overview, tasks, and the office's forms.
func (h *HTTP) PlanPage(w http.ResponseWriter, r *http.Request) error {
	return h.planPage(w, r, http.StatusOK, nil, TaskInput{}, "")
}

func (h *HTTP) planPage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error, in TaskInput, notice string) error {
	pl, err := h.Svc.Plan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if notice == "" && r.URL.Query().Get("reminded") != "" {
		n, _ := strconv.Atoi(r.URL.Query().Get("reminded"))
		notice = web.T(r, "network.reminded", n)
	}
	return h.Web.RenderTitle(w, r, status, "network/plan", pl.Title, map[string]any{
		"P": pl, "In": in, "Error": formErr, "Notice": notice, "Today": h.Svc.today(),
		"CanManage": auth.FromContext(r.Context()).Can(auth.ManagePlans, pl.UnitPath),
	})
}

// PrintPage is a plan with its progress as a page to print.
func (h *HTTP) PrintPage(w http.ResponseWriter, r *http.Request) error {
	pl, err := h.Svc.Plan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.Web.RenderFramed(w, r, http.StatusOK, "network/plan_print", pl.Title, web.Frame{Focus: true}, map[string]any{"P": pl, "Today": h.Svc.today()})
}

// UpdatePlan saves a plan's fields from the form.
func (h *HTTP) UpdatePlan(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	_, err := h.Svc.UpdatePlan(r.Context(), r.PathValue("id"), planInputOf(r.PostForm))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.planPage(w, r, http.StatusBadRequest, e, TaskInput{}, "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/plans/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

// AddTask adds a task from the form.
func (h *HTTP) AddTask(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	in := taskInputOf(r.PostForm)
	_, err := h.Svc.AddTask(r.Context(), r.PathValue("id"), in)
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.planPage(w, r, http.StatusBadRequest, e, in, "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/plans/"+r.PathValue("id")+"#tasks", http.StatusSeeOther)
	return nil
}

// Remind reminds the late lead units from the plan page.
func (h *HTTP) Remind(w http.ResponseWriter, r *http.Request) error {
	n, err := h.Svc.Remind(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/plans/"+r.PathValue("id")+"?reminded="+strconv.Itoa(n), http.StatusSeeOther)
	return nil
}

// ExportPlan downloads a plan with its progress as XLSX.
func (h *HTTP) ExportPlan(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := h.Svc.ExportPlan(r.Context(), &buf, r.PathValue("id"), web.LangOf(r)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="plan-`+r.PathValue("id")+`.xlsx"`)
	_, err := buf.WriteTo(w)
	return err
}

// TaskPage shows a task, its reports, and the forms to report on it and
// cascade it.
func (h *HTTP) TaskPage(w http.ResponseWriter, r *http.Request) error {
	return h.taskPage(w, r, http.StatusOK, nil, "")
}

func (h *HTTP) taskPage(w http.ResponseWriter, r *http.Request, status int, formErr *errs.Error, notice string) error {
	pl, err := h.Svc.Plan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	t, err := h.Svc.Task(r.Context(), pl.ID, r.PathValue("task"))
	if err != nil {
		return err
	}
	p := auth.FromContext(r.Context())
	var kids []*Task
	for _, c := range pl.Tasks {
		if c.ParentID == t.ID {
			kids = append(kids, c)
		}
	}
	if notice == "" && r.URL.Query().Get("reported") == "1" {
		notice = web.T(r, "network.reported")
	}
	return h.Web.RenderTitle(w, r, status, "network/task", t.Title, map[string]any{
		"P": pl, "T": t, "Children": kids, "Error": formErr, "Notice": notice, "Statuses": TaskStatuses,
		"CanReport": len(kids) == 0 && (p.Can(auth.ReportTasks, t.LeadUnitPath) || p.Can(auth.ManagePlans, pl.UnitPath)),
		"CanManage": p.Can(auth.ManagePlans, pl.UnitPath),
	})
}

// ReportTask records progress from the form, with an optional evidence
// file (stored once the report is known to be acceptable).
func (h *HTTP) ReportTask(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxEvidence)
	var perr error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		perr = r.ParseMultipartForm(1 << 20)
	} else {
		perr = r.ParseForm()
	}
	if perr != nil {
		return h.taskPage(w, r, http.StatusBadRequest, errs.Field("file", "files.too_large"), "")
	}
	pct, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("percent")))
	if err != nil {
		return h.taskPage(w, r, http.StatusBadRequest, errs.Field("percent", "network.bad_percent"), "")
	}
	in := ReportInput{Status: r.PostForm.Get("status"), Percent: pct, Note: r.PostForm.Get("note")}
	planID, taskID := r.PathValue("id"), r.PathValue("task")
	err = h.Svc.CheckReport(r.Context(), planID, taskID, in)
	if err == nil {
		if f, hdr, ferr := r.FormFile("file"); ferr == nil && hdr.Size > 0 {
			var key string
			key, _, err = files.Save(r.Context(), h.Svc.DB, h.Svc.Files, files.Evidence, "plantask:"+taskID, hdr.Filename, f, auth.FromContext(r.Context()).AccountID)
			f.Close()
			in.Files = []File{{ID: key, Name: filepath.Base(hdr.Filename)}}
		}
	}
	if err == nil {
		_, err = h.Svc.Report(r.Context(), planID, taskID, in)
	}
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.taskPage(w, r, http.StatusBadRequest, e, "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/plans/"+planID+"/tasks/"+taskID+"?reported=1", http.StatusSeeOther)
	return nil
}

// maxEvidence bounds the report form with its file.
const maxEvidence = 26 << 20

// CascadeTask hands a task down from the form.
func (h *HTTP) CascadeTask(w http.ResponseWriter, r *http.Request) error {
	if err := h.form(r); err != nil {
		return err
	}
	_, err := h.Svc.Cascade(r.Context(), r.PathValue("id"), r.PathValue("task"), codes(r.PostForm.Get("units")))
	if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
		return h.taskPage(w, r, http.StatusBadRequest, e, "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/plans/"+r.PathValue("id")+"/tasks/"+r.PathValue("task"), http.StatusSeeOther)
	return nil
}

// MyTasksPage lists the tasks the viewer's units lead.
func (h *HTTP) MyTasksPage(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.Svc.MyTasks(r.Context())
	if err != nil {
		return err
	}
	return h.Web.Render(w, r, http.StatusOK, "network/my_tasks", "network.my_tasks", map[string]any{"Tasks": ts})
}

// ---- API

// APIPlans lists plans (?unit=CODE&limit=&offset=).
func (h *HTTP) APIPlans(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	offset, _ := strconv.Atoi(q.Get("offset"))
	if offset < 0 {
		return errs.Field("offset", "error.param", "offset", q.Get("offset"))
	}
	pls, err := h.Svc.Plans(r.Context(), PlanFilter{UnitCode: q.Get("unit"), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"plans": nonNil(pls)})
}

// APICreatePlan adds a plan.
func (h *HTTP) APICreatePlan(w http.ResponseWriter, r *http.Request) error {
	var in PlanInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	pl, err := h.Svc.CreatePlan(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, pl)
}

// APIPlan returns a plan with its tasks and progress.
func (h *HTTP) APIPlan(w http.ResponseWriter, r *http.Request) error {
	pl, err := h.Svc.Plan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, pl)
}

// APIUpdatePlan changes a plan.
func (h *HTTP) APIUpdatePlan(w http.ResponseWriter, r *http.Request) error {
	var in PlanInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	pl, err := h.Svc.UpdatePlan(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, pl)
}

// APIAddTask adds a task.
func (h *HTTP) APIAddTask(w http.ResponseWriter, r *http.Request) error {
	var in TaskInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := h.Svc.AddTask(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, t)
}

// APITask returns a task with its reports.
func (h *HTTP) APITask(w http.ResponseWriter, r *http.Request) error {
	t, err := h.Svc.Task(r.Context(), r.PathValue("id"), r.PathValue("task"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, t)
}

// APIUpdateTask changes a task.
func (h *HTTP) APIUpdateTask(w http.ResponseWriter, r *http.Request) error {
	var in TaskInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := h.Svc.UpdateTask(r.Context(), r.PathValue("id"), r.PathValue("task"), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, t)
}

// APIReport records progress on a task.
func (h *HTTP) APIReport(w http.ResponseWriter, r *http.Request) error {
	var in ReportInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := h.Svc.Report(r.Context(), r.PathValue("id"), r.PathValue("task"), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, t)
}

// APICascade hands a task down to units below.
func (h *HTTP) APICascade(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Units []string `json:"units"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	ts, err := h.Svc.Cascade(r.Context(), r.PathValue("id"), r.PathValue("task"), in.Units)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, map[string]any{"tasks": ts})
}

// APIRemind reminds the late lead units of a plan.
func (h *HTTP) APIRemind(w http.ResponseWriter, r *http.Request) error {
	n, err := h.Svc.Remind(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]int{"reminded": n})
}

// APIMyTasks lists the tasks the caller's units lead.
func (h *HTTP) APIMyTasks(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.Svc.MyTasks(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"tasks": nonNil(ts)})
}
