package ibkr

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// take drains the outcomes ready now (at most n; n < 0: all) without
// blocking, as a consumer that then crashes.
func take(t *testing.T, tr *Tracker, n int) map[ID]error {
	t.Helper()
	ctx, cancel := context.WithCancel(bg)
	cancel() // ready outcomes are handed out first; then the sequence ends
	got := map[ID]error{}
	for in, err := range tr.Outcomes(ctx) {
		if in == nil {
			t.Fatalf("outcome without an instruction: %v", err)
		}
		got[in.ClientInstructionID] = err
		if len(got) == n {
			break
		}
	}
	return got
}

// A crash mid-day: some outcomes consumed (and journaled), some settled
// but not yet taken, most still pending. The tracker restarted from the
// journal delivers every remaining outcome and none twice.
func TestTrackerCrashRestartFromJournal(t *testing.T) {
	j, err := OpenFileJournal(filepath.Join(t.TempDir(), "journal"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	s := newTrackSim(t, trackSimConfig{deposits: 60, accounts: 6, journal: j, logger: true,
		options: func(o *TrackerOptions) { o.Stream = true }})
	s.run(t, func() bool { return len(s.delivered) >= 30 })
	first := take(t, s.tr, 20) // the consumer takes 20, then the process dies
	if len(first) != 20 {
		t.Fatalf("took %d outcomes before the crash, want 20", len(first))
	}
	settledNotTaken := len(s.delivered) - len(first)
	if settledNotTaken <= 0 {
		t.Fatalf("the crash should strand settled outcomes not yet taken (%d delivered)", len(s.delivered))
	}

	// Restart: a new tracker loads what the journal holds unsettled.
	s.newTracker(t)
	n, err := s.tr.Load(bg)
	if err != nil {
		t.Fatal(err)
	}
	if want := 60 - len(first); n != want {
		t.Fatalf("loaded %d instructions, want %d (60 made, %d consumed)", n, want, len(first))
	}
	s.delivered = map[ID]*trackDelivery{}
	for id := range first {
		s.delivered[id] = &trackDelivery{n: 1}
	}
	s.run(t, nil)
	second := take(t, s.tr, -1)
	for id := range second {
		if _, dup := first[id]; dup {
			t.Errorf("deposit %s delivered before and after the crash", id)
		}
	}
	if len(first)+len(second) != 60 || s.dups != 0 {
		t.Fatalf("delivered %d+%d outcomes (%d duplicates), want 60", len(first), len(second), s.dups)
	}
	for id, err := range second {
		if err != nil {
			t.Errorf("deposit %s: %v", id, err)
		}
	}
	left, err := j.Unsettled(bg)
	if err != nil || len(left) != 0 {
		t.Fatalf("journal still lists %d unsettled (%v)", len(left), err)
	}
}

// Deposits settling inside the banking maintenance window (23:45-00:30
// US Eastern) and a burst of 5xx answers: nothing is sent during the
// window, the failures are retried, and every deposit is delivered soon
// after the window ends.
func TestTrackerRidesMaintenanceAnd5xx(t *testing.T) {
	start := time.Date(2025, time.March, 5, 4, 15, 0, 0, time.UTC) // Tue 23:15 EST
	s := newTrackSim(t, trackSimConfig{deposits: 12, accounts: 12, spread: 10 * time.Minute, start: start, logger: true,
		sandbox: []ibkrtest.Option{ibkrtest.WithTimings(ibkrtest.Timings{ACHDeposit: 40 * time.Minute})},
		options: func(o *TrackerOptions) {
			o.Schedule = Schedule{"DEPOSIT/ACH": {Expected: 40 * time.Minute, Window: 10 * time.Minute, Near: 2 * time.Minute, Quiet: 10 * time.Minute}}
		}})
	s.srv.FailNext("getClientInstructions", 8, 503)
	s.run(t, nil)
	_, end, _ := MaintenanceWindowAt(MaintenanceBanking, start.Add(45*time.Minute))
	for _, r := range s.srv.Requests() {
		if r.OperationID == "getClientInstructions" && r.Status == 503 && len(r.Faults) == 0 {
			t.Errorf("status lookup sent inside the maintenance window at %s", r.Time)
		}
	}
	if n := s.srv.RequestCount("getClientInstructions", 503); n != 8 {
		t.Errorf("%d lookups answered 503, want the 8 injected", n)
	}
	for id, d := range s.delivered {
		if d.err != nil || d.in.Status != InstructionProcessed {
			t.Errorf("deposit %s: %v %v", id, d.in, d.err)
		}
		if d.at.Before(end) || d.at.After(end.Add(15*time.Minute)) {
			t.Errorf("deposit %s delivered at %s, want within 15 minutes after the window ends (%s)", id, d.at, end)
		}
	}
}

// A callback makes the tracker query at once, and only IBKR's answer
// settles: a forged REJECTED notification costs one lookup and delivers
// nothing; the real settlement's callback delivers within seconds.
func TestTrackerCallbackIsAHint(t *testing.T) {
	s := newTrackSim(t, trackSimConfig{deposits: 3, accounts: 3, callbacks: true, logger: true})
	s.run(t, func() bool { return s.made == 3 })
	if err := s.tr.Track(); err != nil {
		t.Fatal(err)
	}
	forged := CallbackEvent{Kind: CallbackFunding, Instruction: &InstructionEvent{ClientInstructionID: s.ids[0], InstructionStatus: "REJECTED", ErrorCode: "FORGED"}}
	before := s.trackerCalls()
	if err := s.tr.Notify(bg, forged); err != nil {
		t.Fatal(err)
	}
	at, _ := s.tr.nextWake()
	if d := at.Sub(s.clk.Now()); d != DefaultTrackerHintDelay {
		t.Fatalf("a callback makes the instruction due in %s, want %s", d, DefaultTrackerHintDelay)
	}
	s.clk.Set(at)
	s.tr.round(bg)
	if got := s.trackerCalls() - before; got != 1 {
		t.Fatalf("the hint cost %d calls, want one lookup", got)
	}
	if len(s.delivered) != 0 {
		t.Fatalf("a forged callback delivered an outcome: %+v", s.delivered)
	}
	s.run(t, nil)
	if got := s.trackerCalls() - before; got != 4 {
		t.Errorf("%d calls in all after the forged hint, want 1 + one per settled deposit", got)
	}
	for id, d := range s.delivered {
		if d.err != nil || d.in.Status != InstructionProcessed {
			t.Errorf("deposit %s: %v %v", id, d.in, d.err)
		}
	}
	if l := s.worstLatency(t); l > 5*time.Second {
		t.Errorf("worst latency %s after the callback", l)
	}
}

// A deposit IBKR rejects after accepting it (a returned ACH debit),
// created in a bulk request: the set answer says REJECTED without the
// code, the tracker looks it up, and Wait returns IBKR's code and
// message.
func TestTrackerRejectedReachesWaiter(t *testing.T) {
	s := newTrackSim(t, trackSimConfig{deposits: 5, accounts: 5, bulk: 5, logger: true})
	s.run(t, func() bool { return s.made == 5 })
	info, ok := s.srv.InstructionByClientID(s.srv.ClientID, s.ids[2])
	if !ok {
		t.Fatal("deposit unknown to the sandbox")
	}
	const code, msg = "ACH_RETURNED", "the bank returned the debit (R01 insufficient funds)"
	if err := s.srv.RejectInstruction(info.ID, code, msg); err != nil {
		t.Fatal(err)
	}
	s.run(t, nil)
	in, err := s.tr.Wait(bg, s.ids[2])
	var rj *RejectedError
	if !errors.As(err, &rj) || !errors.Is(err, ErrRejected) {
		t.Fatalf("Wait: %v %v, want a *RejectedError", in, err)
	}
	if rj.Code != code || rj.Message != msg || rj.Instruction == nil || rj.Instruction.ClientInstructionID != s.ids[2] {
		t.Fatalf("rejection %q %q %+v, want IBKR's code and message", rj.Code, rj.Message, rj.Instruction)
	}
	if got := s.srv.RequestCount("getInstructionSets", 0); got == 0 {
		t.Error("the set was never read")
	}
	for i, id := range s.ids {
		if i == 2 {
			continue
		}
		if in, err := s.tr.Wait(bg, id); err != nil || in.Status != InstructionProcessed {
			t.Errorf("deposit %s: %v %v", id, in, err)
		}
	}
}

// Bad options and bad instructions are refused before anything is sent.
func TestTrackerRefusesBadInput(t *testing.T) {
	s := newTrackSim(t, trackSimConfig{accounts: 1})
	for _, share := range []float64{-0.1, 1.5} {
		_, err := s.c.NewTracker(func(o *TrackerOptions) { o.Share = share })
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "Share" {
			t.Errorf("Share %v: %v, want an *InputError for Share", share, err)
		}
	}
	var ie *InputError
	if err := s.tr.Track(Tracked{}); !errors.As(err, &ie) || ie.Field != "clientInstructionId" {
		t.Errorf("Track without id: %v", err)
	}
	if err := s.tr.Track(Tracked{ClientInstructionID: NewID(1), AccountID: "X1"}); !errors.As(err, &ie) || ie.Field != "accountId" {
		t.Errorf("Track with a bad account: %v", err)
	}
	if _, err := s.tr.Wait(bg, NewID(7)); !errors.As(err, &ie) {
		t.Errorf("Wait for an untracked id: %v", err)
	}
	if _, err := s.tr.Load(bg); !errors.As(err, &ie) || ie.Field != "Journal" {
		t.Errorf("Load without a TrackerJournal: %v", err)
	}
	if n := s.srv.RequestCount("", 0); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// WaitForInstruction goes through an attached, running tracker; Stop
// ends Run and the outcome stream. Real clocks, short timings.
func TestWaitForInstructionUsesAttachedTracker(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithRealClock(), ibkrtest.WithMaintenance(false),
		ibkrtest.WithTimings(ibkrtest.Timings{ACHDeposit: 2 * time.Second}))
	c, err := New(WithBaseURL(srv.URL), WithPrivateKeyPEM(srv.ClientID, srv.KeyID, srv.PrivateKeyPEM),
		WithHTTPClient(srv.HTTP.Client()), WithoutMaintenanceWindows(), WithLogger(suiteLogger))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddLinkedACH(ibkrtest.DemoAccountID, "payroll"); err != nil {
		t.Fatal(err)
	}
	tr, err := c.NewTracker(func(o *TrackerOptions) {
		o.Attach, o.Stream = true, true
		o.Schedule = Schedule{"": {Expected: 2 * time.Second, Window: 2 * time.Second, Near: 200 * time.Millisecond, Quiet: time.Second}}
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bg, 30*time.Second)
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- tr.Run(ctx) }()
	for !tr.isRunning() {
		time.Sleep(time.Millisecond)
	}
	dep := func() ID {
		in, err := c.DepositACH(ctx, ACHDeposit{AccountID: ibkrtest.DemoAccountID, InstructionName: "payroll", Amount: MustDecimal("25.00")})
		if err != nil {
			t.Fatal(err)
		}
		return in.ClientInstructionID
	}
	ok, bad := dep(), dep()
	info, _ := srv.InstructionByClientID(srv.ClientID, bad)
	if err := srv.RejectInstruction(info.ID, "ACH_RETURNED", "returned by the bank"); err != nil {
		t.Fatal(err)
	}
	in, err := c.WaitForInstruction(ctx, ok, 20*time.Second)
	if err != nil || in.Status != InstructionProcessed {
		t.Fatalf("WaitForInstruction: %v %v", in, err)
	}
	_, err = c.WaitForInstruction(ctx, bad, 20*time.Second)
	var rj *RejectedError
	if !errors.As(err, &rj) || rj.Code != "ACH_RETURNED" || rj.Message != "returned by the bank" {
		t.Fatalf("WaitForInstruction of the rejected deposit: %v", err)
	}
	if tr.Len() != 0 {
		t.Errorf("%d instructions still tracked", tr.Len())
	}
	if err := tr.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-ran; err != nil {
		t.Fatalf("Run after Stop: %v", err)
	}
	got := map[ID]error{}
	for in, err := range tr.Outcomes(ctx) { // ends: stopped and drained
		got[in.ClientInstructionID] = err
	}
	if len(got) != 2 || got[ok] != nil || !errors.Is(got[bad], ErrRejected) {
		t.Fatalf("outcomes after Stop: %v", got)
	}
	if c.tracker.Load() != nil {
		t.Error("a stopped tracker stays attached")
	}
}

// The tracker spends its share of an endpoint's rate limit and never
// more: 200 deposits due at once, a share of 0.2 of 10/s, so no second
// of simulated time holds more than 2 status lookups.
func TestTrackerKeepsToItsShare(t *testing.T) {
	s := newTrackSim(t, trackSimConfig{deposits: 200, accounts: 200, spread: time.Nanosecond,
		options: func(o *TrackerOptions) { o.Share = 0.2 }})
	s.run(t, nil)
	var times []time.Time
	for _, r := range s.srv.RequestsFor("getClientInstructions") {
		times = append(times, r.Time)
	}
	if len(times) < 400 {
		t.Fatalf("only %d lookups recorded", len(times))
	}
	for i := range times {
		n := 0
		for j := i; j < len(times) && times[j].Sub(times[i]) < time.Second; j++ {
			n++
		}
		if n > 2 {
			t.Fatalf("%d lookups within one second from %s (share 0.2 of 10/s)", n, times[i])
		}
	}
	if n := s.srv.RequestCount("", 429); n != 0 {
		t.Fatalf("%d answers 429", n)
	}
	if len(s.delivered) != 200 || s.dups != 0 {
		t.Fatalf("delivered %d (%d twice)", len(s.delivered), s.dups)
	}
}
