package ibkr

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// Throughput under IBKR's rate limit: 1,000 status polls against the
// sandbox, which allows 10 requests per second per endpoint on its clock.
// Client and sandbox share one fake clock, so the 100 s the polls must
// take at 10/s pass in simulated time. The goal: within 5% of 100 s and not
// a single 429.

const (
	ratePolls       = 1000
	rateTheoretical = ratePolls / DefaultRatePerSecond * time.Second // 100 s
)

// ratePollRun is a sandbox and a client on one fake clock, with four ACH
// instructions whose statuses the polls follow.
type ratePollRun struct {
	clk  *clock.Fake    // sequential runs
	lock *lockstepClock // concurrent runs
	srv  *ibkrtest.Server
	c    *Client
	ids  []ID
}

// rateRouting: one ACH instruction per sandbox outcome, and the status
// each has once ACH verification time (one minute here) has passed.
var rateRouting = []struct{ routing, final string }{
	{ibkrtest.RoutingNumberMicroDeposits, "PENDING_VERIFICATION"},
	{ibkrtest.RoutingNumberVerified, "PROCESSED"},
	{ibkrtest.RoutingNumberRejected, "REJECTED"},
	{ibkrtest.RoutingNumberSlow, "PENDING"},
}

// newRatePollRun starts the run on a fake clock with auto-advance, or,
// for concurrent polls, on a lockstep clock.
func newRatePollRun(tb testing.TB, lockstep bool) *ratePollRun {
	tb.Helper()
	r := &ratePollRun{}
	var clk Clock
	if lockstep {
		r.lock = &lockstepClock{now: ibkrtest.DefaultStart, running: 1}
		clk = r.lock
	} else {
		r.clk = clock.NewFake(ibkrtest.DefaultStart)
		r.clk.SetAutoAdvance(true)
		clk = r.clk
	}
	srv := ibkrtest.NewServer(tb, ibkrtest.WithClock(clk), ibkrtest.WithTimings(ibkrtest.Timings{ACHVerification: time.Minute}))
	c, err := New(
		WithBaseURL(srv.URL),
		WithPrivateKeyPEM(srv.ClientID, srv.KeyID, srv.PrivateKeyPEM),
		WithClock(clk),
		WithHTTPClient(srv.HTTP.Client()),
		WithLogger(suiteLogger),
	)
	if err != nil {
		tb.Fatal(err)
	}
	r.srv, r.c = srv, c
	for i, rr := range rateRouting {
		id, err := c.NewInstructionID(bg)
		if err != nil {
			tb.Fatal(err)
		}
		body := fmt.Sprintf(`{"instructionType":"ACH_INSTRUCTION","instruction":{"clientInstructionId":%s,
			"bankInstructionCode":"USACH","achType":"DEBIT_CREDIT","bankInstructionName":"bank %d","currency":"USD",
			"accountId":%q,"clientAccountInfo":{"bankRoutingNumber":%q,"bankAccountNumber":%q,
			"bankName":"Sandbox Bank","bankAccountTypeCode":1}}}`, id, i, ibkrtest.DemoAccountID, rr.routing, secretAccountNumber)
		resp, err := c.Raw().CreateBankInstructionsWithBodyWithResponse(bg, contentTypeJSON, strings.NewReader(body))
		if err != nil {
			noteErr(err)
			tb.Fatal(err)
		}
		if resp.StatusCode() != http.StatusAccepted {
			tb.Fatalf("ACH instruction: HTTP %d", resp.StatusCode())
		}
		r.ids = append(r.ids, id)
	}
	if r.clk != nil {
		r.clk.SetAutoAdvance(false)
	}
	return r
}

// poll reads the status of the i-th instruction.
func (r *ratePollRun) poll(ctx context.Context, i int) (string, error) {
	resp, err := r.c.Raw().GetClientInstructionsWithResponse(ctx, r.ids[i%len(r.ids)])
	if err != nil {
		return "", err
	}
	if resp.JSON200 == nil {
		return "", fmt.Errorf("HTTP %d without a typed answer", resp.StatusCode())
	}
	v, err := resp.JSON200.AsInstructionResponse()
	if err != nil || v.InstructionResult == nil {
		return "", fmt.Errorf("answer is not an instruction response: %v", err)
	}
	return string(v.InstructionResult.InstructionStatus), nil
}

// pollSequential polls ratePolls times from one goroutine; the clock jumps
// forward whenever the client's limiter waits. It returns the simulated
// time the polls took and the last status seen of each instruction.
func (r *ratePollRun) pollSequential(tb testing.TB) (time.Duration, []string) {
	r.clk.SetAutoAdvance(true)
	defer r.clk.SetAutoAdvance(false)
	last := make([]string, len(r.ids))
	start := r.clk.Now()
	for i := range ratePolls {
		st, err := r.poll(bg, i)
		if err != nil {
			noteErr(err)
			tb.Fatalf("poll %d: %v", i, err)
		}
		last[i%len(r.ids)] = st
	}
	return r.clk.Now().Sub(start), last
}

// pollConcurrent polls ratePolls times from workers goroutines sharing
// the client, on a lockstep clock: time stands still while any worker
// runs and moves to the next wake-up once all of them wait, so no request
// is in flight when time moves and the sandbox sees exactly what the
// client's limiter let through.
func (r *ratePollRun) pollConcurrent(tb testing.TB, workers int) time.Duration {
	ls := r.lock
	var next, failed atomic.Int64
	var firstErr atomic.Value
	ls.setRunning(workers)
	start := ls.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			defer ls.exit()
			for {
				i := next.Add(1) - 1
				if i >= ratePolls {
					return
				}
				if _, err := r.poll(bg, int(i)); err != nil {
					noteErr(err)
					firstErr.CompareAndSwap(nil, err)
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		tb.Fatalf("%d polls failed, first: %v", n, firstErr.Load())
	}
	return ls.Now().Sub(start)
}

// lockstepClock is a simulated clock for a known number of goroutines:
// Sleep blocks until every counted goroutine sleeps (or has exited), then
// time jumps to the earliest wake-up.
type lockstepClock struct {
	mu       sync.Mutex
	now      time.Time
	running  int
	sleepers []*lockstepSleeper
}

type lockstepSleeper struct {
	until time.Time
	done  chan struct{}
}

func (c *lockstepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *lockstepClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.mu.Lock()
	s := &lockstepSleeper{until: c.now.Add(d), done: make(chan struct{})}
	c.sleepers = append(c.sleepers, s)
	c.running--
	c.stepLocked()
	c.mu.Unlock()
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, x := range c.sleepers {
			if x == s {
				c.sleepers = append(c.sleepers[:i], c.sleepers[i+1:]...)
				c.running++
				return ctx.Err()
			}
		}
		return nil // woken meanwhile
	}
}

// setRunning sets how many goroutines take part.
func (c *lockstepClock) setRunning(n int) {
	c.mu.Lock()
	c.running = n
	c.mu.Unlock()
}

// exit takes a finished goroutine out.
func (c *lockstepClock) exit() {
	c.mu.Lock()
	c.running--
	c.stepLocked()
	c.mu.Unlock()
}

func (c *lockstepClock) stepLocked() {
	if c.running > 0 || len(c.sleepers) == 0 {
		return
	}
	sort.Slice(c.sleepers, func(i, j int) bool { return c.sleepers[i].until.Before(c.sleepers[j].until) })
	if t := c.sleepers[0].until; t.After(c.now) {
		c.now = t
	}
	kept := c.sleepers[:0]
	for _, s := range c.sleepers {
		if s.until.After(c.now) {
			kept = append(kept, s)
			continue
		}
		close(s.done)
		c.running++
	}
	c.sleepers = kept
}

// check asserts the sandbox saw exactly ratePolls polls, none refused with
// 429, and that they took within 5% of the theoretical time.
func (r *ratePollRun) check(tb testing.TB, elapsed time.Duration) {
	tb.Helper()
	polls := r.srv.RequestsFor("getClientInstructions")
	n429 := 0
	for _, p := range polls {
		if p.Status == http.StatusTooManyRequests {
			n429++
		}
	}
	if len(polls) != ratePolls || n429 != 0 {
		tb.Fatalf("sandbox saw %d polls, %d answered 429; want %d and 0", len(polls), n429, ratePolls)
	}
	if lo, hi := rateTheoretical*95/100, rateTheoretical*105/100; elapsed < lo || elapsed > hi {
		tb.Fatalf("%d polls took %v of simulated time; want within 5%% of %v", ratePolls, elapsed, rateTheoretical)
	}
	// No one-second window of sandbox time held more than 10 polls.
	for i := 10; i < len(polls); i++ {
		if polls[i].Time.Sub(polls[i-10].Time) < time.Second {
			tb.Fatalf("polls %d..%d within %v", i-10, i, polls[i].Time.Sub(polls[i-10].Time))
		}
	}
}

func TestPoll1000UnderRateLimit(t *testing.T) {
	r := newRatePollRun(t, false)
	elapsed, last := r.pollSequential(t)
	r.check(t, elapsed)
	for i, rr := range rateRouting {
		if last[i] != rr.final {
			t.Errorf("instruction %d (routing %s) last polled %s, want %s", i, rr.routing, last[i], rr.final)
		}
	}
	t.Logf("%d sequential polls: %v simulated (theoretical %v)", ratePolls, elapsed, rateTheoretical)
}

func TestPoll1000UnderRateLimitConcurrent(t *testing.T) {
	r := newRatePollRun(t, true)
	elapsed := r.pollConcurrent(t, 8)
	r.check(t, elapsed)
	t.Logf("%d polls from 8 goroutines: %v simulated (theoretical %v)", ratePolls, elapsed, rateTheoretical)
}

// BenchmarkPoll1000RateLimited: the wall-clock cost of 1,000 polls
// through the limiter against the sandbox (one op = 1,000 polls), and the
// simulated time they took (sim-s/op; the goal is 100 ± 5).
func BenchmarkPoll1000RateLimited(b *testing.B) {
	var sim time.Duration
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		r := newRatePollRun(b, false)
		b.StartTimer()
		elapsed, _ := r.pollSequential(b)
		b.StopTimer()
		r.check(b, elapsed)
		b.StartTimer()
		sim += elapsed
		n++
	}
	b.ReportMetric(sim.Seconds()/float64(n), "sim-s/op")
}
