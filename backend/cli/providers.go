package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

func init() {
	register(statusCmd)
	register(globalCmd)
	register(devopsCmd)
	register(jiraCmd)
	register(historyCmd)
	register(rollbackCmd)
	extraClassifiers = append(extraClassifiers, func(err error) (int, bool) {
		switch {
		case errors.Is(err, providers.ErrInvalid):
			return ExitInvalid, true
		case errors.Is(err, providers.ErrNotConfigured):
			return ExitNotFound, true
		}
		return 0, false
	})
}

// withProviders opens and unlocks the vault and runs fn with the providers service.
func (e *env) withProviders(fn func(v *vault.Vault, p *providers.Service) error) error {
	return e.withVault(func(v *vault.Vault) error { return fn(v, providers.NewService(v)) })
}

func statusCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the vault state, KDF parameters, the global toggle, the providers (masked) and expiry warnings",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := e.path()
			if err != nil {
				return err
			}
			if ok, err := vault.Exists(p); err != nil {
				return err
			} else if !ok {
				if e.jsonOut {
					return e.printJSON(map[string]any{"initialized": false, "path": p, "warnings": []string{}})
				}
				e.printf("no vault at %s (create one with `sharedvault init`)\n", p)
				return nil
			}
			return e.withProviders(func(v *vault.Vault, ps *providers.Service) error {
				view, err := ps.View(e.ctx)
				if err != nil {
					return err
				}
				info := v.Info()
				autoLock := int(vault.DefaultAutoLock / time.Minute)
				if s, ok, err := vault.Setting(e.ctx, v.DB(), vault.SettingAutoLockMinutes); err == nil && ok {
					autoLock, _ = strconv.Atoi(s)
				}
				st := statusJSON{Initialized: true, Locked: false, Path: info.Path, VaultID: info.VaultID, FormatVersion: info.FormatVersion,
					KDF: info.KDF, AutoLockMinutes: autoLock, View: view}
				if extra := statusExtras; extra != nil {
					if err := extra(e, v, &st); err != nil {
						return err
					}
				}
				if e.jsonOut {
					return e.printJSON(st)
				}
				printStatus(e, st)
				return nil
			})
		},
	}
}

// statusJSON is `status --json` (PRODUCT.md §4).
type statusJSON struct {
	Initialized     bool            `json:"initialized"`
	Locked          bool            `json:"locked"`
	Path            string          `json:"path"`
	VaultID         string          `json:"vault_id"`
	FormatVersion   int             `json:"format_version"`
	KDF             vault.KDFParams `json:"kdf"`
	AutoLockMinutes int             `json:"auto_lock_minutes"`
	providers.View
	Boards any `json:"boards,omitempty"`
}

// statusExtras lets other areas (boards) add to status without this file
// knowing them.
var statusExtras func(e *env, v *vault.Vault, st *statusJSON) error

func printStatus(e *env, st statusJSON) {
	onOff := map[bool]string{true: "on", false: "off"}
	e.printf("vault:    %s (id %s, format %d)\n", st.Path, st.VaultID, st.FormatVersion)
	e.printf("kdf:      %s\n", st.KDF)
	e.printf("Use Global Integration Shared Secret: %s\n", onOff[st.GlobalSharedSecret])
	d := st.DevOps
	method := map[string]string{"pat": "Personal Access Token", "sp": "Service Principal", "": "not configured"}[d.Method]
	e.printf("DevOps Shared Authentication Provider: %s\n", method)
	if d.PATToken.Set {
		e.printf("  DevOps Shared PAT Username:   %s\n", d.Username)
		e.printf("  DevOps Shared PAT Token:      %s\n", maskLine(d.PATToken))
	}
	if d.SPSecret.Set {
		e.printf("  DevOps Shared Client Id:      %s\n", d.ClientID)
		e.printf("  DevOps Shared Secret:         %s\n", maskLine(d.SPSecret))
		e.printf("  DevOps Shared Authentication Url: %s\n", d.AuthURL)
	}
	if d.Organisation != "" {
		e.printf("  DevOps Shared Organisation:   %s (%s)\n", d.Organisation, d.OrganisationURL)
	}
	j := st.Jira
	if j.Token.Set {
		e.printf("Jira: %s\n", j.Deployment)
		e.printf("  Jira Shared Account email address: %s\n", j.Email)
		e.printf("  Jira Shared PAT Token:        %s\n", maskLine(j.Token))
		e.printf("  Jira Shared Domain:           %s\n", j.Domain)
	} else {
		e.printf("Jira: not configured\n")
	}
	for _, w := range st.Warnings {
		e.printf("warning: %s\n", w)
	}
}

func maskLine(in providers.Info) string {
	s := fmt.Sprintf("set, fingerprint %s, updated %s by %s", in.Fingerprint, in.UpdatedAt, in.UpdatedBy)
	if in.ExpiresAt != "" {
		s += ", expires " + in.ExpiresAt
		if in.Expired {
			s += " (EXPIRED)"
		}
	}
	return s
}

func parseBoolArg(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "on", "true", "yes", "1":
		return true, nil
	case "off", "false", "no", "0":
		return false, nil
	}
	return false, usageErr("expected on or off, got %q", s)
}

func globalCmd(e *env) *cobra.Command {
	var yes bool
	c := &cobra.Command{
		Use:       "global on|off",
		Short:     `Turn "Use Global Integration Shared Secret" on or off`,
		Args:      exactArgs(1),
		ValidArgs: []string{"on", "off"},
		RunE: func(cmd *cobra.Command, args []string) error {
			on, err := parseBoolArg(args[0])
			if err != nil {
				return err
			}
			return e.withProviders(func(v *vault.Vault, ps *providers.Service) error {
				if !on {
					if err := confirmImpact(e, v, impactGlobalOff, yes); err != nil {
						return err
					}
				}
				if err := ps.SetGlobal(e.ctx, on); err != nil {
					return err
				}
				if e.jsonOut {
					return e.printJSON(map[string]any{"global_shared_secret": on})
				}
				e.printf("Use Global Integration Shared Secret: %s\n", args[0])
				return nil
			})
		},
	}
	c.Flags().BoolVar(&yes, "yes", false, "confirm a change that affects boards")
	return c
}

func devopsCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "devops", Short: "DevOps Shared Authentication Provider: Personal Access Token or Service Principal"}
	c.AddCommand(devopsPATCmd(e), devopsSPCmd(e), devopsUseCmd(e))
	return c
}

// credFlags are the provider flags shared by `devops pat|sp`, `jira set` and `boards creds`.
type credFlags struct {
	username, organisation, tokenFile, expires string
	clientID, authURL, tenantID, secretFile    string
	email, domain, deployment                  string
	yes                                        bool
}

func (f *credFlags) patFlags(c *cobra.Command) {
	c.Flags().StringVar(&f.username, "username", "", "DevOps Shared PAT Username (typically the email of the account that created the token)")
	c.Flags().StringVar(&f.organisation, "organisation", "", "DevOps Shared Organisation: a name (contoso), https://dev.azure.com/contoso/ or a server collection URL")
	c.Flags().StringVar(&f.tokenFile, "token-file", "", "file holding the DevOps Shared PAT Token (- = stdin)")
	c.Flags().StringVar(&f.expires, "expires", "", "expiry date YYYY-MM-DD")
}

func (f *credFlags) spFlags(c *cobra.Command) {
	c.Flags().StringVar(&f.clientID, "client-id", "", "DevOps Shared Client Id (GUID)")
	c.Flags().StringVar(&f.authURL, "auth-url", "", "DevOps Shared Authentication Url: https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token")
	c.Flags().StringVar(&f.tenantID, "tenant-id", "", "Azure Tenant ID (builds the Authentication Url)")
	c.Flags().StringVar(&f.organisation, "organisation", "", "DevOps Shared Organisation")
	c.Flags().StringVar(&f.secretFile, "secret-file", "", "file holding the DevOps Shared Secret (- = stdin)")
	c.Flags().StringVar(&f.expires, "expires", "", "expiry date YYYY-MM-DD")
}

func (f *credFlags) jiraFlags(c *cobra.Command) {
	c.Flags().StringVar(&f.email, "email", "", "Jira Shared Account email address")
	c.Flags().StringVar(&f.domain, "domain", "", "Jira Shared Domain, e.g. https://your_domain.atlassian.net/")
	c.Flags().StringVar(&f.tokenFile, "token-file", "", "file holding the Jira Shared PAT Token (- = stdin)")
	c.Flags().StringVar(&f.deployment, "deployment", "auto", "auto, cloud or datacenter")
	c.Flags().StringVar(&f.expires, "expires", "", "expiry date YYYY-MM-DD")
}

// secretFrom reads a secret file flag; "" means keep the stored value.
func (e *env) secretFrom(flag, name string) ([]byte, error) {
	if name == "" {
		return nil, nil
	}
	b, err := e.readSecretFile(name, strings.TrimSuffix(flag, "-file"), providers.MaxTokenBytes)
	if err != nil {
		return nil, err
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

func (f *credFlags) patInput(e *env) (providers.PATInput, error) {
	tok, err := e.secretFrom("token-file", f.tokenFile)
	return providers.PATInput{Username: f.username, Organisation: f.organisation, Token: tok, Expires: f.expires}, err
}

func (f *credFlags) spInput(e *env) (providers.SPInput, error) {
	if f.authURL != "" && f.tenantID != "" {
		return providers.SPInput{}, usageErr("give --auth-url or --tenant-id, not both")
	}
	sec, err := e.secretFrom("secret-file", f.secretFile)
	return providers.SPInput{ClientID: f.clientID, AuthURL: f.authURL, TenantID: f.tenantID, Organisation: f.organisation, Secret: sec, Expires: f.expires}, err
}

func (f *credFlags) jiraInput(e *env) (providers.JiraInput, error) {
	tok, err := e.secretFrom("token-file", f.tokenFile)
	return providers.JiraInput{Email: f.email, Domain: f.domain, Deployment: f.deployment, Token: tok, Expires: f.expires}, err
}

func devopsPATCmd(e *env) *cobra.Command {
	var f credFlags
	c := &cobra.Command{
		Use:   "pat --username U --organisation ORG_OR_URL --token-file F [--expires YYYY-MM-DD]",
		Short: "Store the Personal Access Token method and select it",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := f.patInput(e)
			if err != nil {
				return err
			}
			return e.withProviders(func(v *vault.Vault, ps *providers.Service) error {
				if err := confirmImpact(e, v, impactKind{secret: providers.SecretDevOpsPAT, method: providers.MethodPAT}, f.yes); err != nil {
					return err
				}
				if err := ps.SaveDevOpsPAT(e.ctx, in); err != nil {
					return err
				}
				return e.printSaved(ps, "devops")
			})
		},
	}
	f.patFlags(c)
	c.Flags().BoolVar(&f.yes, "yes", false, "confirm a change that affects boards")
	return c
}

func devopsSPCmd(e *env) *cobra.Command {
	var f credFlags
	c := &cobra.Command{
		Use:   "sp --client-id GUID (--auth-url URL | --tenant-id ID) --organisation ORG_OR_URL --secret-file F [--expires YYYY-MM-DD]",
		Short: "Store the Service Principal method and select it",
		Long:  "Store the Azure AD (Entra) Service Principal method and select it.\n\n" + spNote,
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := f.spInput(e)
			if err != nil {
				return err
			}
			return e.withProviders(func(v *vault.Vault, ps *providers.Service) error {
				if err := confirmImpact(e, v, impactKind{secret: providers.SecretDevOpsSP, method: providers.MethodSP}, f.yes); err != nil {
					return err
				}
				if err := ps.SaveDevOpsSP(e.ctx, in); err != nil {
					return err
				}
				return e.printSaved(ps, "devops")
			})
		},
	}
	f.spFlags(c)
	c.Flags().BoolVar(&f.yes, "yes", false, "confirm a change that affects boards")
	return c
}

// spNote is the help article's note about Service Principal permissions.
const spNote = `NOTE: When configuring permissions for the Service Principal in Azure DevOps, ensure that it has access not only to the project level but also to the Area Path in which the project resides. The Service Principal must have permissions that cascade through the hierarchy down to the specific project level.
The Service Principal should be granted the same level of access as a typical user who contributes to boards or work items within Azure DevOps.`

func devopsUseCmd(e *env) *cobra.Command {
	var yes bool
	c := &cobra.Command{
		Use:       "use pat|sp",
		Short:     "Switch the DevOps method without re-entering it",
		Args:      exactArgs(1),
		ValidArgs: []string{"pat", "sp"},
		RunE: func(cmd *cobra.Command, args []string) error {
			m := strings.ToLower(args[0])
			if m != providers.MethodPAT && m != providers.MethodSP {
				return usageErr("method must be pat or sp, got %q", args[0])
			}
			return e.withProviders(func(v *vault.Vault, ps *providers.Service) error {
				if err := confirmImpact(e, v, impactMethod(m), yes); err != nil {
					return err
				}
				if err := ps.UseMethod(e.ctx, m); err != nil {
					return err
				}
				return e.printSaved(ps, "devops")
			})
		},
	}
	c.Flags().BoolVar(&yes, "yes", false, "confirm a change that affects boards")
	return c
}

func jiraCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "jira", Short: "The Jira shared account"}
	var f credFlags
	set := &cobra.Command{
		Use:   "set --email E --domain URL --token-file F [--deployment auto|cloud|datacenter] [--expires YYYY-MM-DD]",
		Short: "Store the Jira shared account",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := f.jiraInput(e)
			if err != nil {
				return err
			}
			return e.withProviders(func(v *vault.Vault, ps *providers.Service) error {
				if err := confirmImpact(e, v, impactReplace(providers.SecretJiraToken), f.yes); err != nil {
					return err
				}
				if err := ps.SaveJira(e.ctx, in); err != nil {
					return err
				}
				return e.printSaved(ps, "jira")
			})
		},
	}
	f.jiraFlags(set)
	set.Flags().BoolVar(&f.yes, "yes", false, "confirm a change that affects boards")
	c.AddCommand(set)
	return c
}

func (e *env) printSaved(ps *providers.Service, part string) error {
	view, err := ps.View(e.ctx)
	if err != nil {
		return err
	}
	if e.jsonOut {
		if part == "jira" {
			return e.printJSON(view.Jira)
		}
		return e.printJSON(view.DevOps)
	}
	if part == "jira" {
		e.printf("saved Jira shared account %s (%s, %s): token %s\n", view.Jira.Email, view.Jira.Domain, view.Jira.Deployment, maskLine(view.Jira.Token))
		return nil
	}
	d := view.DevOps
	e.printf("saved; DevOps method: %s\n", d.Method)
	if d.PATToken.Set {
		e.printf("  pat token: %s\n", maskLine(d.PATToken))
	}
	if d.SPSecret.Set {
		e.printf("  sp secret: %s\n", maskLine(d.SPSecret))
	}
	return nil
}

func historyCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "history SECRET",
		Short: "List the kept versions of a secret (devops.pat, devops.sp, jira.token, board:NAME)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProviders(func(v *vault.Vault, ps *providers.Service) error {
				name, err := resolveSecretName(e, v, args[0])
				if err != nil {
					return err
				}
				recs, err := ps.Secrets().History(e.ctx, name)
				if err != nil {
					return err
				}
				if len(recs) == 0 {
					return withCode(ExitNotFound, fmt.Errorf("%s has no stored versions", args[0]), "")
				}
				type row struct {
					Version     int    `json:"version"`
					Fingerprint string `json:"fingerprint"`
					CreatedAt   string `json:"created_at"`
					CreatedBy   string `json:"created_by"`
					ExpiresAt   string `json:"expires_at"`
					Current     bool   `json:"current"`
				}
				out := []row{}
				for i, r := range recs {
					out = append(out, row{r.Version, r.Fingerprint, r.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), r.CreatedBy, r.ExpiresAt, i == 0})
				}
				if e.jsonOut {
					return e.printJSON(out) // list commands print a bare array, newest first
				}
				for _, r := range out {
					cur := ""
					if r.Current {
						cur = "  (current)"
					}
					e.printf("v%-3d %s  %s  by %s%s\n", r.Version, r.Fingerprint, r.CreatedAt, r.CreatedBy, cur)
				}
				return nil
			})
		},
	}
}

func rollbackCmd(e *env) *cobra.Command {
	var yes bool
	c := &cobra.Command{
		Use:   "rollback SECRET VERSION",
		Short: "Restore an earlier version of a secret (stored as a new version)",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ver, err := strconv.Atoi(strings.TrimPrefix(args[1], "v"))
			if err != nil || ver < 1 {
				return usageErr("VERSION must be a positive number, got %q", args[1])
			}
			return e.withProviders(func(v *vault.Vault, ps *providers.Service) error {
				name, err := resolveSecretName(e, v, args[0])
				if err != nil {
					return err
				}
				if err := confirmImpact(e, v, impactReplace(name), yes); err != nil {
					return err
				}
				r, err := rollbackSecret(e, v, ps, name, ver)
				if err != nil {
					return err
				}
				if e.jsonOut {
					return e.printJSON(map[string]any{"secret": args[0], "restored_version": ver, "version": r.Version, "fingerprint": r.Fingerprint})
				}
				e.printf("%s: version %d restored as version %d (fingerprint %s)\n", args[0], ver, r.Version, r.Fingerprint)
				return nil
			})
		},
	}
	c.Flags().BoolVar(&yes, "yes", false, "confirm a change that affects boards")
	return c
}

// resolveSecretName maps a CLI secret name to its storage name; boards
// (board:NAME) are resolved by the boards area.
var resolveSecretName = func(e *env, v *vault.Vault, name string) (string, error) {
	if providers.IsSharedSecretName(name) {
		return name, nil
	}
	return "", withCode(ExitNotFound, fmt.Errorf("unknown secret %q", name), "use devops.pat, devops.sp, jira.token or board:NAME")
}

// rollbackSecret restores a version; boards override it for board secrets.
var rollbackSecret = func(e *env, v *vault.Vault, ps *providers.Service, name string, ver int) (providers.Record, error) {
	return ps.Rollback(e.ctx, name, ver)
}

// Impact confirmation hooks: the boards area fills confirmImpactFn; without
// boards there is nothing to confirm.
type impactKind struct {
	globalOff bool
	method    string
	secret    string
}

var impactGlobalOff = impactKind{globalOff: true}

func impactMethod(m string) impactKind     { return impactKind{method: m} }
func impactReplace(name string) impactKind { return impactKind{secret: name} }

var confirmImpactFn func(e *env, v *vault.Vault, k impactKind, yes bool) error

func confirmImpact(e *env, v *vault.Vault, k impactKind, yes bool) error {
	if confirmImpactFn == nil {
		return nil
	}
	return confirmImpactFn(e, v, k, yes)
}
