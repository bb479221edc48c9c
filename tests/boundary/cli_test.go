//go:build linux

package boundary

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"sharedvault/backend/testsupport/emulator"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// hostPort is the ip:port of an emulator URL.
func hostPort(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// TestCLIConnectsOnlyToConfiguredTargets runs the headless CLI binary (the
// CGO_ENABLED=0 server build) through its main flows under strace: create a
// vault, trust a CA, store a PAT, a Service Principal and a Jira account
// pointing at loopback emulators, test each, add and test a board, export a
// bundle and import it into a second vault. Every connect/sendto/sendmsg with
// an address must go to one of the two emulators; nothing else, not even a
// DNS query or a Unix socket.
func TestCLIConnectsOnlyToConfiguredTargets(t *testing.T) {
	requireTool(t, "strace")
	_, cli := binaries(t)
	plain := emulator.New(t, emulator.Fixture())
	tlsEmu := emulator.NewTLS(t, emulator.Fixture())

	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	pass := write("pass", "cli air gap passphrase\n")
	pat := write("pat", emulator.GoodPAT)
	spSecret := write("sp", emulator.AppSecret)
	jira := write("jira", emulator.JiraAPIToken)
	ca := write("ca.pem", string(tlsEmu.CAPEM))
	idFile := write("id.txt", id.String()+"\n")
	bundleFile := filepath.Join(dir, "boards.age")

	traces := 0
	var attempts []connectAttempt
	run := func(vaultPath string, args ...string) string {
		t.Helper()
		traces++
		tr := filepath.Join(dir, fmt.Sprintf("trace-%02d", traces))
		cmd := traced(tr, cli, args...)
		cmd.Env = append(os.Environ(), "SHAREDVAULT_PATH="+vaultPath, "SHAREDVAULT_PASSPHRASE_FILE="+pass,
			"HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "TMPDIR="+dir)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("sharedvault %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
		}
		attempts = append(attempts, parseTrace(t, tr)...)
		return stdout.String()
	}

	start := time.Now()
	a := filepath.Join(dir, "a", "vault.db")
	run(a, "init")
	run(a, "trust", "add", ca)
	run(a, "devops", "pat", "--username", emulator.UserEmail, "--organisation", plain.URL+"/"+emulator.OrgName, "--token-file", pat)
	if out := run(a, "test", "devops", "--json"); !strings.Contains(out, `"ok": true`) {
		t.Errorf("test devops (PAT): %s", out)
	}
	run(a, "devops", "sp", "--client-id", emulator.AppClientID, "--auth-url", tlsEmu.URL+"/"+emulator.Tenant+"/oauth2/v2.0/token",
		"--organisation", tlsEmu.URL+"/"+emulator.OrgName, "--secret-file", spSecret)
	if out := run(a, "test", "devops", "--json"); !strings.Contains(out, `"ok": true`) {
		t.Errorf("test devops (SP): %s", out)
	}
	run(a, "jira", "set", "--email", emulator.JiraEmail, "--domain", tlsEmu.URL, "--deployment", "cloud", "--token-file", jira)
	if out := run(a, "test", "jira", "--json"); !strings.Contains(out, `"ok": true`) {
		t.Errorf("test jira: %s", out)
	}
	run(a, "global", "on")
	run(a, "boards", "add", "Web", "--system", "devops", "--project", emulator.ProjectName, "--area-path", "Team A")
	if out := run(a, "boards", "test", "Web", "--json"); !strings.Contains(out, `"ok": true`) {
		t.Errorf("boards test: %s", out)
	}
	signer := strings.TrimSpace(run(a, "signing-key"))
	run(a, "export", "--out", bundleFile, "--recipient", id.Recipient().String())
	b := filepath.Join(dir, "b", "vault.db")
	run(b, "init")
	run(b, "import", bundleFile, "--identity", idFile, "--signer", signer)
	run(b, "status", "--json")
	run(b, "audit", "--verify")
	t.Logf("%d CLI runs under strace in %v", traces, time.Since(start).Round(time.Millisecond))

	allowed := destinations{inet: []string{hostPort(t, plain.URL), hostPort(t, tlsEmu.URL)}}
	seen := allowed.check(t, "CLI", attempts)
	t.Logf("destinations: %v", seen)
	// The trace really records connections: both emulators show up.
	for _, want := range allowed.inet {
		if !containsString(seen, "AF_INET "+want) {
			t.Errorf("no connection to the emulator at %s was recorded: the trace proves nothing", want)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
