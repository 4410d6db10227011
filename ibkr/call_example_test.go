package ibkr_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// opCounter is a CallObserver counting calls per operation; a tracing
// adapter would start a span in CallStart and end it in CallEnd.
type opCounter struct {
	mu    sync.Mutex
	calls map[string]int
}

func (o *opCounter) CallStart(ctx context.Context, operationID string) context.Context { return ctx }

func (o *opCounter) CallEnd(ctx context.Context, ev ibkr.CallEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls[ev.OperationID]++
}

// An observer sees every call of the client: its own token request too.
func ExampleWithObserver() {
	obs := &opCounter{calls: map[string]int{}}
	c, sb, err := sandbox.Start(ibkr.WithObserver(obs))
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	if _, err := c.Balance(context.Background(), ibkrtest.DemoAccountID, ibkr.USD); err != nil {
		panic(err)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	fmt.Println("token requests:", obs.calls["generateToken"])
	fmt.Println("balance queries:", obs.calls["createBalancesQuery"])
	// Output:
	// token requests: 1
	// balance queries: 1
}

// A request whose outcome was left unknown is sent again with its same
// clientInstructionId and WithResume: the client looks the id up first and
// sends only if IBKR never received it, so the money moves once.
func ExampleWithResume() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	dep := ibkr.WireDeposit{AccountID: ibkrtest.DemoAccountID, Amount: ibkr.MustDecimal("100"), Currency: ibkr.USD}
	first, err := c.NotifyWireDeposit(ctx, dep)
	if err != nil {
		panic(err)
	}

	// Say the answer had been lost: resume with the same id.
	dep.ClientInstructionID = first.ClientInstructionID
	again, err := c.NotifyWireDeposit(ctx, dep, ibkr.WithResume())
	if err != nil {
		panic(err)
	}
	fmt.Println("same instruction:", again.InstructionID == first.InstructionID)
	fmt.Println("found by lookup:", again.Reconciled)
	fmt.Println("sent to IBKR:", len(sb.RequestsFor("createExternalCashTransfers")))
	// Output:
	// same instruction: true
	// found by lookup: true
	// sent to IBKR: 1
}
