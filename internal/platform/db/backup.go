package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
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

// Restore puts the SQLite copy src in place of the database file dest,
// for a server that is stopped. The copy is checked (its pages and
// indexes) and migrated first, beside dest, so that a bad copy or one that
// cannot be brought up to date leaves dest alone. A database already at
// dest is refused unless replace is set; then it is kept beside, renamed
// with the time of the restore, with its write-ahead log.
func Restore(ctx context.Context, src, dest string, replace bool) (kept string, err error) {
	if _, err := os.Stat(src); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	if _, err := os.Stat(dest); err == nil && !replace {
		return "", fmt.Errorf("restore: %s already exists (stop dxhub, then restore with --replace)", dest)
	}
	work := dest + ".restoring"
	os.Remove(work)
	if err := copyFile(src, work); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(work)
	d, err := Open(ctx, "sqlite:"+work)
	if err != nil {
		return "", fmt.Errorf("restore: %s does not open as a database: %w", src, err)
	}
	var check string
	err = d.W.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check)
	if err == nil && check != "ok" {
		err = fmt.Errorf("the copy is damaged: %s", check)
	}
	if err == nil {
		err = d.Migrate(ctx)
	}
	if e := d.Close(); err == nil {
		err = e
	}
	if err != nil {
		return "", fmt.Errorf("restore from %s: %w", src, err)
	}
	if _, err := os.Stat(dest); err == nil {
		kept = fmt.Sprintf("%s.before-restore-%s", dest, time.Now().Format("20060102-150405"))
		for _, suffix := range []string{"", "-wal"} {
			if err := os.Rename(dest+suffix, kept+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return "", fmt.Errorf("restore: %w", err)
			}
		}
		os.Remove(dest + "-shm")
	}
	if err := os.Rename(work, dest); err != nil {
		return kept, fmt.Errorf("restore: %w", err)
	}
	if dir, err := os.Open(filepath.Dir(dest)); err == nil {
		dir.Sync()
		dir.Close()
	}
	return kept, nil
}

// copyFile copies src to a new file dst and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
