package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sharedvault/backend/netconf"
	"sharedvault/backend/providers"
)

// endlessToken is a 100 MB "token" on stdin that counts what was read of it.
type endlessToken struct{ remaining, read int64 }

func (r *endlessToken) Read(p []byte) (int, error) {
	if r.remaining == 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > r.remaining {
		n = r.remaining
	}
	for i := range p[:n] {
		p[i] = 'a'
	}
	r.remaining -= n
	r.read += n
	return int(n), nil
}

// sparseFile makes a file of size bytes without writing them.
func sparseFile(t *testing.T, dir, name string, size int64) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

// TestOversizedInputRefused: a 100 MB token (file or stdin), a 100 MB
// passphrase file, a 10,000-character organisation, an oversized PEM and
// recipients file are each refused quickly with exit code 5 and a message
// naming the field and the limit; stdin is read no further than the limit,
// and the vault is left as it was.
func TestOversizedInputRefused(t *testing.T) {
	c := newCLIVault(t)
	good := c.secretFile("good")
	const hundredMB = 100 << 20
	bigFile := sparseFile(t, c.dir, "big", hundredMB)
	bigPEM := sparseFile(t, c.dir, "big.pem", netconf.MaxPEMBytes+1)
	longOrg := strings.Repeat("o", 10_000)
	base := []string{"--vault", c.path, "--passphrase-file", c.passFile}

	cases := []struct {
		name  string
		args  []string
		stdin *endlessToken
		want  string // the whole error line
	}{
		{"100 MB token on stdin", []string{"devops", "pat", "--username", "jane@contoso.com", "--organisation", "fabrikam", "--token-file", "-"},
			&endlessToken{remaining: hundredMB}, "invalid token: stdin is larger than 8192 bytes"},
		{"100 MB token file", []string{"jira", "set", "--email", "mia@example.com", "--domain", "acme.atlassian.net", "--token-file", bigFile}, nil,
			"invalid token: " + bigFile + " is larger than 8192 bytes"},
		{"100 MB secret file", []string{"devops", "sp", "--client-id", testClient, "--tenant-id", testTenant, "--organisation", "fabrikam", "--secret-file", bigFile}, nil,
			"invalid secret: " + bigFile + " is larger than 8192 bytes"},
		{"100 MB board token", []string{"boards", "creds", "Own", "--username", "u@x.com", "--organisation", "fabrikam", "--token-file", "-"},
			&endlessToken{remaining: hundredMB}, "invalid token: stdin is larger than 8192 bytes"},
		{"10,000-character organisation", []string{"devops", "pat", "--username", "jane@contoso.com", "--organisation", longOrg, "--token-file", good}, nil,
			"invalid organisation: organisation is longer than 2048 bytes"},
		{"10,000-character organisation url", []string{"devops", "sp", "--client-id", testClient, "--tenant-id", testTenant, "--organisation", "https://tfs.corp.local/tfs/" + longOrg, "--secret-file", good}, nil,
			"invalid organisation: organisation is longer than 2048 bytes"},
		{"100 MB passphrase file", []string{"--passphrase-file", bigFile, "global", "on"}, nil,
			"invalid passphrase: " + bigFile + " is larger than 4096 bytes"},
		{"oversized PEM", []string{"trust", "add", bigPEM}, nil,
			"invalid certificate: " + bigPEM + " is larger than 1048576 bytes"},
		{"100 MB recipients file", []string{"export", "--out", filepath.Join(c.dir, "b.age"), "--recipients-file", bigFile}, nil,
			"invalid recipients: " + bigFile + " is larger than 65536 bytes"},
	}
	c.ok("boards", "add", "Own", "--system", "devops", "--project", "Fabrikam-Fiber-Git", "--use-global=false")
	before := c.ok("status", "--json")
	boardBefore := c.ok("boards", "show", "Own", "--json")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdin io.Reader = strings.NewReader("")
			if tc.stdin != nil {
				stdin = tc.stdin
			}
			var out, errb bytes.Buffer
			start := time.Now()
			code := Run(context.Background(), append(append([]string{}, base...), tc.args...), stdin, &out, &errb)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("refused after %v, want well under a second (sanity bound 2 s)", d)
			}
			if code != ExitInvalid {
				t.Errorf("exit %d, want %d\n%s", code, ExitInvalid, errb.String())
			}
			if line, _, _ := strings.Cut(errb.String(), "\n"); line != "sharedvault: error: "+tc.want {
				t.Errorf("stderr %q, want the line %q", errb.String(), "sharedvault: error: "+tc.want)
			}
			if errb.Len() > 1000 || strings.Contains(errb.String(), "aaaaaaaa") {
				t.Errorf("stderr quotes the input: %d bytes", errb.Len())
			}
			if tc.stdin != nil && tc.stdin.read > providers.MaxTokenBytes+1 {
				t.Errorf("read %d bytes of stdin, want at most %d", tc.stdin.read, providers.MaxTokenBytes+1)
			}
		})
	}
	if after := c.ok("status", "--json"); after != before {
		t.Errorf("refused commands changed the vault:\nbefore %s\nafter  %s", before, after)
	}
	if after := c.ok("boards", "show", "Own", "--json"); after != boardBefore {
		t.Errorf("refused commands changed the board:\nbefore %s\nafter  %s", boardBefore, after)
	}
	if out := c.ok("trust", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("trust list = %s, want none", out)
	}

	// The limits are on size: a token file of exactly MaxTokenBytes is read.
	atLimit := c.write("limit.token", strings.Repeat("t", providers.MaxTokenBytes-1)+"\n")
	c.ok("devops", "pat", "--username", "jane@contoso.com", "--organisation", "fabrikam", "--token-file", atLimit)
	var st struct {
		DevOps struct {
			PATToken struct{ Set bool } `json:"pat_token"`
		} `json:"devops"`
	}
	c.json(&st, "status")
	if !st.DevOps.PATToken.Set {
		t.Errorf("a %s-byte token file was not stored", strconv.Itoa(providers.MaxTokenBytes))
	}
}
