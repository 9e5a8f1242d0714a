package lrs

import (
	"context"
	"strings"
	"testing"

	"dxhub/internal/platform/db"
	"dxhub/internal/platform/db/dbtest"
)

// ForgetName takes the agent's name out of every statement naming it as
// actor or as object (more than one page of them), leaves the rest of
// each statement as stored and other people's statements untouched.
func TestForgetName(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := testStore(t, d)
	c := &Client{ID: "c", UnitPath: "/", Name: "t", Key: "k"}
	const an = `{"mbox":"mailto:an@example.vn","name":"Nguyễn Văn An","objectType":"Agent"}`
	var stmts []obj
	for range MaxLimit + 3 {
		stmts = append(stmts, mustDecode(t, `{"actor":`+an+`,"verb":{"id":"http://adlnet.gov/expapi/verbs/experienced"},"object":{"id":"https://lms.example.vn/a/1"}}`))
	}
	stmts = append(stmts,
		mustDecode(t, `{"actor":{"mbox":"mailto:gv@example.vn","name":"Cô Lan"},"verb":{"id":"http://adlnet.gov/expapi/verbs/mentored"},"object":`+an+`}`),
		mustDecode(t, `{"actor":{"mbox":"mailto:binh@example.vn","name":"Trần Bình"},"verb":{"id":"http://adlnet.gov/expapi/verbs/experienced"},"object":{"id":"https://lms.example.vn/a/1"}}`))
	if _, err := s.Save(ctx, c, stmts); err != nil {
		t.Fatal(err)
	}
	before, err := s.Find(ctx, Query{Agent: "mbox:mailto:an@example.vn", Limit: 1})
	if err != nil || len(before.Statements) != 1 {
		t.Fatalf("before: %v", err)
	}
	n, err := s.ForgetName(ctx, "mbox:mailto:an@example.vn")
	if err != nil || n != MaxLimit+4 {
		t.Fatalf("ForgetName changed %d statements (%v), want %d", n, err, MaxLimit+4)
	}
	var named, others, seen int
	for q := (Query{Limit: MaxLimit}); ; {
		page, err := s.Find(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range page.Statements {
			seen++
			named += strings.Count(string(st), "Nguyễn Văn An")
			if strings.Contains(string(st), "Cô Lan") || strings.Contains(string(st), "Trần Bình") {
				others++
			}
		}
		if q.After = page.Next; q.After == 0 {
			break
		}
	}
	if seen != MaxLimit+5 {
		t.Fatalf("read back %d statements, want %d", seen, MaxLimit+5)
	}
	if named != 0 || others != 2 {
		t.Fatalf("after: %d mentions of the name, %d statements still naming others (want 0, 2)", named, others)
	}
	after, _ := s.One(ctx, "/", string(mustDecode(t, string(before.Statements[0]))["id"].(string)), false)
	if want := strings.Replace(string(before.Statements[0]), `"name":"Nguyễn Văn An",`, "", 1); string(after) != want {
		t.Fatalf("rewritten as\n%s\nwant\n%s", after, want)
	}
	if n, err := s.ForgetName(ctx, "mbox:mailto:an@example.vn"); err != nil || n != 0 {
		t.Fatalf("a second time: %d, %v", n, err)
	}
}
