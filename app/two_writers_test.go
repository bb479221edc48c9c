package app

// Two writers at once: the window's services in this process and the real
// CLI in a second process write the same vault file at the same time. The
// test binary doubles as that process (cliWriterEnv), so no binary is built.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sharedvault/backend/boards"
	"sharedvault/backend/cli"
	"sharedvault/backend/providers"
	"sharedvault/backend/store"
	"sharedvault/backend/vault"
)

// cliWriterEnv makes the test binary the CLI side of TestTwoWritersAtOnce:
// it runs the writer script through cli.Run and exits before any test runs.
const cliWriterEnv = "SHAREDVAULT_TEST_CLI_WRITER"

func init() {
	if os.Getenv(cliWriterEnv) == "" {
		return
	}
	// Same cheap KDF as this package's TestMain; TestMain never runs here.
	vault.SetKDFForTests(vault.KDFParams{Algorithm: "argon2id", MemoryKiB: 1024, Iterations: 1, Parallelism: 1})
	os.Exit(runCLIWriter())
}

// The iterations each side runs; every iteration is several operations.
const twoWritersRounds = 40

// The unique values each side stores; a value names its side and round, so
// the final state shows whose update landed and whose was lost.
func jiraTokenOf(side string, round int) string {
	return fmt.Sprintf("%s-jira-%03d-tok-canaryvalue", side, round)
}
func sharedTokenOf(side string, round int) string {
	return fmt.Sprintf("%s-shared-%03d-tok-canaryvalue", side, round)
}
func ownBoard(side string, round int) string { return fmt.Sprintf("%s-%03d", side, round) }
func ownProject(side string, round int, final bool) string {
	if final {
		return fmt.Sprintf("%s project %03d renamed", side, round)
	}
	return fmt.Sprintf("%s project %03d", side, round)
}

// writerOp is one operation and what a person would have seen of it.
type writerOp struct {
	What     string        `json:"what"`
	Err      string        `json:"err,omitempty"` // "" when it succeeded
	Output   string        `json:"output"`        // stdout+stderr, or the returned DTO as JSON
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"duration"`
}

// runCLIWriter is the CLI process: each command goes through cli.Run, which
// opens, unlocks and closes the vault every time, as separate invocations of
// the binary do. One JSON line per operation goes to stdout.
func runCLIWriter() int {
	vaultPath, passFile := os.Getenv("SV_WRITER_VAULT"), os.Getenv("SV_WRITER_PASSFILE")
	rounds, err := strconv.Atoi(os.Getenv("SV_WRITER_ROUNDS"))
	if vaultPath == "" || passFile == "" || err != nil {
		fmt.Fprintln(os.Stderr, "cli writer: SV_WRITER_VAULT, SV_WRITER_PASSFILE and SV_WRITER_ROUNDS are required")
		return 2
	}
	out := json.NewEncoder(os.Stdout)
	run := func(stdin string, args ...string) {
		var o, e bytes.Buffer
		full := append([]string{"--vault", vaultPath, "--passphrase-file", passFile}, args...)
		start := time.Now()
		code := cli.Run(context.Background(), full, strings.NewReader(stdin), &o, &e)
		op := writerOp{What: strings.Join(args[:min(3, len(args))], " "), Output: o.String() + e.String(), Start: start, Duration: time.Since(start)}
		if code != cli.ExitOK {
			op.Err = fmt.Sprintf("exit %d", code)
		}
		_ = out.Encode(op)
	}
	for r := range rounds {
		run(jiraTokenOf("cli", r)+"\n", "jira", "set", "--email", "cli@contoso.com", "--domain", "https://contoso.atlassian.net/", "--token-file", "-")
		run("", "boards", "add", ownBoard("cli", r), "--system", "devops", "--project", ownProject("cli", r, false), "--use-global=true")
		run(sharedTokenOf("cli", r)+"\n", "boards", "creds", "shared", "--username", "cli@contoso.com", "--organisation", "contoso", "--token-file", "-")
		run("", "boards", "set", ownBoard("cli", r), "--project", ownProject("cli", r, true), "--use-global=false")
		run("", "history", "jira.token", "--json")
	}
	return 0
}

// TestTwoWritersAtOnce runs the window's services (two goroutines, as Wails
// serves bound calls concurrently) and the CLI (a second process) against one
// vault file at the same time. Each side adds and changes boards of its own,
// and both keep replacing the same two secrets (the Jira token and a shared
// board's own PAT) with values unique to the side and round. Afterwards:
// no operation failed, nothing either side saw carries SQLite's own words,
// every save of a shared secret became exactly one version (contiguous, each
// one chained onto the one before it: no save overwrote another it had not
// seen), every board has its last values, and the file and the audit chain
// check out.
func TestTwoWritersAtOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vault", "vault.db")
	passFile := filepath.Join(dir, "passphrase")
	const passphrase = "two writers passphrase"
	if err := os.WriteFile(passFile, []byte(passphrase+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	svc := NewServices(path, vault.Options{}, &recordingEmitter{}, &syncBuffer{})
	defer svc.Vault.close()
	if err := svc.Vault.Create(passphrase); err != nil {
		t.Fatal(err)
	}
	jiraForm := func(token string) ProvidersForm {
		return ProvidersForm{GlobalSharedSecret: true, Confirmed: true,
			Jira: &JiraForm{Email: "win@contoso.com", Domain: "https://contoso.atlassian.net/", Deployment: "auto", Token: token}}
	}
	patForm := func(token string) CredentialsForm {
		return CredentialsForm{Method: "pat", PAT: &PATForm{Username: "win@contoso.com", Organisation: "contoso", Token: token}}
	}
	if _, err := svc.Providers.Save(jiraForm(jiraTokenOf("setup", 0))); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Boards.Add(BoardForm{Name: "shared", System: "devops", Project: "Shared", UseGlobal: false}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Boards.SetCredentials("shared", patForm(sharedTokenOf("setup", 0))); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), cliWriterEnv+"=1", "SV_WRITER_VAULT="+path, "SV_WRITER_PASSFILE="+passFile,
		"SV_WRITER_ROUNDS="+strconv.Itoa(twoWritersRounds))
	var cliStderr bytes.Buffer
	cmd.Stderr = &cliStderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The window's goroutines start round r once the CLI has started its
	// round r, so the two sides keep pace (the CLI, which opens the vault
	// for every command, is slower) and their saves interleave all along.
	var cliOps []writerOp
	cliDone := make(chan error, 1)
	roundStarted := []chan struct{}{make(chan struct{}, twoWritersRounds), make(chan struct{}, twoWritersRounds)}
	go func() {
		defer func() {
			for _, c := range roundStarted {
				close(c)
			}
		}()
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var op writerOp
			if err := json.Unmarshal(sc.Bytes(), &op); err != nil {
				cliDone <- fmt.Errorf("cli writer printed %q: %v", sc.Text(), err)
				io.Copy(io.Discard, stdout)
				return
			}
			cliOps = append(cliOps, op)
			if strings.HasPrefix(op.What, "jira set") {
				for _, c := range roundStarted {
					c <- struct{}{}
				}
			}
		}
		cliDone <- sc.Err()
	}()

	var mu sync.Mutex
	var winOps []writerOp
	call := func(what string, fn func() (any, error)) {
		start := time.Now()
		res, err := fn()
		op := writerOp{What: what, Start: start, Duration: time.Since(start)}
		if b, jerr := json.Marshal(res); jerr == nil {
			op.Output = string(b)
		}
		if err != nil {
			// What the frontend would get: the formatted error.
			b, _ := json.Marshal(FormatError(err))
			op.Err, op.Output = err.Error(), op.Output+string(b)
		}
		mu.Lock()
		winOps = append(winOps, op)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	wg.Go(func() { // the Authentication Providers page and the shared board
		for r := range twoWritersRounds {
			<-roundStarted[0]
			call("providers save", func() (any, error) { return svc.Providers.Save(jiraForm(jiraTokenOf("win", r))) })
			call("boards creds shared", func() (any, error) {
				return svc.Boards.SetCredentials("shared", patForm(sharedTokenOf("win", r)))
			})
			call("providers view", func() (any, error) { return svc.Providers.View() })
		}
	})
	wg.Go(func() { // the Boards page
		for r := range twoWritersRounds {
			<-roundStarted[1]
			call("boards add", func() (any, error) {
				return svc.Boards.Add(BoardForm{Name: ownBoard("win", r), System: "devops", Project: ownProject("win", r, false), UseGlobal: true})
			})
			project, useGlobal := ownProject("win", r, true), false
			call("boards update", func() (any, error) {
				return svc.Boards.Update(ownBoard("win", r), BoardChanges{UseGlobal: &useGlobal, Project: &project})
			})
			call("boards list", func() (any, error) { return svc.Boards.List("") })
		}
	})
	wg.Wait()
	if err := <-cliDone; err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("cli writer: %v\n%s", err, cliStderr.String())
	}
	elapsed := time.Since(began)

	// Nothing failed, nothing shown to a person speaks SQLite, and no stored
	// value came back out. Only the first few problems are printed: one lock
	// failure cascades.
	raw := []string{"database is locked", "database table is locked", "sqlite", "-tok-canaryvalue"}
	var problems []string
	for side, ops := range map[string][]writerOp{"window": winOps, "cli": cliOps} {
		if want := map[string]int{"window": 6, "cli": 5}[side] * twoWritersRounds; len(ops) != want {
			t.Errorf("%s ran %d operations, want %d", side, len(ops), want)
		}
		for _, op := range ops {
			shown := strings.ToLower(op.Err + op.Output)
			if op.Err != "" || slices.ContainsFunc(raw, func(r string) bool { return strings.Contains(shown, r) }) {
				problems = append(problems, fmt.Sprintf("%s: %s: %s %s", side, op.What, op.Err, op.Output))
			}
		}
	}
	if len(problems) > 0 {
		t.Errorf("%d operations failed or showed SQLite's words or a value, first ones:\n%s", len(problems), strings.Join(problems[:min(5, len(problems))], "\n"))
	}
	// The two sides really wrote at the same time: each started before the
	// other finished.
	winFirst, winLast := bounds(winOps)
	cliFirst, cliLast := bounds(cliOps)
	if !winFirst.Before(cliLast) || !cliFirst.Before(winLast) {
		t.Errorf("the writers did not overlap: window %v..%v, cli %v..%v", winFirst, winLast, cliFirst, cliLast)
	}
	t.Logf("window: %d ops in %v (slowest %v), cli: %d ops in %v (slowest %v), %v in all",
		len(winOps), winLast.Sub(winFirst).Round(time.Millisecond), slowest(winOps),
		len(cliOps), cliLast.Sub(cliFirst).Round(time.Millisecond), slowest(cliOps), elapsed.Round(time.Millisecond))

	v := svc.Vault.current()
	ctx := context.Background()
	// expectChain checks the versions of one shared secret and returns how
	// often consecutive versions came from different sides.
	expectChain := func(name, action, subject string, values []string) (switches int) {
		t.Helper()
		fpOf := map[string]string{} // fingerprint → value
		for _, val := range values {
			fp, err := v.Fingerprint(ctx, v.DB(), []byte(val))
			if err != nil {
				t.Fatal(err)
			}
			fpOf[fp] = val
		}
		entries, err := v.AuditLog().List(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		prevFP, lastVersion := "", 0
		lastRound := map[string]int{"win": -1, "cli": -1}
		lastSide := ""
		for _, e := range entries {
			if e.Action != action || e.Subject != subject {
				continue
			}
			d := e.Detail
			val, ok := fpOf[d["fingerprint"]]
			switch {
			case !ok:
				t.Errorf("%s version %s has a fingerprint no side saved", subject, d["version"])
			case seen[val]:
				t.Errorf("%s: %s was stored twice", subject, val)
			}
			seen[val] = true
			if d["version"] != strconv.Itoa(lastVersion+1) {
				t.Errorf("%s: version %s follows version %d", subject, d["version"], lastVersion)
			}
			lastVersion, _ = strconv.Atoi(d["version"])
			// Each save replaced the value that was current when it
			// committed: the one the previous entry stored.
			if d["previous_fingerprint"] != prevFP {
				t.Errorf("%s version %s replaced %q, but the version before it stored %q", subject, d["version"], d["previous_fingerprint"], prevFP)
			}
			prevFP = d["fingerprint"]
			// Each side's saves landed in the order it made them.
			if side, rest, ok := strings.Cut(val, "-"); ok && side != "setup" {
				round, _ := strconv.Atoi(strings.SplitN(rest, "-", 3)[1])
				if round != lastRound[side]+1 {
					t.Errorf("%s: %s round %d landed after its round %d", subject, side, round, lastRound[side])
				}
				lastRound[side] = round
				if lastSide != "" && side != lastSide {
					switches++
				}
				lastSide = side
			}
		}
		if len(seen) != len(values) {
			t.Errorf("%s: %d of %d saved values became a version; the rest were lost", subject, len(seen), len(values))
		}
		// The kept history is the newest versions, and the current value
		// is the one the last version recorded.
		hist, err := providers.NewSecrets(v).History(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		var versions []int
		for _, h := range hist {
			versions = append(versions, h.Version)
		}
		want := []int{}
		for n := lastVersion; n > max(0, lastVersion-providers.HistoryDepth); n-- {
			want = append(want, n)
		}
		if !slices.Equal(versions, want) {
			t.Errorf("%s history versions %v, want %v", subject, versions, want)
		}
		cur, ok, err := providers.NewSecrets(v).Current(ctx, v.DB(), name)
		if err != nil || !ok {
			t.Fatalf("%s current: %v %v", subject, ok, err)
		}
		buf, err := providers.NewSecrets(v).Open(cur)
		if err != nil {
			t.Fatal(err)
		}
		defer buf.Destroy()
		if got := string(buf.Bytes()); got != fpOf[prevFP] {
			t.Errorf("%s current value is %s, want %s (the last version's)", subject, got, fpOf[prevFP])
		}
		// Without interleaved saves the check above would prove nothing.
		if switches < 2 {
			t.Errorf("%s: the sides' saves did not interleave (%d switches)", subject, switches)
		}
		return switches
	}
	values := func(of func(string, int) string) []string {
		out := []string{of("setup", 0)}
		for r := range twoWritersRounds {
			out = append(out, of("win", r), of("cli", r))
		}
		return out
	}
	jiraSwitches := expectChain(providers.SecretJiraToken, "secret.save", providers.SecretJiraToken, values(jiraTokenOf))
	sharedSecret, err := boards.NewService(providers.NewService(v)).SecretName(ctx, "shared")
	if err != nil {
		t.Fatal(err)
	}
	sharedSwitches := expectChain(sharedSecret, "board.creds", "board:shared", values(sharedTokenOf))
	t.Logf("consecutive versions from different sides: jira.token %d, board:shared %d", jiraSwitches, sharedSwitches)

	// Every board either side made is there with its last values.
	list, err := svc.Boards.List("")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, b := range list.Boards {
		got[b.Name] = fmt.Sprintf("%s use_global=%v", b.Project, b.UseGlobal)
	}
	want := map[string]string{"shared": "Shared use_global=false"}
	for r := range twoWritersRounds {
		for _, side := range []string{"win", "cli"} {
			want[ownBoard(side, r)] = fmt.Sprintf("%s use_global=false", ownProject(side, r, true))
		}
	}
	if !maps.Equal(got, want) {
		for name, w := range want {
			if got[name] != w {
				t.Errorf("board %s: %q, want %q", name, got[name], w)
			}
		}
		t.Errorf("boards: %d, want %d", len(got), len(want))
	}

	// The file and the audit chain check out, the chain also through the CLI.
	var check string
	if err := v.DB().QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("quick_check: %q %v", check, err)
	}
	if n, err := v.VerifyAudit(ctx); err != nil {
		t.Errorf("audit chain: %v (after %d entries)", err, n)
	}
	var o, e bytes.Buffer
	if code := cli.Run(ctx, []string{"--vault", path, "--passphrase-file", passFile, "audit", "--verify"}, strings.NewReader(""), &o, &e); code != cli.ExitOK {
		t.Errorf("audit --verify: exit %d\n%s%s", code, o.String(), e.String())
	}
}

func bounds(ops []writerOp) (first, last time.Time) {
	first, last = ops[0].Start, ops[0].Start
	for _, op := range ops {
		if op.Start.Before(first) {
			first = op.Start
		}
		if end := op.Start.Add(op.Duration); end.After(last) {
			last = end
		}
	}
	return first, last
}

func slowest(ops []writerOp) time.Duration {
	var d time.Duration
	for _, op := range ops {
		d = max(d, op.Duration)
	}
	return d.Round(time.Millisecond)
}

// TestBusyVaultReachesWindowAsBusy holds the vault's write lock from another
// connection past a short busy timeout: the window's save gets the "busy"
// code and the product's words (not SQLite's), and works once the lock is
// released.
func TestBusyVaultReachesWindowAsBusy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vault", "vault.db")
	defer store.SetBusyTimeoutForTests(100 * time.Millisecond)()
	svc := NewServices(path, vault.Options{}, &recordingEmitter{}, &syncBuffer{})
	defer svc.Vault.close()
	if err := svc.Vault.Create("busy window passphrase"); err != nil {
		t.Fatal(err)
	}
	other, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil) // IMMEDIATE: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	add := func() error {
		_, err := svc.Boards.Add(BoardForm{Name: "Web", System: "devops", Project: "P", UseGlobal: true})
		return err
	}
	want := ErrorDTO{Code: CodeBusy, Message: "the vault is busy: another sharedvault process is writing to it; try again"}
	err = add()
	if got := FormatError(err); !reflect.DeepEqual(got, want) {
		t.Errorf("Add while locked: %v → %+v, want %+v", err, got, want)
	}
	if _, err := svc.Boards.List(""); err != nil { // reading does not wait for a writer
		t.Errorf("List while locked: %v", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := add(); err != nil {
		t.Errorf("Add after the lock was released: %v", err)
	}
}
