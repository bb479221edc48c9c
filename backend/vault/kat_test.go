package vault

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// kvLine parses "k1=v1 k2=v2 …".
func kvLine(t *testing.T, line string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range strings.Fields(line) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			t.Fatalf("field %q is not key=value in %q", f, line)
		}
		out[k] = v
	}
	return out
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("hex %q: %v", s, err)
	}
	return b
}

func mustUint(t *testing.T, s string, bits int) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, bits)
	if err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return n
}

type argon2Vector struct {
	line           int
	command        string
	password, salt []byte
	t, m           uint32
	p              uint8
	keyLen         uint32
	tag            []byte
}

func readArgon2Vectors(t *testing.T) []argon2Vector {
	t.Helper()
	f, err := os.Open("testdata/argon2id_vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []argon2Vector
	var lastCmd string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if cmd, ok := strings.CutPrefix(line, "# $ "); ok {
			lastCmd = cmd
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kv := kvLine(t, line)
		v := argon2Vector{
			line:     n,
			command:  lastCmd,
			password: mustHex(t, kv["password"]),
			salt:     mustHex(t, kv["salt"]),
			t:        uint32(mustUint(t, kv["t"], 32)),
			m:        uint32(mustUint(t, kv["m"], 32)),
			p:        uint8(mustUint(t, kv["p"], 8)),
			keyLen:   uint32(mustUint(t, kv["len"], 32)),
			tag:      mustHex(t, kv["tag"]),
		}
		// The command above the data line is the provenance; it must say
		// what the data line says, or the file was edited by hand.
		want := fmt.Sprintf("printf '%%s' '%s' | argon2 '%s' -id -t %d -k %d -p %d -l %d -r", v.password, v.salt, v.t, v.m, v.p, v.keyLen)
		if v.command != want {
			t.Fatalf("line %d: command %q does not match the data line (want %q)", n, v.command, want)
		}
		if len(v.tag) != int(v.keyLen) {
			t.Fatalf("line %d: tag is %d bytes, len=%d", n, len(v.tag), v.keyLen)
		}
		lastCmd = ""
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestArgon2idKnownAnswers(t *testing.T) {
	vectors := readArgon2Vectors(t)
	if len(vectors) < 5 {
		t.Fatalf("only %d vectors in testdata/argon2id_vectors.txt", len(vectors))
	}
	sawDefaults := false
	for _, v := range vectors {
		name := fmt.Sprintf("line%d/t=%d,m=%d,p=%d,len=%d", v.line, v.t, v.m, v.p, v.keyLen)
		t.Run(name, func(t *testing.T) {
			if got := argon2.IDKey(v.password, v.salt, v.t, v.m, v.p, v.keyLen); !bytes.Equal(got, v.tag) {
				t.Errorf("argon2.IDKey = %x, want %x (%s)", got, v.tag, v.command)
			}
			// deriveKEK is what Unlock runs; it only makes 32-byte keys
			// from 16-byte salts.
			if v.keyLen != keySize || len(v.salt) != saltSize {
				return
			}
			p := KDFParams{Algorithm: algArgon2id, MemoryKiB: v.m, Iterations: v.t, Parallelism: v.p}
			if p == DefaultKDF() {
				sawDefaults = true
			}
			got, err := deriveKEK(v.password, v.salt, p)
			if err != nil {
				t.Fatalf("deriveKEK: %v", err)
			}
			if !bytes.Equal(got, v.tag) {
				t.Errorf("deriveKEK = %x, want %x (%s)", got, v.tag, v.command)
			}
		})
	}
	if !sawDefaults {
		t.Error("no vector at the production defaults DefaultKDF()")
	}
}

type aeadVector struct {
	name                                       string
	key, nonce, ad, plaintext, ciphertext, tag []byte
}

func readAEADVectors(t *testing.T) []aeadVector {
	t.Helper()
	b, err := os.ReadFile("testdata/xchacha20poly1305_vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []aeadVector
	var cur map[string]string
	flush := func() {
		if cur == nil {
			return
		}
		out = append(out, aeadVector{
			name: cur["name"], key: mustHex(t, cur["key"]), nonce: mustHex(t, cur["nonce"]), ad: mustHex(t, cur["ad"]),
			plaintext: mustHex(t, cur["plaintext"]), ciphertext: mustHex(t, cur["ciphertext"]), tag: mustHex(t, cur["tag"]),
		})
		cur = nil
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		if k == "name" {
			flush()
			cur = map[string]string{}
		}
		cur[k] = v
	}
	flush()
	return out
}

const helperKATEnv = "SHAREDVAULT_VAULT_TEST_KAT"

// helperSealKAT runs the package's seal with crypto/rand replaced by a
// reader that yields the given nonce, and prints the result in hex. It runs
// in a fresh child process because swapping crypto/rand.Reader in the test
// process would race with memguard's background rekeying, which reads
// crypto/rand (and could steal the nonce). Input: key:nonce:ad:plaintext
// in hex.
func helperSealKAT() int {
	parts := strings.Split(os.Getenv(helperKATEnv), ":")
	if len(parts) != 4 {
		fmt.Fprintln(os.Stderr, "want key:nonce:ad:plaintext")
		return 2
	}
	var b [4][]byte
	for i, p := range parts {
		var err error
		if b[i], err = hex.DecodeString(p); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	}
	r := bytes.NewReader(b[1])
	saved := rand.Reader
	rand.Reader = r
	out, err := seal(b[0], b[3], b[2])
	rand.Reader = saved
	if err != nil {
		fmt.Fprintln(os.Stderr, "seal:", err)
		return 1
	}
	if r.Len() != 0 {
		fmt.Fprintf(os.Stderr, "seal read %d random bytes, want a %d-byte nonce\n", len(b[1])-r.Len(), len(b[1]))
		return 1
	}
	fmt.Println(hex.EncodeToString(out))
	return 0
}

// sealWithNonce runs seal with a fixed nonce in a child process.
func sealWithNonce(t *testing.T, key, nonce, plaintext, ad []byte) []byte {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), helperEnv+"=seal-kat",
		helperKATEnv+"="+strings.Join([]string{hex.EncodeToString(key), hex.EncodeToString(nonce), hex.EncodeToString(ad), hex.EncodeToString(plaintext)}, ":"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("seal helper: %v: %s", err, stderr.String())
	}
	return mustHex(t, strings.TrimSpace(string(out)))
}

func TestXChaCha20Poly1305KnownAnswers(t *testing.T) {
	vectors := readAEADVectors(t)
	if len(vectors) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			want := append(append(append([]byte{}, v.nonce...), v.ciphertext...), v.tag...)
			if got := sealWithNonce(t, v.key, v.nonce, v.plaintext, v.ad); !bytes.Equal(got, want) {
				t.Errorf("seal =\n%x\nwant\n%x", got, want)
			}
			got, err := open(v.key, want, v.ad)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			if !bytes.Equal(got, v.plaintext) {
				t.Errorf("open = %q, want %q", got, v.plaintext)
			}
			// The same vector with its last tag byte changed must not open.
			bad := append([]byte{}, want...)
			bad[len(bad)-1] ^= 1
			if _, err := open(v.key, bad, v.ad); !errors.Is(err, ErrTampered) {
				t.Errorf("open(altered tag) error = %v, want ErrTampered", err)
			}
		})
	}
}

// The default nonce source must be the real one: two seals of the same
// value differ (a fixed or reused nonce would be catastrophic for a stream
// cipher).
func TestSealNoncesDiffer(t *testing.T) {
	key := make([]byte, keySize)
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		out, err := seal(key, []byte("same"), nil)
		if err != nil {
			t.Fatal(err)
		}
		n := string(out[:24])
		if seen[n] {
			t.Fatalf("nonce %x repeated after %d seals", n, i)
		}
		seen[n] = true
	}
}
