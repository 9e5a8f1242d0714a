package db

// The SQLite write-ahead log kept short under steady writes: a passive
// checkpointer, a sync of the WAL every second where commits do not sync
// it, and a restart of the WAL
// once it has grown past walRestartBytes. SQLite only; openSQLite starts it.

import (
	"context"
	"fmt"
	"os"
	"time"
)

// checkpointer copies the WAL into the database every checkpointEvery
// without blocking the writer (PASSIVE). Under a steady stream of writes that never
// empties the WAL, since each commit adds frames while the copy runs, and a
// WAL that only grows makes every page written extend its file and every
// read search a longer index. So once it holds more than walRestartFrames
// frames, restartWAL has it started over.
func (d *DB) checkpointer() {
	defer close(d.ckptDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	// Where commits do not sync the WAL (synchronous=NORMAL: the tests'
	// databases; servers sync every commit), the kernel holds seconds of
	// them to write, and the checkpoint's sync then wrote them all at once
	// (a gigabyte in a second at 10,000 statements/s), holding up every
	// read from disk meanwhile. Syncing every second spreads the same
	// writes out.
	var syncEvery <-chan time.Time
	if SQLiteSync != "FULL" {
		sync := time.NewTicker(time.Second)
		defer sync.Stop()
		syncEvery = sync.C
	}
	for {
		select {
		case <-d.stopCkpt:
			d.checkpoint()
			return
		case <-t.C:
			if frames, err := d.checkpoint(); err == nil && frames > d.restartFrames {
				d.restartWAL(frames)
			}
		case <-syncEvery:
			d.syncWAL()
		}
	}
}

// checkpointEvery is the checkpointer's period: a page changed by many
// commits in that time is copied once.
const checkpointEvery = 5 * time.Second

// walRestartBytes is the WAL length past which the checkpointer has the
// writer start it over.
const walRestartBytes = 1 << 30

// syncWAL writes to disk what the WAL holds in the kernel's cache, through
// a descriptor of dxhub's own (SQLite keeps no lock on the WAL file, so it
// can be opened and closed each time).
func (d *DB) syncWAL() {
	if f, err := os.OpenFile(d.Path+"-wal", os.O_RDWR, 0); err == nil {
		dataSync(f)
		f.Close()
	}
}

// syncFiles writes the WAL and the database file to disk ahead of a
// checkpoint, which then finds little to sync itself.
func (d *DB) syncFiles() {
	d.syncWAL()
	if d.dbFile != nil {
		dataSync(d.dbFile)
	}
}

// checkpoint copies the WAL into the database without waiting for anyone
// and returns the number of frames in the WAL.
func (d *DB) checkpoint() (frames int, err error) {
	var busy, done int
	err = d.ckpt.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &done)
	return frames, err
}

// restartWAL has the writer write the WAL from its start again, over the
// blocks its file already has (journal_size_limit bounds what it keeps,
// see openSQLite). SQLite does that when a write transaction begins with
// every frame copied into the database, which a busy writer never sees: it
// commits while the copy runs. So the copy is repeated while it catches
// up (each round has fewer new frames to copy), then a RESTART checkpoint
// copies the last few on the writer's own connection, between two of its
// transactions (from another connection it would poll for the write lock
// and lose it to the next transaction). The writer waits for that last
// step, which syncs the database file. Passive checkpoints under steady
// writes never reach the WAL's end, so they never sync it: that sync
// flushed every page they had copied since the last restart, a long
// sync with the writer waiting. So each round and the last step start
// with both files synced by syncFiles, outside the writer's way, and the
// last step is short (figures: docs/performance.md).
func (d *DB) restartWAL(frames int) {
	for range 8 {
		d.syncFiles()
		n, err := d.checkpoint()
		if err != nil {
			return
		}
		fresh := n - frames
		frames = n
		if fresh < d.restartFrames/64 {
			break
		}
	}
	d.syncFiles()
	ctx := context.Background()
	c, err := d.W.Conn(ctx)
	if err != nil {
		return
	}
	defer c.Close()
	// RESTART waits for readers of old frames: briefly, so that a long
	// reader (an export, a recompute) makes it give up until the next
	// tick rather than hold writes back.
	if _, err := c.ExecContext(ctx, `PRAGMA busy_timeout = 20`); err != nil {
		return
	}
	c.ExecContext(ctx, `PRAGMA wal_checkpoint(RESTART)`)
	c.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, busyTimeoutMS))
}
