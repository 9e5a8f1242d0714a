package db_test

import (
	"context"
	"testing"

	"dxhub/internal/platform/db"
	"dxhub/internal/platform/db/dbtest"
)

// The hash Go computes for queries is the one SQL computes in migrations.
func TestHash64MatchesSQL(t *testing.T) {
	d := dbtest.Open(t)
	expr := "hash64($1)"
	if d.Dialect == db.Postgres {
		expr = "('x' || substr(md5($1), 1, 16))::bit(64)::bigint"
	}
	seen := map[int64]string{}
	for _, s := range []string{"", "a", "mbox:mailto:hv@example.vn", "account:https://lms.example.vn|hv42", "https://dxhub.gov.vn/xapi/activities/khóa-học/kỹ-năng-số", "6f1c2a5e-3b7d-4c8e-9f10-000000000042"} {
		var got int64
		if err := d.R.QueryRowContext(context.Background(), `SELECT `+expr, s).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if want := db.Hash64(s); got != want {
			t.Errorf("%q: SQL %d, Go %d", s, got, want)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("%q and %q hash alike", s, other)
		}
		seen[got] = s
	}
	// Known values, negative ones included (the top bit is the sign).
	if got := db.Hash64(""); got != -3162216497309240828 {
		t.Errorf(`Hash64("") = %d`, got)
	}
	if got := db.Hash64("a"); got != 919145239626757800 {
		t.Errorf(`Hash64("a") = %d`, got)
	}
}

// Warming an index works on both engines, on PostgreSQL with and without
// pg_prewarm; a missing index is an error wherever warming reads.
func TestWarmIndex(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	if err := d.WarmIndex(ctx, "xapi_statements", "xapi_statements_verb"); err != nil {
		t.Fatal(err)
	}
	if d.Dialect == db.SQLite {
		if err := d.WarmIndex(ctx, "xapi_keys", ""); err != nil {
			t.Fatal(err)
		}
	}
	if d.Dialect == db.Postgres {
		if _, err := d.W.ExecContext(ctx, `CREATE EXTENSION pg_prewarm`); err != nil {
			t.Fatalf("pg_prewarm (in Debian's postgresql package): %v", err)
		}
		if err := d.WarmIndex(ctx, "xapi_statements", "xapi_statements_actor_h"); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.WarmIndex(ctx, "xapi_statements", "no_such_index"); err == nil {
		t.Fatal("warming an index that does not exist did not fail")
	}
}
