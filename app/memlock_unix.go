//go:build unix

package app

import (
	"errors"

	"sharedvault/backend/vault"
)

// memlockError reports a too-low or exhausted RLIMIT_MEMLOCK with the
// vault's hint.
func memlockError(err error) (ErrorDTO, bool) {
	if ml, ok := errors.AsType[*vault.ErrMemlockTooLow](err); ok {
		return ErrorDTO{Code: CodeMemlockTooLow, Message: ml.Error() + "; " + ml.Hint()}, true
	}
	return memlockExhausted(err)
}
