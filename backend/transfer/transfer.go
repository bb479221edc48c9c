// Package transfer moves a vault's configuration into a bundle and a bundle
// into another vault. The bundle format (age encryption, Ed25519-signed
// manifest) is package bundle's; this package decides what goes in the
// payload and applies it on the receiving side.
//
// # Payload (bundle "payload" object, format_version 1)
//
//	{"settings": {"global_shared_secret": true, "devops_method": "pat"},
//	 "fingerprint_key": "<base64 32 bytes>",
//	 "providers": [{"name": "devops.pat", "meta": {...}, "value": "<secret>",
//	                "expires_at": "2027-01-31", "fingerprint": "abcd-ef01-2345"}],
//	 "boards": [{"name": "Board A", "system": "devops", "project": "P",
//	             "area_path": "", "use_global": false,
//	             "credential": {"meta": {...}, "value": "...", "expires_at": "", "fingerprint": "..."}}]}
//
// The fingerprint key travels so the server shows the same fingerprints as
// the workstation; the importer recomputes every fingerprint with it and
// refuses the bundle when one differs from the signed manifest.
//
// # Trust
//
// The importer trusts only the signer key it is given (--signer), refuses an
// expired bundle, and refuses a sequence that is not newer than the last one
// imported from that signer (table bundle_imports). Everything is applied in
// one transaction: a refused bundle changes nothing.
package transfer

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"filippo.io/age"
	"github.com/awnumar/memguard"

	"sharedvault/backend/bundle"
	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

// ErrFingerprintMismatch is returned when a secret in a bundle does not match
// the fingerprint its signed manifest announces.
var ErrFingerprintMismatch = errors.New("a secret in the bundle does not match its signed fingerprint")

type secretJSON struct {
	Name        string            `json:"name,omitempty"`
	Meta        map[string]string `json:"meta"`
	Value       string            `json:"value"`
	ExpiresAt   string            `json:"expires_at,omitempty"`
	Fingerprint string            `json:"fingerprint"`
}

type boardJSON struct {
	Name       string      `json:"name"`
	System     string      `json:"system"`
	Project    string      `json:"project"`
	AreaPath   string      `json:"area_path"`
	UseGlobal  bool        `json:"use_global"`
	Credential *secretJSON `json:"credential,omitempty"`
}

// Payload is the documented payload object.
type Payload struct {
	Settings       map[string]string `json:"settings"`
	FingerprintKey string            `json:"fingerprint_key"`
	Providers      []secretJSON      `json:"providers"`
	Boards         []boardJSON       `json:"boards"`
}

// Selection says what to export; nil slices mean everything.
type Selection struct {
	Providers []string // devops, jira (or secret names devops.pat, devops.sp, jira.token)
	Boards    []string // board names
}

// ExportOptions control an export.
type ExportOptions struct {
	Recipients []age.Recipient
	Armor      bool
	ExpiresAt  *time.Time
	Select     Selection
}

// SigningKey returns this vault's bundle-signing key, generating and storing
// it (sealed) on first use. The caller wipes the private key.
func SigningKey(ctx context.Context, v *vault.Vault) (ed25519.PrivateKey, error) {
	ad := vault.AD{Kind: "setting", Record: vault.SettingSigningKey, Field: "value"}
	s, ok, err := vault.Setting(ctx, v.DB(), vault.SettingSigningKey)
	if err != nil {
		return nil, err
	}
	if ok {
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("%w: signing key: %v", vault.ErrCorrupt, err)
		}
		buf, err := v.Open(ad, raw)
		if err != nil {
			return nil, err
		}
		defer buf.Destroy()
		return ed25519.NewKeyFromSeed(buf.Bytes()), nil
	}
	key, err := bundle.GenerateSigningKey()
	if err != nil {
		return nil, err
	}
	sealed, err := v.Seal(ad, key.Seed())
	if err != nil {
		return nil, err
	}
	err = v.Update(ctx, func(tx *sql.Tx) error {
		if err := vault.SetSetting(ctx, tx, vault.SettingSigningKey, base64.StdEncoding.EncodeToString(sealed)); err != nil {
			return err
		}
		return v.Audit(ctx, tx, "bundle.signing_key_created", "signing-key", map[string]string{"public_key": bundle.FormatSignerKey(key.Public().(ed25519.PublicKey))})
	})
	return key, err
}

// PublicSigningKey is the printable public key (`signing-key`).
func PublicSigningKey(ctx context.Context, v *vault.Vault) (string, error) {
	k, err := SigningKey(ctx, v)
	if err != nil {
		return "", err
	}
	defer memguard.WipeBytes(k)
	return bundle.FormatSignerKey(k.Public().(ed25519.PublicKey)), nil
}

func providerWanted(sel []string, name string) bool {
	if sel == nil {
		return true
	}
	for _, s := range sel {
		s = strings.TrimSpace(strings.ToLower(s))
		if s == name || strings.HasPrefix(name, s+".") {
			return true
		}
	}
	return false
}

// Export writes a bundle of v's configuration to path and returns its manifest.
func Export(ctx context.Context, v *vault.Vault, path string, opt ExportOptions) (bundle.Manifest, error) {
	if len(opt.Recipients) == 0 {
		return bundle.Manifest{}, errors.New("no recipient: give --recipient, --recipients-file or --bundle-passphrase-file")
	}
	key, err := SigningKey(ctx, v)
	if err != nil {
		return bundle.Manifest{}, err
	}
	defer memguard.WipeBytes(key)
	secrets := providers.NewSecrets(v)
	db := v.DB()
	var p Payload
	var contents []bundle.Content
	var wipe [][]byte
	defer func() {
		for _, b := range wipe {
			memguard.WipeBytes(b)
		}
	}()
	open := func(r providers.Record) (string, error) {
		var val string
		err := secrets.OpenWith(r, 0, func(v, _ []byte) error { val = string(v); return nil })
		return val, err
	}

	p.Settings = map[string]string{}
	for _, k := range []string{vault.SettingGlobalSharedSecret, vault.SettingDevOpsMethod} {
		if s, ok, err := vault.Setting(ctx, db, k); err != nil {
			return bundle.Manifest{}, err
		} else if ok {
			p.Settings[k] = s
		}
	}
	fpk, err := v.FingerprintKey(ctx, nil)
	if err != nil {
		return bundle.Manifest{}, err
	}
	p.FingerprintKey = base64.StdEncoding.EncodeToString(fpk.Bytes())
	fpk.Destroy()

	for _, name := range []string{providers.SecretDevOpsPAT, providers.SecretDevOpsSP, providers.SecretJiraToken} {
		if !providerWanted(opt.Select.Providers, name) {
			continue
		}
		r, ok, err := secrets.Current(ctx, db, name)
		if err != nil {
			return bundle.Manifest{}, err
		}
		if !ok {
			continue
		}
		val, err := open(r)
		if err != nil {
			return bundle.Manifest{}, err
		}
		p.Providers = append(p.Providers, secretJSON{Name: name, Meta: r.Meta, Value: val, ExpiresAt: r.ExpiresAt, Fingerprint: r.Fingerprint})
		contents = append(contents, bundle.Content{Kind: "provider", Name: name, Fingerprint: r.Fingerprint})
	}

	own, err := secrets.CurrentWithPrefix(ctx, "board:")
	if err != nil {
		return bundle.Manifest{}, err
	}
	if p.Providers == nil {
		p.Providers = []secretJSON{}
	}
	head, err := json.Marshal(struct {
		Settings       map[string]string `json:"settings"`
		FingerprintKey string            `json:"fingerprint_key"`
		Providers      []secretJSON      `json:"providers"`
	}{p.Settings, p.FingerprintKey, p.Providers})
	if err != nil {
		return bundle.Manifest{}, err
	}
	wipe = append(wipe, head)
	raw := make([]byte, 0, len(head)+64)
	raw = append(raw, head[:len(head)-1]...) // drop the closing brace
	raw = append(raw, `,"boards":[`...)
	raw, boardContents, err := appendBoards(ctx, db, raw, own, opt.Select.Boards, open)
	if err != nil {
		return bundle.Manifest{}, err
	}
	raw = append(raw, "]}"...)
	wipe = append(wipe, raw)
	contents = append(contents, boardContents...)

	var m bundle.Manifest
	err = v.Update(ctx, func(tx *sql.Tx) error {
		seq := uint64(0)
		if s, ok, err := vault.Setting(ctx, tx, vault.SettingExportSequence); err != nil {
			return err
		} else if ok {
			seq, _ = strconv.ParseUint(s, 10, 64)
		}
		seq++
		if err := vault.SetSetting(ctx, tx, vault.SettingExportSequence, strconv.FormatUint(seq, 10)); err != nil {
			return err
		}
		m = bundle.Manifest{VaultID: v.Info().VaultID, Sequence: seq, CreatedAt: v.Now().Truncate(time.Second), ExpiresAt: opt.ExpiresAt, Contents: contents}
		if err := bundle.WriteFile(path, bundle.Bundle{FormatVersion: bundle.FormatVersion, Manifest: m, Payload: raw}, bundle.ExportOptions{Recipients: opt.Recipients, Armor: opt.Armor, SigningKey: key}); err != nil {
			return err
		}
		detail := map[string]string{"sequence": strconv.FormatUint(seq, 10), "providers": strconv.Itoa(len(p.Providers)), "boards": strconv.Itoa(len(boardContents)), "file": path}
		for _, c := range contents {
			if c.Kind == "provider" {
				detail[c.Name] = c.Fingerprint
			}
		}
		return v.Audit(ctx, tx, "bundle.export", path, detail)
	})
	m.Signer = base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
	return m, err
}

// appendBoards writes the selected boards as JSON array elements onto dst,
// straight from the rows: 10,000 boards must not cost 10,000 structs and a
// reflective encoder (make bench compares export with the age CLI).
func appendBoards(ctx context.Context, db *sql.DB, dst []byte, own map[string]providers.Record, selected []string, open func(providers.Record) (string, error)) ([]byte, []bundle.Content, error) {
	want := map[string]bool{}
	for _, b := range selected {
		want[b] = true
	}
	// Room for every board up front: growing a megabytes-long slice by
	// doubling copies it over and over.
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM boards`).Scan(&n); err != nil {
		return nil, nil, err
	}
	dst = slices.Grow(dst, n*160)
	rows, err := db.QueryContext(ctx, `SELECT id, name, system, project, area_path, use_global FROM boards ORDER BY name`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var contents []bundle.Content
	var id int64
	var name string
	var system, project, area sql.RawBytes
	var useGlobal bool
	for rows.Next() {
		if err := rows.Scan(&id, &name, &system, &project, &area, &useGlobal); err != nil {
			return nil, nil, err
		}
		if selected != nil && !want[name] {
			continue
		}
		if len(contents) > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"name":`...)
		dst = appendJSONString(dst, name)
		dst = append(dst, `,"system":`...)
		dst = appendJSONString(dst, string(system))
		dst = append(dst, `,"project":`...)
		dst = appendJSONString(dst, string(project))
		dst = append(dst, `,"area_path":`...)
		dst = appendJSONString(dst, string(area))
		dst = append(dst, `,"use_global":`...)
		dst = strconv.AppendBool(dst, useGlobal)
		fp := ""
		if r, ok := own[boardSecretName(id)]; ok {
			val, err := open(r)
			if err != nil {
				return nil, nil, err
			}
			cred, err := json.Marshal(secretJSON{Meta: r.Meta, Value: val, ExpiresAt: r.ExpiresAt, Fingerprint: r.Fingerprint})
			if err != nil {
				return nil, nil, err
			}
			dst = append(dst, `,"credential":`...)
			dst = append(dst, cred...)
			memguard.WipeBytes(cred)
			fp = r.Fingerprint
		}
		dst = append(dst, '}')
		contents = append(contents, bundle.Content{Kind: "board", Name: name, Fingerprint: fp})
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if selected != nil && len(contents) != len(want) {
		return nil, nil, fmt.Errorf("%w: some selected boards do not exist", vault.ErrNotFound)
	}
	return dst, contents, nil
}

// appendJSONString appends s as a JSON string (no HTML escaping, like the
// bundle's canonical form); invalid UTF-8 goes through encoding/json.
func appendJSONString(dst []byte, s string) []byte {
	if !utf8.ValidString(s) {
		b, _ := json.Marshal(s)
		return append(dst, b...)
	}
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

func boardSecretName(id int64) string { return "board:" + strconv.FormatInt(id, 10) }

// ImportOptions control an import.
type ImportOptions struct {
	Identities []age.Identity
	Signers    []ed25519.PublicKey
}

// ImportResult describes what an import changed.
type ImportResult struct {
	Sequence  uint64           `json:"sequence"`
	VaultID   string           `json:"source_vault_id"`
	Signer    string           `json:"signer"`
	CreatedAt string           `json:"created_at"`
	ExpiresAt string           `json:"expires_at,omitempty"`
	Contents  []bundle.Content `json:"contents"`
}

// Import verifies the bundle at path and applies it to v in one transaction.
func Import(ctx context.Context, v *vault.Vault, path string, opt ImportOptions) (ImportResult, error) {
	db := v.DB()
	var seqErr error
	b, err := bundle.ReadFile(path, bundle.VerifyOptions{
		Identities:     opt.Identities,
		TrustedSigners: opt.Signers,
		Now:            v.Now(),
		LastSequence: func(signer string) (uint64, bool) {
			var last int64
			err := db.QueryRowContext(ctx, `SELECT last_sequence FROM bundle_imports WHERE signer_key = ?`, signer).Scan(&last)
			if errors.Is(err, sql.ErrNoRows) {
				return 0, false
			}
			if err != nil {
				seqErr = err
				return ^uint64(0), true
			}
			return uint64(last), true
		},
	})
	if seqErr != nil {
		return ImportResult{}, seqErr
	}
	if err != nil {
		return ImportResult{}, err
	}
	defer memguard.WipeBytes(b.Payload)
	var p Payload
	dec := json.NewDecoder(strings.NewReader(string(b.Payload)))
	if err := dec.Decode(&p); err != nil {
		return ImportResult{}, fmt.Errorf("%w: payload: %v", bundle.ErrFormat, err)
	}
	fpKey, err := base64.StdEncoding.DecodeString(p.FingerprintKey)
	if err != nil || len(fpKey) != 32 {
		return ImportResult{}, fmt.Errorf("%w: payload fingerprint key", bundle.ErrFormat)
	}
	defer memguard.WipeBytes(fpKey)

	// The manifest is what was signed: every secret must match it.
	signed := map[string]string{}
	for _, c := range b.Manifest.Contents {
		signed[c.Kind+"\x00"+c.Name] = c.Fingerprint
	}
	check := func(kind, name string, s *secretJSON) error {
		want, ok := signed[kind+"\x00"+name]
		got := ""
		if s != nil {
			got = vault.FingerprintWith(fpKey, []byte(s.Value))
		}
		if !ok || want != got {
			return fmt.Errorf("%w (%s %s)", ErrFingerprintMismatch, kind, name)
		}
		return nil
	}
	for i := range p.Providers {
		if !providers.IsSharedSecretName(p.Providers[i].Name) {
			return ImportResult{}, fmt.Errorf("%w: unknown provider %q", bundle.ErrFormat, p.Providers[i].Name)
		}
		if err := check("provider", p.Providers[i].Name, &p.Providers[i]); err != nil {
			return ImportResult{}, err
		}
	}
	for i := range p.Boards {
		if err := check("board", p.Boards[i].Name, p.Boards[i].Credential); err != nil {
			return ImportResult{}, err
		}
		if s := p.Boards[i].System; s != "devops" && s != "jira" {
			return ImportResult{}, fmt.Errorf("%w: board %q has unknown system %q", bundle.ErrFormat, p.Boards[i].Name, s)
		}
	}

	secrets := providers.NewSecrets(v)
	m := b.Manifest
	err = v.Update(ctx, func(tx *sql.Tx) error {
		if err := v.ReplaceFingerprintKey(ctx, tx, fpKey); err != nil {
			return err
		}
		for k, val := range p.Settings {
			if k != vault.SettingGlobalSharedSecret && k != vault.SettingDevOpsMethod {
				continue
			}
			if err := vault.SetSetting(ctx, tx, k, val); err != nil {
				return err
			}
		}
		for _, s := range p.Providers {
			if err := putSecret(ctx, tx, secrets, s.Name, s); err != nil {
				return err
			}
		}
		now := v.Now().Format(time.RFC3339Nano)
		for _, bj := range p.Boards {
			var id int64
			err := tx.QueryRowContext(ctx, `INSERT INTO boards (name, system, project, area_path, use_global, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT(name) DO UPDATE SET system=excluded.system, project=excluded.project, area_path=excluded.area_path, use_global=excluded.use_global, updated_at=excluded.updated_at
				RETURNING id`, bj.Name, bj.System, bj.Project, bj.AreaPath, bj.UseGlobal, now, now).Scan(&id)
			if err != nil {
				return err
			}
			if bj.Credential != nil {
				if err := putSecret(ctx, tx, secrets, boardSecretName(id), *bj.Credential); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bundle_imports (signer_key, last_sequence, imported_at) VALUES (?, ?, ?)
			ON CONFLICT(signer_key) DO UPDATE SET last_sequence = excluded.last_sequence, imported_at = excluded.imported_at`, m.Signer, int64(m.Sequence), now); err != nil {
			return err
		}
		detail := map[string]string{"sequence": strconv.FormatUint(m.Sequence, 10), "source_vault": m.VaultID, "signer": bundle.FormatSignerKey(ed25519.PublicKey(mustB64(m.Signer))), "boards": strconv.Itoa(len(p.Boards))}
		for _, s := range p.Providers {
			detail[s.Name] = s.Fingerprint
		}
		return v.Audit(ctx, tx, "bundle.import", path, detail)
	})
	for i := range p.Providers {
		p.Providers[i].Value = ""
	}
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{Sequence: m.Sequence, VaultID: m.VaultID, Signer: bundle.FormatSignerKey(ed25519.PublicKey(mustB64(m.Signer))), CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339), Contents: m.Contents}
	if m.ExpiresAt != nil {
		res.ExpiresAt = m.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return res, nil
}

func mustB64(s string) []byte {
	b, _ := base64.StdEncoding.DecodeString(s)
	return b
}

// putSecret stores s as the new current version of name unless that value is
// already current (re-importing the same bundle content adds no versions).
func putSecret(ctx context.Context, tx *sql.Tx, secrets *providers.Secrets, name string, s secretJSON) error {
	// Fingerprints are computed with the adopted key inside this tx, so the
	// stored fingerprint equals the manifest's.
	_, err := secrets.Put(ctx, tx, name, s.Meta, []byte(s.Value), s.ExpiresAt)
	return err
}
