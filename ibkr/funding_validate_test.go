package ibkr

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// TestFundingBadInputs sends nothing for bad input: each request is
// refused locally with an *InputError naming the field (and its specific
// cause), and the sandbox records no request at all, not even a token
// request.
func TestFundingBadInputs(t *testing.T) {
	e := newFundingEnv(t, nil)
	c := e.c
	now := e.srv.Now()
	goodLink := BankAccountLink{AccountID: demo, InstructionName: "Checking", RoutingNumber: ibkrtest.RoutingNumberVerified,
		AccountNumber: NewSecret(fundingAccountNumber), BankName: "Example Bank"}
	link := func(mod func(*BankAccountLink)) func(context.Context) error {
		r := goodLink
		mod(&r)
		return func(ctx context.Context) error { _, err := c.LinkBankAccount(ctx, r); return err }
	}
	goodVerify := MicroDepositVerification{AccountID: demo, InstructionName: "Checking", InstructionID: InstructionID{ID: NewID(43000001)},
		Amount1: MustDecimal("0.32"), Amount2: MustDecimal("0.46")}
	verify := func(mod func(*MicroDepositVerification)) func(context.Context) error {
		r := goodVerify
		mod(&r)
		return func(ctx context.Context) error { _, err := c.VerifyMicroDeposits(ctx, r); return err }
	}
	tomorrow := now.AddDate(0, 0, 1)
	goodDeposit := ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("500.00")}
	deposit := func(mod func(*ACHDeposit)) func(context.Context) error {
		r := goodDeposit
		mod(&r)
		return func(ctx context.Context) error { _, err := c.DepositACH(ctx, r); return err }
	}
	goodWire := WireDeposit{AccountID: demo, Amount: MustDecimal("100"), Currency: USD}
	wire := func(mod func(*WireDeposit)) func(context.Context) error {
		r := goodWire
		mod(&r)
		return func(ctx context.Context) error { _, err := c.NotifyWireDeposit(ctx, r); return err }
	}
	goodWithdrawal := Withdrawal{AccountID: demo, Method: MethodACH, InstructionName: "Checking", Amount: MustDecimal("100")}
	withdraw := func(mod func(*Withdrawal)) func(context.Context) error {
		r := goodWithdrawal
		mod(&r)
		return func(ctx context.Context) error { _, err := c.Withdraw(ctx, r); return err }
	}
	goodTransfer := CashTransfer{From: demo, To: "U7654321", Amount: MustDecimal("1"), Currency: USD}
	transfer := func(mod func(*CashTransfer)) func(context.Context) error {
		r := goodTransfer
		mod(&r)
		return func(ctx context.Context) error { _, err := c.TransferCash(ctx, r); return err }
	}
	goodDest := WireDestination{AccountID: demo, InstructionName: "Wire out", Currency: USD, BankName: "Example Bank", BankAccount: NewSecret(fundingAccountNumber), Identifier: "EXAMUS33"}
	dest := func(mod func(*WireDestination)) func(context.Context) error {
		r := goodDest
		mod(&r)
		return func(ctx context.Context) error { _, err := c.AddWireDestination(ctx, r); return err }
	}
	goodEDDA := EDDAInstruction{AccountID: demo, InstructionName: "HK", Currency: HKD, BankAccountNumber: NewSecret(fundingAccountNumber), BranchCode: "003", ClearingCode: "004", DocumentType: EDDAHongKongID}
	edda := func(mod func(*EDDAInstruction)) func(context.Context) error {
		r := goodEDDA
		mod(&r)
		return func(ctx context.Context) error { _, err := c.AddEDDAInstruction(ctx, r); return err }
	}
	rec := func(mod func(*Recurrence)) *Recurrence {
		r := &Recurrence{Name: "Monthly", Frequency: Monthly, Start: tomorrow}
		mod(r)
		return r
	}
	// An id below the allocator's mark that was never handed out: reused.
	issued1, _ := c.NewInstructionID(context.Background())
	_, _ = c.NewInstructionID(context.Background())
	n1, _ := issued1.Uint64()
	reused := NewID(n1 - 1)

	cases := []badInput{
		{"routing checksum", link(func(r *BankAccountLink) { r.RoutingNumber = "110000001" }), "bankRoutingNumber", ErrRoutingNumber},
		{"routing 8 digits", link(func(r *BankAccountLink) { r.RoutingNumber = "11000006" }), "bankRoutingNumber", ErrRoutingNumber},
		{"routing letter", link(func(r *BankAccountLink) { r.RoutingNumber = "11000006A" }), "bankRoutingNumber", ErrRoutingNumber},
		{"routing prefix", link(func(r *BankAccountLink) { r.RoutingNumber = "130000006" }), "bankRoutingNumber", ErrRoutingNumber},
		{"account number short", link(func(r *BankAccountLink) { r.AccountNumber = NewSecret("123") }), "bankAccountNumber", ErrBankAccountNumber},
		{"account number long", link(func(r *BankAccountLink) { r.AccountNumber = NewSecret("123456789012345678") }), "bankAccountNumber", ErrBankAccountNumber},
		{"account number dash", link(func(r *BankAccountLink) { r.AccountNumber = NewSecret("1234-5678") }), "bankAccountNumber", ErrBankAccountNumber},
		{"account number zeros", link(func(r *BankAccountLink) { r.AccountNumber = NewSecret("00000000") }), "bankAccountNumber", ErrBankAccountNumber},
		{"link name empty", link(func(r *BankAccountLink) { r.InstructionName = "" }), "bankInstructionName", ErrName},
		{"link name 33 chars", link(func(r *BankAccountLink) { r.InstructionName = strings.Repeat("x", 33) }), "bankInstructionName", ErrName},
		{"link name not ASCII", link(func(r *BankAccountLink) { r.InstructionName = "Chèque" }), "bankInstructionName", ErrName},
		{"link name padded", link(func(r *BankAccountLink) { r.InstructionName = " Checking" }), "bankInstructionName", ErrName},
		{"account id lower case", link(func(r *BankAccountLink) { r.AccountID = "u1234567" }), "accountId", ErrAccountID},
		{"account id short", link(func(r *BankAccountLink) { r.AccountID = "U12" }), "accountId", ErrAccountID},
		{"account type", link(func(r *BankAccountLink) { r.AccountType = 3 }), "bankAccountTypeCode", nil},
		{"ach direction", link(func(r *BankAccountLink) { r.Direction = "BOTH" }), "achType", nil},
		{"bank name empty", link(func(r *BankAccountLink) { r.BankName = "" }), "bankName", ErrName},
		{"micro-deposit 1.00", verify(func(r *MicroDepositVerification) { r.Amount1 = MustDecimal("1.00") }), "creditAmount1", ErrAmount},
		{"micro-deposit 3 decimals", verify(func(r *MicroDepositVerification) { r.Amount2 = MustDecimal("0.321") }), "creditAmount2", ErrAmount},
		{"micro-deposit zero", verify(func(r *MicroDepositVerification) { r.Amount2 = MustDecimal("0") }), "creditAmount2", ErrAmount},
		{"micro-deposit no instruction", verify(func(r *MicroDepositVerification) { r.InstructionID = InstructionID{ID: ID{}} }), "pendingInstructionId", nil},
		{"deposit zero", deposit(func(r *ACHDeposit) { r.Amount = MustDecimal("0") }), "amount", ErrAmount},
		{"deposit negative", deposit(func(r *ACHDeposit) { r.Amount = MustDecimal("-5.00") }), "amount", ErrAmount},
		{"deposit 3 decimals", deposit(func(r *ACHDeposit) { r.Amount = MustDecimal("10.005") }), "amount", ErrAmount},
		{"deposit ACH in EUR", deposit(func(r *ACHDeposit) { r.Currency = EUR }), "currency", ErrUnknownCurrency},
		{"deposit no instruction name", deposit(func(r *ACHDeposit) { r.InstructionName = "" }), "bankInstructionName", ErrName},
		{"recurring frequency", deposit(func(r *ACHDeposit) { r.Recurring = rec(func(x *Recurrence) { x.Frequency = "WEEKLY" }) }), "recurringInstructionDetail.frequency", ErrFrequency},
		{"recurring end before start", deposit(func(r *ACHDeposit) {
			r.Recurring = rec(func(x *Recurrence) { x.End = now.AddDate(0, 0, -3) })
		}), "recurringInstructionDetail.endDate", ErrDateRange},
		{"recurring start in the past", deposit(func(r *ACHDeposit) { r.Recurring = rec(func(x *Recurrence) { x.Start = now.AddDate(0, 0, -2) }) }), "recurringInstructionDetail.startDate", ErrDateRange},
		{"recurring no start", deposit(func(r *ACHDeposit) { r.Recurring = rec(func(x *Recurrence) { x.Start = time.Time{} }) }), "recurringInstructionDetail.startDate", ErrDate},
		{"recurring name 65 chars", deposit(func(r *ACHDeposit) { r.Recurring = rec(func(x *Recurrence) { x.Name = strings.Repeat("n", 65) }) }), "recurringInstructionDetail.instructionName", ErrName},
		{"wire lower-case currency", wire(func(r *WireDeposit) { r.Currency = "usd" }), "currency", ErrUnknownCurrency},
		{"wire unknown currency", wire(func(r *WireDeposit) { r.Currency = "XYZ" }), "currency", ErrUnknownCurrency},
		{"wire JPY decimals", wire(func(r *WireDeposit) { r.Currency, r.Amount = JPY, MustDecimal("100.5") }), "amount", ErrAmount},
		{"wire sender account 65 chars", wire(func(r *WireDeposit) { r.SenderAccount = NewSecret(strings.Repeat("1", 65)) }), "identifier", ErrName},
		{"withdrawal over limit", withdraw(func(r *Withdrawal) { r.Amount = MustDecimal("100000.01") }), "amount", ErrWithdrawalLimit},
		{"withdrawal no method", withdraw(func(r *Withdrawal) { r.Method = "" }), "bankInstructionMethod", nil},
		{"withdrawal SWIFT method", withdraw(func(r *Withdrawal) { r.Method = "SWIFT" }), "bankInstructionMethod", nil},
		{"withdrawal in the past", withdraw(func(r *Withdrawal) { r.At = now.Add(-time.Hour) }), "dateTimeToOccur", ErrDateRange},
		{"withdrawal at and recurring", withdraw(func(r *Withdrawal) { r.At, r.Recurring = now.Add(time.Hour), rec(func(*Recurrence) {}) }), "dateTimeToOccur", ErrDateRange},
		{"transfer to itself", transfer(func(r *CashTransfer) { r.To = demo }), "targetAccountId", ErrAccountID},
		{"transfer note 65 chars", transfer(func(r *CashTransfer) { r.Note = strings.Repeat("n", 65) }), "clientNote", ErrName},
		{"transfer no currency", transfer(func(r *CashTransfer) { r.Currency = "" }), "currency", ErrUnknownCurrency},
		{"cancel no reason", func(ctx context.Context) error {
			_, err := c.CancelInstruction(ctx, Cancellation{InstructionID: InstructionID{ID: NewID(1)}})
			return err
		}, "reason", ErrName},
		{"cancel reason 257 chars", func(ctx context.Context) error {
			_, err := c.CancelInstruction(ctx, Cancellation{InstructionID: InstructionID{ID: NewID(1)}, Reason: strings.Repeat("r", 257)})
			return err
		}, "reason", ErrName},
		{"cancel no instruction", func(ctx context.Context) error {
			_, err := c.CancelInstruction(ctx, Cancellation{Reason: "x"})
			return err
		}, "instructionId", nil},
		{"destination BIC", dest(func(r *WireDestination) { r.Identifier = "EXAM" }), "financialInstitution.identifier", nil},
		{"destination IFSC", dest(func(r *WireDestination) { r.IdentifierType, r.Identifier = IFSC, "SBIN1000123" }), "financialInstitution.identifier", nil},
		{"destination account id 11 chars", dest(func(r *WireDestination) { r.AccountID = "U1234567890" }), "accountId", ErrAccountID},
		{"destination account 33 chars", dest(func(r *WireDestination) { r.BankAccount = NewSecret(strings.Repeat("1", 33)) }), "financialInstitution.clientAccountId", ErrBankAccountNumber},
		{"eDDA in USD", edda(func(r *EDDAInstruction) { r.Currency = USD }), "currency", ErrUnknownCurrency},
		{"eDDA branch code", edda(func(r *EDDAInstruction) { r.BranchCode = "03" }), "bankBranchCode", nil},
		{"eDDA document", edda(func(r *EDDAInstruction) { r.DocumentType = "drivingLicence" }), "debtorIdentificationDocumentType", nil},
		{"delete bad method", func(ctx context.Context) error {
			_, err := c.DeleteBankInstruction(ctx, BankInstructionDeletion{AccountID: demo, InstructionName: "x", Method: BankMethodSEPA})
			return err
		}, "bankInstructionMethod", nil},
		{"history 31 days", func(ctx context.Context) error {
			_, err := c.RecentInstructions(ctx, RecentQuery{AccountID: demo, Days: 31})
			return err
		}, "transactionHistory.daysToGoBack", ErrDateRange},
		{"history 0 days", func(ctx context.Context) error {
			_, err := c.RecentInstructions(ctx, RecentQuery{AccountID: demo})
			return err
		}, "transactionHistory.daysToGoBack", ErrDateRange},
		{"balance currency", func(ctx context.Context) error { _, err := c.Balance(ctx, demo, "US"); return err }, "currency", ErrUnknownCurrency},
		{"withdrawable account", func(ctx context.Context) error { _, err := c.WithdrawableCash(ctx, "X1", USD); return err }, "accountId", ErrAccountID},
		{"saved instructions method", func(ctx context.Context) error { _, err := c.BankInstructions(ctx, demo, "CHECK"); return err }, "bankInstructionMethod", nil},
		{"reused clientInstructionId", deposit(func(r *ACHDeposit) { r.ClientInstructionID = reused }), "instruction.clientInstructionId", ErrInstructionIDReused},
		{"wait without id", func(ctx context.Context) error { _, err := c.WaitForInstruction(ctx, ID{}, time.Hour); return err }, "clientInstructionId", ErrClientInstructionID},
		{"wait without max", func(ctx context.Context) error { _, err := c.WaitForInstruction(ctx, NewID(5), 0); return err }, "maxWait", nil},
		{"status without id", func(ctx context.Context) error { _, err := c.InstructionStatus(ctx, ID{}); return err }, "clientInstructionId", ErrClientInstructionID},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	checkBadInputs(t, e.srv, cases)
}

// The exported Validate methods agree with what the client refuses.
func TestRequestValidateMethods(t *testing.T) {
	good := []interface{ Validate() error }{
		BankAccountLink{AccountID: demo, InstructionName: "Checking", RoutingNumber: ibkrtest.RoutingNumberMicroDeposits, AccountNumber: NewSecret("123456789"), BankName: "B"},
		MicroDepositVerification{AccountID: demo, InstructionName: "Checking", InstructionID: InstructionID{ID: NewID(1)}, Amount1: MustDecimal("0.01"), Amount2: MustDecimal("0.99")},
		ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("1")},
		WireDeposit{AccountID: demo, Amount: MustDecimal("1000"), Currency: JPY},
		Withdrawal{AccountID: demo, Method: MethodWire, InstructionName: "W", Amount: MustDecimal("1"), Currency: EUR, At: time.Now().Add(time.Hour)},
		CashTransfer{From: demo, To: "U7654321", Amount: MustDecimal("1"), Currency: GBP},
		Cancellation{InstructionID: InstructionID{ID: NewID(1)}, Reason: "r"},
		BankInstructionDeletion{AccountID: demo, InstructionName: "x", Method: BankMethodWire},
		WireDestination{AccountID: demo, InstructionName: "W", Currency: USD, BankName: "B", BankAccount: NewSecret("GB12 3456"), Identifier: "SBIN0001234", IdentifierType: IFSC, BranchCodeType: BranchCodeNone},
		EDDAInstruction{AccountID: demo, InstructionName: "E", Currency: CNH, BankAccountNumber: NewSecret("132456"), BranchCode: "003", ClearingCode: "003", DocumentType: EDDAPassport},
		RecentQuery{AccountID: demo, Days: 30, Type: "WITHDRAWAL"},
	}
	for _, r := range good {
		if err := r.Validate(); err != nil {
			t.Errorf("%T: %v", r, err)
		}
	}
	if err := (RecentQuery{AccountID: demo, Days: 3, Type: "BOGUS"}).Validate(); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("bogus history type: %v", err)
	}
}
