package ibkr

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Tracker settles many banking and transfer instructions at once, inside
// IBKR's rate limit. Create one per client (NewTracker), run it (Run, in
// a goroutine of its own: the only one it needs, however many
// instructions it follows), and register instructions as they are created
// (Track) or load the unsettled ones from the journal at start-up (Load).
//
// Each round it looks at the instructions its schedule says are due (see
// SettleProfile) with the cheapest queries that cover them: one GET of an
// instruction set for instructions created by one bulk request; one
// recent-instructions query per account holding several instructions
// due; a status lookup by clientInstructionId for the rest (and for a
// REJECTED one, to get IBKR's error code and message). It sends at most
// TrackerOptions.Share of the client's rate limit on each endpoint (the
// client's own retry of a failed look, within its RetryPolicy, is held
// only by the client's limiter), waits out maintenance windows (without
// sending), and backs off after 5xx or network failures without losing
// any instruction.
//
// Callback notifications (pass Notify to NewCallbackHandler) are hints:
// a notification about a tracked instruction makes it due a moment later
// (HintDelay, so that a burst of them is answered by one query per set or
// account); the outcome always comes from IBKR's answer to that query.
//
// Every outcome (PROCESSED, or REJECTED as a *RejectedError with IBKR's
// code and message) is delivered exactly once: to Wait(ctx, id) callers
// and, with TrackerOptions.Stream, to the Outcomes iterator, and it is
// recorded in the journal (a JournalAccepted outcome with status
// PROCESSED, or JournalRejected). With Stream the journal records an
// outcome only after the iterator's consumer has taken it, so a crash
// before that loses nothing (the restarted tracker loads and settles the
// instruction again) and an outcome consumed is never loaded again.
//
// Stop ends Run gracefully. A Tracker is safe for concurrent use.
type Tracker struct {
	c   *Client
	o   TrackerOptions
	lim *limiters

	mu       sync.Mutex
	entries  map[ID]*trackEntry
	byIID    map[ID]*trackEntry
	bySet    map[ID]map[ID]*trackEntry
	byAcct   map[string]map[ID]*trackEntry
	recent   map[ID]*trackEntry // settled lately, for late Wait calls
	recentQ  []ID
	ready    []*trackEntry // Stream: settled, not yet taken by Outcomes
	failures int
	looks    atomic.Int64
	running  bool
	stopped  bool

	kick    chan struct{} // wakes Run: earlier work appeared
	readyCh chan struct{} // wakes Outcomes: an outcome is ready
	stopCh  chan struct{}
	stopMu  sync.Once
	done    chan struct{}

	// observe, for tests and benchmarks, sees every settled outcome.
	observe func(cid ID, in *Instruction, err error, at time.Time)
}

// Defaults of TrackerOptions.
const (
	// DefaultTrackerShare is the share of each endpoint's rate limit a
	// Tracker spends.
	DefaultTrackerShare = 0.5
	// DefaultTrackerHintDelay is how long after a callback the tracker
	// queries, gathering the callbacks of a burst into one round.
	DefaultTrackerHintDelay = 2 * time.Second
	// DefaultTrackerBatch is how far ahead the tracker pulls the looks at
	// an account's other instructions into one recent-instructions query.
	DefaultTrackerBatch = 10 * time.Minute
	// DefaultTrackerRetryDelay is the first wait after a failed query; it
	// doubles with each failure in a row, up to 32 times.
	DefaultTrackerRetryDelay = 30 * time.Second
)

// TrackerOptions configure a Tracker. Zero fields take the defaults.
type TrackerOptions struct {
	// Journal records outcomes and is what Load reads; default the
	// client's (WithJournal). Load needs a TrackerJournal.
	Journal Journal
	// Share is the share (0 to 1] of the client's per-endpoint rate limit
	// the tracker spends on each endpoint it calls; default
	// DefaultTrackerShare. The rest stays for the client's other calls.
	Share float64
	// Schedule overrides profiles of DefaultSchedule.
	Schedule Schedule
	// Callbacks says IBKR's callbacks reach Notify: the schedule then only
	// guards against lost callbacks (see SettleProfile).
	Callbacks bool
	// HintDelay is the wait between a callback and the query it triggers
	// (default DefaultTrackerHintDelay).
	HintDelay time.Duration
	// Batch is how far ahead looks at one account's instructions are
	// pulled together (default DefaultTrackerBatch).
	Batch time.Duration
	// RetryDelay is the first wait after a failed query (default
	// DefaultTrackerRetryDelay).
	RetryDelay time.Duration
	// Stream makes outcomes available to Outcomes, which must then be
	// consumed; the journal records each when the consumer takes it.
	// Without Stream an outcome is recorded as soon as it is known.
	Stream bool
	// Attach makes the client's WaitForInstruction use this tracker while
	// it runs, instead of polling on its own.
	Attach bool
}

// Tracked is an instruction to track.
type Tracked struct {
	// ClientInstructionID is the id the instruction was sent with
	// (required).
	ClientInstructionID ID
	// AccountID is the IBKR account it concerns; with it, several
	// instructions of one account are followed with one query.
	AccountID string
	// InstructionSetID is the set of a bulk request; with it, the set's
	// instructions are followed with one query.
	InstructionSetID ID
	// InstructionID is IBKR's id, when known (callbacks may carry only
	// it).
	InstructionID ID
	// Type is the instruction type, e.g. "DEPOSIT"; with Method (for a
	// deposit, "ACH" or "WIRE") it picks the schedule (TrackKind).
	Type, Method string
	// Created is when the instruction was made; default now.
	Created time.Time
}

// TrackedOf describes an instruction the client just created, for Track.
func TrackedOf(in *Instruction, accountID, method string) Tracked {
	return Tracked{ClientInstructionID: in.ClientInstructionID, AccountID: accountID, InstructionSetID: in.InstructionSetID,
		InstructionID: in.InstructionID, Type: in.Type, Method: method}
}

type trackEntry struct {
	cid, iid, set ID
	account       string
	profile       SettleProfile
	created       time.Time
	next          time.Time // when the schedule wants a look
	late          time.Time // when the look is due at the latest (see SettleProfile.next)
	byID          bool      // recent-instructions answers do not list it: look it up by id
	missing       int
	notFound      int

	settled bool
	in      *Instruction
	err     error
	at      time.Time
	done    chan struct{} // closed once settled; made by the first waiter
}

// NewTracker returns a tracker of c's instructions; start it with Run.
func (c *Client) NewTracker(optFns ...func(*TrackerOptions)) (*Tracker, error) {
	var o TrackerOptions
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	if o.Share == 0 {
		o.Share = DefaultTrackerShare
	}
	if !(o.Share > 0 && o.Share <= 1) {
		return nil, invalid("Share", "must be more than 0 and at most 1 (got %v)", o.Share)
	}
	for kind, p := range o.Schedule {
		if p.Expected < 0 || p.Window < 0 || p.Near < 0 || p.Quiet < 0 {
			return nil, invalid("Schedule["+kind+"]", "durations must not be negative")
		}
	}
	if o.HintDelay <= 0 {
		o.HintDelay = DefaultTrackerHintDelay
	}
	if o.Batch <= 0 {
		o.Batch = DefaultTrackerBatch
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = DefaultTrackerRetryDelay
	}
	if o.Journal == nil {
		o.Journal = c.journal
	}
	perSec := float64(c.limits.limit) * o.Share
	if math.IsInf(float64(c.limits.limit), 1) {
		perSec = math.Inf(1)
	}
	t := &Tracker{
		c: c, o: o, lim: newLimiters(c.clock, perSec, 1),
		entries: map[ID]*trackEntry{}, byIID: map[ID]*trackEntry{}, bySet: map[ID]map[ID]*trackEntry{},
		byAcct: map[string]map[ID]*trackEntry{}, recent: map[ID]*trackEntry{},
		kick: make(chan struct{}, 1), readyCh: make(chan struct{}, 1), stopCh: make(chan struct{}), done: make(chan struct{}),
	}
	if o.Attach {
		c.tracker.Store(t)
	}
	return t, nil
}

// Track registers instructions. An instruction already tracked is updated
// with what it did not know (account, set, instruction id); one settled
// lately is not tracked again.
func (t *Tracker) Track(items ...Tracked) error {
	for _, it := range items {
		if err := ValidateClientInstructionID("clientInstructionId", it.ClientInstructionID); err != nil {
			return err
		}
		if it.AccountID != "" {
			if err := ValidateAccountID("accountId", it.AccountID); err != nil {
				return err
			}
		}
	}
	now := t.c.clock.Now()
	t.mu.Lock()
	for _, it := range items {
		t.trackLocked(it, now)
	}
	t.mu.Unlock()
	t.wake(t.kick)
	return nil
}

func (t *Tracker) trackLocked(it Tracked, now time.Time) *trackEntry {
	cid := it.ClientInstructionID
	if e := t.entries[cid]; e != nil {
		if e.account == "" && it.AccountID != "" {
			e.account = it.AccountID
			t.index(e)
		}
		if e.set.IsZero() && !it.InstructionSetID.IsZero() {
			e.set = it.InstructionSetID
			t.index(e)
		}
		if e.iid.IsZero() && !it.InstructionID.IsZero() {
			e.iid = it.InstructionID
			t.byIID[e.iid] = e
		}
		return e
	}
	if e := t.recent[cid]; e != nil {
		return e
	}
	created := it.Created
	if created.IsZero() || created.After(now) {
		created = now
	}
	e := &trackEntry{cid: cid, iid: it.InstructionID, set: it.InstructionSetID, account: it.AccountID, created: created,
		profile: t.o.Schedule.profile(TrackKind(it.Type, it.Method))}
	t.schedule(e, now)
	t.entries[cid] = e
	if !e.iid.IsZero() {
		t.byIID[e.iid] = e
	}
	t.index(e)
	return e
}

// schedule sets e's next look by its profile, at now.
func (t *Tracker) schedule(e *trackEntry, now time.Time) {
	wait, slack := e.profile.next(now.Sub(e.created), t.o.Callbacks)
	e.next = now.Add(wait)
	e.late = e.next.Add(slack)
}

// due makes e due at at, without slack.
func (e *trackEntry) due(at time.Time) { e.next, e.late = at, at }

// index adds e to its set's and account's groups.
func (t *Tracker) index(e *trackEntry) {
	if !e.set.IsZero() {
		m := t.bySet[e.set]
		if m == nil {
			m = map[ID]*trackEntry{}
			t.bySet[e.set] = m
		}
		m[e.cid] = e
	}
	if e.account != "" {
		m := t.byAcct[e.account]
		if m == nil {
			m = map[ID]*trackEntry{}
			t.byAcct[e.account] = m
		}
		m[e.cid] = e
	}
}

func (t *Tracker) unindex(e *trackEntry) {
	delete(t.entries, e.cid)
	if !e.iid.IsZero() {
		delete(t.byIID, e.iid)
	}
	t.dropSet(e)
	if m := t.byAcct[e.account]; m != nil {
		delete(m, e.cid)
		if len(m) == 0 {
			delete(t.byAcct, e.account)
		}
	}
}

func (t *Tracker) dropSet(e *trackEntry) {
	if m := t.bySet[e.set]; m != nil {
		delete(m, e.cid)
		if len(m) == 0 {
			delete(t.bySet, e.set)
		}
	}
}

func (t *Tracker) wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Len returns how many instructions are tracked and not settled.
func (t *Tracker) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.entries)
}

// Notify takes a callback notification as a hint: if it is about a
// tracked instruction, that instruction is looked at HintDelay later.
// Its signature fits NewCallbackHandler; it never fails.
func (t *Tracker) Notify(ctx context.Context, ev CallbackEvent) error {
	in := ev.Instruction
	if in == nil {
		return nil
	}
	at := t.c.clock.Now().Add(t.o.HintDelay)
	t.mu.Lock()
	e := t.entries[in.ClientInstructionID]
	if e == nil && !in.InstructionID.IsZero() {
		e = t.byIID[in.InstructionID]
	}
	hinted := e != nil && at.Before(e.late)
	if hinted {
		e.due(at)
	}
	t.mu.Unlock()
	if hinted {
		t.wake(t.kick)
	}
	return nil
}

// Wait returns the outcome of a tracked instruction once it is known:
// the instruction (PROCESSED), or a *RejectedError with IBKR's code and
// message, or why the tracker gave up on it. An instruction neither
// tracked nor settled lately is an *InputError.
func (t *Tracker) Wait(ctx context.Context, clientInstructionID ID) (*Instruction, error) {
	e, err := t.waitEntry(clientInstructionID)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.done:
		return e.in, e.err
	case <-ctx.Done():
		return nil, fmt.Errorf("ibkr: tracking clientInstructionId %s: %w", clientInstructionID, ctx.Err())
	}
}

func (t *Tracker) waitEntry(cid ID) (*trackEntry, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entries[cid]
	if e == nil {
		e = t.recent[cid]
	}
	if e == nil {
		return nil, invalid("clientInstructionId", "%s is not tracked", cid)
	}
	if e.done == nil {
		e.done = make(chan struct{})
		if e.settled {
			close(e.done)
		}
	}
	return e, nil
}

// waitFor is WaitForInstruction through the tracker: track the id (by id
// alone, unless it is tracked already) and wait up to maxWait on the
// client's clock.
func (t *Tracker) waitFor(ctx context.Context, cid ID, maxWait time.Duration) (*Instruction, error) {
	now := t.c.clock.Now()
	t.mu.Lock()
	t.trackLocked(Tracked{ClientInstructionID: cid, Created: now}, now)
	t.mu.Unlock()
	t.wake(t.kick)
	e, err := t.waitEntry(cid)
	if err != nil {
		return nil, err
	}
	if err := sleepOrWake(ctx, t.c.clock, maxWait, e.done); err != nil {
		return nil, fmt.Errorf("ibkr: waiting for instruction with clientInstructionId %s: %w", cid, err)
	}
	select {
	case <-e.done:
		return e.in, e.err
	default:
		return nil, &WaitTimeoutError{CallInfo: CallInfo{ClientInstructionID: cid}, What: "instruction with clientInstructionId " + cid.String(), MaxWait: maxWait}
	}
}

// Outcomes returns the settled instructions, each exactly once, as they
// become known, with TrackerOptions.Stream: the instruction and nil for
// PROCESSED, the instruction and a *RejectedError for REJECTED, or a
// minimal instruction (its ClientInstructionID) and the reason the
// tracker gave up on it. Taking an outcome records it in the journal.
// The sequence ends when ctx ends, or when the tracker has stopped and
// every outcome was taken. Consume it from one goroutine at a time.
func (t *Tracker) Outcomes(ctx context.Context) iter.Seq2[*Instruction, error] {
	return func(yield func(*Instruction, error) bool) {
		if !t.o.Stream {
			yield(nil, invalid("Stream", "Outcomes needs TrackerOptions.Stream"))
			return
		}
		for {
			t.mu.Lock()
			var e *trackEntry
			if len(t.ready) > 0 {
				e = t.ready[0]
				t.ready[0] = nil
				t.ready = t.ready[1:]
			}
			finished := e == nil && t.stopped && !t.running
			t.mu.Unlock()
			if e != nil {
				in := e.in
				if in == nil {
					in = &Instruction{ClientInstructionID: e.cid}
				}
				more := yield(in, e.err)
				t.record(ctx, e)
				if !more {
					return
				}
				continue
			}
			if finished {
				return
			}
			select {
			case <-t.readyCh:
			case <-t.done:
			case <-ctx.Done():
				return
			}
		}
	}
}

// record writes an outcome to the journal (failures are logged: the
// instruction is then loaded and settled again after a restart).
func (t *Tracker) record(ctx context.Context, e *trackEntry) {
	j := t.o.Journal
	if j == nil || (e.in == nil && !errors.As(e.err, new(*RejectedError))) {
		return // nothing IBKR said to record
	}
	o := outcomeOf(e.in, e.err, e.at.UTC())
	if err := j.Finish(context.WithoutCancel(ctx), e.cid, o); err != nil {
		t.c.log.LogAttrs(ctx, levelWarn, "ibkr tracker: journal failed", attrID(e.cid), attrErr(err))
	}
}

// Run tracks until ctx ends (returning its error) or Stop is called
// (returning nil). Run it once, in its own goroutine.
func (t *Tracker) Run(ctx context.Context) error {
	t.mu.Lock()
	if t.running || t.stopped {
		t.mu.Unlock()
		return invalid("tracker", "Run called twice, or after Stop")
	}
	t.running = true
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.running, t.stopped = false, true
		t.mu.Unlock()
		t.c.tracker.CompareAndSwap(t, nil)
		close(t.done)
	}()
	clk := t.c.clock
	for {
		select {
		case <-t.stopCh:
			return nil
		default:
		}
		wake, any := t.nextWake()
		d := time.Hour
		if any {
			d = wake.Sub(clk.Now())
		}
		if d > 0 {
			if err := sleepOrWake(ctx, clk, d, t.kick, t.stopCh); err != nil {
				return err
			}
			continue // re-check: woken early, or due now
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		t.round(ctx)
	}
}

// RunOnce looks at every instruction due now, then returns when the next
// look is due (zero when nothing is tracked). It is Run for callers who
// schedule the tracker themselves: a cron job, a serverless function, a
// program on a simulated clock. Do not call it while Run runs.
func (t *Tracker) RunOnce(ctx context.Context) (time.Time, error) {
	if t.isRunning() {
		return time.Time{}, invalid("tracker", "RunOnce while Run runs")
	}
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	if at, ok := t.nextWake(); ok && !at.After(t.c.clock.Now()) {
		t.round(ctx)
	}
	at, _ := t.nextWake()
	return at, ctx.Err()
}

// RunUntil tracks in the calling goroutine (RunOnce, then sleeping on the
// client's clock) until the instruction with clientInstructionId settles,
// and returns its outcome as Wait does, or a *WaitTimeoutError after
// maxWait. The instruction must be tracked. Do not call it while Run
// runs.
func (t *Tracker) RunUntil(ctx context.Context, clientInstructionID ID, maxWait time.Duration) (*Instruction, error) {
	if maxWait <= 0 {
		return nil, invalid("maxWait", "a positive duration is required")
	}
	e, err := t.waitEntry(clientInstructionID)
	if err != nil {
		return nil, err
	}
	clk := t.c.clock
	deadline := clk.Now().Add(maxWait)
	for {
		select {
		case <-e.done:
			return e.in, e.err
		default:
		}
		next, err := t.RunOnce(ctx)
		if err != nil {
			return nil, err
		}
		select {
		case <-e.done:
			continue
		default:
		}
		now := clk.Now()
		if !now.Before(deadline) {
			return nil, &WaitTimeoutError{CallInfo: CallInfo{ClientInstructionID: clientInstructionID}, What: "instruction with clientInstructionId " + clientInstructionID.String(), MaxWait: maxWait}
		}
		if next.IsZero() || next.After(deadline) {
			next = deadline
		}
		if err := clk.Sleep(ctx, next.Sub(now)); err != nil {
			return nil, err
		}
	}
}

// Looks returns how many requests the tracker has sent.
func (t *Tracker) Looks() int64 { return t.looks.Load() }

// Stop ends Run after the query in progress, and waits for it (or for
// ctx). Instructions not settled stay in the journal for the next start.
func (t *Tracker) Stop(ctx context.Context) error {
	t.stopMu.Do(func() { close(t.stopCh) })
	t.mu.Lock()
	running := t.running
	if !running {
		t.stopped = true
	}
	t.mu.Unlock()
	if !running {
		return nil
	}
	select {
	case <-t.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// isRunning reports Run in progress.
func (t *Tracker) isRunning() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.running
}

// stopping reports a Stop in progress.
func (t *Tracker) stopping() bool {
	select {
	case <-t.stopCh:
		return true
	default:
		return false
	}
}

// nextWake is the earliest time a look is due at the latest, and whether
// any instruction is tracked.
func (t *Tracker) nextWake() (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var at time.Time
	for _, e := range t.entries {
		if at.IsZero() || e.late.Before(at) {
			at = e.late
		}
	}
	return at, len(t.entries) > 0
}

// settleLocked records an outcome and hands it on.
func (t *Tracker) settleLocked(e *trackEntry, in *Instruction, err error, now time.Time) {
	if e.settled {
		return
	}
	e.settled, e.in, e.err, e.at = true, in, err, now
	t.unindex(e)
	if e.done != nil {
		close(e.done)
	}
	t.recent[e.cid] = e
	t.recentQ = append(t.recentQ, e.cid)
	if len(t.recentQ) > maxTrackerRecent {
		old := t.recentQ[0]
		t.recentQ = t.recentQ[1:]
		delete(t.recent, old)
	}
	if t.o.Stream {
		t.ready = append(t.ready, e)
		t.wake(t.readyCh)
	}
}

// maxTrackerRecent bounds the settled outcomes kept for late Wait calls.
const maxTrackerRecent = 4096
