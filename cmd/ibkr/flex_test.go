package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/wire"
)

// flexRun runs the command in-process on the sandbox's fake clock.
func flexRun(t *testing.T, srv *ibkrtest.Server, env map[string]string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }, clk: srv.Clock()}
	code := a.main(ctx, args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func flexCLISandbox(t *testing.T) (*ibkrtest.Server, map[string]string, string) {
	t.Helper()
	srv := ibkrtest.NewServer(t)
	srv.Clock().SetAutoAdvance(true)
	if err := srv.AddAccount("U2000002", ibkrtest.AccountOpen); err != nil {
		t.Fatal(err)
	}
	_ = srv.SetBalance(ibkrtest.DemoAccountID, "USD", wire.MustDecimal("100.00"))
	_ = srv.SetBalance("U2000002", "EUR", wire.MustDecimal("200.00"))
	tok, err := srv.NewFlexToken(ibkrtest.FlexToken{Lifetime: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	qid, err := srv.AddFlexQuery(ibkrtest.FlexQuery{Accounts: []string{ibkrtest.DemoAccountID, "U2000002"}})
	if err != nil {
		t.Fatal(err)
	}
	return srv, map[string]string{envFlexToken: tok, envFlexURL: srv.URL + ibkrtest.FlexPath}, qid
}

func TestFlexBalanceJSON(t *testing.T) {
	srv, env, qid := flexCLISandbox(t)
	r := flexRun(t, srv, env, "flex", "balance", "--query", qid, "--json")
	wantExit(t, r, 0)
	var out struct {
		Accounts []struct {
			AccountID      string            `json:"accountId"`
			Currency       string            `json:"currency"`
			AsOf           string            `json:"asOf"`
			NAV            string            `json:"nav"`
			Cash           string            `json:"cash"`
			CashByCurrency map[string]string `json:"cashByCurrency"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if len(out.Accounts) != 2 {
		t.Fatalf("%s", r)
	}
	b := out.Accounts[1]
	if b.AccountID != "U2000002" || b.Currency != "USD" || b.AsOf != "2025-03-04" || b.NAV != "216.50" || b.Cash != "216.50" ||
		len(b.CashByCurrency) != 1 || b.CashByCurrency["EUR"] != "200.00" {
		t.Errorf("%+v", b)
	}
	if strings.Contains(r.stdout+r.stderr, env[envFlexToken]) {
		t.Error("the token was printed")
	}
	// Human output, token from --token, URL from --flex-url.
	r = flexRun(t, srv, nil, "flex", "balance", "--query", qid, "--token", env[envFlexToken], "--flex-url", env[envFlexURL])
	wantExit(t, r, 0, "U1234567  as of 2025-03-04  NAV 100.00 USD  cash 100.00 USD", "  EUR  200.00")
}

func TestFlexDepositsJSON(t *testing.T) {
	srv, env, qid := flexCLISandbox(t)
	r := flexRun(t, srv, env, "flex", "deposits", "--query", qid, "--since", "2025-03-04", "--json")
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, `"transactions": []`) {
		t.Fatalf("an empty list must be [], not null:\n%s", r)
	}
	dd, _ := srv.DirectDeposit("U2000002")
	srv.Clock().Advance(time.Hour)
	if _, err := srv.PushACHCredit(ibkrtest.ACHCredit{RoutingNumber: dd.RoutingNumber, AccountNumber: dd.AccountNumber, Amount: wire.MustDecimal("75.50"), Originator: "Sequence"}); err != nil {
		t.Fatal(err)
	}
	r = flexRun(t, srv, env, "flex", "deposits", "--query", qid, "--since", "2025-03-04", "--json")
	wantExit(t, r, 0)
	var out struct {
		Transactions []map[string]string `json:"transactions"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Transactions) != 1 {
		t.Fatalf("%v\n%s", err, r)
	}
	tx := out.Transactions[0]
	want := map[string]string{"accountId": "U2000002", "date": "2025-03-04", "currency": "USD", "amount": "75.50",
		"type": "Deposits & Withdrawals", "description": "ACH CREDIT FROM SEQUENCE", "transactionId": tx["transactionId"]}
	if len(tx) != len(want) || tx["transactionId"] == "" {
		t.Errorf("fields %v", tx)
	}
	for k, v := range want {
		if tx[k] != v {
			t.Errorf("%s = %q, want %q", k, tx[k], v)
		}
	}
	r = flexRun(t, srv, env, "flex", "deposits", "--query", qid, "--since", "2025-03-04")
	wantExit(t, r, 0, "2025-03-04  U2000002         75.50 USD  ACH CREDIT FROM SEQUENCE")
}

func TestFlexExitCodes(t *testing.T) {
	srv, env, qid := flexCLISandbox(t)
	noToken := map[string]string{envFlexURL: env[envFlexURL]}
	wantExit(t, flexRun(t, srv, env, "flex"), exitUsage, "balance, deposits or check")
	wantExit(t, flexRun(t, srv, env, "flex", "summary"), exitUsage, "unknown subcommand")
	wantExit(t, flexRun(t, srv, noToken, "flex", "balance", "--query", qid), exitUsage, envFlexToken)
	r := flexRun(t, srv, noToken, "flex", "balance", "--query", qid, "--token", "12345 6789")
	wantExit(t, r, exitUsage, "token")
	if strings.Contains(r.stderr, "12345 6789") {
		t.Error("the malformed token was printed")
	}
	wantExit(t, flexRun(t, srv, env, "flex", "balance"), exitUsage, "--query is required")
	wantExit(t, flexRun(t, srv, env, "flex", "balance", "--query", "12345"), exitUsage, "6 or 7 digits")
	wantExit(t, flexRun(t, srv, env, "flex", "balance", "--query", qid, "--flex-url", "http://example.com/x"), exitUsage, "loopback")
	wantExit(t, flexRun(t, srv, env, "flex", "deposits", "--query", qid, "--since", "03/04/2025"), exitUsage, "YYYY-MM-DD")
	wantExit(t, flexRun(t, srv, env, "flex", "deposits", "--query", qid, "--since", "2030-01-01"), exitUsage, "after today")
	wantExit(t, flexRun(t, srv, env, "flex", "deposits", "--query", qid, "--since", "2023-01-01"), exitUsage, "365 days")
	wantExit(t, flexRun(t, srv, env, "flex", "balance", "--query", qid, "--max-wait", "0s"), exitUsage, "--max-wait")
	if n := len(srv.FlexRequests()); n != 0 {
		t.Fatalf("%d requests sent for bad input", n)
	}

	srv.FailFlexNext("SendRequest", 1012, 1)
	wantExit(t, flexRun(t, srv, env, "flex", "balance", "--query", qid, "--json"), exitAuth, "Token has expired", `"class": "auth"`)
	srv.FailFlexNext("SendRequest", 1015, 1)
	wantExit(t, flexRun(t, srv, env, "flex", "balance", "--query", qid), exitAuth, "Flex Web Service Configuration")
	srv.FailFlexNext("SendRequest", 1003, 1)
	wantExit(t, flexRun(t, srv, env, "flex", "balance", "--query", qid), exitAPI, "Statement is not available")
	srv.SetFlexGenerationDelay(time.Hour)
	wantExit(t, flexRun(t, srv, env, "flex", "balance", "--query", qid, "--max-wait", "1m"), exitAPI, "not ready after", "--max-wait")
	srv.SetFlexGenerationDelay(0)
	narrow, _ := srv.AddFlexQuery(ibkrtest.FlexQuery{Sections: []string{"EquitySummaryInBase"}})
	wantExit(t, flexRun(t, srv, env, "flex", "deposits", "--query", narrow), exitAPI, "Cash Transactions")

	closed := httptest.NewServer(nil)
	u := closed.URL
	closed.Close()
	wantExit(t, flexRun(t, srv, map[string]string{envFlexToken: env[envFlexToken]}, "flex", "balance", "--query", qid, "--flex-url", u), exitNetwork, "--flex-url")
}

func TestFlexCheck(t *testing.T) {
	srv, env, qid := flexCLISandbox(t)
	wantExit(t, flexRun(t, srv, env, "flex", "check", "--query", qid), 0, "has every section")
	narrow, _ := srv.AddFlexQuery(ibkrtest.FlexQuery{Sections: []string{"EquitySummaryInBase"}, Accounts: []string{ibkrtest.DemoAccountID}})
	r := flexRun(t, srv, env, "flex", "check", "--query", narrow, "--json")
	wantExit(t, r, 0)
	var out struct {
		Missing []struct {
			AccountID string   `json:"accountId"`
			Section   string   `json:"section"`
			Fields    []string `json:"fields"`
			HowTo     string   `json:"howTo"`
		} `json:"missing"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Missing) != 3 {
		t.Fatalf("%v\n%s", err, r)
	}
	for _, m := range out.Missing {
		if m.AccountID != ibkrtest.DemoAccountID || m.Fields == nil || !strings.Contains(m.HowTo, "Flex Queries") {
			t.Errorf("%+v", m)
		}
	}
}

func TestDemoFlexHalf(t *testing.T) {
	r := runT(t, nil, "demo")
	wantExit(t, r, 0,
		"10. flex token and query",
		"11. balance via Flex       U", "NAV 500.00 USD, cash 500.00 USD",
		"12. push ACH credit        250.00 USD from another bank to routing "+ibkrtest.DirectDepositRoutingNumber,
		"13. confirm via Flex       arrived: ACH CREDIT FROM DEMO MONEY ROUTER 250.00 USD",
		"500.00 USD  ACH DEPOSIT FROM Checking")
}

// TestSandboxCommandServesFlex: "ibkr sandbox" issues a Flex token (in a
// file) and a query, and "ibkr flex" reads the demo account through it.
func TestSandboxCommandServesFlex(t *testing.T) {
	p := startSandbox(t, "--fast")
	fi := p.info.Flex
	if fi == nil || fi.QueryID == "" || fi.RoutingNumber != ibkrtest.DirectDepositRoutingNumber {
		t.Fatalf("flex info %+v", fi)
	}
	tok, err := os.ReadFile(fi.TokenFile)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{envFlexToken: strings.TrimSpace(string(tok)), envFlexURL: fi.URL}
	r := runT(t, env, "flex", "balance", "--query", fi.QueryID, "--json")
	wantExit(t, r, 0, `"accountId": "`+ibkrtest.DemoAccountID+`"`, `"nav": "0"`)
}
