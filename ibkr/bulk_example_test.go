package ibkr_test

import (
	"context"
	"fmt"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// Link two bank accounts in one request. Each item is the request
// LinkBankAccount sends; each gets its own clientInstructionId and result.
func ExampleClient_BulkBankInstructions() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	link := func(name, number string) ibkr.BankInstructionItem {
		return ibkr.BankAccountLink{
			AccountID: ibkrtest.DemoAccountID, InstructionName: name, RoutingNumber: ibkrtest.RoutingNumberVerified,
			AccountNumber: ibkr.NewSecret(number), BankName: "Example Bank",
		}
	}
	res, err := c.BulkBankInstructions(context.Background(), []ibkr.BankInstructionItem{
		link("Checking", "000123456789"),
		link("Savings", "000987654321"),
	})
	if err != nil {
		panic(err)
	}
	for _, it := range res.Items {
		fmt.Println(it.Instruction.Type, it.Instruction.Status, it.Err)
	}
	// Output:
	// ACH_INSTRUCTION PENDING <nil>
	// ACH_INSTRUCTION PENDING <nil>
}

// Three deposits in one request; one names a bank instruction the account
// does not have, and only that item is rejected.
func ExampleClient_BulkExternalCashTransfers() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	const account = ibkrtest.DemoAccountID
	if err := sb.AddLinkedACH(account, "Checking"); err != nil {
		panic(err)
	}
	deposit := func(from, amount string) ibkr.ExternalCashItem {
		return ibkr.ACHDeposit{AccountID: account, InstructionName: from, Amount: ibkr.MustDecimal(amount)}
	}
	res, err := c.BulkExternalCashTransfers(context.Background(), []ibkr.ExternalCashItem{
		deposit("Checking", "100.00"),
		deposit("Checking", "250.00"),
		deposit("Brokerage", "50.00"),
	})
	if err != nil {
		panic(err) // the whole request failed, or some items' outcome is unknown
	}
	fmt.Println("accepted:", res.Accepted(), "of", len(res.Items))
	for _, it := range res.Items {
		if it.Err != nil {
			fmt.Println("rejected:", it.Instruction.Status, it.Instruction.ErrorCode)
		}
	}
	// Output:
	// accepted: 2 of 3
	// rejected: REJECTED ERROR_BANK_INSTRUCTION_NOT_FOUND
}

// Move cash from one account to two others in one request.
func ExampleClient_BulkInternalCashTransfers() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	const from = ibkrtest.DemoAccountID
	for _, acct := range []string{"U7654321", "U7654322"} {
		if err := sb.AddAccount(acct, "O"); err != nil {
			panic(err)
		}
	}
	if err := sb.SetBalance(from, "USD", ibkr.MustDecimal("1000")); err != nil {
		panic(err)
	}
	res, err := c.BulkInternalCashTransfers(context.Background(), []ibkr.CashTransfer{
		{From: from, To: "U7654321", Amount: ibkr.MustDecimal("100"), Currency: ibkr.USD},
		{From: from, To: "U7654322", Amount: ibkr.MustDecimal("200"), Currency: ibkr.USD},
	})
	if err != nil {
		panic(err)
	}
	for _, it := range res.Items {
		fmt.Println(it.Instruction.Type, it.Instruction.Status)
	}
	fmt.Println("left:", sb.Balance(from, "USD"))
	// Output:
	// INTERNAL_CASH_TRANSFER PROCESSED
	// INTERNAL_CASH_TRANSFER PROCESSED
	// left: 700
}

// Cancel two pending deposits in one request.
func ExampleClient_BulkCancelInstructions() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	const account = ibkrtest.DemoAccountID
	if err := sb.AddLinkedACH(account, "Checking"); err != nil {
		panic(err)
	}
	deposits, err := c.BulkExternalCashTransfers(ctx, []ibkr.ExternalCashItem{
		ibkr.ACHDeposit{AccountID: account, InstructionName: "Checking", Amount: ibkr.MustDecimal("10")},
		ibkr.ACHDeposit{AccountID: account, InstructionName: "Checking", Amount: ibkr.MustDecimal("20")},
	})
	if err != nil {
		panic(err)
	}
	var cancels []ibkr.Cancellation
	for _, it := range deposits.Items {
		cancels = append(cancels, ibkr.Cancellation{InstructionID: it.Instruction.InstructionID, Reason: "sent by mistake"})
	}
	res, err := c.BulkCancelInstructions(ctx, cancels)
	if err != nil {
		panic(err)
	}
	for i, it := range res.Items {
		dep, err := c.InstructionStatus(ctx, deposits.Items[i].ClientInstructionID)
		if err != nil {
			panic(err)
		}
		fmt.Println(it.Instruction.Type, it.Instruction.Status, "-> deposit", dep.Status)
	}
	// Output:
	// CANCEL_INSTRUCTION PROCESSED -> deposit REJECTED
	// CANCEL_INSTRUCTION PROCESSED -> deposit REJECTED
}
