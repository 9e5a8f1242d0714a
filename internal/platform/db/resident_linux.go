package db

import (
	"errors"
	"os"
	"runtime/debug"

	"golang.org/x/sys/unix"
)

// memoryTotal is the machine's memory in bytes, 0 when unknown.
func memoryTotal() int64 {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
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
