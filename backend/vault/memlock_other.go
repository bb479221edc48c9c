//go:build !unix

package vault

// CheckMemlock: Windows has no RLIMIT_MEMLOCK; VirtualLock limits are per
// working set and memguard handles them.
func CheckMemlock() error { return nil }
