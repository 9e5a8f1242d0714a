//go:build !linux

package db

import "os"

// dataSync writes a file's data to disk (fdatasync where there is one).
func dataSync(f *os.File) error { return f.Sync() }
