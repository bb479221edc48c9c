package app

import (
	"errors"

	"sharedvault/backend/boards"
	"sharedvault/backend/bundle"
	"sharedvault/backend/providers"
	"sharedvault/backend/transfer"
	"sharedvault/backend/vault"
)

// ErrorDTO is what a rejected bound call delivers to the frontend.
// Code is stable (the frontend switches on it); Message is for a person;
// Fields carries per-field problems so each is shown beside its field.
type ErrorDTO struct {
	Code    string                 `json:"code"`
	Message string                 `json:"message"`
	Fields  []providers.FieldError `json:"fields,omitempty"`
}

// Error codes delivered to the frontend.
const (
	CodeWrongPassphrase = "wrong_passphrase"
	CodeLocked          = "locked"
	CodeNotInitialized  = "not_initialized"
	CodeAlreadyExists   = "already_exists"
	CodeNewerFormat     = "newer_format"
	CodeCorrupt         = "corrupt"
	CodeTampered        = "tampered"
	CodeNotFound        = "not_found"
	CodeInvalidInput    = "invalid_input"
	CodeMemlockTooLow   = "memlock_too_low"
	CodeBusy            = "busy"
	CodeInternal        = "internal"
)

// fieldError is an app-level validation failure of one bound-method argument.
type fieldError struct {
	field, message string
}

func (e *fieldError) Error() string { return e.field + ": " + e.message }

// FormatError maps backend errors to ErrorDTO; it is options.App.ErrorFormatter.
// Unknown errors keep their message (backend messages never contain secret
// values) under the code "internal".
func FormatError(err error) any {
	return formatError(err)
}

func formatError(err error) ErrorDTO {
	var fe *fieldError
	if errors.As(err, &fe) {
		return ErrorDTO{Code: CodeInvalidInput, Message: fe.message,
			Fields: []providers.FieldError{{Field: fe.field, Message: fe.message}}}
	}
	if errors.Is(err, vault.ErrEmptyPassphrase) {
		return ErrorDTO{Code: CodeInvalidInput, Message: "enter a passphrase",
			Fields: []providers.FieldError{{Field: "passphrase", Message: "enter a passphrase"}}}
	}
	if vault.IsBusy(err) { // never SQLite's own "database is locked (5) (SQLITE_BUSY)"
		return ErrorDTO{Code: CodeBusy, Message: "the vault is busy: another sharedvault process is writing to it; try again"}
	}
	if dto, ok := memlockError(err); ok {
		return dto
	}
	if errors.Is(err, boards.ErrDuplicate) {
		return ErrorDTO{Code: CodeInvalidInput, Message: err.Error(),
			Fields: []providers.FieldError{{Field: "name", Message: err.Error()}}}
	}
	var re *boards.ResolveError
	if errors.As(err, &re) {
		return ErrorDTO{Code: re.Code, Message: re.Message}
	}
	for _, m := range []struct {
		target error
		code   string
	}{
		{bundle.ErrWrongIdentity, "bundle_wrong_identity"},
		{bundle.ErrTampered, "bundle_tampered"},
		{bundle.ErrUntrustedSigner, "bundle_untrusted_signer"},
		{bundle.ErrBadSignature, "bundle_bad_signature"},
		{bundle.ErrExpired, "bundle_expired"},
		{bundle.ErrReplayed, "bundle_replayed"},
		{bundle.ErrFormat, "bundle_format"},
		{bundle.ErrTooLarge, "bundle_too_large"},
		{transfer.ErrFingerprintMismatch, "bundle_fingerprint_mismatch"},
	} {
		if errors.Is(err, m.target) {
			return ErrorDTO{Code: m.code, Message: err.Error()}
		}
	}
	var ve *providers.ValidationError
	if errors.As(err, &ve) {
		return ErrorDTO{Code: CodeInvalidInput, Message: ve.Error(), Fields: ve.Fields}
	}
	for _, m := range []struct {
		target error
		code   string
		msg    string
	}{
		{vault.ErrWrongPassphrase, CodeWrongPassphrase, "wrong passphrase"},
		{vault.ErrLocked, CodeLocked, "the vault is locked"},
		{vault.ErrNotInitialized, CodeNotInitialized, "no vault exists yet"},
		{vault.ErrAlreadyExists, CodeAlreadyExists, "a vault already exists at this path"},
		{vault.ErrNewerFormat, CodeNewerFormat, "the vault was written by a newer version of sharedvault"},
		{vault.ErrCorrupt, CodeCorrupt, "the vault file is damaged"},
		{vault.ErrTampered, CodeTampered, "the vault's data failed authentication"},
		{vault.ErrNotFound, CodeNotFound, "not found"},
	} {
		if errors.Is(err, m.target) {
			return ErrorDTO{Code: m.code, Message: m.msg}
		}
	}
	if errors.Is(err, providers.ErrInvalid) {
		return ErrorDTO{Code: CodeInvalidInput, Message: err.Error()}
	}
	return ErrorDTO{Code: CodeInternal, Message: err.Error()}
}
