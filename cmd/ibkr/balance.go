package main

import (
	"context"
	"strings"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

var balanceCommand = &command{
	name:    "balance",
	args:    "ACCOUNT_ID",
	summary: "an account's balances in every currency, and their total",
	help: `Gathers an account's balance in every currency IBKR funds in (one
QUERY_WITHDRAWABLE_CASH_EQUITY per currency, or only those --currency
lists) and its base currency, and shows the currencies it holds. When one
currency holds everything, the total is shown; IBKR's answer carries no
exchange rates, so balances in several currencies are not added up.
Read-only.`,
	run: runBalance,
}

type balanceJSON struct {
	AccountID     string            `json:"accountId"`
	BaseCurrency  string            `json:"baseCurrency,omitempty"`
	Balances      []balanceLineJSON `json:"balances"`
	TotalCurrency string            `json:"totalCurrency,omitempty"`
	Total         string            `json:"total,omitempty"`
	Withdrawable  string            `json:"withdrawable,omitempty"`
}

type balanceLineJSON struct {
	Currency     string `json:"currency"`
	Equity       string `json:"availableEquity"`
	Withdrawable string `json:"withdrawableCash"`
}

func runBalance(ctx context.Context, a *app, args []string) error {
	flags := a.newFlags()
	var cf connFlags
	cf.register(flags)
	list := flags.String("currency", "", "comma-separated currencies to ask about (default: every currency IBKR funds in)")
	pos, err := a.parseWithArgs(flags, args, "ACCOUNT_ID")
	if err != nil {
		return err
	}
	if err := ibkr.ValidateAccountID("accountId", pos[0]); err != nil {
		return usagef("%s", errorMessage(err))
	}
	var currencies []ibkr.Currency
	for _, s := range strings.Split(*list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		c, err := ibkr.ParseCurrency(strings.ToUpper(s))
		if err != nil {
			return usagef("--currency %q: %s", s, errorMessage(err))
		}
		currencies = append(currencies, c)
	}
	cl, _, err := cf.newClient(a, ibkr.WithClock(a.clock()))
	if err != nil {
		return err
	}
	t, err := cl.TotalBalance(ctx, pos[0], currencies...)
	if err != nil {
		return err
	}
	out := balanceJSON{AccountID: t.AccountID, BaseCurrency: string(t.BaseCurrency), Balances: []balanceLineJSON{}}
	for _, b := range t.Balances {
		out.Balances = append(out.Balances, balanceLineJSON{Currency: string(b.Currency), Equity: b.AvailableEquity.String(), Withdrawable: b.WithdrawableCash.String()})
	}
	if t.Complete() {
		out.TotalCurrency, out.Total, out.Withdrawable = string(t.TotalCurrency), t.Total.String(), t.Withdrawable.String()
	}
	if a.json {
		a.emit(out)
		return nil
	}
	for _, b := range out.Balances {
		a.say("  %s  %s available equity, %s withdrawable", b.Currency, b.Equity, b.Withdrawable)
	}
	switch {
	case t.Complete():
		a.say("%s: total %s %s, %s %s withdrawable", out.AccountID, out.Total, out.TotalCurrency, out.Withdrawable, out.TotalCurrency)
	default:
		a.say("%s: balances in %d currencies; no total without exchange rates", out.AccountID, len(out.Balances))
	}
	return nil
}
