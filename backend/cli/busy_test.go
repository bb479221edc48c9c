package cli

import (
	"context"
	"testing"
	"time"

	"sharedvault/backend/store"
)

// busyOutput is what a person sees when another process kept the vault
// locked past the busy timeout: the product's words, not SQLite's.
const busyOutput = "sharedvault: error: the vault is busy: another sharedvault process is writing to it\n" +
	"sharedvault: hint: try again when the other sharedvault process (the window or another command) has finished writing\n"

// TestBusyVaultSaysSo holds the vault's lock from another connection (as
// the window or another command in the middle of a write does) and runs
// commands with a short busy timeout: they fail with exit 1 and the busy
// message, and work again once the lock is released.
func TestBusyVaultSaysSo(t *testing.T) {
	ctx := context.Background()
	c := newCLIVault(t)
	defer store.SetBusyTimeoutForTests(100 * time.Millisecond)()
	other, err := store.Open(ctx, c.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	expectBusy := func(args ...string) {
		t.Helper()
		code, out, errs := c.run("", args...)
		if code != ExitFailure || out != "" || errs != busyOutput {
			t.Errorf("%v while locked: exit %d\nstdout %q\nstderr %q\nwant exit %d and\n%s", args, code, out, errs, ExitFailure, busyOutput)
		}
	}

	t.Run("write lock held", func(t *testing.T) {
		tx, err := other.BeginTx(ctx, nil) // IMMEDIATE: holds the write lock
		if err != nil {
			t.Fatal(err)
		}
		expectBusy("boards", "add", "Web", "--system", "devops", "--project", "P")
		expectBusy("global", "on")
		c.ok("status") // reading does not wait for a writer
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		c.ok("boards", "add", "Web", "--system", "devops", "--project", "P")
	})

	// Opening a vault it cannot read is busy too, not "damaged, restore it
	// from a backup".
	t.Run("locked exclusively", func(t *testing.T) {
		conn, err := other.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, q := range []string{"PRAGMA locking_mode=EXCLUSIVE", "BEGIN EXCLUSIVE", "UPDATE settings SET value = value"} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		expectBusy("status")
		for _, q := range []string{"ROLLBACK", "PRAGMA locking_mode=NORMAL"} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	})
}
