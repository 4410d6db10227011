package ibkr

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"
)

// The bulk mechanism: one place for every bulk operation.
//
//  1. Ids: each item's clientInstructionId is checked (unique in the
//     request, never used before unless the call resumes) or allocated.
//  2. Journal: each item gets its own entry (the operation is the bulk
//     operation, the body a one-item bulk body, kept only when it holds
//     no secret), held by this call until its outcome is recorded.
//  3. Send once. A readable answer gives each item its result.
//  4. When the answer is lost (transport error, timeout, 5xx, unreadable
//     or incomplete answer), nothing is resent blindly: each unsettled
//     item is looked up by its own id. An item IBKR holds takes that
//     result; an item IBKR never received (404) stays to be sent again,
//     with its same id, in one bulk request of the remaining items, at
//     most RetryPolicy.MaxResends times; an item whose lookup fails
//     stays unknown (*OutcomeUnknownError). WithResume starts at the
//     lookups.
//  5. A request refused by the rate limit is sent again after the
//     policy's wait (nothing was done), looked up first if an earlier
//     copy's outcome is open.

// bulkPart is one prepared item of a bulk request.
type bulkPart struct {
	ic  instructionCall
	cid ID
	raw json.RawMessage // the item's JSON, id included
	out *BulkItem
}

// sendBulk runs a bulk request of validated items.
func (c *Client) sendBulk(ctx context.Context, op instructionOp, ics []instructionCall, opts []CallOption) (*BulkResult, error) {
	co := collectOptions(opts)
	opID := op.op.ID
	parts, err := c.bulkIDs(ctx, opID, ics, co.resume)
	if err != nil {
		return nil, err
	}
	res := &BulkResult{Items: make([]BulkItem, len(parts))}
	itype := ics[0].itype
	for i := range parts {
		p := &parts[i]
		raw, err := marshalJSON(p.ic.body(p.cid))
		if err != nil {
			return nil, &RequestError{CallInfo: CallInfo{OperationID: opID, ClientInstructionID: p.cid}, Err: atItem(i, invalid("", "cannot encode: %v", err))}
		}
		p.raw = raw
		p.out = &res.Items[i]
		p.out.ClientInstructionID = p.cid
	}
	j := co.journal
	if j == nil {
		j = c.journal
	}
	if j != nil {
		stops := make([]func(), 0, len(parts))
		defer func() {
			for _, stop := range stops {
				stop()
			}
		}()
		for i := range parts {
			p := &parts[i]
			e := JournalEntry{
				ClientInstructionID: p.cid, Operation: opID, InstructionType: itype,
				AccountID: p.ic.account, Amount: p.ic.amount, Currency: Currency(p.ic.currency),
				Summary: p.ic.summary, Time: c.clock.Now().UTC(),
			}
			if !p.ic.secret && !bodyHasSecret(p.raw) {
				e.Body = bulkBody(itype, []json.RawMessage{p.raw})
			}
			stop, err := c.beginOwned(ctx, j, e)
			if err != nil {
				// Nothing was sent: settle the entries already begun.
				jerr := &RequestError{CallInfo: CallInfo{OperationID: opID, ClientInstructionID: p.cid}, Err: errors.Join(errors.New("journal refused the intent"), err)}
				for _, q := range parts[:i] {
					_ = j.Finish(context.WithoutCancel(ctx), q.cid, outcomeOf(nil, jerr, c.clock.Now().UTC()))
				}
				return nil, jerr
			}
			stops = append(stops, stop)
		}
	}
	c.log.LogAttrs(ctx, levelInfo, "ibkr submitting bulk instructions", attrOp(opID), slog.String("instructionType", itype), attrCount(len(parts)))
	c.runBulk(ctx, op, itype, parts, res, co)
	if j != nil {
		now := c.clock.Now().UTC()
		for _, p := range parts {
			if jerr := j.Finish(context.WithoutCancel(ctx), p.cid, journalOutcome(p.out.Instruction, p.out.Err, now)); jerr != nil {
				c.log.LogAttrs(ctx, levelWarn, "ibkr journal could not record an outcome", attrOp(opID), attrID(p.cid), attrErr(jerr))
			}
		}
	}
	return res, res.err(opID)
}

// err is the error a bulk call returns with its result: nil when every
// item's outcome is known, an *OutcomeUnknownError naming the items left
// unknown, or the refusal every item shares.
func (r *BulkResult) err(opID string) error {
	if ids := r.Unknown(); len(ids) > 0 {
		return &OutcomeUnknownError{CallInfo: CallInfo{OperationID: opID}, ClientInstructionIDs: ids, Err: errors.New("the outcome of some items is unknown; see BulkResult.Items")}
	}
	var first error
	for _, it := range r.Items {
		if it.Err == nil {
			return nil
		}
		var ae *APIError
		var re *RequestError
		if !errors.As(it.Err, &ae) && !errors.As(it.Err, &re) {
			return nil // a per-item rejection: the request itself went through
		}
		if first == nil {
			first = it.Err
		}
	}
	return first
}

// bulkIDs checks the caller's ids (unique in the request, and unused
// unless resuming) and allocates the missing ones.
func (c *Client) bulkIDs(ctx context.Context, opID string, ics []instructionCall, resume bool) ([]bulkPart, error) {
	parts := make([]bulkPart, len(ics))
	seen := map[ID]int{}
	for i, ic := range ics {
		parts[i].ic = ic
		if ic.cid.IsZero() {
			continue
		}
		if j, dup := seen[ic.cid]; dup {
			return nil, invalid(itemField(i, "clientInstructionId"), "repeats the id of %s", itemField(j, ""))
		}
		seen[ic.cid] = i
	}
	for i := range parts {
		p := &parts[i]
		if p.ic.cid.IsZero() {
			continue
		}
		p.cid = p.ic.cid
		if resume {
			continue
		}
		if err := c.ids.accept(ctx, p.cid); err != nil {
			var ie *InputError
			if errors.As(err, &ie) {
				cp := *ie
				cp.Field = itemField(i, "clientInstructionId")
				err = &cp
			}
			return nil, &RequestError{CallInfo: CallInfo{OperationID: opID, ClientInstructionID: p.cid}, Err: err}
		}
	}
	for i := range parts {
		p := &parts[i]
		if !p.cid.IsZero() {
			continue
		}
		id, err := c.ids.next(ctx)
		if err != nil {
			return nil, &RequestError{CallInfo: CallInfo{OperationID: opID}, Err: err}
		}
		p.cid = id
	}
	return parts, nil
}

// bulkBody is the JSON body of a bulk request.
func bulkBody(itype string, items []json.RawMessage) []byte {
	b, _ := marshalJSON(struct {
		InstructionType string            `json:"instructionType"`
		Instructions    []json.RawMessage `json:"instructions"`
	}{itype, items})
	return b
}

// runBulk sends parts until every item's outcome is known or cannot be
// learnt (see the steps above), filling in each part's BulkItem.
func (c *Client) runBulk(ctx context.Context, op instructionOp, itype string, parts []bulkPart, res *BulkResult, co callOptions) {
	opID := op.op.ID
	policy, err := c.policyFor(opID, co.retry)
	if err != nil {
		for _, p := range parts {
			p.out.Err = err
		}
		return
	}
	pending := make([]*bulkPart, len(parts))
	for i := range parts {
		pending[i] = &parts[i]
	}
	var lost error // why the last copy's outcome is open, if it is
	if co.resume {
		lost = errResumed
	}
	co.resume = false // the items are looked up here, not by the pipeline
	sent, resends, throttles := false, 0, 0
	for len(pending) > 0 {
		if lost != nil {
			pending = c.settleBulk(ctx, opID, pending, lost)
			if len(pending) == 0 {
				return
			}
			if ctx.Err() != nil || (sent && resends >= policy.MaxResends) {
				for _, p := range pending {
					p.out.Err = &OutcomeUnknownError{CallInfo: CallInfo{OperationID: opID, ClientInstructionID: p.cid}, Err: lost, LookupErr: errors.Join(errors.New("not received by IBKR, and not sent again"), ctx.Err())}
				}
				return
			}
			if sent {
				resends++
			}
			for _, p := range pending {
				p.out.Resent = true
			}
			c.log.LogAttrs(ctx, levelInfo, "ibkr sending the bulk items IBKR never received, with their same ids", attrOp(opID), attrCount(len(pending)), attrAttempt(resends+1))
		}
		raws := make([]json.RawMessage, len(pending))
		ids := make([]ID, len(pending))
		for i, p := range pending {
			raws[i], ids[i] = p.raw, p.cid
		}
		sent = true
		resp, err := c.invoke(ctx, &call{op: op.op, build: op.build, body: bulkBody(itype, raws), cids: ids, opts: co})
		if err != nil {
			var ou *OutcomeUnknownError
			switch {
			case errors.As(err, &ou):
				lost = err
			case throttled(err) && throttles < maxThrottledResumes && ctx.Err() == nil:
				// Refused before IBKR acted on it: wait, then send again
				// (looked up first if an earlier copy is open).
				throttles++
				if serr := c.clock.Sleep(ctx, policy.throttledWait(throttles)); serr != nil {
					if lost != nil {
						lost = errors.Join(lost, serr) // settled, not resent, below
						continue
					}
					for _, p := range pending {
						p.out.Err = itemErr(errors.Join(err, serr), opID, p.cid)
					}
					return
				}
			default:
				// Refused outright, or never sent. After an earlier copy
				// was lost, that copy may have arrived meanwhile: look
				// the items up once more; the refusal stands for those
				// IBKR does not hold.
				if lost != nil {
					pending = c.settleBulk(ctx, opID, pending, err)
				}
				for _, p := range pending {
					p.out.Err = itemErr(err, opID, p.cid)
				}
				return
			}
			continue
		}
		raw, _, rerr := readAnswer(resp)
		var setID ID
		var results []wireResult
		if rerr == nil {
			setID, results, rerr = decodeBulk(raw)
		}
		if rerr != nil {
			c.log.LogAttrs(ctx, levelWarn, "ibkr unreadable bulk answer; looking the items up", attrOp(opID), attrErr(rerr))
			lost = &APIError{CallInfo: CallInfo{OperationID: opID}, StatusCode: resp.StatusCode, Message: "unreadable answer: " + rerr.Error()}
			continue
		}
		if res.InstructionSetID.IsZero() {
			res.InstructionSetID = setID
		}
		byID := make(map[ID]*wireResult, len(results))
		for i := range results {
			byID[results[i].ClientInstructionID] = &results[i]
		}
		var missing, rejected []*bulkPart
		for _, p := range pending {
			r := byID[p.cid]
			if r == nil {
				missing = append(missing, p)
				continue
			}
			in := r.instruction(setID)
			if !in.Status.known() {
				missing = append(missing, p)
				continue
			}
			p.settle(opID, in)
			if in.Status == InstructionRejected {
				rejected = append(rejected, p)
			}
		}
		c.confirmRejections(ctx, opID, rejected)
		pending, lost = missing, nil
		if len(missing) > 0 {
			lost = &APIError{CallInfo: CallInfo{OperationID: opID}, StatusCode: resp.StatusCode, Message: "answer lacks the result of some items"}
		}
	}
}

// reconcileBulkEntry settles one journaled bulk item on its own, as
// WithResume would: it is looked up by its id and sent again (its same
// id, in a one-item request of its bulk operation) only if IBKR never
// received it.
func (c *Client) reconcileBulkEntry(ctx context.Context, op instructionOp, e JournalEntry) (*Instruction, bool, error) {
	var body struct {
		Instructions []json.RawMessage `json:"instructions"`
	}
	if err := json.Unmarshal(e.Body, &body); err != nil || len(body.Instructions) != 1 {
		return nil, false, &RequestError{CallInfo: CallInfo{OperationID: e.Operation, ClientInstructionID: e.ClientInstructionID},
			Err: errors.New("journaled bulk body does not hold exactly one instruction")}
	}
	res := &BulkResult{Items: make([]BulkItem, 1)}
	parts := []bulkPart{{
		ic:  instructionCall{itype: e.InstructionType, amount: e.Amount, currency: string(e.Currency)},
		cid: e.ClientInstructionID, raw: body.Instructions[0], out: &res.Items[0],
	}}
	res.Items[0].ClientInstructionID = e.ClientInstructionID
	c.runBulk(ctx, op, e.InstructionType, parts, res, callOptions{resume: true})
	it := res.Items[0]
	return it.Instruction, it.Resent, it.Err
}

// settleBulk looks each part up by its id after its answer was lost.
// Parts IBKR holds, or whose lookup fails, are settled; those IBKR never
// received are returned, to be sent again.
func (c *Client) settleBulk(ctx context.Context, opID string, parts []*bulkPart, cause error) []*bulkPart {
	lctx := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		lctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), reconcileTimeout)
		defer cancel()
	}
	c.log.LogAttrs(ctx, levelInfo, "ibkr reconciling bulk items one by one", attrOp(opID), attrCount(len(parts)), attrErr(cause))
	var notFound []*bulkPart
	for _, p := range parts {
		in, err := c.lookupSettling(lctx, p.cid)
		switch {
		case errors.Is(err, ErrNotFound):
			notFound = append(notFound, p)
			continue
		case err != nil:
			p.out.Err = &OutcomeUnknownError{CallInfo: CallInfo{OperationID: opID, ClientInstructionID: p.cid}, Err: cause, LookupErr: err}
			continue
		}
		p.adopt(opID, in)
	}
	return notFound
}

// confirmRejections looks up the items an answer reports REJECTED. A
// bulk answer describes a rejection but carries no error code: the
// lookup has it. And an item refused as a duplicate may be one whose
// earlier copy (sent before an answer was lost) arrived after all: if
// IBKR holds a live instruction under the id, that is the item's
// outcome. An item whose lookup fails keeps the answer's rejection.
func (c *Client) confirmRejections(ctx context.Context, opID string, parts []*bulkPart) {
	for _, p := range parts {
		in, err := c.lookupSettling(ctx, p.cid)
		if err != nil {
			continue
		}
		if in.Status != InstructionRejected {
			c.log.LogAttrs(ctx, levelInfo, "ibkr refused bulk item; IBKR holds the instruction under its id", attrOp(opID), attrID(p.cid))
			p.adopt(opID, in)
			continue
		}
		got := p.out.Instruction
		if got.ErrorCode == "" {
			got.ErrorCode, got.ErrorMessage = in.ErrorCode, in.ErrorMessage
		}
		p.settle(opID, got)
	}
}

// adopt takes what a lookup found under the part's id as its outcome,
// unless it is another instruction (a *CollisionError).
func (p *bulkPart) adopt(opID string, in *Instruction) {
	in.Reconciled = true
	if in.ClientInstructionID.IsZero() {
		in.ClientInstructionID = p.cid
	}
	e := JournalEntry{ClientInstructionID: p.cid, InstructionType: p.ic.itype, Amount: p.ic.amount, Currency: Currency(p.ic.currency)}
	if cerr := collision(e, in); cerr != nil {
		p.out.Err = cerr
		return
	}
	p.settle(opID, in)
}

// settle records IBKR's account of the part's instruction.
func (p *bulkPart) settle(opID string, in *Instruction) {
	if in.ClientInstructionID.IsZero() {
		in.ClientInstructionID = p.cid
	}
	p.out.Instruction, p.out.Err = in, nil
	if in.Status == InstructionRejected {
		rj := rejection(in)
		rj.OperationID = opID
		p.out.Err = rj
	}
}

// known reports one of the four documented instruction statuses.
func (s InstructionStatus) known() bool {
	switch s {
	case InstructionPending, InstructionProcessed, InstructionRejected, InstructionPendingVerification:
		return true
	}
	return false
}

// instruction converts one result of a bulk answer.
func (r *wireResult) instruction(setID ID) *Instruction {
	in := &Instruction{
		ClientInstructionID: r.ClientInstructionID, InstructionID: r.InstructionID, InstructionSetID: setID,
		Type: r.InstructionType, Status: InstructionStatus(r.InstructionStatus),
	}
	r.explain(in)
	return in
}

// decodeBulk reads a bulk answer: 202 holds {instructionResult, ...}
// wrappers, 207 the results themselves.
func decodeBulk(body []byte) (ID, []wireResult, error) {
	var a struct {
		InstructionSetID   ID                `json:"instructionSetId"`
		InstructionResults []json.RawMessage `json:"instructionResults"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return ID{}, nil, err
	}
	out := make([]wireResult, 0, len(a.InstructionResults))
	for _, raw := range a.InstructionResults {
		var w struct {
			InstructionResult *wireResult `json:"instructionResult"`
		}
		if err := json.Unmarshal(raw, &w); err != nil {
			return ID{}, nil, err
		}
		if w.InstructionResult != nil {
			out = append(out, *w.InstructionResult)
			continue
		}
		var r wireResult
		if err := json.Unmarshal(raw, &r); err != nil {
			return ID{}, nil, err
		}
		out = append(out, r)
	}
	return a.InstructionSetID, out, nil
}

// journalOutcome is the journal's record of an item's (or a request's)
// end: outcomeOf, and a collision recorded as rejected.
func journalOutcome(in *Instruction, err error, now time.Time) JournalOutcome {
	o := outcomeOf(in, err, now)
	var ce *CollisionError
	if errors.As(err, &ce) {
		o.State, o.Code = JournalRejected, "CLIENT_INSTRUCTION_ID_COLLISION"
		o.InstructionID = ce.Instruction.InstructionID
	}
	return o
}

// itemErr gives one item its own copy of an error every item shares,
// carrying the item's id: an *APIError or *RequestError is copied, any
// other error is wrapped in a *RequestError (it never left the client).
func itemErr(err error, opID string, cid ID) error {
	var ae *APIError
	if errors.As(err, &ae) {
		cp := *ae
		cp.OperationID, cp.ClientInstructionID = opID, cid
		return &cp
	}
	var re *RequestError
	if errors.As(err, &re) {
		cp := *re
		cp.OperationID, cp.ClientInstructionID = opID, cid
		return &cp
	}
	return &RequestError{CallInfo: CallInfo{OperationID: opID, ClientInstructionID: cid}, Err: err}
}

func attrCount(n int) slog.Attr { return slog.Int("items", n) }
