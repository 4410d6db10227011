package ibkr

import (
	"context"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// fundingEnv is a client wired to an in-process sandbox that shares its
// fake clock. With auto-advance on (the default here), every sleep of the
// client (waiters, rate limits, backoff) moves sandbox time forward at
// once, so hours of IBKR time pass in milliseconds.
type fundingEnv struct {
	srv *ibkrtest.Server
	c   *Client
}

// fundingAccountNumber is the bank account number the funding tests link;
// it is registered with the secret audit (see harness_test.go).
const fundingAccountNumber = secretAccountNumber

func newFundingEnv(t testing.TB, sopts []ibkrtest.Option, copts ...Option) *fundingEnv {
	t.Helper()
	srv := ibkrtest.NewServer(t, sopts...)
	srv.Clock().SetAutoAdvance(true)
	return &fundingEnv{srv: srv, c: fundingClient(t, srv, copts...)}
}

// fundingClient makes another client (a "restarted process") for srv.
func fundingClient(t testing.TB, srv *ibkrtest.Server, copts ...Option) *Client {
	t.Helper()
	opts := append([]Option{
		WithBaseURL(srv.URL),
		WithPrivateKeyPEM(srv.ClientID, srv.KeyID, srv.PrivateKeyPEM),
		WithClock(srv.Clock()),
		WithLogger(suiteLogger),
	}, copts...)
	c, err := New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func fctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// link links the test bank account with a routing number that decides the
// sandbox's verdict.
func (e *fundingEnv) link(t testing.TB, name, routing string) *Instruction {
	t.Helper()
	in, err := e.c.LinkBankAccount(fctx(t), BankAccountLink{
		AccountID: ibkrtest.DemoAccountID, InstructionName: name, RoutingNumber: routing,
		AccountNumber: NewSecret(fundingAccountNumber), BankName: "Example Bank",
	})
	if err != nil {
		noteErr(err)
		t.Fatalf("LinkBankAccount: %v", err)
	}
	return in
}

// linkVerified links a bank account and waits until it is PROCESSED
// (routing number verified without micro-deposits).
func (e *fundingEnv) linkVerified(t testing.TB, name string) *Instruction {
	t.Helper()
	in := e.link(t, name, ibkrtest.RoutingNumberVerified)
	got, err := e.c.WaitForBankVerification(fctx(t), in.ClientInstructionID, time.Hour)
	if err != nil || got.Status != InstructionProcessed {
		noteErr(err)
		t.Fatalf("WaitForBankVerification = %v, %v; want PROCESSED", got, err)
	}
	return got
}
