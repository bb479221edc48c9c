//go:build linux

package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"sharedvault/migrations"
)

// Environment of the helper process that opens (and so migrates) a vault
// under a file size limit.
const (
	migrateChildVault = "SHAREDVAULT_STORE_MIGRATE_VAULT"
	migrateChildLimit = "SHAREDVAULT_STORE_MIGRATE_FSIZE"
)

// v2Migrations is the shipped migration plus one that copies every setting
// twice over, so migrating needs about twice as much WAL as the vault is
// large.
func v2Migrations(t testing.TB) fs.FS {
	init, err := fs.ReadFile(migrations.FS, "00001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	return fstest.MapFS{
		"00001_init.sql": {Data: init},
		"00002_test.sql": {Data: []byte(`-- +goose Up
CREATE TABLE test_added (id INTEGER PRIMARY KEY, copied TEXT NOT NULL);
INSERT INTO test_added (copied) SELECT value || value FROM settings;
-- +goose Down
DROP TABLE test_added;
`)},
	}
}

// TestMigrateChild is not a test: it is the helper process of
// TestMigrationOnFullDisk (it does nothing unless started by it).
func TestMigrateChild(t *testing.T) {
	path := os.Getenv(migrateChildVault)
	if path == "" {
		t.Skip("helper process only")
	}
	limit, err := strconv.ParseUint(os.Getenv(migrateChildLimit), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	migrationsFS = v2Migrations(t)
	signal.Ignore(syscall.SIGXFSZ) // the write returns EFBIG instead
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		fmt.Printf("OPEN ERROR: %v\n", err)
		fmt.Printf("IS DISK WRITE: %v\n", errors.Is(err, ErrDiskWrite))
		return
	}
	fmt.Printf("OPENED backup=%s\n", db.Backup)
	db.Close()
}

func sha(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// TestMigrationOnFullDisk opens a schema-1 vault with a binary that has a
// second migration, in a process whose files may not grow past a limit:
// first so small that the pre-migration backup cannot be written, then
// large enough for the backup but not for the migration's WAL. Each time the
// open fails with ErrDiskWrite and a message that says what failed, the
// vault file is byte for byte as it was (schema 1, its data, integrity ok),
// no partial backup is left, and a later open with room migrates it.
func TestMigrationOnFullDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vault.db")
	init, _ := fs.ReadFile(migrations.FS, "00001_init.sql")
	withMigrations(t, fstest.MapFS{"00001_init.sql": {Data: init}})
	db := createDB(t, path)
	filler := strings.Repeat("x", 2000)
	for i := range 200 {
		if _, err := db.Exec("INSERT INTO settings (key, value) VALUES (?, ?)", fmt.Sprintf("filler%03d", i), filler); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	size := st.Size()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name       string
		limit      int64
		want       string
		backupKept bool
	}{
		{"backup does not fit", size / 2, "backup before migration (nothing was migrated): write failed: the disk is full", false},
		{"migration does not fit", size + 48<<10, "migrate vault: write failed: the disk is full", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			digest := sha(t, path)
			cmd := exec.Command(exe, "-test.run=^TestMigrateChild$", "-test.v")
			cmd.Env = append(os.Environ(), migrateChildVault+"="+path, migrateChildLimit+"="+strconv.FormatInt(c.limit, 10))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "OPEN ERROR: "+c.want) || !strings.Contains(string(out), "IS DISK WRITE: true") {
				t.Fatalf("limit %d (vault %d bytes): want an ErrDiskWrite saying %q, got:\n%s", c.limit, size, c.want, out)
			}
			for _, jargon := range []string{"disk I/O error", "SQLITE", "damaged"} {
				if strings.Contains(string(out), jargon) {
					t.Errorf("the error says %q:\n%s", jargon, out)
				}
			}
			if got := sha(t, path); got != digest {
				t.Error("the vault file changed")
			}
			withMigrations(t, fstest.MapFS{"00001_init.sql": {Data: init}})
			db := openDB(t, path) // quick_check on open
			if v, tables := schemaOf(t, db.DB); v != 1 || contains(tables, "test_added") {
				t.Errorf("vault at schema %d with tables %v, want 1 without test_added", v, tables)
			}
			var n int
			if err := db.QueryRow("SELECT count(*) FROM settings WHERE key LIKE 'filler%' AND value = ?", filler).Scan(&n); err != nil || n != 200 {
				t.Errorf("filler rows after the failure: %d, %v", n, err)
			}
			db.Close()
			b := backups(t, dir)
			if c.backupKept {
				if len(b) != 1 {
					t.Fatalf("backups = %v, want the one written before the failed migration", b)
				}
				if err := sqlIntegrity(b[0]); err != nil {
					t.Errorf("backup %s: %v", b[0], err)
				}
				os.Remove(b[0])
			} else if len(b) != 0 {
				t.Errorf("partial backup left behind: %v", b)
			}
		})
	}

	// With room, the same binary migrates the vault.
	withMigrations(t, v2Migrations(t))
	db = openDB(t, path)
	defer db.Close()
	if v, tables := schemaOf(t, db.DB); v != 2 || !contains(tables, "test_added") {
		t.Errorf("after a migration with room: schema %d, tables %v", v, tables)
	}
}

// sqlIntegrity runs integrity_check on a closed file.
func sqlIntegrity(path string) error {
	db, err := open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity_check: %s", res)
	}
	return nil
}
