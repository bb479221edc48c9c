package providers

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sharedvault/backend/vault"
)

// refusalBound is a sanity bound, not a performance target: an oversized
// value must be refused by its length, not after being copied and parsed.
const refusalBound = 2 * time.Second

func hundredMB() string { return strings.Repeat("a", 100<<20) }

// TestOversizedValuesRefusedByLength feeds each parser a value just over its
// limit and a huge one; both are refused with a message naming the field and
// the limit, and a value exactly at the limit is not refused for its length.
func TestOversizedValuesRefusedByLength(t *testing.T) {
	huge := hundredMB()
	// An organisation URL of exactly MaxURLBytes: everything after the
	// collection is dropped, so only the length can make it fail.
	orgPrefix := "https://tfs.corp.local/tfs/DefaultCollection/"
	orgAtLimit := orgPrefix + strings.Repeat("p", MaxURLBytes-len(orgPrefix))
	cases := []struct {
		name    string
		parse   func(string) error
		atLimit string // accepted value of exactly the limit ("" = none)
		limit   int
		want    string
	}{
		{"organisation", func(s string) error { _, err := NormalizeOrganisation(s); return err }, orgAtLimit, MaxURLBytes,
			"organisation is longer than 2048 bytes"},
		{"authentication url", func(s string) error { _, err := ValidateAuthURL(s); return err }, "", MaxURLBytes,
			"authentication url is longer than 2048 bytes"},
		{"tenant", func(s string) error { _, err := TenantAuthURL(s); return err }, "", MaxURLBytes,
			"tenant is longer than 2048 bytes"},
		{"jira domain", func(s string) error { _, err := NormalizeJiraDomain(s); return err }, "", MaxURLBytes,
			"jira domain is longer than 2048 bytes"},
		{"email", func(s string) error { _, err := ValidateEmail(s); return err }, "", MaxFieldBytes,
			"email is longer than 512 bytes"},
		{"guid", func(s string) error { _, err := ValidateGUID(s); return err }, "", MaxFieldBytes,
			"guid is longer than 512 bytes"},
		{"expiry", func(s string) error { _, err := ParseExpiry(s); return err }, "", MaxFieldBytes,
			"expiry date is longer than 512 bytes"},
		{"deployment", func(s string) error { _, err := ResolveJiraDeployment(s, "acme.atlassian.net"); return err }, "", MaxFieldBytes,
			"deployment is longer than 512 bytes"},
		{"token", func(s string) error { _, err := CleanToken(s); return err }, strings.Repeat("t", MaxTokenBytes), MaxTokenBytes,
			"token is longer than 8192 bytes; paste only the token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, in := range []string{strings.Repeat("x", tc.limit+1), strings.Repeat("x", 10_000), huge} {
				if len(in) <= tc.limit {
					continue
				}
				start := time.Now()
				err := tc.parse(in)
				if d := time.Since(start); d > refusalBound {
					t.Errorf("%d-byte value refused after %v, want under %v", len(in), d, refusalBound)
				}
				if !errors.Is(err, ErrInvalid) || err.Error() != tc.want {
					t.Errorf("%d-byte value: error %v, want %q wrapping ErrInvalid", len(in), err, tc.want)
				}
			}
			if tc.atLimit != "" {
				if len(tc.atLimit) != tc.limit {
					t.Fatalf("test value is %d bytes, want %d", len(tc.atLimit), tc.limit)
				}
				if err := tc.parse(tc.atLimit); err != nil {
					t.Errorf("value of exactly %d bytes refused: %v", tc.limit, err)
				}
			}
		})
	}
}

// TestOversizedFormsStoreNothing goes through the providers service on a
// real vault: a 100 MB token and a 10,000-character organisation are refused
// quickly, beside their field, and the vault still has no provider.
func TestOversizedFormsStoreNothing(t *testing.T) {
	vault.SetKDFForTests(vault.KDFParams{Algorithm: "argon2id", MemoryKiB: 1024, Iterations: 1, Parallelism: 1})
	ctx := context.Background()
	v, err := vault.Create(ctx, filepath.Join(t.TempDir(), "vault.db"), []byte("correct horse battery staple"), vault.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	s := NewService(v)

	const goodToken = "e7awvivqlx3ufnmdgb2w5lq5y7gvuvt6kffwvq3wh7yxqqyroxta"
	longOrg := strings.Repeat("o", 10_000)
	cases := []struct {
		name  string
		save  func() error
		field string
		msg   string
	}{
		{"100 MB pat token", func() error {
			return s.SaveDevOpsPAT(ctx, PATInput{Username: "jane@contoso.com", Organisation: "fabrikam", Token: []byte(hundredMB())})
		}, "token", tokenMessages[ReasonTooLong]},
		{"100 MB sp secret", func() error {
			return s.SaveDevOpsSP(ctx, SPInput{ClientID: "4d856d1f-8648-456c-9bb2-f36273bbe4e3", TenantID: "05f0b08a-e682-4a53-a924-6bd72815be78",
				Organisation: "fabrikam", Secret: []byte(hundredMB())})
		}, "secret", tokenMessages[ReasonTooLong]},
		{"100 MB jira token", func() error {
			return s.SaveJira(ctx, JiraInput{Email: "mia@example.com", Domain: "acme.atlassian.net", Token: []byte(hundredMB())})
		}, "token", tokenMessages[ReasonTooLong]},
		{"10,000-character organisation", func() error {
			return s.SaveDevOpsPAT(ctx, PATInput{Username: "jane@contoso.com", Organisation: longOrg, Token: []byte(goodToken)})
		}, "organisation", "organisation is longer than 2048 bytes"},
		{"10,000-character organisation url", func() error {
			return s.SaveDevOpsPAT(ctx, PATInput{Username: "jane@contoso.com", Organisation: "https://dev.azure.com/" + longOrg, Token: []byte(goodToken)})
		}, "organisation", "organisation is longer than 2048 bytes"},
		{"10,000-character username", func() error {
			return s.SaveDevOpsPAT(ctx, PATInput{Username: longOrg, Organisation: "fabrikam", Token: []byte(goodToken)})
		}, "username", "username is longer than 512 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			err := tc.save()
			if d := time.Since(start); d > refusalBound {
				t.Errorf("refused after %v, want under %v", d, refusalBound)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != tc.field || ve.Fields[0].Message != tc.msg {
				t.Fatalf("error %v, want only field %q: %q", err, tc.field, tc.msg)
			}
			if len(err.Error()) > 200 {
				t.Errorf("error is %d bytes long: the value must not be quoted", len(err.Error()))
			}
		})
	}
	view, err := s.View(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if view.DevOps.Method != "" || view.DevOps.PATToken.Set || view.DevOps.SPSecret.Set || view.Jira.Token.Set || view.DevOps.Organisation != "" {
		t.Errorf("refused saves stored something: %+v", view)
	}
	for _, name := range []string{SecretDevOpsPAT, SecretDevOpsSP, SecretJiraToken} {
		if _, ok, err := s.Secrets().Current(ctx, v.DB(), name); err != nil || ok {
			t.Errorf("%s: stored=%v err=%v, want nothing stored", name, ok, err)
		}
	}
	// The limit is on the size, not the content: the same forms with sane
	// values are stored.
	if err := s.SaveDevOpsPAT(ctx, PATInput{Username: "jane@contoso.com", Organisation: "fabrikam", Token: []byte(goodToken)}); err != nil {
		t.Fatalf("sane form refused: %v", err)
	}
}
