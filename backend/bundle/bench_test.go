package bundle

import (
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"filippo.io/age"
)

// BenchmarkExport10000Boards measures a large site's export: 10,000 boards,
// each with its own credential, sealed and encrypted to one X25519 key.
func BenchmarkExport10000Boards(b *testing.B) {
	type cred struct {
		Method   string `json:"method"`
		Username string `json:"username"`
		Token    string `json:"token"`
	}
	type board struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		System      string `json:"system"`
		Project     string `json:"project"`
		AreaPath    string `json:"area_path"`
		UseGlobal   bool   `json:"use_global"`
		Credential  *cred  `json:"credential,omitempty"`
		Fingerprint string `json:"fingerprint"`
	}
	boards := make([]board, 10000)
	contents := make([]Content, 0, len(boards))
	for i := range boards {
		bd := board{
			ID:          fmt.Sprintf("5f0c%04x-7d1e-4c5a-9b2f-%012x", i, i*7919),
			Name:        fmt.Sprintf("Team %05d board", i),
			System:      "devops",
			Project:     fmt.Sprintf("Project %03d", i%300),
			AreaPath:    fmt.Sprintf(`Project %03d\Area %02d\Team %05d`, i%300, i%17, i),
			UseGlobal:   i%3 != 0,
			Fingerprint: fmt.Sprintf("%04x-%04x-%04x", i, i*31&0xffff, i*97&0xffff),
		}
		if !bd.UseGlobal {
			bd.Credential = &cred{Method: "pat", Username: fmt.Sprintf("svc-%05d@contoso.com", i), Token: fmt.Sprintf("%052d", i)}
		}
		if i%2 == 1 {
			bd.System = "jira"
		}
		boards[i] = bd
		contents = append(contents, Content{Kind: "board", Name: bd.Name, Fingerprint: bd.Fingerprint})
	}
	payload, err := json.Marshal(map[string]any{"boards": boards, "settings": map[string]string{"global_shared_secret": "true"}})
	if err != nil {
		b.Fatal(err)
	}
	id := newX25519(b)
	bundle := Bundle{Manifest: Manifest{VaultID: "bench", Sequence: 1, CreatedAt: created, Contents: contents}, Payload: payload}
	opt := ExportOptions{Recipients: []age.Recipient{id.Recipient()}, SigningKey: newSigningKey(b)}
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Encode(io.Discard, bundle, opt); err != nil {
			b.Fatal(err)
		}
	}
}
