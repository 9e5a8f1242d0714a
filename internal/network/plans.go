package network

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/mail"
	"dxhub/internal/platform/tabular"
)

// Implementation plans live with the network: the same offices keep both,
// the scheme's plans set the network's tasks, and both report upward by
// the unit tree. Monitoring tracks indicators; a task links to the
// indicator it serves by code, nothing more.

// Task statuses a lead unit reports; "late" is also what a task is shown
// as when its due day has passed and it is not done.
const (
	NotStarted = "not_started"
	InProgress = "in_progress"
	Done       = "done"
	Late       = "late"
)

// TaskStatuses are the statuses a report may give.
var TaskStatuses = []string{NotStarted, InProgress, Done, Late}

// Plan is a unit's implementation plan of a decision (kế hoạch thực hiện).
type Plan struct {
	ID          string  `json:"id"`
	UnitID      string  `json:"unit_id"`
	UnitCode    string  `json:"unit_code"`
	UnitName    string  `json:"unit_name"`
	UnitPath    string  `json:"-"`
	Title       string  `json:"title"`
	Number      string  `json:"number,omitempty"`
	DecisionRef string  `json:"decision_ref,omitempty"`
	SignedOn    string  `json:"signed_on,omitempty"`
	Summary     string  `json:"summary,omitempty"`
	Tasks       []*Task `json:"tasks,omitempty"`
	UpdatedAt   int64   `json:"updated_at"`
	// Progress counts the plan's tasks by how they stand today.
	Progress *Progress `json:"progress,omitempty"`
}

// Task is one task of a plan, led by one unit.
type Task struct {
	ID           string   `json:"id"`
	PlanID       string   `json:"plan_id"`
	ParentID     string   `json:"parent_id,omitempty"`
	Seq          int      `json:"seq"`
	Title        string   `json:"title"`
	Description  string   `json:"description,omitempty"`
	LeadUnitID   string   `json:"lead_unit_id"`
	LeadUnitCode string   `json:"lead_unit_code"`
	LeadUnitName string   `json:"lead_unit_name"`
	LeadUnitPath string   `json:"-"`
	Coordinating []string `json:"coordinating"`
	StartOn      string   `json:"start_on,omitempty"`
	DueOn        string   `json:"due_on"`
	Output       string   `json:"output,omitempty"`
	Indicator    string   `json:"indicator,omitempty"`
	Budget       string   `json:"budget,omitempty"`
	// Status and Percent are the latest report's; State is how the task
	// stands today (late when due and not done).
	Status     string `json:"status"`
	Percent    int    `json:"percent"`
	State      string `json:"state"`
	ReportedAt int64  `json:"reported_at,omitempty"`
	RemindedAt int64  `json:"reminded_at,omitempty"`
	// Reports is the task's history, newest first (on a task's own page).
	Reports []TaskReport `json:"reports,omitempty"`
}

// TaskReport is one progress report.
type TaskReport struct {
	ID         string `json:"id"`
	Period     string `json:"period"`
	Status     string `json:"status"`
	Percent    int    `json:"percent"`
	Note       string `json:"note,omitempty"`
	Files      []File `json:"files"`
	Reporter   string `json:"reporter"`
	ReportedAt int64  `json:"reported_at"`
}

// Progress counts tasks: done, on time (not done, not yet due), late.
type Progress struct {
	Total  int `json:"total"`
	Done   int `json:"done"`
	OnTime int `json:"on_time"`
	Late   int `json:"late"`
	// ByLead is the same per lead unit, in the order units first lead a task.
	ByLead []*LeadProgress `json:"by_lead,omitempty"`
}

// LeadProgress is a lead unit's share of a plan.
type LeadProgress struct {
	UnitCode string `json:"unit_code"`
	UnitName string `json:"unit_name"`
	Total    int    `json:"total"`
	Done     int    `json:"done"`
	OnTime   int    `json:"on_time"`
	Late     int    `json:"late"`
}

// PlanInput is a plan as a form or the API gives it.
type PlanInput struct {
	UnitCode    string `json:"unit_code"`
	Title       string `json:"title"`
	Number      string `json:"number"`
	DecisionRef string `json:"decision_ref"`
	SignedOn    string `json:"signed_on"`
	Summary     string `json:"summary"`
}

// TaskInput is a task as a form or the API gives it.
type TaskInput struct {
	Title        string   `json:"title"`
	Description  string   `json:"description"`
	LeadUnitCode string   `json:"lead_unit_code"`
	Coordinating []string `json:"coordinating"`
	StartOn      string   `json:"start_on"`
	DueOn        string   `json:"due_on"`
	Output       string   `json:"output"`
	Indicator    string   `json:"indicator"`
	Budget       string   `json:"budget"`
}

// ReportInput is a lead unit's progress report.
type ReportInput struct {
	Status  string `json:"status"`
	Percent int    `json:"percent"`
	Note    string `json:"note"`
	// Files are evidence stored by the form before the report.
	Files []File `json:"-"`
}

// File is a stored file a report refers to.
type File struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Validate checks a plan's own fields.
func (in *PlanInput) Validate() error {
	in.Title, in.Number, in.DecisionRef = strings.TrimSpace(in.Title), strings.TrimSpace(in.Number), strings.TrimSpace(in.DecisionRef)
	switch {
	case in.Title == "" || tooLong(in.Title, 300):
		return errs.Field("title", "network.bad_name", 300)
	case tooLong(in.Number, 50):
		return errs.Field("number", "network.too_long", 50)
	case tooLong(in.DecisionRef, 50):
		return errs.Field("decision_ref", "network.too_long", 50)
	case in.SignedOn != "" && !validDay(in.SignedOn):
		return errs.Field("signed_on", "network.bad_day", in.SignedOn)
	case tooLong(in.Summary, 4000):
		return errs.Field("summary", "network.too_long", 4000)
	}
	return nil
}

// Validate checks a task's own fields.
func (in *TaskInput) Validate() error {
	in.Title = strings.TrimSpace(in.Title)
	switch {
	case in.Title == "" || tooLong(in.Title, 500):
		return errs.Field("title", "network.bad_name", 500)
	case tooLong(in.Description, 4000):
		return errs.Field("description", "network.too_long", 4000)
	case strings.TrimSpace(in.LeadUnitCode) == "":
		return errs.Field("lead_unit_code", "network.lead_needed")
	case len(in.Coordinating) > 30:
		return errs.Field("coordinating", "network.too_many_units", 30)
	case in.StartOn != "" && !validDay(in.StartOn):
		return errs.Field("start_on", "network.bad_day", in.StartOn)
	case !validDay(in.DueOn):
		return errs.Field("due_on", "network.bad_day", in.DueOn)
	case in.StartOn != "" && in.DueOn < in.StartOn:
		return errs.Field("due_on", "network.due_before_start")
	case tooLong(in.Output, 1000):
		return errs.Field("output", "network.too_long", 1000)
	case tooLong(in.Indicator, 50):
		return errs.Field("indicator", "network.too_long", 50)
	case tooLong(in.Budget, 500):
		return errs.Field("budget", "network.too_long", 500)
	}
	return nil
}

// Validate checks a report.
func (in *ReportInput) Validate() error {
	switch {
	case !slices.Contains(TaskStatuses, in.Status):
		return errs.Field("status", "network.bad_status", in.Status)
	case in.Percent < 0 || in.Percent > 100:
		return errs.Field("percent", "network.bad_percent")
	case in.Status == Done && in.Percent != 100:
		return errs.Field("percent", "network.done_not_100")
	case in.Status == NotStarted && in.Percent != 0:
		return errs.Field("percent", "network.not_started_0")
	case tooLong(in.Note, 2000):
		return errs.Field("note", "network.too_long", 2000)
	}
	return nil
}

// state is how a task stands on day: done, late (due passed or reported
// late) or its reported status.
func state(status, due, day string) string {
	switch {
	case status == Done:
		return Done
	case status == Late || due < day:
		return Late
	}
	return status
}

// mayViewPlan: those who see the network or report on plans in the
// plan's unit (and every level above it), and lead units of its tasks.
func mayViewPlan(p *auth.Principal, pl *Plan) bool {
	if p.Can(auth.ViewNetwork, pl.UnitPath) || p.Can(auth.ReportTasks, pl.UnitPath) {
		return true
	}
	for _, t := range pl.Tasks {
		if p.Can(auth.ReportTasks, t.LeadUnitPath) {
			return true
		}
	}
	return false
}

// CreatePlan writes a unit's plan.
func (s *Service) CreatePlan(ctx context.Context, in PlanInput) (*Plan, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	u, err := s.unit(ctx, "unit_code", in.UnitCode)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.ManagePlans, u.Path)
	if err != nil {
		return nil, err
	}
	id, now := db.NewID(), db.Now()
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO net_plans (id, unit_id, unit_path, title, number, decision_ref, signed_on, summary, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`, id, u.ID, u.Path, in.Title, in.Number, in.DecisionRef, in.SignedOn, in.Summary, p.AccountID, now); err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "plan_created", "plan", id, u.Path, in.Title); err != nil {
		return nil, err
	}
	return s.Plan(ctx, id)
}

// UpdatePlan changes a plan's own fields (not its unit).
func (s *Service) UpdatePlan(ctx context.Context, id string, in PlanInput) (*Plan, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	pl, err := s.plan(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.ManagePlans, pl.UnitPath)
	if err != nil {
		return nil, err
	}
	if _, err := s.DB.W.ExecContext(ctx, `UPDATE net_plans SET title = $1, number = $2, decision_ref = $3, signed_on = $4, summary = $5, updated_at = $6 WHERE id = $7`,
		in.Title, in.Number, in.DecisionRef, in.SignedOn, in.Summary, db.Now(), id); err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "plan_updated", "plan", id, pl.UnitPath, in.Title); err != nil {
		return nil, err
	}
	return s.Plan(ctx, id)
}

// Plan returns a plan with its tasks and progress.
func (s *Service) Plan(ctx context.Context, id string) (*Plan, error) {
	pl, err := s.plan(ctx, id)
	if err != nil {
		return nil, err
	}
	if pl.Tasks, err = s.tasks(ctx, `t.plan_id = $1`, id); err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	if !mayViewPlan(p, pl) {
		_, err := auth.Authorize(ctx, auth.ViewNetwork, pl.UnitPath)
		return nil, err
	}
	pl.Progress = progress(pl.Tasks)
	return pl, nil
}

// PlanFilter narrows a list of plans.
type PlanFilter struct {
	UnitCode string
	Limit    int
	Offset   int
}

// Plans lists the plans of the viewer's scope (or of a unit's subtree),
// each with its progress.
func (s *Service) Plans(ctx context.Context, f PlanFilter) ([]*Plan, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "error.unauthorized")
	}
	scopes := auth.Minimal(append(p.Scopes(auth.ViewNetwork), p.Scopes(auth.ReportTasks)...))
	if len(scopes) == 0 {
		return nil, errs.E(errs.Forbidden, "error.forbidden")
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if f.UnitCode != "" {
		u, err := s.unit(ctx, "unit", f.UnitCode)
		if err != nil {
			return nil, err
		}
		if !p.Can(auth.ViewNetwork, u.Path) && !p.Can(auth.ReportTasks, u.Path) {
			return nil, errs.E(errs.Forbidden, "error.forbidden")
		}
		scopes = []string{u.Path}
	}
	var where []string
	var args []any
	for _, sc := range scopes {
		args = append(args, sc, pathEnd(sc))
		where = append(where, fmt.Sprintf("(unit_path >= $%d AND unit_path < $%d)", len(args)-1, len(args)))
	}
	args = append(args, f.Limit, f.Offset)
	pls, err := db.Query(ctx, s.DB.R, scanPlan, `SELECT `+planCols+` FROM net_plans WHERE `+strings.Join(where, " OR ")+
		fmt.Sprintf(` ORDER BY unit_path, signed_on DESC, id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, err
	}
	if err := s.namePlans(ctx, pls...); err != nil {
		return nil, err
	}
	for _, pl := range pls {
		ts, err := s.tasks(ctx, `t.plan_id = $1`, pl.ID)
		if err != nil {
			return nil, err
		}
		pl.Progress = progress(ts)
	}
	return pls, nil
}

// MyTasks are the tasks the viewer's units lead, in any plan, latest due
// first among those not done.
func (s *Service) MyTasks(ctx context.Context) ([]*Task, error) {
	_, scopes, err := auth.RequireScopes(ctx, auth.ReportTasks)
	if err != nil {
		return nil, err
	}
	var where []string
	var args []any
	for _, sc := range scopes {
		args = append(args, sc, pathEnd(sc))
		where = append(where, fmt.Sprintf("(t.lead_unit_path >= $%d AND t.lead_unit_path < $%d)", len(args)-1, len(args)))
	}
	ts, err := s.tasks(ctx, strings.Join(where, " OR "), args...)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(ts, func(a, b *Task) int {
		if (a.State == Done) != (b.State == Done) {
			if a.State == Done {
				return 1
			}
			return -1
		}
		return strings.Compare(a.DueOn, b.DueOn)
	})
	return ts[:min(len(ts), 500)], nil
}

// leadUnit resolves a lead or coordinating unit, which must lie in the
// plan's unit's subtree.
func (s *Service) leadUnit(ctx context.Context, field, code string, pl *Plan) (*org.Unit, error) {
	u, err := s.unit(ctx, field, code)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(u.Path, pl.UnitPath) {
		return nil, errs.Field(field, "network.lead_outside", code, pl.UnitName)
	}
	return u, nil
}

// AddTask adds a task to a plan.
func (s *Service) AddTask(ctx context.Context, planID string, in TaskInput) (*Task, error) {
	return s.addTask(ctx, planID, "", in)
}

func (s *Service) addTask(ctx context.Context, planID, parentID string, in TaskInput) (*Task, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	pl, err := s.plan(ctx, planID)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.ManagePlans, pl.UnitPath)
	if err != nil {
		return nil, err
	}
	lead, err := s.leadUnit(ctx, "lead_unit_code", in.LeadUnitCode, pl)
	if err != nil {
		return nil, err
	}
	coord, err := s.coordinating(ctx, in.Coordinating, pl)
	if err != nil {
		return nil, err
	}
	id := db.NewID()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var seq int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM net_tasks WHERE plan_id = $1`, planID).Scan(&seq); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO net_tasks (id, plan_id, parent_id, seq, title, description, lead_unit_id, lead_unit_path, coordinating, start_on, due_on, output, indicator, budget, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			id, planID, parentID, seq, in.Title, in.Description, lead.ID, lead.Path, coord, in.StartOn, in.DueOn, in.Output, strings.TrimSpace(in.Indicator), in.Budget, db.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "plan_task_added", "plan", planID, pl.UnitPath, in.Title); err != nil {
		return nil, err
	}
	return s.Task(ctx, planID, id)
}

func (s *Service) coordinating(ctx context.Context, codes []string, pl *Plan) (string, error) {
	var out []string
	for i, c := range codes {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		u, err := s.leadUnit(ctx, fmt.Sprintf("coordinating[%d]", i), c, pl)
		if err != nil {
			return "", err
		}
		if !slices.Contains(out, u.Code) {
			out = append(out, u.Code)
		}
	}
	b, _ := json.Marshal(append([]string{}, out...))
	return string(b), nil
}

// UpdateTask changes a task's fields (its reports stay).
func (s *Service) UpdateTask(ctx context.Context, planID, taskID string, in TaskInput) (*Task, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	pl, err := s.plan(ctx, planID)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authorize(ctx, auth.ManagePlans, pl.UnitPath)
	if err != nil {
		return nil, err
	}
	lead, err := s.leadUnit(ctx, "lead_unit_code", in.LeadUnitCode, pl)
	if err != nil {
		return nil, err
	}
	coord, err := s.coordinating(ctx, in.Coordinating, pl)
	if err != nil {
		return nil, err
	}
	res, err := s.DB.W.ExecContext(ctx, `UPDATE net_tasks SET title = $1, description = $2, lead_unit_id = $3, lead_unit_path = $4, coordinating = $5, start_on = $6, due_on = $7, output = $8, indicator = $9, budget = $10
		WHERE id = $11 AND plan_id = $12`, in.Title, in.Description, lead.ID, lead.Path, coord, in.StartOn, in.DueOn, in.Output, strings.TrimSpace(in.Indicator), in.Budget, taskID, planID)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	if err := s.record(ctx, p, "plan_task_updated", "plan", planID, pl.UnitPath, in.Title); err != nil {
		return nil, err
	}
	return s.Task(ctx, planID, taskID)
}

// Task returns one task of a plan with its reports.
func (s *Service) Task(ctx context.Context, planID, taskID string) (*Task, error) {
	pl, err := s.Plan(ctx, planID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(pl.Tasks, func(t *Task) bool { return t.ID == taskID })
	if i < 0 {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	t := pl.Tasks[i]
	t.Reports, err = db.Query(ctx, s.DB.R, func(r db.Scanner) (TaskReport, error) {
		var x TaskReport
		var fs string
		err := r.Scan(&x.ID, &x.Period, &x.Status, &x.Percent, &x.Note, &fs, &x.Reporter, &x.ReportedAt)
		x.Files = []File{}
		json.Unmarshal([]byte(fs), &x.Files)
		return x, err
	}, `SELECT id, period, status, percent, note, files, reporter, reported_at FROM net_task_reports WHERE task_id = $1 ORDER BY reported_at DESC`, taskID)
	return t, err
}

// Report records a lead unit's progress on a task: by those who report
// for the lead unit, or the plan's office. A task cascaded to units
// below is reported through its child tasks.
func (s *Service) Report(ctx context.Context, planID, taskID string, in ReportInput) (*Task, error) {
	pl, t, err := s.checkReport(ctx, planID, taskID, in)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	evidence, _ := json.Marshal(append([]File{}, in.Files...))
	now := s.clock()
	period := now.In(i18n.DefaultZone).Format("2006-01")
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO net_task_reports (id, task_id, period, status, percent, note, files, reported_by, reporter, reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			db.NewID(), t.ID, period, in.Status, in.Percent, strings.TrimSpace(in.Note), string(evidence), p.AccountID, p.DisplayName, now.UnixMilli()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE net_tasks SET status = $1, percent = $2, reported_at = $3 WHERE id = $4`, in.Status, in.Percent, now.UnixMilli(), t.ID); err != nil {
			return err
		}
		if t.ParentID == "" {
			return nil
		}
		// The parent of cascaded tasks stands as its children do together.
		return rollUpParent(ctx, tx, t.ParentID)
	})
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, p, "plan_task_reported", "plan", planID, pl.UnitPath, t.Title+": "+in.Status+" "+strconv.Itoa(in.Percent)+"%"); err != nil {
		return nil, err
	}
	return s.Task(ctx, planID, taskID)
}

// CheckReport is Report's checks without the write (a form checks a
// report before storing its evidence).
func (s *Service) CheckReport(ctx context.Context, planID, taskID string, in ReportInput) error {
	_, _, err := s.checkReport(ctx, planID, taskID, in)
	return err
}

func (s *Service) checkReport(ctx context.Context, planID, taskID string, in ReportInput) (*Plan, *Task, error) {
	if err := in.Validate(); err != nil {
		return nil, nil, err
	}
	pl, err := s.plan(ctx, planID)
	if err != nil {
		return nil, nil, err
	}
	ts, err := s.tasks(ctx, `t.plan_id = $1`, planID)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(ts, func(t *Task) bool { return t.ID == taskID })
	if i < 0 {
		return nil, nil, errs.E(errs.NotFound, "error.not_found")
	}
	t := ts[i]
	p := auth.FromContext(ctx)
	if !p.Can(auth.ReportTasks, t.LeadUnitPath) && !p.Can(auth.ManagePlans, pl.UnitPath) {
		if _, err := auth.Authorize(ctx, auth.ReportTasks, t.LeadUnitPath); err != nil {
			return nil, nil, err
		}
	}
	if slices.ContainsFunc(ts, func(c *Task) bool { return c.ParentID == t.ID }) {
		return nil, nil, errs.Field("status", "network.report_children")
	}
	return pl, t, nil
}

// EvidenceAccess decides who may read a task's evidence: those who may
// see its plan.
func (s *Service) EvidenceAccess(ctx context.Context, taskID string) error {
	ids, err := db.Strings(ctx, s.DB.R, `SELECT plan_id FROM net_tasks WHERE id = $1`, taskID)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return errs.E(errs.NotFound, "error.not_found")
	}
	_, err = s.Plan(ctx, ids[0])
	return err
}

// rollUpParent sets a cascaded task's progress from its children: the
// mean percentage, done when all are, late when any is reported late,
// else in progress once any has started.
func rollUpParent(ctx context.Context, tx *sql.Tx, parentID string) error {
	type kid struct {
		status  string
		percent int
	}
	kids, err := db.Query(ctx, tx, func(r db.Scanner) (kid, error) {
		var k kid
		return k, r.Scan(&k.status, &k.percent)
	}, `SELECT status, percent FROM net_tasks WHERE parent_id = $1`, parentID)
	if err != nil || len(kids) == 0 {
		return err
	}
	sum, done, late, started := 0, 0, false, false
	for _, k := range kids {
		sum += k.percent
		done += db.Flag(k.status == Done)
		late = late || k.status == Late
		started = started || k.status != NotStarted
	}
	status := NotStarted
	switch {
	case done == len(kids):
		status = Done
	case late:
		status = Late
	case started:
		status = InProgress
	}
	_, err = tx.ExecContext(ctx, `UPDATE net_tasks SET status = $1, percent = $2, reported_at = $3 WHERE id = $4`, status, sum/len(kids), db.Now(), parentID)
	return err
}

// Cascade hands a task down to units below its lead unit (a province's
// departments and communes): a child task for each, led by it, with the
// same dates and output. The parent then stands as its children do.
func (s *Service) Cascade(ctx context.Context, planID, taskID string, unitCodes []string) ([]*Task, error) {
	t, err := s.Task(ctx, planID, taskID)
	if err != nil {
		return nil, err
	}
	if t.ParentID != "" {
		return nil, errs.Field("units", "network.cascade_twice")
	}
	if len(unitCodes) == 0 || len(unitCodes) > 200 {
		return nil, errs.Field("units", "network.cascade_count", 200)
	}
	var out []*Task
	for i, code := range unitCodes {
		u, err := s.unit(ctx, fmt.Sprintf("units[%d]", i), code)
		if err != nil {
			return nil, err
		}
		if u.Path == t.LeadUnitPath || !strings.HasPrefix(u.Path, t.LeadUnitPath) {
			return nil, errs.Field(fmt.Sprintf("units[%d]", i), "network.cascade_below", code, t.LeadUnitName)
		}
		c, err := s.addTask(ctx, planID, t.ID, TaskInput{Title: t.Title, Description: t.Description, LeadUnitCode: u.Code, StartOn: t.StartOn, DueOn: t.DueOn, Output: t.Output, Indicator: t.Indicator, Budget: t.Budget})
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Remind e-mails the administrators and reporters of the lead units of a
// plan's late tasks, at most once a day per task, and returns how many
// tasks were reminded.
func (s *Service) Remind(ctx context.Context, planID string) (int, error) {
	pl, err := s.Plan(ctx, planID)
	if err != nil {
		return 0, err
	}
	p, err := auth.Authorize(ctx, auth.ManagePlans, pl.UnitPath)
	if err != nil {
		return 0, err
	}
	now := s.clock()
	n := 0
	for _, t := range pl.Tasks {
		if t.State != Late || now.Sub(time.UnixMilli(t.RemindedAt)) < 20*time.Hour || slices.ContainsFunc(pl.Tasks, func(c *Task) bool { return c.ParentID == t.ID }) {
			continue
		}
		var to []string
		for _, role := range []auth.Role{auth.UnitAdmin, auth.Reporter} {
			addrs, err := s.Auth.EmailsWithRole(ctx, t.LeadUnitID, role)
			if err != nil {
				return n, err
			}
			to = append(to, addrs...)
		}
		link := fmt.Sprintf("%s/plans/%s/tasks/%s", s.BaseURL, pl.ID, t.ID)
		subject := i18n.T(i18n.VI, "network.mail_late_subject", t.Title) + " / " + i18n.T(i18n.EN, "network.mail_late_subject", t.Title)
		body := i18n.Both("network.mail_late_body", func(l i18n.Lang) []any {
			return []any{t.Title, pl.Title, i18n.Day(l, t.DueOn), t.Percent, link}
		})
		for _, addr := range to {
			if s.Mail != nil {
				if err := s.Mail.Send(ctx, mail.Message{To: addr, Subject: subject, Body: body}); err != nil {
					return n, err
				}
			}
		}
		if _, err := s.DB.W.ExecContext(ctx, `UPDATE net_tasks SET reminded_at = $1 WHERE id = $2`, now.UnixMilli(), t.ID); err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		if err := s.record(ctx, p, "plan_reminded", "plan", planID, pl.UnitPath, strconv.Itoa(n)); err != nil {
			return n, err
		}
	}
	return n, nil
}

// progress counts tasks as they stand (a cascaded task counts once,
// through its parent).
func progress(ts []*Task) *Progress {
	pr := &Progress{}
	by := map[string]*LeadProgress{}
	for _, t := range ts {
		if t.ParentID != "" {
			continue
		}
		lp := by[t.LeadUnitCode]
		if lp == nil {
			lp = &LeadProgress{UnitCode: t.LeadUnitCode, UnitName: t.LeadUnitName}
			by[t.LeadUnitCode] = lp
			pr.ByLead = append(pr.ByLead, lp)
		}
		pr.Total++
		lp.Total++
		switch t.State {
		case Done:
			pr.Done++
			lp.Done++
		case Late:
			pr.Late++
			lp.Late++
		default:
			pr.OnTime++
			lp.OnTime++
		}
	}
	return pr
}

const planCols = `id, unit_id, unit_path, title, number, decision_ref, signed_on, summary, updated_at`

func scanPlan(r db.Scanner) (*Plan, error) {
	p := &Plan{}
	err := r.Scan(&p.ID, &p.UnitID, &p.UnitPath, &p.Title, &p.Number, &p.DecisionRef, &p.SignedOn, &p.Summary, &p.UpdatedAt)
	return p, err
}

func (s *Service) plan(ctx context.Context, id string) (*Plan, error) {
	pl, err := scanPlan(s.DB.R.QueryRowContext(ctx, `SELECT `+planCols+` FROM net_plans WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", id, err)
	}
	return pl, s.namePlans(ctx, pl)
}

func (s *Service) namePlans(ctx context.Context, pls ...*Plan) error {
	var ids []string
	for _, p := range pls {
		ids = append(ids, p.UnitID)
	}
	us, err := s.Org.UnitsByID(ctx, ids)
	if err != nil {
		return err
	}
	for _, p := range pls {
		if u := us[p.UnitID]; u != nil {
			p.UnitCode, p.UnitName = u.Code, u.NameVI
		}
	}
	return nil
}

// tasks reads tasks matching where (on net_tasks t), in plan order
// (children after their parent), with their lead units' names and their
// state today.
func (s *Service) tasks(ctx context.Context, where string, args ...any) ([]*Task, error) {
	ts, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (*Task, error) {
		t := &Task{}
		var coord string
		err := r.Scan(&t.ID, &t.PlanID, &t.ParentID, &t.Seq, &t.Title, &t.Description, &t.LeadUnitID, &t.LeadUnitPath, &coord, &t.StartOn, &t.DueOn, &t.Output, &t.Indicator, &t.Budget, &t.Status, &t.Percent, &t.ReportedAt, &t.RemindedAt)
		json.Unmarshal([]byte(coord), &t.Coordinating)
		if t.Coordinating == nil {
			t.Coordinating = []string{}
		}
		return t, err
	}, `SELECT t.id, t.plan_id, t.parent_id, t.seq, t.title, t.description, t.lead_unit_id, t.lead_unit_path, t.coordinating, t.start_on, t.due_on, t.output, t.indicator, t.budget, t.status, t.percent, t.reported_at, t.reminded_at
		FROM net_tasks t WHERE `+where+` ORDER BY t.plan_id, t.seq`, args...)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, t := range ts {
		ids = append(ids, t.LeadUnitID)
	}
	us, err := s.Org.UnitsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	today := s.today()
	seq := map[string]int{}
	for _, t := range ts {
		if u := us[t.LeadUnitID]; u != nil {
			t.LeadUnitCode, t.LeadUnitName = u.Code, u.NameVI
		}
		t.State = state(t.Status, t.DueOn, today)
		seq[t.ID] = t.Seq
	}
	// Children right after their parent.
	slices.SortStableFunc(ts, func(a, b *Task) int {
		ka, kb := a.Seq, b.Seq
		if a.ParentID != "" {
			ka = seq[a.ParentID]
		}
		if b.ParentID != "" {
			kb = seq[b.ParentID]
		}
		if a.PlanID != b.PlanID {
			return strings.Compare(a.PlanID, b.PlanID)
		}
		if ka != kb {
			return ka - kb
		}
		return db.Flag(a.ParentID != "") - db.Flag(b.ParentID != "")
	})
	return ts, nil
}

// ExportPlan writes a plan with its progress as a spreadsheet.
func (s *Service) ExportPlan(ctx context.Context, w io.Writer, id string, lang i18n.Lang) error {
	pl, err := s.Plan(ctx, id)
	if err != nil {
		return err
	}
	header := []string{"#", i18n.T(lang, "network.task"), i18n.T(lang, "network.lead_unit"), i18n.T(lang, "network.coordinating"), i18n.T(lang, "network.start_on"), i18n.T(lang, "network.due_on"),
		i18n.T(lang, "network.output"), i18n.T(lang, "network.indicator"), i18n.T(lang, "network.budget"), i18n.T(lang, "network.status"), i18n.T(lang, "network.state"), i18n.T(lang, "network.percent"), i18n.T(lang, "network.reported_at")}
	var rows [][]string
	for _, t := range pl.Tasks {
		num := strconv.Itoa(t.Seq)
		if t.ParentID != "" {
			num = "↳"
		}
		rows = append(rows, []string{num, t.Title, t.LeadUnitName + " (" + t.LeadUnitCode + ")", strings.Join(t.Coordinating, ", "), t.StartOn, t.DueOn, t.Output, t.Indicator, t.Budget,
			i18n.T(lang, "network.status_"+t.Status), i18n.T(lang, "network.status_"+t.State), strconv.Itoa(t.Percent), tabular.Day(t.ReportedAt)})
	}
	return tabular.Write(w, tabular.XLSX, i18n.T(lang, "network.plan_sheet"), header, rows, tabular.Dates(4, 5, 12), tabular.Numbers(11))
}
