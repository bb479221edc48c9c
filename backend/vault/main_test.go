package vault

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/awnumar/memguard"
)

// cheapKDF keeps each test vault's unlock in the microseconds. Tests that
// need the production cost (known answers, the benchmark) ask for it.
var cheapKDF = KDFParams{Algorithm: algArgon2id, MemoryKiB: 64, Iterations: 1, Parallelism: 1}

// helperEnv selects a child-process mode of the test binary (see
// runHelper): the crash and memlock tests re-execute this binary.
const helperEnv = "SHAREDVAULT_VAULT_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode))
	}
	SetKDFForTests(cheapKDF)
	code := m.Run()
	memguard.Purge()
	os.Exit(code)
}

func runHelper(mode string) int {
	SetKDFForTests(cheapKDF)
	switch mode {
	case "passwd-loop":
		return helperPasswdLoop()
	case "memlock":
		return helperMemlock()
	case "seal-kat":
		return helperSealKAT()
	case "derive-once":
		return helperDeriveOnce()
	}
	fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
	return 2
}

var (
	passA = []byte("correct horse battery staple")
	passB = []byte("Tr0ub4dor&3 but longer")
)

// createTestVault creates an unlocked vault in a fresh temp dir.
func createTestVault(t testing.TB, opt Options) (*Vault, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vault.db")
	v, err := Create(context.Background(), path, passA, opt)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	return v, path
}

// openBuf opens sealed under ad and returns a copy of the plaintext.
func openBuf(t testing.TB, v *Vault, ad AD, sealed []byte) ([]byte, error) {
	t.Helper()
	buf, err := v.Open(ad, sealed)
	if err != nil {
		return nil, err
	}
	defer buf.Destroy()
	return append([]byte{}, buf.Bytes()...), nil
}

// dumpTables is a logical dump of every table except those in skip: table
// name → its CREATE statement and rows in rowid order, values rendered as
// text (blobs in hex).
func dumpTables(t testing.TB, path string, skip ...string) map[string][]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	schemas := map[string]string{}
	for rows.Next() {
		var name, ddl string
		if err := rows.Scan(&name, &ddl); err != nil {
			t.Fatal(err)
		}
		schemas[name] = ddl
	}
	rows.Close()
	out := map[string][]string{}
	for name, ddl := range schemas {
		if contains(skip, name) {
			continue
		}
		lines := []string{ddl}
		r, err := db.Query(fmt.Sprintf("SELECT * FROM %q ORDER BY rowid", name))
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = "x'" + hex.EncodeToString(b) + "'"
				}
				parts = append(parts, fmt.Sprintf("%s=%v", cols[i], v))
			}
			lines = append(lines, strings.Join(parts, " "))
		}
		r.Close()
		out[name] = lines
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// snapshotFiles reads every file in dir except SQLite's shared-memory index
// (-shm), which holds no data and which SQLite may leave behind. An empty
// -wal is treated as absent: it holds nothing either.
func snapshotFiles(t testing.TB, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), "-shm") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(e.Name(), "-wal") && len(b) == 0 {
			continue
		}
		out[e.Name()] = string(b)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// copyFile copies src to dst with mode 0600.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// execSQL runs statements on a closed vault file with a plain connection
// and closes it again, which checkpoints the WAL into the main file.
func execSQL(t testing.TB, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			db.Close()
			t.Fatalf("%s: %v", s, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Fatalf("%s-wal left behind after close: the snapshot would miss it", path)
	}
}
