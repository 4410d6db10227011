package ibkr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"
)

// Waiters poll something asynchronous (an instruction's status, an
// account's status) until it reaches a terminal state, in the style of
// aws-sdk-go-v2 waiters:
//
//   - the first poll is immediate; then each wait is drawn at random
//     between MinDelay and a ceiling that doubles from MinDelay up to
//     MaxDelay (jittered exponential backoff);
//   - the whole wait is bounded by a required maxWait: the last wait is
//     shortened so that one final poll happens at the deadline, after
//     which the waiter gives up with a *WaitTimeoutError (ErrTimeout);
//   - waits run on the client's clock and end early when ctx ends;
//   - every poll is an ordinary request through the client's pipeline, so
//     it respects the rate limits, maintenance windows and retry policy;
//   - a poll failing for a transient reason (5xx, 429, maintenance, a
//     network error) does not end the wait; any other error does;
//   - a callback notification can cut a wait short: with a Notifier in the
//     options (fed by the handler of NewCallbackHandler), a notification
//     about the awaited object wakes the waiter for an immediate poll. The
//     poll, not the notification, decides.
//
// WaitForInstruction and WaitForBankVerification are ready-made waiters;
// NewWaiter builds others.

// Defaults of WaiterOptions.
const (
	// DefaultWaiterMinDelay is the shortest wait between two polls.
	DefaultWaiterMinDelay = 2 * time.Second
	// DefaultWaiterMaxDelay is the longest wait between two polls.
	DefaultWaiterMaxDelay = 2 * time.Minute
)

// WaiterOptions tune a waiter. Zero fields take the defaults.
type WaiterOptions struct {
	// MinDelay is the shortest wait between polls (default
	// DefaultWaiterMinDelay).
	MinDelay time.Duration
	// MaxDelay is the longest wait between polls (default
	// DefaultWaiterMaxDelay); it is raised to MinDelay if smaller.
	MaxDelay time.Duration
	// Notifier, when set, wakes the waiter for an immediate poll whenever
	// it receives a callback notification that Match accepts.
	Notifier *Notifier
	// Match selects the notifications that concern the awaited object.
	// Ready-made waiters set it (for instance to the awaited
	// clientInstructionId); nil with a Notifier means every notification.
	Match func(CallbackEvent) bool
	// Wake, when set, wakes the waiter for an immediate poll on every
	// receive (a lighter alternative to Notifier).
	Wake <-chan struct{}
	// Jitter picks each wait in [min, max]. The default draws uniformly
	// at random; tests may pin it.
	Jitter func(min, max time.Duration) time.Duration
	// OnPoll, when set, is called after every poll with its number
	// (from 1), the value seen and the poll's error.
	OnPoll func(attempt int, value any, err error)
}

func (o WaiterOptions) withDefaults() WaiterOptions {
	if o.MinDelay <= 0 {
		o.MinDelay = DefaultWaiterMinDelay
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = DefaultWaiterMaxDelay
	}
	if o.MaxDelay < o.MinDelay {
		o.MaxDelay = o.MinDelay
	}
	if o.Jitter == nil {
		o.Jitter = uniformJitter
	}
	return o
}

func uniformJitter(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rand.Int64N(int64(hi-lo)+1))
}

// delay is the wait before poll attempt+1 (attempt >= 1).
func (o WaiterOptions) delay(attempt int) time.Duration {
	ceiling := o.MinDelay
	for i := 1; i < attempt && ceiling < o.MaxDelay; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, o.MaxDelay)
	d := o.Jitter(o.MinDelay, ceiling)
	return min(max(d, o.MinDelay), ceiling)
}

// PollFunc is one look at the awaited object. It returns what it saw and
// whether that is a terminal success. A terminal failure (such as an
// instruction REJECTED) is an error; so is a failed request, which ends
// the wait unless it is transient (see Waiter).
type PollFunc[T any] func(ctx context.Context) (value T, done bool, err error)

// Waiter polls a PollFunc until it reports a terminal state, an error, or
// the wait's time runs out. Build one with NewWaiter; a Waiter may be used
// for several waits, one at a time or concurrently.
type Waiter[T any] struct {
	client  *Client
	what    string
	poll    PollFunc[T]
	options WaiterOptions
}

// NewWaiter returns a waiter that polls poll through c (whose clock times
// the waits and whose logger records the attempts). what names the
// awaited object in errors and logs, e.g. "account U1234567 open".
func NewWaiter[T any](c *Client, what string, poll PollFunc[T], optFns ...func(*WaiterOptions)) *Waiter[T] {
	w := &Waiter[T]{client: c, what: what, poll: poll}
	for _, fn := range optFns {
		if fn != nil {
			fn(&w.options)
		}
	}
	return w
}

// transientPollError reports poll failures a waiter rides out: server
// errors, rate limiting, maintenance windows and failed exchanges.
func transientPollError(err error) bool {
	var se *sendError
	switch {
	case errors.As(err, &se):
		return true
	case errors.Is(err, ErrServer), errors.Is(err, ErrRateLimited), errors.Is(err, ErrMaintenance):
		return true
	}
	return false
}

// Wait polls until a terminal state and returns its value, or fails with
// the poll's terminal error, a *WaitTimeoutError after maxWait, or the
// context's error. maxWait is required (a positive duration); optFns
// adjust the waiter's options for this wait only.
func (w *Waiter[T]) Wait(ctx context.Context, maxWait time.Duration, optFns ...func(*WaiterOptions)) (T, error) {
	var zero T
	if maxWait <= 0 {
		return zero, invalid("maxWait", "a positive duration is required")
	}
	if w.poll == nil {
		return zero, invalid("poll", "no poll function")
	}
	o := w.options
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	o = o.withDefaults()
	clk := w.client.clock
	deadline := clk.Now().Add(maxWait)

	var wake <-chan struct{}
	if o.Notifier != nil {
		ch, cancel := o.Notifier.Subscribe(o.Match)
		defer cancel()
		wake = ch
	}

	var last any
	var lastErr error
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return zero, fmt.Errorf("ibkr: waiting for %s: %w", w.what, err)
		}
		v, done, err := w.poll(ctx)
		if o.OnPoll != nil {
			o.OnPoll(attempt, v, err)
		}
		switch {
		case err == nil && done:
			w.client.log.LogAttrs(ctx, levelDebug, "ibkr wait done", attrWhat(w.what), attrAttempt(attempt))
			return v, nil
		case err == nil:
			last, lastErr = v, nil
		case ctx.Err() != nil:
			return zero, fmt.Errorf("ibkr: waiting for %s: %w", w.what, ctx.Err())
		case transientPollError(err):
			lastErr = err
			w.client.log.LogAttrs(ctx, levelInfo, "ibkr wait: poll failed, will retry", attrWhat(w.what), attrAttempt(attempt), attrErr(err))
		default:
			return zero, err
		}
		remaining := deadline.Sub(clk.Now())
		if remaining <= 0 {
			w.client.log.LogAttrs(ctx, levelWarn, "ibkr wait timed out", attrWhat(w.what), attrAttempt(attempt))
			return zero, &WaitTimeoutError{What: w.what, MaxWait: maxWait, Attempts: attempt, Last: last, LastErr: lastErr}
		}
		d := min(o.delay(attempt), remaining)
		w.client.log.LogAttrs(ctx, levelDebug, "ibkr wait: not yet", attrWhat(w.what), attrAttempt(attempt), attrDur("next", d))
		if err := sleepOrWake(ctx, clk, d, wake, o.Wake); err != nil {
			return zero, fmt.Errorf("ibkr: waiting for %s: %w", w.what, err)
		}
	}
}

// sleepOrWake sleeps d on clk, returning early (nil) when either wake
// channel delivers, or with ctx's error when ctx ends.
func sleepOrWake(ctx context.Context, clk Clock, d time.Duration, wakes ...<-chan struct{}) error {
	var a, b <-chan struct{}
	if len(wakes) > 0 {
		a = wakes[0]
	}
	if len(wakes) > 1 {
		b = wakes[1]
	}
	if a == nil && b == nil {
		return clk.Sleep(ctx, d)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-a:
			cancel()
		case <-b:
			cancel()
		case <-sctx.Done():
		}
	}()
	err := clk.Sleep(sctx, d)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	_ = err // woken early
	return nil
}

func attrWhat(s string) slog.Attr { return slog.String("waitingFor", s) }
