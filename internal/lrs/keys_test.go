package lrs

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"dxhub/internal/platform/db"
	"dxhub/internal/platform/db/dbtest"
)

// Statements are found by agent (as actor or as object), activity and
// registration, page after page in order, whether their key entries still
// wait in memory, have been written to xapi_keys, or were lost with the
// memory of a store that stopped without writing them (a crash: a new
// store on the same database rebuilds them). On PostgreSQL the same
// queries go through the column indexes.
func TestStatementsFoundWhereverTheirKeysAre(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	const (
		learner  = "mbox:mailto:lan@example.vn"
		mentor   = "mbox:mailto:minh@example.vn"
		activity = "https://lms.example.vn/activities/keys"
		reg      = "6f1c2a5e-3b7d-4c8e-9f10-00000000beef"
	)
	c := &Client{ID: "c", UnitPath: "/", Name: "t", Key: "k"}
	var ids []string // newest last
	save := func(s *Store, n int) {
		t.Helper()
		var list []obj
		for i := range n {
			body := `{"actor":{"mbox":"mailto:lan@example.vn"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"` + activity + `"},"context":{"registration":"` + strings.ToUpper(reg) + `"}}`
			if (len(ids)+i)%2 == 1 { // the mentor as the object, the learner as the actor
				body = `{"actor":{"mbox":"mailto:lan@example.vn"},"verb":{"id":"http://adlnet.gov/expapi/verbs/mentored"},"object":{"objectType":"Agent","mbox":"mailto:minh@example.vn"}}`
			}
			list = append(list, mustDecode(t, body))
		}
		got, err := s.Save(ctx, c, list)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got...)
	}
	// want lists the ids a query must return, newest first.
	want := func(pred func(i int) bool) []string {
		var out []string
		for i := len(ids) - 1; i >= 0; i-- {
			if pred(i) {
				out = append(out, ids[i])
			}
		}
		return out
	}
	check := func(s *Store, when string) {
		t.Helper()
		for _, c := range []struct {
			q    Query
			want []string
		}{
			{Query{Agent: learner}, want(func(int) bool { return true })},
			{Query{Agent: mentor}, want(func(i int) bool { return i%2 == 1 })},
			{Query{Activity: activity}, want(func(i int) bool { return i%2 == 0 })},
			{Query{Registration: reg}, want(func(i int) bool { return i%2 == 0 })},
			{Query{Agent: learner, Verb: "http://adlnet.gov/expapi/verbs/mentored"}, want(func(i int) bool { return i%2 == 1 })},
		} {
			q := c.q
			q.Limit = 3 // pages that cross from written entries to waiting ones
			got := findAll(t, s, q)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("%s, query %+v:\n got %v\nwant %v", when, c.q, got, c.want)
			}
		}
	}
	written := func() int {
		var n int
		if d.Dialect == db.SQLite {
			if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM xapi_keys WHERE key_h = $1`, db.Hash64(learner)).Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}

	s := &Store{DB: d, BaseURL: "https://dxhub.gov.vn"}
	save(s, 4)
	if n := written(); n != 0 {
		t.Fatalf("%d key entries written at once, want them waiting", n)
	}
	check(s, "entries waiting")

	if d.Dialect == db.SQLite {
		if err := s.flushAllKeys(ctx); err != nil {
			t.Fatal(err)
		}
		if n := written(); n != 4 {
			t.Fatalf("%d entries of the learner written, want 4", n)
		}
	}
	save(s, 5)
	check(s, "4 entries written, 5 waiting")

	// The first store stops without writing (its memory is lost); another
	// on the same database starts from what is on disk.
	s.mu.Lock()
	s.gc.Close()
	s.mu.Unlock()
	if s.keys != nil {
		close(s.stopKeys)
		<-s.keysDone
		s.stopKeys = nil
	}
	again := &Store{DB: d, BaseURL: "https://dxhub.gov.vn"}
	check(again, "after a crash")
	save(again, 2)
	again.Close() // writes every entry
	again.Close() // and may be called again
	if d.Dialect == db.SQLite {
		if n := written(); n != 11 {
			t.Fatalf("%d entries of the learner written after a clean stop, want 11", n)
		}
		var behind int
		if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM xapi_keys_done WHERE seq < (SELECT max(seq) FROM xapi_statements)`).Scan(&behind); err != nil || behind != 0 {
			t.Fatalf("%d parts not written up to the last statement after a clean stop (%v)", behind, err)
		}
	}
	third := &Store{DB: d, BaseURL: "https://dxhub.gov.vn"}
	defer third.Close()
	check(third, "after a clean stop")
	if third.keys != nil {
		for p, es := range third.keys.parts {
			if len(es) > 0 {
				t.Errorf("part %d: %d entries rebuilt after a clean stop", p, len(es))
			}
		}
	}
}

// findAll returns the ids of the statements q finds, page after page.
func findAll(t *testing.T, s *Store, q Query) []string {
	t.Helper()
	var got []string
	for range 1000 {
		page, err := s.Find(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range page.Statements {
			var o obj
			if err := decode(st, &o); err != nil {
				t.Fatal(err)
			}
			got = append(got, o["id"].(string))
		}
		if page.Next == 0 {
			return got
		}
		q.After = page.Next
	}
	t.Fatalf("query %+v: more than 1000 pages", q)
	return nil
}

// Flushes of one part from several goroutines (the background flusher and
// a direct flush at once) while statements keep arriving: no entry is
// lost or written twice, and nothing panics (run under -race).
func TestKeyFlushesOfOnePartDoNotOverlap(t *testing.T) {
	d := dbtest.Open(t)
	if d.Dialect != db.SQLite {
		t.Skip("the key buffer is SQLite's")
	}
	ctx := context.Background()
	s := testStore(t, d)
	c := &Client{ID: "c", UnitPath: "/", Name: "t", Key: "k"}
	if _, err := s.keysReady(ctx); err != nil {
		t.Fatal(err)
	}
	const rounds, perRound = 20, 5
	done := make(chan struct{})
	errc := make(chan error, 8)
	for range 4 {
		go func() {
			for {
				select {
				case <-done:
					errc <- nil
					return
				default:
				}
				for p := range keyParts {
					if err := s.flushPart(ctx, p); err != nil {
						errc <- err
						return
					}
				}
			}
		}()
	}
	var ids []string
	for r := range rounds {
		var list []obj
		for i := range perRound {
			list = append(list, mustDecode(t, fmt.Sprintf(`{"actor":{"mbox":"mailto:k%d@example.vn"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://lms.example.vn/a/%d"}}`, r*perRound+i, r)))
		}
		got, err := s.Save(ctx, c, list)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got...)
	}
	close(done)
	for range 4 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	if err := s.flushAllKeys(ctx); err != nil {
		t.Fatal(err)
	}
	// Every statement is found by its agent from the table alone.
	for i := range rounds * perRound {
		got := findAll(t, s, Query{Agent: fmt.Sprintf("mbox:mailto:k%d@example.vn", i), Scope: "/"})
		if len(got) != 1 {
			t.Fatalf("agent %d: %d statements found", i, len(got))
		}
	}
	var dup int
	d.R.QueryRow(`SELECT COUNT(*) FROM (SELECT key_h, kseq FROM xapi_keys GROUP BY key_h, kseq HAVING COUNT(*) > 1) x`).Scan(&dup)
	if dup != 0 {
		t.Fatalf("%d entries written twice", dup)
	}
	for p := range keyParts {
		if n := len(s.keys.parts[p]); n != 0 {
			t.Fatalf("part %d still holds %d entries", p, n)
		}
	}
}
