package db

import (
	"context"
	"database/sql/driver"
	"hash/fnv"
)

// Alone runs fn unless another node is running the work of the same name
// at this moment, and says whether it ran. On PostgreSQL it holds a
// session advisory lock on a connection of its own while fn runs: the
// database lets one holder have it, and releases it when the connection
// ends, so the work of a node that dies (kill -9, power) is free for the
// next node's turn at once. On SQLite there is one node, and fn runs.
//
// Work run this way must still record what it did in the same database,
// so that the next turn (on whichever node) does not do it again.
func (d *DB) Alone(ctx context.Context, name string, fn func(context.Context) error) (bool, error) {
	if d.Dialect != Postgres {
		return true, fn(ctx)
	}
	conn, err := d.W.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	h := fnv.New64a()
	h.Write([]byte("dxhub:" + name))
	key := int64(h.Sum64())
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil || !got {
		return false, err
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key); err != nil {
			// A connection that may still hold the lock must not go
			// back to the pool: closing it releases the lock.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	return true, fn(ctx)
}
