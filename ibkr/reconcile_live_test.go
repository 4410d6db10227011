package ibkr

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// slowTransport holds every request to path back for delay (real time)
// before it reaches the server: the request has not arrived when a
// reconciler looking its id up would get a 404.
type slowTransport struct {
	base  http.RoundTripper
	path  string
	delay time.Duration
}

func (s *slowTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == s.path {
		select {
		case <-time.After(s.delay):
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
	return s.base.RoundTrip(req)
}

// ReconcileJournal running in a loop, from another client (a replica)
// sharing the journal, beside 200 concurrent deposits whose requests
// arrive only after several reconcile intervals: it never touches a
// request in flight, so no deposit is reported failed while it exists at
// the sandbox, none is sent with two ids, and no accepted entry becomes
// rejected.
func TestReconcileBesideLiveTraffic(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 60
	}
	srv := ibkrtest.NewServer(t, ibkrtest.WithResponseValidation(false))
	srv.Clock().SetAutoAdvance(true)
	srv.SetRateLimit(0, 0)
	slow := &slowTransport{base: srv.HTTP.Client().Transport, path: "/gw/api/v1/external-cash-transfers", delay: 150 * time.Millisecond}
	hc := &http.Client{Transport: slow, Timeout: time.Minute}
	c := fundingClient(t, srv, WithHTTPClient(hc), WithRateLimit(math.Inf(1), 1))
	e := &fundingEnv{srv: srv, c: c}
	e.linkVerified(t, "Checking")
	replica := fundingClient(t, srv, WithHTTPClient(hc), WithRateLimit(math.Inf(1), 1))
	j := openJournal(t, filepath.Join(t.TempDir(), "journal"))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The reconciler: every 20 ms, far inside the 150 ms a request takes
	// to arrive.
	var rounds, touched atomic.Int64
	stop := make(chan struct{})
	var loop sync.WaitGroup
	loop.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			res, err := replica.ReconcileJournal(ctx, j)
			if err != nil {
				t.Errorf("ReconcileJournal: %v", err)
				return
			}
			rounds.Add(1)
			touched.Add(int64(len(res)))
		}
	})

	type result struct {
		amount Decimal
		in     *Instruction
		err    error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		amount := MustDecimal(fmt.Sprintf("%d.%02d", 1+i/100, i%100))
		wg.Go(func() {
			in, err := c.DepositACH(ctx, ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: amount}, WithCallJournal(j))
			results[i] = result{amount, in, err}
		})
	}
	wg.Wait()
	close(stop)
	loop.Wait()

	held := map[string][]ibkrtest.InstructionInfo{}
	for _, in := range srv.Instructions() {
		if in.Type == "DEPOSIT" {
			held[in.Amount.String()] = append(held[in.Amount.String()], in)
		}
	}
	// Every POST of a deposit carries one id.
	idsByAmount := map[string]map[string]bool{}
	for _, r := range srv.RequestsFor("createExternalCashTransfers") {
		ins, _ := r.Claims["instruction"].(map[string]any)
		if ins == nil {
			continue
		}
		a, id := fmt.Sprint(ins["amount"]), fmt.Sprint(ins["clientInstructionId"])
		if idsByAmount[a] == nil {
			idsByAmount[a] = map[string]bool{}
		}
		idsByAmount[a][id] = true
	}
	for a, ids := range idsByAmount {
		if len(ids) > 1 {
			t.Errorf("deposit of %s sent with %d ids: %v", a, len(ids), ids)
		}
	}
	failed := 0
	for i, r := range results {
		got := held[r.amount.String()]
		if len(got) > 1 {
			t.Fatalf("deposit %d (%s) recorded %d times", i, r.amount, len(got))
		}
		if r.err != nil {
			failed++
			var ou *OutcomeUnknownError
			if len(got) == 1 && !errors.As(r.err, &ou) {
				t.Errorf("deposit %d (%s) reported failed (%v) but the sandbox holds it: %+v", i, r.amount, r.err, got[0])
			}
			continue
		}
		if len(got) != 1 || got[0].ClientInstructionID != r.in.ClientInstructionID {
			t.Errorf("deposit %d (%s) succeeded as %s; the sandbox holds %+v", i, r.amount, r.in.ClientInstructionID, got)
		}
	}
	// The journal agrees: every deposit the sandbox holds is accepted.
	recs, err := j.Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("journal holds %d entries, want %d", len(recs), n)
	}
	for _, r := range recs {
		got := held[r.Entry.Amount.String()]
		if len(got) == 1 && r.State() != JournalAccepted {
			t.Errorf("journal entry %s (%s) is %s; the sandbox holds it", r.Entry.ClientInstructionID, r.Entry.Amount, r.State())
		}
	}
	if rounds.Load() < 5 {
		t.Errorf("the reconciler ran only %d rounds beside the deposits", rounds.Load())
	}
	// Every request was in flight (none crashed): the reconciler had
	// nothing to work on.
	if touched.Load() != 0 {
		t.Errorf("the reconciler worked on %d entries of requests in flight", touched.Load())
	}
	t.Logf("%d deposits, %d failed, %d reconcile rounds resolving %d entries", n, failed, rounds.Load(), touched.Load())
}
