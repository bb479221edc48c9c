// Package store opens the vault's SQLite file and keeps its schema current.
//
// # Durability
//
// The vault is one SQLite file in WAL mode with synchronous=FULL, foreign keys
// on and a busy timeout, so a crash at any instant leaves either the old or the
// new state of a transaction. Write transactions start IMMEDIATE so two writers
// (the window and a CLI run, say) queue on the busy timeout instead of failing
// on a lock upgrade; a write that still waits longer than the timeout fails
// with ErrBusy, never with SQLite's own "database is locked".
//
// # Files and permissions
//
// The folder is created 0700 and the file 0600 before SQLite touches it; SQLite
// gives its -wal and -shm files the database file's mode.
//
// # Migrations
//
// goose migrations from package migrations are applied through the provider
// API. Before any migration runs on an existing vault a `VACUUM INTO` copy is
// written next to it, so an upgrade that goes wrong can be undone by hand.
// Opening never writes when no migration is pending: read-only commands and
// refused operations leave the file byte-for-byte as it was.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite" // also registers the pure-Go "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"sharedvault/migrations"
)

var (
	// ErrNotFound is returned when a vault file or a record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrCorrupt is returned when the file is not a readable SQLite database.
	ErrCorrupt = errors.New("vault file is damaged or is not a sharedvault vault")
	// ErrNewerFormat is returned when the file was written by a newer sharedvault.
	ErrNewerFormat = errors.New("vault was written by a newer version of sharedvault")
	// ErrExists is returned by Create when a vault file already exists.
	ErrExists = errors.New("a vault already exists at this path")
	// ErrBusy is returned when another process kept the vault locked for
	// longer than the busy timeout.
	ErrBusy = errors.New("the vault is busy: another sharedvault process is writing to it")
	// ErrDiskWrite is returned instead of SQLite's "disk I/O error" or
	// "database or disk is full": a vault file (or the pre-migration
	// backup) could not be written. SQLite rolled the transaction back.
	ErrDiskWrite = errors.New("write failed: the disk is full, a file size limit was reached or the disk failed")
)

// IsDiskWrite reports whether err is ErrDiskWrite or SQLite's SQLITE_FULL or
// SQLITE_IOERR (any extended code but a failed read: a file that cannot be
// read is damaged, not full).
func IsDiskWrite(err error) bool {
	if errors.Is(err, ErrDiskWrite) {
		return true
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() {
	case sqlite3.SQLITE_IOERR_READ, sqlite3.SQLITE_IOERR_SHORT_READ:
		return false
	}
	return se.Code()&0xff == sqlite3.SQLITE_FULL || se.Code()&0xff == sqlite3.SQLITE_IOERR
}

// DiskWrite returns ErrDiskWrite when err is a SQLite write failure, whose
// text ("disk I/O error (778)") means nothing to a person, and err otherwise.
func DiskWrite(err error) error {
	if err != nil && !errors.Is(err, ErrDiskWrite) && IsDiskWrite(err) {
		return ErrDiskWrite
	}
	return err
}

// IsBusy reports whether err is ErrBusy or SQLite's "database is locked"
// (SQLITE_BUSY, with any extended code).
func IsBusy(err error) bool {
	var se *sqlite.Error
	return errors.Is(err, ErrBusy) || (errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY)
}

// Busy returns ErrBusy when err is SQLite's "database is locked", whose
// text means nothing to a person, and err otherwise.
func Busy(err error) error {
	if err != nil && IsBusy(err) {
		return ErrBusy
	}
	return err
}

// busyTimeoutMS is how long a connection waits for another's lock; a
// variable only so tests can provoke a timeout without waiting 10 s.
var busyTimeoutMS atomic.Int64

func init() { busyTimeoutMS.Store(10000) }

// SetBusyTimeoutForTests shortens the lock wait of vaults opened from now
// on; tests only. It returns a function that restores the previous value.
func SetBusyTimeoutForTests(d time.Duration) (restore func()) {
	old := busyTimeoutMS.Swap(d.Milliseconds())
	return func() { busyTimeoutMS.Store(old) }
}

var sqliteMagic = []byte("SQLite format 3\x00")

// migrationsFS holds the goose migrations. A variable only so an in-package
// test can add a later migration and exercise the upgrade path (backup,
// migrate) that the single shipped migration never reaches.
var migrationsFS fs.FS = migrations.FS

// DB is an open vault database.
type DB struct {
	*sql.DB
	Path string
	// Backup is the path of the copy written before migrations ran, if any.
	Backup string
}

// Exists reports whether a vault file is at path.
func Exists(path string) (bool, error) {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return st.Mode().IsRegular(), nil
}

// Create makes a new vault file at path (refusing to overwrite one) and applies
// every migration.
func Create(ctx context.Context, path string) (*DB, error) {
	if ok, err := Exists(path); err != nil {
		return nil, err
	} else if ok {
		return nil, fmt.Errorf("%w: %s", ErrExists, path)
	}
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create vault folder: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create vault file: %w", err)
	}
	f.Close()
	db, err := open(path)
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
		db.Close()
		os.Remove(path)
		return nil, fmt.Errorf("enable WAL: %w", err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		os.Remove(path)
		return nil, err
	}
	return db, nil
}

// Open opens an existing vault, checks its integrity and migrates it when its
// schema is older than this binary's.
func Open(ctx context.Context, path string) (*DB, error) {
	if err := checkMagic(path); err != nil {
		return nil, err
	}
	db, err := open(path)
	if err != nil {
		return nil, err
	}
	if err := db.quickCheck(ctx); err != nil {
		db.Close()
		return nil, err
	}
	have, err := db.schemaVersion(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	want := LatestSchemaVersion()
	switch {
	case have > want:
		db.Close()
		return nil, fmt.Errorf("%w (schema %d, this binary knows up to %d)", ErrNewerFormat, have, want)
	case have < want:
		if err := db.backupBeforeMigration(ctx, have); err != nil {
			db.Close()
			return nil, err
		}
		if err := migrate(ctx, db); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

func checkMagic(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: no vault at %s", ErrNotFound, path)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 100)
	if _, err := io.ReadFull(f, head); err != nil {
		return fmt.Errorf("%w: %s is too short", ErrCorrupt, path)
	}
	if !bytes.HasPrefix(head, sqliteMagic) {
		return fmt.Errorf("%w: %s", ErrCorrupt, path)
	}
	return nil
}

func open(path string) (*DB, error) {
	q := url.Values{}
	busy := fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS.Load())
	for _, p := range []string{busy, "foreign_keys(1)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open vault: %w", err)
	}
	sdb.SetMaxOpenConns(4)
	sdb.SetConnMaxIdleTime(time.Minute)
	return &DB{DB: sdb, Path: path}, nil
}

func (db *DB) quickCheck(ctx context.Context) error {
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&res); err != nil {
		if IsBusy(err) { // locked by another process, not damaged
			return ErrBusy
		}
		if IsDiskWrite(err) { // the -shm file could not grow: not damaged either
			return fmt.Errorf("open vault: %w", ErrDiskWrite)
		}
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if res != "ok" {
		return fmt.Errorf("%w: integrity check: %s", ErrCorrupt, res)
	}
	return nil
}

// schemaVersion reads goose's bookkeeping without creating it, so a plain open
// never writes.
func (db *DB) schemaVersion(ctx context.Context) (int64, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='goose_db_version'").Scan(&n)
	if err != nil {
		if IsBusy(err) {
			return 0, ErrBusy
		}
		if IsDiskWrite(err) {
			return 0, fmt.Errorf("open vault: %w", ErrDiskWrite)
		}
		return 0, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("%w: no schema information", ErrCorrupt)
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT max(version_id) FROM goose_db_version WHERE is_applied").Scan(&v); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return v.Int64, nil
}

// LatestSchemaVersion is the newest migration this binary carries.
// goose names migrations NNNNN_description.sql; the number is the version.
func LatestSchemaVersion() int64 {
	names, err := fs.Glob(migrationsFS, "*.sql")
	if err != nil || len(names) == 0 {
		panic("no embedded migrations: a build defect")
	}
	var latest int64
	for _, n := range names {
		num, _, _ := strings.Cut(n, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			panic("migration " + n + " has no version number: a build defect")
		}
		latest = max(latest, v)
	}
	return latest
}

func newProvider(db *sql.DB) (*goose.Provider, error) {
	return goose.NewProvider(goose.DialectSQLite3, db, migrationsFS)
}

func migrate(ctx context.Context, db *DB) error {
	p, err := newProvider(db.DB)
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate vault: %w", DiskWrite(err))
	}
	return nil
}

func (db *DB) backupBeforeMigration(ctx context.Context, from int64) error {
	name := fmt.Sprintf("%s.bak-v%d-%s", db.Path, from, time.Now().UTC().Format("20060102T150405Z"))
	// VACUUM INTO accepts an empty file: creating it first gives it 0600 from the start.
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("backup before migration: %w", err)
	}
	f.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", name); err != nil {
		os.Remove(name)
		return fmt.Errorf("backup before migration (nothing was migrated): %w", DiskWrite(err))
	}
	db.Backup = name
	return nil
}

// IsBackup reports whether name looks like a pre-migration backup of a vault.
func IsBackup(name string) bool { return strings.Contains(filepath.Base(name), ".bak-v") }
