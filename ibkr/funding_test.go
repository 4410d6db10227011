package ibkr

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// The whole journey: link → PENDING_VERIFICATION → verify → deposit →
// wait → balance.
func TestFundingJourney(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	link := e.link(t, "Checking", ibkrtest.RoutingNumberMicroDeposits)
	if link.Status != InstructionPending || link.InstructionID.IsZero() || link.ClientInstructionID.IsZero() {
		t.Fatalf("link = %+v", link)
	}
	got, err := e.c.WaitForBankVerification(ctx, link.ClientInstructionID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != InstructionPendingVerification || got.InstructionID != link.InstructionID {
		t.Fatalf("verification outcome = %v", got)
	}
	a1, a2, ok := e.srv.MicroDeposits(link.InstructionID)
	if !ok {
		t.Fatal("no micro-deposits")
	}
	v, err := e.c.VerifyMicroDeposits(ctx, MicroDepositVerification{
		AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking", InstructionID: link.InstructionID, Amount1: a2, Amount2: a1,
	})
	if err != nil || v.Status != InstructionProcessed {
		t.Fatalf("VerifyMicroDeposits = %v, %v", v, err)
	}
	if st, err := e.c.InstructionStatus(ctx, link.ClientInstructionID); err != nil || st.Status != InstructionProcessed {
		t.Fatalf("ACH instruction after verification = %v, %v", st, err)
	}
	dep, err := e.c.DepositACH(ctx, ACHDeposit{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking", Amount: MustDecimal("500.00")})
	if err != nil || dep.Status != InstructionPending {
		t.Fatalf("DepositACH = %v, %v", dep, err)
	}
	done, err := e.c.WaitForInstruction(ctx, dep.ClientInstructionID, 72*time.Hour)
	if err != nil || done.Status != InstructionProcessed || !done.Amount.Equal(MustDecimal("500")) {
		t.Fatalf("WaitForInstruction = %v, %v", done, err)
	}
	bal, err := e.c.Balance(ctx, ibkrtest.DemoAccountID, USD)
	if err != nil {
		t.Fatal(err)
	}
	if !bal.AvailableEquity.Equal(MustDecimal("500")) || !bal.WithdrawableCash.Equal(MustDecimal("500")) {
		t.Fatalf("balance = %+v", bal)
	}
}

// claimFailsAfter is an allocator whose Claim fails (storage trouble)
// from its n-th call on.
type claimFailsAfter struct {
	*ClockAllocator
	n, calls int
}

func (a *claimFailsAfter) Claim(ctx context.Context, id ID) error {
	a.calls++
	if a.calls >= a.n {
		return errors.New("instruction id mark unreadable")
	}
	return a.ClockAllocator.Claim(ctx, id)
}

// After a throttled resume whose resend was lost, a later resume that
// fails before sending must not report the request as never sent: the
// lost copy may have taken effect.
func TestThrottledResumeKeepsUnknownOutcome(t *testing.T) {
	f := newFake(t)
	alloc := &claimFailsAfter{ClockAllocator: NewClockAllocator(f.clk), n: 2}
	j, err := OpenFileJournal(t.TempDir() + "/journal")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	c := f.newClient(WithInstructionIDs(alloc), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}), WithJournal(j))
	posts, lookups := 0, 0
	f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) {
		posts++
		if posts == 1 {
			problem(w, http.StatusTooManyRequests, "", "slow down")
			return
		}
		dropConnection(w) // the resend may have been carried out
	})
	f.handle("getClientInstructions", func(w http.ResponseWriter, r *http.Request, rec received) {
		lookups++
		if lookups == 1 {
			lookupNotFound(w, r, rec)
			return
		}
		problem(w, http.StatusTooManyRequests, "", "slow down")
	})
	_, err = c.DepositACH(bg, ACHDeposit{AccountID: "U1234567", InstructionName: "checking", Amount: MustDecimal("500.00")})
	wantErr(t, err, ErrOutcomeUnknown)
	var re *RequestError
	if errors.As(err, &re) {
		t.Fatalf("reported as not sent: %v", err)
	}
	id, ok := InstructionIDOf(err)
	if !ok || posts != 2 {
		t.Fatalf("id %v %v, %d POSTs", id, ok, posts)
	}
	if _, o, _ := j.Outcome(id); o == nil || o.State != JournalUnknown {
		t.Fatalf("journal outcome %+v, want unknown", o)
	}
}
