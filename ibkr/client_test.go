package ibkr

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestNewRefusesBadInput(t *testing.T) {
	testKeys()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM, _ := x509.MarshalECPrivateKey(ec)
	good := WithCredentials("client-7", "kid-7", key3072)
	cases := []struct {
		name  string
		field string
		opts  []Option
	}{
		{"no credentials", "credentials", nil},
		{"missing client id", "clientID", []Option{WithCredentials("  ", "kid", key3072)}},
		{"missing kid", "keyID", []Option{WithCredentials("client", "", key3072)}},
		{"nil key", "privateKey", []Option{WithCredentials("client", "kid", nil)}},
		{"2048-bit key", "privateKey", []Option{WithCredentials("client", "kid", key2048)}},
		{"1024-bit key even when weak keys allowed", "privateKey", []Option{WithCredentials("client", "kid", key1024), WithAllowWeakKeys()}},
		{"ECDSA key", "privateKey", []Option{WithCredentials("client", "kid", ec)}},
		{"Ed25519 key", "privateKey", []Option{WithCredentials("client", "kid", ed)}},
		{"EC PEM", "privateKey", []Option{WithPrivateKeyPEM("client", "kid", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecPEM}))}},
		{"PKCS#8 EC PEM", "privateKey", []Option{WithPrivateKeyPEM("client", "kid", pkcs8PEM(ec))}},
		{"not PEM", "privateKey", []Option{WithPrivateKeyPEM("client", "kid", []byte("hello"))}},
		{"garbage PKCS#1", "privateKey", []Option{WithPrivateKeyPEM("client", "kid", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte("xx")}))}},
		{"encrypted PEM", "privateKey", []Option{WithPrivateKeyPEM("client", "kid", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte("xx")}))}},
		{"public key PEM", "privateKey", []Option{WithPrivateKeyPEM("client", "kid", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte("xx")}))}},
		{"plain http", "baseURL", []Option{good, WithBaseURL("http://api.example.com")}},
		{"plain http lookalike", "baseURL", []Option{good, WithBaseURL("http://127.0.0.1.example.com")}},
		{"relative URL", "baseURL", []Option{good, WithBaseURL("/gw")}},
		{"ftp", "baseURL", []Option{good, WithBaseURL("ftp://api.ibkr.com")}},
		{"userinfo", "baseURL", []Option{good, WithBaseURL("https://user:pw@api.ibkr.com")}},
		{"query", "baseURL", []Option{good, WithBaseURL("https://api.ibkr.com/?x=1")}},
		{"unknown environment", "environment", []Option{good, WithEnvironment(Environment(9))}},
		{"no environment", "environment", []Option{WithCredentials("client", "kid", key3072)}},
		{"empty scope", "scopes", []Option{good, WithScopes("accounts.read", "")}},
		{"scope with space", "scopes", []Option{good, WithScopes("a b")}},
		{"no scopes", "scopes", []Option{good, WithScopes()}},
		{"zero rate", "rateLimit", []Option{good, WithRateLimit(0, 1)}},
		{"zero burst", "rateLimit", []Option{good, WithRateLimit(10, 0)}},
		{"negative retries", "retryPolicy", []Option{good, WithRetryPolicy(RetryPolicy{MaxAttempts: -1})}},
		{"nil http client", "httpClient", []Option{good, WithHTTPClient(nil)}},
		{"nil logger", "logger", []Option{good, WithLogger(nil)}},
		{"nil clock", "clock", []Option{good, WithClock(nil)}},
		{"nil allocator", "instructionIDs", []Option{good, WithInstructionIDs(nil)}},
		{"bad user agent", "userAgent", []Option{good, WithUserAgent("a\r\nb")}},
		{"empty audience", "audience", []Option{good, WithAudience("")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.opts...)
			wantErr(t, err, ErrInvalidInput)
			if c != nil {
				t.Fatal("client returned with an error")
			}
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tc.field {
				t.Fatalf("error %v: want *InputError on field %q", err, tc.field)
			}
		})
	}
}

func TestNewAccepts(t *testing.T) {
	testKeys()
	cases := []struct {
		name string
		opts []Option
		base string
	}{
		{"production", []Option{WithEnvironment(Production), WithCredentials("c", "k", key3072)}, "https://api.ibkr.com"},
		{"QA", []Option{WithEnvironment(QA), WithCredentials("c", "k", key3072)}, "https://qa.interactivebrokers.com"},
		{"PKCS#1 PEM", []Option{WithEnvironment(Production), WithPrivateKeyPEM("c", "k", pkcs1PEM(key3072))}, "https://api.ibkr.com"},
		{"PKCS#8 PEM", []Option{WithEnvironment(Production), WithPrivateKeyPEM("c", "k", pkcs8PEM(key3072))}, "https://api.ibkr.com"},
		{"weak key allowed", []Option{WithEnvironment(Production), WithCredentials("c", "k", key2048), WithAllowWeakKeys()}, "https://api.ibkr.com"},
		{"loopback http", []Option{WithCredentials("c", "k", key3072), WithBaseURL("http://127.0.0.1:8080/")}, "http://127.0.0.1:8080"},
		{"localhost http", []Option{WithCredentials("c", "k", key3072), WithBaseURL("http://localhost:9/sandbox/")}, "http://localhost:9/sandbox"},
		{"ipv6 loopback", []Option{WithCredentials("c", "k", key3072), WithBaseURL("http://[::1]:8080")}, "http://[::1]:8080"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if c.BaseURL() != tc.base {
				t.Fatalf("base URL %q, want %q", c.BaseURL(), tc.base)
			}
			if c.Raw() == nil {
				t.Fatal("no raw client")
			}
		})
	}
}

func TestKeyErrorsHoldNoKeyMaterial(t *testing.T) {
	testKeys()
	// A PKCS#8 block whose bytes are a PKCS#1 key: the parse fails; the
	// error must not echo the bytes.
	blk := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key3072)})
	_, err := New(WithPrivateKeyPEM("c", "k", blk))
	wantErr(t, err, ErrInvalidInput)
	if strings.Contains(err.Error(), "MII") || len(err.Error()) > 200 {
		t.Fatalf("error looks like it carries key material: %q", err)
	}
}

func TestAllScopes(t *testing.T) {
	s := AllScopes()
	want := []string{"accounts.read", "accounts.write", "bank-instructions.write", "transfers.write", "echo.read", "sso-sessions.write"}
	for _, w := range want {
		found := false
		for _, x := range s {
			found = found || x == w
		}
		if !found {
			t.Errorf("AllScopes lacks %q: %v", w, s)
		}
	}
	for i := 1; i < len(s); i++ {
		if s[i-1] >= s[i] {
			t.Fatalf("not sorted/unique: %v", s)
		}
	}
}

func TestRawRefusesUnknownOperation(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/gw/api/v1/nonsense", nil)
	_, err := rawDo(c, req)
	wantErr(t, err, ErrInvalidInput)
	if f.tokenCount.Load() != 0 || len(f.requests("")) != 0 {
		t.Fatal("a request was sent")
	}
}
