package db_test

import (
	"context"
	"fmt"
	"testing"

	"dxhub/internal/platform/db"
	"dxhub/internal/platform/db/dbtest"
)

// Migrations 00013 and 00014 fill the hash columns of statements stored
// before them with the values Go computes for queries, on both engines;
// on SQLite 00016 then lists the statement under each of its keys and
// marks every part of the key table written up to it.
func TestMigrationFillsKeyHashes(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.MigrateTo(ctx, 12); err != nil {
		t.Fatal(err)
	}
	const actor, object, reg = "account:https://lms.example.vn|hv42", "https://lms.example.vn/activities/7", "6f1c2a5e-3b7d-4c8e-9f10-000000000042"
	var stored int64
	if err := d.W.QueryRowContext(ctx, `INSERT INTO xapi_statements (id, unit_path, client_id, actor_key, verb_id, object_type, object_key, registration, stored, body)
		VALUES ('a0000000-0000-4000-8000-000000000001', '/', 'c', $1, 'http://adlnet.gov/expapi/verbs/completed', 'Activity', $2, $3, 1, '{}') RETURNING seq`, actor, object, reg).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	// The same key twice, as earlier code could store it.
	for _, k := range []string{"https://lms.example.vn/courses/1", "https://lms.example.vn/courses/1"} {
		if _, err := d.W.ExecContext(ctx, `INSERT INTO xapi_related (seq, kind, key) VALUES ($1, 'a', $2)`, stored, k); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var ah, oh, rh int64
	if err := d.R.QueryRowContext(ctx, `SELECT actor_h, object_h, registration_h FROM xapi_statements WHERE seq = $1`, stored).Scan(&ah, &oh, &rh); err != nil {
		t.Fatal(err)
	}
	if ah != db.Hash64(actor) || oh != db.Hash64(object) || rh != db.Hash64(reg) {
		t.Errorf("hashes %d %d %d, want %d %d %d", ah, oh, rh, db.Hash64(actor), db.Hash64(object), db.Hash64(reg))
	}
	seqs, err := db.Strings(ctx, d.R, `SELECT seq FROM xapi_related WHERE key_h = $1 AND key = $2 AND kind = 'a'`, db.Hash64("https://lms.example.vn/courses/1"), "https://lms.example.vn/courses/1")
	if err != nil || len(seqs) == 0 || seqs[0] != fmt.Sprint(stored) {
		t.Errorf("related key by hash: %v, %v", seqs, err)
	}
	if d.Dialect != db.SQLite {
		return
	}
	for _, h := range []int64{ah, oh, rh} {
		var n int
		if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM xapi_keys WHERE key_h = $1 AND kseq = $2`, h, stored).Scan(&n); err != nil || n != 1 {
			t.Errorf("key entry %d: %d rows, %v", h, n, err)
		}
	}
	var parts, upTo int64
	if err := d.R.QueryRowContext(ctx, `SELECT count(*), min(seq) FROM xapi_keys_done`).Scan(&parts, &upTo); err != nil || parts != 256 || upTo != stored {
		t.Errorf("key parts: %d written up to %d (%v), want 256 up to %d", parts, upTo, err, stored)
	}
}
