package ibkr

import (
	"context"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// MaxClientNoteLen bounds the note of an internal cash transfer.
const MaxClientNoteLen = 64

// CashTransfer moves cash between two IBKR accounts
// (INTERNAL_CASH_TRANSFER). IBKR carries it out at once (PROCESSED) or,
// when it cannot within 15 seconds or At lies ahead, answers PENDING.
type CashTransfer struct {
	// ClientInstructionID is optional: leave it zero to have one
	// allocated; set it (with WithResume) to resume a request sent
	// before.
	ClientInstructionID ID
	// From and To are the source and target IBKR accounts.
	From, To string
	// Amount is the amount, greater than zero, within the currency's
	// decimals.
	Amount Decimal
	// Currency is the currency moved (required).
	Currency Currency
	// At schedules the transfer (dateTimeToOccur); zero means now.
	At time.Time
	// Note is free text (optional, at most 64 characters).
	Note string
}

// Validate checks the transfer without sending anything (At is judged
// against the wall clock; the client's methods use the client's clock).
func (r CashTransfer) Validate() error { return r.validate(time.Now()) }

func (r CashTransfer) validate(now time.Time) error {
	if err := validateAccountPair(r.From, r.To); err != nil {
		return err
	}
	if err := ValidateAmount("amount", r.Amount, r.Currency); err != nil {
		return err
	}
	if r.Note != "" {
		if err := ValidateInstructionName("clientNote", r.Note, MaxClientNoteLen); err != nil {
			return err
		}
	}
	return validateWhen("dateTimeToOccur", r.At, now)
}

// TransferCash submits an internal cash transfer.
func (c *Client) TransferCash(ctx context.Context, r CashTransfer, opts ...CallOption) (*Instruction, error) {
	return c.submitRequest(ctx, r, opts)
}

// instruction validates r and describes it as the instruction TransferCash
// and the bulk calls send.
func (r CashTransfer) instruction(now time.Time) (instructionCall, error) {
	if err := r.validate(now); err != nil {
		return instructionCall{}, err
	}
	return instructionCall{
		op: opInternalCash, itype: "INTERNAL_CASH_TRANSFER", account: r.From, amount: r.Amount, currency: string(r.Currency),
		summary: fmt.Sprintf("internal transfer of %s %s from %s to %s", r.Amount, r.Currency, r.From, r.To),
		cid:     r.ClientInstructionID,
		body: func(cid ID) any {
			return gen.InternalCashTransferInstruction{
				ClientInstructionId: cid,
				SourceAccountId:     r.From,
				TargetAccountId:     r.To,
				Amount:              r.Amount,
				Currency:            string(r.Currency),
				DateTimeToOccur:     whenPtr(r.At),
				ClientNote:          optional(r.Note),
			}
		},
	}, nil
}
