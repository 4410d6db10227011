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

// An eDDA authorisation with a Hong Kong bank, then a deposit in HKD
// through it.
func ExampleClient_DepositEDDA() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	const account = ibkrtest.DemoAccountID

	auth, err := c.AddEDDAInstruction(ctx, ibkr.EDDAInstruction{
		AccountID: account, InstructionName: "HSBC HK", Currency: ibkr.HKD,
		BankAccountNumber: ibkr.NewSecret("123456789"), BranchCode: "003", ClearingCode: "004",
		DocumentType: ibkr.EDDAHongKongID,
	})
	if err != nil {
		panic(err)
	}
	if auth, err = c.WaitForInstruction(ctx, auth.ClientInstructionID, time.Hour); err != nil {
		panic(err)
	}
	fmt.Println("authorisation:", auth.Status)

	dep, err := c.DepositEDDA(ctx, ibkr.EDDADeposit{
		AccountID: account, InstructionName: "HSBC HK", Amount: ibkr.MustDecimal("8000.00"), Currency: ibkr.HKD,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("deposit:", dep.Status)
	if dep, err = c.WaitForInstruction(ctx, dep.ClientInstructionID, 72*time.Hour); err != nil {
		panic(err)
	}
	fmt.Println("deposit:", dep.Status)

	// eDDA moves HKD and CNH only: refused before anything is sent.
	_, err = c.DepositEDDA(ctx, ibkr.EDDADeposit{AccountID: account, InstructionName: "HSBC HK", Amount: ibkr.MustDecimal("1"), Currency: ibkr.USD})
	fmt.Println("USD by eDDA refused:", errors.Is(err, ibkr.ErrCurrencyNotAllowed))
	// Output:
	// authorisation: PROCESSED
	// deposit: PENDING
	// deposit: PROCESSED
	// USD by eDDA refused: true
}

// An open-banking deposit: IBKR answers PENDING while the account holder
// authorises the payment with Plaid; then the money arrives.
func ExampleClient_DepositOpenBanking() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()

	dep, err := c.DepositOpenBanking(ctx, ibkr.OpenBankingDeposit{
		AccountID: ibkrtest.DemoAccountID, Amount: ibkr.MustDecimal("250.00"), Currency: ibkr.GBP,
		RedirectURI: "https://broker.example/funding/done", DisplayName: "Example Broker",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("deposit:", dep.Status)
	if dep, err = c.WaitForInstruction(ctx, dep.ClientInstructionID, time.Hour); err != nil {
		panic(err) // a *RejectedError when the holder declines
	}
	fmt.Println("deposit:", dep.Status)
	bal, err := c.Balance(ctx, ibkrtest.DemoAccountID, ibkr.GBP)
	if err != nil {
		panic(err)
	}
	fmt.Println("balance:", bal.AvailableEquity, bal.Currency)
	// Output:
	// deposit: PENDING
	// deposit: PROCESSED
	// balance: 250.00 GBP
}

// An IRA contribution for the current tax year, the year's contribution
// figures, and a distribution with federal and state tax withheld.
func ExampleClient_IRAContributions() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	const account = ibkrtest.DemoAccountID
	if err := sb.MakeIRA(account, "TRADITIONAL", ibkr.MustDecimal("7000")); err != nil {
		panic(err)
	}

	dep, err := c.NotifyWireDeposit(ctx, ibkr.WireDeposit{
		AccountID: account, Amount: ibkr.MustDecimal("5000.00"), Currency: ibkr.USD,
		IRA: &ibkr.IRADeposit{Type: ibkr.IRAContribution, TaxYear: ibkr.IRACurrentYear},
	})
	if err != nil {
		panic(err)
	}
	if _, err = c.WaitForInstruction(ctx, dep.ClientInstructionID, 24*time.Hour); err != nil {
		panic(err)
	}
	got, err := c.IRAContributions(ctx, account, sb.Now().Year())
	if err != nil {
		panic(err)
	}
	for _, l := range got.Limits {
		fmt.Println(got.IRAType, "limit", l.Maximum, "contributed", l.YearToDate, "allowed", l.Allowed)
	}

	if _, err := c.AddWireDestination(ctx, ibkr.WireDestination{
		AccountID: account, InstructionName: "Checking", Currency: ibkr.USD, BankName: "Example Bank",
		BankAccount: ibkr.NewSecret("000123456789"), Identifier: "EXAMUS33",
	}); err != nil {
		panic(err)
	}
	out, err := c.Withdraw(ctx, ibkr.Withdrawal{
		AccountID: account, Method: ibkr.MethodWire, InstructionName: "Checking", Amount: ibkr.MustDecimal("1000.00"),
		IRA: &ibkr.IRADistribution{Reason: ibkr.IRANormalDistribution, FederalTaxPercent: ibkr.MustDecimal("10"),
			StateTaxPercent: ibkr.MustDecimal("4.5"), State: "NY"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("distribution:", out.Status)
	// Output:
	// TRADITIONAL limit 7000 contributed 5000.00 allowed 2000.00
	// distribution: PENDING
}

// A SEPA destination (an IBAN) and a withdrawal in euros to it.
func ExampleClient_Withdraw_sepa() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	const account = ibkrtest.DemoAccountID
	if err := sb.SetBalance(account, "EUR", ibkr.MustDecimal("1000.00")); err != nil {
		panic(err)
	}

	if _, err := c.AddWireDestination(ctx, ibkr.WireDestination{
		AccountID: account, InstructionName: "Girokonto", Method: ibkr.MethodSEPA, Currency: ibkr.EUR,
		BankName: "Commerzbank", BankAccount: ibkr.NewSecret("DE89 3704 0044 0532 0130 00"), Identifier: "COBADEFF",
	}); err != nil {
		panic(err)
	}
	w, err := c.Withdraw(ctx, ibkr.Withdrawal{
		AccountID: account, Method: ibkr.MethodSEPA, InstructionName: "Girokonto", Amount: ibkr.MustDecimal("250.00"), Currency: ibkr.EUR,
	})
	if err != nil {
		panic(err)
	}
	if w, err = c.WaitForInstruction(ctx, w.ClientInstructionID, 72*time.Hour); err != nil {
		panic(err)
	}
	fmt.Println("withdrawal:", w.Status)
	fmt.Println("EUR left:", sb.Balance(account, "EUR"))

	// SEPA moves euros only.
	_, err = c.Withdraw(ctx, ibkr.Withdrawal{AccountID: account, Method: ibkr.MethodSEPA, InstructionName: "Girokonto", Amount: ibkr.MustDecimal("1"), Currency: ibkr.USD})
	fmt.Println("USD by SEPA refused:", errors.Is(err, ibkr.ErrCurrencyNotAllowed))
	// Output:
	// withdrawal: PROCESSED
	// EUR left: 750.00
	// USD by SEPA refused: true
}

// A monthly recurring deposit and its runs.
func ExampleClient_RecurringExecutions() {
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

	dep, err := c.DepositACH(ctx, ibkr.ACHDeposit{
		AccountID: account, InstructionName: "Checking", Amount: ibkr.MustDecimal("200.00"),
		Recurring: &ibkr.Recurrence{Name: "Savings plan", Frequency: ibkr.Monthly, Start: sb.Now().AddDate(0, 0, 1)},
	})
	if err != nil {
		panic(err)
	}
	sb.Advance(100 * 24 * time.Hour) // a little over three months

	h, err := c.RecurringExecutions(ctx, dep.IBReferenceID, 10)
	if err != nil {
		panic(err)
	}
	fmt.Println(h.Name, h.Type, h.Status, h.Amount, h.Currency)
	for _, x := range h.Executions {
		fmt.Println("run:", x.Status)
	}
	// Output:
	// Savings plan DEPOSIT ACTIVE 200.00 USD
	// run: PROCESSED
	// run: PROCESSED
	// run: PROCESSED
	// run: PROCESSED
}

// The account's total balance in one call: every currency's balance and,
// when one currency holds everything, the total.
func ExampleClient_TotalBalance() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	const account = ibkrtest.DemoAccountID
	if err := sb.SetBalance(account, "USD", ibkr.MustDecimal("1200.50")); err != nil {
		panic(err)
	}

	t, err := c.TotalBalance(ctx, account)
	if err != nil {
		panic(err)
	}
	fmt.Println("total:", t.Total, t.TotalCurrency, "withdrawable:", t.Withdrawable)

	if err := sb.SetBalance(account, "EUR", ibkr.MustDecimal("300.00")); err != nil {
		panic(err)
	}
	if t, err = c.TotalBalance(ctx, account); err != nil {
		panic(err)
	}
	for _, b := range t.Balances {
		fmt.Println(b.Currency, b.AvailableEquity)
	}
	fmt.Println("one total:", t.Complete())
	// Output:
	// total: 1200.50 USD withdrawable: 1200.50
	// EUR 300.00
	// USD 1200.50
	// one total: false
}
