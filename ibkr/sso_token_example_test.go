package ibkr_test

import (
	"context"
	"fmt"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// Single sign-on by token: a session for the user's own address, whose
// access token never prints.
func ExampleClient_CreateSSOToken() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	tok, err := c.CreateSSOToken(ctx, ibkr.SSOTokenRequest{Credential: ibkrtest.DemoUserName, IP: "206.106.137.230"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.TokenType, tok.Active, !tok.AccessToken.IsZero())

	// A private address is refused before anything is sent.
	_, err = c.CreateSSOToken(ctx, ibkr.SSOTokenRequest{Credential: ibkrtest.DemoUserName, IP: "206.106.137.230", AlternativeIPs: []string{"10.0.0.8"}})
	fmt.Println(err)
	// Output:
	// Bearer true true
	// ibkr: invalid alternativeIps[0]: must be the end user's public address, not a private, shared (carrier-grade NAT), loopback, link-local, broadcast or reserved one
}
