//go:build unix

package vault

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// MinMemlock is the locked-memory limit sharedvault needs: memguard mlocks
// every key buffer, and below this it can fail or deadlock mid-operation
// (memguard issues #147/#173) instead of reporting an error.
const MinMemlock = 256 * 1024

// ErrMemlockTooLow says the RLIMIT_MEMLOCK soft limit is too low.
type ErrMemlockTooLow struct{ Have, Need uint64 }

func (e *ErrMemlockTooLow) Error() string {
	return fmt.Sprintf("the locked-memory limit (ulimit -l) is %d KiB; sharedvault needs at least %d KiB to keep keys out of swap", e.Have/1024, e.Need/1024)
}

// Hint says how to fix it.
func (e *ErrMemlockTooLow) Hint() string {
	return "raise it, e.g. `ulimit -l 1024` in the shell, LimitMEMLOCK=1M in a systemd unit, or memlock in /etc/security/limits.conf"
}

// CheckMemlock reports a too-low RLIMIT_MEMLOCK before memguard is used.
// Root (CAP_IPC_LOCK) is not bound by the limit.
func CheckMemlock() error {
	if os.Geteuid() == 0 {
		return nil
	}
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &rl); err != nil {
		return nil // unknown: let memguard try
	}
	if rl.Cur != unix.RLIM_INFINITY && rl.Cur < MinMemlock {
		return &ErrMemlockTooLow{Have: rl.Cur, Need: MinMemlock}
	}
	return nil
}
