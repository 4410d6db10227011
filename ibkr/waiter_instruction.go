package ibkr

import (
	"context"
	"time"
)

// Poll delays of the ready-made instruction waiters. ACH verification
// takes IBKR 7 to 15 minutes and deposits days, so polling every few
// seconds would only burn the rate limit.
const (
	// DefaultInstructionMinDelay is the shortest wait between polls of an
	// instruction.
	DefaultInstructionMinDelay = 5 * time.Second
	// DefaultInstructionMaxDelay is the longest wait between polls of an
	// instruction.
	DefaultInstructionMaxDelay = 5 * time.Minute
)

// NewInstructionWaiter returns a waiter that polls the instruction sent
// with clientInstructionId until its status satisfies done; a REJECTED
// status ends the wait with a *RejectedError (errors.Is(err,
// ErrRejected)), with IBKR's code and message. Notifications about the
// instruction wake it early when the options carry a Notifier.
func (c *Client) NewInstructionWaiter(clientInstructionID ID, done func(InstructionStatus) bool, optFns ...func(*WaiterOptions)) *Waiter[*Instruction] {
	poll := func(ctx context.Context) (*Instruction, bool, error) {
		in, err := c.InstructionStatus(ctx, clientInstructionID)
		if err != nil {
			return nil, false, err
		}
		if in.Status == InstructionRejected {
			return in, false, rejection(in)
		}
		return in, done(in.Status), nil
	}
	defaults := func(o *WaiterOptions) {
		o.MinDelay, o.MaxDelay = DefaultInstructionMinDelay, DefaultInstructionMaxDelay
		o.Match = MatchInstruction(clientInstructionID, InstructionID{})
	}
	w := NewWaiter(c, "instruction with clientInstructionId "+clientInstructionID.String(), poll, append([]func(*WaiterOptions){defaults}, optFns...)...)
	return w
}

// WaitForInstruction waits until the instruction sent with
// clientInstructionId is PROCESSED, and returns it. A REJECTED
// instruction is a *RejectedError; running out of maxWait is a
// *WaitTimeoutError (ErrTimeout). Deposits take IBKR days: pass a maxWait
// to match, and a Notifier if callbacks are configured. A recurring
// deposit or withdrawal stays PENDING while it is active; wait for its
// executions (RecentInstructions) instead. While a Tracker attached to
// the client (TrackerOptions.Attach) runs, the wait is the tracker's:
// the instruction joins its batched queries instead of being polled on
// its own (optFns then do not apply).
func (c *Client) WaitForInstruction(ctx context.Context, clientInstructionID ID, maxWait time.Duration, optFns ...func(*WaiterOptions)) (*Instruction, error) {
	if err := ValidateClientInstructionID("clientInstructionId", clientInstructionID); err != nil {
		return nil, err
	}
	if t := c.tracker.Load(); t != nil && t.isRunning() {
		return t.waitFor(ctx, clientInstructionID, maxWait) // one tracker settles every waiter's instruction
	}
	w := c.NewInstructionWaiter(clientInstructionID, func(s InstructionStatus) bool { return s == InstructionProcessed }, optFns...)
	in, err := w.Wait(ctx, maxWait)
	return in, stampTimeout(err, clientInstructionID)
}

// WaitForBankVerification waits for IBKR's verdict on an ACH bank
// instruction (LinkBankAccount), which takes 7 to 15 minutes: PROCESSED
// (usable at once) or PENDING_VERIFICATION (confirm the two micro-deposits
// with VerifyMicroDeposits) is returned; REJECTED is a *RejectedError
// (link the account in the IBKR portal instead); running out of maxWait
// is a *WaitTimeoutError.
func (c *Client) WaitForBankVerification(ctx context.Context, clientInstructionID ID, maxWait time.Duration, optFns ...func(*WaiterOptions)) (*Instruction, error) {
	if err := ValidateClientInstructionID("clientInstructionId", clientInstructionID); err != nil {
		return nil, err
	}
	w := c.NewInstructionWaiter(clientInstructionID, func(s InstructionStatus) bool {
		return s == InstructionProcessed || s == InstructionPendingVerification
	}, optFns...)
	in, err := w.Wait(ctx, maxWait)
	return in, stampTimeout(err, clientInstructionID)
}

// stampTimeout records the awaited id in a timeout error.
func stampTimeout(err error, id ID) error {
	if te, ok := err.(*WaitTimeoutError); ok {
		te.ClientInstructionID = id
	}
	return err
}
