package db

import (
	"os"
	"syscall"
)

// dataSync writes a file's data to disk without its timestamps, as
// SQLite's own syncs do (fdatasync): a crash needs the data, not the time
// of the last write, and an fsync of a file written continuously would
// also commit the filesystem's journal for that time each time.
func dataSync(f *os.File) error {
	return syscall.Fdatasync(int(f.Fd()))
}
