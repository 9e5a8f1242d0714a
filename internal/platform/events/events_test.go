package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"dxhub/internal/platform/db"
	"dxhub/internal/platform/db/dbtest"
)

type seen struct {
	mu   sync.Mutex
	ids  []int64
	want int           // when len(ids) reaches it, full is closed
	full chan struct{} // nil unless want is set
}

func (s *seen) add(e Event) {
	s.mu.Lock()
	s.ids = append(s.ids, e.ID)
	if s.full != nil && len(s.ids) == s.want {
		close(s.full)
	}
	s.mu.Unlock()
}

func record(t *testing.T, d *db.DB, topic string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := d.Tx(t.Context(), func(tx *sql.Tx) error { return Record(t.Context(), tx, topic, map[string]int{"n": i}) }); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOrderResumeAndTopics: a consumer sees its topics' events in order,
// not the others', and a new bus (a restart) resumes after the last one.
func TestOrderResumeAndTopics(t *testing.T) {
	d := dbtest.Open(t)
	record(t, d, "exam.finished", 30)
	record(t, d, "other", 5)
	record(t, d, "exam.finished", 20)
	var got seen
	b := &Bus{DB: d}
	b.Subscribe("learning", []string{"exam.finished"}, func(ctx context.Context, e Event) error {
		var p struct{ N int }
		if err := e.Decode(&p); err != nil {
			return err
		}
		got.add(e)
		return nil
	})
	if err := b.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(got.ids) != 50 {
		t.Fatalf("handled %d events, want 50", len(got.ids))
	}
	for i := 1; i < len(got.ids); i++ {
		if got.ids[i] <= got.ids[i-1] {
			t.Fatalf("out of order: %v", got.ids)
		}
	}
	b.release()
	record(t, d, "exam.finished", 3)
	var again seen
	b2 := &Bus{DB: d}
	b2.Subscribe("learning", []string{"exam.finished"}, func(ctx context.Context, e Event) error { again.add(e); return nil })
	if err := b2.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(again.ids) != 3 || again.ids[0] <= got.ids[len(got.ids)-1] {
		t.Fatalf("after a restart: %v", again.ids)
	}
}

// TestFailureStopsAndRetries: a handler's error stops the consumer at that
// event; the next round handles it again and goes on (at least once).
func TestFailureStopsAndRetries(t *testing.T) {
	d := dbtest.Open(t)
	record(t, d, "t", 5)
	var got seen
	fail := true
	b := &Bus{DB: d}
	b.Subscribe("c", []string{"t"}, func(ctx context.Context, e Event) error {
		if e.ID == 3 && fail {
			fail = false
			return errors.New("database busy")
		}
		got.add(e)
		return nil
	})
	if err := b.RunOnce(t.Context()); err == nil {
		t.Fatal("the handler's error was not reported")
	}
	if fmt.Sprint(got.ids) != "[1 2]" {
		t.Fatalf("before the retry: %v", got.ids)
	}
	if err := b.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.ids) != "[1 2 3 4 5]" {
		t.Fatalf("after the retry: %v", got.ids)
	}
}

// TestSeveralNodes: two nodes run the same consumer while events arrive
// from several writers; every event is handled once, in order, by
// whichever node holds the lease.
func TestSeveralNodes(t *testing.T) {
	d := dbtest.Open(t)
	got := seen{want: 200, full: make(chan struct{})}
	handler := func(ctx context.Context, e Event) error { got.add(e); return nil }
	nodes := []*Bus{{DB: d}, {DB: d}}
	for _, n := range nodes {
		n.Subscribe("c", []string{"t"}, handler)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n.RunOnce(ctx)
			}
		}()
	}
	var writers sync.WaitGroup
	for w := 0; w < 4; w++ {
		writers.Add(1)
		go func() { defer writers.Done(); record(t, d, "t", 50) }()
	}
	writers.Wait()
	select {
	case <-got.full:
	case <-time.After(30 * time.Second):
	}
	cancel()
	wg.Wait()
	if len(got.ids) != 200 {
		t.Fatalf("handled %d of 200 events", len(got.ids))
	}
	once := map[int64]bool{}
	for i, id := range got.ids {
		if once[id] {
			t.Fatalf("event %d handled twice", id)
		}
		once[id] = true
		if i > 0 && id <= got.ids[i-1] {
			t.Fatalf("out of order at %d: %v", i, got.ids[i-1:i+1])
		}
	}
}

// TestGapWaitsForLateCommit: an id seen after a gap waits for the missing
// one (a transaction not yet committed) until the gap is older than Settle.
func TestGapWaitsForLateCommit(t *testing.T) {
	d := dbtest.Open(t)
	record(t, d, "t", 2)
	now := time.Now().UnixMilli()
	if _, err := d.W.Exec(`INSERT INTO events (id, topic, payload, at) VALUES (4, 't', '{}', $1)`, now); err != nil {
		t.Fatal(err)
	}
	var got seen
	b := &Bus{DB: d, Settle: time.Hour}
	b.Subscribe("c", []string{"t"}, func(ctx context.Context, e Event) error { got.add(e); return nil })
	if err := b.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.ids) != "[1 2]" {
		t.Fatalf("went past a fresh gap: %v", got.ids)
	}
	if _, err := d.W.Exec(`INSERT INTO events (id, topic, payload, at) VALUES (3, 't', '{}', $1)`, now); err != nil {
		t.Fatal(err)
	}
	if err := b.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.ids) != "[1 2 3 4]" {
		t.Fatalf("after the late commit: %v", got.ids)
	}
	// A gap whose next event is older than Settle was a rollback.
	if _, err := d.W.Exec(`INSERT INTO events (id, topic, payload, at) VALUES (6, 't', '{}', $1)`, now-10_000); err != nil {
		t.Fatal(err)
	}
	b.Settle = time.Second
	if err := b.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.ids) != "[1 2 3 4 6]" {
		t.Fatalf("an old gap held the consumer: %v", got.ids)
	}
}

// TestBatchConsumer: a batch consumer gets its topics' events in order,
// in rounds of at most 200, each once; a failed batch is handed over
// again whole on the next round, and a restart resumes after the last.
func TestBatchConsumer(t *testing.T) {
	d := dbtest.Open(t)
	record(t, d, "exam.finished", 250)
	record(t, d, "other", 10)
	record(t, d, "exam.finished", 40)
	var got []int64
	fail := true
	var sizes []int
	b := &Bus{DB: d}
	b.SubscribeBatch("credentials", []string{"exam.finished"}, func(ctx context.Context, es []Event) error {
		if fail && len(got) >= 200 {
			fail = false
			return errors.New("store unavailable")
		}
		sizes = append(sizes, len(es))
		for _, e := range es {
			if e.Topic != "exam.finished" {
				t.Errorf("topic %s handed over", e.Topic)
			}
			got = append(got, e.ID)
		}
		return nil
	})
	if err := b.RunOnce(t.Context()); err == nil {
		t.Fatal("the failing batch reported no error")
	}
	if len(got) != 200 {
		t.Fatalf("before the failure: %d events", len(got))
	}
	if err := b.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 290 {
		t.Fatalf("handled %d events, want 290 (sizes %v)", len(got), sizes)
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("out of order or twice at %d: %v", i, got[i-1:i+1])
		}
	}
	for _, n := range sizes {
		if n > 200 {
			t.Fatalf("a batch of %d", n)
		}
	}
	b.release()
	record(t, d, "exam.finished", 2)
	b2 := &Bus{DB: d}
	var again []int64
	b2.SubscribeBatch("credentials", []string{"exam.finished"}, func(ctx context.Context, es []Event) error {
		for _, e := range es {
			again = append(again, e.ID)
		}
		return nil
	})
	if err := b2.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(again) != 2 || again[0] <= got[len(got)-1] {
		t.Fatalf("after a restart: %v", again)
	}
}
