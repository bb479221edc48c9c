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
// Boards without an own credential come first, then those with one; each run
// is in the order the boards were created.
//
// The manifest's contents list every secret in the payload (kind "provider"
// or "board", with its fingerprint), not the boards without a credential:
// those are covered by the signature over the payload digest, and listing
// 10,000 of them twice would double the signed bytes.
//
// The fingerprint key travels so the server shows the same fingerprints as
// the workstation; the importer recomputes every fingerprint with it and
// refuses the bundle when one differs from the signed manifest or the
// manifest lists a secret the payload lacks.
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
	"unsafe"

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

// ExportResult describes a written bundle. The signed manifest lists the
// secrets the bundle carries (providers and board-own credentials, with
// fingerprints); Items lists everything, boards included, for display.
type ExportResult struct {
	Manifest bundle.Manifest
	Items    []bundle.Content
}

// Export writes a bundle of v's configuration to path.
//
// Everything is read inside the write transaction that takes the next export
// sequence, so the bundle is one consistent snapshot and two exports can't
// share a sequence. The bundle file is written (and fsynced: admins export
// straight onto removable media) before that transaction commits its audit
// entry, so the log never records a bundle that was not written.
func Export(ctx context.Context, v *vault.Vault, path string, opt ExportOptions) (ExportResult, error) {
	if len(opt.Recipients) == 0 {
		return ExportResult{}, errors.New("no recipient: give --recipient, --recipients-file or --bundle-passphrase-file")
	}
	key, err := SigningKey(ctx, v)
	if err != nil {
		return ExportResult{}, err
	}
	defer memguard.WipeBytes(key)
	var res ExportResult
	// The bundle goes into place only after the vault recorded its sequence:
	// a bundle whose number the vault lost would be refused as a replay
	// next to the next export's.
	var pending *bundle.PendingFile
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
		payload, secrets, boards, err := buildPayload(ctx, v, tx, opt.Select)
		defer payload.wipe()
		if err != nil {
			return err
		}
		m := bundle.Manifest{VaultID: v.Info().VaultID, Sequence: seq, CreatedAt: v.Now().Truncate(time.Second), ExpiresAt: opt.ExpiresAt, Contents: secrets}
		p, err := bundle.WriteTemp(path, bundle.Bundle{FormatVersion: bundle.FormatVersion, Manifest: m},
			bundle.ExportOptions{Recipients: opt.Recipients, Armor: opt.Armor, SigningKey: key, PayloadCompact: true, PayloadParts: payload.parts})
		if err != nil {
			return err
		}
		pending = p
		// The list for the result is made while the bundle is synced.
		items, err := boards.items(secrets)
		if err != nil {
			return err
		}
		providerCount, boardCount := 0, 0
		detail := map[string]string{"sequence": strconv.FormatUint(seq, 10), "file": path}
		for _, c := range items {
			if c.Kind == "provider" {
				providerCount++
				detail[c.Name] = c.Fingerprint
			} else {
				boardCount++
			}
		}
		detail["providers"], detail["boards"] = strconv.Itoa(providerCount), strconv.Itoa(boardCount)
		m.Signer = base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
		res = ExportResult{Manifest: m, Items: items}
		if err := v.Audit(ctx, tx, "bundle.export", path, detail); err != nil {
			return err
		}
		// The sequence is recorded only once its bundle is on disk.
		return p.Wait()
	})
	if err != nil {
		if pending != nil {
			pending.Abort()
		}
		return ExportResult{}, err
	}
	// A failed rename leaves the sequence used and no file: a gap in the
	// numbers is harmless, importers only require a newer one.
	if err := pending.Commit(); err != nil {
		return ExportResult{}, err
	}
	return res, nil
}

// buildPayload writes the payload object (see the package comment) from the
// rows read through tx, as compact JSON. secrets are the manifest's contents
// (every secret with its fingerprint); boards lists what was read of them.
func buildPayload(ctx context.Context, v *vault.Vault, tx *sql.Tx, sel Selection) (payload *payloadParts, secrets []bundle.Content, boards exportedBoards, err error) {
	store := providers.NewSecrets(v)
	payload = &payloadParts{}
	var wipe [][]byte // wiped on return; payload's own secret parts later
	defer func() {
		for _, b := range wipe {
			memguard.WipeBytes(b)
		}
	}()
	open := func(r providers.Record) (string, error) {
		var val string
		err := store.OpenWith(r, 0, func(v, _ []byte) error { val = string(v); return nil })
		return val, err
	}
	var p Payload
	p.Settings = map[string]string{}
	for _, k := range []string{vault.SettingGlobalSharedSecret, vault.SettingDevOpsMethod} {
		if s, ok, err := vault.Setting(ctx, tx, k); err != nil {
			return nil, nil, exportedBoards{}, err
		} else if ok {
			p.Settings[k] = s
		}
	}
	fpk, err := v.FingerprintKey(ctx, tx)
	if err != nil {
		return nil, nil, exportedBoards{}, err
	}
	p.FingerprintKey = base64.StdEncoding.EncodeToString(fpk.Bytes())
	fpk.Destroy()

	p.Providers = []secretJSON{}
	for _, name := range []string{providers.SecretDevOpsPAT, providers.SecretDevOpsSP, providers.SecretJiraToken} {
		if !providerWanted(sel.Providers, name) {
			continue
		}
		r, ok, err := store.Current(ctx, tx, name)
		if err != nil {
			return nil, nil, exportedBoards{}, err
		}
		if !ok {
			continue
		}
		val, err := open(r)
		if err != nil {
			return nil, nil, exportedBoards{}, err
		}
		p.Providers = append(p.Providers, secretJSON{Name: name, Meta: r.Meta, Value: val, ExpiresAt: r.ExpiresAt, Fingerprint: r.Fingerprint})
		secrets = append(secrets, bundle.Content{Kind: "provider", Name: name, Fingerprint: r.Fingerprint})
	}
	head, err := json.Marshal(struct {
		Settings       map[string]string `json:"settings"`
		FingerprintKey string            `json:"fingerprint_key"`
		Providers      []secretJSON      `json:"providers"`
	}{p.Settings, p.FingerprintKey, p.Providers})
	for i := range p.Providers {
		p.Providers[i].Value = ""
	}
	if err != nil {
		return nil, nil, exportedBoards{}, err
	}
	wipe = append(wipe, head)

	own, err := store.CurrentWithPrefix(ctx, tx, "board:")
	if err != nil {
		return nil, nil, exportedBoards{}, err
	}
	boards, err = readBoards(ctx, v.Cached().InTx(tx), v.Cached(), sel.Boards, own, open)
	if err != nil {
		return nil, nil, exportedBoards{}, err
	}

	// The payload stays in pieces: the board runs are megabytes, and the
	// bundle writer hashes and encrypts them where they are.
	opening := append(head[:len(head)-1:len(head)-1], `,"boards":[`...) // the head without its closing brace
	payload.add(opening, true)
	runs := 0
	for _, run := range boards.plain {
		if runs > 0 {
			payload.add([]byte(","), false)
		}
		// A read-only view of the driver's string: the writer only reads
		// it, and it holds no secret (so it needs no wiping).
		payload.add(unsafe.Slice(unsafe.StringData(run), len(run)), false)
		runs++
	}
	if len(boards.owned) > 0 {
		if runs > 0 {
			payload.add([]byte(","), false)
		}
		payload.add(boards.owned, true)
	}
	payload.add([]byte("]}"), false)

	secrets = append(secrets, boards.secrets...)
	return payload, secrets, boards, nil
}

// payloadParts is the payload as consecutive pieces; the ones that hold
// secrets are wiped once the bundle is written.
type payloadParts struct {
	parts   [][]byte
	secrets [][]byte
}

func (p *payloadParts) add(b []byte, secret bool) {
	p.parts = append(p.parts, b)
	if secret {
		p.secrets = append(p.secrets, b)
	}
}

func (p *payloadParts) wipe() {
	if p == nil {
		return
	}
	for _, b := range p.secrets {
		memguard.WipeBytes(b)
	}
}

// exportedBoards are the payload's board objects in two runs of comma-
// separated JSON: boards without an own credential (plain, kept by SQLite)
// and boards with one (owned, built here because the value is decrypted).
type exportedBoards struct {
	plain   []string         // runs of plain board objects, as SQLite returned them
	counts  []int            // boards in each plain run
	owned   []byte           // holds secrets: the caller wipes it
	secrets []bundle.Content // the owned boards, with their fingerprints
}

// plainBoardsQuery reads the JSON of every board without an own credential
// from the column SQLite keeps for it (migration 00002), in id order: 10,000
// boards built row by row through database/sql took twice as long as the
// whole age encryption that make bench compares export with.
const plainBoardsQuery = `SELECT coalesce(group_concat(payload_json, ','), ''), count(*)
FROM boards
WHERE id BETWEEN ?3 AND ?4
  AND (?1 IS NULL OR id NOT IN (SELECT value FROM json_each(?1)))
  AND (?2 IS NULL OR name IN (SELECT value FROM json_each(?2)))`

// items lists everything the payload carries, in its order: the providers
// (the first of secrets), every board, then the boards' own credentials.
func (b exportedBoards) items(secrets []bundle.Content) ([]bundle.Content, error) {
	n := len(secrets)
	for _, c := range b.counts {
		n += c
	}
	items := make([]bundle.Content, 0, n)
	for _, c := range secrets {
		if c.Kind == "provider" {
			items = append(items, c)
		}
	}
	for i, run := range b.plain {
		err := eachBoardName(run, b.counts[i], func(name string) {
			items = append(items, bundle.Content{Kind: "board", Name: name})
		})
		if err != nil {
			return nil, err
		}
	}
	return append(items, b.secrets...), nil
}

// eachBoardName calls fn with each name in run, count board objects as
// json_object writes them ({"name":"…",…}) joined by commas. Taking them
// from the JSON costs a fifth of asking SQLite for a second aggregate. The
// run is never wiped (it holds no secret), so the names can share it.
func eachBoardName(run string, count int, fn func(name string)) error {
	const objectStart, nextObject = `{"name":"`, `},{"name":"`
	seen := 0
	for i := 0; i < len(run); {
		if !strings.HasPrefix(run[i:], objectStart) {
			return fmt.Errorf("%w: board payload_json at byte %d", vault.ErrCorrupt, i)
		}
		start := i + len(objectStart)
		end := start
		for { // the closing quote: one not escaped by an odd run of backslashes
			k := strings.IndexByte(run[end:], '"')
			if k < 0 {
				return fmt.Errorf("%w: board payload_json at byte %d", vault.ErrCorrupt, i)
			}
			end += k
			backslashes := 0
			for backslashes < end-start && run[end-1-backslashes] == '\\' {
				backslashes++
			}
			if backslashes%2 == 0 {
				break
			}
			end++
		}
		name := run[start:end]
		if strings.IndexByte(name, '\\') >= 0 {
			if err := json.Unmarshal([]byte(run[start-1:end+1]), &name); err != nil {
				return fmt.Errorf("%w: board name in payload_json: %v", vault.ErrCorrupt, err)
			}
		}
		fn(name)
		seen++
		// A raw quote only ever delimits a string, so this pattern can only
		// be the start of the next object.
		k := strings.Index(run[end:], nextObject)
		if k < 0 {
			break
		}
		i = end + k + 2
	}
	if seen != count {
		return fmt.Errorf("%w: %d board objects in payload_json, %d boards", vault.ErrCorrupt, seen, count)
	}
	return nil
}

// plainPart is plainBoardsQuery's answer for one range of ids.
type plainPart struct {
	json  string // the driver's own copy, not another one
	count int
	err   error
}

func queryPlain(ctx context.Context, q vault.Querier, ownIDs, selected any, lo, hi int64) (p plainPart) {
	p.err = q.QueryRowContext(ctx, plainBoardsQuery, ownIDs, selected, lo, hi).Scan(&p.json, &p.count)
	return p
}

// splitBoards is the id span from which the plain boards are read as two
// halves at once, on the transaction's connection and on another one, so
// the second core does half of SQLite's work. Both connections see the same
// snapshot: this transaction holds the write lock, so nothing can commit
// between the two reads.
const splitBoards = 4096

const ownedBoardsQuery = `SELECT id, name, system, project, area_path, use_global FROM boards
	WHERE ?1 IS NOT NULL AND id IN (SELECT value FROM json_each(?1))
	  AND (?2 IS NULL OR name IN (SELECT value FROM json_each(?2)))
	ORDER BY id`

func readBoards(ctx context.Context, tx vault.TxQuerier, db vault.Querier, selected []string, own map[string]providers.Record, open func(providers.Record) (string, error)) (exportedBoards, error) {
	var out exportedBoards
	ownIDs := make([]int64, 0, len(own))
	for name := range own {
		if id, err := strconv.ParseInt(strings.TrimPrefix(name, "board:"), 10, 64); err == nil {
			ownIDs = append(ownIDs, id)
		}
	}
	var idsJSON any // NULL: no board has its own credential
	if len(ownIDs) > 0 {
		b, _ := json.Marshal(ownIDs)
		idsJSON = string(b)
	}
	var selJSON any // NULL: every board
	if selected != nil {
		b, _ := json.Marshal(selected)
		selJSON = string(b)
	}

	// Two subqueries: SQLite answers a lone min() or max() of the rowid
	// from the b-tree's ends, but scans the table for both in one select.
	var lo, hi sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT min(id) FROM boards), (SELECT max(id) FROM boards)`).Scan(&lo, &hi); err != nil {
		return out, err
	}
	parts := make([]plainPart, 1, 2)
	if hi.Int64-lo.Int64 < splitBoards {
		parts[0] = queryPlain(ctx, tx, idsJSON, selJSON, lo.Int64, hi.Int64)
	} else {
		mid := lo.Int64 + (hi.Int64-lo.Int64)/2
		second := make(chan plainPart, 1)
		go func() { second <- queryPlain(ctx, db, idsJSON, selJSON, mid+1, hi.Int64) }()
		parts[0] = queryPlain(ctx, tx, idsJSON, selJSON, lo.Int64, mid)
		parts = append(parts, <-second)
	}
	plainCount := 0
	for _, p := range parts {
		if p.err != nil {
			return out, p.err
		}
		plainCount += p.count
	}
	for _, p := range parts {
		if p.count > 0 {
			out.plain = append(out.plain, p.json)
			out.counts = append(out.counts, p.count)
		}
	}

	rows, err := tx.QueryContext(ctx, ownedBoardsQuery, idsJSON, selJSON)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name, system, project, area string
		var useGlobal bool
		if err := rows.Scan(&id, &name, &system, &project, &area, &useGlobal); err != nil {
			return out, err
		}
		r := own[boardSecretName(id)]
		val, err := open(r)
		if err != nil {
			return out, err
		}
		b, err := json.Marshal(boardJSON{Name: name, System: system, Project: project, AreaPath: area, UseGlobal: useGlobal,
			Credential: &secretJSON{Meta: r.Meta, Value: val, ExpiresAt: r.ExpiresAt, Fingerprint: r.Fingerprint}})
		if err != nil {
			return out, err
		}
		if len(out.owned) > 0 {
			out.owned = append(out.owned, ',')
		}
		out.owned = append(out.owned, b...)
		memguard.WipeBytes(b)
		out.secrets = append(out.secrets, bundle.Content{Kind: "board", Name: name, Fingerprint: r.Fingerprint})
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	if selected != nil && plainCount+len(out.secrets) != len(slices.Compact(slices.Sorted(slices.Values(selected)))) {
		return out, fmt.Errorf("%w: some selected boards do not exist", vault.ErrNotFound)
	}
	return out, nil
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
	p, fpKey, err := parsePayload(b.Payload, b.Manifest.Contents)
	if err != nil {
		return ImportResult{}, err
	}
	defer memguard.WipeBytes(fpKey)

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
	res := ImportResult{Sequence: m.Sequence, VaultID: m.VaultID, Signer: bundle.FormatSignerKey(ed25519.PublicKey(mustB64(m.Signer))), CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339)}
	for _, s := range p.Providers {
		res.Contents = append(res.Contents, bundle.Content{Kind: "provider", Name: s.Name, Fingerprint: s.Fingerprint})
	}
	for _, bj := range p.Boards {
		c := bundle.Content{Kind: "board", Name: bj.Name}
		if bj.Credential != nil {
			c.Fingerprint = bj.Credential.Fingerprint
		}
		res.Contents = append(res.Contents, c)
	}
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
