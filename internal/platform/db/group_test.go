package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// groupTestDB is a database for GroupCommit's tests: PostgreSQL when the
// test command provides one, else SQLite in a temporary folder.
func groupTestDB(t *testing.T) *DB {
	t.Helper()
	url := os.Getenv("DXHUB_TEST_POSTGRES")
	if url == "" {
		url = "sqlite:" + filepath.Join(t.TempDir(), "g.db")
	}
	d, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	table := fmt.Sprintf("gc_%d", time.Now().UnixNano())
	if _, err := d.W.Exec(`CREATE TABLE ` + table + ` (n INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.W.Exec(`DROP TABLE ` + table) })
	groupTable = table
	return d
}

var groupTable string

// Writes from many goroutines during and after Close each end, either
// committed (and stored) or with ErrClosed (and not stored); none waits
// for ever.
func TestGroupCommitDoDuringAndAfterClose(t *testing.T) {
	d := groupTestDB(t)
	table := groupTable
	g := NewGroupCommit(d, 16, func(ctx context.Context, tx *sql.Tx, items []int) error {
		for _, n := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (n) VALUES ($1)`, n); err != nil {
				return err
			}
		}
		return nil
	})
	const writers, each = 8, 50
	results := make([]error, writers*each)
	var wg sync.WaitGroup
	committed := make(chan struct{}, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				n := w*each + i
				results[n] = g.Do(context.Background(), n)
				committed <- struct{}{}
			}
		}()
	}
	<-committed // Close while writes are under way: one has returned, most have not
	g.Close()
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(30 * time.Second):
		t.Fatal("Do calls still waiting 30 s after Close")
	}
	if err := g.Do(context.Background(), -1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Do after Close: %v", err)
	}
	stored := map[int]bool{}
	rows, err := d.R.Query(`SELECT n FROM ` + table)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n int
		rows.Scan(&n)
		stored[n] = true
	}
	rows.Close()
	closed := 0
	for n, err := range results {
		switch {
		case err == nil && !stored[n]:
			t.Fatalf("write %d acknowledged but not stored", n)
		case errors.Is(err, ErrClosed) && stored[n]:
			t.Fatalf("write %d refused but stored", n)
		case errors.Is(err, ErrClosed):
			closed++
		case err != nil:
			t.Fatalf("write %d: %v", n, err)
		}
	}
	t.Logf("%d writes committed, %d refused as closed", len(results)-closed, closed)
}

// A failing write fails only its own caller: the batch is retried one by
// one. No batch holds more than the bound.
func TestGroupCommitErrorsAndBounds(t *testing.T) {
	d := groupTestDB(t)
	table := groupTable
	var biggest atomic.Int64
	bad := errors.New("refused")
	g := NewGroupCommit(d, 4, func(ctx context.Context, tx *sql.Tx, items []int) error {
		if int64(len(items)) > biggest.Load() {
			biggest.Store(int64(len(items)))
		}
		for _, n := range items {
			if n%7 == 0 {
				return bad
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (n) VALUES ($1)`, n); err != nil {
				return err
			}
		}
		return nil
	})
	defer g.Close()
	var wg sync.WaitGroup
	errs := make([]error, 100)
	for n := 1; n < 100; n++ {
		wg.Add(1)
		go func() { defer wg.Done(); errs[n] = g.Do(context.Background(), n) }()
	}
	wg.Wait()
	for n := 1; n < 100; n++ {
		if n%7 == 0 && !errors.Is(errs[n], bad) || n%7 != 0 && errs[n] != nil {
			t.Fatalf("write %d: %v", n, errs[n])
		}
	}
	var count int
	d.R.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&count)
	if count != 99-14 {
		t.Fatalf("%d rows stored, want %d", count, 99-14)
	}
	if biggest.Load() > 4 {
		t.Fatalf("a batch of %d items, bound 4", biggest.Load())
	}
}
