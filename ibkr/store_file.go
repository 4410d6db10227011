package ibkr

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// FileStore is a Store in a directory, for one process at a time: the
// journal (FileJournal, file "journal"), the id mark (FileAllocator, file
// "ids") and a rate budget in memory (the journal's lock keeps other
// processes out, so there is nobody to share it with). Replicas running
// at once need a shared store instead, such as package pgstore's.
type FileStore struct {
	*FileJournal
	*FileAllocator
	budget *localBudget
}

// OpenFileStore opens (creating them) the store's files in dir, with a
// rate budget of DefaultRatePerSecond per endpoint, burst 1. It fails with
// ErrJournalLocked when another process has the store open.
func OpenFileStore(dir string) (*FileStore, error) {
	if dir == "" {
		return nil, invalid("dir", "empty")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ibkr: file store: %w", err)
	}
	j, err := OpenFileJournal(filepath.Join(dir, "journal"))
	if err != nil {
		return nil, err
	}
	a, err := NewFileAllocator(filepath.Join(dir, "ids"))
	if err != nil {
		_ = j.Close()
		return nil, err
	}
	return &FileStore{FileJournal: j, FileAllocator: a, budget: newLocalBudget(DefaultRatePerSecond, 1)}, nil
}

// Reserve implements RateBudget.
func (s *FileStore) Reserve(ctx context.Context, endpoint string) (time.Duration, error) {
	return s.budget.Reserve(ctx, endpoint)
}

// localBudget is a RateBudget of one process: a token bucket per
// endpoint.
type localBudget struct {
	limit rate.Limit
	burst int
	mu    sync.Mutex
	m     map[string]*rate.Limiter
}

func newLocalBudget(perSecond float64, burst int) *localBudget {
	return &localBudget{limit: rate.Limit(perSecond), burst: burst, m: map[string]*rate.Limiter{}}
}

// Reserve implements RateBudget.
func (b *localBudget) Reserve(ctx context.Context, endpoint string) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	b.mu.Lock()
	l := b.m[endpoint]
	if l == nil {
		l = rate.NewLimiter(b.limit, b.burst)
		b.m[endpoint] = l
	}
	b.mu.Unlock()
	now := time.Now()
	return l.ReserveN(now, 1).DelayFrom(now), nil
}
