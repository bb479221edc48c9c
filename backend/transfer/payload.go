package transfer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/awnumar/memguard"

	"sharedvault/backend/bundle"
	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

// importedSettings are the settings an import applies, with the values each
// may take; other keys in a payload are ignored.
var importedSettings = map[string][]string{
	vault.SettingGlobalSharedSecret: {"true", "false"},
	vault.SettingDevOpsMethod:       {providers.MethodPAT, providers.MethodSP},
}

// parsePayload decodes a verified bundle's payload and checks it against
// the signed manifest contents before anything is applied: every secret
// must match its manifest entry's fingerprint under the payload's
// fingerprint key, every entry must name a secret that is there, provider
// names, board systems and the imported settings must be known values. Errors wrap bundle.ErrFormat or
// ErrFingerprintMismatch and quote names only, shortened, never a value.
// The caller wipes the returned fingerprint key.
func parsePayload(payload []byte, contents []bundle.Content) (Payload, []byte, error) {
	var p Payload
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&p); err != nil {
		return Payload{}, nil, fmt.Errorf("%w: payload: %v", bundle.ErrFormat, shortJSONError(err))
	}
	fpKey, err := base64.StdEncoding.DecodeString(p.FingerprintKey)
	if err != nil || len(fpKey) != 32 {
		memguard.WipeBytes(fpKey)
		return Payload{}, nil, fmt.Errorf("%w: payload fingerprint key", bundle.ErrFormat)
	}
	fail := func(err error) (Payload, []byte, error) {
		memguard.WipeBytes(fpKey)
		return Payload{}, nil, err
	}
	for k, v := range p.Settings {
		if allowed, ok := importedSettings[k]; ok && !slices.Contains(allowed, v) {
			return fail(fmt.Errorf("%w: setting %s has an unsupported value", bundle.ErrFormat, k))
		}
	}

	// The manifest lists every secret the payload carries, with its
	// fingerprint: each secret must match its entry, and each entry must
	// name a secret that is there.
	signed := map[string]string{}
	for _, c := range contents {
		signed[c.Kind+"\x00"+c.Name] = c.Fingerprint
	}
	check := func(kind, name string, s *secretJSON) error {
		key := kind + "\x00" + name
		want, listed := signed[key]
		delete(signed, key)
		if s == nil && !listed {
			return nil
		}
		if s == nil || !listed || want != vault.FingerprintWith(fpKey, []byte(s.Value)) {
			return fmt.Errorf("%w (%s %s)", ErrFingerprintMismatch, kind, quoteShort(name))
		}
		return nil
	}
	for i := range p.Providers {
		if !providers.IsSharedSecretName(p.Providers[i].Name) {
			return fail(fmt.Errorf("%w: unknown provider %s", bundle.ErrFormat, quoteShort(p.Providers[i].Name)))
		}
		if err := check("provider", p.Providers[i].Name, &p.Providers[i]); err != nil {
			return fail(err)
		}
	}
	for i := range p.Boards {
		name := p.Boards[i].Name
		if err := check("board", name, p.Boards[i].Credential); err != nil {
			return fail(err)
		}
		if s := p.Boards[i].System; s != "devops" && s != "jira" {
			return fail(fmt.Errorf("%w: board %s has unknown system %s", bundle.ErrFormat, quoteShort(name), quoteShort(s)))
		}
	}
	for key := range signed {
		kind, name, _ := strings.Cut(key, "\x00")
		return fail(fmt.Errorf("%w (%s %s is listed but not in the payload)", ErrFingerprintMismatch, kind, quoteShort(name)))
	}
	return p, fpKey, nil
}

// maxQuoted bounds a name quoted in an error.
const maxQuoted = 64

// quoteShort quotes s for an error message: escaped (no control characters
// reach a terminal) and cut after maxQuoted bytes.
func quoteShort(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// shortJSONError keeps a decoding error's position and kind but not the
// offending text, which encoding/json may quote (a number, a field name).
func shortJSONError(err error) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return "invalid JSON at byte " + strconv.FormatInt(e.Offset, 10)
	case *json.UnmarshalTypeError:
		return "unexpected " + strings.Fields(e.Value + " value")[0] + " for " + quoteShort(e.Field)
	}
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}
