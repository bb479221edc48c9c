package bundle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) {
	// 2^10 instead of 2^18: the passphrase cases would otherwise take seconds.
	restore := SetScryptWorkFactorForTests(10)
	code := m.Run()
	restore()
	os.Exit(code)
}

var (
	created = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	expires = created.Add(7 * 24 * time.Hour)
	now     = created.Add(time.Hour)
)

func newSigningKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	k, err := GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pubOf(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func newX25519(t testing.TB) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func newHybrid(t testing.TB) *age.HybridIdentity {
	t.Helper()
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func passphrase(t testing.TB, pass string) (age.Recipient, age.Identity) {
	t.Helper()
	r, err := PassphraseRecipient([]byte(pass))
	if err != nil {
		t.Fatal(err)
	}
	id, err := PassphraseIdentity([]byte(pass))
	if err != nil {
		t.Fatal(err)
	}
	return r, id
}

// sampleBundle is what the CLI would export: the payload carries a secret.
func sampleBundle(secret string) Bundle {
	exp := expires
	return Bundle{
		Manifest: Manifest{
			VaultID:   "7f1c2d3e-vault",
			Sequence:  7,
			CreatedAt: created,
			ExpiresAt: &exp,
			Contents: []Content{
				{Kind: "provider", Name: "devops.pat", Fingerprint: "abcd-ef01-2345"},
				{Kind: "board", Name: "Board A <&> ü", Fingerprint: "0123-4567-89ab"},
			},
		},
		Payload: json.RawMessage(fmt.Sprintf(`{
			"providers": {"devops": {"method": "pat", "username": "ops@contoso.com", "token": %q}},
			"boards": [{"name": "Board A <&> ü", "use_global": true}],
			"settings": {"global_shared_secret": "true"}
		}`, secret)),
	}
}

// wantOpened is sampleBundle as Open returns it: signer filled in, payload
// compacted.
func wantOpened(t testing.TB, b Bundle, key ed25519.PrivateKey) *Bundle {
	t.Helper()
	b.FormatVersion = FormatVersion
	b.Manifest.Signer = FormatSignerKey(pubOf(key))[len(SignerKeyPrefix):]
	var buf bytes.Buffer
	if err := json.Compact(&buf, b.Payload); err != nil {
		t.Fatal(err)
	}
	b.Payload = buf.Bytes()
	return &b
}

func verifyOpts(key ed25519.PrivateKey, ids ...age.Identity) VerifyOptions {
	return VerifyOptions{Identities: ids, TrustedSigners: []ed25519.PublicKey{pubOf(key)}, Now: now}
}

func writeBundle(t testing.TB, b Bundle, opt ExportOptions) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.age")
	if err := WriteFile(path, b, opt); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	return path
}

func TestRoundTrip(t *testing.T) {
	x1, x2 := newX25519(t), newX25519(t)
	h1, h2 := newHybrid(t), newHybrid(t)
	passRec, passID := passphrase(t, "correct horse battery staple")

	tests := []struct {
		name       string
		recipients []age.Recipient
		// Each identity alone must open the bundle.
		identities []age.Identity
	}{
		{"x25519", []age.Recipient{x1.Recipient()}, []age.Identity{x1}},
		{"hybrid post-quantum", []age.Recipient{h1.Recipient()}, []age.Identity{h1}},
		{"passphrase scrypt", []age.Recipient{passRec}, []age.Identity{passID}},
		{"two x25519 recipients", []age.Recipient{x1.Recipient(), x2.Recipient()}, []age.Identity{x1, x2}},
		{"two hybrid recipients", []age.Recipient{h1.Recipient(), h2.Recipient()}, []age.Identity{h1, h2}},
	}
	key := newSigningKey(t)
	b := sampleBundle("pat-value-1234")
	want := wantOpened(t, b, key)
	for _, tt := range tests {
		for _, armored := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/armor=%v", tt.name, armored), func(t *testing.T) {
				path := writeBundle(t, b, ExportOptions{Recipients: tt.recipients, Armor: armored, SigningKey: key})
				raw, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if got := bytes.HasPrefix(raw, []byte(armor.Header)); got != armored {
					t.Errorf("armored header present = %v, want %v", got, armored)
				}
				for i, id := range tt.identities {
					got, err := ReadFile(path, verifyOpts(key, id))
					if err != nil {
						t.Fatalf("ReadFile with identity %d: %v", i, err)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("identity %d: bundle mismatch (-want +got):\n%s", i, diff)
					}
				}
			})
		}
	}
}

func TestWriteFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix permission bits")
	}
	id, key := newX25519(t), newSigningKey(t)
	path := filepath.Join(t.TempDir(), "export.age")
	// An existing world-readable file must not pass its mode on.
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, sampleBundle("x"), ExportOptions{Recipients: []age.Recipient{id.Recipient()}, SigningKey: key}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Errorf("mode = %v, want %v", got, want)
	}
}

type failingRecipient struct{}

var errRecipientBoom = errors.New("recipient exploded")

func (failingRecipient) Wrap([]byte) ([]*age.Stanza, error) { return nil, errRecipientBoom }

func TestWriteFileAtomicOnFailure(t *testing.T) {
	id, key := newX25519(t), newSigningKey(t)
	good := []age.Recipient{id.Recipient()}
	tests := []struct {
		name    string
		b       Bundle
		opt     ExportOptions
		wantErr error
	}{
		{"failing recipient", sampleBundle("s"), ExportOptions{Recipients: []age.Recipient{id.Recipient(), failingRecipient{}}, SigningKey: key}, errRecipientBoom},
		{"bad signing key", sampleBundle("s"), ExportOptions{Recipients: good, SigningKey: key[:10]}, ErrInvalidKey},
		{"payload not an object", Bundle{Manifest: Manifest{VaultID: "v"}, Payload: json.RawMessage(`["a"]`)}, ExportOptions{Recipients: good, SigningKey: key}, ErrFormat},
		{"payload not json", Bundle{Manifest: Manifest{VaultID: "v"}, Payload: json.RawMessage(`{"a":`)}, ExportOptions{Recipients: good, SigningKey: key}, ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "export.age")
			old := []byte("previous bundle, must survive")
			if err := os.WriteFile(path, old, 0o600); err != nil {
				t.Fatal(err)
			}
			err := WriteFile(path, tt.b, tt.opt)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("WriteFile error = %v, want %v", err, tt.wantErr)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, old) {
				t.Errorf("existing file changed: got %q", got)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if diff := cmp.Diff([]string{"export.age"}, names); diff != "" {
				t.Errorf("directory contents (-want +got):\n%s", diff)
			}
		})
	}
}

// errWriter fails after n bytes, like a full disk.
type errWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (w *errWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		n := w.n
		w.n = 0
		return n, errDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

func TestEncodeRefusals(t *testing.T) {
	id, key := newX25519(t), newSigningKey(t)
	h := newHybrid(t)
	passRec, _ := passphrase(t, "pw")
	past := created.Add(-time.Hour)
	good := sampleBundle("s")
	noVault := sampleBundle("s")
	noVault.Manifest.VaultID = ""
	badExpiry := sampleBundle("s")
	badExpiry.Manifest.ExpiresAt = &past
	v2 := sampleBundle("s")
	v2.FormatVersion = 2
	tests := []struct {
		name    string
		w       io.Writer
		b       Bundle
		opt     ExportOptions
		wantErr error // nil: any error will do, age's own
	}{
		{"writer fails midway", &errWriter{n: 100}, good, ExportOptions{Recipients: []age.Recipient{id.Recipient()}, SigningKey: key}, errDiskFull},
		{"armored writer fails midway", &errWriter{n: 100}, good, ExportOptions{Recipients: []age.Recipient{id.Recipient()}, Armor: true, SigningKey: key}, errDiskFull},
		{"no recipients", io.Discard, good, ExportOptions{SigningKey: key}, nil},
		{"no signing key", io.Discard, good, ExportOptions{Recipients: []age.Recipient{id.Recipient()}}, ErrInvalidKey},
		{"no vault id", io.Discard, noVault, ExportOptions{Recipients: []age.Recipient{id.Recipient()}, SigningKey: key}, nil},
		{"expiry before creation", io.Discard, badExpiry, ExportOptions{Recipients: []age.Recipient{id.Recipient()}, SigningKey: key}, nil},
		{"unknown format version", io.Discard, v2, ExportOptions{Recipients: []age.Recipient{id.Recipient()}, SigningKey: key}, ErrFormat},
		{"classic mixed with post-quantum", io.Discard, good, ExportOptions{Recipients: []age.Recipient{id.Recipient(), h.Recipient()}, SigningKey: key}, nil},
		{"passphrase mixed with key", io.Discard, good, ExportOptions{Recipients: []age.Recipient{passRec, id.Recipient()}, SigningKey: key}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Encode(tt.w, tt.b, tt.opt)
			if err == nil {
				t.Fatal("Encode succeeded, want error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Encode error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// encryptPlain encrypts arbitrary plaintext the way an attacker who knows a
// recipient's public key can.
func encryptPlain(t testing.TB, plaintext []byte, r age.Recipient) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plaintext); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sealed(t testing.TB, b Bundle, key ed25519.PrivateKey) []byte {
	t.Helper()
	p, err := seal(b, key, created)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func encodeBytes(t testing.TB, b Bundle, opt ExportOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, b, opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpenRefusals(t *testing.T) {
	id, other := newX25519(t), newX25519(t)
	key, otherKey := newSigningKey(t), newSigningKey(t)
	passRec, _ := passphrase(t, "right passphrase")
	_, wrongPass := passphrase(t, "wrong passphrase")
	b := sampleBundle("pat-value")
	opt := ExportOptions{Recipients: []age.Recipient{id.Recipient()}, SigningKey: key}
	valid := encodeBytes(t, b, opt)
	armored := encodeBytes(t, b, ExportOptions{Recipients: opt.Recipients, Armor: true, SigningKey: key})

	flip := func(in []byte, i int) []byte {
		out := bytes.Clone(in)
		out[i] ^= 0x01
		return out
	}
	// replaceInPlaintext edits the signed JSON and re-encrypts it: anyone
	// with the recipient's public key can do this.
	replaceInPlaintext := func(old, new string) []byte {
		p := sealed(t, b, key)
		if !bytes.Contains(p, []byte(old)) {
			t.Fatalf("plaintext has no %q", old)
		}
		return encryptPlain(t, bytes.Replace(p, []byte(old), []byte(new), 1), id.Recipient())
	}
	// Signer field names the trusted key, signature made by another one.
	var forged envelope
	if err := json.Unmarshal(sealed(t, b, key), &forged); err != nil {
		t.Fatal(err)
	}
	var other2 envelope
	if err := json.Unmarshal(sealed(t, b, otherKey), &other2); err != nil {
		t.Fatal(err)
	}
	forged.Signature = other2.Signature
	forgedPlain, err := json.Marshal(forged)
	if err != nil {
		t.Fatal(err)
	}
	expiredBundle := b
	soon := created.Add(time.Minute)
	expiredBundle.Manifest.ExpiresAt = &soon
	withV2 := bytes.Replace(sealed(t, b, key), []byte(`"format_version":1`), []byte(`"format_version":2`), 1)
	unknownField := bytes.Replace(sealed(t, b, key), []byte(`"manifest":{`), []byte(`"manifest":{"extra":1,`), 1)

	tests := []struct {
		name     string
		file     []byte
		ids      []age.Identity
		last     uint64 // last imported sequence for the signer; 0 = none
		wantErr  error
		wantText string // substring the CLI must be able to show
	}{
		{name: "wrong identity", file: valid, ids: []age.Identity{other}, wantErr: ErrWrongIdentity},
		{name: "wrong passphrase", file: encodeBytes(t, b, ExportOptions{Recipients: []age.Recipient{passRec}, SigningKey: key}), ids: []age.Identity{wrongPass}, wantErr: ErrWrongIdentity},
		{name: "key identity on passphrase bundle", file: encodeBytes(t, b, ExportOptions{Recipients: []age.Recipient{passRec}, SigningKey: key}), ids: []age.Identity{id}, wantErr: ErrWrongIdentity},
		{name: "flipped byte in body", file: flip(valid, len(valid)-20), wantErr: ErrTampered},
		{name: "flipped byte in header mac", file: flip(valid, bytes.Index(valid, []byte("\n---"))+6), wantErr: ErrTampered},
		{name: "flipped byte in armored body", file: flip(armored, len(armored)-len(armor.Footer)-10), wantErr: ErrTampered},
		{name: "truncated body", file: valid[:len(valid)-30], wantErr: ErrTampered},
		{name: "truncated header", file: valid[:40], wantErr: ErrTampered},
		{name: "truncated armored", file: armored[:len(armored)/2], wantErr: ErrTampered},
		{name: "not an age file", file: []byte("PK\x03\x04 this is a zip"), wantErr: ErrFormat},
		{name: "empty file", file: nil, wantErr: ErrFormat},
		{name: "plain json bundle", file: sealed(t, b, key), wantErr: ErrFormat},
		{name: "age file that is not a bundle", file: encryptPlain(t, []byte(`{"hello":"world"}`), id.Recipient()), wantErr: ErrFormat},
		{name: "unsupported format version", file: encryptPlain(t, withV2, id.Recipient()), wantErr: ErrFormat, wantText: "format_version 2"},
		{name: "unknown manifest field", file: encryptPlain(t, unknownField, id.Recipient()), wantErr: ErrFormat},
		{name: "signed by an untrusted key", file: encodeBytes(t, b, ExportOptions{Recipients: opt.Recipients, SigningKey: otherKey}), wantErr: ErrUntrustedSigner},
		{name: "trusted signer named, other key signed", file: encryptPlain(t, forgedPlain, id.Recipient()), wantErr: ErrBadSignature},
		{name: "payload changed after signing", file: replaceInPlaintext(`"pat-value"`, `"attacker-pat"`), wantErr: ErrBadSignature},
		{name: "manifest changed after signing", file: replaceInPlaintext(`"sequence":7`, `"sequence":8`), wantErr: ErrBadSignature},
		{name: "expired", file: encodeBytes(t, expiredBundle, opt), wantErr: ErrExpired, wantText: "2026-03-01T10:01:00Z"},
		{name: "replayed same sequence", file: valid, last: 7, wantErr: ErrReplayed, wantText: "bundle sequence 7 is not newer than the last imported (7)"},
		{name: "older sequence", file: valid, last: 9, wantErr: ErrReplayed, wantText: "bundle sequence 7 is not newer than the last imported (9)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vo := verifyOpts(key, id)
			if tt.ids != nil {
				vo.Identities = tt.ids
			}
			if tt.last != 0 {
				vo.LastSequence = func(signer string) (uint64, bool) {
					if signer != FormatSignerKey(pubOf(key))[len(SignerKeyPrefix):] {
						t.Errorf("LastSequence called with %q, want the manifest signer", signer)
					}
					return tt.last, true
				}
			}
			got, err := Open(bytes.NewReader(tt.file), vo)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Open error = %v, want %v", err, tt.wantErr)
			}
			t.Logf("message shown to the admin: %v", err)
			if got != nil {
				t.Errorf("Open returned a bundle along with error")
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not mention %q", err, tt.wantText)
			}
			if strings.Contains(err.Error(), "pat-value") {
				t.Errorf("error %q leaks the secret", err)
			}
		})
	}
}

func TestOpenSequenceNewer(t *testing.T) {
	id, key := newX25519(t), newSigningKey(t)
	file := encodeBytes(t, sampleBundle("s"), ExportOptions{Recipients: []age.Recipient{id.Recipient()}, SigningKey: key})
	vo := verifyOpts(key, id)
	vo.LastSequence = func(string) (uint64, bool) { return 6, true }
	if _, err := Open(bytes.NewReader(file), vo); err != nil {
		t.Fatalf("sequence 7 after 6: %v", err)
	}
}

func TestOpenTooLarge(t *testing.T) {
	id := newX25519(t)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, io.LimitReader(zeros{}, MaxPlaintextSize+1)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(&buf, verifyOpts(newSigningKey(t), id))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Open error = %v, want %v", err, ErrTooLarge)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestCanaryNotInFile(t *testing.T) {
	id, key := newX25519(t), newSigningKey(t)
	passRec, _ := passphrase(t, "pw")
	canary := "CANARY-" + hex.EncodeToString(randBytes(t, 16))
	tests := []struct {
		name string
		opt  ExportOptions
	}{
		{"x25519 binary", ExportOptions{Recipients: []age.Recipient{id.Recipient()}, SigningKey: key}},
		{"x25519 armored", ExportOptions{Recipients: []age.Recipient{id.Recipient()}, Armor: true, SigningKey: key}},
		{"passphrase armored", ExportOptions{Recipients: []age.Recipient{passRec}, Armor: true, SigningKey: key}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := os.ReadFile(writeBundle(t, sampleBundle(canary), tt.opt))
			if err != nil {
				t.Fatal(err)
			}
			for _, form := range [][]byte{[]byte(canary), []byte(hex.EncodeToString([]byte(canary)))} {
				if bytes.Contains(raw, form) {
					t.Errorf("bundle file contains the canary %q", form)
				}
			}
		})
	}
}

func randBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// verifyDetached follows FORMAT.md's third-party recipe literally, with no
// help from this package: raw manifest bytes, compacted payload, SHA-256.
func verifyDetached(plaintext []byte, pub ed25519.PublicKey) error {
	var env struct {
		Manifest  json.RawMessage `json:"manifest"`
		Payload   json.RawMessage `json:"payload"`
		Signature []byte          `json:"signature"` // encoding/json decodes base64
	}
	if err := json.Unmarshal(plaintext, &env); err != nil {
		return err
	}
	var payload bytes.Buffer
	if err := json.Compact(&payload, env.Payload); err != nil {
		return err
	}
	digest := sha256.Sum256(payload.Bytes())
	msg := append([]byte("sharedvault-bundle-v1\n"), env.Manifest...)
	msg = append(append(msg, '\n'), digest[:]...)
	if !ed25519.Verify(pub, msg, env.Signature) {
		return errors.New("signature does not verify")
	}
	return nil
}

// TestSignatureVector pins the canonical encoding and signed message with a
// fixed key, so a change to either is caught and third parties have a
// known answer to test against (testdata/signature-v1.json).
func TestSignatureVector(t *testing.T) {
	vectorPath := filepath.Join("testdata", "signature-v1.json")
	if *update {
		writeVector(t, vectorPath)
	}
	raw, err := os.ReadFile(vectorPath)
	if err != nil {
		t.Fatal(err)
	}
	var vec struct {
		Seed          string `json:"ed25519_seed_hex"`
		Plaintext     string `json:"plaintext"`
		SignedMessage string `json:"signed_message_hex"`
	}
	if err := json.Unmarshal(raw, &vec); err != nil {
		t.Fatal(err)
	}
	seed, err := hex.DecodeString(vec.Seed)
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(seed)
	b := sampleBundle("vector-secret")
	got, err := seal(b, key, created)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(vec.Plaintext, string(got)); diff != "" {
		t.Errorf("plaintext (-want +got):\n%s", diff)
	}
	var m Manifest
	var env envelope
	if err := json.Unmarshal(got, &env); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(env.Manifest, &m); err != nil {
		t.Fatal(err)
	}
	manifest, err := canonicalManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(vec.SignedMessage, hex.EncodeToString(signedMessage(manifest, env.Payload))); diff != "" {
		t.Errorf("signed message (-want +got):\n%s", diff)
	}
	if err := verifyDetached([]byte(vec.Plaintext), pubOf(key)); err != nil {
		t.Errorf("third-party verification of the vector: %v", err)
	}
}

var update = flag.Bool("update", false, "rewrite testdata/signature-v1.json")

func writeVector(t *testing.T, path string) {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i)
	}
	key := ed25519.NewKeyFromSeed(seed)
	plaintext, err := seal(sampleBundle("vector-secret"), key, created)
	if err != nil {
		t.Fatal(err)
	}
	var env envelope
	if err := json.Unmarshal(plaintext, &env); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false) // keep the vector readable: <, > and & as they are
	enc.SetIndent("", "  ")
	err = enc.Encode(map[string]string{
		"comment":            "sharedvault bundle v1 signature known answer: Ed25519 key from seed, plaintext as written, signed message = context || manifest || LF || sha256(payload)",
		"ed25519_seed_hex":   hex.EncodeToString(seed),
		"signer":             FormatSignerKey(pubOf(key)),
		"plaintext":          string(plaintext),
		"signed_message_hex": hex.EncodeToString(signedMessage(env.Manifest, env.Payload)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestParseRecipients(t *testing.T) {
	x, h := newX25519(t), newHybrid(t)
	tests := []struct {
		name      string
		lines     []string
		wantKeys  []string
		wantErr   error
		forbidden string // must not appear in the error
	}{
		{name: "x25519", lines: []string{x.Recipient().String()}, wantKeys: []string{x.Recipient().String()}},
		{name: "hybrid", lines: []string{h.Recipient().String()}, wantKeys: []string{h.Recipient().String()}},
		{
			name:     "recipients file with comments and blanks",
			lines:    []string{"# ops team", "", "  " + x.Recipient().String() + "  ", "\t", "# end"},
			wantKeys: []string{x.Recipient().String()},
		},
		{
			name:     "whole file in one element, CRLF",
			lines:    []string{"# created by age-keygen\r\n" + x.Recipient().String() + "\r\n"},
			wantKeys: []string{x.Recipient().String()},
		},
		{name: "mixed classic and post-quantum", lines: []string{x.Recipient().String(), h.Recipient().String()}, wantErr: ErrInvalidKey},
		{name: "private key pasted", lines: []string{x.String()}, wantErr: ErrInvalidKey, forbidden: x.String()},
		{name: "pq private key pasted", lines: []string{h.String()}, wantErr: ErrInvalidKey, forbidden: h.String()},
		{name: "ssh key", lines: []string{"ssh-ed25519 AAAAC3Nza"}, wantErr: ErrInvalidKey},
		{name: "bad checksum", lines: []string{x.Recipient().String()[:40] + "qqqq" + x.Recipient().String()[44:]}, wantErr: ErrInvalidKey},
		{name: "only comments", lines: []string{"# nothing"}, wantErr: ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRecipients(tt.lines)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if tt.forbidden != "" && strings.Contains(err.Error(), tt.forbidden) {
					t.Errorf("error echoes the private key: %v", err)
				}
				return
			}
			var keys []string
			for _, r := range got {
				keys = append(keys, r.(fmt.Stringer).String())
			}
			if diff := cmp.Diff(tt.wantKeys, keys); diff != "" {
				t.Errorf("recipients (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseIdentities(t *testing.T) {
	x, h := newX25519(t), newHybrid(t)
	tests := []struct {
		name     string
		file     string
		wantKeys []string
		wantErr  error
	}{
		{
			name:     "age-keygen file",
			file:     "# created: 2026-03-01T10:00:00Z\n# public key: " + x.Recipient().String() + "\n" + x.String() + "\n",
			wantKeys: []string{x.String()},
		},
		{name: "post-quantum and classic", file: h.String() + "\n\n" + x.String(), wantKeys: []string{h.String(), x.String()}},
		{name: "recipient instead of identity", file: x.Recipient().String(), wantErr: ErrInvalidKey},
		{name: "empty", file: "# nothing here\n", wantErr: ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIdentities(strings.NewReader(tt.file))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			var keys []string
			for _, id := range got {
				keys = append(keys, id.(fmt.Stringer).String())
			}
			if diff := cmp.Diff(tt.wantKeys, keys); diff != "" {
				t.Errorf("identities (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSignerKey(t *testing.T) {
	pub := pubOf(newSigningKey(t))
	printed := FormatSignerKey(pub)
	if !strings.HasPrefix(printed, "sharedvault-ed25519:") {
		t.Fatalf("FormatSignerKey = %q, want the sharedvault-ed25519: prefix", printed)
	}
	tests := []struct {
		name    string
		in      string
		want    ed25519.PublicKey
		wantErr error
	}{
		{name: "printed form", in: printed, want: pub},
		{name: "with newline from a file", in: printed + "\n", want: pub},
		{name: "bare manifest signer", in: strings.TrimPrefix(printed, SignerKeyPrefix), want: pub},
		{name: "short key", in: SignerKeyPrefix + "AAAA", wantErr: ErrInvalidKey},
		{name: "not base64", in: SignerKeyPrefix + "!!!", wantErr: ErrInvalidKey},
		{name: "age recipient", in: newX25519(t).Recipient().String(), wantErr: ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSignerKey(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("key (-want +got):\n%s", diff)
			}
		})
	}
}
