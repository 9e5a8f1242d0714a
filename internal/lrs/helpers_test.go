package lrs

import (
	"testing"

	"dxhub/internal/platform/db"
)

// mustDecode is a statement's JSON as the handler decodes it.
func mustDecode(t *testing.T, body string) obj {
	t.Helper()
	var st obj
	if err := decode([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// testStore is a store on d, closed at the end of the test (before a
// database from dbtest.Open, which was opened first).
func testStore(t *testing.T, d *db.DB) *Store {
	s := &Store{DB: d, BaseURL: "https://dxhub.gov.vn"}
	t.Cleanup(s.Close)
	return s
}
