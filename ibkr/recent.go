package ibkr

import (
	"context"

	"github.com/ibkrweb/ibkr-go/gen"
)

// MaxRecentDays is how far back IBKR's instruction history reaches.
const MaxRecentDays = 30

// RecentQuery selects an account's recent instructions
// (QUERY_RECENT_INSTRUCTIONS).
type RecentQuery struct {
	// AccountID is the IBKR account.
	AccountID string
	// Days is the look-back period, 1 to 30 days.
	Days int
	// Type narrows the history to one instruction type, such as
	// "DEPOSIT" or "WITHDRAWAL"; empty for all.
	Type string
}

// recentTypes are the instruction types the history can be narrowed to.
var recentTypes = map[string]bool{
	"ALL": true, "ACH_INSTRUCTION": true, "CANCEL_INSTRUCTION": true, "COMPLEX_ASSET_TRANSFER": true,
	"DELETE_BANK_INSTRUCTION": true, "DEPOSIT": true, "DWAC": true, "EDDA_INSTRUCTION": true,
	"EXTERNAL_POSITION_TRANSFER": true, "FOP": true, "INTERNAL_CASH_TRANSFER": true,
	"INTERNAL_POSITION_TRANSFER": true, "PREDEFINED_DESTINATION_INSTRUCTION": true,
	"TRADITIONAL_BANK_INSTRUCTION_VERIFICATION": true, "WITHDRAWAL": true,
}

// Validate checks the query without sending anything.
func (q RecentQuery) Validate() error {
	if err := ValidateAccountID("accountId", q.AccountID); err != nil {
		return err
	}
	if q.Days < 1 || q.Days > MaxRecentDays {
		return inputErr("transactionHistory.daysToGoBack", ErrDateRange, "must be 1 to %d days (got %d)", MaxRecentDays, q.Days)
	}
	if q.Type != "" && !recentTypes[q.Type] {
		return invalid("transactionHistory.transactionType", "unknown instruction type %q", clip(q.Type, 40))
	}
	return nil
}

// RecentInstruction is one entry of an account's instruction history.
type RecentInstruction struct {
	ClientInstructionID ID
	InstructionID       InstructionID
	InstructionSetID    ID
	// Type is the instruction type, e.g. "DEPOSIT".
	Type string
	// Status is the instruction's state.
	Status InstructionStatus
	// RequestDate is the day it was requested (yyyy-MM-dd).
	RequestDate string
}

// recentResult is the generated answer of QUERY_RECENT_INSTRUCTIONS;
// InstructionHistory is nil until IBKR has gathered it.
type recentResult = gen.QueryRecentInstructionResult

// RecentInstructions returns an account's instructions of the last
// q.Days days, newest first. IBKR answers the query asynchronously; the
// call polls for the history (within two minutes, on the client's clock).
func (c *Client) RecentInstructions(ctx context.Context, q RecentQuery) ([]RecentInstruction, error) {
	return c.recentInstructions(ctx, q, nil)
}

// recentInstructions is RecentInstructions; gate, when set, is called
// before each request with its operationId (the tracker spends its share
// of the rate budget there).
func (c *Client) recentInstructions(ctx context.Context, q RecentQuery, gate func(ctx context.Context, op string) error) ([]RecentInstruction, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	hist := map[string]any{"daysToGoBack": q.Days}
	if q.Type != "" {
		hist["transactionType"] = q.Type
	}
	res, err := asyncQuery(ctx, c, opInstructionsQuery, "QUERY_RECENT_INSTRUCTIONS",
		map[string]any{"accountId": q.AccountID, "transactionHistory": hist},
		func(r *recentResult) bool { return r.InstructionHistory != nil }, gate)
	if err != nil {
		return nil, err
	}
	out := make([]RecentInstruction, 0, len(res.InstructionHistory.Result))
	for _, r := range res.InstructionHistory.Result {
		out = append(out, RecentInstruction{
			ClientInstructionID: r.ClientInstructionId, InstructionID: InstructionID{ID: r.IbInstructionId}, InstructionSetID: r.InstructionSetId,
			Type: r.InstructionType, Status: InstructionStatus(r.Status), RequestDate: r.RequestDate,
		})
	}
	return out, nil
}

// RecurringInstruction is an active recurring deposit or withdrawal, as
// QUERY_RECURRING_INSTRUCTIONS lists it.
type RecurringInstruction struct {
	// Type is "DEPOSIT" or "WITHDRAWAL".
	Type string
	// Method and InstructionName are the bank instruction used.
	Method, InstructionName string
	Amount                  Decimal
	Currency                Currency
	// Frequency, StartDate and EndDate (yyyy-MM-dd; empty: no end) are
	// the schedule.
	Frequency          Frequency
	StartDate, EndDate string
	// ReferenceID is IBKR's reference of the recurring instruction.
	ReferenceID ID
}

// RecurringInstructions lists an account's active recurring deposits and
// withdrawals.
func (c *Client) RecurringInstructions(ctx context.Context, accountID string) ([]RecurringInstruction, error) {
	if err := ValidateAccountID("accountId", accountID); err != nil {
		return nil, err
	}
	var res gen.QueryRecurringInstructionsResult
	if _, err := c.query(ctx, opBankInstructionsQuery, "QUERY_RECURRING_INSTRUCTIONS", map[string]any{"accountId": accountID}, &res); err != nil {
		return nil, err
	}
	out := make([]RecurringInstruction, 0, len(res.RecurringInstructions))
	for _, r := range res.RecurringInstructions {
		out = append(out, RecurringInstruction{
			Type: unptr(r.TransactionType), Method: unptr(r.BankInstructionMethod), InstructionName: unptr(r.BankInstructionName),
			Amount: unptr(r.Amount), Currency: Currency(unptr(r.Currency)), Frequency: Frequency(unptr(r.Frequency)),
			StartDate: unptr(r.StartDate), EndDate: unptr(r.EndDate), ReferenceID: unptr(r.RequestId),
		})
	}
	return out, nil
}
