package ibkr

import (
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// amSandbox starts a sandbox and a client wired to it, both on the
// sandbox's fake clock, which moves forward whenever the client sleeps
// (rate limits, backoff, waiters) so no test waits on the wall clock.
func amSandbox(t testing.TB, opts ...ibkrtest.Option) (*Client, *ibkrtest.Server) {
	t.Helper()
	srv := ibkrtest.NewServer(t, opts...)
	srv.Clock().SetAutoAdvance(true)
	c, err := New(
		WithBaseURL(srv.URL),
		WithPrivateKeyPEM(srv.ClientID, srv.KeyID, srv.PrivateKeyPEM),
		WithClock(srv.Clock()),
		WithAudience(srv.TokenURL()),
		WithLogger(suiteLogger),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

// sandboxDay is the sandbox's current US Eastern calendar date.
func sandboxDay(srv *ibkrtest.Server) time.Time {
	et, _ := time.LoadLocation("America/New_York")
	return srv.Now().In(et)
}
