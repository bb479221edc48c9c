package vault

import (
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/awnumar/memguard"
)

// Locked memory. memguard mlocks the pages of every buffer it creates and,
// when mlock fails, panics, or deadlocks when the failure happens while it
// holds its own key's mutex (upstream #147/#173). So under a finite
// RLIMIT_MEMLOCK sharedvault never lets memguard reach the limit: every
// buffer is created through the guard below, which counts the pages the
// process has locked (VmLck) and, when there is no room, waits briefly for
// buffers to be destroyed and then fails with *MemlockExhaustedError.

// RecommendedMemlock is the limit below which sharedvault warns that memory
// locking is limited: with this much no operation comes near it.
const RecommendedMemlock = 256 * 1024

// minMemlockPages is the most pages one command or window action keeps
// locked at once (memguard's key 3 and its transient view 1, the open data
// key 1, the scratch page 1, the passphrase 1, an audit key 1, opened
// values 2) plus 2 to spare. TestMemlockAsNonRoot runs the vault's
// operations at this limit, and the CLI and window tests at 64 KiB.
const minMemlockPages = 12

// memlockWait is how long an allocation waits for other buffers to be
// destroyed before it gives up (a variable for the tests' helper).
var memlockWait = time.Second

// MinMemlock is the smallest locked-memory limit a vault can be used with.
func MinMemlock() uint64 { return minMemlockPages * uint64(os.Getpagesize()) }

const memlockHint = "raise it, e.g. `ulimit -l 1024` in the shell, LimitMEMLOCK=1M in a systemd unit, or memlock in /etc/security/limits.conf"

// MemlockHint says how to raise the locked-memory limit.
func MemlockHint() string { return memlockHint }

// MemlockExhaustedError says an operation needed more locked memory than the
// limit leaves: more keys or values were open at once than fit.
type MemlockExhaustedError struct{ Limit uint64 }

func (e *MemlockExhaustedError) Error() string {
	return "out of locked memory: the locked-memory limit (ulimit -l) of " + kib(e.Limit) + " does not fit the keys this operation needs at once"
}

// Hint says how to fix it.
func (e *MemlockExhaustedError) Hint() string { return memlockHint }

func kib(b uint64) string { return strconv.FormatUint(b/1024, 10) + " KiB" }

// lockGuard serialises memguard allocations under a finite limit and keeps
// an upper bound of the bytes the process has locked: the last VmLck reading
// plus everything locked since. Only when that bound says "full" is VmLck
// read again (destroyed buffers only lower it), so with room to spare an
// allocation costs a mutex.
type lockGuard struct {
	limit uint64 // bytes; 0: not bound (unlimited, CAP_IPC_LOCK, or no way to count)
	page  uint64

	mu      sync.Mutex
	used    uint64
	keyLive bool // memguard's session key (3 locked pages) exists
}

var (
	guardOnce sync.Once
	guard     *lockGuard
)

func theGuard() *lockGuard {
	guardOnce.Do(func() { guard = newLockGuard() })
	return guard
}

func (g *lockGuard) pages(size int) uint64 {
	if size < 1 {
		size = 1
	}
	return (uint64(size) + g.page - 1) / g.page
}

// withPages runs alloc, which locks at most need pages at its peak and keeps
// keep of them locked, once that fits under the limit. enclave says alloc
// uses memguard's session key, which memguard creates (3 more pages) on
// first use.
func (g *lockGuard) withPages(need, keep uint64, enclave bool, alloc func()) error {
	if g.limit == 0 {
		alloc()
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if enclave && !g.keyLive {
		need += 3
		keep += 3
	}
	fits := func() bool { return g.used+need*g.page <= g.limit }
	if !fits() {
		deadline := time.Now().Add(memlockWait)
		for {
			if n, ok := lockedBytes(); ok {
				g.used = n
			}
			if fits() {
				break
			}
			if time.Now().After(deadline) {
				return &MemlockExhaustedError{Limit: g.limit}
			}
			// Other goroutines destroy their buffers without the guard.
			g.mu.Unlock()
			time.Sleep(5 * time.Millisecond)
			g.mu.Lock()
		}
	}
	alloc()
	g.used += keep * g.page
	if enclave {
		g.keyLive = true
	}
	return nil
}

// The memguard constructors sharedvault uses, each under the guard.

func newBuffer(size int) (*memguard.LockedBuffer, error) {
	g := theGuard()
	n := g.pages(size)
	var b *memguard.LockedBuffer
	err := g.withPages(n, n, false, func() { b = memguard.NewBuffer(size) })
	return b, err
}

func newBufferRandom(size int) (*memguard.LockedBuffer, error) {
	g := theGuard()
	n := g.pages(size)
	var b *memguard.LockedBuffer
	err := g.withPages(n, n, false, func() { b = memguard.NewBufferRandom(size) })
	return b, err
}

// LockedBufferFrom moves src into a new LockedBuffer the caller destroys;
// src is wiped either way.
func LockedBufferFrom(src []byte) (*memguard.LockedBuffer, error) {
	g := theGuard()
	n := g.pages(len(src))
	var b *memguard.LockedBuffer
	err := g.withPages(n, n, false, func() { b = memguard.NewBufferFromBytes(src) })
	if err != nil {
		memguard.WipeBytes(src)
	}
	return b, err
}

// openEnclave decrypts e into a LockedBuffer; memguard's view of its session
// key takes one more page while it does.
func openEnclave(e *memguard.Enclave) (*memguard.LockedBuffer, error) {
	g := theGuard()
	n := g.pages(e.Size())
	var b *memguard.LockedBuffer
	var openErr error
	err := g.withPages(n+1, n, true, func() { b, openErr = e.Open() })
	if err != nil {
		return nil, err
	}
	return b, openErr
}

// sealBuffer moves b into an Enclave and destroys b, also on failure.
func sealBuffer(b *memguard.LockedBuffer) (*memguard.Enclave, error) {
	var e *memguard.Enclave
	err := theGuard().withPages(1, 0, true, func() { e = b.Seal() })
	if err != nil {
		b.Destroy()
	}
	return e, err
}

// newEnclave moves src into an Enclave; src is wiped either way.
func newEnclave(src []byte) (*memguard.Enclave, error) {
	var e *memguard.Enclave
	err := theGuard().withPages(1, 0, true, func() { e = memguard.NewEnclave(src) })
	if err != nil {
		memguard.WipeBytes(src)
	}
	return e, err
}

// Purge is memguard.Purge: it destroys every buffer and memguard's session
// key, which the guard must know to count the key's pages again.
func Purge() {
	memguard.Purge()
	g := theGuard()
	g.mu.Lock()
	g.keyLive = false
	g.mu.Unlock()
}
