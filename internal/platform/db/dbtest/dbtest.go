// Package dbtest gives each test a fresh, migrated database: SQLite in the
// test's temporary folder, or, when DXHUB_TEST_POSTGRES holds a PostgreSQL
// URL, a schema of its own in that database. The test command runs the
// whole suite once each way.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dxhub/internal/platform/db"
)

// Engine names the engine the suite runs on this time.
func Engine() string {
	if os.Getenv("DXHUB_TEST_POSTGRES") != "" {
		return "postgres"
	}
	return "sqlite"
}

// Open returns a migrated empty database closed at the end of the test.
func Open(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	raw := URL(t)
	d, err := db.Open(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

// URL returns the URL of a fresh empty database for the test.
func URL(t testing.TB) string {
	t.Helper()
	pg := os.Getenv("DXHUB_TEST_POSTGRES")
	if pg == "" {
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	}
	schema := "t_" + strings.ReplaceAll(db.NewID(), "-", "")
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(pg)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return fmt.Sprint(u)
}
