package ibkrtest

import (
	"context"
	"time"

	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// Clock tells the time and waits; WithClock drives a sandbox by one. The
// facade's ibkr.Clock has the same methods, so one clock can drive both a
// sandbox and the client talking to it.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever comes first, and
	// returns ctx.Err() in the latter case.
	Sleep(ctx context.Context, d time.Duration) error
}

// FakeClock is a manual clock for tests. Time moves only through Advance
// and Set, or, with SetAutoAdvance(true), whenever someone sleeps on it:
// the clock jumps to the earliest sleeper's deadline after about a
// millisecond of real time, so a client waiting for hours of IBKR time
// returns almost immediately. Concurrent sleepers wake one deadline at a
// time, in order, so requests paced on this clock reach a sandbox at the
// times they were paced for. Safe for concurrent use.
//
// A sandbox on a fake clock (the default) exposes it with Sandbox.Clock;
// pass it to ibkr.WithClock so that the client signs and waits on the
// sandbox's time.
type FakeClock struct{ f *clock.Fake }

// NewFakeClock returns a fake clock set to start, for WithClock.
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{f: clock.NewFake(start)} }

// Now returns the fake time.
func (c *FakeClock) Now() time.Time { return c.f.Now() }

// Sleep blocks until the fake time reaches now+d or ctx is done; with auto
// advance on, the clock moves there by itself (see FakeClock).
func (c *FakeClock) Sleep(ctx context.Context, d time.Duration) error { return c.f.Sleep(ctx, d) }

// SetAutoAdvance turns auto advance on or off (see FakeClock).
func (c *FakeClock) SetAutoAdvance(on bool) { c.f.SetAutoAdvance(on) }

// Advance moves the clock forward by d and wakes the sleepers that fell
// due. Sandbox.Advance also runs the sandbox's lifecycles; after moving a
// clock directly, the sandbox catches up on its next request or Tick.
func (c *FakeClock) Advance(d time.Duration) { c.f.Advance(d) }

// Set moves the clock to t (forward or back) and wakes due sleepers.
func (c *FakeClock) Set(t time.Time) { c.f.Set(t) }

// AdvanceToNext moves the clock to the earliest sleeper's deadline, wakes
// it, and reports whether there was one.
func (c *FakeClock) AdvanceToNext() bool { return c.f.AdvanceToNext() }

// Sleepers returns how many goroutines are blocked in Sleep.
func (c *FakeClock) Sleepers() int { return c.f.Sleepers() }

// Slept returns the total duration callers have asked to sleep.
func (c *FakeClock) Slept() time.Duration { return c.f.Slept() }
