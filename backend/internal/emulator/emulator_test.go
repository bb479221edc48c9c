package emulator_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"sharedvault/backend/internal/emulator"
)

// apispecDir finds shared/reference/apispec beside the repository (the repo
// is a sibling of shared/ both locally and in CI).
func apispecDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "reference", "apispec")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared/reference/apispec not found beside the repository")
		}
		dir = parent
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")), v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// get sends a request with the given headers and decodes a JSON body.
func get(t *testing.T, c *http.Client, method, u string, hdr map[string]string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// notIn returns the keys of got not declared in allowed.
func notIn(got map[string]any, allowed map[string]any) []string {
	var extra []string
	for _, k := range keysOf(got) {
		if _, ok := allowed[k]; !ok {
			extra = append(extra, k)
		}
	}
	return extra
}

// TestSpecShapes checks emulator answers against the published specs: the
// keys the emulator sends must be declared there (schema, or the spec's own
// example where the two disagree), and lists use the {count,value} wrapper.
func TestSpecShapes(t *testing.T) {
	dir := apispecDir(t)
	emu := emulator.NewTLS(t, emulator.Fixture())
	c := emu.Client()
	ado := map[string]string{"Authorization": basic("", emulator.GoodPAT), "X-TFS-FedAuthRedirect": "Suppress", "Accept": "application/json"}

	t.Run("projects list", func(t *testing.T) {
		var spec struct {
			Definitions map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"definitions"`
		}
		readJSON(t, filepath.Join(dir, "azure-devops", "SUBSET_core-7.1_projects-list.json"), &spec)
		props := spec.Definitions["TeamProjectReference"].Properties
		var example struct {
			Count int              `json:"count"`
			Value []map[string]any `json:"value"`
		}
		res, body := get(t, c, "GET", emu.URL+"/fabrikam/_apis/projects?api-version=7.1", ado, nil)
		if res.StatusCode != 200 {
			t.Fatalf("status %d: %s", res.StatusCode, body)
		}
		var top map[string]any
		if err := json.Unmarshal(body, &top); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"count", "value"}, keysOf(top)); diff != "" {
			t.Errorf("wrapper keys (-want +got):\n%s", diff)
		}
		if err := json.Unmarshal(body, &example); err != nil {
			t.Fatal(err)
		}
		if example.Count != len(example.Value) || example.Count == 0 {
			t.Errorf("count %d for %d values", example.Count, len(example.Value))
		}
		for _, item := range example.Value {
			if extra := notIn(item, props); len(extra) > 0 {
				t.Errorf("TeamProjectReference keys not in spec: %v", extra)
			}
			for _, k := range []string{"id", "name", "url", "state"} {
				if _, ok := item[k]; !ok {
					t.Errorf("project lacks %q", k)
				}
			}
		}
	})

	var jira struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]struct {
					Example string `json:"example"`
				} `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	readJSON(t, filepath.Join(dir, "jira", "jira-cloud-myself-serverInfo.subset.json"), &jira)
	allowed := func(schema, path string) map[string]any {
		m := map[string]any{}
		for k, v := range jira.Components.Schemas[schema].Properties {
			m[k] = v
		}
		// The spec's example for serverInfo carries defaultLocale, which
		// its schema omits; accept what the spec itself shows.
		var ex map[string]any
		if json.Unmarshal([]byte(jira.Paths[path]["get"].Responses["200"].Content["application/json"].Example), &ex) == nil {
			for k, v := range ex {
				m[k] = v
			}
		}
		return m
	}
	for _, tc := range []struct {
		name, path, schema, specPath string
		hdr                          map[string]string
		deployment                   string
	}{
		{"cloud myself", "/rest/api/3/myself", "User", "/rest/api/3/myself", map[string]string{"Authorization": basic(emulator.JiraEmail, emulator.JiraAPIToken)}, "Cloud"},
		{"cloud serverInfo", "/rest/api/3/serverInfo", "ServerInformation", "/rest/api/3/serverInfo", nil, "Cloud"},
		{"dc myself", "/rest/api/2/myself", "User", "/rest/api/3/myself", map[string]string{"Authorization": "Bearer " + emulator.JiraPAT}, "Server"},
		{"dc serverInfo", "/rest/api/2/serverInfo", "ServerInformation", "/rest/api/3/serverInfo", nil, "Server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu.Update(func(c *emulator.Config) { c.Jira.Deployment = tc.deployment })
			res, body := get(t, c, "GET", emu.URL+tc.path, tc.hdr, nil)
			if res.StatusCode != 200 {
				t.Fatalf("status %d: %s", res.StatusCode, body)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if extra := notIn(got, allowed(tc.schema, tc.specPath)); len(extra) > 0 {
				t.Errorf("keys not in %s: %v", tc.schema, extra)
			}
			if tc.schema == "ServerInformation" && got["deploymentType"] != tc.deployment {
				t.Errorf("deploymentType = %v, want %s", got["deploymentType"], tc.deployment)
			}
		})
	}
}

// TestDevOpsAuthAnswers pins the 401/203/302 behaviour clients rely on.
func TestDevOpsAuthAnswers(t *testing.T) {
	tests := []struct {
		name       string
		mode       emulator.SignInMode
		hdr        map[string]string
		follow     bool
		wantStatus int
		wantType   string
		wantHeader map[string]string
	}{
		{name: "suppressed → 401", hdr: map[string]string{"X-TFS-FedAuthRedirect": "Suppress", "Authorization": basic("", "bad")},
			wantStatus: 401, wantType: "application/json; charset=utf-8",
			wantHeader: map[string]string{"ActivityId": emulator.ActivityID, "X-VSS-E2EID": emulator.ActivityID, "X-VSS-ResourceTenant": emulator.Tenant,
				"X-TFS-ServiceError": "TF400813%3A+Resource+not+available+for+anonymous+access.+Client+authentication+required."}},
		{name: "no suppress → 302", hdr: map[string]string{"Authorization": basic("", "bad")}, wantStatus: 302, wantType: "text/html; charset=utf-8"},
		{name: "no suppress, followed → 200 html", hdr: map[string]string{"Authorization": basic("", "bad")}, follow: true, wantStatus: 200, wantType: "text/html; charset=utf-8"},
		{name: "no suppress, 203 mode", mode: emulator.SignIn203, hdr: map[string]string{}, wantStatus: 203, wantType: "text/html; charset=utf-8"},
		{name: "expired", hdr: map[string]string{"X-TFS-FedAuthRedirect": "Suppress", "Authorization": basic("x", emulator.ExpiredPAT)},
			wantStatus: 401, wantType: "application/json; charset=utf-8",
			wantHeader: map[string]string{"X-TFS-ServiceError": "Access%20Denied:%20The%20Personal%20Access%20Token%20used%20has%20expired."}},
		{name: "unknown org → text/plain", hdr: map[string]string{"X-TFS-FedAuthRedirect": "Suppress"}, wantStatus: 404, wantType: "text/plain; charset=utf-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := emulator.Fixture()
			cfg.SignIn = tc.mode
			emu := emulator.New(t, cfg)
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			if tc.follow {
				c = emu.Client()
			}
			org := "/fabrikam"
			if tc.wantStatus == 404 {
				org = "/nosuchorg"
			}
			res, body := get(t, c, "GET", emu.URL+org+"/_apis/connectionData", tc.hdr, nil)
			got := map[string]string{"status": http.StatusText(res.StatusCode), "type": res.Header.Get("Content-Type")}
			want := map[string]string{"status": http.StatusText(tc.wantStatus), "type": tc.wantType}
			for k, v := range tc.wantHeader {
				got[k], want[k] = res.Header.Get(k), v
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s\nbody: %s", diff, body)
			}
			if tc.wantStatus == 404 && string(body) != "The resource cannot be found." {
				t.Errorf("body %q", body)
			}
			if tc.wantStatus == 401 && !strings.Contains(res.Header.Get("WWW-Authenticate"), "Bearer authorization_uri=https://login.microsoftonline.com/"+emulator.Tenant) {
				t.Errorf("WWW-Authenticate = %q", res.Header.Values("WWW-Authenticate"))
			}
		})
	}
}

// TestAPIVersion: the Server ceiling applies to the query and Accept forms.
func TestAPIVersion(t *testing.T) {
	emu := emulator.New(t, emulator.Fixture())
	auth := map[string]string{"Authorization": basic("", emulator.GoodPAT), "X-TFS-FedAuthRedirect": "Suppress"}
	with := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for a, b := range auth {
			m[a] = b
		}
		return m
	}
	tests := []struct {
		name   string
		path   string
		hdr    map[string]string
		status int
	}{
		{"query too new", "/tfs/DefaultCollection/_apis/projects?api-version=7.1", auth, 400},
		{"query ok", "/tfs/DefaultCollection/_apis/projects?api-version=7.0", auth, 200},
		{"accept too new", "/tfs/DefaultCollection/_apis/projects", with("Accept", "application/json;api-version=7.1-preview.4"), 400},
		{"accept ok", "/tfs/DefaultCollection/_apis/projects", with("Accept", "application/json;api-version=6.0"), 200},
		{"services has no ceiling", "/fabrikam/_apis/projects?api-version=7.1", auth, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, body := get(t, http.DefaultClient, "GET", emu.URL+tc.path, tc.hdr, nil)
			if res.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d: %s", res.StatusCode, tc.status, body)
			}
			if tc.status == 400 && !strings.Contains(string(body), "is out of range for this server. The latest REST API version this server supports is 7.0.") {
				t.Errorf("body %s", body)
			}
		})
	}
}

func TestBOM(t *testing.T) {
	cfg := emulator.Fixture()
	cfg.BOM = true
	emu := emulator.New(t, cfg)
	_, body := get(t, http.DefaultClient, "GET", emu.URL+"/fabrikam/_apis/connectionData",
		map[string]string{"Authorization": basic("", emulator.GoodPAT), "X-TFS-FedAuthRedirect": "Suppress"}, nil)
	if !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF{")) {
		t.Errorf("body starts %q, want a BOM", body[:min(8, len(body))])
	}
}

// TestEntra: secret in body or Basic, OIDC metadata, error shapes.
func TestEntra(t *testing.T) {
	emu := emulator.NewTLS(t, emulator.Fixture())
	c := emu.Client()
	tokenURL := emu.URL + "/" + emulator.Tenant + "/oauth2/v2.0/token"
	form := func(kv ...string) io.Reader {
		v := url.Values{"grant_type": {"client_credentials"}, "scope": {"499b84ac-1321-427f-aa17-267ca6975798/.default"}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return strings.NewReader(v.Encode())
	}
	ct := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	withBasic := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": basic(url.QueryEscape(emulator.AppClientID), url.QueryEscape(emulator.AppSecret))}
	tests := []struct {
		name     string
		url      string
		hdr      map[string]string
		body     io.Reader
		status   int
		wantCode int
	}{
		{"secret in body", tokenURL, ct, form("client_id", emulator.AppClientID, "client_secret", emulator.AppSecret, "client_info", "1"), 200, 0},
		{"secret in basic", tokenURL, withBasic, form(), 200, 0},
		{"wrong secret", tokenURL, ct, form("client_id", emulator.AppClientID, "client_secret", "x"), 401, 7000215},
		{"expired secret", tokenURL, ct, form("client_id", emulator.ExpiredAppClientID, "client_secret", emulator.ExpiredAppSecret), 401, 7000222},
		{"unknown client", tokenURL, ct, form("client_id", "00000000-0000-4000-8000-000000000000", "client_secret", "x"), 400, 700016},
		{"unknown tenant", emu.URL + "/11111111-1111-4111-8111-111111111111/oauth2/v2.0/token", ct, form("client_id", emulator.AppClientID), 400, 90002},
		{"bad scope", tokenURL, ct, strings.NewReader("grant_type=client_credentials&scope=499b84ac-1321-427f-aa17-267ca6975798&client_id=" + emulator.AppClientID), 400, 70011},
		{"oidc metadata", emu.URL + "/" + emulator.Tenant + "/v2.0/.well-known/openid-configuration", nil, nil, 200, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := "POST"
			if tc.body == nil {
				method = "GET"
			}
			res, body := get(t, c, method, tc.url, tc.hdr, tc.body)
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("status %d, body %s", res.StatusCode, body)
			}
			if res.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d: %s", res.StatusCode, tc.status, body)
			}
			switch {
			case tc.wantCode != 0:
				codes, _ := got["error_codes"].([]any)
				if len(codes) != 1 || codes[0] != float64(tc.wantCode) || got["trace_id"] != emulator.EntraTraceID {
					t.Errorf("error body %s, want error_codes [%d]", body, tc.wantCode)
				}
			case method == "GET":
				if iss, _ := got["issuer"].(string); !strings.HasPrefix(iss, emu.URL+"/") || got["token_endpoint"] != tokenURL {
					t.Errorf("metadata %s", body)
				}
			default:
				if got["token_type"] != "Bearer" || got["access_token"] == "" {
					t.Errorf("token body %s", body)
				}
			}
		})
	}
}

// TestJiraAnswers covers the login-reason headers and Accept-driven bodies.
func TestJiraAnswers(t *testing.T) {
	tests := []struct {
		name       string
		cfg        func(*emulator.Config)
		path       string
		hdr        map[string]string
		status     int
		wantHeader map[string]string
		inBody     string
	}{
		{name: "serverInfo anonymous", path: "/rest/api/3/serverInfo", status: 200, inBody: `"deploymentType":"Cloud"`},
		{name: "bad token json", path: "/rest/api/3/myself", hdr: map[string]string{"Authorization": basic(emulator.JiraEmail, "x"), "Accept": "application/json"},
			status: 401, wantHeader: map[string]string{"X-Seraph-LoginReason": "AUTHENTICATED_FAILED", "X-AREQUESTID": emulator.JiraRequestID, "ATL-TraceId": emulator.JiraTraceID},
			inBody: `{"message":"Client must be authenticated to access this resource.","status-code":401}`},
		{name: "bad token xml", path: "/rest/api/3/myself", hdr: map[string]string{"Authorization": basic(emulator.JiraEmail, "x"), "Accept": "application/xml"},
			status: 401, inBody: `<status><status-code>401</status-code>`},
		{name: "bad token text", path: "/rest/api/3/myself", hdr: map[string]string{"Authorization": basic(emulator.JiraEmail, "x"), "Accept": "*/*"},
			status: 401, inBody: "Client must be authenticated to access this resource."},
		{name: "password", path: "/rest/api/3/myself", hdr: map[string]string{"Authorization": basic(emulator.JiraEmail, emulator.JiraPassword)},
			status: 401, inBody: "Basic authentication with passwords is deprecated"},
		{name: "captcha", cfg: func(c *emulator.Config) { c.Jira.Captcha = true }, path: "/rest/api/3/myself",
			hdr: map[string]string{"Authorization": basic(emulator.JiraEmail, emulator.JiraAPIToken)}, status: 403,
			wantHeader: map[string]string{"X-Seraph-LoginReason": "AUTHENTICATION_DENIED"}, inBody: "CAPTCHA_CHALLENGE"},
		{name: "site unavailable", cfg: func(c *emulator.Config) { c.Jira.SiteUnavailable = true }, path: "/rest/api/3/serverInfo",
			status: 404, inBody: `"errorMessage":"Site temporarily unavailable"`},
		{name: "dc bearer", cfg: func(c *emulator.Config) { c.Jira.Deployment = "Server" }, path: "/rest/api/2/myself",
			hdr: map[string]string{"Authorization": "Bearer " + emulator.JiraPAT}, status: 200, inBody: `"name":"mia"`},
		{name: "dc pat as basic password", cfg: func(c *emulator.Config) { c.Jira.Deployment = "Server" }, path: "/rest/api/2/myself",
			hdr: map[string]string{"Authorization": basic(emulator.JiraUserName, emulator.JiraPAT)}, status: 403,
			wantHeader: map[string]string{"X-Seraph-LoginReason": "AUTHENTICATION_DENIED"}, inBody: "Basic Authentication Failure"},
		{name: "dc has no v3", cfg: func(c *emulator.Config) { c.Jira.Deployment = "Server" }, path: "/rest/api/3/serverInfo", status: 404, inBody: "dead link"},
		{name: "permissions", path: "/rest/api/3/mypermissions?projectKey=RO&permissions=BROWSE_PROJECTS,EDIT_ISSUES",
			hdr: map[string]string{"Authorization": basic(emulator.JiraEmail, emulator.JiraAPIToken)}, status: 200, inBody: `"havePermission":false`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := emulator.Fixture()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			emu := emulator.New(t, cfg)
			res, body := get(t, http.DefaultClient, "GET", emu.URL+tc.path, tc.hdr, nil)
			if res.StatusCode != tc.status || !strings.Contains(string(body), tc.inBody) {
				t.Errorf("got %d %s, want %d containing %q", res.StatusCode, body, tc.status, tc.inBody)
			}
			for k, v := range tc.wantHeader {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestRequestsRecorded(t *testing.T) {
	emu := emulator.New(t, emulator.Fixture())
	get(t, http.DefaultClient, "POST", emu.URL+"/fabrikam/Fabrikam-Fiber-Git/_apis/wit/wiql?api-version=7.1",
		map[string]string{"X-TFS-FedAuthRedirect": "Suppress"}, strings.NewReader(`{"query":"x"}`))
	got := emu.Requests()
	if len(got) != 1 {
		t.Fatalf("%d requests", len(got))
	}
	want := emulator.Request{Method: "POST", Path: "/fabrikam/Fabrikam-Fiber-Git/_apis/wit/wiql", RawQuery: "api-version=7.1", Body: []byte(`{"query":"x"}`)}
	got[0].Header = nil
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	emu.ResetRequests()
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("after reset: %d", n)
	}
}
