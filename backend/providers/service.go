package providers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/awnumar/memguard"

	"sharedvault/backend/vault"
)

// Names of the shared secrets (also the names `history` and `rollback` take).
const (
	SecretDevOpsPAT = "devops.pat"
	SecretDevOpsSP  = "devops.sp"
	SecretJiraToken = "jira.token"
)

// DevOps methods.
const (
	MethodPAT = "pat"
	MethodSP  = "sp"
)

// Jira deployments.
const (
	JiraCloud      = "cloud"
	JiraDataCenter = "datacenter"
)

// ErrNotConfigured is returned when a provider or method has no stored credentials.
var ErrNotConfigured = errors.New("not configured")

// Service manages the global shared authentication providers.
type Service struct {
	v       *vault.Vault
	secrets *Secrets
}

// NewService returns the providers service of v.
func NewService(v *vault.Vault) *Service { return &Service{v: v, secrets: NewSecrets(v)} }

// Secrets is the versioned secret store (shared with boards).
func (s *Service) Secrets() *Secrets { return s.secrets }

// PATInput is the "Personal Access Token" form. A nil Token keeps the stored one.
type PATInput struct {
	Username     string
	Organisation string
	Token        []byte
	Expires      string
}

// SPInput is the "Service Principal" form. AuthURL wins over TenantID.
type SPInput struct {
	ClientID     string
	AuthURL      string
	TenantID     string
	Organisation string
	Secret       []byte
	Expires      string
}

// JiraInput is the Jira form.
type JiraInput struct {
	Email      string
	Domain     string
	Deployment string // auto | cloud | datacenter
	Token      []byte
	Expires    string
}

// SaveInput is the whole Authentication Providers page: what the window's
// Save stores in one transaction. Nil parts are left as they are.
type SaveInput struct {
	GlobalSharedSecret *bool
	DevOpsMethod       string // "", pat, sp: the selected method
	PAT                *PATInput
	SP                 *SPInput
	Jira               *JiraInput
}

// Validated values ready to store.
type patValues struct {
	meta  map[string]string
	token []byte
	exp   string
}

func (s *Service) validatePAT(ctx context.Context, in PATInput, ve *ValidationError) patValues {
	out := patValues{meta: map[string]string{}}
	user := strings.TrimSpace(in.Username)
	switch {
	case len(in.Username) > MaxFieldBytes:
		ve.AddErr("username", tooLong("username", MaxFieldBytes))
		user = ""
	case user == "":
		ve.Add("username", "is required (typically the email address of the account that created the token)")
	}
	out.meta["username"] = user
	s.organisation(in.Organisation, out.meta, ve)
	out.token = s.cleanSecret(ctx, "token", in.Token, SecretDevOpsPAT, ve)
	out.exp = expiry(in.Expires, ve)
	return out
}

func (s *Service) validateSP(ctx context.Context, in SPInput, ve *ValidationError) patValues {
	out := patValues{meta: map[string]string{}}
	id, err := ValidateGUID(in.ClientID)
	if strings.TrimSpace(in.ClientID) == "" {
		ve.Add("client_id", "is required (the application (client) id GUID of the service principal)")
	} else {
		ve.AddErr("client_id", err)
	}
	out.meta["client_id"] = id
	switch {
	case strings.TrimSpace(in.AuthURL) != "":
		u, err := ValidateAuthURL(in.AuthURL)
		ve.AddErr("auth_url", err)
		out.meta["auth_url"] = u
	case strings.TrimSpace(in.TenantID) != "":
		u, err := TenantAuthURL(in.TenantID)
		ve.AddErr("tenant_id", err)
		out.meta["auth_url"] = u
	default:
		ve.Add("auth_url", "is required: https://login.microsoftonline.com/{tenant id}/oauth2/v2.0/token, or give the tenant id")
	}
	s.organisation(in.Organisation, out.meta, ve)
	out.token = s.cleanSecret(ctx, "secret", in.Secret, SecretDevOpsSP, ve)
	out.exp = expiry(in.Expires, ve)
	return out
}

func (s *Service) validateJira(ctx context.Context, in JiraInput, ve *ValidationError) patValues {
	out := patValues{meta: map[string]string{}}
	email, err := ValidateEmail(in.Email)
	if strings.TrimSpace(in.Email) == "" {
		ve.Add("email", "is required (the Atlassian account email address)")
	} else {
		ve.AddErr("email", err)
	}
	out.meta["email"] = email
	domain, err := NormalizeJiraDomain(in.Domain)
	if strings.TrimSpace(in.Domain) == "" {
		ve.Add("domain", "is required, e.g. https://your_domain.atlassian.net/")
	} else {
		ve.AddErr("domain", err)
	}
	out.meta["domain"] = domain
	dep, err := ResolveJiraDeployment(in.Deployment, domain)
	ve.AddErr("deployment", err)
	out.meta["deployment"] = dep
	out.token = s.cleanSecret(ctx, "token", in.Token, SecretJiraToken, ve)
	out.exp = expiry(in.Expires, ve)
	return out
}

// organisation fills meta with the normalised organisation.
func (s *Service) organisation(in string, meta map[string]string, ve *ValidationError) {
	if strings.TrimSpace(in) == "" {
		ve.Add("organisation", "is required: the name, e.g. contoso, or the URL https://dev.azure.com/contoso/")
		return
	}
	org, err := NormalizeOrganisation(in)
	if err != nil {
		ve.AddErr("organisation", err)
		return
	}
	meta["organisation"] = org.Name
	meta["organisation_url"] = org.BaseURL
	if org.Server {
		meta["server"] = "true"
	}
}

// cleanSecret cleans a pasted token. A nil value means "keep the stored one",
// which needs one to exist.
func (s *Service) cleanSecret(ctx context.Context, field string, raw []byte, name string, ve *ValidationError) []byte {
	if raw == nil {
		if name != "" {
			if _, ok, err := s.secrets.Current(ctx, s.v.DB(), name); err == nil && ok {
				return nil
			}
		}
		ve.Add(field, "is required")
		return nil
	}
	clean, err := CleanToken(string(raw))
	if err != nil {
		ve.AddErr(field, err)
		return nil
	}
	return []byte(clean)
}

func expiry(in string, ve *ValidationError) string {
	e, err := ParseExpiry(in)
	ve.AddErr("expires", err)
	return e
}

// Save validates every part of in and stores all of it in one transaction;
// nothing is stored when any field is invalid.
func (s *Service) Save(ctx context.Context, in SaveInput) error {
	if s.v.Locked() {
		return vault.ErrLocked
	}
	ve := &ValidationError{}
	var pat, sp, jira patValues
	if in.PAT != nil {
		pat = s.validatePAT(ctx, *in.PAT, ve)
	}
	if in.SP != nil {
		sp = s.validateSP(ctx, *in.SP, ve)
	}
	if in.Jira != nil {
		jira = s.validateJira(ctx, *in.Jira, ve)
	}
	if in.DevOpsMethod != "" && in.DevOpsMethod != MethodPAT && in.DevOpsMethod != MethodSP {
		ve.Add("method", "must be pat (Personal Access Token) or sp (Service Principal)")
	}
	if err := ve.Err(); err != nil {
		return err
	}
	defer wipe(pat.token, sp.token, jira.token)
	return s.v.Update(ctx, func(tx *sql.Tx) error {
		if in.PAT != nil {
			if err := s.put(ctx, tx, SecretDevOpsPAT, pat); err != nil {
				return err
			}
		}
		if in.SP != nil {
			if err := s.put(ctx, tx, SecretDevOpsSP, sp); err != nil {
				return err
			}
		}
		if in.Jira != nil {
			if err := s.put(ctx, tx, SecretJiraToken, jira); err != nil {
				return err
			}
		}
		if in.DevOpsMethod != "" {
			if err := s.setMethod(ctx, tx, in.DevOpsMethod); err != nil {
				return err
			}
		}
		if in.GlobalSharedSecret != nil {
			if err := s.setGlobal(ctx, tx, *in.GlobalSharedSecret); err != nil {
				return err
			}
		}
		return nil
	})
}

func wipe(bs ...[]byte) {
	for _, b := range bs {
		memguard.WipeBytes(b)
	}
}

func (s *Service) put(ctx context.Context, tx *sql.Tx, name string, pv patValues) error {
	cur, had, err := s.secrets.Current(ctx, tx, name)
	if err != nil {
		return err
	}
	r, err := s.secrets.Put(ctx, tx, name, pv.meta, pv.token, pv.exp)
	if err != nil {
		return err
	}
	detail := map[string]string{"fingerprint": r.Fingerprint, "version": fmt.Sprint(r.Version)}
	if had {
		detail["previous_fingerprint"] = cur.Fingerprint
	}
	if pv.token == nil {
		detail["value"] = "kept"
	}
	if r.ExpiresAt != "" {
		detail["expires_at"] = r.ExpiresAt
	}
	return s.v.Audit(ctx, tx, "secret.save", name, detail)
}

// SaveDevOpsPAT stores the PAT method and selects it (`devops pat`).
func (s *Service) SaveDevOpsPAT(ctx context.Context, in PATInput) error {
	return s.Save(ctx, SaveInput{PAT: &in, DevOpsMethod: MethodPAT})
}

// SaveDevOpsSP stores the Service Principal method and selects it (`devops sp`).
func (s *Service) SaveDevOpsSP(ctx context.Context, in SPInput) error {
	return s.Save(ctx, SaveInput{SP: &in, DevOpsMethod: MethodSP})
}

// SaveJira stores the Jira account (`jira set`).
func (s *Service) SaveJira(ctx context.Context, in JiraInput) error {
	return s.Save(ctx, SaveInput{Jira: &in})
}

// SetGlobal turns "Use Global Integration Shared Secret" on or off.
func (s *Service) SetGlobal(ctx context.Context, on bool) error {
	return s.v.Update(ctx, func(tx *sql.Tx) error { return s.setGlobal(ctx, tx, on) })
}

func (s *Service) setGlobal(ctx context.Context, tx *sql.Tx, on bool) error {
	cur, _, err := vault.Setting(ctx, tx, vault.SettingGlobalSharedSecret)
	if err != nil {
		return err
	}
	val := fmt.Sprint(on)
	if cur == val {
		return nil
	}
	if err := vault.SetSetting(ctx, tx, vault.SettingGlobalSharedSecret, val); err != nil {
		return err
	}
	return s.v.Audit(ctx, tx, "global.toggle", "use_global_integration_shared_secret", map[string]string{"enabled": val})
}

// UseMethod switches the selected DevOps method without re-entering it.
func (s *Service) UseMethod(ctx context.Context, method string) error {
	if method != MethodPAT && method != MethodSP {
		return &ValidationError{Fields: []FieldError{{Field: "method", Message: "must be pat or sp"}}}
	}
	return s.v.Update(ctx, func(tx *sql.Tx) error {
		name := SecretDevOpsPAT
		if method == MethodSP {
			name = SecretDevOpsSP
		}
		if _, ok, err := s.secrets.Current(ctx, tx, name); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("%w: the %s method has no stored credentials; store them first with `sharedvault devops %s`", ErrNotConfigured, methodLabel(method), method)
		}
		return s.setMethod(ctx, tx, method)
	})
}

func (s *Service) setMethod(ctx context.Context, tx *sql.Tx, method string) error {
	cur, _, err := vault.Setting(ctx, tx, vault.SettingDevOpsMethod)
	if err != nil || cur == method {
		return err
	}
	if err := vault.SetSetting(ctx, tx, vault.SettingDevOpsMethod, method); err != nil {
		return err
	}
	return s.v.Audit(ctx, tx, "devops.method", "devops", map[string]string{"method": method, "previous": cur})
}

func methodLabel(m string) string {
	if m == MethodSP {
		return "Service Principal"
	}
	return "Personal Access Token"
}

// Rollback restores an earlier version of a shared secret.
func (s *Service) Rollback(ctx context.Context, name string, version int) (Record, error) {
	if !IsSharedSecretName(name) {
		return Record{}, fmt.Errorf("%w: unknown secret %q (devops.pat, devops.sp, jira.token or board:NAME)", vault.ErrNotFound, name)
	}
	var out Record
	err := s.v.Update(ctx, func(tx *sql.Tx) error {
		cur, _, err := s.secrets.Current(ctx, tx, name)
		if err != nil {
			return err
		}
		r, err := s.secrets.Rollback(ctx, tx, name, version)
		if err != nil {
			return err
		}
		out = r
		return s.v.Audit(ctx, tx, "secret.rollback", name, map[string]string{"to_version": fmt.Sprint(version), "fingerprint": r.Fingerprint, "previous_fingerprint": cur.Fingerprint, "version": fmt.Sprint(r.Version)})
	})
	return out, err
}

// IsSharedSecretName reports whether name is one of the shared secrets.
func IsSharedSecretName(name string) bool {
	return name == SecretDevOpsPAT || name == SecretDevOpsSP || name == SecretJiraToken
}

// Settings snapshot.

// GlobalEnabled reports the "Use Global Integration Shared Secret" toggle.
func (s *Service) GlobalEnabled(ctx context.Context, q vault.Querier) (bool, error) {
	v, _, err := vault.Setting(ctx, q, vault.SettingGlobalSharedSecret)
	return v == "true", err
}

// DevOpsMethod is the selected method ("" when none is stored).
func (s *Service) DevOpsMethod(ctx context.Context, q vault.Querier) (string, error) {
	v, _, err := vault.Setting(ctx, q, vault.SettingDevOpsMethod)
	return v, err
}
