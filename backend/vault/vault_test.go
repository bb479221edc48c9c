package vault

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var testAD = AD{Kind: "secret", Record: "devops.pat", Field: "token", Version: 1}

// closedVault creates a vault holding one sealed value, closes it and
// returns its path and the sealed value.
func closedVault(t *testing.T) (path string, sealed []byte) {
	t.Helper()
	v, path := createTestVault(t, Options{})
	sealed, err := v.Seal(testAD, []byte("pat-value"))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	return path, sealed
}

func TestCreateCloseOpenUnlock(t *testing.T) {
	ctx := context.Background()
	v, path := createTestVault(t, Options{})
	if v.Locked() {
		t.Fatal("Create returned a locked vault")
	}
	info := v.Info()
	sealed, err := v.Seal(testAD, []byte("pat-value"))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(ctx, path, passA, Options{}); !errors.Is(err, ErrAlreadyExists) {
		t.Errorf("Create over an existing vault: error = %v, want ErrAlreadyExists", err)
	}

	v, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if !v.Locked() {
		t.Fatal("Open returned an unlocked vault")
	}
	if diff := cmp.Diff(info, v.Info()); diff != "" {
		t.Errorf("Info after reopen (-created +opened):\n%s", diff)
	}
	if diff := cmp.Diff(cheapKDF, v.Info().KDF); diff != "" {
		t.Errorf("KDF in header (-want +got):\n%s", diff)
	}
	if _, err := v.Open(testAD, sealed); !errors.Is(err, ErrLocked) {
		t.Errorf("Open of a value while locked: error = %v, want ErrLocked", err)
	}
	if err := v.Unlock(ctx, passA); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if got, err := openBuf(t, v, testAD, sealed); err != nil || string(got) != "pat-value" {
		t.Errorf("value after reopen = %q, %v", got, err)
	}
	if n, err := v.VerifyAudit(ctx); err != nil || n < 1 {
		t.Errorf("VerifyAudit = %d, %v; want ≥1 entry (vault.create)", n, err)
	}
}

func TestOpenMissing(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "nope.db"), Options{})
	if !errors.Is(err, ErrNotInitialized) {
		t.Errorf("Open of a missing file: error = %v, want ErrNotInitialized", err)
	}
}

func TestCreateRefusesEmptyPassphrase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.db")
	if _, err := Create(context.Background(), path, nil, Options{}); !errors.Is(err, ErrEmptyPassphrase) {
		t.Errorf("error = %v, want ErrEmptyPassphrase", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused Create left a file: %v", err)
	}
}

func TestWrongPassphraseChangesOnlyPendingAudit(t *testing.T) {
	ctx := context.Background()
	path, sealed := closedVault(t)
	before := dumpTables(t, path, "pending_audit")

	v, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, wrong := range [][]byte{passB, []byte("x"), append([]byte{}, passA[:len(passA)-1]...)} {
		if err := v.Unlock(ctx, wrong); !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("Unlock(%q) error = %v, want ErrWrongPassphrase", wrong, err)
		}
	}
	if !v.Locked() {
		t.Fatal("vault unlocked after wrong passphrases")
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}

	after := dumpTables(t, path, "pending_audit")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("failed unlocks changed the vault beyond pending_audit (-before +after):\n%s", diff)
	}
	pending := dumpTables(t, path)["pending_audit"][1:]
	if len(pending) != 3 {
		t.Fatalf("pending_audit has %d rows, want 3:\n%s", len(pending), strings.Join(pending, "\n"))
	}
	for _, row := range pending {
		if !strings.Contains(row, "action=vault.unlock_failed") {
			t.Errorf("pending row %q does not record a failed unlock", row)
		}
	}

	// The next correct unlock chains the pending entries into the log.
	v, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.Unlock(ctx, passA); err != nil {
		t.Fatal(err)
	}
	if got, err := openBuf(t, v, testAD, sealed); err != nil || string(got) != "pat-value" {
		t.Errorf("value = %q, %v", got, err)
	}
	var n int
	if err := v.DB().QueryRowContext(ctx, "SELECT count(*) FROM pending_audit").Scan(&n); err != nil || n != 0 {
		t.Errorf("pending_audit after unlock: %d rows, %v; want 0", n, err)
	}
	entries, err := v.AuditLog().List(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var failed int
	for _, e := range entries {
		if e.Action == "vault.unlock_failed" {
			failed++
			if e.Detail["pending"] != "true" {
				t.Errorf("moved entry %d lacks pending=true: %v", e.Seq, e.Detail)
			}
		}
	}
	if failed != 3 {
		t.Errorf("audit_log has %d vault.unlock_failed entries, want 3", failed)
	}
	if count, err := v.VerifyAudit(ctx); err != nil || count != len(entries) {
		t.Errorf("VerifyAudit = %d, %v; want %d, nil", count, err, len(entries))
	}
}

// A damaged, truncated or newer vault is reported with a sentinel error and
// not written to: the bytes on disk are the same after Open and Unlock.
func TestOpenRefusesDamagedOrNewerVault(t *testing.T) {
	path, _ := closedVault(t)
	original, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Fatal("-wal left after Close: the copies would miss data")
	}
	sqlCase := func(stmts ...string) func(t *testing.T, p string) {
		return func(t *testing.T, p string) { execSQL(t, p, stmts...) }
	}
	truncate := func(n func(size int) int) func(t *testing.T, p string) {
		return func(t *testing.T, p string) {
			if err := os.Truncate(p, int64(n(len(original)))); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
		want   error
	}{
		{"kdf_iterations=0", sqlCase("UPDATE vault_header SET kdf_iterations = 0"), ErrCorrupt},
		{"kdf_parallelism=0", sqlCase("UPDATE vault_header SET kdf_parallelism = 0"), ErrCorrupt},
		{"kdf_parallelism=256", sqlCase("UPDATE vault_header SET kdf_parallelism = 256"), ErrCorrupt},
		{"kdf_memory too small", sqlCase("UPDATE vault_header SET kdf_memory_kib = 7"), ErrCorrupt},
		{"kdf_memory 2^32", sqlCase("UPDATE vault_header SET kdf_memory_kib = 4294967296"), ErrCorrupt},
		{"kdf_memory negative", sqlCase("UPDATE vault_header SET kdf_memory_kib = -1"), ErrCorrupt},
		{"kdf_iterations 2^32+1", sqlCase("UPDATE vault_header SET kdf_iterations = 4294967297"), ErrCorrupt},
		{"unknown kdf", sqlCase("UPDATE vault_header SET kdf_algorithm = 'scrypt'"), ErrCorrupt},
		{"salt 15 bytes", sqlCase("UPDATE vault_header SET kdf_salt = substr(kdf_salt, 1, 15)"), ErrCorrupt},
		{"salt 32 bytes", sqlCase("UPDATE vault_header SET kdf_salt = kdf_salt || kdf_salt"), ErrCorrupt},
		{"salt as text", sqlCase("UPDATE vault_header SET kdf_salt = 'abc'"), ErrCorrupt},
		{"header row missing", sqlCase("DELETE FROM vault_header"), ErrCorrupt},
		{"header table missing", sqlCase("DROP TABLE vault_header"), ErrCorrupt},
		{"format_version=0", sqlCase("UPDATE vault_header SET format_version = 0"), ErrCorrupt},
		{"format_version=99", sqlCase("UPDATE vault_header SET format_version = 99"), ErrNewerFormat},
		{"schema version 999", sqlCase("INSERT INTO goose_db_version (version_id, is_applied) VALUES (999, 1)"), ErrNewerFormat},
		{"no schema table", sqlCase("DROP TABLE goose_db_version"), ErrCorrupt},
		{"truncated to half", truncate(func(n int) int { return n / 2 }), ErrCorrupt},
		{"truncated to 50 bytes", truncate(func(int) int { return 50 }), ErrCorrupt},
		{"truncated to 4096 bytes", truncate(func(int) int { return 4096 }), ErrCorrupt},
		{"empty file", truncate(func(int) int { return 0 }), ErrCorrupt},
		{"not sqlite", func(t *testing.T, p string) {
			if err := os.WriteFile(p, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
				t.Fatal(err)
			}
		}, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			p := filepath.Join(dir, "vault.db")
			copyFile(t, path, p)
			tt.damage(t, p)
			before := snapshotFiles(t, dir)

			v, err := Open(ctx, p, Options{})
			if err == nil {
				// Should not happen; Unlock must then still refuse.
				err = v.Unlock(ctx, passA)
				v.Close()
				t.Errorf("Open succeeded; Unlock error = %v", err)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
			t.Logf("error: %v", err)
			if err != nil && (err.Error() == "" || strings.Contains(err.Error(), "%!")) {
				t.Errorf("unclear message %q", err)
			}

			after := snapshotFiles(t, dir)
			if diff := cmp.Diff(sortedKeys(before), sortedKeys(after)); diff != "" {
				t.Errorf("files in the vault folder changed (-before +after):\n%s", diff)
			}
			for name, b := range before {
				if after[name] != b {
					t.Errorf("%s changed on disk (%d → %d bytes)", name, len(b), len(after[name]))
				}
			}
		})
	}
}

// The header's KDF parameters are bound into the data-key wrap: lowering
// them by editing the file does not give a cheaper way in.
func TestHeaderKDFEditBreaksUnlock(t *testing.T) {
	ctx := context.Background()
	path, _ := closedVault(t)
	tests := []struct{ name, stmt string }{
		{"weaker memory", "UPDATE vault_header SET kdf_memory_kib = 32"},
		{"other iterations", "UPDATE vault_header SET kdf_iterations = kdf_iterations + 1"},
		{"other salt", "UPDATE vault_header SET kdf_salt = zeroblob(16)"},
		{"other vault id", "UPDATE vault_header SET vault_id = '00000000000000000000000000000000'"},
		{"wrapped key zeroed", "UPDATE vault_header SET wrapped_data_key = zeroblob(length(wrapped_data_key))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "vault.db")
			copyFile(t, path, p)
			execSQL(t, p, tt.stmt)
			v, err := Open(ctx, p, Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer v.Close()
			if err := v.Unlock(ctx, passA); !errors.Is(err, ErrWrongPassphrase) {
				t.Errorf("Unlock with the right passphrase after %q: error = %v, want ErrWrongPassphrase", tt.stmt, err)
			}
		})
	}
}

// Each part of the header that the wrap's AD binds changes the AD. (A
// black-box edit of the KDF parameters already changes the KEK, so only a
// direct check shows the binding itself.)
func TestWrapADBindsHeader(t *testing.T) {
	base := header{vaultID: "0123", formatVersion: 1, kdf: DefaultKDF(), salt: make([]byte, saltSize)}
	mut := func(f func(h *header)) header {
		h := base
		h.salt = append([]byte{}, base.salt...)
		f(&h)
		return h
	}
	tests := map[string]header{
		"vault id":    mut(func(h *header) { h.vaultID = "0124" }),
		"memory":      mut(func(h *header) { h.kdf.MemoryKiB /= 2 }),
		"iterations":  mut(func(h *header) { h.kdf.Iterations = 1 }),
		"parallelism": mut(func(h *header) { h.kdf.Parallelism = 1 }),
		"salt":        mut(func(h *header) { h.salt[0] = 1 }),
	}
	for name, h := range tests {
		if string(wrapAD(h)) == string(wrapAD(base)) {
			t.Errorf("%s not bound: wrapAD = %q for both", name, wrapAD(h))
		}
	}
}

func TestChangePassphrase(t *testing.T) {
	ctx := context.Background()
	v, path := createTestVault(t, Options{})
	sealed, err := v.Seal(testAD, []byte("pat-value"))
	if err != nil {
		t.Fatal(err)
	}
	saltBefore := dumpTables(t, path)["vault_header"]
	if err := v.ChangePassphrase(ctx, nil); !errors.Is(err, ErrEmptyPassphrase) {
		t.Errorf("ChangePassphrase(empty) error = %v, want ErrEmptyPassphrase", err)
	}
	if err := v.ChangePassphrase(ctx, passB); err != nil {
		t.Fatalf("ChangePassphrase: %v", err)
	}
	// Still unlocked and usable in this session.
	if got, err := openBuf(t, v, testAD, sealed); err != nil || string(got) != "pat-value" {
		t.Errorf("value right after the change = %q, %v", got, err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(saltBefore, dumpTables(t, path)["vault_header"]); diff == "" {
		t.Error("vault_header unchanged by ChangePassphrase")
	}

	v, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.Unlock(ctx, passA); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Unlock(old) error = %v, want ErrWrongPassphrase", err)
	}
	if err := v.Unlock(ctx, passB); err != nil {
		t.Fatalf("Unlock(new): %v", err)
	}
	if got, err := openBuf(t, v, testAD, sealed); err != nil || string(got) != "pat-value" {
		t.Errorf("value after reopen = %q, %v", got, err)
	}
	entries, err := v.AuditLog().List(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	want := []string{"vault.create", "vault.passphrase_changed", "vault.unlock_failed"}
	if diff := cmp.Diff(want, actions); diff != "" {
		t.Errorf("audit actions (-want +got):\n%s", diff)
	}
	if _, err := v.VerifyAudit(ctx); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}

	v.Lock()
	if err := v.ChangePassphrase(ctx, passA); !errors.Is(err, ErrLocked) {
		t.Errorf("ChangePassphrase while locked: error = %v, want ErrLocked", err)
	}
}

func TestLockBlocksSealAndOpen(t *testing.T) {
	ctx := context.Background()
	v, _ := createTestVault(t, Options{})
	sealed, err := v.Seal(testAD, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	var hooks atomic.Int32
	v.OnLock(func() { hooks.Add(1) })
	v.Lock()
	v.Lock() // a second Lock is a no-op and does not re-run hooks
	if !v.Locked() {
		t.Fatal("not locked after Lock")
	}
	if got := hooks.Load(); got != 1 {
		t.Errorf("OnLock ran %d times, want 1", got)
	}
	if _, err := v.Seal(testAD, []byte("x")); !errors.Is(err, ErrLocked) {
		t.Errorf("Seal while locked: error = %v, want ErrLocked", err)
	}
	if _, err := v.Open(testAD, sealed); !errors.Is(err, ErrLocked) {
		t.Errorf("Open while locked: error = %v, want ErrLocked", err)
	}
	if _, err := v.Fingerprint(ctx, v.DB(), []byte("x")); !errors.Is(err, ErrLocked) {
		t.Errorf("Fingerprint while locked: error = %v, want ErrLocked", err)
	}
	if _, err := v.VerifyAudit(ctx); !errors.Is(err, ErrLocked) {
		t.Errorf("VerifyAudit while locked: error = %v, want ErrLocked", err)
	}
	if err := v.Unlock(ctx, passA); err != nil {
		t.Fatal(err)
	}
	if _, err := openBuf(t, v, testAD, sealed); err != nil {
		t.Errorf("Open after Unlock: %v", err)
	}
}

func TestAutoLock(t *testing.T) {
	ctx := context.Background()
	path, sealed := closedVault(t)
	const idle = 50 * time.Millisecond

	t.Run("locks when idle", func(t *testing.T) {
		v, err := Open(ctx, path, Options{AutoLock: idle})
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		locked := make(chan struct{}, 1)
		v.OnLock(func() { locked <- struct{}{} })
		start := time.Now()
		if err := v.Unlock(ctx, passA); err != nil {
			t.Fatal(err)
		}
		if got := v.AutoLock(); got != idle {
			t.Errorf("AutoLock() = %v, want %v", got, idle)
		}
		select {
		case <-locked:
		case <-time.After(5 * time.Second):
			t.Fatal("OnLock did not fire within 5 s of a 50 ms idle time")
		}
		if took := time.Since(start); took < idle {
			t.Errorf("locked after %v, before the %v idle time", took, idle)
		}
		if !v.Locked() {
			t.Error("OnLock fired but the vault is not locked")
		}
		if _, err := v.Open(testAD, sealed); !errors.Is(err, ErrLocked) {
			t.Errorf("Open after auto-lock: error = %v, want ErrLocked", err)
		}
	})

	// Robust to a slow machine: a late timer or a stalled loop only makes
	// the lock later, never earlier than idle after the last activity.
	activities := []struct {
		name string
		do   func(v *Vault) error
	}{
		{"Touch", func(v *Vault) error { v.Touch(); return nil }},
		{"Seal", func(v *Vault) error { _, err := v.Seal(testAD, []byte("x")); return err }},
		{"Open", func(v *Vault) error { _, err := openBuf(t, v, testAD, sealed); return err }},
	}
	for _, act := range activities {
		t.Run(act.name+" postpones", func(t *testing.T) {
			const idle = 120 * time.Millisecond
			v, err := Open(ctx, path, Options{AutoLock: idle})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			lockedAt := make(chan time.Time, 4)
			v.OnLock(func() { lockedAt <- time.Now() })
			if err := v.Unlock(ctx, passA); err != nil {
				t.Fatal(err)
			}
			// Stay active for 3× the idle time, every idle/4.
			var acts []time.Time
			for end := time.Now().Add(3 * idle); time.Now().Before(end); {
				time.Sleep(idle / 4)
				at := time.Now()
				if err := act.do(v); errors.Is(err, ErrLocked) {
					break // locked meanwhile: checked below
				} else if err != nil {
					t.Fatal(err)
				}
				acts = append(acts, at)
			}
			var at time.Time
			select {
			case at = <-lockedAt:
			case <-time.After(5 * time.Second):
				t.Fatal("did not lock within 5 s after activity stopped")
			}
			// A stall of the loop itself longer than idle legitimately
			// locks the vault mid-loop; the timing is then inconclusive.
			for i := 1; i < len(acts); i++ {
				if d := acts[i].Sub(acts[i-1]); d > idle*3/4 && acts[i].Before(at) {
					t.Skipf("machine stalled: %v between two activities", d)
				}
			}
			var last time.Time
			for _, a := range acts {
				if a.Before(at) {
					last = a
				}
			}
			if gap := at.Sub(last); gap < idle {
				t.Errorf("locked %v after the last activity (%d activities), want ≥ %v", gap, len(acts), idle)
			}
			if len(acts) < 6 {
				t.Logf("machine too slow: only %d activities before the lock", len(acts))
			}
			if !v.Locked() {
				t.Error("OnLock fired but the vault is not locked")
			}
			select {
			case <-lockedAt:
				t.Error("OnLock fired twice")
			case <-time.After(50 * time.Millisecond):
			}
		})
	}

	t.Run("never", func(t *testing.T) {
		v, err := Open(ctx, path, Options{AutoLock: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		if err := v.Unlock(ctx, passA); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		if v.Locked() {
			t.Error("AutoLock < 0 locked anyway")
		}
	})
}
