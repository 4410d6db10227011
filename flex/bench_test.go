package flex

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The benchmarks read a generated 64 MiB statement from a file: four
// accounts, each mostly trades, open positions and cash transactions
// (one in twenty a deposit or withdrawal), with the NAV and cash report
// rows the balances come from. BenchmarkFlexRawTokenScan64MiB is the
// floor: encoding/xml's RawToken over the same bytes, doing nothing else.
// peak-live-heap-B is the highest live heap (what each garbage collection
// found reachable) above the level before the call, sampled every 200 µs,
// and peak-live-heap-% that as a share of the file: the memory the reader
// holds. peak-heap-B also counts garbage not yet collected, which depends
// on GOGC and the allocation rate (encoding/xml allocates every name and
// attribute value); the raw scan shows the floor of that.

const benchStatementSize = 64 << 20

var (
	benchOnce sync.Once
	benchDir  string
	benchPath string
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		_ = os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchStatement writes the statement once per test binary.
func benchStatement(b *testing.B) string {
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "ibkr-go-flex-bench-")
		if benchErr != nil {
			return
		}
		benchPath = filepath.Join(benchDir, "statement.xml")
		f, err := os.Create(benchPath)
		if err != nil {
			benchErr = err
			return
		}
		w := bufio.NewWriterSize(f, 1<<20)
		n := writeBenchStatement(w, benchStatementSize)
		if err := w.Flush(); err != nil {
			benchErr = err
		}
		if err := f.Close(); err != nil && benchErr == nil {
			benchErr = err
		}
		if benchErr == nil && n < benchStatementSize {
			benchErr = fmt.Errorf("generated %d bytes", n)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

// countWriter counts what it writes.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

const benchAccounts = 4

// writeBenchStatement writes a statement of at least size bytes.
func writeBenchStatement(out io.Writer, size int64) int64 {
	w := &countWriter{w: out}
	per := size / benchAccounts
	fmt.Fprintf(w, "<FlexQueryResponse queryName=\"Benchmark\" type=\"AF\">\n<FlexStatements count=\"%d\">\n", benchAccounts)
	for a := range benchAccounts {
		id := fmt.Sprintf("U%07d", 1000001+a)
		start := w.n
		fmt.Fprintf(w, "<FlexStatement accountId=\"%s\" fromDate=\"20250101\" toDate=\"20251231\" period=\"YearToDate\" whenGenerated=\"20260101;091502\">\n", id)
		fmt.Fprintf(w, "<AccountInformation accountId=\"%s\" acctAlias=\"\" model=\"\" currency=\"USD\" name=\"Account %d\" accountType=\"Individual\" customerType=\"Individual\" accountCapabilities=\"Margin\" tradingPermissions=\"Stocks,Options\" dateOpened=\"20200102\" dateFunded=\"20200103\" dateClosed=\"\" ibEntity=\"IBLLC-US\" />\n", id, a)
		fmt.Fprintf(w, "<EquitySummaryInBase>\n")
		for d := 1; d <= 28; d++ {
			fmt.Fprintf(w, "<EquitySummaryByReportDateInBase accountId=\"%s\" acctAlias=\"\" model=\"\" currency=\"USD\" reportDate=\"202512%02d\" cash=\"%d.25\" stock=\"125000.5\" options=\"0\" bonds=\"0\" funds=\"0\" crypto=\"0\" interestAccruals=\"12.5\" dividendAccruals=\"3.1\" total=\"%d.75\" totalLong=\"130000\" totalShort=\"0\" />\n", id, d, 5000+d, 130000+d)
		}
		fmt.Fprintf(w, "</EquitySummaryInBase>\n<CashReport>\n")
		for _, c := range []string{"BASE_SUMMARY", "USD", "EUR", "GBP"} {
			fmt.Fprintf(w, "<CashReportCurrency accountId=\"%s\" currency=\"%s\" fromDate=\"20250101\" toDate=\"20251231\" startingCash=\"1000\" deposits=\"500\" withdrawals=\"-20\" depositWithdrawals=\"480\" commissions=\"-12.5\" dividends=\"40.2\" endingCash=\"5028.25\" endingSettledCash=\"5028.25\" levelOfDetail=\"Currency\" />\n", id, c)
		}
		fmt.Fprintf(w, "</CashReport>\n")
		// Sections of a third each: trades, positions, cash transactions.
		third := per / 3
		fmt.Fprintf(w, "<Trades>\n")
		for i := 0; w.n-start < third; i++ {
			fmt.Fprintf(w, "<Trade accountId=\"%s\" acctAlias=\"\" model=\"\" currency=\"USD\" fxRateToBase=\"1\" assetCategory=\"STK\" subCategory=\"COMMON\" symbol=\"SYM%d\" description=\"SYMBOL %d INC\" conid=\"%d\" securityID=\"US0000000%03d\" securityIDType=\"ISIN\" cusip=\"\" isin=\"US0000000%03d\" listingExchange=\"NASDAQ\" multiplier=\"1\" strike=\"\" expiry=\"\" putCall=\"\" tradeID=\"%d\" reportDate=\"20251201\" tradeDate=\"20251201\" dateTime=\"20251201;093015\" settleDateTarget=\"20251203\" transactionType=\"ExchTrade\" exchange=\"NASDAQ\" quantity=\"%d\" tradePrice=\"101.25\" tradeMoney=\"10125\" proceeds=\"-10125\" taxes=\"0\" ibCommission=\"-1\" ibCommissionCurrency=\"USD\" netCash=\"-10126\" closePrice=\"101.5\" openCloseIndicator=\"O\" notes=\"\" cost=\"10126\" fifoPnlRealized=\"0\" mtmPnl=\"25\" buySell=\"BUY\" ibOrderID=\"%d\" transactionID=\"%d\" levelOfDetail=\"EXECUTION\" />\n",
				id, i%500, i%500, 100000+i%500, i%1000, i%1000, 900000000+i, 1+i%300, 700000000+i, 800000000+i)
		}
		fmt.Fprintf(w, "</Trades>\n<OpenPositions>\n")
		for i := 0; w.n-start < 2*third; i++ {
			fmt.Fprintf(w, "<OpenPosition accountId=\"%s\" acctAlias=\"\" model=\"\" currency=\"USD\" fxRateToBase=\"1\" assetCategory=\"STK\" symbol=\"SYM%d\" description=\"SYMBOL %d INC\" conid=\"%d\" isin=\"US0000000%03d\" reportDate=\"20251231\" position=\"%d\" markPrice=\"101.5\" positionValue=\"%d.5\" openPrice=\"100\" costBasisPrice=\"100\" costBasisMoney=\"10000\" percentOfNAV=\"0.05\" fifoPnlUnrealized=\"150\" side=\"Long\" levelOfDetail=\"LOT\" openDateTime=\"20250301;101500\" holdingPeriodDateTime=\"20250301;101500\" code=\"\" />\n",
				id, i%500, i%500, 100000+i%500, i%1000, 1+i%300, 101*(1+i%300))
		}
		fmt.Fprintf(w, "</OpenPositions>\n<CashTransactions>\n")
		for i := 0; w.n-start < per-200; i++ {
			typ, amount := "Dividends", "12.34"
			switch i % 20 {
			case 0:
				typ, amount = "Deposits &amp; Withdrawals", "250.00"
			case 10:
				typ, amount = "Deposits &amp; Withdrawals", "-100.00"
			case 5:
				typ, amount = "Broker Interest Received", "0.51"
			}
			fmt.Fprintf(w, "<CashTransaction accountId=\"%s\" acctAlias=\"\" model=\"\" currency=\"USD\" fxRateToBase=\"1\" assetCategory=\"\" symbol=\"\" description=\"TRANSACTION %d\" conid=\"\" securityID=\"\" dateTime=\"2025%02d%02d;101500\" settleDate=\"2025%02d%02d\" amount=\"%s\" type=\"%s\" tradeID=\"\" code=\"\" transactionID=\"%d\" reportDate=\"2025%02d%02d\" clientReference=\"\" levelOfDetail=\"DETAIL\" />\n",
				id, i, 1+i%12, 1+i%28, 1+i%12, 1+i%28, amount, typ, 600000000+i, 1+i%12, 1+i%28)
		}
		fmt.Fprintf(w, "</CashTransactions>\n</FlexStatement>\n")
	}
	fmt.Fprintf(w, "</FlexStatements>\n</FlexQueryResponse>\n")
	return w.n
}

// heapSampler records, while it runs, the highest live heap (as measured
// by each garbage collection) and the highest heap including garbage not
// yet collected.
type heapSampler struct {
	stop     chan struct{}
	done     chan struct{}
	peakLive atomic.Uint64
	peakAll  atomic.Uint64
	baseLive uint64
	baseAll  uint64
}

func heapNow() (live, all uint64) {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}

func raise(a *atomic.Uint64, v uint64) {
	if v > a.Load() {
		a.Store(v)
	}
}

func startHeapSampler() *heapSampler {
	runtime.GC()
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	h.baseLive, h.baseAll = heapNow()
	go func() {
		defer close(h.done)
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			live, all := heapNow()
			raise(&h.peakLive, live)
			raise(&h.peakAll, all)
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// finish stops sampling and returns the peaks above the starting levels.
func (h *heapSampler) finish() (live, all uint64) {
	close(h.stop)
	<-h.done
	sub := func(p, base uint64) uint64 {
		if p > base {
			return p - base
		}
		return 0
	}
	return sub(h.peakLive.Load(), h.baseLive), sub(h.peakAll.Load(), h.baseAll)
}

// benchFile runs fn over the statement file b.N times and reports MB/s
// and the peak heap.
func benchFile(b *testing.B, fn func(io.Reader) error) {
	path := benchStatement(b)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	var peakLive, peakAll uint64
	b.ResetTimer()
	for range b.N {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		h := startHeapSampler()
		b.StartTimer()
		err = fn(f)
		b.StopTimer()
		live, all := h.finish()
		peakLive, peakAll = max(peakLive, live), max(peakAll, all)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(peakLive), "peak-live-heap-B")
	b.ReportMetric(100*float64(peakLive)/float64(st.Size()), "peak-live-heap-%")
	b.ReportMetric(float64(peakAll), "peak-heap-B")
}

func BenchmarkFlexRawTokenScan64MiB(b *testing.B) {
	benchFile(b, func(r io.Reader) error {
		d := xml.NewDecoder(bufio.NewReaderSize(r, 64<<10))
		for {
			if _, err := d.RawToken(); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
		}
	})
}

func BenchmarkFlexTokenScan64MiB(b *testing.B) {
	benchFile(b, func(r io.Reader) error {
		d := xml.NewDecoder(bufio.NewReaderSize(r, 64<<10))
		for {
			if _, err := d.Token(); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
		}
	})
}

func BenchmarkFlexBalances64MiB(b *testing.B) {
	benchFile(b, func(r io.Reader) error {
		got, err := Balances(r)
		if err == nil && (len(got) != benchAccounts || got[0].NAV.String() != "130028.75") {
			err = fmt.Errorf("balances %+v", got)
		}
		return err
	})
}

func BenchmarkFlexDeposits64MiB(b *testing.B) {
	benchFile(b, func(r io.Reader) error {
		got, err := Deposits(r, Date{2025, 6, 1})
		if err == nil && len(got) < 1000 {
			err = fmt.Errorf("%d deposits", len(got))
		}
		return err
	})
}

// TestBenchStatementParses checks a small statement of the generator's
// shape: the benchmarks' expectations hold on it.
func TestBenchStatementParses(t *testing.T) {
	pr, pw := io.Pipe()
	go func() { writeBenchStatement(pw, 1<<20); pw.Close() }()
	rep, err := Parse(pr)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Statements) != benchAccounts || len(rep.Statements[0].Other["Trades"]) == 0 || len(rep.Statements[0].OpenPositions) == 0 {
		t.Fatalf("%d statements", len(rep.Statements))
	}
	n := 0
	for _, tx := range rep.Statements[0].CashTransactions {
		if tx.IsDepositOrWithdrawal() {
			n++
		}
	}
	if n == 0 {
		t.Fatal("no deposits")
	}
}
