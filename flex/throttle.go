package flex

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"
)

// throttle keeps one token's requests within IBKR's limit. Requests on a
// token go one at a time; each waits until a second has passed since the
// previous one finished and a minute since the tenth-last one finished.
// Counting from when an answer arrives (not when a request left) keeps
// the spacing IBKR sees at least as wide as the client's, whatever the
// network and clock do in between.
type throttle struct {
	sem  chan struct{}
	done []time.Time // finish times of the last perMinuteRequests requests
}

type throttleKey struct {
	token [sha256.Size]byte
	clk   Clock
}

var (
	throttlesMu sync.Mutex
	throttles   = map[throttleKey]*throttle{}
)

// throttleFor returns the throttle shared by every Client of this process
// using token (on the same clock). Only the token's hash is kept.
func throttleFor(token string, clk Clock) *throttle {
	k := throttleKey{token: sha256.Sum256([]byte(token)), clk: clk}
	throttlesMu.Lock()
	defer throttlesMu.Unlock()
	t := throttles[k]
	if t == nil {
		t = &throttle{sem: make(chan struct{}, 1)}
		throttles[k] = t
	}
	return t
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
		t.done = t.done[1:]
	}
	return waited, err
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
