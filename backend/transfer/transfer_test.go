package transfer

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/google/go-cmp/cmp"

	"sharedvault/backend/boards"
	"sharedvault/backend/bundle"
	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

func TestMain(m *testing.M) {
	vault.SetKDFForTests(vault.KDFParams{Algorithm: "argon2id", MemoryKiB: 1024, Iterations: 1, Parallelism: 1})
	os.Exit(m.Run())
}

// Board names that stress the SQLite-built JSON: quotes, backslashes,
// control characters, HTML characters, U+2028, non-BMP runes.
var hostileNames = []string{
	`Quote " board`, `Back\slash\\board`, "Tab\tand\nnewline", "Ctrl \x01\x1f", `<script>&amp;</script>`,
	"Line\u2028separator", "Emoji 🚀 board", "Ünïcödé", "   spaces   ", `{"json":"in a name"}`,
	`Ends in a backslash\`, `Ends in two\\`, `x"},{"name":"y`,
}

type boardRow struct {
	Name, System, Project, AreaPath string
	UseGlobal                       bool
}

func newVault(t *testing.T) (*vault.Vault, *boards.Service) {
	t.Helper()
	ctx := context.Background()
	v, err := vault.Create(ctx, filepath.Join(t.TempDir(), "vault.db"), []byte("test passphrase"), vault.Options{AutoLock: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	ps := providers.NewService(v)
	return v, boards.NewService(ps)
}

// workstation: a shared PAT, hostile-named boards written straight into the
// table (the encoder must cope with whatever a row holds), and two boards
// with their own credentials.
func workstation(t *testing.T) (*vault.Vault, map[string]string) {
	t.Helper()
	ctx := context.Background()
	v, bs := newVault(t)
	ps := providers.NewService(v)
	if err := ps.SaveDevOpsPAT(ctx, providers.PATInput{Username: "admin@contoso.com", Organisation: "contoso", Token: []byte("sharedpat0000000000000000000000000000000000000000000")}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	err := v.Update(ctx, func(tx *sql.Tx) error {
		for i, name := range hostileNames {
			system, area := "devops", `Area\`+name
			if i%2 == 1 {
				system, area = "jira", ""
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO boards (name, system, project, area_path, use_global, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				name, system, "Proj "+name, area, i%3 == 0, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fps := map[string]string{}
	for i, name := range []string{"Own A", "Own \"B\""} {
		if _, err := bs.Add(ctx, boards.Spec{Name: name, System: "devops", Project: "P", UseGlobal: false}); err != nil {
			t.Fatal(err)
		}
		saved, err := bs.SetCredentials(ctx, name, boards.CredentialsInput{PAT: &providers.PATInput{Username: "own@contoso.com", Organisation: "contoso",
			Token: []byte(fmt.Sprintf("ownpat%d00000000000000000000000000000000000000000000", i))}})
		if err != nil {
			t.Fatal(err)
		}
		fps[name] = saved.Fingerprint
	}
	return v, fps
}

func readBoardRows(t *testing.T, v *vault.Vault) []boardRow {
	t.Helper()
	rows, err := v.DB().Query(`SELECT name, system, project, area_path, use_global FROM boards ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []boardRow
	for rows.Next() {
		var r boardRow
		if err := rows.Scan(&r.Name, &r.System, &r.Project, &r.AreaPath, &r.UseGlobal); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func signer(t *testing.T, v *vault.Vault) ed25519.PrivateKey {
	t.Helper()
	k, err := SigningKey(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func exportTo(t *testing.T, v *vault.Vault, id *age.X25519Identity, sel Selection) (string, ExportResult) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "b.age")
	res, err := Export(context.Background(), v, path, ExportOptions{Recipients: []age.Recipient{id.Recipient()}, Select: sel})
	if err != nil {
		t.Fatal(err)
	}
	return path, res
}

func openBundle(t *testing.T, path string, id *age.X25519Identity, key ed25519.PrivateKey) *bundle.Bundle {
	t.Helper()
	b, err := bundle.ReadFile(path, bundle.VerifyOptions{Identities: []age.Identity{id}, TrustedSigners: []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The payload is built partly by SQLite and taken as compact without the
// writer's check: it must be valid, already compact JSON, and carry every
// row exactly, whatever the rows hold.
func TestExportPayloadIsCompactAndExact(t *testing.T) {
	ctx := context.Background()
	ws, fps := workstation(t)
	id, _ := age.GenerateX25519Identity()
	path, res := exportTo(t, ws, id, Selection{})
	key := signer(t, ws)
	b := openBundle(t, path, id, key)

	if !json.Valid(b.Payload) {
		t.Fatalf("payload is not valid JSON: %.200s", b.Payload)
	}
	var compact bytes.Buffer
	json.Compact(&compact, b.Payload)
	if !bytes.Equal(compact.Bytes(), b.Payload) {
		t.Errorf("payload is not compact")
	}
	var p Payload
	if err := json.Unmarshal(b.Payload, &p); err != nil {
		t.Fatal(err)
	}
	var got []boardRow
	for _, bj := range p.Boards {
		got = append(got, boardRow{bj.Name, bj.System, bj.Project, bj.AreaPath, bj.UseGlobal})
		if fp, own := fps[bj.Name]; own != (bj.Credential != nil) || own && bj.Credential.Fingerprint != fp {
			t.Errorf("board %q: credential %+v, want own=%v fingerprint %s", bj.Name, bj.Credential, own, fp)
		}
	}
	slices.SortFunc(got, func(a, b boardRow) int { return strings.Compare(a.Name, b.Name) })
	if diff := cmp.Diff(readBoardRows(t, ws), got); diff != "" {
		t.Errorf("payload boards differ from the table (-table +payload):\n%s", diff)
	}

	// The signed manifest lists the secrets; the result lists every item.
	wantSecrets := []bundle.Content{{Kind: "provider", Name: providers.SecretDevOpsPAT, Fingerprint: p.Providers[0].Fingerprint},
		{Kind: "board", Name: "Own A", Fingerprint: fps["Own A"]}, {Kind: "board", Name: "Own \"B\"", Fingerprint: fps["Own \"B\""]}}
	if diff := cmp.Diff(wantSecrets, b.Manifest.Contents); diff != "" {
		t.Errorf("manifest contents (-want +got):\n%s", diff)
	}
	if n := len(res.Items); n != 1+len(hostileNames)+2 {
		t.Errorf("result lists %d items, want %d", n, 1+len(hostileNames)+2)
	}

	// And it all arrives on a server unchanged.
	srv, _ := newVault(t)
	imp, err := Import(ctx, srv, path, ImportOptions{Identities: []age.Identity{id}, Signers: []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(readBoardRows(t, ws), readBoardRows(t, srv)); diff != "" {
		t.Errorf("server boards differ (-workstation +server):\n%s", diff)
	}
	if diff := cmp.Diff(res.Items, imp.Contents); diff != "" {
		t.Errorf("import lists other items than the export (-export +import):\n%s", diff)
	}
}

func TestExportSelection(t *testing.T) {
	ws, fps := workstation(t)
	id, _ := age.GenerateX25519Identity()
	key := signer(t, ws)
	sel := []string{"Own A", `Quote " board`}
	path, res := exportTo(t, ws, id, Selection{Boards: sel, Providers: []string{}})
	var names []string
	for _, it := range res.Items {
		names = append(names, it.Name)
	}
	if diff := cmp.Diff([]string{`Quote " board`, "Own A"}, names); diff != "" {
		t.Errorf("exported items (-want +got):\n%s", diff)
	}
	b := openBundle(t, path, id, key)
	if diff := cmp.Diff([]bundle.Content{{Kind: "board", Name: "Own A", Fingerprint: fps["Own A"]}}, b.Manifest.Contents); diff != "" {
		t.Errorf("manifest contents (-want +got):\n%s", diff)
	}

	_, err := Export(context.Background(), ws, filepath.Join(t.TempDir(), "x.age"), ExportOptions{Recipients: []age.Recipient{id.Recipient()}, Select: Selection{Boards: []string{"Own A", "No such board"}}})
	if !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("selecting a missing board: %v, want not found", err)
	}
}

// A bundle whose signed manifest and payload disagree about the secrets is
// refused, even though its signature is valid, and the server is unchanged.
func TestImportRefusesManifestPayloadMismatch(t *testing.T) {
	ws, fps := workstation(t)
	id, _ := age.GenerateX25519Identity()
	key := signer(t, ws)
	path, _ := exportTo(t, ws, id, Selection{})
	orig := openBundle(t, path, id, key)

	cases := []struct {
		name   string
		change func([]bundle.Content) []bundle.Content
	}{
		{"board credential not listed", func(c []bundle.Content) []bundle.Content {
			return slices.DeleteFunc(c, func(x bundle.Content) bool { return x.Name == "Own A" })
		}},
		{"provider not listed", func(c []bundle.Content) []bundle.Content {
			return slices.DeleteFunc(c, func(x bundle.Content) bool { return x.Kind == "provider" })
		}},
		{"wrong fingerprint", func(c []bundle.Content) []bundle.Content {
			for i := range c {
				if c[i].Name == "Own A" {
					c[i].Fingerprint = fps["Own \"B\""]
				}
			}
			return c
		}},
		{"listed secret missing from the payload", func(c []bundle.Content) []bundle.Content {
			return append(c, bundle.Content{Kind: "provider", Name: providers.SecretJiraToken, Fingerprint: "0000-0000-0000"})
		}},
		{"board without credential listed", func(c []bundle.Content) []bundle.Content {
			return append(c, bundle.Content{Kind: "board", Name: hostileNames[0]})
		}},
	}
	for seq, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := orig.Manifest
			m.Sequence = uint64(100 + seq)
			m.Signer = ""
			m.Contents = c.change(slices.Clone(orig.Manifest.Contents))
			forged := filepath.Join(t.TempDir(), "forged.age")
			if err := bundle.WriteFile(forged, bundle.Bundle{FormatVersion: bundle.FormatVersion, Manifest: m, Payload: orig.Payload},
				bundle.ExportOptions{Recipients: []age.Recipient{id.Recipient()}, SigningKey: key}); err != nil {
				t.Fatal(err)
			}
			srv, _ := newVault(t)
			before := readBoardRows(t, srv)
			_, err := Import(context.Background(), srv, forged, ImportOptions{Identities: []age.Identity{id}, Signers: []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}})
			if !errors.Is(err, ErrFingerprintMismatch) {
				t.Fatalf("import: %v, want %v", err, ErrFingerprintMismatch)
			}
			if diff := cmp.Diff(before, readBoardRows(t, srv)); diff != "" {
				t.Errorf("server boards changed:\n%s", diff)
			}
		})
	}
}

// Boards whose ids span more than splitBoards are read as two halves on two
// connections: every board must come out exactly once, whichever half its
// id falls in (the ids below sit on and around the split point).
func TestExportReadsBoardsInTwoHalves(t *testing.T) {
	ctx := context.Background()
	ws, fps := workstation(t) // ids 1..12 so far
	const last = 3 * splitBoards
	mid := int64(1) + (last-1)/2
	now := time.Now().UTC().Format(time.RFC3339Nano)
	err := ws.Update(ctx, func(tx *sql.Tx) error {
		for _, id := range []int64{mid - 1, mid, mid + 1, mid + 2, last - 1, last} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO boards (id, name, system, project, area_path, use_global, created_at, updated_at) VALUES (?, ?, 'jira', 'P', '', 1, ?, ?)`,
				id, fmt.Sprintf("Board id %d", id), now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := age.GenerateX25519Identity()
	path, res := exportTo(t, ws, id, Selection{})
	b := openBundle(t, path, id, signer(t, ws))
	var p Payload
	if err := json.Unmarshal(b.Payload, &p); err != nil {
		t.Fatal(err)
	}
	var got, items []string
	for _, bj := range p.Boards {
		got = append(got, bj.Name)
	}
	for _, it := range res.Items {
		if it.Kind == "board" {
			items = append(items, it.Name)
		}
	}
	var want []string
	for _, r := range readBoardRows(t, ws) {
		want = append(want, r.Name)
	}
	slices.Sort(got)
	slices.Sort(items)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("payload boards (-table +payload):\n%s", diff)
	}
	if diff := cmp.Diff(want, items); diff != "" {
		t.Errorf("result items (-table +items):\n%s", diff)
	}
	if len(fps) != 2 || len(b.Manifest.Contents) != 3 {
		t.Errorf("manifest contents %v, want the PAT and 2 board credentials", b.Manifest.Contents)
	}
}
