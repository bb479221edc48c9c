//go:build linux

package proctest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sharedvault/backend/internal/emulator"
	"sharedvault/backend/vault"
)

// TestCLIUnderLowMemlockAsNobody runs the CLI as user nobody (root ignores
// RLIMIT_MEMLOCK) with `ulimit -l` at 16, 64 and 256 KiB. At 64 KiB, the
// old default of many Linux systems, every command must work and warn once
// on stderr that memory locking is limited: init, a provider save, a board,
// a connectivity test against the emulator, status, export and import into
// a second vault. At 16 KiB init must refuse at once with a clear error and
// leave no file; at 256 KiB nothing is said.
func TestCLIUnderLowMemlockAsNobody(t *testing.T) {
	cred, base := nobody(t)
	bin := copyBinary(t, base)
	emu := emulator.New(t, emulator.Fixture())
	const warning = "sharedvault: warning: memory locking is limited: the locked-memory limit (ulimit -l) is 64 KiB (256 KiB recommended)"

	setup := func(t *testing.T, name string, limit uint64) (*runner, *home, string) {
		h := newHome(t, filepath.Join(base, name))
		in := filepath.Join(h.base, "in")
		if err := os.Mkdir(in, 0o700); err != nil {
			t.Fatal(err)
		}
		writeFile(t, in, "pass", "correct horse battery staple\n")
		writeFile(t, in, "pat", emulator.GoodPAT+"\n")
		writeFile(t, in, "bundle-pass", "bundle passphrase for the server\n")
		chownAll(t, h.base, cred)
		env := append(h.env(), "SHAREDVAULT_PASSPHRASE_FILE="+filepath.Join(in, "pass"))
		return &runner{t: t, bin: bin, env: env, cred: cred, memlock: limit}, h, in
	}

	t.Run("16KiB", func(t *testing.T) {
		r, h, _ := setup(t, "16k", 16<<10)
		res := r.run("", "init")
		want := fmt.Sprintf("sharedvault: error: the locked-memory limit (ulimit -l) is 16 KiB; sharedvault needs at least %d KiB", vault.MinMemlock()>>10)
		if res.code != 1 || !strings.Contains(res.stderr, want) || !strings.Contains(res.stderr, "sharedvault: hint: raise it, e.g. `ulimit -l 1024`") {
			t.Fatalf("init under 16 KiB: want exit 1 with %q and the hint, got exit %d:\n%s", want, res.code, res.stderr)
		}
		if _, err := os.Stat(filepath.Join(h.config, "sharedvault", "vault.db")); !os.IsNotExist(err) {
			t.Errorf("the refused init left a vault file behind (%v)", err)
		}
	})

	t.Run("64KiB", func(t *testing.T) {
		r, h, in := setup(t, "64k", 64<<10)
		steps := []struct {
			name string
			args []string
			want string // in stdout
		}{
			{"init", []string{"init"}, "created vault "},
			{"provider save", []string{"devops", "pat", "--username", emulator.UserEmail, "--organisation", emu.URL + "/" + emulator.OrgName, "--token-file", filepath.Join(in, "pat")}, ""},
			{"board add", []string{"boards", "add", "Web", "--system", "devops", "--project", emulator.ProjectName}, "Web"},
			{"connectivity test", []string{"test", "devops", "--json"}, `"ok": true`},
			{"status", []string{"status", "--json"}, `"method": "pat"`},
			{"export", []string{"export", "--out", filepath.Join(h.home, "out.age"), "--bundle-passphrase-file", filepath.Join(in, "bundle-pass")}, ""},
			{"signing key", []string{"signing-key"}, "sharedvault-ed25519:"},
		}
		var signer string
		for _, s := range steps {
			res := r.ok("", s.args...)
			if !strings.Contains(res.stdout, s.want) {
				t.Errorf("%s: stdout lacks %q:\n%s", s.name, s.want, res.stdout)
			}
			if n := strings.Count(res.stderr, warning); n != 1 {
				t.Errorf("%s: want the memory-locking warning once on stderr, got it %d times:\n%s", s.name, n, res.stderr)
			}
			if s.name == "signing key" {
				signer = strings.TrimSpace(res.stdout)
			}
		}

		// The second vault, as a server would: import the bundle, and the
		// same PAT (same fingerprint) arrives.
		server := filepath.Join(h.home, "server.db")
		r.ok("", "--vault", server, "init")
		r.ok("", "--vault", server, "import", filepath.Join(h.home, "out.age"), "--bundle-passphrase-file", filepath.Join(in, "bundle-pass"), "--signer", signer)
		fp := func(args ...string) string {
			var st struct {
				Devops struct {
					Method   string `json:"method"`
					PATToken struct {
						Set         bool   `json:"set"`
						Fingerprint string `json:"fingerprint"`
					} `json:"pat_token"`
				} `json:"devops"`
			}
			res := r.ok("", append(args, "status", "--json")...)
			if err := json.Unmarshal([]byte(res.stdout), &st); err != nil {
				t.Fatalf("status --json: %v\n%s", err, res.stdout)
			}
			if !st.Devops.PATToken.Set || st.Devops.PATToken.Fingerprint == "" {
				t.Fatalf("status %v: no PAT stored:\n%s", args, res.stdout)
			}
			return st.Devops.PATToken.Fingerprint
		}
		if a, b := fp(), fp("--vault", server); a != b {
			t.Errorf("imported PAT fingerprint %s, want the exporting vault's %s", b, a)
		}
		res := r.ok("", "--vault", server, "boards", "list", "--json")
		if !strings.Contains(res.stdout, `"Web"`) {
			t.Errorf("the imported vault lacks board Web:\n%s", res.stdout)
		}
		if res := r.ok("", "--vault", server, "audit", "--verify"); !strings.Contains(res.stderr, warning) {
			t.Errorf("audit --verify: no memory-locking warning:\n%s", res.stderr)
		}
	})

	t.Run("256KiB", func(t *testing.T) {
		r, _, in := setup(t, "256k", vault.RecommendedMemlock)
		for _, args := range [][]string{{"init"}, {"devops", "pat", "--username", emulator.UserEmail, "--organisation", emu.URL + "/" + emulator.OrgName, "--token-file", filepath.Join(in, "pat")}} {
			if res := r.ok("", args...); strings.Contains(res.stderr, "warning") {
				t.Errorf("%v under 256 KiB: no warning expected, got:\n%s", args, res.stderr)
			}
		}
	})
}
