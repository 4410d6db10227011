package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/ibkrweb/ibkr-go/ibkr
cpu: Intel(R) Xeon(R) Processor
BenchmarkGetFacade-2          	   20508	     60000 ns/op	   10288 B/op	     122 allocs/op
BenchmarkGetFacadeStatus-2    	   20508	     55000 ns/op	   10100 B/op	     118 allocs/op
BenchmarkGetRaw-2             	   18495	     50000 ns/op	    7788 B/op	      92 allocs/op
BenchmarkSignedPostFacade-2   	     232	   4100000 ns/op	   49944 B/op	     329 allocs/op
BenchmarkSignedPostRaw-2      	     274	   4000000 ns/op	   38524 B/op	     163 allocs/op
BenchmarkPoll1000RateLimited-2     	       9	 161551346 ns/op	        99.90 sim-s/op	22529908 B/op	  253217 allocs/op
BenchmarkTokenSingleFlight1000-2   	      49	  20982540 ns/op	         1.000 token-requests/op	  289064 B/op	    3736 allocs/op
BenchmarkTrackBulk1000-2           	       1	 217036954 ns/op	         0 429s	         0.07000 calls/deposit	         7.000 goroutines	       300.2 latency-s	        14.00 peak-heap-MiB
BenchmarkTrackBulk10000-2          	       1	1721068017 ns/op	         0 429s	         0.07000 calls/deposit	         7.000 goroutines	       300.2 latency-s	        40.30 peak-heap-MiB
BenchmarkTrackFewAccounts1000-2    	       1	4218823186 ns/op	         0 429s	         0.2600 calls/deposit	         7.000 goroutines	       588.0 latency-s	        16.73 peak-heap-MiB
BenchmarkTrackManyAccounts1000-2   	       1	4662838237 ns/op	         0 429s	         7.000 calls/deposit	         7.000 goroutines	       300.2 latency-s	        16.13 peak-heap-MiB
BenchmarkTrackCallbacks1000-2      	       1	3565954076 ns/op	         0 429s	         1.000 calls/deposit	         7.000 goroutines	         2.000 latency-s	        16.45 peak-heap-MiB
PASS
ok  	github.com/ibkrweb/ibkr-go/ibkr	10.112s
pkg: github.com/ibkrweb/ibkr-go/flex
BenchmarkFlexRawTokenScan64MiB-2   	       1	1439486266 ns/op	  46.62 MB/s	   3651784 peak-heap-B	         1.736 peak-live-heap-%	   1165008 peak-live-heap-B	649318448 B/op	 7276830 allocs/op
BenchmarkFlexBalances64MiB-2       	       1	1469852279 ns/op	  45.66 MB/s	   3132232 peak-heap-B	         1.283 peak-live-heap-%	    860840 peak-live-heap-B	649357904 B/op	 7277253 allocs/op
BenchmarkFlexDeposits64MiB-2       	       1	1665750726 ns/op	  40.29 MB/s	   7742080 peak-heap-B	         5.738 peak-live-heap-%	   3850728 peak-live-heap-B	664188112 B/op	 7794119 allocs/op
`

func TestParseAndCheck(t *testing.T) {
	res, order, err := parse(strings.NewReader(strings.Repeat(sample, 5)))
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 15 || order[0] != "BenchmarkGetFacade" {
		t.Fatalf("order %v", order)
	}
	if got := res["BenchmarkPoll1000RateLimited"]["sim-s/op"]; len(got) != 5 || got[0] != 99.9 {
		t.Fatalf("sim-s/op %v", got)
	}
	lines, ok := check(res, 5)
	if !ok {
		t.Fatalf("goals missed:\n%s", strings.Join(lines, "\n"))
	}
	if !strings.Contains(lines[0], "1.200x") || !strings.Contains(lines[1], "1.100x") || !strings.Contains(lines[2], "1.025x") {
		t.Fatalf("ratios:\n%s", strings.Join(lines, "\n"))
	}
	var tb strings.Builder
	table(&tb, res, order)
	if !strings.Contains(tb.String(), "99.9 sim-s/op") {
		t.Fatalf("table:\n%s", tb.String())
	}
}

func TestCheckFailsOnMissedGoalOrTooFewRuns(t *testing.T) {
	slow := strings.Replace(sample, "60000 ns/op", "70000 ns/op", 1) // 1.4x
	res, _, err := parse(strings.NewReader(strings.Repeat(slow, 5)))
	if err != nil {
		t.Fatal(err)
	}
	if lines, ok := check(res, 5); ok || !strings.HasPrefix(lines[0], "FAIL") {
		t.Fatalf("a 1.4x GET passed:\n%s", strings.Join(lines, "\n"))
	}
	res, _, _ = parse(strings.NewReader(strings.Repeat(sample, 3)))
	if lines, ok := check(res, 5); ok {
		t.Fatalf("3 runs passed:\n%s", strings.Join(lines, "\n"))
	}
	fat := strings.Replace(sample, "5.738 peak-live-heap-%", "10.5 peak-live-heap-%", 1)
	res, _, _ = parse(strings.NewReader(strings.Repeat(fat, 5)))
	if lines, ok := check(res, 5); ok || !strings.HasPrefix(lines[8], "FAIL") {
		t.Fatalf("10.5%% of the statement held passed:\n%s", strings.Join(lines, "\n"))
	}
	off := strings.Replace(sample, "99.90 sim-s/op", "106.0 sim-s/op", 1)
	res, _, _ = parse(strings.NewReader(strings.Repeat(off, 5)))
	if lines, ok := check(res, 5); ok || !strings.HasPrefix(lines[3], "FAIL") {
		t.Fatalf("106 s passed:\n%s", strings.Join(lines, "\n"))
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {nil, 0}} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
