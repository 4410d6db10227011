package ibkr

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// Bad bulk position transfers are refused locally, naming the item and
// its field, and nothing reaches the sandbox.
func TestBulkAssetBadInputs(t *testing.T) {
	e := newFundingEnv(t, nil)
	c := e.c
	internal := func(mod func(*PositionTransfer)) func(context.Context) error {
		r := goodPositionTransfer()
		mod(&r)
		return func(ctx context.Context) error {
			_, err := c.BulkInternalAssetTransfers(ctx, []PositionTransfer{goodPositionTransfer(), r})
			return err
		}
	}
	external := func(mod func(*FOPTransfer)) func(context.Context) error {
		r := goodFOP()
		mod(&r)
		return func(ctx context.Context) error {
			_, err := c.BulkExternalAssetTransfers(ctx, []ExternalAssetItem{goodFOP(), goodFOP(), r})
			return err
		}
	}
	checkBadInputs(t, e.srv, []badInput{
		{"empty", func(ctx context.Context) error { _, err := c.BulkInternalAssetTransfers(ctx, nil); return err }, "instructions", nil},
		{"mixed kinds", func(ctx context.Context) error {
			_, err := c.BulkExternalAssetTransfers(ctx, []ExternalAssetItem{goodFOP(), goodDWAC()})
			return err
		}, "instructionType", nil},
		{"quantity", internal(func(r *PositionTransfer) { r.Quantity = MustDecimal("0") }), "instructions[1].transferQuantity", ErrQuantity},
		{"same accounts", internal(func(r *PositionTransfer) { r.To = r.From }), "instructions[1].targetAccountId", ErrAccountID},
		{"direction", external(func(r *FOPTransfer) { r.Direction = "SIDEWAYS" }), "instructions[2].direction", ErrDirection},
		{"dtc", external(func(r *FOPTransfer) { r.ContraDTC = "x" }), "instructions[2].contraBrokerDtcCode", ErrBroker},
	})
}

// A bulk position transfer cut short (part recorded, a 503) is settled
// item by item: each position moves once.
func TestBulkInternalAssetsCutShort(t *testing.T) {
	e := newFundingEnv(t, nil)
	if err := e.srv.AddAccount("U7654321", ibkrtest.AccountOpen); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.SetPosition(demo, 8314, MustDecimal("100")); err != nil {
		t.Fatal(err)
	}
	items := make([]PositionTransfer, 4)
	for i := range items {
		items[i] = goodPositionTransfer() // 10 IBM each
	}
	e.srv.FailBulkAfter("bulkInternalAssetTransfers", 1, 2, 503)
	res, err := e.c.BulkInternalAssetTransfers(fctx(t), items)
	if err != nil || res.Accepted() != 4 {
		t.Fatalf("err %v, %d accepted", err, res.Accepted())
	}
	for i, it := range res.Items {
		if it.Resent != (i >= 2) || it.Instruction.Type != "INTERNAL_POSITION_TRANSFER" {
			t.Fatalf("item %d: %+v", i, it)
		}
		if _, err := e.c.WaitForInstruction(fctx(t), it.ClientInstructionID, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.srv.Position("U7654321", 8314); !got.Equal(MustDecimal("40")) {
		t.Fatalf("U7654321 holds %s IBM, want 40", got)
	}
}

// Items that hold secrets (the account at the other institution) are
// journaled without their body: left unknown, ReconcileJournal settles
// them by lookup and never resends them.
func TestBulkExternalAssetsJournalWithoutSecrets(t *testing.T) {
	e := newFundingEnv(t, nil)
	j := tempJournal(t)
	e.srv.FailBulkAfter("bulkExternalAssetTransfers", 1, 1, 0)
	e.srv.FailNext("getClientInstructions", 1000, 500)
	res, err := e.c.BulkExternalAssetTransfers(fctx(t), []ExternalAssetItem{goodFOP(), goodFOP()}, WithCallJournal(j))
	if !errors.Is(err, ErrOutcomeUnknown) || len(res.Unknown()) != 2 {
		t.Fatalf("err %v", err)
	}
	pending, _ := j.Pending(fctx(t))
	for _, p := range pending {
		if len(p.Body) != 0 {
			t.Fatalf("journaled a body with the contra account: %s", p.Body)
		}
	}
	e.srv.ClearFaults()
	rs, err := e.c.ReconcileJournal(fctx(t), j)
	if err != nil || len(rs) != 2 {
		t.Fatalf("ReconcileJournal: %d, %v", len(rs), err)
	}
	if rs[0].Err != nil || rs[0].Instruction.Type != "FOP" || rs[0].Outcome.State != JournalAccepted {
		t.Fatalf("recorded item: %+v", rs[0])
	}
	// The other one never reached IBKR: the caller must submit it again
	// (same id, WithResume); the journal could not.
	var re *RequestError
	if !errors.As(rs[1].Err, &re) || rs[1].Resent || rs[1].Outcome.State != JournalNotSent || countType(e.srv, "FOP") != 1 {
		t.Fatalf("unrecorded item: %+v", rs[1])
	}
}
