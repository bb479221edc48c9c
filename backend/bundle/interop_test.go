package bundle

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/google/go-cmp/cmp"
)

// ageCLI returns the path of the reference age command and whether it
// supports post-quantum (hybrid) keys, which arrived in age v1.3.0. Debian
// 12 ships 1.1.x.
func ageCLI(t *testing.T) (path string, pq bool) {
	t.Helper()
	path, err := exec.LookPath("age")
	if err != nil {
		t.Skip("the age command is not installed (e.g. apt install age); skipping interop with the reference implementation")
	}
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		t.Fatalf("age --version: %v", err)
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) >= 2 {
		major, _ := strconv.Atoi(parts[0])
		minor, _ := strconv.Atoi(parts[1])
		pq = major > 1 || (major == 1 && minor >= 3)
	}
	t.Logf("age %s at %s (post-quantum: %v)", v, path, pq)
	return path, pq
}

// TestInteropAgeDecrypts checks that the reference age CLI decrypts our
// bundles and yields exactly the bundle Open decodes, and that the signature
// verifies from that plaintext by FORMAT.md's recipe alone.
//
// Passphrase bundles are not covered: age -d reads a passphrase only from a
// terminal, which a test cannot provide without a pty dependency.
func TestInteropAgeDecrypts(t *testing.T) {
	bin, pq := ageCLI(t)
	key := newSigningKey(t)
	b := sampleBundle("interop-secret")

	type keypair struct {
		recipient age.Recipient
		identity  age.Identity
		text      string // identity file contents
	}
	x := newX25519(t)
	pairs := map[string]keypair{"x25519": {x.Recipient(), x, x.String()}}
	if pq {
		h := newHybrid(t)
		pairs["hybrid"] = keypair{h.Recipient(), h, h.String()}
	} else {
		t.Log("this age does not support post-quantum keys; hybrid interop not tested")
	}
	for name, kp := range pairs {
		for _, armored := range []bool{false, true} {
			t.Run(name+"/armor="+strconv.FormatBool(armored), func(t *testing.T) {
				dir := t.TempDir()
				idFile := filepath.Join(dir, "key.txt")
				if err := os.WriteFile(idFile, []byte(kp.text+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				bundlePath := filepath.Join(dir, "export.age")
				if err := WriteFile(bundlePath, b, ExportOptions{Recipients: []age.Recipient{kp.recipient}, Armor: armored, SigningKey: key}); err != nil {
					t.Fatal(err)
				}
				var stderr bytes.Buffer
				cmd := exec.Command(bin, "-d", "-i", idFile, bundlePath)
				cmd.Stderr = &stderr
				plaintext, err := cmd.Output()
				if err != nil {
					t.Fatalf("age -d: %v: %s", err, stderr.String())
				}

				opened, err := ReadFile(bundlePath, verifyOpts(key, kp.identity))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(envelopeOf(t, opened, plaintext), decodeGeneric(t, plaintext)); diff != "" {
					t.Errorf("age CLI plaintext differs from Open's bundle (-open +age):\n%s", diff)
				}
				if err := verifyDetached(plaintext, pubOf(key)); err != nil {
					t.Errorf("third-party signature check on age CLI output: %v", err)
				}
			})
		}
	}
}

// TestInteropAgeEncrypts goes the other way: a bundle re-encrypted (and
// armored) by the reference CLI opens with our reader.
func TestInteropAgeEncrypts(t *testing.T) {
	bin, _ := ageCLI(t)
	key, x := newSigningKey(t), newX25519(t)
	b := sampleBundle("interop-secret")
	dir := t.TempDir()
	plainFile := filepath.Join(dir, "plain.json")
	if err := os.WriteFile(plainFile, sealed(t, b, key), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, armored := range []bool{false, true} {
		t.Run("armor="+strconv.FormatBool(armored), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "cli.age")
			args := []string{"-r", x.Recipient().String(), "-o", out}
			if armored {
				args = append(args, "-a")
			}
			if msg, err := exec.Command(bin, append(args, plainFile)...).CombinedOutput(); err != nil {
				t.Fatalf("age -e: %v: %s", err, msg)
			}
			got, err := ReadFile(out, verifyOpts(key, x))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantOpened(t, b, key), got); diff != "" {
				t.Errorf("bundle (-want +got):\n%s", diff)
			}
		})
	}
}

// envelopeOf rebuilds the plaintext JSON from what Open returned, taking the
// signature from the CLI output (Open does not return it), as a generic value.
func envelopeOf(t *testing.T, b *Bundle, plaintext []byte) any {
	t.Helper()
	var sig struct {
		Signature string `json:"signature"`
	}
	if err := json.Unmarshal(plaintext, &sig); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(map[string]any{
		"format":         FormatName,
		"format_version": b.FormatVersion,
		"manifest":       b.Manifest,
		"payload":        b.Payload,
		"signature":      sig.Signature,
	})
	if err != nil {
		t.Fatal(err)
	}
	return decodeGeneric(t, raw)
}

func decodeGeneric(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return v
}
