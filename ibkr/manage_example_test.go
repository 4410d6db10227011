package ibkr_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// Account maintenance: several typed requests in one signed PATCH, each
// checked against IBKR's documented rules first.
func ExampleClient_UpdateAccount() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID

	res, err := c.UpdateAccount(ctx,
		ibkr.AddTradingPermissions{AccountID: acct, Permissions: []ibkr.TradingPermission{
			{Country: "UNITED STATES", Product: "OPTIONS"},
		}},
		ibkr.ChangeBaseCurrency{AccountID: acct, Currency: ibkr.EUR},
		ibkr.UpdateAccountAlias{AccountID: acct, Alias: "Jane's savings"},
		ibkr.UpdateRepresentatives{AccountID: acct, Representatives: []ibkr.Representative{{UserName: "rep0001", Percentage: 100}}},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res.Results {
		fmt.Println(r.Type, r.Status)
	}

	// Refused locally: a BCAN below 100, representatives not adding up.
	for _, ch := range []ibkr.AccountChange{
		ibkr.UpdateBCAN{AccountID: acct, BCAN: "42", CENumber: "BNO808"},
		ibkr.UpdateRepresentatives{AccountID: acct, Representatives: []ibkr.Representative{{UserName: "rep0001", Percentage: 60}}},
	} {
		_, err := c.UpdateAccount(ctx, ch)
		fmt.Println(errors.Is(err, ibkr.ErrInvalidInput), err)
	}
	// Output:
	// ADD_TRADING Pending
	// CHANGE_BASE_CURRENCY Pending
	// UPDATE_ACCOUNT_ALIAS Pending
	// UPDATE_ACCOUNT_REPRESENTATIVES Pending
	// true ibkr: invalid updateBcan.bcan: must not be 1 to 99
	// true ibkr: invalid updateAccountRepresentatives.representativeDetails.percentage: shares must add up to 100 (got 60)
}

// Closing a funded account names the saved bank instruction the
// remaining cash goes to; abandoning removes a pending application.
func ExampleCloseAccount() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	_, err = c.UpdateAccount(ctx, ibkr.CloseAccount{
		AccountID:  ibkrtest.DemoAccountID,
		Reason:     "moving to another broker",
		Withdrawal: &ibkr.CloseWithdrawal{InstructionName: "Checking", Method: "ACH"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := c.AccountStatus(ctx, ibkrtest.DemoAccountID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Status)

	// Only pending applications can be abandoned: IBKR refuses.
	_, err = c.UpdateAccount(ctx, ibkr.AbandonApplication{AccountID: ibkrtest.DemoAccountID})
	fmt.Println(errors.Is(err, ibkr.ErrBadRequest))
	// Output:
	// closed (C)
	// true
}
