package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"sharedvault/backend/vault"
)

func init() {
	register(initCmd)
	register(passwdCmd)
	register(versionCmd)
}

// openVault opens the vault and, when unlock is set, unlocks it with the
// passphrase. The caller closes it.
func (e *env) openVault(unlock bool) (*vault.Vault, error) {
	p, err := e.path()
	if err != nil {
		return nil, err
	}
	e.warnMemlock()
	v, err := vault.Open(e.ctx, p, vault.Options{AutoLock: -1})
	if err != nil {
		return nil, err
	}
	if !unlock {
		return v, nil
	}
	pass, err := e.passphrase("passphrase: ")
	if err != nil {
		v.Close()
		return nil, err
	}
	defer pass.Destroy()
	if err := v.Unlock(e.ctx, pass.Bytes()); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

func initCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Create a new vault (refuses to overwrite one)",
		Long:  "Create a new, empty vault protected by a passphrase read from --passphrase-file (or asked twice on a terminal).",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := e.path()
			if err != nil {
				return err
			}
			if ok, err := vault.Exists(p); err != nil {
				return err
			} else if ok {
				return withCode(ExitFailure, fmt.Errorf("a vault already exists at %s", p), "use it, or choose another path with --vault")
			}
			e.warnMemlock()
			file := e.passphraseFile
			if file == "" {
				file = envPassphraseFile()
			}
			pass, err := e.newPassphrase(file, "new vault passphrase: ")
			if err != nil {
				return err
			}
			defer pass.Destroy()
			v, err := vault.Create(e.ctx, p, pass.Bytes(), vault.Options{AutoLock: -1})
			if err != nil {
				return err
			}
			defer v.Close()
			info := v.Info()
			if e.jsonOut {
				return e.printJSON(map[string]any{"initialized": true, "path": info.Path, "vault_id": info.VaultID, "kdf": info.KDF})
			}
			e.printf("created vault %s at %s (%s)\n", info.VaultID, info.Path, info.KDF)
			return nil
		},
	}
}

func passwdCmd(e *env) *cobra.Command {
	var newFile string
	c := &cobra.Command{
		Use:   "passwd --new-passphrase-file F",
		Short: "Change the vault passphrase (re-wraps the data key)",
		Long:  "Change the vault passphrase. The current one comes from --passphrase-file (or a prompt), the new one from --new-passphrase-file (or a prompt, twice). Only the data key is re-wrapped, in one transaction.",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withVault(func(v *vault.Vault) error {
				pass, err := e.newPassphrase(newFile, "new passphrase: ")
				if err != nil {
					return err
				}
				defer pass.Destroy()
				if err := v.ChangePassphrase(e.ctx, pass.Bytes()); err != nil {
					return err
				}
				if e.jsonOut {
					return e.printJSON(map[string]any{"ok": true, "kdf": v.Info().KDF})
				}
				e.printf("passphrase changed\n")
				return nil
			})
		},
	}
	c.Flags().StringVar(&newFile, "new-passphrase-file", "", "read the new passphrase from this file")
	return c
}

func versionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if e.jsonOut {
				return e.printJSON(map[string]string{"version": Version, "go": runtime.Version(), "os": runtime.GOOS, "arch": runtime.GOARCH})
			}
			e.printf("sharedvault %s (%s %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}

// warnMemlock says once, on stderr, that the locked-memory limit is low
// enough to be felt. Below the minimum the vault refuses with its own error
// instead.
func (e *env) warnMemlock() {
	if e.warnedMemlock || vault.CheckMemlock() != nil {
		return
	}
	e.warnedMemlock = true
	if w := vault.MemlockWarning(); w != "" {
		fmt.Fprintf(e.stderr, "sharedvault: warning: %s\nsharedvault: hint: %s\n", w, vault.MemlockHint())
	}
}

// withVault opens and unlocks the vault, runs fn and closes the vault.
func (e *env) withVault(fn func(v *vault.Vault) error) error {
	v, err := e.openVault(true)
	if err != nil {
		return err
	}
	defer v.Close()
	return fn(v)
}
