// Package netconf keeps the network settings of connectivity tests in the
// vault: extra trusted CA certificates for on-prem servers (public data,
// stored as PEM), the proxy, and timeouts. It turns them into
// connect.Settings; the system roots are always trusted too.
package netconf

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"sharedvault/backend/audit"
	"sharedvault/backend/connect"
	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

// Setting keys.
const (
	keyConnectTimeout = "net_connect_timeout_ms"
	keyTotalTimeout   = "net_total_timeout_ms"
	keyProxyURL       = "net_proxy_url"
	keyNoProxy        = "net_no_proxy"
)

// CA is one trusted certificate.
type CA struct {
	Fingerprint string `json:"fingerprint"` // sha256 of the DER, hex
	Subject     string `json:"subject"`
	NotAfter    string `json:"not_after"`
	AddedAt     string `json:"added_at"`
	AddedBy     string `json:"added_by"`
	Expired     bool   `json:"expired"`
}

// Service manages the network settings of one vault.
type Service struct{ v *vault.Vault }

// New returns the network settings service of v.
func New(v *vault.Vault) *Service { return &Service{v: v} }

// Size limits of what an administrator pastes or points at. A PEM bundle of
// every public root CA is about 200 KiB; proxy URLs and NO_PROXY lists are
// short. Larger input is refused by its length before it is parsed.
const (
	MaxPEMBytes      = 1 << 20
	MaxProxyURLBytes = 2 << 10
	MaxNoProxyBytes  = 8 << 10
)

// maxCertErrorLen bounds the parser's explanation in a refusal: x509 errors
// can quote a field of the certificate, which the file's author controls.
const maxCertErrorLen = 200

func invalid(field, msg string) error {
	return &providers.ValidationError{Fields: []providers.FieldError{{Field: field, Message: msg}}}
}

// ParseCertificates reads every CERTIFICATE block of a PEM file.
func ParseCertificates(pemBytes []byte) ([]*x509.Certificate, error) {
	if len(pemBytes) > MaxPEMBytes {
		return nil, invalid("certificate", "the PEM file is larger than "+strconv.Itoa(MaxPEMBytes>>20)+" MiB; give only the CA certificates to trust")
	}
	var out []*x509.Certificate
	rest := pemBytes
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			if strings.Contains(block.Type, "PRIVATE KEY") {
				return nil, invalid("certificate", "the file holds a private key: give only the CA certificate")
			}
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, invalid("certificate", "a certificate in the file cannot be parsed: "+shorten(err.Error(), maxCertErrorLen))
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, invalid("certificate", "no PEM certificate found (expected -----BEGIN CERTIFICATE-----)")
	}
	return out, nil
}

// shorten cuts s to at most n bytes on a rune boundary, replaces what a
// terminal would interpret (control characters) and marks a cut with "…".
func shorten(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return '?'
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// AddCA stores every certificate of pemBytes; it returns what was added.
func (s *Service) AddCA(ctx context.Context, pemBytes []byte) ([]CA, error) {
	certs, err := ParseCertificates(pemBytes)
	if err != nil {
		return nil, err
	}
	var added []CA
	now := s.v.Now().Format(time.RFC3339)
	user := audit.CurrentOSUser()
	err = s.v.Update(ctx, func(tx *sql.Tx) error {
		for _, c := range certs {
			// A non-CA certificate is accepted too: on-prem servers often
			// use a self-signed certificate, and trusting that exact
			// certificate is how an admin pins it.
			fp := fingerprint(c)
			block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
			res, err := tx.ExecContext(ctx, `INSERT INTO trusted_cas (fingerprint, subject, not_after, pem, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(fingerprint) DO NOTHING`,
				fp, c.Subject.String(), c.NotAfter.UTC().Format(time.RFC3339), string(block), now, user)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			added = append(added, CA{Fingerprint: fp, Subject: c.Subject.String(), NotAfter: c.NotAfter.UTC().Format(time.RFC3339), AddedAt: now, AddedBy: user})
			if err := s.v.Audit(ctx, tx, "trust.add", c.Subject.String(), map[string]string{"sha256": fp}); err != nil {
				return err
			}
		}
		return nil
	})
	return added, err
}

// ListCAs returns the trusted certificates.
func (s *Service) ListCAs(ctx context.Context) ([]CA, error) {
	rows, err := s.v.DB().QueryContext(ctx, `SELECT fingerprint, subject, not_after, added_at, added_by FROM trusted_cas ORDER BY added_at, fingerprint`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CA{}
	now := s.v.Now()
	for rows.Next() {
		var c CA
		if err := rows.Scan(&c.Fingerprint, &c.Subject, &c.NotAfter, &c.AddedAt, &c.AddedBy); err != nil {
			return nil, err
		}
		if t, err := time.Parse(time.RFC3339, c.NotAfter); err == nil && now.After(t) {
			c.Expired = true
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RemoveCA deletes the certificate whose fingerprint starts with prefix
// (at least 8 hex characters, unambiguous).
func (s *Service) RemoveCA(ctx context.Context, prefix string) (CA, error) {
	prefix = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(prefix), ":", ""))
	if len(prefix) < 8 {
		return CA{}, invalid("fingerprint", "give at least 8 hex characters of the sha256 fingerprint (see `sharedvault trust list`)")
	}
	cas, err := s.ListCAs(ctx)
	if err != nil {
		return CA{}, err
	}
	var match []CA
	for _, c := range cas {
		if strings.HasPrefix(c.Fingerprint, prefix) {
			match = append(match, c)
		}
	}
	switch len(match) {
	case 0:
		return CA{}, fmt.Errorf("%w: no trusted certificate with fingerprint %s", vault.ErrNotFound, prefix)
	case 1:
	default:
		return CA{}, invalid("fingerprint", "several certificates match: give more characters")
	}
	c := match[0]
	err = s.v.Update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM trusted_cas WHERE fingerprint = ?`, c.Fingerprint); err != nil {
			return err
		}
		return s.v.Audit(ctx, tx, "trust.remove", c.Subject, map[string]string{"sha256": c.Fingerprint})
	})
	return c, err
}

// Network is the editable network settings.
type Network struct {
	ConnectTimeoutMS int    `json:"connect_timeout_ms"`
	TotalTimeoutMS   int    `json:"total_timeout_ms"`
	ProxyURL         string `json:"proxy_url"` // "" = from the environment (HTTPS_PROXY / NO_PROXY)
	NoProxy          string `json:"no_proxy"`
}

// Network reads the settings, with defaults filled in.
func (s *Service) Network(ctx context.Context) (Network, error) {
	n := Network{ConnectTimeoutMS: int(connect.DefaultConnectTimeout / time.Millisecond), TotalTimeoutMS: int(connect.DefaultTotalTimeout / time.Millisecond)}
	db := s.v.DB()
	for key, dst := range map[string]*int{keyConnectTimeout: &n.ConnectTimeoutMS, keyTotalTimeout: &n.TotalTimeoutMS} {
		v, ok, err := vault.Setting(ctx, db, key)
		if err != nil {
			return n, err
		}
		if ok {
			if i, err := strconv.Atoi(v); err == nil {
				*dst = i
			}
		}
	}
	var err error
	if n.ProxyURL, _, err = vault.Setting(ctx, db, keyProxyURL); err != nil {
		return n, err
	}
	n.NoProxy, _, err = vault.Setting(ctx, db, keyNoProxy)
	return n, err
}

// Validate checks n and returns it as it is stored (proxy URL and no-proxy
// list trimmed). Errors are a *providers.ValidationError with the fields
// connect_timeout_ms, total_timeout_ms, proxy_url and no_proxy; they never
// quote the proxy URL, which may carry a password.
func (n Network) Validate() (Network, error) {
	ve := &providers.ValidationError{}
	if n.ConnectTimeoutMS < 100 || n.ConnectTimeoutMS > 120000 {
		ve.Add("connect_timeout_ms", "must be between 100 and 120000 milliseconds")
	}
	if n.TotalTimeoutMS < 500 || n.TotalTimeoutMS > 600000 {
		ve.Add("total_timeout_ms", "must be between 500 and 600000 milliseconds")
	}
	if len(n.ProxyURL) > MaxProxyURLBytes {
		ve.Add("proxy_url", "is longer than "+strconv.Itoa(MaxProxyURLBytes)+" bytes")
		n.ProxyURL = ""
	}
	if len(n.NoProxy) > MaxNoProxyBytes {
		ve.Add("no_proxy", "is longer than "+strconv.Itoa(MaxNoProxyBytes)+" bytes")
		n.NoProxy = ""
	}
	n.ProxyURL = strings.TrimSpace(n.ProxyURL)
	n.NoProxy = strings.TrimSpace(n.NoProxy)
	if n.ProxyURL != "" {
		u, err := url.Parse(n.ProxyURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") || u.Host == "" {
			ve.Add("proxy_url", "must look like http://proxy.corp.local:3128")
		} else if u.User != nil {
			ve.Add("proxy_url", "must not carry a user name or password (they would be stored unencrypted)")
		}
	}
	if err := ve.Err(); err != nil {
		return Network{}, err
	}
	return n, nil
}

// SetNetwork validates and stores n.
func (s *Service) SetNetwork(ctx context.Context, n Network) error {
	n, err := n.Validate()
	if err != nil {
		return err
	}
	return s.v.Update(ctx, func(tx *sql.Tx) error {
		for k, val := range map[string]string{keyConnectTimeout: strconv.Itoa(n.ConnectTimeoutMS), keyTotalTimeout: strconv.Itoa(n.TotalTimeoutMS), keyProxyURL: n.ProxyURL, keyNoProxy: n.NoProxy} {
			if err := vault.SetSetting(ctx, tx, k, val); err != nil {
				return err
			}
		}
		return s.v.Audit(ctx, tx, "settings.network", "network", map[string]string{"proxy_url": n.ProxyURL, "connect_timeout_ms": strconv.Itoa(n.ConnectTimeoutMS), "total_timeout_ms": strconv.Itoa(n.TotalTimeoutMS)})
	})
}

// ProbeSettings builds the connect.Settings for this vault.
func (s *Service) ProbeSettings(ctx context.Context) (connect.Settings, error) {
	n, err := s.Network(ctx)
	if err != nil {
		return connect.Settings{}, err
	}
	rows, err := s.v.DB().QueryContext(ctx, `SELECT pem FROM trusted_cas`)
	if err != nil {
		return connect.Settings{}, err
	}
	defer rows.Close()
	var pems bytes.Buffer
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return connect.Settings{}, err
		}
		pems.WriteString(p)
	}
	if err := rows.Err(); err != nil {
		return connect.Settings{}, err
	}
	return connect.Settings{
		ExtraRootsPEM:  pems.Bytes(),
		ConnectTimeout: time.Duration(n.ConnectTimeoutMS) * time.Millisecond,
		TotalTimeout:   time.Duration(n.TotalTimeoutMS) * time.Millisecond,
		ProxyURL:       n.ProxyURL,
		NoProxy:        n.NoProxy,
		UseEnvProxy:    n.ProxyURL == "",
	}, nil
}
