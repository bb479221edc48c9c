//go:build linux

package crashtest

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"sharedvault/backend/internal/emulator"
)

// killsPerKind × len(writeKinds) is the number of real SIGKILLs per run
// (the issue asks for at least 200 in `make test`).
const killsPerKind = 22

// writeKind is one kind of write the CLI makes.
type writeKind struct {
	name string
	args []string // after the global options
	// passAfter is the passphrase file that unlocks the vault after the
	// write ("" = the same as before).
	passAfter string
}

// fixture is a vault with every kind of record, the files the write
// commands read, and a bundle from another vault to import.
type fixture struct {
	dir      string
	base     string // the vault every kill starts from
	pass     string // passphrase files
	newPass  string
	kinds    []writeKind
	emulator *emulator.Server
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	emu := emulator.New(t, emulator.Fixture())
	dir := t.TempDir()
	f := &fixture{dir: dir, base: filepath.Join(dir, "base", "vault.db"), emulator: emu}
	f.pass = writeFile(t, dir, "pass", "crash test passphrase A\n")
	f.newPass = writeFile(t, dir, "newpass", "crash test passphrase B\n")
	file := func(name, content string) string { return writeFile(t, dir, name, content) }
	org := emu.URL + "/" + emulator.OrgName
	run := func(args ...string) string { return mustCLI(t, append(vaultArgs(f.base, f.pass), args...)...) }
	run("init")
	run("global", "on")
	run("devops", "sp", "--client-id", emulator.AppClientID, "--tenant-id", emulator.Tenant, "--organisation", "contoso", "--secret-file", file("sp1", "spCANARY~first.secret-value_0123"))
	run("devops", "pat", "--username", emulator.UserEmail, "--organisation", org, "--token-file", file("pat1", "patcanaryfirstversionx3ufnmdgb2w5lq5y7gvuvt6kffwv"), "--yes")
	run("devops", "pat", "--username", emulator.UserEmail, "--organisation", org, "--token-file", file("pat2", emulator.GoodPAT), "--yes")
	run("jira", "set", "--email", "mia@example.com", "--domain", "https://acme.atlassian.net/", "--token-file", file("jira1", "jiraCANARYfirstFfGF0ApiTokenValue0123456789"))
	run("boards", "add", "Web", "--system", "devops", "--project", "Web", "--use-global=true")
	run("boards", "add", "Ops", "--system", "devops", "--project", "Ops", "--use-global=false")
	run("boards", "creds", "Ops", "--username", "ops@contoso.com", "--organisation", "contoso", "--token-file", file("own", "boardcanaryownpatvaluex3ufnmdgb2w5lq5y7gvuvt6kff"))
	run("boards", "add", "Tickets", "--system", "jira", "--project", "TIX")

	// The bundle to import comes from another vault.
	exp := filepath.Join(dir, "exporter", "vault.db")
	erun := func(args ...string) string { return mustCLI(t, append(vaultArgs(exp, f.pass), args...)...) }
	erun("init")
	erun("devops", "pat", "--username", "sync@contoso.com", "--organisation", "contoso", "--token-file", file("epat", "patcanaryexportedx3ufnmdgb2w5lq5y7gvuvt6kffwvq3w"))
	erun("jira", "set", "--email", "sync@example.com", "--domain", "https://acme.atlassian.net/", "--token-file", file("ejira", "jiraCANARYexportedFfGF0ApiToken0123456789"))
	erun("boards", "add", "Imported", "--system", "devops", "--project", "Imported")
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	bundleFile := filepath.Join(dir, "in.age")
	erun("export", "--out", bundleFile, "--recipient", id.Recipient().String())
	signer := strings.TrimSpace(erun("signing-key"))
	identity := file("id.txt", id.String()+"\n")

	f.kinds = []writeKind{
		{name: "devops pat", args: []string{"devops", "pat", "--username", emulator.UserEmail, "--organisation", org, "--token-file", file("pat3", "patcanarythirdversionx3ufnmdgb2w5lq5y7gvuvt6kffwv"), "--yes"}},
		{name: "devops sp", args: []string{"devops", "sp", "--client-id", emulator.AppClientID, "--tenant-id", emulator.Tenant, "--organisation", "contoso", "--secret-file", file("sp2", "spCANARY~second.secret-value_4567"), "--yes"}},
		{name: "jira set", args: []string{"jira", "set", "--email", "mia@example.com", "--domain", "https://acme.atlassian.net/", "--token-file", file("jira2", "jiraCANARYsecondFfGF0ApiTokenValue012345678"), "--yes"}},
		{name: "boards add", args: []string{"boards", "add", "Mobile", "--system", "devops", "--project", "Mobile", "--area-path", `Mobile\iOS`}},
		{name: "boards set", args: []string{"boards", "set", "Web", "--use-global=false"}},
		{name: "boards rm", args: []string{"boards", "rm", "Ops"}},
		{name: "rollback", args: []string{"rollback", "devops.pat", "1", "--yes"}},
		{name: "import", args: []string{"import", bundleFile, "--identity", identity, "--signer", signer}},
		{name: "passwd", args: []string{"passwd", "--new-passphrase-file", f.newPass}, passAfter: f.newPass},
		// A connectivity test writes nothing but its audit entry.
		{name: "test devops (audit append)", args: []string{"test", "devops", "--json"}},
	}
	return f
}

// killStats counts where the kills of one kind landed.
type killStats struct {
	kills            int // real SIGKILL deaths
	beforeStart      int // before cli.Run began (process start-up)
	inCommandBefore  int // during the command; the vault holds the state before
	inCommandAfter   int // during the command; the vault holds the state after
	afterReturn      int // after cli.Run returned, before the process exited
	walFrames        int // the vault's WAL held frames at the kill: the write had reached the disk
	tornCommit       int // WAL frames on disk but the state before: killed inside the commit
	finishedFirst    int // the process exited before the signal: not a kill
	stateBefore      int
	stateAfter       int
	measuredDuration time.Duration
}

// TestCLIWritesSurviveSIGKILL kills the real CLI at uniformly random
// instants of each kind of write. After each kill the vault opens, passes
// quick_check and `audit --verify`, every sealed value decrypts, and its
// state is exactly the state before the write or the state after it.
func TestCLIWritesSurviveSIGKILL(t *testing.T) {
	start := time.Now()
	f := newFixture(t)
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	t.Logf("random seed %d", seed)

	scratch := t.TempDir()
	before, err := snapshotCopy(t, ctx, f.base, filepath.Join(scratch, "before.db"), f.pass)
	if err != nil {
		t.Fatalf("base vault: %v", err)
	}

	total := map[string]*killStats{}
	for _, k := range f.kinds {
		st := &killStats{}
		total[k.name] = st
		passAfter := f.pass
		if k.passAfter != "" {
			passAfter = k.passAfter
		}
		work := filepath.Join(scratch, "work.db")

		// The state after: the same write run to completion on a copy,
		// three times, which also times it uncontended.
		var after string
		var durations []time.Duration
		for i := range 3 {
			copyVault(t, f.base, work)
			cmd := child(t, append(vaultArgs(work, f.pass), k.args...))
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			t0 := time.Now()
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s: the write itself fails: %v: %s", k.name, err, out.String())
			}
			durations = append(durations, time.Since(t0))
			got, err := snapshot(ctx, work, passAfter)
			if err != nil {
				t.Fatalf("%s: after a completed write: %v", k.name, err)
			}
			if i > 0 && got != after {
				t.Fatalf("%s: two completed runs leave different states:\n%s\n---\n%s", k.name, after, got)
			}
			after = got
		}
		if after == before {
			t.Fatalf("%s: the write changes nothing observable", k.name)
		}
		slices.Sort(durations)
		st.measuredDuration = durations[1]

		for attempt := 0; st.kills < killsPerKind; attempt++ {
			if attempt >= 3*killsPerKind {
				t.Fatalf("%s: only %d of %d attempts were real kills (%d finished first)", k.name, st.kills, attempt, st.finishedFirst)
			}
			copyVault(t, f.base, work)
			delay := time.Duration(rng.Int64N(int64(st.measuredDuration) + 1))
			res := killAfter(t, child(t, append(vaultArgs(work, f.pass), k.args...)), delay)
			if !res.killed {
				// Not a kill: it must simply have worked. The timing
				// runs may have been slowed by a busy machine: narrow
				// the window so the next delays land inside the run.
				st.finishedFirst++
				st.measuredDuration -= st.measuredDuration / 4
				if res.exitErr != nil {
					t.Fatalf("%s: ended with %v before the kill", k.name, res.exitErr)
				}
				if got, err := snapshot(ctx, work, passAfter); err != nil || got != after {
					t.Fatalf("%s: completed run: state differs from after (%v)", k.name, err)
				}
				continue
			}
			st.kills++
			if res.walBytes > 0 {
				st.walFrames++
			}
			// Which passphrase opens it? Probe on a copy: a wrong attempt
			// records itself in the vault.
			pass := f.pass
			if passAfter != f.pass {
				if _, err := snapshotCopy(t, ctx, work, filepath.Join(scratch, "probe.db"), f.pass); err != nil {
					pass = passAfter
				}
			}
			got, err := snapshot(ctx, work, pass)
			if err != nil {
				t.Fatalf("%s: kill %d after %v (marks %q): %v", k.name, st.kills, delay, res.marks, err)
			}
			if err := verifyAudit(work, pass); err != nil {
				t.Fatalf("%s: kill %d after %v: %v", k.name, st.kills, delay, err)
			}
			switch got {
			case before:
				st.stateBefore++
			case after:
				st.stateAfter++
			default:
				t.Fatalf("%s: kill %d after %v (marks %q) left a state that is neither before nor after:\n%s\n--- before:\n%s\n--- after:\n%s", k.name, st.kills, delay, res.marks, got, before, after)
			}
			switch {
			case !strings.Contains(res.marks, "start"):
				st.beforeStart++
			case strings.Contains(res.marks, "done"):
				st.afterReturn++
			case got == before:
				st.inCommandBefore++
				if res.walBytes > 0 {
					st.tornCommit++
				}
			default:
				st.inCommandAfter++
			}
		}
	}

	var kills, inCommand, torn, walFrames int
	for _, k := range f.kinds {
		st := total[k.name]
		kills += st.kills
		inCommand += st.inCommandBefore + st.inCommandAfter
		walFrames += st.walFrames
		torn += st.tornCommit
		t.Logf("%-27s run %3dms  kills %d: before start %d, in the command %d (state before %d, after %d), after return %d; WAL frames on disk %d (inside the commit %d); finished before the signal %d",
			k.name, st.measuredDuration.Milliseconds(), st.kills, st.beforeStart, st.inCommandBefore+st.inCommandAfter, st.inCommandBefore, st.inCommandAfter, st.afterReturn, st.walFrames, st.tornCommit, st.finishedFirst)
	}
	t.Logf("%d kills in %v: %d during the command, %d with WAL frames on disk, %d of them inside the commit (rolled back on open)", kills, time.Since(start).Round(time.Millisecond), inCommand, walFrames, torn)
	if kills < 200 {
		t.Errorf("only %d kills, want at least 200", kills)
	}
	// Uniform delays over the whole run must reach the command itself, and
	// the write itself (frames on disk), or the test proves little.
	if inCommand < kills/4 {
		t.Errorf("only %d of %d kills landed during the command", inCommand, kills)
	}
	if walFrames == 0 {
		t.Error("no kill landed after the write reached the disk")
	}
}

type killResult struct {
	killed   bool
	exitErr  error
	marks    string
	walBytes int64
}

// killAfter starts cmd, SIGKILLs it after delay and reports how it died.
func killAfter(t *testing.T, cmd *exec.Cmd, delay time.Duration) killResult {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd.ExtraFiles = []*os.File{w}
	cmd.Env = append(cmd.Env, marksEnv+"=3")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	time.Sleep(delay)
	// Signal fails only when the process has already been reaped, which
	// cannot happen before Wait; a process that exited is a zombie and
	// ignores the signal, which Wait's status then shows.
	_ = cmd.Process.Signal(syscall.SIGKILL)
	werr := cmd.Wait()
	marks, _ := io.ReadAll(r)
	res := killResult{marks: string(marks)}
	var ee *exec.ExitError
	if errors.As(werr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			res.killed = true
		}
	}
	if !res.killed {
		res.exitErr = werr
	}
	// cmd.Args[2] is the vault path (--vault PATH).
	if st, err := os.Stat(cmd.Args[2] + "-wal"); err == nil {
		res.walBytes = st.Size()
	}
	return res
}

// snapshotCopy takes the snapshot of a copy of the vault, leaving the vault
// itself untouched.
func snapshotCopy(t *testing.T, ctx context.Context, src, dst, passFile string) (string, error) {
	t.Helper()
	copyVault(t, src, dst)
	return snapshot(ctx, dst, passFile)
}
