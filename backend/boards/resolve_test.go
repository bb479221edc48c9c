package boards

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

// outcome is what a test compares of a resolution.
type outcome struct {
	Source, Method, Secret, Code string
	Fingerprint                  bool // a fingerprint is present
}

func outcomeOf(c *Credential, err error) outcome {
	if err != nil {
		var re *ResolveError
		if errors.As(err, &re) {
			return outcome{Source: SourceNone, Code: re.Code}
		}
		return outcome{Code: "error: " + err.Error()}
	}
	return outcome{Source: c.Source, Method: c.Method, Secret: c.SecretName, Fingerprint: c.Fingerprint != ""}
}

func TestResolveRules(t *testing.T) {
	ctx := context.Background()
	type step func(t *testing.T, f *fixture)
	globalOn := func(t *testing.T, f *fixture) { f.must(t, f.ps.SetGlobal(ctx, true)) }
	globalOff := func(t *testing.T, f *fixture) { f.must(t, f.ps.SetGlobal(ctx, false)) }
	pat := func(t *testing.T, f *fixture) { f.savePAT(t, canary(t)) }
	sp := func(t *testing.T, f *fixture) { f.saveSP(t, canary(t)) }
	jira := func(t *testing.T, f *fixture) { f.saveJira(t, canary(t)) }
	use := func(m string) step {
		return func(t *testing.T, f *fixture) { f.must(t, f.ps.UseMethod(ctx, m)) }
	}
	ownPAT := func(t *testing.T, f *fixture) { f.ownPAT(t, "B", canary(t)) }
	ownSP := func(t *testing.T, f *fixture) { f.ownSP(t, "B", canary(t)) }
	ownJiraDC := func(t *testing.T, f *fixture) { f.ownJira(t, "B", "https://jira.fabrikam.example", canary(t)) }
	ownJiraCloud := func(t *testing.T, f *fixture) { f.ownJira(t, "B", "fabrikam.atlassian.net", canary(t)) }

	tests := []struct {
		name      string
		system    string
		useGlobal bool
		setup     []step
		want      outcome
	}{
		{"devops global pat", SystemDevOps, true, []step{globalOn, pat}, outcome{Source: "global", Method: "pat", Secret: "devops.pat", Fingerprint: true}},
		{"devops global sp", SystemDevOps, true, []step{globalOn, sp}, outcome{Source: "global", Method: "sp", Secret: "devops.sp", Fingerprint: true}},
		{"devops global follows the selected method sp", SystemDevOps, true, []step{globalOn, pat, sp}, outcome{Source: "global", Method: "sp", Secret: "devops.sp", Fingerprint: true}},
		{"devops global follows the selected method pat", SystemDevOps, true, []step{globalOn, pat, sp, use("pat")}, outcome{Source: "global", Method: "pat", Secret: "devops.pat", Fingerprint: true}},
		{"jira global cloud", SystemJira, true, []step{globalOn, jira}, outcome{Source: "global", Method: "cloud", Secret: "jira.token", Fingerprint: true}},
		{"devops global off", SystemDevOps, true, []step{pat, globalOff}, outcome{Source: "none", Code: CodeGlobalDisabled}},
		{"jira global off", SystemJira, true, []step{jira, globalOff}, outcome{Source: "none", Code: CodeGlobalDisabled}},
		{"global toggle never set reads as off", SystemDevOps, true, []step{pat}, outcome{Source: "none", Code: CodeGlobalDisabled}},
		{"devops global not configured", SystemDevOps, true, []step{globalOn, jira}, outcome{Source: "none", Code: CodeNotConfigured}},
		{"jira global not configured", SystemJira, true, []step{globalOn, pat}, outcome{Source: "none", Code: CodeNotConfigured}},
		{"own pat", SystemDevOps, false, []step{globalOn, pat, ownPAT}, outcome{Source: "board", Method: "pat", Secret: "board:1", Fingerprint: true}},
		{"own sp", SystemDevOps, false, []step{globalOn, pat, ownSP}, outcome{Source: "board", Method: "sp", Secret: "board:1", Fingerprint: true}},
		{"own sp replaces own pat", SystemDevOps, false, []step{ownPAT, ownSP}, outcome{Source: "board", Method: "sp", Secret: "board:1", Fingerprint: true}},
		{"own jira data center", SystemJira, false, []step{globalOn, jira, ownJiraDC}, outcome{Source: "board", Method: "datacenter", Secret: "board:1", Fingerprint: true}},
		{"own jira cloud", SystemJira, false, []step{ownJiraCloud}, outcome{Source: "board", Method: "cloud", Secret: "board:1", Fingerprint: true}},
		{"own credentials ignore the global toggle", SystemDevOps, false, []step{pat, globalOff, ownPAT}, outcome{Source: "board", Method: "pat", Secret: "board:1", Fingerprint: true}},
		{"toggle off without own credentials", SystemDevOps, false, []step{globalOn, pat}, outcome{Source: "none", Code: CodeNotConfigured}},
		{"toggle on ignores own credentials", SystemDevOps, true, []step{globalOn, pat, ownSP}, outcome{Source: "global", Method: "pat", Secret: "devops.pat", Fingerprint: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.add(t, "B", tt.system, tt.useGlobal)
			for _, s := range tt.setup {
				s(t, f)
			}
			c, err := f.bs.Resolve(ctx, "B")
			got := outcomeOf(c, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("Resolve (-want +got):\n%s", diff)
			}
			// List and Show apply the same rules.
			lv, err := f.bs.List(ctx, "")
			f.must(t, err)
			view, err := f.bs.Show(ctx, "B")
			f.must(t, err)
			if diff := cmp.Diff(lv.Boards[0], view.Item); diff != "" {
				t.Errorf("List and Show differ (-list +show):\n%s", diff)
			}
			if view.CredentialSource != tt.want.Source || view.Method != tt.want.Method || view.Code != tt.want.Code {
				t.Errorf("Show = source %q method %q code %q, want %q %q %q", view.CredentialSource, view.Method, view.Code, tt.want.Source, tt.want.Method, tt.want.Code)
			}
			if c != nil && view.Fingerprint != c.Fingerprint {
				t.Errorf("Show fingerprint %q, Resolve %q", view.Fingerprint, c.Fingerprint)
			}
			if err != nil {
				var re *ResolveError
				if !errors.As(err, &re) {
					t.Fatalf("error %v is not a *ResolveError", err)
				}
				wantSentinel := providers.ErrNotConfigured
				if re.Code == CodeGlobalDisabled {
					wantSentinel = ErrGlobalDisabled
					if re.Message != "the administrator has turned off the global shared secret (Use Global Integration Shared Secret is off)" {
						t.Errorf("message = %q", re.Message)
					}
				}
				if !errors.Is(err, wantSentinel) {
					t.Errorf("errors.Is(%v, %v) = false", err, wantSentinel)
				}
				if re.Hint() == "" || view.Message != re.Message {
					t.Errorf("hint %q, show message %q, want %q", re.Hint(), view.Message, re.Message)
				}
			}
		})
	}
}

func TestResolveUnknownBoard(t *testing.T) {
	f := newFixture(t)
	_, err := f.bs.Resolve(context.Background(), "nope")
	if !errors.Is(err, vault.ErrNotFound) {
		t.Fatalf("Resolve(unknown) = %v, want ErrNotFound", err)
	}
}

// TestChangesWhileBoardsExist switches the method and the global toggle
// with boards in place: every board follows at once, and the previews and
// the usage map say so beforehand.
func TestChangesWhileBoardsExist(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.must(t, f.ps.SetGlobal(ctx, true))
	f.savePAT(t, canary(t))
	f.saveSP(t, canary(t))
	f.must(t, f.ps.UseMethod(ctx, "pat"))
	f.saveJira(t, canary(t))
	f.add(t, "Board A", SystemDevOps, true)
	f.add(t, "Board B", SystemJira, true)
	f.add(t, "Board C", SystemDevOps, false)
	f.ownPAT(t, "Board C", canary(t))
	f.add(t, "Board D", SystemDevOps, true)

	sources := func() map[string]string {
		lv, err := f.bs.List(ctx, "")
		f.must(t, err)
		out := map[string]string{}
		for _, b := range lv.Boards {
			out[b.Name] = b.CredentialSource + "/" + b.Method
		}
		return out
	}
	usage := func() map[string][]string {
		u, err := f.bs.Usage(ctx)
		f.must(t, err)
		return u
	}
	fp := func(name string) string {
		view, err := f.ps.View(ctx)
		f.must(t, err)
		return map[string]string{"devops.pat": view.DevOps.PATToken.Fingerprint, "devops.sp": view.DevOps.SPSecret.Fingerprint, "jira.token": view.Jira.Token.Fingerprint}[name]
	}

	if diff := cmp.Diff(map[string][]string{"devops.pat": {"Board A", "Board D"}, "devops.sp": {}, "jira.token": {"Board B"}}, usage()); diff != "" {
		t.Fatalf("usage (-want +got):\n%s", diff)
	}

	// pat → sp
	changes, err := f.bs.ImpactMethod(ctx, "sp")
	f.must(t, err)
	want := []Change{
		{Board: "Board A", From: "global DevOps PAT, fingerprint " + fp("devops.pat"), To: "global DevOps Service Principal, fingerprint " + fp("devops.sp")},
		{Board: "Board D", From: "global DevOps PAT, fingerprint " + fp("devops.pat"), To: "global DevOps Service Principal, fingerprint " + fp("devops.sp")},
	}
	if diff := cmp.Diff(want, changes); diff != "" {
		t.Fatalf("ImpactMethod(sp) (-want +got):\n%s", diff)
	}
	f.must(t, f.ps.UseMethod(ctx, "sp"))
	if diff := cmp.Diff(map[string]string{"Board A": "global/sp", "Board B": "global/cloud", "Board C": "board/pat", "Board D": "global/sp"}, sources()); diff != "" {
		t.Fatalf("after pat→sp (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]string{"devops.pat": {}, "devops.sp": {"Board A", "Board D"}, "jira.token": {"Board B"}}, usage()); diff != "" {
		t.Fatalf("usage after pat→sp (-want +got):\n%s", diff)
	}
	if changes, _ := f.bs.ImpactMethod(ctx, "sp"); len(changes) != 0 {
		t.Errorf("selecting the selected method previews %v, want nothing", changes)
	}

	// global off
	changes, err = f.bs.ImpactGlobalOff(ctx)
	f.must(t, err)
	want = []Change{
		{Board: "Board A", From: "global DevOps Service Principal, fingerprint " + fp("devops.sp"), To: "none (global_disabled)"},
		{Board: "Board B", From: "global Jira token, fingerprint " + fp("jira.token"), To: "none (global_disabled)"},
		{Board: "Board D", From: "global DevOps Service Principal, fingerprint " + fp("devops.sp"), To: "none (global_disabled)"},
	}
	if diff := cmp.Diff(want, changes); diff != "" {
		t.Fatalf("ImpactGlobalOff (-want +got):\n%s", diff)
	}
	f.must(t, f.ps.SetGlobal(ctx, false))
	if diff := cmp.Diff(map[string]string{"Board A": "none/", "Board B": "none/", "Board C": "board/pat", "Board D": "none/"}, sources()); diff != "" {
		t.Fatalf("after global off (-want +got):\n%s", diff)
	}
	if changes, _ := f.bs.ImpactGlobalOff(ctx); len(changes) != 0 {
		t.Errorf("turning off what is off previews %v", changes)
	}
	sum, err := f.bs.Summarize(ctx)
	f.must(t, err)
	if diff := cmp.Diff(Summary{Count: 4, UsingGlobal: 3, UsingOwn: 1, Unresolved: 3, Usage: map[string]int{"devops.pat": 0, "devops.sp": 0, "jira.token": 0}}, sum); diff != "" {
		t.Errorf("summary with global off (-want +got):\n%s", diff)
	}

	// global on again
	on := true
	changes, err = f.bs.Impact(ctx, Plan{Global: &on})
	f.must(t, err)
	if len(changes) != 3 || changes[0].To != "global DevOps Service Principal, fingerprint "+fp("devops.sp") {
		t.Fatalf("Impact(global on) = %v", changes)
	}
	f.must(t, f.ps.SetGlobal(ctx, true))
	if diff := cmp.Diff(map[string]string{"Board A": "global/sp", "Board B": "global/cloud", "Board C": "board/pat", "Board D": "global/sp"}, sources()); diff != "" {
		t.Fatalf("after global on (-want +got):\n%s", diff)
	}

	// replacing a shared secret affects exactly its users
	changes, err = f.bs.ImpactReplace(ctx, "jira.token")
	f.must(t, err)
	if diff := cmp.Diff([]Change{{Board: "Board B", From: "global Jira token, fingerprint " + fp("jira.token"), To: "global Jira token, new value"}}, changes); diff != "" {
		t.Errorf("ImpactReplace(jira.token) (-want +got):\n%s", diff)
	}
	if changes, _ := f.bs.ImpactReplace(ctx, "devops.pat"); len(changes) != 0 {
		t.Errorf("replacing the unused PAT previews %v", changes)
	}
	own, err := f.bs.SecretName(ctx, "Board C")
	f.must(t, err)
	changes, err = f.bs.ImpactReplace(ctx, own)
	f.must(t, err)
	if len(changes) != 1 || changes[0].Board != "Board C" || changes[0].To != "own DevOps PAT, new value" {
		t.Errorf("ImpactReplace(%s) = %v", own, changes)
	}
}

func TestApplyHeader(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		system string
		global bool
		setup  func(t *testing.T, f *fixture, token string)
		url    string
		want   func(token string) string
	}{
		{"global devops pat", SystemDevOps, true, func(t *testing.T, f *fixture, tok string) { f.savePAT(t, tok) },
			"https://dev.azure.com/contoso/_apis/connectionData",
			func(tok string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(":"+tok)) }},
		{"own devops pat", SystemDevOps, false, func(t *testing.T, f *fixture, tok string) { f.ownPAT(t, "B", tok) },
			"https://dev.azure.com/contoso/_apis/projects",
			func(tok string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(":"+tok)) }},
		{"global jira cloud", SystemJira, true, func(t *testing.T, f *fixture, tok string) { f.saveJira(t, tok) },
			"https://acme.atlassian.net/rest/api/3/myself",
			func(tok string) string {
				return "Basic " + base64.StdEncoding.EncodeToString([]byte("jira-bot@acme.example:"+tok))
			}},
		{"own jira cloud", SystemJira, false, func(t *testing.T, f *fixture, tok string) { f.ownJira(t, "B", "https://team.atlassian.net", tok) },
			"https://team.atlassian.net/rest/api/3/myself",
			func(tok string) string {
				return "Basic " + base64.StdEncoding.EncodeToString([]byte("team@acme.example:"+tok))
			}},
		{"own jira data center", SystemJira, false, func(t *testing.T, f *fixture, tok string) { f.ownJira(t, "B", "https://jira.fabrikam.example", tok) },
			"https://jira.fabrikam.example/rest/api/2/myself",
			func(tok string) string { return "Bearer " + tok }},
		{"loopback http allowed", SystemJira, false, func(t *testing.T, f *fixture, tok string) {
			f.ownJira(t, "B", "http://127.0.0.1:8443", tok)
		}, "http://127.0.0.1:8443/rest/api/2/myself", func(tok string) string { return "Bearer " + tok }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.must(t, f.ps.SetGlobal(ctx, true))
			f.add(t, "B", tt.system, tt.global)
			tok := canary(t)
			tt.setup(t, f, tok)
			c, err := f.bs.Resolve(ctx, "B")
			f.must(t, err)
			req, _ := http.NewRequest(http.MethodGet, tt.url, nil)
			f.must(t, c.Apply(req))
			got := req.Header.Get("Authorization")
			if got != tt.want(tok) {
				t.Fatalf("Authorization header does not carry the stored token (scheme %q)", schemeOf(got))
			}
			// decode and compare, as a server would
			if s, rest, _ := cutScheme(got); s == "Basic" {
				raw, err := base64.StdEncoding.DecodeString(rest)
				f.must(t, err)
				_, secret, _ := cutColon(string(raw))
				if secret != tok {
					t.Fatalf("decoded Basic secret differs from the canary")
				}
			}
		})
	}
}

func schemeOf(h string) string { s, _, _ := cutScheme(h); return s }

func cutScheme(h string) (string, string, bool) {
	for i := range h {
		if h[i] == ' ' {
			return h[:i], h[i+1:], true
		}
	}
	return h, "", false
}

func cutColon(s string) (string, string, bool) {
	for i := range s {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func TestApplyRefuses(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.must(t, f.ps.SetGlobal(ctx, true))
	f.savePAT(t, canary(t))
	spTok := canary(t)
	f.add(t, "pat", SystemDevOps, true)
	f.add(t, "sp", SystemDevOps, false)
	f.ownSP(t, "sp", spTok)

	c, err := f.bs.Resolve(ctx, "pat")
	f.must(t, err)
	for _, u := range []string{
		"https://evil.example/contoso/_apis/connectionData", // another host
		"http://dev.azure.com/contoso/_apis/connectionData", // plain http
		"https://dev.azure.com.evil.example/contoso",        // look-alike
	} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if err := c.Apply(req); err == nil || req.Header.Get("Authorization") != "" {
			t.Errorf("Apply to %s = %v, header set %t; want refusal", u, err, req.Header.Get("Authorization") != "")
		}
	}

	c, err = f.bs.Resolve(ctx, "sp")
	f.must(t, err)
	req, _ := http.NewRequest(http.MethodGet, "https://dev.azure.com/contoso/_apis/connectionData", nil)
	if err := c.Apply(req); !errors.Is(err, ErrNeedsTokenExchange) {
		t.Errorf("Apply(sp) = %v, want ErrNeedsTokenExchange", err)
	}
	sec, release, err := c.Secret()
	f.must(t, err)
	if string(sec) != spTok {
		t.Errorf("Secret() returned something else than the stored SP secret")
	}
	release()
	if c.Meta["client_id"] != clientID || c.Meta["auth_url"] == "" || c.Meta["organisation_url"] != "https://dev.azure.com/contoso" {
		t.Errorf("meta = %v", c.Meta)
	}
}

func TestKeepStoredOwnValue(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.add(t, "B", SystemDevOps, false)
	tok := canary(t)
	f.ownPAT(t, "B", tok)
	// No token: keeps the stored PAT, changes the username.
	saved, err := f.bs.SetCredentials(ctx, "B", CredentialsInput{PAT: &providers.PATInput{Username: "other@contoso.com", Organisation: "contoso"}})
	f.must(t, err)
	if saved.Version != 2 || !saved.InUse {
		t.Fatalf("saved = %+v", saved)
	}
	c, err := f.bs.Resolve(ctx, "B")
	f.must(t, err)
	sec, release, err := c.Secret()
	f.must(t, err)
	if string(sec) != tok || c.Meta["username"] != "other@contoso.com" {
		t.Errorf("kept value differs or username %q", c.Meta["username"])
	}
	release()
	// Switching to SP needs a secret: the PAT is not kept for another method.
	_, err = f.bs.SetCredentials(ctx, "B", CredentialsInput{SP: &providers.SPInput{ClientID: clientID, TenantID: tenantID, Organisation: "contoso"}})
	var ve *providers.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "secret" {
		t.Fatalf("SP without secret = %v, want a secret validation error", err)
	}
	// A jira form on a devops board is refused.
	_, err = f.bs.SetCredentials(ctx, "B", CredentialsInput{Jira: &providers.JiraInput{Email: "a@b.example", Domain: "https://x.atlassian.net", Token: []byte(canary(t))}})
	if !errors.Is(err, providers.ErrInvalid) {
		t.Fatalf("jira form on devops board = %v", err)
	}
	// Dirty pasted tokens are cleaned or refused like the shared ones.
	_, err = f.bs.SetCredentials(ctx, "B", CredentialsInput{PAT: &providers.PATInput{Username: "u@contoso.com", Organisation: "contoso", Token: []byte("Bearer " + tok)}})
	if !errors.Is(err, providers.ErrInvalid) {
		t.Fatalf("token with Bearer prefix = %v, want invalid", err)
	}
	saved, err = f.bs.SetCredentials(ctx, "B", CredentialsInput{PAT: &providers.PATInput{Username: "u@contoso.com", Organisation: "contoso", Token: []byte("  \u200b" + tok + "\n")}})
	f.must(t, err)
	c, err = f.bs.Resolve(ctx, "B")
	f.must(t, err)
	if c.Fingerprint != saved.Fingerprint || c.Version != 3 {
		t.Errorf("cleaned token: fingerprint %s version %d, want %s 3", c.Fingerprint, c.Version, saved.Fingerprint)
	}
	fpv, err := f.v.Fingerprint(ctx, f.v.DB(), []byte(tok))
	f.must(t, err)
	if fpv != saved.Fingerprint {
		t.Errorf("the cleaned token was not stored clean")
	}

	// Rollback to version 1 (the first username).
	r, err := f.bs.Rollback(ctx, c.SecretName, 1)
	f.must(t, err)
	if r.Version != 4 || r.Meta["username"] != "team@contoso.com" {
		t.Errorf("rollback = v%d %v", r.Version, r.Meta)
	}
	if _, err := f.bs.Rollback(ctx, c.SecretName, 99); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("rollback to missing version = %v", err)
	}
	hist, err := f.ps.Secrets().History(ctx, "board:"+strconv.FormatInt(1, 10))
	f.must(t, err)
	if len(hist) != 4 {
		t.Errorf("history has %d versions, want 4", len(hist))
	}
}
