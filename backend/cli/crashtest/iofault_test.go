//go:build linux

package crashtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
)

// limitedRun runs one CLI command in a child whose files may not grow past
// limit bytes (RLIMIT_FSIZE; the write fails with EFBIG like a full disk
// fails with ENOSPC). limit < 0 means no limit.
func limitedRun(t *testing.T, limit int64, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var env []string
	if limit >= 0 {
		env = append(env, fileSizeLimitEnv+"="+strconv.FormatInt(limit, 10))
	}
	cmd := child(t, args, env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// checkDiskErrorMessage: a person is told what happened and what to do, in
// the CLI's format, without SQLite's jargon.
func checkDiskErrorMessage(t *testing.T, what string, code int, stderr string, want ...string) {
	t.Helper()
	if code != 1 {
		t.Errorf("%s: exit %d, want 1; stderr %q", what, code, stderr)
	}
	for _, w := range append([]string{"sharedvault: error: ", "sharedvault: hint: free some disk space"}, want...) {
		if !strings.Contains(stderr, w) {
			t.Errorf("%s: stderr %q lacks %q", what, stderr, w)
		}
	}
	for _, jargon := range []string{"disk I/O error", "SQLITE", "(778)", "(13)", "damaged", "restore the vault from a backup"} {
		if strings.Contains(stderr, jargon) {
			t.Errorf("%s: stderr %q says %q", what, stderr, jargon)
		}
	}
}

// withOpenWAL returns a copy of the vault at src as it is while the window
// has it open: its WAL holds the frames of earlier writes (not checkpointed
// into the main file), so the next write appends to the WAL past them.
func withOpenWAL(t *testing.T, src, passFile, dst string) (walSize int64) {
	t.Helper()
	work := filepath.Join(t.TempDir(), "vault.db")
	copyVault(t, src, work)
	holder, err := sql.Open("sqlite", "file:"+work)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	conn, err := holder.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRowContext(context.Background(), "SELECT count(*) FROM boards").Scan(&n); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 8; i++ {
		mustCLI(t, append(vaultArgs(work, passFile), "boards", "set", "Web", "--project", fmt.Sprintf("Web%d", i%2))...)
	}
	mustCLI(t, append(vaultArgs(work, passFile), "boards", "set", "Web", "--project", "Web")...)
	copyVault(t, work, dst)
	st, err := os.Stat(dst + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// TestSaveWhenTheVaultCannotGrow saves a PAT while the vault's files may not
// grow past a limit, swept from 0 to past what the save needs, on a closed
// vault and on one the window holds open. Every run either fails with a
// clear message and leaves the state before, or succeeds and leaves the
// state after; the vault always opens, passes quick_check and
// `audit --verify`.
func TestSaveWhenTheVaultCannotGrow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	save := f.kinds[0]
	if save.name != "devops pat" {
		t.Fatalf("kind 0 is %q", save.name)
	}
	dir := t.TempDir()
	openBase := filepath.Join(dir, "open", "vault.db")
	if err := os.MkdirAll(filepath.Dir(openBase), 0o700); err != nil {
		t.Fatal(err)
	}
	walSize := withOpenWAL(t, f.base, f.pass, openBase)
	work := filepath.Join(dir, "vault.db")

	var faults, failedAtOpen, failedAtWrite, succeeded int
	for _, base := range []struct {
		name, path string
		top        int64
	}{{"closed vault", f.base, 48 << 10}, {"vault held open", openBase, walSize + 16<<10}} {
		before, err := snapshotCopy(t, ctx, base.path, work, f.pass)
		if err != nil {
			t.Fatal(err)
		}
		copyVault(t, base.path, work)
		if code, _, stderr := limitedRun(t, -1, append(vaultArgs(work, f.pass), save.args...)...); code != 0 {
			t.Fatalf("%s: save without a limit: exit %d: %s", base.name, code, stderr)
		}
		after, err := snapshot(ctx, work, f.pass)
		if err != nil {
			t.Fatal(err)
		}
		var limits []int64
		for l := int64(0); l <= base.top; l += 8 << 10 {
			limits = append(limits, l, l+1000)
		}
		for _, limit := range limits {
			copyVault(t, base.path, work)
			code, _, stderr := limitedRun(t, limit, append(vaultArgs(work, f.pass), save.args...)...)
			what := fmt.Sprintf("%s, limit %d", base.name, limit)
			if checkSaveOutcome(t, ctx, f, work, what, code, stderr, "write failed: the disk is full, a file size limit was reached or the disk failed", before, after) {
				succeeded++
				continue
			}
			faults++
			if strings.Contains(stderr, "open vault: ") {
				failedAtOpen++
			} else {
				failedAtWrite++
			}
		}
	}
	t.Logf("%d limited runs failed (%d opening the vault, %d writing the save), %d succeeded; WAL of the open vault %d bytes", faults, failedAtOpen, failedAtWrite, succeeded, walSize)
	if failedAtOpen == 0 || failedAtWrite == 0 || succeeded == 0 {
		t.Errorf("the sweep missed a case: %d failed at open, %d at the write, %d succeeded", failedAtOpen, failedAtWrite, succeeded)
	}
}

// checkSaveOutcome checks the vault at work after a save that ran into a
// write fault: it opens and its audit chain verifies; a save that succeeded
// left the state after, one that failed said wantMsg (exit 1, no SQLite
// jargon) and left the state before. It reports whether the save succeeded.
func checkSaveOutcome(t *testing.T, ctx context.Context, f *fixture, work, what string, code int, stderr, wantMsg, before, after string) bool {
	t.Helper()
	got, err := snapshot(ctx, work, f.pass)
	if err != nil {
		t.Fatalf("%s: afterwards: %v", what, err)
	}
	if err := verifyAudit(work, f.pass); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if code == 0 {
		if got != after {
			t.Errorf("%s: the save succeeded but the vault does not hold its result", what)
		}
		return true
	}
	checkDiskErrorMessage(t, what, code, stderr, wantMsg)
	if got != before {
		t.Errorf("%s: the save failed but the vault changed:\n%s\n--- before:\n%s", what, got, before)
	}
	return false
}

// mountTmpfs mounts a small tmpfs for a real "no space left on device", or
// skips when this process may not mount (not root, or no CAP_SYS_ADMIN).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "size="+size+",mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs for the full-disk case (%v): needs root or CAP_SYS_ADMIN; the RLIMIT_FSIZE cases cover the same paths", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// fillTo fills the file system at dir, then frees free bytes again.
func fillTo(t *testing.T, filler string, free int64) {
	t.Helper()
	f, err := os.OpenFile(filler, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	var n int64
	for {
		w, err := f.Write(block)
		n += int64(w)
		if errors.Is(err, syscall.ENOSPC) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Truncate(max(0, n-free)); err != nil {
		t.Fatal(err)
	}
}

// TestSaveOnFullDisk is the same sweep on a really full file system
// (ENOSPC, SQLite's "database or disk is full"): a tmpfs with the vault and
// a filler file, freed by 0..64 KiB.
func TestSaveOnFullDisk(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mnt := mountTmpfs(t, "1m")
	save := f.kinds[0]
	work := filepath.Join(mnt, "vault.db")
	copyVault(t, f.base, work)
	before, err := snapshot(ctx, work, f.pass)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(append(vaultArgs(work, f.pass), save.args...)...); code != 0 {
		t.Fatalf("save on the tmpfs: %s", stderr)
	}
	after, err := snapshot(ctx, work, f.pass)
	if err != nil {
		t.Fatal(err)
	}
	var failed, succeeded int
	for free := int64(0); free <= 64<<10; free += 4 << 10 {
		copyVault(t, f.base, work)
		fillTo(t, filepath.Join(mnt, "filler"), free)
		code, _, stderr := runCLI(append(vaultArgs(work, f.pass), save.args...)...)
		what := fmt.Sprintf("%d bytes free", free)
		// Check with room again: a full disk must not hide damage.
		os.Remove(filepath.Join(mnt, "filler"))
		if checkSaveOutcome(t, ctx, f, work, what, code, stderr, "the disk is full", before, after) {
			succeeded++
		} else {
			failed++
		}
	}
	t.Logf("full tmpfs: %d saves failed cleanly, %d succeeded", failed, succeeded)
	if failed == 0 || succeeded == 0 {
		t.Errorf("the sweep missed a case: %d failed, %d succeeded", failed, succeeded)
	}
}

// exportFixture is the base vault with 600 more boards, so a bundle is
// larger than the room left for it.
func exportFixture(t *testing.T) (*fixture, string) {
	t.Helper()
	f := newFixture(t)
	db, err := sql.Open("sqlite", "file:"+f.base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC().Format(time.RFC3339)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 600 {
		if _, err := tx.Exec(`INSERT INTO boards (name, system, project, area_path, use_global, created_at, updated_at) VALUES (?, 'devops', ?, ?, 1, ?, ?)`,
			fmt.Sprintf("Board %03d", i), fmt.Sprintf("Project %03d", i), fmt.Sprintf(`Project %03d\Team %03d`, i, i), now, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// The first export creates the signing key in a transaction of its own,
	// kept even when the export then fails; create it up front so the
	// export's own write is what is under test.
	mustCLI(t, append(vaultArgs(f.base, f.pass), "signing-key")...)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return f, id.Recipient().String()
}

// TestExportToFullDisk writes bundles where they do not fit: /dev/full
// (ENOSPC on every write), a destination file that may not grow past 40 KiB
// (RLIMIT_FSIZE) and a full tmpfs. Each fails with a clear error, leaves no
// bundle or temporary file behind (an older bundle at the path stays as it
// was), and leaves the vault byte for byte as it was: a failed export
// consumes no sequence number, so the next good export is sequence 1.
func TestExportToFullDisk(t *testing.T) {
	f, recipient := exportFixture(t)
	ctx := context.Background()
	work := filepath.Join(t.TempDir(), "vault.db")
	before, err := snapshotCopy(t, ctx, f.base, work, f.pass)
	if err != nil {
		t.Fatal(err)
	}
	devFull, err := os.Stat("/dev/full")
	if err != nil {
		t.Fatalf("/dev/full: %v", err)
	}

	type dest struct {
		name  string
		out   func(t *testing.T) string
		limit int64
		want  string
	}
	dests := []dest{
		{"/dev/full", func(*testing.T) string { return "/dev/full" }, -1, "no space left on device"},
		{"file size limit", func(t *testing.T) string { return filepath.Join(t.TempDir(), "out.age") }, 40 << 10, "file too large"},
		{"full tmpfs", func(t *testing.T) string {
			mnt := mountTmpfs(t, "64k")
			fillTo(t, filepath.Join(mnt, "filler"), 24<<10)
			return filepath.Join(mnt, "out.age")
		}, -1, "no space left on device"},
	}
	for _, d := range dests {
		t.Run(d.name, func(t *testing.T) {
			copyVault(t, f.base, work)
			digest := fileDigest(t, work)
			out := d.out(t)
			const previous = "the previous bundle, which must survive\n"
			if out != "/dev/full" {
				if err := os.WriteFile(out, []byte(previous), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			code, _, stderr := limitedRun(t, d.limit, append(vaultArgs(work, f.pass), "export", "--out", out, "--recipient", recipient)...)
			if code != 1 || !strings.Contains(stderr, "sharedvault: error: encrypting bundle: write ") || !strings.Contains(stderr, d.want) ||
				!strings.Contains(stderr, "sharedvault: hint: free some disk space or write somewhere else") {
				t.Errorf("exit %d, stderr %q; want exit 1, an error saying %q and a hint", code, stderr, d.want)
			}
			if out == "/dev/full" {
				if st, err := os.Stat("/dev/full"); err != nil || st.Mode() != devFull.Mode() || !os.SameFile(st, devFull) {
					t.Fatalf("/dev/full was replaced: %v %v", st, err)
				}
			} else {
				if b, err := os.ReadFile(out); err != nil || string(b) != previous {
					t.Errorf("the bundle already at %s = %q, %v; want it untouched", out, b, err)
				}
				entries, _ := os.ReadDir(filepath.Dir(out))
				for _, e := range entries {
					if e.Name() != "out.age" && e.Name() != "filler" {
						t.Errorf("left behind in the destination folder: %s", e.Name())
					}
				}
			}
			if got := fileDigest(t, work); got != digest {
				t.Error("the failed export changed the vault file")
			}
			if got, err := snapshot(ctx, work, f.pass); err != nil || got != before {
				t.Errorf("vault after the failed export: %v (state changed: %v)", err, got != before)
			}
			if err := verifyAudit(work, f.pass); err != nil {
				t.Error(err)
			}
			good := filepath.Join(t.TempDir(), "good.age")
			outJSON := mustCLI(t, append(vaultArgs(work, f.pass), "export", "--out", good, "--recipient", recipient, "--json")...)
			if !strings.Contains(outJSON, `"sequence": 1,`) {
				t.Errorf("the next export after the failure: %s; want sequence 1 (the failure consumed none)", outJSON)
			}
		})
	}
}

// TestExportWhenTheVaultCannotGrow: the bundle fits but the vault's WAL may
// not grow, so recording the export (sequence, audit entry) fails after the
// bundle was written. No bundle may be left behind whose sequence the vault
// never recorded: the next export would reuse the number and an importer
// would refuse it as a replay.
func TestExportWhenTheVaultCannotGrow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mustCLI(t, append(vaultArgs(f.base, f.pass), "signing-key")...)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	open := filepath.Join(dir, "open", "vault.db")
	if err := os.MkdirAll(filepath.Dir(open), 0o700); err != nil {
		t.Fatal(err)
	}
	walSize := withOpenWAL(t, f.base, f.pass, open)
	work := filepath.Join(dir, "vault.db")
	before, err := snapshotCopy(t, ctx, open, work, f.pass)
	if err != nil {
		t.Fatal(err)
	}
	copyVault(t, open, work)
	out := filepath.Join(dir, "out.age")
	const previous = "the previous bundle, which must survive\n"
	if err := os.WriteFile(out, []byte(previous), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := limitedRun(t, walSize, append(vaultArgs(work, f.pass), "export", "--out", out, "--recipient", id.Recipient().String())...)
	checkDiskErrorMessage(t, "export", code, stderr, "write failed: the disk is full")
	if b, err := os.ReadFile(out); err != nil || string(b) != previous {
		t.Errorf("the bundle already at %s = %d bytes, %v; want it untouched", out, len(b), err)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".out.age.tmp-*")); len(tmps) != 0 {
		t.Errorf("temporary bundle files left behind: %v", tmps)
	}
	if got, err := snapshot(ctx, work, f.pass); err != nil || got != before {
		t.Errorf("vault after the failed export: %v (state changed: %v)", err, got != before)
	}
	if err := verifyAudit(work, f.pass); err != nil {
		t.Error(err)
	}
}
