// Package audit keeps the vault's tamper-evident audit log.
//
// # Chain
//
// Each row of audit_log carries
//
//	mac = hex(HMAC-SHA256(key, prevMAC || canonical(entry)))
//
// where canonical joins seq, at (RFC 3339, nanoseconds, UTC), os_user,
// action, subject and the stored detail JSON with 0x00 separators, and
// prevMAC is the previous row's mac as text ("" for the first row). The key
// is derived from the vault's data key by the caller, so rows can be read by
// anyone with the file but only written or verified while the vault is
// unlocked. Editing, inserting, reordering or deleting a row breaks the chain
// at that row.
//
// # Head
//
// Dropping rows from the end leaves a valid, shorter chain, so the position
// of the last row is also kept in settings.audit_head as "seq:tag", written
// in the same transaction as the row. tag is HMAC(key, "head" || seq || mac)
// rather than a copy of the row's mac, so it cannot be rebuilt from the
// remaining rows after a truncation. Rolling the file back to an older copy
// (old head included) is not detectable from inside the file.
//
// # What goes in
//
// Entries describe who did what to which record: fingerprints, flags,
// names. Callers must never put secret values in Subject or Detail; the log
// is readable without the passphrase.
//
// # Failed unlocks
//
// Without the passphrase there is no key, so a failed unlock is written to
// pending_audit and chained by FlushPending at the next successful unlock,
// marked with detail pending=true because it was unauthenticated until then.
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"time"
)

// KeySize is the length of the audit HMAC key.
const KeySize = 32

const headSetting = "audit_head"

var (
	// ErrTampered is wrapped by every *VerifyError.
	ErrTampered = errors.New("audit log tampered")
	// ErrWrongKey means no part of a non-empty log verifies: the key is not
	// the one the log was written with (or every entry was replaced).
	ErrWrongKey = errors.New("audit log does not verify with this key")
)

// Reasons given by VerifyError.
const (
	ReasonEdited      = "edited"
	ReasonInserted    = "inserted or reordered"
	ReasonDeleted     = "deleted"
	ReasonDeletedEnd  = "deleted at end"
	ReasonHeadMissing = "head missing"
	ReasonHeadEdited  = "head edited"
)

// VerifyError names the first entry at which the chain breaks.
type VerifyError struct {
	Seq    int64
	Reason string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("audit log entry %d: %s", e.Seq, e.Reason)
}

func (e *VerifyError) Unwrap() error { return ErrTampered }

// Entry is one audit record. Detail holds fingerprints and flags, never
// secret values.
type Entry struct {
	Seq     int64
	At      time.Time
	OSUser  string
	Action  string
	Subject string
	Detail  map[string]string
}

// Log reads and writes the audit tables. It holds no key: callers pass the
// key for each operation that needs it.
type Log struct {
	db    *sql.DB
	clock func() time.Time
}

// New returns a Log over db. clock stamps entries given without a time;
// nil means time.Now.
func New(db *sql.DB, clock func() time.Time) *Log {
	if clock == nil {
		clock = time.Now
	}
	return &Log{db: db, clock: clock}
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// row is an entry as stored: the text that the mac covers.
type row struct {
	seq                                 int64
	at, osUser, action, subject, detail string
	mac                                 string
}

// Append chains e onto the log inside tx, so the change it records and the
// record commit or roll back together. e.Seq is ignored; a zero e.At is
// taken from the clock and an empty OSUser from CurrentOSUser.
func (l *Log) Append(ctx context.Context, tx *sql.Tx, key []byte, e Entry) error {
	if len(key) != KeySize {
		return fmt.Errorf("audit key must be %d bytes", KeySize)
	}
	r, err := l.prepare(e)
	if err != nil {
		return err
	}
	return appendRow(ctx, tx, key, r)
}

func (l *Log) prepare(e Entry) (row, error) {
	if e.At.IsZero() {
		e.At = l.clock()
	}
	if e.OSUser == "" {
		e.OSUser = CurrentOSUser()
	}
	if e.Action == "" {
		return row{}, errors.New("audit entry has no action")
	}
	detail, err := encodeDetail(e.Detail)
	if err != nil {
		return row{}, err
	}
	r := row{at: formatTime(e.At), osUser: e.OSUser, action: e.Action, subject: e.Subject, detail: detail}
	// 0x00 separates fields in the mac input; a NUL inside one would make
	// two different entries hash alike.
	for _, f := range []string{r.osUser, r.action, r.subject} {
		if strings.IndexByte(f, 0) >= 0 {
			return row{}, errors.New("audit entry field contains a nul byte")
		}
	}
	return r, nil
}

func appendRow(ctx context.Context, tx querier, key []byte, r row) error {
	h, ok, err := readHead(ctx, tx)
	if err != nil {
		return err
	}
	var last int64
	var lastMAC string
	err = tx.QueryRowContext(ctx, "SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1").Scan(&last, &lastMAC)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("audit: read last entry: %w", err)
	}
	if !ok && last > 0 {
		// Chaining on would hide that the head was removed (and with it any
		// truncation), so refuse until someone looks at the log.
		return &VerifyError{Seq: last, Reason: ReasonHeadMissing}
	}

	// Chain from the head, not from the last row: after a truncation the
	// gap stays visible, and rows forged after the head stay unverifiable.
	prev := ""
	if ok && h.seq > 0 {
		var err error
		if prev, err = macAt(ctx, tx, h.seq); err != nil {
			return err
		}
	}
	r.seq = max(h.seq, last) + 1
	r.mac = entryMAC(key, prev, r)
	if _, err := tx.ExecContext(ctx,
		"INSERT INTO audit_log (seq, at, os_user, action, subject, detail, mac) VALUES (?, ?, ?, ?, ?, ?, ?)",
		r.seq, r.at, r.osUser, r.action, r.subject, r.detail, r.mac); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	if _, err := tx.ExecContext(ctx,
		"INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		headSetting, strconv.FormatInt(r.seq, 10)+":"+headTag(key, r.seq, r.mac)); err != nil {
		return fmt.Errorf("audit: update head: %w", err)
	}
	return nil
}

// macAt returns the stored mac of entry seq, or "" when that entry is gone
// (the chain then stays broken there, which Verify reports).
func macAt(ctx context.Context, q querier, seq int64) (string, error) {
	var mac string
	err := q.QueryRowContext(ctx, "SELECT mac FROM audit_log WHERE seq = ?", seq).Scan(&mac)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("audit: read entry %d: %w", seq, err)
	}
	return mac, nil
}

// Pending records an event that cannot be chained yet because there is no
// key (a failed unlock). It is written outside any caller transaction so it
// survives the caller's rollback.
func (l *Log) Pending(ctx context.Context, e Entry) error {
	r, err := l.prepare(e)
	if err != nil {
		return err
	}
	if _, err := l.db.ExecContext(ctx,
		"INSERT INTO pending_audit (at, os_user, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
		r.at, r.osUser, r.action, r.subject, r.detail); err != nil {
		return fmt.Errorf("audit: record pending entry: %w", err)
	}
	return nil
}

// FlushPending chains every pending entry, oldest first, into the log and
// deletes them, all inside tx.
func (l *Log) FlushPending(ctx context.Context, tx *sql.Tx, key []byte) error {
	if len(key) != KeySize {
		return fmt.Errorf("audit key must be %d bytes", KeySize)
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, at, os_user, action, subject, detail FROM pending_audit ORDER BY id")
	if err != nil {
		return fmt.Errorf("audit: read pending entries: %w", err)
	}
	var pending []row
	var maxID int64
	for rows.Next() {
		var id int64
		var r row
		if err := rows.Scan(&id, &r.at, &r.osUser, &r.action, &r.subject, &r.detail); err != nil {
			rows.Close()
			return fmt.Errorf("audit: read pending entries: %w", err)
		}
		pending = append(pending, r)
		maxID = max(maxID, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit: read pending entries: %w", err)
	}
	for _, p := range pending {
		// Re-encode: pending rows were never authenticated, so normalise
		// them and mark them as such before they become part of the chain.
		d := decodeDetail(p.detail)
		if d == nil {
			d = map[string]string{}
		}
		d["pending"] = "true"
		e := Entry{At: parseTime(p.at), OSUser: p.osUser, Action: p.action, Subject: p.subject, Detail: d}
		if e.At.IsZero() {
			e.At = l.clock()
		}
		r, err := l.prepare(e)
		if err != nil {
			return err
		}
		if err := appendRow(ctx, tx, key, r); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM pending_audit WHERE id <= ?", maxID); err != nil {
		return fmt.Errorf("audit: clear pending entries: %w", err)
	}
	return nil
}

// List returns the newest limit entries (all when limit <= 0), oldest first.
// It does not verify them; see Verify.
func (l *Log) List(ctx context.Context, limit int) ([]Entry, error) {
	q := "SELECT seq, at, os_user, action, subject, detail, mac FROM audit_log ORDER BY seq DESC"
	var args []any
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rs, err := readRows(ctx, l.db, q, args...)
	if err != nil {
		return nil, err
	}
	slices.Reverse(rs)
	out := make([]Entry, 0, len(rs))
	for _, r := range rs {
		out = append(out, Entry{
			Seq: r.seq, At: parseTime(r.at), OSUser: r.osUser, Action: r.action,
			Subject: r.subject, Detail: decodeDetail(r.detail),
		})
	}
	return out, nil
}

// Verify walks the whole chain and the head. It returns the number of
// entries that verified and, on failure, a *VerifyError naming the first
// bad entry, or ErrWrongKey when nothing verifies with key.
func (l *Log) Verify(ctx context.Context, key []byte) (int, error) {
	if len(key) != KeySize {
		return 0, fmt.Errorf("audit key must be %d bytes", KeySize)
	}
	rs, err := readRows(ctx, l.db, "SELECT seq, at, os_user, action, subject, detail, mac FROM audit_log ORDER BY seq")
	if err != nil {
		return 0, err
	}
	h, hasHead, err := readHead(ctx, l.db)
	if err != nil {
		return 0, err
	}

	// links[i]: row i's mac is right given row i-1's stored mac. A wrong key
	// fails every link and the head tag; tampering leaves most links intact.
	links := make([]bool, len(rs))
	anyLink := false
	for i, r := range rs {
		prev := ""
		if i > 0 {
			prev = rs[i-1].mac
		}
		links[i] = hmac.Equal([]byte(entryMAC(key, prev, r)), []byte(r.mac))
		anyLink = anyLink || links[i]
	}
	headAt := slices.IndexFunc(rs, func(r row) bool { return r.seq == h.seq })
	headOK := hasHead && headAt >= 0 && hmac.Equal([]byte(headTag(key, h.seq, rs[headAt].mac)), []byte(h.tag))
	if len(rs) > 0 && !anyLink && !headOK {
		return 0, ErrWrongKey
	}

	for i, r := range rs {
		want := int64(i) + 1
		if r.seq > want {
			return i, &VerifyError{Seq: want, Reason: ReasonDeleted}
		}
		if r.seq < want {
			return i, &VerifyError{Seq: r.seq, Reason: ReasonInserted}
		}
		if links[i] {
			continue
		}
		// The stored mac is genuine if the next link (or the head) accepts
		// it: then only the content changed.
		genuine := i+1 < len(rs) && hmac.Equal([]byte(entryMAC(key, r.mac, rs[i+1])), []byte(rs[i+1].mac)) ||
			i+1 == len(rs) && hasHead && h.seq == r.seq && headOK
		if genuine {
			return i, &VerifyError{Seq: r.seq, Reason: ReasonEdited}
		}
		return i, &VerifyError{Seq: r.seq, Reason: ReasonInserted}
	}

	n := len(rs)
	var last int64
	if n > 0 {
		last = rs[n-1].seq
	}
	switch {
	case !hasHead && n > 0:
		return n, &VerifyError{Seq: last, Reason: ReasonHeadMissing}
	case !hasHead:
		return 0, nil
	case h.seq > last:
		return n, &VerifyError{Seq: last + 1, Reason: ReasonDeletedEnd}
	case h.seq < last:
		return int(h.seq), &VerifyError{Seq: h.seq + 1, Reason: ReasonInserted}
	case n > 0 && !headOK:
		return n, &VerifyError{Seq: last, Reason: ReasonHeadEdited}
	}
	return n, nil
}

// CurrentOSUser names the operating-system account running the process,
// for the audit log's "who".
func CurrentOSUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, env := range []string{"USER", "USERNAME"} {
		if v := os.Getenv(env); v != "" {
			return v
		}
	}
	return "unknown"
}

func readRows(ctx context.Context, q querier, query string, args ...any) ([]row, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: read log: %w", err)
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.seq, &r.at, &r.osUser, &r.action, &r.subject, &r.detail, &r.mac); err != nil {
			return nil, fmt.Errorf("audit: read log: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: read log: %w", err)
	}
	return out, nil
}

type head struct {
	seq int64
	tag string
}

// readHead returns the stored head; ok is false when there is none. A head
// that does not parse is reported as an edited head.
func readHead(ctx context.Context, q querier) (head, bool, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", headSetting).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return head{}, false, nil
	}
	if err != nil {
		return head{}, false, fmt.Errorf("audit: read head: %w", err)
	}
	s, tag, ok := strings.Cut(v, ":")
	seq, err := strconv.ParseInt(s, 10, 64)
	if !ok || err != nil || seq < 0 {
		return head{}, false, &VerifyError{Seq: 0, Reason: ReasonHeadEdited}
	}
	return head{seq: seq, tag: tag}, true, nil
}

func entryMAC(key []byte, prev string, r row) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(prev))
	m.Write([]byte(strconv.FormatInt(r.seq, 10)))
	for _, f := range []string{r.at, r.osUser, r.action, r.subject, r.detail} {
		m.Write([]byte{0})
		m.Write([]byte(f))
	}
	return hex.EncodeToString(m.Sum(nil))
}

func headTag(key []byte, seq int64, mac string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("head"))
	m.Write([]byte{0})
	m.Write([]byte(strconv.FormatInt(seq, 10)))
	m.Write([]byte{0})
	m.Write([]byte(mac))
	return hex.EncodeToString(m.Sum(nil))
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// encodeDetail is deterministic (encoding/json sorts map keys), so the same
// detail always hashes the same.
func encodeDetail(d map[string]string) (string, error) {
	if d == nil {
		d = map[string]string{}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("audit: encode detail: %w", err)
	}
	return string(b), nil
}

// decodeDetail keeps unparsable (tampered) detail visible rather than
// failing the listing.
func decodeDetail(s string) map[string]string {
	var d map[string]string
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return map[string]string{"_unparsed": s}
	}
	return d
}
