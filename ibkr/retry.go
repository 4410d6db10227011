package ibkr

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Everything about retrying lives in this file: the policy, its
// overrides (per client, per operation, per call), the budget, the loop
// that retries read-only requests, and the rules for state-changing
// requests, which are never retried blindly: the pipeline reconciles them
// (reconcile.go, bounded by MaxResends) and a funding call refused by a
// rate limit is resumed (looked up first) at most maxThrottledResumes
// times, waiting throttledWait in between.

// RetryPolicy says when and how the client retries.
//
// Only requests that change nothing at IBKR are retried: GETs, read-only
// queries and the token request, after a network error or an HTTP 429,
// 502, 503 or 504. State-changing requests (instructions that move money,
// account changes) are never resent blindly; see Reconciliation in
// the package documentation.
//
// Waits use exponential backoff with full jitter: before retry n the client
// sleeps a random time in [0, min(MaxDelay, BaseDelay·2^(n-1))], or the
// server's Retry-After if that is longer. A client-wide budget bounds the
// extra traffic an outage can cause: each retry spends one token, each
// request that succeeds without retrying earns BudgetRatio tokens back, up
// to Budget.
//
// Zero fields take the defaults of DefaultRetryPolicy.
type RetryPolicy struct {
	// MaxAttempts bounds the attempts of one request, the first included
	// (default 4; 1 turns retries off).
	MaxAttempts int
	// BaseDelay is the backoff before the first retry (default 250ms).
	BaseDelay time.Duration
	// MaxDelay caps the backoff (default 8s).
	MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for; a
	// longer one ends the retries and the error carries it (default 60s).
	MaxRetryAfter time.Duration
	// MaxResends bounds how often a state-changing request is resent with
	// its same clientInstructionId after reconciliation found that IBKR
	// never received it (default 2).
	MaxResends int
	// Budget is the client-wide number of retry tokens (default 20).
	Budget int
	// BudgetRatio is the tokens earned back per request that succeeded at
	// its first attempt (default 0.1).
	BudgetRatio float64
	// Jitter picks the actual wait in [0, max]. The default draws
	// uniformly at random; tests may return max for a fixed schedule.
	Jitter func(max time.Duration) time.Duration
}

// DefaultRetryPolicy returns the policy used when none is given.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:   4,
		BaseDelay:     250 * time.Millisecond,
		MaxDelay:      8 * time.Second,
		MaxRetryAfter: 60 * time.Second,
		MaxResends:    2,
		Budget:        20,
		BudgetRatio:   0.1,
		Jitter:        fullJitter,
	}
}

func fullJitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(max) + 1))
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 0:
		return invalid("retryPolicy", "MaxAttempts must not be negative")
	case p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxRetryAfter < 0:
		return invalid("retryPolicy", "delays must not be negative")
	case p.MaxResends < 0:
		return invalid("retryPolicy", "MaxResends must not be negative")
	case p.Budget < 0 || p.BudgetRatio < 0:
		return invalid("retryPolicy", "budget must not be negative")
	}
	return nil
}

// withDefaults fills zero fields from DefaultRetryPolicy.
func (p RetryPolicy) withDefaults() RetryPolicy { return p.over(DefaultRetryPolicy()) }

// over fills p's zero fields from outer, the policy p overrides.
func (p RetryPolicy) over(outer RetryPolicy) RetryPolicy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = outer.MaxAttempts
	}
	if p.BaseDelay == 0 {
		p.BaseDelay = outer.BaseDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = outer.MaxDelay
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	if p.MaxRetryAfter == 0 {
		p.MaxRetryAfter = outer.MaxRetryAfter
	}
	if p.MaxResends == 0 {
		p.MaxResends = outer.MaxResends
	}
	if p.Budget == 0 {
		p.Budget = outer.Budget
	}
	if p.BudgetRatio == 0 {
		p.BudgetRatio = outer.BudgetRatio
	}
	if p.Jitter == nil {
		p.Jitter = outer.Jitter
	}
	return p
}

// policyFor returns the retry policy of one call of operation opID: the
// call's own (WithCallRetry) over the operation's (WithOperationRetry)
// over the client's (WithRetryPolicy). Without overrides it is the
// client's own value: no copy per call.
// A call's own policy is checked here, before anything is sent.
func (c *Client) policyFor(opID string, call *RetryPolicy) (*RetryPolicy, error) {
	p := &c.retry
	if len(c.opRetry) > 0 {
		if op, ok := c.opRetry[opID]; ok {
			p = op
		}
	}
	if call != nil {
		if err := call.validate(); err != nil {
			return nil, err
		}
		m := call.over(*p)
		return &m, nil
	}
	return p, nil
}

// backoff is the wait before retry n (n >= 1), without Retry-After.
func (p RetryPolicy) backoff(n int) time.Duration {
	ceiling := p.BaseDelay
	for i := 1; i < n && ceiling < p.MaxDelay; i++ {
		ceiling *= 2
	}
	if ceiling > p.MaxDelay {
		ceiling = p.MaxDelay
	}
	d := p.Jitter(ceiling)
	if d < 0 {
		d = 0
	}
	if d > ceiling {
		d = ceiling
	}
	return d
}

// sendRetrying sends a request that changes nothing, retrying network
// errors and 429/502/503/504 per the retry policy and budget.
func (c *Client) sendRetrying(ctx context.Context, o *outgoing) (*http.Response, error) {
	for attempt := 1; ; attempt++ {
		resp, err := c.roundTrip(ctx, o, attempt)
		var final error
		var retryAfter time.Duration
		switch {
		case err != nil:
			var se *sendError
			if !errors.As(err, &se) || ctx.Err() != nil {
				return nil, err
			}
			final = err
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			if attempt == 1 {
				c.budget.earn()
			}
			return resp, nil
		default:
			apiErr := c.readError(o, resp)
			if !retryableStatus(apiErr.StatusCode) {
				return nil, apiErr
			}
			final, retryAfter = apiErr, apiErr.RetryAfter
		}
		if attempt >= o.policy.MaxAttempts {
			return nil, final
		}
		if retryAfter > o.policy.MaxRetryAfter {
			c.log.LogAttrs(ctx, levelWarn, "ibkr not retrying: Retry-After too long", attrOp(o.op.ID), attrDur("retryAfter", retryAfter))
			return nil, final
		}
		if !c.budget.spend() {
			c.log.LogAttrs(ctx, levelWarn, "ibkr retry budget exhausted", attrOp(o.op.ID))
			return nil, final
		}
		wait := max(o.policy.backoff(attempt), retryAfter)
		o.stats.retries++
		c.log.LogAttrs(ctx, levelWarn, "ibkr retrying", attrOp(o.op.ID), attrAttempt(attempt), attrDur("wait", wait), attrErr(final))
		if err := c.clock.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%w (retry abandoned: %w)", final, err)
		}
	}
}

// maxThrottledResumes bounds how often a state-changing request refused
// with 429 (or whose settling lookup was) is resumed: each time the id is
// looked up first, and the request sent again, with the same id, only if
// IBKR never received it.
const maxThrottledResumes = 8

// throttled reports a request refused by a rate limit before IBKR acted
// on it: a 429 answer, or an outcome left unknown only because the
// lookup meant to settle it was itself rate limited.
func throttled(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusTooManyRequests {
		var ou *OutcomeUnknownError
		if !errors.As(err, &ou) {
			return true
		}
	}
	var ou *OutcomeUnknownError
	return errors.As(err, &ou) && errors.Is(ou.LookupErr, ErrRateLimited) && !ou.ClientInstructionID.IsZero()
}

// throttledWait is the wait before resuming a state-changing request for
// the n-th time after a rate limit refused it: the policy's backoff.
func (p RetryPolicy) throttledWait(n int) time.Duration { return p.backoff(n) }

// retryableStatus: the statuses a read-only request is retried on.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryBudget is the client-wide token bucket of retries.
type retryBudget struct {
	mu     sync.Mutex
	tokens float64
	max    float64
	ratio  float64
}

func newRetryBudget(p RetryPolicy) *retryBudget {
	return &retryBudget{tokens: float64(p.Budget), max: float64(p.Budget), ratio: p.BudgetRatio}
}

// spend takes one token for a retry and reports whether there was one.
func (b *retryBudget) spend() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// earn credits a request that succeeded at its first attempt.
func (b *retryBudget) earn() {
	b.mu.Lock()
	b.tokens += b.ratio
	if b.tokens > b.max {
		b.tokens = b.max
	}
	b.mu.Unlock()
}

// parseRetryAfter reads a Retry-After header: delta seconds or an HTTP
// date. Zero when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
