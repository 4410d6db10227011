// Package storetest is the contract suite every ibkr.Store must pass:
// the file store and the PostgreSQL store run it, and so can an
// integrator's own implementation:
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) ibkr.Store { return newEmptyStore(t) }, storetest.Config{RatePerSecond: 10})
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// Config describes the store under test.
type Config struct {
	// RatePerSecond is the per-endpoint rate the stores newStore returns
	// are configured with (required for the rate budget tests).
	RatePerSecond float64
	// Burst is their burst (default 1).
	Burst int
}

// Run runs every contract test against fresh, empty stores made by
// newStore (one per subtest; the function registers its own cleanup).
func Run(t *testing.T, newStore func(t *testing.T) ibkr.Store, cfg Config) {
	if cfg.Burst == 0 {
		cfg.Burst = 1
	}
	t.Run("IDsIncrease", func(t *testing.T) { testIDsIncrease(t, newStore(t)) })
	t.Run("IDsUniqueUnderConcurrency", func(t *testing.T) { testIDsConcurrent(t, newStore(t)) })
	t.Run("ClaimID", func(t *testing.T) { testClaimID(t, newStore(t)) })
	t.Run("JournalBeginFinishPending", func(t *testing.T) { testJournal(t, newStore(t)) })
	t.Run("JournalRefusals", func(t *testing.T) { testJournalRefusals(t, newStore(t)) })
	t.Run("AcceptedNeverDowngraded", func(t *testing.T) { testNoDowngrade(t, newStore(t)) })
	t.Run("EntriesByState", func(t *testing.T) { testEntries(t, newStore(t)) })
	t.Run("Unsettled", func(t *testing.T) { testUnsettled(t, newStore(t)) })
	t.Run("LeaseHeldBySender", func(t *testing.T) { testLeaseHeld(t, newStore(t)) })
	t.Run("LeaseExpires", func(t *testing.T) { testLeaseExpires(t, newStore(t)) })
	t.Run("ClaimsNeverOverlap", func(t *testing.T) { testClaimsDisjoint(t, newStore(t)) })
	t.Run("RenewRelease", func(t *testing.T) { testRenewRelease(t, newStore(t)) })
	t.Run("Compact", func(t *testing.T) { testCompact(t, newStore(t)) })
	t.Run("RateBudget", func(t *testing.T) { testRateBudget(t, newStore(t), cfg) })
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// entry makes a journal entry with a fresh id from s.
func entry(t *testing.T, s ibkr.Store, amount string) ibkr.JournalEntry {
	t.Helper()
	id, err := s.Next(ctx(t))
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return ibkr.JournalEntry{
		ClientInstructionID: id, Operation: "createExternalCashTransfers", InstructionType: "DEPOSIT",
		AccountID: "U1234567", Amount: ibkr.MustDecimal(amount), Currency: "USD",
		Summary: "deposit " + amount + " USD", Body: []byte(`{"instructionType":"DEPOSIT","instruction":{"amount":` + amount + `}}`),
	}
}

func ids(es []ibkr.JournalEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ClientInstructionID.String()
	}
	return out
}

func testIDsIncrease(t *testing.T, s ibkr.Store) {
	c := ctx(t)
	var last ibkr.ID
	for i := range 50 {
		id, err := s.Next(c)
		if err != nil {
			t.Fatal(err)
		}
		if id.IsZero() || id.Cmp(last) <= 0 {
			t.Fatalf("id %d = %s, not above %s", i, id, last)
		}
		if len(id.String()) > 20 {
			t.Fatalf("id %s has more than 20 digits", id)
		}
		last = id
	}
}

func testIDsConcurrent(t *testing.T, s ibkr.Store) {
	c := ctx(t)
	const workers, each = 8, 40
	var mu sync.Mutex
	seen := map[ibkr.ID]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			var last ibkr.ID
			for range each {
				id, err := s.Next(c)
				if err != nil {
					errs <- err
					return
				}
				if id.Cmp(last) <= 0 {
					errs <- fmt.Errorf("id %s not above this goroutine's previous %s", id, last)
					return
				}
				last = id
				mu.Lock()
				if seen[id] {
					mu.Unlock()
					errs <- fmt.Errorf("id %s handed out twice", id)
					return
				}
				seen[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(seen) != workers*each {
		t.Errorf("%d distinct ids, want %d", len(seen), workers*each)
	}
}

func testClaimID(t *testing.T, s ibkr.Store) {
	c := ctx(t)
	id, err := s.Next(c)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := id.Uint64()
	mine := ibkr.NewID(n + 1000)
	if err := s.Claim(c, mine); err != nil {
		t.Fatalf("Claim above the mark: %v", err)
	}
	if err := s.Claim(c, mine); !errors.Is(err, ibkr.ErrInstructionIDReused) {
		t.Fatalf("Claim of the same id again: %v, want ErrInstructionIDReused", err)
	}
	if err := s.Claim(c, id); !errors.Is(err, ibkr.ErrInstructionIDReused) {
		t.Fatalf("Claim below the mark: %v, want ErrInstructionIDReused", err)
	}
	next, err := s.Next(c)
	if err != nil {
		t.Fatal(err)
	}
	if next.Cmp(mine) <= 0 {
		t.Fatalf("Next after Claim(%s) = %s, want above", mine, next)
	}
}

func testJournal(t *testing.T, s ibkr.Store) {
	c := ctx(t)
	a, b, d := entry(t, s, "100.00"), entry(t, s, "200.50"), entry(t, s, "300")
	for _, e := range []ibkr.JournalEntry{a, b, d} {
		if err := s.Begin(c, e); err != nil {
			t.Fatalf("Begin: %v", err)
		}
	}
	if err := s.Finish(c, a.ClientInstructionID, ibkr.JournalOutcome{State: ibkr.JournalAccepted, Status: ibkr.InstructionPending, InstructionID: ibkr.NewID(42)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(c, b.ClientInstructionID, ibkr.JournalOutcome{State: ibkr.JournalUnknown, Message: "timeout"}); err != nil {
		t.Fatal(err)
	}
	p, err := s.Pending(c)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(p), ids([]ibkr.JournalEntry{b, d}); !slices.Equal(got, want) {
		t.Fatalf("Pending = %v, want %v (unknown and open, oldest first)", got, want)
	}
	// Entries come back exactly as recorded.
	got := p[0]
	if !got.Amount.Equal(b.Amount) || got.Amount.String() != "200.50" || got.AccountID != b.AccountID || got.Currency != "USD" ||
		got.InstructionType != "DEPOSIT" || got.Operation != b.Operation || string(got.Body) != string(b.Body) || got.Summary != b.Summary || got.Time.IsZero() {
		t.Fatalf("Pending entry = %+v, want %+v (with a time)", got, b)
	}
	recs, err := s.Entries(c, ibkr.JournalAccepted)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Entry.ClientInstructionID != a.ClientInstructionID || recs[0].Outcome == nil ||
		recs[0].Outcome.InstructionID != ibkr.NewID(42) || recs[0].Outcome.Status != ibkr.InstructionPending || recs[0].Outcome.Time.IsZero() {
		t.Fatalf("accepted entries = %+v", recs)
	}
}

func testJournalRefusals(t *testing.T, s ibkr.Store) {
	c := ctx(t)
	e := entry(t, s, "1")
	e.ClientInstructionID = ibkr.ID{}
	var ie *ibkr.InputError
	if err := s.Begin(c, e); !errors.As(err, &ie) || ie.Field != "clientInstructionId" {
		t.Fatalf("Begin without id: %v, want an *InputError naming clientInstructionId", err)
	}
	if err := s.Finish(c, ibkr.NewID(123456789), ibkr.JournalOutcome{State: ibkr.JournalAccepted}); err == nil {
		t.Fatal("Finish of an id never begun succeeded")
	}
	// A body holding a bank account number is never stored.
	sec := entry(t, s, "5")
	sec.Body = []byte(`{"instruction":{"bankAccountNumber":"000123456789"}}`)
	if err := s.Begin(c, sec); err != nil {
		t.Fatal(err)
	}
	p, err := s.Pending(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 1 || len(p[0].Body) != 0 {
		t.Fatalf("pending = %+v, want the entry without its body", p)
	}
}

func testNoDowngrade(t *testing.T, s ibkr.Store) {
	c := ctx(t)
	e := entry(t, s, "10")
	if err := s.Begin(c, e); err != nil {
		t.Fatal(err)
	}
	acc := ibkr.JournalOutcome{State: ibkr.JournalAccepted, Status: ibkr.InstructionPending}
	if err := s.Finish(c, e.ClientInstructionID, acc); err != nil {
		t.Fatal(err)
	}
	for _, st := range []ibkr.JournalState{ibkr.JournalRejected, ibkr.JournalUnknown, ibkr.JournalNotSent} {
		if err := s.Finish(c, e.ClientInstructionID, ibkr.JournalOutcome{State: st}); err != nil {
			t.Fatalf("Finish(%s) after accepted: %v", st, err)
		}
	}
	recs, err := s.Entries(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].State() != ibkr.JournalAccepted {
		t.Fatalf("entries = %+v, want the one entry still accepted", recs)
	}
	// A newer accepted outcome (e.g. a later status) still replaces it.
	if err := s.Finish(c, e.ClientInstructionID, ibkr.JournalOutcome{State: ibkr.JournalAccepted, Status: ibkr.InstructionProcessed}); err != nil {
		t.Fatal(err)
	}
	recs, _ = s.Entries(c, ibkr.JournalAccepted)
	if len(recs) != 1 || recs[0].Outcome.Status != ibkr.InstructionProcessed {
		t.Fatalf("entries = %+v, want status PROCESSED", recs)
	}
	p, _ := s.Pending(c)
	if len(p) != 0 {
		t.Fatalf("pending = %v", ids(p))
	}
}

func testEntries(t *testing.T, s ibkr.Store) {
	c := ctx(t)
	states := []ibkr.JournalState{ibkr.JournalAccepted, ibkr.JournalRejected, ibkr.JournalNotSent, ibkr.JournalUnknown, ibkr.JournalOpen, ibkr.JournalAccepted}
	var want = map[ibkr.JournalState][]string{}
	for _, st := range states {
		e := entry(t, s, "1")
		if err := s.Begin(c, e); err != nil {
			t.Fatal(err)
		}
		if st != ibkr.JournalOpen {
			if err := s.Finish(c, e.ClientInstructionID, ibkr.JournalOutcome{State: st}); err != nil {
				t.Fatal(err)
			}
		}
		want[st] = append(want[st], e.ClientInstructionID.String())
	}
	for st, w := range want {
		recs, err := s.Entries(c, st)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range recs {
			if r.State() != st {
				t.Errorf("Entries(%s) returned a %s entry", st, r.State())
			}
			got = append(got, r.Entry.ClientInstructionID.String())
		}
		if !slices.Equal(got, w) {
			t.Errorf("Entries(%s) = %v, want %v", st, got, w)
		}
	}
	all, err := s.Entries(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(states) {
		t.Errorf("Entries() = %d records, want %d", len(all), len(states))
	}
	two, err := s.Entries(c, ibkr.JournalRejected, ibkr.JournalNotSent)
	if err != nil || len(two) != 2 {
		t.Errorf("Entries(rejected, not_sent) = %d records, %v; want 2", len(two), err)
	}
}

func testLeaseHeld(t *testing.T, s ibkr.Store) {
	c := ctx(t)
	live, dead := entry(t, s, "1"), entry(t, s, "2")
	if err := s.BeginLeased(c, live, "sender", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Begin(c, dead); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimPending(c, "reconciler", time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got), ids([]ibkr.JournalEntry{dead})) {
		t.Fatalf("Claim = %v, want only the unleased %s (the other is in flight)", ids(got), dead.ClientInstructionID)
	}
	// Claimed now: nobody else gets it.
	again, err := s.ClaimPending(c, "other", time.Minute, 10)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Claim = %v, %v; want nothing", ids(again), err)
	}
	// Finishing ends the sender's lease; a settled entry is never claimed.
	if err := s.Finish(c, live.ClientInstructionID, ibkr.JournalOutcome{State: ibkr.JournalAccepted}); err != nil {
		t.Fatal(err)
	}
	if err := s.RenewLease(c, "sender", live.ClientInstructionID, time.Minute); !errors.Is(err, ibkr.ErrLeaseLost) {
		t.Fatalf("Renew after Finish: %v, want ErrLeaseLost", err)
	}
	// An unknown outcome leaves the entry pending, free to be claimed.
	if err := s.Finish(c, dead.ClientInstructionID, ibkr.JournalOutcome{State: ibkr.JournalUnknown}); err != nil {
		t.Fatal(err)
	}
	got, err = s.ClaimPending(c, "other", time.Minute, 10)
	if err != nil || !slices.Equal(ids(got), ids([]ibkr.JournalEntry{dead})) {
		t.Fatalf("Claim after an unknown outcome = %v, %v; want %s", ids(got), err, dead.ClientInstructionID)
	}
}

func testLeaseExpires(t *testing.T, s ibkr.Store) {
	c := ctx(t)
	e := entry(t, s, "1")
	const ttl = 300 * time.Millisecond
	if err := s.BeginLeased(c, e, "dies", ttl); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ClaimPending(c, "r", time.Minute, 10); len(got) != 0 {
		t.Fatalf("claimed %v while the lease is live", ids(got))
	}
	time.Sleep(ttl + 200*time.Millisecond)
	got, err := s.ClaimPending(c, "r", time.Minute, 10)
	if err != nil || !slices.Equal(ids(got), ids([]ibkr.JournalEntry{e})) {
		t.Fatalf("Claim after expiry = %v, %v; want %s", ids(got), err, e.ClientInstructionID)
	}
	if err := s.RenewLease(c, "dies", e.ClientInstructionID, time.Minute); !errors.Is(err, ibkr.ErrLeaseLost) {
		t.Fatalf("the dead owner's Renew: %v, want ErrLeaseLost", err)
	}
	if err := s.RenewLease(c, "r", e.ClientInstructionID, time.Minute); err != nil {
		t.Fatalf("the claimer's Renew: %v", err)
	}
}

func testClaimsDisjoint(t *testing.T, s ibkr.Store) {
	c := ctx(t)
	const n = 60
	for i := range n {
		if err := s.Begin(c, entry(t, s, fmt.Sprint(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	owner := map[ibkr.ID]string{}
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for w := range 6 {
		name := fmt.Sprintf("replica-%d", w)
		wg.Go(func() {
			for {
				got, err := s.ClaimPending(c, name, time.Minute, 4)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, e := range got {
					if prev, ok := owner[e.ClientInstructionID]; ok {
						errs <- fmt.Errorf("entry %s claimed by %s and %s", e.ClientInstructionID, prev, name)
					}
					owner[e.ClientInstructionID] = name
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(owner) != n {
		t.Errorf("%d entries claimed, want %d", len(owner), n)
	}
}

func testRenewRelease(t *testing.T, s ibkr.Store) {
	c := ctx(t)
	e := entry(t, s, "1")
	if err := s.BeginLeased(c, e, "a", 400*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := s.RenewLease(c, "b", e.ClientInstructionID, time.Minute); !errors.Is(err, ibkr.ErrLeaseLost) {
		t.Fatalf("Renew by a non-owner: %v, want ErrLeaseLost", err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := s.RenewLease(c, "a", e.ClientInstructionID, time.Minute); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond) // past the first ttl, within the renewed one
	if got, _ := s.ClaimPending(c, "b", time.Minute, 10); len(got) != 0 {
		t.Fatalf("claimed %v under a renewed lease", ids(got))
	}
	if err := s.ReleaseLease(c, "b", e.ClientInstructionID); err != nil {
		t.Fatalf("Release by a non-owner: %v", err)
	}
	if got, _ := s.ClaimPending(c, "b", time.Minute, 10); len(got) != 0 {
		t.Fatalf("a non-owner's Release freed the lease: claimed %v", ids(got))
	}
	if err := s.ReleaseLease(c, "a", e.ClientInstructionID); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimPending(c, "b", time.Minute, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("Claim after Release = %v, %v", ids(got), err)
	}
}

func testCompact(t *testing.T, s ibkr.Store) {
	c := ctx(t)
	var old, pend []ibkr.JournalEntry
	for i := range 5 {
		e := entry(t, s, "1")
		if err := s.Begin(c, e); err != nil {
			t.Fatal(err)
		}
		if i < 3 {
			st := []ibkr.JournalState{ibkr.JournalAccepted, ibkr.JournalRejected, ibkr.JournalNotSent}[i]
			if err := s.Finish(c, e.ClientInstructionID, ibkr.JournalOutcome{State: st}); err != nil {
				t.Fatal(err)
			}
			old = append(old, e)
		} else {
			if i == 4 {
				if err := s.Finish(c, e.ClientInstructionID, ibkr.JournalOutcome{State: ibkr.JournalUnknown}); err != nil {
					t.Fatal(err)
				}
			}
			pend = append(pend, e)
		}
	}
	time.Sleep(20 * time.Millisecond)
	cutoff := time.Now()
	time.Sleep(20 * time.Millisecond)
	recent := entry(t, s, "9")
	if err := s.Begin(c, recent); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(c, recent.ClientInstructionID, ibkr.JournalOutcome{State: ibkr.JournalAccepted}); err != nil {
		t.Fatal(err)
	}
	n, err := s.Compact(c, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(old) {
		t.Errorf("Compact removed %d, want %d", n, len(old))
	}
	all, err := s.Entries(c)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range all {
		got = append(got, r.Entry.ClientInstructionID.String())
	}
	want := append(ids(pend), recent.ClientInstructionID.String())
	if !slices.Equal(got, want) {
		t.Errorf("after Compact: %v, want %v (pending and recent kept)", got, want)
	}
	p, _ := s.Pending(c)
	if !slices.Equal(ids(p), ids(pend)) {
		t.Errorf("pending after Compact = %v, want %v", ids(p), ids(pend))
	}
	// Ids stay unique after compaction.
	id, err := s.Next(c)
	if err != nil || id.Cmp(recent.ClientInstructionID) <= 0 {
		t.Errorf("Next after Compact = %s, %v", id, err)
	}
}

func testRateBudget(t *testing.T, s ibkr.Store, cfg Config) {
	if cfg.RatePerSecond <= 0 {
		t.Skip("storetest.Config.RatePerSecond not set")
	}
	c := ctx(t)
	const n = 30
	waits := make([]time.Duration, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			d, err := s.Reserve(c, "createExternalCashTransfers")
			if err != nil {
				errs <- err
			}
			waits[i] = d
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	slices.Sort(waits)
	// n slots at RatePerSecond, Burst at once: the last may not go before
	// (n-Burst)/rate. Allow 10% for clocks read at different moments.
	min := time.Duration(float64(n-cfg.Burst) / cfg.RatePerSecond * float64(time.Second) * 0.9)
	if waits[n-1] < min {
		t.Errorf("longest wait %v for %d slots at %v/s, want at least %v", waits[n-1], n, cfg.RatePerSecond, min)
	}
	// Slots are spread, not bunched: the k-th slot waits about (k-Burst)/rate.
	for k := cfg.Burst; k < n; k++ {
		lo := time.Duration(float64(k-cfg.Burst+1) / cfg.RatePerSecond * float64(time.Second) * 0.9)
		if waits[k] < lo-50*time.Millisecond {
			t.Errorf("slot %d waits %v, want about %v", k, waits[k], lo)
			break
		}
	}
	// Another endpoint has its own budget.
	d, err := s.Reserve(c, "getClientInstructions")
	if err != nil {
		t.Fatal(err)
	}
	if d > 50*time.Millisecond {
		t.Errorf("first slot of a fresh endpoint waits %v", d)
	}
}

func testUnsettled(t *testing.T, s ibkr.Store) {
	c := ctx(t)
	outcomes := []ibkr.JournalOutcome{
		{State: ibkr.JournalAccepted, Status: ibkr.InstructionPending},
		{State: ibkr.JournalAccepted, Status: ibkr.InstructionProcessed},
		{State: ibkr.JournalAccepted, Status: ibkr.InstructionPendingVerification},
		{State: ibkr.JournalRejected, Status: ibkr.InstructionRejected},
		{State: ibkr.JournalUnknown},
	}
	var want []string
	for i, o := range outcomes {
		e := entry(t, s, "1")
		if err := s.Begin(c, e); err != nil {
			t.Fatal(err)
		}
		if err := s.Finish(c, e.ClientInstructionID, o); err != nil {
			t.Fatal(err)
		}
		if i == 0 || i == 2 {
			want = append(want, e.ClientInstructionID.String())
		}
	}
	got, err := s.Unsettled(c)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got), want) {
		t.Fatalf("Unsettled = %v, want %v (accepted, status not final)", ids(got), want)
	}
}
