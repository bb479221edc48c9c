package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// holdWriteLock starts a write transaction on db and keeps it open until
// the returned function is called, as another process in the middle of a
// write does.
func holdWriteLock(t *testing.T, db *DB) (release func()) {
	t.Helper()
	tx, err := db.BeginTx(context.Background(), nil) // IMMEDIATE: takes the write lock now
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO settings (key, value) VALUES ('busy_test', 'held')"); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			t.Error(err)
		}
	}
}

// TestWriterWaitsThenGetsErrBusy: a second writer waits for the busy
// timeout, then fails with an error that IsBusy recognises and Busy turns
// into ErrBusy (no SQLite text); once the lock is released it gets through.
func TestWriterWaitsThenGetsErrBusy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vault.db")
	holder := createDB(t, path)
	release := holdWriteLock(t, holder)
	defer release()

	const wait = 150 * time.Millisecond
	restore := SetBusyTimeoutForTests(wait)
	second := openDB(t, path)
	restore()
	start := time.Now()
	_, err := second.BeginTx(ctx, nil)
	waited := time.Since(start)
	if err == nil {
		t.Fatal("second writer got the write lock while the first held it")
	}
	if waited < wait {
		t.Errorf("second writer failed after %v, before the %v busy timeout", waited, wait)
	}
	if !strings.Contains(err.Error(), "database is locked") || !IsBusy(err) {
		t.Fatalf("driver error %q: IsBusy=%v, want SQLite's busy error", err, IsBusy(err))
	}
	if got := Busy(err); got != ErrBusy {
		t.Errorf("Busy(%q) = %v, want ErrBusy", err, got)
	}
	for _, other := range []error{nil, ErrCorrupt, sql.ErrNoRows} {
		if IsBusy(other) || Busy(other) != other {
			t.Errorf("IsBusy(%v) = %v, Busy = %v: only busy errors are busy", other, IsBusy(other), Busy(other))
		}
	}

	release()
	tx, err := second.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("after the lock was released: %v", err)
	}
	tx.Rollback()
}

// TestOpenWhileLockedOutIsBusyNotCorrupt: a vault another connection holds
// exclusively cannot be read; Open must say busy, not "damaged, restore from
// a backup".
func TestOpenWhileLockedOutIsBusyNotCorrupt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vault.db")
	createDB(t, path).Close()

	holder := openDB(t, path)
	conn, err := holder.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{"PRAGMA locking_mode=EXCLUSIVE", "BEGIN EXCLUSIVE", "INSERT INTO settings (key, value) VALUES ('busy_test', 'held')"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	defer conn.ExecContext(ctx, "ROLLBACK")

	defer SetBusyTimeoutForTests(50 * time.Millisecond)()
	db, err := Open(ctx, path)
	if err == nil {
		db.Close()
		t.Fatal("Open read a vault another connection holds exclusively")
	}
	if !errors.Is(err, ErrBusy) || errors.Is(err, ErrCorrupt) {
		t.Errorf("Open: %v, want ErrBusy (and not ErrCorrupt)", err)
	}
}
