package connect

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/http/httpproxy"
)

// ErrNoCertificates is returned by NewProber when Settings.ExtraRootsPEM is
// set but holds no parsable certificate: silently trusting nothing extra
// would turn a typo into a confusing tls_untrusted later.
var ErrNoCertificates = errors.New("connect: no certificates found in extra roots PEM")

// maxBody caps how much of a response is read; probe answers are small and
// an HTML sign-in page must not be slurped whole.
const maxBody = 1 << 20

// Prober runs connectivity tests. It is safe for concurrent use.
type Prober struct {
	client       *http.Client
	totalTimeout time.Duration
}

// NewProber builds the HTTP client once so connections and the CA pool are
// shared between tests.
func NewProber(s Settings) (*Prober, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		// Windows before Go 1.18 and some minimal containers have no
		// loadable system pool; the extra roots still apply.
		pool = x509.NewCertPool()
	}
	if len(bytes.TrimSpace(s.ExtraRootsPEM)) > 0 && !pool.AppendCertsFromPEM(s.ExtraRootsPEM) {
		return nil, ErrNoCertificates
	}
	connectTimeout := s.ConnectTimeout
	if connectTimeout <= 0 {
		connectTimeout = DefaultConnectTimeout
	}
	total := s.TotalTimeout
	if total <= 0 {
		total = DefaultTotalTimeout
	}

	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	tr.DialContext = s.DialContext
	if tr.DialContext == nil {
		tr.DialContext = (&net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}).DialContext
	}
	tr.TLSHandshakeTimeout = connectTimeout
	switch {
	case s.ProxyURL != "":
		if _, err := url.Parse(s.ProxyURL); err != nil {
			return nil, fmt.Errorf("connect: proxy url: %w", err)
		}
		pf := (&httpproxy.Config{HTTPProxy: s.ProxyURL, HTTPSProxy: s.ProxyURL, NoProxy: s.NoProxy}).ProxyFunc()
		tr.Proxy = func(r *http.Request) (*url.URL, error) { return pf(r.URL) }
	case s.UseEnvProxy:
		tr.Proxy = http.ProxyFromEnvironment
	default:
		tr.Proxy = nil
	}
	// A failed CONNECT otherwise surfaces only as the status text; keep the
	// code so a 407 can be told apart from other proxy refusals.
	tr.OnProxyConnectResponse = func(_ context.Context, proxy *url.URL, _ *http.Request, res *http.Response) error {
		if res.StatusCode != http.StatusOK {
			return &proxyError{status: res.StatusCode, proxyHost: proxy.Host}
		}
		return nil
	}

	return &Prober{
		client: &http.Client{
			Transport: tr,
			// Never follow: see the package doc.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		totalTimeout: total,
	}, nil
}

// proxyError is a non-200 answer to CONNECT.
type proxyError struct {
	status    int
	proxyHost string
}

func (e *proxyError) Error() string {
	return fmt.Sprintf("proxy %s answered CONNECT with %d", e.proxyHost, e.status)
}

// Test runs the probe described by t. progress, if not nil, is called after
// each step. Test never returns the secret in any field of the Result.
func (p *Prober) Test(ctx context.Context, t Target, secret SecretFunc, progress func(Check)) Result {
	ctx, cancel := context.WithTimeout(ctx, p.totalTimeout)
	defer cancel()
	r := &run{p: p, ctx: ctx, t: t, progress: progress, getSecret: secret, apiVersion: adoAPIVersion}
	r.res = Result{Service: t.Service, Method: t.Method, Checks: []Check{}}
	defer r.releaseSecret()

	var f *failure
	switch {
	case t.Service == ServiceDevOps && t.Method == MethodPAT:
		f = r.devOps(false)
	case t.Service == ServiceDevOps && t.Method == MethodSP:
		f = r.devOps(true)
	case t.Service == ServiceJira && (t.Method == MethodCloud || t.Method == MethodDataCenter):
		f = r.jira()
	default:
		f = &failure{CodeNotConfigured,
			fmt.Sprintf("Unknown service/method %q/%q.", t.Service, t.Method),
			"Choose Azure DevOps (PAT or Service Principal) or Jira (Cloud or Data Center)."}
	}
	if f == nil {
		r.res.OK = true
		r.res.Code = CodeOK
		r.res.Message = r.okMessage()
	} else {
		r.res.Code, r.res.Message, r.res.Hint = f.code, f.message, f.hint
	}
	r.scrub()
	return r.res
}

// failure is a diagnosed failed step.
type failure struct{ code, message, hint string }

// run is the state of one Test call.
type run struct {
	p        *Prober
	ctx      context.Context
	t        Target
	res      Result
	progress func(Check)

	getSecret SecretFunc
	secret    []byte
	release   func()
	auth      string // Authorization header value; never copied into res

	apiVersion string // Azure DevOps api-version, lowered after negotiation
	retried    bool   // the api-version retry is done at most once
}

// loadSecret fetches the secret once and keeps it until Test returns.
func (r *run) loadSecret() ([]byte, *failure) {
	if r.secret != nil {
		return r.secret, nil
	}
	if r.getSecret == nil {
		return nil, &failure{CodeNotConfigured, "No secret is stored for this connection.", "Enter the token or secret and save it first."}
	}
	s, release, err := r.getSecret()
	r.release = release
	if err != nil || len(s) == 0 {
		// The error text comes from the caller's vault; it must not be echoed
		// in case it quotes the value.
		return nil, &failure{CodeNotConfigured, "The stored secret could not be read.", "Unlock the vault and make sure the token or secret is set."}
	}
	r.secret = s
	return s, nil
}

func (r *run) releaseSecret() {
	if r.release != nil {
		r.release()
	}
	r.secret, r.auth = nil, ""
}

// scrub removes the secret, and the credential of the Authorization header
// built from it (base64 of "user:secret", or the Entra access token), from
// every string of the result; the probes never put them there, this guards
// against a server echoing them back.
func (r *run) scrub() {
	forms := make([]string, 0, 2)
	if len(r.secret) > 0 {
		forms = append(forms, string(r.secret))
	}
	// A server-chosen access token can be a single letter; redacting that
	// would garble every message without protecting anything.
	if _, cred, ok := strings.Cut(r.auth, " "); ok && len(cred) >= 8 {
		forms = append(forms, cred)
	}
	if len(forms) == 0 {
		return
	}
	clean := func(v string) string {
		for _, f := range forms {
			v = strings.ReplaceAll(v, f, "[redacted]")
		}
		return v
	}
	r.res.Message, r.res.Hint = clean(r.res.Message), clean(r.res.Hint)
	r.res.Identity, r.res.SupportID = clean(r.res.Identity), clean(r.res.SupportID)
	for i := range r.res.Warnings {
		r.res.Warnings[i] = clean(r.res.Warnings[i])
	}
}

// response is a fully read answer.
type response struct {
	status      int
	header      http.Header
	body        []byte // BOM stripped
	contentType string // media type only, lower case
}

func (resp *response) isHTML() bool { return resp.contentType == "text/html" }
func (resp *response) ok() bool {
	return resp.status >= 200 && resp.status < 300 && resp.status != http.StatusNonAuthoritativeInfo && !resp.isHTML()
}

// request describes one step.
type request struct {
	name   string
	method string
	url    string
	auth   bool // send r.auth
	ado    bool // Azure DevOps headers
	body   []byte
}

// do sends one request. It does not record a check: the caller judges the
// answer first, so the check's OK matches the diagnosis.
func (r *run) do(q request) (*response, time.Duration, error) {
	method := q.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if q.body != nil {
		body = bytes.NewReader(q.body)
	}
	req, err := http.NewRequestWithContext(r.ctx, method, q.url, body)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	if q.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if q.ado {
		req.Header.Set("X-TFS-FedAuthRedirect", "Suppress")
	}
	if q.auth && r.auth != "" {
		req.Header.Set("Authorization", r.auth)
	}
	start := time.Now()
	res, err := r.p.client.Do(req)
	if err != nil {
		return nil, time.Since(start), err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	dur := time.Since(start)
	if err != nil {
		return nil, dur, err
	}
	ct, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	r.noteSupportID(res.Header)
	return &response{
		status:      res.StatusCode,
		header:      res.Header,
		body:        bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF")),
		contentType: strings.ToLower(ct),
	}, dur, nil
}

// record appends a check and reports it.
func (r *run) record(name string, status int, ok bool, d time.Duration) {
	c := Check{Name: name, OK: ok, Status: status, DurationMS: d.Milliseconds()}
	r.res.Checks = append(r.res.Checks, c)
	if r.progress != nil {
		r.progress(c)
	}
}

// step sends q, diagnoses the answer with judge (nil failure = step passed)
// and records the check.
func (r *run) step(q request, judge func(*response) *failure) (*response, *failure) {
	resp, d, err := r.do(q)
	if err != nil {
		r.record(q.name, 0, false, d)
		return nil, r.transportFailure(err, q.url)
	}
	f := judge(resp)
	r.record(q.name, resp.status, f == nil, d)
	return resp, f
}

// noteSupportID keeps the latest correlation id the servers handed out.
func (r *run) noteSupportID(h http.Header) {
	for _, k := range []string{"ActivityId", "X-VSS-E2EID", "X-AREQUESTID", "ATL-TraceId"} {
		if v := serverText(h.Get(k)); v != "" {
			r.res.SupportID = v
			return
		}
	}
}

// maxServerText bounds what a server's answer can put into a Result
// (identity, support id): real values are an email or a GUID.
const maxServerText = 200

// serverText makes a value from a server's answer safe to show: invalid
// UTF-8, control and invisible format characters (a terminal escape
// sequence, a bidi override) are dropped, surrounding space trimmed, and the
// length capped at maxServerText bytes, cut marked with "…".
func serverText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s))
	if len(s) <= maxServerText {
		return s
	}
	cut := maxServerText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// transportFailure maps a request that got no HTTP answer.
func (r *run) transportFailure(err error, rawURL string) *failure {
	host := hostOf(rawURL)
	var pe *proxyError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var cv *tls.CertificateVerificationError
	var ne net.Error
	switch {
	case errors.As(err, &pe) && pe.status == http.StatusProxyAuthRequired:
		return proxyAuthFailure(pe.proxyHost)
	case errors.As(err, &pe):
		return &failure{CodeUnreachable,
			fmt.Sprintf("The proxy %s refused to connect to %s (HTTP %d).", pe.proxyHost, host, pe.status),
			"Check the proxy settings (Settings → Network, or HTTPS_PROXY/NO_PROXY) and that the proxy allows this host."}
	case errors.As(err, &ua):
		return tlsFailure(host, "it is signed by an authority this computer doesn't trust")
	case errors.As(err, &he):
		return tlsFailure(host, "it was issued for a different host name")
	case errors.As(err, &ci):
		return tlsFailure(host, "it is expired or not valid")
	case errors.As(err, &cv):
		return tlsFailure(host, "it could not be verified")
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return &failure{CodeTimeout,
			fmt.Sprintf("%s didn't answer in time.", host),
			"Check the network or proxy (HTTPS_PROXY/NO_PROXY); a slow server may need a longer timeout in Settings → Network."}
	}
	return &failure{CodeUnreachable,
		fmt.Sprintf("Can't reach %s (%s).", host, describeNetError(err)),
		"Check the URL, the network or the proxy (HTTPS_PROXY/NO_PROXY)."}
}

func proxyAuthFailure(proxyHost string) *failure {
	return &failure{CodeProxyAuthRequired,
		fmt.Sprintf("The proxy %s requires authentication (HTTP 407).", proxyHost),
		"Give the proxy's user and password in the HTTPS_PROXY environment variable (http://user:pass@proxy:port; the proxy in Settings → Network can't hold them, as they would be stored unencrypted), or use a local authenticating proxy such as CNTLM/px for NTLM proxies."}
}

func tlsFailure(host, why string) *failure {
	return &failure{CodeTLSUntrusted,
		fmt.Sprintf("The certificate of %s isn't trusted: %s.", host, why),
		"If your company uses an internal CA, add its certificate: sharedvault trust add FILE.pem (or Settings → Trusted certificates)."}
}

// describeNetError names the cause without the request URL (which
// *url.Error would repeat).
func describeNetError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsNotFound {
			return "the host name doesn't resolve"
		}
		return "DNS lookup failed"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return "connection refused or blocked"
	}
	return err.Error()
}

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return rawURL
	}
	return u.Host
}

// checkURL enforces "credentials only over HTTPS" before anything is sent.
func checkURL(field, raw string) (*url.URL, *failure) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, &failure{CodeNotConfigured,
			fmt.Sprintf("The %s %q is not a valid https:// URL.", field, raw),
			"Enter the full URL, for example https://dev.azure.com/contoso."}
	}
	if u.User != nil {
		return nil, &failure{CodeInsecureURL,
			fmt.Sprintf("The %s must not contain a user name or password.", field),
			"Remove the user:password@ part; credentials are entered separately."}
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, &failure{CodeInsecureURL,
			fmt.Sprintf("The %s uses http://; credentials are only sent over HTTPS.", field),
			"Use the https:// address of " + u.Host + "."}
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// baseString returns the URL without a trailing slash, query or fragment.
func baseString(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment = "", ""
	return strings.TrimRight(c.String(), "/")
}
