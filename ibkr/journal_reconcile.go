package ibkr

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Journal leases: the sending call holds one on its entry from Begin to
// Finish, renewed while the request is in flight; ReconcileJournal claims
// the entries nobody holds. The lease's time to live (WithLeaseTTL) is how
// long it outlives a dead process.
const (
	defaultLeaseTTL = 30 * time.Second
	// claimBatch is how many entries ReconcileJournal claims at a time:
	// one, so that no claimed entry waits unrenewed behind another.
	claimBatch = 1
)

// newLeaseOwner names this client on journal leases: host, process and a
// random part (several clients may run in one process).
func newLeaseOwner() string {
	host, _ := os.Hostname()
	var b [6]byte
	_, _ = rand.Read(b[:])
	return host + "/" + strconv.Itoa(os.Getpid()) + "/" + hex.EncodeToString(b[:])
}

// keepLease renews owner's lease on id until the returned stop is called.
// A lost lease is logged: the entry is then another party's to settle.
func (c *Client) keepLease(ctx context.Context, lj LeasedJournal, id ID) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() {
		// Leases expire by the store's clock, a real one: renew on the
		// wall clock, not the client's (a test's fake clock).
		t := time.NewTicker(c.leaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if err := lj.RenewLease(ctx, c.owner, id, c.leaseTTL); err != nil {
				if ctx.Err() == nil {
					c.log.LogAttrs(ctx, levelWarn, "ibkr journal lease not renewed", attrID(id), attrErr(err))
				}
				if errors.Is(err, ErrLeaseLost) {
					return
				}
			}
		}
	})
	return func() { cancel(); wg.Wait() }
}

// collision compares what IBKR reported under an id with the journaled
// request; fields IBKR did not report are not compared.
func collision(e JournalEntry, in *Instruction) error {
	if in == nil {
		return nil
	}
	mk := func(field, want, got string) error {
		return &CollisionError{ClientInstructionID: e.ClientInstructionID, Field: field, Journaled: want, Found: got, Instruction: in}
	}
	switch {
	case in.Type != "" && e.InstructionType != "" && !strings.EqualFold(in.Type, e.InstructionType):
		return mk("instructionType", e.InstructionType, in.Type)
	case !in.Amount.IsZero() && !e.Amount.IsZero() && !in.Amount.Equal(e.Amount):
		return mk("amount", e.Amount.String(), in.Amount.String())
	case in.Currency != "" && e.Currency != "" && !strings.EqualFold(string(in.Currency), string(e.Currency)):
		return mk("currency", string(e.Currency), string(in.Currency))
	}
	return nil
}

// lookupSettling looks an id up for reconciliation, retrying as reads
// are retried and also after a 500 or an answer that could not be read
// (one more read may settle what one failed read left open). A 404 is
// ErrNotFound at once.
func (c *Client) lookupSettling(ctx context.Context, id ID) (*Instruction, error) {
	for attempt := 1; ; attempt++ {
		in, err := c.InstructionStatus(ctx, id)
		if err == nil || errors.Is(err, ErrNotFound) || attempt >= c.retry.MaxAttempts || ctx.Err() != nil {
			return in, err
		}
		var ae *APIError
		if errors.As(err, &ae) && ae.StatusCode >= 400 && ae.StatusCode < 500 && ae.StatusCode != http.StatusTooManyRequests {
			return nil, err
		}
		if serr := c.clock.Sleep(ctx, c.retry.backoff(attempt)); serr != nil {
			return nil, err
		}
	}
}

// JournalResolution is what ReconcileJournal found out about one pending
// entry.
type JournalResolution struct {
	// Entry is the journal's entry.
	Entry JournalEntry
	// Instruction is IBKR's account of the instruction, when IBKR has it
	// (REJECTED ones come as Err).
	Instruction *Instruction
	// Resent reports that IBKR had never received the request and it was
	// sent now, with its same id.
	Resent bool
	// Outcome is what was recorded in the journal.
	Outcome JournalOutcome
	// Err is IBKR's rejection, a *CollisionError, or why the entry could
	// not be settled (it then stays pending).
	Err error
}

// ReconcileJournal settles the pending entries of j: it looks each
// clientInstructionId up; if IBKR has the instruction, its status is
// recorded (an instruction whose type, amount or currency differ from
// the entry's is a *CollisionError, recorded as rejected, never as
// accepted); if IBKR never received it, a journaled body is sent again
// with its same id (as WithResume does), and an entry without a body (it
// held a bank account number) is recorded as JournalNotSent, for the
// caller to submit again. Entries that still cannot be settled stay
// pending and report why in Err. Lookups are retried as reads are, and
// after a 500 or an unreadable answer too.
//
// With a LeasedJournal (a Store, FileJournal) only entries no live call
// holds are worked on, each under a lease of this client's: it is safe to
// run beside live traffic and on several replicas at once, and an entry is
// never reconciled by two of them. With another Journal every pending
// entry but those this client has in flight is worked on: run it only
// when no other process sends.
func (c *Client) ReconcileJournal(ctx context.Context, j Journal) ([]JournalResolution, error) {
	if j == nil {
		return nil, invalid("journal", "nil")
	}
	lj, leased := j.(LeasedJournal)
	if !leased {
		pending, err := j.Pending(ctx)
		if err != nil {
			return nil, err
		}
		// Requests this client still has in flight are not pending.
		idle := pending[:0:0]
		for _, e := range pending {
			if _, busy := c.inflight.Load(e.ClientInstructionID); !busy {
				idle = append(idle, e)
			}
		}
		return c.reconcileEntries(ctx, j, idle, nil)
	}
	var out []JournalResolution
	seen := map[ID]bool{}
	var held []ID // entries settled once already, kept claimed until the end
	defer func() {
		for _, id := range held {
			_ = lj.ReleaseLease(context.WithoutCancel(ctx), c.owner, id)
		}
	}()
	for {
		claimed, err := lj.ClaimPending(ctx, c.owner, c.leaseTTL, claimBatch)
		if err != nil {
			return out, err
		}
		if len(claimed) == 0 {
			return out, nil
		}
		// An entry left unknown is released and could be claimed again
		// at once: settle each at most once per call, and keep it
		// claimed (until the call ends) so that the entries after it
		// come up.
		var fresh []JournalEntry
		for _, e := range claimed {
			if seen[e.ClientInstructionID] {
				held = append(held, e.ClientInstructionID)
				continue
			}
			seen[e.ClientInstructionID] = true
			fresh = append(fresh, e)
		}
		if len(fresh) == 0 {
			continue
		}
		res, err := c.reconcileEntries(ctx, j, fresh, lj)
		out = append(out, res...)
		if err != nil {
			return out, err
		}
	}
}

// reconcileEntries settles entries one by one; with lj, each is held
// under this client's lease, released by Finish (or on the way out).
func (c *Client) reconcileEntries(ctx context.Context, j Journal, entries []JournalEntry, lj LeasedJournal) ([]JournalResolution, error) {
	out := make([]JournalResolution, 0, len(entries))
	for i, e := range entries {
		if err := ctx.Err(); err != nil {
			if lj != nil {
				for _, rest := range entries[i:] {
					_ = lj.ReleaseLease(context.WithoutCancel(ctx), c.owner, rest.ClientInstructionID)
				}
			}
			return out, err
		}
		stop := func() {}
		if lj != nil {
			stop = c.keepLease(ctx, lj, e.ClientInstructionID)
		}
		r := c.reconcileEntry(ctx, e)
		stop()
		if lj != nil {
			// The lease expired meanwhile and another party claimed the
			// entry: it is theirs to record.
			if err := lj.RenewLease(context.WithoutCancel(ctx), c.owner, e.ClientInstructionID, c.leaseTTL); errors.Is(err, ErrLeaseLost) {
				c.log.LogAttrs(ctx, levelWarn, "ibkr journal lease lost while reconciling; leaving the entry to its new holder", attrID(e.ClientInstructionID))
				continue
			}
		}
		if ferr := j.Finish(context.WithoutCancel(ctx), e.ClientInstructionID, r.Outcome); ferr != nil {
			if lj != nil {
				for _, rest := range entries[i:] {
					_ = lj.ReleaseLease(context.WithoutCancel(ctx), c.owner, rest.ClientInstructionID)
				}
			}
			return out, ferr
		}
		out = append(out, r)
	}
	return out, nil
}

// reconcileEntry finds out what became of one entry.
func (c *Client) reconcileEntry(ctx context.Context, e JournalEntry) JournalResolution {
	r := JournalResolution{Entry: e}
	var in *Instruction
	var err error
	if bop, ok := bulkOps[e.Operation]; ok && len(e.Body) > 0 {
		in, r.Resent, err = c.reconcileBulkEntry(ctx, bop, e)
	} else if op, ok := replayable(e); ok {
		in, err = c.sendInstruction(ctx, call{op: op, build: tableRequest(op), body: e.Body, cid: e.ClientInstructionID, opts: callOptions{resume: true}})
		r.Resent = err == nil && !in.Reconciled
	} else {
		in, err = c.lookupSettling(ctx, e.ClientInstructionID)
		switch {
		case errors.Is(err, ErrNotFound):
			err = &RequestError{CallInfo: CallInfo{OperationID: e.Operation, ClientInstructionID: e.ClientInstructionID}, Err: errors.New("IBKR has no instruction with this id; submit it again with the same clientInstructionId and WithResume, never with a new one")}
		case err == nil && in.Status == InstructionRejected:
			in, err = nil, rejection(in)
		case err != nil:
			err = &OutcomeUnknownError{CallInfo: CallInfo{OperationID: e.Operation, ClientInstructionID: e.ClientInstructionID}, Err: errResumed, LookupErr: err}
		}
	}
	if err == nil {
		if cerr := collision(e, in); cerr != nil {
			in, err = nil, cerr
		}
	}
	r.Instruction, r.Err = in, err
	r.Outcome = journalOutcome(in, err, c.clock.Now().UTC())
	return r
}

// beginOwned records e in j as owned by this client until stop is
// called: under a lease renewed meanwhile when j is a LeasedJournal, and
// in the client's in-flight set either way.
func (c *Client) beginOwned(ctx context.Context, j Journal, e JournalEntry) (stop func(), err error) {
	id := e.ClientInstructionID
	c.inflight.Store(id, true)
	lj, ok := j.(LeasedJournal)
	if !ok {
		if err := j.Begin(ctx, e); err != nil {
			c.inflight.Delete(id)
			return nil, err
		}
		return func() { c.inflight.Delete(id) }, nil
	}
	if err := lj.BeginLeased(ctx, e, c.owner, c.leaseTTL); err != nil {
		c.inflight.Delete(id)
		return nil, err
	}
	renew := c.keepLease(ctx, lj, id)
	return func() { renew(); c.inflight.Delete(id) }, nil
}

// refusedFirstSend reports a definite refusal (409 or 422, or a code
// naming a duplicate) of a single-instruction request: the refusal may be
// of this copy only, another copy with the same id having arrived first.
func refusedFirstSend(err error) bool {
	var ou *OutcomeUnknownError
	if errors.As(err, &ou) {
		return false
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	return ae.StatusCode == http.StatusConflict || ae.StatusCode == http.StatusUnprocessableEntity ||
		(ae.StatusCode >= 400 && ae.StatusCode < 500 && strings.Contains(strings.ToUpper(ae.Code), "DUPLICATE"))
}

// confirmRefusal looks the id up after a refusal: if IBKR holds a live
// instruction under it, that is the outcome (a copy did arrive); if IBKR
// has none, or holds it REJECTED, the refusal stands; if the lookup fails, the outcome is
// unknown, never a definite failure.
func (c *Client) confirmRefusal(ctx context.Context, op string, cid ID, refusal error) (*Instruction, error) {
	lctx := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		lctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), reconcileTimeout)
		defer cancel()
	}
	in, err := c.lookupSettling(lctx, cid)
	switch {
	case errors.Is(err, ErrNotFound), err == nil && in.Status == InstructionRejected:
		// No instruction, or this refusal's own record: it stands.
		return nil, errWithInstructionID(refusal, op, cid)
	case err != nil:
		return nil, &OutcomeUnknownError{CallInfo: CallInfo{OperationID: op, ClientInstructionID: cid}, Err: refusal, LookupErr: err}
	}
	c.log.LogAttrs(ctx, levelInfo, "ibkr refused copy; IBKR holds the instruction under its id", attrOp(op), attrID(cid))
	in.Reconciled = true
	if in.ClientInstructionID.IsZero() {
		in.ClientInstructionID = cid
	}
	return in, nil
}
