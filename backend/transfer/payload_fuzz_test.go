package transfer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode"

	"sharedvault/backend/bundle"
	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

// FuzzParsePayload feeds the import's payload check arbitrary JSON against
// a fixed signed manifest. A refusal is a documented sentinel, short,
// printable, and never quotes a secret value; an accepted payload carries
// exactly the secrets the manifest lists, each with the signed fingerprint,
// and only known providers, systems and setting values.
func FuzzParsePayload(f *testing.F) {
	fpKey := bytes.Repeat([]byte{9}, 32)
	const patValue, boardValue = "CANARY-pat-value-0123456789abcdef", "CANARY-board-value-0123456789abcd"
	contents := []bundle.Content{
		{Kind: "provider", Name: providers.SecretDevOpsPAT, Fingerprint: vault.FingerprintWith(fpKey, []byte(patValue))},
		{Kind: "board", Name: "Board A", Fingerprint: vault.FingerprintWith(fpKey, []byte(boardValue))},
	} // the manifest lists secrets only: Board B (global secret) is not in it
	valid, err := json.Marshal(Payload{
		Settings:       map[string]string{vault.SettingGlobalSharedSecret: "true", vault.SettingDevOpsMethod: "pat"},
		FingerprintKey: base64.StdEncoding.EncodeToString(fpKey),
		Providers:      []secretJSON{{Name: providers.SecretDevOpsPAT, Meta: map[string]string{"username": "jane@contoso.com", "organisation": "fabrikam"}, Value: patValue, Fingerprint: contents[0].Fingerprint}},
		Boards: []boardJSON{
			{Name: "Board A", System: "devops", Project: "Fabrikam-Fiber-Git", AreaPath: `Team A`, Credential: &secretJSON{Meta: map[string]string{"method": "pat"}, Value: boardValue, Fingerprint: contents[1].Fingerprint}},
			{Name: "Board B", System: "jira", Project: "PROJ", UseGlobal: true},
		},
	})
	if err != nil {
		f.Fatal(err)
	}
	if _, _, err := parsePayload(valid, contents); err != nil {
		f.Fatalf("the valid seed is refused: %v", err)
	}
	f.Add(valid)
	for _, r := range [][2]string{
		{`"system":"jira"`, `"system":"confluence"`},
		{`"devops.pat"`, `"devops.pat\u001b[2J"`},
		{`"global_shared_secret":"true"`, `"global_shared_secret":"yes"`},
		{`"devops_method":"pat"`, `"devops_method":"` + patValue + `"`},
		{`"Board B"`, `"Board A"`},
		{`"providers":[`, `"providers":[{"name":"devops.pat","value":"` + patValue + `","meta":{}},`},
		{`"value":"` + boardValue + `"`, `"value":1e99`},
		{`"fingerprint_key":"`, `"fingerprint_key":"AAAA`},
		{`"boards":[`, `"boards":[{"name":"` + strings.Repeat("n", 5000) + `","system":"x"},`},
	} {
		f.Add(bytes.Replace(valid, []byte(r[0]), []byte(r[1]), 1))
	}
	f.Add([]byte(`{"settings":null,"fingerprint_key":"","providers":null,"boards":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"providers":[{"name":` + "\xff" + `}]}`))

	f.Fuzz(func(t *testing.T, in []byte) {
		p, key, err := parsePayload(in, contents)
		var loose Payload
		_ = json.Unmarshal(in, &loose)
		if err != nil {
			if !errors.Is(err, bundle.ErrFormat) && !errors.Is(err, ErrFingerprintMismatch) {
				t.Fatalf("refusal %v matches no sentinel", err)
			}
			msg := err.Error()
			if len(msg) > 500 || strings.ContainsFunc(msg, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) {
				t.Fatalf("refusal is %d bytes or not printable: %q", len(msg), msg)
			}
			// Values are never quoted (checked for values long enough not to
			// be a name or a fragment of the fixed texts).
			var names []string
			for k, v := range loose.Settings {
				names = append(names, k, v)
			}
			for _, s := range loose.Providers {
				names = append(names, s.Name)
			}
			for _, b := range loose.Boards {
				names = append(names, b.Name, b.System)
			}
			for _, v := range secretValues(loose) {
				if len(v) >= 12 && !slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, v) }) && strings.Contains(msg, v) {
					t.Fatalf("refusal quotes a secret value: %q", msg)
				}
			}
			if key != nil {
				t.Fatalf("refusal returned a fingerprint key")
			}
			return
		}
		if len(key) != 32 {
			t.Fatalf("accepted with a %d-byte fingerprint key", len(key))
		}
		for k, v := range p.Settings {
			if allowed, ok := importedSettings[k]; ok && !slices.Contains(allowed, v) {
				t.Fatalf("accepted setting %s=%q", k, v)
			}
		}
		listed := map[string]string{}
		for _, c := range contents {
			listed[c.Kind+"\x00"+c.Name] = c.Fingerprint
		}
		seen := 0
		for _, s := range p.Providers {
			if !providers.IsSharedSecretName(s.Name) || listed["provider\x00"+s.Name] != vault.FingerprintWith(key, []byte(s.Value)) {
				t.Fatalf("accepted provider %q that the manifest does not sign", s.Name)
			}
			seen++
		}
		for _, b := range p.Boards {
			if b.System != "devops" && b.System != "jira" {
				t.Fatalf("accepted board %q with system %q", b.Name, b.System)
			}
			if b.Credential != nil {
				if listed["board\x00"+b.Name] != vault.FingerprintWith(key, []byte(b.Credential.Value)) {
					t.Fatalf("accepted board credential %q that the manifest does not sign", b.Name)
				}
				seen++
			}
		}
		if seen != len(contents) {
			t.Fatalf("accepted %d secrets, the manifest lists %d", seen, len(contents))
		}
	})
}

func secretValues(p Payload) []string {
	var out []string
	for _, s := range p.Providers {
		out = append(out, s.Value)
	}
	for _, b := range p.Boards {
		if b.Credential != nil {
			out = append(out, b.Credential.Value)
		}
	}
	return out
}
