// Package db opens dxhub's database (embedded SQLite or PostgreSQL), runs the
// embedded migrations and hides the few differences between the two engines
// (dialect.go), with small helpers for reading rows (rows.go) and batching
// writes (group.go). It knows nothing about any domain.
//
// What only SQLite needs sits in files named sqlite_*: the checkpointer
// that keeps the write-ahead log short (sqlite_wal.go), readers that read
// at random with the kernel's read-ahead off (sqlite_random_linux.go) and
// the opt-in keeper of the database's pages in memory (sqlite_resident*.go).
package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// DB is the database handle every service uses. Writes go through W and
// reads through R; on SQLite W is a single connection (one writer, as SQLite
// allows) and R a pool of readers over WAL, on PostgreSQL both are one pool.
type DB struct {
	W       *sql.DB
	R       *sql.DB
	Dialect Dialect
	URL     string
	Path    string // SQLite file path, empty on PostgreSQL

	// SQLite: the writer never checkpoints (a checkpoint inside a commit
	// stalls every write queued behind it); a background connection
	// checkpoints the WAL passively instead.
	ckpt     *sql.DB
	stopCkpt chan struct{}
	ckptDone chan struct{}
	// A descriptor of the database file that stays open until Close
	// (closing any descriptor of a file drops the process's locks on it,
	// which SQLite holds on this one), to sync it ahead of checkpoints.
	dbFile *os.File
	// restartFrames is walRestartBytes in pages of this database.
	restartFrames int
	keeper        *resident // see KeepInMemory

	changes changes // see Announce
}

// Open connects to url: "sqlite:PATH" (PATH may be ":memory:" only for
// throw-away use) or "postgres://...".
func Open(ctx context.Context, rawURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(rawURL, "sqlite:"), rawURL)
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL)
	default:
		return nil, fmt.Errorf("database URL %q: want sqlite:PATH or postgres://", rawURL)
	}
}

// SQLiteSync is the writer's synchronous setting: FULL for every server;
// the tests' throw-away databases (package dbtest) set NORMAL, which
// survives a killed process but not a power cut, and spares the suite a
// sync per commit.
var SQLiteSync = "FULL"

// busyTimeoutMS is how long a SQLite connection waits for a lock.
const busyTimeoutMS = 10000

// readerCacheKiB is the page cache of each reading connection: SQLite's
// default. In WAL mode a connection empties its cache when it begins a
// read after another connection has committed, which under writes is
// before nearly every query, and SQLite gives each page back to the
// allocator and takes a new one for the next read, up to the cache's
// size, the allocator zeroing it anew on first touch. With a small cache a
// reader soon reuses its own pages instead (docs/performance.md).
const readerCacheKiB = 2000

func openSQLite(ctx context.Context, path, raw string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty path")
	}
	q := url.Values{}
	// No memory map: a page fault on a part of the file not in memory has
	// the kernel read the device's whole read-ahead around it, far more
	// than a read of the page (docs/performance.md), and SQLite maps the
	// file anew whenever another connection has committed. The driver applies _pragma values
	// sorted as text, so each pragma is given once.
	for _, p := range []string{"journal_mode(WAL)", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS), "foreign_keys(ON)", "mmap_size(0)"} {
		q.Add("_pragma", p)
	}
	rq := url.Values{"_pragma": append([]string{fmt.Sprintf("cache_size(-%d)", readerCacheKiB), "synchronous(NORMAL)"}, q["_pragma"]...)}
	readers := rq.Encode()
	// Every commit syncs the WAL before it returns, so that what dxhub
	// acknowledges survives a power cut or a kernel crash, not only a
	// killed process. Writes are committed in groups (group.go), so that
	// is one sync per group, not per answer saved (docs/performance.md
	// has the cost).
	q.Add("_pragma", "synchronous("+SQLiteSync+")")
	q.Set("_txlock", "immediate")
	q.Add("_pragma", "wal_autocheckpoint(0)")
	// Once checkpointed, the WAL is written again from its start and keeps
	// up to 2 GiB of its file: writing over blocks the file already has
	// costs the kernel less than extending it, and a busy writer writes
	// thousands of pages a second.
	q.Add("_pragma", "journal_size_limit(2147483648)")
	// The one writer keeps up to 512 MiB of pages: those a group commit
	// dirties (thousands of statements touch pages all over their
	// indexes) stay until the commit instead of spilling to the WAL
	// midway, and the index pages new rows land on stay between commits
	// (inside a write transaction SQLite reads a page with a system call,
	// not through the memory map). The cache grows only as pages are used.
	q.Add("_pragma", "cache_size(-524288)")
	// A statement that changes many rows and may fail halfway (a multi-row
	// INSERT with a unique column) keeps a copy of each page it changes
	// first, to undo just itself: in memory, not in a temporary file
	// written page by page.
	q.Add("_pragma", "temp_store(MEMORY)")
	w, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+readers+"&mode=ro")
	if err != nil {
		w.Close()
		return nil, err
	}
	// Readers: twice the cores. More only take turns on the same cores.
	// Queries that wait for a reader get one in random order (database/sql
	// hands a freed connection to any waiter); a first-come-first-served
	// turn in front of the pool made no difference (docs/performance.md).
	nReaders := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(nReaders)
	r.SetMaxIdleConns(nReaders)
	ck, err := sql.Open("sqlite", "file:"+path+"?"+readers)
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	ck.SetMaxOpenConns(1)
	d := &DB{W: w, R: r, Dialect: SQLite, URL: raw, Path: path, ckpt: ck, stopCkpt: make(chan struct{}), ckptDone: make(chan struct{})}
	if f, err := os.Open(path); err == nil {
		d.dbFile = f
	}
	var pageSize int
	if err := w.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		d.Close()
		return nil, err
	}
	d.restartFrames = walRestartBytes / pageSize
	go d.checkpointer()
	return d, nil
}

func openPostgres(ctx context.Context, raw string) (*DB, error) {
	p, err := sql.Open("pgx", withoutJIT(raw))
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(32)
	p.SetConnMaxIdleTime(5 * time.Minute)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	d := &DB{W: p, R: p, Dialect: Postgres, URL: raw}
	d.changes.node = rand.Text()
	return d, nil
}

// DurabilityWarnings says what in the database's settings lets a commit
// dxhub acknowledges be lost in a crash of the database's machine
// (PostgreSQL's synchronous_commit or fsync turned off); nothing on
// SQLite, whose settings dxhub makes itself.
func (d *DB) DurabilityWarnings(ctx context.Context) ([]string, error) {
	if d.Dialect != Postgres {
		return nil, nil
	}
	var warnings []string
	for _, setting := range []string{"synchronous_commit", "fsync"} {
		var v string
		if err := d.W.QueryRowContext(ctx, `SELECT current_setting($1)`, setting).Scan(&v); err != nil {
			return nil, err
		}
		if v == "off" {
			warnings = append(warnings, fmt.Sprintf("PostgreSQL has %s=off: commits dxhub acknowledges can be lost if the database's machine crashes", setting))
		}
	}
	return warnings, nil
}

// Close closes both pools. On SQLite the writer closes last and copies the
// whole WAL into the database first, so that the next start does not begin
// by reading and copying what this run left in it.
func (d *DB) Close() error {
	d.closeChanges()
	var err error
	if d.R != d.W {
		err = d.R.Close()
	}
	if d.keeper != nil {
		d.keeper.close()
	}
	if d.ckpt != nil {
		close(d.stopCkpt)
		<-d.ckptDone
		d.ckpt.Close()
		d.W.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	if e := d.W.Close(); err == nil {
		err = e
	}
	if d.dbFile != nil {
		d.dbFile.Close()
	}
	return err
}

// WarmIndex reads every page of an index into memory, so that the writes
// that follow find the pages they change there instead of each waiting on
// a read (a server does this at start for the indexes that take writes all
// over). On SQLite the pages go to the writer's own cache; on PostgreSQL to
// shared buffers through the pg_prewarm extension, when the database has
// it (CREATE EXTENSION pg_prewarm), and otherwise nothing happens.
func (d *DB) WarmIndex(ctx context.Context, table, index string) error {
	if d.Dialect != SQLite {
		var pages int64
		err := d.W.QueryRowContext(ctx, `SELECT pg_prewarm($1)`, index).Scan(&pages)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42883" { // undefined_function: no extension
			return nil
		}
		return err
	}
	var n int64
	if index == "" { // a WITHOUT ROWID table: its one b-tree
		return d.W.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n)
	}
	return d.W.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` INDEXED BY `+index).Scan(&n)
}

// Ping checks that the database answers; /readyz uses it.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.R.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// Tx runs fn in one write transaction, committed when fn returns nil.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// NewID returns a new identifier: a UUID version 7 (RFC 9562), ordered by
// the time it was made, made in Go so the same SQL runs on both engines.
// Identifiers made before are shorter; both kinds live side by side.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// Now is the time stored in rows: Unix milliseconds, UTC by construction.
func Now() int64 { return time.Now().UnixMilli() }

// Flag stores a boolean as the INTEGER 0 or 1 both engines read back.
func Flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Token returns n random bytes as lowercase hex, for secrets shown once.
func Token(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Strings runs a query that returns one text column (ids, codes) and
// collects it.
func Strings(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]string, error) {
	return Column[string](q.QueryContext(ctx, query, args...))
}

// withoutJIT turns PostgreSQL's JIT compilation off for the connections
// unless the URL sets it: dxhub's queries are short, and compiling a plan
// that the planner over-estimates costs more than running it.
func withoutJIT(raw string) string {
	if strings.Contains(raw, "jit=") {
		return raw
	}
	if strings.HasPrefix(raw, "postgres://") || strings.HasPrefix(raw, "postgresql://") {
		if strings.Contains(raw, "?") {
			return raw + "&jit=off"
		}
		return raw + "?jit=off"
	}
	return raw + " jit=off"
}
