package ibkr

import (
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
		AccountID: ibkrtest.DemoAccountID, Name: "Checking", InstructionID: link.InstructionID, Amount1: a2, Amount2: a1,
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
