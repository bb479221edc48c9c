package providers

import (
	"context"
	"time"

	"sharedvault/backend/vault"
)

// DevOpsView is the masked view of the DevOps Shared Authentication Provider.
type DevOpsView struct {
	Method          string `json:"method"`
	Username        string `json:"username"`
	Organisation    string `json:"organisation"`
	OrganisationURL string `json:"organisation_url"`
	SPOrganisation  string `json:"sp_organisation,omitempty"`
	SPOrgURL        string `json:"sp_organisation_url,omitempty"`
	ClientID        string `json:"client_id"`
	AuthURL         string `json:"auth_url"`
	PATToken        Info   `json:"pat_token"`
	SPSecret        Info   `json:"sp_secret"`
}

// JiraView is the masked view of the Jira shared account.
type JiraView struct {
	Email      string `json:"email"`
	Domain     string `json:"domain"`
	Deployment string `json:"deployment"`
	Token      Info   `json:"token"`
}

// View is the masked state of every shared provider: what the window shows
// and `status` prints. It never carries a secret value.
type View struct {
	GlobalSharedSecret bool       `json:"global_shared_secret"`
	DevOps             DevOpsView `json:"devops"`
	Jira               JiraView   `json:"jira"`
	Warnings           []string   `json:"warnings"`
}

// View reads the masked state.
func (s *Service) View(ctx context.Context) (View, error) {
	db := s.v.DB()
	now := s.v.Now()
	var out View
	var err error
	if out.GlobalSharedSecret, err = s.GlobalEnabled(ctx, db); err != nil {
		return out, err
	}
	if out.DevOps.Method, err = s.DevOpsMethod(ctx, db); err != nil {
		return out, err
	}
	pat, havePAT, err := s.secrets.Current(ctx, db, SecretDevOpsPAT)
	if err != nil {
		return out, err
	}
	sp, haveSP, err := s.secrets.Current(ctx, db, SecretDevOpsSP)
	if err != nil {
		return out, err
	}
	jira, haveJira, err := s.secrets.Current(ctx, db, SecretJiraToken)
	if err != nil {
		return out, err
	}
	out.DevOps.PATToken = InfoOf(pat, havePAT, now)
	out.DevOps.SPSecret = InfoOf(sp, haveSP, now)
	out.Jira.Token = InfoOf(jira, haveJira, now)
	out.DevOps.Username = pat.Meta["username"]
	out.DevOps.ClientID = sp.Meta["client_id"]
	out.DevOps.AuthURL = sp.Meta["auth_url"]
	// organisation/organisation_url follow the selected method; the other
	// method's organisation is kept apart so the form can show both.
	patOrg, patURL := pat.Meta["organisation"], pat.Meta["organisation_url"]
	spOrg, spURL := sp.Meta["organisation"], sp.Meta["organisation_url"]
	if out.DevOps.Method == MethodSP || (!havePAT && haveSP) {
		out.DevOps.Organisation, out.DevOps.OrganisationURL = spOrg, spURL
	} else {
		out.DevOps.Organisation, out.DevOps.OrganisationURL = patOrg, patURL
	}
	out.DevOps.SPOrganisation, out.DevOps.SPOrgURL = spOrg, spURL
	out.Jira.Email = jira.Meta["email"]
	out.Jira.Domain = jira.Meta["domain"]
	out.Jira.Deployment = jira.Meta["deployment"]
	out.Warnings = []string{}
	for _, w := range []struct {
		label string
		in    Info
	}{{"DevOps Shared PAT Token", out.DevOps.PATToken}, {"DevOps Shared Secret", out.DevOps.SPSecret}, {"Jira Shared PAT Token", out.Jira.Token}} {
		if msg := ExpiryWarning(w.label, w.in); msg != "" {
			out.Warnings = append(out.Warnings, msg)
		}
	}
	return out, nil
}

// Now is the service clock (the vault's).
func (s *Service) Now() time.Time { return s.v.Now() }

// Vault is the vault the service works on.
func (s *Service) Vault() *vault.Vault { return s.v }
