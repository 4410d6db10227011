package ibkr

import (
	"errors"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
)

// firstCopyTransport lets another copy of the deposit (same id, sent by
// another client, as a reconciler's resend would be) reach IBKR just
// before the first send of the request itself, which IBKR then refuses
// as a duplicate id.
type firstCopyTransport struct {
	base  http.RoundTripper
	other func()
	once  sync.Once
}

func (f *firstCopyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && req.URL.Path == "/gw/api/v1/external-cash-transfers" {
		f.once.Do(f.other)
	}
	return f.base.RoundTrip(req)
}

// The duplicate-id refusal of a first send is settled by a lookup: the
// deposit exists, so the call succeeds (reconciled), never a definite
// failure, and the journal records it accepted.
func TestDuplicateRefusalOfFirstSendSettledByLookup(t *testing.T) {
	e := newFundingEnv(t, nil)
	e.linkVerified(t, "Checking")
	srv := e.srv
	ctx := fctx(t)
	other := fundingClient(t, srv)
	var dep ACHDeposit
	ft := &firstCopyTransport{base: srv.HTTP.Client().Transport, other: func() {
		if _, err := other.DepositACH(ctx, dep, WithResume()); err != nil {
			t.Errorf("the other copy: %v", err)
		}
	}}
	c := fundingClient(t, srv, WithHTTPClient(&http.Client{Transport: ft}))
	id, err := c.NewInstructionID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dep = ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("77.10"), ClientInstructionID: id}
	j := openJournal(t, filepath.Join(t.TempDir(), "journal"))
	in, err := c.DepositACH(ctx, dep, WithCallJournal(j)) // a first send, not a resume
	if err != nil {
		t.Fatalf("deposit whose first send was refused as a duplicate reported as failed: %v", err)
	}
	if !in.Reconciled || in.Status != InstructionPending || in.ClientInstructionID != id {
		t.Fatalf("instruction %+v, want the copy IBKR holds, reconciled", in)
	}
	if n := srv.RequestCount("createExternalCashTransfers", http.StatusUnprocessableEntity); n != 1 {
		t.Fatalf("%d refusals, want the one of the first send", n)
	}
	if _, o, _ := j.Outcome(id); o == nil || o.State != JournalAccepted {
		t.Fatalf("journal outcome %+v, want accepted", o)
	}
	n := 0
	for _, in := range srv.Instructions() {
		if in.ClientInstructionID == id {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("sandbox holds %d instructions under the id", n)
	}
}

// An instruction found under a journaled id whose contents differ is a
// *CollisionError, recorded as rejected, never accepted.
func TestReconcileCollision(t *testing.T) {
	e := newFundingEnv(t, nil)
	e.linkVerified(t, "Checking")
	ctx := fctx(t)
	other, err := e.c.DepositACH(ctx, ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("10.00")})
	if err != nil {
		t.Fatal(err)
	}
	j := openJournal(t, filepath.Join(t.TempDir(), "journal"))
	// Another process journaled a 99.00 deposit under the same id (no
	// body: nothing can be resent).
	if err := j.Begin(ctx, JournalEntry{ClientInstructionID: other.ClientInstructionID, Operation: opExternalCash.op.ID, InstructionType: "DEPOSIT",
		AccountID: demo, Amount: MustDecimal("99.00"), Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	res, err := e.c.ReconcileJournal(ctx, j)
	if err != nil || len(res) != 1 {
		t.Fatalf("ReconcileJournal = %+v, %v", res, err)
	}
	var ce *CollisionError
	if !errors.As(res[0].Err, &ce) || ce.Field != "amount" || ce.Journaled != "99.00" || ce.Found != "10" && ce.Found != "10.00" || res[0].Instruction != nil {
		t.Fatalf("resolution error %v (%#v), want a *CollisionError on amount", res[0].Err, res[0].Err)
	}
	if _, o, _ := j.Outcome(other.ClientInstructionID); o == nil || o.State != JournalRejected || o.Code != "CLIENT_INSTRUCTION_ID_COLLISION" {
		t.Fatalf("journal outcome %+v", o)
	}
}
