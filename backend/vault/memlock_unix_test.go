//go:build unix

package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const helperDirEnv = "SHAREDVAULT_VAULT_TEST_DIR"

// helperMemlock creates, locks, reopens and unlocks a vault in
// $SHAREDVAULT_VAULT_TEST_DIR and seals and opens some values: the
// operations that use memguard. It prints "OK" on success, or
// "MEMLOCK-TOO-LOW: <message>" when the vault refuses to start.
func helperMemlock() int {
	ctx := context.Background()
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
	for i := 0; i < 500; i++ {
		ad := AD{Kind: "secret", Record: "devops.pat", Field: "token", Version: i}
		s, err := v.Seal(ad, []byte("value"))
		if err != nil {
			return fail("seal", err)
		}
		buf, err := v.Open(ad, s)
		if err != nil {
			return fail("open value", err)
		}
		buf.Destroy()
	}
	if _, err := v.Fingerprint(ctx, v.DB(), []byte("value")); err != nil {
		return fail("fingerprint", err)
	}
	if _, err := v.VerifyAudit(ctx); err != nil {
		return fail("verify audit", err)
	}
	fmt.Println("OK")
	return 0
}

// Root ignores RLIMIT_MEMLOCK, so this runs the vault as user nobody under a
// real limit: too low must be refused promptly with ErrMemlockTooLow (not a
// memguard panic or a deadlock), and a modest limit must be enough.
func TestMemlockAsNonRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the helper as nobody (root itself ignores RLIMIT_MEMLOCK)")
	}
	setpriv, err1 := exec.LookPath("setpriv")
	prlimit, err2 := exec.LookPath("prlimit")
	if err1 != nil || err2 != nil {
		t.Skipf("needs setpriv and prlimit (util-linux): %v %v", err1, err2)
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody: %v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}

	// nobody must be able to execute a copy of this binary and write the
	// vault folder.
	base, err := os.MkdirTemp("", "sharedvault-memlock-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	for d := filepath.Dir(base); ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil || st.Mode().Perm()&0o001 == 0 {
			t.Skipf("%s is not traversable by other users; set TMPDIR to a world-accessible folder", d)
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	bin := filepath.Join(base, "vault.test")
	copyExecutable(t, exe, bin)

	tests := []struct {
		name   string
		limit  int // bytes
		wantOK bool
	}{
		{"16KiB", 16 << 10, false},
		{"255KiB", MinMemlock - 1024, false},
		{"256KiB", MinMemlock, true}, // the documented minimum must be enough
		{"1MiB", 1 << 20, true},
		{"8MiB", 8 << 20, true},
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
				"--reuid="+nobody.Uid, "--regid="+nobody.Gid, "--clear-groups", "--", bin)
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
			for _, bad := range []string{"panic", "goroutine ", "fatal error", "SIGSEGV"} {
				if strings.Contains(text, bad) {
					t.Fatalf("output contains %q:\n%s", bad, text)
				}
			}
			if tt.wantOK {
				if err != nil || !strings.Contains(text, "OK") {
					t.Fatalf("want success under a %d KiB limit, got %v:\n%s", tt.limit>>10, err, text)
				}
				return
			}
			want := fmt.Sprintf("MEMLOCK-TOO-LOW: the locked-memory limit (ulimit -l) is %d KiB; sharedvault needs at least %d KiB", tt.limit>>10, MinMemlock>>10)
			if !strings.Contains(text, want) {
				t.Fatalf("want the ErrMemlockTooLow message %q, got %v:\n%s", want, err, text)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("refused Create left files behind: %v", ents)
			}
		})
	}
}

func copyExecutable(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
