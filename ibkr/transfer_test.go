package ibkr

import (
	"errors"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

const demo = ibkrtest.DemoAccountID

func (e *fundingEnv) fund(t testing.TB, amount string) {
	t.Helper()
	if err := e.srv.SetBalance(demo, "USD", MustDecimal(amount)); err != nil {
		t.Fatal(err)
	}
}

func (e *fundingEnv) wantBalance(t testing.TB, account, cash, withdrawable string) {
	t.Helper()
	b, err := e.c.Balance(fctx(t), account, USD)
	if err != nil {
		t.Fatalf("Balance: %v", err)
	}
	if !b.AvailableEquity.Equal(MustDecimal(cash)) || !b.WithdrawableCash.Equal(MustDecimal(withdrawable)) || b.AccountID != account || b.Currency != USD {
		t.Fatalf("balance of %s = %+v, want cash %s, withdrawable %s", account, b, cash, withdrawable)
	}
}

func TestACHWithdrawalScheduled(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	e.linkVerified(t, "Checking")
	e.fund(t, "1000.00")
	at := e.srv.Now().Add(2*time.Hour + 300*time.Millisecond)
	w, err := e.c.Withdraw(ctx, Withdrawal{AccountID: demo, Method: MethodACH, InstructionName: "Checking", Amount: MustDecimal("200.25"), At: at})
	if err != nil || w.Status != InstructionPending || w.Type != "WITHDRAWAL" {
		t.Fatalf("Withdraw = %v, %v", w, err)
	}
	reqs := e.srv.RequestsFor("createExternalCashTransfers")
	inst := reqs[len(reqs)-1].Claims["instruction"].(map[string]any)
	if inst["dateTimeToOccur"] != FormatDateTimeToOccur(at) || inst["bankInstructionMethod"] != "ACH" || inst["currency"] != "USD" {
		t.Fatalf("sent %v", inst)
	}
	wc, err := e.c.WithdrawableCash(ctx, demo, USD)
	if err != nil || !wc.Amount.Equal(MustDecimal("799.75")) || !wc.AmountNoBorrow.Equal(MustDecimal("799.75")) {
		t.Fatalf("WithdrawableCash = %+v, %v", wc, err)
	}
	done, err := e.c.WaitForInstruction(ctx, w.ClientInstructionID, 72*time.Hour)
	if err != nil || done.Status != InstructionProcessed {
		t.Fatalf("WaitForInstruction = %v, %v", done, err)
	}
	if e.srv.Now().Before(at.Add(ibkrtest.DefaultTimings.Withdrawal)) {
		t.Fatalf("processed before its dateTimeToOccur + 24h")
	}
	e.wantBalance(t, demo, "799.75", "799.75")
	byID, err := e.c.InstructionByID(ctx, w.InstructionID)
	if err != nil || byID.Status != InstructionProcessed || byID.ClientInstructionID != w.ClientInstructionID {
		t.Fatalf("InstructionByID = %v, %v", byID, err)
	}
}

func TestWithdrawalOverLimitRefusedLocally(t *testing.T) {
	e := newFundingEnv(t, nil)
	e.linkVerified(t, "Checking")
	e.fund(t, "200000")
	before := len(e.srv.Requests())
	_, err := e.c.Withdraw(fctx(t), Withdrawal{AccountID: demo, Method: MethodACH, InstructionName: "Checking", Amount: MustDecimal("100000.01")})
	wantErr(t, err, ErrInvalidInput)
	var ie *InputError
	if !errors.Is(err, ErrWithdrawalLimit) || !errors.As(err, &ie) || ie.Field != "amount" {
		t.Fatalf("error = %#v", err)
	}
	if n := len(e.srv.Requests()); n != before {
		t.Fatalf("%d requests reached the sandbox", n-before)
	}
	// Exactly at the limit is fine.
	if _, err := e.c.Withdraw(fctx(t), Withdrawal{AccountID: demo, Method: MethodACH, InstructionName: "Checking", Amount: MustDecimal("100000.00")}); err != nil {
		t.Fatal(err)
	}
}

func TestWithdrawalInsufficientFunds(t *testing.T) {
	e := newFundingEnv(t, nil)
	e.linkVerified(t, "Checking")
	e.fund(t, "50")
	_, err := e.c.Withdraw(fctx(t), Withdrawal{AccountID: demo, Method: MethodACH, InstructionName: "Checking", Amount: MustDecimal("50.01")})
	wantErr(t, err, ErrRejected)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != ibkrtest.CodeInsufficientFunds || ae.ClientInstructionID.IsZero() {
		t.Fatalf("error = %#v", err)
	}
	info, ok := e.srv.InstructionByClientID(e.srv.ClientID, ae.ClientInstructionID)
	if !ok || info.Status != "REJECTED" {
		t.Fatalf("sandbox holds %+v", info)
	}
}

func TestWireDepositAndWithdrawal(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	dep, err := e.c.NotifyWireDeposit(ctx, WireDeposit{AccountID: demo, Amount: MustDecimal("1500.00"), Currency: USD,
		SendingInstitution: "Example Bank", SenderAccount: NewSecret(fundingAccountNumber), SpecialInstruction: "first funding"})
	if err != nil || dep.Status != InstructionPending {
		t.Fatalf("NotifyWireDeposit = %v, %v", dep, err)
	}
	done, err := e.c.WaitForInstruction(ctx, dep.ClientInstructionID, 4*time.Hour)
	if err != nil || done.Status != InstructionProcessed || !done.Amount.Equal(MustDecimal("1500")) || done.Currency != "USD" {
		t.Fatalf("WaitForInstruction = %v, %v", done, err)
	}
	if _, err := e.c.AddWireDestination(ctx, WireDestination{AccountID: demo, InstructionName: "Wire out", Currency: USD,
		BankName: "Example Bank", BankAccount: NewSecret(fundingAccountNumber), Identifier: "EXAMUS33"}); err != nil {
		t.Fatal(err)
	}
	w, err := e.c.Withdraw(ctx, Withdrawal{AccountID: demo, Method: MethodWire, InstructionName: "Wire out", Amount: MustDecimal("500")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.WaitForInstruction(ctx, w.ClientInstructionID, 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	e.wantBalance(t, demo, "1000", "1000")
}

func TestRecurringDepositRunsAndCompletes(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	e.linkVerified(t, "Checking")
	start := e.srv.Now().In(eastern()).AddDate(0, 0, 1)
	rec := &Recurrence{Name: "Monthly savings", Frequency: Monthly, Start: start, End: start.AddDate(0, 2, 0)}
	dep, err := e.c.DepositACH(ctx, ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("100.00"), Recurring: rec})
	if err != nil || dep.Status != InstructionPending || dep.IBReferenceID.IsZero() {
		t.Fatalf("DepositACH = %v, %v", dep, err)
	}
	sent := e.srv.RequestsFor("createExternalCashTransfers")
	detail := sent[len(sent)-1].Claims["instruction"].(map[string]any)["recurringInstructionDetail"].(map[string]any)
	if detail["frequency"] != "MONTHLY" || detail["startDate"] != FormatDate(start) || detail["endDate"] != FormatDate(start.AddDate(0, 2, 0)) {
		t.Fatalf("recurringInstructionDetail sent: %v", detail)
	}
	list, err := e.c.RecurringInstructions(ctx, demo)
	if err != nil || len(list) != 1 || list[0].Frequency != Monthly || list[0].Type != "DEPOSIT" || !list[0].Amount.Equal(MustDecimal("100")) ||
		list[0].StartDate != FormatDate(start) || list[0].ReferenceID != dep.IBReferenceID {
		t.Fatalf("RecurringInstructions = %+v, %v", list, err)
	}
	e.srv.Advance(100 * 24 * time.Hour)
	e.wantBalance(t, demo, "300", "300")
	st, err := e.c.InstructionStatus(ctx, dep.ClientInstructionID)
	if err != nil || st.Status != InstructionProcessed {
		t.Fatalf("recurring instruction after its end = %v, %v", st, err)
	}
	if list, _ := e.c.RecurringInstructions(ctx, demo); len(list) != 0 {
		t.Fatalf("still active: %+v", list)
	}
}

func TestCancelRecurringWithdrawal(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	e.linkVerified(t, "Checking")
	e.fund(t, "1000")
	start := e.srv.Now().In(eastern()).AddDate(0, 1, 0)
	w, err := e.c.Withdraw(ctx, Withdrawal{AccountID: demo, Method: MethodACH, InstructionName: "Checking", Amount: MustDecimal("10"),
		Recurring: &Recurrence{Name: "Quarterly payout", Frequency: Quarterly, Start: start}})
	if err != nil || w.Status != InstructionPending {
		t.Fatalf("Withdraw = %v, %v", w, err)
	}
	c, err := e.c.CancelInstruction(ctx, Cancellation{InstructionID: w.InstructionID, Reason: "customer changed plans"})
	if err != nil || c.Status != InstructionProcessed || c.Type != "CANCEL_INSTRUCTION" {
		t.Fatalf("CancelInstruction = %v, %v", c, err)
	}
	_, err = e.c.WaitForInstruction(ctx, w.ClientInstructionID, time.Hour)
	wantErr(t, err, ErrRejected)
	var rj *RejectedError
	if !errors.As(err, &rj) || rj.Code != ibkrtest.CodeCancelled {
		t.Fatalf("cancelled withdrawal: %#v", err)
	}
	e.srv.Advance(100 * 24 * time.Hour)
	e.wantBalance(t, demo, "1000", "1000")
}

func TestCancelPendingWithdrawalReleasesHold(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	e.linkVerified(t, "Checking")
	e.fund(t, "300")
	w, err := e.c.Withdraw(ctx, Withdrawal{AccountID: demo, Method: MethodACH, InstructionName: "Checking", Amount: MustDecimal("120")})
	if err != nil {
		t.Fatal(err)
	}
	e.wantBalance(t, demo, "300", "180")
	if _, err := e.c.CancelInstruction(ctx, Cancellation{InstructionID: w.InstructionID, Reason: "mistake"}); err != nil {
		t.Fatal(err)
	}
	e.wantBalance(t, demo, "300", "300")
}

func TestCancelProcessedInstruction(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	e.linkVerified(t, "Checking")
	dep, err := e.c.DepositACH(ctx, ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("25")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.WaitForInstruction(ctx, dep.ClientInstructionID, 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.CancelInstruction(ctx, Cancellation{InstructionID: dep.InstructionID, Reason: "too late"})
	wantErr(t, err, ErrRejected)
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 422 || ae.Code != ibkrtest.CodeNotCancellable {
		t.Fatalf("error = %#v", err)
	}
	if id, ok := InstructionIDOf(err); !ok || id.IsZero() || id == dep.ClientInstructionID {
		t.Fatalf("InstructionIDOf = %v, %v (the cancellation's own id)", id, ok)
	}
	e.wantBalance(t, demo, "25", "25")
}

func TestInternalCashTransfer(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	const other = "U7654321"
	if err := e.srv.AddAccount(other, ibkrtest.AccountOpen); err != nil {
		t.Fatal(err)
	}
	e.fund(t, "1000")
	tr, err := e.c.TransferCash(ctx, CashTransfer{From: demo, To: other, Amount: MustDecimal("250.50"), Currency: USD, Note: "rebalance"})
	if err != nil || tr.Status != InstructionProcessed || tr.Type != "INTERNAL_CASH_TRANSFER" {
		t.Fatalf("TransferCash = %v, %v", tr, err)
	}
	e.wantBalance(t, demo, "749.50", "749.50")
	e.wantBalance(t, other, "250.50", "250.50")
	later, err := e.c.TransferCash(ctx, CashTransfer{From: demo, To: other, Amount: MustDecimal("49.50"), Currency: USD, At: e.srv.Now().Add(time.Hour)})
	if err != nil || later.Status != InstructionPending {
		t.Fatalf("scheduled TransferCash = %v, %v", later, err)
	}
	if _, err := e.c.WaitForInstruction(ctx, later.ClientInstructionID, 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	e.wantBalance(t, other, "300", "300")
	_, err = e.c.TransferCash(ctx, CashTransfer{From: demo, To: other, Amount: MustDecimal("5000"), Currency: USD})
	wantErr(t, err, ErrRejected)
}

func TestRecentInstructions(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	link := e.linkVerified(t, "Checking")
	dep, err := e.c.DepositACH(ctx, ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("75")})
	if err != nil {
		t.Fatal(err)
	}
	all, err := e.c.RecentInstructions(ctx, RecentQuery{AccountID: demo, Days: 7})
	if err != nil {
		t.Fatal(err)
	}
	byCID := map[ID]RecentInstruction{}
	for _, r := range all {
		byCID[r.ClientInstructionID] = r
	}
	if r := byCID[dep.ClientInstructionID]; r.Type != "DEPOSIT" || r.Status != InstructionPending || r.InstructionID != dep.InstructionID || r.RequestDate == "" {
		t.Fatalf("deposit in history: %+v (all %+v)", r, all)
	}
	if r := byCID[link.ClientInstructionID]; r.Type != "ACH_INSTRUCTION" || r.Status != InstructionProcessed {
		t.Fatalf("ACH instruction in history: %+v", r)
	}
	deposits, err := e.c.RecentInstructions(ctx, RecentQuery{AccountID: demo, Days: 7, Type: "DEPOSIT"})
	if err != nil || len(deposits) != 1 || deposits[0].ClientInstructionID != dep.ClientInstructionID {
		t.Fatalf("deposits = %+v, %v", deposits, err)
	}
}
