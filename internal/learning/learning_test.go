package learning_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"dxhub/internal/app"
	"dxhub/internal/demo"
	"dxhub/internal/learning"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db/dbtest"
)

// service builds dxhub over a fresh database (SQLite, or PostgreSQL when
// DXHUB_TEST_POSTGRES is set) with a small tree, an author and a learner,
// and returns the learning service with their contexts.
func service(t *testing.T) (s *learning.Service, author, learner context.Context) {
	t.Helper()
	a, err := app.Build(app.Config{FilesDir: t.TempDir(), BaseURL: "http://dxhub.test"}, slog.New(slog.NewTextHandler(io.Discard, nil)), dbtest.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Exams.Close(); a.Audit.Close() })
	sys := auth.WithPrincipal(context.Background(), auth.System())
	if err := a.Init(sys); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Org.ImportUnits(sys, strings.NewReader(demo.SampleUnitsCSV)); err != nil {
		t.Fatal(err)
	}
	principal := func(name, role string) context.Context {
		id, err := a.Auth.CreateAccount(sys, auth.NewAccount{Username: name, Email: name + "@example.vn", Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		if role != "" {
			n, _ := a.Org.Nation(sys)
			if _, err := a.Auth.GrantRole(sys, name, auth.Role(role), n.ID, n.Path, ""); err != nil {
				t.Fatal(err)
			}
		}
		p, err := a.Auth.Principal(sys, id)
		if err != nil {
			t.Fatal(err)
		}
		return auth.WithPrincipal(context.Background(), p)
	}
	return a.Learn, principal("author", string(auth.Author)), principal("learner", "")
}

func course(t *testing.T, s *learning.Service, author context.Context, code, title string, area string, lessons int) {
	t.Helper()
	comp := area + ".1"
	if _, err := s.CreateCourse(author, learning.CourseInput{Code: code, Title: title, Summary: "Tóm tắt " + title, Audiences: []string{"citizen"},
		Competences: []string{comp}, Level: "basic", DurationMin: 20, OpenEnrol: true, PassPercent: 50}); err != nil {
		t.Fatal(err)
	}
	m, err := s.AddModule(author, code, "Chương 1")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < lessons; i++ {
		if _, err := s.AddLesson(author, m.ID, learning.LessonInput{Kind: learning.KindText, Title: "Bài", Body: "Nội dung.", Required: true}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Publish(author, code); err != nil {
		t.Fatal(err)
	}
}

// TestCatalogue: a published course is found by words of its title with
// or without diacritics, and filters by area narrow the list.
func TestCatalogue(t *testing.T) {
	s, author, _ := service(t)
	course(t, s, author, "AN-TOAN", "An toàn trên mạng cho mọi người", "4", 1)
	course(t, s, author, "DU-LIEU", "Tìm kiếm dữ liệu", "1", 1)
	for q, want := range map[string]string{"an toàn": "AN-TOAN", "an toan": "AN-TOAN", "du lieu": "DU-LIEU"} {
		list, err := s.Catalogue(context.Background(), learning.Filter{Q: q})
		if err != nil || len(list) == 0 || list[0].Code != want {
			t.Errorf("search %q: %v %v", q, codes(list), err)
		}
	}
	list, err := s.Catalogue(context.Background(), learning.Filter{Area: "4"})
	if err != nil || len(list) != 1 || list[0].Code != "AN-TOAN" {
		t.Fatalf("area 4: %v %v", codes(list), err)
	}
	if list[0].UnitCode != "VN" {
		t.Fatalf("a national course's unit code is %q", list[0].UnitCode)
	}
}

// TestEnrolAndComplete: enrolling twice is one enrolment; each required
// lesson done moves progress; the last completes the course, once.
func TestEnrolAndComplete(t *testing.T) {
	s, author, learner := service(t)
	course(t, s, author, "KNS-1", "Kỹ năng số cơ bản", "1", 2)
	e, err := s.Enrol(learner, "KNS-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Enrol(learner, "KNS-1")
	if err != nil || again.ID != e.ID {
		t.Fatalf("second enrolment %v, first %s (%v)", again, e.ID, err)
	}
	o, err := s.Published(context.Background(), e.CourseID, e.Version)
	if err != nil {
		t.Fatal(err)
	}
	ls := o.Lessons()
	if e, err = s.CompleteLesson(learner, e.ID, ls[0].ID); err != nil || e.Progress != 50 || e.Status == learning.Completed {
		t.Fatalf("one of two lessons: %+v %v", e, err)
	}
	if e, err = s.CompleteLesson(learner, e.ID, ls[1].ID); err != nil || e.Status != learning.Completed || e.Progress != 100 || e.CompletedAt == 0 {
		t.Fatalf("both lessons: %+v %v", e, err)
	}
	first := e.CompletedAt
	if e, err = s.CompleteLesson(learner, e.ID, ls[1].ID); err != nil || e.CompletedAt != first {
		t.Fatalf("a lesson done again moved the completion: %+v %v", e, err)
	}
	if _, err := s.CompleteLesson(author, e.ID, ls[0].ID); err == nil {
		t.Fatal("another account completed the learner's lesson")
	}
}

func codes(list []*learning.Course) []string {
	var out []string
	for _, c := range list {
		out = append(out, c.Code)
	}
	return out
}
