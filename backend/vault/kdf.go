package vault

import (
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/crypto/argon2"
)

// KDFParams are the Argon2id parameters stored in the vault header.
type KDFParams struct {
	Algorithm   string `json:"algorithm"`
	MemoryKiB   uint32 `json:"memory_kib"`
	Iterations  uint32 `json:"iterations"`
	Parallelism uint8  `json:"parallelism"`
}

const algArgon2id = "argon2id"

// DefaultKDF returns RFC 9106's second recommended Argon2id parameters.
func DefaultKDF() KDFParams {
	return KDFParams{Algorithm: algArgon2id, MemoryKiB: 64 * 1024, Iterations: 3, Parallelism: 4}
}

var (
	testKDFMu sync.Mutex
	testKDF   *KDFParams
)

// SetKDFForTests makes vaults created afterwards use p instead of the
// defaults, so test suites do not spend seconds per vault. Only tests call it;
// existing vaults keep the parameters in their header.
func SetKDFForTests(p KDFParams) {
	testKDFMu.Lock()
	defer testKDFMu.Unlock()
	testKDF = &p
}

func creationKDF() KDFParams {
	testKDFMu.Lock()
	defer testKDFMu.Unlock()
	if testKDF != nil {
		return *testKDF
	}
	return DefaultKDF()
}

// Validate refuses parameters that x/crypto would panic on or that no real
// vault would use: a header edited to such values is reported, not obeyed.
func (p KDFParams) Validate() error {
	switch {
	case p.Algorithm != algArgon2id:
		return fmt.Errorf("%w: unknown kdf %q", ErrCorrupt, p.Algorithm)
	case p.Iterations < 1 || p.Iterations > 64:
		return fmt.Errorf("%w: kdf iterations %d out of range 1..64", ErrCorrupt, p.Iterations)
	case p.Parallelism < 1 || p.Parallelism > 64:
		return fmt.Errorf("%w: kdf parallelism %d out of range 1..64", ErrCorrupt, p.Parallelism)
	case p.MemoryKiB < 8*uint32(p.Parallelism) || p.MemoryKiB > 4*1024*1024:
		return fmt.Errorf("%w: kdf memory %d KiB out of range", ErrCorrupt, p.MemoryKiB)
	}
	return nil
}

// deriveKEK runs Argon2id. The caller wipes the result.
func deriveKEK(passphrase, salt []byte, p KDFParams) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if len(salt) != saltSize {
		return nil, fmt.Errorf("%w: salt is %d bytes, want %d", ErrCorrupt, len(salt), saltSize)
	}
	prefault(int(p.MemoryKiB) * 1024)
	return argon2.IDKey(passphrase, salt, p.Iterations, p.MemoryKiB, p.Parallelism, keySize), nil
}

// prefault makes Argon2id's first run in a fresh process as fast as later
// ones (~100 ms instead of ~225 ms at 64 MiB here). x/crypto reads each new
// block before writing it, so fresh heap pages are first mapped to the
// shared zero page and then copied on write, and every copy flushes the TLB
// of all the worker threads (perf: do_wp_page → flush_tlb_mm_range; 0.3 s of
// system time). Writing one byte per page from this single goroutine maps
// the pages writable up front; after a GC the runtime hands the same pages to
// Argon2's allocation. BenchmarkUnlockFreshProcess catches a regression.
func prefault(n int) {
	b := make([]byte, n)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	b = nil
	runtime.GC()
}
