package ibkr

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// saturdayNoon is Saturday 8 March 2025, 12:00 US Eastern (EST): inside
// the banking downtime, which lasts until Sunday 15:00.
var saturdayNoon = time.Date(2025, 3, 8, 17, 0, 0, 0, time.UTC)

func TestDepositInMaintenanceWindowFailsFast(t *testing.T) {
	e := newFundingEnv(t, nil)
	e.linkVerified(t, "Checking")
	e.srv.Advance(saturdayNoon.Sub(e.srv.Now()))
	before := len(e.srv.Requests())
	j := openJournal(t, filepath.Join(t.TempDir(), "j"))
	_, err := e.c.DepositACH(fctx(t), ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("10")}, WithCallJournal(j))
	wantErr(t, err, ErrMaintenance)
	var me *MaintenanceError
	var re *RequestError
	if !errors.As(err, &me) || !errors.As(err, &re) || re.ClientInstructionID.IsZero() {
		t.Fatalf("error = %#v", err)
	}
	if want := time.Date(2025, 3, 9, 15, 0, 0, 0, eastern()); !me.End.Equal(want) {
		t.Fatalf("window ends %s, want %s", me.End, want)
	}
	if n := len(e.srv.Requests()); n != before {
		t.Fatalf("%d requests reached the sandbox during the window", n-before)
	}
	if _, o, _ := j.Outcome(re.ClientInstructionID); o == nil || o.State != JournalNotSent {
		t.Fatalf("journal outcome = %+v", o)
	}
	// The balance query is not a banking endpoint: it still works.
	if _, err := e.c.Balance(fctx(t), demo, USD); err != nil {
		t.Fatal(err)
	}
}

func TestDepositWaitsOutMaintenanceWindow(t *testing.T) {
	e := newFundingEnv(t, nil, WithMaintenance(true))
	e.linkVerified(t, "Checking")
	e.srv.Advance(saturdayNoon.Sub(e.srv.Now()))
	dep, err := e.c.DepositACH(fctx(t), ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("10")})
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.srv.RequestsFor("createExternalCashTransfers")
	if len(reqs) != 1 || reqs[0].Time.Before(time.Date(2025, 3, 9, 15, 0, 0, 0, eastern())) || reqs[0].Status != 202 {
		t.Fatalf("deposit sent %d times, at %v", len(reqs), reqs[0].Time)
	}
	// Waiting across the next nightly window (23:45-00:30) rides it out.
	if _, err := e.c.WaitForInstruction(fctx(t), dep.ClientInstructionID, 48*time.Hour); err != nil {
		t.Fatal(err)
	}
}

// A server in maintenance that the client did not expect (IBKR's own 503)
// leaves the outcome unknown; nothing is resent blindly.
func TestDepositDuringUnexpectedMaintenance(t *testing.T) {
	e := newFundingEnv(t, nil, WithoutMaintenanceWindows())
	e.linkVerified(t, "Checking")
	e.srv.Advance(saturdayNoon.Sub(e.srv.Now()))
	_, err := e.c.DepositACH(fctx(t), ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("10")})
	wantErr(t, err, ErrOutcomeUnknown)
	if !errors.Is(err, ErrMaintenance) {
		t.Fatalf("cause is not maintenance: %v", err)
	}
	id, ok := InstructionIDOf(err)
	if !ok {
		t.Fatal("no id")
	}
	if n := len(e.srv.RequestsFor("createExternalCashTransfers")); n != 1 {
		t.Fatalf("deposit sent %d times", n)
	}
	// After the window the id is settled with a lookup: IBKR never got it.
	e.srv.Advance(30 * time.Hour)
	if _, err := e.c.InstructionStatus(fctx(t), id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("lookup after the window: %v", err)
	}
}

// burst runs n deposits at once and returns their results by amount. The
// clock is driven like a discrete-event simulation: it moves to the next
// sleeper's deadline only when every deposit still running is asleep, so
// sandbox time flows as it would for real and requests are not bunched
// by the test.
func burst(t *testing.T, e *fundingEnv, n int) map[string]*Instruction {
	t.Helper()
	out, failed := burstResults(t, e, n)
	for a, err := range failed {
		t.Errorf("deposit %s: %v", a, err)
	}
	return out
}

// burstResults is burst returning the failures too.
func burstResults(t *testing.T, e *fundingEnv, n int) (map[string]*Instruction, map[string]error) {
	t.Helper()
	clk := e.srv.Clock()
	clk.SetAutoAdvance(false)
	defer clk.SetAutoAdvance(true)
	var active atomic.Int32
	active.Store(int32(n))
	stop := make(chan struct{})
	driven := make(chan struct{})
	go func() {
		defer close(driven)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if a := active.Load(); a > 0 && clk.Sleepers() >= int(a) {
				clk.AdvanceToNext()
			} else {
				runtime.Gosched()
			}
		}
	}()
	var mu sync.Mutex
	out := map[string]*Instruction{}
	failed := map[string]error{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer active.Add(-1)
			amount := MustDecimal(fmt.Sprintf("%d.00", 100+i))
			in, err := e.c.DepositACH(context.Background(), ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: amount})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				noteErr(err)
				failed[amount.String()] = err
				return
			}
			out[amount.String()] = in
		}()
	}
	wg.Wait()
	close(stop)
	<-driven
	return out, failed
}

// checkOnce asserts that every deposit of the burst is recorded exactly
// once, under the id its caller got.
func checkOnce(t *testing.T, e *fundingEnv, got map[string]*Instruction, n int) {
	t.Helper()
	seen := map[string]int{}
	for _, in := range e.srv.Instructions() {
		if in.Type == "DEPOSIT" {
			seen[in.Amount.String()]++
			if r := got[in.Amount.String()]; r == nil || r.ClientInstructionID != in.ClientInstructionID {
				t.Fatalf("sandbox deposit %+v does not match the caller's %v", in, r)
			}
		}
	}
	if len(got) != n || len(seen) != n {
		t.Fatalf("%d results, %d recorded, want %d", len(got), len(seen), n)
	}
	for a, k := range seen {
		if k != 1 {
			t.Fatalf("deposit %s recorded %d times", a, k)
		}
	}
}

func TestDepositBurstStaysUnderRateLimit(t *testing.T) {
	e := newFundingEnv(t, nil)
	e.linkVerified(t, "Checking")
	const n = 40
	got := burst(t, e, n)
	checkOnce(t, e, got, n)
	reqs := e.srv.RequestsFor("createExternalCashTransfers")
	times := make([]time.Time, 0, len(reqs))
	for _, r := range reqs {
		if r.Status == 429 {
			t.Fatalf("the sandbox rate-limited a request at %s", r.Time)
		}
		times = append(times, r.Time)
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	for i := 10; i < len(times); i++ {
		if times[i].Sub(times[i-10]) < time.Second {
			t.Fatalf("11 requests within %s", times[i].Sub(times[i-10]))
		}
	}
}

// A server stricter than the client answers 429s: the client waits,
// looks each id up and sends again with the same id. A deposit still
// throttled after all that fails with a typed error carrying its id, and
// resuming it later with that id completes it, exactly once.
func TestDepositBurstAgainstStricterServer(t *testing.T) {
	e := newFundingEnv(t, nil)
	e.linkVerified(t, "Checking")
	e.srv.SetRateLimit(2, 1) // IBKR five times stricter than the client
	const n = 30
	got, failed := burstResults(t, e, n)
	limited := 0
	for _, r := range e.srv.RequestsFor("createExternalCashTransfers") {
		if r.Status == 429 {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("the sandbox never rate-limited: the test proves nothing")
	}
	if len(failed) > n/3 {
		t.Fatalf("%d of %d deposits failed", len(failed), n)
	}
	e.srv.SetRateLimit(10, 10)
	for a, err := range failed {
		id, ok := InstructionIDOf(err)
		if !ok || !(errors.Is(err, ErrRateLimited) || errors.Is(err, ErrOutcomeUnknown)) {
			t.Fatalf("deposit %s: %v", a, err)
		}
		in, err := e.c.DepositACH(fctx(t), ACHDeposit{ClientInstructionID: id, AccountID: demo, InstructionName: "Checking", Amount: MustDecimal(a)}, WithResume())
		if err != nil {
			t.Fatalf("resuming deposit %s: %v", a, err)
		}
		got[a] = in
	}
	checkOnce(t, e, got, n)
	t.Logf("%d deposits: %d answers 429, %d resumed by the caller", n, limited, len(failed))
}
