package assessment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"

	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/files"
	"dxhub/internal/platform/textfold"
)

// MarkTask is one essay answer for an examiner to mark. Candidates are
// numbered in the session, not named: marks are given to the answer.
type MarkTask struct {
	AttemptID string        `json:"attempt_id"`
	Candidate int           `json:"candidate"` // the attempt's number in the session
	Index     int           `json:"index"`     // the item's place in the attempt
	Stem      template.HTML `json:"-"`
	StemText  string        `json:"stem"`
	Rubric    string        `json:"rubric,omitempty"`
	Answer    string        `json:"answer"`
	File      string        `json:"file,omitempty"`      // an upload: the file's key (/files/KEY)
	FileName  string        `json:"file_name,omitempty"` // and the name it was sent with
	MaxScore  float64       `json:"max_score"`
	Marked    bool          `json:"marked"`
	Points    float64       `json:"points"`
	Comment   string        `json:"comment,omitempty"`
	Marker    string        `json:"marker,omitempty"`
}

// Marking is a session's essays: to mark, and marked while their
// attempt still waits for others.
type Marking struct {
	Session  *Session   `json:"session"`
	Tasks    []MarkTask `json:"tasks"`
	Awaiting int        `json:"attempts_awaiting"` // attempts whose result waits for marks
}

// maxMarkTasks bounds one marking list; an examiner marks the first,
// and the list shows the next.
const maxMarkTasks = 200

// markSession loads a session whose essays the caller may mark: an
// examiner of its unit.
func (x *Exams) markSession(ctx context.Context, id string) (*Session, *auth.Principal, error) {
	return x.sessionFor(ctx, id, auth.ManageExams)
}

// Marking lists the essay answers of a session's closed attempts that
// wait for their result: unmarked first, oldest attempt first.
func (x *Exams) Marking(ctx context.Context, sessionID string) (*Marking, error) {
	s, _, err := x.markSession(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	out := &Marking{Session: s}
	type waiting struct {
		a   *Attempt
		num int
	}
	var as []waiting
	err = db.Each(ctx, x.Bank.DB.R, func(r db.Scanner) error {
		var num int
		a, err := scanAttemptWith(r, &num)
		if err == nil {
			as = append(as, waiting{a, num})
		}
		return err
	}, `SELECT `+attemptCols+`, (SELECT COUNT(*) FROM attempts o WHERE o.session_id = attempts.session_id AND (o.started_at < attempts.started_at OR o.started_at = attempts.started_at AND o.id <= attempts.id))
		FROM attempts WHERE session_id = $1 AND awaiting_marks > 0 AND status IN ('submitted', 'expired') ORDER BY finished_at, id LIMIT 500`, sessionID)
	if err != nil {
		return nil, err
	}
	out.Awaiting = len(as)
	var marked []MarkTask
	for _, w := range as {
		resps, err := responses(ctx, x.Bank.DB.R, w.a.ID)
		if err != nil {
			return nil, err
		}
		given, err := attemptMarks(ctx, x.Bank.DB.R, w.a.ID)
		if err != nil {
			return nil, err
		}
		for i, fe := range w.a.Form {
			m, err := x.engine.metaIn(ctx, fe)
			if err != nil {
				return nil, err
			}
			if !m.body.Marked() || len(resps[i]) == 0 {
				continue
			}
			g, done := given[i]
			t := MarkTask{Marked: done, Points: g.points, Comment: g.comment, Marker: g.marker}
			t.AttemptID, t.Candidate, t.Index, t.Stem, t.StemText = w.a.ID, w.num, i, m.stem, m.body.Stem
			t.Rubric, t.Answer, t.MaxScore = m.body.Rubric, strings.Join(resps[i], ""), m.body.MaxScore
			if m.body.Type == Upload {
				t.File, t.FileName, t.Answer = strings.TrimPrefix(t.Answer, UploadPrefix), x.uploadName(ctx, t.Answer), ""
			}
			if t.Marked {
				marked = append(marked, t)
			} else {
				out.Tasks = append(out.Tasks, t)
			}
		}
		if len(out.Tasks) >= maxMarkTasks {
			break
		}
	}
	out.Tasks = append(out.Tasks, marked...)
	if len(out.Tasks) > maxMarkTasks {
		out.Tasks = out.Tasks[:maxMarkTasks]
	}
	return out, nil
}

// Mark records an examiner's points for an essay answer (0 to the item's
// maximum) with a comment. A mark may be changed until the attempt's
// last essay is marked; then the attempt is scored, its result is final
// and other rooms (certificates, monitoring) are told.
func (x *Exams) Mark(ctx context.Context, attemptID string, idx int, points float64, comment string) (*Attempt, error) {
	a, err := x.attemptWhere(ctx, x.Bank.DB.R, `id = $1`, attemptID)
	if err != nil {
		return nil, err
	}
	s, p, err := x.markSession(ctx, a.SessionID)
	if err != nil {
		return nil, err
	}
	_, b, err := x.engine.session(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	if idx < 0 || idx >= len(a.Form) {
		return nil, errs.Field("index", "exams.bad_item")
	}
	m, err := x.engine.metaIn(ctx, a.Form[idx])
	if err != nil {
		return nil, err
	}
	if !m.body.Marked() {
		return nil, errs.Field("index", "exams.not_essay")
	}
	if math.IsNaN(points) || points < 0 || points > m.body.MaxScore {
		return nil, errs.Field("points", "exams.bad_points", strconv.FormatFloat(m.body.MaxScore, 'f', -1, 64))
	}
	comment = textfold.NFC(strings.TrimSpace(comment))
	if len(comment) > 2000 {
		return nil, errs.Field("comment", "org.too_long", 2000)
	}
	errFinal := errors.New("final")
	err = x.engine.write(ctx, a.ID, func(ctx context.Context, tx *sql.Tx) error {
		// The attempt as it stands in this write: closed, still waiting.
		var status string
		var awaiting int
		if err := tx.QueryRowContext(ctx, `SELECT status, awaiting_marks FROM attempts WHERE id = $1`, a.ID).Scan(&status, &awaiting); err != nil {
			return err
		}
		if (status != Submitted && status != Expired) || awaiting == 0 {
			return errFinal
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO exam_marks (attempt_id, idx, points, comment, marker_id, marker_name, marked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (attempt_id, idx) DO UPDATE SET points = excluded.points, comment = excluded.comment, marker_id = excluded.marker_id, marker_name = excluded.marker_name, marked_at = excluded.marked_at`,
			a.ID, idx, points, comment, p.AccountID, p.Username, db.Now()); err != nil {
			return err
		}
		return x.settle(ctx, tx, a, b, status, a.FinishedAt)
	})
	if errors.Is(err, errFinal) {
		return nil, errs.E(errs.Conflict, "exams.marks_final")
	}
	if err != nil {
		return nil, fmt.Errorf("mark: %w", err)
	}
	x.Events.Notify()
	if err := x.event(ctx, a.SessionID, a.ID, "mark", fmt.Sprintf("%d: %s/%s", idx+1, strconv.FormatFloat(points, 'f', -1, 64), strconv.FormatFloat(m.body.MaxScore, 'f', -1, 64))); err != nil {
		return nil, err
	}
	return x.attemptWhere(ctx, x.Bank.DB.R, `id = $1`, a.ID)
}

// mark is an examiner's mark of one answer.
type mark struct {
	points          float64
	comment, marker string
}

// attemptMarks are an attempt's marks, by the item's place.
func attemptMarks(ctx context.Context, q db.Querier, attemptID string) (map[int]mark, error) {
	out := map[int]mark{}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var idx int
		var m mark
		if err := r.Scan(&idx, &m.points, &m.comment, &m.marker); err != nil {
			return err
		}
		out[idx] = m
		return nil
	}, `SELECT idx, points, comment, marker_name FROM exam_marks WHERE attempt_id = $1`, attemptID)
	return out, err
}

// maxUpload bounds a file handed in as an answer.
const maxUpload = 20 << 20

// UploadAnswer stores a file the candidate hands in for an upload item
// and saves it as the item's answer (a later file replaces it). The file
// is an image, PDF or Office document, checked by its bytes; it belongs to
// the attempt, so that only its candidate and the session's examiners
// read it.
func (x *Exams) UploadAnswer(ctx context.Context, attemptID string, idx int, name string, r io.Reader) (string, error) {
	a, p, err := x.ownAttempt(ctx, attemptID)
	if err != nil {
		return "", err
	}
	if idx < 0 || idx >= len(a.Form) {
		return "", errs.Field("item", "exams.bad_item")
	}
	m, err := x.engine.metaIn(ctx, a.Form[idx])
	if err != nil {
		return "", err
	}
	if m.body.Type != Upload {
		return "", errs.Field("item", "items.upload_only")
	}
	if x.Bank.Files == nil {
		return "", errors.New("upload: no file store")
	}
	lr := &io.LimitedReader{R: r, N: maxUpload + 1}
	key, _, err := files.Save(ctx, x.Bank.DB, x.Bank.Files, files.Evidence, "attempt:"+a.ID, name, lr, p.AccountID)
	if err == nil && lr.N <= 0 {
		err = errs.Field("file", "exams.upload_too_large", maxUpload>>20)
	}
	if err == nil {
		_, err = x.SaveAnswer(ctx, a.ID, idx, []string{UploadPrefix + key})
	}
	if err != nil && key != "" {
		// Not kept: too large, or the attempt no longer takes answers.
		x.Bank.Files.Delete(ctx, key)
		x.Bank.DB.W.ExecContext(ctx, `DELETE FROM files WHERE id = $1`, key)
	}
	return key, err
}

// FileAccess decides who reads a file handed in as an answer: its
// candidate, and the examiners of its session's unit.
func (x *Exams) FileAccess(ctx context.Context, attemptID string) error {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return err
	}
	a, err := x.attemptWhere(ctx, x.Bank.DB.R, `id = $1`, attemptID)
	if err != nil {
		return err
	}
	if a.AccountID == p.AccountID {
		return nil
	}
	_, _, err = x.markSession(ctx, a.SessionID)
	return err
}

// uploadName is the name a file handed in was sent with.
func (x *Exams) uploadName(ctx context.Context, value string) string {
	key, ok := strings.CutPrefix(value, UploadPrefix)
	if !ok {
		return ""
	}
	var name string
	x.Bank.DB.R.QueryRowContext(ctx, `SELECT name FROM files WHERE id = $1`, key).Scan(&name)
	return name
}
