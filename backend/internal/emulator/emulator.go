// Package emulator serves test doubles of Azure DevOps Services, Azure DevOps
// Server, the Microsoft Entra token endpoint, Jira Cloud and Jira Data
// Center from one httptest server. It is imported only by _test.go files
// and is never linked into the binary.
//
// # Fidelity
//
// Answers follow the connectivity reference (shared/reference/protocols.md):
// status codes, the headers clients diagnose on (ActivityId,
// X-TFS-ServiceError URL-encoded, WWW-Authenticate, X-Seraph-LoginReason,
// X-Authentication-Denied-Reason, X-AREQUESTID, ATL-TraceId), and the
// verbatim example bodies. Where the reference marks a reply [unverified]
// the emulator uses its suggested default; those places say so.
//
// # Routing
//
// One server holds every service, told apart by path:
//
//	/{org}/...                              Azure DevOps Services organisation
//	/tfs/{collection}/...                   Azure DevOps Server collection (api-version ceiling)
//	/{tenant}/oauth2/v2.0/token             Entra client-credentials token endpoint
//	/{tenant}/v2.0/.well-known/openid-configuration
//	/rest/api/{2,3}/...                     Jira (Cloud or Data Center, per Config.Jira)
//	/_signin                                the sign-in page redirects point at
//
// Every request is recorded (method, path, query, headers, body) so tests
// can prove what a client did and did not send.
package emulator

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fixed correlation ids (the illustrative values of protocols.md), so tests
// can assert that a support id was carried through.
const (
	ActivityID    = "d4f9d1fe-0678-4655-8972-5cc39a4655a0"
	EntraTraceID  = "6bad8289-db4a-49da-8609-0848d8d71700"
	JiraRequestID = "2b1c3d4e-5f60-4718-8293-a4b5c6d7e8f9"
	JiraTraceID   = "9f08002616b01f0e"
)

// SignInMode is how Azure DevOps rejects a request that lacks
// X-TFS-FedAuthRedirect: Suppress.
type SignInMode int

const (
	SignIn302 SignInMode = iota // 302 to /_signin (the default)
	SignIn203                   // 203 Non-Authoritative Information + HTML
	SignIn200                   // 200 + HTML, as a sign-in gateway would
)

// Config is the emulated world. Change it after start only via Update.
type Config struct {
	Orgs    []Org
	PATs    []PAT
	Apps    []App
	Tenants []string // tenants known besides those of Apps
	BOM     bool     // prefix Azure DevOps JSON bodies with a UTF-8 BOM
	SignIn  SignInMode
	Jira    Jira
	// Delay holds every answer back, for timeout tests.
	Delay time.Duration
}

// Org is an Azure DevOps Services organisation or, with Server set, an
// Azure DevOps Server collection served under /tfs/{Name}.
type Org struct {
	Name          string
	Server        bool
	MaxAPIVersion string // Server only; "" = 7.0 (Azure DevOps Server 2022)
	Tenant        string // Entra tenant the organisation is connected to
	Projects      []Project
	// IgnoreSuppress makes the org redirect unauthenticated requests even
	// with X-TFS-FedAuthRedirect: Suppress (Conditional Access, gateways).
	IgnoreSuppress bool
}

// Project is an Azure DevOps project with area paths below its root area,
// written like `Team A` or `Team A\Backend`.
type Project struct {
	Name  string
	ID    string
	Areas []string
}

// PAT is an Azure DevOps personal access token.
type PAT struct {
	Token          string
	Account        string // properties.Account.$value (usually the email)
	DisplayName    string
	Expired        bool
	NoProjectScope bool     // lacks Project and Team (Read)
	NoWorkScope    bool     // lacks Work Items (Read)
	Orgs           []string // organisation-scoped; empty = all accessible
}

// App is an Entra app registration used as a service principal.
type App struct {
	Tenant        string
	ClientID      string
	Secret        string
	DisplayName   string
	ObjectID      string
	SecretExpired bool
	Orgs          []string // organisations it was added to (else TF401444)
}

// Jira is the emulated Jira site.
type Jira struct {
	Deployment      string // "Cloud" (default) or "Server" (what Data Center reports)
	Users           []JiraUser
	Projects        []JiraProject
	Captcha         bool // every login is CAPTCHA-locked
	SiteUnavailable bool // 404 "Site temporarily unavailable" everywhere
	BasicDisabled   bool // Data Center 11: Basic auth off
}

// JiraUser is an account with its credentials.
type JiraUser struct {
	Email       string
	APIToken    string // Cloud, Basic email:token
	Password    string // Cloud refuses it with the deprecation message
	PAT         string // Data Center, Bearer
	DisplayName string
	Name        string // Data Center user name
	Captcha     bool
}

// JiraProject is a project; Denied lists permission keys users lack in it.
type JiraProject struct {
	Key    string
	Name   string
	ID     string
	Denied []string
}

// Request is one recorded request.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
}

// Server is a running emulator.
type Server struct {
	// URL is the origin, e.g. http://127.0.0.1:port or https://127.0.0.1:port.
	URL string
	// CAPEM is the PEM of the CA that signed the TLS certificate (NewTLS only).
	CAPEM []byte

	srv *httptest.Server

	mu     sync.Mutex
	cfg    Config
	reqs   []Request
	issued map[string]string // Entra access token → client id
}

// New starts a plain-http loopback emulator, closed at test cleanup.
func New(t testing.TB, cfg Config) *Server {
	t.Helper()
	s := &Server{cfg: cfg, issued: map[string]string{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// NewTLS starts an HTTPS emulator whose certificate is signed by a fresh
// test CA (CAPEM). The certificate is valid for 127.0.0.1, ::1, localhost
// and *.example.test, so proxy tests can use a non-loopback name.
func NewTLS(t testing.TB, cfg Config) *Server {
	t.Helper()
	caPEM, leaf, err := newTestCA()
	if err != nil {
		t.Fatalf("emulator: test CA: %v", err)
	}
	s := &Server{cfg: cfg, issued: map[string]string{}, CAPEM: caPEM}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS12}
	s.srv.StartTLS()
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Addr is the listener's host:port.
func (s *Server) Addr() string { return s.srv.Listener.Addr().String() }

// Client returns an http.Client that trusts the emulator (and follows
// redirects, like a naive client would).
func (s *Server) Client() *http.Client {
	if s.CAPEM == nil {
		return &http.Client{}
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CAPEM)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}
}

// Update changes the configuration under the server's lock.
func (s *Server) Update(f func(*Config)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.cfg)
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = nil
}

// serve records the request and routes it. Requests are handled under the
// lock: the emulator is not about throughput, and this keeps Update safe.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	s.reqs = append(s.reqs, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
	delay := s.cfg.Delay
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	segs := splitPath(r.URL)
	switch {
	case len(segs) == 1 && segs[0] == "_signin":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, signInPage)
	case len(segs) >= 2 && segs[0] == "rest" && segs[1] == "api":
		s.serveJira(w, r, segs[2:])
	case len(segs) == 4 && segs[1] == "oauth2" && segs[2] == "v2.0" && segs[3] == "token":
		s.serveToken(w, r, segs[0])
	case len(segs) == 4 && segs[1] == "v2.0" && segs[2] == ".well-known" && segs[3] == "openid-configuration":
		s.serveOIDC(w, r, segs[0])
	case len(segs) >= 2 && segs[0] == "tfs":
		s.serveDevOps(w, r, s.org(segs[1], true), segs[2:])
	case len(segs) >= 1:
		s.serveDevOps(w, r, s.org(segs[0], false), segs[1:])
	default:
		notFoundText(w)
	}
}

// splitPath returns the unescaped path segments.
func splitPath(u *url.URL) []string {
	var out []string
	for _, p := range strings.Split(strings.Trim(u.EscapedPath(), "/"), "/") {
		if p == "" {
			continue
		}
		if d, err := url.PathUnescape(p); err == nil {
			p = d
		}
		out = append(out, p)
	}
	return out
}

func (s *Server) org(name string, server bool) *Org {
	for i := range s.cfg.Orgs {
		o := &s.cfg.Orgs[i]
		if o.Server == server && strings.EqualFold(o.Name, name) {
			return o
		}
	}
	return nil
}

// origin is the scheme://host the client used.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func writeJSON(w http.ResponseWriter, status int, bom bool, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	if bom {
		b = append([]byte("\xEF\xBB\xBF"), b...)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// notFoundText is the 29-byte text/plain 404 Azure DevOps gives for a path
// (or, per the reference's default, an organisation) it doesn't know.
func notFoundText(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, "The resource cannot be found.")
}

const signInPage = `<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head><body><form method="post" action="/_signin">Sign in to your account</form></body></html>`

// newTestCA makes a CA and a leaf signed by it.
func newTestCA() (caPEM []byte, leaf tls.Certificate, err error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, leaf, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "sharedvault emulator test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, leaf, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, leaf, err
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, leaf, err
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "emulator"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost", "example.test", "*.example.test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, leaf, err
	}
	leaf = tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), leaf, nil
}

// newToken returns a random opaque token.
func newToken(prefix string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s%x", prefix, b)
}
