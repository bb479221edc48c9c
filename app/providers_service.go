package app

import (
	"strings"

	"sharedvault/backend/providers"
)

// ProvidersService is the Authentication Providers page: the global toggle,
// the DevOps Shared Authentication Provider (PAT or Service Principal) and
// the Jira shared account. It returns masked views only: secret fields are
// write-only.
type ProvidersService struct {
	vs     *VaultService
	impact ImpactFunc
	usage  UsageFunc
}

// ImpactFunc previews which boards a providers change affects (set by the
// boards area; nil means none).
type ImpactFunc func(form ProvidersForm) ([]ChangeDTO, error)

// ChangeDTO is one board that a change affects.
type ChangeDTO struct {
	Board string `json:"board"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// NewProvidersService returns the service.
func NewProvidersService(vs *VaultService) *ProvidersService { return &ProvidersService{vs: vs} }

// PATForm is the Personal Access Token part of the form. An empty Token
// keeps the stored one.
type PATForm struct {
	Username     string `json:"username"`
	Organisation string `json:"organisation"`
	Token        string `json:"token"`
	Expires      string `json:"expires"`
}

// SPForm is the Service Principal part. An empty Secret keeps the stored one.
type SPForm struct {
	ClientID     string `json:"client_id"`
	AuthURL      string `json:"auth_url"`
	TenantID     string `json:"tenant_id"`
	Organisation string `json:"organisation"`
	Secret       string `json:"secret"`
	Expires      string `json:"expires"`
}

// JiraForm is the Jira part. An empty Token keeps the stored one.
type JiraForm struct {
	Email      string `json:"email"`
	Domain     string `json:"domain"`
	Deployment string `json:"deployment"`
	Token      string `json:"token"`
	Expires    string `json:"expires"`
}

// ProvidersForm is the whole page as Save sends it.
type ProvidersForm struct {
	GlobalSharedSecret bool      `json:"global_shared_secret"`
	DevOpsMethod       string    `json:"devops_method"`
	PAT                *PATForm  `json:"pat"`
	SP                 *SPForm   `json:"sp"`
	Jira               *JiraForm `json:"jira"`
	// Confirmed is set when the admin has seen and accepted the impact
	// preview; without it a change that affects boards is not saved.
	Confirmed bool `json:"confirmed"`
}

// ProvidersViewDTO is the masked page state.
type ProvidersViewDTO struct {
	providers.View
	// PATOrganisation is the Personal Access Token method's organisation
	// whichever method is selected (View's organisation follows the selected
	// method), so the form can show both methods' fields.
	PATOrganisation string         `json:"pat_organisation"`
	PATOrgURL       string         `json:"pat_organisation_url"`
	Usage           map[string]int `json:"usage"` // secret name → boards using it now
}

// SaveResultDTO says whether Save stored the form or needs a confirmation.
type SaveResultDTO struct {
	Saved             bool             `json:"saved"`
	NeedsConfirmation bool             `json:"needs_confirmation"`
	Impact            []ChangeDTO      `json:"impact"`
	View              ProvidersViewDTO `json:"view"`
}

// UsageFunc counts the boards using each shared secret (set by the boards area).
type UsageFunc func() (map[string]int, error)

// View returns the masked state of every provider.
func (s *ProvidersService) View() (ProvidersViewDTO, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return ProvidersViewDTO{}, err
	}
	view, err := providers.NewService(v).View(bg())
	if err != nil {
		return ProvidersViewDTO{}, err
	}
	out := ProvidersViewDTO{View: view, Usage: map[string]int{}}
	pat, _, err := providers.NewSecrets(v).Current(bg(), v.DB(), providers.SecretDevOpsPAT)
	if err != nil {
		return out, err
	}
	out.PATOrganisation, out.PATOrgURL = pat.Meta["organisation"], pat.Meta["organisation_url"]
	if s.usage != nil {
		if out.Usage, err = s.usage(); err != nil {
			return out, err
		}
	}
	return out, nil
}

func empty(fields ...string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func secretBytes(s string) []byte {
	if s == "" {
		return nil // keep the stored value
	}
	return []byte(s)
}

// saveInput turns the form into the providers input. A section whose fields
// are all empty is left out (not configured, or left as it is).
func (f ProvidersForm) saveInput() providers.SaveInput {
	in := providers.SaveInput{GlobalSharedSecret: &f.GlobalSharedSecret, DevOpsMethod: f.DevOpsMethod}
	if p := f.PAT; p != nil && !empty(p.Username, p.Organisation, p.Token, p.Expires) {
		in.PAT = &providers.PATInput{Username: p.Username, Organisation: p.Organisation, Token: secretBytes(p.Token), Expires: p.Expires}
	}
	if p := f.SP; p != nil && !empty(p.ClientID, p.AuthURL, p.TenantID, p.Organisation, p.Secret, p.Expires) {
		in.SP = &providers.SPInput{ClientID: p.ClientID, AuthURL: p.AuthURL, TenantID: p.TenantID, Organisation: p.Organisation, Secret: secretBytes(p.Secret), Expires: p.Expires}
	}
	if j := f.Jira; j != nil && !empty(j.Email, j.Domain, j.Token, j.Expires) {
		in.Jira = &providers.JiraInput{Email: j.Email, Domain: j.Domain, Deployment: j.Deployment, Token: secretBytes(j.Token), Expires: j.Expires}
	}
	return in
}

// Save validates the whole form and stores it in one transaction; nothing is
// stored when any field is invalid (the error lists each field). A change
// that affects boards is only stored once Confirmed is set.
func (s *ProvidersService) Save(form ProvidersForm) (SaveResultDTO, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return SaveResultDTO{}, err
	}
	if !form.Confirmed && s.impact != nil {
		changes, err := s.impact(form)
		if err != nil {
			return SaveResultDTO{}, err
		}
		if len(changes) > 0 {
			return SaveResultDTO{NeedsConfirmation: true, Impact: changes}, nil
		}
	}
	in := form.saveInput()
	defer func() {
		for _, b := range [][]byte{pick(in.PAT), pickSP(in.SP), pickJira(in.Jira)} {
			clear(b)
		}
	}()
	if err := providers.NewService(v).Save(bg(), in); err != nil {
		return SaveResultDTO{}, err
	}
	view, err := s.View()
	return SaveResultDTO{Saved: true, Impact: []ChangeDTO{}, View: view}, err
}

func pick(p *providers.PATInput) []byte {
	if p == nil {
		return nil
	}
	return p.Token
}

func pickSP(p *providers.SPInput) []byte {
	if p == nil {
		return nil
	}
	return p.Secret
}

func pickJira(p *providers.JiraInput) []byte {
	if p == nil {
		return nil
	}
	return p.Token
}

// TenantAuthURL is the Tenant ID helper: it builds
// https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token.
func (s *ProvidersService) TenantAuthURL(tenant string) (string, error) {
	u, err := providers.TenantAuthURL(tenant)
	if err != nil {
		return "", &providers.ValidationError{Fields: []providers.FieldError{{Field: "tenant_id", Message: err.Error()}}}
	}
	return u, nil
}

// HistoryRowDTO is one kept version of a secret (masked).
type HistoryRowDTO struct {
	Version     int    `json:"version"`
	Fingerprint string `json:"fingerprint"`
	CreatedAt   string `json:"created_at"`
	CreatedBy   string `json:"created_by"`
	ExpiresAt   string `json:"expires_at"`
	Current     bool   `json:"current"`
}

// History lists the kept versions of a shared secret (devops.pat, devops.sp, jira.token).
func (s *ProvidersService) History(name string) ([]HistoryRowDTO, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return nil, err
	}
	recs, err := providers.NewSecrets(v).History(bg(), name)
	if err != nil {
		return nil, err
	}
	out := []HistoryRowDTO{}
	for i, r := range recs {
		out = append(out, HistoryRowDTO{r.Version, r.Fingerprint, r.CreatedAt.UTC().Format("2006-01-02 15:04:05Z"), r.CreatedBy, r.ExpiresAt, i == 0})
	}
	return out, nil
}

// Rollback restores version of a shared secret (stored as a new version).
func (s *ProvidersService) Rollback(name string, version int) (ProvidersViewDTO, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return ProvidersViewDTO{}, err
	}
	if _, err := providers.NewService(v).Rollback(bg(), name, version); err != nil {
		return ProvidersViewDTO{}, err
	}
	return s.View()
}
