package vault

import (
	"context"
	"testing"
)

// BenchmarkUnlockDefaultKDF measures what a user waits for at unlock with
// the production parameters (Argon2id m=64 MiB, t=3, p=4) plus unwrapping
// the data key. Run with
//
//	go test -run '^$' -bench UnlockDefaultKDF -benchtime 10x ./backend/vault/
func BenchmarkUnlockDefaultKDF(b *testing.B) {
	ctx := context.Background()
	SetKDFForTests(DefaultKDF())
	defer SetKDFForTests(cheapKDF)
	v, _ := createTestVault(b, Options{AutoLock: -1})
	if got := v.Info().KDF; got != DefaultKDF() {
		b.Fatalf("vault KDF = %v, want the defaults", got)
	}
	v.Lock()
	b.ResetTimer()
	for b.Loop() {
		if err := v.Unlock(ctx, passA); err != nil {
			b.Fatal(err)
		}
		v.Lock()
	}
}
