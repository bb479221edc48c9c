// Package providers turns what an administrator pastes into the
// Authentication Providers form into the values that are stored and used.
//
// # Normalisation
//
// The functions in normalize.go are pure: no I/O, no clock, no network.
// Each accepts the forms people actually paste (a bare name or a browser
// URL, a token with a trailing newline, a GUID in braces) and returns one
// canonical value, or an error whose lowercase message can be shown beside
// the field. Errors wrap ErrInvalid; URLs refused for using plain http wrap
// ErrInsecureURL as well.
//
// # Secrets in errors
//
// CleanToken is given secret material. Its errors (*TokenProblem) describe
// the problem, never the value, so they can go to logs, stderr and the
// webview. The other parsers take non-secret values and may quote them.
//
// # Transport policy
//
// Every URL parser here refuses http:// unless the host is a loopback
// address (127.0.0.0/8, ::1, localhost), which only the test emulators use.
package providers

import (
	"encoding/base64"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Organisation is a resolved "DevOps Shared Organisation" value.
type Organisation struct {
	Name    string // organisation name, or the collection name on Azure DevOps Server
	BaseURL string // https://dev.azure.com/{org} or the Server collection URL, no trailing slash
	Server  bool   // true for Azure DevOps Server / TFS collection URLs
}

// Known Azure DevOps Services service hosts (vssps.dev.azure.com/contoso,
// contoso.vsrm.visualstudio.com): people paste URLs copied from them too.
var servicePrefixes = map[string]bool{
	"vssps": true, "vsrm": true, "vsaex": true, "feeds": true, "pkgs": true,
	"almsearch": true, "extmgmt": true, "vstmr": true,
}

// NormalizeOrganisation accepts an organisation name or a pasted URL.
//
//   - contoso, https://dev.azure.com/contoso/anything,
//     https://contoso.visualstudio.com/anything → contoso at https://dev.azure.com/contoso
//     (the legacy host is rewritten to the current one; both serve the same REST API).
//   - Any other host is an Azure DevOps Server collection URL and is used as the
//     base as is: https://server/tfs/{collection} or https://server/{collection};
//     anything after the collection (project, _boards…) is dropped.
//
// A URL without a scheme (dev.azure.com/contoso) is read as https.
func NormalizeOrganisation(in string) (Organisation, error) {
	if len(in) > MaxURLBytes {
		return Organisation{}, tooLong("organisation", MaxURLBytes)
	}
	s := strings.TrimSpace(stripZeroWidth(in))
	if s == "" {
		return Organisation{}, invalid("organisation is empty")
	}
	if !strings.Contains(s, "://") {
		if !strings.ContainsAny(s, ".:") {
			name, err := orgName(s)
			if err != nil {
				return Organisation{}, err
			}
			return Organisation{Name: name, BaseURL: "https://dev.azure.com/" + name}, nil
		}
		s = "https://" + s
	}

	u, err := parseWebURL(s, "organisation url")
	if err != nil {
		return Organisation{}, err
	}
	host := u.host
	segs, err := pathSegments(u.url)
	if err != nil {
		return Organisation{}, invalid("organisation url has an invalid path")
	}

	switch {
	case host == "dev.azure.com" || strings.HasSuffix(host, ".dev.azure.com") && servicePrefixes[strings.TrimSuffix(host, ".dev.azure.com")]:
		if len(segs) == 0 {
			return Organisation{}, invalid("organisation url has no organisation name (expected https://dev.azure.com/{organisation})")
		}
		name, err := orgName(segs[0])
		if err != nil {
			return Organisation{}, err
		}
		return Organisation{Name: name, BaseURL: "https://dev.azure.com/" + name}, nil

	case strings.HasSuffix(host, ".visualstudio.com"):
		labels := strings.Split(strings.TrimSuffix(host, ".visualstudio.com"), ".")
		if len(labels) > 2 || len(labels) == 2 && !servicePrefixes[labels[1]] {
			return Organisation{}, invalid("organisation url is not an organisation address (expected https://{organisation}.visualstudio.com)")
		}
		name, err := orgName(labels[0])
		if err != nil {
			return Organisation{}, err
		}
		return Organisation{Name: name, BaseURL: "https://dev.azure.com/" + name}, nil
	}

	// Azure DevOps Server: /tfs/{collection} or /{collection}.
	var keep []string
	switch {
	case len(segs) >= 2 && strings.EqualFold(segs[0], "tfs"):
		keep = segs[:2]
	case len(segs) >= 1 && !strings.EqualFold(segs[0], "tfs"):
		keep = segs[:1]
	case len(segs) == 0 && isLoopback(host):
		// A single-collection test server on this machine, served at its root.
		return Organisation{Name: u.url.Host, BaseURL: u.url.Scheme + "://" + u.url.Host, Server: true}, nil
	default:
		return Organisation{}, invalid("organisation url has no collection (expected https://server/tfs/{collection})")
	}
	coll := keep[len(keep)-1]
	if err := collectionName(coll); err != nil {
		return Organisation{}, err
	}
	base := url.URL{Scheme: u.scheme, Host: u.hostPort, Path: "/" + strings.Join(keep, "/")}
	return Organisation{Name: coll, BaseURL: base.String(), Server: true}, nil
}

// orgName checks an Azure DevOps Services organisation name.
func orgName(s string) (string, error) {
	switch {
	case strings.ContainsFunc(s, unicode.IsSpace):
		return "", invalid("organisation name must not contain spaces")
	case utf8.RuneCountInString(s) > 50:
		return "", invalid("organisation name must be 1 to 50 characters")
	case strings.ContainsFunc(s, func(r rune) bool { return !isASCIIAlnum(r) && r != '-' }):
		return "", invalid("organisation name may contain only letters, digits and hyphens")
	case s == "":
		return "", invalid("organisation name is empty")
	case s[0] == '-' || s[len(s)-1] == '-':
		return "", invalid("organisation name must not start or end with a hyphen")
	}
	return s, nil
}

// collectionName applies Azure DevOps Server's rules for collection names.
func collectionName(s string) error {
	switch {
	case s == "":
		return invalid("collection name is empty")
	case utf8.RuneCountInString(s) > 64:
		return invalid("collection name must be at most 64 characters")
	case strings.TrimSpace(s) != s:
		return invalid("collection name must not start or end with a space")
	case strings.ContainsAny(s, `"/\[]:|<>+=;?*#%{},`+"`"):
		return invalid("collection name contains a character azure devops server does not allow")
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }):
		return invalid("collection name contains a control character")
	case s[0] == '_' || s[0] == '.' || s[len(s)-1] == '.':
		return invalid("collection name must not start with _ or . or end with .")
	}
	return nil
}

// zeroWidth are the invisible characters that survive copy and paste from
// web pages and chat clients.
var zeroWidth = strings.NewReplacer(
	"\u200b", "", "\u200c", "", "\u200d", "", "\u2060", "", "\ufeff", "",
)

func stripZeroWidth(s string) string { return zeroWidth.Replace(s) }

const minTokenLen = 16

// CleanToken trims what copy and paste adds to a token or client secret
// (surrounding whitespace, line breaks, zero-width characters anywhere) and
// refuses values that are clearly not the bare token: an Authorization
// header scheme, a base64-encoded basic-auth header, whitespace inside, or a
// truncated copy. The length is otherwise not checked: Azure DevOps PATs are
// 52 or 84 characters, Jira tokens vary.
//
// Errors are *TokenProblem and never contain the value.
func CleanToken(in string) (string, error) {
	if len(in) > MaxTokenBytes {
		return "", tokenProblem(ReasonTooLong)
	}
	s := strings.TrimSpace(stripZeroWidth(in))
	if s == "" {
		return "", tokenProblem(ReasonEmpty)
	}

	if rest, ok := cutAuthScheme(s); ok {
		if looksLikeBasicHeader(rest, false) {
			return "", tokenProblem(ReasonEncodedHeader)
		}
		return "", tokenProblem(ReasonAuthPrefix)
	}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return "", tokenProblem(ReasonSpace)
	}
	if strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError
	}) {
		return "", tokenProblem(ReasonInvisible)
	}
	if looksLikeBasicHeader(s, true) {
		return "", tokenProblem(ReasonEncodedHeader)
	}
	if strings.HasSuffix(s, "...") || strings.HasSuffix(s, "…") || utf8.RuneCountInString(s) < minTokenLen {
		return "", tokenProblem(ReasonTruncated)
	}
	return s, nil
}

// cutAuthScheme reports whether s starts with an Authorization header, or
// its "Basic "/"Bearer " scheme, and returns the rest.
func cutAuthScheme(s string) (rest string, ok bool) {
	t := s
	if len(t) >= len("authorization:") && strings.EqualFold(t[:len("authorization:")], "authorization:") {
		t = strings.TrimSpace(t[len("authorization:"):])
	}
	for _, sc := range []string{"Basic", "Bearer"} {
		if len(t) > len(sc) && strings.EqualFold(t[:len(sc)], sc) {
			if r, _ := utf8.DecodeRuneInString(t[len(sc):]); unicode.IsSpace(r) {
				return strings.TrimSpace(t[len(sc):]), true
			}
		}
	}
	return t, t != s
}

// looksLikeBasicHeader reports whether s is standard base64 of
// "user:secret" or ":secret" with printable text only, which is what an
// already-encoded Basic credential decodes to. Azure DevOps PATs and Jira
// Cloud API tokens decode (if at all) to binary noise. Jira Data Center PATs
// are themselves base64 of "<numeric id>:<random>", so a bare value
// (bare=true) is flagged only for the forms a pasted header has: an empty
// user (":PAT", the Azure DevOps form) or an email ("user@x:token").
func looksLikeBasicHeader(s string, bare bool) bool {
	var b []byte
	var err error
	if b, err = base64.StdEncoding.DecodeString(s); err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return false
		}
	}
	if !utf8.Valid(b) {
		return false
	}
	user, secret, ok := strings.Cut(string(b), ":")
	if !ok || secret == "" {
		return false
	}
	for _, r := range string(b) {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	if strings.ContainsFunc(user, unicode.IsSpace) {
		return false
	}
	return !bare || user == "" || strings.Contains(user, "@")
}

// ValidateGUID returns s as a canonical lowercase GUID
// (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx). Surrounding whitespace and
// braces, as Windows tools print GUIDs, are accepted.
func ValidateGUID(s string) (string, error) {
	if len(s) > MaxFieldBytes {
		return "", tooLong("guid", MaxFieldBytes)
	}
	s = strings.TrimSpace(stripZeroWidth(s))
	if len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	if s == "" {
		return "", invalid("guid is empty")
	}
	if len(s) != 36 {
		return "", invalid("not a guid (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return "", invalid("not a guid (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")
			}
			continue
		}
		if !isHex(c) {
			return "", invalid("not a guid (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")
		}
	}
	return strings.ToLower(s), nil
}

// TenantAuthURL builds the Microsoft Entra token endpoint for a tenant
// given as a GUID or a verified domain (contoso.onmicrosoft.com).
func TenantAuthURL(tenant string) (string, error) {
	t, err := tenantID(tenant)
	if err != nil {
		return "", err
	}
	return "https://login.microsoftonline.com/" + t + "/oauth2/v2.0/token", nil
}

func tenantID(s string) (string, error) {
	if len(s) > MaxURLBytes {
		return "", tooLong("tenant", MaxURLBytes)
	}
	s = strings.TrimSpace(stripZeroWidth(s))
	if s == "" {
		return "", invalid("tenant is empty")
	}
	if g, err := ValidateGUID(s); err == nil {
		if g == "00000000-0000-0000-0000-000000000000" {
			return "", invalid("tenant must not be the empty guid")
		}
		return g, nil
	}
	h := strings.ToLower(s)
	if strings.Contains(h, ".") && validHostname(h, false) && net.ParseIP(h) == nil {
		return h, nil
	}
	if strings.ContainsAny(s, "{}") {
		return "", invalid("tenant is still the {tenant} placeholder; enter the tenant id")
	}
	return "", invalid("tenant must be a guid or a domain such as contoso.onmicrosoft.com")
}

// Entra hosts whose token URL path is /{tenant}/oauth2/…: there the tenant
// segment is checked too, which catches the {tenant} placeholder.
var entraHosts = map[string]bool{
	"login.microsoftonline.com":        true,
	"login.microsoftonline.us":         true,
	"login.partner.microsoftonline.cn": true,
	"login.chinacloudapi.cn":           true,
}

// ValidateAuthURL checks a "DevOps Shared Authentication Url": an https
// OAuth token endpoint (path ending /oauth2/v2.0/token or /oauth2/token)
// without user info, query or fragment. It returns the URL with the scheme
// and host lowercased, default port and trailing slash removed.
func ValidateAuthURL(s string) (string, error) {
	if len(s) > MaxURLBytes {
		return "", tooLong("authentication url", MaxURLBytes)
	}
	s = strings.TrimSpace(stripZeroWidth(s))
	if s == "" {
		return "", invalid("authentication url is empty")
	}
	if strings.ContainsAny(s, "?#") {
		return "", invalid("authentication url must not have a query or fragment")
	}
	u, err := parseWebURL(s, "authentication url")
	if err != nil {
		return "", err
	}
	p := u.url.EscapedPath()
	if p != "/" {
		p = strings.TrimSuffix(p, "/")
	}
	lp := strings.ToLower(p)
	if !strings.HasSuffix(lp, "/oauth2/v2.0/token") && !strings.HasSuffix(lp, "/oauth2/token") {
		return "", invalid("authentication url must be a token endpoint ending in /oauth2/v2.0/token")
	}
	segs, err := pathSegments(u.url)
	if err != nil {
		return "", invalid("authentication url has an invalid path")
	}
	for _, seg := range segs {
		if seg == "." || seg == ".." {
			return "", invalid("authentication url has an invalid path")
		}
	}
	if entraHosts[u.host] {
		// Entra paths are /{tenant}/oauth2[/v2.0]/token exactly.
		tail := strings.ToLower(strings.Join(segs[1:], "/"))
		if len(segs) < 3 || tail != "oauth2/v2.0/token" && tail != "oauth2/token" {
			return "", invalid("authentication url must look like https://" + u.host + "/{tenant}/oauth2/v2.0/token")
		}
		t, err := tenantID(segs[0])
		if err != nil {
			return "", err
		}
		p = "/" + t + "/" + tail
	}
	return u.scheme + "://" + u.hostPort + p, nil
}

// ValidateEmail accepts a plain address (user@company.com, no display name)
// and lowercases the domain; the local part is kept as typed because it can
// be case-sensitive.
func ValidateEmail(s string) (string, error) {
	if len(s) > MaxFieldBytes {
		return "", tooLong("email", MaxFieldBytes)
	}
	s = strings.TrimSpace(stripZeroWidth(s))
	if s == "" {
		return "", invalid("email is empty")
	}
	if len(s) > 254 {
		return "", invalid("email is too long")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", invalid("email must be a plain address like user@company.com")
	}
	i := strings.LastIndexByte(s, '@')
	local, domain := s[:i], strings.ToLower(s[i+1:])
	if !strings.Contains(domain, ".") || !validHostname(domain, false) {
		return "", invalid("email must have a domain like company.com")
	}
	return local + "@" + domain, nil
}

// NormalizeJiraDomain returns the origin (scheme://host[:port]) of a Jira
// site. Any path is dropped: the probes call /rest/api/… on the origin, so
// a Data Center instance served under a context path (/jira) is not
// supported by this form and must be reachable at the root.
// A bare host (acme.atlassian.net) is read as https.
func NormalizeJiraDomain(s string) (string, error) {
	if len(s) > MaxURLBytes {
		return "", tooLong("jira domain", MaxURLBytes)
	}
	s = strings.TrimSpace(stripZeroWidth(s))
	if s == "" {
		return "", invalid("jira domain is empty")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := parseWebURL(s, "jira domain")
	if err != nil {
		return "", err
	}
	return u.scheme + "://" + u.hostPort, nil
}

// DetectJiraDeployment guesses the deployment from the site's host:
// Atlassian hosts every Cloud site under atlassian.net (older ones under
// jira.com); anything else is Data Center / Server.
func DetectJiraDeployment(domain string) string {
	host := strings.ToLower(strings.TrimSpace(domain))
	if origin, err := NormalizeJiraDomain(domain); err == nil {
		if u, err := url.Parse(origin); err == nil {
			host = u.Hostname()
		}
	}
	if strings.HasSuffix(host, ".atlassian.net") || strings.HasSuffix(host, ".jira.com") {
		return "cloud"
	}
	return "datacenter"
}

// ResolveJiraDeployment turns the --deployment choice into "cloud" or
// "datacenter". "auto" (or empty) detects from the domain. "cloud" is
// allowed for any host (emulators, proxies); "datacenter" is refused for
// Atlassian-hosted sites, which are always Cloud.
func ResolveJiraDeployment(choice, domain string) (string, error) {
	if len(choice) > MaxFieldBytes {
		return "", tooLong("deployment", MaxFieldBytes)
	}
	switch strings.ToLower(strings.TrimSpace(choice)) {
	case "", "auto":
		return DetectJiraDeployment(domain), nil
	case "cloud":
		return "cloud", nil
	case "datacenter":
		if DetectJiraDeployment(domain) == "cloud" {
			return "", invalid("deployment datacenter does not match an atlassian cloud site; choose cloud or auto")
		}
		return "datacenter", nil
	}
	return "", invalid("deployment must be auto, cloud or datacenter")
}

// ParseExpiry checks an optional expiry date (YYYY-MM-DD). Whether the date
// is in the past is for the caller to judge: this package has no clock.
func ParseExpiry(s string) (string, error) {
	if len(s) > MaxFieldBytes {
		return "", tooLong("expiry date", MaxFieldBytes)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", invalid("expiry date must be YYYY-MM-DD")
	}
	return t.Format(time.DateOnly), nil
}

// webURL is a parsed absolute http(s) URL with its host checked.
type webURL struct {
	url      *url.URL
	scheme   string // lowercase
	host     string // lowercase, no brackets, no trailing dot
	hostPort string // host as it goes back into a URL (brackets, non-default port)
}

// parseWebURL parses s and applies the transport policy shared by every
// URL field. what names the field in messages.
func parseWebURL(s, what string) (webURL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" {
		return webURL{}, invalid(what + " is not a valid url")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme == "" {
		return webURL{}, invalid(what + " must start with https://")
	}
	if scheme != "https" && scheme != "http" {
		return webURL{}, insecure(what + " must use https")
	}
	if u.User != nil {
		return webURL{}, invalid(what + " must not contain a user name or password")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return webURL{}, invalid(what + " has no host")
	}
	ip := net.ParseIP(host)
	if ip == nil && !validHostname(host, true) {
		return webURL{}, invalid(what + " has an invalid host name")
	}
	if scheme == "http" && !isLoopback(host) {
		return webURL{}, insecure(what + " must use https")
	}
	port := u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return webURL{}, invalid(what + " has an invalid port")
		}
		port = strconv.Itoa(n)
		if scheme == "https" && n == 443 || scheme == "http" && n == 80 {
			port = ""
		}
	}
	hp := host
	if ip != nil && strings.Contains(host, ":") {
		hp = "[" + host + "]"
	}
	if port != "" {
		hp += ":" + port
	}
	return webURL{url: u, scheme: scheme, host: host, hostPort: hp}, nil
}

// pathSegments splits the escaped path and unescapes each segment, so an
// encoded slash stays inside its segment. Empty segments are dropped.
func pathSegments(u *url.URL) ([]string, error) {
	var out []string
	for _, raw := range strings.Split(u.EscapedPath(), "/") {
		if raw == "" {
			continue
		}
		seg, err := url.PathUnescape(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, seg)
	}
	return out, nil
}

// validHostname checks DNS labels. Underscores are allowed: they appear in
// real intranet names and in the help article's own example
// (your_domain.atlassian.net).
func validHostname(h string, allowSingleLabel bool) bool {
	if len(h) == 0 || len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	if len(labels) == 1 && !allowSingleLabel {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !isASCIIAlnum(rune(c)) && c != '-' && c != '_' {
				return false
			}
		}
	}
	return true
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isASCIIAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
