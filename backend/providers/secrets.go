package providers

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/awnumar/memguard"

	"sharedvault/backend/audit"
	"sharedvault/backend/vault"
)

// HistoryDepth is how many versions of each secret are kept.
const HistoryDepth = 10

// Record is one stored version of a secret: its non-secret fields in Meta and
// the sealed value, which only Secrets.Open decrypts.
type Record struct {
	Name        string
	Version     int
	Meta        map[string]string
	Fingerprint string
	ExpiresAt   string
	CreatedAt   time.Time
	CreatedBy   string
	sealed      []byte
}

// Secrets stores versioned, sealed secrets in the vault's secrets table. It
// is shared by the shared providers and the boards' own credentials so both
// get the same sealing, history, fingerprints and audit.
type Secrets struct{ v *vault.Vault }

// NewSecrets returns the secret store of v.
func NewSecrets(v *vault.Vault) *Secrets { return &Secrets{v: v} }

func adFor(name string, version int) vault.AD {
	return vault.AD{Kind: "secret", Record: name, Field: "value", Version: version}
}

// Current returns the newest version of name; ok is false when none exists.
func (s *Secrets) Current(ctx context.Context, q vault.Querier, name string) (Record, bool, error) {
	row := q.QueryRowContext(ctx, `SELECT name, version, meta, sealed, fingerprint, coalesce(expires_at, ''), created_at, created_by
		FROM secrets WHERE name = ? ORDER BY version DESC LIMIT 1`, name)
	return scanRecord(row)
}

// Version returns one version of name.
func (s *Secrets) Version(ctx context.Context, q vault.Querier, name string, version int) (Record, bool, error) {
	row := q.QueryRowContext(ctx, `SELECT name, version, meta, sealed, fingerprint, coalesce(expires_at, ''), created_at, created_by
		FROM secrets WHERE name = ? AND version = ?`, name, version)
	return scanRecord(row)
}

func scanRecord(row *sql.Row) (Record, bool, error) {
	var r Record
	var meta, created string
	err := row.Scan(&r.Name, &r.Version, &meta, &r.sealed, &r.Fingerprint, &r.ExpiresAt, &created, &r.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	if err := json.Unmarshal([]byte(meta), &r.Meta); err != nil {
		return r, false, fmt.Errorf("%w: secret %s meta: %v", vault.ErrCorrupt, r.Name, err)
	}
	r.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	return r, true, nil
}

// CurrentWithPrefix returns the newest version of every secret whose name
// starts with prefix (e.g. "board:"), in one query: listing or exporting
// thousands of boards must not cost a query each.
func (s *Secrets) CurrentWithPrefix(ctx context.Context, q vault.RowsQuerier, prefix string) (map[string]Record, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.name, s.version, s.meta, s.sealed, s.fingerprint, coalesce(s.expires_at, ''), s.created_at, s.created_by
		FROM secrets s JOIN (SELECT name, max(version) AS version FROM secrets WHERE substr(name, 1, ?) = ? GROUP BY name) m
		ON s.name = m.name AND s.version = m.version`, len(prefix), prefix)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Record{}
	for rows.Next() {
		var r Record
		var meta, created string
		if err := rows.Scan(&r.Name, &r.Version, &meta, &r.sealed, &r.Fingerprint, &r.ExpiresAt, &created, &r.CreatedBy); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(meta), &r.Meta); err != nil {
			return nil, fmt.Errorf("%w: secret %s meta: %v", vault.ErrCorrupt, r.Name, err)
		}
		r.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		out[r.Name] = r
	}
	return out, rows.Err()
}

// History lists the kept versions of name, newest first.
func (s *Secrets) History(ctx context.Context, name string) ([]Record, error) {
	rows, err := s.v.DB().QueryContext(ctx, `SELECT name, version, meta, fingerprint, coalesce(expires_at, ''), created_at, created_by
		FROM secrets WHERE name = ? ORDER BY version DESC`, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var meta, created string
		if err := rows.Scan(&r.Name, &r.Version, &meta, &r.Fingerprint, &r.ExpiresAt, &created, &r.CreatedBy); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(meta), &r.Meta); err != nil {
			return nil, fmt.Errorf("%w: secret %s meta: %v", vault.ErrCorrupt, name, err)
		}
		r.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Open decrypts r's value into a LockedBuffer the caller destroys.
func (s *Secrets) Open(r Record) (*memguard.LockedBuffer, error) {
	if r.sealed == nil {
		return nil, fmt.Errorf("secret %s version %d has no value loaded", r.Name, r.Version)
	}
	return s.v.Open(adFor(r.Name, r.Version), r.sealed)
}

// OpenWith decrypts r's value into one locked buffer with extra bytes of
// scratch space, calls fn and destroys the buffer (see vault.OpenWith).
func (s *Secrets) OpenWith(r Record, extra int, fn func(value, scratch []byte) error) error {
	if r.sealed == nil {
		return fmt.Errorf("secret %s version %d has no value loaded", r.Name, r.Version)
	}
	return s.v.OpenWith(adFor(r.Name, r.Version), r.sealed, extra, fn)
}

// Put stores a new version of name inside tx. A nil value keeps the current
// value (re-sealed for the new version: the version is bound into the AEAD).
// It returns the new record (without its value).
func (s *Secrets) Put(ctx context.Context, tx *sql.Tx, name string, meta map[string]string, value []byte, expires string) (Record, error) {
	cur, have, err := s.Current(ctx, tx, name)
	if err != nil {
		return Record{}, err
	}
	if value == nil {
		if !have {
			return Record{}, fmt.Errorf("%s: no stored value to keep", name)
		}
		buf, err := s.Open(cur)
		if err != nil {
			return Record{}, err
		}
		defer buf.Destroy()
		value = buf.Bytes()
	}
	next := 1
	if have {
		next = cur.Version + 1
	}
	return s.insert(ctx, tx, name, next, meta, value, expires)
}

func (s *Secrets) insert(ctx context.Context, tx *sql.Tx, name string, version int, meta map[string]string, value []byte, expires string) (Record, error) {
	sealed, err := s.v.Seal(adFor(name, version), value)
	if err != nil {
		return Record{}, err
	}
	fp, err := s.v.Fingerprint(ctx, tx, value)
	if err != nil {
		return Record{}, err
	}
	if meta == nil {
		meta = map[string]string{}
	}
	mj, err := json.Marshal(meta)
	if err != nil {
		return Record{}, err
	}
	now := s.v.Now()
	r := Record{Name: name, Version: version, Meta: meta, Fingerprint: fp, ExpiresAt: expires, CreatedAt: now, CreatedBy: audit.CurrentOSUser()}
	var exp any
	if expires != "" {
		exp = expires
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO secrets (name, version, meta, sealed, fingerprint, expires_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		name, version, string(mj), sealed, fp, exp, now.Format(time.RFC3339Nano), r.CreatedBy)
	if err != nil {
		return Record{}, err
	}
	// Keep the last HistoryDepth versions.
	_, err = tx.ExecContext(ctx, `DELETE FROM secrets WHERE name = ? AND version <= ?`, name, version-HistoryDepth)
	return r, err
}

// Rollback makes version of name current again by storing it as a new
// version, so history stays linear and nothing is lost.
func (s *Secrets) Rollback(ctx context.Context, tx *sql.Tx, name string, version int) (Record, error) {
	old, ok, err := s.Version(ctx, tx, name, version)
	if err != nil {
		return Record{}, err
	}
	if !ok {
		return Record{}, fmt.Errorf("%w: %s has no version %d (see `sharedvault history %s`)", vault.ErrNotFound, name, version, name)
	}
	cur, _, err := s.Current(ctx, tx, name)
	if err != nil {
		return Record{}, err
	}
	buf, err := s.Open(old)
	if err != nil {
		return Record{}, err
	}
	defer buf.Destroy()
	return s.insert(ctx, tx, name, cur.Version+1, old.Meta, buf.Bytes(), old.ExpiresAt)
}

// Delete removes every version of name inside tx.
func (s *Secrets) Delete(ctx context.Context, tx *sql.Tx, name string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM secrets WHERE name = ?`, name)
	return err
}

// Info is the masked view of a secret: never its value.
type Info struct {
	Set         bool   `json:"set"`
	Fingerprint string `json:"fingerprint"`
	UpdatedAt   string `json:"updated_at"`
	UpdatedBy   string `json:"updated_by"`
	ExpiresAt   string `json:"expires_at"`
	Expired     bool   `json:"expired"`
	DaysLeft    *int   `json:"days_left,omitempty"`
	Version     int    `json:"version"`
}

// InfoOf masks r as of now.
func InfoOf(r Record, have bool, now time.Time) Info {
	if !have {
		return Info{}
	}
	in := Info{Set: true, Fingerprint: r.Fingerprint, UpdatedAt: r.CreatedAt.UTC().Format(time.RFC3339), UpdatedBy: r.CreatedBy, ExpiresAt: r.ExpiresAt, Version: r.Version}
	if d, ok := DaysLeft(r.ExpiresAt, now); ok {
		in.DaysLeft = &d
		in.Expired = d < 0
	}
	return in
}

// DaysLeft is the number of whole days from now until the expiry date (the
// secret is valid through that date); negative once expired.
func DaysLeft(expires string, now time.Time) (int, bool) {
	if expires == "" {
		return 0, false
	}
	t, err := time.Parse("2006-01-02", expires)
	if err != nil {
		return 0, false
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	return int(t.Sub(today).Hours() / 24), true
}

// ExpiryWarning returns the warning for a secret at the 30/14/7/1-day marks
// (and once expired), or "".
func ExpiryWarning(label string, in Info) string {
	if in.DaysLeft == nil {
		return ""
	}
	d := *in.DaysLeft
	switch {
	case d < 0:
		return fmt.Sprintf("%s expired on %s", label, in.ExpiresAt)
	case d == 0:
		return fmt.Sprintf("%s expires today (%s)", label, in.ExpiresAt)
	case d <= 1:
		return fmt.Sprintf("%s expires in 1 day (%s)", label, in.ExpiresAt)
	case d <= 7, d <= 14, d <= 30:
		return fmt.Sprintf("%s expires in %s days (%s)", label, strconv.Itoa(d), in.ExpiresAt)
	}
	return ""
}

// ValueLen is the length of the sealed value (known without decrypting it).
func (r Record) ValueLen() int {
	if n := len(r.sealed) - vault.SealOverhead; n > 0 {
		return n
	}
	return 0
}
