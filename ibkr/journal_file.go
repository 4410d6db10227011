package ibkr

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// FileJournal is a Journal on an append-only file of JSON lines, one per
// Begin or Finish, each written with a single write and flushed to stable
// storage (fsync) before the call returns. Reopening the file after a
// crash restores the journal; a torn last line (a crash in mid-write) is
// ignored. Bodies holding bank account numbers are never written (see
// Journal). Safe for concurrent use within one process; do not share the
// file between processes.
type FileJournal struct {
	mu      sync.Mutex
	f       *os.File
	path    string
	entries map[ID]*fileJournalItem
	order   []ID
	closed  bool
}

type fileJournalItem struct {
	entry   JournalEntry
	outcome *JournalOutcome
}

// fileJournalLine is one line of the file.
type fileJournalLine struct {
	Begin  *JournalEntry   `json:"begin,omitempty"`
	Finish *fileJournalEnd `json:"finish,omitempty"`
}

type fileJournalEnd struct {
	ClientInstructionID ID `json:"clientInstructionId"`
	JournalOutcome
}

// OpenFileJournal opens (creating it, mode 0600) the journal file at path
// and reads what it holds.
func OpenFileJournal(path string) (*FileJournal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("ibkr: opening journal: %w", err)
	}
	j := &FileJournal{f: f, path: path, entries: map[ID]*fileJournalItem{}}
	if err := j.load(); err != nil {
		_ = f.Close()
		return nil, err
	}
	return j, nil
}

// load reads the file; a last line without its newline is a torn write
// and is dropped (and cut off, so that the next append starts clean).
func (j *FileJournal) load() error {
	if _, err := j.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("ibkr: reading journal: %w", err)
	}
	data, err := io.ReadAll(j.f)
	if err != nil {
		return fmt.Errorf("ibkr: reading journal: %w", err)
	}
	good := len(data)
	if i := bytes.LastIndexByte(data, '\n'); i < len(data)-1 {
		good = i + 1 // torn tail (or no newline at all: i == -1 gives 0)
	}
	sc := bufio.NewScanner(bytes.NewReader(data[:good]))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var l fileJournalLine
		if err := json.Unmarshal(line, &l); err != nil {
			return fmt.Errorf("ibkr: journal %s line %d is corrupt: %w", j.path, n, err)
		}
		j.apply(l)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("ibkr: reading journal: %w", err)
	}
	if good < len(data) {
		if err := j.f.Truncate(int64(good)); err != nil {
			return fmt.Errorf("ibkr: repairing journal: %w", err)
		}
	}
	return nil
}

func (j *FileJournal) apply(l fileJournalLine) {
	switch {
	case l.Begin != nil:
		id := l.Begin.ClientInstructionID
		if _, ok := j.entries[id]; !ok {
			j.order = append(j.order, id)
		}
		j.entries[id] = &fileJournalItem{entry: *l.Begin}
	case l.Finish != nil:
		if it := j.entries[l.Finish.ClientInstructionID]; it != nil {
			o := l.Finish.JournalOutcome
			it.outcome = &o
		}
	}
}

// write appends one line and syncs it.
func (j *FileJournal) write(l fileJournalLine) error {
	if j.closed {
		return errors.New("ibkr: journal is closed")
	}
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("ibkr: writing journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("ibkr: syncing journal: %w", err)
	}
	j.apply(l)
	return nil
}

// Begin implements Journal. A body holding a bank account number is
// dropped, whatever the caller put in e.
func (j *FileJournal) Begin(ctx context.Context, e JournalEntry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if e.ClientInstructionID.IsZero() {
		return invalid("clientInstructionId", "a journal entry needs one")
	}
	if bodyHasSecret(e.Body) {
		e.Body = nil
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.write(fileJournalLine{Begin: &e})
}

// Finish implements Journal.
func (j *FileJournal) Finish(ctx context.Context, clientInstructionID ID, o JournalOutcome) error {
	if o.Time.IsZero() {
		o.Time = time.Now().UTC()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, ok := j.entries[clientInstructionID]; !ok {
		return fmt.Errorf("ibkr: journal has no entry for clientInstructionId %s", clientInstructionID)
	}
	return j.write(fileJournalLine{Finish: &fileJournalEnd{ClientInstructionID: clientInstructionID, JournalOutcome: o}})
}

// Pending implements Journal.
func (j *FileJournal) Pending(ctx context.Context) ([]JournalEntry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []JournalEntry
	for _, id := range j.order {
		it := j.entries[id]
		if it.outcome == nil || !it.outcome.Settled() {
			out = append(out, it.entry)
		}
	}
	return out, nil
}

// Outcome returns the entry recorded for an id and its last outcome (nil
// if none was recorded).
func (j *FileJournal) Outcome(clientInstructionID ID) (JournalEntry, *JournalOutcome, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	it, ok := j.entries[clientInstructionID]
	if !ok {
		return JournalEntry{}, nil, false
	}
	if it.outcome == nil {
		return it.entry, nil, true
	}
	o := *it.outcome
	return it.entry, &o, true
}

// Len returns the number of entries.
func (j *FileJournal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.order)
}

// Close closes the file.
func (j *FileJournal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	return j.f.Close()
}
