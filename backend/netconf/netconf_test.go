package netconf

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

func TestMain(m *testing.M) {
	vault.SetKDFForTests(vault.KDFParams{Algorithm: "argon2id", MemoryKiB: 64, Iterations: 1, Parallelism: 1})
	m.Run()
}

func newVault(t *testing.T) *vault.Vault {
	t.Helper()
	v, err := vault.Create(context.Background(), filepath.Join(t.TempDir(), "v.db"), []byte("pw"), vault.Options{AutoLock: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func certPEM(t *testing.T, cn string, isCA bool) []byte {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: isCA, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func fieldOf(err error) string {
	var ve *providers.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		return ve.Fields[0].Field
	}
	return ""
}

func TestTrustedCAs(t *testing.T) {
	ctx := context.Background()
	v := newVault(t)
	s := New(v)
	ca, leaf := certPEM(t, "Corp Root CA", true), certPEM(t, "tfs.corp.local", false)

	for _, bad := range [][]byte{[]byte("not a pem"), []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")} {
		if _, err := s.AddCA(ctx, bad); fieldOf(err) != "certificate" {
			t.Errorf("AddCA(%.20q) = %v, want a certificate field error", bad, err)
		}
	}
	added, err := s.AddCA(ctx, append(ca, leaf...))
	if err != nil || len(added) != 2 {
		t.Fatalf("AddCA = %v, %v; want 2 added", added, err)
	}
	if again, err := s.AddCA(ctx, ca); err != nil || len(again) != 0 {
		t.Errorf("adding the same certificate again = %v, %v; want nothing added", again, err)
	}
	list, err := s.ListCAs(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("ListCAs = %v, %v", list, err)
	}
	if _, err := s.RemoveCA(ctx, "abc"); fieldOf(err) != "fingerprint" {
		t.Errorf("a 3-character prefix: %v, want a fingerprint field error", err)
	}
	if _, err := s.RemoveCA(ctx, "00000000"); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("unknown fingerprint: %v, want ErrNotFound", err)
	}
	got, err := s.RemoveCA(ctx, strings.ToUpper(list[0].Fingerprint[:12]))
	if err != nil || got.Fingerprint != list[0].Fingerprint {
		t.Fatalf("RemoveCA = %v, %v", got, err)
	}
	st, err := s.ProbeSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := ParseCertificates(st.ExtraRootsPEM)
	if err != nil || len(certs) != 1 || fingerprint(certs[0]) != list[1].Fingerprint {
		t.Errorf("probe settings carry %d certificates (%v), want only the one left", len(certs), err)
	}
	if n, err := v.VerifyAudit(ctx); err != nil || n < 3 {
		t.Errorf("audit: %d entries, %v; want the adds and the removal recorded", n, err)
	}
}

func TestNetworkSettings(t *testing.T) {
	ctx := context.Background()
	s := New(newVault(t))
	def, err := s.Network(ctx)
	if err != nil || def.ConnectTimeoutMS <= 0 || def.TotalTimeoutMS <= 0 || def.ProxyURL != "" {
		t.Fatalf("defaults = %+v, %v", def, err)
	}
	for _, bad := range []struct {
		n     Network
		field string
	}{
		{Network{ConnectTimeoutMS: 10, TotalTimeoutMS: 1000}, "connect_timeout_ms"},
		{Network{ConnectTimeoutMS: 1000, TotalTimeoutMS: 10}, "total_timeout_ms"},
		{Network{ConnectTimeoutMS: 1000, TotalTimeoutMS: 5000, ProxyURL: "proxy.corp.local"}, "proxy_url"},
		{Network{ConnectTimeoutMS: 1000, TotalTimeoutMS: 5000, ProxyURL: "http://user:secret@proxy:3128"}, "proxy_url"},
	} {
		if err := s.SetNetwork(ctx, bad.n); fieldOf(err) != bad.field {
			t.Errorf("SetNetwork(%+v) = %v, want a %s error", bad.n, err, bad.field)
		}
	}
	want := Network{ConnectTimeoutMS: 2000, TotalTimeoutMS: 9000, ProxyURL: "http://proxy.corp.local:3128", NoProxy: ".corp.local"}
	if err := s.SetNetwork(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Network(ctx)
	if got != want {
		t.Errorf("Network = %+v, want %+v", got, want)
	}
	st, _ := s.ProbeSettings(ctx)
	if st.ProxyURL != want.ProxyURL || st.UseEnvProxy || st.ConnectTimeout != 2*time.Second || st.TotalTimeout != 9*time.Second {
		t.Errorf("probe settings = %+v", st)
	}
}
