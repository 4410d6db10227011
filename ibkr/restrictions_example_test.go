package ibkr_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// Trading restrictions: check a list, apply it (all rows or none), and
// read the account's restrictions back. A list with a refused row is
// answered with the row and the reason.
func ExampleClient_ApplyRestrictions() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	list := ibkr.RestrictionList{UserName: ibkrtest.DemoUserName, Rows: []ibkr.RestrictionRow{
		{AccountID: ibkrtest.DemoAccountID, Action: ibkr.RestrictionAdd, Restriction: "NO_OPENING_TRADES"},
	}}
	v, err := c.VerifyRestrictions(ctx, list)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.Success, v.Message)
	a, err := c.ApplyRestrictions(ctx, list)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Success, a.Message)
	d, err := c.AccountDetails(ctx, ibkrtest.DemoAccountID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Restrictions[0].Name)

	// Adding it again is refused: nothing is applied.
	_, err = c.ApplyRestrictions(ctx, list)
	fmt.Println(errors.Is(err, ibkr.ErrRejected))

	// A malformed row is refused before anything is sent.
	list.Rows[0].Action = "DELETE"
	_, err = c.VerifyRestrictions(ctx, list)
	fmt.Println(err)
	// Output:
	// true 1 rows verified: 1 to add, 0 to remove
	// true 1 rows applied: 1 added, 0 removed
	// NO_OPENING_TRADES
	// true
	// ibkr: invalid payload[0].action: must be ADD or REMOVE
}

// Checking a list changes nothing; the answer names the rows IBKR would
// refuse.
func ExampleClient_VerifyRestrictions() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	v, err := c.VerifyRestrictions(context.Background(), ibkr.RestrictionList{UserName: ibkrtest.DemoUserName, Rows: []ibkr.RestrictionRow{
		{AccountID: ibkrtest.DemoAccountID, Action: ibkr.RestrictionAdd, Restriction: "NO_OPENING_TRADES"},
		{AccountID: ibkrtest.DemoAccountID, Action: ibkr.RestrictionRemove, Restriction: "NO_WITHDRAWALS"},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.Success)
	fmt.Println(v.Message)
	// Output:
	// false
	// 1 of 2 rows refused, nothing would be applied: row 2: account U1234567 has no restriction "NO_WITHDRAWALS"
}
