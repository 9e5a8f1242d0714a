package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"testing/fstest"

	"crypto/sha256"
	"encoding/hex"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"sort"
)

// migrations holds the SQL both engines share (common/) and the few files
// that differ (sqlite/, postgres/). Version numbers are unique across a
// common folder and either engine folder, so the merged set is one sequence.
//
//go:embed migrations
var migrations embed.FS

// Migrate applies every pending migration. Several nodes starting together
// on PostgreSQL take turns through an advisory lock.
func (d *DB) Migrate(ctx context.Context) error {
	p, err := d.migrations()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// MigrateTo applies the pending migrations up to version, for tests of
// migrations that change data already stored.
func (d *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := d.migrations()
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrate to %d: %w", version, err)
	}
	return nil
}

// migrations is the goose provider over the embedded migrations of d's
// engine.
func (d *DB) migrations() (*goose.Provider, error) {
	fsys, err := migrationFS(d.Dialect)
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	dialect := goose.DialectSQLite3
	if d.Dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, d.W, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

func migrationFS(d Dialect) (fs.FS, error) {
	out := fstest.MapFS{}
	for _, dir := range []string{"migrations/common", "migrations/" + string(d)} {
		entries, err := fs.ReadDir(migrations, dir)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			b, err := fs.ReadFile(migrations, path.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			if _, dup := out[e.Name()]; dup {
				return nil, fmt.Errorf("migration %s appears twice", e.Name())
			}
			out[e.Name()] = &fstest.MapFile{Data: b}
		}
	}
	return out, nil
}

// MigrationsDigest identifies the migrations an engine runs (their names
// and contents): a test suite keeps one migrated database per digest to
// copy, instead of migrating a database for every test.
func MigrationsDigest(d Dialect) (string, error) {
	fsys, err := migrationFS(d)
	if err != nil {
		return "", err
	}
	mf := fsys.(fstest.MapFS)
	names := make([]string, 0, len(mf))
	for n := range mf {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n + "\x00"))
		h.Write(mf[n].Data)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
