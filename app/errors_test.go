package app

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

func TestFormatError(t *testing.T) {
	ve := &providers.ValidationError{}
	ve.Add("token", "has leading spaces")
	tests := []struct {
		name string
		err  error
		want ErrorDTO
	}{
		{"wrong passphrase", fmt.Errorf("unlock: %w", vault.ErrWrongPassphrase), ErrorDTO{Code: CodeWrongPassphrase, Message: "wrong passphrase"}},
		{"locked", vault.ErrLocked, ErrorDTO{Code: CodeLocked, Message: "the vault is locked"}},
		{"exists", fmt.Errorf("%w: /x", vault.ErrAlreadyExists), ErrorDTO{Code: CodeAlreadyExists, Message: "a vault already exists at this path"}},
		{"empty passphrase", vault.ErrEmptyPassphrase, ErrorDTO{Code: CodeInvalidInput, Message: "enter a passphrase",
			Fields: []providers.FieldError{{Field: "passphrase", Message: "enter a passphrase"}}}},
		{"validation", fmt.Errorf("save: %w", ve), ErrorDTO{Code: CodeInvalidInput, Message: "invalid token: has leading spaces",
			Fields: []providers.FieldError{{Field: "token", Message: "has leading spaces"}}}},
		{"field", &fieldError{"screen", "unknown screen"}, ErrorDTO{Code: CodeInvalidInput, Message: "unknown screen",
			Fields: []providers.FieldError{{Field: "screen", Message: "unknown screen"}}}},
		{"other", errors.New("disk full"), ErrorDTO{Code: CodeInternal, Message: "disk full"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FormatError(tt.err).(ErrorDTO)
			if !ok {
				t.Fatalf("FormatError returned %T, want ErrorDTO", FormatError(tt.err))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FormatError(%v) mismatch (-want +got):\n%s", tt.err, diff)
			}
		})
	}
}

func TestWindowReadyRefusesUnknownScreens(t *testing.T) {
	log := &syncBuffer{}
	s := NewVaultService(VaultConfig{Path: t.TempDir() + "/v.db", Log: log})
	if err := s.WindowReady("first-run\nsharedvault: window ready: console"); err == nil {
		t.Error("WindowReady accepted a forged screen name")
	}
	if err := s.WindowReady("unlock"); err != nil {
		t.Fatal(err)
	}
	if got, want := log.String(), "sharedvault: window ready: unlock\n"; got != want {
		t.Errorf("log = %q, want %q", got, want)
	}
}

func TestStateWithoutVault(t *testing.T) {
	path := t.TempDir() + "/sub/vault.db"
	s := NewVaultService(VaultConfig{Path: path})
	got, err := s.State()
	if err != nil {
		t.Fatal(err)
	}
	want := StateDTO{Initialized: false, Locked: true, Path: path, AutoLockMinutes: 5}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("State() mismatch (-want +got):\n%s", diff)
	}
	if err := s.Unlock("x"); !errors.Is(err, vault.ErrNotInitialized) {
		t.Errorf("Unlock without a vault = %v, want ErrNotInitialized", err)
	}
}
