package db

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Under a steady stream of commits a passive checkpoint copies the WAL but
// never lets it start over; restartWAL does, so the WAL stays short.
func TestRestartWALUnderSteadyWrites(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "wal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.W.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)`); err != nil {
		t.Fatal(err)
	}
	stop, done := make(chan struct{}), make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if _, err := d.W.Exec(`INSERT INTO t (v) VALUES (randomblob(3000))`); err != nil {
				done <- err
				return
			}
		}
	}()
	defer func() {
		close(stop)
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	frames := func() int {
		n, err := d.checkpoint()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	deadline := time.Now().Add(20 * time.Second)
	grown := frames()
	for ; grown < 3000; grown = frames() {
		if time.Now().After(deadline) {
			t.Fatalf("the WAL reached only %d frames", grown)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Copied in full, yet still as long: the writer never began a
	// transaction with nothing left to copy.
	if n := frames(); n < grown {
		t.Fatalf("the WAL started over without restartWAL (%d frames, then %d)", grown, n)
	}
	d.restartWAL(grown)
	time.Sleep(20 * time.Millisecond)
	if n := frames(); n >= grown {
		t.Fatalf("after restartWAL the WAL holds %d frames, %d before", n, grown)
	}
}

// Close leaves the WAL copied into the database and empty, so the next
// start has nothing to recover or copy; the data is there afterwards.
func TestCloseEmptiesWAL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "close.db")
	d, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)`); err != nil {
		t.Fatal(err)
	}
	for range 200 {
		if _, err := d.W.Exec(`INSERT INTO t (v) VALUES (randomblob(3000))`); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := d.R.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 200 {
		t.Fatalf("%d rows, %v", n, err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path + "-wal"); err == nil && st.Size() > 0 {
		t.Errorf("WAL of %d bytes left after Close", st.Size())
	}
	d, err = Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.R.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 200 {
		t.Errorf("after reopening: %d rows, %v", n, err)
	}
}
