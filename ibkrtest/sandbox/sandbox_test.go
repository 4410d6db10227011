package sandbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// The whole funding journey on one line of setup: the waits take days of
// sandbox time and no wall time.
func TestNewClientRunsTheFundingJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, srv := sandbox.NewClient(t)
	start := srv.Now()

	link, err := client.LinkBankAccount(ctx, ibkr.BankAccountLink{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking",
		RoutingNumber: ibkrtest.RoutingNumberMicroDeposits, AccountNumber: ibkr.NewSecret("000123456789"), BankName: "Example Bank"})
	if err != nil {
		t.Fatal(err)
	}
	verdict, err := client.WaitForBankVerification(ctx, link.ClientInstructionID, time.Hour)
	if err != nil {
		t.Fatalf("WaitForBankVerification: %v", err)
	}
	if verdict.Status != ibkr.InstructionPendingVerification {
		t.Fatalf("verdict %s, want PENDING_VERIFICATION", verdict.Status)
	}
	a1, a2, ok := srv.MicroDeposits(link.InstructionID)
	if !ok {
		t.Fatal("no micro-deposits were sent")
	}
	if _, err := client.VerifyMicroDeposits(ctx, ibkr.MicroDepositVerification{AccountID: ibkrtest.DemoAccountID,
		InstructionName: "Checking", InstructionID: link.InstructionID, Amount1: a1, Amount2: a2}); err != nil {
		t.Fatal(err)
	}
	dep, err := client.DepositACH(ctx, ibkr.ACHDeposit{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking", Amount: ibkr.MustDecimal("500.00")})
	if err != nil {
		t.Fatal(err)
	}
	dep, err = client.WaitForInstruction(ctx, dep.ClientInstructionID, 72*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if dep.Status != ibkr.InstructionProcessed {
		t.Fatalf("deposit %s, want PROCESSED", dep.Status)
	}
	bal, err := client.Balance(ctx, ibkrtest.DemoAccountID, ibkr.USD)
	if err != nil {
		t.Fatal(err)
	}
	if bal.AvailableEquity.String() != "500.00" {
		t.Fatalf("balance %s, want 500.00", bal.AvailableEquity)
	}
	// The client's waits moved the shared clock: verification (10 min) and
	// the deposit (24 h) passed in sandbox time.
	if d := srv.Now().Sub(start); d < 24*time.Hour {
		t.Fatalf("sandbox time moved %v, want at least the deposit's 24h", d)
	}
}

// A client on the wall clock talking to a fake-clock sandbox is refused,
// and the refusal names the fix.
func TestWallClockClientIsToldTheFix(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	client, err := ibkr.New(ibkr.WithBaseURL(srv.URL), ibkr.WithPrivateKeyPEM(srv.ClientID, srv.KeyID, srv.PrivateKeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Balance(context.Background(), ibkrtest.DemoAccountID, ibkr.USD)
	if !errors.Is(err, ibkr.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	for _, want := range []string{"iat is in the future", "ahead of the sandbox clock", "ibkr.WithClock(srv.Clock())", "sandbox.NewClient(t)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

// Client wires a sandbox started with options; options given to the
// client come after the sandbox's.
func TestClientForAConfiguredSandbox(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithTimings(ibkrtest.Timings{ACHVerification: time.Minute}))
	client, err := sandbox.Client(srv, ibkr.WithScopes("bank-instructions.write", "instructions.read"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	link, err := client.LinkBankAccount(ctx, ibkr.BankAccountLink{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking",
		RoutingNumber: ibkrtest.RoutingNumberVerified, AccountNumber: ibkr.NewSecret("000123456789"), BankName: "Example Bank"})
	if err != nil {
		t.Fatal(err)
	}
	start := srv.Now()
	verdict, err := client.WaitForBankVerification(ctx, link.ClientInstructionID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if verdict.Status != ibkr.InstructionProcessed {
		t.Fatalf("verdict %s, want PROCESSED", verdict.Status)
	}
	if d := srv.Now().Sub(start); d <= 0 || d > 10*time.Minute {
		t.Fatalf("sandbox time moved %v for a one-minute verification", d)
	}
	reqs := srv.Requests()
	if len(reqs) == 0 || reqs[0].Form.Get("scope") != "bank-instructions.write instructions.read" {
		t.Fatalf("the client's own scopes were not used: %+v", reqs[0])
	}
}

// Start is the same outside a test; Close stops it.
func TestStart(t *testing.T) {
	client, srv, err := sandbox.Start()
	if err != nil {
		t.Fatal(err)
	}
	bal, err := client.Balance(context.Background(), ibkrtest.DemoAccountID, ibkr.USD)
	if err != nil {
		t.Fatal(err)
	}
	if !bal.AvailableEquity.IsZero() {
		t.Fatalf("a fresh sandbox's demo account holds %s", bal.AvailableEquity)
	}
	srv.Close()
	srv.Close() // twice is fine
	if _, err := client.Balance(context.Background(), ibkrtest.DemoAccountID, ibkr.USD); err == nil {
		t.Fatal("the sandbox still answers after Close")
	}
}
