package connect_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"sharedvault/backend/connect"
	"sharedvault/backend/internal/emulator"
)

// secretOf hands out a copy of v and wipes it on release, like the vault.
func secretOf(v string) connect.SecretFunc {
	return func() ([]byte, func(), error) {
		b := []byte(v)
		return b, func() { clear(b) }, nil
	}
}

func newProber(t testing.TB, s connect.Settings) *connect.Prober {
	t.Helper()
	p, err := connect.NewProber(s)
	if err != nil {
		t.Fatalf("NewProber: %v", err)
	}
	return p
}

// resultOpts compares what a test decides on; wording is checked apart.
var resultOpts = cmp.Options{
	cmpopts.IgnoreFields(connect.Result{}, "Message", "Hint", "Warnings"),
	cmpopts.IgnoreFields(connect.Check{}, "DurationMS"),
}

func ck(name string, ok bool, status int) connect.Check {
	return connect.Check{Name: name, OK: ok, Status: status}
}

// probeCase is one Prober.Test run against an emulator.
type probeCase struct {
	name     string
	cfg      func(*emulator.Config) // changes to the fixture
	target   connect.Target         // BaseURL/AuthURL are paths on the emulator
	secret   string
	want     connect.Result
	warnings int
}

// run executes the cases on a fresh emulator each and checks the common
// invariants: messages present, progress matches checks, and no form of
// the secret anywhere in the result.
func runCases(t *testing.T, tls bool, cases []probeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := emulator.Fixture()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			var emu *emulator.Server
			var s connect.Settings
			if tls {
				emu = emulator.NewTLS(t, cfg)
				s.ExtraRootsPEM = emu.CAPEM
			} else {
				emu = emulator.New(t, cfg)
			}
			target := tc.target
			target.BaseURL = emu.URL + target.BaseURL
			if target.AuthURL != "" {
				target.AuthURL = emu.URL + target.AuthURL
			}
			var progress []connect.Check
			got := newProber(t, s).Test(context.Background(), target, secretOf(tc.secret), func(c connect.Check) { progress = append(progress, c) })

			if diff := cmp.Diff(tc.want, got, resultOpts); diff != "" {
				t.Errorf("Test() mismatch (-want +got):\n%s\nmessage: %s\nhint: %s", diff, got.Message, got.Hint)
			}
			if diff := cmp.Diff(got.Checks, progress, resultOpts); diff != "" {
				t.Errorf("progress differs from checks (-checks +progress):\n%s", diff)
			}
			if got.Message == "" || (!got.OK && got.Hint == "") {
				t.Errorf("message %q / hint %q: want both for a failure", got.Message, got.Hint)
			}
			if len(got.Warnings) != tc.warnings {
				t.Errorf("warnings = %q, want %d", got.Warnings, tc.warnings)
			}
			assertNoSecret(t, got, tc.secret, target.Username)
		})
	}
}

// assertNoSecret fails if the secret or any header form of it appears in
// the JSON of the result.
func assertNoSecret(t *testing.T, r connect.Result, secret, user string) {
	t.Helper()
	if secret == "" {
		return
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range []string{
		secret,
		base64.StdEncoding.EncodeToString([]byte(":" + secret)),
		base64.StdEncoding.EncodeToString([]byte(user + ":" + secret)),
	} {
		if strings.Contains(string(b), form) {
			t.Errorf("result contains the secret (form %q): %s", form, b)
		}
	}
}

func TestDevOpsPAT(t *testing.T) {
	pat := func(path string) connect.Target {
		return connect.Target{Service: "devops", Method: "pat", BaseURL: path, Organisation: "fabrikam", Username: emulator.UserEmail}
	}
	res := func(code string, checks ...connect.Check) connect.Result {
		return connect.Result{OK: code == "ok", Service: "devops", Method: "pat", Code: code, Checks: checks, SupportID: emulator.ActivityID}
	}
	okChecks := []connect.Check{ck("connection_data", true, 200), ck("projects", true, 200)}
	withIdentity := func(r connect.Result) connect.Result { r.Identity = emulator.UserEmail; return r }
	mismatch := pat("/fabrikam")
	mismatch.Username = "john@contoso.com"

	runCases(t, false, []probeCase{
		{name: "ok", target: pat("/fabrikam"), secret: emulator.GoodPAT, want: withIdentity(res("ok", okChecks...))},
		{name: "ok with BOM", cfg: func(c *emulator.Config) { c.BOM = true }, target: pat("/fabrikam"), secret: emulator.GoodPAT, want: withIdentity(res("ok", okChecks...))},
		{name: "identity mismatch warns", target: mismatch, secret: emulator.GoodPAT, want: withIdentity(res("ok", okChecks...)), warnings: 1},
		{name: "identity falls back to display name",
			cfg:    func(c *emulator.Config) { c.PATs[0].Account = "" },
			target: connect.Target{Service: "devops", Method: "pat", BaseURL: "/fabrikam"}, secret: emulator.GoodPAT,
			want: func() connect.Result { r := res("ok", okChecks...); r.Identity = emulator.UserDisplayName; return r }()},
		{name: "auth_failed wrong token", target: pat("/fabrikam"), secret: "not-a-valid-pat-value-0000000000000000000000000000", want: res("auth_failed", ck("connection_data", false, 401))},
		{name: "auth_failed org-scoped token", target: pat("/fabrikam"), secret: emulator.OtherOrgPAT, want: res("auth_failed", ck("connection_data", false, 401))},
		{name: "token_expired", target: pat("/fabrikam"), secret: emulator.ExpiredPAT, want: res("token_expired", ck("connection_data", false, 401))},
		{name: "insufficient_scope projects", target: pat("/fabrikam"), secret: emulator.NoScopePAT,
			want: withIdentity(res("insufficient_scope", ck("connection_data", true, 200), ck("projects", false, 401)))},
		{name: "org_not_found", target: pat("/nosuchorg"), secret: emulator.GoodPAT, want: res("org_not_found", ck("connection_data", false, 404))},
		{name: "signin_redirect 302", cfg: func(c *emulator.Config) { c.Orgs[0].IgnoreSuppress = true },
			target: pat("/fabrikam"), secret: emulator.OtherOrgPAT, want: res("signin_redirect", ck("connection_data", false, 302))},
		{name: "signin_redirect 203", cfg: func(c *emulator.Config) { c.Orgs[0].IgnoreSuppress = true; c.SignIn = emulator.SignIn203 },
			target: pat("/fabrikam"), secret: emulator.OtherOrgPAT, want: res("signin_redirect", ck("connection_data", false, 203))},
		{name: "signin_redirect 200 html", cfg: func(c *emulator.Config) { c.Orgs[0].IgnoreSuppress = true; c.SignIn = emulator.SignIn200 },
			target: pat("/fabrikam"), secret: emulator.OtherOrgPAT, want: res("signin_redirect", ck("connection_data", false, 200))},
		{name: "server api-version retry", target: pat("/tfs/DefaultCollection"), secret: emulator.GoodPAT,
			want: withIdentity(res("ok", ck("connection_data", true, 200), ck("projects", false, 400), ck("projects (api-version 7.0)", true, 200)))},
		{name: "server 2019 api-version retry", cfg: func(c *emulator.Config) { c.Orgs[1].MaxAPIVersion = "5.1" }, target: pat("/tfs/DefaultCollection"), secret: emulator.GoodPAT,
			want: withIdentity(res("ok", ck("connection_data", true, 200), ck("projects", false, 400), ck("projects (api-version 5.1)", true, 200)))},
	})
}

func TestDevOpsBoard(t *testing.T) {
	board := func(base, project, area string) connect.Target {
		return connect.Target{Service: "devops", Method: "pat", BaseURL: base, Organisation: "fabrikam", Project: project, AreaPath: area}
	}
	res := func(code string, checks ...connect.Check) connect.Result {
		return connect.Result{OK: code == "ok", Service: "devops", Method: "pat", Code: code, Identity: emulator.UserEmail, Checks: checks, SupportID: emulator.ActivityID}
	}
	head := []connect.Check{ck("connection_data", true, 200), ck("projects", true, 200)}
	with := func(cs ...connect.Check) []connect.Check { return append(append([]connect.Check{}, head...), cs...) }

	runCases(t, false, []probeCase{
		{name: "ok project only", target: board("/fabrikam", emulator.ProjectName, ""), secret: emulator.GoodPAT,
			want: res("ok", with(ck("project", true, 200), ck("work_item_query", true, 200))...)},
		{name: "ok area with project prefix", target: board("/fabrikam", emulator.ProjectName, emulator.ProjectName+`\`+emulator.SubArea), secret: emulator.GoodPAT,
			want: res("ok", with(ck("project", true, 200), ck("area_path", true, 200), ck("work_item_query", true, 200))...)},
		{name: "ok area without prefix", target: board("/fabrikam", emulator.ProjectName, emulator.Area), secret: emulator.GoodPAT,
			want: res("ok", with(ck("project", true, 200), ck("area_path", true, 200), ck("work_item_query", true, 200))...)},
		{name: "project_not_found", target: board("/fabrikam", "Nope", ""), secret: emulator.GoodPAT,
			want: res("project_not_found", with(ck("project", false, 404))...)},
		{name: "area_path_not_found", target: board("/fabrikam", emulator.ProjectName, emulator.ProjectName+`\Team Z`), secret: emulator.GoodPAT,
			want: res("area_path_not_found", with(ck("project", true, 200), ck("area_path", false, 404))...)},
		{name: "insufficient_scope work items", target: board("/fabrikam", emulator.ProjectName, emulator.Area), secret: emulator.NoWorkPAT,
			want: res("insufficient_scope", with(ck("project", true, 200), ck("area_path", false, 401))...)},
		{name: "server keeps negotiated version", target: board("/tfs/DefaultCollection", emulator.ProjectName, emulator.Area), secret: emulator.GoodPAT,
			want: res("ok", ck("connection_data", true, 200), ck("projects", false, 400), ck("projects (api-version 7.0)", true, 200),
				ck("project", true, 200), ck("area_path", true, 200), ck("work_item_query", true, 200))},
	})
}

func TestDevOpsServicePrincipal(t *testing.T) {
	sp := func(tenant, clientID string) connect.Target {
		return connect.Target{Service: "devops", Method: "sp", BaseURL: "/fabrikam", Organisation: "fabrikam", ClientID: clientID,
			AuthURL: "/" + tenant + "/oauth2/v2.0/token"}
	}
	entra := func(code string, status int) connect.Result {
		return connect.Result{Service: "devops", Method: "sp", Code: code, Checks: []connect.Check{ck("entra_token", false, status)}, SupportID: emulator.EntraTraceID}
	}
	runCases(t, false, []probeCase{
		{name: "ok", target: sp(emulator.Tenant, emulator.AppClientID), secret: emulator.AppSecret,
			want: connect.Result{OK: true, Service: "devops", Method: "sp", Code: "ok", Identity: emulator.AppClientID, SupportID: emulator.ActivityID,
				Checks: []connect.Check{ck("entra_token", true, 200), ck("connection_data", true, 200), ck("projects", true, 200)}}},
		{name: "tenant_not_found", target: sp("11111111-2222-4333-8444-555555555555", emulator.AppClientID), secret: emulator.AppSecret, want: entra("tenant_not_found", 400)},
		{name: "tenant_not_found malformed", target: sp("not_a_tenant", emulator.AppClientID), secret: emulator.AppSecret, want: entra("tenant_not_found", 400)},
		{name: "client_not_found", target: sp(emulator.Tenant, "00000000-1111-4222-8333-444444444444"), secret: emulator.AppSecret, want: entra("client_not_found", 400)},
		{name: "client_secret_invalid", target: sp(emulator.Tenant, emulator.AppClientID), secret: "the-secret-id-not-the-value", want: entra("client_secret_invalid", 401)},
		{name: "client_secret_expired", target: sp(emulator.Tenant, emulator.ExpiredAppClientID), secret: emulator.ExpiredAppSecret, want: entra("client_secret_expired", 401)},
		{name: "sp_not_in_org", target: sp(emulator.Tenant, emulator.OutsiderClientID), secret: emulator.OutsiderSecret,
			want: connect.Result{Service: "devops", Method: "sp", Code: "sp_not_in_org", SupportID: emulator.ActivityID,
				Checks: []connect.Check{ck("entra_token", true, 200), ck("connection_data", false, 401)}}},
		{name: "auth_failed wrong tenant for org", cfg: func(c *emulator.Config) { c.Orgs[0].Tenant = "99999999-8888-4777-8666-555555555555" },
			target: sp(emulator.Tenant, emulator.AppClientID), secret: emulator.AppSecret,
			want: connect.Result{Service: "devops", Method: "sp", Code: "auth_failed", SupportID: emulator.ActivityID,
				Checks: []connect.Check{ck("entra_token", true, 200), ck("connection_data", false, 401)}}},
	})
}

// TestEntraScopeErrors covers AADSTS70011/500011, which the emulator
// cannot produce for a correct client: a stub answers them.
func TestEntraScopeErrors(t *testing.T) {
	for _, code := range []int{70011, 500011} {
		t.Run(http.StatusText(400)+" "+string(rune('0'+code%10)), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(400)
				_ = json.NewEncoder(w).Encode(map[string]any{"error": "invalid_scope", "error_codes": []int{code}, "trace_id": "t-1"})
			}))
			defer srv.Close()
			got := newProber(t, connect.Settings{}).Test(context.Background(), connect.Target{
				Service: "devops", Method: "sp", BaseURL: srv.URL + "/fabrikam", ClientID: "c", AuthURL: srv.URL + "/t/oauth2/v2.0/token",
			}, secretOf("canary-secret-70011"), nil)
			if got.Code != connect.CodeAuthFailed || !strings.Contains(got.Message, connect.AzureDevOpsScope) || got.SupportID != "t-1" {
				t.Errorf("got %+v, want auth_failed naming the scope with support id t-1", got)
			}
		})
	}
}

func TestJira(t *testing.T) {
	cloud := func(email, project string) connect.Target {
		return connect.Target{Service: "jira", Method: "cloud", BaseURL: "", Username: email, Project: project}
	}
	dc := func(project string) connect.Target {
		return connect.Target{Service: "jira", Method: "datacenter", BaseURL: "", Project: project}
	}
	res := func(method, code, identity, support string, checks ...connect.Check) connect.Result {
		return connect.Result{OK: code == "ok", Service: "jira", Method: method, Code: code, Identity: identity, Checks: checks, SupportID: support}
	}
	toDC := func(c *emulator.Config) { c.Jira.Deployment = "Server" }
	si := ck("server_info", true, 200)
	me := ck("myself", true, 200)
	rid := emulator.JiraRequestID

	runCases(t, false, []probeCase{
		{name: "cloud ok", target: cloud(emulator.JiraEmail, ""), secret: emulator.JiraAPIToken, want: res("cloud", "ok", emulator.JiraEmail, rid, si, me)},
		{name: "cloud email mismatch warns", cfg: func(c *emulator.Config) { c.Jira.Users[0].Name = "other@example.com" },
			target: cloud("other@example.com", ""), secret: emulator.JiraAPIToken, want: res("cloud", "ok", emulator.JiraEmail, rid, si, me), warnings: 1},
		{name: "cloud auth_failed wrong token", target: cloud(emulator.JiraEmail, ""), secret: "ATATT-wrong-token", want: res("cloud", "auth_failed", "", rid, si, ck("myself", false, 401))},
		{name: "cloud auth_failed wrong email", target: cloud("nobody@example.com", ""), secret: emulator.JiraAPIToken, want: res("cloud", "auth_failed", "", rid, si, ck("myself", false, 401))},
		{name: "cloud password_not_token", target: cloud(emulator.JiraEmail, ""), secret: emulator.JiraPassword, want: res("cloud", "password_not_token", "", rid, si, ck("myself", false, 401))},
		{name: "cloud captcha_required", cfg: func(c *emulator.Config) { c.Jira.Captcha = true },
			target: cloud(emulator.JiraEmail, ""), secret: emulator.JiraAPIToken, want: res("cloud", "captcha_required", "", rid, si, ck("myself", false, 403))},
		{name: "cloud wrong_deployment", cfg: toDC, target: cloud(emulator.JiraEmail, ""), secret: emulator.JiraAPIToken,
			want: res("cloud", "wrong_deployment", "", rid, ck("server_info", false, 404), ck("server_info (api 2)", true, 200))},
		{name: "cloud site unavailable", cfg: func(c *emulator.Config) { c.Jira.SiteUnavailable = true },
			target: cloud(emulator.JiraEmail, ""), secret: emulator.JiraAPIToken, want: res("cloud", "unreachable", "", rid, ck("server_info", false, 404))},
		{name: "cloud board ok", target: cloud(emulator.JiraEmail, emulator.JiraProjectKey), secret: emulator.JiraAPIToken,
			want: res("cloud", "ok", emulator.JiraEmail, rid, si, me, ck("project", true, 200), ck("permissions", true, 200))},
		{name: "cloud board project_not_found", target: cloud(emulator.JiraEmail, "NOPE"), secret: emulator.JiraAPIToken,
			want: res("cloud", "project_not_found", emulator.JiraEmail, rid, si, me, ck("project", false, 404))},
		{name: "cloud board insufficient_scope", target: cloud(emulator.JiraEmail, emulator.JiraReadOnly), secret: emulator.JiraAPIToken,
			want: res("cloud", "insufficient_scope", emulator.JiraEmail, rid, si, me, ck("project", true, 200), ck("permissions", false, 200))},
		{name: "dc ok", cfg: toDC, target: dc(""), secret: emulator.JiraPAT, want: res("datacenter", "ok", emulator.JiraEmail, rid, si, me)},
		{name: "dc auth_failed", cfg: toDC, target: dc(""), secret: "bad-pat", want: res("datacenter", "auth_failed", "", rid, si, ck("myself", false, 401))},
		{name: "dc password as token", cfg: toDC, target: dc(""), secret: emulator.JiraPassword, want: res("datacenter", "auth_failed", "", rid, si, ck("myself", false, 401))},
		{name: "dc basic disabled does not affect bearer", cfg: func(c *emulator.Config) { toDC(c); c.Jira.BasicDisabled = true },
			target: dc(""), secret: emulator.JiraPAT, want: res("datacenter", "ok", emulator.JiraEmail, rid, si, me)},
		{name: "dc captcha_required", cfg: func(c *emulator.Config) { toDC(c); c.Jira.Users[0].Captcha = true },
			target: dc(""), secret: emulator.JiraPAT, want: res("datacenter", "captcha_required", "", rid, si, ck("myself", false, 403))},
		{name: "dc wrong_deployment", target: dc(""), secret: emulator.JiraPAT, want: res("datacenter", "wrong_deployment", "", rid, si)},
		{name: "dc board ok", cfg: toDC, target: dc(emulator.JiraProjectKey), secret: emulator.JiraPAT,
			want: res("datacenter", "ok", emulator.JiraEmail, rid, si, me, ck("project", true, 200), ck("permissions", true, 200))},
	})
}
