package vault

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/awnumar/memguard"
	"golang.org/x/crypto/hkdf"

	"sharedvault/backend/audit"
	"sharedvault/backend/store"
)

// FormatVersion is the vault header format this binary writes and reads.
const FormatVersion = 1

// DefaultAutoLock is the idle time after which an unlocked vault locks itself.
const DefaultAutoLock = 5 * time.Minute

var (
	ErrLocked          = errors.New("vault is locked")
	ErrWrongPassphrase = errors.New("wrong passphrase")
	ErrNotInitialized  = errors.New("no vault here yet")
	ErrAlreadyExists   = store.ErrExists
	ErrNewerFormat     = store.ErrNewerFormat
	ErrCorrupt         = store.ErrCorrupt
	ErrNotFound        = store.ErrNotFound
	ErrBusy            = store.ErrBusy
	ErrDiskWrite       = store.ErrDiskWrite
	ErrEmptyPassphrase = errors.New("passphrase is empty")
)

// Options tune a Vault; the zero value means defaults.
type Options struct {
	AutoLock time.Duration    // idle time before auto-lock; 0 = DefaultAutoLock, <0 = never
	Clock    func() time.Time // for timestamps; nil = time.Now
}

// Info is the public description of a vault.
type Info struct {
	Path          string    `json:"path"`
	VaultID       string    `json:"vault_id"`
	FormatVersion int       `json:"format_version"`
	KDF           KDFParams `json:"kdf"`
}

type header struct {
	vaultID       string
	formatVersion int
	kdf           KDFParams
	salt          []byte
	wrapped       []byte
}

// Vault is an open vault file, locked or unlocked.
type Vault struct {
	db    *store.DB
	opt   Options
	audit *audit.Log

	mu       sync.Mutex
	hdr      header
	dataKey  *memguard.Enclave // nil while locked
	timer    *time.Timer
	autoLock time.Duration
	onLock   []func()

	hot    hotKey
	cached CachedQuerier
}

// DefaultPath is <os.UserConfigDir>/sharedvault/vault.db.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "sharedvault", "vault.db"), nil
}

// Exists reports whether a vault file is at path.
func Exists(path string) (bool, error) { return store.Exists(path) }

func (o Options) now() time.Time {
	if o.Clock != nil {
		return o.Clock().UTC()
	}
	return time.Now().UTC()
}

// Create makes a new vault at path protected by passphrase and returns it
// unlocked. It refuses to overwrite an existing vault.
func Create(ctx context.Context, path string, passphrase []byte, opt Options) (*Vault, error) {
	if len(passphrase) == 0 {
		return nil, ErrEmptyPassphrase
	}
	if err := CheckMemlock(); err != nil {
		return nil, err
	}
	if ok, err := store.Exists(path); err != nil {
		return nil, err
	} else if ok {
		return nil, fmt.Errorf("%w: %s", ErrAlreadyExists, path)
	}
	id := make([]byte, 16)
	salt := make([]byte, saltSize)
	if _, err := io.ReadFull(rand.Reader, id); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(rand.Reader, salt); err != nil {
		return nil, err
	}
	h := header{vaultID: hex.EncodeToString(id), formatVersion: FormatVersion, kdf: creationKDF(), salt: salt}

	dk, err := newBufferRandom(keySize)
	if err != nil {
		return nil, err
	}
	defer dk.Destroy()
	wrapped, err := wrapDataKey(passphrase, h, dk.Bytes())
	if err != nil {
		return nil, err
	}
	h.wrapped = wrapped

	db, err := store.Create(ctx, path)
	if err != nil {
		return nil, err
	}
	v := newVault(db, opt)
	v.hdr = h
	if v.dataKey, err = sealBuffer(dk); err != nil {
		db.Close()
		os.Remove(path)
		return nil, err
	}

	fpKey, err := newBufferRandom(keySize)
	if err != nil {
		db.Close()
		os.Remove(path)
		return nil, err
	}
	defer fpKey.Destroy()
	sealedFP, err := v.sealWith(AD{Kind: "setting", Record: settingFingerprintKey, Field: "value"}, fpKey.Bytes())
	if err != nil {
		db.Close()
		os.Remove(path)
		return nil, err
	}
	now := opt.now().Format(time.RFC3339Nano)
	err = v.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO vault_header (id, vault_id, format_version, kdf_algorithm, kdf_memory_kib, kdf_iterations, kdf_parallelism, kdf_salt, wrapped_data_key, created_at, updated_at)
			VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			h.vaultID, h.formatVersion, h.kdf.Algorithm, h.kdf.MemoryKiB, h.kdf.Iterations, h.kdf.Parallelism, h.salt, h.wrapped, now, now)
		if err != nil {
			return err
		}
		if err := SetSetting(ctx, tx, settingFingerprintKey, base64.StdEncoding.EncodeToString(sealedFP)); err != nil {
			return err
		}
		return v.Audit(ctx, tx, "vault.create", path, map[string]string{"kdf": h.kdf.String()})
	})
	if err != nil {
		db.Close()
		os.Remove(path)
		return nil, fmt.Errorf("create vault: %w", err)
	}
	v.startTimer(ctx)
	return v, nil
}

// Open opens the vault at path, locked.
func Open(ctx context.Context, path string, opt Options) (*Vault, error) {
	db, err := store.Open(ctx, path)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNotInitialized, path)
	}
	if err != nil {
		return nil, err
	}
	h, err := readHeader(ctx, db.DB)
	if err != nil {
		db.Close()
		return nil, err
	}
	v := newVault(db, opt)
	v.hdr = h
	return v, nil
}

func newVault(db *store.DB, opt Options) *Vault {
	clock := opt.Clock
	if clock == nil {
		clock = time.Now
	}
	return &Vault{db: db, opt: opt, audit: audit.New(db.DB, clock), cached: CachedQuerier{db: db.DB}}
}

func readHeader(ctx context.Context, db *sql.DB) (header, error) {
	var h header
	var m, t, p int64
	err := db.QueryRowContext(ctx, `SELECT vault_id, format_version, kdf_algorithm, kdf_memory_kib, kdf_iterations, kdf_parallelism, kdf_salt, wrapped_data_key FROM vault_header WHERE id = 1`).
		Scan(&h.vaultID, &h.formatVersion, &h.kdf.Algorithm, &m, &t, &p, &h.salt, &h.wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("%w: the vault header is missing", ErrCorrupt)
	}
	if err != nil {
		return h, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if h.formatVersion > FormatVersion {
		return h, fmt.Errorf("%w (vault format %d, this binary reads up to %d)", ErrNewerFormat, h.formatVersion, FormatVersion)
	}
	if h.formatVersion < 1 {
		return h, fmt.Errorf("%w: vault format %d", ErrCorrupt, h.formatVersion)
	}
	if m < 0 || m > 1<<32-1 || t < 0 || t > 1<<32-1 || p < 0 || p > 255 {
		return h, fmt.Errorf("%w: kdf parameters out of range", ErrCorrupt)
	}
	h.kdf.MemoryKiB, h.kdf.Iterations, h.kdf.Parallelism = uint32(m), uint32(t), uint8(p)
	if err := h.kdf.Validate(); err != nil {
		return h, err
	}
	if len(h.salt) != saltSize {
		return h, fmt.Errorf("%w: salt is %d bytes", ErrCorrupt, len(h.salt))
	}
	return h, nil
}

func (p KDFParams) String() string {
	return fmt.Sprintf("%s m=%d t=%d p=%d", p.Algorithm, p.MemoryKiB, p.Iterations, p.Parallelism)
}

func wrapAD(h header) []byte {
	return []byte("sharedvault/datakey/v1|" + h.vaultID + "|" + h.kdf.String() + "|" + hex.EncodeToString(h.salt))
}

func wrapDataKey(passphrase []byte, h header, dataKey []byte) ([]byte, error) {
	kek, err := deriveKEK(passphrase, h.salt, h.kdf)
	if err != nil {
		return nil, err
	}
	defer memguard.WipeBytes(kek)
	return seal(kek, dataKey, wrapAD(h))
}

// Unlock derives the key from passphrase and unwraps the data key. A wrong
// passphrase changes nothing but a pending audit record of the attempt.
func (v *Vault) Unlock(ctx context.Context, passphrase []byte) error {
	if err := CheckMemlock(); err != nil {
		return err
	}
	v.mu.Lock()
	h := v.hdr
	already := v.dataKey != nil
	v.mu.Unlock()
	if already {
		v.Touch()
		return nil
	}
	kek, err := deriveKEK(passphrase, h.salt, h.kdf)
	if err != nil {
		return err
	}
	dk, err := open(kek, h.wrapped, wrapAD(h))
	memguard.WipeBytes(kek)
	if err != nil {
		_ = v.audit.Pending(ctx, audit.Entry{At: v.opt.now(), OSUser: audit.CurrentOSUser(), Action: "vault.unlock_failed", Subject: v.db.Path})
		return ErrWrongPassphrase
	}
	enc, err := newEnclave(dk) // wipes dk
	if err != nil {
		return err
	}
	v.mu.Lock()
	v.dataKey = enc
	v.mu.Unlock()
	if err := v.flushPendingAudit(ctx); err != nil {
		return err
	}
	v.loadAutoLock(ctx)
	v.startTimer(ctx)
	return nil
}

func (v *Vault) flushPendingAudit(ctx context.Context) error {
	var n int
	if err := v.db.QueryRowContext(ctx, "SELECT count(*) FROM pending_audit").Scan(&n); err != nil || n == 0 {
		return err
	}
	return v.Update(ctx, func(tx *sql.Tx) error {
		key, err := v.auditKey()
		if err != nil {
			return err
		}
		defer key.Destroy()
		return v.audit.FlushPending(ctx, tx, key.Bytes())
	})
}

// Lock drops the data key. Sealed values cannot be opened until Unlock.
func (v *Vault) Lock() {
	v.mu.Lock()
	was := v.dataKey != nil
	// An Enclave's ciphertext is only readable with memguard's session key;
	// dropping our reference leaves nothing usable behind, and Purge at exit
	// destroys the session key itself.
	v.dataKey = nil
	v.hot.drop()
	if v.timer != nil {
		v.timer.Stop()
		v.timer = nil
	}
	hooks := append([]func(){}, v.onLock...)
	v.mu.Unlock()
	if was {
		for _, f := range hooks {
			f()
		}
	}
}

// Locked reports whether the vault is locked.
func (v *Vault) Locked() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.dataKey == nil
}

// OnLock registers f to run after the vault locks (explicitly or when idle).
func (v *Vault) OnLock(f func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.onLock = append(v.onLock, f)
}

// Touch restarts the idle timer; user activity in the window calls it.
func (v *Vault) Touch() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.timer != nil && v.autoLock > 0 {
		v.timer.Reset(v.autoLock)
	}
}

// SetAutoLock changes the idle time (≤0 disables auto-lock) for this session.
func (v *Vault) SetAutoLock(d time.Duration) {
	v.mu.Lock()
	v.autoLock = d
	v.mu.Unlock()
	v.startTimer(context.Background())
}

// AutoLock returns the idle time after which the vault locks itself.
func (v *Vault) AutoLock() time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.autoLock
}

func (v *Vault) loadAutoLock(ctx context.Context) {
	d := v.opt.AutoLock
	if d == 0 {
		d = DefaultAutoLock
		if s, ok, err := Setting(ctx, v.db.DB, SettingAutoLockMinutes); err == nil && ok {
			if n, err := strconv.Atoi(s); err == nil {
				d = time.Duration(n) * time.Minute
			}
		}
	}
	v.mu.Lock()
	v.autoLock = d
	v.mu.Unlock()
}

func (v *Vault) startTimer(ctx context.Context) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.autoLock == 0 && v.opt.AutoLock != 0 {
		v.autoLock = v.opt.AutoLock
	} else if v.autoLock == 0 {
		v.autoLock = DefaultAutoLock
	}
	if v.timer != nil {
		v.timer.Stop()
		v.timer = nil
	}
	if v.autoLock > 0 && v.dataKey != nil {
		v.timer = time.AfterFunc(v.autoLock, v.Lock)
	}
}

// Close locks the vault and closes the file.
func (v *Vault) Close() error {
	v.Lock()
	v.cached.close()
	return v.db.Close()
}

// Info describes the vault without needing it unlocked.
func (v *Vault) Info() Info {
	v.mu.Lock()
	defer v.mu.Unlock()
	return Info{Path: v.db.Path, VaultID: v.hdr.vaultID, FormatVersion: v.hdr.formatVersion, KDF: v.hdr.kdf}
}

// DB is the underlying database, for packages that store records in it.
func (v *Vault) DB() *sql.DB { return v.db.DB }

// Backup is the path of the pre-migration backup written when this vault was
// opened, or "".
func (v *Vault) Backup() string { return v.db.Backup }

// Now is the vault's clock.
func (v *Vault) Now() time.Time { return v.opt.now() }

// Update runs fn in one IMMEDIATE transaction and commits it when fn
// returns nil. IMMEDIATE takes the write lock up front, so a second writer
// (another process) waits for it instead of failing midway; one that waited
// longer than the busy timeout gets ErrBusy.
func (v *Vault) Update(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := v.db.BeginTx(ctx, nil)
	if err != nil {
		return store.Busy(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return store.Busy(err)
	}
	return store.Busy(tx.Commit())
}

// IsBusy reports whether err means another process kept the vault locked
// for longer than the busy timeout (ErrBusy or SQLite's own busy error).
func IsBusy(err error) bool { return store.IsBusy(err) }

// IsDiskWrite reports whether err means a vault file could not be written
// (disk full, file size limit, failing disk); see store.ErrDiskWrite.
func IsDiskWrite(err error) bool { return store.IsDiskWrite(err) }

// withKey opens the data key for the duration of fn.
func (v *Vault) withKey(fn func(key []byte) error) error {
	v.mu.Lock()
	enc := v.dataKey
	v.mu.Unlock()
	if enc == nil {
		return ErrLocked
	}
	buf, err := v.hot.acquire(enc)
	if err != nil {
		return fmt.Errorf("open data key: %w", err)
	}
	defer v.hot.release()
	return fn(buf.Bytes())
}

func (v *Vault) sealWith(ad AD, plaintext []byte) ([]byte, error) {
	var out []byte
	err := v.withKey(func(key []byte) error {
		var err error
		out, err = seal(key, plaintext, ad.bytes(v.hdr.vaultID))
		return err
	})
	return out, err
}

// Seal encrypts plaintext for the place ad names.
func (v *Vault) Seal(ad AD, plaintext []byte) ([]byte, error) {
	v.Touch()
	return v.sealWith(ad, plaintext)
}

// OpenWith decrypts a sealed value into one LockedBuffer that has extra
// bytes of scratch space after the plaintext (to build a header from it
// without a second buffer), calls fn, and destroys the buffer.
func (v *Vault) OpenWith(ad AD, sealed []byte, extra int, fn func(plaintext, scratch []byte) error) error {
	v.Touch()
	return v.withKey(func(key []byte) error {
		n := len(sealed) - nonceSize - tagSize
		if n < 0 {
			return ErrTampered
		}
		use := func(b []byte) error {
			pt, err := openInto(b[:0], key, sealed, ad.bytes(v.hdr.vaultID))
			if err != nil {
				return err
			}
			return fn(pt, b[n:])
		}
		if ok, err := v.hot.withScratch(n+extra, use); ok {
			return err
		}
		buf, err := newBuffer(n + extra)
		if err != nil {
			return err
		}
		defer buf.Destroy()
		return use(buf.Bytes())
	})
}

// Open decrypts a sealed value into a LockedBuffer the caller must Destroy.
func (v *Vault) Open(ad AD, sealed []byte) (*memguard.LockedBuffer, error) {
	v.Touch()
	var out *memguard.LockedBuffer
	err := v.withKey(func(key []byte) error {
		pt, err := open(key, sealed, ad.bytes(v.hdr.vaultID))
		if err != nil {
			return err
		}
		out, err = LockedBufferFrom(pt) // wipes pt
		return err
	})
	return out, err
}

func (v *Vault) subKey(label string) (*memguard.LockedBuffer, error) {
	var out *memguard.LockedBuffer
	err := v.withKey(func(key []byte) error {
		var err error
		if out, err = newBuffer(keySize); err != nil {
			return err
		}
		_, err = io.ReadFull(hkdf.New(sha256.New, key, []byte(v.hdr.vaultID), []byte(label)), out.Bytes())
		return err
	})
	return out, err
}

func (v *Vault) auditKey() (*memguard.LockedBuffer, error) { return v.subKey("sharedvault audit v1") }

// Audit appends an entry to the tamper-evident log inside tx. detail carries
// fingerprints and flags, never secret values.
func (v *Vault) Audit(ctx context.Context, tx *sql.Tx, action, subject string, detail map[string]string) error {
	key, err := v.auditKey()
	if err != nil {
		return err
	}
	defer key.Destroy()
	return v.audit.Append(ctx, tx, key.Bytes(), audit.Entry{At: v.opt.now(), OSUser: audit.CurrentOSUser(), Action: action, Subject: subject, Detail: detail})
}

// VerifyAudit checks the whole audit chain.
func (v *Vault) VerifyAudit(ctx context.Context) (int, error) {
	key, err := v.auditKey()
	if err != nil {
		return 0, err
	}
	defer key.Destroy()
	return v.audit.Verify(ctx, key.Bytes())
}

// AuditLog gives read access to the audit entries.
func (v *Vault) AuditLog() *audit.Log { return v.audit }

// ChangePassphrase re-wraps the data key under a key derived from
// newPassphrase with a fresh salt and the current default parameters, in one
// transaction. Sealed fields are not touched.
func (v *Vault) ChangePassphrase(ctx context.Context, newPassphrase []byte) error {
	if len(newPassphrase) == 0 {
		return ErrEmptyPassphrase
	}
	salt := make([]byte, saltSize)
	if _, err := io.ReadFull(rand.Reader, salt); err != nil {
		return err
	}
	v.mu.Lock()
	nh := v.hdr
	v.mu.Unlock()
	nh.salt = salt
	if creationKDF() != DefaultKDF() {
		nh.kdf = creationKDF()
	} else if nh.kdf.MemoryKiB < DefaultKDF().MemoryKiB || nh.kdf.Iterations < DefaultKDF().Iterations {
		nh.kdf = DefaultKDF() // raise old, weaker parameters while we re-wrap anyway
	}
	err := v.withKey(func(key []byte) error {
		w, err := wrapDataKey(newPassphrase, nh, key)
		nh.wrapped = w
		return err
	})
	if err != nil {
		return err
	}
	err = v.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE vault_header SET kdf_algorithm=?, kdf_memory_kib=?, kdf_iterations=?, kdf_parallelism=?, kdf_salt=?, wrapped_data_key=?, updated_at=? WHERE id=1`,
			nh.kdf.Algorithm, nh.kdf.MemoryKiB, nh.kdf.Iterations, nh.kdf.Parallelism, nh.salt, nh.wrapped, v.opt.now().Format(time.RFC3339Nano))
		if err != nil {
			return err
		}
		return v.Audit(ctx, tx, "vault.passphrase_changed", v.db.Path, map[string]string{"kdf": nh.kdf.String()})
	})
	if err != nil {
		return err
	}
	v.mu.Lock()
	v.hdr = nh
	v.mu.Unlock()
	return nil
}

// Fingerprint is a short keyed fingerprint of a secret value: the same value
// gives the same fingerprint in every vault that shares the fingerprint key
// (a server adopts it from the bundles it imports), and it reveals nothing
// about the value without that key.
//
// q is the transaction (or DB) to read the fingerprint key from, so a key
// adopted earlier in the same transaction is used.
func (v *Vault) Fingerprint(ctx context.Context, q Querier, value []byte) (string, error) {
	key, err := v.FingerprintKey(ctx, q)
	if err != nil {
		return "", err
	}
	defer key.Destroy()
	return FingerprintWith(key.Bytes(), value), nil
}

// FingerprintWith computes a fingerprint under an explicit key.
func FingerprintWith(key, value []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("sharedvault fingerprint v1\x00"))
	m.Write(value)
	h := hex.EncodeToString(m.Sum(nil)[:6])
	return h[0:4] + "-" + h[4:8] + "-" + h[8:12]
}

// FingerprintKey opens the fingerprint key; the caller destroys it.
func (v *Vault) FingerprintKey(ctx context.Context, q Querier) (*memguard.LockedBuffer, error) {
	if q == nil {
		q = v.db.DB
	}
	s, ok, err := Setting(ctx, q, settingFingerprintKey)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: fingerprint key missing", ErrCorrupt)
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: fingerprint key: %v", ErrCorrupt, err)
	}
	return v.Open(AD{Kind: "setting", Record: settingFingerprintKey, Field: "value"}, raw)
}

// ReplaceFingerprintKey adopts another vault's fingerprint key (bundle
// import), inside tx.
func (v *Vault) ReplaceFingerprintKey(ctx context.Context, tx *sql.Tx, key []byte) error {
	sealed, err := v.Seal(AD{Kind: "setting", Record: settingFingerprintKey, Field: "value"}, key)
	if err != nil {
		return err
	}
	return SetSetting(ctx, tx, settingFingerprintKey, base64.StdEncoding.EncodeToString(sealed))
}
