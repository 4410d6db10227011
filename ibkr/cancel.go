package ibkr

import (
	"context"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// MaxCancelReasonLen bounds the reason of a cancellation.
const MaxCancelReasonLen = 256

// Cancellation stops an instruction that is still PENDING
// (CANCEL_INSTRUCTION), including the future executions of a recurring
// deposit or withdrawal. The cancelled instruction ends REJECTED.
type Cancellation struct {
	// ClientInstructionID is the cancellation's own id, optional as in
	// the other requests.
	ClientInstructionID ID
	// InstructionID is IBKR's id of the instruction to cancel.
	InstructionID InstructionID
	// Reason says why (required, at most 256 characters).
	Reason string
}

// Validate checks the cancellation without sending anything.
func (r Cancellation) Validate() error {
	if r.InstructionID.IsZero() {
		return invalid("instructionId", "is required (IBKR's id of the instruction to cancel)")
	}
	return ValidateInstructionName("reason", r.Reason, MaxCancelReasonLen)
}

// CancelInstruction cancels a PENDING instruction. IBKR refuses to cancel
// one that is no longer PENDING (HTTP 422, an *APIError matching
// ErrRejected).
func (c *Client) CancelInstruction(ctx context.Context, r Cancellation, opts ...CallOption) (*Instruction, error) {
	return c.submitRequest(ctx, r, opts)
}

// instruction validates r and describes it as the instruction CancelInstruction
// and the bulk calls send.
func (r Cancellation) instruction(time.Time) (instructionCall, error) {
	if err := r.Validate(); err != nil {
		return instructionCall{}, err
	}
	return instructionCall{
		op: opCancel, itype: "CANCEL_INSTRUCTION",
		summary: fmt.Sprintf("cancel instruction %s", r.InstructionID),
		cid:     r.ClientInstructionID,
		body: func(cid ID) any {
			return gen.CancelInstruction{ClientInstructionId: cid, InstructionId: r.InstructionID.ID, Reason: r.Reason}
		},
	}, nil
}
