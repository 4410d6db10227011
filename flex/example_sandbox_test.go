package flex_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/ibkrweb/ibkr-go/flex"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/wire"
)

// An app confirms that money it pushed into a self-directed account
// arrived, against the sandbox's Flex Web Service.
func ExampleClient_Deposits() {
	sb, err := ibkrtest.NewHandler()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	sb.Clock().SetAutoAdvance(true) // the client's waits move the sandbox's clock
	hs := httptest.NewServer(sb)
	defer hs.Close()

	// What the account's owner makes in IBKR's portal.
	token, _ := sb.NewFlexToken(ibkrtest.FlexToken{})
	query, _ := sb.AddFlexQuery(ibkrtest.FlexQuery{Accounts: []string{ibkrtest.DemoAccountID}})

	// The app pushes 250.00 USD from another bank to the account's
	// direct deposit numbers.
	dd, _ := sb.DirectDeposit(ibkrtest.DemoAccountID)
	if _, err := sb.PushACHCredit(ibkrtest.ACHCredit{RoutingNumber: dd.RoutingNumber, AccountNumber: dd.AccountNumber,
		Amount: wire.MustDecimal("250.00"), Originator: "Money Router"}); err != nil {
		panic(err)
	}

	c, err := flex.New(token, flex.WithBaseURL(hs.URL+ibkrtest.FlexPath), flex.WithClock(sb.Clock()))
	if err != nil {
		panic(err)
	}
	since := flex.Date{Year: 2025, Month: 3, Day: 1}
	txs, err := c.Deposits(context.Background(), query, since)
	if err != nil {
		panic(err)
	}
	m := flex.MatchDeposit(txs, flex.Expected{Amount: wire.MustDecimal("250"), Currency: "USD", From: since})
	fmt.Println(m.Status, m.Matches[0].Date(), m.Matches[0].Amount, m.Matches[0].Description)
	// Output: arrived 2025-03-04 250.00 ACH CREDIT FROM MONEY ROUTER
}
