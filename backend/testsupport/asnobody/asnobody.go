//go:build unix

// Package asnobody lets a test run a copy of its own binary as user nobody:
// root ignores RLIMIT_MEMLOCK, so memory-locking limits can only be tested
// under another user. Only tests import it.
package asnobody

import (
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// Credential is user nobody's, or the test is skipped when this process
// can't switch users (it isn't root) or there is no such user.
func Credential(t testing.TB) *syscall.Credential {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a child as user nobody (root itself ignores RLIMIT_MEMLOCK)")
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody: %v", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
}

// Folder is a fresh temporary folder (0755) that every user can reach,
// removed after the test; the test is skipped when a parent isn't
// traversable by other users.
func Folder(t testing.TB, prefix string) string {
	t.Helper()
	base, err := os.MkdirTemp("", prefix)
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
	return base
}

// CopyTestBinary copies the running test binary to dst (mode 0755), where
// another user can execute it.
func CopyTestBinary(t testing.TB, dst string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(exe)
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
