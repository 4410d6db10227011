package ibkr

import (
	"context"
	"errors"
	"math"
	"sync"

	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// ErrInstructionIDReused reports a clientInstructionId that was already
// used (sent by this client, or not above its allocator's high-water mark).
// It comes wrapped in an *InputError, so errors.Is(err, ErrInvalidInput)
// holds too. IBKR refuses reused ids; to learn what became of an earlier
// request, look the id up with GET /gw/api/v1/client-instructions/{id}.
var ErrInstructionIDReused = errors.New("ibkr: clientInstructionId already used")

// InstructionIDAllocator hands out clientInstructionIds: unique forever,
// increasing, at most 20 digits. Implementations must be safe for
// concurrent use.
//
// Ids only ever increase: an id the caller writes into a body must be
// above every id the allocator has handed out or seen, so mixing your own
// small numbering (1, 2, 3) with the client's time-derived ids gets the
// former refused as reused. To number instructions yourself, implement
// this interface over your own sequence and pass it to WithInstructionIDs.
type InstructionIDAllocator interface {
	// Next returns an id greater than every id returned or claimed before.
	Next(ctx context.Context) (ID, error)
	// Claim records an id chosen by the caller. It fails with an error
	// wrapping ErrInstructionIDReused when id is not above the high-water
	// mark, and otherwise raises the mark to id.
	Claim(ctx context.Context, id ID) error
}

// idsPerMillisecond is the spacing of time-derived ids: id = Unix
// milliseconds × 1000 + counter. Today's ids have 16 digits, inside both
// IBKR's 20-digit limit and float64's exact range.
const idsPerMillisecond = 1000

// timeFloor is the smallest id the clock allows at t.
func timeFloor(ms int64) uint64 {
	if ms < 0 {
		return 0
	}
	return uint64(ms) * idsPerMillisecond
}

// ClockAllocator is the default allocator. It needs no storage: ids are
// the clock's Unix milliseconds times 1000 plus a counter, so they increase
// across goroutines and, as long as the clock does not go back and fewer
// than 1000 ids per millisecond are drawn, across restarts of the process.
// It does not coordinate processes running at once; use NewFileAllocator
// for that.
type ClockAllocator struct {
	clk  Clock
	mu   sync.Mutex
	last uint64
	full bool // a claimed id beyond uint64: nothing above it can be made
}

// NewClockAllocator returns a ClockAllocator reading clk (nil: the wall
// clock).
func NewClockAllocator(clk Clock) *ClockAllocator {
	if clk == nil {
		clk = clock.Real{}
	}
	return &ClockAllocator{clk: clk}
}

// Next implements InstructionIDAllocator.
func (a *ClockAllocator) Next(ctx context.Context) (ID, error) {
	if err := ctx.Err(); err != nil {
		return ID{}, err
	}
	floor := timeFloor(a.clk.Now().UnixMilli())
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.full || a.last == math.MaxUint64 {
		return ID{}, errors.New("ibkr: clientInstructionId space exhausted")
	}
	n := max(a.last+1, floor)
	a.last = n
	return NewID(n), nil
}

// Claim implements InstructionIDAllocator.
func (a *ClockAllocator) Claim(ctx context.Context, id ID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return claimAbove(&a.last, &a.full, id)
}

// claimAbove raises the mark (last, full) to id if id is above it.
func claimAbove(last *uint64, full *bool, id ID) error {
	if id.IsZero() {
		return &InputError{Field: "clientInstructionId", Reason: "must be positive"}
	}
	n, fits := id.Uint64()
	switch {
	case *full:
		return reusedID(id)
	case !fits:
		*full = true
		return nil
	case n <= *last:
		return reusedID(id)
	}
	*last = n
	return nil
}

func reusedID(id ID) error {
	return &InputError{Field: "clientInstructionId", Reason: "id " + id.String() + " was already used (ids must increase)", Err: ErrInstructionIDReused}
}

// idBook tracks the ids this client handed out through NewInstructionID
// and not yet sent, so that they pass the reuse check once. The facade
// never adds to it: its calls draw ids with next and state them in their
// call descriptor, so nothing outlives a call.
type idBook struct {
	alloc InstructionIDAllocator

	mu     sync.Mutex
	issued map[ID]struct{}
}

func newIDBook(a InstructionIDAllocator) *idBook {
	return &idBook{alloc: a, issued: map[ID]struct{}{}}
}

// issue allocates an id for a caller who will put it into a body.
func (b *idBook) issue(ctx context.Context) (ID, error) {
	id, err := b.alloc.Next(ctx)
	if err != nil {
		return ID{}, err
	}
	b.mu.Lock()
	b.issued[id] = struct{}{}
	b.mu.Unlock()
	return id, nil
}

// next allocates an id the client itself puts into a body.
func (b *idBook) next(ctx context.Context) (ID, error) { return b.alloc.Next(ctx) }

// accept checks an id found in an outgoing body: ids issued by this client
// pass once; any other id must be above the allocator's mark.
func (b *idBook) accept(ctx context.Context, id ID) error {
	b.mu.Lock()
	_, ok := b.issued[id]
	if ok {
		delete(b.issued, id)
	}
	b.mu.Unlock()
	if ok {
		return nil
	}
	if err := b.alloc.Claim(ctx, id); err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return err
		}
		if errors.Is(err, ErrInstructionIDReused) {
			return reusedID(id)
		}
		return err
	}
	return nil
}
