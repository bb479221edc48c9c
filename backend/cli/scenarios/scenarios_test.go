// Package scenarios runs the CLI contract (PRODUCT.md §4) as script files:
// testdata/script/*.txtar, one scenario each, through the real command tree
// and the real vault, against loopback emulators of Azure DevOps, Entra and
// Jira.
package scenarios

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"sharedvault/backend/bundle"
	"sharedvault/backend/cli"
	"sharedvault/backend/internal/emulator"
	"sharedvault/backend/vault"
)

// cheapKDF keeps each scripted vault fast; the defaults are tested in
// backend/vault and by the release-binary tests.
var cheapKDF = vault.KDFParams{Algorithm: "argon2id", MemoryKiB: 1024, Iterations: 1, Parallelism: 1}

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"sharedvault": func() {
			vault.SetKDFForTests(cheapKDF)
			restore := bundle.SetScryptWorkFactorForTests(10)
			code := cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
			restore()
			os.Exit(code)
		},
	})
}

func TestScripts(t *testing.T) {
	ado := emulator.NewTLS(t, emulator.Fixture())
	plain := emulator.New(t, emulator.Fixture())
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("SHAREDVAULT_PATH", filepath.Join(env.WorkDir, "vault", "vault.db"))
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("EMU", ado.URL)
			env.Setenv("EMU_PLAIN", plain.URL)
			env.Setenv("GOOD_PAT", emulator.GoodPAT)
			env.Setenv("JIRA_TOKEN", emulator.JiraAPIToken)
			env.Setenv("APP_ID", emulator.AppClientID)
			env.Setenv("APP_SECRET", emulator.AppSecret)
			env.Setenv("TENANT", emulator.Tenant)
			return os.WriteFile(filepath.Join(env.WorkDir, "emu-ca.pem"), ado.CAPEM, 0o644)
		},
	})
}
