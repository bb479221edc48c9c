package bundle

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"filippo.io/age"
)

// FuzzOpen feeds arbitrary bytes to Open: it must never panic, and every
// refusal must be one of the documented sentinels, because the CLI maps
// them to messages and exit codes.
func FuzzOpen(f *testing.F) {
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	key := ed25519.NewKeyFromSeed(seed)
	id, err := age.ParseX25519Identity("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX")
	if err != nil {
		f.Fatal(err)
	}
	opt := ExportOptions{Recipients: []age.Recipient{id.Recipient()}, SigningKey: key}
	f.Add(encodeBytes(f, sampleBundle("s"), opt))
	opt.Armor = true
	f.Add(encodeBytes(f, sampleBundle("s"), opt))
	f.Add(encryptPlain(f, []byte(`{"format":"sharedvault-bundle","format_version":1}`), id.Recipient()))
	f.Add([]byte("age-encryption.org/v1\n-> X25519 abc\n--- def\n"))
	f.Add([]byte("-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"))
	f.Add([]byte("garbage \x00\xff"))
	f.Add([]byte{})

	sentinels := []error{ErrWrongIdentity, ErrTampered, ErrUntrustedSigner, ErrBadSignature, ErrExpired, ErrReplayed, ErrFormat, ErrTooLarge}
	vo := VerifyOptions{
		Identities:     []age.Identity{id},
		TrustedSigners: []ed25519.PublicKey{pubOf(key)},
		Now:            now,
		LastSequence:   func(string) (uint64, bool) { return 3, true },
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Open(bytes.NewReader(data), vo)
		if err == nil {
			if b == nil || b.Manifest.Signer == "" || len(b.Payload) == 0 {
				t.Fatalf("Open succeeded with an incomplete bundle: %+v", b)
			}
			return
		}
		for _, s := range sentinels {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("Open error matches no sentinel: %v", err)
	})
}

// FuzzVerify reaches the JSON and signature checks directly: through Open
// the fuzzer almost never gets past age's authentication.
func FuzzVerify(f *testing.F) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	valid := sealed(f, sampleBundle("s"), key)
	f.Add(valid)
	f.Add(bytes.Replace(valid, []byte(`"sequence":7`), []byte(`"sequence":1e99`), 1))
	f.Add(bytes.Replace(valid, []byte(`"format_version":1`), []byte(`"format_version":2`), 1))
	f.Add([]byte(`{"format":"sharedvault-bundle","format_version":1,"manifest":null,"payload":null}`))
	f.Add([]byte(`[]`))

	sentinels := []error{ErrUntrustedSigner, ErrBadSignature, ErrExpired, ErrReplayed, ErrFormat}
	vo := VerifyOptions{TrustedSigners: []ed25519.PublicKey{pubOf(key)}, LastSequence: func(string) (uint64, bool) { return 3, true }}
	f.Fuzz(func(t *testing.T, plaintext []byte) {
		b, err := verify(plaintext, vo, now)
		if err == nil {
			if b == nil || b.Manifest.Signer == "" || len(b.Payload) == 0 {
				t.Fatalf("verify succeeded with an incomplete bundle: %+v", b)
			}
			return
		}
		for _, s := range sentinels {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("verify error matches no sentinel: %v", err)
	})
}
