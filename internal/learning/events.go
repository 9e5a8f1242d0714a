package learning

import (
	"context"

	"dxhub/internal/assessment"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/events"
)

// Subscribe registers learning's consumers: a course whose final exam
// session is passed after its lessons are done completes when the pass
// arrives, not only when the learner next opens a lesson.
// TopicCourseCompleted is the event of an enrolment completed: other
// rooms (certificates) react to it.
const TopicCourseCompleted = "learning.course_completed"

// CourseCompleted is the payload of TopicCourseCompleted. FinalPercent is
// the final quiz's mark, or -1 when the course has none.
type CourseCompleted struct {
	EnrolmentID  string  `json:"enrolment_id"`
	CourseID     string  `json:"course_id"`
	CourseCode   string  `json:"course_code"`
	CourseTitle  string  `json:"course_title"`
	AccountID    string  `json:"account_id"`
	FinalPercent float64 `json:"final_percent"`
	At           int64   `json:"at"`
}

func (s *Service) Subscribe(bus *events.Bus) {
	bus.Subscribe("learning.final-exam", []string{assessment.TopicAttemptFinished}, s.onAttemptFinished)
}

// onAttemptFinished re-evaluates the learner's enrolments in courses whose
// final exam is the attempt's session. Evaluating again is harmless, so a
// repeated event changes nothing.
func (s *Service) onAttemptFinished(ctx context.Context, ev events.Event) error {
	var a assessment.AttemptFinished
	if err := ev.Decode(&a); err != nil {
		s.Log.Error("learning: bad event", "id", ev.ID, "err", err)
		return nil // a payload that cannot be read never will be: skip it
	}
	if !a.Passed {
		return nil
	}
	list, err := db.Query(ctx, s.DB.R, scanEnrolment, `SELECT `+enrolCols+` FROM enrolments e JOIN courses c ON c.id = e.course_id
		WHERE e.account_id = $1 AND c.final_session = $2 AND e.status <> 'completed'`, a.AccountID, a.SessionID)
	if err != nil || len(list) == 0 {
		return err
	}
	p, err := s.Auth.Principal(ctx, a.AccountID)
	if err != nil {
		return nil // the account is gone or disabled: nothing to complete
	}
	for _, e := range list {
		if err := s.loadDone(ctx, e); err != nil {
			return err
		}
		o, err := s.Published(ctx, e.CourseID, e.Version)
		if err != nil {
			return err
		}
		if _, err := s.evaluate(ctx, p, e, o); err != nil {
			return err
		}
	}
	return nil
}
