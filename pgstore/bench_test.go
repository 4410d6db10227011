package pgstore

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// benchReplicas returns n stores for one client id, each on its own pool,
// as n replica processes would have.
func benchReplicas(b *testing.B, n int) []*Store {
	first := newTestStore(b, "bench")
	out := []*Store{first}
	for len(out) < n {
		pool, err := pgxpool.NewWithConfig(context.Background(), first.pool.Config().Copy())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(pool.Close)
		s, err := New(context.Background(), pool, "bench")
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// BenchmarkIDs4Replicas draws clientInstructionIds from 4 replicas at
// once (4 callers each); ids/s is their total rate.
func BenchmarkIDs4Replicas(b *testing.B) {
	reps := benchReplicas(b, 4)
	ctx := context.Background()
	var left atomic.Int64
	left.Store(int64(b.N))
	b.ResetTimer()
	var wg sync.WaitGroup
	for _, s := range reps {
		for range 4 {
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					if _, err := s.Next(ctx); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
}

// BenchmarkJournalBeginFinish is one deposit's journaling on PostgreSQL:
// Begin (leased, as a sending call does) and Finish.
func BenchmarkJournalBeginFinish(b *testing.B) {
	s := newTestStore(b, "bench")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		id, err := s.Next(ctx)
		if err != nil {
			b.Fatal(err)
		}
		e := ibkr.JournalEntry{ClientInstructionID: id, Operation: "createExternalCashTransfers", InstructionType: "DEPOSIT",
			AccountID: "U1234567", Amount: ibkr.MustDecimal("1250.00"), Currency: "USD", Summary: "ACH deposit of 1250.00 USD",
			Body: []byte(`{"instruction":{"accountId":"U1234567","amount":1250.00,"bankInstructionMethod":"ACH","bankInstructionName":"Checking","clientInstructionId":` + id.String() + `,"currency":"USD"},"instructionType":"DEPOSIT"}`)}
		if err := s.BeginLeased(ctx, e, "bench", time.Minute); err != nil {
			b.Fatal(err)
		}
		if err := s.Finish(ctx, id, ibkr.JournalOutcome{State: ibkr.JournalAccepted, Status: ibkr.InstructionPending}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deposits/s")
}
