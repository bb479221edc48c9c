package netconf

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/net/http/httpproxy"

	"sharedvault/backend/connect"
	"sharedvault/backend/providers"
)

// seedCert makes a deterministic self-signed certificate (the fuzzer's
// seeds must not change between runs).
func seedCert(tb testing.TB, cn string, isCA bool, dnsNames ...string) []byte {
	tb.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(len(cn))}, ed25519.SeedSize))
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(len(cn))), Subject: pkix.Name{CommonName: cn, Organization: []string{"Corp"}},
		NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: isCA, BasicConstraintsValid: true, DNSNames: dnsNames}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// base64Lines are the lines of in that could be PEM body text.
func base64Lines(in []byte) []string {
	var out []string
	for _, l := range strings.Split(string(in), "\n") {
		l = strings.TrimSpace(l)
		if len(l) >= 16 && !strings.ContainsFunc(l, func(r rune) bool {
			return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=')
		}) {
			out = append(out, l)
		}
	}
	return out
}

// FuzzParseCertificates is `trust add FILE.pem` and the window's pasted CA:
// a refusal is beside the certificate field, short, printable and quotes
// no line of the file (a pasted private key must not reach stderr); what is
// accepted is every CERTIFICATE block, survives the round trip through the
// form AddCA stores, and that stored form builds a prober.
func FuzzParseCertificates(f *testing.F) {
	ca := seedCert(f, "Corp Root CA", true)
	leaf := seedCert(f, "tfs.corp.local", false, "tfs.corp.local", "*.corp.local")
	f.Add(ca)
	f.Add(append(append([]byte("# corp bundle\n"), ca...), leaf...))
	f.Add(bytes.ReplaceAll(ca, []byte("\n"), []byte("\r\n")))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH\n-----END PRIVATE KEY-----\n"))
	f.Add(append(append([]byte{}, ca...), "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHoAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n"...))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END CERTIFICATE-----\n"))
	block, _ := pem.Decode(ca)
	f.Add(block.Bytes) // DER where PEM was expected
	f.Add([]byte("not a pem"))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, in []byte) {
		certs, err := ParseCertificates(in)
		if err != nil {
			var ve *providers.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "certificate" || ve.Fields[0].Message == "" {
				t.Fatalf("refusal %#v is not one certificate field error", err)
			}
			msg := ve.Fields[0].Message
			if len(msg) > 100+maxCertErrorLen+len("…") || strings.ContainsFunc(msg, unicode.IsControl) {
				t.Fatalf("refusal message is %d bytes or not printable: %q", len(msg), msg)
			}
			for _, l := range base64Lines(in) {
				if strings.Contains(msg, l) {
					t.Fatalf("refusal quotes the file's line %q: %q", l, msg)
				}
			}
			return
		}
		blocks := 0
		for rest := in; ; {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				break
			}
			if b.Type == "CERTIFICATE" {
				blocks++
			}
		}
		if len(certs) == 0 || len(certs) != blocks {
			t.Fatalf("%d certificates from %d CERTIFICATE blocks", len(certs), blocks)
		}
		var stored []byte
		for _, c := range certs {
			stored = append(stored, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		}
		again, err := ParseCertificates(stored)
		if err != nil || len(again) != len(certs) {
			t.Fatalf("the stored form does not parse again: %d certificates, %v", len(again), err)
		}
		for i := range certs {
			if fingerprint(again[i]) != fingerprint(certs[i]) {
				t.Fatalf("certificate %d changed in the round trip", i)
			}
		}
		if _, err := connect.NewProber(connect.Settings{ExtraRootsPEM: stored}); err != nil {
			t.Fatalf("accepted certificates do not build a prober: %v", err)
		}
	})
}

// FuzzValidateNetwork is the Settings → Network form: refusals are beside
// its fields and never quote the proxy URL (it may carry a password); an
// accepted form is a fixed point of Validate, and its proxy URL is usable by
// the prober and by the proxy selection it configures.
func FuzzValidateNetwork(f *testing.F) {
	for _, s := range []struct {
		connect, total int
		proxy, noProxy string
	}{
		{10000, 30000, "", ""},
		{2000, 9000, "http://proxy.corp.local:3128", ".corp.local,localhost"},
		{2000, 9000, " https://proxy.corp.local:8443/ ", "*"},
		{2000, 9000, "socks5://127.0.0.1:1080", ""},
		{2000, 9000, "http://user:s3cret-proxy-pass@proxy:3128", ""},
		{2000, 9000, "proxy.corp.local:3128", ""},
		{2000, 9000, "http://[::1]:3128", "::1"},
		{2000, 9000, "http://proxy:99999", ""},
		{99, 500, "ftp://proxy", ""},
		{120000, 600001, "http://%zz", ""},
	} {
		f.Add(s.connect, s.total, s.proxy, s.noProxy)
	}
	// Every refusal is one of these fixed texts, so nothing typed (a proxy
	// password) can be echoed.
	messages := map[string]bool{
		"connect_timeout_ms: must be between 100 and 120000 milliseconds":                      true,
		"total_timeout_ms: must be between 500 and 600000 milliseconds":                        true,
		"proxy_url: is longer than 2048 bytes":                                                 true,
		"no_proxy: is longer than 8192 bytes":                                                  true,
		"proxy_url: must look like http://proxy.corp.local:3128":                               true,
		"proxy_url: must not carry a user name or password (they would be stored unencrypted)": true,
	}
	f.Fuzz(func(t *testing.T, connectMS, totalMS int, proxy, noProxy string) {
		in := Network{ConnectTimeoutMS: connectMS, TotalTimeoutMS: totalMS, ProxyURL: proxy, NoProxy: noProxy}
		got, err := in.Validate()
		if err != nil {
			var ve *providers.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) == 0 {
				t.Fatalf("refusal %#v is not a ValidationError", err)
			}
			for _, fe := range ve.Fields {
				if !messages[fe.Field+": "+fe.Message] {
					t.Fatalf("refusal %+v is not one of the fixed network field messages", fe)
				}
			}
			return
		}
		if again, err := got.Validate(); err != nil || again != got {
			t.Fatalf("Validate is not idempotent: %+v → %+v, %v", got, again, err)
		}
		if got.ProxyURL == "" {
			return
		}
		u, err := url.Parse(got.ProxyURL)
		if err != nil || u.User != nil || u.Host == "" {
			t.Fatalf("accepted proxy url %q: %v", got.ProxyURL, err)
		}
		s := connect.Settings{ProxyURL: got.ProxyURL, NoProxy: got.NoProxy,
			ConnectTimeout: time.Duration(got.ConnectTimeoutMS) * time.Millisecond, TotalTimeout: time.Duration(got.TotalTimeoutMS) * time.Millisecond}
		if _, err := connect.NewProber(s); err != nil {
			t.Fatalf("accepted settings do not build a prober: %v", err)
		}
		target, _ := url.Parse("https://dev.azure.com/fabrikam/_apis/connectionData")
		if _, err := (&httpproxy.Config{HTTPSProxy: got.ProxyURL, NoProxy: got.NoProxy}).ProxyFunc()(target); err != nil {
			t.Fatalf("accepted proxy url %q is refused by the proxy selection: %v", got.ProxyURL, err)
		}
	})
}

// TestOversizedNetworkInputRefused: a PEM larger than MaxPEMBytes and
// oversized proxy settings are refused by length, quickly, beside their
// field, and nothing is stored.
func TestOversizedNetworkInputRefused(t *testing.T) {
	ctx := context.Background()
	v := newVault(t)
	s := New(v)
	ca := seedCert(t, "Corp Root CA", true)
	big := append(bytes.Repeat([]byte("# comment\n"), MaxPEMBytes/10+1), ca...) // a real certificate after 1 MiB of comments
	start := time.Now()
	_, err := s.AddCA(ctx, big)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("oversized PEM refused after %v", d)
	}
	var ve *providers.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "certificate" || !strings.Contains(ve.Fields[0].Message, "larger than 1 MiB") {
		t.Errorf("oversized PEM: %v, want a certificate error naming the 1 MiB limit", err)
	}
	if cas, err := s.ListCAs(ctx); err != nil || len(cas) != 0 {
		t.Errorf("after the refusal: %d trusted, %v; want none", len(cas), err)
	}
	// The same certificate within the limit is accepted.
	if added, err := s.AddCA(ctx, append(bytes.Repeat([]byte("# comment\n"), 100), ca...)); err != nil || len(added) != 1 {
		t.Errorf("certificate after a short comment: %v, %v", added, err)
	}

	for _, tc := range []struct {
		n     Network
		field string
		msg   string
	}{
		{Network{ConnectTimeoutMS: 1000, TotalTimeoutMS: 5000, ProxyURL: "http://" + strings.Repeat("p", 10_000)}, "proxy_url", "is longer than 2048 bytes"},
		{Network{ConnectTimeoutMS: 1000, TotalTimeoutMS: 5000, NoProxy: strings.Repeat(".corp.local,", 100_000)}, "no_proxy", "is longer than 8192 bytes"},
	} {
		err := s.SetNetwork(ctx, tc.n)
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != tc.field || ve.Fields[0].Message != tc.msg {
			t.Errorf("SetNetwork: %v, want only %s: %s", err, tc.field, tc.msg)
		}
	}
	if n, err := s.Network(ctx); err != nil || n.ProxyURL != "" || n.NoProxy != "" {
		t.Errorf("after the refusals: %+v, %v; want the defaults", n, err)
	}
}
