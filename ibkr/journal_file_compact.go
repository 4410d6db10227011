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
	"slices"
	"time"
)

// The settled file (path+".settled") keeps entries moved out of the
// journal file by compaction, one line per entry holding both its Begin
// and its last outcome. Opening the journal never reads it; listing
// settled entries, and Compact, do.

func (j *FileJournal) settledPath() string { return j.path + ".settled" }

// compactLocked moves the settled entries of the journal file to the
// settled file and rewrites the journal file with the pending ones.
// j.mu is held. On failure the journal file is unchanged.
func (j *FileJournal) compactLocked() error {
	if j.broken != nil {
		return fmt.Errorf("%w: %w", ErrJournalBroken, j.broken)
	}
	var moved bytes.Buffer
	var keep []ID
	for _, id := range j.order {
		it := j.items[id]
		if it.outcome != nil && it.outcome.Settled() {
			if err := encodeRecord(&moved, it.entry, it.outcome); err != nil {
				return err
			}
			continue
		}
		keep = append(keep, id)
	}
	if moved.Len() > 0 {
		if err := appendFile(j.settledPath(), journalSettledMagic, moved.Bytes()); err != nil {
			return err
		}
	}
	var active bytes.Buffer
	active.Write(journalMagic)
	enc := json.NewEncoder(&active)
	for _, id := range keep {
		it := j.items[id]
		if err := enc.Encode(fileJournalLine{Begin: &it.entry}); err != nil {
			return err
		}
		if it.outcome != nil {
			if err := enc.Encode(fileJournalLine{Finish: &fileJournalEnd{ClientInstructionID: id, JournalOutcome: *it.outcome}}); err != nil {
				return err
			}
		}
	}
	if err := replaceFile(j.path, active.Bytes()); err != nil {
		return err
	}
	f, err := os.OpenFile(j.path, os.O_RDWR|os.O_APPEND|oNoFollow, 0o600)
	if err != nil {
		// The new file is in place but cannot be opened for appending.
		j.broken = err
		return fmt.Errorf("%w: reopening the compacted journal: %w", ErrJournalBroken, err)
	}
	_ = j.f.Close()
	j.f, j.size = f, int64(active.Len())
	for _, id := range j.order {
		if it := j.items[id]; it.outcome != nil && it.outcome.Settled() {
			delete(j.items, id)
			delete(j.leases, id)
		}
	}
	j.order, j.settled = keep, 0
	return nil
}

// encodeRecord writes one settled-file line.
func encodeRecord(w *bytes.Buffer, e JournalEntry, o *JournalOutcome) error {
	l := fileJournalLine{Begin: &e}
	if o != nil {
		l.Finish = &fileJournalEnd{ClientInstructionID: e.ClientInstructionID, JournalOutcome: *o}
	}
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	w.Write(b)
	w.WriteByte('\n')
	return nil
}

// appendFile appends data to the file at path (creating it with header
// magic) and syncs it; a failed write is rolled back.
func appendFile(path string, magic, data []byte) error {
	if err := refuseSymlink(path); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|oNoFollow, 0o600)
	if err != nil {
		return fmt.Errorf("ibkr: journal: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("ibkr: journal: %w", err)
	}
	size := fi.Size()
	if size == 0 {
		data = append(slices.Clip(magic), data...)
	} else {
		head := make([]byte, len(magic))
		if _, err := f.ReadAt(head, 0); err != nil || !bytes.Equal(head, magic) {
			return fmt.Errorf("ibkr: %s is not an ibkr-go settled journal; refusing to change it", path)
		}
	}
	if n, err := f.Write(data); err != nil || n != len(data) {
		if err == nil {
			err = io.ErrShortWrite
		}
		if terr := f.Truncate(size); terr != nil {
			return fmt.Errorf("ibkr: writing %s: %w (rolling back: %w)", path, err, terr)
		}
		return fmt.Errorf("ibkr: writing %s (rolled back): %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("ibkr: syncing %s: %w", path, err)
	}
	if size == 0 {
		return syncDir(filepath.Dir(path))
	}
	return nil
}

// replaceFile writes data to a new temporary file in path's directory,
// syncs it and renames it over path.
func replaceFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("ibkr: journal: %w", err)
	}
	name := tmp.Name()
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(name)
		return fmt.Errorf("ibkr: journal: writing %s: %w", name, err)
	}
	if err := os.Rename(name, path); err != nil {
		_ = os.Remove(name)
		return fmt.Errorf("ibkr: journal: %w", err)
	}
	return syncDir(dir)
}

// readSettled calls fn with every record of the settled file, oldest
// first; unreadable lines are skipped.
func (j *FileJournal) readSettled(fn func(JournalRecord)) error {
	path := j.settledPath()
	if err := refuseSymlink(path); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ibkr: journal: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 256<<10)
	first, err := readJournalLine(r)
	if len(first) == 0 && errors.Is(err, io.EOF) {
		return nil
	}
	if !bytes.Equal(first, journalSettledMagic) {
		return fmt.Errorf("ibkr: %s is not an ibkr-go settled journal", path)
	}
	for {
		b, err := readJournalLine(r)
		if len(b) > 0 && b[len(b)-1] == '\n' {
			var l fileJournalLine
			if json.Unmarshal(b, &l) == nil && l.Begin != nil {
				rec := JournalRecord{Entry: *l.Begin}
				if l.Finish != nil {
					o := l.Finish.JournalOutcome
					rec.Outcome = &o
				}
				fn(rec)
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("ibkr: reading %s: %w", path, err)
		}
	}
}

// findSettled looks an id up in the settled file (its last record).
func (j *FileJournal) findSettled(id ID) (JournalRecord, bool, error) {
	var out JournalRecord
	found := false
	err := j.readSettled(func(r JournalRecord) {
		if r.Entry.ClientInstructionID == id {
			out, found = r, true
		}
	})
	return out, found, err
}

// recordSet is an ordered set of records, the last one per id winning.
type recordSet struct {
	order []ID
	m     map[ID]JournalRecord
}

func (s *recordSet) put(r JournalRecord) {
	if s.m == nil {
		s.m = map[ID]JournalRecord{}
	}
	id := r.Entry.ClientInstructionID
	if _, ok := s.m[id]; !ok {
		s.order = append(s.order, id)
	}
	s.m[id] = r
}

// Entries implements JournalLister, oldest Begin first. Settled entries moved out by
// compaction are read from the settled file.
func (j *FileJournal) Entries(ctx context.Context, states ...JournalState) ([]JournalRecord, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	needSettled := len(states) == 0
	for _, s := range states {
		if s != JournalOpen && s != JournalUnknown {
			needSettled = true
		}
	}
	var set recordSet
	if needSettled {
		if err := j.readSettled(set.put); err != nil {
			return nil, err
		}
	}
	for _, id := range j.order {
		it := j.items[id]
		r := JournalRecord{Entry: it.entry}
		if it.outcome != nil {
			o := *it.outcome
			r.Outcome = &o
		}
		set.put(r)
	}
	var out []JournalRecord
	for _, id := range set.order {
		r := set.m[id]
		if len(states) == 0 || slices.Contains(states, r.State()) {
			out = append(out, r)
		}
	}
	// Compaction moves settled entries behind pending ones: order by the
	// time each was begun.
	slices.SortStableFunc(out, func(a, b JournalRecord) int { return a.Entry.Time.Compare(b.Entry.Time) })
	return out, nil
}

// Compact implements JournalCompactor: it moves every settled entry out
// of the journal file, then drops from the settled file the entries
// settled before cutoff.
func (j *FileJournal) Compact(ctx context.Context, cutoff time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return 0, errors.New("ibkr: journal is closed")
	}
	if err := j.compactLocked(); err != nil {
		return 0, err
	}
	var set recordSet
	if err := j.readSettled(set.put); err != nil {
		return 0, err
	}
	if len(set.order) == 0 {
		return 0, nil
	}
	var buf bytes.Buffer
	buf.Write(journalSettledMagic)
	removed := 0
	for _, id := range set.order {
		r := set.m[id]
		if r.Outcome != nil && r.Outcome.Time.Before(cutoff) {
			removed++
			continue
		}
		if err := encodeRecord(&buf, r.Entry, r.Outcome); err != nil {
			return 0, err
		}
	}
	if removed == 0 {
		return 0, nil
	}
	if err := replaceFile(j.settledPath(), buf.Bytes()); err != nil {
		return 0, err
	}
	return removed, nil
}
