package db

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
	"modernc.org/sqlite"
)

// SQLite reads a large database a page here and a page there, but the
// kernel guesses otherwise: a page read just after pages it already holds
// looks like the next step of a sequential read, and it reads up to the
// device's read-ahead ahead on that guess. With a learner's statements
// scattered over gigabytes, those guesses are most of what is read from
// disk (figures: docs/performance.md). So each descriptor SQLite
// opens on a database file is marked as read at random (POSIX_FADV_RANDOM),
// which has the kernel read exactly the pages asked for. SQLite opens its
// files itself, so the connection hook finds them among the process's
// descriptors by name.
func init() {
	sqlite.RegisterConnectionHook(func(_ sqlite.ExecQuerierContext, dsn string) error {
		adviseRandom(dsnPath(dsn))
		return nil
	})
}

// adviseRandom marks every descriptor the process has open on path as
// read at random. Only a hint: a descriptor closed and reused meanwhile
// gets the same hint, which changes how fast it reads, never what.
func adviseRandom(path string) {
	if path == "" {
		return
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return
	}
	for _, fd := range descriptorsOn(abs) {
		unix.Fadvise(fd, 0, 0, unix.FADV_RANDOM)
	}
}

// descriptorsOn lists the descriptors the process has open on the file at
// the absolute path abs.
func descriptorsOn(abs string) []int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	var fds []int
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && target == abs {
			fds = append(fds, fd)
		}
	}
	return fds
}

// dsnPath is the file a "file:PATH?options" name opens.
func dsnPath(dsn string) string {
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if path == ":memory:" {
		return ""
	}
	return path
}
