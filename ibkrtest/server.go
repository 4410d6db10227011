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
//
// For a client already wired to it (shared clock that advances whenever
// the client waits, demo credentials), use package ibkrtest/sandbox:
// client, srv := sandbox.NewClient(t).
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	srv, err := startServer(opts, func(err error) { t.Errorf("ibkrtest: response does not match the spec: %v", err) })
	if err != nil {
		t.Fatalf("ibkrtest: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// StartServer is NewServer outside a test (examples, programs): the caller
// stops it with Close. A response that does not match the spec is logged
// through WithLogger instead of failing a test.
func StartServer(opts ...Option) (*Server, error) {
	return startServer(opts, nil)
}

func startServer(opts []Option, onInvalid func(error)) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	s, err := newSandbox(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.validateResponses == nil || *cfg.validateResponses {
		s.validate = true
		s.onInvalid = onInvalid
		if onInvalid == nil {
			s.onInvalid = func(err error) { s.logger.Error("ibkrtest: response does not match the spec", "err", err) }
		}
	}
	if _, real := s.clk.(clock.Real); real {
		go s.ticker()
	}
	hs := httptest.NewServer(s)
	return &Server{
		Sandbox:       s,
		URL:           hs.URL,
		ClientID:      DemoClientID,
		KeyID:         DemoKeyID,
		PrivateKeyPEM: []byte(DemoPrivateKeyPEM),
		HTTP:          hs,
	}, nil
}

// Close stops the HTTP server and the sandbox. It is safe to call more
// than once.
func (s *Server) Close() {
	s.HTTP.Close()
	s.Sandbox.Close()
}

// TokenURL is the full URL of the token endpoint (a valid client-assertion
// audience).
func (s *Server) TokenURL() string { return s.URL + TokenPath }
