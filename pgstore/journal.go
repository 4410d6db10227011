package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// journalColumns are read by scanRecord, in this order.
const journalColumns = `client_instruction_id, operation, instruction_type, account_id, amount::text, currency, summary, body, begun_at,
	state, status, instruction_id, code, message, finished_at, seq`

// pendingSQL selects entries without a settled outcome.
const pendingSQL = `(state IS NULL OR state = 'unknown')`

// Begin implements ibkr.Journal.
func (s *Store) Begin(ctx context.Context, e ibkr.JournalEntry) error {
	return s.begin(ctx, e, nil, 0)
}

// BeginLeased implements ibkr.LeasedJournal.
func (s *Store) BeginLeased(ctx context.Context, e ibkr.JournalEntry, owner string, ttl time.Duration) error {
	if owner == "" {
		return &ibkr.InputError{Field: "owner", Reason: "empty"}
	}
	return s.begin(ctx, e, &owner, ttl)
}

func (s *Store) begin(ctx context.Context, e ibkr.JournalEntry, owner *string, ttl time.Duration) error {
	if e.ClientInstructionID.IsZero() {
		return &ibkr.InputError{Field: "clientInstructionId", Reason: "a journal entry needs one"}
	}
	e = e.WithoutSecrets()
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	var body *string
	if len(e.Body) > 0 {
		b := string(e.Body)
		body = &b
	}
	// Beginning an id again (a resume) keeps an accepted outcome.
	_, err := s.pool.Exec(ctx, `INSERT INTO ibkr_journal AS j (client_id, client_instruction_id, operation, instruction_type, account_id,
			amount, currency, summary, body, begun_at, lease_owner, lease_until)
		VALUES ($1, $2, $3, $4, $5, $6::numeric, $7, $8, $9, $10, $11, CASE WHEN $11::text IS NULL THEN NULL ELSE clock_timestamp() + make_interval(secs => $12::float8 / 1e6) END)
		ON CONFLICT (client_id, client_instruction_id) DO UPDATE SET
			operation = excluded.operation, instruction_type = excluded.instruction_type, account_id = excluded.account_id,
			amount = excluded.amount, currency = excluded.currency, summary = excluded.summary, body = excluded.body,
			begun_at = excluded.begun_at, lease_owner = excluded.lease_owner, lease_until = excluded.lease_until,
			state = CASE WHEN j.state = 'accepted' THEN j.state END`,
		s.clientID, e.ClientInstructionID, e.Operation, e.InstructionType, e.AccountID,
		e.Amount.String(), e.Currency, e.Summary, body, e.Time, owner, ttl.Microseconds())
	if err != nil {
		return fmt.Errorf("pgstore: journal begin: %w", err)
	}
	return nil
}

// Finish implements ibkr.Journal. It ends any lease on the entry; an
// accepted entry keeps its outcome unless o is accepted too.
func (s *Store) Finish(ctx context.Context, id ibkr.ID, o ibkr.JournalOutcome) error {
	if o.Time.IsZero() {
		o.Time = time.Now().UTC()
	}
	var iid *ibkr.ID
	if !o.InstructionID.IsZero() {
		iid = &o.InstructionID
	}
	state := string(o.State)
	if state == "" || o.State == ibkr.JournalOpen {
		state = string(ibkr.JournalUnknown)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE ibkr_journal SET state = $3, status = $4, instruction_id = $5, code = $6, message = $7,
			finished_at = $8, lease_owner = NULL, lease_until = NULL
		WHERE client_id = $1 AND client_instruction_id = $2 AND (state IS DISTINCT FROM 'accepted' OR $3 = 'accepted')`,
		s.clientID, id, state, string(o.Status), iid, o.Code, o.Message, o.Time)
	if err != nil {
		return fmt.Errorf("pgstore: journal finish: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	// Accepted already (kept), or no such entry.
	tag, err = s.pool.Exec(ctx, `UPDATE ibkr_journal SET lease_owner = NULL, lease_until = NULL WHERE client_id = $1 AND client_instruction_id = $2`, s.clientID, id)
	if err != nil {
		return fmt.Errorf("pgstore: journal finish: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("pgstore: journal has no entry for clientInstructionId %s", id)
	}
	return nil
}

// Pending implements ibkr.Journal.
func (s *Store) Pending(ctx context.Context) ([]ibkr.JournalEntry, error) {
	recs, err := s.query(ctx, `SELECT `+journalColumns+` FROM ibkr_journal WHERE client_id = $1 AND `+pendingSQL+` ORDER BY seq`, s.clientID)
	if err != nil {
		return nil, err
	}
	return entriesOf(recs), nil
}

// Entries implements ibkr.JournalLister.
func (s *Store) Entries(ctx context.Context, states ...ibkr.JournalState) ([]ibkr.JournalRecord, error) {
	if len(states) == 0 {
		return s.query(ctx, `SELECT `+journalColumns+` FROM ibkr_journal WHERE client_id = $1 ORDER BY seq`, s.clientID)
	}
	var named []string
	open := false
	for _, st := range states {
		if st == ibkr.JournalOpen {
			open = true
		} else {
			named = append(named, string(st))
		}
	}
	return s.query(ctx, `SELECT `+journalColumns+` FROM ibkr_journal
		WHERE client_id = $1 AND (state = ANY($2) OR ($3 AND state IS NULL)) ORDER BY seq`, s.clientID, named, open)
}

// ClaimPending implements ibkr.LeasedJournal with SELECT … FOR UPDATE
// SKIP LOCKED: concurrent claimers skip each other's rows, and a lease
// is live until lease_until by the database clock.
func (s *Store) ClaimPending(ctx context.Context, owner string, ttl time.Duration, limit int) ([]ibkr.JournalEntry, error) {
	if owner == "" {
		return nil, &ibkr.InputError{Field: "owner", Reason: "empty"}
	}
	var lim *int
	if limit > 0 {
		lim = &limit
	}
	recs, err := s.query(ctx, `WITH c AS (
			SELECT client_instruction_id FROM ibkr_journal
			WHERE client_id = $1 AND `+pendingSQL+` AND (lease_until IS NULL OR lease_until <= clock_timestamp())
			ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED)
		UPDATE ibkr_journal j SET lease_owner = $2, lease_until = clock_timestamp() + make_interval(secs => $3::float8 / 1e6)
		FROM c WHERE j.client_id = $1 AND j.client_instruction_id = c.client_instruction_id
		RETURNING `+prefixed("j.", journalColumns), s.clientID, owner, ttl.Microseconds(), lim)
	if err != nil {
		return nil, err
	}
	return entriesOf(recs), nil
}

// RenewLease implements ibkr.LeasedJournal.
func (s *Store) RenewLease(ctx context.Context, owner string, id ibkr.ID, ttl time.Duration) error {
	tag, err := s.pool.Exec(ctx, `UPDATE ibkr_journal SET lease_until = clock_timestamp() + make_interval(secs => $4::float8 / 1e6)
		WHERE client_id = $1 AND client_instruction_id = $2 AND lease_owner = $3`, s.clientID, id, owner, ttl.Microseconds())
	if err != nil {
		return fmt.Errorf("pgstore: renew lease: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: clientInstructionId %s", ibkr.ErrLeaseLost, id)
	}
	return nil
}

// ReleaseLease implements ibkr.LeasedJournal.
func (s *Store) ReleaseLease(ctx context.Context, owner string, id ibkr.ID) error {
	_, err := s.pool.Exec(ctx, `UPDATE ibkr_journal SET lease_owner = NULL, lease_until = NULL
		WHERE client_id = $1 AND client_instruction_id = $2 AND lease_owner = $3`, s.clientID, id, owner)
	if err != nil {
		return fmt.Errorf("pgstore: release lease: %w", err)
	}
	return nil
}

// Compact implements ibkr.JournalCompactor: settled entries finished
// before cutoff are deleted.
func (s *Store) Compact(ctx context.Context, cutoff time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM ibkr_journal WHERE client_id = $1 AND state IS NOT NULL AND state <> 'unknown' AND finished_at < $2`, s.clientID, cutoff)
	if err != nil {
		return 0, fmt.Errorf("pgstore: compact: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

type pgRecord struct {
	ibkr.JournalRecord
	seq int64
}

func (s *Store) query(ctx context.Context, sql string, args ...any) ([]ibkr.JournalRecord, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("pgstore: journal: %w", err)
	}
	recs, err := pgx.CollectRows(rows, scanRecord)
	if err != nil {
		return nil, fmt.Errorf("pgstore: journal: %w", err)
	}
	slices.SortFunc(recs, func(a, b pgRecord) int { return int(a.seq - b.seq) })
	out := make([]ibkr.JournalRecord, len(recs))
	for i, r := range recs {
		out[i] = r.JournalRecord
	}
	return out, nil
}

func scanRecord(row pgx.CollectableRow) (pgRecord, error) {
	var r pgRecord
	e := &r.Entry
	var amount string
	var body, state *string
	var status, code, message string
	var iid ibkr.ID
	var finished *time.Time
	if err := row.Scan(&e.ClientInstructionID, &e.Operation, &e.InstructionType, &e.AccountID, &amount, &e.Currency, &e.Summary, &body, &e.Time,
		&state, &status, &iid, &code, &message, &finished, &r.seq); err != nil {
		return r, err
	}
	d, err := ibkr.ParseDecimal(amount)
	if err != nil {
		return r, err
	}
	e.Amount = d
	if body != nil {
		e.Body = json.RawMessage(*body)
	}
	e.Time = e.Time.UTC()
	if state != nil {
		o := &ibkr.JournalOutcome{State: ibkr.JournalState(*state), Status: ibkr.InstructionStatus(status), InstructionID: iid, Code: code, Message: message}
		if finished != nil {
			o.Time = finished.UTC()
		}
		r.Outcome = o
	}
	return r, nil
}

func entriesOf(recs []ibkr.JournalRecord) []ibkr.JournalEntry {
	out := make([]ibkr.JournalEntry, len(recs))
	for i, r := range recs {
		out[i] = r.Entry
	}
	return out
}

// prefixed qualifies a column list with a table alias.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// Unsettled implements ibkr.TrackerJournal: accepted entries whose
// status is not final, for a settlement Tracker to load.
func (s *Store) Unsettled(ctx context.Context) ([]ibkr.JournalEntry, error) {
	recs, err := s.query(ctx, `SELECT `+journalColumns+` FROM ibkr_journal
		WHERE client_id = $1 AND state = 'accepted' AND status NOT IN ('PROCESSED', 'REJECTED') ORDER BY seq`, s.clientID)
	if err != nil {
		return nil, err
	}
	return entriesOf(recs), nil
}
