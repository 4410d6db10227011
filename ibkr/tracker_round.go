package ibkr

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// A round of the tracker: pick the due instructions, cover them with the
// fewest queries, send those within the tracker's rate share, and apply
// the answers.

// trackPlan is what one round asks.
type trackPlan struct {
	sets     []ID
	accounts []accountLook
	byID     []*trackEntry
}

type accountLook struct {
	id   string
	days int
}

func (p *trackPlan) empty() bool { return len(p.sets) == 0 && len(p.accounts) == 0 && len(p.byID) == 0 }

// maxRecentAge: instructions older than this are looked up by id (IBKR's
// history reaches back MaxRecentDays).
const maxRecentAge = (MaxRecentDays - 1) * 24 * time.Hour

// round runs one round at the client's current time.
func (t *Tracker) round(ctx context.Context) {
	now := t.c.clock.Now()
	t.mu.Lock()
	plan := t.planLocked(now)
	t.mu.Unlock()
	if plan.empty() {
		return
	}
	if !t.c.maintOff {
		if _, end, in := MaintenanceWindowAt(MaintenanceBanking, now); in {
			t.c.log.LogAttrs(ctx, levelInfo, "ibkr tracker: waiting out maintenance window", attrTime("until", end))
			t.postpone(plan, end)
			return
		}
	}
	for _, set := range plan.sets {
		if t.stopping() || ctx.Err() != nil {
			return
		}
		t.lookSet(ctx, set)
	}
	for _, a := range plan.accounts {
		if t.stopping() || ctx.Err() != nil {
			return
		}
		t.lookAccount(ctx, a)
	}
	for _, e := range plan.byID {
		if t.stopping() || ctx.Err() != nil {
			return
		}
		t.lookID(ctx, e)
	}
}

// planLocked picks the due instructions and the queries covering them;
// each planned instruction is provisionally rescheduled as after a
// failure, which a successful answer replaces.
func (t *Tracker) planLocked(now time.Time) trackPlan {
	var p trackPlan
	setDone := map[ID]bool{}
	acctDone := map[string]bool{}
	retry := now.Add(t.retryDelay())
	soon := now.Add(t.o.Batch)
	for _, e := range t.entries {
		if e.late.After(now) {
			continue
		}
		switch {
		case setDone[e.set] || (acctDone[e.account] && !e.byID):
			continue
		case !e.set.IsZero() && len(t.bySet[e.set]) > 1:
			setDone[e.set] = true
			p.sets = append(p.sets, e.set)
			for _, m := range t.bySet[e.set] {
				m.due(retry)
			}
			continue
		case e.account != "" && !e.byID && now.Sub(e.created) < maxRecentAge:
			var oldest time.Time
			n := 0
			for _, m := range t.byAcct[e.account] {
				if !m.byID && !m.next.After(soon) && now.Sub(m.created) < maxRecentAge {
					n++
					if oldest.IsZero() || m.created.Before(oldest) {
						oldest = m.created
					}
				}
			}
			if n > 1 {
				acctDone[e.account] = true
				days := int(now.Sub(oldest)/(24*time.Hour)) + 2 // whole days back, and the day it began
				p.accounts = append(p.accounts, accountLook{id: e.account, days: min(days, MaxRecentDays)})
				for _, m := range t.byAcct[e.account] {
					if !m.byID && now.Sub(m.created) < maxRecentAge {
						m.due(retry)
					}
				}
				continue
			}
		}
		e.due(retry)
		p.byID = append(p.byID, e)
	}
	return p
}

// postpone moves a round's instructions to the end of a maintenance
// window.
func (t *Tracker) postpone(p trackPlan, until time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, set := range p.sets {
		for _, e := range t.bySet[set] {
			e.due(until)
		}
	}
	for _, a := range p.accounts {
		for _, e := range t.byAcct[a.id] {
			if e.next.Before(until) {
				e.due(until)
			}
		}
	}
	for _, e := range p.byID {
		e.due(until)
	}
}

// gate spends the tracker's share of op's rate budget.
func (t *Tracker) gate(ctx context.Context, op string) error {
	if err := t.lim.wait(ctx, op); err != nil {
		return err
	}
	t.looks.Add(1)
	return nil
}

// retryDelay is the wait after a failed query. Called with t.mu held.
func (t *Tracker) retryDelay() time.Duration {
	return t.o.RetryDelay << min(t.failures, 5)
}

// failed notes a failed query of entries es: a maintenance window
// postpones them to its end; anything else backs off.
func (t *Tracker) failed(ctx context.Context, what string, es []*trackEntry, err error) {
	now := t.c.clock.Now()
	t.mu.Lock()
	t.failures++
	at := now.Add(t.retryDelay())
	var me *MaintenanceError
	if errors.As(err, &me) && me.End.After(now) {
		at = me.End
	}
	for _, e := range es {
		if !e.settled {
			e.due(at)
		}
	}
	t.mu.Unlock()
	if ctx.Err() == nil {
		t.c.log.LogAttrs(ctx, levelInfo, "ibkr tracker: query failed, will retry", slog.String("query", what), attrTime("retry", at), attrErr(err))
	}
}

// members returns the unsettled entries of a group.
func (t *Tracker) members(m map[ID]*trackEntry) []*trackEntry {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*trackEntry, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	return out
}

// lookSet reads an instruction set.
func (t *Tracker) lookSet(ctx context.Context, set ID) {
	t.mu.Lock()
	group := t.bySet[set]
	t.mu.Unlock()
	es := t.members(group)
	err := t.gate(ctx, "getInstructionSets")
	var ins []*Instruction
	if err == nil {
		ins, err = t.c.InstructionSet(ctx, set)
	}
	if errors.Is(err, ErrNotFound) {
		// Not a set IBKR knows: follow its members another way.
		t.mu.Lock()
		now := t.c.clock.Now()
		for _, e := range es {
			t.dropSet(e)
			e.set = ID{}
			e.due(now)
		}
		t.mu.Unlock()
		return
	}
	if err != nil {
		t.failed(ctx, "instruction set "+set.String(), es, err)
		return
	}
	t.apply(ctx, es, ins, false)
}

// lookAccount reads an account's recent instructions.
func (t *Tracker) lookAccount(ctx context.Context, a accountLook) {
	t.mu.Lock()
	group := t.byAcct[a.id]
	t.mu.Unlock()
	var es []*trackEntry
	now := t.c.clock.Now()
	for _, e := range t.members(group) {
		if !e.byID && now.Sub(e.created) < maxRecentAge {
			es = append(es, e)
		}
	}
	hist, err := t.c.recentInstructions(ctx, RecentQuery{AccountID: a.id, Days: a.days}, t.gate)
	if err != nil {
		if !transientPollError(err) && ctx.Err() == nil {
			// The account cannot be queried (closed, not ours...): look
			// its instructions up one by one.
			t.mu.Lock()
			for _, e := range es {
				e.byID = true
				e.due(now)
			}
			t.mu.Unlock()
			return
		}
		t.failed(ctx, "recent instructions of "+a.id, es, err)
		return
	}
	ins := make([]*Instruction, len(hist))
	for i, h := range hist {
		ins[i] = &Instruction{ClientInstructionID: h.ClientInstructionID, InstructionID: h.InstructionID,
			InstructionSetID: h.InstructionSetID, Type: h.Type, Status: h.Status}
	}
	t.apply(ctx, es, ins, false)
}

// lookID looks one instruction up by its clientInstructionId.
func (t *Tracker) lookID(ctx context.Context, e *trackEntry) {
	err := t.gate(ctx, "getClientInstructions")
	var in *Instruction
	if err == nil {
		in, err = t.c.InstructionStatus(ctx, e.cid)
	}
	switch {
	case errors.Is(err, ErrNotFound):
		now := t.c.clock.Now()
		t.mu.Lock()
		t.failures = 0
		e.notFound++
		giveUp := e.notFound >= trackerNotFoundLimit
		if giveUp {
			t.settleLocked(e, nil, &RequestError{CallInfo: CallInfo{OperationID: "getClientInstructions", ClientInstructionID: e.cid},
				Err: errNotTracked}, now)
		} else {
			e.due(now.Add(e.profile.Near))
		}
		t.mu.Unlock()
		if giveUp {
			t.delivered(ctx, e)
		}
	case err != nil:
		t.failed(ctx, "status of "+e.cid.String(), []*trackEntry{e}, err)
	default:
		in.ClientInstructionID = e.cid
		t.apply(ctx, []*trackEntry{e}, []*Instruction{in}, true)
	}
}

// trackerNotFoundLimit is how many 404 answers in a row make the tracker
// give up on an instruction.
const trackerNotFoundLimit = 3

// errNotTracked explains giving up on an instruction IBKR does not know.
var errNotTracked = errors.New("IBKR has no instruction with this clientInstructionId; settle it with ReconcileJournal (which resends it with the same id) before tracking it")

// apply takes the answer of a query covering es: each listed instruction
// is settled or rescheduled; one not listed is rescheduled, and after two
// misses in recent-instructions answers looked up by id instead. A
// REJECTED instruction from a set or history answer (detailed false),
// which lacks IBKR's error code, is looked up by id at once, to deliver
// the code and message.
func (t *Tracker) apply(ctx context.Context, es []*trackEntry, ins []*Instruction, detailed bool) {
	now := t.c.clock.Now()
	byCID := make(map[ID]*Instruction, len(ins))
	for _, in := range ins {
		byCID[in.ClientInstructionID] = in
	}
	var settled, detail []*trackEntry
	t.mu.Lock()
	t.failures = 0
	for _, e := range es {
		if e.settled {
			continue
		}
		in := byCID[e.cid]
		switch {
		case in == nil:
			e.missing++
			if e.missing >= 2 {
				e.byID = true
			}
			t.schedule(e, now)
		case in.Status == InstructionProcessed:
			t.settleLocked(e, in, nil, now)
			settled = append(settled, e)
		case in.Status == InstructionRejected && in.ErrorCode == "" && !detailed:
			e.due(now)
			detail = append(detail, e)
		case in.Status == InstructionRejected:
			t.settleLocked(e, in, rejection(in), now)
			settled = append(settled, e)
		default:
			e.missing = 0
			if e.iid.IsZero() && !in.InstructionID.IsZero() {
				e.iid = in.InstructionID
				t.byIID[e.iid] = e
			}
			t.schedule(e, now)
		}
	}
	t.mu.Unlock()
	for _, e := range settled {
		t.delivered(ctx, e)
	}
	for _, e := range detail {
		if ctx.Err() == nil {
			t.lookID(ctx, e)
		}
	}
}

// delivered hands a settled outcome on: without Stream it is recorded in
// the journal now (with Stream, when Outcomes hands it out).
func (t *Tracker) delivered(ctx context.Context, e *trackEntry) {
	if t.observe != nil {
		t.observe(e.cid, e.in, e.err, e.at)
	}
	if !t.o.Stream {
		t.record(ctx, e)
	}
}
