package store

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"sharedvault/migrations"
)

// Migration 00002 rebuilds the boards table with the payload_json column:
// every board keeps its id and fields, and the column holds the board's
// bundle-payload object, also for rows changed afterwards.
func TestMigrationBoardPayloadJSON(t *testing.T) {
	ctx := context.Background()
	init, err := fs.ReadFile(migrations.FS, "00001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "vault.db")
	withMigrations(t, fstest.MapFS{"00001_init.sql": {Data: init}})
	db := createDB(t, path)
	for _, r := range [][]any{
		{7, `Quote " and \ board`, "devops", "Proj", `Proj\Team`, 1},
		{42, "Ünïcödé\u2028board", "jira", "PROJ", "", 0},
	} {
		if _, err := db.Exec(`INSERT INTO boards (id, name, system, project, area_path, use_global, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'then', 'then')`, r...); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	withMigrations(t, migrations.FS)
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("Open (migrating): %v", err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE boards SET use_global = 1, project = 'New "P"' WHERE id = 42`); err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	rows, err := db.Query(`SELECT id, payload_json FROM boards`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var js string
		if err := rows.Scan(&id, &js); err != nil {
			t.Fatal(err)
		}
		got[id] = js
	}
	want := map[int64]string{
		7:  `{"name":"Quote \" and \\ board","system":"devops","project":"Proj","area_path":"Proj\\Team","use_global":true}`,
		42: "{\"name\":\"Ünïcödé\u2028board\",\"system\":\"jira\",\"project\":\"New \\\"P\\\"\",\"area_path\":\"\",\"use_global\":true}",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("payload_json after migration (-want +got):\n%s", diff)
	}
}
