package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"

	"sharedvault/backend/vault"
)

// Exit codes (PRODUCT.md §4). Scripts depend on them: never renumber.
const (
	ExitOK       = 0
	ExitFailure  = 1 // the operation failed (test failed, verification failed)
	ExitUsage    = 2 // bad command line
	ExitLocked   = 3 // vault locked / wrong passphrase
	ExitNotFound = 4
	ExitInvalid  = 5 // invalid input (validation)
)

// Error is an error with an exit code and an optional hint for a person.
type Error struct {
	Code int
	Err  error
	Hint string
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func usageErr(format string, a ...any) error {
	return &Error{Code: ExitUsage, Err: fmt.Errorf(format, a...), Hint: "see sharedvault --help"}
}

func withCode(code int, err error, hint string) error {
	return &Error{Code: code, Err: err, Hint: hint}
}

// Hinter is implemented by errors that know what a person should do next.
type Hinter interface{ Hint() string }

// classify maps an error to its exit code and hint.
func classify(err error) (int, string) {
	var e *Error
	if errors.As(err, &e) {
		hint := e.Hint
		var h Hinter
		if hint == "" && errors.As(e.Err, &h) {
			hint = h.Hint()
		}
		return e.Code, hint
	}
	var h Hinter
	hint := ""
	if errors.As(err, &h) {
		hint = h.Hint()
	}
	if code, ok := codeFor(err); ok {
		return code, hint
	}
	switch {
	case vault.IsBusy(err):
		return ExitFailure, "try again when the other sharedvault process (the window or another command) has finished writing"
	case vault.IsDiskWrite(err):
		return ExitFailure, "free some disk space (or raise the file size limit) and try again; the vault was left as it was"
	case isNoSpace(err):
		return ExitFailure, "free some disk space or write somewhere else, and try again"
	case errors.Is(err, vault.ErrWrongPassphrase):
		return ExitLocked, "check the passphrase (file) and try again"
	case errors.Is(err, vault.ErrLocked):
		return ExitLocked, "give the passphrase with --passphrase-file or SHAREDVAULT_PASSPHRASE_FILE"
	case errors.Is(err, vault.ErrNotInitialized):
		return ExitNotFound, "create one with `sharedvault init`, or point --vault at an existing vault"
	case errors.Is(err, vault.ErrNotFound):
		return ExitNotFound, hint
	case errors.Is(err, vault.ErrNewerFormat):
		return ExitFailure, "use a newer sharedvault; the vault was left untouched"
	case errors.Is(err, vault.ErrCorrupt):
		return ExitFailure, "restore the vault from a backup; the file was left untouched"
	}
	return ExitFailure, hint
}

// isNoSpace reports a file (not the vault) that could not be written because
// the disk or the user's quota is full or the file may not grow.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EFBIG)
}

// extraClassifiers lets the command files teach classify about their
// packages' errors without this file importing all of them.
var extraClassifiers []func(error) (int, bool)

func codeFor(err error) (int, bool) {
	for _, f := range extraClassifiers {
		if c, ok := f(err); ok {
			return c, true
		}
	}
	return 0, false
}

// printError writes the `sharedvault: error: …` and `sharedvault: hint: …`
// lines: lowercase first letter, no trailing period.
func printError(w io.Writer, err error, hint string) {
	if vault.IsBusy(err) {
		err = vault.ErrBusy // not SQLite's own "database is locked (5) (SQLITE_BUSY)"
	} else if vault.IsDiskWrite(err) && !errors.Is(err, vault.ErrDiskWrite) {
		err = vault.ErrDiskWrite // not "disk I/O error (778)"
	}
	fmt.Fprintf(w, "sharedvault: error: %s\n", tidy(err.Error()))
	if hint != "" {
		fmt.Fprintf(w, "sharedvault: hint: %s\n", tidy(hint))
	}
}

func tidy(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimRight(s, ".")
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' && (len(s) < 2 || !(s[1] >= 'A' && s[1] <= 'Z')) {
		s = strings.ToLower(s[:1]) + s[1:]
	}
	return s
}
