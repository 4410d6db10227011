package ibkr

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// Each new money path, its answer lost after IBKR committed it (or
// refused with a 5xx, or garbled), still records exactly one instruction
// at the sandbox under its clientInstructionId, and the caller learns the
// outcome.
func TestMoneyPathsFaultsRecordOnce(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	if err := e.srv.SetBalance(demo, "EUR", MustDecimal("1000")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.AddWireDestination(ctx, WireDestination{AccountID: demo, InstructionName: "EU", Currency: EUR, Method: MethodSEPA,
		BankName: "Example Bank", BankAccount: NewSecret(testIBAN), Identifier: testBIC}); err != nil {
		t.Fatal(err)
	}
	auth, err := e.c.AddEDDAInstruction(ctx, EDDAInstruction{AccountID: demo, InstructionName: "HK", Currency: HKD,
		BankAccountNumber: NewSecret(fundingAccountNumber), BranchCode: "003", ClearingCode: "004", DocumentType: EDDAHongKongID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.WaitForInstruction(ctx, auth.ClientInstructionID, time.Hour); err != nil {
		t.Fatal(err)
	}
	calls := map[string]func(context.Context) (*Instruction, error){
		"open banking": func(ctx context.Context) (*Instruction, error) {
			return e.c.DepositOpenBanking(ctx, OpenBankingDeposit{AccountID: demo, Amount: MustDecimal("10"), Currency: GBP})
		},
		"eDDA": func(ctx context.Context) (*Instruction, error) {
			return e.c.DepositEDDA(ctx, EDDADeposit{AccountID: demo, InstructionName: "HK", Amount: MustDecimal("10"), Currency: HKD})
		},
		"SEPA": func(ctx context.Context) (*Instruction, error) {
			return e.c.Withdraw(ctx, Withdrawal{AccountID: demo, Method: MethodSEPA, InstructionName: "EU", Amount: MustDecimal("10"), Currency: EUR})
		},
	}
	faults := map[string]func(){
		"dropped after commit": func() { e.srv.DropAfterCommit("createExternalCashTransfers", 1) },
		"500":                  func() { e.srv.FailNext("createExternalCashTransfers", 1, http.StatusInternalServerError) },
		"malformed":            func() { e.srv.MalformNext("createExternalCashTransfers", 1) },
	}
	for name, call := range calls {
		for fname, fault := range faults {
			t.Run(name+"/"+fname, func(t *testing.T) {
				fault()
				in, err := call(ctx)
				var ou *OutcomeUnknownError
				if errors.As(err, &ou) {
					t.Fatalf("outcome unknown: %v", err)
				}
				if err != nil {
					t.Fatalf("%v", err)
				}
				n := 0
				for _, x := range e.srv.Instructions() {
					if x.ClientInstructionID == in.ClientInstructionID {
						n++
					}
				}
				if n != 1 {
					t.Fatalf("clientInstructionId %s recorded %d times", in.ClientInstructionID, n)
				}
			})
		}
	}
}

// The IRA contributions query and TotalBalance ride out transient server
// errors (read-only: retried with a fresh clientInstructionId), and a
// failing poll of the IRA result is retried too.
func TestMoneyQueriesRetryTransientErrors(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	if err := e.srv.MakeIRA(demo, "ROTH", MustDecimal("7000")); err != nil {
		t.Fatal(err)
	}
	e.srv.FailNext("createExternalCashTransfersQuery", 1, http.StatusServiceUnavailable)
	e.srv.FailNext("getClientInstructions", 1, http.StatusServiceUnavailable)
	got, err := e.c.IRAContributions(ctx, demo, 2025)
	if err != nil || got.IRAType != "ROTH" || len(got.Limits) != 1 || !got.Limits[0].Allowed.Equal(MustDecimal("7000")) {
		t.Fatalf("IRAContributions = %+v, %v", got, err)
	}
	if n := e.srv.RequestCount("createExternalCashTransfersQuery", http.StatusAccepted); n != 1 {
		t.Fatalf("%d accepted queries, want 1", n)
	}

	if err := e.srv.SetBalance(demo, "USD", MustDecimal("10")); err != nil {
		t.Fatal(err)
	}
	e.srv.FailNext("createBalancesQuery", 2, http.StatusBadGateway)
	tb, err := e.c.TotalBalance(ctx, demo)
	if err != nil || tb.TotalCurrency != USD || !tb.Total.Equal(MustDecimal("10")) {
		t.Fatalf("TotalBalance = %+v, %v", tb, err)
	}
	// A context that ends stops the remaining queries.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.c.TotalBalance(cctx, demo); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled TotalBalance: %v", err)
	}
}
