package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Scanner is a row being read, *sql.Row or *sql.Rows; scan functions take
// it so that one function reads a row from either. (An alias, so that any
// func(interface{ Scan(...any) error }) is a scan function.)
type Scanner = interface{ Scan(dest ...any) error }

// Querier runs queries: a pool (*sql.DB), a transaction or a connection.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Query runs query and reads every row with scan. It replaces the
// rows.Next loop each query would otherwise write out again.
func Query[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return Collect(rows, scan)
}

// Collect reads every row of rows with scan and closes them, for a query
// built and run by hand.
func Collect[T any](rows *sql.Rows, scan func(Scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Column collects the one column of rows, as returned with err by a
// query, and closes them.
func Column[T any](rows *sql.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	return Collect(rows, func(r Scanner) (T, error) {
		var v T
		err := r.Scan(&v)
		return v, err
	})
}

// Each runs query and calls row for every row read, then closes the rows
// and reports an error of the iteration itself (which a bare rows.Next
// loop must remember to ask rows.Err for). For a loop that builds maps or
// totals rather than a list; Query collects a list.
func Each(ctx context.Context, q Querier, row func(Scanner) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CountsByIDs runs query over ids, 500 at a time, and adds up what it
// counts per id. The query selects (id, count) and holds "%s" where the
// list of placeholders for the ids goes: `... WHERE x IN (%s) GROUP BY x`.
func CountsByIDs(ctx context.Context, q Querier, query string, ids []string) (map[string]int, error) {
	out := map[string]int{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		err := Each(ctx, q, func(r Scanner) error {
			var id string
			var c int
			if err := r.Scan(&id, &c); err != nil {
				return err
			}
			out[id] += c
			return nil
		}, fmt.Sprintf(query, Numbered(1, n)), args...)
		if err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
}

// InsertRows inserts rows of equal width with one statement per few
// hundred rows: head is "INSERT INTO t (a, b) VALUES ", tail what
// follows the values (an ON CONFLICT clause, or empty).
func InsertRows(ctx context.Context, tx *sql.Tx, head, tail string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	width := len(rows[0])
	per := max(1, 900/width) // under SQLite's and PostgreSQL's bound on parameters
	for i := 0; i < len(rows); i += per {
		chunk := rows[i:min(len(rows), i+per)]
		args := make([]any, 0, len(chunk)*width)
		for _, r := range chunk {
			args = append(args, r...)
		}
		var b strings.Builder
		for r := range chunk {
			if r > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for c := range width {
				if c > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, "$%d", r*width+c+1)
			}
			b.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, head+b.String()+tail, args...); err != nil {
			return err
		}
	}
	return nil
}
