package db

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared keeps statements prepared on one pool, by their SQL, up to a
// bound: for queries whose parsing and planning cost more than running
// them (long multi-row inserts, unions over several indexes). Its zero
// value is not usable; make one with NewPrepared.
type Prepared struct {
	pool *sql.DB
	max  int
	mu   sync.Mutex
	m    map[string]*sql.Stmt
}

// NewPrepared keeps up to max statements prepared on pool.
func NewPrepared(pool *sql.DB, max int) *Prepared {
	return &Prepared{pool: pool, max: max, m: map[string]*sql.Stmt{}}
}

// Stmt returns q prepared, preparing it now if needed; nil when max
// statements are kept already (the caller runs q unprepared). Preparing
// takes a connection of the pool: on SQLite's single writer, never call it
// for q not yet kept while a transaction holds that connection.
func (p *Prepared) Stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	p.mu.Lock()
	st, full := p.m[q], len(p.m) >= p.max
	p.mu.Unlock()
	if st != nil || full {
		return st, nil
	}
	st, err := p.pool.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev := p.m[q]; prev != nil { // prepared meanwhile
		st.Close()
		return prev, nil
	}
	p.m[q] = st
	return st, nil
}

// Kept returns q if it is kept prepared, without preparing it.
func (p *Prepared) Kept(q string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[q]
}

// Close closes the statements kept; Stmt prepares again afterwards.
func (p *Prepared) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for q, st := range p.m {
		st.Close()
		delete(p.m, q)
	}
}
