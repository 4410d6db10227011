package ibkr

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// Money movement: the exactly-once contract is in the package
// documentation (doc.go, "Exactly once"); submit below implements it.

// instructionCall is one state-changing instruction request.
type instructionCall struct {
	op       instructionOp
	itype    string // instructionType
	account  string
	amount   Decimal
	currency string
	summary  string // for journals and logs; never a secret
	secret   bool   // the body holds a secret (bank account number): never journal it
	cid      ID     // caller's id; zero to allocate one
	body     func(cid ID) any
}

// instructionOp is a state-changing instruction operation: its row of the
// generated table and its generated request builder (the JSON body
// travels in the call descriptor). A new money-moving operation is one
// more of these, named by the facade method that sends it.
type instructionOp struct {
	op    *optable.Operation
	build func(server string) (*http.Request, error)
}

// jsonOp pairs an operation with its generated JSON-body request builder.
func jsonOp(op *optable.Operation, newRequest func(server, contentType string, body io.Reader) (*http.Request, error)) instructionOp {
	return instructionOp{op, func(server string) (*http.Request, error) {
		return newRequest(server, contentTypeJSON, nil)
	}}
}

// The state-changing operations of the funding calls.
var (
	opBankInstructions = jsonOp(optable.OpCreateBankInstructions, gen.NewCreateBankInstructionsRequestWithBody)
	opExternalCash     = jsonOp(optable.OpCreateExternalCashTransfers, gen.NewCreateExternalCashTransfersRequestWithBody)
	opInternalCash     = jsonOp(optable.OpCreateInternalCashTransfers, gen.NewCreateInternalCashTransfersRequestWithBody)
	opCancel           = jsonOp(optable.OpCreateInstructionsCancel, gen.NewCreateInstructionsCancelRequestWithBody)
)

// submit runs a state-changing instruction request exactly once (see
// "Exactly once" in the package documentation).
func (c *Client) submit(ctx context.Context, ic instructionCall, opts []CallOption) (*Instruction, error) {
	co := collectOptions(opts)
	opID := ic.op.op.ID
	cid := ic.cid
	if cid.IsZero() {
		id, err := c.ids.next(ctx)
		if err != nil {
			return nil, &RequestError{CallInfo: CallInfo{OperationID: opID}, Err: err}
		}
		cid = id
	} else if !co.resume {
		// Refuse a reused id before the journal records anything: an
		// entry the id already has keeps its outcome.
		if err := c.ids.accept(ctx, cid); err != nil {
			if ie, ok := err.(*InputError); ok {
				cp := *ie
				cp.Field = "instruction.clientInstructionId"
				err = &cp
			}
			return nil, &RequestError{CallInfo: CallInfo{OperationID: opID, ClientInstructionID: cid}, Err: err}
		}
	}
	body, err := marshalJSON(map[string]any{"instructionType": ic.itype, "instruction": ic.body(cid)})
	if err != nil {
		return nil, &RequestError{CallInfo: CallInfo{OperationID: opID, ClientInstructionID: cid}, Err: err}
	}
	j := co.journal
	if j == nil {
		j = c.journal
	}
	if j != nil {
		e := JournalEntry{
			ClientInstructionID: cid, Operation: opID, InstructionType: ic.itype,
			AccountID: ic.account, Amount: ic.amount, Currency: Currency(ic.currency),
			Summary: ic.summary, Time: c.clock.Now().UTC(),
		}
		if !ic.secret && !bodyHasSecret(body) {
			e.Body = body
		}
		// The entry is this call's until Finish: a leased journal gets a
		// lease (renewed while the request is in flight), and this
		// client's own ReconcileJournal skips it either way.
		stop, err := c.beginOwned(ctx, j, e)
		if err != nil {
			return nil, &RequestError{CallInfo: CallInfo{OperationID: opID, ClientInstructionID: cid}, Err: errors.Join(errors.New("journal refused the intent"), err)}
		}
		defer stop()
	}
	c.log.LogAttrs(ctx, levelInfo, "ibkr submitting instruction", attrOp(opID), attrID(cid), attrWhat(ic.summary))
	in, err := c.sendInstruction(ctx, call{op: ic.op.op, build: ic.op.build, body: body, cid: cid, opts: co})
	if err == nil && in.Reconciled {
		// Found by lookup: make sure it is this request, not another
		// one under the same id.
		if cerr := collision(JournalEntry{ClientInstructionID: cid, InstructionType: ic.itype, Amount: ic.amount, Currency: Currency(ic.currency)}, in); cerr != nil {
			in, err = nil, cerr
		}
	}
	if j != nil {
		o := outcomeOf(in, err, c.clock.Now().UTC())
		if jerr := j.Finish(context.WithoutCancel(ctx), cid, o); jerr != nil {
			c.log.LogAttrs(ctx, levelWarn, "ibkr journal could not record an outcome", attrOp(opID), attrID(cid), attrErr(jerr))
		}
	}
	return in, err
}

// submitRequest validates a single-instruction request (any bulkItem)
// against the client's clock, then submits it exactly once.
func (c *Client) submitRequest(ctx context.Context, r bulkItem, opts []CallOption) (*Instruction, error) {
	ic, err := r.instruction(c.clock.Now())
	if err != nil {
		return nil, err
	}
	return c.submit(ctx, ic, opts)
}

// sendInstruction sends a prepared single-instruction call and reads the
// answer, settling unreadable answers by lookup. A call refused by a rate
// limit is resumed (looked up, then sent only if IBKR never received it)
// up to maxThrottledResumes times.
func (c *Client) sendInstruction(ctx context.Context, k call) (*Instruction, error) {
	op, cid := k.op.ID, k.cid
	var unsettled *OutcomeUnknownError // a resume's outcome left unknown
	for tries := 1; ; tries++ {
		resp, err := c.invoke(ctx, &k)
		if err != nil && refusedFirstSend(err) {
			// Refused, perhaps because another copy with this id (a
			// resume, a reconciler's resend) arrived first: only a
			// lookup can tell.
			return c.confirmRefusal(ctx, op, cid, err)
		}
		if err != nil {
			if !throttled(err) || tries > maxThrottledResumes || ctx.Err() != nil {
				err = errWithInstructionID(err, op, cid)
				var re *RequestError
				if unsettled != nil && errors.As(err, &re) {
					// This try never left, but an earlier copy may
					// have taken effect.
					return nil, &OutcomeUnknownError{CallInfo: CallInfo{OperationID: op, ClientInstructionID: cid}, Err: unsettled.Err, LookupErr: err}
				}
				return nil, err
			}
			var ou *OutcomeUnknownError
			if errors.As(err, &ou) {
				unsettled = ou
			}
			// Refused by the rate limit (or the lookup that would settle
			// it was): nothing was done. Wait, then look the id up and
			// send again, with the same id, only if IBKR never received
			// it.
			policy, _ := c.policyFor(op, k.opts.retry) // checked by invoke
			wait := policy.throttledWait(tries)
			c.log.LogAttrs(ctx, levelInfo, "ibkr rate limited; resuming with the same clientInstructionId", attrOp(op), attrID(cid), attrDur("wait", wait))
			if serr := c.clock.Sleep(ctx, wait); serr != nil {
				return nil, errWithInstructionID(err, op, cid)
			}
			k.opts.resume = true
			continue
		}
		raw, reconciled, rerr := readAnswer(resp)
		var in *Instruction
		if rerr == nil {
			in, rerr = decodeInstruction(raw)
		}
		if rerr == nil && !in.ClientInstructionID.IsZero() && in.ClientInstructionID != cid {
			rerr = errors.New("answer is about clientInstructionId " + in.ClientInstructionID.String())
		}
		if rerr != nil {
			// IBKR accepted something but its answer is unreadable: ask
			// what became of the id.
			in, err = c.settleByLookup(ctx, op, cid, rerr)
			if err != nil {
				return nil, err
			}
			reconciled = true
		}
		in.Reconciled = reconciled
		if in.ClientInstructionID.IsZero() {
			in.ClientInstructionID = cid
		}
		if in.Status == InstructionRejected {
			return nil, rejection(in)
		}
		return in, nil
	}
}

// settleByLookup looks an id up after an unreadable 2xx answer.
func (c *Client) settleByLookup(ctx context.Context, op string, cid ID, cause error) (*Instruction, error) {
	lctx := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		lctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), reconcileTimeout)
		defer cancel()
	}
	c.log.LogAttrs(ctx, levelWarn, "ibkr unreadable answer; looking the clientInstructionId up", attrOp(op), attrID(cid), attrErr(cause))
	in, err := c.InstructionStatus(lctx, cid)
	if err != nil {
		return nil, &OutcomeUnknownError{CallInfo: CallInfo{OperationID: op, ClientInstructionID: cid}, Err: &APIError{CallInfo: CallInfo{OperationID: op, ClientInstructionID: cid}, StatusCode: http.StatusOK, Message: cause.Error()}, LookupErr: err}
	}
	return in, nil
}

// errWithInstructionID makes sure err carries cid.
func errWithInstructionID(err error, op string, cid ID) error {
	var ae *APIError
	if errors.As(err, &ae) {
		if ae.ClientInstructionID.IsZero() {
			ae.ClientInstructionID = cid
		}
		return err
	}
	var ou *OutcomeUnknownError
	if errors.As(err, &ou) {
		if ou.ClientInstructionID.IsZero() && len(ou.ClientInstructionIDs) == 0 {
			ou.ClientInstructionID = cid
		}
		return err
	}
	var rj *RejectedError
	if errors.As(err, &rj) {
		return err
	}
	return &RequestError{CallInfo: CallInfo{OperationID: op, ClientInstructionID: cid}, Err: err}
}

// outcomeOf is what the journal records for a call's result.
func outcomeOf(in *Instruction, err error, now time.Time) JournalOutcome {
	o := JournalOutcome{Time: now}
	var rj *RejectedError
	var ou *OutcomeUnknownError
	var ae *APIError
	var re *RequestError
	switch {
	case err == nil && in != nil:
		o.State, o.Status, o.InstructionID = JournalAccepted, in.Status, in.InstructionID
	case errors.As(err, &rj):
		o.State, o.Status, o.Code = JournalRejected, InstructionRejected, rj.Code
		if rj.Instruction != nil {
			o.InstructionID = rj.Instruction.InstructionID
		}
	case errors.As(err, &ou):
		o.State = JournalUnknown
	case errors.As(err, &re):
		o.State = JournalNotSent
	case errors.As(err, &ae):
		o.State, o.Code = JournalRejected, ae.Code
		if o.Code == "" {
			o.Code = http.StatusText(ae.StatusCode)
		}
	default:
		o.State = JournalUnknown
	}
	if err != nil {
		o.Message = scrubText(clip(err.Error(), 300))
	}
	return o
}
