//go:build !unix

package app

// memlockError: only unix systems have RLIMIT_MEMLOCK.
func memlockError(err error) (ErrorDTO, bool) { return memlockExhausted(err) }
