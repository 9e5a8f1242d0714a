// Package events lets one room react to another's changes without
// reaching into its tables: the room that changes something records an
// event in the same transaction (an outbox), and other rooms consume
// events in order, at least once, resuming where they stopped after a
// restart. On several nodes a consumer runs on one node at a time (a lease
// in the database), so each event is handled once unless a node dies
// between handling an event and recording that it did; handlers are
// therefore idempotent.
//
// Events are small JSON documents that name what changed ("an attempt
// finished, passed"); a consumer that needs more asks the owning room's
// service.
package events

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"dxhub/internal/platform/db"
)

// Event is one recorded change.
type Event struct {
	ID      int64
	Topic   string
	Payload json.RawMessage
	At      int64 // Unix milliseconds
}

// Decode reads the payload into v.
func (e Event) Decode(v any) error { return json.Unmarshal(e.Payload, v) }

// Record stores an event in tx, the transaction of the change it reports,
// so that the event exists exactly when the change does.
func Record(ctx context.Context, tx *sql.Tx, topic string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("event %s: %w", topic, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO events (topic, payload, at) VALUES ($1, $2, $3)`, topic, string(b), time.Now().UnixMilli())
	return err
}

// Handler handles one event. An error stops the consumer at that event; it
// is tried again on the next round.
type Handler func(ctx context.Context, e Event) error

// Bus runs the consumers of one node.
type Bus struct {
	DB  *db.DB
	Log *slog.Logger
	// Every is how often consumers look for events recorded on other
	// nodes; Notify wakes them at once for this node's. Default 1 s.
	Every time.Duration
	// Lease is how long a node keeps a consumer without renewing it; a
	// node that dies hands its consumers over after this. Default 30 s.
	Lease time.Duration
	// Settle is how long a gap in event ids is waited for: on PostgreSQL
	// an id is taken when a transaction inserts and becomes visible when
	// it commits, so a later id can be seen first. Default 10 s.
	Settle time.Duration

	node  string
	mu    sync.Mutex
	subs  []*consumer
	wake  chan struct{}
	stop  context.CancelFunc
	done  chan struct{}
	start sync.Once
}

type consumer struct {
	name   string
	topics map[string]bool
	handle Handler
	// batch, when set instead of handle, takes every ready event of a
	// round at once (a consumer that does better work in bulk).
	batch BatchHandler
}

// BatchHandler handles the events of a round together, in order. An error
// stops the consumer before them all; they are tried again, all of them,
// on the next round.
type BatchHandler func(ctx context.Context, es []Event) error

// SubscribeBatch is Subscribe for a consumer that handles events in
// batches (at most a round's, 200).
func (b *Bus) SubscribeBatch(name string, topics []string, h BatchHandler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := &consumer{name: name, topics: map[string]bool{}, batch: h}
	for _, t := range topics {
		c.topics[t] = true
	}
	b.subs = append(b.subs, c)
}

// Subscribe registers a consumer by a name that stays the same across
// restarts (its position is kept under that name) for the given topics.
// Call it before Start.
func (b *Bus) Subscribe(name string, topics []string, h Handler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := &consumer{name: name, topics: map[string]bool{}, handle: h}
	for _, t := range topics {
		c.topics[t] = true
	}
	b.subs = append(b.subs, c)
}

// Notify wakes the consumers: a change committed on this node has
// recorded an event.
func (b *Bus) Notify() {
	if b == nil {
		return
	}
	b.init()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *Bus) init() {
	b.start.Do(func() {
		b.wake = make(chan struct{}, 1)
		var id [8]byte
		rand.Read(id[:])
		b.node = hex.EncodeToString(id[:])
		if b.Every == 0 {
			b.Every = time.Second
		}
		if b.Lease == 0 {
			b.Lease = 30 * time.Second
		}
		if b.Settle == 0 {
			b.Settle = 10 * time.Second
		}
		if b.Log == nil {
			b.Log = slog.Default()
		}
	})
}

// Start runs the consumers in the background until Close.
func (b *Bus) Start(ctx context.Context) {
	b.init()
	ctx, b.stop = context.WithCancel(ctx)
	b.done = make(chan struct{})
	go func() {
		defer close(b.done)
		t := time.NewTicker(b.Every)
		defer t.Stop()
		for {
			if err := b.RunOnce(ctx); err != nil && ctx.Err() == nil {
				b.Log.Error("events", "err", err)
			}
			select {
			case <-ctx.Done():
				b.release()
				return
			case <-t.C:
			case <-b.wake:
			}
		}
	}()
}

// Close stops the consumers and hands their leases back.
func (b *Bus) Close() {
	if b.stop != nil {
		b.stop()
		<-b.done
	}
}

// RunOnce lets every consumer this node may run handle the events waiting
// for it. Tests call it to run consumers to the end without a clock.
func (b *Bus) RunOnce(ctx context.Context) error {
	b.init()
	b.mu.Lock()
	subs := append([]*consumer(nil), b.subs...)
	b.mu.Unlock()
	var errs []error
	for _, c := range subs {
		if err := b.run(ctx, c); err != nil {
			errs = append(errs, fmt.Errorf("consumer %s: %w", c.name, err))
		}
	}
	return errors.Join(errs...)
}

// batch is how many events a consumer reads at a time.
const batch = 200

func (b *Bus) run(ctx context.Context, c *consumer) error {
	last, ok, err := b.acquire(ctx, c.name)
	if err != nil || !ok {
		return err
	}
	for {
		list, err := db.Query(ctx, b.DB.R, func(r db.Scanner) (Event, error) {
			var e Event
			var p string
			err := r.Scan(&e.ID, &e.Topic, &p, &e.At)
			e.Payload = json.RawMessage(p)
			return e, err
		}, `SELECT id, topic, payload, at FROM events WHERE id > $1 ORDER BY id LIMIT `+fmt.Sprint(batch), last)
		if err != nil {
			return err
		}
		now := time.Now().UnixMilli()
		done := last
		if c.batch != nil {
			var ready []Event
			for _, e := range list {
				if e.ID != last+1 && now-e.At < b.Settle.Milliseconds() {
					break
				}
				last = e.ID
				if c.topics[e.Topic] {
					ready = append(ready, e)
				}
			}
			if len(ready) > 0 {
				if err := c.batch(ctx, ready); err != nil {
					return fmt.Errorf("events %d–%d: %w", ready[0].ID, ready[len(ready)-1].ID, err)
				}
			}
		}
		for _, e := range list {
			if c.batch != nil {
				break // handled above
			}
			// A gap may be a transaction that took its id and has not
			// committed yet: wait for it, unless the event after the gap
			// is older than Settle (the id was rolled back).
			if e.ID != last+1 && now-e.At < b.Settle.Milliseconds() {
				break
			}
			last = e.ID
			if !c.topics[e.Topic] {
				continue // skipped; the position moves on with the next write
			}
			if err := c.handle(ctx, e); err != nil {
				if e.ID-1 > done { // the skipped events before it stay handled
					b.advance(ctx, c.name, e.ID-1)
				}
				return fmt.Errorf("event %d (%s): %w", e.ID, e.Topic, err)
			}
			if err := b.advance(ctx, c.name, e.ID); err != nil {
				return err
			}
			done = e.ID
		}
		if last > done {
			if err := b.advance(ctx, c.name, last); err != nil {
				return err
			}
		}
		if len(list) < batch || last != list[len(list)-1].ID {
			return nil
		}
	}
}

// acquire takes or renews the consumer's lease and returns its position;
// ok is false while another node holds it.
func (b *Bus) acquire(ctx context.Context, name string) (last int64, ok bool, err error) {
	now := time.Now().UnixMilli()
	if _, err := b.DB.W.ExecContext(ctx, `INSERT INTO event_cursors (consumer) VALUES ($1) ON CONFLICT DO NOTHING`, name); err != nil {
		return 0, false, err
	}
	res, err := b.DB.W.ExecContext(ctx, `UPDATE event_cursors SET owner = $1, lease_until = $2 WHERE consumer = $3 AND (owner = $1 OR owner = '' OR lease_until < $4)`,
		b.node, now+b.Lease.Milliseconds(), name, now)
	if err != nil {
		return 0, false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, false, nil
	}
	err = b.DB.W.QueryRowContext(ctx, `SELECT last_id FROM event_cursors WHERE consumer = $1`, name).Scan(&last)
	return last, err == nil, err
}

// advance records that the consumer handled event id, if this node still
// holds it.
func (b *Bus) advance(ctx context.Context, name string, id int64) error {
	res, err := b.DB.W.ExecContext(ctx, `UPDATE event_cursors SET last_id = $1, lease_until = $2 WHERE consumer = $3 AND owner = $4`,
		id, time.Now().Add(b.Lease).UnixMilli(), name, b.node)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errors.New("lease lost")
	}
	return nil
}

// release hands this node's leases back so that another node takes over
// at once instead of after the lease.
func (b *Bus) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b.DB.W.ExecContext(ctx, `UPDATE event_cursors SET owner = '', lease_until = 0 WHERE owner = $1`, b.node)
}

// Behind counts the events recorded that the slowest consumer has not
// handled yet (for the operators' metrics).
func (b *Bus) Behind(ctx context.Context) (int64, error) {
	var n int64
	err := b.DB.R.QueryRowContext(ctx, `SELECT COALESCE((SELECT MAX(id) FROM events) - (SELECT MIN(last_id) FROM event_cursors), 0)`).Scan(&n)
	return max(n, 0), err
}
