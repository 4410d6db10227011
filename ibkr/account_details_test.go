package ibkr

import (
	"context"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func TestAccountDetailsSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	d, err := c.AccountDetails(ctx, ibkrtest.DemoAccountID)
	if err != nil {
		t.Fatal(err)
	}
	if d.AccountID != ibkrtest.DemoAccountID || d.UserName != ibkrtest.DemoUserName || d.Status != StatusOpen ||
		d.BaseCurrency != USD || d.Opened.IsZero() || d.MasterAccountID != ibkrtest.MasterAccountID {
		t.Fatalf("details %+v", d)
	}
	_, err = c.AccountDetails(ctx, "U7654321")
	wantErr(t, err, ErrBadRequest)

	reg, err := c.Register(ctx, hybridJane())
	if err != nil {
		t.Fatal(err)
	}
	k, err := c.AccountKYC(ctx, reg.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if k.URL == "" || k.Expiry.Sub(k.Start) != 24*time.Hour || k.ExternalID != "cust-0001" {
		t.Fatalf("kyc %+v", k)
	}
	_, err = c.AccountKYC(ctx, "")
	wantErr(t, err, ErrInvalidInput)
	if n := len(srv.RequestsFor("getAccountsKyc")); n != 1 {
		t.Fatalf("%d kyc requests", n)
	}
}
