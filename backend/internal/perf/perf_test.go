// Package perf holds the whole-feature benchmarks behind `make bench`
// (tools/benchtable): each compares our code with a reference tool measured
// in the same run, interleaved, and reports medians with b.ReportMetric:
//
//	ours_ms   median of our samples, milliseconds
//	ref_ms    median of the reference samples, milliseconds
//	ratio     ours_ms / ref_ms
//	samples   how many samples each median is over
//
// Run them once each (the rounds are inside): go test -run '^$' -bench .
// -benchtime 1x ./backend/internal/perf. They need curl and age on PATH.
package perf

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"

	"sharedvault/backend/vault"
)

// Vaults here are fixtures, not the unlock measurement: a cheap KDF.
func TestMain(m *testing.M) {
	vault.SetKDFForTests(vault.KDFParams{Algorithm: "argon2id", MemoryKiB: 1024, Iterations: 1, Parallelism: 1})
	os.Exit(m.Run())
}

// rounds is how many interleaved ours/reference samples a benchmark takes
// (PERF_ROUNDS overrides; at least 7).
func rounds(def int) int {
	if s := os.Getenv("PERF_ROUNDS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 7 {
			return n
		}
	}
	return def
}

func median(xs []time.Duration) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// report publishes the medians; ref is the reference median.
func report(b *testing.B, ours, ref []time.Duration) {
	b.Helper()
	o, r := median(ours), median(ref)
	b.ReportMetric(ms(o), "ours_ms")
	b.ReportMetric(ms(r), "ref_ms")
	if r > 0 {
		b.ReportMetric(float64(o)/float64(r), "ratio")
	}
	b.ReportMetric(float64(len(ours)), "samples")
}

func needTool(b *testing.B, name string) string {
	b.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		b.Fatalf("%s is not installed (make setup): %v", name, err)
	}
	return p
}
