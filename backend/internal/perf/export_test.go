package perf

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"sharedvault/backend/providers"
	"sharedvault/backend/transfer"
	"sharedvault/backend/vault"
)

const exportBoards = 10000

// exportVault is a vault with a shared PAT and 10,000 boards inserted in
// one transaction.
func exportVault(b *testing.B) *vault.Vault {
	b.Helper()
	ctx := context.Background()
	v, err := vault.Create(ctx, filepath.Join(b.TempDir(), "vault.db"), []byte("bench passphrase"), vault.Options{AutoLock: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { v.Close() })
	ps := providers.NewService(v)
	if err := ps.SaveDevOpsPAT(ctx, providers.PATInput{Username: "admin@contoso.com", Organisation: "https://dev.azure.com/contoso/",
		Token: []byte("e7awvivqlx3ufnmdgb2w5lq5y7gvuvt6kffwvq3wh7yxqqyroxta")}); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	err = v.Update(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO boards (name, system, project, area_path, use_global, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for i := range exportBoards {
			system, project, area := "devops", fmt.Sprintf("Project %03d", i%300), fmt.Sprintf(`Project %03d\Area %02d\Team %05d`, i%300, i%17, i)
			if i%3 == 0 {
				system, project, area = "jira", "PROJ", ""
			}
			if _, err := st.ExecContext(ctx, fmt.Sprintf("Team %05d board", i), system, project, area, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// BenchmarkExport10000VsAge: transfer.Export of a vault with 10,000 boards
// to one X25519 recipient (in-process) against the age CLI encrypting a
// file of the bundle's plaintext (whole process), interleaved.
func BenchmarkExport10000VsAge(b *testing.B) {
	ageBin := needTool(b, "age")
	ctx := context.Background()
	v := exportVault(b)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	opt := transfer.ExportOptions{Recipients: []age.Recipient{id.Recipient()}}
	bundlePath := filepath.Join(dir, "bundle.age")
	export := func() time.Duration {
		os.Remove(bundlePath)
		start := time.Now()
		if _, err := transfer.Export(ctx, v, bundlePath, opt); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}

	// The reference encrypts exactly what our bundle encrypts.
	export()
	f, err := os.Open(bundlePath)
	if err != nil {
		b.Fatal(err)
	}
	r, err := age.Decrypt(f, id)
	if err != nil {
		b.Fatal(err)
	}
	plain, err := io.ReadAll(r)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	payload := filepath.Join(dir, "payload.json")
	if err := os.WriteFile(payload, plain, 0o600); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "out.age")
	ageRun := func() time.Duration {
		os.Remove(out)
		cmd := exec.Command(ageBin, "-r", id.Recipient().String(), "-o", out, payload)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("age: %v: %s", err, errb.String())
		}
		return time.Since(start)
	}
	ageRun()

	n := rounds(9)
	var ours, ref []time.Duration
	for i := range n {
		if i%2 == 0 {
			ours = append(ours, export())
			ref = append(ref, ageRun())
		} else {
			ref = append(ref, ageRun())
			ours = append(ours, export())
		}
	}
	report(b, ours, ref)
	b.ReportMetric(float64(len(plain))/1e6, "payload_MB")
}
