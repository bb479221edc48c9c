package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sharedvault/backend/cli"
	"sharedvault/backend/internal/emulator"
	"sharedvault/backend/netconf"
	"sharedvault/backend/vault"
)

func init() { vault.SetKDFForTests(cheapKDF) }

// cliRun runs one command line in-process, like the binary would.
func cliRun(t *testing.T, dir string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"--vault", filepath.Join(dir, "vault.db"), "--passphrase-file", filepath.Join(dir, "pass")}, args...)
	code = cli.Run(context.Background(), full, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type testResult struct {
	OK        bool   `json:"ok"`
	Service   string `json:"service"`
	Method    string `json:"method"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	Hint      string `json:"hint"`
	Identity  string `json:"identity"`
	SupportID string `json:"support_id"`
	Checks    []struct {
		Name       string `json:"name"`
		OK         bool   `json:"ok"`
		Status     int    `json:"status"`
		DurationMS int64  `json:"duration_ms"`
	} `json:"checks"`
}

// TestDiagnosisThroughCLI drives every failure mode of protocols.md §7 that
// a stored credential can meet through `sharedvault test … --json`, against
// the emulators: each must give its own code, a message and a hint, exit 1,
// and never print the secret.
func TestDiagnosisThroughCLI(t *testing.T) {
	apiTooNew := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/connectionData") {
			_, _ = io.WriteString(w, `{"authenticatedUser":{"providerDisplayName":"Jane"}}`)
			return
		}
		w.WriteHeader(400)
		_, _ = io.WriteString(w, `{"message":"The requested REST API version of `+r.URL.Query().Get("api-version")+` is out of range for this server. The latest REST API version this server supports is 3.2.","typeKey":"VssVersionOutOfRangeException"}`)
	}))
	defer apiTooNew.Close()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedURL := "http://" + closed.Addr().String()
	closed.Close()

	type tc struct {
		name    string
		cfg     func(*emulator.Config)
		tls     bool
		trust   bool
		timeout bool
		setup   func(emu string) [][]string // commands before the test; files: tok
		secret  string
		service string
		want    string
	}
	pat := func(org string) func(string) [][]string {
		return func(emu string) [][]string {
			return [][]string{{"devops", "pat", "--username", emulator.UserEmail, "--organisation", emu + org, "--token-file", "tok"}}
		}
	}
	sp := func(tenant, client string) func(string) [][]string {
		return func(emu string) [][]string {
			return [][]string{{"devops", "sp", "--client-id", client, "--auth-url", emu + "/" + tenant + "/oauth2/v2.0/token", "--organisation", emu + "/fabrikam", "--secret-file", "tok"}}
		}
	}
	jira := func(deployment string) func(string) [][]string {
		return func(emu string) [][]string {
			return [][]string{{"jira", "set", "--email", emulator.JiraEmail, "--domain", emu, "--deployment", deployment, "--token-file", "tok"}}
		}
	}
	otherTenant := "11111111-2222-4333-8444-555555555555"
	cases := []tc{
		{name: "ok pat", setup: pat("/fabrikam"), secret: emulator.GoodPAT, service: "devops", want: "ok"},
		{name: "unreachable", setup: func(string) [][]string { return pat("/fabrikam")(closedURL) }, secret: emulator.GoodPAT, service: "devops", want: "unreachable"},
		{name: "timeout", cfg: func(c *emulator.Config) { c.Delay = 3 * time.Second }, timeout: true, setup: pat("/fabrikam"), secret: emulator.GoodPAT, service: "devops", want: "timeout"},
		{name: "tls_untrusted", tls: true, setup: pat("/fabrikam"), secret: emulator.GoodPAT, service: "devops", want: "tls_untrusted"},
		{name: "ok over tls with trusted test CA", tls: true, trust: true, setup: pat("/fabrikam"), secret: emulator.GoodPAT, service: "devops", want: "ok"},
		{name: "signin_redirect", cfg: func(c *emulator.Config) { c.Orgs[0].IgnoreSuppress = true }, setup: pat("/fabrikam"), secret: emulator.OtherOrgPAT, service: "devops", want: "signin_redirect"},
		{name: "auth_failed", setup: pat("/fabrikam"), secret: "wrongwrongwrongwrongwrongwrongwrongwrongwrongwrong22", service: "devops", want: "auth_failed"},
		{name: "token_expired", setup: pat("/fabrikam"), secret: emulator.ExpiredPAT, service: "devops", want: "token_expired"},
		{name: "insufficient_scope", setup: pat("/fabrikam"), secret: emulator.NoScopePAT, service: "devops", want: "insufficient_scope"},
		{name: "org_not_found", setup: pat("/nosuchorg"), secret: emulator.GoodPAT, service: "devops", want: "org_not_found"},
		{name: "api_version_retry then unsupported", setup: func(string) [][]string { return pat("/tfs/DefaultCollection")(apiTooNew.URL) }, secret: "pat-for-old-server-0123456789", service: "devops", want: "api_version_unsupported"},
		{name: "ok sp", setup: sp(emulator.Tenant, emulator.AppClientID), secret: emulator.AppSecret, service: "devops", want: "ok"},
		{name: "tenant_not_found", setup: sp(otherTenant, emulator.AppClientID), secret: emulator.AppSecret, service: "devops", want: "tenant_not_found"},
		{name: "client_not_found", setup: sp(emulator.Tenant, "0f0f0f0f-1111-4222-8333-444444444444"), secret: emulator.AppSecret, service: "devops", want: "client_not_found"},
		{name: "client_secret_invalid", setup: sp(emulator.Tenant, emulator.AppClientID), secret: "Wrong~secret.value-not-real_000000", service: "devops", want: "client_secret_invalid"},
		{name: "client_secret_expired", setup: sp(emulator.Tenant, emulator.ExpiredAppClientID), secret: emulator.ExpiredAppSecret, service: "devops", want: "client_secret_expired"},
		{name: "sp_not_in_org", setup: sp(emulator.Tenant, emulator.OutsiderClientID), secret: emulator.OutsiderSecret, service: "devops", want: "sp_not_in_org"},
		{name: "ok jira cloud", setup: jira("cloud"), secret: emulator.JiraAPIToken, service: "jira", want: "ok"},
		{name: "jira auth_failed", setup: jira("cloud"), secret: "ATATT-wrong-token-000000000000000000", service: "jira", want: "auth_failed"},
		{name: "captcha_required", cfg: func(c *emulator.Config) { c.Jira.Captcha = true }, setup: jira("cloud"), secret: emulator.JiraAPIToken, service: "jira", want: "captcha_required"},
		{name: "password_not_token", setup: jira("cloud"), secret: emulator.JiraPassword, service: "jira", want: "password_not_token"},
		{name: "wrong_deployment (cloud chosen, data center site)", cfg: func(c *emulator.Config) { c.Jira.Deployment = "Server" }, setup: jira("cloud"), secret: emulator.JiraAPIToken, service: "jira", want: "wrong_deployment"},
		{name: "wrong_deployment (data center chosen, cloud site)", setup: jira("datacenter"), secret: emulator.JiraPAT, service: "jira", want: "wrong_deployment"},
		{name: "ok jira data center", cfg: func(c *emulator.Config) { c.Jira.Deployment = "Server" }, setup: jira("datacenter"), secret: emulator.JiraPAT, service: "jira", want: "ok"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := emulator.Fixture()
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			var emu *emulator.Server
			if c.tls {
				emu = emulator.NewTLS(t, cfg)
			} else {
				emu = emulator.New(t, cfg)
			}
			dir := t.TempDir()
			writeFile(t, dir, "pass", "pw\n")
			writeFile(t, dir, "tok", c.secret+"\n")
			if code, _, stderr := cliRun(t, dir, "", "init"); code != 0 {
				t.Fatalf("init: %d %s", code, stderr)
			}
			if c.trust {
				ca := writeFile(t, dir, "ca.pem", string(emu.CAPEM))
				if code, _, stderr := cliRun(t, dir, "", "trust", "add", ca); code != 0 {
					t.Fatalf("trust add: %d %s", code, stderr)
				}
			}
			if c.timeout {
				setShortTimeout(t, filepath.Join(dir, "vault.db"))
			}
			for _, args := range c.setup(emu.URL) {
				for i, a := range args {
					if a == "tok" {
						args[i] = filepath.Join(dir, "tok")
					}
				}
				if code, _, stderr := cliRun(t, dir, "", args...); code != 0 {
					t.Fatalf("%v: exit %d: %s", args, code, stderr)
				}
			}
			code, stdout, stderr := cliRun(t, dir, "", "test", c.service, "--json")
			var got testResult
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("test output is not JSON: %v\n%s\n%s", err, stdout, stderr)
			}
			if got.Code != c.want {
				t.Fatalf("code = %q, want %q\n%s", got.Code, c.want, stdout)
			}
			wantExit := 1
			if c.want == "ok" {
				wantExit = 0
			}
			if code != wantExit || got.OK != (c.want == "ok") {
				t.Errorf("exit %d ok=%v, want exit %d", code, got.OK, wantExit)
			}
			if got.Message == "" || (c.want != "ok" && got.Hint == "") {
				t.Errorf("message %q / hint %q: both must be set for a failure", got.Message, got.Hint)
			}
			if len(got.Checks) == 0 && c.want != "not_configured" {
				t.Errorf("no checks reported")
			}
			if strings.Contains(stdout+stderr, c.secret) {
				t.Errorf("the secret appears in the output")
			}
		})
	}
}

// setShortTimeout stores a 1 s overall timeout in the vault's network settings.
func setShortTimeout(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	v, err := vault.Open(ctx, path, vault.Options{AutoLock: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.Unlock(ctx, []byte("pw")); err != nil {
		t.Fatal(err)
	}
	if err := netconf.New(v).SetNetwork(ctx, netconf.Network{ConnectTimeoutMS: 500, TotalTimeoutMS: 1000}); err != nil {
		t.Fatal(err)
	}
}
