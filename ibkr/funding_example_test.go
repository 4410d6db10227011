package ibkr_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// The whole funding journey: link a bank account by ACH, wait for IBKR's
// verdict, confirm the two micro-deposits, deposit 500.00 USD, wait for
// it to arrive, show the balance.
func ExampleClient_LinkBankAccount() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	const account = ibkrtest.DemoAccountID

	link, err := c.LinkBankAccount(ctx, ibkr.BankAccountLink{
		AccountID:       account,
		InstructionName: "Checking",
		RoutingNumber:   ibkrtest.RoutingNumberMicroDeposits,
		AccountNumber:   ibkr.NewSecret("000123456789"),
		AccountType:     ibkr.Checking,
		Direction:       ibkr.ACHDebitCredit,
		BankName:        "Example Bank",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("link:", link.Status)

	verdict, err := c.WaitForBankVerification(ctx, link.ClientInstructionID, time.Hour)
	if err != nil {
		panic(err) // a *RejectedError if IBKR could not verify the account
	}
	fmt.Println("verdict:", verdict.Status)

	// The customer reads the two small credits off their bank statement.
	a1, a2, _ := sb.MicroDeposits(link.InstructionID)
	v, err := c.VerifyMicroDeposits(ctx, ibkr.MicroDepositVerification{
		AccountID: account, InstructionName: "Checking", InstructionID: link.InstructionID, Amount1: a1, Amount2: a2,
	})
	if err != nil {
		panic(err) // wrong amounts: a *RejectedError with AttemptsLeft
	}
	fmt.Println("micro-deposits:", v.Status)

	dep, err := c.DepositACH(ctx, ibkr.ACHDeposit{AccountID: account, InstructionName: "Checking", Amount: ibkr.MustDecimal("500.00")})
	if err != nil {
		panic(err)
	}
	fmt.Println("deposit:", dep.Status)
	dep, err = c.WaitForInstruction(ctx, dep.ClientInstructionID, 72*time.Hour)
	if err != nil {
		panic(err)
	}
	fmt.Println("deposit:", dep.Status, dep.Amount, dep.Currency)

	bal, err := c.Balance(ctx, account, ibkr.USD)
	if err != nil {
		panic(err)
	}
	fmt.Println("balance:", bal.AvailableEquity, bal.Currency)
	// Output:
	// link: PENDING
	// verdict: PENDING_VERIFICATION
	// micro-deposits: PROCESSED
	// deposit: PENDING
	// deposit: PROCESSED 500.00 USD
	// balance: 500.00 USD
}

// Wrong micro-deposit amounts are a typed error that says how many
// attempts are left.
func ExampleClient_VerifyMicroDeposits() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	link, err := c.LinkBankAccount(ctx, ibkr.BankAccountLink{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking",
		RoutingNumber: ibkrtest.RoutingNumberMicroDeposits, AccountNumber: ibkr.NewSecret("000123456789"), BankName: "Example Bank"})
	if err != nil {
		panic(err)
	}
	if _, err := c.WaitForBankVerification(ctx, link.ClientInstructionID, time.Hour); err != nil {
		panic(err)
	}
	_, err = c.VerifyMicroDeposits(ctx, ibkr.MicroDepositVerification{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking",
		InstructionID: link.InstructionID, Amount1: ibkr.MustDecimal("0.01"), Amount2: ibkr.MustDecimal("0.02")})
	var rj *ibkr.RejectedError
	if errors.As(err, &rj) && errors.Is(err, ibkr.ErrMicroDepositMismatch) {
		fmt.Println("mismatch;", rj.AttemptsLeft, "attempts left")
	}
	// Output:
	// mismatch; 2 attempts left
}

// A scheduled ACH withdrawal; amounts over the API limit are refused
// before anything is sent.
func ExampleClient_Withdraw() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	link, _ := c.LinkBankAccount(ctx, ibkr.BankAccountLink{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking",
		RoutingNumber: ibkrtest.RoutingNumberVerified, AccountNumber: ibkr.NewSecret("000123456789"), BankName: "Example Bank"})
	if _, err := c.WaitForBankVerification(ctx, link.ClientInstructionID, time.Hour); err != nil {
		panic(err)
	}
	_ = sb.SetBalance(ibkrtest.DemoAccountID, "USD", ibkr.MustDecimal("1000"))

	_, err = c.Withdraw(ctx, ibkr.Withdrawal{AccountID: ibkrtest.DemoAccountID, Method: ibkr.MethodACH,
		InstructionName: "Checking", Amount: ibkr.MustDecimal("250000")})
	fmt.Println("over the limit:", errors.Is(err, ibkr.ErrWithdrawalLimit))

	w, err := c.Withdraw(ctx, ibkr.Withdrawal{AccountID: ibkrtest.DemoAccountID, Method: ibkr.MethodACH,
		InstructionName: "Checking", Amount: ibkr.MustDecimal("250.00"), At: sb.Now().Add(24 * time.Hour)})
	if err != nil {
		panic(err)
	}
	cash, _ := c.WithdrawableCash(ctx, ibkrtest.DemoAccountID, ibkr.USD)
	fmt.Println("withdrawal:", w.Status, "; still withdrawable:", cash.Amount)
	// Output:
	// over the limit: true
	// withdrawal: PENDING ; still withdrawable: 750.00
}

// NewWaiter builds a waiter for anything that can be polled; here, until
// the account holds enough cash.
func ExampleNewWaiter() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	_, _ = c.NotifyWireDeposit(ctx, ibkr.WireDeposit{AccountID: ibkrtest.DemoAccountID, Amount: ibkr.MustDecimal("1200"), Currency: ibkr.USD})

	funded := ibkr.NewWaiter(c, "account funded", func(ctx context.Context) (*ibkr.Balance, bool, error) {
		b, err := c.Balance(ctx, ibkrtest.DemoAccountID, ibkr.USD)
		if err != nil {
			return nil, false, err
		}
		return b, b.AvailableEquity.Cmp(ibkr.MustDecimal("1000")) >= 0, nil
	}, func(o *ibkr.WaiterOptions) { o.MinDelay, o.MaxDelay = time.Minute, 10*time.Minute })
	start := sb.Now()
	b, err := funded.Wait(ctx, 6*time.Hour)
	if err != nil {
		panic(err)
	}
	fmt.Println("funded with", b.AvailableEquity, "within", sb.Now().Sub(start).Round(time.Hour))
	// Output:
	// funded with 1200 within 1h0m0s
}

// A journal lets a restarted process settle the requests whose answers
// it never saw.
func ExampleOpenFileJournal() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	dir, _ := os.MkdirTemp("", "journal")
	defer os.RemoveAll(dir)

	j, err := ibkr.OpenFileJournal(filepath.Join(dir, "funding.journal"))
	if err != nil {
		panic(err)
	}
	defer j.Close()
	// Usually the whole client journals (ibkr.WithJournal); here one call.
	dep, err := c.NotifyWireDeposit(context.Background(), ibkr.WireDeposit{AccountID: ibkrtest.DemoAccountID, Amount: ibkr.MustDecimal("100"), Currency: ibkr.USD},
		ibkr.WithCallJournal(j))
	if err != nil {
		panic(err)
	}
	_, outcome, _ := j.Outcome(dep.ClientInstructionID)
	fmt.Println("journaled:", outcome.State, outcome.Status)

	// After a restart: settle whatever is still pending.
	settled, err := c.ReconcileJournal(context.Background(), j)
	if err != nil {
		panic(err)
	}
	fmt.Println("pending after restart:", len(settled))
	// Output:
	// journaled: accepted PENDING
	// pending after restart: 0
}
