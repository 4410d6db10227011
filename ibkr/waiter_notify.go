package ibkr

import (
	"context"
	"sync"
)

// Notifier relays callback notifications to the waiters that wait for
// them. Feed it from the callback handler, and give it to waiters in
// WaiterOptions.Notifier:
//
//	n := ibkr.NewNotifier()
//	http.Handle("/ibkr/callback", ibkr.NewCallbackHandler(n.Notify))
//	inst, err := c.WaitForInstruction(ctx, id, time.Hour, func(o *ibkr.WaiterOptions) { o.Notifier = n })
//
// A notification only wakes a waiter for an immediate poll; the poll
// decides, so a forged or stale notification cannot end a wait wrongly.
// A Notifier is safe for concurrent use; the zero value is not usable.
type Notifier struct {
	mu   sync.Mutex
	subs map[*subscription]struct{}
	next func(context.Context, CallbackEvent) error
}

type subscription struct {
	match func(CallbackEvent) bool
	ch    chan struct{}
}

// NewNotifier returns a Notifier. If next is given, Notify passes every
// event on to it afterwards and returns its error (so the Notifier can sit
// in front of the integrator's own handler).
func NewNotifier(next ...func(context.Context, CallbackEvent) error) *Notifier {
	n := &Notifier{subs: map[*subscription]struct{}{}}
	if len(next) > 0 {
		n.next = next[0]
	}
	return n
}

// Notify wakes every waiter whose match accepts ev. Its signature fits
// NewCallbackHandler.
func (n *Notifier) Notify(ctx context.Context, ev CallbackEvent) error {
	n.mu.Lock()
	for s := range n.subs {
		if s.match == nil || s.match(ev) {
			select {
			case s.ch <- struct{}{}:
			default: // a wake-up is already pending
			}
		}
	}
	n.mu.Unlock()
	if n.next != nil {
		return n.next(ctx, ev)
	}
	return nil
}

// Subscribe returns a channel that receives a signal (coalesced: at most
// one pending) for every notification match accepts (nil: all), and a
// function that ends the subscription.
func (n *Notifier) Subscribe(match func(CallbackEvent) bool) (<-chan struct{}, func()) {
	s := &subscription{match: match, ch: make(chan struct{}, 1)}
	n.mu.Lock()
	n.subs[s] = struct{}{}
	n.mu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			n.mu.Lock()
			delete(n.subs, s)
			n.mu.Unlock()
		})
	}
}

// Waiting returns the number of current subscriptions (waiters listening).
func (n *Notifier) Waiting() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.subs)
}

// MatchInstruction returns a Match for WaiterOptions that accepts funding
// notifications about the instruction with clientInstructionId cid or
// instruction id iid (either may be zero).
func MatchInstruction(cid ID, iid InstructionID) func(CallbackEvent) bool {
	return func(ev CallbackEvent) bool {
		in := ev.Instruction
		if in == nil {
			return false
		}
		return (!cid.IsZero() && in.ClientInstructionID == cid) || (!iid.IsZero() && in.InstructionID == iid)
	}
}

// MatchAccount returns a Match for WaiterOptions that accepts
// notifications about an account.
func MatchAccount(accountID string) func(CallbackEvent) bool {
	return func(ev CallbackEvent) bool { return accountID != "" && ev.AccountID == accountID }
}
