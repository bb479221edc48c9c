package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"sharedvault/backend/connect"
	"sharedvault/backend/netconf"
	"sharedvault/backend/probe"
	"sharedvault/backend/vault"
)

func init() {
	register(testCmd)
	register(trustCmd)
}

func testCmd(e *env) *cobra.Command {
	var method string
	c := &cobra.Command{
		Use:       "test devops|jira [--json]",
		Short:     "Test the stored shared credentials from this machine, with a diagnosis",
		Long:      "Connect to Azure DevOps (PAT or Service Principal via Entra) or Jira (Cloud or Data Center) with the stored shared credentials and report what happened, what to do, and who the credentials authenticated as. Exit code 0 when the test passed, 1 when it failed.",
		Args:      exactArgs(1),
		ValidArgs: []string{"devops", "jira"},
		RunE: func(cmd *cobra.Command, args []string) error {
			service := strings.ToLower(args[0])
			if service != connect.ServiceDevOps && service != connect.ServiceJira {
				return usageErr("test takes devops or jira, got %q", args[0])
			}
			return e.withVault(func(v *vault.Vault) error {
				var progress func(connect.Check)
				if !e.jsonOut {
					progress = func(c connect.Check) { printCheck(e, c) }
				}
				res, err := probe.New(v).Provider(e.ctx, service, method, progress)
				if err != nil {
					return err
				}
				return e.printResult(res)
			})
		},
	}
	c.Flags().StringVar(&method, "method", "", "devops only: test pat or sp instead of the selected method")
	return c
}

func printCheck(e *env, c connect.Check) {
	mark := "ok  "
	if !c.OK {
		mark = "FAIL"
	}
	status := ""
	if c.Status != 0 {
		status = fmt.Sprintf(" HTTP %d", c.Status)
	}
	fmt.Fprintf(e.stderr, "  [%s] %s%s (%d ms)\n", mark, c.Name, status, c.DurationMS)
}

// printResult prints a test result and turns a failed test into exit code 1.
func (e *env) printResult(res connect.Result) error {
	if res.Checks == nil {
		res.Checks = []connect.Check{}
	}
	if e.jsonOut {
		if err := e.printJSON(res); err != nil {
			return err
		}
	} else {
		state := "ok"
		if !res.OK {
			state = "FAILED (" + res.Code + ")"
		}
		e.printf("%s %s test: %s\n", res.Service, res.Method, state)
		e.printf("  %s\n", res.Message)
		if res.Identity != "" {
			e.printf("  authenticated as: %s\n", res.Identity)
		}
		if res.Hint != "" {
			e.printf("  hint: %s\n", res.Hint)
		}
		for _, w := range res.Warnings {
			e.printf("  warning: %s\n", w)
		}
		if res.SupportID != "" {
			e.printf("  support id: %s\n", res.SupportID)
		}
	}
	if !res.OK {
		return &silentExit{code: ExitFailure}
	}
	return nil
}

func trustCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "trust", Short: "Extra CA certificates for on-prem servers (stored in the vault, trusted with the system roots)"}
	c.AddCommand(&cobra.Command{
		Use:   "add FILE.pem",
		Short: "Trust the CA certificate(s) in a PEM file",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pemBytes, err := readFileLimited(args[0], "certificate", netconf.MaxPEMBytes)
			if err != nil {
				return err
			}
			return e.withVault(func(v *vault.Vault) error {
				added, err := netconf.New(v).AddCA(e.ctx, pemBytes)
				if err != nil {
					return err
				}
				if e.jsonOut {
					return e.printJSON(map[string]any{"added": added})
				}
				if len(added) == 0 {
					e.printf("already trusted\n")
				}
				for _, ca := range added {
					e.printf("trusted %s (sha256 %s, expires %s)\n", ca.Subject, ca.Fingerprint, ca.NotAfter)
				}
				return nil
			})
		},
	}, &cobra.Command{
		Use:   "list",
		Short: "List the trusted CA certificates",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withVault(func(v *vault.Vault) error {
				cas, err := netconf.New(v).ListCAs(e.ctx)
				if err != nil {
					return err
				}
				if e.jsonOut {
					return e.printJSON(cas) // list commands print a bare array
				}
				if len(cas) == 0 {
					e.printf("no extra CA certificates (the system roots are trusted)\n")
				}
				for _, ca := range cas {
					exp := ""
					if ca.Expired {
						exp = " (EXPIRED)"
					}
					e.printf("%s  %s  expires %s%s\n", ca.Fingerprint, ca.Subject, ca.NotAfter, exp)
				}
				return nil
			})
		},
	}, &cobra.Command{
		Use:   "remove FINGERPRINT",
		Short: "Stop trusting a CA certificate (sha256 fingerprint or an unambiguous prefix)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withVault(func(v *vault.Vault) error {
				ca, err := netconf.New(v).RemoveCA(e.ctx, args[0])
				if err != nil {
					return err
				}
				if e.jsonOut {
					return e.printJSON(map[string]any{"removed": ca})
				}
				e.printf("removed %s (%s)\n", ca.Subject, ca.Fingerprint)
				return nil
			})
		},
	})
	return c
}

// unwrapPath drops the path from *fs.PathError: the caller names the file.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func boardsTestCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "test NAME [--json]",
		Short: "Test the board's effective credentials and its project / area path access",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withVault(func(v *vault.Vault) error {
				var progress func(connect.Check)
				if !e.jsonOut {
					progress = func(c connect.Check) { printCheck(e, c) }
				}
				res, err := probe.New(v).Board(e.ctx, args[0], progress)
				if err != nil {
					return err
				}
				return e.printResult(res)
			})
		},
	}
}
