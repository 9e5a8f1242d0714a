package learning

import (
	"context"
	"database/sql"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/loop"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"dxhub/internal/assessment"
	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/mail"
)

// Path is an ordered list of courses toward a goal.
type Path struct {
	ID       string    `json:"id"`
	Code     string    `json:"code"`
	UnitPath string    `json:"-"`
	Title    string    `json:"title"`
	Summary  string    `json:"summary"`
	Courses  []*Course `json:"courses"`
	Done     int       `json:"done"` // for the caller
}

// PathInput describes a new learning path.
type PathInput struct {
	Code     string   `json:"code"`
	UnitCode string   `json:"unit_code"`
	Title    string   `json:"title"`
	Summary  string   `json:"summary"`
	Courses  []string `json:"courses"` // course codes in order
}

// CreatePath stores a learning path of published courses.
func (s *Service) CreatePath(ctx context.Context, in PathInput) (*Path, error) {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	if !codeRe.MatchString(in.Code) {
		return nil, errs.Field("code", "learning.code_invalid")
	}
	if strings.TrimSpace(in.Title) == "" {
		return nil, errs.Field("title", "learning.title_required")
	}
	if len(in.Courses) == 0 {
		return nil, errs.Field("courses", "learning.path_needs_courses")
	}
	if in.UnitCode == "" {
		in.UnitCode = org.NationCode
	}
	u, err := s.Org.UnitByCode(ctx, in.UnitCode)
	if err != nil {
		return nil, errs.Field("unit_code", "learning.unit_invalid", in.UnitCode)
	}
	if _, err := auth.Authorize(ctx, auth.AuthorContent, u.Path); err != nil {
		return nil, err
	}
	var ids []string
	for _, code := range in.Courses {
		c, err := s.CourseByCode(ctx, code)
		if err != nil || c.Version == 0 {
			return nil, errs.Field("courses", "learning.course_not_found", code)
		}
		ids = append(ids, c.ID)
	}
	id := db.NewID()
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO learning_paths (id, code, unit_id, unit_path, title, summary, courses, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
		id, in.Code, u.ID, u.Path, strings.TrimSpace(in.Title), in.Summary, join(ids), db.Now()); err != nil {
		return nil, errs.Field("code", "learning.code_taken", in.Code)
	}
	return s.PathByCode(ctx, in.Code)
}

// Paths lists every learning path with the caller's progress.
func (s *Service) Paths(ctx context.Context) ([]*Path, error) {
	codes, err := db.Strings(ctx, s.DB.R, `SELECT code FROM learning_paths ORDER BY title`)
	if err != nil {
		return nil, err
	}
	var out []*Path
	for _, c := range codes {
		p, err := s.PathByCode(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// PathByCode returns a path with its courses and the caller's progress.
func (s *Service) PathByCode(ctx context.Context, code string) (*Path, error) {
	var p Path
	var courses string
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, code, unit_path, title, summary, courses FROM learning_paths WHERE code = $1`, strings.ToUpper(code)).
		Scan(&p.ID, &p.Code, &p.UnitPath, &p.Title, &p.Summary, &courses)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "learning.path_not_found", code)
	}
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	if pr := auth.FromContext(ctx); pr != nil {
		ids, err := db.Strings(ctx, s.DB.R, `SELECT course_id FROM enrolments WHERE account_id = $1 AND status = 'completed'`, pr.AccountID)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			done[id] = true
		}
	}
	for _, id := range split(courses) {
		c, err := scanCourse(s.DB.R.QueryRowContext(ctx, `SELECT `+courseCols+` FROM courses c WHERE c.id = $1`, id))
		if err == nil {
			err = s.withUnits(ctx, c)
		}
		if err != nil {
			return nil, err
		}
		p.Courses = append(p.Courses, c)
		if done[id] {
			p.Done++
		}
	}
	return &p, nil
}

// Assignment asks the people of a subtree (optionally only some groups)
// to complete a course or a path by a date.
type Assignment struct {
	ID        string   `json:"id"`
	UnitID    string   `json:"-"`
	UnitPath  string   `json:"-"`
	UnitCode  string   `json:"unit_code"`
	UnitName  string   `json:"unit_name"`
	Kind      string   `json:"kind"` // course or path
	TargetID  string   `json:"target_id"`
	Title     string   `json:"title"`
	Code      string   `json:"code"`
	Groups    []string `json:"groups"`
	DueAt     int64    `json:"due_at"`
	CourseIDs []string `json:"course_ids"`
}

// AssignInput is a new assignment.
type AssignInput struct {
	UnitCode string   `json:"unit_code"`
	Kind     string   `json:"kind"`
	Code     string   `json:"code"` // course or path code
	Groups   []string `json:"groups"`
	Due      string   `json:"due"` // YYYY-MM-DD
}

// Assign creates an assignment; the caller must administer the unit.
func (s *Service) Assign(ctx context.Context, in AssignInput) (*Assignment, error) {
	u, err := s.Org.UnitByCode(ctx, in.UnitCode)
	if err != nil {
		return nil, errs.Field("unit_code", "learning.unit_invalid", in.UnitCode)
	}
	p, err := auth.Authorize(ctx, auth.AssignLearning, u.Path)
	if err != nil {
		return nil, err
	}
	var target string
	switch in.Kind {
	case "course":
		c, err := s.CourseByCode(ctx, in.Code)
		if err != nil || c.Version == 0 {
			return nil, errs.Field("code", "learning.course_not_found", in.Code)
		}
		target = c.ID
	case "path":
		pa, err := s.PathByCode(ctx, in.Code)
		if err != nil {
			return nil, errs.Field("code", "learning.path_not_found", in.Code)
		}
		target = pa.ID
	default:
		return nil, errs.Field("kind", "learning.assign_kind_invalid")
	}
	for _, g := range in.Groups {
		if !slices.Contains(org.Groups, g) {
			return nil, errs.Field("groups", "learning.group_invalid", g)
		}
	}
	due, err := time.ParseInLocation("2006-01-02", in.Due, i18n.DefaultZone)
	if err != nil {
		return nil, errs.Field("due", "learning.due_invalid")
	}
	due = due.Add(24*time.Hour - time.Millisecond) // the end of the due day
	if due.Before(time.Now()) {
		return nil, errs.Field("due", "learning.due_past")
	}
	id := db.NewID()
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO assignments (id, unit_id, unit_path, kind, target_id, groups, due_at, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
		id, u.ID, u.Path, in.Kind, target, join(in.Groups), due.UnixMilli(), p.AccountID, db.Now()); err != nil {
		return nil, err
	}
	s.audit(ctx, "learning.assign", id, u.Path, in.Kind+" "+in.Code)
	return s.Assignment(ctx, id)
}

const assignCols = `a.id, a.unit_id, a.unit_path, a.unit_id, a.unit_id, a.kind, a.target_id, a.groups, a.due_at,
	COALESCE(c.title, lp.title, ''), COALESCE(c.code, lp.code, ''), COALESCE(c.id, lp.courses, '')`

const assignFrom = ` FROM assignments a
	LEFT JOIN courses c ON a.kind = 'course' AND c.id = a.target_id
	LEFT JOIN learning_paths lp ON a.kind = 'path' AND lp.id = a.target_id`

func scanAssignment(r interface{ Scan(...any) error }) (*Assignment, error) {
	var a Assignment
	var groups, courses string
	err := r.Scan(&a.ID, &a.UnitID, &a.UnitPath, &a.UnitCode, &a.UnitName, &a.Kind, &a.TargetID, &groups, &a.DueAt, &a.Title, &a.Code, &courses)
	a.Groups, a.CourseIDs = split(groups), split(courses)
	return &a, err
}

func (s *Service) assignments(ctx context.Context, where string, args ...any) ([]*Assignment, error) {
	as, err := db.Query(ctx, s.DB.R, scanAssignment, `SELECT `+assignCols+assignFrom+` WHERE `+where+` ORDER BY a.due_at`, args...)
	if err != nil {
		return nil, err
	}
	// The unit's code and name come from org, which owns the units.
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.UnitID
	}
	units, err := s.Org.UnitsByID(ctx, ids)
	for _, a := range as {
		if u := units[a.UnitID]; u != nil {
			a.UnitCode, a.UnitName = u.Code, u.NameVI
		}
	}
	return as, err
}

// Assignment returns one assignment (for those who may report on it).
func (s *Service) Assignment(ctx context.Context, id string) (*Assignment, error) {
	as, err := s.assignments(ctx, `a.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	if _, err := auth.Authorize(ctx, auth.ViewLearning, as[0].UnitPath); err != nil {
		// An administrator of a part of the subtree may read it too.
		p := auth.FromContext(ctx)
		ok := false
		for _, sc := range p.Scopes(auth.ViewLearning) {
			if strings.HasPrefix(sc, as[0].UnitPath) {
				ok = true
			}
		}
		if !ok {
			return nil, err
		}
	}
	return as[0], nil
}

// NotStarted lists the people an assignment covers who have begun none of
// its courses, for a message to them (the room sending it checked its
// caller's rights when the message was written).
func (s *Service) NotStarted(ctx context.Context, assignmentID string) ([]string, error) {
	as, err := s.assignments(ctx, `a.id = $1`, assignmentID)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	people, err := s.statuses(ctx, as[0], as[0].UnitPath)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range people {
		if p.Status == NotStarted {
			out = append(out, p.PersonID)
		}
	}
	return out, nil
}

// Assignments lists the assignments made in, above or below the caller's
// reporting scopes.
func (s *Service) Assignments(ctx context.Context) ([]*Assignment, error) {
	_, scopes, err := auth.RequireScopes(ctx, auth.ViewLearning)
	if err != nil {
		return nil, err
	}
	var conds []string
	var args []any
	for _, sc := range scopes {
		args = append(args, s.DB.Dialect.PrefixPattern(sc))
		conds = append(conds, s.DB.Dialect.PrefixMatch("a.unit_path", len(args)))
		args = append(args, sc)
		conds = append(conds, fmt.Sprintf("$%d LIKE a.unit_path || '%%'", len(args)))
	}
	return s.assignments(ctx, "("+strings.Join(conds, " OR ")+")", args...)
}

// assignedTo lists the assignments covering a person at path in groups.
func (s *Service) assignedTo(ctx context.Context, path string, groups []string) ([]*Assignment, error) {
	all, err := s.assignments(ctx, `$1 LIKE a.unit_path || '%'`, path)
	if err != nil {
		return nil, err
	}
	var out []*Assignment
	for _, a := range all {
		if len(a.Groups) == 0 || slices.ContainsFunc(a.Groups, func(g string) bool { return slices.Contains(groups, g) }) {
			out = append(out, a)
		}
	}
	return out, nil
}

// MyAssignments lists what the caller has been assigned.
func (s *Service) MyAssignments(ctx context.Context) ([]*Assignment, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if p.PersonID == "" {
		return nil, nil
	}
	path, groups, _ := s.learnerPath(ctx, p)
	return s.assignedTo(ctx, path, groups)
}

// Compliance statuses.
const (
	Completed  = "completed"
	InProgress = "in_progress"
	NotStarted = "not_started"
)

// PersonStatus is one assigned person's standing.
type PersonStatus struct {
	PersonID string `json:"person_id"`
	Name     string `json:"name"`
	// Hidden says the person withdrew consent to be named to their office.
	Hidden      bool   `json:"hidden,omitempty"`
	UnitPath    string `json:"-"`
	Status      string `json:"status"`
	Overdue     bool   `json:"overdue"`
	CompletedAt int64  `json:"completed_at,omitempty"`
}

// Tally counts people by standing.
type Tally struct {
	UnitCode   string `json:"unit_code"`
	UnitName   string `json:"unit_name"`
	UnitPath   string `json:"-"`
	Assigned   int    `json:"assigned"`
	Completed  int    `json:"completed"`
	InProgress int    `json:"in_progress"`
	NotStarted int    `json:"not_started"`
	Overdue    int    `json:"overdue"`
}

// Percent is the share completed.
func (t Tally) Percent() float64 {
	if t.Assigned == 0 {
		return 0
	}
	return 100 * float64(t.Completed) / float64(t.Assigned)
}

func (t *Tally) add(p PersonStatus) {
	t.Assigned++
	switch p.Status {
	case Completed:
		t.Completed++
	case InProgress:
		t.InProgress++
	default:
		t.NotStarted++
	}
	if p.Overdue {
		t.Overdue++
	}
}

// Report is the compliance report of an assignment for one unit: its
// total, one row per child unit, and (at the bottom of the tree, or when
// asked) one row per person.
type Report struct {
	Assignment *Assignment    `json:"assignment"`
	Unit       *org.Unit      `json:"unit"`
	Total      Tally          `json:"total"`
	Children   []Tally        `json:"children"`
	People     []PersonStatus `json:"people,omitempty"`
}

// Compliance reports an assignment for a unit inside both the assignment's
// subtree and the caller's reporting scope.
func (s *Service) Compliance(ctx context.Context, assignmentID, unitCode string, withPeople bool) (*Report, error) {
	a, err := s.Assignment(ctx, assignmentID)
	if err != nil {
		return nil, err
	}
	u, err := s.Org.UnitByCode(ctx, unitCode)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(u.Path, a.UnitPath) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	if _, err := auth.Authorize(ctx, auth.ViewLearning, u.Path); err != nil {
		return nil, err
	}
	people, err := s.statuses(ctx, a, u.Path)
	if err != nil {
		return nil, err
	}
	kids, err := s.Org.Children(ctx, u.ID, "")
	if err != nil {
		return nil, err
	}
	r := &Report{Assignment: a, Unit: u}
	byPath := map[string]*Tally{}
	for _, k := range kids {
		r.Children = append(r.Children, Tally{UnitCode: k.Code, UnitName: k.NameVI, UnitPath: k.Path})
	}
	for i := range r.Children {
		byPath[r.Children[i].UnitPath] = &r.Children[i]
	}
	for _, p := range people {
		r.Total.add(p)
		for path, t := range byPath {
			if strings.HasPrefix(p.UnitPath, path) {
				t.add(p)
				break
			}
		}
	}
	if withPeople || len(kids) == 0 {
		r.People = people
	}
	if len(r.People) > 0 {
		s.audit(ctx, "learning.compliance.view", a.ID, u.Path, fmt.Sprintf("%d people", len(r.People)))
	}
	return r, nil
}

// statuses works out every assigned person's standing under path: the
// people from org, the accounts linked to them from auth, the enrolments
// from learning's own table.
func (s *Service) statuses(ctx context.Context, a *Assignment, path string) ([]PersonStatus, error) {
	if len(a.CourseIDs) == 0 {
		return nil, nil
	}
	people, err := s.Org.PeopleIn(ctx, path, a.Groups)
	if err != nil || len(people) == 0 {
		return nil, err
	}
	args := make([]any, len(a.CourseIDs))
	for i, id := range a.CourseIDs {
		args[i] = id
	}
	type enrolled struct {
		account, status string
		completed       int64
	}
	ens, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (enrolled, error) {
		var e enrolled
		err := r.Scan(&e.account, &e.status, &e.completed)
		return e, err
	}, `SELECT account_id, status, completed_at FROM enrolments WHERE course_id IN (`+db.Numbered(1, len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	accounts := make([]string, 0, len(ens))
	for _, e := range ens {
		accounts = append(accounts, e.account)
	}
	personOf, err := s.Auth.PersonsOf(ctx, accounts)
	if err != nil {
		return nil, err
	}
	type standing struct {
		done, started int
		last          int64
	}
	by := map[string]*standing{}
	for _, e := range ens {
		pid := personOf[e.account]
		if pid == "" {
			continue
		}
		st := by[pid]
		if st == nil {
			st = &standing{}
			by[pid] = st
		}
		st.started++
		if e.status == Completed {
			st.done++
			st.last = max(st.last, e.completed)
		}
	}
	// People who withdrew their consent to share results with their
	// office are counted but not named.
	withdrawn, err := s.Auth.Withdrawn(ctx, auth.ConsentShareResults, accounts)
	if err != nil {
		return nil, err
	}
	hidden := map[string]bool{}
	for acct := range withdrawn {
		hidden[personOf[acct]] = true
	}
	now := db.Now()
	out := make([]PersonStatus, 0, len(people))
	for _, p := range people {
		ps := PersonStatus{PersonID: p.ID, Name: p.FullName, UnitPath: p.UnitPath, Status: NotStarted}
		if hidden[p.ID] {
			ps.Name, ps.Hidden = "—", true
		}
		if st := by[p.ID]; st != nil {
			switch {
			case st.done >= len(a.CourseIDs):
				ps.Status, ps.CompletedAt = Completed, st.last
			case st.started > 0:
				ps.Status = InProgress
			}
		}
		ps.Overdue = ps.Status != Completed && now > a.DueAt
		out = append(out, ps)
	}
	return out, nil
}

// Remind e-mails learners whose assignment is due within three days, and
// once it is overdue, the learners and the administrator who assigned it.
// Each reminder goes out once per assignment and person, claimed in the
// database before it is sent, so that nodes taking turns (or one taking
// over from a node that died) never send it twice; it returns the number
// sent.
func (s *Service) Remind(ctx context.Context, now time.Time) (int, error) {
	all, err := s.assignments(ctx, `(a.reminded_before = 0 AND a.due_at > $1 AND a.due_at <= $2) OR (a.reminded_overdue = 0 AND a.due_at < $1)`,
		now.UnixMilli(), now.Add(72*time.Hour).UnixMilli())
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, a := range all {
		overdue := a.DueAt < now.UnixMilli()
		people, err := s.statuses(ctx, a, a.UnitPath)
		if err != nil {
			return sent, err
		}
		due := time.UnixMilli(a.DueAt).In(i18n.DefaultZone)
		args := func(l i18n.Lang) []any { return []any{a.Title, i18n.Date(l, due), s.home()} }
		late, failed := 0, false
		for _, p := range people {
			if p.Status == Completed {
				continue
			}
			late++
			email, err := s.Auth.EmailOfPerson(ctx, p.PersonID)
			if err != nil || email == "" {
				continue // no account or no address: the report shows them
			}
			kind := "due"
			if overdue {
				kind = "overdue"
			}
			subject := i18n.T(i18n.VI, "learning.mail_"+kind+"_subject", args(i18n.VI)...) + " / " + i18n.T(i18n.EN, "learning.mail_"+kind+"_subject", args(i18n.EN)...)
			body := i18n.Both("learning.mail_"+kind+"_body", args)
			claimed, sendErr, err := s.remindOnce(ctx, a.ID, kind, p.PersonID, now, mail.Message{To: email, Subject: subject, Body: body})
			if err != nil {
				return sent, err
			}
			if !claimed {
				continue
			}
			if sendErr != nil {
				if ctx.Err() != nil {
					return sent, ctx.Err()
				}
				s.Log.Error("reminder", "err", sendErr)
				failed = true
				continue
			}
			sent++
		}
		if failed {
			continue // the assignment stays unmarked: the next turn retries
		}
		col := "reminded_before"
		if overdue {
			col = "reminded_overdue"
			var by string
			err := s.DB.R.QueryRowContext(ctx, `SELECT created_by FROM assignments WHERE id = $1`, a.ID).Scan(&by)
			email := ""
			if err == nil {
				email, err = s.Auth.EmailOf(ctx, by)
			}
			if err == nil && email != "" && late > 0 {
				body := i18n.Both("learning.mail_late_body", func(l i18n.Lang) []any {
					return []any{i18n.Num(l, late), a.Title, i18n.Date(l, due), s.home(), a.ID}
				})
				subject := i18n.T(i18n.VI, "learning.mail_late_subject", a.Title) + " / " + i18n.T(i18n.EN, "learning.mail_late_subject", a.Title)
				claimed, sendErr, err := s.remindOnce(ctx, a.ID, "late", "account:"+by, now, mail.Message{To: email, Subject: subject, Body: body})
				if err != nil {
					return sent, err
				}
				if sendErr != nil {
					s.Log.Error("reminder", "err", sendErr)
					continue
				}
				if claimed {
					sent++
				}
			}
		}
		if _, err := s.DB.W.ExecContext(ctx, `UPDATE assignments SET `+col+` = $1 WHERE id = $2`, now.UnixMilli(), a.ID); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// remindOnce claims the reminder of kind about an assignment to who in
// the database, then sends m: never twice, whichever node runs it. A send
// that fails hands the claim back for the next turn (sendErr). claimed is
// false when the reminder was claimed before; err is the database's.
func (s *Service) remindOnce(ctx context.Context, assignmentID, kind, who string, now time.Time, m mail.Message) (claimed bool, sendErr, err error) {
	res, err := s.DB.W.ExecContext(ctx, `INSERT INTO course_reminders (assignment_id, kind, person_id, sent_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		assignmentID, kind, who, now.UnixMilli())
	if err != nil {
		return false, nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil, nil
	}
	if sendErr = s.Mail.Send(ctx, m); sendErr != nil {
		s.DB.W.ExecContext(context.WithoutCancel(ctx), `DELETE FROM course_reminders WHERE assignment_id = $1 AND kind = $2 AND person_id = $3`, assignmentID, kind, who)
	}
	return true, sendErr, nil
}

// Start runs the reminder sweep every interval until ctx ends.
func (s *Service) Start(ctx context.Context, every time.Duration) {
	loop.EveryOnce(ctx, s.DB, every, s.Log, "course reminders", func(ctx context.Context) error {
		_, err := s.Remind(ctx, time.Now())
		return err
	})
}

// Recommendation is a course suggested to close a skill gap.
type Recommendation struct {
	Course     *Course `json:"course"`
	Competence string  `json:"competence"`
	Percent    float64 `json:"percent"` // the learner's latest result; -1 when never assessed
	Target     float64 `json:"target"`
}

// DefaultTargets is the target profile used for a group with none stored:
// the percent to reach in every competence.
var DefaultTargets = map[string]float64{org.GroupDXStaff: 80, org.GroupLeader: 70, org.GroupCivilServant: 70, org.GroupPublicEmployee: 60, org.GroupTeacher: 70, org.GroupStudent: 60, org.GroupWorker: 50, org.GroupCitizen: 50}

// SetTarget stores a group's target in one competence (national admins).
func (s *Service) SetTarget(ctx context.Context, group, competence string, percent float64) error {
	n, err := s.Org.Nation(ctx)
	if err != nil {
		return err
	}
	if _, err := auth.Authorize(ctx, auth.AssignLearning, n.Path); err != nil {
		return err
	}
	if !slices.Contains(org.Groups, group) {
		return errs.Field("group", "learning.group_invalid", group)
	}
	if percent < 0 || percent > 100 {
		return errs.Field("percent", "learning.pass_invalid")
	}
	_, err = s.DB.W.ExecContext(ctx, `INSERT INTO target_profiles (group_code, competence, percent) VALUES ($1,$2,$3)
		ON CONFLICT (group_code, competence) DO UPDATE SET percent = excluded.percent`, group, competence, percent)
	return err
}

// target is the highest target among the learner's groups for a competence.
func (s *Service) target(ctx context.Context, groups []string, competence string) float64 {
	if len(groups) == 0 {
		groups = []string{org.GroupCitizen}
	}
	best := 0.0
	for _, g := range groups {
		t, ok := DefaultTargets[g]
		var stored float64
		if err := s.DB.R.QueryRowContext(ctx, `SELECT percent FROM target_profiles WHERE group_code = $1 AND competence = $2`, g, competence).Scan(&stored); err == nil {
			t, ok = stored, true
		}
		if ok && t > best {
			best = t
		}
	}
	return best
}

// Recommend compares the caller's latest assessment per competence with
// their group's target profile and suggests published courses covering the
// weakest competences, each with its reason; without any result it
// suggests basic courses for the caller's audience.
func (s *Service) Recommend(ctx context.Context) ([]Recommendation, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	_, groups, _ := s.learnerPath(ctx, p)
	var breakdown string
	err = s.DB.R.QueryRowContext(ctx, `SELECT breakdown FROM attempts WHERE account_id = $1 AND breakdown <> '' ORDER BY finished_at DESC LIMIT 1`, p.AccountID).Scan(&breakdown)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	done := map[string]bool{}
	ids, err := db.Strings(ctx, s.DB.R, `SELECT course_id FROM enrolments WHERE account_id = $1 AND status = 'completed'`, p.AccountID)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		done[id] = true
	}
	all, err := s.Catalogue(ctx, Filter{Sort: "popular"})
	if err != nil {
		return nil, err
	}
	var out []Recommendation
	if breakdown == "" {
		aud := audienceOf(groups)
		for _, c := range all {
			if !done[c.ID] && c.Level == "basic" && slices.Contains(c.Audiences, aud) && len(out) < 3 {
				out = append(out, Recommendation{Course: c, Percent: -1})
			}
		}
		return out, nil
	}
	var b assessment.Breakdown
	if err := json.Unmarshal([]byte(breakdown), &b); err != nil {
		return nil, err
	}
	type gap struct {
		code          string
		percent, goal float64
	}
	var gaps []gap
	for _, c := range b.Competences {
		if t := s.target(ctx, groups, c.Code); c.Percent < t {
			gaps = append(gaps, gap{c.Code, c.Percent, t})
		}
	}
	sort.Slice(gaps, func(i, j int) bool { return gaps[i].goal-gaps[i].percent > gaps[j].goal-gaps[j].percent })
	seen := map[string]bool{}
	for _, g := range gaps {
		for _, c := range all {
			if done[c.ID] || seen[c.ID] || !slices.Contains(c.Competences, g.code) {
				continue
			}
			seen[c.ID] = true
			out = append(out, Recommendation{Course: c, Competence: g.code, Percent: g.percent, Target: g.goal})
			break
		}
		if len(out) >= 5 {
			break
		}
	}
	return out, nil
}

// audienceOf maps a person's groups to the course audience they belong to.
func audienceOf(groups []string) string {
	for _, g := range []string{org.GroupDXStaff, org.GroupTeacher, org.GroupStudent, org.GroupWorker} {
		if slices.Contains(groups, g) {
			return g
		}
	}
	for _, g := range groups {
		if g == org.GroupCivilServant || g == org.GroupPublicEmployee || g == org.GroupLeader {
			return "civil_servant"
		}
	}
	return "citizen"
}

func auditEntry(p *auth.Principal, action, id, path, detail string) audit.Entry {
	e := audit.Entry{Action: action, ObjectType: "learning", ObjectID: id, UnitPath: path, Detail: detail}
	if p != nil {
		e.ActorID, e.ActorName = p.AccountID, p.DisplayName
	}
	return e
}
