package ibkr

import (
	"context"
	"time"
)

// Poll delays of WaitForAccountOpen: IBKR opens accounts within about a
// business day of the last required task, so there is no point polling
// often.
const (
	// DefaultAccountMinDelay is the shortest wait between polls of an
	// account's status.
	DefaultAccountMinDelay = time.Minute
	// DefaultAccountMaxDelay is the longest wait between polls of an
	// account's status.
	DefaultAccountMaxDelay = 30 * time.Minute
)

// NewAccountOpenWaiter returns a waiter that polls an account's status
// (AccountStatus) until it is open (O). A rejected (R), abandoned (A) or
// closed (C) account ends the wait with an *AccountStatusError; pending
// statuses (N, P, E, Q) keep it going. Callback notifications about the
// account wake it early when the options carry a Notifier.
func (c *Client) NewAccountOpenWaiter(accountID string, optFns ...func(*WaiterOptions)) *Waiter[*AccountStatusInfo] {
	poll := func(ctx context.Context) (*AccountStatusInfo, bool, error) {
		st, err := c.AccountStatus(ctx, accountID)
		if err != nil {
			return nil, false, err
		}
		switch st.Status {
		case StatusOpen:
			return st, true, nil
		case StatusRejected, StatusAbandoned, StatusClosed:
			return st, false, &AccountStatusError{AccountID: accountID, Status: st.Status, Description: st.Description}
		}
		return st, false, nil
	}
	defaults := func(o *WaiterOptions) {
		o.MinDelay, o.MaxDelay = DefaultAccountMinDelay, DefaultAccountMaxDelay
		o.Match = MatchAccount(accountID)
	}
	return NewWaiter(c, "account "+accountID+" open", poll, append([]func(*WaiterOptions){defaults}, optFns...)...)
}

// WaitForAccountOpen waits until IBKR opens the account (status O) and
// returns its status. Send the pending tasks' documents first
// (PendingTasks, SubmitDocuments): an application waiting for them never
// opens. A rejected, abandoned or closed account is an
// *AccountStatusError; running out of maxWait is a *WaitTimeoutError
// (ErrTimeout) whose Last value holds the last status seen, with its
// application state. IBKR's maintenance windows and server errors do not
// end the wait.
func (c *Client) WaitForAccountOpen(ctx context.Context, accountID string, maxWait time.Duration, optFns ...func(*WaiterOptions)) (*AccountStatusInfo, error) {
	if err := ValidateAccountID("accountId", accountID); err != nil {
		return nil, err
	}
	return c.NewAccountOpenWaiter(accountID, optFns...).Wait(ctx, maxWait)
}

// String describes the status for logs and timeout errors, e.g. "new (N),
// Documents Required".
func (s *AccountStatusInfo) String() string {
	if s == nil {
		return "no status"
	}
	out := s.Status.String()
	if s.State != "" {
		out += ", " + string(s.State)
	}
	return out
}
