package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sharedvault/backend/cli"
	"sharedvault/backend/vault"
)

type recordingEmitter struct{ events []string }

func (r *recordingEmitter) Emit(name string, data ...any) {
	b, _ := json.Marshal(data)
	r.events = append(r.events, name+string(b))
}

// TestCanaryNeverLeaves stores unique canary secrets through the window's
// services and through the CLI, then looks for them everywhere they must
// not be: every value a bound method returned to the frontend, every
// event, the log output, every CLI output, the audit log, and every file
// next to the vault (the database, its WAL/SHM, backups).
func TestCanaryNeverLeaves(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vault", "vault.db")
	var logBuf bytes.Buffer
	emit := &recordingEmitter{}
	svc := NewServices(path, vault.Options{}, emit, &logBuf)
	defer svc.Vault.close()

	canary := func(prefix string) string {
		b := make([]byte, 8)
		rand.Read(b)
		return prefix + "CANARY" + hex.EncodeToString(b) + "zz"
	}
	pat, sp, jira, own, cliPAT := canary("pat"), canary("sp"), canary("jira"), canary("own"), canary("cli")
	all := []string{pat, sp, jira, own, cliPAT}

	var returned []any
	keep := func(v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("service call: %v", err)
		}
		returned = append(returned, v)
	}
	if err := svc.Vault.Create("canary vault passphrase"); err != nil {
		t.Fatal(err)
	}
	keep(svc.Providers.Save(ProvidersForm{
		GlobalSharedSecret: true, DevOpsMethod: "pat", Confirmed: true,
		PAT:  &PATForm{Username: "jane@contoso.com", Organisation: "https://dev.azure.com/contoso/", Token: pat, Expires: "2099-01-01"},
		SP:   &SPForm{ClientID: "4d856d1f-8648-456c-9bb2-f36273bbe4e3", TenantID: "contoso.onmicrosoft.com", Organisation: "contoso", Secret: sp},
		Jira: &JiraForm{Email: "mia@example.com", Domain: "https://acme.atlassian.net/", Deployment: "auto", Token: jira},
	}))
	// A second save with empty secrets keeps them: still nothing returned.
	keep(svc.Providers.Save(ProvidersForm{GlobalSharedSecret: true, DevOpsMethod: "sp", Confirmed: true,
		PAT: &PATForm{Username: "jane@contoso.com", Organisation: "contoso"}}))
	keep(svc.Providers.View())
	keep(svc.Providers.History("devops.pat"))
	keep(svc.Boards.Add(BoardForm{Name: "Web", System: "devops", Project: "Web", UseGlobal: true}))
	keep(svc.Boards.Add(BoardForm{Name: "Ops", System: "devops", Project: "Ops", UseGlobal: false}))
	keep(svc.Boards.SetCredentials("Ops", CredentialsForm{Method: "pat", PAT: &PATForm{Username: "ops@contoso.com", Organisation: "contoso", Token: own}}))
	keep(svc.Boards.List(""))
	keep(svc.Boards.Show("Web"))
	keep(svc.Boards.Show("Ops"))
	keep(svc.Boards.Usage())
	keep(svc.Audit.List(0))
	keep(svc.Audit.Verify())
	keep(svc.Settings.Get())
	keep(svc.Connect.TestStored("devops", "", "run-1")) // unreachable: no network, but a full diagnosis
	keep(svc.Connect.TestBoard("Ops", "run-2"))
	// A validation error must not echo the value either.
	_, err := svc.Providers.Save(ProvidersForm{Confirmed: true, Jira: &JiraForm{Email: "mia@example.com", Domain: "https://acme.atlassian.net/", Token: "Bearer " + jira}})
	if err == nil {
		t.Fatal("a Bearer-prefixed token was accepted")
	}
	returned = append(returned, FormatError(err))
	svc.Vault.Lock()

	// The same vault through the CLI.
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("canary vault passphrase\n"), 0o600)
	tok := filepath.Join(dir, "tok")
	os.WriteFile(tok, []byte(cliPAT), 0o600)
	var cliOut bytes.Buffer
	for _, args := range [][]string{
		{"devops", "pat", "--username", "jane@contoso.com", "--organisation", "contoso", "--token-file", tok, "--yes"},
		{"status", "--json"}, {"status"}, {"history", "devops.pat", "--json"}, {"boards", "list", "--json"},
		{"boards", "show", "Ops", "--json"}, {"audit", "--json"}, {"audit", "--verify"}, {"test", "devops", "--json"},
		{"jira", "set", "--email", "mia@example.com", "--domain", "acme.atlassian.net", "--token-file", "/nonexistent"},
	} {
		full := append([]string{"--vault", path, "--passphrase-file", pass}, args...)
		cli.Run(context.Background(), full, strings.NewReader(""), &cliOut, &cliOut)
	}

	blob, _ := json.Marshal(returned)
	haystacks := map[string][]byte{
		"values returned to the frontend": blob,
		"events":                          []byte(strings.Join(emit.events, "\n")),
		"log output":                      logBuf.Bytes(),
		"CLI output":                      cliOut.Bytes(),
	}
	files, _ := filepath.Glob(filepath.Join(dir, "vault", "*"))
	if len(files) == 0 {
		t.Fatal("no vault files to scan")
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		haystacks[f] = b
	}
	for where, hay := range haystacks {
		for _, c := range all {
			for _, form := range []string{c, base64.StdEncoding.EncodeToString([]byte(":" + c)), hex.EncodeToString([]byte(c))} {
				if bytes.Contains(hay, []byte(form)) {
					t.Errorf("canary %s found in %s", form, where)
				}
			}
		}
	}
	// The fingerprints, on the other hand, are shown.
	if !bytes.Contains(blob, []byte(`"fingerprint":"`)) {
		t.Error("no fingerprint was returned at all: the scan would prove nothing")
	}
}
