package ibkr

// The reconciliation rules are in the package documentation (doc.go,
// "Reconciliation"); reconcile below implements them.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// ReconciledHeader marks a response the client synthesized from a
// reconciliation lookup instead of receiving it from the original request.
const ReconciledHeader = "Ibkr-Go-Reconciled"

// Reconciled reports whether resp was recovered by reconciliation: the
// original request's answer was lost and the result comes from
// GET /gw/api/v1/client-instructions/{id}.
func Reconciled(resp *http.Response) bool {
	return resp != nil && resp.Header.Get(ReconciledHeader) == "true"
}

// errResumed is the cause recorded when a resumed request cannot be
// settled.
var errResumed = errors.New("resumed request whose earlier outcome is unknown")

// reconcileTimeout bounds the lookup made after the caller's context has
// already ended.
const reconcileTimeout = 30 * time.Second

// unknownOutcome handles a state-changing request whose answer was lost.
func (c *Client) unknownOutcome(ctx context.Context, o *outgoing, cause error) (*http.Response, error) {
	if !o.ids.hasSingle {
		return nil, &OutcomeUnknownError{CallInfo: CallInfo{OperationID: o.op.ID}, ClientInstructionIDs: o.ids.bulk, Err: cause}
	}
	return c.reconcile(ctx, o, cause)
}

// reconcile runs the contract above for a single-instruction request.
func (c *Client) reconcile(ctx context.Context, o *outgoing, cause error) (*http.Response, error) {
	id := o.ids.single
	lctx, canResend := ctx, true
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		lctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), reconcileTimeout)
		defer cancel()
		canResend = false
	}
	unknown := func(cause, lookupErr error) error {
		c.log.LogAttrs(ctx, levelWarn, "ibkr outcome unknown", attrOp(o.op.ID), attrID(id))
		return &OutcomeUnknownError{CallInfo: CallInfo{OperationID: o.op.ID, ClientInstructionID: id}, Err: cause, LookupErr: lookupErr}
	}
	for resends := 0; ; {
		c.log.LogAttrs(ctx, levelInfo, "ibkr reconciling", attrOp(o.op.ID), attrID(id), attrErr(cause))
		body, lerr := c.lookupInstruction(lctx, id)
		if lerr == nil {
			return c.synthesize(o, body)
		}
		if !errors.Is(lerr, ErrNotFound) || !canResend || resends >= o.policy.MaxResends {
			return nil, unknown(cause, lerr)
		}
		// IBKR never received it: resend the same body, same id.
		resends++
		o.stats.resends++
		c.log.LogAttrs(ctx, levelInfo, "ibkr resending with the same clientInstructionId", attrOp(o.op.ID), attrID(id), attrAttempt(resends+1))
		resp, err := c.roundTrip(ctx, o, resends+1)
		if err != nil {
			var se *sendError
			if !errors.As(err, &se) {
				// Not resent (maintenance, token, cancelled); the first
				// copy may still arrive.
				return nil, unknown(cause, err)
			}
			cause = err
			if ctx.Err() != nil {
				canResend = false
				var cancel context.CancelFunc
				lctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), reconcileTimeout)
				defer cancel()
			}
			continue
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		apiErr := c.readError(o, resp)
		if apiErr.StatusCode >= 500 {
			cause = apiErr
			continue
		}
		// A definite refusal of the resend. If IBKR refused it because
		// the first copy did arrive after all, the lookup finds it; if
		// the lookup fails, the first copy's fate is still unknown.
		body, lerr = c.lookupInstruction(lctx, id)
		if lerr == nil {
			return c.synthesize(o, body)
		}
		if !errors.Is(lerr, ErrNotFound) {
			return nil, unknown(apiErr, lerr)
		}
		return nil, apiErr
	}
}

// lookupInstruction asks IBKR about a clientInstructionId through the
// pipeline. It returns the answer's body, or an error (ErrNotFound for an
// id IBKR never received).
func (c *Client) lookupInstruction(ctx context.Context, id ID) ([]byte, error) {
	r, err := invokeAs(ctx, c, clientInstructionsCall(id, nil), gen.ParseGetClientInstructionsResponse)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "getClientInstructions", ClientInstructionID: id}, StatusCode: r.StatusCode(), Message: "empty answer"}
	}
	return r.Body, nil
}

// clientInstructionsCall describes GET /gw/api/v1/client-instructions/{id}.
func clientInstructionsCall(id ID, opts []CallOption) call {
	return call{
		op: optable.OpGetClientInstructions,
		build: func(server string) (*http.Request, error) {
			return gen.NewGetClientInstructionsRequest(server, id)
		},
		opts: collectOptions(opts),
	}
}

// synthesize builds the operation's success answer from a lookup body.
func (c *Client) synthesize(o *outgoing, body []byte) (*http.Response, error) {
	status := successStatus(o.op.ID)
	c.log.LogAttrs(context.Background(), levelInfo, "ibkr reconciled from lookup", attrOp(o.op.ID), attrID(o.ids.single), attrStatus(status))
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(ReconciledHeader, "true")
	return &http.Response{
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
	}, nil
}

// successStatus is the status a synthesized answer gets: 202 (accepted
// asynchronously) when the operation declares it, else its lowest 2xx
// (the spec's table lists them, generated by gen-check).
func successStatus(opID string) int {
	op, _ := optable.ByID(opID)
	if slices.Contains(op.Success, http.StatusAccepted) {
		return http.StatusAccepted
	}
	if len(op.Success) > 0 {
		return op.Success[0]
	}
	return http.StatusAccepted
}
