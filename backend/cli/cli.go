// Package cli is sharedvault's headless front door: the same binary as the
// window, run with a subcommand. It is the contract of PRODUCT.md §4: command
// names, flags, JSON fields and exit codes are relied on by scripts.
//
// Secrets are read only from files or stdin (never argv), passphrases from a
// file or a terminal prompt, and nothing secret is ever printed.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"sharedvault/backend/vault"
)

// Version is set at build time with -ldflags "-X sharedvault/backend/cli.Version=…".
var Version = "0.1.0-dev"

// env is what one invocation sees of the outside world.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer

	vaultPath      string
	passphraseFile string
	jsonOut        bool

	stdinUsed     bool
	warnedMemlock bool
}

// Run executes one command line and returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	_, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	var silent *silentExit
	if errors.As(err, &silent) {
		return silent.code
	}
	code, hint := classify(err)
	if isCobraUsage(err) {
		code, hint = ExitUsage, "see sharedvault --help"
	}
	printError(stderr, err, hint)
	return code
}

// silentExit ends a command with a code after it printed its own output
// (a failed connectivity test prints its JSON and exits 1).
type silentExit struct{ code int }

func (s *silentExit) Error() string { return fmt.Sprintf("exit %d", s.code) }

func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most", "required flag", "if any flags in the group", "none of the others can be"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "sharedvault",
		Short:         "Keep the global shared credentials for Azure DevOps and Jira board integrations",
		Long:          "sharedvault keeps the global shared credentials that board integrations use to reach Azure DevOps and Jira,\nencrypted in a local vault. Run without arguments to open the window; with a command it runs headless.",
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       Version,
	}
	root.SetVersionTemplate("sharedvault {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVar(&e.vaultPath, "vault", "", "vault file (env SHAREDVAULT_PATH; default <user config dir>/sharedvault/vault.db)")
	pf.StringVar(&e.passphraseFile, "passphrase-file", "", "read the vault passphrase from this file (env SHAREDVAULT_PASSPHRASE_FILE; otherwise prompt)")
	pf.BoolVar(&e.jsonOut, "json", false, "print JSON")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageErr("%v", err) })
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageErr("unknown command %q", args[0])
		}
		return nil
	}
	root.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }

	for _, add := range commands {
		root.AddCommand(add(e))
	}
	return root
}

// commands is filled by the command files' init functions, one per area.
var commands []func(*env) *cobra.Command

func register(f func(*env) *cobra.Command) { commands = append(commands, f) }

func (e *env) path() (string, error) {
	if e.vaultPath != "" {
		return e.vaultPath, nil
	}
	if p := os.Getenv("SHAREDVAULT_PATH"); p != "" {
		return p, nil
	}
	return vault.DefaultPath()
}

// printJSON writes v as indented JSON.
func (e *env) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (e *env) printf(format string, a ...any) { fmt.Fprintf(e.stdout, format, a...) }

// exactArgs is cobra.ExactArgs with our usage error format.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr("%s takes %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}

func sortStrings(s []string) []string { sort.Strings(s); return s }

func isUnix() bool { return runtime.GOOS != "windows" }
