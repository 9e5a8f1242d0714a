package db

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// residentPages is how many of the pages of m, a part of a map of a file,
// are in memory.
func residentPages(t *testing.T, m []byte) int {
	t.Helper()
	vec := make([]byte, (len(m)+int(pageBytes)-1)/int(pageBytes))
	if _, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		t.Fatal(e)
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n
}

// residentShare is the share of m's pages in memory.
func residentShare(t *testing.T, m []byte) float64 {
	t.Helper()
	return float64(residentPages(t, m)) / float64((len(m)+int(pageBytes)-1)/int(pageBytes))
}

// The keeper brings a database file dropped from memory back into it,
// follows it as it grows past one map, and lets it go at Close.
func TestKeepInMemory(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "keep.db"))
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			d.Close()
		}
	}()
	insert := func(rows int) {
		t.Helper()
		if _, err := d.W.Exec(`CREATE TABLE IF NOT EXISTS t (v BLOB);
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO t (v) SELECT randomblob(4000) FROM n`, rows); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			t.Fatal(err)
		}
	}
	size := func() int64 {
		t.Helper()
		st, err := d.dbFile.Stat()
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	insert(5000) // about 20 MB
	// Written to disk, then dropped from memory.
	if err := dataSync(d.dbFile); err != nil {
		t.Fatal(err)
	}
	if err := unix.Fadvise(int(d.dbFile.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		t.Fatal(err)
	}
	whole, err := mapFile(d.dbFile, 0, size())
	if err != nil {
		t.Fatal(err)
	}
	dropped := residentShare(t, whole)
	unmapFile(whole)
	if dropped > 0.1 {
		t.Fatalf("%.0f%% of the file still in memory after it was dropped: nothing left to show", 100*dropped)
	}

	d.KeepInMemory(0)
	if d.keeper != nil {
		t.Fatal("a keeper with 0% of memory")
	}
	d.KeepInMemory(50)
	k := d.keeper
	if k == nil {
		t.Fatal("no keeper on SQLite")
	}
	// waitFilled returns the keeper's maps once it has filled want bytes.
	waitFilled := func(want int64) [][]byte {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			k.grow() // as its ticker would, without waiting for it
			k.mu.Lock()
			filled, maps := k.filled, k.maps
			k.mu.Unlock()
			if filled >= want {
				return maps
			}
			if time.Now().After(deadline) {
				t.Fatalf("filled %d of %d bytes", filled, want)
			}
		}
	}
	maps := waitFilled(size())
	if got := residentShare(t, maps[0][:size()]); got < 0.99 {
		t.Errorf("after filling, %.0f%% of the file is in memory", 100*got)
	}

	insert(20000) // past the first 64 MiB map
	if size() <= residentChunk {
		t.Fatalf("the file has %d bytes, not past one map", size())
	}
	maps = waitFilled(size())
	if len(maps) < 2 {
		t.Fatalf("%d maps for %d bytes", len(maps), size())
	}
	last := maps[len(maps)-1][:size()-int64(len(maps)-1)*residentChunk]
	if got := residentShare(t, last); got < 0.99 {
		t.Errorf("%.0f%% of the grown file's last part is in memory", 100*got)
	}

	closed = true
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-k.done:
	default:
		t.Error("the keeper still runs after Close")
	}
}

// PostgreSQL's pages are the server's business.
func TestKeepInMemoryOnlyOnSQLite(t *testing.T) {
	d := &DB{Dialect: Postgres}
	d.KeepInMemory(50)
	if d.keeper != nil {
		t.Error("a keeper on PostgreSQL")
	}
}

// TestCgroupLimit reads memory limits laid out as cgroup v2 and v1 write
// them (a container limited to 512 MiB), and none.
func TestCgroupLimit(t *testing.T) {
	dir := t.TempDir()
	write := func(path, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("v2/self", "0::/system.slice/dxhub.service\n")
	write("v2/root/system.slice/dxhub.service/memory.max", "536870912\n")
	write("v2max/self", "0::/user.slice\n")
	write("v2max/root/user.slice/memory.max", "max\n")
	write("v1/self", "12:pids:/docker/abc\n7:memory:/docker/abc\n0::/\n")
	write("v1/root/memory/docker/abc/memory.limit_in_bytes", "536870912\n")
	write("v1none/self", "7:memory:/\n")
	write("v1none/root/memory/memory.limit_in_bytes", "9223372036854771712\n")
	for name, want := range map[string]int64{"v2": 512 << 20, "v2max": 0, "v1": 512 << 20, "v1none": 0, "missing": 0} {
		if got := cgroupLimit(filepath.Join(dir, name, "self"), filepath.Join(dir, name, "root")); got != want {
			t.Errorf("%s: limit %d, want %d", name, got, want)
		}
	}
	if total := memoryTotal(); total <= 0 {
		t.Fatalf("memory this process may use: %d", total)
	}
}
