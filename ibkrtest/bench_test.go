package ibkrtest_test

import (
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// BenchmarkNewServer measures starting (and stopping) an in-process
// sandbox: the goal is well under 100 ms. No key generation, no spec
// parsing at start.
func BenchmarkNewServer(b *testing.B) {
	ibkrtest.NewServer(b) // the per-process one-offs (demo key parse) happen here
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		srv := ibkrtest.NewServer(b)
		srv.HTTP.Close() // keep descriptors bounded; Cleanup's Close is a no-op then
	}
}
