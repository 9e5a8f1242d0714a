package db

import (
	"context"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func TestDSNPath(t *testing.T) {
	for dsn, want := range map[string]string{
		"file:/tmp/a.db?_pragma=x&mode=ro": "/tmp/a.db",
		"file:rel.db":                      "rel.db",
		"file::memory:?cache=shared":       "",
	} {
		if got := dsnPath(dsn); got != want {
			t.Errorf("dsnPath(%q) = %q, want %q", dsn, got, want)
		}
	}
}

// readAfterCached drops the file from memory, has pages [100, 200) read
// into it, reads page 200 through fd, and returns how many of the 200
// pages after it the kernel read along with it.
func readAfterCached(t *testing.T, path string, fd int) int {
	t.Helper()
	const page = 4096
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_RANDOM) // exactly what it reads
	unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
	m, err := unix.Mmap(int(f.Fd()), 0, 500*page, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(m)
	resident := func(from, to int) int { return residentPages(t, m[from*page:to*page]) }
	if n := resident(0, 500); n > 0 {
		t.Skipf("the file stays in memory here (%d pages): no read-ahead to see", n)
	}
	buf := make([]byte, page)
	for p := 100; p < 200; p++ {
		f.ReadAt(buf, int64(p*page))
	}
	if _, err := unix.Pread(fd, buf, 200*page); err != nil {
		t.Fatal(err)
	}
	return resident(201, 401)
}

// Each descriptor SQLite opens on the database file reads just the pages
// asked for, where a plain one reads ahead after pages already in memory.
func TestDatabaseFileIsReadAtRandom(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/r.db"
	d, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.W.ExecContext(ctx, `CREATE TABLE t (b BLOB);
		INSERT INTO t WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 600) SELECT randomblob(4000) FROM n;
		PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	if err := d.Ping(ctx); err != nil { // a reader's connection
		t.Fatal(err)
	}
	dataSync(d.dbFile)
	var sqliteFDs []int
	for _, fd := range descriptorsOn(path) {
		if fd != int(d.dbFile.Fd()) {
			sqliteFDs = append(sqliteFDs, fd)
		}
	}
	if len(sqliteFDs) < 2 {
		t.Fatalf("SQLite has %d descriptors on the database; want the writer's and a reader's at least", len(sqliteFDs))
	}
	plain, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if n := readAfterCached(t, path, int(plain.Fd())); n == 0 {
		t.Skip("this kernel does not read ahead after cached pages: nothing to compare with")
	}
	for _, fd := range sqliteFDs {
		if n := readAfterCached(t, path, fd); n != 0 {
			t.Errorf("descriptor %d read %d pages ahead", fd, n)
		}
	}
}
