package ibkr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// The default allocator: time-derived ids, like ClockAllocator, made safe
// for several processes of one machine sending for the same IBKR client
// id. Each millisecond's 1000 ids are cut into laneCount lanes of
// laneWidth; a process takes a free lane (an flock on a lock file in the
// temporary directory, held until it exits, so a dead process frees its
// lane) and draws only from it. All clients of one process share the
// lane and one high-water mark. More than laneCount processes at once
// are refused; processes on different machines cannot be coordinated
// this way and need a shared store (package pgstore).
const (
	laneCount = 10
	laneWidth = idsPerMillisecond / laneCount
)

// laneState is one process's lane for one IBKR client id.
type laneState struct {
	mu   sync.Mutex
	lane int
	lock *os.File // held for the life of the process
	err  error    // why no lane could be taken
	done bool
	last uint64
	full bool
}

var processLanes sync.Map // lane key → *laneState

// laneAllocator is the default InstructionIDAllocator.
type laneAllocator struct {
	clk Clock
	key string
	st  *laneState
}

func newLaneAllocator(clk Clock, clientID, baseURL string) *laneAllocator {
	if clk == nil {
		clk = clock.Real{}
	}
	sum := sha256.Sum256([]byte(clientID + "\x00" + baseURL))
	key := hex.EncodeToString(sum[:8])
	st, _ := processLanes.LoadOrStore(key, &laneState{})
	return &laneAllocator{clk: clk, key: key, st: st.(*laneState)}
}

// acquire takes a free lane once per process; st.mu is held.
func (a *laneAllocator) acquire() error {
	if a.st.done {
		return a.st.err
	}
	a.st.done = true
	dir := os.TempDir()
	var errs []error
	for k := range laneCount {
		path := filepath.Join(dir, "ibkr-go-"+strconv.Itoa(os.Getuid())+"-"+a.key+".lane"+strconv.Itoa(k))
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|oNoFollow, 0o600)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		err = tryLockFile(f)
		if err == nil {
			a.st.lane, a.st.lock = k, f
			return nil
		}
		_ = f.Close()
		if !errors.Is(err, errWouldBlock) {
			// No file locking here: one lane, as ClockAllocator.
			a.st.lane = 0
			return nil
		}
	}
	a.st.err = fmt.Errorf("ibkr: %d processes on this machine already draw clientInstructionIds for this client id; use a shared store (pgstore) or NewFileAllocator: %w", laneCount, errors.Join(errs...))
	if len(errs) == 0 {
		a.st.err = fmt.Errorf("ibkr: %d processes on this machine already draw clientInstructionIds for this client id; use a shared store (pgstore) or NewFileAllocator", laneCount)
	}
	return a.st.err
}

// Next implements InstructionIDAllocator.
func (a *laneAllocator) Next(ctx context.Context) (ID, error) {
	if err := ctx.Err(); err != nil {
		return ID{}, err
	}
	floor := timeFloor(a.clk.Now().UnixMilli())
	st := a.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := a.acquire(); err != nil {
		return ID{}, err
	}
	if st.full || st.last >= ^uint64(0)-2*idsPerMillisecond {
		return ID{}, errors.New("ibkr: clientInstructionId space exhausted")
	}
	n := laneSlot(max(st.last+1, floor), st.lane)
	st.last = n
	return NewID(n), nil
}

// laneSlot returns the smallest id at or above n inside lane.
func laneSlot(n uint64, lane int) uint64 {
	lo := uint64(lane * laneWidth)
	slot := n % idsPerMillisecond
	switch {
	case slot < lo:
		return n - slot + lo
	case slot >= lo+laneWidth:
		return (n/idsPerMillisecond+1)*idsPerMillisecond + lo
	}
	return n
}

// Claim implements InstructionIDAllocator.
func (a *laneAllocator) Claim(ctx context.Context, id ID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.st.mu.Lock()
	defer a.st.mu.Unlock()
	return claimAbove(&a.st.last, &a.st.full, id)
}
