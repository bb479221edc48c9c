//go:build linux

// Command benchtable is `make bench`: it runs the Go benchmarks and the
// whole-process comparisons of issue #7 and prints one table (measure, ours,
// reference, ratio, target, result).
//
// Every ratio is measured against its reference in the same run: samples are
// interleaved (ours, reference, ours, … with the order alternating) and
// medians are compared. Bounds without a reference are medians of -count runs.
//
// Exit status: 0 all targets met, 1 a target was missed, 2 a measurement
// could not run (the table says why).
//
//	go run ./tools/benchtable [-rounds 9] [-count 5] [-skip-window]
//
// It expects the binaries of `make build build-cli` and the reference window
// of scripts/bench-bare.sh (the Makefile's bench target builds them). The
// window measurements run under xvfb-run: the program re-executes itself
// there with -window-inner.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	appBin   = "build/bin/sharedvault"
	cliBin   = "build/bin/sharedvault-cli"
	bareBin  = "build/bench/bare/bare"
	benchOut = "build/bench"

	// The passphrase of the unlock measurements (any; it is not a secret).
	benchPass = "correct horse battery staple 7"
	// 16 bytes: the argon2 CLI takes the salt as its argument.
	argonSalt = "sharedvaultbench"

	screenW, screenH = 1280, 900
	screen           = "1280x900x24"
	idleWait         = 5 * time.Second
	readyLimit       = 60 * time.Second
)

type status int

const (
	pass status = iota
	fail
	broken // the measurement could not run
	info   // shown for context, not a target
)

type row struct {
	measure string
	ours    string
	ref     string
	ratio   string
	target  string
	st      status
	why     string // for broken rows and extra detail
}

type table struct {
	rows  []row
	notes []string
}

func (t *table) add(r row) { t.rows = append(t.rows, r) }

func (t *table) broken(measure, target string, err error) {
	t.add(row{measure: measure, ours: "-", ref: "-", ratio: "-", target: target, st: broken, why: err.Error()})
}

func (t *table) note(format string, args ...any) {
	t.notes = append(t.notes, fmt.Sprintf(format, args...))
}

func main() {
	rounds := flag.Int("rounds", 9, "interleaved samples per whole-process comparison (≥ 7)")
	count := flag.Int("count", 5, "go test -count for the bound benchmarks (≥ 5)")
	winRounds := flag.Int("window-rounds", 7, "interleaved window starts per side (≥ 7)")
	unlockRounds := flag.Int("unlock-rounds", 3, "window unlock runs (memory after unlock)")
	skipWindow := flag.Bool("skip-window", false, "skip the window rows (no Xvfb)")
	only := flag.String("only", "", "comma-separated groups to run: unlock,boards,perf,window,size (default all)")
	inner := flag.String("window-inner", "", "internal: run the window measurements (inside xvfb-run) and write JSON to this file")
	flag.Parse()

	if *inner != "" {
		os.Exit(windowInner(*inner, *winRounds, *unlockRounds))
	}
	if *rounds < 7 || *winRounds < 7 || *count < 5 {
		fmt.Fprintln(os.Stderr, "benchtable: -rounds and -window-rounds must be ≥ 7, -count ≥ 5")
		os.Exit(2)
	}
	if err := chdirRoot(); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(2)
	}
	start := time.Now()
	load0 := loadavg()
	t := &table{}

	want := func(g string) bool { return *only == "" || slices.Contains(strings.Split(*only, ","), g) }
	if want("unlock") {
		step("unlock: whole process vs argon2 CLI")
		unlockRows(t, *rounds)
	}
	if want("boards") {
		step("go benchmarks: backend/boards (resolve, list)")
		boardsRows(t, *count)
	}
	if want("perf") {
		step("go benchmarks: backend/internal/perf (probes vs curl, export vs age)")
		perfRows(t)
	}
	if want("window") {
		if *skipWindow {
			t.note("window rows skipped (-skip-window)")
		} else {
			step("window: sharedvault vs bare Wails template under Xvfb")
			windowRows(t, *winRounds, *unlockRounds)
		}
	}
	if want("size") {
		sizeRow(t)
	}

	t.note("load average before/after: %s / %s (2-core machines share CPU: ratios are medians of interleaved samples)", load0, loadavg())
	t.note("total bench time %s", time.Since(start).Round(time.Second))
	os.Exit(t.print(os.Stdout))
}

func step(s string) { fmt.Fprintf(os.Stderr, "benchtable: %s…\n", s) }

// chdirRoot moves to the module root (the directory with go.mod and
// Makefile), so the program works from any directory of the repository.
func chdirRoot() error {
	dir, err := os.Getwd()
	if err != nil {
		return err
	}
	for {
		if fileExists(filepath.Join(dir, "go.mod")) && fileExists(filepath.Join(dir, "Makefile")) {
			return os.Chdir(dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return errors.New("run me inside the sharedvault repository")
		}
		dir = parent
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// ---------------------------------------------------------------- numbers

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	switch {
	case n == 0:
		return 0
	case n%2 == 1:
		return s[n/2]
	default:
		return (s[n/2-1] + s[n/2]) / 2
	}
}

func fmtMS(ms float64) string {
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f ms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.2f ms", ms)
	}
}

func fmtMB(kb float64) string { return fmt.Sprintf("%.1f MB", kb/1024) }

func ratioRow(measure string, ours, ref float64, unit func(float64) string, limit float64) row {
	r := row{measure: measure, ours: unit(ours), ref: unit(ref), target: fmt.Sprintf("≤ %.2f×", limit)}
	if ref <= 0 {
		r.ratio, r.st, r.why = "-", broken, "reference median is zero"
		return r
	}
	q := ours / ref
	r.ratio = fmt.Sprintf("%.2f×", q)
	if q > limit {
		r.st = fail
	}
	return r
}

func boundRow(measure string, ours float64, unit func(float64) string, limit float64) row {
	r := row{measure: measure, ours: unit(ours), ref: "-", ratio: "-", target: "≤ " + unit(limit)}
	if ours > limit {
		r.st = fail
	}
	return r
}

// ---------------------------------------------------------------- processes

// timeRun runs a command to completion and returns its wall time.
func timeRun(stdin []byte, name string, args ...string) (time.Duration, error) {
	cmd := exec.Command(name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errb
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return d, fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(errb.String()))
	}
	return d, nil
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// unlockRows: `sharedvault status --passphrase-file` on a vault created by
// `sharedvault init` at the default KDF, a new process each time, against
// the argon2 CLI with the vault's m, t, p.
func unlockRows(t *table, rounds int) {
	const measure = "unlock, whole process: `sharedvault status` (%s)"
	for _, b := range []string{appBin, cliBin} {
		if !fileExists(b) {
			t.broken(fmt.Sprintf(measure, b), "≤ 1.00×", fmt.Errorf("%s is missing: make build build-cli", b))
			return
		}
	}
	argon, err := exec.LookPath("argon2")
	if err != nil {
		t.broken(fmt.Sprintf(measure, appBin), "≤ 1.00×", errors.New("argon2 CLI missing: make setup"))
		return
	}
	dir, err := os.MkdirTemp("", "benchtable-unlock-")
	if err != nil {
		t.broken(fmt.Sprintf(measure, appBin), "≤ 1.00×", err)
		return
	}
	defer os.RemoveAll(dir)
	passFile := filepath.Join(dir, "pass")
	vaultPath := filepath.Join(dir, "vault.db")
	kdf, err := newVault(vaultPath, passFile)
	if err != nil {
		t.broken(fmt.Sprintf(measure, appBin), "≤ 1.00×", err)
		return
	}
	argonArgs := []string{argonSalt, "-id", "-t", strconv.Itoa(kdf.Iterations), "-k", strconv.Itoa(kdf.MemoryKiB), "-p", strconv.Itoa(kdf.Parallelism), "-l", "32"}
	type side struct {
		name string
		run  func() (time.Duration, error)
		ms   []float64
	}
	status := func(bin string) func() (time.Duration, error) {
		return func() (time.Duration, error) {
			return timeRun(nil, bin, "status", "--vault", vaultPath, "--passphrase-file", passFile)
		}
	}
	sides := []*side{
		{name: appBin, run: status(appBin)},
		{name: cliBin, run: status(cliBin)},
		{name: "argon2", run: func() (time.Duration, error) { return timeRun([]byte(benchPass), argon, argonArgs...) }},
	}
	for _, s := range sides { // warm the page cache
		if _, err := s.run(); err != nil {
			t.broken(fmt.Sprintf(measure, appBin), "≤ 1.00×", err)
			return
		}
	}
	for i := range rounds {
		for j := range sides {
			s := sides[(i+j)%len(sides)] // rotate the order each round
			d, err := s.run()
			if err != nil {
				t.broken(fmt.Sprintf(measure, appBin), "≤ 1.00×", err)
				return
			}
			s.ms = append(s.ms, msOf(d))
		}
	}
	ref := median(sides[2].ms)
	t.add(ratioRow(fmt.Sprintf(measure, "release binary, make build"), median(sides[0].ms), ref, fmtMS, 1.0))
	t.add(ratioRow(fmt.Sprintf(measure, "server binary, make build-cli"), median(sides[1].ms), ref, fmtMS, 1.0))
	t.note("unlock: reference `echo -n PASS | argon2 SALT -id -t %d -k %d -p %d -l 32` (whole process); medians of %d interleaved cold processes each",
		kdf.Iterations, kdf.MemoryKiB, kdf.Parallelism, rounds)
}

type kdfParams struct {
	MemoryKiB   int `json:"memory_kib"`
	Iterations  int `json:"iterations"`
	Parallelism int `json:"parallelism"`
}

// newVault creates a vault with `sharedvault init` (default KDF) and
// returns its KDF parameters as `status --json` reports them.
func newVault(vaultPath, passFile string) (kdfParams, error) {
	var kdf kdfParams
	if err := os.WriteFile(passFile, []byte(benchPass), 0o600); err != nil {
		return kdf, err
	}
	if _, err := timeRun(nil, cliBin, "init", "--vault", vaultPath, "--passphrase-file", passFile); err != nil {
		return kdf, err
	}
	out, err := exec.Command(cliBin, "status", "--json", "--vault", vaultPath, "--passphrase-file", passFile).Output()
	if err != nil {
		return kdf, fmt.Errorf("status --json: %v", err)
	}
	var st struct {
		KDF kdfParams `json:"kdf"`
	}
	if err := json.Unmarshal(out, &st); err != nil {
		return kdf, fmt.Errorf("status --json: %v", err)
	}
	if st.KDF.MemoryKiB == 0 || st.KDF.Iterations == 0 || st.KDF.Parallelism == 0 {
		return kdf, fmt.Errorf("status --json reports no KDF parameters: %s", out)
	}
	return st.KDF, nil
}

// ---------------------------------------------------------------- go test -bench

// benchResult is one line of `go test -bench` output: metric unit → value.
type benchResult map[string]float64

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// goBench runs go test -bench and returns, per benchmark name, one result
// per -count repetition.
func goBench(pkg, bench string, extra ...string) (map[string][]benchResult, error) {
	args := append([]string{"test", "-run", "^$", "-bench", bench}, extra...)
	args = append(args, pkg)
	cmd := exec.Command("go", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	res := map[string][]benchResult{}
	for _, line := range strings.Split(out.String(), "\n") {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		f := strings.Fields(m[2])
		r := benchResult{}
		for i := 0; i+1 < len(f); i += 2 {
			v, perr := strconv.ParseFloat(f[i], 64)
			if perr == nil {
				r[f[i+1]] = v
			}
		}
		res[m[1]] = append(res[m[1]], r)
	}
	if err != nil {
		return res, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, tail(out.String(), 15))
	}
	return res, nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "    | " + strings.Join(lines, "\n    | ")
}

func metric(rs []benchResult, unit string) []float64 {
	var out []float64
	for _, r := range rs {
		if v, ok := r[unit]; ok {
			out = append(out, v)
		}
	}
	return out
}

func boardsRows(t *table, count int) {
	const (
		resolve = "resolve a board's credential → Authorization header (BenchmarkResolve)"
		list    = "`boards list --json`, 10,000 boards (BenchmarkList10000/list+json)"
	)
	res, err := goBench("./backend/boards", `BenchmarkResolve$|BenchmarkList10000/list\+json$`, "-count", strconv.Itoa(count))
	r := metric(res["BenchmarkResolve"], "ns/op")
	l := metric(res["BenchmarkList10000/list+json"], "ns/op")
	us := func(v float64) string { return fmt.Sprintf("%.1f µs", v) }
	if len(r) < count {
		t.broken(resolve, "≤ 100 µs", fmt.Errorf("got %d of %d results: %v", len(r), count, err))
	} else {
		t.add(boundRow(resolve, median(r)/1e3, us, 100))
	}
	if len(l) < count {
		t.broken(list, "≤ 100 ms", fmt.Errorf("got %d of %d results: %v", len(l), count, err))
	} else {
		t.add(boundRow(list, median(l)/1e6, fmtMS, 100))
	}
	t.note("resolve, list: median ns/op of go test -bench -count %d (resolve: vault unlocked, 10,000 boards; list: backend time incl. JSON encoding)", count)
}

func perfRows(t *table) {
	const (
		pat     = "DevOps PAT test, loopback emulator (fresh Prober)"
		both    = "DevOps PAT + Jira Cloud tested at once, loopback"
		bothRTT = "DevOps PAT + Jira Cloud at once, 5 ms emulated latency"
		export  = "export bundle, 10,000 boards, X25519 recipient"
	)
	res, err := goBench("./backend/internal/perf", ".", "-benchtime", "1x", "-count", "1")
	get := func(name, measure string, limit float64, refName string) (benchResult, bool) {
		rs := res[name]
		if len(rs) == 0 {
			why := errors.New("no result")
			if err != nil {
				why = err
			}
			t.broken(measure, fmt.Sprintf("≤ %.2f×", limit), why)
			return nil, false
		}
		r := rs[0]
		t.add(ratioRow(measure, r["ours_ms"], r["ref_ms"], fmtMS, limit))
		t.rows[len(t.rows)-1].ref += " " + refName
		return r, true
	}
	if r, ok := get("BenchmarkDevOpsPATVsCurl", pat, 1.5, "(curl)"); ok {
		t.note("PAT vs curl: ours = connect.NewProber + Prober.Test in-process (2 requests, fresh connection); reference = ONE curl invocation making the same 2 requests with the same headers on one connection, timed by curl's own -w %%{time_total} per transfer (sum), i.e. EXCLUDING curl's process start; medians of %.0f interleaved samples", r["samples"])
	}
	if r, ok := get("BenchmarkBothProviders", both, 1.3, "(slower alone)"); ok {
		// On loopback both tests are pure CPU (client and in-process
		// emulator) on a 2-core machine: running them at once cannot beat
		// the sum. The target is judged on the next row, where each answer
		// takes a round trip as it does from a real server.
		t.rows[len(t.rows)-1].st, t.rows[len(t.rows)-1].target = info, "context"
		t.note("both at once: two goroutines, a fresh Prober each; reference = the slower of the two tested alone (devops %s, jira %s), same run, %.0f interleaved samples; the emulator runs in the same process, so on a loaded 2-core machine this row measures CPU contention more than concurrency", fmtMS(r["devops_ms"]), fmtMS(r["jira_ms"]), r["samples"])
	}
	if r, ok := get("BenchmarkBothProvidersLatency", bothRTT, 1.3, "(slower alone)"); ok {
		t.note("both at once with latency: the same with every emulator answer held back 5 ms (a remote server's round trip): shows the two tests overlap (devops %s, jira %s alone)", fmtMS(r["devops_ms"]), fmtMS(r["jira_ms"]))
	}
	if r, ok := get("BenchmarkExport10000VsAge", export, 2.0, "(age CLI)"); ok {
		t.note("export: ours = transfer.Export in-process (read + decrypt + JSON + sign + age-encrypt + write + audit); reference = `age -r age1… -o out payload` whole process on the bundle's own plaintext (%.1f MB); medians of %.0f interleaved samples", r["payload_MB"], r["samples"])
	}
}

func sizeRow(t *table) {
	const measure = "release binary size (make build)"
	a, err1 := os.Stat(appBin)
	b, err2 := os.Stat(bareBin)
	if err := errors.Join(err1, err2); err != nil {
		t.broken(measure, "≤ 2.50×", err)
		return
	}
	mb := func(v float64) string { return fmt.Sprintf("%.1f MB", v/1e6) }
	r := ratioRow(measure, float64(a.Size()), float64(b.Size()), mb, 2.5)
	r.ref += " (bare)"
	t.add(r)
}

// ---------------------------------------------------------------- window

// windowResult is what the inner run (under Xvfb) hands back.
type windowResult struct {
	OursStartMS  []float64 `json:"ours_start_ms"`
	BareStartMS  []float64 `json:"bare_start_ms"`
	OursPSSKB    []float64 `json:"ours_pss_kb"`
	BarePSSKB    []float64 `json:"bare_pss_kb"`
	OursProcs    int       `json:"ours_procs"`
	BareProcs    int       `json:"bare_procs"`
	UnlockBefore []float64 `json:"unlock_before_kb"`
	UnlockAfter  []float64 `json:"unlock_after_kb"`
	UnlockErr    string    `json:"unlock_error,omitempty"`
	Err          string    `json:"error,omitempty"`
}

func windowRows(t *table, rounds, unlockRounds int) {
	const (
		startM  = "window start → interactive (ready line), Xvfb"
		pssM    = "window memory at idle (PSS, app + WebKit children)"
		unlockM = "window memory 5 s after unlock vs before (PSS)"
	)
	fail3 := func(err error) {
		t.broken(startM, "≤ 1.20×", err)
		t.broken(pssM, "≤ 1.15×", err)
		t.broken(unlockM, "≤ +20 MB", err)
	}
	for _, b := range []string{appBin, cliBin, bareBin} {
		if !fileExists(b) {
			fail3(fmt.Errorf("%s is missing (make build build-cli; scripts/bench-bare.sh)", b))
			return
		}
	}
	for _, tool := range []string{"xvfb-run", "xdotool", "import", "compare"} {
		if _, err := exec.LookPath(tool); err != nil {
			fail3(fmt.Errorf("%s is missing: make setup", tool))
			return
		}
	}
	self, err := os.Executable()
	if err != nil {
		fail3(err)
		return
	}
	out := filepath.Join(benchOut, "window.json")
	os.Remove(out)
	cmd := exec.Command("xvfb-run", "-a", "-s", "-screen 0 "+screen, self,
		"-window-inner", out, "-window-rounds", strconv.Itoa(rounds), "-unlock-rounds", strconv.Itoa(unlockRounds))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	runErr := cmd.Run()
	raw, err := os.ReadFile(out)
	if err != nil {
		fail3(fmt.Errorf("window run: %v (%v)", runErr, err))
		return
	}
	var w windowResult
	if err := json.Unmarshal(raw, &w); err != nil {
		fail3(err)
		return
	}
	if w.Err != "" {
		fail3(errors.New(w.Err))
		return
	}
	r := ratioRow(startM, median(w.OursStartMS), median(w.BareStartMS), fmtMS, 1.2)
	r.ref += " (bare)"
	t.add(r)
	r = ratioRow(pssM, median(w.OursPSSKB), median(w.BarePSSKB), fmtMB, 1.15)
	r.ref += " (bare)"
	t.add(r)
	t.note("window: process start → `sharedvault: window ready: first-run` (fresh vault path) vs the bare vanilla-ts template → `bare window ready` (its page calls Greet after the first frame); both release builds, xvfb-run -s '-screen 0 %s', fresh temp HOME/XDG dirs per start, medians of %d interleaved starts each", screen, rounds)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "WEBKIT_") {
			t.note("window: the environment sets %s (passed to both apps)", kv)
		}
	}
	t.note("PSS: sum of /proc/PID/smaps_rollup Pss over the app and all descendants (ours %d processes, bare %d), %s after ready", w.OursProcs, w.BareProcs, idleWait)
	if w.UnlockErr != "" || len(w.UnlockAfter) == 0 {
		t.broken(unlockM, "≤ +20 MB", fmt.Errorf("unlock run: %s", w.UnlockErr))
		return
	}
	before, after := median(w.UnlockBefore), median(w.UnlockAfter)
	d := (after - before) / 1024
	ur := row{measure: unlockM, ours: fmtMB(after), ref: fmtMB(before) + " (before)", ratio: fmt.Sprintf("%+.1f MB", d), target: "≤ +20 MB"}
	if d > 20 {
		ur.st = fail
	}
	t.add(ur)
	t.note("unlock memory: existing vault (sharedvault init, default KDF); PSS 5 s after `window ready: unlock`, then the passphrase typed with xdotool + Enter; unlocked = the screen changed by > %d pixels (console replaces the unlock card); PSS 5 s later; medians of %d runs; last screenshot %s", unlockedPixels, len(w.UnlockAfter), filepath.Join(benchOut, "window-unlocked.png"))
}

const unlockedPixels = 50000

// windowInner runs inside xvfb-run and writes a windowResult to out.
func windowInner(out string, rounds, unlockRounds int) int {
	var w windowResult
	write := func() int {
		b, _ := json.MarshalIndent(w, "", "  ")
		if err := os.WriteFile(out, b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			return 2
		}
		return 0
	}
	ours := winApp{name: "ours", bin: appBin, ready: "sharedvault: window ready: first-run"}
	bare := winApp{name: "bare", bin: bareBin, ready: "bare window ready"}
	// One start each, not counted: page cache, fontconfig cache.
	for _, a := range []winApp{ours, bare} {
		if _, err := a.run(false, nil); err != nil {
			w.Err = err.Error()
			return write()
		}
	}
	for i := range rounds {
		order := []winApp{ours, bare}
		if i%2 == 1 {
			order = []winApp{bare, ours}
		}
		for _, a := range order {
			m, err := a.run(true, nil)
			if err != nil {
				w.Err = err.Error()
				return write()
			}
			fmt.Fprintf(os.Stderr, "benchtable: window %s: ready in %s, PSS %s (%s)\n", a.name, fmtMS(m.startMS), fmtMB(m.pssKB), m.beforeBy)
			if a.name == "ours" {
				w.OursStartMS, w.OursPSSKB, w.OursProcs = append(w.OursStartMS, m.startMS), append(w.OursPSSKB, m.pssKB), m.procs
			} else {
				w.BareStartMS, w.BarePSSKB, w.BareProcs = append(w.BareStartMS, m.startMS), append(w.BarePSSKB, m.pssKB), m.procs
			}
		}
	}

	// Memory after unlock, on an existing vault.
	tmpl, err := os.MkdirTemp("", "benchtable-vault-")
	if err != nil {
		w.UnlockErr = err.Error()
		return write()
	}
	defer os.RemoveAll(tmpl)
	if _, err := newVault(filepath.Join(tmpl, "vault.db"), filepath.Join(tmpl, "pass")); err != nil {
		w.UnlockErr = err.Error()
		return write()
	}
	locked := winApp{name: "ours (unlock)", bin: appBin, ready: "sharedvault: window ready: unlock", vaultDir: tmpl}
	for range unlockRounds {
		m, err := locked.run(true, unlockInWindow)
		if err != nil {
			w.UnlockErr = err.Error()
			return write()
		}
		fmt.Fprintf(os.Stderr, "benchtable: window unlock: PSS before %s (%s), after %s (%s)\n", fmtMB(m.pssKB), m.beforeBy, fmtMB(m.afterKB), m.afterBy)
		w.UnlockBefore = append(w.UnlockBefore, m.pssKB)
		w.UnlockAfter = append(w.UnlockAfter, m.afterKB)
	}
	return write()
}

type winApp struct {
	name, bin, ready string
	vaultDir         string // copy this vault (vault.db*) in; "" = fresh path
}

type winMeasure struct {
	startMS, pssKB, afterKB float64
	procs                   int
	beforeBy, afterBy       string // PSS per process, for the log
}

// run starts the app with a fresh HOME, times process start → ready line,
// measures PSS idleWait later (when measure), runs then (if any), and stops
// the app and its descendants.
func (a winApp) run(measure bool, then func(pid int, m *winMeasure) error) (winMeasure, error) {
	var m winMeasure
	dir, err := os.MkdirTemp("", "benchtable-window-")
	if err != nil {
		return m, err
	}
	defer os.RemoveAll(dir)
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "HOME", "TMPDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "SHAREDVAULT_PATH", "SHAREDVAULT_PASSPHRASE_FILE":
			continue
		}
		env = append(env, kv)
	}
	sub := map[string]string{"HOME": "home", "TMPDIR": "tmp", "XDG_CACHE_HOME": "home/.cache", "XDG_CONFIG_HOME": "home/.config",
		"XDG_DATA_HOME": "home/.local/share", "XDG_STATE_HOME": "home/.local/state"}
	for k, p := range sub {
		p = filepath.Join(dir, p)
		if err := os.MkdirAll(p, 0o700); err != nil {
			return m, err
		}
		env = append(env, k+"="+p)
	}
	vaultPath := filepath.Join(dir, "vault", "vault.db")
	env = append(env, "SHAREDVAULT_PATH="+vaultPath)
	if a.vaultDir != "" {
		if err := copyVault(a.vaultDir, filepath.Dir(vaultPath)); err != nil {
			return m, err
		}
	}

	bin, err := filepath.Abs(a.bin)
	if err != nil {
		return m, err
	}
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return m, err
	}
	var logMu sync.Mutex
	var log bytes.Buffer
	ready := make(chan time.Time, 1)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return m, err
	}
	pid := cmd.Process.Pid
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		sc := bufio.NewScanner(stderr)
		seen := false
		for sc.Scan() {
			line := sc.Text()
			if !seen && line == a.ready {
				seen = true
				ready <- time.Now()
			}
			logMu.Lock()
			log.WriteString(line + "\n")
			logMu.Unlock()
		}
	}()
	var descendants []int
	defer func() {
		stop(pid, descendants)
		<-readerDone
		_ = cmd.Wait()
	}()
	logTail := func() string {
		logMu.Lock()
		defer logMu.Unlock()
		return tail(log.String(), 10)
	}
	select {
	case at := <-ready:
		m.startMS = msOf(at.Sub(start))
	case <-readerDone:
		return m, fmt.Errorf("%s exited before %q; stderr:\n%s", a.name, a.ready, logTail())
	case <-time.After(readyLimit):
		return m, fmt.Errorf("%s: no %q within %s; stderr:\n%s", a.name, a.ready, readyLimit, logTail())
	}
	if !measure {
		descendants = tree(pid)
		return m, nil
	}
	time.Sleep(idleWait)
	descendants = tree(pid)
	m.pssKB, m.procs, err = pss(descendants)
	if err != nil {
		return m, err
	}
	m.beforeBy = pssByProcess(descendants)
	if then != nil {
		if err := then(pid, &m); err != nil {
			return m, fmt.Errorf("%w; app stderr:\n%s", err, logTail())
		}
		descendants = tree(pid)
	}
	return m, nil
}

func copyVault(from, to string) error {
	if err := os.MkdirAll(to, 0o700); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(from, "vault.db*"))
	if err != nil {
		return err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, filepath.Base(f)), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// unlockInWindow types the passphrase into the unlock screen, presses
// Enter, waits until the console replaced the unlock card, waits idleWait
// and measures PSS again.
func unlockInWindow(pid int, m *winMeasure) error {
	dir, err := os.MkdirTemp("", "benchtable-shots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	run := func(name string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
		if err != nil {
			return string(out), fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
		}
		return string(out), nil
	}
	shot := func(name string) (string, error) {
		p := filepath.Join(dir, name)
		_, err := run("import", "-window", "root", p)
		return p, err
	}
	// No window manager under Xvfb: keyboard focus follows the pointer;
	// the page focused the passphrase field itself.
	if _, err := run("xdotool", "mousemove", strconv.Itoa(screenW/2), strconv.Itoa(screenH/2)); err != nil {
		return err
	}
	if _, err := run("xdotool", "type", "--delay", "10", benchPass); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond)
	before, err := shot("typed.png")
	if err != nil {
		return err
	}
	if _, err := run("xdotool", "key", "Return"); err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		cur, err := shot("now.png")
		if err != nil {
			return err
		}
		// compare prints the count of differing pixels on stderr and exits 1
		// when the images differ.
		out, _ := exec.Command("compare", "-metric", "AE", before, cur, "null:").CombinedOutput()
		n, perr := strconv.ParseFloat(strings.Fields(string(out) + " x")[0], 64)
		if perr == nil && n > unlockedPixels {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the unlock screen did not change within 30 s after Enter (compare: %s)", strings.TrimSpace(string(out)))
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(idleWait)
	kb, _, err := pss(tree(pid))
	if err != nil {
		return err
	}
	m.afterKB = kb
	m.afterBy = pssByProcess(tree(pid))
	if p, err := shot("unlocked.png"); err == nil {
		if b, err := os.ReadFile(p); err == nil {
			_ = os.WriteFile(filepath.Join(benchOut, "window-unlocked.png"), b, 0o644)
		}
	}
	return nil
}

// tree returns pid and all its descendants.
func tree(pid int) []int {
	children := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		pp, _ := strconv.Atoi(f[1])
		children[pp] = append(children[pp], p)
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// pss sums Pss (kB) of /proc/PID/smaps_rollup over pids.
func pss(pids []int) (float64, int, error) {
	var total float64
	n := 0
	for _, p := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", p))
		if err != nil {
			if p == pids[0] {
				return 0, 0, fmt.Errorf("read PSS of the app: %v", err)
			}
			continue // a child that just exited
		}
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "Pss:"); ok {
				f := strings.Fields(rest)
				if len(f) > 0 {
					v, _ := strconv.ParseFloat(f[0], 64)
					total += v
					n++
				}
				break
			}
		}
	}
	return total, n, nil
}

// pssByProcess is "name MB, …" for the log.
func pssByProcess(pids []int) string {
	var parts []string
	for _, p := range pids {
		kb, _, err := pss([]int{p})
		if err != nil {
			continue
		}
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", p))
		parts = append(parts, fmt.Sprintf("%s %s", strings.TrimSpace(string(comm)), fmtMB(kb)))
	}
	return strings.Join(parts, ", ")
}

// stop ends the app: SIGTERM to its process group, then SIGKILL to the
// group and to any descendant recorded earlier that is still there.
func stop(pid int, descendants []int) {
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if !alive(pid) && !anyAlive(descendants) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	for _, p := range descendants {
		if p != pid && alive(p) {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
	}
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && !strings.HasPrefix(strings.TrimSpace(s[i+1:]), "Z")
}

func anyAlive(pids []int) bool {
	for _, p := range pids {
		if alive(p) {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------- output

func (t *table) print(w io.Writer) int {
	head := row{measure: "measure", ours: "ours", ref: "reference", ratio: "ratio", target: "target"}
	cols := func(r row) []string {
		res := map[status]string{pass: "pass", fail: "FAIL", broken: "ERROR", info: "info"}[r.st]
		if r.measure == "measure" {
			res = "result"
		}
		return []string{r.measure, r.ours, r.ref, r.ratio, r.target, res}
	}
	all := append([]row{head}, t.rows...)
	width := make([]int, 6)
	for _, r := range all {
		for i, c := range cols(r) {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		for i, c := range cells {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := width[i] - len([]rune(c))
			if i >= 1 && i <= 3 { // numbers right-aligned
				b.WriteString(strings.Repeat(" ", pad) + c)
			} else if i < len(cells)-1 {
				b.WriteString(c + strings.Repeat(" ", pad))
			} else {
				b.WriteString(c)
			}
		}
		fmt.Fprintln(w, b.String())
	}
	fmt.Fprintln(w)
	line(cols(head))
	sep := make([]string, 6)
	for i := range sep {
		sep[i] = strings.Repeat("-", width[i])
	}
	line(sep)
	code := 0
	for _, r := range t.rows {
		line(cols(r))
		switch r.st {
		case broken:
			code = 2
		case fail:
			if code == 0 {
				code = 1
			}
		}
	}
	fmt.Fprintln(w)
	for _, r := range t.rows {
		if r.st == broken {
			fmt.Fprintf(w, "ERROR %s: %s\n", r.measure, r.why)
		}
	}
	for _, n := range t.notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	switch code {
	case 0:
		fmt.Fprintln(w, "bench: all targets met")
	case 1:
		fmt.Fprintln(w, "bench: a target was missed (FAIL rows)")
	default:
		fmt.Fprintln(w, "bench: a measurement could not run (ERROR rows)")
	}
	return code
}
