package cli

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/awnumar/memguard"
	"github.com/spf13/cobra"

	"sharedvault/backend/bundle"
	"sharedvault/backend/transfer"
	"sharedvault/backend/vault"
)

func init() {
	register(exportCmd)
	register(importCmd)
	register(signingKeyCmd)
	extraClassifiers = append(extraClassifiers, func(err error) (int, bool) {
		switch {
		case errors.Is(err, bundle.ErrInvalidKey):
			return ExitInvalid, true
		case errors.Is(err, bundle.ErrWrongIdentity), errors.Is(err, bundle.ErrTampered), errors.Is(err, bundle.ErrUntrustedSigner),
			errors.Is(err, bundle.ErrBadSignature), errors.Is(err, bundle.ErrExpired), errors.Is(err, bundle.ErrReplayed),
			errors.Is(err, bundle.ErrFormat), errors.Is(err, bundle.ErrTooLarge), errors.Is(err, transfer.ErrFingerprintMismatch):
			return ExitFailure, true
		}
		return 0, false
	})
}

// parseExpiresAt accepts YYYY-MM-DD (valid through that day, UTC) or RFC 3339.
func parseExpiresAt(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		t = t.Add(24*time.Hour - time.Second)
		return &t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return &t, nil
	}
	return nil, withCode(ExitInvalid, fmt.Errorf("invalid --expires %q: use YYYY-MM-DD or an RFC 3339 time", s), "")
}

func splitList(s []string) []string {
	if s == nil {
		return nil
	}
	out := []string{}
	for _, part := range s {
		for _, p := range strings.Split(part, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func exportCmd(e *env) *cobra.Command {
	var out, recipientsFile, passFile, expires string
	var recipients, boards, provs []string
	var armor bool
	c := &cobra.Command{
		Use:   "export --out FILE (--recipient AGE_RECIPIENT … | --recipients-file F | --bundle-passphrase-file F) [--boards …] [--expires …]",
		Short: "Write an encrypted, signed bundle of the providers and boards (all by default)",
		Long:  "Write the selected providers and boards, with their secrets, as an age file encrypted to X25519 (age1…), post-quantum (age1pq1…) recipients or a passphrase, with a manifest signed by this vault's signing key (see `sharedvault signing-key`). The file is written atomically with mode 0600.",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErr("--out FILE is required")
			}
			n := 0
			for _, set := range []bool{len(recipients) > 0, recipientsFile != "", passFile != ""} {
				if set {
					n++
				}
			}
			if n != 1 {
				return usageErr("give exactly one of --recipient, --recipients-file or --bundle-passphrase-file")
			}
			exp, err := parseExpiresAt(expires)
			if err != nil {
				return err
			}
			var rcpts []age.Recipient
			switch {
			case len(recipients) > 0:
				rcpts, err = bundle.ParseRecipients(recipients)
			case recipientsFile != "":
				var b []byte
				b, err = readFileLimited(recipientsFile, "recipients", maxKeyFileBytes)
				if err != nil {
					return err
				}
				rcpts, err = bundle.ParseRecipients(strings.Split(string(b), "\n"))
			default:
				var pass []byte
				pass, err = e.readSecretFile(passFile, "bundle passphrase", maxPassphraseFileBytes)
				if err != nil {
					return err
				}
				line := append([]byte(nil), firstLine(pass)...)
				memguard.WipeBytes(pass)
				if len(line) == 0 {
					return withCode(ExitInvalid, errors.New("the bundle passphrase file is empty"), "")
				}
				var r age.Recipient
				r, err = bundle.PassphraseRecipient(line)
				memguard.WipeBytes(line)
				rcpts = []age.Recipient{r}
			}
			if err != nil {
				return err
			}
			return e.withVault(func(v *vault.Vault) error {
				res, err := transfer.Export(e.ctx, v, out, transfer.ExportOptions{Recipients: rcpts, Armor: armor, ExpiresAt: exp,
					Select: transfer.Selection{Boards: splitList(boards), Providers: splitList(provs)}})
				if err != nil {
					return err
				}
				m, items := res.Manifest, res.Items
				if items == nil {
					items = []bundle.Content{}
				}
				if e.jsonOut {
					res := map[string]any{"file": out, "sequence": m.Sequence, "vault_id": m.VaultID, "signer": bundle.FormatSignerKey(ed25519.PublicKey(mustDecodeB64(m.Signer))), "created_at": m.CreatedAt.UTC().Format(time.RFC3339), "contents": items}
					if m.ExpiresAt != nil {
						res["expires_at"] = m.ExpiresAt.UTC().Format(time.RFC3339)
					}
					return e.printJSON(res)
				}
				e.printf("wrote %s (sequence %d, %d item(s))\n", out, m.Sequence, len(items))
				for _, c := range items {
					e.printf("  %-8s %-30s %s\n", c.Kind, c.Name, c.Fingerprint)
				}
				return nil
			})
		},
	}
	f := c.Flags()
	f.StringVar(&out, "out", "", "bundle file to write")
	f.StringArrayVar(&recipients, "recipient", nil, "age recipient (age1… or age1pq1…); repeatable")
	f.StringVar(&recipientsFile, "recipients-file", "", "file of age recipients, one per line")
	f.StringVar(&passFile, "bundle-passphrase-file", "", "encrypt to a passphrase read from this file (scrypt)")
	f.StringSliceVar(&boards, "boards", nil, "only these boards (comma-separated names)")
	f.StringSliceVar(&provs, "providers", nil, "only these providers: devops, jira, devops.pat, devops.sp, jira.token")
	f.StringVar(&expires, "expires", "", "the bundle expires after this date (YYYY-MM-DD) or time (RFC 3339)")
	f.BoolVar(&armor, "armor", false, "write ASCII-armored (PEM-like) output")
	return c
}

func mustDecodeB64(s string) []byte {
	k, _ := bundle.ParseSignerKey(s)
	return k
}

func importCmd(e *env) *cobra.Command {
	var identityFile, passFile string
	var signers []string
	c := &cobra.Command{
		Use:   "import FILE (--identity FILE | --bundle-passphrase-file F) --signer KEY",
		Short: "Verify a bundle (signature, expiry, sequence) and load it into this vault",
		Long:  "Decrypt a bundle with an age identity file or a passphrase, check its signature against the trusted signer key (sharedvault-ed25519:… as printed by `sharedvault signing-key`, or a file holding it), its expiry, and that its sequence is newer than the last one imported from that signer, then load it in one transaction. A refused bundle changes nothing.",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (identityFile == "") == (passFile == "") {
				return usageErr("give exactly one of --identity FILE or --bundle-passphrase-file F")
			}
			if len(signers) == 0 {
				return usageErr("--signer KEY is required (the exporting vault's `sharedvault signing-key`)")
			}
			var keys []ed25519.PublicKey
			for _, s := range signers {
				if st, err := os.Stat(s); err == nil && !st.IsDir() {
					b, err := readFileLimited(s, "signer key", maxKeyFileBytes)
					if err != nil {
						return err
					}
					s = strings.TrimSpace(string(b))
				}
				k, err := bundle.ParseSignerKey(strings.TrimSpace(s))
				if err != nil {
					return withCode(ExitInvalid, err, "give the key printed by `sharedvault signing-key` on the exporting machine")
				}
				keys = append(keys, k)
			}
			var ids []age.Identity
			if identityFile != "" {
				if err := checkPrivateFile(identityFile); err != nil {
					return err
				}
				f, err := os.Open(identityFile)
				if err != nil {
					return withCode(ExitInvalid, fmt.Errorf("read identity %s: %w", identityFile, unwrapPath(err)), "")
				}
				ids, err = bundle.ParseIdentities(f)
				f.Close()
				if err != nil {
					return err
				}
			} else {
				pass, err := e.readSecretFile(passFile, "bundle passphrase", maxPassphraseFileBytes)
				if err != nil {
					return err
				}
				line := append([]byte(nil), firstLine(pass)...)
				memguard.WipeBytes(pass)
				id, err := bundle.PassphraseIdentity(line)
				memguard.WipeBytes(line)
				if err != nil {
					return err
				}
				ids = []age.Identity{id}
			}
			return e.withVault(func(v *vault.Vault) error {
				res, err := transfer.Import(e.ctx, v, args[0], transfer.ImportOptions{Identities: ids, Signers: keys})
				if err != nil {
					return err
				}
				if res.Contents == nil {
					res.Contents = []bundle.Content{}
				}
				if e.jsonOut {
					return e.printJSON(res)
				}
				e.printf("imported %s: sequence %d from vault %s, %d item(s)\n", args[0], res.Sequence, res.VaultID, len(res.Contents))
				for _, c := range res.Contents {
					e.printf("  %-8s %-30s %s\n", c.Kind, c.Name, c.Fingerprint)
				}
				return nil
			})
		},
	}
	c.Flags().StringVar(&identityFile, "identity", "", "age identity file (AGE-SECRET-KEY-1…), mode 0600")
	c.Flags().StringVar(&passFile, "bundle-passphrase-file", "", "file holding the bundle passphrase")
	c.Flags().StringArrayVar(&signers, "signer", nil, "trusted signer public key (sharedvault-ed25519:…) or a file holding it; repeatable")
	return c
}

// checkPrivateFile refuses a key file that others can read: the identity
// decrypts every bundle sent to this server.
func checkPrivateFile(name string) error {
	st, err := os.Stat(name)
	if err != nil {
		return withCode(ExitInvalid, fmt.Errorf("identity file %s: %w", name, unwrapPath(err)), "")
	}
	if st.Mode().Perm()&0o077 != 0 && isUnix() {
		return withCode(ExitInvalid, fmt.Errorf("identity file %s is readable by other users (mode %04o)", name, st.Mode().Perm()), "chmod 600 "+name)
	}
	return nil
}

func signingKeyCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "signing-key",
		Short: "Print this vault's public bundle-signing key (give it to servers as --signer)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withVault(func(v *vault.Vault) error {
				k, err := transfer.PublicSigningKey(e.ctx, v)
				if err != nil {
					return err
				}
				if e.jsonOut {
					return e.printJSON(map[string]string{"signing_key": k})
				}
				e.printf("%s\n", k)
				return nil
			})
		},
	}
}
