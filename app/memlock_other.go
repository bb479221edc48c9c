//go:build !unix

package app

// memlockError: only unix systems have RLIMIT_MEMLOCK.
func memlockError(error) (ErrorDTO, bool) { return ErrorDTO{}, false }
