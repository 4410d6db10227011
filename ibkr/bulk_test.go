package ibkr

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// bulkDeposits makes n ACH deposits from the "Checking" instruction, each
// of a distinct amount.
func bulkDeposits(n int) []ExternalCashItem {
	items := make([]ExternalCashItem, n)
	for i := range items {
		items[i] = ACHDeposit{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking",
			Amount: MustDecimal(fmt.Sprintf("%d.%02d", 1+i/100, i%100))}
	}
	return items
}

func newBulkEnv(t *testing.T) *fundingEnv {
	t.Helper()
	e := newFundingEnv(t, []ibkrtest.Option{ibkrtest.WithResponseValidation(true)})
	if err := e.srv.AddLinkedACH(ibkrtest.DemoAccountID, "Checking"); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestBulkDepositsAnswered(t *testing.T) {
	e := newBulkEnv(t)
	items := bulkDeposits(3)
	items[1] = ACHDeposit{AccountID: ibkrtest.DemoAccountID, InstructionName: "Nope", Amount: MustDecimal("5")}
	res, err := e.c.BulkExternalCashTransfers(fctx(t), items)
	if err != nil {
		t.Fatalf("BulkExternalCashTransfers: %v", err)
	}
	if res.InstructionSetID.IsZero() || len(res.Items) != 3 {
		t.Fatalf("result %+v", res)
	}
	for i, it := range res.Items {
		got, ok := e.srv.InstructionByClientID(e.srv.ClientID, it.ClientInstructionID)
		if !ok {
			t.Fatalf("item %d not at the sandbox", i)
		}
		if i == 1 {
			if !errors.Is(it.Err, ErrRejected) || it.Instruction == nil || it.Instruction.Status != InstructionRejected || it.Instruction.ErrorCode == "" {
				t.Fatalf("item 1: %+v, %v", it.Instruction, it.Err)
			}
			continue
		}
		if it.Err != nil || it.Instruction.Status != InstructionPending || it.Instruction.InstructionID.String() != got.ID.String() || it.Resent || it.Instruction.Reconciled {
			t.Fatalf("item %d: %+v, %v (sandbox %+v)", i, it.Instruction, it.Err, got)
		}
	}
}

// TestBulkItemsReconciledFromJournal leaves every item of a bulk request
// unknown (half recorded, the answer lost, every lookup failing), then
// settles them from the journal: the recorded half by lookup, the other
// half sent again under its same ids, one by one.
func TestBulkItemsReconciledFromJournal(t *testing.T) {
	e := newBulkEnv(t)
	j := tempJournal(t)
	const op = "bulkExternalCashTransfers"
	e.srv.FailBulkAfter(op, 1, 2, 0)
	e.srv.FailNext("getClientInstructions", 1000, 500)
	res, err := e.c.BulkExternalCashTransfers(fctx(t), bulkDeposits(4), WithCallJournal(j))
	var ou *OutcomeUnknownError
	if !errors.As(err, &ou) || len(ou.ClientInstructionIDs) != 4 || len(res.Unknown()) != 4 {
		t.Fatalf("err %v, result %+v; want all 4 unknown", err, res)
	}
	e.srv.ClearFaults()
	pending, _ := j.Pending(fctx(t))
	if len(pending) != 4 || pending[0].Operation != op || len(pending[0].Body) == 0 {
		t.Fatalf("journal pending: %+v", pending)
	}
	rs, err := e.c.ReconcileJournal(fctx(t), j)
	if err != nil || len(rs) != 4 {
		t.Fatalf("ReconcileJournal: %d, %v", len(rs), err)
	}
	for i, r := range rs {
		if r.Err != nil || r.Instruction == nil || r.Outcome.State != JournalAccepted || r.Resent != (i >= 2) {
			t.Fatalf("resolution %d: %+v", i, r)
		}
		if _, ok := e.srv.InstructionByClientID(e.srv.ClientID, r.Entry.ClientInstructionID); !ok {
			t.Fatalf("item %d not at the sandbox", i)
		}
	}
	if n := countType(e.srv, "DEPOSIT"); n != 4 {
		t.Fatalf("sandbox holds %d deposits, want 4", n)
	}
	if pending, _ := j.Pending(fctx(t)); len(pending) != 0 {
		t.Fatalf("still pending: %+v", pending)
	}
}

// TestBulkResume sends the items of a request whose answer was lost
// again with their ids and WithResume: only those IBKR never received
// are sent.
func TestBulkResume(t *testing.T) {
	e := newBulkEnv(t)
	const op = "bulkInternalCashTransfers"
	if err := e.srv.SetBalance(ibkrtest.DemoAccountID, "USD", MustDecimal("1000")); err != nil {
		t.Fatal(err)
	}
	other := ibkrtest.DemoAccountID[:len(ibkrtest.DemoAccountID)-1] + "9"
	if err := e.srv.AddAccount(other, "O"); err != nil {
		t.Fatal(err)
	}
	items := make([]CashTransfer, 3)
	for i := range items {
		items[i] = CashTransfer{From: ibkrtest.DemoAccountID, To: other, Amount: MustDecimal(fmt.Sprint(i + 1)), Currency: USD}
	}
	e.srv.FailBulkAfter(op, 1, 1, 502)
	e.srv.FailNext("getClientInstructions", 1000, 500)
	res, err := e.c.BulkInternalCashTransfers(fctx(t), items)
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err %v; want outcome unknown", err)
	}
	e.srv.ClearFaults()
	for i := range items {
		items[i].ClientInstructionID = res.Items[i].ClientInstructionID
	}
	res, err = e.c.BulkInternalCashTransfers(fctx(t), items, WithResume())
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	for i, it := range res.Items {
		if it.Err != nil || it.Resent != (i >= 1) || it.Instruction.Type != "INTERNAL_CASH_TRANSFER" {
			t.Fatalf("item %d: %+v", i, it)
		}
	}
	if n := countType(e.srv, "INTERNAL_CASH_TRANSFER"); n != 3 {
		t.Fatalf("sandbox holds %d transfers, want 3", n)
	}
}

func countType(srv *ibkrtest.Server, typ string) int {
	n := 0
	for _, in := range srv.Instructions() {
		if in.Type == typ {
			n++
		}
	}
	return n
}

func tempJournal(t *testing.T) *FileJournal {
	t.Helper()
	j, err := OpenFileJournal(filepath.Join(t.TempDir(), "journal"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

// Bulk items are journaled one by one, so a tracker restarted from the
// journal follows each of them.
func TestBulkItemsLoadIntoTracker(t *testing.T) {
	e := newBulkEnv(t)
	j := tempJournal(t)
	res, err := e.c.BulkExternalCashTransfers(fctx(t), bulkDeposits(5), WithCallJournal(j))
	if err != nil {
		t.Fatal(err)
	}
	unsettled, err := j.Unsettled(fctx(t))
	if err != nil || len(unsettled) != 5 || journaledMethod(unsettled[0].Body) != "ACH" {
		t.Fatalf("unsettled %d, %v", len(unsettled), err)
	}
	tr, err := e.c.NewTracker(func(o *TrackerOptions) { o.Journal = j })
	if err != nil {
		t.Fatal(err)
	}
	if n, err := tr.Load(fctx(t)); n != 5 || err != nil {
		t.Fatalf("Load: %d, %v", n, err)
	}
	in, err := tr.RunUntil(fctx(t), res.Items[2].ClientInstructionID, 72*time.Hour)
	if err != nil || in.Status != InstructionProcessed {
		t.Fatalf("RunUntil: %v, %v", in, err)
	}
}

// Deposits of different methods (ACH, open banking) go in one bulk
// request: they are all DEPOSITs.
func TestBulkDepositMethodsMixed(t *testing.T) {
	e := newBulkEnv(t)
	res, err := e.c.BulkExternalCashTransfers(fctx(t), []ExternalCashItem{
		ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("10")},
		OpenBankingDeposit{AccountID: demo, Amount: MustDecimal("20.00"), Currency: GBP},
	})
	if err != nil || res.Accepted() != 2 {
		t.Fatalf("err %v, result %+v", err, res)
	}
	for i, it := range res.Items {
		got, ok := e.srv.InstructionByClientID(e.srv.ClientID, it.ClientInstructionID)
		if !ok || got.Type != "DEPOSIT" {
			t.Fatalf("item %d: sandbox %+v", i, got)
		}
	}
}

// One journaled bulk item that cannot be settled (its lookup keeps
// failing) does not keep ReconcileJournal from settling the others in
// the same call.
func TestReconcileJournalGoesPastAnUnsettledItem(t *testing.T) {
	e := newBulkEnv(t)
	j := tempJournal(t)
	e.srv.FailBulkAfter(bulkCashOp, 1, 2, 0)
	e.srv.FailNext("getClientInstructions", 1000, 500)
	res, err := e.c.BulkExternalCashTransfers(fctx(t), bulkDeposits(4), WithCallJournal(j))
	if !errors.Is(err, ErrOutcomeUnknown) || len(res.Unknown()) != 4 {
		t.Fatalf("err %v", err)
	}
	e.srv.ClearFaults()
	// The first item's lookups fail once more (every retry of them).
	e.srv.FailNext("getClientInstructions", DefaultRetryPolicy().MaxAttempts, 500)
	rs, err := e.c.ReconcileJournal(fctx(t), j)
	if err != nil || len(rs) != 4 {
		t.Fatalf("ReconcileJournal: %d resolutions, %v; want 4", len(rs), err)
	}
	if !errors.Is(rs[0].Err, ErrOutcomeUnknown) {
		t.Fatalf("first item: %+v", rs[0])
	}
	for _, r := range rs[1:] {
		if r.Err != nil || r.Outcome.State != JournalAccepted {
			t.Fatalf("resolution %+v", r)
		}
	}
	if pending, _ := j.Pending(fctx(t)); len(pending) != 1 {
		t.Fatalf("%d pending, want the one item left unknown", len(pending))
	}
}
