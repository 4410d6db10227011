// Package clock abstracts time so that the facade's retries, token expiry,
// waiters and maintenance windows, and the sandbox's lifecycles, can be
// driven by tests without sleeping.
package clock

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock tells the time and waits.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever comes first, and
	// returns ctx.Err() in the latter case.
	Sleep(ctx context.Context, d time.Duration) error
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Sleep waits on a timer.
func (Real) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Fake is a manual clock. Time moves only through Advance or Set, or, when
// AutoAdvance is on, whenever someone sleeps. Safe for concurrent use.
type Fake struct {
	mu        sync.Mutex
	now       time.Time
	auto      bool
	advancing bool
	sleepers  []*sleeper
	slept     time.Duration
}

// autoGrace is how long (in real time) an auto-advancing clock stands still
// after waking a sleeper before it moves on to the next deadline, so that
// the woken goroutine acts (sends its request, reads the time) at its own
// deadline rather than at a later sleeper's.
const autoGrace = time.Millisecond

type sleeper struct {
	until time.Time
	done  chan struct{}
}

// NewFake returns a Fake clock set to start.
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

// SetAutoAdvance makes the clock move forward by itself whenever someone
// sleeps, instead of waiting for Advance: pending sleepers are woken one
// deadline at a time, earliest first, the clock jumping to each deadline
// (never backwards, never by the sum of concurrent sleeps), with a short
// real-time pause between deadlines. Concurrent sleepers therefore wake in
// the order and at the fake times they asked for, so a rate limiter paced
// on this clock and one reading it on the other side of a connection agree.
// Useful for simulating long schedules instantly.
func (f *Fake) SetAutoAdvance(on bool) {
	f.mu.Lock()
	f.auto = on
	f.startAdvancerLocked()
	f.mu.Unlock()
}

// startAdvancerLocked starts the goroutine that moves an auto-advancing
// clock to its sleepers' deadlines, unless it runs already or nobody sleeps.
func (f *Fake) startAdvancerLocked() {
	if !f.auto || f.advancing || len(f.sleepers) == 0 {
		return
	}
	f.advancing = true
	go f.advance()
}

// advance wakes the earliest sleeper after a grace period, until no
// sleeper is left or auto-advance is switched off.
func (f *Fake) advance() {
	for {
		time.Sleep(autoGrace)
		f.mu.Lock()
		if !f.auto || len(f.sleepers) == 0 {
			f.advancing = false
			f.mu.Unlock()
			return
		}
		first := f.sleepers[0].until
		for _, s := range f.sleepers[1:] {
			if s.until.Before(first) {
				first = s.until
			}
		}
		if first.After(f.now) {
			f.now = first
		}
		f.wakeLocked()
		f.mu.Unlock()
	}
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Slept returns the total duration callers have asked to sleep.
func (f *Fake) Slept() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.slept
}

// Sleep blocks until the fake time reaches now+d (or ctx is done).
func (f *Fake) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	if d > 0 {
		f.slept += d
	}
	if d <= 0 {
		f.mu.Unlock()
		return nil
	}
	s := &sleeper{until: f.now.Add(d), done: make(chan struct{})}
	f.sleepers = append(f.sleepers, s)
	f.startAdvancerLocked()
	f.mu.Unlock()
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Advance moves the clock forward by d and wakes due sleepers.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.wakeLocked()
	f.mu.Unlock()
}

// Set moves the clock to t (forward or back) and wakes due sleepers.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.now = t
	f.wakeLocked()
	f.mu.Unlock()
}

// Sleepers returns how many goroutines are blocked in Sleep.
func (f *Fake) Sleepers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sleepers)
}

// AdvanceToNext moves the clock to the earliest pending sleeper's deadline,
// wakes it, and reports whether there was one.
func (f *Fake) AdvanceToNext() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sleepers) == 0 {
		return false
	}
	sort.Slice(f.sleepers, func(i, j int) bool { return f.sleepers[i].until.Before(f.sleepers[j].until) })
	if f.sleepers[0].until.After(f.now) {
		f.now = f.sleepers[0].until
	}
	f.wakeLocked()
	return true
}

func (f *Fake) wakeLocked() {
	kept := f.sleepers[:0]
	for _, s := range f.sleepers {
		if !s.until.After(f.now) {
			close(s.done)
		} else {
			kept = append(kept, s)
		}
	}
	f.sleepers = kept
}
