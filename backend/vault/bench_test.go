package vault

import (
	"context"
	"os"
	"os/exec"
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

// BenchmarkUnlockFreshProcess measures the first Argon2id derivation at the
// default parameters in a fresh process (a CLI invocation): each iteration
// re-executes this test binary in helper mode "derive-once". Without
// prefault (kdf.go) this is ~2× the warm figure of BenchmarkUnlockDefaultKDF.
func BenchmarkUnlockFreshProcess(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), helperEnv+"=derive-once")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("helper: %v\n%s", err, out)
		}
	}
}

// helperDeriveOnce derives one KEK at the default parameters and exits.
func helperDeriveOnce() int {
	if _, err := deriveKEK([]byte("correct horse battery staple"), make([]byte, saltSize), DefaultKDF()); err != nil {
		return 1
	}
	return 0
}
