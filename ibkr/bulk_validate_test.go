package ibkr

import (
	"context"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// TestBulkBadInputs refuses bad bulk requests locally: an *InputError
// naming the item and its field ("instructions[1].amount"), and not one
// request reaches the sandbox, not even a token request. Every field type
// of the items is covered (account id, name, amount, currency, enum, id,
// date, nested recurrence, secret), and the rules of bulk requests
// themselves (empty, nil item, mixed types, repeated or reused ids).
func TestBulkBadInputs(t *testing.T) {
	e := newFundingEnv(t, nil)
	c := e.c
	now := e.srv.Now()
	goodDeposit := ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("5")}
	cash := func(mod func(*ACHDeposit)) func(context.Context) error {
		r := goodDeposit
		mod(&r)
		return func(ctx context.Context) error {
			_, err := c.BulkExternalCashTransfers(ctx, []ExternalCashItem{goodDeposit, r})
			return err
		}
	}
	goodWithdrawal := Withdrawal{AccountID: demo, Method: MethodACH, InstructionName: "Checking", Amount: MustDecimal("100")}
	goodLink := BankAccountLink{AccountID: demo, InstructionName: "Checking", RoutingNumber: ibkrtest.RoutingNumberVerified,
		AccountNumber: NewSecret(fundingAccountNumber), BankName: "Example Bank"}
	bank := func(mod func(*BankAccountLink)) func(context.Context) error {
		r := goodLink
		mod(&r)
		return func(ctx context.Context) error {
			_, err := c.BulkBankInstructions(ctx, []BankInstructionItem{goodLink, goodLink, r})
			return err
		}
	}
	goodTransfer := CashTransfer{From: demo, To: "U7654321", Amount: MustDecimal("1"), Currency: USD}
	internal := func(mod func(*CashTransfer)) func(context.Context) error {
		r := goodTransfer
		mod(&r)
		return func(ctx context.Context) error {
			_, err := c.BulkInternalCashTransfers(ctx, []CashTransfer{r})
			return err
		}
	}
	goodCancel := Cancellation{InstructionID: InstructionID{ID: NewID(43000001)}, Reason: "changed my mind"}
	cancel := func(mod func(*Cancellation)) func(context.Context) error {
		r := goodCancel
		mod(&r)
		return func(ctx context.Context) error {
			_, err := c.BulkCancelInstructions(ctx, []Cancellation{goodCancel, goodCancel, goodCancel, r})
			return err
		}
	}
	issued, _ := c.NewInstructionID(context.Background())
	_, _ = c.NewInstructionID(context.Background())
	n1, _ := issued.Uint64()
	reused := NewID(n1 - 1)

	cases := []badInput{
		{"empty", func(ctx context.Context) error { _, err := c.BulkExternalCashTransfers(ctx, nil); return err }, "instructions", nil},
		{"nil item", func(ctx context.Context) error {
			_, err := c.BulkExternalCashTransfers(ctx, []ExternalCashItem{goodDeposit, nil})
			return err
		}, "instructions[1]", nil},
		{"mixed types", func(ctx context.Context) error {
			_, err := c.BulkExternalCashTransfers(ctx, []ExternalCashItem{goodDeposit, goodWithdrawal})
			return err
		}, "instructionType", nil},
		{"repeated id", func(ctx context.Context) error {
			a, b := goodTransfer, goodTransfer
			a.ClientInstructionID, b.ClientInstructionID = NewID(n1+100), NewID(n1+100)
			_, err := c.BulkInternalCashTransfers(ctx, []CashTransfer{a, goodTransfer, b})
			return err
		}, "instructions[2].clientInstructionId", nil},
		{"reused id", internal(func(r *CashTransfer) { r.ClientInstructionID = reused }), "instructions[0].clientInstructionId", ErrInstructionIDReused},
		{"account id", cash(func(r *ACHDeposit) { r.AccountID = "x" }), "instructions[1].accountId", ErrAccountID},
		{"name", cash(func(r *ACHDeposit) { r.InstructionName = "" }), "instructions[1].bankInstructionName", ErrName},
		{"amount", cash(func(r *ACHDeposit) { r.Amount = MustDecimal("10.005") }), "instructions[1].amount", ErrAmount},
		{"currency", cash(func(r *ACHDeposit) { r.Currency = EUR }), "instructions[1].currency", ErrUnknownCurrency},
		{"recurrence", cash(func(r *ACHDeposit) {
			r.Recurring = &Recurrence{Name: "Monthly", Frequency: Monthly, Start: now.AddDate(0, 0, 1), End: now.AddDate(0, 0, -3)}
		}), "instructions[1].recurringInstructionDetail.endDate", ErrDateRange},
		{"enum", bank(func(r *BankAccountLink) { r.AccountType = 3 }), "instructions[2].bankAccountTypeCode", nil},
		{"routing", bank(func(r *BankAccountLink) { r.RoutingNumber = "110000001" }), "instructions[2].bankRoutingNumber", ErrRoutingNumber},
		{"secret", bank(func(r *BankAccountLink) { r.AccountNumber = NewSecret(fundingAccountNumber + "x") }), "instructions[2].bankAccountNumber", nil},
		{"same accounts", internal(func(r *CashTransfer) { r.To = r.From }), "instructions[0].targetAccountId", ErrAccountID},
		{"date", internal(func(r *CashTransfer) { r.At = now.AddDate(0, 0, -2) }), "instructions[0].dateTimeToOccur", nil},
		{"instruction id", cancel(func(r *Cancellation) { r.InstructionID = InstructionID{} }), "instructions[3].instructionId", nil},
		{"reason", cancel(func(r *Cancellation) { r.Reason = strings.Repeat("r", MaxCancelReasonLen+1) }), "instructions[3].reason", ErrName},
	}
	checkBadInputs(t, e.srv, cases)
}
