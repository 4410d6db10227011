package ibkr

import (
	"context"
	"errors"
	"time"
)

// # Stores: the state behind exactly-once, shared by replicas
//
// A Store keeps everything the client needs to move money exactly once:
// the clientInstructionId allocator, the journal of money-moving requests,
// the leases that say who works on a pending entry, and the per-endpoint
// rate budget. One process can use a FileStore (a directory, locked
// against other processes); replicas of a service share one store in a
// database (package pgstore keeps it in PostgreSQL). Any implementation
// must pass the contract suite in package storetest.
//
// Leases make reconciliation safe beside live traffic and across
// replicas. The call that sends a request holds the lease on its journal
// entry from Begin to Finish (renewing it while the request is in flight);
// ReconcileJournal only works on entries it could claim (ClaimPending), that is whose
// lease has expired (the sending process died) or was never taken. So an
// entry is never reconciled while its request is in flight, and never by
// two replicas at once.

// Store is the whole contract: ids, journal (with leases, listing,
// compaction, and the accepted-but-not-final entries a Tracker loads)
// and rate budget. Pass one to WithStore.
type Store interface {
	InstructionIDAllocator
	LeasedJournal
	JournalLister
	TrackerJournal
	JournalCompactor
	RateBudget
}

// LeasedJournal is a Journal whose entries are leased, so that exactly one
// party (the sending call, or one reconciler) works on a pending entry at a
// time. A lease names its owner and expires after its time to live unless
// renewed; Finish ends it. Expiry is measured by the store's clock (the
// database server's, for a shared store).
type LeasedJournal interface {
	Journal
	// BeginLeased records e as Begin does and leases the entry to owner
	// for ttl.
	BeginLeased(ctx context.Context, e JournalEntry, owner string, ttl time.Duration) error
	// ClaimPending leases to owner, for ttl, up to limit pending entries that no
	// live lease holds, oldest first, and returns them. Two concurrent
	// claims never return the same entry.
	ClaimPending(ctx context.Context, owner string, ttl time.Duration, limit int) ([]JournalEntry, error)
	// RenewLease extends owner's lease on the entry by ttl from now. It fails
	// with an error matching ErrLeaseLost when owner no longer holds it
	// (it expired and another party claimed it, or it was finished).
	RenewLease(ctx context.Context, owner string, clientInstructionID ID, ttl time.Duration) error
	// ReleaseLease ends owner's lease without recording an outcome, so that
	// the entry can be claimed at once. Releasing a lease one does not
	// hold is not an error.
	ReleaseLease(ctx context.Context, owner string, clientInstructionID ID) error
}

// ErrLeaseLost reports a lease its owner no longer holds.
var ErrLeaseLost = errors.New("ibkr: journal lease lost")

// JournalLister lists journal entries with their last outcome.
type JournalLister interface {
	// Entries returns the entries whose state is one of states (all
	// entries when none is given), oldest first. JournalOpen selects the
	// entries without an outcome.
	Entries(ctx context.Context, states ...JournalState) ([]JournalRecord, error)
}

// JournalOpen is the state of an entry begun and given no outcome yet (in
// flight, or its sender died). It is never recorded by Finish; use it to
// select entries with JournalLister.
const JournalOpen JournalState = "open"

// JournalRecord is one journal entry and its last outcome (nil when it
// has none).
type JournalRecord struct {
	Entry   JournalEntry
	Outcome *JournalOutcome
}

// State is the record's state: its outcome's, or JournalOpen.
func (r JournalRecord) State() JournalState {
	if r.Outcome == nil || r.Outcome.State == "" {
		return JournalOpen
	}
	return r.Outcome.State
}

// JournalCompactor drops settled entries that are no longer needed.
type JournalCompactor interface {
	// Compact removes the entries settled (any outcome but
	// JournalUnknown) before cutoff and reports how many it removed.
	// Pending entries are never removed.
	Compact(ctx context.Context, cutoff time.Time) (int, error)
}

// RateBudget spends a request budget per endpoint (operation), shared by
// every client using the store, so that N replicas together stay under
// IBKR's per-endpoint limit.
type RateBudget interface {
	// Reserve takes one request slot on endpoint and returns how long to
	// wait before sending. A reserved slot is spent even if the caller
	// then does not send.
	Reserve(ctx context.Context, endpoint string) (time.Duration, error)
}

// keepOutcome reports whether an entry whose last outcome is prev must
// keep it instead of next: an accepted entry is never downgraded (IBKR
// holds the instruction; a later failure to learn more changes nothing).
func keepOutcome(prev *JournalOutcome, next JournalOutcome) bool {
	return prev != nil && prev.State == JournalAccepted && next.State != JournalAccepted
}
