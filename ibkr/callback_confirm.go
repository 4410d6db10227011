package ibkr

import (
	"context"
	"errors"
	"net/http"
)

// NewCallbackHandler returns an http.Handler for IBKR's callback
// notifications that confirms each one through c before calling handle:
// the default, safe path. IBKR documents no authentication for callbacks,
// so a notification is only a hint; the handler queries the instruction,
// account request or account it names and calls handle with the state
// IBKR answers with (CallbackEvent.Confirmed is true, the notification
// itself is in Raw). A forged notification about something IBKR does not
// know is dropped with a 200, never reaching handle. Everything else is as
// for the package-level NewCallbackHandler, whose options apply.
//
// Each notification costs one query (rate-limited like any other call),
// and the handler answers only after it: IBKR's notifications are rare,
// so this is cheap insurance against acting on a forged "PROCESSED".
func (c *Client) NewCallbackHandler(handle func(ctx context.Context, ev CallbackEvent) error, opts ...CallbackOption) http.Handler {
	return NewCallbackHandler(handle, append([]CallbackOption{WithCallbackConfirmation(c)}, opts...)...)
}

// confirmCallback re-reads from IBKR the state a notification claims. It
// returns the confirmed event; ok = false for a notification IBKR does not
// confirm (unknown ids, ids that do not belong together, malformed ids),
// and an error when the query itself failed (the caller answers 500 so
// that IBKR redelivers).
func (c *Client) confirmCallback(ctx context.Context, ev CallbackEvent) (CallbackEvent, bool, error) {
	out := ev
	switch {
	case ev.Kind == CallbackFunding && ev.Instruction != nil:
		n := ev.Instruction
		var inst *Instruction
		var err error
		if !n.ClientInstructionID.IsZero() {
			inst, err = c.InstructionStatus(ctx, n.ClientInstructionID)
		} else {
			inst, err = c.InstructionByID(ctx, n.InstructionID)
		}
		if err != nil {
			return ev, false, unconfirmed(err)
		}
		if !n.InstructionID.IsZero() && !inst.InstructionID.IsZero() && n.InstructionID != inst.InstructionID {
			return ev, false, nil
		}
		in := *n
		in.InstructionStatus = string(inst.Status)
		in.ErrorCode, in.ErrorMessage = inst.ErrorCode, inst.ErrorMessage
		in.Description = inst.Description
		if !inst.InstructionID.IsZero() {
			in.InstructionID = inst.InstructionID
		}
		if !inst.ClientInstructionID.IsZero() {
			in.ClientInstructionID = inst.ClientInstructionID
		}
		if !inst.InstructionSetID.IsZero() {
			in.InstructionSetID = inst.InstructionSetID
		}
		if !inst.IBReferenceID.IsZero() {
			in.IBReferenceID = inst.IBReferenceID
		}
		if inst.Type != "" {
			in.InstructionType = inst.Type
		}
		out.Instruction = &in
		out.Status = in.InstructionStatus
		out.Description = in.Description
	case !ev.RequestID.IsZero() && ev.Kind != CallbackAccountOpening && ev.Kind != CallbackAccountStatus:
		info, err := c.RequestStatus(ctx, ev.RequestID, RequestUpdate)
		if err != nil {
			return ev, false, unconfirmed(err)
		}
		if info.AccountID != "" && info.AccountID != ev.AccountID {
			return ev, false, nil
		}
		out.Status, out.Message = info.Status, info.Message
	default:
		info, err := c.AccountStatus(ctx, ev.AccountID)
		if err != nil {
			return ev, false, unconfirmed(err)
		}
		if ev.Kind != CallbackAccountOpening && ev.Kind != CallbackAccountStatus {
			// A request notification without a request id: the account
			// is real, but its request's outcome cannot be queried.
			return ev, true, nil
		}
		out.Status, out.AccountStatus = string(info.Status), ""
		if info.Status.Known() {
			out.AccountStatus = info.Status
		}
		out.Description, out.State, out.Message = info.Description, string(info.State), info.Message
	}
	out.Confirmed = true
	return out, true, nil
}

// unconfirmed turns a confirming query's error into the handler's
// verdict: nil (drop the notification) when IBKR does not know what it
// names (404, or 400 for an account that is not ours) or its ids are
// malformed, the error itself otherwise (401, 403, 429, 5xx, transport:
// IBKR redelivers).
func unconfirmed(err error) error {
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrBadRequest) || errors.Is(err, ErrInvalidInput) {
		return nil
	}
	return err
}
