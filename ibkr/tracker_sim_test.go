package ibkr

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// A simulated day of deposits for the tracker's tests and benchmarks: a
// sandbox and a client on one fake clock, accounts with a verified ACH
// bank instruction each, deposits created one by one (DepositACH) or in
// bulk requests (Raw), spread evenly over a creation period, and a driver
// that moves the clock from one thing due to the next: a deposit to make,
// a sandbox lifecycle step (a deposit settling, a callback), or the
// tracker's next round. The client's rate limiter sleeps on the clock, so
// a round's waits pass in simulated time. One goroutine drives it all:
// the simulation is deterministic.

type trackSimConfig struct {
	deposits  int
	accounts  int
	bulk      int           // instructions per bulk request; 0: one by one
	callbacks bool          // the sandbox POSTs callbacks to the tracker
	spread    time.Duration // creation period (default 1 h)
	start     time.Time     // simulated start (default ibkrtest.DefaultStart)
	journal   Journal
	options   func(*TrackerOptions)
	sandbox   []ibkrtest.Option
	logger    bool // log to the suite's log (tests), not to nowhere
}

type trackDelivery struct {
	at  time.Time
	in  *Instruction
	err error
	n   int
}

type trackSim struct {
	cfg       trackSimConfig
	clk       *clock.Fake
	srv       *ibkrtest.Server
	c         *Client
	tr        *Tracker
	accounts  []string
	made      int // deposits created
	createdAt []time.Time
	ids       []ID
	delivered map[ID]*trackDelivery
	dups      int
	peakHeap  uint64
	peakGor   int
	steps     int
}

// trackerOps are the operations the tracker calls.
var trackerOps = []string{"getClientInstructions", "getInstructionSets", "createInstructionsQuery"}

func newTrackSim(tb testing.TB, cfg trackSimConfig) *trackSim {
	tb.Helper()
	if cfg.spread == 0 {
		cfg.spread = time.Hour
	}
	if cfg.start.IsZero() {
		cfg.start = ibkrtest.DefaultStart
	}
	s := &trackSim{cfg: cfg, delivered: map[ID]*trackDelivery{}}
	s.clk = clock.NewFake(cfg.start)
	s.clk.SetAutoAdvance(true)
	opts := []ibkrtest.Option{ibkrtest.WithClock(s.clk), ibkrtest.WithResponseValidation(false)}
	var cb http.Handler
	if cfg.callbacks {
		opts = append(opts, ibkrtest.WithCallbackURL("http://callbacks.invalid/ibkr"),
			ibkrtest.WithCallbackClient(&http.Client{Transport: handlerTransport{func() http.Handler { return cb }}}))
	}
	opts = append(opts, cfg.sandbox...)
	s.srv = ibkrtest.NewServer(tb, opts...)
	copts := []Option{
		WithBaseURL(s.srv.URL),
		WithPrivateKeyPEM(s.srv.ClientID, s.srv.KeyID, s.srv.PrivateKeyPEM),
		WithClock(s.clk),
		WithHTTPClient(s.srv.HTTP.Client()),
	}
	if cfg.logger {
		copts = append(copts, WithLogger(suiteLogger))
	}
	if cfg.journal != nil {
		copts = append(copts, WithJournal(cfg.journal))
	}
	c, err := New(copts...)
	if err != nil {
		tb.Fatal(err)
	}
	s.c = c
	for i := range cfg.accounts {
		acct := fmt.Sprintf("U%07d", 3000000+i)
		if err := s.srv.AddAccount(acct, ibkrtest.AccountOpen); err != nil {
			tb.Fatal(err)
		}
		if err := s.srv.AddLinkedACH(acct, "payroll"); err != nil {
			tb.Fatal(err)
		}
		s.accounts = append(s.accounts, acct)
	}
	s.newTracker(tb)
	cb = NewCallbackHandler(func(ctx context.Context, ev CallbackEvent) error { return s.tr.Notify(ctx, ev) })
	return s
}

// newTracker (re)starts the tracker, as after a crash: a fresh one.
func (s *trackSim) newTracker(tb testing.TB) {
	tb.Helper()
	tr, err := s.c.NewTracker(func(o *TrackerOptions) {
		o.Journal = s.cfg.journal
		o.Callbacks = s.cfg.callbacks
		if s.cfg.options != nil {
			s.cfg.options(o)
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	tr.observe = func(cid ID, in *Instruction, err error, at time.Time) {
		if d := s.delivered[cid]; d != nil {
			d.n++
			s.dups++
			return
		}
		s.delivered[cid] = &trackDelivery{at: at, in: in, err: err, n: 1}
	}
	s.tr = tr
}

// handlerTransport serves requests with an in-process handler.
type handlerTransport struct{ h func() http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h().ServeHTTP(rec, r)
	return rec.Result(), nil
}

// batches is how many creation requests the run makes.
func (s *trackSim) batches() int {
	if s.cfg.bulk > 0 {
		return (s.cfg.deposits + s.cfg.bulk - 1) / s.cfg.bulk
	}
	return s.cfg.deposits
}

// createAt is when creation request k is due.
func (s *trackSim) createAt(k int) time.Time {
	return s.cfg.start.Add(s.cfg.spread * time.Duration(k) / time.Duration(s.batches()))
}

// create makes the next creation request and tracks what it created.
func (s *trackSim) create(tb testing.TB) {
	tb.Helper()
	ctx := bg
	if s.cfg.bulk == 0 {
		acct := s.accounts[s.made%len(s.accounts)]
		in, err := s.c.DepositACH(ctx, ACHDeposit{AccountID: acct, InstructionName: "payroll", Amount: MustDecimal("100.00")})
		if err != nil {
			tb.Fatalf("deposit %d: %v", s.made, err)
		}
		s.created(tb, TrackedOf(in, acct, "ACH"))
		return
	}
	n := min(s.cfg.bulk, s.cfg.deposits-s.made)
	var items []string
	var tracked []Tracked
	for i := range n {
		acct := s.accounts[(s.made+i)%len(s.accounts)]
		id, err := s.c.NewInstructionID(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		items = append(items, fmt.Sprintf(`{"clientInstructionId":%s,"accountId":%q,"amount":100.00,"currency":"USD","bankInstructionMethod":"ACH","bankInstructionName":"payroll"}`, id, acct))
		tracked = append(tracked, Tracked{ClientInstructionID: id, AccountID: acct, Type: "DEPOSIT", Method: "ACH"})
	}
	body := `{"instructionType":"DEPOSIT","instructions":[` + strings.Join(items, ",") + `]}`
	resp, err := s.c.Raw().BulkExternalCashTransfersWithBody(ctx, contentTypeJSON, strings.NewReader(body))
	if err != nil {
		tb.Fatalf("bulk deposit: %v", err)
	}
	defer resp.Body.Close()
	var a struct {
		InstructionSetID ID `json:"instructionSetId"`
	}
	if resp.StatusCode != http.StatusAccepted || json.NewDecoder(resp.Body).Decode(&a) != nil || a.InstructionSetID.IsZero() {
		tb.Fatalf("bulk deposit answered %d", resp.StatusCode)
	}
	for i := range tracked {
		tracked[i].InstructionSetID = a.InstructionSetID
	}
	s.created(tb, tracked...)
}

func (s *trackSim) created(tb testing.TB, items ...Tracked) {
	tb.Helper()
	if err := s.tr.Track(items...); err != nil {
		tb.Fatal(err)
	}
	for _, it := range items {
		s.ids = append(s.ids, it.ClientInstructionID)
		s.createdAt = append(s.createdAt, s.clk.Now())
	}
	s.made += len(items)
}

// simLimit ends a run that would go on forever.
const simLimit = 5 * 24 * time.Hour

// run drives the simulation until every deposit is delivered (or until
// stop returns true after a step).
func (s *trackSim) run(tb testing.TB, stop func() bool) {
	tb.Helper()
	ctx := bg
	k := s.made / max(s.cfg.bulk, 1)
	for len(s.delivered) < s.cfg.deposits {
		if stop != nil && stop() {
			return
		}
		now := s.clk.Now()
		if now.Sub(s.cfg.start) > simLimit {
			tb.Fatalf("not every deposit delivered after %s: %d of %d", simLimit, len(s.delivered), s.cfg.deposits)
		}
		var next time.Time
		if k < s.batches() {
			next = s.createAt(k)
		}
		if w, ok := s.tr.nextWake(); ok && (next.IsZero() || w.Before(next)) {
			next = w
		}
		if n, at := s.srv.PendingEvents(); n > 0 && (next.IsZero() || at.Before(next)) {
			next = at
		}
		if next.IsZero() {
			tb.Fatalf("nothing left to do, %d of %d delivered", len(s.delivered), s.cfg.deposits)
		}
		if next.After(now) {
			s.clk.Set(next)
		}
		s.srv.Tick()
		s.sample()
		now = s.clk.Now()
		if k < s.batches() && !s.createAt(k).After(now) {
			s.create(tb)
			k++
			continue
		}
		if w, ok := s.tr.nextWake(); ok && !w.After(now) {
			s.tr.round(ctx)
		}
	}
	s.sample()
}

// sample records the peak heap and goroutine count now and then.
func (s *trackSim) sample() {
	s.steps++
	if s.steps%64 != 1 {
		return
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.peakHeap = max(s.peakHeap, ms.HeapAlloc)
	s.peakGor = max(s.peakGor, runtime.NumGoroutine())
}

// trackerCalls is how many requests the tracker's operations received.
func (s *trackSim) trackerCalls() int {
	n := 0
	for _, op := range trackerOps {
		n += s.srv.RequestCount(op, 0)
	}
	return n
}

// worstLatency is the longest time between the sandbox settling a
// deposit and the tracker delivering it.
func (s *trackSim) worstLatency(tb testing.TB) time.Duration {
	tb.Helper()
	var worst time.Duration
	for _, id := range s.ids {
		d := s.delivered[id]
		info, ok := s.srv.InstructionByClientID(s.srv.ClientID, id)
		if d == nil || !ok {
			tb.Fatalf("deposit %s: delivered %v, known to the sandbox %v", id, d != nil, ok)
		}
		if info.Status != ibkrtest.StatusProcessed && info.Status != ibkrtest.StatusRejected {
			tb.Fatalf("deposit %s delivered while the sandbox has it %s", id, info.Status)
		}
		worst = max(worst, d.at.Sub(info.Updated))
	}
	return worst
}
