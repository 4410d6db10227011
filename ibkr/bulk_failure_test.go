package ibkr

import (
	"errors"
	"testing"
)

const bulkCashOp = "bulkExternalCashTransfers"

// A refusal of the whole request reaches every item, each with its own
// id, and the call; nothing is recorded.
func TestBulkWholeRequestRefused(t *testing.T) {
	e := newBulkEnv(t)
	e.srv.FailNext(bulkCashOp, 1, 400)
	res, err := e.c.BulkExternalCashTransfers(fctx(t), bulkDeposits(3))
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 {
		t.Fatalf("err %v; want the 400", err)
	}
	for i, it := range res.Items {
		if !errors.As(it.Err, &ae) || ae.ClientInstructionID != it.ClientInstructionID || it.Instruction != nil {
			t.Fatalf("item %d: %+v", i, it)
		}
	}
	if n := countType(e.srv, "DEPOSIT"); n != 0 {
		t.Fatalf("sandbox holds %d deposits", n)
	}
}

// A request refused by the rate limit was not acted on: it is sent
// again, as it is, without lookups.
func TestBulkRateLimitedSentAgain(t *testing.T) {
	e := newBulkEnv(t)
	e.srv.FailNext(bulkCashOp, 2, 429)
	res, err := e.c.BulkExternalCashTransfers(fctx(t), bulkDeposits(3))
	if err != nil || res.Accepted() != 3 {
		t.Fatalf("err %v, %d accepted", err, res.Accepted())
	}
	for i, it := range res.Items {
		if it.Resent || it.Instruction.Reconciled {
			t.Fatalf("item %d: %+v", i, it)
		}
	}
	if got := e.srv.RequestCount("getClientInstructions", 0); got != 0 {
		t.Fatalf("%d lookups", got)
	}
	if got := e.srv.RequestCount(bulkCashOp, 429); got != 2 || countType(e.srv, "DEPOSIT") != 3 {
		t.Fatalf("%d throttled sends, %d deposits", got, countType(e.srv, "DEPOSIT"))
	}
}

// A journal that refuses the intent stops the request before it leaves.
func TestBulkJournalRefused(t *testing.T) {
	e := newBulkEnv(t)
	_, err := e.c.BulkExternalCashTransfers(fctx(t), bulkDeposits(3), WithCallJournal(refusingJournal{}))
	var re *RequestError
	if !errors.As(err, &re) {
		t.Fatalf("err %v; want a *RequestError", err)
	}
	if got := e.srv.RequestCount(bulkCashOp, 0); got != 0 {
		t.Fatalf("%d bulk requests sent", got)
	}
}

// A request that fails with a 5xx every time is looked up and resent, by
// item, MaxResends times; then the items are unknown, none is recorded.
func TestBulkResendsExhausted(t *testing.T) {
	e := newBulkEnv(t)
	e.srv.FailNext(bulkCashOp, 10, 500)
	res, err := e.c.BulkExternalCashTransfers(fctx(t), bulkDeposits(2), WithCallRetry(RetryPolicy{MaxResends: 2}))
	var ou *OutcomeUnknownError
	if !errors.As(err, &ou) || len(ou.ClientInstructionIDs) != 2 {
		t.Fatalf("err %v", err)
	}
	for i, it := range res.Items {
		if !errors.As(it.Err, &ou) || ou.ClientInstructionID != it.ClientInstructionID {
			t.Fatalf("item %d: %+v", i, it)
		}
	}
	if got := e.srv.RequestCount(bulkCashOp, 500); got != 3 || countType(e.srv, "DEPOSIT") != 0 {
		t.Fatalf("%d sends, %d deposits", got, countType(e.srv, "DEPOSIT"))
	}
}

// An answer cut short is settled by looking every item up.
func TestBulkMalformedAnswerSettledByLookup(t *testing.T) {
	e := newBulkEnv(t)
	e.srv.MalformNext(bulkCashOp, 1)
	res, err := e.c.BulkExternalCashTransfers(fctx(t), bulkDeposits(4))
	if err != nil || res.Accepted() != 4 {
		t.Fatalf("err %v, %d accepted", err, res.Accepted())
	}
	for i, it := range res.Items {
		if it.Resent || !it.Instruction.Reconciled {
			t.Fatalf("item %d: %+v", i, it)
		}
	}
	if got := e.srv.RequestCount(bulkCashOp, 0); got != 1 || countType(e.srv, "DEPOSIT") != 4 {
		t.Fatalf("%d sends, %d deposits", got, countType(e.srv, "DEPOSIT"))
	}
}

// Resuming with an id IBKR holds for another instruction is a collision,
// never a success.
func TestBulkResumeCollision(t *testing.T) {
	e := newBulkEnv(t)
	first, err := e.c.DepositACH(fctx(t), ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("1")})
	if err != nil {
		t.Fatal(err)
	}
	other := ACHDeposit{ClientInstructionID: first.ClientInstructionID, AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("2")}
	res, err := e.c.BulkExternalCashTransfers(fctx(t), []ExternalCashItem{other}, WithResume())
	var ce *CollisionError
	if err != nil || !errors.As(res.Items[0].Err, &ce) || ce.Field != "amount" {
		t.Fatalf("err %v, item %+v", err, res.Items[0])
	}
	if countType(e.srv, "DEPOSIT") != 1 {
		t.Fatal("resumed collision was sent")
	}
}

// Items IBKR rejects carry their rejection, with the error code looked
// up; the others go through.
func TestBulkCancelRejectedItems(t *testing.T) {
	e := newBulkEnv(t)
	res, err := e.c.BulkExternalCashTransfers(fctx(t), bulkDeposits(2))
	if err != nil {
		t.Fatal(err)
	}
	c0 := Cancellation{InstructionID: res.Items[0].Instruction.InstructionID, Reason: "not needed"}
	bogus := Cancellation{InstructionID: InstructionID{ID: NewID(99999999)}, Reason: "no such"}
	cr, err := e.c.BulkCancelInstructions(fctx(t), []Cancellation{c0, bogus})
	if err != nil {
		t.Fatalf("BulkCancelInstructions: %v", err)
	}
	if it := cr.Items[0]; it.Err != nil || it.Instruction.Type != "CANCEL_INSTRUCTION" {
		t.Fatalf("cancel 0: %+v", it)
	}
	var rj *RejectedError
	if it := cr.Items[1]; !errors.As(it.Err, &rj) || it.Instruction.Status != InstructionRejected || rj.Code == "" || rj.OperationID != "bulkInstructionsCancel" {
		t.Fatalf("cancel 1: %+v, %v", it.Instruction, it.Err)
	}
	if st, ok := e.srv.InstructionByClientID(e.srv.ClientID, res.Items[0].ClientInstructionID); !ok || st.Status != "REJECTED" {
		t.Fatalf("cancelled deposit: %+v", st)
	}
}
