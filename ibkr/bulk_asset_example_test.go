package ibkr_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// Two free-of-payment deliveries announced in one request: each item is
// the request TransferFOP sends, with its own clientInstructionId.
func ExampleClient_BulkExternalAssetTransfers() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	fop := func(cusip, qty string) ibkr.ExternalAssetItem {
		return ibkr.FOPTransfer{
			AccountID: ibkrtest.DemoAccountID, Direction: ibkr.TransferIn,
			ContraAccount: ibkr.NewSecret("12345678A"), ContraDTC: ibkrtest.ACATSBrokerID,
			Instrument: ibkr.ByCUSIP(cusip, ibkr.AssetStock, ibkr.USD), Quantity: ibkr.MustDecimal(qty),
		}
	}
	res, err := c.BulkExternalAssetTransfers(ctx, []ibkr.ExternalAssetItem{fop("459200101", "100"), fop("459200101", "20")})
	if err != nil {
		panic(err)
	}
	for _, it := range res.Items {
		fmt.Println(it.Instruction.Type, it.Instruction.Status)
	}
	sb.Advance(24 * time.Hour) // the other institution delivers
	fmt.Println("IBM:", sb.Position(ibkrtest.DemoAccountID, 8314))
	// Output:
	// FOP PENDING
	// FOP PENDING
	// IBM: 120
}

// Move two positions to a sister account in one request.
func ExampleClient_BulkInternalAssetTransfers() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	const from, to = ibkrtest.DemoAccountID, "U7654321"
	if err := sb.AddAccount(to, ibkrtest.AccountOpen); err != nil {
		panic(err)
	}
	_ = sb.SetPosition(from, 8314, ibkr.MustDecimal("100"))  // IBM
	_ = sb.SetPosition(from, 265598, ibkr.MustDecimal("50")) // AAPL
	res, err := c.BulkInternalAssetTransfers(ctx, []ibkr.PositionTransfer{
		{From: from, To: to, Instrument: ibkr.ByConid(8314, ibkr.USD), Quantity: ibkr.MustDecimal("40")},
		{From: from, To: to, Instrument: ibkr.ByConid(265598, ibkr.USD), Quantity: ibkr.MustDecimal("10")},
	})
	if err != nil {
		panic(err)
	}
	for _, it := range res.Items {
		if _, err := c.WaitForInstruction(ctx, it.ClientInstructionID, time.Hour); err != nil {
			panic(err)
		}
	}
	fmt.Println("accepted:", res.Accepted())
	fmt.Println("IBM:", sb.Position(to, 8314), "AAPL:", sb.Position(to, 265598))
	// Output:
	// accepted: 2
	// IBM: 40 AAPL: 10
}
