// Command bench-ratios reads Go benchmark output (the file `make bench`
// writes, which benchstat reads too), prints the median of every
// benchmark's measurements, and checks the claims of BENCHMARKS.md: the
// facade's cost per operation against hand-written net/http code, the
// simulated time of 1,000 polls under the rate limit, and the tracker's
// calls per deposit, delivery latency, 429s and heap. It exits 1 when a
// goal is missed or a benchmark has fewer than -min runs.
//
//	go run ./scripts/bench-ratios [-min 5] bench.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// goal is one claim: the median of Num's metric over the median of Den's
// is at most Max (or, without Den, Num's median lies in [Min, Max]).
type goal struct {
	Name     string
	Num, Den string
	Unit     string
	Min, Max float64
}

var goals = []goal{
	{Name: "HTTPS GET, facade Raw() / raw net/http", Num: "BenchmarkGetFacade", Den: "BenchmarkGetRaw", Unit: "ns/op", Max: 1.3},
	{Name: "HTTPS GET, facade InstructionStatus / raw net/http", Num: "BenchmarkGetFacadeStatus", Den: "BenchmarkGetRaw", Unit: "ns/op", Max: 1.3},
	{Name: "signed POST, facade / raw JSON + rsa.SignPKCS1v15", Num: "BenchmarkSignedPostFacade", Den: "BenchmarkSignedPostRaw", Unit: "ns/op", Max: 1.1},
	{Name: "1,000 polls at 10/s, simulated seconds (100 s ± 5%)", Num: "BenchmarkPoll1000RateLimited", Unit: "sim-s/op", Min: 95, Max: 105},
	{Name: "token requests per 1,000 concurrent first calls", Num: "BenchmarkTokenSingleFlight1000", Unit: "token-requests/op", Min: 1, Max: 1},
	{Name: "Flex balances of a 64 MiB statement / raw encoding/xml RawToken scan", Num: "BenchmarkFlexBalances64MiB", Den: "BenchmarkFlexRawTokenScan64MiB", Unit: "ns/op", Max: 1.5},
	{Name: "Flex deposits of a 64 MiB statement / raw encoding/xml RawToken scan", Num: "BenchmarkFlexDeposits64MiB", Den: "BenchmarkFlexRawTokenScan64MiB", Unit: "ns/op", Max: 1.5},
	{Name: "Flex balances, peak live heap, % of the 64 MiB statement", Num: "BenchmarkFlexBalances64MiB", Unit: "peak-live-heap-%", Min: 0, Max: 10},
	{Name: "Flex deposits, peak live heap, % of the 64 MiB statement", Num: "BenchmarkFlexDeposits64MiB", Unit: "peak-live-heap-%", Min: 0, Max: 10},
	// Settlement at scale (issue 14): 1,000 or 10,000 ACH deposits over a
	// simulated day, followed by one Tracker.
	{Name: "tracker, bulk 1,000: status calls per deposit", Num: "BenchmarkTrackBulk1000", Unit: "calls/deposit", Max: 0.1},
	{Name: "tracker, bulk 10,000: status calls per deposit", Num: "BenchmarkTrackBulk10000", Unit: "calls/deposit", Max: 0.1},
	{Name: "tracker, 10 accounts: status calls per deposit", Num: "BenchmarkTrackFewAccounts1000", Unit: "calls/deposit", Max: 1},
	{Name: "tracker, 1,000 accounts: status calls per deposit", Num: "BenchmarkTrackManyAccounts1000", Unit: "calls/deposit", Max: 20},
	{Name: "tracker, callbacks: status calls per deposit", Num: "BenchmarkTrackCallbacks1000", Unit: "calls/deposit", Max: 1.5},
	{Name: "tracker, bulk 1,000: worst latency (s)", Num: "BenchmarkTrackBulk1000", Unit: "latency-s", Max: 900},
	{Name: "tracker, bulk 10,000: worst latency (s)", Num: "BenchmarkTrackBulk10000", Unit: "latency-s", Max: 900},
	{Name: "tracker, 10 accounts: worst latency (s)", Num: "BenchmarkTrackFewAccounts1000", Unit: "latency-s", Max: 900},
	{Name: "tracker, 1,000 accounts: worst latency (s)", Num: "BenchmarkTrackManyAccounts1000", Unit: "latency-s", Max: 900},
	{Name: "tracker, callbacks: worst latency (s)", Num: "BenchmarkTrackCallbacks1000", Unit: "latency-s", Max: 60},
	{Name: "tracker, bulk 10,000: 429 answers", Num: "BenchmarkTrackBulk10000", Unit: "429s", Max: 0},
	{Name: "tracker, 1,000 accounts: 429 answers", Num: "BenchmarkTrackManyAccounts1000", Unit: "429s", Max: 0},
	{Name: "tracker, bulk 10,000: peak heap (MiB)", Num: "BenchmarkTrackBulk10000", Unit: "peak-heap-MiB", Max: 50},
}

// results maps benchmark name (without the -GOMAXPROCS suffix) to unit to
// the values of every run, in file order.
type results map[string]map[string][]float64

// parse reads benchmark lines: name, iterations, then value/unit pairs.
func parse(r io.Reader) (results, []string, error) {
	res := results{}
	var order []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		if res[name] == nil {
			res[name] = map[string][]float64{}
			order = append(order, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: value %q: %v", name, f[i], err)
			}
			res[name][f[i+1]] = append(res[name][f[i+1]], v)
		}
	}
	return res, order, sc.Err()
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// check evaluates the goals; it returns the report lines and whether all
// held.
func check(res results, minRuns int) ([]string, bool) {
	var out []string
	ok := true
	get := func(name, unit string) ([]float64, error) {
		v := res[name][unit]
		if len(v) == 0 {
			return nil, fmt.Errorf("no %s results for %s", unit, name)
		}
		if len(v) < minRuns {
			return nil, fmt.Errorf("%s: %d runs, need at least %d", name, len(v), minRuns)
		}
		return v, nil
	}
	for _, g := range goals {
		num, err := get(g.Num, g.Unit)
		if err != nil {
			out, ok = append(out, fmt.Sprintf("FAIL  %s: %v", g.Name, err)), false
			continue
		}
		if g.Den == "" {
			m := median(num)
			pass := m >= g.Min && m <= g.Max
			out = append(out, fmt.Sprintf("%s  %s: median %.4g (goal %g..%g, %d runs)", verdict(pass), g.Name, m, g.Min, g.Max, len(num)))
			ok = ok && pass
			continue
		}
		den, err := get(g.Den, g.Unit)
		if err != nil {
			out, ok = append(out, fmt.Sprintf("FAIL  %s: %v", g.Name, err)), false
			continue
		}
		ratio := median(num) / median(den)
		// Runs are interleaved (make bench runs the whole suite once per
		// round), so run i of one side pairs with run i of the other.
		var paired []float64
		for i := 0; i < len(num) && i < len(den); i++ {
			paired = append(paired, num[i]/den[i])
		}
		pass := ratio <= g.Max
		out = append(out, fmt.Sprintf("%s  %s: %.3fx (goal <= %gx; medians %.4g / %.4g %s over %d/%d runs; paired ratios %.3f..%.3f, median %.3f)",
			verdict(pass), g.Name, ratio, g.Max, median(num), median(den), g.Unit, len(num), len(den), minOf(paired), maxOf(paired), median(paired)))
		ok = ok && pass
	}
	return out, ok
}

func verdict(pass bool) string {
	if pass {
		return "ok  "
	}
	return "FAIL"
}

func minOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func maxOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// table prints every benchmark's medians.
func table(w io.Writer, res results, order []string) {
	cols := []struct {
		unit  string
		width int
	}{{"ns/op", 14}, {"B/op", 10}, {"allocs/op", 10}}
	fmt.Fprintf(w, "%-40s %5s %14s %10s %10s  %s\n", "benchmark (median)", "runs", "ns/op", "B/op", "allocs/op", "other")
	for _, name := range order {
		m := res[name]
		fmt.Fprintf(w, "%-40s %5d", name, len(m["ns/op"]))
		for _, c := range cols {
			if v, ok := m[c.unit]; ok {
				fmt.Fprintf(w, " %*.0f", c.width, median(v))
			} else {
				fmt.Fprintf(w, " %*s", c.width, "-")
			}
		}
		var extra []string
		for u, v := range m {
			if u != "ns/op" && u != "B/op" && u != "allocs/op" {
				extra = append(extra, fmt.Sprintf("%.4g %s", median(v), u))
			}
		}
		sort.Strings(extra)
		fmt.Fprintf(w, "  %s\n", strings.Join(extra, ", "))
	}
}

func main() {
	minRuns := flag.Int("min", 5, "fewest runs per benchmark a goal accepts")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: bench-ratios [-min N] bench.txt")
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	res, order, err := parse(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	table(os.Stdout, res, order)
	fmt.Println()
	lines, ok := check(res, *minRuns)
	for _, l := range lines {
		fmt.Println(l)
	}
	if !ok {
		os.Exit(1)
	}
}
