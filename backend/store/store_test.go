package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"sharedvault/migrations"
)

func createDB(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Create(context.Background(), path)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openDB(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func perm(t *testing.T, path string) fs.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestCreatePermissions(t *testing.T) {
	// A permissive umask must not widen the modes.
	old := setUmask(0)
	defer setUmask(old)

	dir := filepath.Join(t.TempDir(), "new", "sharedvault")
	path := filepath.Join(dir, "vault.db")
	db := createDB(t, path)
	if _, err := db.Exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want fs.FileMode
	}{
		{dir, 0o700},
		{filepath.Dir(dir), 0o700},
		{path, 0o600},
		{path + "-wal", 0o600},
		{path + "-shm", 0o600},
	} {
		if got := perm(t, c.path); got != c.want {
			t.Errorf("%s mode = %v, want %v", c.path, got, c.want)
		}
	}
}

func TestCreateRefusesExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.db")
	if err := os.WriteFile(path, []byte("anything"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(context.Background(), path); !errors.Is(err, ErrExists) {
		t.Errorf("Create over a file: error = %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "anything" {
		t.Errorf("existing file overwritten: %q", b)
	}
}

// pragmas reads the settings every connection must have.
func pragmas(t *testing.T, ctx context.Context, c *sql.Conn) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range []string{"journal_mode", "foreign_keys", "synchronous", "busy_timeout"} {
		var v string
		if err := c.QueryRowContext(ctx, "PRAGMA "+p).Scan(&v); err != nil {
			t.Fatalf("PRAGMA %s: %v", p, err)
		}
		out[p] = v
	}
	return out
}

func TestPragmas(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vault.db")
	want := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "2", "busy_timeout": "10000"}
	check := func(t *testing.T, db *DB) {
		// Two connections at once: the pragmas are per connection, so
		// both must have them (the pool opens more than one).
		c1, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c1.Close()
		c2, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c2.Close()
		for i, c := range []*sql.Conn{c1, c2} {
			if diff := cmp.Diff(want, pragmas(t, ctx, c)); diff != "" {
				t.Errorf("connection %d pragmas (-want +got):\n%s", i+1, diff)
			}
		}
	}
	t.Run("Create", func(t *testing.T) {
		db := createDB(t, path)
		check(t, db)
		db.Close()
	})
	t.Run("Open", func(t *testing.T) { check(t, openDB(t, path)) })
}

// fillDB creates a vault with a table big enough that its middle pages are
// ordinary b-tree pages of that table, and returns page size and count.
func fillDB(t *testing.T, path string) (pageSize, pages int64) {
	t.Helper()
	db := createDB(t, path)
	if _, err := db.Exec(`CREATE TABLE filler (id INTEGER PRIMARY KEY, v BLOB);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 2000)
		INSERT INTO filler (v) SELECT randomblob(300) FROM n;`); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("PRAGMA page_size").Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Fatal("-wal left after Close")
	}
	return pageSize, pages
}

func TestOpenRunsQuickCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.db")
	pageSize, pages := fillDB(t, path)
	if pages < 50 {
		t.Fatalf("only %d pages; the test needs a bigger database", pages)
	}
	db := openDB(t, path) // intact: opens
	db.Close()

	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	garbage := make([]byte, pageSize)
	rand.Read(garbage)
	if _, err := f.WriteAt(garbage, (pages/2)*pageSize); err != nil {
		t.Fatal(err)
	}
	f.Close()

	_, err = Open(context.Background(), path)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open of a file with page %d of %d overwritten: error = %v, want ErrCorrupt", pages/2+1, pages, err)
	}
	t.Logf("error: %v", err)
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	good := filepath.Join(t.TempDir(), "vault.db")
	createDB(t, good).Close()
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  error
	}{
		{"missing", func(*testing.T, string) {}, ErrNotFound},
		{"empty", func(t *testing.T, p string) { write(t, p, nil) }, ErrCorrupt},
		{"short", func(t *testing.T, p string) { write(t, p, sqliteMagic) }, ErrCorrupt},
		{"not sqlite", func(t *testing.T, p string) { write(t, p, []byte(strings.Repeat("x", 8192))) }, ErrCorrupt},
		{"sqlite without schema table", func(t *testing.T, p string) {
			sqlExec(t, p, "CREATE TABLE other (x)")
		}, ErrCorrupt},
		{"newer schema", func(t *testing.T, p string) {
			copyTo(t, good, p)
			sqlExec(t, p, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (999, 1)")
		}, ErrNewerFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vault.db")
			tt.setup(t, path)
			db, err := Open(ctx, path)
			if err == nil {
				db.Close()
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Open error = %v, want %v", err, tt.want)
			}
		})
	}
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func copyTo(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dst, b)
}

func sqlExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func backups(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if IsBackup(e.Name()) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

func schemaOf(t *testing.T, db *sql.DB) (version int64, tables []string) {
	t.Helper()
	if err := db.QueryRow("SELECT max(version_id) FROM goose_db_version WHERE is_applied").Scan(&version); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	return version, tables
}

// Opening a current vault migrates nothing, writes no backup and does not
// change a byte of the file.
func TestOpenCurrentIsReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vault.db")
	createDB(t, path).Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		db := openDB(t, path)
		if db.Backup != "" {
			t.Errorf("open %d wrote a backup %s", i+1, db.Backup)
		}
		v, _ := schemaOf(t, db.DB)
		if v != LatestSchemaVersion() {
			t.Errorf("schema version %d, want %d", v, LatestSchemaVersion())
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if b := backups(t, dir); len(b) != 0 {
		t.Errorf("backups written: %v", b)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("opening a current vault changed the file")
	}
}

// withMigrations replaces the migration set for one test.
func withMigrations(t *testing.T, fsys fs.FS) {
	t.Helper()
	saved := migrationsFS
	migrationsFS = fsys
	t.Cleanup(func() { migrationsFS = saved })
}

func TestMigrationWritesBackup(t *testing.T) {
	ctx := context.Background()
	init, err := fs.ReadFile(migrations.FS, "00001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	v1 := fstest.MapFS{"00001_init.sql": {Data: init}}
	v2 := fstest.MapFS{
		"00001_init.sql": {Data: init},
		"00002_test.sql": {Data: []byte(`-- +goose Up
CREATE TABLE test_added (id INTEGER PRIMARY KEY, copied TEXT NOT NULL);
INSERT INTO test_added (copied) SELECT value FROM settings WHERE key = 'probe';
-- +goose Down
DROP TABLE test_added;
`)},
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "vault.db")
	withMigrations(t, v1)
	if got := LatestSchemaVersion(); got != 1 {
		t.Fatalf("LatestSchemaVersion with one migration = %d", got)
	}
	db := createDB(t, path)
	if _, err := db.Exec("INSERT INTO settings (key, value) VALUES ('probe', 'old data')"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	withMigrations(t, v2)
	if got := LatestSchemaVersion(); got != 2 {
		t.Fatalf("LatestSchemaVersion with two migrations = %d", got)
	}
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("Open (migrating): %v", err)
	}
	defer db.Close()

	// The backup: next to the vault, 0600, at the old schema, old data.
	if db.Backup == "" {
		t.Fatal("no backup recorded")
	}
	if got := backups(t, dir); !cmp.Equal(got, []string{db.Backup}) {
		t.Errorf("backups in folder = %v, want [%s]", got, db.Backup)
	}
	if !strings.Contains(filepath.Base(db.Backup), "vault.db.bak-v1-") {
		t.Errorf("backup name %q does not say which schema it holds", db.Backup)
	}
	if got := perm(t, db.Backup); got != 0o600 {
		t.Errorf("backup mode = %v, want 0600", got)
	}
	bak, err := sql.Open("sqlite", "file:"+db.Backup+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer bak.Close()
	if v, tables := schemaOf(t, bak); v != 1 || contains(tables, "test_added") {
		t.Errorf("backup at schema %d with tables %v, want 1 without test_added", v, tables)
	}
	var probe string
	if err := bak.QueryRow("SELECT value FROM settings WHERE key='probe'").Scan(&probe); err != nil || probe != "old data" {
		t.Errorf("backup probe = %q, %v", probe, err)
	}
	var check string
	if err := bak.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("backup integrity_check = %q, %v", check, err)
	}

	// The migrated vault: new schema, old data kept and visible to the migration.
	if v, tables := schemaOf(t, db.DB); v != 2 || !contains(tables, "test_added") || !contains(tables, "secrets") {
		t.Errorf("migrated vault at schema %d with tables %v", v, tables)
	}
	if err := db.QueryRow("SELECT value FROM settings WHERE key='probe'").Scan(&probe); err != nil || probe != "old data" {
		t.Errorf("migrated probe = %q, %v", probe, err)
	}
	var copied string
	if err := db.QueryRow("SELECT copied FROM test_added").Scan(&copied); err != nil || copied != "old data" {
		t.Errorf("test_added.copied = %q, %v", copied, err)
	}
	db.Close()

	// Migrated once: the next open is a plain open.
	again := openDB(t, path)
	if again.Backup != "" {
		t.Errorf("second open wrote another backup %s", again.Backup)
	}
	if got := backups(t, dir); len(got) != 1 {
		t.Errorf("backups after second open = %v", got)
	}

	// An older binary (one migration) refuses the migrated vault.
	again.Close()
	withMigrations(t, v1)
	if _, err := Open(ctx, path); !errors.Is(err, ErrNewerFormat) {
		t.Errorf("older binary opening the migrated vault: error = %v, want ErrNewerFormat", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
