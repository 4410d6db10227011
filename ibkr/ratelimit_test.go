package ibkr

import (
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLimiterBurstOf100 fires 100 concurrent calls at one endpoint and
// checks, on the fake clock, that no one-second window holds more than the
// configured 10 requests, and that the limiter does not throttle more than
// it must.
func TestLimiterBurstOf100(t *testing.T) {
	f := newFake(t)
	f.clk.SetAutoAdvance(false)
	c := f.newClient(WithRateLimit(10, 1))
	const n = 100
	var done atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer done.Add(1)
			if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
				errs <- err
			}
		}()
	}
	// Move time only when every unfinished call is asleep on the limiter.
	for done.Load() < n {
		spinUntil(t, "all calls to wait or finish", func() bool {
			return int64(f.clk.Sleepers()) == n-done.Load()
		})
		if done.Load() < n {
			f.clk.AdvanceToNext()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		noteErr(err)
		t.Fatal(err)
	}
	reqs := f.requests("listEchoHttps")
	if len(reqs) != n {
		t.Fatalf("%d requests", len(reqs))
	}
	at := make([]time.Time, n)
	for i, r := range reqs {
		at[i] = r.at
	}
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	// x/time/rate computes delays in float64: allow nanosecond rounding.
	const slack = time.Microsecond
	for i := 0; i+10 < n; i++ {
		if w := at[i+10].Sub(at[i]); w < time.Second-slack {
			t.Fatalf("11 requests within %v (requests %d..%d)", w, i, i+10)
		}
	}
	if span := at[n-1].Sub(at[0]); span < 9900*time.Millisecond-slack || span > 9900*time.Millisecond+slack {
		t.Fatalf("100 requests spread over %v, want 9.9s at 10/s", span)
	}
}

func TestLimiterIsPerEndpoint(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithRateLimit(1, 1))
	for i := 0; i < 2; i++ {
		if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Raw().GetInstructionsWithResponse(bg, NewID(1)); err != nil {
			t.Fatal(err)
		}
	}
	e, g := f.requests("listEchoHttps"), f.requests("getInstructions")
	if e[1].at.Sub(e[0].at) != time.Second || g[1].at.Sub(g[0].at) != time.Second {
		t.Fatalf("each endpoint at 1/s: echo gap %v, instructions gap %v", e[1].at.Sub(e[0].at), g[1].at.Sub(g[0].at))
	}
	if g[0].at.Sub(e[0].at) != 0 {
		t.Fatalf("a call to another endpoint waited %v", g[0].at.Sub(e[0].at))
	}
}

func TestLimiterDisabledWithInf(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithRateLimit(math.Inf(1), 1))
	for i := 0; i < 20; i++ {
		if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
			t.Fatal(err)
		}
	}
	if f.clk.Slept() != 0 {
		t.Fatalf("slept %v without a limit", f.clk.Slept())
	}
}
