package main

import (
	"context"
	"strings"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

var cashCommand = &command{
	name:    "cash",
	args:    "ACCOUNT_ID",
	summary: "withdrawable cash of an account, per currency",
	help: `Asks IBKR how much cash an account can withdraw in a currency
(QUERY_WITHDRAWABLE_FUNDS): with and without a margin loan, and what may
move to a master account. Which amounts IBKR fills in depends on the kind
of account. Read-only (the query uses a clientInstructionId of its own).`,
	run: runCash,
}

type cashJSON struct {
	AccountID         string `json:"accountId"`
	Currency          string `json:"currency"`
	Withdrawable      string `json:"withdrawable"`
	NoBorrow          string `json:"withdrawableNoBorrow"`
	ToMaster          string `json:"toMaster"`
	ToMasterNoBorrow  string `json:"toMasterNoBorrow"`
	WithoutOriginHold string `json:"withoutOriginationHold,omitempty"`
}

func runCash(ctx context.Context, a *app, args []string) error {
	flags := a.newFlags()
	var cf connFlags
	cf.register(flags)
	ccy := flags.String("currency", "USD", "currency, ISO 4217")
	pos, err := a.parseWithArgs(flags, args, "ACCOUNT_ID")
	if err != nil {
		return err
	}
	if err := ibkr.ValidateAccountID("accountId", pos[0]); err != nil {
		return usagef("%s", errorMessage(err))
	}
	currency, err := ibkr.ParseCurrency(strings.ToUpper(*ccy))
	if err != nil {
		return usagef("--currency %q: %s", *ccy, errorMessage(err))
	}
	cl, _, err := cf.newClient(a, ibkr.WithClock(a.clock()))
	if err != nil {
		return err
	}
	w, err := cl.WithdrawableCash(ctx, pos[0], currency)
	if err != nil {
		return err
	}
	out := cashJSON{
		AccountID: w.AccountID, Currency: string(w.Currency),
		Withdrawable: w.Amount.String(), NoBorrow: w.AmountNoBorrow.String(),
		ToMaster: w.ToMaster.String(), ToMasterNoBorrow: w.ToMasterNoBorrow.String(),
	}
	if !w.WithoutOriginHold.IsZero() {
		out.WithoutOriginHold = w.WithoutOriginHold.String()
	}
	if a.json {
		a.emit(out)
		return nil
	}
	a.say("%s: %s %s withdrawable", out.AccountID, out.Withdrawable, out.Currency)
	a.say("  without borrowing    %s %s", out.NoBorrow, out.Currency)
	a.say("  to master account    %s %s (without borrowing %s)", out.ToMaster, out.Currency, out.ToMasterNoBorrow)
	if out.WithoutOriginHold != "" {
		a.say("  without origination hold  %s %s", out.WithoutOriginHold, out.Currency)
	}
	return nil
}
