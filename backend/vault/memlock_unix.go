//go:build unix

package vault

import (
	"bufio"
	"bytes"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// ErrMemlockTooLow says the RLIMIT_MEMLOCK soft limit is too low to use a vault.
type ErrMemlockTooLow struct{ Have, Need uint64 }

func (e *ErrMemlockTooLow) Error() string {
	return "the locked-memory limit (ulimit -l) is " + kib(e.Have) + "; sharedvault needs at least " + kib(e.Need) + " to keep keys out of swap"
}

// Hint says how to fix it.
func (e *ErrMemlockTooLow) Hint() string { return memlockHint }

// CheckMemlock reports a locked-memory limit too low to use a vault, before
// memguard is used. A process with CAP_IPC_LOCK is not bound by the limit.
func CheckMemlock() error {
	g := theGuard()
	if g.limit != 0 && g.limit < MinMemlock() {
		return &ErrMemlockTooLow{Have: g.limit, Need: MinMemlock()}
	}
	return nil
}

// MemlockWarning is a sentence for a person when the locked-memory limit is
// below RecommendedMemlock, "" otherwise. Below MinMemlock it says the vault
// cannot be opened (CheckMemlock refuses); above, that it works with fewer
// keys open at once.
func MemlockWarning() string {
	g := theGuard()
	switch {
	case g.limit == 0 || g.limit >= RecommendedMemlock:
		return ""
	case g.limit < MinMemlock():
		return "memory locking is too limited: the locked-memory limit (ulimit -l) is " + kib(g.limit) + "; sharedvault needs at least " + kib(MinMemlock()) + " to open a vault"
	}
	return "memory locking is limited: the locked-memory limit (ulimit -l) is " + kib(g.limit) + " (" + kib(RecommendedMemlock) + " recommended); keys stay in locked memory, so fewer can be open at once and a large operation may fail"
}

func newLockGuard() *lockGuard {
	g := &lockGuard{page: uint64(os.Getpagesize())}
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &rl); err != nil {
		return g
	}
	cur := uint64(rl.Cur) // int64 on some BSDs
	if cur == uint64(unix.RLIM_INFINITY) || canLockUnlimited() {
		return g
	}
	if _, ok := lockedBytes(); !ok && cur >= MinMemlock() {
		// No VmLck to count with (not Linux): only the up-front
		// CheckMemlock refusal protects.
		return g
	}
	g.limit = cur
	return g
}

// canLockUnlimited reports CAP_IPC_LOCK in the effective set (Linux), or
// euid 0 where capabilities cannot be read. Root in a container often lacks
// the capability and is then bound by the limit like anyone else.
func canLockUnlimited() bool {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return os.Geteuid() == 0
	}
	v, ok := statusField(b, "CapEff:")
	if !ok {
		return os.Geteuid() == 0
	}
	caps, err := strconv.ParseUint(v, 16, 64)
	if err != nil {
		return os.Geteuid() == 0
	}
	const capIPCLock = 14 // linux/capability.h
	return caps&(1<<capIPCLock) != 0
}

// lockedBytes is the process's locked memory (VmLck in /proc/self/status).
func lockedBytes() (uint64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	v, ok := statusField(b, "VmLck:")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, false
	}
	return n * 1024, true // the unit is kB
}

func statusField(status []byte, name string) (string, bool) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if rest, ok := bytes.CutPrefix(sc.Bytes(), []byte(name)); ok {
			if f := bytes.Fields(rest); len(f) > 0 {
				return string(f[0]), true
			}
			return "", false
		}
	}
	return "", false
}
