// Package sandbox gives a test a ready *ibkr.Client talking to a local
// ibkrtest sandbox, in one line:
//
//	client, srv := sandbox.NewClient(t)
//
// The client and the sandbox share the sandbox's fake clock, so the
// client signs its assertions on sandbox time, and the clock jumps ahead
// whenever the client waits (verification, deposits, backoff, rate
// limits): a journey that takes days at IBKR finishes in milliseconds.
// The client uses the sandbox's demo credentials, registered with it.
// srv is the control handle (ibkrtest.Server): MicroDeposits, Advance,
// FailNext, Requests and the rest.
//
// The package exists apart from ibkrtest because ibkrtest does not import
// the client (package ibkr), so that it can judge it; nothing in a program
// that does not import this package links it.
package sandbox

import (
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// NewClient starts an in-process sandbox for the test (ibkrtest.NewServer,
// stopped when the test ends) and returns a client ready to talk to it.
// opts are applied after the sandbox's, so they may add a journal, a
// logger or a retry policy, or override anything. It fails the test if the
// client cannot be built.
func NewClient(t testing.TB, opts ...ibkr.Option) (*ibkr.Client, *ibkrtest.Server) {
	t.Helper()
	srv := ibkrtest.NewServer(t)
	c, err := Client(srv, opts...)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	return c, srv
}

// Client returns a client for an already started sandbox, for sandboxes
// started with options (ibkrtest.NewServer(t, ibkrtest.WithTimings(...))).
// If the sandbox runs on a fake clock, the client shares it and the clock
// is switched to advance on its own whenever anyone waits on it
// (FakeClock.SetAutoAdvance); on the wall clock the client uses the wall
// clock too. opts are applied after the sandbox's.
func Client(srv *ibkrtest.Server, opts ...ibkr.Option) (*ibkr.Client, error) {
	base := []ibkr.Option{
		ibkr.WithBaseURL(srv.URL),
		ibkr.WithPrivateKeyPEM(srv.ClientID, srv.KeyID, srv.PrivateKeyPEM),
	}
	if clk := srv.Clock(); clk != nil {
		clk.SetAutoAdvance(true)
		base = append(base, ibkr.WithClock(clk))
	}
	return ibkr.New(append(base, opts...)...)
}

// Start is NewClient outside a test (Example functions, programs): it
// starts a sandbox on a local port and returns a client for it; the caller
// stops the sandbox with srv.Close.
func Start(opts ...ibkr.Option) (*ibkr.Client, *ibkrtest.Server, error) {
	srv, err := ibkrtest.StartServer()
	if err != nil {
		return nil, nil, err
	}
	c, err := Client(srv, opts...)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return c, srv, nil
}
