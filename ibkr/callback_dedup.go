package ibkr

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"
)

// DefaultCallbackDedupCapacity is the number of recent notifications a
// CallbackDeduper remembers unless told otherwise.
const DefaultCallbackDedupCapacity = 10_000

// DefaultCallbackDedupRetention is how long a CallbackDeduper keeps a
// handled event before a newer one may take its place.
const DefaultCallbackDedupRetention = 24 * time.Hour

// CallbackDeduper drops callback notifications already handled: IBKR may
// deliver a notification more than once. It remembers the keys
// (CallbackEvent.Key) of successfully handled events, up to a fixed
// capacity, so its memory is bounded (about 100 bytes per remembered
// event). A remembered event is kept for at least its retention
// (DefaultCallbackDedupRetention): when the deduper is full of events
// younger than that, a new event is handled but not remembered, rather
// than pushing out an older one. So a flood of forged notifications cannot
// evict a real event to have its replay handled again; at worst the
// flood's own events (and the real ones arriving during it) go
// unremembered, and a repeat of those is handled again. Behind a handler
// that confirms events through the client (Client.NewCallbackHandler),
// forged notifications never reach the deduper at all. It is safe for
// concurrent use.
type CallbackDeduper struct {
	mu        sync.Mutex
	capacity  int
	retention time.Duration
	now       func() time.Time
	ring      []dedupEntry // oldest at next once full
	next      int
	state     map[[sha256.Size]byte]bool // false: being handled, true: handled
}

type dedupEntry struct {
	key [sha256.Size]byte
	at  time.Time
}

// NewCallbackDeduper returns a deduper remembering up to capacity events
// (DefaultCallbackDedupCapacity if capacity is not positive), each for at
// least DefaultCallbackDedupRetention.
func NewCallbackDeduper(capacity int) *CallbackDeduper {
	if capacity <= 0 {
		capacity = DefaultCallbackDedupCapacity
	}
	return &CallbackDeduper{capacity: capacity, retention: DefaultCallbackDedupRetention, now: time.Now,
		state: make(map[[sha256.Size]byte]bool)}
}

// SetRetention changes how long a handled event is kept at least (d <= 0
// means not at all: the oldest is forgotten first, whatever its age).
// Call it before use.
func (d *CallbackDeduper) SetRetention(r time.Duration) {
	d.mu.Lock()
	d.retention = max(r, 0)
	d.mu.Unlock()
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
		d.remember(key)
		return nil
	}
}

// remember records a handled key, forgetting the oldest one if it is past
// its retention; otherwise (full of young events) the key is not kept.
func (d *CallbackDeduper) remember(key [sha256.Size]byte) {
	now := d.now()
	if len(d.ring) < d.capacity {
		d.state[key] = true
		d.ring = append(d.ring, dedupEntry{key, now})
		return
	}
	oldest := d.ring[d.next]
	if now.Sub(oldest.at) < d.retention {
		delete(d.state, key)
		return
	}
	delete(d.state, oldest.key)
	d.state[key] = true
	d.ring[d.next] = dedupEntry{key, now}
	d.next = (d.next + 1) % d.capacity
}

// Len returns the number of events remembered (handled or being handled).
func (d *CallbackDeduper) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.state)
}
