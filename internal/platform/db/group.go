package db

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// What an operator watches of the group commits on exam day: how many
// writes each commit carries and how long a write waits for its commit.
var (
	groupBatch = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "dxhub_group_commit_batch_size", Help: "Writes committed together, by writer.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512},
	}, []string{"writer"})
	groupWait = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "dxhub_group_commit_wait_seconds", Help: "Time from a write's arrival to its commit, by writer.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"writer"})
)

func init() { prometheus.MustRegister(groupBatch, groupWait) }

// GroupCommit batches small writes from many requests into one transaction:
// one goroutine takes every write waiting at that moment, commits them
// together and then answers each caller. A caller returns only after its
// write is committed, so an acknowledged write is durable, but a burst of N
// writes costs one commit instead of N (and on SQLite, readers' page caches
// are invalidated once per batch instead of once per write).
type GroupCommit[T any] struct {
	db        *DB
	write     func(ctx context.Context, tx *sql.Tx, items []T) error
	committed func(items []T)
	max       int
	ch        chan pending[T]
	stop      chan struct{}
	wg        sync.WaitGroup
	once      sync.Once
	// mu orders Do's sends before Close: a send happens only while not
	// closed, so everything sent is drained and committed by the loop.
	mu     sync.RWMutex
	closed bool

	batchSize prometheus.Observer
	wait      prometheus.Observer
}

type pending[T any] struct {
	item T
	done chan error
	at   time.Time
}

// ErrClosed is returned by Do after Close.
var ErrClosed = errors.New("group commit closed")

// NewGroupCommit starts the writer; write stores a batch inside tx.
func NewGroupCommit[T any](d *DB, max int, write func(ctx context.Context, tx *sql.Tx, items []T) error) *GroupCommit[T] {
	return NewGroupCommitThen(d, max, write, nil)
}

// NewGroupCommitThen is NewGroupCommit with committed called on the
// writer's goroutine after each commit, with the items it stored, before
// their callers are answered and before the next transaction begins: in
// the order of the commits.
func NewGroupCommitThen[T any](d *DB, max int, write func(ctx context.Context, tx *sql.Tx, items []T) error, committed func(items []T)) *GroupCommit[T] {
	g := &GroupCommit[T]{db: d, write: write, committed: committed, max: max, ch: make(chan pending[T], max), stop: make(chan struct{})}
	g.Named("other")
	g.wg.Add(1)
	go g.loop()
	return g
}

// Named names the writer in the metrics (exam, lrs, audit ...).
func (g *GroupCommit[T]) Named(name string) *GroupCommit[T] {
	g.batchSize, g.wait = groupBatch.WithLabelValues(name), groupWait.WithLabelValues(name)
	return g
}

// Do writes item and returns once it is committed, or ErrClosed (nothing
// written) once Close has begun.
func (g *GroupCommit[T]) Do(ctx context.Context, item T) error {
	p := pending[T]{item: item, done: make(chan error, 1), at: time.Now()}
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return ErrClosed
	}
	select {
	case g.ch <- p:
		g.mu.RUnlock()
	case <-ctx.Done():
		g.mu.RUnlock()
		return ctx.Err()
	}
	// The write goes ahead even if ctx ends now; wait for its outcome so
	// the caller never reports failure for a write that was committed.
	return <-p.done
}

// Close stops the writer after the writes already queued.
func (g *GroupCommit[T]) Close() {
	g.once.Do(func() {
		g.mu.Lock()
		g.closed = true
		g.mu.Unlock()
		close(g.stop)
	})
	g.wg.Wait()
}

func (g *GroupCommit[T]) loop() {
	defer g.wg.Done()
	batch := make([]pending[T], 0, g.max)
	for {
		batch = batch[:0]
		select {
		case p := <-g.ch:
			batch = append(batch, p)
		case <-g.stop:
			for {
				select {
				case p := <-g.ch:
					g.commit([]pending[T]{p})
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < g.max {
			select {
			case p := <-g.ch:
				batch = append(batch, p)
			default:
				break fill
			}
		}
		g.commit(batch)
	}
}

func (g *GroupCommit[T]) commit(batch []pending[T]) {
	items := make([]T, len(batch))
	for i, p := range batch {
		items[i] = p.item
	}
	ctx := context.Background()
	err := g.db.Tx(ctx, func(tx *sql.Tx) error { return g.write(ctx, tx, items) })
	if err != nil && len(batch) > 1 {
		// One bad write must not fail its neighbours: retry one by one.
		for _, p := range batch {
			one := []T{p.item}
			err := g.db.Tx(ctx, func(tx *sql.Tx) error { return g.write(ctx, tx, one) })
			if err == nil && g.committed != nil {
				g.committed(one)
			}
			p.done <- err
		}
		return
	}
	if err == nil && g.committed != nil {
		g.committed(items)
	}
	g.batchSize.Observe(float64(len(batch)))
	now := time.Now()
	for _, p := range batch {
		g.wait.Observe(now.Sub(p.at).Seconds())
		p.done <- err
	}
}
