package db

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// changesChannel is the PostgreSQL channel every node listens on.
const changesChannel = "dxhub_changes"

// changes tells the other nodes that something their caches may hold has
// changed: a revoked role or session, a voided attempt, a report approved.
// On PostgreSQL the news goes through NOTIFY to every node listening on
// the channel, so a change made on one node takes effect on all of them as
// soon as it commits, not when a cache's lifetime ends. On SQLite there is
// one node, and nothing to tell.
type changes struct {
	node string // this node's name in the news it sends, to skip its own

	mu   sync.RWMutex
	subs map[string][]func(key string)

	once     sync.Once
	stop     context.CancelFunc
	done     chan struct{}
	received atomic.Int64
	log      *slog.Logger
}

// Subscribe calls fn with the key of every change another node announces
// on topic (the node that makes a change updates its own caches). A key of "" means "anything may have changed": the listener
// lost its connection and news may have been missed, so fn drops all it
// holds. fn runs on the listener's goroutine and must be quick.
func (d *DB) Subscribe(topic string, fn func(key string)) {
	c := &d.changes
	c.mu.Lock()
	if c.subs == nil {
		c.subs = map[string][]func(string){}
	}
	c.subs[topic] = append(c.subs[topic], fn)
	c.mu.Unlock()
	if d.Dialect == Postgres {
		c.once.Do(func() {
			ctx, cancel := context.WithCancel(context.Background())
			c.stop, c.done = cancel, make(chan struct{})
			go d.listen(ctx)
		})
	}
}

// Announce tells the other nodes' subscribers of topic that key changed;
// they hear of it through the database within milliseconds. Call it after
// the change is committed, having updated this node's own caches. Keys
// are short (ids); the database refuses news of 8,000 bytes or more.
func (d *DB) Announce(ctx context.Context, topic, key string) {
	if d.Dialect != Postgres {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := d.W.ExecContext(ctx, `SELECT pg_notify($1, $2)`, changesChannel, d.changes.node+" "+topic+" "+key); err != nil {
		// The other nodes' caches expire by themselves; say so loudly.
		d.logger().Error("announce a change", "topic", topic, "key", key, "err", err)
	}
}

// ChangesReceived counts the news this node has heard from the database
// (for the operators' metrics).
func (d *DB) ChangesReceived() int64 { return d.changes.received.Load() }

// SetLogger names where the database's background work reports trouble.
func (d *DB) SetLogger(l *slog.Logger) { d.changes.log = l }

func (d *DB) logger() *slog.Logger {
	if d.changes.log != nil {
		return d.changes.log
	}
	return slog.Default()
}

func (c *changes) deliver(topic, key string) {
	c.mu.RLock()
	fns := c.subs[topic]
	c.mu.RUnlock()
	for _, fn := range fns {
		fn(key)
	}
}

// everything tells every subscriber that news may have been missed.
func (c *changes) everything() {
	c.mu.RLock()
	var fns []func(string)
	for _, s := range c.subs {
		fns = append(fns, s...)
	}
	c.mu.RUnlock()
	for _, fn := range fns {
		fn("")
	}
}

// listen holds one connection of its own listening on the channel, and
// opens another when it is lost (the database restarted, the network
// broke), telling subscribers that they may have missed news.
func (d *DB) listen(ctx context.Context) {
	c := &d.changes
	defer close(c.done)
	wait := 100 * time.Millisecond
	for first := true; ctx.Err() == nil; first = false {
		conn, err := pgx.Connect(ctx, withoutJIT(d.URL))
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+changesChannel)
		}
		if err == nil {
			if !first {
				c.everything()
			}
			wait = 100 * time.Millisecond
			err = c.receive(ctx, conn)
		}
		if conn != nil {
			closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
			conn.Close(closeCtx)
			cancel()
		}
		if ctx.Err() != nil {
			return
		}
		d.logger().Warn("listening for changes", "err", err, "retry_in", wait)
		c.everything() // what was cached may be stale now
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

func (c *changes) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		node, news, _ := strings.Cut(n.Payload, " ")
		if node == c.node {
			continue
		}
		c.received.Add(1)
		topic, key, _ := strings.Cut(news, " ")
		c.deliver(topic, key)
	}
}

// closeChanges stops the listener.
func (d *DB) closeChanges() {
	if c := &d.changes; c.stop != nil {
		c.stop()
		<-c.done
	}
}
