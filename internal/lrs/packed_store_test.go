package lrs

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"dxhub/internal/platform/db"
	"dxhub/internal/platform/db/dbtest"
)

// Statements stored before migration 15 (JSON as text) and after it
// (packed) are read back alike, by id and by query, on both engines.
func TestStatementsBeforeAndAfterPacking(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.MigrateTo(ctx, 14); err != nil {
		t.Fatal(err)
	}
	const activity = "https://lms.example.vn/activities/7"
	old := `{"actor":{"mbox":"mailto:an@example.vn"},"id":"a0000000-0000-4000-8000-000000000001","object":{"id":"` + activity + `"},"stored":"2026-01-01T00:00:00.000Z","verb":{"id":"http://adlnet.gov/expapi/verbs/completed"}}`
	if _, err := d.W.ExecContext(ctx, `INSERT INTO xapi_statements (id, unit_path, client_id, actor_key, actor_h, verb_id, object_type, object_key, object_h, registration, stored, body)
		VALUES ('a0000000-0000-4000-8000-000000000001', '/', 'c', 'mbox:mailto:an@example.vn', $1, 'http://adlnet.gov/expapi/verbs/completed', 'Activity', $2, $3, '', 1, $4)`,
		db.Hash64("mbox:mailto:an@example.vn"), activity, db.Hash64(activity), old); err != nil {
		t.Fatal(err)
	}
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := &Store{DB: d, BaseURL: "https://dxhub.gov.vn"}
	defer s.Close()
	st := mustDecode(t, `{"actor":{"mbox":"mailto:binh@example.vn","name":"Bình <&>"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"`+activity+`"}}`)
	ids, err := s.Save(ctx, &Client{ID: "c", UnitPath: "/", Name: "t", Key: "k"}, []obj{st})
	if err != nil {
		t.Fatal(err)
	}
	var text string
	var packed []byte
	if err := d.R.QueryRowContext(ctx, `SELECT body, bodyz FROM xapi_statements WHERE id = $1`, ids[0]).Scan(&text, &packed); err != nil {
		t.Fatal(err)
	}
	if text != "" || len(packed) == 0 || packed[0] != packVersion1 {
		t.Fatalf("new statement stored as body %q, bodyz %d bytes", text, len(packed))
	}
	got, err := s.One(ctx, "/", ids[0], false)
	if err != nil || !strings.Contains(string(got), `"name":"Bình \u003c\u0026\u003e"`) || !json.Valid(got) {
		t.Errorf("new statement read back as %s, %v", got, err)
	}
	if got, err := s.One(ctx, "/", "a0000000-0000-4000-8000-000000000001", false); err != nil || string(got) != old {
		t.Errorf("old statement read back as %s, %v", got, err)
	}
	page, err := s.Find(ctx, Query{Scope: "/", Activity: activity, Limit: 10})
	if err != nil || len(page.Statements) != 2 || string(page.Statements[1]) != old || !strings.Contains(string(page.Statements[0]), ids[0]) {
		t.Errorf("query by activity: %d statements, %v", len(page.Statements), err)
	}
	// The same statement sent again is recognised as already stored.
	var again obj
	if err := decode(got, &again); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Save(ctx, &Client{ID: "c", UnitPath: "/", Name: "t", Key: "k"}, []obj{again}); err != nil {
		t.Errorf("same statement sent again: %v", err)
	}
}
