package main

import (
	"os"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// sandboxFlexInfo is the Flex Web Service part of "ibkr sandbox": a token
// (in a file, like the demo key) and a query for the demo account.
type sandboxFlexInfo struct {
	URL           string `json:"url"`
	QueryID       string `json:"queryId"`
	TokenFile     string `json:"tokenFile"`
	RoutingNumber string `json:"directDepositRoutingNumber"`
}

// sandboxFlex issues a Flex token and a query on a starting sandbox. The
// caller removes the token file.
func sandboxFlex(sb *ibkrtest.Sandbox, base string) (*sandboxFlexInfo, error) {
	tok, err := sb.NewFlexToken(ibkrtest.FlexToken{Lifetime: 365 * 24 * time.Hour})
	if err != nil {
		return nil, err
	}
	var q ibkrtest.FlexQuery
	q.Name = "ibkr sandbox"
	if _, ok := sb.AccountStatus(ibkrtest.DemoAccountID); ok {
		q.Accounts = []string{ibkrtest.DemoAccountID}
	}
	qid, err := sb.AddFlexQuery(q)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "ibkr-sandbox-flex-token-*")
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(tok + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return nil, err
	}
	return &sandboxFlexInfo{URL: base + ibkrtest.FlexPath, QueryID: qid, TokenFile: f.Name(), RoutingNumber: ibkrtest.DirectDepositRoutingNumber}, nil
}

func printSandboxFlex(a *app, f *sandboxFlexInfo) {
	if f == nil {
		return
	}
	a.say("Flex Web Service (balances and deposits of a self-directed account), query %s:", f.QueryID)
	a.say("  export %s=%s %s=\"$(cat %s)\"", envFlexURL, f.URL, envFlexToken, f.TokenFile)
	a.say("  ibkr flex balance --query %s", f.QueryID)
}
