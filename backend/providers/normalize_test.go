package providers

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Realistic-looking but fake token shapes.
const (
	legacyPAT = "e7awvivqzq5yb3mxk2l6hd4nr7sjf3tpuw6c2oxg5ia4bemyqkla"                             // 52 base32 chars
	newPAT    = "5Lg0Qy7mXdKz2PqWv9RtHn4JbCfA8sEuGo1iYkVxMwZlNr3TpDa6hBcF0jQeSuIAAASAZDO3xYz7Kq9W" // 84 chars
	jiraToken = "ATATT3xFfGF0T9bq-z8H_vR2kL4mN6pQ1sU3wY5aC7eG9iK0oM2qS4uW6yA8cE0gI=E3C1B2A4"
)

func TestNormalizeOrganisation(t *testing.T) {
	dev := func(name string) Organisation {
		return Organisation{Name: name, BaseURL: "https://dev.azure.com/" + name}
	}
	tests := []struct {
		name    string
		in      string
		want    Organisation
		wantErr error
	}{
		{"bare name", "contoso", dev("contoso"), nil},
		{"bare name with spaces and newline", "  contoso\r\n", dev("contoso"), nil},
		{"bare name with zero-width", "\u200bcontoso\ufeff", dev("contoso"), nil},
		{"hyphen inside", "contoso-eu-2", dev("contoso-eu-2"), nil},
		{"50 chars", strings.Repeat("a", 50), dev(strings.Repeat("a", 50)), nil},
		{"dev.azure.com with slash", "https://dev.azure.com/contoso/", dev("contoso"), nil},
		{"dev.azure.com no slash", "https://dev.azure.com/contoso", dev("contoso"), nil},
		{"dev.azure.com project boards", "https://dev.azure.com/contoso/Some%20Project/_boards", dev("contoso"), nil},
		{"dev.azure.com query", "https://dev.azure.com/contoso/_git/repo?path=/x", dev("contoso"), nil},
		{"dev.azure.com no scheme", "dev.azure.com/contoso", dev("contoso"), nil},
		{"dev.azure.com uppercase host", "HTTPS://DEV.AZURE.COM/contoso", dev("contoso"), nil},
		{"vssps.dev.azure.com", "https://vssps.dev.azure.com/contoso/", dev("contoso"), nil},
		{"visualstudio.com", "https://contoso.visualstudio.com/", dev("contoso"), nil},
		{"visualstudio.com path no scheme", "contoso.visualstudio.com/anything", dev("contoso"), nil},
		{"visualstudio.com DefaultCollection", "https://contoso.visualstudio.com/DefaultCollection/Proj", dev("contoso"), nil},
		{"vsrm.visualstudio.com", "https://contoso.vsrm.visualstudio.com/", dev("contoso"), nil},
		{
			"server tfs collection", "https://tfs.corp.local/tfs/DefaultCollection",
			Organisation{"DefaultCollection", "https://tfs.corp.local/tfs/DefaultCollection", true}, nil,
		},
		{
			"server tfs collection trailing path", "https://tfs.corp.local/tfs/DefaultCollection/Project/_boards",
			Organisation{"DefaultCollection", "https://tfs.corp.local/tfs/DefaultCollection", true}, nil,
		},
		{
			"server without tfs", "https://server:8080/DefaultCollection",
			Organisation{"DefaultCollection", "https://server:8080/DefaultCollection", true}, nil,
		},
		{
			"server without tfs trailing path", "https://server:8080/DefaultCollection/Project/_workitems/",
			Organisation{"DefaultCollection", "https://server:8080/DefaultCollection", true}, nil,
		},
		{
			"server default port dropped", "https://Server.Corp.Local:443/tfs/Coll",
			Organisation{"Coll", "https://server.corp.local/tfs/Coll", true}, nil,
		},
		{
			"server collection with space", "https://server/tfs/Default%20Collection/",
			Organisation{"Default Collection", "https://server/tfs/Default%20Collection", true}, nil,
		},
		{
			"loopback emulator http", "http://127.0.0.1:8081/contoso",
			Organisation{"contoso", "http://127.0.0.1:8081/contoso", true}, nil,
		},
		{
			"loopback server at its root", "http://127.0.0.1:8081/",
			Organisation{"127.0.0.1:8081", "http://127.0.0.1:8081", true}, nil,
		},
		{
			"localhost http", "http://localhost:9000/tfs/Coll/",
			Organisation{"Coll", "http://localhost:9000/tfs/Coll", true}, nil,
		},
		{
			"ipv6 loopback http", "http://[::1]:9000/contoso",
			Organisation{"contoso", "http://[::1]:9000/contoso", true}, nil,
		},

		{"empty", "", Organisation{}, ErrInvalid},
		{"only whitespace", " \t\n", Organisation{}, ErrInvalid},
		{"name with space", "my org", Organisation{}, ErrInvalid},
		{"name with underscore", "my_org", Organisation{}, ErrInvalid},
		{"name leading hyphen", "-contoso", Organisation{}, ErrInvalid},
		{"name trailing hyphen", "contoso-", Organisation{}, ErrInvalid},
		{"name too long", strings.Repeat("a", 51), Organisation{}, ErrInvalid},
		{"name with slash", "contoso/project", Organisation{}, ErrInvalid},
		{"http dev.azure.com", "http://dev.azure.com/contoso", Organisation{}, ErrInsecureURL},
		{"http server", "http://tfs.corp.local/tfs/DefaultCollection", Organisation{}, ErrInsecureURL},
		{"ftp scheme", "ftp://dev.azure.com/contoso", Organisation{}, ErrInsecureURL},
		{"dev.azure.com no org", "https://dev.azure.com/", Organisation{}, ErrInvalid},
		{"dev.azure.com bad org", "https://dev.azure.com/_apis/projects", Organisation{}, ErrInvalid},
		{"visualstudio.com unknown sub", "https://a.b.c.visualstudio.com/", Organisation{}, ErrInvalid},
		{"server no collection", "https://tfs.corp.local/", Organisation{}, ErrInvalid},
		{"server tfs only", "https://tfs.corp.local/tfs/", Organisation{}, ErrInvalid},
		{"server underscore collection", "https://tfs.corp.local/_apis", Organisation{}, ErrInvalid},
		{"userinfo", "https://user:pw@dev.azure.com/contoso", Organisation{}, ErrInvalid},
		{"bad port", "https://server:99999/Coll", Organisation{}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeOrganisation(tt.in)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("NormalizeOrganisation(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("NormalizeOrganisation(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestNormalizeOrganisationMessages(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"http://dev.azure.com/contoso", "organisation url must use https"},
		{"my org", "organisation name must not contain spaces"},
		{"-contoso", "organisation name must not start or end with a hyphen"},
	}
	for _, tt := range tests {
		_, err := NormalizeOrganisation(tt.in)
		if err == nil {
			t.Fatalf("NormalizeOrganisation(%q) succeeded, want error", tt.in)
		}
		if got := err.Error(); got != tt.want {
			t.Errorf("NormalizeOrganisation(%q) error = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCleanToken(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name       string
		in         string
		want       string
		wantReason string // "" means success
	}{
		{"legacy pat", legacyPAT, legacyPAT, ""},
		{"new pat", newPAT, newPAT, ""},
		{"jira token with = and _", jiraToken, jiraToken, ""},
		{"leading and trailing spaces", "  " + newPAT + "  ", newPAT, ""},
		{"trailing newline", newPAT + "\n", newPAT, ""},
		{"crlf", newPAT + "\r\n", newPAT, ""},
		{"tabs", "\t" + newPAT + "\t", newPAT, ""},
		{"nbsp around", "\u00a0" + newPAT + "\u00a0", newPAT, ""},
		{"zero-width space inside", newPAT[:10] + "\u200b" + newPAT[10:], newPAT, ""},
		{"all zero-width kinds", "\ufeff" + newPAT[:5] + "\u200c\u200d" + newPAT[5:] + "\u2060", newPAT, ""},
		{"exactly 16 chars", "abcdefghijklmnop", "abcdefghijklmnop", ""},

		{"empty", "", "", ReasonEmpty},
		{"only whitespace and zero-width", " \u200b\r\n\t\ufeff", "", ReasonEmpty},
		{"basic prefix", "Basic " + newPAT, "", ReasonAuthPrefix},
		{"bearer prefix lowercase", "bearer " + newPAT, "", ReasonAuthPrefix},
		{"BEARER prefix tab", "BEARER\t" + newPAT, "", ReasonAuthPrefix},
		{"authorization header", "Authorization: Basic " + newPAT, "", ReasonAuthPrefix},
		{"base64 of colon pat", b64(":" + newPAT), "", ReasonEncodedHeader},
		{"base64 of user colon pat", b64("user@company.com:" + legacyPAT), "", ReasonEncodedHeader},
		{"basic prefix with base64 header", "Basic " + b64(":"+newPAT), "", ReasonEncodedHeader},
		{"base64 unpadded", strings.TrimRight(b64(":"+legacyPAT+"xy"), "="), "", ReasonEncodedHeader},
		// Jira Data Center PATs are base64 of "<numeric id>:<random>": they must pass.
		{"jira data center pat", "NjE2NDM0MzYxMzY3OmVtdWxhdG9yLWRjLXBhdC12YWx1ZQ", "NjE2NDM0MzYxMzY3OmVtdWxhdG9yLWRjLXBhdC12YWx1ZQ", ""},
		{"basic prefix with id colon token", "Basic " + b64("616434361367:abc"), "", ReasonEncodedHeader},
		{"embedded space", newPAT[:20] + " " + newPAT[20:], "", ReasonSpace},
		{"embedded newline", newPAT[:20] + "\n" + newPAT[20:], "", ReasonSpace},
		{"control character", newPAT[:20] + "\x00" + newPAT[20:], "", ReasonInvisible},
		{"bidi mark", newPAT[:20] + "\u200e" + newPAT[20:], "", ReasonInvisible},
		{"short", "abc123", "", ReasonTruncated},
		{"15 chars", "abcdefghijklmno", "", ReasonTruncated},
		{"ends with dots", newPAT[:40] + "...", "", ReasonTruncated},
		{"ends with ellipsis", newPAT[:40] + "…", "", ReasonTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CleanToken(tt.in)
			if tt.wantReason == "" {
				if err != nil {
					t.Fatalf("CleanToken() error = %v, want nil", err)
				}
				if got != tt.want {
					t.Errorf("CleanToken() = %q, want %q", got, tt.want)
				}
				return
			}
			var p *TokenProblem
			if !errors.As(err, &p) {
				t.Fatalf("CleanToken() error = %v, want *TokenProblem", err)
			}
			if p.Reason != tt.wantReason {
				t.Errorf("CleanToken() reason = %q, want %q (%s)", p.Reason, tt.wantReason, p.Message)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("CleanToken() error does not wrap ErrInvalid")
			}
			if got != "" {
				t.Errorf("CleanToken() = %q on error, want empty", got)
			}
			if s := strings.TrimSpace(tt.in); len(s) >= 8 && strings.Contains(err.Error(), s) {
				t.Errorf("CleanToken() error %q contains the input", err)
			}
		})
	}
}

func TestCleanTokenMessages(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{base64.StdEncoding.EncodeToString([]byte(":" + newPAT)), "token looks like base64 of ':PAT'; paste the token itself, not the encoded header"},
		{"", "token is empty"},
	}
	for _, tt := range tests {
		_, err := CleanToken(tt.in)
		if err == nil {
			t.Fatalf("CleanToken(%q) succeeded, want error", tt.in)
		}
		if got := err.Error(); got != tt.want {
			t.Errorf("CleanToken(%q) error = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidateGUID(t *testing.T) {
	const g = "4d856d1f-8648-456c-9bb2-f36273bbe4e3"
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr bool
	}{
		{"canonical", g, g, false},
		{"uppercase", strings.ToUpper(g), g, false},
		{"braces", "{" + g + "}", g, false},
		{"braces uppercase with spaces", "  {" + strings.ToUpper(g) + "}\n", g, false},
		{"zero-width", g + "\u200b", g, false},
		{"empty", "", "", true},
		{"no hyphens", strings.ReplaceAll(g, "-", ""), "", true},
		{"hyphen moved", "4d856d1f8-648-456c-9bb2-f36273bbe4e3", "", true},
		{"non-hex", "4d856d1f-8648-456c-9bb2-f36273bbe4eg", "", true},
		{"too long", g + "0", "", true},
		{"one brace", "{" + g, "", true},
		{"urn", "urn:uuid:" + g, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ValidateGUID(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ValidateGUID(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("ValidateGUID(%q) error does not wrap ErrInvalid", tt.in)
			}
			if got != tt.want {
				t.Errorf("ValidateGUID(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTenantAuthURL(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"05F0B08A-E682-4A53-A924-6BD72815BE78", "https://login.microsoftonline.com/05f0b08a-e682-4a53-a924-6bd72815be78/oauth2/v2.0/token", false},
		{"{05f0b08a-e682-4a53-a924-6bd72815be78}", "https://login.microsoftonline.com/05f0b08a-e682-4a53-a924-6bd72815be78/oauth2/v2.0/token", false},
		{" Contoso.onmicrosoft.com ", "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token", false},
		{"contoso.com", "https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token", false},
		{"", "", true},
		{"contoso", "", true},
		{"00000000-0000-0000-0000-000000000000", "", true},
		{"{ Azure Tenant ID}", "", true},
		{"contoso.onmicrosoft.com/oauth2", "", true},
		{"10.0.0.1", "", true},
	}
	for _, tt := range tests {
		got, err := TenantAuthURL(tt.in)
		if (err != nil) != tt.wantErr {
			t.Fatalf("TenantAuthURL(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
		}
		if got != tt.want {
			t.Errorf("TenantAuthURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidateAuthURL(t *testing.T) {
	const tenant = "05f0b08a-e682-4a53-a924-6bd72815be78"
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr error
	}{
		{"entra v2", "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token", "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token", nil},
		{"entra uppercase tenant and host", "  HTTPS://Login.MicrosoftOnline.com/" + strings.ToUpper(tenant) + "/oauth2/v2.0/token/\n", "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token", nil},
		{"entra domain tenant", "https://login.microsoftonline.com/Contoso.onmicrosoft.com/oauth2/v2.0/token", "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token", nil},
		{"entra v1", "https://login.microsoftonline.com/" + tenant + "/oauth2/token", "https://login.microsoftonline.com/" + tenant + "/oauth2/token", nil},
		{"adfs", "https://adfs.corp.local/adfs/oauth2/token", "https://adfs.corp.local/adfs/oauth2/token", nil},
		{"default port dropped", "https://idp.corp.local:443/t/oauth2/v2.0/token", "https://idp.corp.local/t/oauth2/v2.0/token", nil},
		{"loopback http", "http://127.0.0.1:8443/" + tenant + "/oauth2/v2.0/token", "http://127.0.0.1:8443/" + tenant + "/oauth2/v2.0/token", nil},
		{"localhost http", "http://localhost:1234/t/oauth2/v2.0/token", "http://localhost:1234/t/oauth2/v2.0/token", nil},

		{"empty", "", "", ErrInvalid},
		{"http non-loopback", "http://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token", "", ErrInsecureURL},
		{"http private address", "http://10.0.0.5/t/oauth2/v2.0/token", "", ErrInsecureURL},
		{"wrong path", "https://login.microsoftonline.com/" + tenant + "/v2.0/.well-known/openid-configuration", "", ErrInvalid},
		{"authorize endpoint", "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/authorize", "", ErrInvalid},
		{"no path", "https://login.microsoftonline.com", "", ErrInvalid},
		{"entra missing tenant", "https://login.microsoftonline.com/oauth2/v2.0/token", "", ErrInvalid},
		{"entra placeholder", "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token", "", ErrInvalid},
		{"entra seed placeholder", "https://login.microsoftonline.com/{ Azure Tenant ID}/oauth2/v2.0/token", "", ErrInvalid},
		{"query", "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token?x=1", "", ErrInvalid},
		{"fragment", "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token#x", "", ErrInvalid},
		{"userinfo", "https://a:b@login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token", "", ErrInvalid},
		{"dot segments", "https://idp.corp.local/a/../oauth2/v2.0/token", "", ErrInvalid},
		{"not a url", "login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token", "", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ValidateAuthURL(tt.in)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("ValidateAuthURL(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ValidateAuthURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidateEmail(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"user@company.com", "user@company.com", false},
		{"  Jane.Doe@Company.COM\n", "Jane.Doe@company.com", false},
		{"first+tag@sub.example.org", "first+tag@sub.example.org", false},
		{"", "", true},
		{"user", "", true},
		{"user@", "", true},
		{"@company.com", "", true},
		{"user@localhost", "", true},
		{"Jane Doe <jane@company.com>", "", true},
		{"<jane@company.com>", "", true},
		{"jane@company.com, bob@company.com", "", true},
		{"jane doe@company.com", "", true},
		{"jane@comp any.com", "", true},
	}
	for _, tt := range tests {
		got, err := ValidateEmail(tt.in)
		if (err != nil) != tt.wantErr {
			t.Fatalf("ValidateEmail(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
		}
		if got != tt.want {
			t.Errorf("ValidateEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeJiraDomain(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr error
	}{
		{"seed example", "https://your_domain.atlassian.net/", "https://your_domain.atlassian.net", nil},
		{"bare host", "acme.atlassian.net", "https://acme.atlassian.net", nil},
		{"bare host uppercase with space", "  ACME.Atlassian.net/ \n", "https://acme.atlassian.net", nil},
		{"browse url", "https://acme.atlassian.net/browse/PROJ-1?focused=1#c", "https://acme.atlassian.net", nil},
		{"data center dashboard", "https://jira.corp.local/secure/Dashboard.jspa", "https://jira.corp.local", nil},
		{"data center port", "https://jira.corp.local:8443/", "https://jira.corp.local:8443", nil},
		{"default port dropped", "https://jira.corp.local:443", "https://jira.corp.local", nil},
		{"loopback http", "http://127.0.0.1:9090/", "http://127.0.0.1:9090", nil},
		{"empty", "", "", ErrInvalid},
		{"http non-loopback", "http://acme.atlassian.net", "", ErrInsecureURL},
		{"userinfo", "https://me@acme.atlassian.net", "", ErrInvalid},
		{"space in host", "https://acme .atlassian.net", "", ErrInvalid},
		{"hyphen label", "https://-acme.atlassian.net", "", ErrInvalid},
		{"no host", "https:///path", "", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeJiraDomain(tt.in)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("NormalizeJiraDomain(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("NormalizeJiraDomain(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestResolveJiraDeployment(t *testing.T) {
	tests := []struct {
		choice, domain string
		want           string
		wantErr        bool
	}{
		{"", "https://acme.atlassian.net", "cloud", false},
		{"auto", "https://acme.atlassian.net", "cloud", false},
		{"AUTO", "https://legacy.jira.com", "cloud", false},
		{"auto", "https://jira.corp.local", "datacenter", false},
		{"auto", "acme.atlassian.net", "cloud", false},
		{"auto", " acme.atlassian.net/browse/PROJ-1", "cloud", false},
		{"cloud", "http://127.0.0.1:9090", "cloud", false},
		{"datacenter", "https://jira.corp.local", "datacenter", false},
		{"datacenter", "https://acme.atlassian.net", "", true},
		{"server", "https://jira.corp.local", "", true},
	}
	for _, tt := range tests {
		got, err := ResolveJiraDeployment(tt.choice, tt.domain)
		if (err != nil) != tt.wantErr {
			t.Fatalf("ResolveJiraDeployment(%q, %q) error = %v, want error %v", tt.choice, tt.domain, err, tt.wantErr)
		}
		if got != tt.want {
			t.Errorf("ResolveJiraDeployment(%q, %q) = %q, want %q", tt.choice, tt.domain, got, tt.want)
		}
	}
}

func TestParseExpiry(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"", "", false},
		{"  ", "", false},
		{"2026-05-12", "2026-05-12", false},
		{" 2026-05-12\n", "2026-05-12", false},
		{"2026-02-30", "", true},
		{"12/05/2026", "", true},
		{"2026-5-12", "", true},
		{"2026-05-12T00:00:00Z", "", true},
	}
	for _, tt := range tests {
		got, err := ParseExpiry(tt.in)
		if (err != nil) != tt.wantErr {
			t.Fatalf("ParseExpiry(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
		}
		if got != tt.want {
			t.Errorf("ParseExpiry(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidationError(t *testing.T) {
	var v ValidationError
	if err := v.Err(); err != nil {
		t.Fatalf("empty ValidationError.Err() = %v, want nil", err)
	}
	v.Add("organisation", "organisation name must not contain spaces")
	_, tokErr := CleanToken("Bearer " + newPAT)
	v.AddErr("token", tokErr)
	v.AddErr("email", nil)

	err := v.Err()
	var got *ValidationError
	if !errors.As(err, &got) {
		t.Fatalf("Err() = %T, want *ValidationError", err)
	}
	want := []FieldError{
		{Field: "organisation", Message: "organisation name must not contain spaces"},
		{Field: "token", Message: "token starts with \"Basic \" or \"Bearer \"; paste only the token, without the prefix"},
	}
	if diff := cmp.Diff(want, got.Fields); diff != "" {
		t.Errorf("Fields mismatch (-want +got):\n%s", diff)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("ValidationError does not match ErrInvalid")
	}
	wantMsg := "invalid organisation: organisation name must not contain spaces; invalid token: token starts with \"Basic \" or \"Bearer \"; paste only the token, without the prefix"
	if got := err.Error(); got != wantMsg {
		t.Errorf("Error() = %q, want %q", got, wantMsg)
	}
	if strings.Contains(err.Error(), newPAT) {
		t.Errorf("Error() contains the token")
	}
}
