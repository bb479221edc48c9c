package bundle

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"filippo.io/age"
)

// SignerKeyPrefix marks a bundle-signing public key in its printed form, so
// it cannot be confused with an age recipient or any other base64 value.
const SignerKeyPrefix = "sharedvault-ed25519:"

// GenerateSigningKey returns a new Ed25519 key for signing bundles.
func GenerateSigningKey() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating signing key: %w", err)
	}
	return priv, nil
}

// FormatSignerKey prints pub as "sharedvault-ed25519:" + standard base64.
func FormatSignerKey(pub ed25519.PublicKey) string {
	return SignerKeyPrefix + base64.StdEncoding.EncodeToString(pub)
}

// ParseSignerKey parses the form printed by FormatSignerKey. The bare base64
// found in a manifest's "signer" field is accepted too, so an admin can paste
// either.
func ParseSignerKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, SignerKeyPrefix)
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: signer key must look like %s<base64 of %d bytes>", ErrInvalidKey, SignerKeyPrefix, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// ParseRecipients parses age recipients in the age CLI's recipients-file
// syntax: one per line, blank lines and lines starting with '#' ignored.
// "age1pq1…" is a hybrid ML-KEM-768+X25519 (post-quantum) recipient, "age1…"
// an X25519 one. age refuses to mix the two in one file (it would void the
// post-quantum protection), so we say so here, where the lines are known.
func ParseRecipients(lines []string) ([]age.Recipient, error) {
	var (
		recs          []age.Recipient
		pq, classic   bool
		lineNo        int
		errMixedTypes = fmt.Errorf("%w: post-quantum (age1pq1…) and classic (age1…) recipients cannot be mixed in one bundle", ErrInvalidKey)
	)
	for _, chunk := range lines {
		// A caller may pass a whole file as one element.
		for _, line := range strings.Split(chunk, "\n") {
			lineNo++
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			var (
				r   age.Recipient
				err error
			)
			switch {
			case strings.HasPrefix(line, "age1pq1"):
				r, err = age.ParseHybridRecipient(line)
				pq = true
			case strings.HasPrefix(line, "age1"):
				r, err = age.ParseX25519Recipient(line)
				classic = true
			case strings.HasPrefix(strings.ToUpper(line), "AGE-SECRET-KEY-"):
				// Never echo it: it is a private key pasted in the wrong place.
				return nil, fmt.Errorf("%w: line %d is a private key (identity), not a recipient: use the age1… public key", ErrInvalidKey, lineNo)
			default:
				return nil, fmt.Errorf("%w: line %d is not an age recipient (want age1… or age1pq1…)", ErrInvalidKey, lineNo)
			}
			if err != nil {
				return nil, fmt.Errorf("%w: line %d: %v", ErrInvalidKey, lineNo, err)
			}
			if pq && classic {
				return nil, errMixedTypes
			}
			recs = append(recs, r)
		}
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%w: no recipients found", ErrInvalidKey)
	}
	return recs, nil
}

// ParseIdentities parses an age identity file (as written by age-keygen):
// AGE-SECRET-KEY-1… (X25519) and AGE-SECRET-KEY-PQ-1… (hybrid post-quantum)
// lines, '#' comments and blank lines. age's parser never echoes key
// material in its errors.
func ParseIdentities(r io.Reader) ([]age.Identity, error) {
	ids, err := age.ParseIdentities(r)
	if err != nil {
		return nil, fmt.Errorf("%w: identity file: %v", ErrInvalidKey, err)
	}
	return ids, nil
}

// scryptLogN overrides age's scrypt work factor when non-zero. Only
// SetScryptWorkFactorForTests sets it.
var scryptLogN atomic.Int32

// SetScryptWorkFactorForTests lowers the scrypt work factor (2^logN) of
// recipients made by PassphraseRecipient afterwards, so tests need not spend
// a second per bundle. It returns a function that restores the default.
// Production code must never call it (the same rule as age's SetWorkFactor).
func SetScryptWorkFactorForTests(logN int) (restore func()) {
	if logN < 1 || logN > 30 {
		panic("bundle: scrypt work factor out of range")
	}
	prev := scryptLogN.Swap(int32(logN))
	return func() { scryptLogN.Store(prev) }
}

// PassphraseRecipient encrypts to a passphrase with age's scrypt recipient
// (default work factor 2^18, about a second). age requires it to be the only
// recipient of a file.
func PassphraseRecipient(pass []byte) (age.Recipient, error) {
	if len(pass) == 0 {
		return nil, errors.New("bundle passphrase is empty")
	}
	r, err := age.NewScryptRecipient(string(pass))
	if err != nil {
		return nil, err
	}
	if n := scryptLogN.Load(); n != 0 {
		r.SetWorkFactor(int(n))
	}
	return r, nil
}

// PassphraseIdentity decrypts a passphrase-encrypted bundle. age caps the
// work factor it will accept (2^22), so a hostile file cannot make an import
// spin for hours.
func PassphraseIdentity(pass []byte) (age.Identity, error) {
	if len(pass) == 0 {
		return nil, errors.New("bundle passphrase is empty")
	}
	return age.NewScryptIdentity(string(pass))
}
