package flex

import (
	"context"
	"crypto/sha256"
	"reflect"
	"sync"
	"time"

	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// throttle keeps one token's requests within IBKR's limit. Requests on a
// token go one at a time; each waits until a second has passed since the
// previous one finished and a minute since the tenth-last one finished.
// Counting from when an answer arrives (not when a request left) keeps
// the spacing IBKR sees at least as wide as the client's, whatever the
// network and clock do in between.
type throttle struct {
	sem  chan struct{}
	done []time.Time // finish times of the last perMinuteRequests requests; guarded by sem

	// Guarded by throttlesMu.
	users int       // requests holding or waiting for the throttle
	last  time.Time // when the last request finished
}

// throttleKey identifies a token (by its hash: the registry never holds
// the token) on a clock.
type throttleKey struct {
	token [sha256.Size]byte
	clk   Clock
}

func newThrottleKey(token string, clk Clock) throttleKey {
	k := throttleKey{token: sha256.Sum256([]byte(token)), clk: clock.Real{}}
	if v := reflect.ValueOf(clk); v.IsValid() && v.Comparable() {
		k.clk = clk // tests on separate fake clocks keep separate limits
	}
	return k
}

// The registry shares one throttle per token among every Client of the
// process. Entries idle for over a minute carry no limit any more and are
// dropped, so an app serving many people's tokens does not grow it
// without bound.
var (
	throttlesMu sync.Mutex
	throttles   = map[throttleKey]*throttle{}
	sweepAt     = 64
)

// acquireThrottle returns the token's throttle, marked in use until
// release is called.
func acquireThrottle(k throttleKey) (*throttle, func()) {
	throttlesMu.Lock()
	defer throttlesMu.Unlock()
	t := throttles[k]
	if t == nil {
		if len(throttles) >= sweepAt {
			sweepThrottles()
			sweepAt = max(64, 2*len(throttles))
		}
		t = &throttle{sem: make(chan struct{}, 1)}
		throttles[k] = t
	}
	t.users++
	return t, func() {
		throttlesMu.Lock()
		t.users--
		t.last = k.clk.Now()
		throttlesMu.Unlock()
	}
}

// sweepThrottles drops throttles nobody uses that finished their last
// request over a minute ago. Called with throttlesMu held.
func sweepThrottles() {
	for k, t := range throttles {
		if t.users == 0 && k.clk.Now().Sub(t.last) > time.Minute {
			delete(throttles, k)
		}
	}
}

// do runs one request when the limit allows it. waited reports the time
// spent waiting for the limit.
func (t *throttle) do(ctx context.Context, clk Clock, fn func() error) (waited time.Duration, err error) {
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	defer func() { <-t.sem }()
	now := clk.Now()
	next := now
	if n := len(t.done); n > 0 {
		next = later(next, t.done[n-1].Add(perRequestSpacing))
		if n == perMinuteRequests {
			next = later(next, t.done[0].Add(time.Minute))
		}
	}
	if d := next.Sub(now); d > 0 {
		if err := clk.Sleep(ctx, d); err != nil {
			return d, err
		}
		waited = d
	}
	err = fn()
	t.done = append(t.done, clk.Now())
	if len(t.done) > perMinuteRequests {
		t.done = append(t.done[:0], t.done[1:]...)
	}
	return waited, err
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
