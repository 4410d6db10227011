package ibkr

import (
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkTokenSingleFlight1000 times 1,000 concurrent first calls for an
// access token on a fresh client (one op = a new client, 1,000 goroutines,
// one token request, which includes signing the client assertion). Every
// op must make exactly one token request; TestTokenSingleFlight1000 (in
// token_test.go) asserts the same with all 1,000 callers provably waiting
// on the one request in flight.
func BenchmarkTokenSingleFlight1000(b *testing.B) {
	const callers = 1000
	s := newBenchServer(b)
	var failed atomic.Int64
	ops := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		c := benchClient(b, s)
		ts := c.TokenSource(bg)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				<-start
				if tok, err := ts.Token(); err != nil || tok.AccessToken != benchToken {
					failed.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		ops++
	}
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d callers got no token", n)
	}
	if n := s.tokens.Load(); n != ops {
		b.Fatalf("%d token requests for %d rounds of %d callers, want one per round", n, ops, callers)
	}
	b.ReportMetric(float64(s.tokens.Load())/float64(ops), "token-requests/op")
}
