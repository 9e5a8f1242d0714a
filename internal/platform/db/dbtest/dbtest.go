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
	"sync"
	"testing"

	"dxhub/internal/platform/db"
)

// Tests never outlive a power cut: their SQLite databases skip the sync
// of every commit that servers make (db.SQLiteSync).
func init() { db.SQLiteSync = "NORMAL" }

// Engine names the engine the suite runs on this time.
func Engine() string {
	if os.Getenv("DXHUB_TEST_POSTGRES") != "" {
		return "postgres"
	}
	return "sqlite"
}

// Open returns a migrated empty database closed at the end of the test:
// a copy of a database migrated once per set of migrations — on
// PostgreSQL with CREATE DATABASE … TEMPLATE, a tenth of migrating each
// test's schema, which was most of the suite's time there; on SQLite a
// copy of the file, instead of some forty milliseconds of migrations (a
// few hundred under the race detector) per test.
func Open(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	raw := ""
	if pg := os.Getenv("DXHUB_TEST_POSTGRES"); pg != "" {
		raw = copyOfTemplate(t, pg)
	} else {
		raw = copyOfSQLiteTemplate(t)
	}
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

var template struct {
	once sync.Once
	name string
	err  error
}

// withDatabase is pg with its database replaced.
func withDatabase(pg, name string) (string, error) {
	u, err := url.Parse(pg)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// templateDB returns the migrated database tests copy, making it when the
// migrations changed. Test processes run side by side: an advisory lock
// makes one of them build it, under another name renamed when done, so
// that nobody copies a half-migrated one.
func templateDB(pg string) (string, error) {
	template.once.Do(func() {
		template.name, template.err = buildTemplate(pg)
	})
	return template.name, template.err
}

func buildTemplate(pg string) (string, error) {
	ctx := context.Background()
	digest, err := db.MigrationsDigest(db.Postgres)
	if err != nil {
		return "", err
	}
	name := "dxhub_tpl_" + digest[:16]
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(727274)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(727274)`)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil || exists {
		return name, err
	}
	build := name + "_build"
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+build+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+build); err != nil {
		return "", err
	}
	raw, err := withDatabase(pg, build)
	if err != nil {
		return "", err
	}
	d, err := db.Open(ctx, raw)
	if err != nil {
		return "", err
	}
	err = d.Migrate(ctx)
	d.Close()
	if err != nil {
		return "", fmt.Errorf("migrate the template: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+build+` RENAME TO `+name); err != nil {
		return "", err
	}
	return name, nil
}

// copyOfTemplate makes the test's database, a copy of the migrated
// template, dropped at the end of the test.
func copyOfTemplate(t testing.TB, pg string) string {
	t.Helper()
	tpl, err := templateDB(pg)
	if err != nil {
		t.Fatal(err)
	}
	return newDatabase(t, pg, "t_", ` TEMPLATE `+tpl)
}

// newDatabase creates a database named with prefix (and the CREATE
// DATABASE options given), dropped at the end of the test, and returns
// its URL.
func newDatabase(t testing.TB, pg, prefix, options string) string {
	t.Helper()
	name := prefix + strings.ReplaceAll(db.NewID(), "-", "")
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE DATABASE ` + name + options); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		admin.Close()
	})
	raw, err := withDatabase(pg, name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
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

var sqliteTemplate struct {
	once  sync.Once
	bytes []byte
	err   error
}

// copyOfSQLiteTemplate writes the migrated template into the test's
// folder. The template is built once per set of migrations in the
// system's temporary folder (under a name of its own, renamed when done,
// so that processes running side by side never read a half-built one) and
// read once per test process.
func copyOfSQLiteTemplate(t testing.TB) string {
	t.Helper()
	sqliteTemplate.once.Do(func() {
		sqliteTemplate.bytes, sqliteTemplate.err = buildSQLiteTemplate()
	})
	if sqliteTemplate.err != nil {
		t.Fatal(sqliteTemplate.err)
	}
	path := filepath.Join(t.TempDir(), "test.db")
	if err := os.WriteFile(path, sqliteTemplate.bytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return "sqlite:" + path
}

func buildSQLiteTemplate() ([]byte, error) {
	digest, err := db.MigrationsDigest(db.SQLite)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(os.TempDir(), "dxhub-test-"+digest[:16]+".db")
	if b, err := os.ReadFile(path); err == nil {
		return b, nil
	}
	dir, err := os.MkdirTemp("", "dxhub-test-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "template.db")
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+tmp)
	if err != nil {
		return nil, err
	}
	err = d.Migrate(ctx)
	// Closing the last connection folds the WAL into the file: the file
	// alone is the database.
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("migrate the template: %w", err)
	}
	if _, err := os.Stat(tmp + "-wal"); err == nil {
		return nil, fmt.Errorf("the template's WAL was not folded into it")
	}
	b, err := os.ReadFile(tmp)
	if err != nil {
		return nil, err
	}
	// Kept for the next test processes; a rename is atomic.
	if err := os.WriteFile(tmp+".done", b, 0o600); err == nil {
		os.Rename(tmp+".done", path)
	}
	return b, nil
}

// EmptyPostgres returns the URL of a new, empty PostgreSQL database on the
// test command's server, dropped at the end of the test (a place to
// restore a dump into), or "" when the suite runs on SQLite.
func EmptyPostgres(t testing.TB) string {
	t.Helper()
	pg := os.Getenv("DXHUB_TEST_POSTGRES")
	if pg == "" {
		return ""
	}
	return newDatabase(t, pg, "e_", "")
}
