package connect_test

import (
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"sharedvault/backend/connect"
	"sharedvault/backend/internal/emulator"
)

func patTarget(base string) connect.Target {
	return connect.Target{Service: "devops", Method: "pat", BaseURL: base + "/fabrikam", Organisation: "fabrikam"}
}

// TestTransportFailures covers the failures that happen before any HTTP
// answer: each has its own code so the hint can say what to fix.
func TestTransportFailures(t *testing.T) {
	closed := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return "http://" + addr
	}
	tests := []struct {
		name     string
		setup    func(t *testing.T) (base string, s connect.Settings)
		wantCode string
		inHint   string
	}{
		{"unreachable closed port", func(t *testing.T) (string, connect.Settings) { return closed(t), connect.Settings{} }, connect.CodeUnreachable, "HTTPS_PROXY"},
		{"unreachable dns", func(t *testing.T) (string, connect.Settings) {
			return "https://no-such-host.invalid", connect.Settings{}
		}, connect.CodeUnreachable, "NO_PROXY"},
		{"timeout", func(t *testing.T) (string, connect.Settings) {
			cfg := emulator.Fixture()
			cfg.Delay = 5 * time.Second
			return emulator.New(t, cfg).URL, connect.Settings{TotalTimeout: 150 * time.Millisecond}
		}, connect.CodeTimeout, "timeout"},
		{"tls_untrusted without CA", func(t *testing.T) (string, connect.Settings) {
			return emulator.NewTLS(t, emulator.Fixture()).URL, connect.Settings{}
		}, connect.CodeTLSUntrusted, "sharedvault trust add"},
		{"insecure_url http non-loopback", func(t *testing.T) (string, connect.Settings) {
			return "http://dev.azure.com", connect.Settings{}
		}, connect.CodeInsecureURL, "https://"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base, s := tc.setup(t)
			asked := false
			secret := func() ([]byte, func(), error) { asked = true; return []byte("canary-pat-transport"), func() {}, nil }
			got := newProber(t, s).Test(context.Background(), patTarget(base), secret, nil)
			if got.Code != tc.wantCode || got.OK {
				t.Fatalf("code = %q (%s), want %q", got.Code, got.Message, tc.wantCode)
			}
			if !strings.Contains(got.Hint, tc.inHint) {
				t.Errorf("hint %q doesn't mention %q", got.Hint, tc.inHint)
			}
			if tc.wantCode == connect.CodeInsecureURL && (asked || len(got.Checks) != 0) {
				t.Errorf("insecure URL: secret asked = %v, checks = %v; want neither", asked, got.Checks)
			}
			assertNoSecret(t, got, "canary-pat-transport", "")
		})
	}
}

// TestInsecureAuthURL: the client secret must not go to an http:// token
// endpoint either, even when the organisation URL is fine.
func TestInsecureAuthURL(t *testing.T) {
	emu := emulator.New(t, emulator.Fixture())
	got := newProber(t, connect.Settings{}).Test(context.Background(), connect.Target{
		Service: "devops", Method: "sp", BaseURL: emu.URL + "/fabrikam", ClientID: emulator.AppClientID,
		AuthURL: "http://login.microsoftonline.com/" + emulator.Tenant + "/oauth2/v2.0/token",
	}, secretOf(emulator.AppSecret), nil)
	if got.Code != connect.CodeInsecureURL {
		t.Errorf("code = %q, want insecure_url", got.Code)
	}
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("emulator saw %d requests, want 0", n)
	}
}

// TestTLSWithTestCA runs the PAT, SP and Jira probes over HTTPS with the
// emulator's CA as an extra root.
func TestTLSWithTestCA(t *testing.T) {
	runCases(t, true, []probeCase{
		{name: "pat ok", target: connect.Target{Service: "devops", Method: "pat", BaseURL: "/fabrikam"}, secret: emulator.GoodPAT,
			want: connect.Result{OK: true, Service: "devops", Method: "pat", Code: "ok", Identity: emulator.UserEmail, SupportID: emulator.ActivityID,
				Checks: []connect.Check{ck("connection_data", true, 200), ck("projects", true, 200)}}},
		{name: "sp ok", target: connect.Target{Service: "devops", Method: "sp", BaseURL: "/fabrikam", ClientID: emulator.AppClientID,
			AuthURL: "/" + emulator.Tenant + "/oauth2/v2.0/token"}, secret: emulator.AppSecret,
			want: connect.Result{OK: true, Service: "devops", Method: "sp", Code: "ok", Identity: emulator.AppClientID, SupportID: emulator.ActivityID,
				Checks: []connect.Check{ck("entra_token", true, 200), ck("connection_data", true, 200), ck("projects", true, 200)}}},
		{name: "jira ok", target: connect.Target{Service: "jira", Method: "cloud", Username: emulator.JiraEmail}, secret: emulator.JiraAPIToken,
			want: connect.Result{OK: true, Service: "jira", Method: "cloud", Code: "ok", Identity: emulator.JiraEmail, SupportID: emulator.JiraRequestID,
				Checks: []connect.Check{ck("server_info", true, 200), ck("myself", true, 200)}}},
	})
}

func TestNewProberRejectsEmptyPEM(t *testing.T) {
	_, err := connect.NewProber(connect.Settings{ExtraRootsPEM: []byte("-----BEGIN NOTHING-----")})
	if err != connect.ErrNoCertificates {
		t.Errorf("err = %v, want ErrNoCertificates", err)
	}
}

// connectProxy is a tiny forward proxy: it answers CONNECT with 407 when
// deny is set, else tunnels to the address, resolving names in hosts first
// (the emulator only listens on loopback).
type connectProxy struct {
	deny  bool
	hosts map[string]string // host name → IP

	mu      sync.Mutex
	targets []string
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.targets = append(p.targets, r.Method+" "+r.Host)
	p.mu.Unlock()
	if p.deny || r.Method != http.MethodConnect {
		w.Header().Set("Proxy-Authenticate", `Basic realm="corp"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
		return
	}
	addr := r.Host
	if h, port, err := net.SplitHostPort(addr); err == nil && p.hosts[h] != "" {
		addr = net.JoinHostPort(p.hosts[h], port)
	}
	up, err := net.Dial("tcp", addr)
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		up.Close()
		return
	}
	_, _ = conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	go func() { _, _ = io.Copy(up, buf); up.Close() }()
	_, _ = io.Copy(conn, up)
	conn.Close()
}

// TestProxy uses the non-loopback name ado.example.test (the proxy logic
// never proxies loopback names, protocols.md §8) which only the proxy can
// resolve, so a direct dial would fail the test.
func TestProxy(t *testing.T) {
	tests := []struct {
		name     string
		deny     bool
		wantCode string
	}{
		{"tunnel ok", false, connect.CodeOK},
		{"proxy_auth_required", true, connect.CodeProxyAuthRequired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			emu := emulator.NewTLS(t, emulator.Fixture())
			_, port, _ := net.SplitHostPort(emu.Addr())
			proxy := &connectProxy{deny: tc.deny, hosts: map[string]string{"ado.example.test": "127.0.0.1"}}
			ps := httptest.NewServer(proxy)
			defer ps.Close()
			var d net.Dialer
			s := connect.Settings{
				ExtraRootsPEM: emu.CAPEM,
				ProxyURL:      ps.URL,
				NoProxy:       "internal.example.test",
				DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					if strings.HasPrefix(addr, "ado.example.test:") {
						t.Errorf("dialled %s directly, want via the proxy", addr)
					}
					return d.DialContext(ctx, network, addr)
				},
			}
			got := newProber(t, s).Test(context.Background(), patTarget("https://ado.example.test:"+port), secretOf(emulator.GoodPAT), nil)
			if got.Code != tc.wantCode {
				t.Fatalf("code = %q (%s), want %q", got.Code, got.Message, tc.wantCode)
			}
			proxy.mu.Lock()
			defer proxy.mu.Unlock()
			if want := "CONNECT ado.example.test:" + port; len(proxy.targets) == 0 || proxy.targets[0] != want {
				t.Errorf("proxy saw %v, want %q first", proxy.targets, want)
			}
			if !tc.deny && len(emu.Requests()) != 2 {
				t.Errorf("emulator saw %d requests through the tunnel, want 2", len(emu.Requests()))
			}
			assertNoSecret(t, got, emulator.GoodPAT, "")
		})
	}
}

// TestRequestHygiene checks what goes on the wire: headers on every Azure
// DevOps request, no redirect followed, and one token POST with the secret
// in the body only.
func TestRequestHygiene(t *testing.T) {
	t.Run("devops headers", func(t *testing.T) {
		emu := emulator.New(t, emulator.Fixture())
		tg := patTarget(emu.URL)
		tg.Project, tg.AreaPath = emulator.ProjectName, emulator.Area
		newProber(t, connect.Settings{}).Test(context.Background(), tg, secretOf(emulator.GoodPAT), nil)
		wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(":"+emulator.GoodPAT))
		reqs := emu.Requests()
		if len(reqs) != 5 {
			t.Fatalf("got %d requests, want 5", len(reqs))
		}
		for _, r := range reqs {
			got := []string{r.Header.Get("Accept"), r.Header.Get("X-TFS-FedAuthRedirect"), r.Header.Get("Authorization")}
			if diff := cmp.Diff([]string{"application/json", "Suppress", wantAuth}, got); diff != "" {
				t.Errorf("%s %s headers (-want +got):\n%s", r.Method, r.Path, diff)
			}
		}
		if q := reqs[1].RawQuery; q != "$top=1&api-version=7.1" {
			t.Errorf("projects query = %q", q)
		}
		if p := reqs[3].Path; p != "/fabrikam/Fabrikam-Fiber-Git/_apis/wit/classificationnodes/Areas/Team A" {
			t.Errorf("area path request = %q", p)
		}
	})
	t.Run("redirect not followed", func(t *testing.T) {
		cfg := emulator.Fixture()
		cfg.Orgs[0].IgnoreSuppress = true
		emu := emulator.New(t, cfg)
		got := newProber(t, connect.Settings{}).Test(context.Background(), patTarget(emu.URL), secretOf("wrong-pat"), nil)
		if got.Code != connect.CodeSigninRedirect {
			t.Errorf("code = %q, want signin_redirect", got.Code)
		}
		for _, r := range emu.Requests() {
			if r.Path == "/_signin" {
				t.Errorf("followed the redirect to /_signin (Authorization %q)", r.Header.Get("Authorization"))
			}
		}
	})
	t.Run("token request in params once", func(t *testing.T) {
		for _, secret := range []string{emulator.AppSecret, "wrong-secret-value"} {
			emu := emulator.New(t, emulator.Fixture())
			newProber(t, connect.Settings{}).Test(context.Background(), connect.Target{
				Service: "devops", Method: "sp", BaseURL: emu.URL + "/fabrikam", ClientID: emulator.AppClientID,
				AuthURL: emu.URL + "/" + emulator.Tenant + "/oauth2/v2.0/token",
			}, secretOf(secret), nil)
			var posts []emulator.Request
			for _, r := range emu.Requests() {
				if strings.HasSuffix(r.Path, "/oauth2/v2.0/token") {
					posts = append(posts, r)
				}
			}
			if len(posts) != 1 {
				t.Fatalf("secret %q: %d token requests, want 1", secret, len(posts))
			}
			form, _ := url.ParseQuery(string(posts[0].Body))
			got := map[string]string{"grant_type": form.Get("grant_type"), "client_id": form.Get("client_id"),
				"client_secret": form.Get("client_secret"), "scope": form.Get("scope"), "authorization": posts[0].Header.Get("Authorization")}
			want := map[string]string{"grant_type": "client_credentials", "client_id": emulator.AppClientID,
				"client_secret": secret, "scope": connect.AzureDevOpsScope, "authorization": ""}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("token request (-want +got):\n%s", diff)
			}
		}
	})
	t.Run("jira serverInfo anonymous", func(t *testing.T) {
		emu := emulator.New(t, emulator.Fixture())
		newProber(t, connect.Settings{}).Test(context.Background(), connect.Target{Service: "jira", Method: "cloud", BaseURL: emu.URL, Username: emulator.JiraEmail}, secretOf(emulator.JiraAPIToken), nil)
		reqs := emu.Requests()
		if len(reqs) != 2 || reqs[0].Header.Get("Authorization") != "" || reqs[1].Header.Get("Authorization") == "" {
			t.Errorf("want anonymous serverInfo then authenticated myself, got %+v", reqs)
		}
	})
}

// TestAPIVersionUnsupported: a server that refuses even the version it
// advertises ends the probe instead of looping.
func TestAPIVersionUnsupported(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/connectionData") {
			_, _ = io.WriteString(w, `{"authenticatedUser":{"providerDisplayName":"Jane"}}`)
			return
		}
		w.WriteHeader(400)
		_, _ = io.WriteString(w, `{"message":"The requested REST API version of `+r.URL.Query().Get("api-version")+` is out of range for this server. The latest REST API version this server supports is 3.2.","typeKey":"VssVersionOutOfRangeException"}`)
	}))
	defer srv.Close()
	got := newProber(t, connect.Settings{}).Test(context.Background(), patTarget(srv.URL+"/tfs"), secretOf("pat"), nil)
	want := []connect.Check{ck("connection_data", true, 200), ck("projects", false, 400), ck("projects (api-version 3.2)", false, 400)}
	if diff := cmp.Diff(want, got.Checks, resultOpts); diff != "" || got.Code != connect.CodeAPIVersionUnsupported {
		t.Errorf("code %q, checks (-want +got):\n%s", got.Code, diff)
	}
}

// TestSecretEchoScrubbed: even a server that echoes the token back can't
// get it into the result.
func TestSecretEchoScrubbed(t *testing.T) {
	const canary = "canary-4f1c9e2b-token"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ActivityId", canary)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"authenticatedUser":{"providerDisplayName":"`+canary+`"}}`)
	}))
	defer srv.Close()
	got := newProber(t, connect.Settings{}).Test(context.Background(), patTarget(srv.URL), secretOf(canary), nil)
	assertNoSecret(t, got, canary, "")
}

// TestUnknownTarget needs no network and no secret.
func TestUnknownTarget(t *testing.T) {
	got := newProber(t, connect.Settings{}).Test(context.Background(), connect.Target{Service: "gitlab"}, nil, nil)
	if got.Code != connect.CodeNotConfigured || got.OK {
		t.Errorf("code = %q, want not_configured", got.Code)
	}
}

func BenchmarkDevOpsPATTest(b *testing.B) {
	emu := emulator.New(b, emulator.Fixture())
	p := newProber(b, connect.Settings{})
	tg := patTarget(emu.URL)
	b.ReportAllocs()
	for b.Loop() {
		if r := p.Test(context.Background(), tg, secretOf(emulator.GoodPAT), nil); !r.OK {
			b.Fatalf("code %q", r.Code)
		}
		emu.ResetRequests()
	}
}
