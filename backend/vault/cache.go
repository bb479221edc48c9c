package vault

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/awnumar/memguard"
)

// Cached returns a read-only querier over the vault's database that keeps
// each query prepared for the life of the vault, so hot read paths
// (credential resolution) skip SQLite's SQL parser. Use it outside
// transactions only.
func (v *Vault) Cached() *CachedQuerier { return &v.cached }

// CachedQuerier prepares each distinct query once.
type CachedQuerier struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func (c *CachedQuerier) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[query]; ok {
		return s, nil
	}
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = s
	return s, nil
}

// QueryRowContext runs a prepared single-row query.
func (c *CachedQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := c.stmt(ctx, query)
	if err != nil {
		// Let the error surface through Row.Scan like an unprepared query.
		return c.db.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// QueryContext runs a prepared query.
func (c *CachedQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// InTx runs the cached statements inside tx. database/sql keeps a
// statement prepared per connection, so one prepared for the transaction's
// connection before is reused rather than parsed again.
func (c *CachedQuerier) InTx(tx *sql.Tx) TxQuerier { return TxQuerier{c: c, tx: tx} }

// TxQuerier is a CachedQuerier bound to a transaction.
type TxQuerier struct {
	c  *CachedQuerier
	tx *sql.Tx
}

// QueryRowContext runs a prepared single-row query in the transaction.
func (q TxQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := q.c.stmt(ctx, query)
	if err != nil {
		return q.tx.QueryRowContext(ctx, query, args...)
	}
	return q.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
}

// QueryContext runs a prepared query in the transaction.
func (q TxQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := q.c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return q.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
}

func (c *CachedQuerier) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.stmts {
		s.Close()
	}
	c.stmts = nil
}

// KeyLinger is how long an opened data key stays in its LockedBuffer after
// the last use. Opening the Enclave costs ~75 µs (it opens memguard's own
// key first); a burst of operations (listing, resolving boards, an
// integration connecting) reuses the open buffer, and an idle vault holds
// the key only in the Enclave. Lock destroys the buffer at once.
const KeyLinger = 2 * time.Second

// hotKey is the data key opened from the Enclave, destroyed KeyLinger after
// its last use or on Lock.
type hotKey struct {
	mu    sync.RWMutex
	buf   *memguard.LockedBuffer
	timer *time.Timer

	// scratch is a locked page reused to decrypt short values (tokens) and
	// build headers from them, wiped after every use: creating a memguard
	// buffer costs ~40 µs of mmap/mlock/mprotect system calls. It lives and
	// dies with the open key.
	scratchMu sync.Mutex
	scratch   *memguard.LockedBuffer
}

// scratchSize fits any PAT, API token or client secret with its header.
const scratchSize = 4096

// withScratch runs fn with n bytes of the wiped scratch page, or returns
// false when n does not fit. The caller holds h.mu.RLock (the key is open).
func (h *hotKey) withScratch(n int, fn func(b []byte) error) (bool, error) {
	if n > scratchSize {
		return false, nil
	}
	h.scratchMu.Lock()
	defer h.scratchMu.Unlock()
	if h.scratch == nil {
		s, err := newBuffer(scratchSize)
		if err != nil {
			return true, err
		}
		h.scratch = s
	}
	b := h.scratch.Bytes()[:n]
	defer clear(b)
	return true, fn(b)
}

// get returns the open key buffer, opening the enclave when needed. The
// caller holds h.mu.RLock while using it.
func (h *hotKey) acquire(enc *memguard.Enclave) (*memguard.LockedBuffer, error) {
	h.mu.RLock()
	if h.buf != nil && h.buf.IsAlive() {
		return h.buf, nil
	}
	h.mu.RUnlock()
	h.mu.Lock()
	if h.buf == nil || !h.buf.IsAlive() {
		buf, err := openEnclave(enc)
		if err != nil {
			h.mu.Unlock()
			return nil, err
		}
		buf.Freeze()
		h.buf = buf
	}
	if h.timer == nil {
		h.timer = time.AfterFunc(KeyLinger, h.drop)
	} else {
		h.timer.Reset(KeyLinger)
	}
	h.mu.Unlock()
	h.mu.RLock()
	if h.buf == nil { // dropped in between: very unlikely, try again
		h.mu.RUnlock()
		return h.acquire(enc)
	}
	return h.buf, nil
}

func (h *hotKey) release() { h.mu.RUnlock() }

// drop destroys the open key (linger expired or the vault locked).
func (h *hotKey) drop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.buf != nil {
		h.buf.Destroy()
		h.buf = nil
	}
	h.scratchMu.Lock()
	if h.scratch != nil {
		h.scratch.Destroy()
		h.scratch = nil
	}
	h.scratchMu.Unlock()
	if h.timer != nil {
		h.timer.Stop()
		h.timer = nil
	}
}
