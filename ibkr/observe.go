package ibkr

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// CallObserver receives one event at the start and one at the end of every
// call the client makes: facade calls, Raw() calls, and the client's own
// token requests and reconciliation lookups (each is a call of its own).
// It is the hook tracing and metrics attach to (an OpenTelemetry adapter
// lives in its own package, so that programs not using it do not link
// it). Implementations must be safe for concurrent use and quick: they
// run on the caller's goroutine. Events never carry a secret: no header,
// body, token or key.
type CallObserver interface {
	// CallStart is called before anything of the call is sent. The
	// returned context is the call's from then on (a tracer puts its span
	// into it); return ctx to leave it as it is.
	CallStart(ctx context.Context, operationID string) context.Context
	// CallEnd is called once the call's result is known, with the context
	// CallStart returned.
	CallEnd(ctx context.Context, ev CallEvent)
}

// CallEvent describes one finished call.
type CallEvent struct {
	// OperationID is the spec's operationId, e.g. "createExternalCashTransfers".
	OperationID string
	// ClientInstructionID is the id of a single-instruction request, zero
	// if it has none.
	ClientInstructionID ID
	// StatusCode is the HTTP status of the last answer received, 0 if none
	// arrived. A reconciled call reports the status of the synthesized
	// answer.
	StatusCode int
	// Attempts counts the HTTP requests sent for the call (retries,
	// resends after reconciliation and the resend after a token refresh
	// included).
	Attempts int
	// Retries counts the retries of a read-only call.
	Retries int
	// Resends counts the resends of a state-changing call, with its same
	// clientInstructionId, after reconciliation found IBKR never received
	// it.
	Resends int
	// Throttled counts the 429 Too Many Requests answers received during
	// the call (each one is waited out and the request sent again).
	Throttled int
	// RateLimitWait is the time spent waiting for the client's rate limiter.
	RateLimitWait time.Duration
	// Resumed reports a call made with WithResume.
	Resumed bool
	// Reconciled reports an answer recovered by looking the id up
	// (see Reconciled).
	Reconciled bool
	// OutcomeUnknown reports a state-changing call that may or may not have
	// taken effect (ErrOutcomeUnknown).
	OutcomeUnknown bool
	// Duration is the call's time, from CallStart to CallEnd, on the
	// client's clock.
	Duration time.Duration
	// Err is the call's error, nil on success. Errors of this package
	// carry no secrets.
	Err error
}

// callStats is what the pipeline counts about a call for its CallEvent.
type callStats struct {
	status        int
	attempts      int
	retries       int
	resends       int
	throttled     int
	rateLimitWait time.Duration
}

// observeStart reports the start of o's call.
func (c *Client) observeStart(ctx context.Context, o *outgoing) (context.Context, time.Time) {
	start := c.clock.Now()
	if nctx := c.observer.CallStart(ctx, o.op.ID); nctx != nil {
		ctx = nctx
	}
	return ctx, start
}

// observeEnd reports the end of o's call.
func (c *Client) observeEnd(ctx context.Context, o *outgoing, start time.Time, resp *http.Response, err error) {
	ev := CallEvent{
		OperationID:    o.op.ID,
		StatusCode:     o.stats.status,
		Attempts:       o.stats.attempts,
		Retries:        o.stats.retries,
		Resends:        o.stats.resends,
		Throttled:      o.stats.throttled,
		RateLimitWait:  o.stats.rateLimitWait,
		Resumed:        o.resume,
		Reconciled:     Reconciled(resp),
		OutcomeUnknown: errors.Is(err, ErrOutcomeUnknown),
		Duration:       c.clock.Now().Sub(start),
		Err:            err,
	}
	if o.ids.hasSingle {
		ev.ClientInstructionID = o.ids.single
	}
	if resp != nil {
		ev.StatusCode = resp.StatusCode
	}
	c.observer.CallEnd(ctx, ev)
}

// limitWait waits for the rate limiter, timing the wait when a
// CallObserver wants it.
func (c *Client) limitWait(ctx context.Context, o *outgoing) error {
	if c.observer == nil {
		return c.limits.wait(ctx, o.op.ID)
	}
	start := c.clock.Now()
	err := c.limits.wait(ctx, o.op.ID)
	o.stats.rateLimitWait += c.clock.Now().Sub(start)
	return err
}
