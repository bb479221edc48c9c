package providers

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"unicode"
)

func FuzzNormalizeOrganisation(f *testing.F) {
	for _, s := range []string{
		"contoso", " contoso\n", "my org", "-x-",
		"https://dev.azure.com/contoso/", "dev.azure.com/contoso/Some%20Project/_boards",
		"https://contoso.visualstudio.com/", "contoso.vsrm.visualstudio.com/x",
		"https://tfs.corp.local/tfs/DefaultCollection/Project/_boards",
		"https://server:8080/DefaultCollection", "https://server/tfs/Default%20Collection",
		"http://127.0.0.1:8081/contoso", "http://[::1]:1/tfs/x", "http://dev.azure.com/x",
		"https://server/a%2Fb", "https://Server.:443/TFS/c/", "https://dev.azure.com./x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		org, err := NormalizeOrganisation(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if org.Name == "" || org.BaseURL == "" {
			t.Fatalf("NormalizeOrganisation(%q) = %+v, want name and base url", in, org)
		}
		again, err := NormalizeOrganisation(org.BaseURL)
		if err != nil {
			t.Fatalf("base url %q does not re-normalise: %v", org.BaseURL, err)
		}
		if again != org {
			t.Fatalf("re-normalising %q = %+v, want %+v", org.BaseURL, again, org)
		}
	})
}

func FuzzCleanToken(f *testing.F) {
	for _, s := range []string{
		legacyPAT, " " + newPAT + "\r\n", jiraToken, "\u200b" + newPAT + "\ufeff",
		"Basic " + newPAT, "bearer\t" + newPAT, "Authorization: Bearer x",
		base64.StdEncoding.EncodeToString([]byte(":" + newPAT)),
		newPAT[:30] + " " + newPAT[30:], newPAT[:20] + "...", "short", "", "\x00\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := CleanToken(in)
		if err != nil {
			var p *TokenProblem
			if !errors.As(err, &p) {
				t.Fatalf("error %#v is not a *TokenProblem", err)
			}
			// Fixed text only, so nothing of the value can be echoed.
			if want, ok := tokenMessages[p.Reason]; !ok || p.Message != want || err.Error() != want {
				t.Fatalf("error %q (reason %q) is not one of the fixed messages", err, p.Reason)
			}
			if got != "" {
				t.Fatalf("CleanToken returned %q with an error", got)
			}
			return
		}
		if strings.ContainsFunc(got, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
		}) {
			t.Fatalf("cleaned token %q still has whitespace or invisible characters", got)
		}
		if again, err := CleanToken(got); err != nil || again != got {
			t.Fatalf("CleanToken is not idempotent: %q → %q, %v", got, again, err)
		}
	})
}

func FuzzValidateAuthURL(f *testing.F) {
	for _, s := range []string{
		"https://login.microsoftonline.com/05f0b08a-e682-4a53-a924-6bd72815be78/oauth2/v2.0/token",
		"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
		"HTTPS://LOGIN.MICROSOFTONLINE.COM/Contoso.onmicrosoft.com/OAUTH2/TOKEN/",
		"https://adfs.corp.local:443/adfs/oauth2/token", "http://127.0.0.1:1/t/oauth2/v2.0/token",
		"http://example.com/t/oauth2/v2.0/token", "https://x/oauth2/token?a", "https://x/%2e%2e/oauth2/token",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ValidateAuthURL(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if !strings.HasPrefix(got, "https://") && !strings.HasPrefix(got, "http://") {
			t.Fatalf("ValidateAuthURL(%q) = %q, want an http(s) url", in, got)
		}
		again, err := ValidateAuthURL(got)
		if err != nil || again != got {
			t.Fatalf("ValidateAuthURL is not idempotent: %q → %q, %v", got, again, err)
		}
	})
}

func FuzzNormalizeJiraDomain(f *testing.F) {
	for _, s := range []string{
		"https://your_domain.atlassian.net/", "acme.atlassian.net", "https://jira.corp.local/secure/Dashboard.jspa",
		"http://127.0.0.1:9090", "http://acme.atlassian.net", "https://[::1]:8443/x", "https://a:b@c", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := NormalizeJiraDomain(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		again, err := NormalizeJiraDomain(got)
		if err != nil || again != got {
			t.Fatalf("NormalizeJiraDomain is not idempotent: %q → %q, %v", got, again, err)
		}
		if d := DetectJiraDeployment(got); d != "cloud" && d != "datacenter" {
			t.Fatalf("DetectJiraDeployment(%q) = %q", got, d)
		}
	})
}

func FuzzValidateGUID(f *testing.F) {
	for _, s := range []string{
		"4d856d1f-8648-456c-9bb2-f36273bbe4e3", "{4D856D1F-8648-456C-9BB2-F36273BBE4E3}",
		" 4d856d1f-8648-456c-9bb2-f36273bbe4e3\n", "4d856d1f8648456c9bb2f36273bbe4e3", "{}", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ValidateGUID(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if len(got) != 36 || strings.ToLower(got) != got {
			t.Fatalf("ValidateGUID(%q) = %q, want canonical lowercase form", in, got)
		}
		if again, err := ValidateGUID(got); err != nil || again != got {
			t.Fatalf("ValidateGUID is not idempotent: %q → %q, %v", got, again, err)
		}
	})
}
