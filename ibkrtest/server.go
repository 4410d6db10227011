package ibkrtest

import (
	"net/http/httptest"
	"testing"

	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// Server is an in-process sandbox on a local HTTP server, in the spirit of
// net/http/httptest. Its embedded *Sandbox is the control handle.
type Server struct {
	*Sandbox
	// URL is the base URL of the API, e.g. http://127.0.0.1:41234; the
	// token endpoint is URL + TokenPath.
	URL string
	// ClientID and KeyID are the registered demo client and its key id.
	ClientID string
	KeyID    string
	// PrivateKeyPEM is the demo client's private key (PKCS#8 PEM): a
	// public, sandbox-only key, see DemoPrivateKeyPEM.
	PrivateKeyPEM []byte
	// HTTP is the underlying test server.
	HTTP *httptest.Server
}

// NewServer starts a sandbox on a local port and stops it when the test
// ends. It runs on a fake clock starting at DefaultStart (see Clock and
// Advance) unless an option says otherwise, and checks every response it
// sends against the spec, failing t on a mismatch (WithResponseValidation
// switches that off). Starting one costs no key generation and no spec
// parsing.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	s, err := newSandbox(cfg)
	if err != nil {
		t.Fatalf("ibkrtest: %v", err)
	}
	if cfg.validateResponses == nil || *cfg.validateResponses {
		s.validate = true
		s.onInvalid = func(err error) { t.Errorf("ibkrtest: response does not match the spec: %v", err) }
	}
	if _, real := s.clk.(clock.Real); real {
		go s.ticker()
	}
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		hs.Close()
		s.Close()
	})
	return &Server{
		Sandbox:       s,
		URL:           hs.URL,
		ClientID:      DemoClientID,
		KeyID:         DemoKeyID,
		PrivateKeyPEM: []byte(DemoPrivateKeyPEM),
		HTTP:          hs,
	}
}

// TokenURL is the full URL of the token endpoint (a valid client-assertion
// audience).
func (s *Server) TokenURL() string { return s.URL + TokenPath }
