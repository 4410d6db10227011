package ibkr

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// FileAllocator is an InstructionIDAllocator whose high-water mark lives in
// a file, so ids stay unique and increasing across processes and restarts.
// Each allocation takes an exclusive lock (flock on path+".lock"), reads
// the mark, writes the new mark to a fresh temporary file (os.CreateTemp in
// the same directory), fsyncs it, renames it
// over path and fsyncs the directory before the id is handed out. Ids are
// never below the time-derived floor of ClockAllocator, so a lost file does
// not restart numbering at 1.
//
// All processes sending for one IBKR client id should share one file. A
// mark that cannot be read is an error, never a reason to start over.
type FileAllocator struct {
	path string
	clk  Clock
	mu   sync.Mutex
}

// NewFileAllocator opens (creating if needed) the allocator stored at path.
func NewFileAllocator(path string) (*FileAllocator, error) {
	if path == "" {
		return nil, invalid("path", "empty")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, invalid("path", "%v", err)
	}
	a := &FileAllocator{path: abs, clk: clock.Real{}}
	// Prove the lock and the mark work now rather than at the first send.
	if err := a.update(context.Background(), func(last uint64, full bool) (uint64, bool, error) {
		return last, full, nil
	}); err != nil {
		return nil, err
	}
	return a, nil
}

// Next implements InstructionIDAllocator.
func (a *FileAllocator) Next(ctx context.Context) (ID, error) {
	var out uint64
	err := a.update(ctx, func(last uint64, full bool) (uint64, bool, error) {
		if full || last == ^uint64(0) {
			return 0, false, errors.New("ibkr: clientInstructionId space exhausted")
		}
		out = max(last+1, timeFloor(a.clk.Now().UnixMilli()))
		return out, false, nil
	})
	if err != nil {
		return ID{}, err
	}
	return NewID(out), nil
}

// Claim implements InstructionIDAllocator.
func (a *FileAllocator) Claim(ctx context.Context, id ID) error {
	return a.update(ctx, func(last uint64, full bool) (uint64, bool, error) {
		err := claimAbove(&last, &full, id)
		return last, full, err
	})
}

// update runs fn on the mark under the cross-process lock and stores its
// result durably before returning.
func (a *FileAllocator) update(ctx context.Context, fn func(last uint64, full bool) (uint64, bool, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	lf, err := os.OpenFile(a.path+".lock", os.O_CREATE|os.O_RDWR|oNoFollow, 0o600)
	if err != nil {
		return fmt.Errorf("ibkr: instruction id lock: %w", err)
	}
	defer lf.Close()
	if err := lockFile(lf); err != nil {
		return fmt.Errorf("ibkr: instruction id lock: %w", err)
	}
	defer unlockFile(lf)

	last, full, err := a.read()
	if err != nil {
		return err
	}
	nlast, nfull, err := fn(last, full)
	if err != nil {
		return err
	}
	if nlast == last && nfull == full {
		return nil
	}
	return a.write(nlast, nfull)
}

// fullMark is stored for a claimed id beyond uint64.
const fullMark = "99999999999999999999"

func (a *FileAllocator) read() (uint64, bool, error) {
	b, err := os.ReadFile(a.path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("ibkr: instruction id mark: %w", err)
	}
	s := strings.TrimSpace(string(b))
	id, perr := ParseID(s)
	if perr != nil || s == "" {
		return 0, false, fmt.Errorf("ibkr: instruction id mark %s is corrupt; refusing to guess", a.path)
	}
	n, fits := id.Uint64()
	return n, !fits, nil
}

func (a *FileAllocator) write(last uint64, full bool) error {
	text := NewID(last).String()
	if full {
		text = fullMark
	}
	// A fresh temporary file (never a fixed name another user could plant
	// a symbolic link at), renamed over the mark.
	f, err := os.CreateTemp(filepath.Dir(a.path), filepath.Base(a.path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("ibkr: instruction id mark: %w", err)
	}
	tmp := f.Name()
	_, werr := f.WriteString(text + "\n")
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("ibkr: instruction id mark: %w", err)
	}
	if err := os.Rename(tmp, a.path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("ibkr: instruction id mark: %w", err)
	}
	return syncDir(filepath.Dir(a.path))
}
