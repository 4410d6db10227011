package ibkr_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// startWithIBM starts a sandbox whose demo account holds 100 IBM (conid
// 8314) and has a sister account U7654321 with the same holder.
func startWithIBM() (*ibkr.Client, *ibkrtest.Server) {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	if err := sb.AddAccount("U7654321", ibkrtest.AccountOpen); err != nil {
		panic(err)
	}
	if err := sb.SetPosition(ibkrtest.DemoAccountID, 8314, ibkr.MustDecimal("100")); err != nil {
		panic(err)
	}
	return c, sb
}

// after lets d pass on the sandbox clock and reads the instruction's
// status.
func after(c *ibkr.Client, sb *ibkrtest.Server, in *ibkr.Instruction, d time.Duration) *ibkr.Instruction {
	sb.Advance(d)
	st, err := c.InstructionStatus(context.Background(), in.ClientInstructionID)
	if err != nil {
		panic(err)
	}
	return st
}

// Move 40 IBM between two accounts of the same holder, then 15 back by
// ISIN.
func ExampleClient_TransferPosition() {
	c, sb := startWithIBM()
	defer sb.Close()
	ctx := context.Background()

	in, err := c.TransferPosition(ctx, ibkr.PositionTransfer{
		From: ibkrtest.DemoAccountID, To: "U7654321",
		Instrument: ibkr.ByConid(8314, ibkr.USD),
		Quantity:   ibkr.MustDecimal("40"),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("transfer:", in.Status)
	in, err = c.WaitForInstruction(ctx, in.ClientInstructionID, time.Hour)
	if err != nil {
		panic(err)
	}
	fmt.Println("transfer:", in.Status)

	in, err = c.TransferPosition(ctx, ibkr.PositionTransfer{
		From: "U7654321", To: ibkrtest.DemoAccountID,
		Instrument: ibkr.ByISIN("US4592001014", ibkr.AssetStock, ibkr.USD),
		Quantity:   ibkr.MustDecimal("15"),
	})
	if err != nil {
		panic(err)
	}
	if _, err := c.WaitForInstruction(ctx, in.ClientInstructionID, time.Hour); err != nil {
		panic(err)
	}
	fmt.Println("IBM:", sb.Position(ibkrtest.DemoAccountID, 8314), "and", sb.Position("U7654321", 8314))

	// More than the account holds is refused by IBKR (HTTP 422).
	_, err = c.TransferPosition(ctx, ibkr.PositionTransfer{
		From: ibkrtest.DemoAccountID, To: "U7654321",
		Instrument: ibkr.ByConid(8314, ibkr.USD), Quantity: ibkr.MustDecimal("500"),
	})
	var ae *ibkr.APIError
	if errors.As(err, &ae) {
		fmt.Println("refused:", ae.Code)
	}
	// Output:
	// transfer: PENDING
	// transfer: PROCESSED
	// IBM: 75 and 25
	// refused: ERROR_INSUFFICIENT_POSITION
}

// Bring a whole account over from another US broker by ACATS: find the
// broker on IBKR's list first, so that a misspelt broker is refused
// before anything is transferred.
func ExampleClient_TransferAccount() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()

	if _, err := c.FindTransferBroker(ctx, ibkr.ACATS, "Nobody Securities"); errors.Is(err, ibkr.ErrBroker) {
		fmt.Println("not on the list:", err)
	}
	broker, err := c.FindTransferBroker(ctx, ibkr.ACATS, "sandbox securities")
	if err != nil {
		panic(err)
	}
	fmt.Println("broker:", broker.ID, broker.Name)

	// What the account at the other broker holds (sandbox only).
	_ = sb.SetBrokerHoldings(broker.ID, "SOL12345", map[uint64]ibkr.Decimal{265598: ibkr.MustDecimal("12")})

	in, err := c.TransferAccount(ctx, ibkr.AccountTransfer{
		AccountID:       ibkrtest.DemoAccountID,
		Method:          ibkr.ACATS,
		Broker:          broker,
		AccountAtBroker: ibkr.NewSecret("SOL12345"),
		Signature:       "Demo User",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("transfer:", in.Status)

	in = after(c, sb, in, 6*24*time.Hour) // IBKR: 3 to 8 business days
	fmt.Println("transfer:", in.Status)
	fmt.Println("AAPL:", sb.Position(ibkrtest.DemoAccountID, 265598))
	// Output:
	// not on the list: ibkr: invalid brokerId: "Nobody Securities" is not on IBKR's ACATS broker list
	// broker: 9001 Sandbox Securities
	// transfer: PENDING
	// transfer: PROCESSED
	// AAPL: 12
}

// Tell IBKR that another DTC participant is delivering 100 IBM free of
// payment, then send 150 out.
func ExampleClient_TransferFOP() {
	c, sb := startWithIBM()
	defer sb.Close()
	ctx := context.Background()

	in, err := c.TransferFOP(ctx, ibkr.FOPTransfer{
		AccountID:     ibkrtest.DemoAccountID,
		Direction:     ibkr.TransferIn,
		ContraAccount: ibkr.NewSecret("12345678A"),
		ContraDTC:     ibkrtest.ACATSBrokerID,
		Instrument:    ibkr.ByCUSIP("459200101", ibkr.AssetStock, ibkr.USD),
		Quantity:      ibkr.MustDecimal("100"),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("FOP in:", in.Status)
	in = after(c, sb, in, 24*time.Hour) // the other institution delivers
	fmt.Println("FOP in:", in.Status, "- IBM:", sb.Position(ibkrtest.DemoAccountID, 8314))

	in, err = c.TransferFOP(ctx, ibkr.FOPTransfer{
		AccountID: ibkrtest.DemoAccountID, Direction: ibkr.TransferOut,
		ContraAccount: ibkr.NewSecret("12345678A"), ContraDTC: ibkrtest.ACATSBrokerID,
		Instrument: ibkr.ByConid(8314, ibkr.USD), Quantity: ibkr.MustDecimal("150"),
	})
	if err != nil {
		panic(err)
	}
	in = after(c, sb, in, 24*time.Hour)
	fmt.Println("FOP out:", in.Status, "- IBM:", sb.Position(ibkrtest.DemoAccountID, 8314))
	// Output:
	// FOP in: PENDING
	// FOP in: PROCESSED - IBM: 200
	// FOP out: PROCESSED - IBM: 50
}

// Deposit shares held at a transfer agent (DWAC). A wrong check digit is
// refused before anything is sent.
func ExampleClient_TransferDWAC() {
	c, sb := startWithIBM()
	defer sb.Close()
	ctx := context.Background()

	r := ibkr.DWACTransfer{
		AccountID:     ibkrtest.DemoAccountID,
		ContraAccount: ibkr.NewSecret("12345678A"),
		ContraTaxID:   ibkr.NewSecret("123456789"),
		Instrument:    ibkr.ByCUSIP("459200102", ibkr.AssetStock, ibkr.USD),
		Quantity:      ibkr.MustDecimal("5"),
		AccountTitle:  "Special Company Holding LLC",
	}
	_, err := c.TransferDWAC(ctx, r)
	fmt.Println(err)

	r.Instrument.SecurityID = "459200101"
	in, err := c.TransferDWAC(ctx, r)
	if err != nil {
		panic(err)
	}
	in = after(c, sb, in, 24*time.Hour)
	fmt.Println("DWAC:", in.Status, "- IBM:", sb.Position(ibkrtest.DemoAccountID, 8314))
	// Output:
	// ibkr: invalid tradingInstrument.tradingInstrumentDescription.securityId: must be a 9-character CUSIP with a correct check digit
	// DWAC: PROCESSED - IBM: 105
}

// Send 30 IBM to an institution outside the US, with settlement details;
// the institution must be on IBKR's complex-asset-transfer list.
func ExampleClient_TransferComplexAsset() {
	c, sb := startWithIBM()
	defer sb.Close()
	ctx := context.Background()

	name, err := c.FindComplexAssetTransferBroker(ctx, "sandbox brokerage a")
	if err != nil {
		panic(err)
	}
	today := sb.Now()
	in, err := c.TransferComplexAsset(ctx, ibkr.ComplexAssetTransfer{
		AccountID:  ibkrtest.DemoAccountID,
		Direction:  ibkr.TransferOut,
		Instrument: ibkr.ByConid(8314, ibkr.USD),
		Quantity:   ibkr.MustDecimal("30"),
		ContraBroker: ibkr.ContraBroker{
			AccountType: ibkr.ContraIndividual, Name: name, DepositoryID: "1234",
			Account: ibkr.NewSecret("AS3456567678578N"), Country: "GBR",
			ContactEmail: "ops@example.com", ContactPhone: "+442071234567",
		},
		Settlement: &ibkr.Settlement{TradeDate: today, SettleDate: today.AddDate(0, 0, 2), PlaceOfSettlementBIC: "OCSDATWWXXX"},
	})
	if err != nil {
		panic(err)
	}
	in = after(c, sb, in, 24*time.Hour)
	fmt.Println(name+":", in.Status, "- IBM:", sb.Position(ibkrtest.DemoAccountID, 8314))
	// Output:
	// Sandbox Brokerage A: PROCESSED - IBM: 70
}
