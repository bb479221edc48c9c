package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"sharedvault/backend/vault"
)

func TestMain(m *testing.M) {
	vault.SetKDFForTests(vault.KDFParams{Algorithm: "argon2id", MemoryKiB: 1024, Iterations: 1, Parallelism: 1})
	os.Exit(m.Run())
}

const (
	testTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testClient = "0b5c9a5e-1f7d-4e8a-9c1e-3f6a2b7d8e90"
)

// cliVault is a temp vault driven through Run in-process; every output is
// kept for the canary scan.
type cliVault struct {
	t        *testing.T
	dir      string
	path     string
	passFile string
	outputs  bytes.Buffer
	canaries map[string]string
}

func newCLIVault(t *testing.T) *cliVault {
	t.Helper()
	dir := t.TempDir()
	c := &cliVault{t: t, dir: dir, path: filepath.Join(dir, "vault.db"), passFile: filepath.Join(dir, "pass"), canaries: map[string]string{}}
	c.write("pass", "correct horse battery staple\n")
	c.ok("init")
	return c
}

func (c *cliVault) write(name, content string) string {
	c.t.Helper()
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// secretFile writes a fresh canary token to a file and returns its path.
func (c *cliVault) secretFile(label string) string {
	c.t.Helper()
	b := make([]byte, 16)
	rand.Read(b)
	tok := "CANARY-" + hex.EncodeToString(b)
	c.canaries[label] = tok
	return c.write(label+".secret", tok+"\n")
}

func (c *cliVault) run(stdin string, args ...string) (int, string, string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"--vault", c.path, "--passphrase-file", c.passFile}, args...)
	code := Run(context.Background(), full, strings.NewReader(stdin), &out, &errb)
	c.outputs.Write(out.Bytes())
	c.outputs.Write(errb.Bytes())
	return code, out.String(), errb.String()
}

func (c *cliVault) ok(args ...string) string {
	c.t.Helper()
	code, out, errs := c.run("", args...)
	if code != 0 {
		c.t.Fatalf("%v: exit %d\n%s%s", args, code, out, errs)
	}
	return out
}

func (c *cliVault) json(v any, args ...string) {
	c.t.Helper()
	out := c.ok(append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		c.t.Fatalf("%v: %v\n%s", args, err, out)
	}
}

// setupProviders stores the shared PAT and Jira account and turns the
// global secret on.
func (c *cliVault) setupProviders() {
	c.t.Helper()
	c.ok("devops", "pat", "--username", "admin@contoso.com", "--organisation", "https://dev.azure.com/contoso/", "--token-file", c.secretFile("shared pat"))
	c.ok("devops", "sp", "--client-id", testClient, "--tenant-id", testTenant, "--organisation", "contoso", "--secret-file", c.secretFile("shared sp"))
	c.ok("devops", "use", "pat")
	c.ok("jira", "set", "--email", "bot@acme.example", "--domain", "acme.atlassian.net", "--token-file", c.secretFile("shared jira"))
	c.ok("global", "on")
}

func TestBoardsCommands(t *testing.T) {
	c := newCLIVault(t)
	c.setupProviders()
	sp := func(label string) []string {
		return []string{"--method", "sp", "--client-id", testClient, "--tenant-id", testTenant, "--organisation", "contoso", "--secret-file", c.secretFile(label)}
	}
	steps := []struct {
		name string
		args []string
		code int
		out  string // substring of stdout (or stderr when code != 0)
	}{
		{"add devops", []string{"boards", "add", "Web Team", "--system", "devops", "--project", "Fabrikam", "--area-path", `Fabrikam\Web`}, 0, "credentials:  global DevOps PAT, fingerprint "},
		{"add jira", []string{"boards", "add", "  Jira Board  ", "--system", "jira", "--project", "proj"}, 0, "global Jira token"},
		{"add own", []string{"boards", "add", "Own", "--system", "devops", "--project", "P", "--use-global=false"}, 0, "none (not_configured)"},
		{"duplicate", []string{"boards", "add", "Web Team", "--system", "jira", "--project", "P"}, ExitInvalid, `sharedvault: error: a board named "Web Team" already exists`},
		{"duplicate other case", []string{"boards", "add", "web team", "--system", "jira", "--project", "P"}, ExitInvalid, "already exists"},
		{"invalid system", []string{"boards", "add", "X", "--system", "github", "--project", "P"}, ExitInvalid, "invalid system: must be devops or jira"},
		{"missing system", []string{"boards", "add", "X", "--project", "P"}, ExitUsage, "system"},
		{"empty name", []string{"boards", "add", " ", "--system", "jira", "--project", "P"}, ExitInvalid, "invalid name: is required"},
		{"long name", []string{"boards", "add", strings.Repeat("n", 101), "--system", "jira", "--project", "P"}, ExitInvalid, "longer than 100"},
		{"control char name", []string{"boards", "add", "a\x1bb", "--system", "jira", "--project", "P"}, ExitInvalid, "control"},
		{"two names", []string{"boards", "add", "a", "b", "--system", "jira", "--project", "P"}, ExitUsage, "takes 1 argument"},
		{"show unknown", []string{"boards", "show", "nope"}, ExitNotFound, `no board named "nope"`},
		{"list", []string{"boards", "list"}, 0, "3 board(s)"},
		{"list filter", []string{"boards", "list", "--filter", "JIRA"}, 0, "1 board(s)"},
		{"set nothing", []string{"boards", "set", "Own"}, ExitUsage, "nothing to change"},
		{"set unknown", []string{"boards", "set", "nope", "--use-global=false"}, ExitNotFound, "no board named"},
		{"set bad project", []string{"boards", "set", "Own", "--project", "a/b"}, ExitInvalid, "invalid project"},
		{"set area path", []string{"boards", "set", "Own", "--area-path", `P\Area`}, 0, `area path:    P\Area`},
		{"creds pat", []string{"boards", "creds", "Own", "--username", "team@contoso.com", "--organisation", "contoso", "--token-file", c.secretFile("own pat")}, 0, "saved own credentials of board Own: pat"},
		{"creds sp", append([]string{"boards", "creds", "Own"}, sp("own sp")...), 0, "saved own credentials of board Own: sp"},
		{"creds not in use", []string{"boards", "creds", "Web Team", "--username", "u@contoso.com", "--organisation", "contoso", "--token-file", c.secretFile("web pat")}, 0, "not in use while the board uses the global secret"},
		{"creds jira", []string{"boards", "creds", "Jira Board", "--email", "team@acme.example", "--domain", "https://jira.acme.example", "--token-file", c.secretFile("own jira")}, 0, "datacenter"},
		{"creds wrong flag", []string{"boards", "creds", "Own", "--email", "x@y.example"}, ExitUsage, "--email do(es) not apply to devops pat"},
		{"creds sp flag with pat", []string{"boards", "creds", "Own", "--client-id", testClient}, ExitUsage, "--client-id"},
		{"creds bad method", []string{"boards", "creds", "Own", "--method", "oauth"}, ExitUsage, "--method must be pat or sp"},
		{"creds method on jira", []string{"boards", "creds", "Jira Board", "--method", "pat"}, ExitUsage, "--method applies to devops boards"},
		{"creds dirty token", []string{"boards", "creds", "Own", "--username", "u@contoso.com", "--organisation", "contoso", "--token-file", c.write("dirty", "Bearer abcdefghijklmnopqrstuvwxyz012345")}, ExitInvalid, "invalid token"},
		{"creds keeps token", []string{"boards", "creds", "Jira Board", "--email", "a@b.example", "--domain", "https://x.atlassian.net"}, 0, "cloud"},
		{"creds other method needs secret", []string{"boards", "creds", "Web Team", "--method", "sp", "--client-id", testClient, "--tenant-id", testTenant, "--organisation", "contoso"}, ExitInvalid, "invalid secret: is required"},
		{"creds unknown board", []string{"boards", "creds", "nope", "--username", "u"}, ExitNotFound, "no board named"},
		{"use own", []string{"boards", "set", "Own", "--use-global=false"}, 0, "own DevOps Service Principal"},
		{"history", []string{"history", "board:Own"}, 0, "v2"},
		{"rollback", []string{"rollback", "board:Own", "1"}, 0, "board:Own: version 1 restored as version 3"},
		{"history unknown board", []string{"history", "board:nope"}, ExitNotFound, "no board named"},
		{"rollback missing version", []string{"rollback", "board:Own", "9"}, ExitNotFound, "sharedvault: error: board:Own has no version 9\nsharedvault: hint: see `sharedvault history board:Own`"},
		{"shared history still works", []string{"history", "devops.pat"}, 0, "v1"},
		{"rm", []string{"boards", "rm", "Own"}, 0, "removed board Own and 3 version(s) of its own credentials"},
		{"rm again", []string{"boards", "rm", "Own"}, ExitNotFound, "no board named"},
		{"history of removed", []string{"history", "board:Own"}, ExitNotFound, "no board named"},
	}
	for _, s := range steps {
		code, out, errs := c.run("", s.args...)
		text := out
		if s.code != 0 {
			text = errs
		}
		if code != s.code || !strings.Contains(text, s.out) {
			t.Errorf("%s: %v: exit %d, want %d; want %q in\n%s%s", s.name, s.args, code, s.code, s.out, out, errs)
		}
		if i := strings.Index(errs, "sharedvault: error: "); code != 0 && (i < 0 || strings.Contains(errs[i:], ".\n")) {
			t.Errorf("%s: error format: %q", s.name, errs)
		}
	}

	// boards show --json: the contract fields, never a value.
	var show map[string]any
	c.json(&show, "boards", "show", "Web Team")
	want := map[string]any{"name": "Web Team", "system": "devops", "project": "Fabrikam", "area_path": `Fabrikam\Web`, "use_global": true,
		"credential_source": "global", "method": "pat", "provider": "devops", "secret": "devops.pat"}
	for k, v := range want {
		if diff := cmp.Diff(v, show[k]); diff != "" {
			t.Errorf("show %s (-want +got):\n%s", k, diff)
		}
	}
	if fp, _ := show["fingerprint"].(string); len(fp) != 14 {
		t.Errorf("show fingerprint = %v", show["fingerprint"])
	}
	var jira map[string]any
	c.json(&jira, "boards", "show", "Jira Board")
	if jira["project"] != "PROJ" || jira["credential_source"] != "global" || jira["method"] != "cloud" {
		t.Errorf("jira show = %v", jira)
	}

	// boards list --json: an array of boards with 8 fields each.
	var list []map[string]any
	c.json(&list, "boards", "list")
	if len(list) != 2 {
		t.Fatalf("list = %+v", list)
	}
	var keys []string
	for k := range list[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if diff := cmp.Diff([]string{"area_path", "credential_source", "fingerprint", "method", "name", "project", "system", "use_global"}, keys); diff != "" {
		t.Errorf("list item keys (-want +got):\n%s", diff)
	}

	// status --json carries the boards summary.
	var st struct {
		Boards struct {
			Count       int            `json:"count"`
			UsingGlobal int            `json:"using_global"`
			Usage       map[string]int `json:"usage"`
		} `json:"boards"`
	}
	c.json(&st, "status")
	if diff := cmp.Diff(map[string]int{"devops.pat": 1, "devops.sp": 0, "jira.token": 1}, st.Boards.Usage); diff != "" || st.Boards.Count != 2 || st.Boards.UsingGlobal != 2 {
		t.Errorf("status boards = %+v (-want +got usage):\n%s", st.Boards, diff)
	}

	// Wrong passphrase: exit 3, nothing changes.
	c.write("wrong", "not it\n")
	code, _, errs := c.run("", "--passphrase-file", filepath.Join(c.dir, "wrong"), "boards", "rm", "Web Team")
	if code != ExitLocked {
		t.Errorf("wrong passphrase: exit %d, %s", code, errs)
	}
	c.ok("boards", "show", "Web Team")

	c.scanCanaries()
}

func TestBoardsImpactConfirmation(t *testing.T) {
	interactive := false
	saved := stdinIsTerminal
	stdinIsTerminal = func(io.Reader) bool { return interactive }
	t.Cleanup(func() { stdinIsTerminal = saved })

	c := newCLIVault(t)
	c.setupProviders()
	c.ok("boards", "add", "A", "--system", "devops", "--project", "P")
	c.ok("boards", "add", "B", "--system", "jira", "--project", "P")
	c.ok("boards", "add", "C", "--system", "devops", "--project", "P", "--use-global=false")
	method := func() string {
		var st struct {
			DevOps struct {
				Method string `json:"method"`
			} `json:"devops"`
			Global bool `json:"global_shared_secret"`
		}
		c.json(&st, "status")
		return st.DevOps.Method + map[bool]string{true: "/on", false: "/off"}[st.Global]
	}

	tests := []struct {
		name        string
		interactive bool
		stdin       string
		args        []string
		code        int
		stderr      []string
		state       string
	}{
		{"interactive no", true, "n\n", []string{"devops", "use", "sp"}, ExitFailure,
			[]string{"this change affects 1 board(s):\n", "  A: global DevOps PAT, fingerprint ", " → global DevOps Service Principal, fingerprint ", "continue? [y/N] ", "sharedvault: error: cancelled; nothing was changed"}, "pat/on"},
		{"interactive empty answer", true, "", []string{"global", "off"}, ExitFailure, []string{"this change affects 2 board(s):", "  B: global Jira token, fingerprint ", " → none (global_disabled)"}, "pat/on"},
		{"interactive yes", true, "y\n", []string{"devops", "use", "sp"}, 0, []string{"continue? [y/N] "}, "sp/on"},
		{"interactive --yes", true, "", []string{"devops", "use", "pat", "--yes"}, 0, []string{"this change affects 1 board(s):"}, "pat/on"},
		{"script proceeds", false, "", []string{"global", "off"}, 0, []string{"this change affects 2 board(s):"}, "pat/off"},
		{"nothing affected, no preview", true, "", []string{"devops", "use", "sp"}, 0, nil, "sp/off"},
		{"replace shared secret", false, "", []string{"jira", "set", "--email", "bot@acme.example", "--domain", "acme.atlassian.net", "--token-file", c.secretFile("jira 2")}, 0, nil, "sp/off"},
	}
	for _, tt := range tests {
		interactive = tt.interactive
		code, _, errs := c.run(tt.stdin, tt.args...)
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d\n%s", tt.name, code, tt.code, errs)
		}
		for _, s := range tt.stderr {
			if !strings.Contains(errs, s) {
				t.Errorf("%s: stderr lacks %q:\n%s", tt.name, s, errs)
			}
		}
		if tt.stderr == nil && strings.Contains(errs, "affects") {
			t.Errorf("%s: unexpected preview:\n%s", tt.name, errs)
		}
		interactive = false
		if got := method(); got != tt.state {
			t.Errorf("%s: state %s, want %s", tt.name, got, tt.state)
		}
	}
	// Replacing the Jira token while it is used previews that board.
	c.ok("global", "on")
	code, _, errs := c.run("", "jira", "set", "--email", "bot@acme.example", "--domain", "acme.atlassian.net", "--token-file", c.secretFile("jira 3"))
	if code != 0 || !strings.Contains(errs, "  B: global Jira token, fingerprint ") || !strings.Contains(errs, "→ global Jira token, new value") {
		t.Errorf("jira replace preview: exit %d\n%s", code, errs)
	}
	c.scanCanaries()
}

// scanCanaries checks every output so far and the vault files for the
// canary tokens, as is, hex and base64 at every alignment.
func (c *cliVault) scanCanaries() {
	c.t.Helper()
	var files []string
	for _, s := range []string{"", "-wal", "-shm"} {
		files = append(files, c.path+s)
	}
	blobs := map[string][]byte{"outputs": c.outputs.Bytes()}
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			blobs[f] = b
		}
	}
	for label, tok := range c.canaries {
		forms := [][]byte{[]byte(tok), []byte(hex.EncodeToString([]byte(tok)))}
		for k := 0; k < 3; k++ {
			enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\x00", k) + tok))
			forms = append(forms, []byte(enc[4:len(enc)-4]))
		}
		for where, data := range blobs {
			for _, f := range forms {
				if bytes.Contains(data, f) {
					c.t.Errorf("%s contains the %s canary", where, label)
				}
			}
		}
	}
}
