package learning

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	mrand "math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"time"

	"dxhub/internal/assessment"
	"dxhub/internal/lrs"
	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/events"
	"dxhub/internal/platform/search"
)

// Filter narrows the catalogue.
type Filter struct {
	Q          string
	Audience   string
	Area       string
	Level      string
	MaxMinutes int
	Sort       string // relevance (default) or popular
}

// Catalogue lists published courses. A search (internal/platform/search)
// matches the words of titles and codes, summaries and outcomes in any
// order, with or without marks, synonyms and typos; by relevance the
// closest spelling and title matches come first, then the most enrolled.
func (s *Service) Catalogue(ctx context.Context, f Filter) ([]*Course, error) {
	where := []string{"c.version > 0"}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	order := "c.enrolled DESC, c.title"
	var hits []search.Hit
	if q := strings.TrimSpace(f.Q); q != "" {
		var err error
		if hits, err = s.Search.Store("courses").Search(ctx, search.Query{Text: q, Limit: 200}); err != nil {
			return nil, err
		}
		if len(hits) == 0 {
			return nil, nil
		}
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = arg(h.ID)
		}
		where = append(where, "c.id IN ("+strings.Join(ids, ",")+")")
	}
	if f.Audience != "" {
		where = append(where, "(',' || c.audiences || ',') LIKE "+arg("%,"+f.Audience+",%"))
	}
	if f.Area != "" {
		where = append(where, "(',' || c.areas || ',') LIKE "+arg("%,"+f.Area+",%"))
	}
	if f.Level != "" {
		where = append(where, "c.level = "+arg(f.Level))
	}
	if f.MaxMinutes > 0 {
		where = append(where, "c.duration_min <= "+arg(f.MaxMinutes))
	}
	found, err := s.courses(ctx, `SELECT `+courseCols+` FROM courses c WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT 200`, args...)
	if err != nil || hits == nil || f.Sort == "popular" {
		return found, err
	}
	// By relevance: search's order, with today's enrolments as popularity.
	byID := make(map[string]*Course, len(found))
	for _, c := range found {
		byID[c.ID] = c
	}
	kept := hits[:0]
	for _, h := range hits {
		if c := byID[h.ID]; c != nil {
			h.Boost = int64(c.Enrolled)
			kept = append(kept, h)
		}
	}
	search.Sort(kept)
	out := make([]*Course, len(kept))
	for i, h := range kept {
		out[i] = byID[h.ID]
	}
	return out, nil
}

// courseDoc is what a course is found by: its title and code (rank 0),
// summary (1) and outcomes (2).
func courseDoc(id string, in CourseInput) search.Doc {
	return search.Doc{ID: id, Fields: []search.Field{{Text: in.Title, Rank: 0}, {Text: in.Code, Rank: 0, Plain: true}, {Text: in.Summary, Rank: 1}, {Text: in.Outcomes, Rank: 2}}}
}

func (s *Service) indexCourse(ctx context.Context, tx *sql.Tx, id string, in CourseInput) error {
	return s.Search.Store("courses").Put(ctx, tx, courseDoc(id, in))
}

// ReindexCourses fills the course index when it is empty and courses
// exist (a database from before search).
func (s *Service) ReindexCourses(ctx context.Context) error {
	_, err := s.Search.Store("courses").Fill(ctx, func(after string) ([]search.Doc, error) {
		courses, err := s.courses(ctx, `SELECT `+courseCols+` FROM courses c WHERE c.id > $1 ORDER BY c.id LIMIT $2`, after, search.FillBatch)
		docs := make([]search.Doc, len(courses))
		for i, c := range courses {
			docs[i] = courseDoc(c.ID, CourseInput{Title: c.Title, Code: c.Code, Summary: c.Summary, Outcomes: c.Outcomes})
		}
		return docs, err
	})
	return err
}

// Enrolment is a learner's place in a course.
type Enrolment struct {
	ID           string          `json:"id"`
	CourseID     string          `json:"course_id"`
	CourseCode   string          `json:"course_code"`
	CourseTitle  string          `json:"course_title"`
	AccountID    string          `json:"-"`
	UnitPath     string          `json:"-"`
	Version      int             `json:"version"`
	Registration string          `json:"registration"`
	Status       string          `json:"status"`
	Progress     int             `json:"progress"`
	LastLesson   string          `json:"last_lesson,omitempty"`
	FinalPercent float64         `json:"final_percent"`
	EnrolledAt   int64           `json:"enrolled_at"`
	CompletedAt  int64           `json:"completed_at,omitempty"`
	Done         map[string]bool `json:"done"`
}

const enrolCols = `e.id, e.course_id, c.code, c.title, e.account_id, e.unit_path, e.version, e.registration, e.status, e.progress, e.last_lesson, e.final_percent, e.enrolled_at, e.completed_at`

func scanEnrolment(r interface{ Scan(...any) error }) (*Enrolment, error) {
	var e Enrolment
	err := r.Scan(&e.ID, &e.CourseID, &e.CourseCode, &e.CourseTitle, &e.AccountID, &e.UnitPath, &e.Version, &e.Registration, &e.Status, &e.Progress, &e.LastLesson, &e.FinalPercent, &e.EnrolledAt, &e.CompletedAt)
	return &e, err
}

// learnerPath is where a learner's records sit in the tree: their person
// record's unit (placed), or the nation for citizens without one.
func (s *Service) learnerPath(ctx context.Context, p *auth.Principal) (path string, groups []string, placed bool) {
	if p.PersonID != "" {
		if path, groups, err := s.Org.PersonPlacement(ctx, p.PersonID); err == nil {
			return path, groups, true
		}
	}
	n, err := s.Org.Nation(ctx)
	if err != nil {
		return "/", nil, false
	}
	return n.Path, nil, false
}

// Enrol signs the caller up for a published course (idempotent). A course
// not open for self-enrolment needs an assignment that covers the caller.
func (s *Service) Enrol(ctx context.Context, code string) (*Enrolment, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.CourseByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if c.Version == 0 {
		return nil, errs.E(errs.Invalid, "learning.not_published")
	}
	if e, err := s.MyEnrolment(ctx, c.ID); err == nil {
		return e, nil
	}
	path, groups, placed := s.learnerPath(ctx, p)
	personUnit := "" // where monitoring counts the learner: nowhere without a person record
	if placed {
		personUnit = org.LeafID(path)
	}
	if !c.OpenEnrol {
		as, err := s.assignedTo(ctx, path, groups)
		if err != nil {
			return nil, err
		}
		ok := false
		for _, a := range as {
			if slices.Contains(a.CourseIDs, c.ID) {
				ok = true
			}
		}
		if !ok {
			return nil, errs.E(errs.Forbidden, "learning.not_open")
		}
	}
	now := db.Now()
	id := db.NewID()
	reg := lrs.NewUUID()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO enrolments (id, course_id, account_id, unit_path, version, registration, enrolled_at, updated_at, person_unit, person_groups)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$7,$8,$9) ON CONFLICT (account_id, course_id) DO NOTHING`, id, c.ID, p.AccountID, path, c.Version, reg, now, personUnit, strings.Join(groups, ","))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			_, err = tx.ExecContext(ctx, `UPDATE courses SET enrolled = enrolled + 1 WHERE id = $1`, c.ID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	e, err := s.MyEnrolment(ctx, c.ID)
	if err == nil {
		s.record(ctx, p, e, "registered", s.courseActivity(c), nil)
	}
	return e, err
}

// MyEnrolment returns the caller's enrolment in a course, with the lessons
// done.
func (s *Service) MyEnrolment(ctx context.Context, courseID string) (*Enrolment, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	e, err := scanEnrolment(s.DB.R.QueryRowContext(ctx, `SELECT `+enrolCols+` FROM enrolments e JOIN courses c ON c.id = e.course_id WHERE e.account_id = $1 AND e.course_id = $2`, p.AccountID, courseID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "learning.not_enrolled")
	}
	if err != nil {
		return nil, err
	}
	return e, s.loadDone(ctx, e)
}

func (s *Service) loadDone(ctx context.Context, e *Enrolment) error {
	ids, err := db.Strings(ctx, s.DB.R, `SELECT lesson_id FROM lesson_progress WHERE enrolment_id = $1`, e.ID)
	e.Done = map[string]bool{}
	for _, id := range ids {
		e.Done[id] = true
	}
	return err
}

// MyEnrolments lists the caller's courses, most recent first.
func (s *Service) MyEnrolments(ctx context.Context) ([]*Enrolment, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	return db.Query(ctx, s.DB.R, scanEnrolment, `SELECT `+enrolCols+` FROM enrolments e JOIN courses c ON c.id = e.course_id WHERE e.account_id = $1 ORDER BY e.updated_at DESC`, p.AccountID)
}

// ownEnrolment loads an enrolment by id for its learner only.
func (s *Service) ownEnrolment(ctx context.Context, id string) (*Enrolment, *auth.Principal, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, nil, err
	}
	e, err := scanEnrolment(s.DB.R.QueryRowContext(ctx, `SELECT `+enrolCols+` FROM enrolments e JOIN courses c ON c.id = e.course_id WHERE e.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && e.AccountID != p.AccountID) {
		return nil, nil, errs.E(errs.NotFound, "learning.not_enrolled")
	}
	if err != nil {
		return nil, nil, err
	}
	return e, p, s.loadDone(ctx, e)
}

// Open notes that the learner opened a lesson (resume point, "launched"
// statement) and returns the outline they follow.
func (s *Service) Open(ctx context.Context, e *Enrolment, lessonID string) (*Outline, *Lesson, error) {
	o, err := s.Published(ctx, e.CourseID, e.Version)
	if err != nil {
		return nil, nil, err
	}
	l, _ := o.Lesson(lessonID)
	if l == nil {
		return nil, nil, errs.E(errs.NotFound, "learning.lesson_not_found")
	}
	if _, err := s.DB.W.ExecContext(ctx, `UPDATE enrolments SET last_lesson = $1, updated_at = $2 WHERE id = $3`, lessonID, db.Now(), e.ID); err != nil {
		return nil, nil, err
	}
	e.LastLesson = lessonID
	s.record(ctx, auth.FromContext(ctx), e, "launched", s.lessonActivity(o, l), nil)
	return o, l, nil
}

// CompleteLesson marks a lesson done (not quizzes: they complete by being
// answered) and re-evaluates the course.
func (s *Service) CompleteLesson(ctx context.Context, enrolmentID, lessonID string) (*Enrolment, error) {
	e, p, err := s.ownEnrolment(ctx, enrolmentID)
	if err != nil {
		return nil, err
	}
	o, err := s.Published(ctx, e.CourseID, e.Version)
	if err != nil {
		return nil, err
	}
	l, _ := o.Lesson(lessonID)
	if l == nil {
		return nil, errs.E(errs.NotFound, "learning.lesson_not_found")
	}
	if l.Kind == KindQuiz {
		return nil, errs.E(errs.Invalid, "learning.quiz_by_answers")
	}
	if err := s.markDone(ctx, e, lessonID, -1); err != nil {
		return nil, err
	}
	s.record(ctx, p, e, "completed", s.lessonActivity(o, l), obj{"completion": true})
	return s.evaluate(ctx, p, e, o)
}

func (s *Service) markDone(ctx context.Context, e *Enrolment, lessonID string, percent float64) error {
	_, err := s.DB.W.ExecContext(ctx, `INSERT INTO lesson_progress (enrolment_id, lesson_id, done_at, percent) VALUES ($1,$2,$3,$4)
		ON CONFLICT (enrolment_id, lesson_id) DO UPDATE SET percent = CASE WHEN excluded.percent > lesson_progress.percent THEN excluded.percent ELSE lesson_progress.percent END`,
		e.ID, lessonID, db.Now(), percent)
	e.Done[lessonID] = true
	return err
}

// QuizResult is the feedback on a practice or final quiz.
type QuizResult struct {
	Percent float64        `json:"percent"`
	Passed  bool           `json:"passed"`
	Final   bool           `json:"final"`
	Items   []ItemFeedback `json:"items"`
}

// ItemFeedback says whether one answer was right, with the author's note.
type ItemFeedback struct {
	ItemID   string  `json:"item_id"`
	Score    float64 `json:"score"`
	Max      float64 `json:"max"`
	Correct  bool    `json:"correct"`
	Feedback string  `json:"feedback,omitempty"`
}

// QuizItems returns the items of a quiz lesson as learners see them.
// enrolment is the learner's ("" for a preview): an item with a template
// shows the learner's own draw, the one their answers are scored on.
func (s *Service) QuizItems(ctx context.Context, l *Lesson, enrolment string) ([]QuizItem, error) {
	var out []QuizItem
	for _, id := range l.Items {
		it, err := s.Bank.Version(ctx, id, 0)
		if err != nil {
			return nil, err
		}
		seed := fnv.New64a()
		seed.Write([]byte(id))
		body := it.Body.Instance(quizDraw(enrolment, id))
		out = append(out, QuizItem{ID: id, View: assessment.CandidateView(&body, mrand.New(mrand.NewPCG(seed.Sum64(), 1))), Body: body})
	}
	return out, nil
}

// quizDraw is the seed of the draw a learner's quiz shows of an item with
// a template: the same each time they open or submit it.
func quizDraw(enrolment, item string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(enrolment + "/" + item))
	return h.Sum64()
}

// QuizItem is one item of a quiz lesson.
type QuizItem struct {
	ID   string
	View assessment.View
	Body assessment.Body
}

// SubmitQuiz scores a quiz lesson's answers at once, item by item, and
// re-evaluates the course. A final quiz's best mark counts.
func (s *Service) SubmitQuiz(ctx context.Context, enrolmentID, lessonID string, answers map[string][]string) (*QuizResult, *Enrolment, error) {
	e, p, err := s.ownEnrolment(ctx, enrolmentID)
	if err != nil {
		return nil, nil, err
	}
	o, err := s.Published(ctx, e.CourseID, e.Version)
	if err != nil {
		return nil, nil, err
	}
	l, _ := o.Lesson(lessonID)
	if l == nil || l.Kind != KindQuiz {
		return nil, nil, errs.E(errs.NotFound, "learning.lesson_not_found")
	}
	for id := range answers {
		if !slices.Contains(l.Items, id) {
			return nil, nil, errs.Field("answers", "learning.answer_unknown_item", id)
		}
	}
	res := &QuizResult{Final: l.Final}
	var got, max float64
	for _, id := range l.Items {
		it, err := s.Bank.Version(ctx, id, 0)
		if err != nil {
			return nil, nil, err
		}
		resp := answers[id]
		if it.Body.Marked() {
			continue // became an essay since the quiz was made: not scored
		}
		it.Body = it.Body.Instance(quizDraw(enrolmentID, id))
		if err := it.Body.CheckResponse(resp); err != nil {
			e, _ := errs.As(err)
			return nil, nil, errs.Field("answers", "learning."+strings.TrimPrefix(e.Key, "items."), len(res.Items)+1, e.Args[0])
		}
		sc := it.Body.Score(resp)
		f := ItemFeedback{ItemID: id, Score: sc, Max: it.Body.MaxScore, Correct: sc >= it.Body.MaxScore, Feedback: it.Body.Feedback}
		res.Items = append(res.Items, f)
		got += sc
		max += it.Body.MaxScore
		s.record(ctx, p, e, "answered", obj{"objectType": "Activity", "id": s.lessonID(o, l) + "/items/" + id,
			"definition": obj{"type": "http://adlnet.gov/expapi/activities/cmi.interaction", "interactionType": "other"}},
			obj{"response": strings.Join(resp, "[,]"), "success": f.Correct, "score": obj{"raw": sc, "min": 0, "max": it.Body.MaxScore}})
	}
	if max > 0 {
		res.Percent = 100 * got / max
	}
	res.Passed = res.Percent >= o.Course.PassPercent
	if err := s.markDone(ctx, e, lessonID, res.Percent); err != nil {
		return nil, nil, err
	}
	verb := "failed"
	if res.Passed {
		verb = "passed"
	}
	s.record(ctx, p, e, verb, s.lessonActivity(o, l), obj{"success": res.Passed, "score": obj{"scaled": res.Percent / 100}})
	if l.Final {
		if _, err := s.DB.W.ExecContext(ctx, `UPDATE enrolments SET final_percent = $1 WHERE id = $2 AND final_percent < $1`, res.Percent, e.ID); err != nil {
			return nil, nil, err
		}
		e.FinalPercent = max2(e.FinalPercent, res.Percent)
	}
	e2, err := s.evaluate(ctx, p, e, o)
	return res, e2, err
}

func max2(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

// evaluate updates progress and, when the rule is met, completes the
// course: every required lesson done, the final quiz (if any) passed with
// the course's mark, and the final exam session (if any) passed.
func (s *Service) evaluate(ctx context.Context, p *auth.Principal, e *Enrolment, o *Outline) (*Enrolment, error) {
	lessons := o.Lessons()
	required, done := 0, 0
	complete := true
	for _, l := range lessons {
		if !l.Required && !l.Final {
			continue
		}
		required++
		if e.Done[l.ID] {
			done++
		} else {
			complete = false
		}
		if l.Final && e.FinalPercent < o.Course.PassPercent {
			complete = false
		}
	}
	if o.Course.FinalSession != "" && complete {
		passed, err := s.Exams.Passed(ctx, o.Course.FinalSession, e.AccountID)
		if err != nil {
			return nil, err
		}
		complete = passed
	}
	progress := 100
	if required > 0 {
		progress = 100 * done / required
	}
	if complete {
		progress = 100
	} else if progress == 100 {
		progress = 99
	}
	now := db.Now()
	if complete && e.Status != "completed" {
		var n int64
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE enrolments SET status = 'completed', progress = 100, completed_at = $1, updated_at = $1 WHERE id = $2 AND status <> 'completed'`, now, e.ID)
			if err != nil {
				return err
			}
			if n, _ = res.RowsAffected(); n == 0 {
				return nil
			}
			return events.Record(ctx, tx, TopicCourseCompleted, CourseCompleted{EnrolmentID: e.ID, CourseID: e.CourseID, CourseCode: o.Course.Code, CourseTitle: o.Course.Title,
				AccountID: e.AccountID, FinalPercent: e.FinalPercent, At: now})
		})
		if err != nil {
			return nil, err
		}
		if n == 1 {
			s.Events.Notify()
			e.Status, e.CompletedAt, e.Progress = "completed", now, 100
			r := obj{"completion": true}
			if e.FinalPercent >= 0 {
				r["score"] = obj{"scaled": e.FinalPercent / 100}
				r["success"] = true
			}
			s.record(ctx, p, e, "completed", s.courseActivity(&o.Course), r)
		}
		return e, nil
	}
	if _, err := s.DB.W.ExecContext(ctx, `UPDATE enrolments SET progress = $1, updated_at = $2 WHERE id = $3`, progress, now, e.ID); err != nil {
		return nil, err
	}
	if progress != e.Progress {
		e.Progress = progress
		s.record(ctx, p, e, "progressed", s.courseActivity(&o.Course), obj{"extensions": obj{"https://w3id.org/xapi/cmi5/result/extensions/progress": progress}})
	}
	return e, nil
}

// launchLifetime is how long launch credentials work: a sitting of one
// lesson, not a day.
const launchLifetime = 4 * time.Hour

// Launch issues short-lived LRS credentials for an external xAPI lesson
// and returns the URL to open, with the launch parameters appended.
func (s *Service) Launch(ctx context.Context, e *Enrolment, lessonID string) (string, error) {
	p := auth.FromContext(ctx)
	o, l, err := s.Open(ctx, e, lessonID)
	if err != nil {
		return "", err
	}
	if l.Kind != KindXAPI {
		return "", errs.E(errs.Invalid, "learning.not_xapi")
	}
	unitID, unitPath, err := s.unitOfPath(ctx, e.UnitPath)
	if err != nil {
		return "", err
	}
	// The credentials travel to the author's site in the URL, so they are
	// bound to this learner, this activity and this registration, and end
	// after a working session.
	bind := lrs.Launch{Actor: s.AgentFor(p.AccountID), Activity: s.lessonID(o, l), Registration: e.Registration}
	if u, err := url.Parse(l.URL); err == nil && u.Host != "" {
		bind.Origin = u.Scheme + "://" + u.Host
	}
	c, secret, err := s.LRS.CreateLaunchClient(ctx, unitID, unitPath, "launch "+o.Course.Code+" "+p.Username, p.AccountID, bind, time.Now().Add(launchLifetime))
	if err != nil {
		return "", err
	}
	actor, _ := json.Marshal(s.agent(p))
	q := url.Values{}
	q.Set("endpoint", strings.TrimRight(s.home(), "/")+"/xapi/")
	q.Set("auth", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.Key+":"+secret)))
	q.Set("actor", string(actor))
	q.Set("registration", e.Registration)
	q.Set("activity_id", s.lessonID(o, l))
	sep := "?"
	if strings.Contains(l.URL, "?") {
		sep = "&"
	}
	return l.URL + sep + q.Encode(), nil
}

func (s *Service) unitOfPath(ctx context.Context, path string) (string, string, error) {
	u, err := s.Org.UnitByPath(ctx, path)
	if err != nil {
		return "", path, err
	}
	return u.ID, path, nil
}

// SyncExternal marks an external xAPI lesson done when the activity has
// reported completion (or a pass) to the LRS under the enrolment's
// registration.
func (s *Service) SyncExternal(ctx context.Context, e *Enrolment, o *Outline, l *Lesson) (bool, error) {
	if e.Done[l.ID] {
		return true, nil
	}
	for _, verb := range []string{"completed", "passed"} {
		page, err := s.LRS.Find(ctx, lrs.Query{Registration: e.Registration, Activity: s.lessonID(o, l), Verb: verbID(verb), Limit: 1})
		if err != nil {
			return false, err
		}
		if len(page.Statements) > 0 {
			if err := s.markDone(ctx, e, l.ID, -1); err != nil {
				return false, err
			}
			_, err := s.evaluate(ctx, auth.FromContext(ctx), e, o)
			return true, err
		}
	}
	return false, nil
}

// --- xAPI statements -------------------------------------------------

type obj = map[string]any

func (s *Service) home() string { return s.LRS.Home() }

func verbID(v string) string { return "http://adlnet.gov/expapi/verbs/" + v }

func (s *Service) agent(p *auth.Principal) obj {
	return obj{"objectType": "Agent", "name": p.DisplayName, "account": obj{"homePage": s.home(), "name": p.AccountID}}
}

// MyRecords returns the caller's learning records (xAPI statements about
// them, newest first, at most limit), for their own data download.
func (s *Service) MyRecords(ctx context.Context, limit int) ([]json.RawMessage, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	page, err := s.LRS.Find(ctx, lrs.Query{Agent: s.AgentFor(p.AccountID), Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, len(page.Statements))
	for i, st := range page.Statements {
		out[i] = json.RawMessage(st)
	}
	return out, nil
}

// ForgetLearner takes a deleted account's name out of the learning
// records about it (see lrs.Store.ForgetName): those dxhub wrote, and
// those other systems sent naming the person by their e-mail address (or
// its SHA-1).
// It answers how many changed.
func (s *Service) ForgetLearner(ctx context.Context, accountID, email string) (int, error) {
	keys := []string{s.AgentFor(accountID)}
	if email != "" {
		// xAPI names a person by the address or by its SHA-1 (mbox_sha1sum).
		sum := sha1.Sum([]byte("mailto:" + email))
		keys = append(keys, lrs.AgentKey(obj{"mbox": "mailto:" + email}), lrs.AgentKey(obj{"mbox_sha1sum": hex.EncodeToString(sum[:])}))
	}
	total := 0
	for _, k := range keys {
		n, err := s.LRS.ForgetName(ctx, k)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// AgentFor is the xAPI agent dxhub records an account as.
func (s *Service) AgentFor(accountID string) string {
	return lrs.AgentKey(obj{"account": obj{"homePage": s.home(), "name": accountID}})
}

func (s *Service) courseActivity(c *Course) obj {
	return obj{"objectType": "Activity", "id": s.home() + "/courses/" + c.Code,
		"definition": obj{"type": "http://adlnet.gov/expapi/activities/course", "name": obj{c.Language: c.Title}}}
}

func (s *Service) lessonID(o *Outline, l *Lesson) string {
	return s.home() + "/courses/" + o.Course.Code + "/lessons/" + l.ID
}

func (s *Service) lessonActivity(o *Outline, l *Lesson) obj {
	typ := "http://adlnet.gov/expapi/activities/lesson"
	if l.Kind == KindQuiz {
		typ = "http://adlnet.gov/expapi/activities/assessment"
	}
	return obj{"objectType": "Activity", "id": s.lessonID(o, l), "definition": obj{"type": typ, "name": obj{o.Course.Language: l.Title}}}
}

// record writes one learning event to the LRS; a failure is logged, not
// returned, since the learner's progress is already stored.
func (s *Service) record(ctx context.Context, p *auth.Principal, e *Enrolment, verb string, object obj, result obj) {
	if s.LRS == nil || p == nil {
		return
	}
	st := obj{
		"actor":     s.agent(p),
		"verb":      obj{"id": verbID(verb), "display": obj{"en-US": verb}},
		"object":    object,
		"timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"context": obj{"registration": e.Registration, "platform": "dxhub",
			"contextActivities": obj{"category": []any{obj{"id": "https://dxhub.gov.vn/xapi/vn-dsf"}}}},
	}
	if object["id"] != s.home()+"/courses/"+e.CourseCode {
		st["context"].(obj)["contextActivities"].(obj)["parent"] = []any{obj{"id": s.home() + "/courses/" + e.CourseCode}}
	}
	if result != nil {
		st["result"] = result
	}
	// Round-trip through JSON so numbers are json.Number, as the LRS's
	// validator expects of statements from outside.
	b, _ := json.Marshal(st)
	var clean obj
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&clean); err != nil {
		return
	}
	if _, err := s.LRS.Save(ctx, s.LRS.System(e.UnitPath), []obj{clean}); err != nil {
		s.Log.Error("xapi record", "verb", verb, "err", err)
	}
}
