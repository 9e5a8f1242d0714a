// Package learning is the open online learning system: courses of modules
// and lessons tagged to the Digital Skills Standard, a catalogue, self-paced
// enrolment with progress, learning paths, recommendations from skill gaps,
// and courses assigned to a subtree with compliance reports. Every learning
// event is also written to the learning record store as an xAPI statement.
package learning

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"dxhub/internal/assessment"
	"dxhub/internal/lrs"
	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/events"
	"dxhub/internal/platform/mail"
	"dxhub/internal/platform/search"
	"dxhub/internal/platform/textfold"
	"dxhub/internal/skills"
)

// Service holds the learning room's state.
type Service struct {
	DB     *db.DB
	Log    *slog.Logger
	Audit  *audit.Log
	Org    *org.Service
	Skills *skills.Service
	Bank   *assessment.Bank
	Exams  *assessment.Exams
	Auth   *auth.Service
	LRS    *lrs.Store
	Mail   mail.Sender
	// Events carries course completions to other rooms (certificates).
	Events *events.Bus
	// Search indexes the catalogue (domain "courses").
	Search *search.Service

	mu       sync.Mutex
	outlines map[string]*Outline // "course@version"
}

// Audiences a course is written for.
var Audiences = []string{"citizen", "civil_servant", "dx_staff", "teacher", "student", "enterprise_worker"}

// Levels of a course.
var Levels = []string{"basic", "intermediate", "advanced"}

// Lesson kinds.
const (
	KindText  = "text"
	KindVideo = "video"
	KindFile  = "file"
	KindQuiz  = "quiz"
	KindXAPI  = "xapi"
)

// Kinds lists the lesson kinds.
var Kinds = []string{KindText, KindVideo, KindFile, KindQuiz, KindXAPI}

// Course is a course's description (the draft; learners read the
// published outline).
type Course struct {
	ID           string   `json:"id"`
	Code         string   `json:"code"`
	UnitID       string   `json:"-"`
	UnitPath     string   `json:"-"`
	UnitCode     string   `json:"unit_code"`
	Title        string   `json:"title"`
	Summary      string   `json:"summary"`
	Outcomes     string   `json:"outcomes"`
	Audiences    []string `json:"audiences"`
	Level        string   `json:"level"`
	Competences  []string `json:"competences"`
	Areas        []string `json:"areas"`
	DurationMin  int      `json:"duration_min"`
	Language     string   `json:"language"`
	Licence      string   `json:"licence"`
	OpenEnrol    bool     `json:"open_enrol"`
	PassPercent  float64  `json:"pass_percent"`
	FinalSession string   `json:"final_session,omitempty"`
	Status       string   `json:"status"`
	Version      int      `json:"version"`
	DraftChanged bool     `json:"draft_changed"`
	Enrolled     int      `json:"enrolled"`
	UpdatedAt    int64    `json:"updated_at"`
}

// Module is a part of a course.
type Module struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Position int      `json:"position"`
	Lessons  []Lesson `json:"lessons"`
}

// Lesson is one step of a module.
type Lesson struct {
	ID          string   `json:"id"`
	ModuleID    string   `json:"module_id"`
	Position    int      `json:"position"`
	Kind        string   `json:"kind"`
	Title       string   `json:"title"`
	Body        string   `json:"body,omitempty"`
	URL         string   `json:"url,omitempty"`
	FileKey     string   `json:"file_key,omitempty"`
	Items       []string `json:"items,omitempty"`
	Required    bool     `json:"required"`
	Final       bool     `json:"final"`
	DurationMin int      `json:"duration_min"`
}

// Outline is a course as published (or, for authors, as drafted).
type Outline struct {
	Course  Course   `json:"course"`
	Modules []Module `json:"modules"`
}

// Lessons lists the outline's lessons in order.
func (o *Outline) Lessons() []Lesson {
	var out []Lesson
	for _, m := range o.Modules {
		out = append(out, m.Lessons...)
	}
	return out
}

// Lesson finds a lesson by id.
func (o *Outline) Lesson(id string) (*Lesson, int) {
	for i, l := range o.Lessons() {
		if l.ID == id {
			return &l, i
		}
	}
	return nil, -1
}

// CourseInput is what an author writes about a course.
type CourseInput struct {
	Code         string   `json:"code"`
	UnitCode     string   `json:"unit_code"`
	Title        string   `json:"title"`
	Summary      string   `json:"summary"`
	Outcomes     string   `json:"outcomes"`
	Audiences    []string `json:"audiences"`
	Level        string   `json:"level"`
	Competences  []string `json:"competences"`
	DurationMin  int      `json:"duration_min"`
	Language     string   `json:"language"`
	Licence      string   `json:"licence"`
	OpenEnrol    bool     `json:"open_enrol"`
	PassPercent  float64  `json:"pass_percent"`
	FinalSession string   `json:"final_session"`
}

var codeRe = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{1,29}$`)

func (s *Service) checkCourse(ctx context.Context, in *CourseInput) (*org.Unit, []string, error) {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Title = strings.TrimSpace(in.Title)
	if !codeRe.MatchString(in.Code) {
		return nil, nil, errs.Field("code", "learning.code_invalid")
	}
	if in.Title == "" || len(in.Title) > 200 {
		return nil, nil, errs.Field("title", "learning.title_required")
	}
	if len(in.Audiences) == 0 {
		return nil, nil, errs.Field("audiences", "learning.audience_required")
	}
	for _, a := range in.Audiences {
		if !slices.Contains(Audiences, a) {
			return nil, nil, errs.Field("audiences", "learning.audience_invalid", a)
		}
	}
	if in.Level == "" {
		in.Level = "basic"
	}
	if !slices.Contains(Levels, in.Level) {
		return nil, nil, errs.Field("level", "learning.level_invalid", in.Level)
	}
	if in.DurationMin < 0 || in.DurationMin > 10000 {
		return nil, nil, errs.Field("duration_min", "learning.duration_invalid")
	}
	if in.PassPercent == 0 {
		in.PassPercent = 70
	}
	if in.PassPercent < 0 || in.PassPercent > 100 {
		return nil, nil, errs.Field("pass_percent", "learning.pass_invalid")
	}
	if in.Language == "" {
		in.Language = "vi"
	}
	if in.Language != "vi" && in.Language != "en" {
		return nil, nil, errs.Field("language", "learning.language_invalid")
	}
	std, err := s.Skills.Latest(ctx, "VN-DSF")
	if err != nil {
		return nil, nil, err
	}
	known := map[string]string{}
	for _, a := range std.Areas {
		for _, c := range a.Competences {
			known[c.Code] = a.Code
		}
	}
	var areas []string
	for _, c := range in.Competences {
		area, ok := known[c]
		if !ok {
			return nil, nil, errs.Field("competences", "learning.competence_invalid", c)
		}
		if !slices.Contains(areas, area) {
			areas = append(areas, area)
		}
	}
	slices.Sort(areas)
	if in.UnitCode == "" {
		in.UnitCode = org.NationCode
	}
	u, err := s.Org.UnitByCode(ctx, in.UnitCode)
	if err != nil {
		return nil, nil, errs.Field("unit_code", "learning.unit_invalid", in.UnitCode)
	}
	if _, err := auth.Authorize(ctx, auth.AuthorContent, u.Path); err != nil {
		return nil, nil, err
	}
	return u, areas, nil
}

func join(s []string) string { return strings.Join(s, ",") }

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// CreateCourse starts a draft course.
func (s *Service) CreateCourse(ctx context.Context, in CourseInput) (*Course, error) {
	u, areas, err := s.checkCourse(ctx, &in)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	now := db.Now()
	id := db.NewID()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO courses (id, code, unit_id, unit_path, title, title_fold, summary, summary_fold, outcomes, audiences, level, competences, areas,
		duration_min, language, licence, open_enrol, pass_percent, final_session, created_by, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$21)`,
			id, in.Code, u.ID, u.Path, in.Title, textfold.Fold(in.Title), in.Summary, textfold.Fold(in.Summary), in.Outcomes, join(in.Audiences), in.Level,
			join(in.Competences), join(areas), in.DurationMin, in.Language, in.Licence, db.Flag(in.OpenEnrol), in.PassPercent, in.FinalSession, p.AccountID, now); err != nil {
			return err
		}
		return s.indexCourse(ctx, tx, id, in)
	})
	if err != nil {
		if s.exists(ctx, in.Code) {
			return nil, errs.Field("code", "learning.code_taken", in.Code)
		}
		return nil, err
	}
	return s.CourseByCode(ctx, in.Code)
}

func (s *Service) exists(ctx context.Context, code string) bool {
	var n int
	s.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM courses WHERE code = $1`, code).Scan(&n)
	return n > 0
}

// UpdateCourse changes a course's description (the code stays).
func (s *Service) UpdateCourse(ctx context.Context, code string, in CourseInput) (*Course, error) {
	c, err := s.EditableCourse(ctx, code)
	if err != nil {
		return nil, err
	}
	in.Code = c.Code
	u, areas, err := s.checkCourse(ctx, &in)
	if err != nil {
		return nil, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE courses SET unit_id=$1, unit_path=$2, title=$3, title_fold=$4, summary=$5, summary_fold=$6, outcomes=$7, audiences=$8, level=$9,
		competences=$10, areas=$11, duration_min=$12, language=$13, licence=$14, open_enrol=$15, pass_percent=$16, final_session=$17, draft_changed=1, updated_at=$18 WHERE id=$19`,
			u.ID, u.Path, in.Title, textfold.Fold(in.Title), in.Summary, textfold.Fold(in.Summary), in.Outcomes, join(in.Audiences), in.Level,
			join(in.Competences), join(areas), in.DurationMin, in.Language, in.Licence, db.Flag(in.OpenEnrol), in.PassPercent, in.FinalSession, db.Now(), c.ID); err != nil {
			return err
		}
		return s.indexCourse(ctx, tx, c.ID, in)
	})
	if err != nil {
		return nil, err
	}
	return s.CourseByCode(ctx, code)
}

const courseCols = `c.id, c.code, c.unit_id, c.unit_path, c.unit_id, c.title, c.summary, c.outcomes, c.audiences, c.level, c.competences, c.areas, c.duration_min,
	c.language, c.licence, c.open_enrol, c.pass_percent, c.final_session, c.status, c.version, c.draft_changed, c.enrolled, c.updated_at`

// scanCourse reads a course; its UnitCode holds the unit's id until
// withUnits resolves it.
func scanCourse(r interface{ Scan(...any) error }) (*Course, error) {
	var c Course
	var aud, comp, areas string
	var open, changed int
	err := r.Scan(&c.ID, &c.Code, &c.UnitID, &c.UnitPath, &c.UnitCode, &c.Title, &c.Summary, &c.Outcomes, &aud, &c.Level, &comp, &areas, &c.DurationMin,
		&c.Language, &c.Licence, &open, &c.PassPercent, &c.FinalSession, &c.Status, &c.Version, &changed, &c.Enrolled, &c.UpdatedAt)
	c.OpenEnrol, c.DraftChanged = open == 1, changed == 1
	c.Audiences, c.Competences, c.Areas = split(aud), split(comp), split(areas)
	return &c, err
}

// CourseByCode returns a course's description; anyone may read a
// published course, authors in scope a draft.
func (s *Service) CourseByCode(ctx context.Context, code string) (*Course, error) {
	c, err := scanCourse(s.DB.R.QueryRowContext(ctx, `SELECT `+courseCols+` FROM courses c WHERE c.code = $1`, strings.ToUpper(code)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "learning.course_not_found", code)
	}
	if err == nil {
		err = s.withUnits(ctx, c)
	}
	if err != nil {
		return nil, err
	}
	if c.Version == 0 && !auth.FromContext(ctx).Can(auth.AuthorContent, c.UnitPath) {
		return nil, errs.E(errs.NotFound, "learning.course_not_found", code)
	}
	return c, nil
}

// EditableCourse returns a course the caller may author.
func (s *Service) EditableCourse(ctx context.Context, code string) (*Course, error) {
	c, err := s.CourseByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if _, err := auth.Authorize(ctx, auth.AuthorContent, c.UnitPath); err != nil {
		return nil, err
	}
	return c, nil
}

// AuthoredCourses lists the courses in the caller's authoring scope.
func (s *Service) AuthoredCourses(ctx context.Context) ([]*Course, error) {
	_, scopes, err := auth.RequireScopes(ctx, auth.AuthorContent)
	if err != nil {
		return nil, err
	}
	var conds []string
	var args []any
	for _, sc := range scopes {
		args = append(args, s.DB.Dialect.PrefixPattern(sc))
		conds = append(conds, s.DB.Dialect.PrefixMatch("c.unit_path", len(args)))
	}
	return s.courses(ctx, `SELECT `+courseCols+` FROM courses c WHERE (`+strings.Join(conds, " OR ")+`) ORDER BY c.updated_at DESC`, args...)
}

func (s *Service) courses(ctx context.Context, q string, args ...any) ([]*Course, error) {
	cs, err := db.Query(ctx, s.DB.R, scanCourse, q, args...)
	if err != nil {
		return nil, err
	}
	return cs, s.withUnits(ctx, cs...)
}

// withUnits gives courses their unit's code, which org owns.
func (s *Service) withUnits(ctx context.Context, cs ...*Course) error {
	codes := make([]*string, len(cs))
	for i, c := range cs {
		codes[i] = &c.UnitCode
	}
	return s.Org.ResolveCodes(ctx, codes...)
}

// Draft returns the outline being authored.
func (s *Service) Draft(ctx context.Context, code string) (*Outline, error) {
	c, err := s.EditableCourse(ctx, code)
	if err != nil {
		return nil, err
	}
	return s.draft(ctx, s.DB.R, c)
}

func (s *Service) draft(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, c *Course) (*Outline, error) {
	o := &Outline{Course: *c}
	modules, err := db.Query(ctx, q, func(r db.Scanner) (Module, error) {
		var m Module
		err := r.Scan(&m.ID, &m.Title, &m.Position)
		return m, err
	}, `SELECT id, title, position FROM course_modules WHERE course_id = $1 ORDER BY position`, c.ID)
	if err != nil {
		return nil, err
	}
	idx := map[string]int{}
	for _, m := range modules {
		idx[m.ID] = len(o.Modules)
		o.Modules = append(o.Modules, m)
	}
	return o, db.Each(ctx, q, func(r db.Scanner) error {
		var l Lesson
		var items string
		var required, final int
		if err := r.Scan(&l.ID, &l.ModuleID, &l.Position, &l.Kind, &l.Title, &l.Body, &l.URL, &l.FileKey, &items, &required, &final, &l.DurationMin); err != nil {
			return err
		}
		l.Required, l.Final = required == 1, final == 1
		l.Items = split(items)
		if i, ok := idx[l.ModuleID]; ok {
			o.Modules[i].Lessons = append(o.Modules[i].Lessons, l)
		}
		return nil
	}, `SELECT id, module_id, position, kind, title, body, url, file_key, items, required, final, duration_min FROM lessons WHERE course_id = $1 ORDER BY position`, c.ID)
}

// AddModule appends a module to a draft.
func (s *Service) AddModule(ctx context.Context, code, title string) (*Module, error) {
	c, err := s.EditableCourse(ctx, code)
	if err != nil {
		return nil, err
	}
	title = strings.TrimSpace(title)
	if title == "" || len(title) > 200 {
		return nil, errs.Field("title", "learning.title_required")
	}
	m := &Module{ID: db.NewID(), Title: title}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(position), 0) + 1 FROM course_modules WHERE course_id = $1`, c.ID).Scan(&m.Position); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO course_modules (id, course_id, position, title) VALUES ($1,$2,$3,$4)`, m.ID, c.ID, m.Position, title); err != nil {
			return err
		}
		return touch(ctx, tx, c.ID)
	})
	return m, err
}

func touch(ctx context.Context, tx *sql.Tx, courseID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE courses SET draft_changed = 1, updated_at = $1 WHERE id = $2`, db.Now(), courseID)
	return err
}

// LessonInput is what an author writes in a lesson.
type LessonInput struct {
	Kind        string   `json:"kind"`
	Title       string   `json:"title"`
	Body        string   `json:"body"`
	URL         string   `json:"url"`
	FileKey     string   `json:"file_key"`
	Items       []string `json:"items"`
	Required    bool     `json:"required"`
	Final       bool     `json:"final"`
	DurationMin int      `json:"duration_min"`
}

func (s *Service) checkLesson(ctx context.Context, in *LessonInput) error {
	in.Title = strings.TrimSpace(in.Title)
	in.URL = strings.TrimSpace(in.URL)
	if !slices.Contains(Kinds, in.Kind) {
		return errs.Field("kind", "learning.kind_invalid", in.Kind)
	}
	if in.Title == "" || len(in.Title) > 200 {
		return errs.Field("title", "learning.title_required")
	}
	if len(in.Body) > 200000 {
		return errs.Field("body", "learning.body_too_long")
	}
	if in.DurationMin < 0 || in.DurationMin > 1000 {
		return errs.Field("duration_min", "learning.duration_invalid")
	}
	switch in.Kind {
	case KindVideo:
		if in.URL == "" && in.FileKey == "" {
			return errs.Field("url", "learning.video_needs_source")
		}
	case KindFile:
		if in.FileKey == "" {
			return errs.Field("file_key", "learning.file_needs_key")
		}
	case KindXAPI:
		if !strings.HasPrefix(in.URL, "https://") && !strings.HasPrefix(in.URL, "http://") {
			return errs.Field("url", "learning.url_invalid")
		}
	case KindQuiz:
		if len(in.Items) == 0 {
			return errs.Field("items", "learning.quiz_needs_items")
		}
		for _, id := range in.Items {
			// Through the bank's own check: an author may put in a quiz
			// only items they may read.
			it, err := s.Bank.Get(ctx, id)
			if errs.Is(err, errs.Forbidden) {
				return err
			}
			if err != nil || it.Status != assessment.StatusApproved {
				return errs.Field("items", "learning.item_invalid", id)
			}
			if it.Body.Marked() {
				// A quiz scores at once; nobody marks it.
				return errs.Field("items", "learning.item_marked", id)
			}
		}
	}
	if in.URL != "" && !strings.HasPrefix(in.URL, "https://") && !strings.HasPrefix(in.URL, "http://") {
		return errs.Field("url", "learning.url_invalid")
	}
	if in.Final && in.Kind != KindQuiz {
		return errs.Field("final", "learning.final_is_quiz")
	}
	return nil
}

// AddLesson appends a lesson to a module.
func (s *Service) AddLesson(ctx context.Context, moduleID string, in LessonInput) (*Lesson, error) {
	var courseID, code string
	err := s.DB.R.QueryRowContext(ctx, `SELECT c.id, c.code FROM course_modules m JOIN courses c ON c.id = m.course_id WHERE m.id = $1`, moduleID).Scan(&courseID, &code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, err
	}
	if _, err := s.EditableCourse(ctx, code); err != nil {
		return nil, err
	}
	if err := s.checkLesson(ctx, &in); err != nil {
		return nil, err
	}
	l := &Lesson{ID: db.NewID(), ModuleID: moduleID}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(position), 0) + 1 FROM lessons WHERE module_id = $1`, moduleID).Scan(&l.Position); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lessons (id, module_id, course_id, position, kind, title, body, url, file_key, items, required, final, duration_min)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`, l.ID, moduleID, courseID, l.Position, in.Kind, in.Title, in.Body, in.URL, in.FileKey, join(in.Items), db.Flag(in.Required), db.Flag(in.Final), in.DurationMin); err != nil {
			return err
		}
		return touch(ctx, tx, courseID)
	})
	return l, err
}

// lessonCourse finds the course a lesson belongs to, checking authorship.
func (s *Service) lessonCourse(ctx context.Context, lessonID string) (*Course, error) {
	var code string
	err := s.DB.R.QueryRowContext(ctx, `SELECT c.code FROM lessons l JOIN courses c ON c.id = l.course_id WHERE l.id = $1`, lessonID).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, err
	}
	return s.EditableCourse(ctx, code)
}

// UpdateLesson rewrites a lesson of a draft.
func (s *Service) UpdateLesson(ctx context.Context, id string, in LessonInput) error {
	c, err := s.lessonCourse(ctx, id)
	if err != nil {
		return err
	}
	if err := s.checkLesson(ctx, &in); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE lessons SET kind=$1, title=$2, body=$3, url=$4, file_key=$5, items=$6, required=$7, final=$8, duration_min=$9 WHERE id=$10`,
			in.Kind, in.Title, in.Body, in.URL, in.FileKey, join(in.Items), db.Flag(in.Required), db.Flag(in.Final), in.DurationMin, id); err != nil {
			return err
		}
		return touch(ctx, tx, c.ID)
	})
}

// DraftLesson returns a lesson of a draft for editing.
func (s *Service) DraftLesson(ctx context.Context, id string) (*Course, *Lesson, error) {
	c, err := s.lessonCourse(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	o, err := s.draft(ctx, s.DB.R, c)
	if err != nil {
		return nil, nil, err
	}
	l, _ := o.Lesson(id)
	if l == nil {
		return nil, nil, errs.E(errs.NotFound, "error.not_found")
	}
	return c, l, nil
}

// Move moves a module or a lesson one place up (dir -1) or down (+1).
func (s *Service) Move(ctx context.Context, kind, id string, dir int) error {
	table, parent := "lessons", "module_id"
	if kind == "module" {
		table, parent = "course_modules", "course_id"
	}
	var courseID, parentID string
	var pos int
	q := `SELECT course_id, ` + parent + `, position FROM ` + table + ` WHERE id = $1`
	if kind == "module" {
		q = `SELECT course_id, course_id, position FROM course_modules WHERE id = $1`
	}
	if err := s.DB.R.QueryRowContext(ctx, q, id).Scan(&courseID, &parentID, &pos); err != nil {
		return errs.E(errs.NotFound, "error.not_found")
	}
	var code string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT code FROM courses WHERE id = $1`, courseID).Scan(&code); err != nil {
		return err
	}
	if _, err := s.EditableCourse(ctx, code); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		cmp, order := "<", "DESC"
		if dir > 0 {
			cmp, order = ">", "ASC"
		}
		var otherID string
		var otherPos int
		err := tx.QueryRowContext(ctx, `SELECT id, position FROM `+table+` WHERE `+parent+` = $1 AND position `+cmp+` $2 ORDER BY position `+order+` LIMIT 1`, parentID, pos).Scan(&otherID, &otherPos)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // already first or last
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET position = $1 WHERE id = $2`, otherPos, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET position = $1 WHERE id = $2`, pos, otherID); err != nil {
			return err
		}
		return touch(ctx, tx, courseID)
	})
}

// Publish makes the draft the course's next published version. People
// already enrolled keep the version they started, with their progress.
func (s *Service) Publish(ctx context.Context, code string) (*Course, error) {
	c, err := s.EditableCourse(ctx, code)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		o, err := s.draft(ctx, tx, c)
		if err != nil {
			return err
		}
		if len(o.Lessons()) == 0 {
			return errs.E(errs.Invalid, "learning.publish_empty")
		}
		finals := 0
		for _, l := range o.Lessons() {
			if l.Final {
				finals++
			}
		}
		if finals > 1 {
			return errs.E(errs.Invalid, "learning.publish_two_finals")
		}
		o.Course.Version = c.Version + 1
		o.Course.Status = "published"
		b, err := json.Marshal(o)
		if err != nil {
			return err
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO course_versions (course_id, version, outline, published_by, published_at) VALUES ($1,$2,$3,$4,$5)`, c.ID, o.Course.Version, string(b), p.AccountID, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE courses SET status = 'published', version = $1, draft_changed = 0, updated_at = $2 WHERE id = $3`, o.Course.Version, now, c.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.audit(ctx, "course.publish", c.ID, c.UnitPath, fmt.Sprintf("%s v%d", c.Code, c.Version+1))
	return s.CourseByCode(ctx, code)
}

// Published returns a published outline (version 0: the latest).
func (s *Service) Published(ctx context.Context, courseID string, version int) (*Outline, error) {
	if version == 0 {
		if err := s.DB.R.QueryRowContext(ctx, `SELECT version FROM courses WHERE id = $1`, courseID).Scan(&version); err != nil {
			return nil, errs.E(errs.NotFound, "error.not_found")
		}
		if version == 0 {
			return nil, errs.E(errs.NotFound, "error.not_found")
		}
	}
	key := courseID + "@" + strconv.Itoa(version)
	s.mu.Lock()
	o, ok := s.outlines[key]
	s.mu.Unlock()
	if ok {
		return o, nil
	}
	var b string
	err := s.DB.R.QueryRowContext(ctx, `SELECT outline FROM course_versions WHERE course_id = $1 AND version = $2`, courseID, version).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, err
	}
	o = &Outline{}
	if err := json.Unmarshal([]byte(b), o); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.outlines == nil || len(s.outlines) > 1000 {
		s.outlines = map[string]*Outline{}
	}
	s.outlines[key] = o
	s.mu.Unlock()
	return o, nil
}

func (s *Service) audit(ctx context.Context, action, id, path, detail string) {
	if s.Audit == nil {
		return
	}
	if err := s.Audit.Record(ctx, auditEntry(auth.FromContext(ctx), action, id, path, detail)); err != nil {
		s.Log.Error("audit", "err", err)
	}
}
