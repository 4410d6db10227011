package ibkr_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// Single sign-on: a session URL for the user's browser, landing on the ACH
// deposit page. It works once, within 60 seconds, from the IP given.
func ExampleClient_CreateSSOSession() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	link := &ibkr.DeepLink{Page: ibkr.LandingTransferFunds, Method: ibkr.PortalACH, Direction: ibkr.PortalDeposit, Currency: ibkr.USD}
	s, err := c.CreateSSOSession(context.Background(), ibkrtest.DemoUserName, "206.106.137.230", link)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Contains(s.URL, "SID="), s.URL[strings.Index(s.URL, "&"):])

	// The address of a server or proxy is refused: IBKR would refuse to
	// open the page anywhere but on the user's own computer.
	_, err = c.CreateSSOSession(context.Background(), ibkrtest.DemoUserName, "10.1.2.3", link)
	fmt.Println(err)
	// Output:
	// true &ACTION=TransferFunds&currency=USD&method=ACH&type=DEPOSIT
	// ibkr: invalid ip: must be the end user's public address, not a private, shared (carrier-grade NAT), loopback, link-local, broadcast or reserved one
}

// Utilities: user names, required forms, enumerations, request status.
func ExampleClient_ValidateUserName() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	for _, name := range []string{"janedoe2025", ibkrtest.DemoUserName} {
		a, err := c.ValidateUserName(ctx, name)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(name, a.Valid, a.Available, len(a.Suggestions) > 0)
	}
	forms, err := c.RequiredForms(ctx, ibkr.RequiredFormsQuery{ResidenceCountry: "USA", AccountType: "INDIVIDUAL"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(forms)

	e, err := c.Enumeration(ctx, ibkr.EnumerationProhibitedCountry, ibkr.EnumerationOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	var list struct {
		Countries []string `json:"prohibitedCountries"`
	}
	if err := e.Decode(&list); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Type, list.Countries)

	res, err := c.UpdateAccount(ctx, ibkr.AddLeveragedFX{AccountID: ibkrtest.DemoAccountID})
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := c.RequestStatus(ctx, res.RequestID, ibkr.RequestUpdate)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Type, st.AccountID, st.Status)
	// Output:
	// janedoe2025 true true false
	// demouser1 true false true
	// [8001 (Proof of Identity and Date of Birth) 8002 (Proof of Address)]
	// prohibited-country [CUB IRN PRK SYR]
	// ADD_LEVFX U1234567 Pending
}
