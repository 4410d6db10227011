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

// Unsettled implements TrackerJournal. Accepted entries count as settled
// for the journal, so compaction may have moved them to the settled file:
// they are listed from there too.
func (j *FileJournal) Unsettled(ctx context.Context) ([]JournalEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	recs, err := j.Entries(ctx, JournalAccepted)
	if err != nil {
		return nil, err
	}
	return unsettledOf(recs), nil
}

// unsettledOf keeps the accepted records whose status is not final.
func unsettledOf(recs []JournalRecord) []JournalEntry {
	var out []JournalEntry
	for _, r := range recs {
		if r.Outcome == nil || r.Outcome.State != JournalAccepted || r.Outcome.Status.Final() {
			continue
		}
		out = append(out, r.Entry)
	}
	return out
}

// Load tracks every instruction the journal lists as accepted and not
// final (TrackerJournal.Unsettled), with its account, type and creation
// time, and returns how many. Requests whose outcome is unknown are not
// among them: settle those with ReconcileJournal first (it records what
// IBKR holds, and Load then picks them up). The facade's money-moving
// calls, bulk calls included (an entry per item), journal themselves;
// requests sent through Raw() are loaded only if the caller journaled
// their instructions. The
// journal keeps no instruction set, so after a restart such instructions
// are followed by account or by id.
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
// journaled body, if any: a single-instruction body, or the one-item
// body a bulk call journals for each item.
func journaledMethod(body json.RawMessage) string {
	if len(body) == 0 {
		return ""
	}
	type method struct {
		Method string `json:"bankInstructionMethod"`
	}
	var b struct {
		Instruction  method   `json:"instruction"`
		Instructions []method `json:"instructions"`
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	if b.Instruction.Method == "" && len(b.Instructions) == 1 {
		return b.Instructions[0].Method
	}
	return b.Instruction.Method
}
