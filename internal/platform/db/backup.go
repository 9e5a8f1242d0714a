package db

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// Backup writes a consistent copy of a SQLite database to dest while the
// server keeps running (VACUUM INTO reads one snapshot). PostgreSQL is backed
// up with pg_dump instead; docs/operations.md says how.
func (d *DB) Backup(ctx context.Context, dest string) error {
	if d.Dialect != SQLite {
		return errors.New("backup: use pg_dump for PostgreSQL (see docs/operations.md)")
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("backup: %s already exists", dest)
	}
	if _, err := d.W.ExecContext(ctx, `VACUUM INTO $1`, dest); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	return nil
}
