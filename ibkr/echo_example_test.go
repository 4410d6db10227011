package ibkr_test

import (
	"context"
	"fmt"

	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// The echo endpoints prove, before anything that matters is sent, that
// IBKR accepts the client's token (Echo) and its signed bodies
// (EchoSigned: key, kid and clock).
func ExampleClient_Echo() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	ctx := context.Background()
	plain, err := c.Echo(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	signed, err := c.EchoSigned(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(plain.Method, plain.SecurityPolicy)
	fmt.Println(signed.Method, signed.SecurityPolicy)
	// Output:
	// GET HTTPS
	// POST SIGNED_JWT
}

// EchoSigned alone: the cheapest proof that signed requests will be
// accepted.
func ExampleClient_EchoSigned() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	e, err := c.EchoSigned(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.SecurityPolicy == "SIGNED_JWT")
	// Output:
	// true
}
