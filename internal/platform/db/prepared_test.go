package db

import (
	"context"
	"path/filepath"
	"testing"
)

// Prepared keeps statements up to its bound, gives the same statement for
// the same SQL, and past the bound leaves the caller to run it unprepared.
func TestPreparedBound(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	p := NewPrepared(d.R, 2)
	defer p.Close()
	a, err := p.Stmt(ctx, `SELECT 1`)
	if err != nil || a == nil {
		t.Fatalf("first statement: %v, %v", a, err)
	}
	if again, _ := p.Stmt(ctx, `SELECT 1`); again != a || p.Kept(`SELECT 1`) != a {
		t.Error("the same SQL prepared twice")
	}
	if b, err := p.Stmt(ctx, `SELECT 2`); err != nil || b == nil {
		t.Fatalf("second statement: %v, %v", b, err)
	}
	if c, err := p.Stmt(ctx, `SELECT 3`); err != nil || c != nil || p.Kept(`SELECT 3`) != nil {
		t.Errorf("past the bound: %v, %v", c, err)
	}
	if _, err := NewPrepared(d.R, 2).Stmt(ctx, `SELECT FROM nowhere`); err == nil {
		t.Error("bad SQL prepared")
	}
	var n int
	if err := a.QueryRowContext(ctx).Scan(&n); err != nil || n != 1 {
		t.Errorf("kept statement runs: %d, %v", n, err)
	}
}
