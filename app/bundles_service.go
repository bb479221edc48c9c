package app

import (
	"crypto/ed25519"
	"os"
	"strings"
	"time"

	"filippo.io/age"

	"sharedvault/backend/bundle"
	"sharedvault/backend/providers"
	"sharedvault/backend/transfer"
)

// BundlesService is the Bundles page: export an encrypted, signed bundle and
// import one.
type BundlesService struct{ vs *VaultService }

// NewBundlesService returns the service.
func NewBundlesService(vs *VaultService) *BundlesService { return &BundlesService{vs: vs} }

// ExportForm is the export form. Exactly one of Recipients (age1… lines) or
// Passphrase is given.
type ExportForm struct {
	Out        string   `json:"out"`
	Recipients string   `json:"recipients"`
	Passphrase string   `json:"passphrase"`
	Boards     []string `json:"boards"`    // nil = all
	Providers  []string `json:"providers"` // nil = all
	Expires    string   `json:"expires"`   // YYYY-MM-DD or ""
	Armor      bool     `json:"armor"`
}

// ExportDTO describes a written bundle.
type ExportDTO struct {
	File      string           `json:"file"`
	Sequence  uint64           `json:"sequence"`
	Signer    string           `json:"signer"`
	CreatedAt string           `json:"created_at"`
	ExpiresAt string           `json:"expires_at"`
	Contents  []bundle.Content `json:"contents"`
}

func invalidField(field, msg string) error {
	return &providers.ValidationError{Fields: []providers.FieldError{{Field: field, Message: msg}}}
}

// SigningKey is this vault's public bundle-signing key for servers.
func (s *BundlesService) SigningKey() (string, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return "", err
	}
	return transfer.PublicSigningKey(bg(), v)
}

// Export writes the bundle.
func (s *BundlesService) Export(f ExportForm) (ExportDTO, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return ExportDTO{}, err
	}
	ve := &providers.ValidationError{}
	if strings.TrimSpace(f.Out) == "" {
		ve.Add("out", "choose the file to write")
	}
	var rcpts []age.Recipient
	switch {
	case strings.TrimSpace(f.Recipients) != "" && f.Passphrase != "":
		ve.Add("recipients", "give age recipients or a passphrase, not both")
	case strings.TrimSpace(f.Recipients) != "":
		rcpts, err = bundle.ParseRecipients(strings.Split(f.Recipients, "\n"))
		if err != nil {
			ve.Add("recipients", err.Error())
		}
	case f.Passphrase != "":
		p := []byte(f.Passphrase)
		r, err := bundle.PassphraseRecipient(p)
		clear(p)
		if err != nil {
			ve.Add("passphrase", err.Error())
		}
		rcpts = []age.Recipient{r}
	default:
		ve.Add("recipients", "give at least one age recipient (age1…) or a bundle passphrase")
	}
	var exp *time.Time
	if f.Expires != "" {
		t, err := time.Parse("2006-01-02", f.Expires)
		if err != nil {
			ve.Add("expires", "use YYYY-MM-DD")
		} else {
			t = t.Add(24*time.Hour - time.Second)
			exp = &t
		}
	}
	if err := ve.Err(); err != nil {
		return ExportDTO{}, err
	}
	res, err := transfer.Export(bg(), v, f.Out, transfer.ExportOptions{Recipients: rcpts, Armor: f.Armor, ExpiresAt: exp, Select: transfer.Selection{Boards: f.Boards, Providers: f.Providers}})
	if err != nil {
		return ExportDTO{}, err
	}
	m := res.Manifest
	signer, _ := bundle.ParseSignerKey(m.Signer)
	out := ExportDTO{File: f.Out, Sequence: m.Sequence, Signer: bundle.FormatSignerKey(ed25519.PublicKey(signer)), CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339), Contents: res.Items}
	if m.ExpiresAt != nil {
		out.ExpiresAt = m.ExpiresAt.UTC().Format(time.RFC3339)
	}
	if out.Contents == nil {
		out.Contents = []bundle.Content{}
	}
	return out, nil
}

// ImportForm is the import form: the bundle file, an identity file or a
// passphrase, and the trusted signer key.
type ImportForm struct {
	File         string `json:"file"`
	IdentityFile string `json:"identity_file"`
	Passphrase   string `json:"passphrase"`
	Signer       string `json:"signer"`
}

// Import verifies and loads a bundle.
func (s *BundlesService) Import(f ImportForm) (transfer.ImportResult, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return transfer.ImportResult{}, err
	}
	ve := &providers.ValidationError{}
	if strings.TrimSpace(f.File) == "" {
		ve.Add("file", "choose the bundle file")
	}
	key, err := bundle.ParseSignerKey(strings.TrimSpace(f.Signer))
	if err != nil {
		ve.Add("signer", "paste the exporting vault's signing key (sharedvault-ed25519:…)")
	}
	var ids []age.Identity
	switch {
	case f.IdentityFile != "":
		fh, err := os.Open(f.IdentityFile)
		if err != nil {
			ve.Add("identity_file", "cannot read the identity file")
			break
		}
		ids, err = bundle.ParseIdentities(fh)
		fh.Close()
		if err != nil {
			ve.Add("identity_file", err.Error())
		}
	case f.Passphrase != "":
		p := []byte(f.Passphrase)
		id, err := bundle.PassphraseIdentity(p)
		clear(p)
		if err != nil {
			ve.Add("passphrase", err.Error())
		}
		ids = []age.Identity{id}
	default:
		ve.Add("identity_file", "give an age identity file or the bundle passphrase")
	}
	if err := ve.Err(); err != nil {
		return transfer.ImportResult{}, err
	}
	return transfer.Import(bg(), v, f.File, transfer.ImportOptions{Identities: ids, Signers: []ed25519.PublicKey{key}})
}
