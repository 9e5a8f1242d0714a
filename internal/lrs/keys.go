package lrs

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"time"

	"dxhub/internal/platform/db"
)

// On SQLite, statements are found by agent, activity and registration
// through xapi_keys: (hash of the key, statement), see migration 16. A new
// statement's entries land all over that table, one page of WAL each if
// written with the statement: about three quarters of what the writer
// wrote. So the store writes the statement row at once, keeps its entries
// in memory (keyBuffer) and writes them later in sorted batches, one part
// of the hash range at a time: a part's batch holds keyLinger's worth of
// entries, and many of them share a page.
//
// Queries look in both places: the table and the entries waiting. An entry
// leaves memory only once its batch is committed, and a query takes the
// waiting entries before it starts reading, so it always sees one or the
// other. xapi_keys_done records, per part, the statement up to which that
// part is written; after a crash the store rebuilds the waiting entries
// from the statements after it (their rows hold the hashes). One process
// writes a SQLite database at a time.
//
// PostgreSQL keeps an index on each column instead: its writes already met
// their aims that way.

const (
	keyParts  = 256              // parts of the hash range (its top 8 bits)
	keyLinger = 30 * time.Second // how long an entry waits in memory at most
	// keysPerInsert is how many entries one INSERT writes.
	keysPerInsert = 200
)

type keyEntry struct{ h, seq int64 }

func keyPart(h int64) int { return int(uint64(h) >> 56) }

// keyBuffer is the entries waiting to be written, by part.
//
// Invariant: at most one flush of a part runs at a time (flushing[p] is
// held for the whole flush). A flush takes the entries waiting, writes
// them, then drops that many from the front of the part; a second flush
// of the same part running meanwhile would drop entries that arrived
// since, unwritten, or slice past the end.
type keyBuffer struct {
	flushing  [keyParts]sync.Mutex
	mu        sync.Mutex
	parts     [keyParts][]keyEntry
	done      [keyParts]int64 // per part: written up to this statement
	committed int64           // the last statement whose entries are here or written
	next      int             // the part the flusher writes next
}

// add takes the entries of statements committed up to seq last.
func (b *keyBuffer) add(es []keyEntry, last int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range es {
		p := keyPart(e.h)
		b.parts[p] = append(b.parts[p], e)
	}
	b.committed = max(b.committed, last)
}

// waiting returns the statements whose entries for hash h wait.
func (b *keyBuffer) waiting(h int64) []int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	var seqs []int64
	for _, e := range b.parts[keyPart(h)] {
		if e.h == h {
			seqs = append(seqs, e.seq)
		}
	}
	return seqs
}

// statementKeys lists a statement's entries: its actor, its object and its
// registration (when it has one); an agent that is both actor and object
// has one entry.
func statementKeys(es []keyEntry, seq, actorH, objectH int64, registration string, registrationH int64) []keyEntry {
	es = append(es, keyEntry{actorH, seq})
	if objectH != actorH {
		es = append(es, keyEntry{objectH, seq})
	}
	if registration != "" && registrationH != actorH && registrationH != objectH {
		es = append(es, keyEntry{registrationH, seq})
	}
	return es
}

// keysReady sets up the key buffer on first use, on SQLite: it reads where
// each part is written up to, rebuilds the entries a crash left unwritten
// and starts the flusher.
func (s *Store) keysReady(ctx context.Context) (*keyBuffer, error) {
	if s.DB.Dialect != db.SQLite {
		return nil, nil
	}
	s.keysOnce.Do(func() {
		b := &keyBuffer{}
		if s.keysErr = s.recoverKeys(ctx, b); s.keysErr != nil {
			return
		}
		s.keys = b
		s.writer() // with the hook that fills b, and the prepared inserts flushPart uses
		stop := make(chan struct{})
		s.mu.Lock()
		s.stopKeys, s.keysDone = stop, make(chan struct{})
		s.mu.Unlock()
		go s.flushKeys(stop)
	})
	return s.keys, s.keysErr
}

func (s *Store) recoverKeys(ctx context.Context, b *keyBuffer) error {
	err := db.Each(ctx, s.DB.W, func(r db.Scanner) error {
		var part int
		var seq int64
		if err := r.Scan(&part, &seq); err != nil {
			return err
		}
		if part >= 0 && part < keyParts {
			b.done[part] = seq
		}
		return nil
	}, `SELECT part, seq FROM xapi_keys_done`)
	if err != nil {
		return fmt.Errorf("key parts: %w", err)
	}
	from := slices.Min(b.done[:])
	b.committed = slices.Max(b.done[:])
	var es []keyEntry
	err = db.Each(ctx, s.DB.W, func(r db.Scanner) error {
		var seq, actorH, objectH, regH int64
		var reg string
		if err := r.Scan(&seq, &actorH, &objectH, &reg, &regH); err != nil {
			return err
		}
		for _, e := range statementKeys(es[:0], seq, actorH, objectH, reg, regH) {
			if p := keyPart(e.h); seq > b.done[p] {
				b.parts[p] = append(b.parts[p], e)
			}
		}
		b.committed = max(b.committed, seq)
		return nil
	}, `SELECT seq, actor_h, object_h, registration, registration_h FROM xapi_statements WHERE seq > $1 ORDER BY seq`, from)
	if err != nil {
		return fmt.Errorf("statements after the written keys: %w", err)
	}
	return nil
}

// flushKeys writes one part every keyLinger/keyParts, so that each part is
// written every keyLinger, until Close.
func (s *Store) flushKeys(stop chan struct{}) {
	defer close(s.keysDone)
	t := time.NewTicker(keyLinger / keyParts)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			s.keys.mu.Lock()
			p := s.keys.next
			s.keys.next = (p + 1) % keyParts
			s.keys.mu.Unlock()
			if err := s.flushPart(context.Background(), p); err != nil && s.Log != nil {
				s.Log.Error("learning record store: writing key entries", "part", p, "err", err)
			}
		}
	}
}

// flushPart writes the entries of part p waiting now, sorted, and records
// that the part is written up to the last statement committed; the
// entries leave memory after the commit.
func (s *Store) flushPart(ctx context.Context, p int) error {
	b := s.keys
	b.flushing[p].Lock()
	defer b.flushing[p].Unlock()
	b.mu.Lock()
	es := slices.Clone(b.parts[p])
	upTo, done := b.committed, b.done[p]
	b.mu.Unlock()
	if len(es) == 0 && upTo == done {
		return nil
	}
	slices.SortFunc(es, func(x, y keyEntry) int {
		return cmp.Or(cmp.Compare(x.h, y.h), cmp.Compare(x.seq, y.seq))
	})
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for from := 0; from < len(es); from += keysPerInsert {
			chunk := es[from:min(from+keysPerInsert, len(es))]
			args := make([]any, 0, 2*len(chunk))
			for _, e := range chunk {
				args = append(args, e.h, e.seq)
			}
			ins, err := s.txInsert(ctx, tx, s.insertSQL(insertKeys, 2, len(chunk), ""))
			if err != nil {
				return err
			}
			if _, err := ins.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE xapi_keys_done SET seq = $1 WHERE part = $2`, upTo, p)
		return err
	})
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.parts[p] = slices.Clone(b.parts[p][len(es):])
	b.done[p] = upTo
	b.mu.Unlock()
	return nil
}

// flushAllKeys writes every part (at Close, so that the next start has
// nothing to rebuild).
func (s *Store) flushAllKeys(ctx context.Context) error {
	for p := range keyParts {
		if err := s.flushPart(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// keyEntries are the entries of the statements a commit stored.
func keyEntries(reqs []saveReq) ([]keyEntry, int64) {
	var es []keyEntry
	var last int64
	for _, r := range reqs {
		for _, p := range r.ps {
			if p.seq == 0 {
				continue
			}
			es = statementKeys(es, p.seq, p.actorH, p.okeyH, p.reg, p.regH)
			last = max(last, p.seq)
		}
	}
	return es, last
}
