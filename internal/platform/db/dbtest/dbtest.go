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

// Engine names the engine the suite runs on this time.
func Engine() string {
	if os.Getenv("DXHUB_TEST_POSTGRES") != "" {
		return "postgres"
	}
	return "sqlite"
}

// Open returns a migrated empty database closed at the end of the test.
// On PostgreSQL it is a copy of a database migrated once per set of
// migrations (CREATE DATABASE … TEMPLATE): a tenth of migrating each
// test's schema, which was most of the suite's time there.
func Open(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	raw := ""
	if pg := os.Getenv("DXHUB_TEST_POSTGRES"); pg != "" {
		raw = copyOfTemplate(t, pg)
	} else {
		raw = URL(t)
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
	name := "t_" + strings.ReplaceAll(db.NewID(), "-", "")
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + tpl); err != nil {
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
