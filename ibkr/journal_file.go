package ibkr

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// FileJournal is a LeasedJournal on files, for one process at a time.
//
// The journal file at path holds a header line naming the format, then
// JSON lines, one per Begin or Finish, each written with a single write
// and flushed to stable storage (fsync) before the call returns. Settled
// entries are moved out to path+".settled" (compaction, automatic once
// enough of them accumulate), so opening the journal reads only what is
// pending and what settled since the last compaction.
//
// Crash safety:
//   - a write that fails (disk full, a file-size limit) is rolled back to
//     the last good line; if even that fails, or an fsync fails, the
//     journal refuses every further write until it is reopened;
//   - a torn last line (a crash in mid-write) is cut off at open; a
//     corrupt line in the middle is skipped (see Damage), never fatal;
//   - a file that is not a journal, or a symbolic link, is refused and
//     left untouched;
//   - path+".lock" is locked exclusively (flock) while the journal is
//     open: a second process opening it gets ErrJournalLocked;
//   - rewritten files go through a temporary file (os.CreateTemp) in the
//     same directory, fsynced and renamed into place.
//
// Bodies holding bank account numbers are never written (see Journal).
// Leases (LeasedJournal) live in memory: the lock guarantees no other
// process works on the file, and after a crash nothing is in flight.
// Safe for concurrent use.
type FileJournal struct {
	mu      sync.Mutex
	path    string
	f       *os.File // the journal, O_APPEND
	lock    *os.File // path+".lock", flocked while open
	size    int64    // bytes of whole lines in f
	broken  error    // set when a write could not be rolled back or synced
	closed  bool
	items   map[ID]*fileJournalItem
	order   []ID // Begin order; ids of compacted items are dropped on compaction
	settled int  // settled items in f
	leases  map[ID]fileLease
	damage  []JournalDamage
	now     func() time.Time
	// compactAt is the number of settled entries in the journal file that
	// triggers moving them to the settled file.
	compactAt int
}

type fileJournalItem struct {
	entry   JournalEntry
	outcome *JournalOutcome
}

type fileLease struct {
	owner string
	until time.Time
}

// fileJournalLine is one line of the files: a Begin or a Finish in the
// journal, both (a settled entry) in the settled file.
type fileJournalLine struct {
	Begin  *JournalEntry   `json:"begin,omitempty"`
	Finish *fileJournalEnd `json:"finish,omitempty"`
}

type fileJournalEnd struct {
	ClientInstructionID ID `json:"clientInstructionId"`
	JournalOutcome
}

// The first line of each file.
var (
	journalMagic        = []byte(`{"journal":"ibkr-go","version":1}` + "\n")
	journalSettledMagic = []byte(`{"journal":"ibkr-go settled","version":1}` + "\n")
)

// ErrJournalLocked reports a journal file another process (or another
// FileJournal of this process) has open.
var ErrJournalLocked = errors.New("ibkr: journal is open in another process")

// ErrJournalBroken reports a journal that refuses writes after a write it
// could not roll back or flush; reopen it (the file holds every entry
// whose write succeeded).
var ErrJournalBroken = errors.New("ibkr: journal refuses writes until reopened")

// JournalDamage describes a line of a journal file that could not be read
// and was skipped.
type JournalDamage struct {
	// Line is the line number (the header is line 1) and Offset its byte
	// offset in the file.
	Line   int
	Offset int64
	// Salvaged reports that a whole record was found at the end of the
	// line (a failed write followed by a good one, as older versions
	// wrote) and kept; the damaged part before it is lost.
	Salvaged bool
	// Err is why the line could not be read.
	Err error
}

// defaultCompactAt is the number of settled entries the journal file may
// hold before they are moved to the settled file.
const defaultCompactAt = 4096

// maxJournalLine bounds one line of a journal file.
const maxJournalLine = 16 << 20

// OpenFileJournal opens (creating it, mode 0600) the journal at path and
// reads what is pending. It locks path+".lock" until Close.
func OpenFileJournal(path string) (*FileJournal, error) {
	if path == "" {
		return nil, invalid("path", "empty")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, invalid("path", "%v", err)
	}
	lock, err := lockJournal(abs + ".lock")
	if err != nil {
		return nil, err
	}
	j := &FileJournal{path: abs, lock: lock, items: map[ID]*fileJournalItem{}, leases: map[ID]fileLease{}, now: time.Now, compactAt: defaultCompactAt}
	if err := j.open(); err != nil {
		unlockFile(lock)
		_ = lock.Close()
		return nil, err
	}
	return j, nil
}

// lockJournal opens and locks the lock file, without waiting.
func lockJournal(path string) (*os.File, error) {
	if err := refuseSymlink(path); err != nil {
		return nil, err
	}
	lf, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|oNoFollow, 0o600)
	if err != nil {
		return nil, fmt.Errorf("ibkr: journal lock: %w", err)
	}
	if err := tryLockFile(lf); err != nil {
		_ = lf.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, fmt.Errorf("%w: %s is locked", ErrJournalLocked, path)
		}
		return nil, fmt.Errorf("ibkr: journal lock: %w", err)
	}
	return lf, nil
}

// refuseSymlink fails if path is a symbolic link or not a regular file.
func refuseSymlink(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("ibkr: journal: %w", err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("ibkr: journal: %s is a symbolic link; refusing to use it", path)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("ibkr: journal: %s is not a regular file", path)
	}
	return nil
}

// open opens the journal file, checks its header and loads it.
func (j *FileJournal) open() error {
	if err := refuseSymlink(j.path); err != nil {
		return err
	}
	f, err := os.OpenFile(j.path, os.O_RDWR|os.O_CREATE|os.O_APPEND|oNoFollow, 0o600)
	if err != nil {
		return fmt.Errorf("ibkr: opening journal: %w", err)
	}
	j.f = f
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return fmt.Errorf("ibkr: opening journal: %w", err)
	}
	if fi.Size() == 0 {
		if err := j.appendRaw(journalMagic); err != nil {
			_ = f.Close()
			return err
		}
		return syncDir(filepath.Dir(j.path))
	}
	legacy, err := j.load()
	if err != nil {
		_ = f.Close()
		return err
	}
	if legacy || j.settled >= j.compactAt {
		// Upgrade a journal written before the header existed, or move
		// settled entries out.
		if err := j.compactLocked(); err != nil {
			_ = j.f.Close()
			return err
		}
	}
	return nil
}

// load reads the journal file. A torn last line is cut off; corrupt lines
// are skipped and recorded in j.damage. legacy reports a file written
// before the header line existed (its first line is a record).
func (j *FileJournal) load() (legacy bool, err error) {
	if _, err := j.f.Seek(0, io.SeekStart); err != nil {
		return false, fmt.Errorf("ibkr: reading journal: %w", err)
	}
	r := bufio.NewReaderSize(j.f, 256<<10)
	first, err := readJournalLine(r)
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("ibkr: reading journal: %w", err)
	}
	var off int64
	line := 1
	switch {
	case bytes.Equal(first, journalMagic):
		off = int64(len(first))
	case isLegacyJournalLine(first):
		legacy = true
	default:
		return false, fmt.Errorf("ibkr: %s is not an ibkr-go journal (no journal header); refusing to open or change it", j.path)
	}
	good := off
	if legacy {
		// The first line is a record: read it again below.
		if _, err := j.f.Seek(0, io.SeekStart); err != nil {
			return false, fmt.Errorf("ibkr: reading journal: %w", err)
		}
		r.Reset(j.f)
		line = 0
	}
	for {
		b, rerr := readJournalLine(r)
		if len(b) > 0 && b[len(b)-1] == '\n' {
			line++
			j.loadLine(b, line, off)
			off += int64(len(b))
			good = off
		} else if len(b) > 0 {
			off += int64(len(b)) // torn tail: no newline
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return false, fmt.Errorf("ibkr: reading journal: %w", rerr)
		}
	}
	if good < off {
		if err := j.f.Truncate(good); err != nil {
			return false, fmt.Errorf("ibkr: cutting the torn last line of the journal: %w", err)
		}
	}
	j.size = good
	return legacy, nil
}

// readJournalLine reads one line with its newline (without one at the
// end of the file). A line longer than maxJournalLine is returned in
// full only up to the bound, and reported as corrupt by loadLine.
func readJournalLine(r *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		b, err := r.ReadSlice('\n')
		if len(out) < maxJournalLine {
			out = append(out, b...)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			if len(out) > 0 && errors.Is(err, io.EOF) {
				return out, io.EOF
			}
			return out, err
		}
	}
}

func isLegacyJournalLine(b []byte) bool {
	var l fileJournalLine
	return json.Unmarshal(b, &l) == nil && (l.Begin != nil || l.Finish != nil)
}

// loadLine applies one line read at open, or records it as damage.
func (j *FileJournal) loadLine(b []byte, n int, off int64) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return
	}
	var l fileJournalLine
	err := json.Unmarshal(b, &l)
	if err == nil && (l.Begin == nil) == (l.Finish == nil) {
		err = errors.New("neither a begin nor a finish record")
	}
	if err == nil {
		j.apply(l)
		return
	}
	d := JournalDamage{Line: n, Offset: off, Err: err}
	// A failed write followed by a good one (without the rollback) glues
	// a partial record to a whole one: keep the whole one.
	for _, start := range [][]byte{[]byte(`{"begin":`), []byte(`{"finish":`)} {
		if i := bytes.LastIndex(b, start); i > 0 {
			var s fileJournalLine
			if json.Unmarshal(b[i:], &s) == nil && (s.Begin != nil || s.Finish != nil) {
				j.apply(s)
				d.Salvaged = true
				break
			}
		}
	}
	j.damage = append(j.damage, d)
}

// apply updates the in-memory state with a record.
func (j *FileJournal) apply(l fileJournalLine) {
	if l.Begin != nil {
		id := l.Begin.ClientInstructionID
		it, ok := j.items[id]
		if !ok {
			j.order = append(j.order, id)
			it = &fileJournalItem{}
			j.items[id] = it
		}
		it.entry = *l.Begin
		if it.outcome != nil && it.outcome.State != JournalAccepted {
			if it.outcome.Settled() {
				j.settled--
			}
			it.outcome = nil
		}
	}
	if l.Finish != nil {
		it := j.items[l.Finish.ClientInstructionID]
		if it == nil {
			return
		}
		o := l.Finish.JournalOutcome
		if keepOutcome(it.outcome, o) {
			return
		}
		was := it.outcome != nil && it.outcome.Settled()
		it.outcome = &o
		if o.Settled() && !was {
			j.settled++
		} else if !o.Settled() && was {
			j.settled--
		}
	}
}

// appendRaw writes b at the end of the journal and syncs it. A failed
// write is rolled back to the last good line; when that or the sync
// fails, the journal refuses writes until reopened.
func (j *FileJournal) appendRaw(b []byte) error {
	if j.closed {
		return errors.New("ibkr: journal is closed")
	}
	if j.broken != nil {
		return fmt.Errorf("%w: %w", ErrJournalBroken, j.broken)
	}
	n, err := j.f.Write(b)
	if err == nil && n != len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		if terr := j.f.Truncate(j.size); terr != nil {
			j.broken = errors.Join(err, terr)
			return fmt.Errorf("%w: writing journal: %w (rolling back: %w)", ErrJournalBroken, err, terr)
		}
		return fmt.Errorf("ibkr: writing journal (rolled back, nothing recorded): %w", err)
	}
	if err := j.f.Sync(); err != nil {
		// What reached the disk is unknown: refuse to build on it.
		j.broken = err
		return fmt.Errorf("%w: syncing journal: %w", ErrJournalBroken, err)
	}
	j.size += int64(n)
	return nil
}

// write appends one record and applies it.
func (j *FileJournal) write(l fileJournalLine) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	if err := j.appendRaw(append(b, '\n')); err != nil {
		return err
	}
	j.apply(l)
	return nil
}

// Begin implements Journal. A body holding a bank account number is
// dropped, whatever the caller put in e.
func (j *FileJournal) Begin(ctx context.Context, e JournalEntry) error {
	return j.begin(ctx, e, "", 0)
}

// BeginLeased implements LeasedJournal.
func (j *FileJournal) BeginLeased(ctx context.Context, e JournalEntry, owner string, ttl time.Duration) error {
	if owner == "" {
		return invalid("owner", "empty")
	}
	return j.begin(ctx, e, owner, ttl)
}

func (j *FileJournal) begin(ctx context.Context, e JournalEntry, owner string, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e, err := cleanEntry(e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.write(fileJournalLine{Begin: &e}); err != nil {
		return err
	}
	if owner != "" {
		j.leases[e.ClientInstructionID] = fileLease{owner: owner, until: j.now().Add(ttl)}
	} else {
		delete(j.leases, e.ClientInstructionID)
	}
	return nil
}

// cleanEntry checks an entry and drops a body holding a secret.
func cleanEntry(e JournalEntry) (JournalEntry, error) {
	if e.ClientInstructionID.IsZero() {
		return e, invalid("clientInstructionId", "a journal entry needs one")
	}
	if bodyHasSecret(e.Body) {
		e.Body = nil
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	return e, nil
}

// Finish implements Journal. It ends any lease on the entry. An accepted
// entry keeps its outcome unless o is accepted too.
func (j *FileJournal) Finish(ctx context.Context, clientInstructionID ID, o JournalOutcome) error {
	if o.Time.IsZero() {
		o.Time = time.Now().UTC()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	it, ok := j.items[clientInstructionID]
	if !ok {
		// Settled and moved out: bring it back only to change it.
		rec, found, err := j.findSettled(clientInstructionID)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("ibkr: journal has no entry for clientInstructionId %s", clientInstructionID)
		}
		if keepOutcome(rec.Outcome, o) {
			return nil
		}
		if err := j.write(fileJournalLine{Begin: &rec.Entry}); err != nil {
			return err
		}
		it = j.items[clientInstructionID]
	}
	delete(j.leases, clientInstructionID)
	if keepOutcome(it.outcome, o) {
		return nil
	}
	if err := j.write(fileJournalLine{Finish: &fileJournalEnd{ClientInstructionID: clientInstructionID, JournalOutcome: o}}); err != nil {
		return err
	}
	if j.settled >= j.compactAt {
		// Best effort: a failed compaction leaves everything in place.
		_ = j.compactLocked()
	}
	return nil
}

// Pending implements Journal.
func (j *FileJournal) Pending(ctx context.Context) ([]JournalEntry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []JournalEntry
	for _, id := range j.order {
		it := j.items[id]
		if it.outcome == nil || !it.outcome.Settled() {
			out = append(out, it.entry)
		}
	}
	return out, nil
}

// ClaimPending implements LeasedJournal.
func (j *FileJournal) ClaimPending(ctx context.Context, owner string, ttl time.Duration, limit int) ([]JournalEntry, error) {
	if owner == "" {
		return nil, invalid("owner", "empty")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	now := j.now()
	var out []JournalEntry
	for _, id := range j.order {
		if limit > 0 && len(out) >= limit {
			break
		}
		it := j.items[id]
		if it.outcome != nil && it.outcome.Settled() {
			continue
		}
		if l, ok := j.leases[id]; ok && now.Before(l.until) {
			continue
		}
		j.leases[id] = fileLease{owner: owner, until: now.Add(ttl)}
		out = append(out, it.entry)
	}
	return out, nil
}

// RenewLease implements LeasedJournal.
func (j *FileJournal) RenewLease(ctx context.Context, owner string, clientInstructionID ID, ttl time.Duration) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	l, ok := j.leases[clientInstructionID]
	if !ok || l.owner != owner {
		return fmt.Errorf("%w: clientInstructionId %s", ErrLeaseLost, clientInstructionID)
	}
	j.leases[clientInstructionID] = fileLease{owner: owner, until: j.now().Add(ttl)}
	return nil
}

// ReleaseLease implements LeasedJournal.
func (j *FileJournal) ReleaseLease(ctx context.Context, owner string, clientInstructionID ID) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if l, ok := j.leases[clientInstructionID]; ok && l.owner == owner {
		delete(j.leases, clientInstructionID)
	}
	return nil
}

// Outcome returns the entry recorded for an id and its last outcome (nil
// if none was recorded).
func (j *FileJournal) Outcome(clientInstructionID ID) (JournalEntry, *JournalOutcome, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	it, ok := j.items[clientInstructionID]
	if !ok {
		rec, found, err := j.findSettled(clientInstructionID)
		if err != nil || !found {
			return JournalEntry{}, nil, false
		}
		return rec.Entry, rec.Outcome, true
	}
	if it.outcome == nil {
		return it.entry, nil, true
	}
	o := *it.outcome
	return it.entry, &o, true
}

// Len returns the number of entries in the journal file: pending ones and
// those settled since the last compaction.
func (j *FileJournal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.order)
}

// Damage lists the lines skipped when the journal was opened. An entry
// whose Begin was lost is missing from the journal; one whose Finish was
// lost is pending again and will be reconciled.
func (j *FileJournal) Damage() []JournalDamage {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]JournalDamage(nil), j.damage...)
}

// Close closes the files and releases the lock.
func (j *FileJournal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	err := j.f.Close()
	unlockFile(j.lock)
	return errors.Join(err, j.lock.Close())
}
