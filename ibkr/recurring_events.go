package ibkr

import (
	"context"
	"math"

	"github.com/ibkrweb/ibkr-go/gen"
)

// DefaultRecurringExecutions is how many runs RecurringExecutions asks
// for when the caller leaves the count at zero (the documentation's
// example asks for 100).
const DefaultRecurringExecutions = 100

// RecurringHistory is a recurring deposit or withdrawal and its latest
// runs, as QUERY_RECENT_RECURRING_EVENTS reports them.
type RecurringHistory struct {
	// ReferenceID is the recurring instruction's ibReferenceId.
	ReferenceID ID
	// Name is the recurring instruction's name.
	Name string
	// Type is "DEPOSIT" or "WITHDRAWAL".
	Type string
	// Status is IBKR's state of the recurring instruction (e.g. ACTIVE).
	Status string
	// Amount, Currency and Method describe each run.
	Amount   Decimal
	Currency Currency
	Method   string
	// Executions are the latest runs, oldest first, each a separate
	// instruction with its own status.
	Executions []RecurringExecution
}

// RecurringExecution is one run of a recurring instruction.
type RecurringExecution struct {
	// RequestID is IBKR's id of the run (ibRequestId).
	RequestID ID
	// Status is the run's state, such as PENDING or PROCESSED.
	Status InstructionStatus
}

// RecurringExecutions lists the latest runs of a recurring deposit or
// withdrawal (QUERY_RECENT_RECURRING_EVENTS). referenceID is the recurring
// instruction's ibReferenceId (RecurringInstruction.ReferenceID, or the
// IBReferenceID of the answer that created it); count is how many runs to
// return, DefaultRecurringExecutions when zero.
func (c *Client) RecurringExecutions(ctx context.Context, referenceID ID, count int) (*RecurringHistory, error) {
	if referenceID.IsZero() {
		return nil, invalid("ibReferenceId", "is required (the recurring instruction's ibReferenceId)")
	}
	if count == 0 {
		count = DefaultRecurringExecutions
	}
	if count < 1 || count > math.MaxInt32 {
		return nil, invalid("numberOfTransactions", "must be at least 1 (got %d)", count)
	}
	var res gen.QueryRecentRecurringEventResult
	if _, err := c.query(ctx, opBankInstructionsQuery, "QUERY_RECENT_RECURRING_EVENTS",
		map[string]any{"ibReferenceId": referenceID, "numberOfTransactions": count}, &res); err != nil {
		return nil, err
	}
	h := &RecurringHistory{
		ReferenceID: referenceID, Name: res.RecurringInstructionName, Type: res.RecurringTransactionType,
		Status: res.RecurringTransactionStatus, Amount: res.Amount, Currency: Currency(res.Currency), Method: res.Method,
	}
	if res.IbReferenceId != nil && !res.IbReferenceId.IsZero() {
		h.ReferenceID = *res.IbReferenceId
	}
	if res.TransactionHistory.Result != nil {
		for _, r := range *res.TransactionHistory.Result {
			h.Executions = append(h.Executions, RecurringExecution{RequestID: unptr(r.IbRequestId), Status: InstructionStatus(unptr(r.Status))})
		}
	}
	return h, nil
}
