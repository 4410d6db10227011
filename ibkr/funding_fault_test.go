package ibkr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// lossyTransport loses exchanges on purpose: before the request reaches
// the server (a timeout while sending) or after the server answered (a
// timeout while reading the answer). Only requests to path are touched,
// and only when armed.
type lossyTransport struct {
	base http.RoundTripper
	path string

	mu    sync.Mutex
	armed string // "before", "after" or ""
	hits  int
}

func (l *lossyTransport) arm(kind string) {
	l.mu.Lock()
	l.armed = kind
	l.mu.Unlock()
}

func (l *lossyTransport) take(path string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if path != l.path || l.armed == "" {
		return ""
	}
	k := l.armed
	l.armed = ""
	l.hits++
	return k
}

func timeoutErr() error {
	return &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
}

func (l *lossyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return lose(l.base, req, l.take(req.URL.Path))
}

// lose sends req through base, losing the exchange as how says:
// "before" (a timeout before the request reaches the server), "after"
// (the server answers, the answer is lost in a timeout) or "" (not at
// all).
func lose(base http.RoundTripper, req *http.Request, how string) (*http.Response, error) {
	switch how {
	case "before":
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, timeoutErr()
	case "after":
		resp, err := base.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return nil, timeoutErr()
	}
	return base.RoundTrip(req)
}

// The faults the test injects, one per faulty deposit.
var depositFaults = []string{
	"drop",          // the sandbox commits, then drops the connection: reconciled by lookup
	"500",           // the sandbox fails before committing: lookup says 404, resent with the same id
	"429",           // rate limited: lookup says 404, resent with the same id
	"timeout-send",  // lost on the way: lookup says 404, resent with the same id
	"timeout-reply", // committed, the answer lost: reconciled by lookup
	"malformed",     // committed, the answer cut short: settled by lookup
	"drop+lookup",   // committed, answer lost, every lookup fails too: outcome unknown
	"500x3",         // never committed, every resend fails: outcome unknown
}

// TestDepositsExactlyOnceUnderFaults runs many ACH deposits, a fifth of
// them with an injected fault, and checks that money never moves twice
// and that every outcome is accounted for.
func TestDepositsExactlyOnceUnderFaults(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	srv := ibkrtest.NewServer(t, ibkrtest.WithResponseValidation(false))
	srv.Clock().SetAutoAdvance(true)
	lossy := &lossyTransport{base: srv.HTTP.Client().Transport, path: "/gw/api/v1/external-cash-transfers"}
	c := fundingClient(t, srv, WithHTTPClient(&http.Client{Transport: lossy, Timeout: time.Minute}))
	e := &fundingEnv{srv: srv, c: c}
	e.linkVerified(t, "Checking")
	ctx := context.Background()

	type outcome struct {
		amount Decimal
		fault  string
		in     *Instruction
		err    error
	}
	rng := rand.New(rand.NewPCG(1, 2))
	results := make([]outcome, n)
	injected := 0
	for i := range n {
		amount := MustDecimal(fmt.Sprintf("%d.%02d", 1+i/100, i%100)) // unique per deposit
		fault := ""
		if rng.IntN(5) == 0 {
			fault = depositFaults[rng.IntN(len(depositFaults))]
			injected++
		}
		srv.ClearFaults() // a fault a retry did not consume ends with its deposit
		switch fault {
		case "drop":
			srv.DropAfterCommit("createExternalCashTransfers", 1)
		case "500":
			srv.FailNext("createExternalCashTransfers", 1, 500)
		case "429":
			srv.FailNext("createExternalCashTransfers", 1, 429)
		case "timeout-send":
			lossy.arm("before")
		case "timeout-reply":
			lossy.arm("after")
		case "malformed":
			srv.MalformNext("createExternalCashTransfers", 1)
		case "drop+lookup":
			srv.DropAfterCommit("createExternalCashTransfers", 1)
			// Settling lookups are retried after a 500: fail them all.
			srv.FailNext("getClientInstructions", DefaultRetryPolicy().MaxAttempts, 500)
		case "500x3":
			srv.FailNext("createExternalCashTransfers", 3, 500)
		}
		in, err := c.DepositACH(ctx, ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: amount})
		results[i] = outcome{amount: amount, fault: fault, in: in, err: err}
		if err != nil {
			noteErr(err)
		}
	}
	srv.ClearFaults()
	if injected < n/5-n/20 {
		t.Fatalf("only %d faults injected in %d deposits", injected, n)
	}

	// What the sandbox recorded, by amount (unique per deposit).
	deposits := func() map[string][]ibkrtest.InstructionInfo {
		m := map[string][]ibkrtest.InstructionInfo{}
		for _, in := range srv.Instructions() {
			if in.Type == "DEPOSIT" {
				m[in.Amount.String()] = append(m[in.Amount.String()], in)
			}
		}
		return m
	}
	recorded := deposits()
	var succeeded, unknown, refused int
	for i, r := range results {
		got := recorded[r.amount.String()]
		if len(got) > 1 {
			t.Fatalf("deposit %d (%s, fault %q) recorded %d times: %+v", i, r.amount, r.fault, len(got), got)
		}
		if r.err == nil {
			succeeded++
			if len(got) != 1 || got[0].ClientInstructionID != r.in.ClientInstructionID || r.in.Status != InstructionPending {
				t.Fatalf("deposit %d (fault %q) succeeded as %v but the sandbox holds %+v", i, r.fault, r.in, got)
			}
			wantReconciled := r.fault == "drop" || r.fault == "timeout-reply" || r.fault == "malformed"
			if r.in.Reconciled != wantReconciled {
				t.Fatalf("deposit %d (fault %q): Reconciled = %v", i, r.fault, r.in.Reconciled)
			}
			continue
		}
		id, ok := InstructionIDOf(r.err)
		if !ok {
			t.Fatalf("deposit %d (fault %q): error without clientInstructionId: %v", i, r.fault, r.err)
		}
		var ou *OutcomeUnknownError
		var ae *APIError
		switch {
		case errors.As(r.err, &ou):
			unknown++
		case errors.As(r.err, &ae):
			refused++
		default:
			t.Fatalf("deposit %d (fault %q): untyped error %T: %v", i, r.fault, r.err, r.err)
		}
		if !strings.Contains(r.err.Error(), id.String()) {
			t.Fatalf("deposit %d: error text lacks its id: %v", i, r.err)
		}
		switch len(got) {
		case 0:
			// Never reached IBKR: a lookup now says so.
			if _, err := c.InstructionStatus(ctx, id); !errors.Is(err, ErrNotFound) {
				t.Fatalf("deposit %d (fault %q): lookup of unrecorded id %s: %v", i, r.fault, id, err)
			}
		case 1:
			// Recorded although the caller saw an error: only allowed
			// for outcome-unknown, and under the same id.
			if ou == nil || got[0].ClientInstructionID != id {
				t.Fatalf("deposit %d (fault %q): error %v but the sandbox holds %+v", i, r.fault, r.err, got)
			}
			st, err := c.InstructionStatus(ctx, id)
			if err != nil || st.ClientInstructionID != id || st.Type != "DEPOSIT" {
				t.Fatalf("deposit %d: reconciling %s later: %v, %v", i, id, st, err)
			}
		}
		if want := strings.HasSuffix(r.fault, "lookup") || r.fault == "500x3"; !want {
			t.Fatalf("deposit %d failed under fault %q, which the client should absorb: %v", i, r.fault, r.err)
		}
	}

	// Settle every deposit and compare the money.
	srv.Advance(ibkrtest.DefaultTimings.ACHDeposit + time.Hour)
	settled := deposits()
	if len(settled) != len(recorded) {
		t.Fatalf("%d deposits recorded, %d after settling", len(recorded), len(settled))
	}
	sum := MustDecimal("0")
	for _, ins := range settled {
		if ins[0].Status != "PROCESSED" {
			t.Fatalf("recorded deposit not processed: %+v", ins[0])
		}
		var err error
		if sum, err = sum.Add(ins[0].Amount); err != nil {
			t.Fatal(err)
		}
	}
	if bal := srv.Balance(demo, "USD"); !bal.Equal(sum) || bal.Decimals() > 2 {
		t.Fatalf("sandbox balance %s, recorded deposits sum to %s", bal, sum)
	}
	if succeeded+unknown+refused != n || succeeded < n*3/4 {
		t.Fatalf("%d succeeded, %d unknown, %d refused of %d", succeeded, unknown, refused, n)
	}
	t.Logf("%d deposits, %d faults injected (%d transport): %d succeeded, %d outcome unknown, %d refused; balance %s",
		n, injected, lossy.hits, succeeded, unknown, refused, sum)
}
