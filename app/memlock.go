package app

import (
	"errors"

	"sharedvault/backend/vault"
)

// memlockExhausted reports an operation that needed more locked memory
// than the limit leaves.
func memlockExhausted(err error) (ErrorDTO, bool) {
	ex, ok := errors.AsType[*vault.MemlockExhaustedError](err)
	if !ok {
		return ErrorDTO{}, false
	}
	return ErrorDTO{Code: CodeMemlockTooLow, Message: ex.Error() + "; " + ex.Hint()}, true
}

// memlockBanner is the window's notice about a low locked-memory limit, or "".
func memlockBanner() string {
	w := vault.MemlockWarning()
	if w == "" {
		return ""
	}
	return w + "; " + vault.MemlockHint()
}
