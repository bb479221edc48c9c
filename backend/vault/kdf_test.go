package vault

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The production cost is part of the security contract: changing it must be
// a deliberate edit of this test too.
func TestDefaultKDFIsRFC9106Second(t *testing.T) {
	want := KDFParams{Algorithm: "argon2id", MemoryKiB: 65536, Iterations: 3, Parallelism: 4}
	if diff := cmp.Diff(want, DefaultKDF()); diff != "" {
		t.Errorf("DefaultKDF() mismatch (-want +got):\n%s", diff)
	}
	if err := DefaultKDF().Validate(); err != nil {
		t.Errorf("DefaultKDF().Validate() = %v", err)
	}
}

func TestKDFValidate(t *testing.T) {
	ok := func(mut func(*KDFParams)) KDFParams {
		p := DefaultKDF()
		mut(&p)
		return p
	}
	tests := []struct {
		name  string
		p     KDFParams
		valid bool
	}{
		{"defaults", DefaultKDF(), true},
		{"test cost", cheapKDF, true},
		{"smallest", KDFParams{Algorithm: "argon2id", MemoryKiB: 8, Iterations: 1, Parallelism: 1}, true},
		{"largest", KDFParams{Algorithm: "argon2id", MemoryKiB: 4 << 20, Iterations: 64, Parallelism: 64}, true},
		{"t=0", ok(func(p *KDFParams) { p.Iterations = 0 }), false},
		{"t=65", ok(func(p *KDFParams) { p.Iterations = 65 }), false},
		{"p=0", ok(func(p *KDFParams) { p.Parallelism = 0 }), false},
		{"p=65", ok(func(p *KDFParams) { p.Parallelism = 65 }), false},
		{"m=0", ok(func(p *KDFParams) { p.MemoryKiB = 0 }), false},
		{"m below 8*p", ok(func(p *KDFParams) { p.MemoryKiB = 8*4 - 1 }), false},
		{"m above 4 GiB", ok(func(p *KDFParams) { p.MemoryKiB = 4<<20 + 1 }), false},
		{"unknown algorithm", ok(func(p *KDFParams) { p.Algorithm = "scrypt" }), false},
		{"argon2i", ok(func(p *KDFParams) { p.Algorithm = "argon2i" }), false},
		{"empty algorithm", ok(func(p *KDFParams) { p.Algorithm = "" }), false},
		{"algorithm case", ok(func(p *KDFParams) { p.Algorithm = "Argon2id" }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.valid {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Validate() = %v, want ErrCorrupt", err)
			}
			// deriveKEK must refuse before argon2 runs: x/crypto panics on
			// t=0 and p=0, so a missing check fails this test with a panic
			// rather than a wrong key. The expensive "m above 4 GiB" case
			// would take gigabytes if it ran.
			key, err := deriveKEK([]byte("pw"), make([]byte, saltSize), tt.p)
			if !errors.Is(err, ErrCorrupt) || key != nil {
				t.Fatalf("deriveKEK = %x, %v; want nil, ErrCorrupt", key, err)
			}
		})
	}
}

func TestDeriveKEKRefusesBadSalt(t *testing.T) {
	for _, n := range []int{0, 8, 15, 17, 32} {
		key, err := deriveKEK([]byte("pw"), make([]byte, n), cheapKDF)
		if !errors.Is(err, ErrCorrupt) || key != nil {
			t.Errorf("salt of %d bytes: deriveKEK = %x, %v; want nil, ErrCorrupt", n, key, err)
		}
	}
}
