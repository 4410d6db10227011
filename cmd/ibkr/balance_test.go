package main

import (
	"encoding/json"
	"testing"

	"github.com/ibkrweb/ibkr-go/wire"
)

func TestBalanceCommand(t *testing.T) {
	sb, _, res, run := funded(t)
	r := run(nil, "balance", res.AccountID)
	wantExit(t, r, 0, "USD  500.00 available equity, 500.00 withdrawable", res.AccountID+": total 500.00 USD, 500.00 USD withdrawable")

	if err := sb.SetBalance(res.AccountID, "EUR", wire.MustDecimal("12.34")); err != nil {
		t.Fatal(err)
	}
	r = run(nil, "balance", "--json", "--currency", "eur,usd", res.AccountID)
	wantExit(t, r, 0)
	var out balanceJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Balances) != 2 || out.Balances[0].Currency != "EUR" ||
		out.Balances[0].Equity != "12.34" || out.Total != "" || out.BaseCurrency != "USD" {
		t.Fatalf("balance %+v %v\n%s", out, err, r)
	}
	wantExit(t, run(nil, "balance", res.AccountID), 0, "no total without exchange rates")
	wantExit(t, run(nil, "balance", "--currency", "USD,XYZ", res.AccountID), exitUsage, `--currency "XYZ"`)
	wantExit(t, run(nil, "balance", "u1"), exitUsage, "accountId")
}
