package ibkr

import (
	"context"
	"errors"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// waiterClient is a client that only lends its clock and logger to
// waiters with hand-written poll functions.
func waiterClient(t testing.TB, clk Clock) *Client {
	t.Helper()
	c, err := New(WithBaseURL("http://127.0.0.1:1"), WithCredentials("client", "kid", testKey()), WithClock(clk), WithLogger(suiteLogger))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func waiterMaxJitter(_, hi time.Duration) time.Duration { return hi }

func TestWaiterBackoffClampedToMaxWait(t *testing.T) {
	clk := clock.NewFake(harnessStart)
	clk.SetAutoAdvance(true)
	c := waiterClient(t, clk)
	var at []time.Duration
	w := NewWaiter(c, "nothing", func(ctx context.Context) (int, bool, error) {
		at = append(at, clk.Now().Sub(harnessStart))
		return len(at), false, nil
	}, func(o *WaiterOptions) { o.MinDelay, o.MaxDelay, o.Jitter = time.Second, 8*time.Second, waiterMaxJitter })
	_, err := w.Wait(context.Background(), 30*time.Second)
	wantErr(t, err, ErrTimeout)
	// Waits 1, 2, 4, 8, 8, then the rest (7 s) to poll once at the deadline.
	want := []time.Duration{0, 1, 3, 7, 15, 23, 30}
	if len(at) != len(want) {
		t.Fatalf("polled at %v", at)
	}
	for i := range want {
		if at[i] != want[i]*time.Second {
			t.Fatalf("poll %d at %s, want %ds (all: %v)", i, at[i], want[i], at)
		}
	}
	var te *WaitTimeoutError
	if !errors.As(err, &te) || te.Attempts != 7 || te.Last != 7 || te.MaxWait != 30*time.Second || te.What != "nothing" {
		t.Fatalf("timeout error = %#v", err)
	}
}

func TestWaiterJitterStaysInBounds(t *testing.T) {
	o := WaiterOptions{MinDelay: time.Second, MaxDelay: time.Minute}.withDefaults()
	for attempt := 1; attempt < 12; attempt++ {
		ceiling := min(time.Second<<(attempt-1), time.Minute)
		for range 50 {
			if d := o.delay(attempt); d < time.Second || d > ceiling {
				t.Fatalf("attempt %d: delay %s outside [1s, %s]", attempt, d, ceiling)
			}
		}
	}
	// A jitter returning nonsense is clamped.
	o.Jitter = func(_, _ time.Duration) time.Duration { return -time.Hour }
	if d := o.delay(3); d != time.Second {
		t.Fatalf("clamped delay = %s", d)
	}
}

func TestWaiterDefaultsAndBadInput(t *testing.T) {
	c := waiterClient(t, clock.NewFake(harnessStart))
	w := NewWaiter(c, "x", func(context.Context) (int, bool, error) { return 0, true, nil })
	_, err := w.Wait(context.Background(), 0)
	wantErr(t, err, ErrInvalidInput)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "maxWait" {
		t.Fatalf("error = %#v", err)
	}
	_, err = NewWaiter[int](c, "x", nil).Wait(context.Background(), time.Second)
	wantErr(t, err, ErrInvalidInput)
	o := WaiterOptions{MinDelay: time.Minute, MaxDelay: time.Second}.withDefaults()
	if o.MaxDelay != time.Minute {
		t.Fatalf("MaxDelay below MinDelay not raised: %+v", o)
	}
	if d := (WaiterOptions{}).withDefaults(); d.MinDelay != DefaultWaiterMinDelay || d.MaxDelay != DefaultWaiterMaxDelay {
		t.Fatalf("defaults = %+v", d)
	}
}

func TestWaiterRidesOutTransientErrors(t *testing.T) {
	clk := clock.NewFake(harnessStart)
	clk.SetAutoAdvance(true)
	c := waiterClient(t, clk)
	errs := []error{
		&APIError{StatusCode: 503, Message: "busy"},
		&APIError{StatusCode: 429},
		&MaintenanceError{},
		&sendError{op: "x", err: errors.New("connection reset"), sent: true},
	}
	n := 0
	var failed int
	w := NewWaiter(c, "flaky", func(context.Context) (string, bool, error) {
		n++
		if n <= len(errs) {
			return "", false, errs[n-1]
		}
		return "ready", true, nil
	}, func(o *WaiterOptions) {
		o.OnPoll = func(attempt int, v any, err error) {
			if err != nil {
				failed++
			}
		}
	})
	v, err := w.Wait(context.Background(), time.Hour)
	if err != nil || v != "ready" || n != 5 || failed != 4 {
		t.Fatalf("Wait = %q, %v after %d polls (%d failed)", v, err, n, failed)
	}
	// A definite error ends the wait at once.
	n = 0
	w2 := NewWaiter(c, "gone", func(context.Context) (string, bool, error) {
		n++
		return "", false, &APIError{StatusCode: 404}
	})
	_, err = w2.Wait(context.Background(), time.Hour)
	wantErr(t, err, ErrNotFound)
	if n != 1 {
		t.Fatalf("polled %d times after a 404", n)
	}
}

func TestWaiterTimeoutCarriesLastTransientError(t *testing.T) {
	clk := clock.NewFake(harnessStart)
	clk.SetAutoAdvance(true)
	c := waiterClient(t, clk)
	w := NewWaiter(c, "down", func(context.Context) (string, bool, error) {
		return "", false, &APIError{StatusCode: 500, Message: "down"}
	})
	_, err := w.Wait(context.Background(), time.Minute)
	wantErr(t, err, ErrTimeout)
	var te *WaitTimeoutError
	if !errors.As(err, &te) || te.LastErr == nil || errors.Is(err, ErrServer) {
		t.Fatalf("error = %#v", err)
	}
}

func TestWaiterContextCancelled(t *testing.T) {
	clk := clock.NewFake(harnessStart) // no auto-advance: the sleep blocks
	c := waiterClient(t, clk)
	ctx, cancel := context.WithCancel(context.Background())
	polled := make(chan struct{}, 1)
	w := NewWaiter(c, "never", func(context.Context) (int, bool, error) {
		polled <- struct{}{}
		return 0, false, nil
	})
	done := make(chan error, 1)
	go func() {
		_, err := w.Wait(ctx, time.Hour)
		done <- err
	}()
	<-polled
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v", err)
	}
}

func TestWaiterWokenByNotifier(t *testing.T) {
	clk := clock.NewFake(harnessStart) // time stands still: only a notification can end the sleep
	c := waiterClient(t, clk)
	n := NewNotifier()
	cid := NewID(42)
	var polls atomic.Int32
	polled := make(chan struct{}, 4)
	w := NewWaiter(c, "instruction 42", func(context.Context) (int32, bool, error) {
		k := polls.Add(1)
		polled <- struct{}{}
		return k, k >= 2, nil
	}, func(o *WaiterOptions) {
		o.MinDelay, o.Notifier, o.Match = time.Hour, n, MatchInstruction(cid, InstructionID{ID: ID{}})
	})
	done := make(chan error, 1)
	go func() {
		_, err := w.Wait(context.Background(), 24*time.Hour)
		done <- err
	}()
	<-polled
	// A notification about another instruction does not wake it...
	_ = n.Notify(context.Background(), CallbackEvent{Kind: CallbackFunding, Instruction: &InstructionEvent{ClientInstructionID: NewID(7), InstructionStatus: "PROCESSED"}})
	// ...one about this instruction does.
	_ = n.Notify(context.Background(), CallbackEvent{Kind: CallbackFunding, Instruction: &InstructionEvent{ClientInstructionID: cid, InstructionStatus: "PROCESSED"}})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if polls.Load() != 2 || !clk.Now().Equal(harnessStart) {
		t.Fatalf("%d polls, clock moved to %s", polls.Load(), clk.Now())
	}
	if n.Waiting() != 0 {
		t.Fatalf("%d subscriptions left", n.Waiting())
	}
}

func TestNotifierMatchersAndNext(t *testing.T) {
	var passed int
	n := NewNotifier(func(context.Context, CallbackEvent) error { passed++; return errors.New("next failed") })
	acct, stopA := n.Subscribe(MatchAccount("U1234567"))
	defer stopA()
	all, stopAll := n.Subscribe(nil)
	err := n.Notify(context.Background(), CallbackEvent{AccountID: "U1234567"})
	if err == nil || passed != 1 {
		t.Fatalf("next not called or its error lost: %v, %d", err, passed)
	}
	_ = n.Notify(context.Background(), CallbackEvent{AccountID: "U1234567"}) // coalesced
	if len(acct) != 1 || len(all) != 1 {
		t.Fatalf("pending signals %d, %d", len(acct), len(all))
	}
	stopAll()
	stopAll()
	if n.Waiting() != 1 {
		t.Fatalf("Waiting = %d", n.Waiting())
	}
	if MatchInstruction(NewID(1), InstructionID{ID: ID{}})(CallbackEvent{}) || !MatchInstruction(ID{}, InstructionID{ID: NewID(9)})(CallbackEvent{Instruction: &InstructionEvent{InstructionID: InstructionID{ID: NewID(9)}}}) {
		t.Fatal("MatchInstruction")
	}
}

// End to end: the sandbox's callback reaches NewCallbackHandler, whose
// Notifier wakes the waiter as soon as the ACH verdict is in.
func TestWaitForBankVerificationWokenByCallback(t *testing.T) {
	n := NewNotifier()
	hook := httptest.NewServer(NewCallbackHandler(n.Notify))
	defer hook.Close()
	srv := ibkrtest.NewServer(t, ibkrtest.WithCallbackURL(hook.URL), ibkrtest.WithCallbackClient(hook.Client()))
	c := fundingClient(t, srv) // no auto-advance: the waiter's 1 h sleep never ends by itself
	e := &fundingEnv{srv: srv, c: c}
	link := e.link(t, "Checking", ibkrtest.RoutingNumberMicroDeposits)
	done := make(chan error, 1)
	var got *Instruction
	go func() {
		var err error
		got, err = c.WaitForBankVerification(fctx(t), link.ClientInstructionID, 48*time.Hour, func(o *WaiterOptions) {
			o.MinDelay, o.Notifier = time.Hour, n
		})
		done <- err
	}()
	for n.Waiting() == 0 {
		runtime.Gosched() // until the waiter has subscribed
	}
	srv.Advance(ibkrtest.DefaultTimings.ACHVerification)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got.Status != InstructionPendingVerification {
		t.Fatalf("got %v", got)
	}
	if d := srv.Now().Sub(ibkrtest.DefaultStart); d != ibkrtest.DefaultTimings.ACHVerification {
		t.Fatalf("sandbox time advanced %s", d)
	}
}
