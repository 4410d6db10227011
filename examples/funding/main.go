// Command funding walks the whole funding journey of an ibkr-go user
// against the in-process IBKR sandbox (package ibkrtest), with no IBKR
// credentials: link a bank account by ACH, wait for IBKR's verdict,
// confirm the two micro-deposits, deposit 500.00 USD, follow it with a
// Tracker until the money arrives, and show the balance.
//
// The sandbox runs on a fake clock that jumps ahead whenever the client
// waits, so the minutes of ACH verification and the day an ACH deposit
// takes pass at once.
//
//	go run ./examples/funding
//	go run ./examples/funding -amount 1234.56
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

func main() {
	amount := flag.String("amount", "500.00", "USD amount to deposit")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *amount); err != nil {
		fmt.Fprintln(os.Stderr, "funding:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, amountText string) error {
	amount, err := ibkr.ParseDecimal(amountText)
	if err != nil {
		return fmt.Errorf("amount: %w", err)
	}
	// Refuse a bad amount (say 1.234) before linking anything, not after.
	deposit := ibkr.ACHDeposit{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking", Amount: amount}
	if err := deposit.Validate(); err != nil {
		return err
	}

	// The sandbox and a client wired to it (shared fake clock, demo
	// credentials).
	c, sb, err := sandbox.Start()
	if err != nil {
		return err
	}
	defer sb.Close()
	const account = ibkrtest.DemoAccountID
	start := sb.Now()
	step := func(format string, args ...any) {
		fmt.Fprintf(out, "[+%-8s] %s\n", sb.Now().Sub(start).Round(time.Minute), fmt.Sprintf(format, args...))
	}

	// 1. Link the bank account by routing and account number.
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
		return err
	}
	step("linked bank account (ACH instruction %s): %s", link.InstructionID, link.Status)

	// 2. IBKR verifies the account within 7 to 15 minutes.
	verdict, err := c.WaitForBankVerification(ctx, link.ClientInstructionID, time.Hour)
	if err != nil {
		return err
	}
	step("verification: %s", verdict.Status)

	// 3. If IBKR sent micro-deposits, confirm them.
	if verdict.Status == ibkr.InstructionPendingVerification {
		a1, a2, _ := sb.MicroDeposits(link.InstructionID) // what the bank statement shows
		step("micro-deposits on the bank statement: %s and %s", a1, a2)
		v, err := c.VerifyMicroDeposits(ctx, ibkr.MicroDepositVerification{
			AccountID: account, InstructionName: "Checking", InstructionID: link.InstructionID, Amount1: a1, Amount2: a2,
		})
		if err != nil {
			return err
		}
		step("micro-deposits confirmed: %s", v.Status)
	}

	// 4. Push money into the IBKR account.
	dep, err := c.DepositACH(ctx, deposit)
	if err != nil {
		return err
	}
	step("deposit of %s USD (clientInstructionId %s): %s", amount, dep.ClientInstructionID, dep.Status)
	// A Tracker follows deposits on a schedule that knows an ACH deposit
	// takes about a day, batching many of them into few queries. A
	// server runs it (Run) in a goroutine; here it runs in this one.
	tr, err := c.NewTracker()
	if err != nil {
		return err
	}
	if err := tr.Track(ibkr.TrackedOf(dep, account, "ACH")); err != nil {
		return err
	}
	dep, err = tr.RunUntil(ctx, dep.ClientInstructionID, 72*time.Hour)
	if err != nil {
		return err
	}
	step("deposit: %s (%d status lookups by the tracker)", dep.Status, tr.Looks())

	// 5. Show the balance.
	bal, err := c.Balance(ctx, account, ibkr.USD)
	if err != nil {
		return err
	}
	step("balance of %s: %s %s (withdrawable %s)", account, bal.AvailableEquity, bal.Currency, bal.WithdrawableCash)
	return nil
}
