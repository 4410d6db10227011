package ibkr

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RetryPolicy says when and how the client retries.
//
// Only requests that change nothing at IBKR are retried: GETs, read-only
// queries and the token request, after a network error or an HTTP 429,
// 502, 503 or 504. State-changing requests (instructions that move money,
// account changes) are never resent blindly; see the reconciliation
// contract in reconcile.go.
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
