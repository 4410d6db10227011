package pgstore

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkr/storetest"
)

// newTestStore migrates a fresh schema and returns a store on it.
func newTestStore(t testing.TB, clientID string) *Store {
	t.Helper()
	pool, _ := testSchema(t)
	ctx := context.Background()
	if err := Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	s, err := New(ctx, pool, clientID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The PostgreSQL store passes the store contract.
func TestStoreContract(t *testing.T) {
	testDSN(t)
	storetest.Run(t, func(t *testing.T) ibkr.Store { return newTestStore(t, "client-a") }, storetest.Config{RatePerSecond: ibkr.DefaultRatePerSecond})
}

// Replicas (separate pools, as separate processes would have) get unique
// ids, each replica's strictly increasing; another IBKR client id has its
// own numbering and journal.
func TestIDsAcrossReplicas(t *testing.T) {
	first := newTestStore(t, "client-a")
	ctx := context.Background()
	var replicas []*Store
	for range 4 {
		pool, err := pgxpool.NewWithConfig(ctx, first.pool.Config().Copy())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		s, err := New(ctx, pool, "client-a")
		if err != nil {
			t.Fatal(err)
		}
		replicas = append(replicas, s)
	}
	var mu sync.Mutex
	seen := map[ibkr.ID]int{}
	var wg sync.WaitGroup
	for r, s := range replicas {
		for range 3 {
			wg.Go(func() {
				var last ibkr.ID
				for range 50 {
					id, err := s.Next(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					if id.Cmp(last) <= 0 {
						t.Errorf("replica %d: %s after %s", r, id, last)
					}
					last = id
					mu.Lock()
					if prev, dup := seen[id]; dup {
						t.Errorf("id %s handed to replicas %d and %d", id, prev, r)
					}
					seen[id] = r
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if len(seen) != 4*3*50 {
		t.Fatalf("%d distinct ids, want %d", len(seen), 4*3*50)
	}
	// Another client id: its own mark and journal.
	other, err := New(ctx, first.pool, "client-b")
	if err != nil {
		t.Fatal(err)
	}
	e := ibkr.JournalEntry{ClientInstructionID: ibkr.NewID(5), Operation: "createExternalCashTransfers"}
	if err := other.Begin(ctx, e); err != nil {
		t.Fatal(err)
	}
	if p, _ := first.Pending(ctx); len(p) != 0 {
		t.Fatalf("client-a sees client-b's entries: %+v", p)
	}
	if err := other.Claim(ctx, ibkr.NewID(10)); err != nil {
		t.Fatalf("client-b's first claim: %v", err)
	}
}

// Replicas share the rate budget: together they get one slot per interval.
func TestRateBudgetSharedByReplicas(t *testing.T) {
	a := newTestStore(t, "client-a")
	ctx := context.Background()
	b, err := New(ctx, a.pool, "client-a")
	if err != nil {
		t.Fatal(err)
	}
	// Each reservation's slot is the instant it may send: when Reserve
	// returned plus the wait. Slots are absolute, so a loaded machine that
	// starts the goroutines late does not change them.
	var slots []time.Time
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 20 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			d, err := s.Reserve(ctx, "createExternalCashTransfers")
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			slots = append(slots, time.Now().Add(d))
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.SortFunc(slots, func(x, y time.Time) int { return x.Compare(y) })
	// 20 slots at 10/s span about 1.9 s; without sharing, each replica's
	// 10 would span 0.9 s.
	if span := slots[19].Sub(slots[0]); span < 1700*time.Millisecond {
		t.Fatalf("slots span %v, want about 1.9s (the replicas did not share the budget)", span)
	}
}

// Migrate is idempotent and safe to run from several replicas at once; a
// store refuses a database that was never migrated.
func TestMigrate(t *testing.T) {
	pool, _ := testSchema(t)
	ctx := context.Background()
	if _, err := New(ctx, pool, "c"); err == nil || !strings.Contains(err.Error(), "Migrate") {
		t.Fatalf("New before Migrate: %v", err)
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := Migrate(ctx, pool); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ibkr_schema_migrations`).Scan(&n); err != nil || n != SchemaVersion {
		t.Fatalf("%d migrations recorded, %v", n, err)
	}
	if _, err := New(ctx, pool, "c"); err != nil {
		t.Fatal(err)
	}
	if _, err := New(ctx, pool, " "); err == nil {
		t.Fatal("empty client id accepted")
	}
}

// A configured but unreachable server is an error, not a skip.
func TestOpenUnreachable(t *testing.T) {
	testDSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := Open(ctx, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2", "c", true); err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
}
