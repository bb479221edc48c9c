package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"sharedvault/backend/audit"
	"sharedvault/backend/vault"
)

func init() { register(auditCmd) }

func auditCmd(e *env) *cobra.Command {
	var verify bool
	var limit int
	c := &cobra.Command{
		Use:   "audit [--verify]",
		Short: "Show or verify the tamper-evident audit log",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withVault(func(v *vault.Vault) error {
				if verify {
					n, err := v.VerifyAudit(e.ctx)
					var ve *audit.VerifyError
					if errors.As(err, &ve) {
						if e.jsonOut {
							_ = e.printJSON(map[string]any{"ok": false, "entries": n, "bad_seq": ve.Seq, "reason": ve.Reason})
						}
						return withCode(ExitFailure, fmt.Errorf("audit log verification failed at entry %d: %s", ve.Seq, ve.Reason), "the vault file was edited outside sharedvault; restore it from a backup")
					}
					if err != nil {
						return err
					}
					if e.jsonOut {
						return e.printJSON(map[string]any{"ok": true, "entries": n})
					}
					e.printf("audit log ok: %d entries verified\n", n)
					return nil
				}
				entries, err := v.AuditLog().List(e.ctx, limit)
				if err != nil {
					return err
				}
				if e.jsonOut {
					type row struct {
						Seq     int64             `json:"seq"`
						At      string            `json:"at"`
						OSUser  string            `json:"os_user"`
						Action  string            `json:"action"`
						Subject string            `json:"subject"`
						Detail  map[string]string `json:"detail"`
					}
					out := []row{}
					for _, en := range entries {
						out = append(out, row{en.Seq, en.At.UTC().Format(time.RFC3339), en.OSUser, en.Action, en.Subject, en.Detail})
					}
					return e.printJSON(out) // list commands print a bare array
				}
				for _, en := range entries {
					var d []string
					for k, val := range en.Detail {
						d = append(d, k+"="+val)
					}
					e.printf("%5d  %s  %-10s %-26s %s  %s\n", en.Seq, en.At.UTC().Format(time.RFC3339), en.OSUser, en.Action, en.Subject, strings.Join(sortStrings(d), " "))
				}
				return nil
			})
		},
	}
	c.Flags().BoolVar(&verify, "verify", false, "verify the keyed hash chain and name the first bad entry")
	c.Flags().IntVar(&limit, "limit", 0, "show only the newest N entries (0 = all)")
	return c
}
