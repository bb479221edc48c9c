package app

import (
	"context"

	"sharedvault/backend/vault"
)

// unlocked returns the vault when it is open and unlocked, and restarts the
// idle timer: every bound call is user activity.
func (s *VaultService) unlocked() (*vault.Vault, error) {
	v := s.current()
	if v == nil {
		return nil, vault.ErrNotInitialized
	}
	if v.Locked() {
		return nil, vault.ErrLocked
	}
	v.Touch()
	return v, nil
}

func bg() context.Context { return context.Background() }
