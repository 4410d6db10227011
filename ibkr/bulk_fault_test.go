package ibkr

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// scriptedTransport runs script before each request to path, with the
// request's number (1, 2, ...): script arms the sandbox's faults for it,
// or returns how the transport itself loses the exchange: "before" (the
// request never reaches the server), "after" (the server answers, the
// answer is lost) or "" (untouched).
type scriptedTransport struct {
	base   http.RoundTripper
	path   string
	script func(n int) string

	mu   sync.Mutex
	n    int
	held *http.Request // a copy held back by "hold"
}

func (s *scriptedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path != s.path {
		return s.base.RoundTrip(req)
	}
	s.mu.Lock()
	s.n++
	n := s.n
	s.mu.Unlock()
	switch how := s.script(n); how {
	case "hold":
		// The request is delayed in the network: the caller times out,
		// the copy arrives with the next request ("release").
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		s.held = req.Clone(req.Context())
		s.held.Body = io.NopCloser(bytes.NewReader(body))
		return nil, timeoutErr()
	case "release":
		resp, err := s.base.RoundTrip(s.held)
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return s.base.RoundTrip(req)
	default:
		return lose(s.base, req, how)
	}
}

const bulkCashPath = "/gw/api/v1/external-cash-transfers:bulk"

// bulkFaultEnv is a sandbox with a linked ACH instruction and a client
// whose bulk deposits go through a scripted transport, journaled in a
// file journal.
func bulkFaultEnv(t *testing.T, script func(srv *ibkrtest.Server, n int) string) (*ibkrtest.Server, *scriptedTransport, *FileJournal, *Client) {
	t.Helper()
	srv := ibkrtest.NewServer(t)
	srv.Clock().SetAutoAdvance(true)
	if err := srv.AddLinkedACH(ibkrtest.DemoAccountID, "Checking"); err != nil {
		t.Fatal(err)
	}
	tr := &scriptedTransport{base: srv.HTTP.Client().Transport, path: bulkCashPath, script: func(n int) string { return script(srv, n) }}
	j := tempJournal(t)
	c := fundingClient(t, srv, WithHTTPClient(&http.Client{Transport: tr, Timeout: time.Minute}), WithJournal(j))
	return srv, tr, j, c
}

// TestBulkDeposit500ExactlyOnceUnderFaults sends one bulk deposit of 500
// items whose answers are lost again and again, in every way: the
// sandbox records part of the request and drops the connection, the
// request times out before reaching it, it fails with a 500 before
// recording anything, records another part and fails with a 503 (while
// the lookups fail too), and finally records the rest with the answer
// lost. Every item must end recorded exactly once at the sandbox, under
// its own id, with a known result, and the journal must hold nothing
// pending.
func TestBulkDeposit500ExactlyOnceUnderFaults(t *testing.T) {
	const n = 500
	const op = "bulkExternalCashTransfers"
	srv, tr, j, c := bulkFaultEnv(t, func(srv *ibkrtest.Server, n int) string {
		switch n {
		case 1:
			srv.FailBulkAfter(op, 1, 120, 0) // 120 recorded, connection dropped
		case 2:
			return "before" // times out on the way
		case 3:
			srv.FailNext(op, 1, 500) // fails before recording anything
		case 4:
			srv.FailBulkAfter(op, 1, 100, 503)            // 100 more recorded, then a 503
			srv.FailNext("getClientInstructions", 2, 500) // and the first lookups fail
		case 5:
			return "after" // the rest recorded, the answer lost
		}
		return ""
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	items := bulkDeposits(n)
	start := time.Now()
	res, err := c.BulkExternalCashTransfers(ctx, items, WithCallRetry(RetryPolicy{MaxResends: 8}))
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("BulkExternalCashTransfers: %v", err)
	}
	if tr.n != 5 || len(res.Items) != n {
		t.Fatalf("%d bulk sends, %d results; want 5 and %d", tr.n, len(res.Items), n)
	}

	// The sandbox's own record: every item once, under its id, with its
	// amount.
	held := map[string][]ibkrtest.InstructionInfo{}
	deposits := 0
	for _, in := range srv.Instructions() {
		if in.Type == "DEPOSIT" {
			deposits++
			held[in.ClientInstructionID.String()] = append(held[in.ClientInstructionID.String()], in)
		}
	}
	if deposits != n {
		t.Fatalf("sandbox holds %d deposits, want %d", deposits, n)
	}
	resent := 0
	for i, it := range res.Items {
		want := items[i].(ACHDeposit)
		got := held[it.ClientInstructionID.String()]
		if len(got) != 1 || !got[0].Amount.Equal(want.Amount) {
			t.Fatalf("item %d (%s): sandbox holds %+v", i, it.ClientInstructionID, got)
		}
		if it.Err != nil || it.Instruction == nil || !it.Instruction.Status.known() || it.Instruction.Status == InstructionRejected ||
			it.Instruction.InstructionID.String() != got[0].ID.String() || it.Instruction.ClientInstructionID != it.ClientInstructionID {
			t.Fatalf("item %d: %+v, %v; sandbox %+v", i, it.Instruction, it.Err, got[0])
		}
		// The first 120 were recorded by the first send: found by
		// lookup, never sent again. All others were resent.
		if it.Resent != (i >= 120) || !it.Instruction.Reconciled {
			t.Fatalf("item %d: Resent %v, Reconciled %v", i, it.Resent, it.Instruction.Reconciled)
		}
		if it.Resent {
			resent++
		}
	}
	if got := srv.RequestCount(op, 0); got != 4 {
		t.Fatalf("bulk requests at the sandbox: %d, want 4", got)
	}
	pending, err := j.Pending(ctx)
	if err != nil || len(pending) != 0 {
		t.Fatalf("journal pending after the call: %d, %v", len(pending), err)
	}
	t.Logf("%d items, %d bulk sends (4 reached the sandbox), %d resent, %d lookups, %s",
		n, tr.n, resent, len(srv.RequestsFor("getClientInstructions")), elapsed.Round(time.Millisecond))
}

// TestBulkDepositsRandomFaultsThenJournal sends 500 deposits in ten bulk
// requests, each send of which may meet a random fault (parts recorded
// before a drop or a 5xx, timeouts either way, a 500 or 429 before
// anything, a cut answer, failing lookups), with the default two
// resends. Whatever stays unknown is settled from the journal. In the
// end every deposit is recorded exactly once at the sandbox, under its
// id, and nothing is pending.
func TestBulkDepositsRandomFaultsThenJournal(t *testing.T) {
	const calls, per = 10, 50
	const op = "bulkExternalCashTransfers"
	rng := rand.New(rand.NewPCG(3, 4))
	faults := map[string]int{}
	calm := false // no faults while the journal is reconciled
	srv, tr, j, c := bulkFaultEnv(t, func(srv *ibkrtest.Server, _ int) string {
		srv.ClearFaults()
		if calm || rng.IntN(10) < 4 {
			return ""
		}
		f := []string{"partial-drop", "partial-503", "before", "after", "500", "429", "malformed", "lookups"}[rng.IntN(8)]
		faults[f]++
		switch f {
		case "partial-drop":
			srv.FailBulkAfter(op, 1, rng.IntN(per), 0)
		case "partial-503":
			srv.FailBulkAfter(op, 1, rng.IntN(per), 503)
		case "before", "after":
			return f
		case "500":
			srv.FailNext(op, 1, 500)
		case "429":
			srv.FailNext(op, 1, 429)
		case "malformed":
			srv.MalformNext(op, 1)
		case "lookups":
			srv.DropAfterCommit(op, 1)
			srv.FailNext("getClientInstructions", 4*rng.IntN(per), 500)
		}
		return ""
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	all := bulkDeposits(calls * per)
	var items []BulkItem
	unknown := 0
	for k := range calls {
		res, err := c.BulkExternalCashTransfers(ctx, all[k*per:(k+1)*per])
		if res == nil {
			t.Fatalf("call %d: %v", k, err)
		}
		if u := res.Unknown(); len(u) > 0 {
			unknown += len(u)
			if !errors.Is(err, ErrOutcomeUnknown) {
				t.Fatalf("call %d: %d unknown items, error %v", k, len(u), err)
			}
		}
		for _, it := range res.Items {
			if it.Err != nil && !errors.Is(it.Err, ErrOutcomeUnknown) {
				t.Fatalf("call %d: item %s failed: %v", k, it.ClientInstructionID, it.Err)
			}
		}
		items = append(items, res.Items...)
	}
	srv.ClearFaults()
	calm = true
	counts := func() map[string]int {
		m := map[string]int{}
		for _, in := range srv.Instructions() {
			if in.Type == "DEPOSIT" {
				m[in.ClientInstructionID.String()]++
			}
		}
		return m
	}
	for id, n := range counts() {
		if n > 1 {
			t.Fatalf("deposit %s recorded %d times", id, n)
		}
	}
	rs, err := c.ReconcileJournal(ctx, j)
	if err != nil || len(rs) != unknown {
		t.Fatalf("ReconcileJournal: %d resolutions for %d unknown items, %v", len(rs), unknown, err)
	}
	for _, r := range rs {
		if r.Err != nil || r.Outcome.State != JournalAccepted {
			t.Fatalf("resolution %+v", r)
		}
	}
	got := counts()
	if len(got) != calls*per {
		t.Fatalf("sandbox holds %d distinct deposits, want %d", len(got), calls*per)
	}
	for i, it := range items {
		if got[it.ClientInstructionID.String()] != 1 {
			t.Fatalf("item %d (%s) recorded %d times", i, it.ClientInstructionID, got[it.ClientInstructionID.String()])
		}
	}
	if pending, err := j.Pending(ctx); err != nil || len(pending) != 0 {
		t.Fatalf("journal pending: %d, %v", len(pending), err)
	}
	t.Logf("%d deposits in %d bulk calls, %d sends, faults %v; %d items left unknown, settled from the journal", calls*per, calls, tr.n, faults, unknown)
}

// A request held up in the network: the client times out, finds none of
// the items at IBKR and sends them again; the first copy arrives just
// before the second, which IBKR refuses item by item as duplicates. The
// items are IBKR's first copy, recorded once, not rejections.
func TestBulkLateFirstCopy(t *testing.T) {
	srv, tr, _, c := bulkFaultEnv(t, func(_ *ibkrtest.Server, n int) string {
		return map[int]string{1: "hold", 2: "release"}[n]
	})
	res, err := c.BulkExternalCashTransfers(fctx(t), bulkDeposits(3))
	if err != nil || tr.n != 2 {
		t.Fatalf("err %v after %d sends", err, tr.n)
	}
	for i, it := range res.Items {
		if it.Err != nil || it.Instruction.Status != InstructionPending || !it.Instruction.Reconciled {
			t.Fatalf("item %d: %+v, %v", i, it.Instruction, it.Err)
		}
		got, ok := srv.InstructionByClientID(srv.ClientID, it.ClientInstructionID)
		if !ok || got.ID.String() != it.Instruction.InstructionID.String() {
			t.Fatalf("item %d: sandbox %+v", i, got)
		}
	}
	if n := countType(srv, "DEPOSIT"); n != 3 || srv.RequestCount(bulkCashOp, 207) != 1 {
		t.Fatalf("sandbox holds %d deposits (want 3), refused %d copies (want 1)", n, srv.RequestCount(bulkCashOp, 207))
	}
}
