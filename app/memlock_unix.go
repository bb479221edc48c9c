//go:build unix

package app

import (
	"errors"

	"sharedvault/backend/vault"
)

// memlockError reports a too-low RLIMIT_MEMLOCK with the vault's hint.
func memlockError(err error) (ErrorDTO, bool) {
	ml, ok := errors.AsType[*vault.ErrMemlockTooLow](err)
	if !ok {
		return ErrorDTO{}, false
	}
	return ErrorDTO{Code: CodeMemlockTooLow, Message: ml.Error() + "; " + ml.Hint()}, true
}
