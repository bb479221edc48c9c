package vault

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

const (
	keySize   = chacha20poly1305.KeySize
	saltSize  = 16
	nonceSize = chacha20poly1305.NonceSizeX
	tagSize   = chacha20poly1305.Overhead
)

// AD names the place a sealed value belongs to. It is bound into the AEAD so
// a ciphertext copied to another record, field or version does not open.
type AD struct {
	Kind    string // "secret", "setting"
	Record  string // e.g. "devops.pat", "board:12"
	Field   string // e.g. "token"
	Version int
}

func (a AD) bytes(vaultID string) []byte {
	// Length-prefixed parts: no two distinct ADs encode the same.
	var b strings.Builder
	for _, part := range []string{"sharedvault/field/v1", vaultID, a.Kind, a.Record, a.Field, strconv.Itoa(a.Version)} {
		b.WriteString(strconv.Itoa(len(part)))
		b.WriteByte(':')
		b.WriteString(part)
	}
	return []byte(b.String())
}

// ErrTampered is returned when a sealed value fails authentication.
var ErrTampered = errors.New("sealed value failed authentication: it was altered or moved")

func seal(key, plaintext, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return aead.Seal(out, out, plaintext, ad), nil
}

func open(key, sealed, ad []byte) ([]byte, error) { return openInto(nil, key, sealed, ad) }

// openInto decrypts into dst's capacity (a locked buffer), so the plaintext
// never touches the Go heap.
func openInto(dst, key, sealed, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrTampered
	}
	nonce, ct := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	pt, err := aead.Open(dst, nonce, ct, ad)
	if err != nil {
		return nil, ErrTampered
	}
	return pt, nil
}

// SealOverhead is how many bytes sealing adds to a value (nonce + tag).
const SealOverhead = nonceSize + tagSize
