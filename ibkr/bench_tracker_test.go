package ibkr

import (
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// Settlement at scale: ACH deposits settling a simulated day after they
// are made (the sandbox's default), created evenly over one simulated
// hour, followed by one Tracker (default options) until each is
// delivered. Metrics, per run:
//
//   - calls/deposit: requests the tracker sent (status lookups,
//     instruction sets, recent-instructions queries and their answers)
//     per deposit;
//   - latency-s: the worst delay, in simulated seconds, between the
//     sandbox settling a deposit and the tracker delivering it;
//   - 429s: answers refused for the rate limit (any endpoint);
//   - peak-heap-MiB and goroutines: the highest heap (runtime HeapAlloc,
//     garbage not yet collected included) and number of goroutines seen
//     during the run, sampled every 64 steps; sandbox, HTTP server and
//     client included, as they share the process (the sandbox keeps only
//     its last 256 requests).
//
// Goals (issue 14): 0 × 429, latency within 15 simulated minutes (60 s
// with callbacks), heap within 50 MiB, no goroutine per instruction, and
// calls/deposit at most 0.1 (bulk), 1 (10 accounts), 20 (1,000
// accounts), 1.5 (1,000 accounts with callbacks).

func benchTracker(b *testing.B, cfg trackSimConfig, maxCalls float64, maxLatency time.Duration) {
	// The sandbox's request record is test instrumentation, not the
	// client's memory: keep little of it (RequestCount still counts all).
	cfg.sandbox = append(cfg.sandbox, ibkrtest.WithRequestRecordLimit(256))
	var s *trackSim
	for b.Loop() {
		b.StopTimer()
		s = newTrackSim(b, cfg)
		b.StartTimer()
		s.run(b, nil)
	}
	calls := float64(s.trackerCalls()) / float64(cfg.deposits)
	latency := s.worstLatency(b)
	r429 := s.srv.RequestCount("", 429)
	b.ReportMetric(calls, "calls/deposit")
	b.ReportMetric(latency.Seconds(), "latency-s")
	b.ReportMetric(float64(r429), "429s")
	b.ReportMetric(float64(s.peakHeap)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(s.peakGor), "goroutines")
	switch {
	case s.dups > 0:
		b.Errorf("%d outcomes delivered twice", s.dups)
	case r429 > 0:
		b.Errorf("%d answers 429", r429)
	case calls > maxCalls:
		b.Errorf("%.3f calls/deposit, goal at most %v", calls, maxCalls)
	case latency > maxLatency:
		b.Errorf("worst latency %s, goal at most %s", latency, maxLatency)
	case s.peakHeap > 50<<20:
		b.Errorf("peak heap %d MiB, goal at most 50", s.peakHeap>>20)
	}
}

// BenchmarkTrackBulk1000: 1,000 deposits to 1,000 accounts, made by ten
// bulk requests of 100 (ten instruction sets).
func BenchmarkTrackBulk1000(b *testing.B) {
	benchTracker(b, trackSimConfig{deposits: 1000, accounts: 1000, bulk: 100}, 0.1, 15*time.Minute)
}

// BenchmarkTrackBulk10000: 10,000 deposits to 1,000 accounts, made by 100
// bulk requests of 100.
func BenchmarkTrackBulk10000(b *testing.B) {
	benchTracker(b, trackSimConfig{deposits: 10000, accounts: 1000, bulk: 100}, 0.1, 15*time.Minute)
}

// BenchmarkTrackFewAccounts1000: 1,000 deposits made one by one, 100 to
// each of 10 accounts.
func BenchmarkTrackFewAccounts1000(b *testing.B) {
	benchTracker(b, trackSimConfig{deposits: 1000, accounts: 10}, 1, 15*time.Minute)
}

// BenchmarkTrackManyAccounts1000: 1,000 deposits made one by one, one to
// each of 1,000 accounts, without callbacks.
func BenchmarkTrackManyAccounts1000(b *testing.B) {
	benchTracker(b, trackSimConfig{deposits: 1000, accounts: 1000}, 20, 15*time.Minute)
}

// BenchmarkTrackCallbacks1000: as ManyAccounts, with the sandbox's
// callbacks reaching the tracker.
func BenchmarkTrackCallbacks1000(b *testing.B) {
	benchTracker(b, trackSimConfig{deposits: 1000, accounts: 1000, callbacks: true}, 1.5, time.Minute)
}
