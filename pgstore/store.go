package pgstore

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// Store is an ibkr.Store in PostgreSQL, for one IBKR client id. Every
// replica sending for that client id opens a Store on the same database
// (and schema) with the same client id: ids are then unique and strictly
// increasing across them, a pending journal entry is reconciled by one of
// them only, and their requests together stay within the rate budget.
// Safe for concurrent use.
type Store struct {
	pool     *pgxpool.Pool
	ownPool  bool
	clientID string
	interval time.Duration // rate budget: one request per interval
	burst    int
	ids      idBatch
}

var _ ibkr.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store) error

// WithRate sets the per-endpoint budget all replicas share: perSecond
// requests per second with bursts of burst (default
// ibkr.DefaultRatePerSecond, burst 1).
func WithRate(perSecond float64, burst int) Option {
	return func(s *Store) error {
		if !(perSecond > 0) || burst < 1 {
			return &ibkr.InputError{Field: "rate", Reason: "perSecond must be positive and burst at least 1"}
		}
		s.interval = time.Duration(float64(time.Second) / perSecond)
		s.burst = burst
		return nil
	}
}

// New returns a Store on the caller's pool (which it does not close) for
// the IBKR OAuth client id clientID. The schema must be in place
// (Migrate).
func New(ctx context.Context, pool *pgxpool.Pool, clientID string, opts ...Option) (*Store, error) {
	if pool == nil {
		return nil, &ibkr.InputError{Field: "pool", Reason: "nil"}
	}
	if strings.TrimSpace(clientID) == "" {
		return nil, &ibkr.InputError{Field: "clientID", Reason: "empty"}
	}
	s := &Store{pool: pool, clientID: clientID, interval: time.Second / ibkr.DefaultRatePerSecond, burst: 1}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if err := checkSchema(ctx, pool); err != nil {
		return nil, err
	}
	return s, nil
}

// Open connects to the database at dsn (a PostgreSQL URL or key=value
// string, as pgxpool.ParseConfig reads it) and returns a Store for
// clientID that owns the pool: Close closes it. With migrate true it
// calls Migrate first.
func Open(ctx context.Context, dsn, clientID string, migrate bool, opts ...Option) (*Store, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	if migrate {
		if err := Migrate(ctx, pool); err != nil {
			pool.Close()
			return nil, err
		}
	}
	s, err := New(ctx, pool, clientID, opts...)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.ownPool = true
	return s, nil
}

// Close closes the pool if Open made it.
func (s *Store) Close() {
	if s.ownPool {
		s.pool.Close()
	}
}

// Pool returns the store's pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// timeFloorSQL is the smallest id the database clock allows now: Unix
// milliseconds × 1000, as ibkr.ClockAllocator numbers ids, so a store
// created later never starts below ids a clock allocator handed out.
const timeFloorSQL = `(floor(extract(epoch FROM clock_timestamp()) * 1000)::numeric * 1000)`

// Next implements ibkr.InstructionIDAllocator. The mark is one row per
// client id, raised under its row lock and committed before an id is
// returned. Concurrent calls on one Store share a round trip: one
// statement raises the mark by the number of callers waiting and hands
// each one id of the range, so every id is above every id handed out
// (by any replica) before the call began.
func (s *Store) Next(ctx context.Context) (ibkr.ID, error) {
	if err := ctx.Err(); err != nil {
		return ibkr.ID{}, err
	}
	ch := make(chan idResult, 1)
	s.ids.mu.Lock()
	s.ids.waiting = append(s.ids.waiting, ch)
	lead := !s.ids.running
	s.ids.running = true
	s.ids.mu.Unlock()
	if lead {
		s.drawBatches()
	}
	select {
	case r := <-ch:
		return r.id, r.err
	case <-ctx.Done():
		return ibkr.ID{}, ctx.Err() // the id drawn for this call is skipped
	}
}

// idBatch gathers concurrent Next calls.
type idBatch struct {
	mu      sync.Mutex
	waiting []chan idResult
	running bool
}

type idResult struct {
	id  ibkr.ID
	err error
}

// drawBatches serves waiting callers until none is left.
func (s *Store) drawBatches() {
	for {
		s.ids.mu.Lock()
		batch := s.ids.waiting
		s.ids.waiting = nil
		if len(batch) == 0 {
			s.ids.running = false
			s.ids.mu.Unlock()
			return
		}
		s.ids.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		last, err := s.raise(ctx, len(batch))
		cancel()
		for i, ch := range batch {
			if err != nil {
				ch <- idResult{err: err}
				continue
			}
			n := new(big.Int).Sub(last, big.NewInt(int64(len(batch)-1-i)))
			id, perr := ibkr.ParseID(n.String())
			ch <- idResult{id: id, err: perr}
		}
	}
}

// raise raises the mark by k (at least to the time floor + k - 1) and
// returns the new mark.
func (s *Store) raise(ctx context.Context, k int) (*big.Int, error) {
	var text string
	err := s.pool.QueryRow(ctx, `INSERT INTO ibkr_ids AS i (client_id, last) VALUES ($1, `+timeFloorSQL+` + $2 - 1)
		ON CONFLICT (client_id) DO UPDATE SET last = greatest(i.last + $2, `+timeFloorSQL+` + $2 - 1)
		WHERE i.last <= 99999999999999999999 - $2
		RETURNING last::text`, s.clientID, k).Scan(&text)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errors.New("pgstore: clientInstructionId space exhausted")
	}
	if err != nil {
		return nil, fmt.Errorf("pgstore: next id: %w", err)
	}
	n, ok := new(big.Int).SetString(text, 10)
	if !ok {
		return nil, fmt.Errorf("pgstore: next id: mark %q", text)
	}
	return n, nil
}

// Claim implements ibkr.InstructionIDAllocator.
func (s *Store) Claim(ctx context.Context, id ibkr.ID) error {
	if id.IsZero() {
		return &ibkr.InputError{Field: "clientInstructionId", Reason: "must be positive"}
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO ibkr_ids AS i (client_id, last) VALUES ($1, $2)
		ON CONFLICT (client_id) DO UPDATE SET last = $2 WHERE i.last < $2`, s.clientID, id)
	if err != nil {
		return fmt.Errorf("pgstore: claim id: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return &ibkr.InputError{Field: "clientInstructionId", Reason: "id " + id.String() + " was already used (ids must increase)", Err: ibkr.ErrInstructionIDReused}
	}
	return nil
}

// Reserve implements ibkr.RateBudget with the generic cell rate
// algorithm on one row per endpoint, timed by the database clock, so
// every replica draws from the same budget.
func (s *Store) Reserve(ctx context.Context, endpoint string) (time.Duration, error) {
	iv := s.interval.Microseconds()
	var waitUS int64
	err := s.pool.QueryRow(ctx, `WITH now AS (SELECT clock_timestamp() AS t)
		INSERT INTO ibkr_rate AS r (client_id, endpoint, tat)
		SELECT $1, $2, now.t + make_interval(secs => $3::float8 / 1e6) FROM now
		ON CONFLICT (client_id, endpoint) DO UPDATE
		SET tat = greatest(r.tat, (SELECT t FROM now)) + make_interval(secs => $3::float8 / 1e6)
		RETURNING greatest(0, (extract(epoch FROM r.tat - (SELECT t FROM now)) * 1e6)::bigint - $3 * $4)`,
		s.clientID, endpoint, iv, int64(s.burst)).Scan(&waitUS)
	if err != nil {
		return 0, fmt.Errorf("pgstore: rate budget: %w", err)
	}
	return time.Duration(waitUS) * time.Microsecond, nil
}
