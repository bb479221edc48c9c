package bundle

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"filippo.io/age"
)

// FuzzParseSignerKey is `import --signer KEY` and the window's signer field:
// a refusal is ErrInvalidKey with a fixed message (nothing pasted is
// echoed), and an accepted key prints and parses back to itself.
func FuzzParseSignerKey(f *testing.F) {
	pub := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)).Public().(ed25519.PublicKey)
	printed := FormatSignerKey(pub)
	for _, s := range []string{
		printed, " " + printed + "\n", strings.TrimPrefix(printed, SignerKeyPrefix), SignerKeyPrefix,
		printed[:len(printed)-4], printed + "AAAA", strings.ReplaceAll(printed, "+", "-"),
		SignerKeyPrefix + base64.RawStdEncoding.EncodeToString(pub), "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs8h9lrs", "",
	} {
		f.Add(s)
	}
	wantErr := "invalid key: signer key must look like " + SignerKeyPrefix + "<base64 of 32 bytes>"
	f.Fuzz(func(t *testing.T, in string) {
		k, err := ParseSignerKey(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidKey) || err.Error() != wantErr {
				t.Fatalf("refusal %q, want the fixed message", err)
			}
			return
		}
		if len(k) != ed25519.PublicKeySize {
			t.Fatalf("accepted a %d-byte key", len(k))
		}
		again, err := ParseSignerKey(FormatSignerKey(k))
		if err != nil || !bytes.Equal(again, k) {
			t.Fatalf("printed key does not parse back: %v", err)
		}
	})
}

// FuzzParseRecipients is `export --recipient/--recipients-file` and the
// window's recipients box: a refusal is ErrInvalidKey and never quotes a
// private key pasted by mistake; accepted recipients are one per
// non-comment line and never mix post-quantum and classic ones.
func FuzzParseRecipients(f *testing.F) {
	const identity = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
	id, err := age.ParseX25519Identity(identity)
	if err != nil {
		f.Fatal(err)
	}
	x25519 := id.Recipient().String()
	pq, err := age.GenerateHybridIdentity()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		x25519, "# team\n" + x25519 + "\n\n" + x25519 + "\r\n", identity, strings.ToLower(identity), "  " + identity + "  ",
		x25519 + "\n" + identity, pq.Recipient().String(), x25519 + "\n" + pq.Recipient().String(), "age1pq1" + strings.Repeat("q", 40), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", "#only a comment", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		recs, err := ParseRecipients([]string{in})
		if err != nil {
			if !errors.Is(err, ErrInvalidKey) || recs != nil {
				t.Fatalf("refusal %v (%d recipients) is not ErrInvalidKey alone", err, len(recs))
			}
			for _, line := range strings.Split(in, "\n") {
				line = strings.TrimSpace(line)
				// (Only a key that appears nowhere else in the input: the
				// error may rightly quote another, malformed recipient line.)
				if key, ok := strings.CutPrefix(strings.ToUpper(line), "AGE-SECRET-KEY-"); ok && len(key) >= 8 &&
					strings.Count(strings.ToUpper(in), key) == 1 && strings.Contains(strings.ToUpper(err.Error()), key) {
					t.Fatalf("refusal quotes a private key: %v", err)
				}
			}
			return
		}
		lines := 0
		for _, line := range strings.Split(in, "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				lines++
			}
		}
		if len(recs) == 0 || len(recs) != lines {
			t.Fatalf("%d recipients from %d recipient lines", len(recs), lines)
		}
	})
}
