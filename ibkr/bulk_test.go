package ibkr

import (
	"errors"
	"fmt"
	"testing"

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
