package audit

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	_ "modernc.org/sqlite"
)

// openDB creates a vault-shaped SQLite file with the real schema.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "migrations", "00001_init.sql"))
	if err != nil {
		t.Fatal(err)
	}
	up, _, ok := strings.Cut(string(src), "-- +goose Down")
	_, up, ok2 := strings.Cut(up, "-- +goose Up")
	if !ok || !ok2 {
		t.Fatal("migration has no goose Up/Down sections")
	}
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "vault.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // one connection: the file is private to the test
	if _, err := db.Exec(up); err != nil {
		t.Fatal(err)
	}
	return db
}

var (
	testKey  = bytes.Repeat([]byte{0x42}, KeySize)
	otherKey = bytes.Repeat([]byte{0x43}, KeySize)
	t0       = time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.UTC)
)

// fakeClock returns t0, t0+1s, t0+2s… so entries get distinct times.
func fakeClock() func() time.Time {
	n := 0
	return func() time.Time { n++; return t0.Add(time.Duration(n) * time.Second) }
}

func appendN(t *testing.T, db *sql.DB, l *Log, key []byte, n int) {
	t.Helper()
	for i := range n {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		e := Entry{OSUser: "admin", Action: "secret.set", Subject: "devops.pat", Detail: map[string]string{"fingerprint": "ab12-cd34-ef56", "n": string(rune('a' + i))}}
		if err := l.Append(context.Background(), tx, key, e); err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestAppendListVerify(t *testing.T) {
	db := openDB(t)
	l := New(db, fakeClock())
	appendN(t, db, l, testKey, 5)

	n, err := l.Verify(context.Background(), testKey)
	if err != nil || n != 5 {
		t.Fatalf("Verify() = %d, %v, want 5, nil", n, err)
	}

	got, err := l.List(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Seq: 4, At: t0.Add(4 * time.Second), OSUser: "admin", Action: "secret.set", Subject: "devops.pat", Detail: map[string]string{"fingerprint": "ab12-cd34-ef56", "n": "d"}},
		{Seq: 5, At: t0.Add(5 * time.Second), OSUser: "admin", Action: "secret.set", Subject: "devops.pat", Detail: map[string]string{"fingerprint": "ab12-cd34-ef56", "n": "e"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List(2) mismatch (-want +got):\n%s", diff)
	}
	all, err := l.List(context.Background(), 0)
	if err != nil || len(all) != 5 || all[0].Seq != 1 {
		t.Errorf("List(0) = %d entries starting at %v, %v; want 5 starting at 1", len(all), all, err)
	}

	var head string
	if err := db.QueryRow("SELECT value FROM settings WHERE key = 'audit_head'").Scan(&head); err != nil || !strings.HasPrefix(head, "5:") {
		t.Errorf("audit_head = %q, %v, want 5:<tag>", head, err)
	}
}

func TestVerifyEmpty(t *testing.T) {
	l := New(openDB(t), nil)
	if n, err := l.Verify(context.Background(), testKey); err != nil || n != 0 {
		t.Errorf("Verify() on empty log = %d, %v, want 0, nil", n, err)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, db *sql.DB)
		want   *VerifyError
	}{
		{
			"detail edited",
			func(t *testing.T, db *sql.DB) {
				mustExec(t, db, `UPDATE audit_log SET detail = '{"fingerprint":"0000-0000-0000","n":"c"}' WHERE seq = 3`)
			},
			&VerifyError{Seq: 3, Reason: ReasonEdited},
		},
		{
			"action edited",
			func(t *testing.T, db *sql.DB) {
				mustExec(t, db, `UPDATE audit_log SET action = 'secret.view' WHERE seq = 2`)
			},
			&VerifyError{Seq: 2, Reason: ReasonEdited},
		},
		{
			"time edited",
			func(t *testing.T, db *sql.DB) {
				mustExec(t, db, `UPDATE audit_log SET at = '2020-01-01T00:00:00Z' WHERE seq = 1`)
			},
			&VerifyError{Seq: 1, Reason: ReasonEdited},
		},
		{
			"last entry edited",
			func(t *testing.T, db *sql.DB) {
				mustExec(t, db, `UPDATE audit_log SET os_user = 'mallory' WHERE seq = 5`)
			},
			&VerifyError{Seq: 5, Reason: ReasonEdited},
		},
		{
			"forged row appended",
			func(t *testing.T, db *sql.DB) {
				mustExec(t, db, `INSERT INTO audit_log (seq, at, os_user, action, subject, detail, mac)
					SELECT 6, at, os_user, 'secret.delete', subject, detail, mac FROM audit_log WHERE seq = 5`)
			},
			&VerifyError{Seq: 6, Reason: ReasonInserted},
		},
		{
			"forged row inserted in the middle",
			func(t *testing.T, db *sql.DB) {
				mustExec(t, db, `UPDATE audit_log SET seq = seq + 10 WHERE seq >= 3`)
				mustExec(t, db, `UPDATE audit_log SET seq = seq - 9 WHERE seq >= 13`)
				mustExec(t, db, `INSERT INTO audit_log (seq, at, os_user, action, subject, detail, mac)
					VALUES (3, '2026-03-01T09:30:02.5Z', 'admin', 'global.off', '', '{}', '00')`)
			},
			&VerifyError{Seq: 3, Reason: ReasonInserted},
		},
		{
			"middle row deleted",
			func(t *testing.T, db *sql.DB) { mustExec(t, db, `DELETE FROM audit_log WHERE seq = 3`) },
			&VerifyError{Seq: 3, Reason: ReasonDeleted},
		},
		{
			"middle row deleted and renumbered",
			func(t *testing.T, db *sql.DB) {
				mustExec(t, db, `DELETE FROM audit_log WHERE seq = 3`)
				mustExec(t, db, `UPDATE audit_log SET seq = seq - 1 WHERE seq > 3`)
			},
			&VerifyError{Seq: 3, Reason: ReasonInserted},
		},
		{
			"first row deleted",
			func(t *testing.T, db *sql.DB) { mustExec(t, db, `DELETE FROM audit_log WHERE seq = 1`) },
			&VerifyError{Seq: 1, Reason: ReasonDeleted},
		},
		{
			"last row deleted",
			func(t *testing.T, db *sql.DB) { mustExec(t, db, `DELETE FROM audit_log WHERE seq = 5`) },
			&VerifyError{Seq: 5, Reason: ReasonDeletedEnd},
		},
		{
			"last rows deleted and head rewritten from the remaining row",
			func(t *testing.T, db *sql.DB) {
				mustExec(t, db, `DELETE FROM audit_log WHERE seq >= 4`)
				mustExec(t, db, `UPDATE settings SET value = '3:' || (SELECT mac FROM audit_log WHERE seq = 3) WHERE key = 'audit_head'`)
			},
			&VerifyError{Seq: 3, Reason: ReasonHeadEdited},
		},
		{
			"everything deleted",
			func(t *testing.T, db *sql.DB) { mustExec(t, db, `DELETE FROM audit_log`) },
			&VerifyError{Seq: 1, Reason: ReasonDeletedEnd},
		},
		{
			"head deleted",
			func(t *testing.T, db *sql.DB) { mustExec(t, db, `DELETE FROM settings WHERE key = 'audit_head'`) },
			&VerifyError{Seq: 5, Reason: ReasonHeadMissing},
		},
		{
			"rows reordered",
			func(t *testing.T, db *sql.DB) {
				mustExec(t, db, `UPDATE audit_log SET seq = 100 WHERE seq = 2`)
				mustExec(t, db, `UPDATE audit_log SET seq = 2 WHERE seq = 3`)
				mustExec(t, db, `UPDATE audit_log SET seq = 3 WHERE seq = 100`)
			},
			&VerifyError{Seq: 2, Reason: ReasonInserted},
		},
		{
			"details of two rows swapped",
			func(t *testing.T, db *sql.DB) {
				mustExec(t, db, `UPDATE audit_log SET detail = CASE seq WHEN 2 THEN (SELECT detail FROM audit_log WHERE seq = 4)
					ELSE (SELECT detail FROM audit_log WHERE seq = 2) END WHERE seq IN (2, 4)`)
			},
			// The macs are genuine, so this is content edited in place.
			&VerifyError{Seq: 2, Reason: ReasonEdited},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openDB(t)
			l := New(db, fakeClock())
			appendN(t, db, l, testKey, 5)
			tt.tamper(t, db)

			_, err := l.Verify(context.Background(), testKey)
			var got *VerifyError
			if !errors.As(err, &got) {
				t.Fatalf("Verify() error = %v, want *VerifyError", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("VerifyError mismatch (-want +got):\n%s", diff)
			}
			if !errors.Is(err, ErrTampered) {
				t.Errorf("Verify() error does not wrap ErrTampered")
			}
		})
	}
}

func TestVerifyWrongKey(t *testing.T) {
	db := openDB(t)
	l := New(db, fakeClock())
	appendN(t, db, l, testKey, 3)
	if _, err := l.Verify(context.Background(), otherKey); !errors.Is(err, ErrWrongKey) {
		t.Errorf("Verify(other key) error = %v, want ErrWrongKey", err)
	}
	if _, err := l.Verify(context.Background(), testKey[:16]); err == nil {
		t.Errorf("Verify(short key) succeeded, want error")
	}
}

// After a truncation the next append chains from the head, so the gap stays
// visible instead of being papered over.
func TestAppendAfterTruncationKeepsGap(t *testing.T) {
	db := openDB(t)
	l := New(db, fakeClock())
	appendN(t, db, l, testKey, 5)
	mustExec(t, db, `DELETE FROM audit_log WHERE seq = 5`)
	appendN(t, db, l, testKey, 1)

	_, err := l.Verify(context.Background(), testKey)
	var got *VerifyError
	if !errors.As(err, &got) {
		t.Fatalf("Verify() error = %v, want *VerifyError", err)
	}
	if diff := cmp.Diff(&VerifyError{Seq: 5, Reason: ReasonDeleted}, got); diff != "" {
		t.Errorf("VerifyError mismatch (-want +got):\n%s", diff)
	}
}

func TestAppendRefusesWithoutHead(t *testing.T) {
	db := openDB(t)
	l := New(db, fakeClock())
	appendN(t, db, l, testKey, 2)
	mustExec(t, db, `DELETE FROM settings WHERE key = 'audit_head'`)

	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	err = l.Append(context.Background(), tx, testKey, Entry{Action: "global.on"})
	if !errors.Is(err, ErrTampered) {
		t.Errorf("Append() without head error = %v, want ErrTampered", err)
	}
}

func TestAppendRollsBackWithCaller(t *testing.T) {
	db := openDB(t)
	l := New(db, fakeClock())
	appendN(t, db, l, testKey, 1)

	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(context.Background(), tx, testKey, Entry{Action: "global.on"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n, err := l.Verify(context.Background(), testKey); err != nil || n != 1 {
		t.Errorf("Verify() after rollback = %d, %v, want 1, nil", n, err)
	}
}

func TestAppendRejects(t *testing.T) {
	tests := []struct {
		name string
		key  []byte
		e    Entry
	}{
		{"short key", testKey[:31], Entry{Action: "a"}},
		{"no action", testKey, Entry{}},
		{"nul in subject", testKey, Entry{Action: "a", Subject: "x\x00y"}},
	}
	db := openDB(t)
	l := New(db, fakeClock())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if err := l.Append(context.Background(), tx, tt.key, tt.e); err == nil {
				t.Errorf("Append() succeeded, want error")
			}
		})
	}
}

func TestPendingFlush(t *testing.T) {
	db := openDB(t)
	l := New(db, fakeClock())
	appendN(t, db, l, testKey, 2)

	ctx := context.Background()
	for _, subj := range []string{"first", "second"} {
		if err := l.Pending(ctx, Entry{OSUser: "admin", Action: "vault.unlock_failed", Subject: subj}); err != nil {
			t.Fatal(err)
		}
	}
	// Pending entries are outside the chain until flushed.
	if n, err := l.Verify(ctx, testKey); err != nil || n != 2 {
		t.Fatalf("Verify() before flush = %d, %v, want 2, nil", n, err)
	}

	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.FlushPending(ctx, tx, testKey); err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	if n, err := l.Verify(ctx, testKey); err != nil || n != 4 {
		t.Fatalf("Verify() after flush = %d, %v, want 4, nil", n, err)
	}
	var left int
	if err := db.QueryRow("SELECT count(*) FROM pending_audit").Scan(&left); err != nil || left != 0 {
		t.Errorf("pending_audit has %d rows, %v, want 0", left, err)
	}
	got, err := l.List(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Seq: 3, At: t0.Add(3 * time.Second), OSUser: "admin", Action: "vault.unlock_failed", Subject: "first", Detail: map[string]string{"pending": "true"}},
		{Seq: 4, At: t0.Add(4 * time.Second), OSUser: "admin", Action: "vault.unlock_failed", Subject: "second", Detail: map[string]string{"pending": "true"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List() after flush mismatch (-want +got):\n%s", diff)
	}
}

func TestFlushPendingOnEmptyLog(t *testing.T) {
	db := openDB(t)
	l := New(db, fakeClock())
	ctx := context.Background()
	if err := l.Pending(ctx, Entry{Action: "vault.unlock_failed"}); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.FlushPending(ctx, tx, testKey); err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if n, err := l.Verify(ctx, testKey); err != nil || n != 1 {
		t.Errorf("Verify() = %d, %v, want 1, nil", n, err)
	}
}

func TestCurrentOSUser(t *testing.T) {
	if got := CurrentOSUser(); got == "" {
		t.Errorf("CurrentOSUser() = %q, want a name", got)
	}
}
