package ibkrtest_test

import (
	"net/http"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// An amount written with many trailing zeros is still whole cents: the
// balance must take it and every later amount exactly, not overflow and
// silently drop a credit.
func TestBalanceExactWithTrailingZeros(t *testing.T) {
	srv, c := fundedClient(t)
	acct := ibkrtest.DemoAccountID
	for _, amt := range []string{"1.000000000000000000", "10"} {
		a := c.post("/gw/api/v1/external-cash-transfers", depositBody(nextCID(), acct, "", amt, "WIRE"))
		wantStatus(t, a, http.StatusAccepted)
		srv.Advance(ibkrtest.DefaultTimings.WireDeposit)
	}
	if got := srv.Balance(acct, "USD"); !got.Equal(mustDec("1011")) {
		t.Fatalf("balance %s, want 1011.00", got)
	}
}
