package ibkr

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func TestLinkBankAccountOutcomes(t *testing.T) {
	cases := []struct {
		routing string
		want    InstructionStatus
		code    string // for REJECTED
	}{
		{ibkrtest.RoutingNumberMicroDeposits, InstructionPendingVerification, ""},
		{ibkrtest.RoutingNumberVerified, InstructionProcessed, ""},
		{ibkrtest.RoutingNumberRejected, InstructionRejected, ibkrtest.CodeBankVerificationFailed},
	}
	for _, tc := range cases {
		t.Run(tc.routing, func(t *testing.T) {
			e := newFundingEnv(t, nil)
			link := e.link(t, "Checking", tc.routing)
			if link.Status != InstructionPending || link.Type != "ACH_INSTRUCTION" {
				t.Fatalf("link = %v", link)
			}
			start := e.srv.Now()
			got, err := e.c.WaitForBankVerification(fctx(t), link.ClientInstructionID, time.Hour)
			if tc.want == InstructionRejected {
				wantErr(t, err, ErrRejected)
				var rj *RejectedError
				if !errors.As(err, &rj) || rj.Code != tc.code || rj.Instruction.InstructionID != link.InstructionID {
					t.Fatalf("error = %#v", err)
				}
				if id, ok := InstructionIDOf(err); !ok || id != link.ClientInstructionID {
					t.Fatalf("InstructionIDOf = %v, %v", id, ok)
				}
				return
			}
			if err != nil || got.Status != tc.want {
				t.Fatalf("WaitForBankVerification = %v, %v; want %s", got, err, tc.want)
			}
			// The verdict comes after the sandbox's 10 minutes, not much
			// later: the waiter's backoff is clamped.
			if d := e.srv.Now().Sub(start); d < ibkrtest.DefaultTimings.ACHVerification || d > 20*time.Minute {
				t.Fatalf("verdict seen after %s", d)
			}
		})
	}
}

func TestWaitForBankVerificationTimesOut(t *testing.T) {
	e := newFundingEnv(t, nil)
	link := e.link(t, "Slow", ibkrtest.RoutingNumberSlow) // verdict after 72 h
	start := e.srv.Now()
	_, err := e.c.WaitForBankVerification(fctx(t), link.ClientInstructionID, time.Hour)
	wantErr(t, err, ErrTimeout)
	var te *WaitTimeoutError
	if !errors.As(err, &te) || te.ClientInstructionID != link.ClientInstructionID || te.Attempts < 2 {
		t.Fatalf("error = %#v", err)
	}
	if last, ok := te.Last.(*Instruction); !ok || last.Status != InstructionPending {
		t.Fatalf("last seen = %#v", te.Last)
	}
	// The last poll happens at the deadline, not after it.
	if d := e.srv.Now().Sub(start); d != time.Hour {
		t.Fatalf("gave up after %s of sandbox time, want exactly 1h", d)
	}
	if errors.Is(err, ErrRejected) || errors.Is(err, ErrServer) {
		t.Fatal("timeout matches other sentinels")
	}
}

func TestVerifyMicroDepositsWrongThreeTimes(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	link := e.link(t, "Checking", ibkrtest.RoutingNumberMicroDeposits)
	if _, err := e.c.WaitForBankVerification(ctx, link.ClientInstructionID, time.Hour); err != nil {
		t.Fatal(err)
	}
	a1, a2, _ := e.srv.MicroDeposits(link.InstructionID)
	wrong := MustDecimal("0.99")
	if a1.Equal(wrong) || a2.Equal(wrong) {
		wrong = MustDecimal("0.98")
	}
	v := MicroDepositVerification{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking", InstructionID: link.InstructionID, Amount1: a1, Amount2: wrong}
	for attempt, left := range []int{2, 1, 0} {
		_, err := e.c.VerifyMicroDeposits(ctx, v)
		wantErr(t, err, ErrRejected)
		if !errors.Is(err, ErrMicroDepositMismatch) {
			t.Fatalf("attempt %d: %v does not match ErrMicroDepositMismatch", attempt+1, err)
		}
		var rj *RejectedError
		if !errors.As(err, &rj) || rj.AttemptsLeft != left || rj.Instruction.Type != "TRADITIONAL_BANK_INSTRUCTION_VERIFICATION" {
			t.Fatalf("attempt %d: %#v, want %d attempts left", attempt+1, err, left)
		}
		if id, ok := InstructionIDOf(err); !ok || id.IsZero() || id == link.ClientInstructionID {
			t.Fatalf("attempt %d: error carries id %v", attempt+1, id)
		}
	}
	// The ACH instruction is now rejected for good.
	st, err := e.c.InstructionStatus(ctx, link.ClientInstructionID)
	if err != nil || st.Status != InstructionRejected || st.ErrorCode != ibkrtest.CodeVerificationAttemptsExceeded {
		t.Fatalf("ACH instruction = %v, %v", st, err)
	}
	_, err = e.c.WaitForBankVerification(ctx, link.ClientInstructionID, time.Hour)
	wantErr(t, err, ErrRejected)
	// A fourth try, even with the right amounts, is refused by IBKR.
	v.Amount2 = a2
	_, err = e.c.VerifyMicroDeposits(ctx, v)
	wantErr(t, err, ErrRejected)
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 422 || ae.Code != ibkrtest.CodeNotPendingVerification || ae.ClientInstructionID.IsZero() {
		t.Fatalf("fourth attempt: %#v", err)
	}
}

func TestVerifyMicroDepositsNotPending(t *testing.T) {
	e := newFundingEnv(t, nil)
	link := e.linkVerified(t, "Verified")
	_, err := e.c.VerifyMicroDeposits(fctx(t), MicroDepositVerification{
		AccountID: ibkrtest.DemoAccountID, InstructionName: "Verified", InstructionID: link.InstructionID,
		Amount1: MustDecimal("0.10"), Amount2: MustDecimal("0.20"),
	})
	wantErr(t, err, ErrRejected)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "ERROR_INSTRUCTION_NOT_IN_PENDING_VERIFICATION_STATE" {
		t.Fatalf("error = %#v", err)
	}
	if errors.Is(err, ErrMicroDepositMismatch) {
		t.Fatal("not-pending refusal matches ErrMicroDepositMismatch")
	}
}

func TestBankInstructionsListAndDelete(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	e.linkVerified(t, "Checking")
	e.link(t, "Savings", ibkrtest.RoutingNumberMicroDeposits)
	wire, err := e.c.AddWireDestination(ctx, WireDestination{
		AccountID: ibkrtest.DemoAccountID, InstructionName: "Wire out", Currency: USD, BankName: "Example Bank",
		BankAccount: NewSecret(fundingAccountNumber), Identifier: "EXAMUS33XXX",
	})
	if err != nil || wire.Status != InstructionProcessed || wire.Type != "PREDEFINED_DESTINATION_INSTRUCTION" {
		t.Fatalf("AddWireDestination = %v, %v", wire, err)
	}
	ach, err := e.c.BankInstructions(ctx, ibkrtest.DemoAccountID, BankMethodACH)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]SavedBankInstruction{}
	for _, s := range ach {
		got[s.InstructionName] = s
	}
	last4 := fundingAccountNumber[len(fundingAccountNumber)-4:]
	if len(ach) != 2 || got["Checking"].Status != InstructionProcessed || got["Savings"].Status != InstructionPending ||
		!strings.HasSuffix(got["Checking"].AccountNumber, last4) || strings.Contains(got["Checking"].AccountNumber, fundingAccountNumber) ||
		got["Checking"].Currency != "USD" || got["Checking"].RoutingNumber != ibkrtest.RoutingNumberVerified {
		t.Fatalf("ACH instructions = %+v", ach)
	}
	wires, err := e.c.BankInstructions(ctx, ibkrtest.DemoAccountID, BankMethodWire)
	if err != nil || len(wires) != 1 || wires[0].InstructionName != "Wire out" {
		t.Fatalf("wire instructions = %+v, %v", wires, err)
	}
	del, err := e.c.DeleteBankInstruction(ctx, BankInstructionDeletion{AccountID: ibkrtest.DemoAccountID, InstructionName: "Savings", Method: BankMethodACH})
	if err != nil || del.Status != InstructionProcessed {
		t.Fatalf("DeleteBankInstruction = %v, %v", del, err)
	}
	ach, _ = e.c.BankInstructions(ctx, ibkrtest.DemoAccountID, BankMethodACH)
	if len(ach) != 1 || ach[0].InstructionName != "Checking" {
		t.Fatalf("after delete: %+v", ach)
	}
	_, err = e.c.DeleteBankInstruction(ctx, BankInstructionDeletion{AccountID: ibkrtest.DemoAccountID, InstructionName: "Savings", Method: BankMethodACH})
	wantErr(t, err, ErrRejected)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != ibkrtest.CodeBankInstructionNotFound {
		t.Fatalf("second delete: %#v", err)
	}
}

func TestBankInstructionLimit(t *testing.T) {
	e := newFundingEnv(t, nil)
	for i := range ibkrtest.MaxActiveBankInstructions {
		e.link(t, fmt.Sprintf("Account %d", i), ibkrtest.RoutingNumberVerified)
	}
	_, err := e.c.LinkBankAccount(fctx(t), BankAccountLink{AccountID: ibkrtest.DemoAccountID, InstructionName: "One too many",
		RoutingNumber: ibkrtest.RoutingNumberVerified, AccountNumber: NewSecret(fundingAccountNumber), BankName: "Example Bank"})
	wantErr(t, err, ErrRejected)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != ibkrtest.CodeTooManyBankInstructions || ae.ClientInstructionID.IsZero() {
		t.Fatalf("seventh link: %#v", err)
	}
}

func TestEDDAInstruction(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	in, err := e.c.AddEDDAInstruction(ctx, EDDAInstruction{
		AccountID: ibkrtest.DemoAccountID, InstructionName: "HK account", Currency: HKD, BankAccountNumber: NewSecret(fundingAccountNumber),
		BranchCode: "003", ClearingCode: "004", DocumentType: EDDAHongKongID,
	})
	if err != nil || in.Status != InstructionPending || in.Type != "EDDA_INSTRUCTION" {
		t.Fatalf("AddEDDAInstruction = %v, %v", in, err)
	}
	done, err := e.c.WaitForInstruction(ctx, in.ClientInstructionID, time.Hour)
	if err != nil || done.Status != InstructionProcessed {
		t.Fatalf("WaitForInstruction = %v, %v", done, err)
	}
	list, err := e.c.BankInstructions(ctx, ibkrtest.DemoAccountID, BankMethodEDDA)
	if err != nil || len(list) != 1 || list[0].InstructionName != "HK account" || list[0].Currency != "HKD" {
		t.Fatalf("eDDA instructions = %+v, %v", list, err)
	}
}

func TestBankRequestsHideAccountNumbers(t *testing.T) {
	reqs := []any{
		BankAccountLink{AccountID: "U1234567", InstructionName: "x", RoutingNumber: ibkrtest.RoutingNumberVerified, AccountNumber: NewSecret(fundingAccountNumber)},
		WireDestination{AccountID: "U1234567", InstructionName: "x", BankAccount: NewSecret(fundingAccountNumber)},
		EDDAInstruction{AccountID: "U1234567", InstructionName: "x", BankAccountNumber: NewSecret(fundingAccountNumber)},
		WireDeposit{AccountID: "U1234567", Amount: MustDecimal("1"), Currency: USD, SenderAccount: NewSecret(fundingAccountNumber)},
	}
	for _, r := range reqs {
		for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
			if s := fmt.Sprintf(f, r); strings.Contains(s, fundingAccountNumber) || !strings.Contains(s, "****") {
				t.Errorf("%s of %T = %q", f, r, s)
			}
		}
	}
	var b strings.Builder
	l := slog.New(slog.NewJSONHandler(&b, nil))
	l.Info("linking", "req", reqs[0])
	if strings.Contains(b.String(), fundingAccountNumber) || !strings.Contains(b.String(), "****9012") {
		t.Fatalf("log = %q", b.String())
	}
}
