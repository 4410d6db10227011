package ibkr

import (
	"context"
	"encoding/json"
	"strings"
)

// TrackerJournal is a Journal that can also list what a Tracker loads at
// start-up: the instructions IBKR accepted that were not final at their
// last recorded outcome. FileJournal is one.
type TrackerJournal interface {
	Journal
	// Unsettled returns the entries whose last outcome is JournalAccepted
	// with a status that is not final (PENDING, PENDING_VERIFICATION, or
	// none). Oldest first.
	Unsettled(ctx context.Context) ([]JournalEntry, error)
}

// Unsettled implements TrackerJournal.
func (j *FileJournal) Unsettled(ctx context.Context) ([]JournalEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []JournalEntry
	for _, id := range j.order {
		it := j.entries[id]
		if it == nil || it.outcome == nil || it.outcome.State != JournalAccepted || it.outcome.Status.Final() {
			continue
		}
		out = append(out, it.entry)
	}
	return out, nil
}

// Load tracks every instruction the journal lists as accepted and not
// final (TrackerJournal.Unsettled), with its account, type and creation
// time, and returns how many. Requests whose outcome is unknown are not
// among them: settle those with ReconcileJournal first (it records what
// IBKR holds, and Load then picks them up).
func (t *Tracker) Load(ctx context.Context) (int, error) {
	tj, ok := t.o.Journal.(TrackerJournal)
	if !ok {
		return 0, invalid("Journal", "the tracker's journal cannot list unsettled instructions (it must implement TrackerJournal)")
	}
	es, err := tj.Unsettled(ctx)
	if err != nil {
		return 0, err
	}
	items := make([]Tracked, 0, len(es))
	for _, e := range es {
		if e.ClientInstructionID.IsZero() || strings.HasPrefix(e.InstructionType, "QUERY_") {
			continue
		}
		acct := e.AccountID
		if ValidateAccountID("accountId", acct) != nil {
			acct = ""
		}
		items = append(items, Tracked{ClientInstructionID: e.ClientInstructionID, AccountID: acct, Type: e.InstructionType,
			Method: journaledMethod(e.Body), Created: e.Time})
	}
	if err := t.Track(items...); err != nil {
		return 0, err
	}
	return len(items), nil
}

// journaledMethod reads a deposit's bankInstructionMethod from its
// journaled body, if any.
func journaledMethod(body json.RawMessage) string {
	if len(body) == 0 {
		return ""
	}
	var b struct {
		Instruction struct {
			Method string `json:"bankInstructionMethod"`
		} `json:"instruction"`
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	return b.Instruction.Method
}
