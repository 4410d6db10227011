package ibkr_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// A tracker follows three ACH deposits of one account: each look at the
// account's recent instructions covers all three. A server would run it
// in a goroutine instead (go tr.Run(ctx)), pass tr.Notify to
// NewCallbackHandler, and read tr.Outcomes or call tr.Wait; here, on the
// sandbox's jumping clock, it runs in this goroutine.
func ExampleClient_NewTracker() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	if err := sb.AddLinkedACH(ibkrtest.DemoAccountID, "Checking"); err != nil {
		panic(err)
	}
	tr, err := c.NewTracker()
	if err != nil {
		panic(err)
	}
	var ids []ibkr.ID
	for _, amount := range []string{"100.00", "250.00", "75.50"} {
		dep, err := c.DepositACH(ctx, ibkr.ACHDeposit{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking", Amount: ibkr.MustDecimal(amount)})
		if err != nil {
			panic(err)
		}
		if err := tr.Track(ibkr.TrackedOf(dep, ibkrtest.DemoAccountID, "ACH")); err != nil {
			panic(err)
		}
		ids = append(ids, dep.ClientInstructionID)
	}
	for tr.Len() > 0 {
		next, err := tr.RunOnce(ctx)
		if err != nil {
			panic(err)
		}
		if d := next.Sub(sb.Now()); d > 0 {
			_ = sb.Clock().Sleep(ctx, d)
		}
	}
	for _, id := range ids {
		in, err := tr.Wait(ctx, id)
		fmt.Println(in.Status, err)
	}
	fmt.Println("requests:", tr.Looks(), "for", len(ids), "deposits; settled within a day:", sb.Now().Sub(ibkrtest.DefaultStart) < 25*time.Hour)
	// Output:
	// PROCESSED <nil>
	// PROCESSED <nil>
	// PROCESSED <nil>
	// requests: 14 for 3 deposits; settled within a day: true
}
