package providers

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

// formFields are the fields each form may report an error against.
var formFields = [3][]string{
	{"username", "organisation", "token", "expires"},
	{"client_id", "auth_url", "tenant_id", "organisation", "secret", "expires"},
	{"email", "domain", "deployment", "token", "expires"},
}

// validateForm runs one of the three credential forms through the same
// validation the window's Save, the CLI and board credentials use. The
// secret is never nil, so no stored value is consulted and no vault is needed.
func validateForm(kind int, a, b, c, d, secret, expires string) (Validated, error) {
	var s Service
	ctx := context.Background()
	switch kind {
	case 0:
		return s.ValidatePATInput(ctx, PATInput{Username: a, Organisation: b, Token: []byte(secret), Expires: expires}, false)
	case 1:
		return s.ValidateSPInput(ctx, SPInput{ClientID: a, AuthURL: b, TenantID: c, Organisation: d, Secret: []byte(secret), Expires: expires}, false)
	default:
		return s.ValidateJiraInput(ctx, JiraInput{Email: a, Domain: b, Deployment: c, Token: []byte(secret), Expires: expires}, false)
	}
}

// FuzzValidateForms checks the whole-form validation: every refusal is
// reported beside a field of that form with a non-empty message and never
// quotes the secret; every accepted form is stored in a canonical shape that
// validates again to exactly the same values.
func FuzzValidateForms(f *testing.F) {
	const pat = "e7awvivqlx3ufnmdgb2w5lq5y7gvuvt6kffwvq3wh7yxqqyroxta"
	type seed struct {
		kind                  uint8
		a, b, c, d, s, expiry string
	}
	for _, s := range []seed{
		{0, "jane@contoso.com", "https://dev.azure.com/fabrikam/Fabrikam-Fiber-Git/_boards", "", "", pat + "\n", "2027-01-31"},
		{0, " jane@contoso.com ", "fabrikam", "", "", "Basic " + pat, ""},
		{0, "", "https://tfs.corp.local/tfs/DefaultCollection/Project", "", "", "\u200b" + pat, "31/01/2027"},
		{0, "jane", "http://dev.azure.com/fabrikam", "", "", "short", ""},
		{1, "4d856d1f-8648-456c-9bb2-f36273bbe4e3", "https://login.microsoftonline.com/05f0b08a-e682-4a53-a924-6bd72815be78/oauth2/v2.0/token", "", "fabrikam", "Qx78Q~emulator.secret.value-not-real_0123", ""},
		{1, "{4D856D1F-8648-456C-9BB2-F36273BBE4E3}", "", "contoso.onmicrosoft.com", "dev.azure.com/fabrikam", "Qx78Q~emulator.secret.value-not-real_0123", "2026-12-31"},
		{1, "not-a-guid", "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token", "{tenant}", "", "Bearer x", ""},
		{2, "mia@example.com", "https://your_domain.atlassian.net/", "auto", "", "ATATT3xFfGF0emulatorApiTokenValue0123456789abcdef", ""},
		{2, "Mia <mia@example.com>", "jira.corp.local", "datacenter", "", "NjE2NDM0MzYxMzY3OmVtdWxhdG9yLWRjLXBhdC12YWx1ZQ", ""},
		{2, "mia@example.com", "acme.atlassian.net", "datacenter", "", "OmU3YXd2aXZxbHgzdWZubWRnYjJ3NWxxNXk3Z3Z1dnQ2a2Zmd3ZxM3doN3l4cXF5cm94dGE=", "tomorrow"},
	} {
		f.Add(s.kind, s.a, s.b, s.c, s.d, s.s, s.expiry)
	}
	f.Fuzz(func(t *testing.T, kind uint8, a, b, c, d, secret, expires string) {
		k := int(kind % 3)
		got, err := validateForm(k, a, b, c, d, secret, expires)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) == 0 {
				t.Fatalf("error %#v is not a ValidationError with fields", err)
			}
			for _, fe := range ve.Fields {
				if !slices.Contains(formFields[k], fe.Field) || fe.Message == "" {
					t.Fatalf("refusal %+v is not beside a field of form %d", fe, k)
				}
			}
			// The secret is never quoted (checked when it is long enough
			// not to occur by chance and appears in no other field).
			if s := strings.TrimSpace(secret); len(s) >= 8 && !strings.Contains(a+b+c+d+expires, s) && strings.Contains(err.Error(), s) {
				t.Fatalf("error quotes the secret: %v", err)
			}
			if got.Value != nil || got.Meta != nil {
				t.Fatalf("refused form returned values: %+v", got)
			}
			return
		}
		if again, err := CleanToken(string(got.Value)); err != nil || again != string(got.Value) {
			t.Fatalf("stored secret does not clean to itself: %v", err)
		}
		m := got.Meta
		var canon [4]string // the accepted values, as a person would type them back
		switch k {
		case 0:
			org, err := NormalizeOrganisation(m["organisation_url"])
			if err != nil || org.Name != m["organisation"] || m["username"] == "" {
				t.Fatalf("stored meta %v is not canonical: %v", m, err)
			}
			canon = [4]string{m["username"], m["organisation_url"]}
		case 1:
			if id, err := ValidateGUID(m["client_id"]); err != nil || id != m["client_id"] {
				t.Fatalf("stored client id %q does not re-validate: %v", m["client_id"], err)
			}
			if u, err := ValidateAuthURL(m["auth_url"]); err != nil || u != m["auth_url"] {
				t.Fatalf("stored auth url %q does not re-validate: %q, %v", m["auth_url"], u, err)
			}
			canon = [4]string{m["client_id"], m["auth_url"], "", m["organisation_url"]}
		default:
			if e, err := ValidateEmail(m["email"]); err != nil || e != m["email"] {
				t.Fatalf("stored email %q does not re-validate: %v", m["email"], err)
			}
			if dep := m["deployment"]; dep != JiraCloud && dep != JiraDataCenter {
				t.Fatalf("stored deployment %q", dep)
			}
			canon = [4]string{m["email"], m["domain"], m["deployment"]}
		}
		again, err := validateForm(k, canon[0], canon[1], canon[2], canon[3], string(got.Value), got.Expires)
		if err != nil {
			t.Fatalf("accepted form does not validate again from its stored values: %v", err)
		}
		if !maps.Equal(again.Meta, got.Meta) || string(again.Value) != string(got.Value) || again.Expires != got.Expires {
			t.Fatalf("validation is not idempotent: %+v then %+v", got, again)
		}
	})
}
