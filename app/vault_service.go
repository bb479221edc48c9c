package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
	"time"

	"sharedvault/backend/vault"
)

// KDFDTO mirrors the vault header's Argon2id parameters.
type KDFDTO struct {
	Algorithm   string `json:"algorithm"`
	MemoryKiB   uint32 `json:"memory_kib"`
	Iterations  uint32 `json:"iterations"`
	Parallelism uint8  `json:"parallelism"`
}

// StateDTO tells the frontend which screen to show.
type StateDTO struct {
	Initialized     bool   `json:"initialized"`
	Locked          bool   `json:"locked"`
	Path            string `json:"path"`
	KDF             KDFDTO `json:"kdf"`
	AutoLockMinutes int    `json:"auto_lock_minutes"` // 0 = never
	// MemlockWarning is shown as a banner on every screen when the
	// locked-memory limit is low (vault.MemlockWarning), else "".
	MemlockWarning string `json:"memlock_warning"`
}

// VaultConfig is what VaultService needs from its creator.
type VaultConfig struct {
	Path    string
	Options vault.Options // AutoLock 0: the vault's auto_lock_minutes setting, else vault.DefaultAutoLock
	Emitter Emitter
	Log     io.Writer // receives the "window ready" line (stderr in the window)
}

// VaultService is the bound service for creating, unlocking and locking the vault.
type VaultService struct {
	cfg VaultConfig

	mu sync.Mutex
	v  *vault.Vault // nil until the vault file exists and was opened
}

// NewVaultService returns a service for the vault at cfg.Path; the file is
// opened lazily so a missing vault shows the first-run screen.
func NewVaultService(cfg VaultConfig) *VaultService {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	return &VaultService{cfg: cfg}
}

// current returns the open vault, or nil before it exists. Other services in
// this package use it to reach the key hierarchy (unexported: not bound).
func (s *VaultService) current() *vault.Vault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.v
}

// openLocked opens an existing vault file if it is not open yet. s.mu held.
func (s *VaultService) openLocked(ctx context.Context) error {
	if s.v != nil {
		return nil
	}
	ok, err := vault.Exists(s.cfg.Path)
	if err != nil {
		return err
	}
	if !ok {
		return vault.ErrNotInitialized
	}
	v, err := vault.Open(ctx, s.cfg.Path, s.cfg.Options)
	if err != nil {
		return err
	}
	s.adopt(v)
	return nil
}

func (s *VaultService) adopt(v *vault.Vault) {
	s.v = v
	if e := s.cfg.Emitter; e != nil {
		// Runs on the auto-lock timer's goroutine too: it must not take s.mu.
		v.OnLock(func() { e.Emit(EventVaultLocked) })
	}
}

// State reports whether a vault exists, whether it is locked, and its KDF.
func (s *VaultService) State() (StateDTO, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := StateDTO{Path: s.cfg.Path, Locked: true, AutoLockMinutes: autoLockMinutes(s.cfg.Options.AutoLock), MemlockWarning: memlockBanner()}
	if err := s.openLocked(context.Background()); err != nil {
		if errors.Is(err, vault.ErrNotInitialized) {
			return st, nil
		}
		return st, err
	}
	info := s.v.Info()
	st.Initialized = true
	st.Locked = s.v.Locked()
	if d := s.v.AutoLock(); d != 0 { // 0 until the first unlock reads the setting
		st.AutoLockMinutes = autoLockMinutes(d)
	}
	st.KDF = KDFDTO{
		Algorithm:   info.KDF.Algorithm,
		MemoryKiB:   info.KDF.MemoryKiB,
		Iterations:  info.KDF.Iterations,
		Parallelism: info.KDF.Parallelism,
	}
	return st, nil
}

func autoLockMinutes(d time.Duration) int {
	switch {
	case d == 0:
		d = vault.DefaultAutoLock
	case d < 0:
		return 0
	}
	return int((d + time.Minute - 1) / time.Minute)
}

// Create makes a new vault protected by passphrase and leaves it unlocked.
func (s *VaultService) Create(passphrase string) error {
	if passphrase == "" {
		return &fieldError{"passphrase", "enter a passphrase"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v != nil {
		return vault.ErrAlreadyExists
	}
	p := []byte(passphrase)
	defer clear(p)
	v, err := vault.Create(context.Background(), s.cfg.Path, p, s.cfg.Options)
	returnKDFMemory()
	if err != nil {
		return err
	}
	s.adopt(v)
	return nil
}

// Unlock opens the data key with passphrase.
func (s *VaultService) Unlock(passphrase string) error {
	if passphrase == "" {
		return &fieldError{"passphrase", "enter the passphrase"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.openLocked(context.Background()); err != nil {
		return err
	}
	p := []byte(passphrase)
	defer clear(p)
	defer returnKDFMemory()
	return s.v.Unlock(context.Background(), p)
}

// returnKDFMemory gives Argon2id's 64 MiB back to the OS right away: the
// window stays open for hours and would otherwise hold it until the
// runtime's background scavenger gets to it.
func returnKDFMemory() { debug.FreeOSMemory() }

// Lock destroys the data key; EventVaultLocked follows.
func (s *VaultService) Lock() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v != nil {
		s.v.Lock()
	}
	return nil
}

// Touch reports user activity so the idle timer restarts.
func (s *VaultService) Touch() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v != nil && !s.v.Locked() {
		s.v.Touch()
	}
	return nil
}

// windowScreens are the screen names the frontend may report; anything else
// is refused so the log line cannot be forged.
var windowScreens = map[string]bool{"first-run": true, "unlock": true, "console": true}

// WindowReady logs that the first screen rendered; the smoke test waits for it.
func (s *VaultService) WindowReady(screen string) error {
	if !windowScreens[screen] {
		return &fieldError{"screen", "unknown screen"}
	}
	_, err := fmt.Fprintf(s.cfg.Log, "sharedvault: window ready: %s\n", screen)
	return err
}

// close locks and closes the vault; called on shutdown, never bound.
func (s *VaultService) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v == nil {
		return nil
	}
	err := s.v.Close()
	s.v = nil
	return err
}
