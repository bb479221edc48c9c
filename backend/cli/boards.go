package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/awnumar/memguard"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"sharedvault/backend/boards"
	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

// Exit codes of the boards commands: a duplicate name and a --system value
// other than devops or jira are invalid input (5), an unknown board is not
// found (4), flags that do not belong together are a usage error (2).

func init() {
	register(boardsCmd)

	prevStatus := statusExtras
	statusExtras = func(e *env, v *vault.Vault, st *statusJSON) error {
		if prevStatus != nil {
			if err := prevStatus(e, v, st); err != nil {
				return err
			}
		}
		sum, err := boards.NewService(providers.NewService(v)).Summarize(e.ctx)
		if err != nil {
			return err
		}
		st.Boards = sum
		return nil
	}

	prevResolve := resolveSecretName
	resolveSecretName = func(e *env, v *vault.Vault, name string) (string, error) {
		if board, ok := strings.CutPrefix(name, "board:"); ok {
			return boards.NewService(providers.NewService(v)).SecretName(e.ctx, board)
		}
		return prevResolve(e, v, name)
	}

	prevRollback := rollbackSecret
	rollbackSecret = func(e *env, v *vault.Vault, ps *providers.Service, name string, ver int) (providers.Record, error) {
		if strings.HasPrefix(name, "board:") {
			return boards.NewService(ps).Rollback(e.ctx, name, ver)
		}
		return prevRollback(e, v, ps, name, ver)
	}

	confirmImpactFn = confirmBoardsImpact
}

// stdinIsTerminal says whether the confirmation question can be asked.
var stdinIsTerminal = func(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// maxImpactLines caps the preview; the rest is counted.
const maxImpactLines = 200

// confirmBoardsImpact prints which boards a change affects and, on a
// terminal without --yes, asks before going on. Scripts (no terminal) get
// the preview on stderr and proceed: PRODUCT.md §4 has no --yes, and
// existing scripts must keep working.
func confirmBoardsImpact(e *env, v *vault.Vault, k impactKind, yes bool) error {
	p := boards.Plan{Method: k.method, Replace: k.secret}
	if k.globalOff {
		off := false
		p.Global = &off
	}
	changes, err := boards.NewService(providers.NewService(v)).Impact(e.ctx, p)
	if err != nil || len(changes) == 0 {
		return err
	}
	fmt.Fprintf(e.stderr, "this change affects %d board(s):\n", len(changes))
	for i, c := range changes {
		if i == maxImpactLines {
			fmt.Fprintf(e.stderr, "  … and %d more (see `sharedvault boards list`)\n", len(changes)-i)
			break
		}
		fmt.Fprintf(e.stderr, "  %s: %s → %s\n", c.Board, c.From, c.To)
	}
	if yes || !stdinIsTerminal(e.stdin) {
		return nil
	}
	if e.stdinUsed {
		return withCode(ExitUsage, errors.New("cannot ask for confirmation: stdin was used for a secret"), "add --yes to confirm; nothing was changed")
	}
	fmt.Fprint(e.stderr, "continue? [y/N] ")
	ans, _ := bufio.NewReader(e.stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(ans)) {
	case "y", "yes":
		return nil
	}
	return withCode(ExitFailure, errors.New("cancelled; nothing was changed"), "")
}

func (e *env) withBoards(fn func(bs *boards.Service) error) error {
	return e.withProviders(func(v *vault.Vault, ps *providers.Service) error {
		return fn(boards.NewService(ps))
	})
}

func boardsCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "boards",
		Short: `Board integrations and their "Use Global Default Secret/PAT token" toggle`,
	}
	c.AddCommand(boardsAddCmd(e), boardsListCmd(e), boardsShowCmd(e), boardsSetCmd(e), boardsCredsCmd(e), boardsRmCmd(e), boardsTestCmd(e))
	return c
}

func boardsAddCmd(e *env) *cobra.Command {
	var sp boards.Spec
	c := &cobra.Command{
		Use:   "add NAME --system devops|jira --project P [--area-path A] [--use-global=true|false]",
		Short: "Add a board integration",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sp.Name = args[0]
			return e.withBoards(func(bs *boards.Service) error {
				b, err := bs.Add(e.ctx, sp)
				if err != nil {
					return err
				}
				return e.showBoard(bs, b.Name, "added")
			})
		},
	}
	f := c.Flags()
	f.StringVar(&sp.System, "system", "", "devops or jira")
	f.StringVar(&sp.Project, "project", "", "DevOps project name or Jira project key")
	f.StringVar(&sp.AreaPath, "area-path", "", "DevOps Area Path (optional)")
	f.BoolVar(&sp.UseGlobal, "use-global", true, "Use Global Default Secret/PAT token")
	_ = c.MarkFlagRequired("system")
	_ = c.MarkFlagRequired("project")
	return c
}

func boardsListCmd(e *env) *cobra.Command {
	var filter string
	c := &cobra.Command{
		Use:   "list [--json] [--filter TEXT]",
		Short: "List boards and the credential each uses (masked)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withBoards(func(bs *boards.Service) error {
				lv, err := bs.List(e.ctx, filter)
				if err != nil {
					return err
				}
				if e.jsonOut {
					// A bare array of the boards (each with the fields of
					// `boards show --json`), as list commands usually print.
					return e.printJSON(lv.Boards)
				}
				if lv.Count == 0 {
					if filter != "" {
						e.printf("no boards match %q\n", filter)
					} else {
						e.printf("no boards (add one with `sharedvault boards add NAME --system devops|jira --project P`)\n")
					}
					return nil
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tSYSTEM\tPROJECT\tAREA PATH\tUSE GLOBAL\tCREDENTIALS\tMETHOD\tFINGERPRINT")
				for _, b := range lv.Boards {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\t%s\t%s\t%s\n", b.Name, b.System, b.Project, dash(b.AreaPath), b.UseGlobal, b.CredentialSource, dash(b.Method), dash(b.Fingerprint))
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				e.printf("%d board(s)\n", lv.Count)
				return nil
			})
		},
	}
	c.Flags().StringVar(&filter, "filter", "", "only boards whose name, system, project or area path contains TEXT (case-insensitive)")
	return c
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func boardsShowCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "show NAME [--json]",
		Short: "Show a board and the credential it uses (masked)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withBoards(func(bs *boards.Service) error {
				view, err := bs.Show(e.ctx, args[0])
				if err != nil {
					return err
				}
				if e.jsonOut {
					return e.printJSON(view)
				}
				printBoard(e, view)
				return nil
			})
		},
	}
}

func printBoard(e *env, v boards.View) {
	e.printf("board:        %s\n", v.Name)
	e.printf("system:       %s\n", v.System)
	e.printf("project:      %s\n", v.Project)
	if v.System == boards.SystemDevOps {
		e.printf("area path:    %s\n", dash(v.AreaPath))
	}
	e.printf("Use Global Default Secret/PAT token: %t\n", v.UseGlobal)
	e.printf("credentials:  %s\n", v.Credentials)
	if v.Secret != "" {
		e.printf("secret:       %s (version %d)\n", v.Secret, v.Version)
	}
	if v.ExpiresAt != "" {
		e.printf("expires:      %s\n", v.ExpiresAt)
	}
	if v.Code != "" {
		e.printf("problem:      %s (%s)\n", v.Message, v.Code)
		e.printf("to fix:       %s\n", v.Hint)
	}
	if v.OwnSecret != "" && v.CredentialSource != boards.SourceBoard {
		e.printf("own credentials stored (%s, %s), not in use while the toggle is on\n", v.OwnSecret, v.OwnMethod)
	}
}

func boardsSetCmd(e *env) *cobra.Command {
	var useGlobal bool
	var project, areaPath string
	c := &cobra.Command{
		Use:   "set NAME [--use-global=true|false] [--project P] [--area-path A]",
		Short: `Change a board: "Use Global Default Secret/PAT token", project, area path`,
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ch boards.Changes
			fl := cmd.Flags()
			if fl.Changed("use-global") {
				ch.UseGlobal = &useGlobal
			}
			if fl.Changed("project") {
				ch.Project = &project
			}
			if fl.Changed("area-path") {
				ch.AreaPath = &areaPath
			}
			if ch.UseGlobal == nil && ch.Project == nil && ch.AreaPath == nil {
				return usageErr("nothing to change: give --use-global, --project or --area-path")
			}
			return e.withBoards(func(bs *boards.Service) error {
				b, err := bs.Set(e.ctx, args[0], ch)
				if err != nil {
					return err
				}
				return e.showBoard(bs, b.Name, "updated")
			})
		},
	}
	f := c.Flags()
	f.BoolVar(&useGlobal, "use-global", true, "Use Global Default Secret/PAT token")
	f.StringVar(&project, "project", "", "DevOps project name or Jira project key")
	f.StringVar(&areaPath, "area-path", "", "DevOps Area Path (\"\" clears it)")
	return c
}

// credFlagsByKind lists the `boards creds` flags each kind of credential takes.
var credFlagsByKind = map[string][]string{
	"devops pat": {"username", "organisation", "token-file", "expires"},
	"devops sp":  {"client-id", "auth-url", "tenant-id", "organisation", "secret-file", "expires"},
	"jira":       {"email", "domain", "token-file", "deployment", "expires"},
}

func boardsCredsCmd(e *env) *cobra.Command {
	var f credFlags
	var method string
	c := &cobra.Command{
		Use:   "creds NAME [--method pat|sp] …",
		Short: "Store a board's own credentials (same flags as the provider commands)",
		Long: `Store a board's own credentials, used while its "Use Global Default Secret/PAT token" is off.

devops board, --method pat (default): --username U --organisation ORG_OR_URL --token-file F [--expires YYYY-MM-DD]
devops board, --method sp:  --client-id GUID (--auth-url URL | --tenant-id ID) --organisation ORG_OR_URL --secret-file F [--expires …]
jira board:                 --email E --domain URL --token-file F [--deployment auto|cloud|datacenter] [--expires …]

Leaving out --token-file / --secret-file keeps the stored value of the same method.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withBoards(func(bs *boards.Service) error {
				b, err := bs.Find(e.ctx, args[0])
				if err != nil {
					return err
				}
				kind := "jira"
				if b.System == boards.SystemDevOps {
					switch strings.ToLower(method) {
					case "", providers.MethodPAT:
						kind = "devops pat"
					case providers.MethodSP:
						kind = "devops sp"
					default:
						return usageErr("--method must be pat or sp, got %q", method)
					}
				} else if cmd.Flags().Changed("method") {
					return usageErr("--method applies to devops boards; a jira board's method follows --deployment")
				}
				if err := checkCredFlags(cmd, kind); err != nil {
					return err
				}
				var in boards.CredentialsInput
				var secret []byte
				switch kind {
				case "devops pat":
					pat, err := f.patInput(e)
					if err != nil {
						return err
					}
					in.PAT, secret = &pat, pat.Token
				case "devops sp":
					sp, err := f.spInput(e)
					if err != nil {
						return err
					}
					in.SP, secret = &sp, sp.Secret
				default:
					j, err := f.jiraInput(e)
					if err != nil {
						return err
					}
					in.Jira, secret = &j, j.Token
				}
				defer memguard.WipeBytes(secret)
				saved, err := bs.SetCredentials(e.ctx, b.Name, in)
				if err != nil {
					return err
				}
				if e.jsonOut {
					return e.printJSON(saved)
				}
				e.printf("saved own credentials of board %s: %s, fingerprint %s (version %d)\n", saved.Board, saved.Method, saved.Fingerprint, saved.Version)
				if !saved.InUse {
					e.printf("not in use while the board uses the global secret; switch with `sharedvault boards set %s --use-global=false`\n", saved.Board)
				}
				return nil
			})
		},
	}
	fl := c.Flags()
	fl.StringVar(&method, "method", "", "devops boards: pat (Personal Access Token, the default) or sp (Service Principal)")
	fl.StringVar(&f.username, "username", "", "PAT username (typically the email of the account that created the token)")
	fl.StringVar(&f.organisation, "organisation", "", "DevOps organisation: a name (contoso), https://dev.azure.com/contoso/ or a server collection URL")
	fl.StringVar(&f.tokenFile, "token-file", "", "file holding the DevOps PAT or the Jira token (- = stdin)")
	fl.StringVar(&f.clientID, "client-id", "", "Service Principal client id (GUID)")
	fl.StringVar(&f.authURL, "auth-url", "", "Authentication Url: https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token")
	fl.StringVar(&f.tenantID, "tenant-id", "", "Azure Tenant ID (builds the Authentication Url)")
	fl.StringVar(&f.secretFile, "secret-file", "", "file holding the Service Principal secret (- = stdin)")
	fl.StringVar(&f.email, "email", "", "Jira account email address")
	fl.StringVar(&f.domain, "domain", "", "Jira domain, e.g. https://your_domain.atlassian.net/")
	fl.StringVar(&f.deployment, "deployment", "auto", "Jira deployment: auto, cloud or datacenter")
	fl.StringVar(&f.expires, "expires", "", "expiry date YYYY-MM-DD")
	return c
}

// checkCredFlags refuses credential flags that do not belong to kind, so a
// mistyped command does not silently drop a value.
func checkCredFlags(cmd *cobra.Command, kind string) error {
	allowed := map[string]bool{"method": true}
	for _, n := range credFlagsByKind[kind] {
		allowed[n] = true
	}
	var bad []string
	seen := map[string]bool{}
	for _, names := range credFlagsByKind {
		for _, n := range names {
			if !seen[n] && !allowed[n] && cmd.Flags().Changed(n) {
				bad = append(bad, "--"+n)
			}
			seen[n] = true
		}
	}
	slices.Sort(bad)
	if len(bad) > 0 {
		return usageErr("%s do(es) not apply to %s credentials", strings.Join(bad, ", "), kind)
	}
	return nil
}

func boardsRmCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a board and its own credentials (all versions)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withBoards(func(bs *boards.Service) error {
				r, err := bs.Remove(e.ctx, args[0])
				if err != nil {
					return err
				}
				if e.jsonOut {
					return e.printJSON(r)
				}
				e.printf("removed board %s", r.Board)
				if r.OwnSecretVersions > 0 {
					e.printf(" and %d version(s) of its own credentials", r.OwnSecretVersions)
				}
				e.printf("\n")
				return nil
			})
		},
	}
}

// showBoard prints a board after a change: its JSON view, or a line saying
// what happened followed by the board.
func (e *env) showBoard(bs *boards.Service, name, verb string) error {
	view, err := bs.Show(e.ctx, name)
	if err != nil {
		return err
	}
	if e.jsonOut {
		return e.printJSON(view)
	}
	e.printf("%s board %s\n", verb, name)
	printBoard(e, view)
	return nil
}
