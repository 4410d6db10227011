package ibkr

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiters holds one token bucket per operation (endpoint). Every attempt,
// retries and resends included, takes a token; after a 429 the endpoint
// pauses until the server's Retry-After. Time comes from the client's
// clock, so a fake clock drives it in tests.
type limiters struct {
	clk   Clock
	limit rate.Limit
	burst int

	mu sync.Mutex
	m  map[string]*endpointLimiter

	// shared, when set (WithStore), replaces the local buckets: every
	// client sharing the store draws from one budget per endpoint.
	shared RateBudget
}

type endpointLimiter struct {
	lim *rate.Limiter

	mu          sync.Mutex
	pausedUntil time.Time
}

func newLimiters(clk Clock, perSecond float64, burst int) *limiters {
	l := rate.Limit(perSecond)
	if math.IsInf(perSecond, 1) {
		l = rate.Inf
	}
	return &limiters{clk: clk, limit: l, burst: burst, m: map[string]*endpointLimiter{}}
}

func (l *limiters) get(op string) *endpointLimiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.m[op]
	if e == nil {
		e = &endpointLimiter{lim: rate.NewLimiter(l.limit, l.burst)}
		l.m[op] = e
	}
	return e
}

// wait blocks until op may send, or ctx ends.
func (l *limiters) wait(ctx context.Context, op string) error {
	e := l.get(op)
	for {
		now := l.clk.Now()
		e.mu.Lock()
		until := e.pausedUntil
		e.mu.Unlock()
		if !now.Before(until) {
			break
		}
		if err := l.clk.Sleep(ctx, until.Sub(now)); err != nil {
			return err
		}
	}
	if l.shared != nil {
		d, err := l.shared.Reserve(ctx, op)
		if err != nil {
			return fmt.Errorf("ibkr: %s: rate budget: %w", op, err)
		}
		if d > 0 {
			return l.clk.Sleep(ctx, d)
		}
		return nil
	}
	now := l.clk.Now()
	r := e.lim.ReserveN(now, 1)
	if !r.OK() {
		return invalid("rateLimit", "burst too small")
	}
	if d := r.DelayFrom(now); d > 0 {
		if err := l.clk.Sleep(ctx, d); err != nil {
			r.CancelAt(l.clk.Now())
			return err
		}
	}
	return nil
}

// pause stops op until the given time (a 429's Retry-After).
func (l *limiters) pause(op string, until time.Time) {
	e := l.get(op)
	e.mu.Lock()
	if until.After(e.pausedUntil) {
		e.pausedUntil = until
	}
	e.mu.Unlock()
}
