package db

import (
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// memoryTotal is the memory this process may use, in bytes: the
// machine's, or less when its control group (a container, a systemd
// slice) is limited; 0 when unknown.
func memoryTotal() int64 {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return 0
	}
	total := int64(si.Totalram) * int64(si.Unit)
	if limit := cgroupLimit("/proc/self/cgroup", "/sys/fs/cgroup"); limit > 0 && limit < total {
		return limit
	}
	return total
}

// cgroupLimit reads the memory limit of the process's control group,
// version 2 (memory.max in its own folder under root) or version 1
// (memory.limit_in_bytes of its memory controller); 0 when there is none.
func cgroupLimit(self, root string) int64 {
	b, err := os.ReadFile(self)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		// "hierarchy-ID:controllers:path"; version 2 is "0::/path".
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var file string
		switch {
		case parts[0] == "0" && parts[1] == "":
			file = filepath.Join(root, parts[2], "memory.max")
		case slices.Contains(strings.Split(parts[1], ","), "memory"):
			file = filepath.Join(root, "memory", parts[2], "memory.limit_in_bytes")
		default:
			continue
		}
		v, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64)
		// "max" (no limit) does not parse; version 1 writes a huge number.
		if err == nil && n > 0 && n < 1<<60 {
			return n
		}
	}
	return 0
}

func mapFile(f *os.File, offset, length int64) ([]byte, error) {
	return unix.Mmap(int(f.Fd()), offset, int(length), unix.PROT_READ, unix.MAP_SHARED)
}

func unmapFile(m []byte) { unix.Munmap(m) }

// fill has the kernel read m's pages into memory and map them. m ends at
// or before the file's end, which the file never moves back over (SQLite
// does not shrink a database file unless vacuumed, which dxhub does only
// into another file); a page that is no longer there is an error, not a
// crash.
func fill(m []byte) error {
	err := unix.Madvise(m, unix.MADV_POPULATE_READ)
	if !errors.Is(err, unix.EINVAL) {
		return err
	}
	// Before Linux 5.14: touch a byte of each page.
	return touch(m)
}

func touch(m []byte) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if recover() != nil {
			err = errors.New("page past the end of the file")
		}
	}()
	var sum byte
	for i := 0; i < len(m); i += int(pageBytes) {
		sum += m[i]
	}
	_ = sum
	return nil
}
