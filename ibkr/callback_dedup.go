package ibkr

import (
	"context"
	"crypto/sha256"
	"sync"
)

// DefaultCallbackDedupCapacity is the number of recent notifications a
// CallbackDeduper remembers unless told otherwise.
const DefaultCallbackDedupCapacity = 10_000

// CallbackDeduper drops callback notifications already handled: IBKR may
// deliver a notification more than once. It remembers the keys
// (CallbackEvent.Key) of the most recent successfully handled events, up
// to a fixed capacity, forgetting the oldest first, so its memory is
// bounded (about 100 bytes per remembered event). It is safe for
// concurrent use.
type CallbackDeduper struct {
	mu       sync.Mutex
	capacity int
	ring     [][sha256.Size]byte
	next     int
	state    map[[sha256.Size]byte]bool // false: being handled, true: handled
}

// NewCallbackDeduper returns a deduper remembering up to capacity events
// (DefaultCallbackDedupCapacity if capacity is not positive).
func NewCallbackDeduper(capacity int) *CallbackDeduper {
	if capacity <= 0 {
		capacity = DefaultCallbackDedupCapacity
	}
	return &CallbackDeduper{capacity: capacity, state: make(map[[sha256.Size]byte]bool)}
}

// Wrap returns handle behind the deduper: an event whose key was handled
// successfully, or is being handled right now, is dropped (nil error)
// without calling handle. An event whose handling fails is not
// remembered, so its redelivery is handled again.
func (d *CallbackDeduper) Wrap(handle func(context.Context, CallbackEvent) error) func(context.Context, CallbackEvent) error {
	return func(ctx context.Context, ev CallbackEvent) error {
		key := sha256.Sum256([]byte(ev.Key()))
		d.mu.Lock()
		if _, dup := d.state[key]; dup {
			d.mu.Unlock()
			return nil
		}
		d.state[key] = false
		d.mu.Unlock()

		err := handle(ctx, ev)

		d.mu.Lock()
		defer d.mu.Unlock()
		if err != nil {
			delete(d.state, key)
			return err
		}
		d.state[key] = true
		if len(d.ring) < d.capacity {
			d.ring = append(d.ring, key)
			return nil
		}
		delete(d.state, d.ring[d.next])
		d.ring[d.next] = key
		d.next = (d.next + 1) % d.capacity
		return nil
	}
}

// Len returns the number of events remembered (handled or being handled).
func (d *CallbackDeduper) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.state)
}
