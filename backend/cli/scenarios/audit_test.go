package scenarios

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestAuditVerifyThroughCLI edits, inserts and deletes rows of the audit log
// directly in the SQLite file: `audit --verify` must fail (exit 1) and name
// the entry.
func TestAuditVerifyThroughCLI(t *testing.T) {
	cases := []struct {
		name, sql, want string
	}{
		{"edited", `UPDATE audit_log SET action = 'global.toggle' WHERE seq = 3`, "entry 3: edited"},
		{"detail edited", `UPDATE audit_log SET detail = '{"fingerprint":"0000-0000-0000"}' WHERE seq = 2`, "entry 2: edited"},
		{"inserted", `INSERT INTO audit_log (seq, at, os_user, action, subject, detail, mac) SELECT 6, at, os_user, action, subject, detail, mac FROM audit_log WHERE seq = 2`, "entry 6"},
		{"deleted", `DELETE FROM audit_log WHERE seq = 2`, "entry 2"},
		{"deleted at end", `DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)`, "entry"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "pass", "pw\n")
			writeFile(t, dir, "tok", "e7awvivqlx3ufnmdgb2w5lq5y7gvuvt6kffwvq3wh7yxqqyroxta")
			mustRun(t, dir, "init")
			mustRun(t, dir, "devops", "pat", "--username", "jane@contoso.com", "--organisation", "contoso", "--token-file", filepath.Join(dir, "tok"))
			mustRun(t, dir, "global", "on")
			mustRun(t, dir, "boards", "add", "Web", "--system", "devops", "--project", "Web")
			if out := mustRun(t, dir, "audit", "--verify"); !strings.Contains(out, "audit log ok") {
				t.Fatalf("before tampering: %s", out)
			}
			db, err := sql.Open("sqlite", filepath.Join(dir, "vault.db"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(c.sql); err != nil {
				t.Fatal(err)
			}
			db.Close()
			code, _, stderr := cliRun(t, dir, "", "audit", "--verify")
			if code != 1 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 naming %q", code, stderr, c.want)
			}
		})
	}
}
