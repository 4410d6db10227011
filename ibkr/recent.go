package ibkr

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"
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

type recentResult struct {
	InstructionHistory *struct {
		Result []struct {
			ClientInstructionID ID     `json:"clientInstructionId"`
			IBInstructionID     ID     `json:"ibInstructionId"`
			InstructionSetID    ID     `json:"instructionSetId"`
			InstructionType     string `json:"instructionType"`
			RequestDate         string `json:"requestDate"`
			Status              string `json:"status"`
		} `json:"result"`
	} `json:"instructionHistory"`
}

// Poll delays for the history of a recent-instructions query, which IBKR
// answers asynchronously.
const (
	recentMinDelay = time.Second
	recentMaxDelay = 10 * time.Second
	recentMaxWait  = 2 * time.Minute
)

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
	if gate == nil {
		gate = func(context.Context, string) error { return nil }
	}
	hist := map[string]any{"daysToGoBack": q.Days}
	if q.Type != "" {
		hist["transactionType"] = q.Type
	}
	body, err := marshalJSON(map[string]any{"instructionType": "QUERY_RECENT_INSTRUCTIONS",
		"instruction": map[string]any{"accountId": q.AccountID, "transactionHistory": hist}})
	if err != nil {
		return nil, invalid("body", "cannot encode request: %v", err)
	}
	if err := gate(ctx, "createInstructionsQuery"); err != nil {
		return nil, err
	}
	resp, err := c.raw.CreateInstructionsQueryWithBody(ctx, contentTypeJSON, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var res recentResult
	in, err := decodeQueryAnswer(resp, "QUERY_RECENT_INSTRUCTIONS", &res)
	if err != nil {
		return nil, err
	}
	if res.InstructionHistory == nil {
		w := NewWaiter(c, "instruction history "+in.ClientInstructionID.String(), func(ctx context.Context) (recentResult, bool, error) {
			var r recentResult
			if err := gate(ctx, "getClientInstructions"); err != nil {
				return r, false, err
			}
			resp, err := c.raw.GetClientInstructions(ctx, in.ClientInstructionID)
			if err != nil {
				return r, false, err
			}
			if _, err := decodeQueryAnswer(resp, "QUERY_RECENT_INSTRUCTIONS", &r); err != nil {
				return r, false, err
			}
			return r, r.InstructionHistory != nil, nil
		}, func(o *WaiterOptions) { o.MinDelay, o.MaxDelay = recentMinDelay, recentMaxDelay })
		if res, err = w.Wait(ctx, recentMaxWait); err != nil {
			return nil, stampTimeout(err, in.ClientInstructionID)
		}
	}
	out := make([]RecentInstruction, 0, len(res.InstructionHistory.Result))
	for _, r := range res.InstructionHistory.Result {
		out = append(out, RecentInstruction{
			ClientInstructionID: r.ClientInstructionID, InstructionID: InstructionID{ID: r.IBInstructionID}, InstructionSetID: r.InstructionSetID,
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
	var res struct {
		RecurringInstructions []struct {
			Amount                Decimal `json:"amount"`
			BankInstructionMethod string  `json:"bankInstructionMethod"`
			BankInstructionName   string  `json:"bankInstructionName"`
			Currency              string  `json:"currency"`
			EndDate               string  `json:"endDate"`
			Frequency             string  `json:"frequency"`
			RequestID             ID      `json:"requestId"`
			StartDate             string  `json:"startDate"`
			TransactionType       string  `json:"transactionType"`
		} `json:"recurringInstructions"`
	}
	send := func(ctx context.Context, body io.Reader) (*http.Response, error) {
		return c.raw.CreateBankInstructionsQueryWithBody(ctx, contentTypeJSON, body)
	}
	if _, err := c.query(ctx, send, "QUERY_RECURRING_INSTRUCTIONS", map[string]any{"accountId": accountID}, &res); err != nil {
		return nil, err
	}
	out := make([]RecurringInstruction, 0, len(res.RecurringInstructions))
	for _, r := range res.RecurringInstructions {
		out = append(out, RecurringInstruction{
			Type: r.TransactionType, Method: r.BankInstructionMethod, InstructionName: r.BankInstructionName,
			Amount: r.Amount, Currency: Currency(r.Currency), Frequency: Frequency(r.Frequency),
			StartDate: r.StartDate, EndDate: r.EndDate, ReferenceID: r.RequestID,
		})
	}
	return out, nil
}
