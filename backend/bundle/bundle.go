package bundle

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
)

const (
	// FormatName is the value of the top-level "format" field.
	FormatName = "sharedvault-bundle"
	// FormatVersion is the only format_version this package reads and writes.
	FormatVersion = 1
	// MaxPlaintextSize caps the decrypted JSON Open will read, so a hostile
	// file cannot exhaust memory. Encode refuses to write anything larger, so
	// every bundle we write can be read back.
	MaxPlaintextSize = 64 << 20

	signatureContext = "sharedvault-bundle-v1\n"
	ageIntro         = "age-encryption.org/v1\n"
)

// Errors returned by Open, ReadFile, Encode and WriteFile. Messages are
// lowercase and free of secrets, because the CLI prints them as they are.
var (
	ErrWrongIdentity   = errors.New("no identity matched: the bundle was not encrypted to this key or passphrase")
	ErrTampered        = errors.New("bundle is damaged or was modified")
	ErrUntrustedSigner = errors.New("bundle is signed by a key that is not trusted")
	ErrBadSignature    = errors.New("bundle signature is not valid")
	ErrExpired         = errors.New("bundle expired")
	ErrReplayed        = errors.New("bundle sequence is not newer than the last imported")
	ErrFormat          = errors.New("not a sharedvault bundle in a supported format")
	ErrTooLarge        = errors.New("bundle is larger than the supported maximum")
	ErrInvalidKey      = errors.New("invalid key")
)

// ReplayError reports which sequence numbers clashed. It matches ErrReplayed
// with errors.Is; errors.As gives the CLI the numbers.
type ReplayError struct {
	Sequence uint64 // sequence in the refused bundle
	Last     uint64 // last sequence imported from the same signer
}

func (e *ReplayError) Error() string {
	return fmt.Sprintf("bundle sequence %d is not newer than the last imported (%d)", e.Sequence, e.Last)
}

func (e *ReplayError) Unwrap() error { return ErrReplayed }

// Content names one item carried in the payload, so an importer can show what
// a bundle holds (with fingerprints, never values) before applying it.
type Content struct {
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
}

// Manifest is the signed description of a bundle. Field order is part of the
// canonical encoding: do not reorder.
type Manifest struct {
	VaultID   string     `json:"vault_id"`
	Sequence  uint64     `json:"sequence"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Signer    string     `json:"signer"`
	Contents  []Content  `json:"contents"`
}

// Bundle is a decoded bundle. Payload is an opaque JSON object owned by the
// caller (providers, boards, settings, secrets as strings).
type Bundle struct {
	FormatVersion int
	Manifest      Manifest
	Payload       json.RawMessage
}

// envelope is the plaintext JSON as written. Manifest and Payload are raw so
// the exact canonical bytes that were signed go into the file.
type envelope struct {
	Format        string          `json:"format"`
	FormatVersion int             `json:"format_version"`
	Manifest      json.RawMessage `json:"manifest"`
	Payload       json.RawMessage `json:"payload"`
	Signature     string          `json:"signature"`
}

// ExportOptions says who can read a bundle and who vouches for it.
type ExportOptions struct {
	Recipients []age.Recipient
	Armor      bool
	SigningKey ed25519.PrivateKey
	// PayloadCompact is the caller's promise that Payload is already a
	// compact JSON object (its own encoder wrote it), so the writer skips
	// its structural scan of the megabytes of payload. Readers parse every
	// bundle strictly either way.
	PayloadCompact bool
	// PayloadParts, when set, replaces Bundle.Payload with consecutive
	// pieces whose concatenation is the payload, so a caller holding it in
	// several buffers hands them over without joining megabytes. The
	// writer only reads them.
	PayloadParts [][]byte
}

// VerifyOptions says which keys may open a bundle and which signers are
// trusted. LastSequence, when set, is called with Manifest.Signer (standard
// base64 of the public key) and returns the last sequence imported from it.
// Now defaults to time.Now(). With no TrustedSigners every bundle is refused
// with ErrUntrustedSigner: there is no trust-on-first-use.
type VerifyOptions struct {
	Identities     []age.Identity
	TrustedSigners []ed25519.PublicKey
	Now            time.Time
	LastSequence   func(signer string) (uint64, bool)
}

// Encode seals b with opt.SigningKey and writes it encrypted to
// opt.Recipients. It fills in Manifest.Signer (and CreatedAt when zero);
// times are stored in UTC with whole seconds.
func Encode(w io.Writer, b Bundle, opt ExportOptions) error {
	parts, err := sealParts(b, opt.SigningKey, opt.PayloadCompact, opt.PayloadParts, time.Now())
	if err != nil {
		return err
	}
	// The payload holds secrets; its part is the caller's own buffer when
	// it was already canonical (the caller wipes that one).
	defer parts.wipe()

	if len(opt.Recipients) == 0 {
		return errors.New("no recipients given")
	}
	dst := w
	var aw io.WriteCloser
	if opt.Armor {
		aw = armor.NewWriter(w)
		dst = aw
	}
	ew, err := age.Encrypt(dst, opt.Recipients...)
	if err != nil {
		return fmt.Errorf("encrypting bundle: %w", err)
	}
	for _, part := range append([][]byte{parts.head}, parts.payload...) {
		if _, err := ew.Write(part); err != nil {
			return fmt.Errorf("encrypting bundle: %w", err)
		}
	}
	if _, err := ew.Write(parts.tail()); err != nil {
		return fmt.Errorf("encrypting bundle: %w", err)
	}
	if err := ew.Close(); err != nil {
		return fmt.Errorf("encrypting bundle: %w", err)
	}
	if aw != nil {
		if err := aw.Close(); err != nil {
			return fmt.Errorf("armoring bundle: %w", err)
		}
	}
	return nil
}

// plaintextParts is the bundle's plaintext as consecutive pieces, so the
// (megabytes of) payload are encrypted from where they are instead of being
// copied into one buffer first. The signature in the tail needs the
// payload's SHA-256, which is computed on another core while the head and
// payload are being encrypted.
type plaintextParts struct {
	head         []byte
	payload      [][]byte
	payloadOwned bool // a canonical copy made here (wiped after use)
	manifest     []byte
	key          ed25519.PrivateKey
	digest       chan [sha256.Size]byte
	signature    []byte
}

// tail is the envelope's end, with the signature; it waits for the digest.
func (p *plaintextParts) tail() []byte {
	if p.signature == nil {
		d := <-p.digest
		p.signature = ed25519.Sign(p.key, signedMessageWithDigest(p.manifest, d))
	}
	return []byte(`,"signature":"` + base64.StdEncoding.EncodeToString(p.signature) + "\"}\n")
}

// wipe clears what this package allocated. It first waits for the digest,
// so the payload is not wiped (here or by the caller) under the hash.
func (p *plaintextParts) wipe() {
	if p.signature == nil {
		<-p.digest
	}
	clear(p.head)
	if p.payloadOwned {
		clear(p.payload[0])
	}
}

// seal validates b, signs it and returns the plaintext JSON.
func seal(b Bundle, key ed25519.PrivateKey, now time.Time) ([]byte, error) {
	parts, err := sealParts(b, key, false, nil, now)
	if err != nil {
		return nil, err
	}
	defer parts.wipe()
	return bytes.Join(append(append([][]byte{parts.head}, parts.payload...), parts.tail()), nil), nil
}

func sealParts(b Bundle, key ed25519.PrivateKey, payloadCompact bool, payloadParts [][]byte, now time.Time) (*plaintextParts, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: signing key must be %d bytes", ErrInvalidKey, ed25519.PrivateKeySize)
	}
	if b.FormatVersion != 0 && b.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%w: cannot write format_version %d", ErrFormat, b.FormatVersion)
	}
	m := b.Manifest
	if m.VaultID == "" {
		return nil, errors.New("manifest vault_id is empty")
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now
	}
	m.CreatedAt = normTime(m.CreatedAt)
	if m.ExpiresAt != nil {
		exp := normTime(*m.ExpiresAt)
		if !exp.After(m.CreatedAt) {
			return nil, errors.New("manifest expires_at must be after created_at")
		}
		m.ExpiresAt = &exp
	}
	// An empty list, not null, so readers in any language see an array.
	if m.Contents == nil {
		m.Contents = []Content{}
	}
	m.Signer = base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))

	manifest, err := canonicalManifest(m)
	if err != nil {
		return nil, err
	}
	payload, copied := payloadParts, false
	if payload == nil {
		payload = [][]byte{b.Payload}
	}
	if !payloadCompact || !objectBounds(payload) {
		joined, joinedHere := payload[0], len(payload) > 1
		if joinedHere {
			joined = bytes.Join(payload, nil)
		}
		canonical, c, err := canonicalPayload(joined)
		if joinedHere && (c || err != nil) {
			clear(joined) // holds secrets; canonical is a copy, or nothing
		}
		if err != nil {
			return nil, err
		}
		payload, copied = [][]byte{canonical}, c || joinedHere
	}
	size := 0
	for _, part := range payload {
		size += len(part)
	}
	// The envelope is written by hand around the canonical bytes: encoding
	// it with encoding/json would validate and copy the payload twice more.
	// The output is byte-for-byte what json.Encoder gives for envelope
	// (TestSignatureVector pins it).
	head := make([]byte, 0, len(manifest)+96)
	head = append(head, `{"format":"`+FormatName+`","format_version":`+strconv.Itoa(FormatVersion)+`,"manifest":`...)
	head = append(head, manifest...)
	head = append(head, `,"payload":`...)
	tailLen := len(`,"signature":""}`+"\n") + base64.StdEncoding.EncodedLen(ed25519.SignatureSize)
	if len(head)+size+tailLen > MaxPlaintextSize {
		if copied {
			clear(payload[0])
		}
		return nil, fmt.Errorf("%w (%d MiB)", ErrTooLarge, MaxPlaintextSize>>20)
	}
	parts := &plaintextParts{head: head, payload: payload, payloadOwned: copied, manifest: manifest, key: key, digest: make(chan [sha256.Size]byte, 1)}
	go func() {
		h := sha256.New()
		for _, part := range payload {
			h.Write(part)
		}
		parts.digest <- [sha256.Size]byte(h.Sum(nil))
	}()
	return parts, nil
}

// objectBounds reports whether the parts start with '{' and end with '}'.
func objectBounds(parts [][]byte) bool {
	var first, last []byte
	for _, p := range parts {
		if len(p) > 0 {
			if first == nil {
				first = p
			}
			last = p
		}
	}
	return first != nil && first[0] == '{' && last[len(last)-1] == '}'
}

func normTime(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// canonicalManifest is encoding/json output without HTML escaping, so that
// common JSON libraries elsewhere (e.g. Python's json.dumps with compact
// separators and ensure_ascii=False) produce the same bytes.
func canonicalManifest(m Manifest) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// canonicalPayload returns the compact form of the payload and checks it is
// a JSON object: the format promises an object, and refusing scalars here
// catches caller bugs. A payload that is already compact (the exporter
// writes it so) is returned as is, without the copy and the slower full
// scan; copied says whether a new buffer was made.
func canonicalPayload(p json.RawMessage) (out []byte, copied bool, err error) {
	if compactObject(p) {
		return p, false, nil
	}
	var buf bytes.Buffer
	buf.Grow(len(p))
	if err := json.Compact(&buf, p); err != nil {
		return nil, false, fmt.Errorf("%w: payload is not valid JSON", ErrFormat)
	}
	if buf.Len() == 0 || buf.Bytes()[0] != '{' {
		clear(buf.Bytes())
		return nil, false, fmt.Errorf("%w: payload must be a JSON object", ErrFormat)
	}
	return buf.Bytes(), true, nil
}

// compactObject reports whether p is a JSON object with nothing for
// json.Compact to remove: it starts with '{', ends with '}', its braces,
// brackets and strings balance, and no whitespace stands outside strings.
// It is a fast pre-check, not a parser: anything it is unsure of goes
// through json.Compact, which validates fully.
func compactObject(p []byte) bool {
	if len(p) < 2 || p[0] != '{' || p[len(p)-1] != '}' {
		return false
	}
	depth, inString, escaped := 0, false, false
	for _, c := range p {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			case c < 0x20:
				return false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth < 0 {
				return false
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return false
		}
	}
	return depth == 0 && !inString
}

func signedMessage(manifest, payload []byte) []byte {
	return signedMessageWithDigest(manifest, sha256.Sum256(payload))
}

func signedMessageWithDigest(manifest []byte, digest [sha256.Size]byte) []byte {
	msg := make([]byte, 0, len(signatureContext)+len(manifest)+1+len(digest))
	msg = append(msg, signatureContext...)
	msg = append(msg, manifest...)
	msg = append(msg, '\n')
	return append(msg, digest[:]...)
}

// WriteFile encodes b to path atomically: the bundle is written to a 0600
// temporary file in the same directory, synced and renamed over path. On any
// error the temporary file is removed and an existing file at path is left as
// it was, so a failed export never leaves a half-written bundle behind.
//
// A path that names a device or a pipe (/dev/stdout, a FIFO) is written
// directly: renaming a temporary file over it would replace the device node
// itself (as root, /dev/full or /dev/null would become a regular file).
func WriteFile(path string, b Bundle, opt ExportOptions) error {
	p, err := WriteTemp(path, b, opt)
	if err != nil {
		return err
	}
	return p.Commit()
}

// PendingFile is a bundle written and synced next to its destination but
// not yet in place: an export records its sequence number in the vault
// between WriteTemp and Commit, so a bundle whose number the vault failed to
// record never appears (Abort), and the number is used only once.
type PendingFile struct {
	tmp, path, dir string // tmp == "": written directly to a device or pipe
	synced         chan error
	syncErr        error
}

// WriteTemp writes b as WriteFile does, up to the rename. The caller ends
// it with Commit or Abort.
func WriteTemp(path string, b Bundle, opt ExportOptions) (_ *PendingFile, err error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		return &PendingFile{path: path}, writeStream(path, b, opt)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("writing bundle: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp already uses 0600; set it explicitly because the mode is a
	// promise of this function, not an implementation detail of os.
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("writing bundle: %w", err)
	}
	bw := bufio.NewWriter(f)
	if err := Encode(bw, b, opt); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("writing bundle: %w", err)
	}
	// The fsync runs while the caller records the export (Wait joins it):
	// the disk works while the vault's transaction is prepared.
	p := &PendingFile{tmp: tmp, path: path, dir: dir, synced: make(chan error, 1)}
	go func() {
		err := f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		p.synced <- err
	}()
	return p, nil
}

// Wait returns once the bundle's bytes are on disk (or failed to get
// there). Call it before recording the export as done.
func (p *PendingFile) Wait() error {
	if p.synced != nil {
		p.syncErr = <-p.synced
		p.synced = nil
		if p.syncErr != nil {
			p.syncErr = fmt.Errorf("writing bundle: %w", p.syncErr)
		}
	}
	return p.syncErr
}

// Commit renames the bundle into place once it is on disk.
func (p *PendingFile) Commit() error {
	if p.tmp == "" {
		return nil
	}
	if err := p.Wait(); err != nil {
		os.Remove(p.tmp)
		return err
	}
	if err := os.Rename(p.tmp, p.path); err != nil {
		os.Remove(p.tmp)
		return fmt.Errorf("writing bundle: %w", err)
	}
	syncDir(p.dir)
	return nil
}

// Abort removes the unplaced bundle; a file already at the path stays as it
// was. (What went to a device or pipe cannot be taken back.)
func (p *PendingFile) Abort() {
	if p.tmp != "" {
		p.Wait()
		os.Remove(p.tmp)
	}
}

// writeStream encodes b straight into an existing device or pipe.
func writeStream(path string, b Bundle, opt ExportOptions) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("writing bundle: %w", err)
	}
	bw := bufio.NewWriter(f)
	if err := Encode(bw, b, opt); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing bundle: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing bundle: %w", err)
	}
	return nil
}

// syncDir makes the rename durable. Best effort: the bundle is complete
// either way, and some platforms cannot fsync a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// ReadFile opens the bundle at path. See Open.
func ReadFile(path string, opt VerifyOptions) (*Bundle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Open(f, opt)
}

// Open decrypts a bundle (binary or armored, detected automatically) and
// verifies, in order: the format, that the signer is trusted, the signature,
// the expiry, and that the sequence is newer than the last one imported from
// the same signer. Each refusal matches one of the package's sentinel errors.
func Open(r io.Reader, opt VerifyOptions) (*Bundle, error) {
	plaintext, err := decrypt(r, opt.Identities)
	if err != nil {
		return nil, err
	}
	defer clear(plaintext)
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	return verify(plaintext, opt, now)
}

func decrypt(r io.Reader, ids []age.Identity) ([]byte, error) {
	if len(ids) == 0 {
		return nil, errors.New("no identity or passphrase given")
	}
	src, err := unarmor(r)
	if err != nil {
		return nil, err
	}
	dec, err := age.Decrypt(src, ids...)
	if err != nil {
		if _, ok := errors.AsType[*age.NoIdentityMatchError](err); ok {
			return nil, ErrWrongIdentity
		}
		// The intro line was checked by unarmor, so anything else (a bad
		// header MAC, a truncated header, an armor error) is damage.
		return nil, fmt.Errorf("%w: %v", ErrTampered, err)
	}
	plaintext, err := io.ReadAll(io.LimitReader(dec, MaxPlaintextSize+1))
	if err != nil {
		clear(plaintext)
		return nil, fmt.Errorf("%w: %v", ErrTampered, err)
	}
	if len(plaintext) > MaxPlaintextSize {
		clear(plaintext)
		return nil, fmt.Errorf("%w (%d MiB)", ErrTooLarge, MaxPlaintextSize>>20)
	}
	return plaintext, nil
}

// unarmor detects the armored form and checks the age intro line, so that a
// file that is not age at all is reported as ErrFormat, not as damage.
func unarmor(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	// armor.NewReader tolerates leading whitespace; so do we when sniffing.
	for {
		c, err := br.ReadByte()
		if err != nil {
			return nil, fmt.Errorf("%w: file is empty", ErrFormat)
		}
		if !strings.ContainsRune(" \t\r\n", rune(c)) {
			br.UnreadByte()
			break
		}
	}
	if peek, _ := br.Peek(len(armor.Header)); string(peek) == armor.Header {
		ar := bufio.NewReader(armor.NewReader(br))
		intro, err := ar.Peek(len(ageIntro))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrTampered, err)
		}
		if string(intro) != ageIntro {
			return nil, fmt.Errorf("%w: armored data is not an age file", ErrFormat)
		}
		return ar, nil
	}
	if peek, _ := br.Peek(len(ageIntro)); string(peek) != ageIntro {
		return nil, fmt.Errorf("%w: not an age encrypted file", ErrFormat)
	}
	return br, nil
}

func verify(plaintext []byte, opt VerifyOptions, now time.Time) (*Bundle, error) {
	// Check the format before decoding strictly, so a future version gets a
	// clear "unsupported" rather than an unknown-field error.
	var head struct {
		Format        string `json:"format"`
		FormatVersion int    `json:"format_version"`
	}
	if err := json.Unmarshal(plaintext, &head); err != nil || head.Format != FormatName {
		return nil, fmt.Errorf("%w: the decrypted content is not sharedvault bundle JSON", ErrFormat)
	}
	if head.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%w: format_version %d is not supported (this build reads %d)", ErrFormat, head.FormatVersion, FormatVersion)
	}

	var env envelope
	if err := strictUnmarshal(plaintext, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	var m Manifest
	if err := strictUnmarshal(env.Manifest, &m); err != nil {
		return nil, fmt.Errorf("%w: manifest: %v", ErrFormat, err)
	}
	payload, _, err := canonicalPayload(env.Payload)
	if err != nil {
		return nil, err
	}
	signer, err := base64.StdEncoding.DecodeString(m.Signer)
	if err != nil || len(signer) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: manifest signer is not an ed25519 public key", ErrFormat)
	}
	if !trusted(opt.TrustedSigners, signer) {
		return nil, fmt.Errorf("%w (%s)", ErrUntrustedSigner, FormatSignerKey(signer))
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, ErrBadSignature
	}
	// Verify the re-encoded manifest, not the raw bytes: what we return is
	// then exactly what the signer signed.
	manifest, err := canonicalManifest(m)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if !ed25519.Verify(signer, signedMessage(manifest, payload), sig) {
		return nil, ErrBadSignature
	}

	if m.ExpiresAt != nil && !now.Before(*m.ExpiresAt) {
		return nil, fmt.Errorf("%w on %s", ErrExpired, m.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if opt.LastSequence != nil {
		if last, ok := opt.LastSequence(m.Signer); ok && m.Sequence <= last {
			return nil, &ReplayError{Sequence: m.Sequence, Last: last}
		}
	}
	return &Bundle{FormatVersion: head.FormatVersion, Manifest: m, Payload: payload}, nil
}

// strictUnmarshal refuses unknown fields: within format_version 1 the schema
// is closed, and an unsigned extra field must not slip through unnoticed.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after JSON object")
	}
	return nil
}

func trusted(keys []ed25519.PublicKey, signer []byte) bool {
	for _, k := range keys {
		if bytes.Equal(k, signer) {
			return true
		}
	}
	return false
}
