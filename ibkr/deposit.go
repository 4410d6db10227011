package ibkr

import (
	"context"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// Documented bounds of a deposit's free-text fields.
const (
	// MaxSendingInstitutionLen bounds a wire deposit's sending bank name.
	MaxSendingInstitutionLen = 128
	// MaxSenderAccountLen bounds a wire deposit's sending account.
	MaxSenderAccountLen = 64
	// MaxSpecialInstructionLen bounds a deposit's special instruction.
	MaxSpecialInstructionLen = 128
)

// ACHDeposit pulls money into an IBKR account from a linked bank account
// (DEPOSIT by ACH): the ACH instruction must be PROCESSED and allow
// debits. IBKR answers PENDING; the money arrives within days (wait with
// WaitForInstruction).
type ACHDeposit struct {
	// ClientInstructionID is optional: leave it zero to have one
	// allocated; set it (with WithResume) to resume a request sent
	// before.
	ClientInstructionID ID
	// AccountID is the IBKR account credited.
	AccountID string
	// InstructionName is the name of the linked ACH instruction.
	InstructionName string
	// Amount is the amount, greater than zero, at most two decimals.
	Amount Decimal
	// Currency is USD (the default when empty) or, from a Canadian
	// (CAACH) instruction, CAD; it must match the instruction's.
	Currency Currency
	// Recurring, when set, makes the deposit repeat.
	Recurring *Recurrence
	// IRA, when set, makes this a deposit into an IRA (USD only).
	IRA *IRADeposit
}

func (r ACHDeposit) currency() Currency {
	if r.Currency == "" {
		return USD
	}
	return r.Currency
}

// Validate checks the deposit without sending anything, judging a
// recurrence's start date against the wall clock (the client's own
// methods use the client's clock).
func (r ACHDeposit) Validate() error { return r.validate(time.Now()) }

func (r ACHDeposit) validate(now time.Time) error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	if err := ValidateInstructionName("bankInstructionName", r.InstructionName, MaxTransferInstructionNameLen); err != nil {
		return err
	}
	if err := validateMethodCurrency("bankInstructionMethod", "currency", MethodACH, true, r.currency()); err != nil {
		return err
	}
	if err := ValidateAmount("amount", r.Amount, r.currency()); err != nil {
		return err
	}
	if r.IRA != nil {
		if err := r.IRA.validate(r.currency()); err != nil {
			return err
		}
	}
	return validateRecurrence(r.Recurring, now)
}

// validateRecurrence checks an optional recurrence against today's date
// in New York, where IBKR schedules them.
func validateRecurrence(r *Recurrence, now time.Time) error {
	if r == nil {
		return nil
	}
	return r.Validate(now.In(eastern()))
}

func recurrenceDetail(r *Recurrence) *gen.RecurringInstructionDetail {
	if r == nil {
		return nil
	}
	d := r.detail()
	return &d
}

// DepositACH submits an ACH deposit from a linked bank account. The
// result carries the clientInstructionId to wait on.
func (c *Client) DepositACH(ctx context.Context, r ACHDeposit, opts ...CallOption) (*Instruction, error) {
	return c.submitRequest(ctx, r, opts)
}

// instruction validates r and describes it as the instruction DepositACH
// and the bulk calls send.
func (r ACHDeposit) instruction(now time.Time) (instructionCall, error) {
	if err := r.validate(now); err != nil {
		return instructionCall{}, err
	}
	ccy := r.currency()
	summary := fmt.Sprintf("ACH deposit of %s %s to %s from %q", r.Amount, ccy, r.AccountID, r.InstructionName)
	summary += depositExtras(r.Recurring, r.IRA)
	return instructionCall{
		op: opExternalCash, itype: "DEPOSIT", account: r.AccountID, amount: r.Amount, currency: string(ccy),
		summary: summary, cid: r.ClientInstructionID,
		body: func(cid ID) any {
			name := r.InstructionName
			x := gen.DepositFundsInstruction{
				ClientInstructionId:        cid,
				AccountId:                  r.AccountID,
				Amount:                     r.Amount,
				Currency:                   string(ccy),
				BankInstructionMethod:      gen.DepositFundsInstructionBankInstructionMethodACH,
				BankInstructionName:        &name,
				RecurringInstructionDetail: recurrenceDetail(r.Recurring),
			}
			r.IRA.apply(&x)
			return x
		},
	}, nil
}

// WireDeposit tells IBKR a wire is on its way (DEPOSIT by WIRE), so that
// the money is matched to the account when it arrives. The wire itself is
// ordered at the sending bank.
type WireDeposit struct {
	// ClientInstructionID is optional, as in ACHDeposit.
	ClientInstructionID ID
	// AccountID is the IBKR account credited.
	AccountID string
	// Amount is the amount, greater than zero, within the currency's
	// decimals.
	Amount Decimal
	// Currency is the wire's currency (required).
	Currency Currency
	// SendingInstitution names the sending bank (optional, at most 128
	// characters).
	SendingInstitution string
	// SenderAccount is the sending bank account (optional, at most 64
	// characters). A secret: never logged or journaled.
	SenderAccount Secret
	// SpecialInstruction is free text for IBKR (optional, at most 128
	// characters).
	SpecialInstruction string
	// InstructionName names the instruction (optional, at most 150
	// characters).
	InstructionName string
	// Recurring, when set, makes the notification repeat.
	Recurring *Recurrence
	// IRA, when set, makes this a deposit into an IRA (USD only).
	IRA *IRADeposit
}

// String describes the notification without the sending account.
func (r WireDeposit) String() string {
	s := fmt.Sprintf("wire deposit notification of %s %s to %s", r.Amount, r.Currency, r.AccountID)
	if !r.SenderAccount.IsZero() {
		s += " from account " + r.SenderAccount.String()
	}
	return s
}

// Validate checks the notification without sending anything (see
// ACHDeposit.Validate about the clock).
func (r WireDeposit) Validate() error { return r.validate(time.Now()) }

func (r WireDeposit) validate(now time.Time) error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	if err := ValidateAmount("amount", r.Amount, r.Currency); err != nil {
		return err
	}
	for _, f := range []struct {
		field, value string
		max          int
	}{
		{"sendingInstitution", r.SendingInstitution, MaxSendingInstitutionLen},
		{"identifier", r.SenderAccount.Reveal(), MaxSenderAccountLen},
		{"specialInstruction", r.SpecialInstruction, MaxSpecialInstructionLen},
		{"bankInstructionName", r.InstructionName, MaxTransferInstructionNameLen},
	} {
		if f.value == "" {
			continue
		}
		if err := ValidateInstructionName(f.field, f.value, f.max); err != nil {
			return err
		}
	}
	if r.IRA != nil {
		if err := r.IRA.validate(r.Currency); err != nil {
			return err
		}
	}
	return validateRecurrence(r.Recurring, now)
}

// NotifyWireDeposit submits a wire deposit notification.
func (c *Client) NotifyWireDeposit(ctx context.Context, r WireDeposit, opts ...CallOption) (*Instruction, error) {
	return c.submitRequest(ctx, r, opts)
}

// instruction validates r and describes it as the instruction NotifyWireDeposit
// and the bulk calls send.
func (r WireDeposit) instruction(now time.Time) (instructionCall, error) {
	if err := r.validate(now); err != nil {
		return instructionCall{}, err
	}
	summary := r.String() + depositExtras(r.Recurring, r.IRA)
	return instructionCall{
		op: opExternalCash, itype: "DEPOSIT", account: r.AccountID, amount: r.Amount, currency: string(r.Currency),
		summary: summary, secret: !r.SenderAccount.IsZero(), cid: r.ClientInstructionID,
		body: func(cid ID) any {
			x := gen.DepositFundsInstruction{
				ClientInstructionId:        cid,
				AccountId:                  r.AccountID,
				Amount:                     r.Amount,
				Currency:                   string(r.Currency),
				BankInstructionMethod:      gen.DepositFundsInstructionBankInstructionMethodWIRE,
				BankInstructionName:        optional(r.InstructionName),
				SendingInstitution:         optional(r.SendingInstitution),
				Identifier:                 optional(r.SenderAccount.Reveal()),
				SpecialInstruction:         optional(r.SpecialInstruction),
				RecurringInstructionDetail: recurrenceDetail(r.Recurring),
			}
			r.IRA.apply(&x)
			return x
		},
	}, nil
}

// depositExtras describes a deposit's recurrence and IRA detail for its
// summary ("" when it has neither).
func depositExtras(rec *Recurrence, ira *IRADeposit) string {
	s := ""
	if rec != nil {
		s += ", " + rec.String()
	}
	if ira != nil {
		s += ", " + ira.String()
	}
	return s
}

// optional returns nil for "" and &s otherwise.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
