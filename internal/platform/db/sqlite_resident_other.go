//go:build !linux

package db

import (
	"errors"
	"os"
)

// memoryTotal is 0 here: KeepInMemory does nothing on this system.
func memoryTotal() int64 { return 0 }

func mapFile(*os.File, int64, int64) ([]byte, error) { return nil, errors.New("not supported") }
func unmapFile([]byte)                               {}
func fill([]byte) error                              { return errors.New("not supported") }
