package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/awnumar/memguard"
	"golang.org/x/term"

	"sharedvault/backend/vault"
)

var errNoPassphrase = errors.New("the vault is locked and no passphrase was given")

// readSecretFile reads a secret (field, at most limit bytes) from a file or,
// for "-", from stdin (once per invocation). The caller wipes the returned
// bytes.
func (e *env) readSecretFile(name, field string, limit int) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		if e.stdinUsed {
			return nil, usageErr("stdin (-) can be used for only one secret per command")
		}
		e.stdinUsed = true
		r = e.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, withCode(ExitInvalid, fmt.Errorf("read %s: %w", name, unwrapPath(err)), "check the file name and its permissions")
		}
		defer f.Close()
		r = f
	}
	source := name
	if name == "-" {
		source = "stdin"
	}
	return readLimited(r, field, source, limit)
}

// firstLine returns the first line of b without its line ending: passphrase
// files usually end with a newline that is not part of the passphrase.
func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return bytes.TrimSuffix(b, []byte("\r"))
}

// passphrase returns the vault passphrase from --passphrase-file, the
// environment, or a terminal prompt, in a LockedBuffer the caller destroys.
func (e *env) passphrase(prompt string) (*memguard.LockedBuffer, error) {
	file := e.passphraseFile
	if file == "" {
		file = os.Getenv("SHAREDVAULT_PASSPHRASE_FILE")
	}
	if file == "" {
		file = systemdCredential()
	}
	if file != "" {
		b, err := e.readSecretFile(file, "passphrase", maxPassphraseFileBytes)
		if err != nil {
			return nil, err
		}
		line := firstLine(b)
		if len(line) == 0 {
			memguard.WipeBytes(b)
			return nil, withCode(ExitInvalid, errors.New("the passphrase file is empty"), "")
		}
		lb, err := vault.LockedBufferFrom(append([]byte(nil), line...))
		memguard.WipeBytes(b)
		return lb, err
	}
	return e.prompt(prompt)
}

func (e *env) prompt(prompt string) (*memguard.LockedBuffer, error) {
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, withCode(ExitLocked, errNoPassphrase, "give it with --passphrase-file FILE or SHAREDVAULT_PASSPHRASE_FILE")
	}
	fmt.Fprint(e.stderr, prompt)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, withCode(ExitInvalid, vault.ErrEmptyPassphrase, "")
	}
	return vault.LockedBufferFrom(b)
}

// newPassphrase asks twice on a terminal, or reads the given file.
func (e *env) newPassphrase(file, prompt string) (*memguard.LockedBuffer, error) {
	if file != "" {
		saved := e.passphraseFile
		e.passphraseFile = file
		defer func() { e.passphraseFile = saved }()
		return e.passphrase(prompt)
	}
	first, err := e.prompt(prompt)
	if err != nil {
		return nil, err
	}
	second, err := e.prompt("repeat: ")
	if err != nil {
		first.Destroy()
		return nil, err
	}
	defer second.Destroy()
	if !first.EqualTo(second.Bytes()) {
		first.Destroy()
		return nil, withCode(ExitInvalid, errors.New("the two passphrases differ"), "")
	}
	return first, nil
}

func envPassphraseFile() string { return os.Getenv("SHAREDVAULT_PASSPHRASE_FILE") }

// systemdCredentialName is the credential a systemd unit hands sharedvault
// with LoadCredential=sharedvault-passphrase:/etc/sharedvault/passphrase, so
// a server keeps its vault usable without a person and without the
// passphrase in the environment or on the command line.
const systemdCredentialName = "sharedvault-passphrase"

func systemdCredential() string {
	dir := os.Getenv("CREDENTIALS_DIRECTORY")
	if dir == "" {
		return ""
	}
	p := filepath.Join(dir, systemdCredentialName)
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}
