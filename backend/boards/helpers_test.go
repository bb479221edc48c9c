package boards

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

func TestMain(m *testing.M) {
	vault.SetKDFForTests(vault.KDFParams{Algorithm: "argon2id", MemoryKiB: 1024, Iterations: 1, Parallelism: 1})
	os.Exit(m.Run())
}

// canary returns a unique token that must never show up outside the vault's
// ciphertexts.
func canary(tb testing.TB) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return "CANARY-" + hex.EncodeToString(b)
}

const (
	tenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	clientID = "0b5c9a5e-1f7d-4e8a-9c1e-3f6a2b7d8e90"
)

type fixture struct {
	path string
	v    *vault.Vault
	ps   *providers.Service
	bs   *Service
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "vault.db")
	v, err := vault.Create(context.Background(), path, []byte("correct horse battery staple"), vault.Options{AutoLock: -1})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { v.Close() })
	ps := providers.NewService(v)
	return &fixture{path: path, v: v, ps: ps, bs: NewService(ps)}
}

func (f *fixture) must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func (f *fixture) savePAT(tb testing.TB, token string) {
	tb.Helper()
	f.must(tb, f.ps.SaveDevOpsPAT(context.Background(), providers.PATInput{Username: "admin@contoso.com", Organisation: "https://dev.azure.com/contoso/", Token: []byte(token)}))
}

func (f *fixture) saveSP(tb testing.TB, secret string) {
	tb.Helper()
	f.must(tb, f.ps.SaveDevOpsSP(context.Background(), providers.SPInput{ClientID: clientID, TenantID: tenantID, Organisation: "contoso", Secret: []byte(secret)}))
}

func (f *fixture) saveJira(tb testing.TB, token string) {
	tb.Helper()
	f.must(tb, f.ps.SaveJira(context.Background(), providers.JiraInput{Email: "jira-bot@acme.example", Domain: "https://acme.atlassian.net/", Token: []byte(token)}))
}

func (f *fixture) add(tb testing.TB, name, system string, useGlobal bool) Board {
	tb.Helper()
	project := "Fabrikam"
	if system == SystemJira {
		project = "PROJ"
	}
	b, err := f.bs.Add(context.Background(), Spec{Name: name, System: system, Project: project, UseGlobal: useGlobal})
	f.must(tb, err)
	return b
}

func (f *fixture) ownPAT(tb testing.TB, board, token string) {
	tb.Helper()
	_, err := f.bs.SetCredentials(context.Background(), board, CredentialsInput{PAT: &providers.PATInput{Username: "team@contoso.com", Organisation: "contoso", Token: []byte(token)}})
	f.must(tb, err)
}

func (f *fixture) ownSP(tb testing.TB, board, secret string) {
	tb.Helper()
	_, err := f.bs.SetCredentials(context.Background(), board, CredentialsInput{SP: &providers.SPInput{ClientID: clientID, TenantID: tenantID, Organisation: "contoso", Secret: []byte(secret)}})
	f.must(tb, err)
}

func (f *fixture) ownJira(tb testing.TB, board, domain, token string) {
	tb.Helper()
	_, err := f.bs.SetCredentials(context.Background(), board, CredentialsInput{Jira: &providers.JiraInput{Email: "team@acme.example", Domain: domain, Token: []byte(token)}})
	f.must(tb, err)
}
