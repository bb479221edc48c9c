//go:build linux

package proctest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sharedvault/backend/testsupport/asnobody"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sharedvault/backend/bundle"
	"sharedvault/backend/cli"
	"sharedvault/backend/vault"
)

const (
	// childEnv selects what the re-executed test binary does: "cli" runs
	// cli.Run with its arguments, "idle" sleeps (the sampler's control).
	childEnv = "SHAREDVAULT_PROCTEST_CHILD"
	// memlockEnv, in bytes, is set as the child's RLIMIT_MEMLOCK (soft and
	// hard) before anything else, as `ulimit -l` in its shell would.
	memlockEnv = "SHAREDVAULT_PROCTEST_MEMLOCK"
)

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "idle":
		time.Sleep(300 * time.Millisecond)
		os.Exit(0)
	case "cli":
		if s := os.Getenv(memlockEnv); s != "" {
			n, err := strconv.ParseUint(s, 10, 64)
			if err == nil {
				err = unix.Setrlimit(unix.RLIMIT_MEMLOCK, &unix.Rlimit{Cur: n, Max: n})
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "proctest: set the memlock limit: %v\n", err)
				os.Exit(100)
			}
		}
		vault.SetKDFForTests(vault.KDFParams{Algorithm: "argon2id", MemoryKiB: 1024, Iterations: 1, Parallelism: 1})
		bundle.SetScryptWorkFactorForTests(10)
		os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	fmt.Fprintf(os.Stderr, "proctest: unknown child mode %q\n", os.Getenv(childEnv))
	os.Exit(2)
}

// home is a fresh set of the folders a process writes to: HOME, the XDG
// config, cache and data folders and TMPDIR.
type home struct {
	base                           string
	home, config, cache, data, tmp string
}

func newHome(t *testing.T, base string) *home {
	t.Helper()
	h := &home{base: base}
	for _, d := range []struct {
		p    *string
		name string
	}{{&h.home, "home"}, {&h.config, "config"}, {&h.cache, "cache"}, {&h.data, "data"}, {&h.tmp, "tmp"}} {
		*d.p = filepath.Join(base, d.name)
		if err := os.MkdirAll(*d.p, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func (h *home) env() []string {
	return []string{
		"PATH=/usr/bin:/bin", "LANG=C.UTF-8",
		"HOME=" + h.home, "XDG_CONFIG_HOME=" + h.config, "XDG_CACHE_HOME=" + h.cache,
		"XDG_DATA_HOME=" + h.data, "TMPDIR=" + h.tmp,
	}
}

// dirs are the folders the leak scan reads.
func (h *home) dirs() []string { return []string{h.home, h.config, h.cache, h.data, h.tmp} }

// runner starts the CLI child processes.
type runner struct {
	t       *testing.T
	bin     string
	env     []string
	cred    *syscall.Credential // nil: as this user
	memlock uint64              // 0: inherit
	sampler *sampler            // nil: no /proc sampling
	outputs bytes.Buffer        // every stdout and stderr, for the scan
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs the CLI once with stdin and args, within 30 s.
func (r *runner) run(stdin string, args ...string) result {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Env = append(append([]string{}, r.env...), childEnv+"=cli")
	if r.memlock != 0 {
		cmd.Env = append(cmd.Env, memlockEnv+"="+strconv.FormatUint(r.memlock, 10))
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: r.cred}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("start %v: %v", args, err)
	}
	var stop func() int
	if r.sampler != nil {
		stop = r.sampler.watch(cmd.Process.Pid)
	}
	err := cmd.Wait()
	if stop != nil && stop() == 0 {
		r.t.Errorf("the /proc sampler saw no live process during %v: the argv/environment check proves nothing", args)
	}
	if ctx.Err() != nil {
		r.t.Fatalf("sharedvault %v hangs: still running after 30 s\nstderr:\n%s", args, errb.String())
	}
	res := result{code: 0, stdout: out.String(), stderr: errb.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			r.t.Fatalf("sharedvault %v: %v", args, err)
		}
		res.code = ee.ExitCode()
	}
	r.outputs.WriteString(res.stdout)
	r.outputs.WriteString(res.stderr)
	for _, bad := range []string{"panic:", "goroutine ", "fatal error:", "SIGSEGV", "could not acquire lock"} {
		if strings.Contains(res.stderr, bad) {
			r.t.Fatalf("sharedvault %v: stderr contains %q:\n%s", args, bad, res.stderr)
		}
	}
	return res
}

// ok runs the CLI and fails the test unless it exits 0.
func (r *runner) ok(stdin string, args ...string) result {
	r.t.Helper()
	res := r.run(stdin, args...)
	if res.code != 0 {
		r.t.Fatalf("sharedvault %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	return res
}

// copyBinary copies this test binary to dir, where user nobody can run it.
func copyBinary(t *testing.T, dir string) string {
	t.Helper()
	dst := filepath.Join(dir, "sharedvault")
	asnobody.CopyTestBinary(t, dst)
	return dst
}

// nobody returns the credential of user nobody and a world-traversable
// base folder for its files, or skips when this process cannot switch users.
func nobody(t *testing.T) (*syscall.Credential, string) {
	t.Helper()
	return asnobody.Credential(t), asnobody.Folder(t, "sharedvault-proctest-")
}

// chownAll gives every folder and file under root to cred's user.
func chownAll(t *testing.T, root string, cred *syscall.Credential) {
	t.Helper()
	err := filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(cred.Uid), int(cred.Gid))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
