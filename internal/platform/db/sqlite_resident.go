package db

import (
	"os"
	"sync"
	"time"
)

// Some machines take back file pages nobody has used for a while even
// with most of their memory free, while pages a process has mapped stay.
// A store read at random then reads from disk on nearly every query
// (figures: docs/performance.md). So a server may keep its SQLite database
// in memory (KeepInMemory, off unless asked for with --keep-in-memory): it
// maps the file read-only and has the kernel fill the map, chunk by chunk
// as the file grows, up to a share of the memory the process may use (the
// machine's, or its control group's limit). SQLite does not read
// through this map; its reads find the pages the map holds in memory.
// Under memory pressure the kernel may still take them back: they are
// clean file pages, so this never costs more than reading them again.

// pageBytes is the system's memory page size.
var pageBytes = int64(os.Getpagesize())

// residentChunk is how much of the file one map covers.
const residentChunk = 64 << 20

// residentEvery is how often the keeper looks for growth; every
// residentRefill times it also fills again what the kernel took back.
const (
	residentEvery  = 5 * time.Second
	residentRefill = 12
)

// resident keeps a database file's pages in memory.
type resident struct {
	f   *os.File // the database's, left open
	max int64    // bytes kept at most

	mu     sync.Mutex // over grow (the keeper's, or a test's)
	maps   [][]byte   // residentChunk each, from the file's start
	filled int64      // bytes from the file's start filled in the maps

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// KeepInMemory has the process keep the SQLite database's pages in memory
// until Close, up to percent of the memory it may use (memoryTotal). Filling the first
// time reads the file from disk in the background. With percent 0, on
// PostgreSQL, and where the system cannot map files, it does nothing.
func (d *DB) KeepInMemory(percent int) {
	if d.Dialect != SQLite || d.dbFile == nil || d.keeper != nil || percent <= 0 {
		return
	}
	limit := memoryTotal() / 100 * int64(percent)
	if limit <= 0 {
		return
	}
	// d.dbFile, not a descriptor of its own: closing one would drop the
	// locks SQLite holds on the file.
	r := &resident{f: d.dbFile, max: limit, stop: make(chan struct{}), done: make(chan struct{})}
	d.keeper = r
	go r.run()
}

func (r *resident) run() {
	defer close(r.done)
	t := time.NewTicker(residentEvery)
	defer t.Stop()
	for tick := 1; ; tick++ {
		r.grow()
		select {
		case <-r.stop:
			return
		case <-t.C:
		}
		if tick%residentRefill == 0 {
			r.mu.Lock()
			r.filled = 0 // pages still there cost the kernel little to check
			r.mu.Unlock()
		}
	}
}

// grow fills what the file has beyond what is filled, within max; a chunk
// at a time, so that closing waits for one chunk at most.
func (r *resident) grow() {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.f.Stat()
	if err != nil {
		return
	}
	size := min(st.Size(), r.max)
	for r.filled < size {
		select {
		case <-r.stop:
			return
		default:
		}
		i := int(r.filled / residentChunk)
		if i == len(r.maps) {
			m, err := mapFile(r.f, int64(i)*residentChunk, residentChunk)
			if err != nil {
				return
			}
			r.maps = append(r.maps, m)
		}
		from := r.filled - int64(i)*residentChunk
		to := min(size-int64(i)*residentChunk, residentChunk)
		// Whole pages below the file's end only: a page past it is not
		// there to read.
		to -= to % pageBytes
		if to <= from {
			return
		}
		if err := fill(r.maps[i][from:to]); err != nil {
			return
		}
		r.filled = int64(i)*residentChunk + to
	}
}

// close stops the keeper and lets the pages go.
func (r *resident) close() {
	r.once.Do(func() {
		close(r.stop)
		<-r.done
		for _, m := range r.maps {
			unmapFile(m)
		}
	})
}
