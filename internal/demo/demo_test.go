package demo_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"dxhub/internal/app"
	"dxhub/internal/assessment"
	"dxhub/internal/demo"
	"dxhub/internal/library"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db/dbtest"
)

// TestSeed runs the whole demo seeding on a fresh database and checks what
// a newcomer relies on: the tree, the merges, the accounts and an item bank
// that covers every competence and tier.
func TestSeed(t *testing.T) {
	ctx := context.Background()
	a, err := app.Build(app.Config{FilesDir: t.TempDir()}, slog.New(slog.NewTextHandler(io.Discard, nil)), dbtest.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Exams.Close()
	defer a.Audit.Close()
	if err := a.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(ctx, demo.Services{Org: a.Org, Auth: a.Auth, Skills: a.Skills, Bank: a.Bank, Exams: a.Exams}, 300); err != nil {
		t.Fatal(err)
	}
	stats, _ := a.Org.Stats(ctx)
	if stats["province"] != 34 || stats["commune"] != 3321 {
		t.Fatalf("tree %v", stats)
	}
	old, err := a.Org.UnitByCode(ctx, "70")
	if err != nil || old.Live() {
		t.Fatalf("old Bình Phước: %+v %v", old, err)
	}
	succ, _ := a.Org.Successors(ctx, old.ID)
	if len(succ) != 1 || succ[0].Code != "75" {
		t.Fatalf("successor of 70: %+v", succ)
	}
	for _, acc := range demo.Accounts {
		if _, err := a.Auth.Login(ctx, acc.Username, demo.Password, "127.0.0.1", "test"); err != nil {
			t.Errorf("demo account %s: %v", acc.Username, err)
		}
	}
	admin, _ := a.Auth.AccountByUsername(ctx, "admin")
	p, _ := a.Auth.Principal(ctx, admin.ID)
	_, err = a.Bank.List(auth.WithPrincipal(ctx, p), assessment.Filter{Status: assessment.StatusApproved})
	if err != nil {
		t.Fatal(err)
	}
	std, _ := a.Skills.Latest(ctx, "VN-DSF")
	total := 0
	seen := map[string]map[int]bool{}
	for pageNo := 1; ; pageNo++ {
		pg, err := a.Bank.List(auth.WithPrincipal(ctx, p), assessment.Filter{Status: assessment.StatusApproved, Page: pageNo})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range pg.Items {
			total++
			if seen[it.Competence] == nil {
				seen[it.Competence] = map[int]bool{}
			}
			seen[it.Competence][(it.Level-1)/2] = true
		}
		if !pg.More {
			break
		}
	}
	learner, _ := a.Auth.AccountByUsername(ctx, "learner")
	lp, _ := a.Auth.Principal(ctx, learner.ID)
	open, err := a.Exams.AvailableSessions(auth.WithPrincipal(ctx, lp))
	if err != nil || len(open) != 1 {
		t.Fatalf("open demo sessions for the learner: %d %v", len(open), err)
	}
	at, err := a.Exams.StartAttempt(auth.WithPrincipal(ctx, lp), open[0].ID, "")
	if err != nil || at.Items != 30 {
		t.Fatalf("demo attempt: %+v %v", at, err)
	}
	if total < 120 {
		t.Fatalf("%d approved demo items, want at least 120", total)
	}
	for _, ar := range std.Areas {
		for _, c := range ar.Competences {
			if len(seen[c.Code]) != 4 {
				t.Errorf("competence %s has items in %d tiers", c.Code, len(seen[c.Code]))
			}
		}
	}
}

// TestSeedLibrary writes the demo library (at least 60 documents, every
// kind, relations by number) and finds its documents as people type.
func TestSeedLibrary(t *testing.T) {
	ctx := context.Background()
	a, err := app.Build(app.Config{FilesDir: t.TempDir()}, slog.New(slog.NewTextHandler(io.Discard, nil)), dbtest.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Exams.Close()
	defer a.Audit.Close()
	if err := a.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(ctx, demo.Services{Org: a.Org, Auth: a.Auth}, 0); err != nil {
		t.Fatal(err)
	}
	n, err := demo.SeedLibrary(ctx, a.Lib, func(name string) (*auth.Principal, error) {
		acct, err := a.Auth.AccountByUsername(ctx, name)
		if err != nil {
			return nil, err
		}
		return a.Auth.Principal(ctx, acct.ID)
	})
	if err != nil || n < 60 {
		t.Fatalf("%d documents: %v", n, err)
	}
	for _, kind := range library.Kinds {
		if docs, err := a.Lib.List(ctx, library.Filter{Kind: kind, Limit: 100}); err != nil || len(docs) == 0 {
			t.Errorf("no %s: %v", kind, err)
		}
	}
	for q, want := range map[string]string{"146/QĐ-TTg": "146/QĐ-TTg", "luat giao dich dien tu": "20/2023/QH15", "ma OTP": "Không bao giờ đọc mã OTP cho người khác", "muc tieu 2030": "Mục tiêu đến năm 2030 của Đề án 146 là gì?"} {
		docs, err := a.Lib.List(ctx, library.Filter{Q: q})
		if err != nil || len(docs) == 0 || docs[0].Number != want && docs[0].TitleVI != want {
			var got []string
			for _, d := range docs {
				got = append(got, d.Number+" "+d.TitleVI)
			}
			t.Errorf("%q: %v %v", q, got, err)
		}
	}
}
