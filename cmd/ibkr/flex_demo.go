package main

import (
	"context"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/flex"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/wire"
)

// flexDemoSteps is how many steps the self-directed half adds to the
// embedded demo.
const flexDemoSteps = 4

// flexPushAmount is what the demo pushes into the account from outside.
const flexPushAmount = "250.00"

// flexJourney is the self-directed half of the embedded demo: the person
// owns the account and gives the app a Flex token and query; the app
// reads the balance through the Flex Web Service, pushes money into the
// account by ACH credit to its routing and account number (from outside
// IBKR: the sandbox's control), and confirms through Flex that it
// arrived.
func (j *journey) flexJourney(ctx context.Context) error {
	sb := j.sb
	first := flex.DateOf(j.start.In(eastern()))
	tok, err := sb.NewFlexToken(ibkrtest.FlexToken{Lifetime: 365 * 24 * time.Hour})
	if err != nil {
		return err
	}
	qid, err := sb.AddFlexQuery(ibkrtest.FlexQuery{Name: "ibkr demo", Accounts: []string{j.accountID}})
	if err != nil {
		return err
	}
	j.a.say("")
	j.a.say("The self-directed half: the account's owner gives the app a Flex query and token (IBKR's Flex Web Service).")
	j.step("flex token and query", "query %s with a 24-digit token, made through the sandbox's control handle (at IBKR: Performance & Reports > Flex Queries)", qid)
	fc, err := flex.New(tok, flex.WithBaseURL(j.res.BaseURL+ibkrtest.FlexPath), flex.WithClock(j.fake))
	if err != nil {
		return err
	}
	bal, err := fc.Balances(ctx, qid)
	if err != nil {
		return err
	}
	for _, b := range bal {
		j.step("balance via Flex", "%s as of %s: NAV %s %s, cash %s %s", b.AccountID, b.AsOf, b.NAV, b.Currency, b.Cash, b.Currency)
	}
	dd, err := sb.DirectDeposit(j.accountID)
	if err != nil {
		return err
	}
	amount := wire.MustDecimal(flexPushAmount)
	credit, err := sb.PushACHCredit(ibkrtest.ACHCredit{RoutingNumber: dd.RoutingNumber, AccountNumber: dd.AccountNumber, Amount: amount, Originator: "Demo Money Router"})
	if err != nil {
		return err
	}
	j.step("push ACH credit", "%s USD from another bank to routing %s, account %s (the account's direct deposit numbers), through the sandbox's control handle",
		amount, dd.RoutingNumber, mask(dd.AccountNumber))
	txs, err := fc.Deposits(ctx, qid, first)
	if err != nil {
		return err
	}
	m := flex.MatchDeposit(txs, flex.Expected{AccountID: j.accountID, Amount: amount, Currency: "USD", From: first})
	if m.Status != flex.Arrived {
		return fmt.Errorf("the pushed credit of %s USD was not found in the Flex statement (%s, %d candidates)", amount, m.Status, len(m.Matches))
	}
	got := m.Matches[0]
	j.step("confirm via Flex", "%s: %s %s %s on %s, transaction %s", m.Status, got.Description, got.Amount, got.Currency, got.Date(), got.TransactionID)
	if got.TransactionID != credit.TransactionID {
		return fmt.Errorf("matched transaction %s, but the sandbox booked %s", got.TransactionID, credit.TransactionID)
	}
	for _, tx := range txs {
		j.detail("%s  %s %s  %s", tx.Date(), tx.Amount, tx.Currency, tx.Description)
	}
	return nil
}
