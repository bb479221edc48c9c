//go:build linux

// Package crashtest runs the real CLI (cli.Run in a re-executed test binary)
// and hurts it from the outside: SIGKILL at random instants of every kind of
// write, and writes that fail because the disk is full or a file may not
// grow. After each blow the vault must open, pass quick_check and
// `audit --verify`, and hold exactly the state before or after the write.
package crashtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"sharedvault/backend/bundle"
	"sharedvault/backend/cli"
	"sharedvault/backend/vault"
)

// cheapKDF keeps each vault fast to unlock; the defaults are tested in
// backend/vault.
var cheapKDF = vault.KDFParams{Algorithm: "argon2id", MemoryKiB: 1024, Iterations: 1, Parallelism: 1}

const (
	// childEnv makes the test binary act as the sharedvault command.
	childEnv = "SHAREDVAULT_CRASHTEST_CHILD"
	// fileSizeLimitEnv sets RLIMIT_FSIZE in the child: a write past that
	// offset fails with EFBIG, as a full disk fails with ENOSPC.
	fileSizeLimitEnv = "SHAREDVAULT_CRASHTEST_FSIZE"
	// marksEnv names the fd on which the child reports "start" and "done".
	marksEnv = "SHAREDVAULT_CRASHTEST_MARKS_FD"
)

func TestMain(m *testing.M) {
	vault.SetKDFForTests(cheapKDF)
	restore := bundle.SetScryptWorkFactorForTests(10)
	if os.Getenv(childEnv) == "1" {
		os.Exit(runChild())
	}
	code := m.Run()
	restore()
	os.Exit(code)
}

// runChild is the sharedvault command. It reports on fd 3 (when the parent
// passed one) that the command started and that it returned, so the parent
// can tell a kill during the command from one during process start-up.
func runChild() int {
	if s := os.Getenv(fileSizeLimitEnv); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad", fileSizeLimitEnv, s)
			return 99
		}
		// Ignored SIGXFSZ: the write returns EFBIG instead of killing us.
		signal.Ignore(syscall.SIGXFSZ)
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
			fmt.Fprintln(os.Stderr, "setrlimit:", err)
			return 99
		}
	}
	var marks *os.File
	if os.Getenv(marksEnv) == "3" {
		marks = os.NewFile(3, "marks")
	}
	if marks != nil {
		fmt.Fprintln(marks, "start")
	}
	code := cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if marks != nil {
		fmt.Fprintln(marks, "done")
	}
	return code
}

// child returns the command for one CLI run in a fresh process.
func child(t *testing.T, args []string, extraEnv ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(append(os.Environ(), childEnv+"=1"), extraEnv...)
	return cmd
}

// runCLI runs one command line in this process.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// vaultArgs are the global options that point a command at a vault.
func vaultArgs(path, passFile string) []string {
	return []string{"--vault", path, "--passphrase-file", passFile}
}

func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	code, stdout, stderr := runCLI(args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, stderr)
	}
	return stdout
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// vaultFiles are the files SQLite keeps for a vault.
func vaultFiles(path string) []string { return []string{path, path + "-wal", path + "-shm"} }

// copyVault copies a closed vault's files (whichever exist) to dst, removing
// stale ones at dst.
func copyVault(t *testing.T, src, dst string) {
	t.Helper()
	for i, s := range vaultFiles(src) {
		d := vaultFiles(dst)[i]
		b, err := os.ReadFile(s)
		if os.IsNotExist(err) {
			if err := os.Remove(d); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(d, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// fileDigest hashes the vault's files so "left as it was" can be checked
// byte for byte.
func fileDigest(t *testing.T, path string) string {
	t.Helper()
	h := sha256.New()
	for _, p := range vaultFiles(path) {
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(p), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// snapshot opens the vault, checks it, unlocks it with the passphrase in
// passFile and returns its observable state: every row that a command can
// change, without the columns that differ between two runs of the same
// command (timestamps, nonces, MACs; audit_head is "seq:mac"). Every sealed
// value must decrypt.
func snapshot(ctx context.Context, path, passFile string) (string, error) {
	v, err := vault.Open(ctx, path, vault.Options{AutoLock: -1})
	if err != nil {
		return "", fmt.Errorf("open: %w", err)
	}
	defer v.Close()
	db := v.DB()
	var check string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil || check != "ok" {
		return "", fmt.Errorf("quick_check = %q, %v", check, err)
	}
	pass, err := os.ReadFile(passFile)
	if err != nil {
		return "", err
	}
	if err := v.Unlock(ctx, bytes.TrimSuffix(pass, []byte("\n"))); err != nil {
		return "", fmt.Errorf("unlock: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "unlocks with %s; kdf %s\n", filepath.Base(passFile), v.Info().KDF)
	queries := []string{
		`SELECT 'setting', key, CASE WHEN key IN ('fingerprint_key', 'signing_key') THEN 'sealed' WHEN key = 'audit_head' THEN substr(value, 1, instr(value, ':')) ELSE value END FROM settings ORDER BY key`,
		`SELECT 'secret', name, version, meta, fingerprint, coalesce(expires_at, ''), created_by FROM secrets ORDER BY name, version`,
		`SELECT 'board', id, name, system, project, area_path, use_global FROM boards ORDER BY id`,
		`SELECT 'audit', seq, os_user, action, subject, detail FROM audit_log ORDER BY seq`,
		`SELECT 'pending', action, subject FROM pending_audit ORDER BY id`,
		`SELECT 'ca', fingerprint, subject FROM trusted_cas ORDER BY fingerprint`,
		`SELECT 'import', signer_key, last_sequence FROM bundle_imports ORDER BY signer_key`,
	}
	for _, q := range queries {
		if err := dumpRows(ctx, db, q, &b); err != nil {
			return "", err
		}
	}
	// The keys behind the sealed settings, by what they do: the same value
	// fingerprints alike only under the same fingerprint key.
	fp, err := v.Fingerprint(ctx, db, []byte("crashtest probe"))
	if err != nil {
		return "", fmt.Errorf("fingerprint key: %w", err)
	}
	fmt.Fprintf(&b, "fingerprint key probe %s\n", fp)
	rows, err := db.QueryContext(ctx, `SELECT name, version, sealed FROM secrets`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var version int
		var sealed []byte
		if err := rows.Scan(&name, &version, &sealed); err != nil {
			return "", err
		}
		err := v.OpenWith(vault.AD{Kind: "secret", Record: name, Field: "value", Version: version}, sealed, 0, func(_, _ []byte) error { return nil })
		if err != nil {
			return "", fmt.Errorf("secret %s v%d does not decrypt: %w", name, version, err)
		}
	}
	return b.String(), rows.Err()
}

func dumpRows(ctx context.Context, db *sql.DB, q string, w io.Writer) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(any)
	}
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return err
		}
		for i, v := range vals {
			if i > 0 {
				io.WriteString(w, " | ")
			}
			fmt.Fprintf(w, "%v", *(v.(*any)))
		}
		io.WriteString(w, "\n")
	}
	return rows.Err()
}

// verifyAudit runs `audit --verify` through the CLI.
func verifyAudit(path, passFile string) error {
	code, stdout, stderr := runCLI(append(vaultArgs(path, passFile), "audit", "--verify")...)
	if code != 0 || !strings.Contains(stdout, "audit log ok") {
		return fmt.Errorf("audit --verify: exit %d: %s%s", code, stdout, stderr)
	}
	return nil
}
