//go:build unix

package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sharedvault/backend/testsupport/asnobody"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awnumar/memguard"
	"golang.org/x/sys/unix"
)

const helperDirEnv = "SHAREDVAULT_VAULT_TEST_DIR"

// helperMemlock creates, locks, reopens and unlocks a vault in
// $SHAREDVAULT_VAULT_TEST_DIR and seals and opens some values: the
// operations that use memguard, also from several goroutines at once. Then it keeps opened values alive until the
// guard refuses one (it must, at any finite limit), destroys them and checks
// the vault works again. It prints "WARNING: <text>" when MemlockWarning
// has one, "EXHAUSTED <n>: <message>" and "OK" on success, or
// "MEMLOCK-TOO-LOW: <message>" when the vault refuses to start.
func helperMemlock() int {
	ctx := context.Background()
	if w := MemlockWarning(); w != "" {
		fmt.Printf("WARNING: %s\n", w)
	}
	path := filepath.Join(os.Getenv(helperDirEnv), "vault.db")
	fail := func(what string, err error) int {
		var low *ErrMemlockTooLow
		if errors.As(err, &low) {
			fmt.Printf("MEMLOCK-TOO-LOW: %v\n", err)
			return 3
		}
		fmt.Printf("FAIL %s: %v\n", what, err)
		return 1
	}
	v, err := Create(ctx, path, passA, Options{})
	if err != nil {
		return fail("create", err)
	}
	if err := v.Close(); err != nil {
		return fail("close", err)
	}
	v, err = Open(ctx, path, Options{})
	if err != nil {
		return fail("open", err)
	}
	defer v.Close()
	if err := v.Unlock(ctx, passA); err != nil {
		return fail("unlock", err)
	}
	// Many short-lived buffers in sequence: each must be released, or a
	// small limit runs out.
	roundTrip := func(i int) error {
		ad := AD{Kind: "secret", Record: "devops.pat", Field: "token", Version: i}
		s, err := v.Seal(ad, []byte("value"))
		if err != nil {
			return fmt.Errorf("seal: %w", err)
		}
		buf, err := v.Open(ad, s)
		if err != nil {
			return fmt.Errorf("open value: %w", err)
		}
		buf.Destroy()
		return v.OpenWith(ad, s, 8192, func(pt, scratch []byte) error { return nil }) // larger than the scratch page
	}
	for i := 0; i < 500; i++ {
		if err := roundTrip(i); err != nil {
			return fail("round trip", err)
		}
	}
	// Concurrent users of locked pages (the window's goroutines): the
	// guard makes them wait for each other, none fails.
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 100; i++ {
				if err := roundTrip(i); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			return fail("concurrent round trips", err)
		}
	}
	if _, err := v.Fingerprint(ctx, v.DB(), []byte("value")); err != nil {
		return fail("fingerprint", err)
	}
	if _, err := v.VerifyAudit(ctx); err != nil {
		return fail("verify audit", err)
	}
	if err := v.ChangePassphrase(ctx, passB); err != nil {
		return fail("change passphrase", err)
	}

	// Hold opened values until the guard says no: an error, not a panic
	// (memguard's answer to a failed mlock) and not a hang.
	ad := AD{Kind: "secret", Record: "devops.pat", Field: "token", Version: 1}
	sealed, err := v.Seal(ad, []byte("value"))
	if err != nil {
		return fail("seal", err)
	}
	memlockWait = 20 * time.Millisecond // nothing else runs to free pages
	var held []*memguard.LockedBuffer
	var rl unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_MEMLOCK, &rl)
	for len(held) <= int(rl.Cur)/os.Getpagesize() {
		buf, err := v.Open(ad, sealed)
		if err != nil {
			if _, ok := errors.AsType[*MemlockExhaustedError](err); !ok {
				return fail("open while holding", err)
			}
			fmt.Printf("EXHAUSTED %d: %v\n", len(held), err)
			break
		}
		held = append(held, buf)
	}
	for _, b := range held {
		b.Destroy()
	}
	if err := roundTrip(0); err != nil {
		return fail("round trip after exhaustion", err)
	}
	fmt.Println("OK")
	return 0
}

// Root ignores RLIMIT_MEMLOCK, so this runs the vault as user nobody under a
// real limit: below MinMemlock it must be refused promptly with
// ErrMemlockTooLow (not a memguard panic or a deadlock); from MinMemlock up
// every operation must work, below RecommendedMemlock with a warning, and
// holding more values than fit must end in MemlockExhaustedError.
func TestMemlockAsNonRoot(t *testing.T) {
	nobody := asnobody.Credential(t)
	setpriv, err1 := exec.LookPath("setpriv")
	prlimit, err2 := exec.LookPath("prlimit")
	if err1 != nil || err2 != nil {
		t.Skipf("needs setpriv and prlimit (util-linux): %v %v", err1, err2)
	}
	// nobody must be able to execute a copy of this binary and write the
	// vault folder.
	base := asnobody.Folder(t, "sharedvault-memlock-")
	bin := filepath.Join(base, "vault.test")
	asnobody.CopyTestBinary(t, bin)

	min := int(MinMemlock())
	tests := []struct {
		name    string
		limit   int // bytes
		wantOK  bool
		warning string // the MemlockWarning start, "" for none
	}{
		{"16KiB", 16 << 10, false, "memory locking is too limited"},
		{"belowMin", min - os.Getpagesize(), false, "memory locking is too limited"},
		{"min", min, true, "memory locking is limited"}, // the documented minimum must be enough
		{"64KiB", 64 << 10, true, "memory locking is limited"},
		{"256KiB", RecommendedMemlock, true, ""},
		{"8MiB", 8 << 20, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(base, tt.name)
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o777); err != nil { // nobody writes the vault here
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			lim := fmt.Sprintf("--memlock=%d:%d", tt.limit, tt.limit)
			cmd := exec.CommandContext(ctx, prlimit, lim, setpriv,
				"--reuid="+strconv.FormatUint(uint64(nobody.Uid), 10), "--regid="+strconv.FormatUint(uint64(nobody.Gid), 10), "--clear-groups", "--", bin)
			cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent", helperEnv + "=memlock", helperDirEnv + "=" + dir}
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			start := time.Now()
			err := cmd.Run()
			took := time.Since(start)
			text := out.String()
			t.Logf("limit %d KiB: exit %v after %v: %s", tt.limit>>10, err, took.Round(time.Millisecond), strings.TrimSpace(text))
			if ctx.Err() != nil {
				t.Fatalf("helper hangs: still running after 20 s under a %d KiB limit", tt.limit>>10)
			}
			for _, bad := range []string{"panic", "goroutine ", "fatal error", "SIGSEGV", "could not acquire lock"} {
				if strings.Contains(text, bad) {
					t.Fatalf("output contains %q:\n%s", bad, text)
				}
			}
			if tt.warning == "" && strings.Contains(text, "WARNING:") {
				t.Errorf("no warning expected at %d KiB:\n%s", tt.limit>>10, text)
			}
			if tt.warning != "" {
				want := fmt.Sprintf("WARNING: %s: the locked-memory limit (ulimit -l) is %d KiB", tt.warning, tt.limit>>10)
				if !strings.Contains(text, want) {
					t.Errorf("want the warning %q, got:\n%s", want, text)
				}
			}
			if tt.wantOK {
				if err != nil || !strings.Contains(text, "OK") {
					t.Fatalf("want success under a %d KiB limit, got %v:\n%s", tt.limit>>10, err, text)
				}
				// Every value held costs a page: the guard must stop
				// them at the limit, not memguard's panic.
				want := fmt.Sprintf("out of locked memory: the locked-memory limit (ulimit -l) of %d KiB does not fit", tt.limit>>10)
				if !strings.Contains(text, "EXHAUSTED ") || !strings.Contains(text, want) {
					t.Fatalf("want the guard to refuse a value beyond the limit with %q, got:\n%s", want, text)
				}
				return
			}
			want := fmt.Sprintf("MEMLOCK-TOO-LOW: the locked-memory limit (ulimit -l) is %d KiB; sharedvault needs at least %d KiB", tt.limit>>10, min>>10)
			if !strings.Contains(text, want) {
				t.Fatalf("want the ErrMemlockTooLow message %q, got %v:\n%s", want, err, text)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("refused Create left files behind: %v", ents)
			}
		})
	}
}
