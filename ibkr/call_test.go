package ibkr

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// A resume is an option of the call, not a value in its context: the
// plain background context is used throughout.
func TestResumeIsACallOption(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) { dropConnection(w) })
	f.handle("getClientInstructions", func(w http.ResponseWriter, r *http.Request, rec received) {
		problem(w, http.StatusInternalServerError, "", "lookup broke")
	})
	dep := ACHDeposit{AccountID: "U1234567", InstructionName: "checking", Amount: MustDecimal("25.00")}
	_, err := c.DepositACH(bg, dep)
	wantErr(t, err, ErrOutcomeUnknown)
	id, ok := InstructionIDOf(err)
	if !ok {
		t.Fatalf("no id in %v", err)
	}
	dep.ClientInstructionID = id

	// Without the option the id is refused as reused; nothing is sent.
	_, err = c.DepositACH(bg, dep)
	wantErr(t, err, ErrInstructionIDReused)
	if n := len(f.requests("createExternalCashTransfers")); n != 1 {
		t.Fatalf("%d POSTs, want 1", n)
	}

	// With it, the id is looked up first: IBKR has it, nothing is sent.
	f.handle("getClientInstructions", lookupFound("PROCESSED", 77))
	in, err := c.DepositACH(bg, dep, WithResume())
	if err != nil {
		t.Fatal(err)
	}
	if !in.Reconciled || in.ClientInstructionID != id || in.Status != InstructionProcessed {
		t.Fatalf("resumed deposit: %+v", in)
	}
	if n := len(f.requests("createExternalCashTransfers")); n != 1 {
		t.Fatalf("%d POSTs after the resume, want 1", n)
	}

	// IBKR never got it: the resume sends it, with the same id.
	dep2 := ACHDeposit{AccountID: "U1234567", InstructionName: "checking", Amount: MustDecimal("26.00")}
	f.handle("getClientInstructions", lookupNotFound)
	f.handle("createExternalCashTransfers", nil)
	id2, err := c.NewInstructionID(bg)
	if err != nil {
		t.Fatal(err)
	}
	dep2.ClientInstructionID = id2
	in, err = c.DepositACH(bg, dep2, WithResume())
	if err != nil {
		t.Fatal(err)
	}
	if in.Reconciled || in.ClientInstructionID != id2 {
		t.Fatalf("resent deposit: %+v", in)
	}
	posts := f.requests("createExternalCashTransfers")
	if len(posts) != 2 || posts[1].instructionID() != id2.String() {
		t.Fatalf("POSTs %d, last id %q, want 2 and %s", len(posts), posts[len(posts)-1].instructionID(), id2)
	}
}

// A journal given to one call records that call, and only it.
func TestCallJournalIsACallOption(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	j := openJournal(t, filepath.Join(t.TempDir(), "j"))
	in, err := c.DepositACH(bg, ACHDeposit{AccountID: "U1234567", InstructionName: "checking", Amount: MustDecimal("10")}, WithCallJournal(j))
	if err != nil {
		t.Fatal(err)
	}
	if _, o, ok := j.Outcome(in.ClientInstructionID); !ok || o == nil || o.State != JournalAccepted {
		t.Fatalf("journal outcome %+v, %v", o, ok)
	}
	if _, err := c.DepositACH(bg, ACHDeposit{AccountID: "U1234567", InstructionName: "checking", Amount: MustDecimal("11")}); err != nil {
		t.Fatal(err)
	}
	if j.Len() != 1 {
		t.Fatalf("journal holds %d entries, want 1", j.Len())
	}
}

// refusingJournal refuses every intent.
type refusingJournal struct{}

func (refusingJournal) Begin(context.Context, JournalEntry) error {
	return errors.New("disk full")
}
func (refusingJournal) Finish(context.Context, ID, JournalOutcome) error { return nil }
func (refusingJournal) Pending(context.Context) ([]JournalEntry, error)  { return nil, nil }

// The facade's ids live as long as their call: a thousand deposits that
// the journal refuses leave nothing behind in the client.
func TestRefusedCallsLeaveNoIDsBehind(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithJournal(refusingJournal{}))
	for i := 0; i < 1000; i++ {
		_, err := c.DepositACH(bg, ACHDeposit{AccountID: "U1234567", InstructionName: "checking", Amount: MustDecimal("1")})
		var re *RequestError
		if !errors.As(err, &re) || re.ClientInstructionID.IsZero() {
			t.Fatalf("deposit %d: %v, want a *RequestError with an id", i, err)
		}
	}
	c.ids.mu.Lock()
	n := len(c.ids.issued)
	c.ids.mu.Unlock()
	if n != 0 {
		t.Fatalf("client keeps %d ids after refused calls", n)
	}
	if n := len(f.requests("createExternalCashTransfers")); n != 0 {
		t.Fatalf("%d POSTs, want 0", n)
	}
}

func TestRetryPerCallOverride(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithRetryPolicy(RetryPolicy{MaxAttempts: 1, Jitter: maxJitter}))
	f.handle("listEchoHttps", failThen(1, http.StatusServiceUnavailable, ""))
	_, err := c.Raw().ListEchoHttpsWithResponse(bg)
	wantErr(t, err, ErrServer)
	if n := len(f.requests("listEchoHttps")); n != 1 {
		t.Fatalf("client policy: %d requests, want 1", n)
	}

	f.handle("listEchoHttps", failThen(3, http.StatusServiceUnavailable, ""))
	if _, err := c.Raw(WithCallRetry(RetryPolicy{MaxAttempts: 4})).ListEchoHttpsWithResponse(bg); err != nil {
		t.Fatalf("call policy of 4 attempts: %v", err)
	}
	if n := len(f.requests("listEchoHttps")); n != 1+4 {
		t.Fatalf("call policy: %d requests in all, want 5", n)
	}
	reqs := f.requests("listEchoHttps")[1:]
	if got, want := gaps(reqs), []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second}; !equalDurations(got, want) {
		t.Fatalf("gaps %v, want %v (unset fields from the client's policy, jitter included)", got, want)
	}

	// A facade call takes the option too.
	lookups := 0
	f.handle("getClientInstructions", func(w http.ResponseWriter, r *http.Request, rec received) {
		if lookups++; lookups <= 2 {
			problem(w, http.StatusBadGateway, "", "try later")
			return
		}
		lookupFound("PENDING", 3)(w, r, rec)
	})
	id := NewID(1234567)
	if _, err := c.InstructionStatus(bg, id, WithCallRetry(RetryPolicy{MaxAttempts: 3})); err != nil {
		t.Fatalf("InstructionStatus with 3 attempts: %v", err)
	}
	if n := len(f.requests("getClientInstructions")); n != 3 {
		t.Fatalf("%d lookups, want 3", n)
	}

	// A bad policy is refused before anything is sent.
	before := len(f.requests(""))
	_, err = c.InstructionStatus(bg, id, WithCallRetry(RetryPolicy{MaxAttempts: -1}))
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "retryPolicy" {
		t.Fatalf("negative attempts: %v, want an *InputError on retryPolicy", err)
	}
	if n := len(f.requests("")); n != before {
		t.Fatalf("%d requests sent for a refused policy", n-before)
	}
}

func TestRetryPerOperationOverride(t *testing.T) {
	f := newFake(t)
	c := f.newClient(
		WithRetryPolicy(RetryPolicy{MaxAttempts: 1, Jitter: maxJitter}),
		WithOperationRetry("listEchoHttps", RetryPolicy{MaxAttempts: 4}),
	)
	f.handle("listEchoHttps", failThen(3, http.StatusServiceUnavailable, ""))
	if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
		t.Fatalf("operation policy of 4 attempts: %v", err)
	}
	if n := len(f.requests("listEchoHttps")); n != 4 {
		t.Fatalf("%d requests, want 4", n)
	}
	// Other operations keep the client's policy.
	f.handle("getClientInstructions", failThen(1, http.StatusServiceUnavailable, ""))
	_, err := c.InstructionStatus(bg, NewID(99))
	wantErr(t, err, ErrServer)
	if n := len(f.requests("getClientInstructions")); n != 1 {
		t.Fatalf("%d lookups, want 1", n)
	}
	// A call's own policy overrides the operation's.
	f.handle("listEchoHttps", failThen(1, http.StatusServiceUnavailable, ""))
	_, err = c.Raw(WithCallRetry(RetryPolicy{MaxAttempts: 1})).ListEchoHttpsWithResponse(bg)
	wantErr(t, err, ErrServer)
	if n := len(f.requests("listEchoHttps")); n != 5 {
		t.Fatalf("%d requests, want 5", n)
	}

	_, err = New(WithOperationRetry("noSuchOperation", RetryPolicy{}), WithCredentials("c", "k", testKey()))
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "operationId" {
		t.Fatalf("unknown operation: %v, want an *InputError on operationId", err)
	}
}

// recorder is a CallObserver keeping every event.
type recorder struct {
	mu     sync.Mutex
	starts []string
	events []CallEvent
}

type obsKey struct{}

func (r *recorder) CallStart(ctx context.Context, op string) context.Context {
	r.mu.Lock()
	r.starts = append(r.starts, op)
	r.mu.Unlock()
	return context.WithValue(ctx, obsKey{}, op)
}

func (r *recorder) CallEnd(ctx context.Context, ev CallEvent) {
	if ctx.Value(obsKey{}) != ev.OperationID {
		panic("CallEnd did not get CallStart's context")
	}
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

func (r *recorder) byOp(op string) []CallEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []CallEvent
	for _, ev := range r.events {
		if ev.OperationID == op {
			out = append(out, ev)
		}
	}
	return out
}

func TestObserverSeesEveryCall(t *testing.T) {
	f := newFake(t)
	rec := &recorder{}
	c := f.newClient(WithObserver(rec), WithRetryPolicy(RetryPolicy{Jitter: maxJitter}))

	// A read retried twice.
	f.handle("listEchoHttps", failThen(2, http.StatusServiceUnavailable, ""))
	if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
		t.Fatal(err)
	}
	ev := rec.byOp("listEchoHttps")
	if len(ev) != 1 || ev[0].Attempts != 3 || ev[0].Retries != 2 || ev[0].StatusCode != 200 || ev[0].Err != nil {
		t.Fatalf("read events %+v", ev)
	}
	if tok := rec.byOp("generateToken"); len(tok) != 1 || tok[0].StatusCode != 200 {
		t.Fatalf("token events %+v", tok)
	}

	// A deposit whose answer is lost, recovered by a lookup.
	f.handle("createExternalCashTransfers", func(w http.ResponseWriter, r *http.Request, rec received) { dropConnection(w) })
	f.handle("getClientInstructions", lookupFound("PENDING", 5))
	in, err := c.DepositACH(bg, ACHDeposit{AccountID: "U1234567", InstructionName: "checking", Amount: MustDecimal("3")})
	if err != nil {
		t.Fatal(err)
	}
	dep := rec.byOp("createExternalCashTransfers")
	if len(dep) != 1 || !dep[0].Reconciled || dep[0].ClientInstructionID != in.ClientInstructionID || dep[0].Attempts != 1 || dep[0].StatusCode != http.StatusAccepted {
		t.Fatalf("deposit events %+v", dep)
	}
	if look := rec.byOp("getClientInstructions"); len(look) != 1 || look[0].ClientInstructionID != (ID{}) || look[0].StatusCode != 200 {
		t.Fatalf("lookup events %+v", look)
	}

	// An unknown outcome says so.
	f.handle("getClientInstructions", func(w http.ResponseWriter, r *http.Request, rec received) {
		problem(w, http.StatusBadRequest, "", "no")
	})
	_, err = c.DepositACH(bg, ACHDeposit{AccountID: "U1234567", InstructionName: "checking", Amount: MustDecimal("4")})
	wantErr(t, err, ErrOutcomeUnknown)
	dep = rec.byOp("createExternalCashTransfers")
	if last := dep[len(dep)-1]; !last.OutcomeUnknown || last.Err == nil || last.Reconciled {
		t.Fatalf("unknown outcome event %+v", last)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.starts) != len(rec.events) {
		t.Fatalf("%d starts, %d ends", len(rec.starts), len(rec.events))
	}
}

// WithdrawableCash reads both generated shapes of IBKR's answer: the
// amounts and the amounts without an origination hold.
func TestWithdrawableCashReadsBothShapes(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	f.handle("createExternalCashTransfersQuery", func(w http.ResponseWriter, r *http.Request, rec received) {
		writeJSON(w, http.StatusCreated, map[string]any{"instructionResult": map[string]any{
			"accountId": "U1234567", "currency": "USD", "clientInstructionId": json.Number(rec.instructionID()),
			"instructionId": 9, "instructionStatus": "PROCESSED", "instructionType": "QUERY_WITHDRAWABLE_FUNDS",
			"withdrawableAmount": json.Number("100.25"), "withdrawableAmountNoBorrow": json.Number("90.5"),
			"allowedTransferAmountToMaster": json.Number("1"), "allowedTransferAmountToMasterNoBorrow": json.Number("2"),
			"withdrawableAmountWithoutOriginationHold": json.Number("80.75"), "withdrawableAmountWithoutOriginationHoldNoBorrow": json.Number("70"),
		}})
	})
	got, err := c.WithdrawableCash(bg, "U1234567", USD)
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]Decimal{
		"Amount": {got.Amount, MustDecimal("100.25")}, "AmountNoBorrow": {got.AmountNoBorrow, MustDecimal("90.5")},
		"ToMaster": {got.ToMaster, MustDecimal("1")}, "ToMasterNoBorrow": {got.ToMasterNoBorrow, MustDecimal("2")},
		"WithoutOriginHold": {got.WithoutOriginHold, MustDecimal("80.75")}, "WithoutOriginHoldNoBorrow": {got.WithoutOriginHoldNoBorrow, MustDecimal("70")},
	} {
		if !pair[0].Equal(pair[1]) {
			t.Errorf("%s = %s, want %s", name, pair[0], pair[1])
		}
	}
	if got.AccountID != "U1234567" || got.Currency != USD {
		t.Errorf("account %q currency %q", got.AccountID, got.Currency)
	}
}
