package sandbox_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// Outside a test, Start gives the same sandbox and client; in a test,
// client, srv := sandbox.NewClient(t) also stops the sandbox at the end.
// The wait takes IBKR's ten minutes of verification in sandbox time and
// no wall time.
func ExampleStart() {
	client, srv, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx := context.Background()

	link, err := client.LinkBankAccount(ctx, ibkr.BankAccountLink{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking",
		RoutingNumber: ibkrtest.RoutingNumberVerified, AccountNumber: ibkr.NewSecret("000123456789"), BankName: "Example Bank"})
	if err != nil {
		panic(err)
	}
	start := srv.Now()
	verdict, err := client.WaitForBankVerification(ctx, link.ClientInstructionID, time.Hour)
	if err != nil {
		panic(err)
	}
	waited := srv.Now().Sub(start)
	fmt.Println(verdict.Status, "after at least ten minutes of sandbox time:", waited >= 10*time.Minute)
	// Output: PROCESSED after at least ten minutes of sandbox time: true
}
