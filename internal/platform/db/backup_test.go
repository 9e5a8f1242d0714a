package db_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dxhub/internal/platform/db"
	"dxhub/internal/platform/db/dbtest"
)

// pgTool finds a PostgreSQL client program: on the PATH, or where Debian
// installs the server's.
func pgTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(found) == 0 {
		t.Fatalf("%s not found (the test command installs postgresql)", name)
	}
	sort.Strings(found)
	return found[len(found)-1]
}

// TestBackupDuringWritesRestores: a backup taken while rows keep being
// written restores (SQLite: dxhub's Backup and Restore; PostgreSQL:
// pg_dump and pg_restore as docs/operations.md says) into a database that
// opens, migrates and holds every row acknowledged before the backup
// began.
func TestBackupDuringWritesRestores(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	var acked atomic.Int64 // rows 1..acked are committed
	stop := make(chan struct{})
	var wg sync.WaitGroup
	failed := make(chan struct{})
	wg.Go(func() {
		defer close(failed)
		for i := int64(1); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := d.W.ExecContext(ctx, `INSERT INTO course_reminders (assignment_id, kind, person_id, sent_at) VALUES ('backup', 'due', $1, $2)`, strconv.FormatInt(i, 10), i); err != nil {
				t.Error(err)
				return
			}
			acked.Store(i)
		}
	})
	for acked.Load() < 200 {
		select {
		case <-failed:
			t.FailNow()
		case <-time.After(5 * time.Millisecond):
		}
	}
	before := acked.Load()
	var restored *db.DB
	if d.Dialect == db.SQLite {
		dir := t.TempDir()
		copyPath := filepath.Join(dir, "copy.db")
		if err := d.Backup(ctx, copyPath); err != nil {
			t.Fatal(err)
		}
		close(stop)
		wg.Wait()
		target := filepath.Join(dir, "restored.db")
		if _, err := db.Restore(ctx, copyPath, target, false); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Restore(ctx, copyPath, target, false); err == nil {
			t.Fatal("a restore over an existing database without --replace was accepted")
		}
		os.WriteFile(filepath.Join(dir, "junk.db"), []byte("not a database at all, just text"), 0o600)
		if _, err := db.Restore(ctx, filepath.Join(dir, "junk.db"), filepath.Join(dir, "other.db"), false); err == nil {
			t.Fatal("a file that is no database was restored")
		}
		if _, err := os.Stat(filepath.Join(dir, "other.db")); err == nil {
			t.Fatal("a refused restore left a database behind")
		}
		var err error
		if restored, err = db.Open(ctx, "sqlite:"+target); err != nil {
			t.Fatal(err)
		}
	} else {
		dump := filepath.Join(t.TempDir(), "dxhub.dump")
		out, err := exec.Command(pgTool(t, "pg_dump"), "-Fc", "-f", dump, "--dbname", d.URL).CombinedOutput()
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatalf("pg_dump: %v %s", err, out)
		}
		target := dbtest.EmptyPostgres(t)
		if out, err := exec.Command(pgTool(t, "pg_restore"), "--no-owner", "--dbname", target, dump).CombinedOutput(); err != nil {
			t.Fatalf("pg_restore: %v %s", err, out)
		}
		if restored, err = db.Open(ctx, target); err != nil {
			t.Fatal(err)
		}
	}
	defer restored.Close()
	if err := restored.Migrate(ctx); err != nil {
		t.Fatalf("the restored database does not migrate: %v", err)
	}
	var n, max int64
	if err := restored.R.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(sent_at), 0) FROM course_reminders WHERE assignment_id = 'backup' AND sent_at <= $1`, before).Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != before || max != before {
		t.Fatalf("the restored database holds %d of the %d rows acknowledged before the backup began", n, before)
	}
	t.Logf("%d rows acknowledged before the backup, %d written in all", before, acked.Load())
}
