package flex

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// TestThrottleRegistryForgetsIdleTokens: an app serving many tokens does
// not keep a throttle per token forever, and a token in use keeps its one.
func TestThrottleRegistryForgetsIdleTokens(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 5, 14, 0, 0, 0, time.UTC))
	clk.SetAutoAdvance(true)
	busy := newThrottleKey("busy", clk)
	held, release := acquireThrottle(busy)
	for i := range 1000 {
		thr, done := acquireThrottle(newThrottleKey(fmt.Sprint("token", i), clk))
		if _, err := thr.do(context.Background(), clk, func() error { return nil }); err != nil {
			t.Fatal(err)
		}
		done()
		clk.Advance(2 * time.Minute)
	}
	throttlesMu.Lock()
	n := len(throttles)
	_, kept := throttles[busy]
	throttlesMu.Unlock()
	if n > 200 || !kept {
		t.Errorf("%d throttles kept (busy kept: %v)", n, kept)
	}
	again, done := acquireThrottle(busy)
	if again != held {
		t.Error("a token in use got a second throttle")
	}
	done()
	release()
}

// funcClock is a Clock that cannot be a map key.
type funcClock struct{ now func() time.Time }

func (c funcClock) Now() time.Time { return c.now() }

func (c funcClock) Sleep(ctx context.Context, d time.Duration) error {
	return clock.Real{}.Sleep(ctx, d)
}

func TestThrottleAcceptsAnyClock(t *testing.T) {
	f := newFakeFlex(t)
	c := f.client(t, WithClock(funcClock{now: time.Now}))
	thr, release := acquireThrottle(c.thr)
	defer release()
	if thr == nil {
		t.Fatal("no throttle")
	}
}
