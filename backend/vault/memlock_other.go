//go:build !unix

package vault

import "os"

// CheckMemlock: Windows has no RLIMIT_MEMLOCK; VirtualLock limits are per
// working set and memguard handles them.
func CheckMemlock() error { return nil }

// MemlockWarning: nothing to warn about without RLIMIT_MEMLOCK.
func MemlockWarning() string { return "" }

func newLockGuard() *lockGuard { return &lockGuard{page: uint64(os.Getpagesize())} }

func lockedBytes() (uint64, bool) { return 0, false }
