package ibkr

import (
	"context"
	"sync"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// Concurrent calls through the SDK's own limiter, on the sandbox's fake
// clock in auto-advance mode, never draw a 429 from the sandbox: the client
// paces every endpoint at the sandbox's default rate, so a 429 would be the
// clock and the sandbox's limiter disagreeing, not the client misbehaving.
// The first token fetch holds every caller up: they take their rate tokens
// after it, so they do not send together once it is done.
func TestSandboxAutoAdvanceNoFalse429(t *testing.T) {
	c, srv := amSandbox(t)
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.AccountStatus(context.Background(), ibkrtest.DemoAccountID); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	limited := 0
	for _, r := range srv.Requests() {
		if r.Status == 429 {
			limited++
		}
	}
	if limited != 0 {
		t.Fatalf("%d of %d concurrent calls drew a 429 from the sandbox", limited, len(srv.Requests()))
	}
}
