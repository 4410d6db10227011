package ibkr

import (
	"context"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// TransferMethod is how money leaves or enters through a saved bank
// instruction (IBKR's bankInstructionMethod).
type TransferMethod string

// Transfer methods.
const (
	// MethodACH moves USD through a linked US bank account, or CAD
	// through a Canadian one (EFT).
	MethodACH TransferMethod = "ACH"
	// MethodWire moves money by bank wire; wire withdrawal instructions
	// are created in the IBKR portal (or AddWireDestination).
	MethodWire TransferMethod = "WIRE"
)

// pastTolerance is how far in the past a dateTimeToOccur may lie (clock
// skew between caller and IBKR) before it is refused.
const pastTolerance = time.Minute

// Withdrawal sends money from an IBKR account to a saved bank
// instruction (WITHDRAWAL), by ACH, wire or SEPA. IBKR takes at most 100,000
// USD per withdrawal through the API; larger ones go through the portal.
type Withdrawal struct {
	// ClientInstructionID is optional: leave it zero to have one
	// allocated; set it (with WithResume) to resume a request sent
	// before.
	ClientInstructionID ID
	// AccountID is the IBKR account debited.
	AccountID string
	// Method is MethodACH (USD or CAD), MethodWire (any currency IBKR
	// funds in) or MethodSEPA (EUR); required.
	Method TransferMethod
	// InstructionName is the saved bank instruction credited.
	InstructionName string
	// Amount is the amount, greater than zero, within the currency's
	// decimals, at most 100,000 for USD.
	Amount Decimal
	// Currency is the currency (when empty: EUR for SEPA, USD
	// otherwise); it must match the saved instruction's.
	Currency Currency
	// At schedules the withdrawal (dateTimeToOccur); zero means as soon
	// as possible. It must not lie in the past; sent in UTC, whole
	// seconds.
	At time.Time
	// Recurring, when set, makes the withdrawal repeat (not together
	// with At).
	Recurring *Recurrence
	// IRA, when set, makes this a distribution from an IRA, with its
	// reason and tax withholding (USD only).
	IRA *IRADistribution
}

func (r Withdrawal) currency() Currency {
	if r.Currency == "" && r.Method == MethodSEPA {
		return EUR
	}
	if r.Currency == "" {
		return USD
	}
	return r.Currency
}

// Validate checks the withdrawal without sending anything, judging At and
// a recurrence's start date against the wall clock (the client's own
// methods use the client's clock).
func (r Withdrawal) Validate() error { return r.validate(time.Now()) }

func (r Withdrawal) validate(now time.Time) error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	if err := validateMethodCurrency("bankInstructionMethod", "currency", r.Method, false, r.currency()); err != nil {
		return err
	}
	if err := ValidateInstructionName("bankInstructionName", r.InstructionName, MaxTransferInstructionNameLen); err != nil {
		return err
	}
	if err := ValidateWithdrawalAmount("amount", r.Amount, r.currency()); err != nil {
		return err
	}
	if err := validateWhen("dateTimeToOccur", r.At, now); err != nil {
		return err
	}
	if r.Recurring != nil && !r.At.IsZero() {
		return inputErr("dateTimeToOccur", ErrDateRange, "a recurring withdrawal runs on its own dates; leave dateTimeToOccur out")
	}
	if r.IRA != nil {
		if err := r.IRA.validate(r.currency()); err != nil {
			return err
		}
	}
	return validateRecurrence(r.Recurring, now)
}

// validateWhen checks an optional dateTimeToOccur.
func validateWhen(field string, at, now time.Time) error {
	if at.IsZero() {
		return nil
	}
	if at.Before(now.Add(-pastTolerance)) {
		return inputErr(field, ErrDateRange, "%s is in the past", FormatDateTimeToOccur(at))
	}
	if at.Year() > 9999 {
		return inputErr(field, ErrDate, "year beyond 9999")
	}
	return nil
}

// whenPtr is the wire form of an optional dateTimeToOccur: UTC, whole
// seconds.
func whenPtr(at time.Time) *time.Time {
	if at.IsZero() {
		return nil
	}
	t := at.UTC().Truncate(time.Second)
	return &t
}

// Withdraw submits a withdrawal. IBKR answers PENDING and holds the
// amount; the money leaves within days (wait with WaitForInstruction). An
// amount over the API limit is refused locally (ErrWithdrawalLimit);
// IBKR refuses one above the withdrawable cash with HTTP 422.
func (c *Client) Withdraw(ctx context.Context, r Withdrawal, opts ...CallOption) (*Instruction, error) {
	return c.submitRequest(ctx, r, opts)
}

// instruction validates r and describes it as the instruction Withdraw
// and the bulk calls send.
func (r Withdrawal) instruction(now time.Time) (instructionCall, error) {
	if err := r.validate(now); err != nil {
		return instructionCall{}, err
	}
	ccy := r.currency()
	summary := fmt.Sprintf("%s withdrawal of %s %s from %s to %q", r.Method, r.Amount, ccy, r.AccountID, r.InstructionName)
	if !r.At.IsZero() {
		summary += " at " + FormatDateTimeToOccur(r.At)
	}
	if r.Recurring != nil {
		summary += ", " + r.Recurring.String()
	}
	if r.IRA != nil {
		summary += ", " + r.IRA.String()
	}
	return instructionCall{
		op: opExternalCash, itype: "WITHDRAWAL", account: r.AccountID, amount: r.Amount, currency: string(ccy),
		summary: summary, cid: r.ClientInstructionID,
		body: func(cid ID) any {
			x := gen.WithdrawFundsInstruction{
				ClientInstructionId:        cid,
				AccountId:                  r.AccountID,
				Amount:                     r.Amount,
				Currency:                   string(ccy),
				BankInstructionMethod:      gen.WithdrawFundsInstructionBankInstructionMethod(r.Method),
				BankInstructionName:        r.InstructionName,
				DateTimeToOccur:            whenPtr(r.At),
				RecurringInstructionDetail: recurrenceDetail(r.Recurring),
			}
			r.IRA.apply(&x)
			return x
		},
	}, nil
}
