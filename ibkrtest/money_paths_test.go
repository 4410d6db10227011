package ibkrtest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func iraDetail(typ, year, from string) map[string]any {
	return map[string]any{"iraContributionType": typ, "iraTaxYearType": year, "fromIraType": from}
}

// withInstruction sets key of the body's instruction to v.
func withInstruction(body map[string]any, key string, v any) map[string]any {
	body["instruction"].(map[string]any)[key] = v
	return body
}

// The IRA contributions query answers 202; its result is read with
// getClientInstructions and follows the contributions' lifecycle.
func TestIRAContributionsQueryIsPolled(t *testing.T) {
	srv, c := fundedClient(t)
	acct := ibkrtest.DemoAccountID
	if err := srv.MakeIRA(acct, "ROTH", mustDec("7000")); err != nil {
		t.Fatal(err)
	}
	query := func() map[string]any {
		t.Helper()
		cid := nextCID()
		a := c.post("/gw/api/v1/external-cash-transfers/query", map[string]any{"instructionType": "QUERY_IRA_CONTRIBUTIONS",
			"instruction": map[string]any{"clientInstructionId": cid, "accountId": acct, "year": "2025"}})
		wantStatus(t, a, http.StatusAccepted)
		if _, ok := result(t, a)["contributions"]; ok {
			t.Fatalf("202 answer carries the result: %s", a.Body)
		}
		p := c.get("/gw/api/v1/client-instructions/" + itoa(cid))
		wantStatus(t, p, http.StatusOK)
		r := result(t, p)
		if r["iraType"] != "ROTH" || r["year"] != "2025" {
			t.Fatalf("%s", p.Body)
		}
		return r["contributions"].([]any)[0].(map[string]any)
	}
	dep := withInstruction(depositBody(nextCID(), acct, "", "6000", "WIRE"), "iraDepositDetail", iraDetail("CONTRIBUTION", "CURRENT", "NONE"))
	wantStatus(t, c.post("/gw/api/v1/external-cash-transfers", dep), http.StatusAccepted)
	if l := query(); l["yearToDateContribution"] != json.Number("0") || l["allowedContributionLimit"] != json.Number("1000") {
		t.Fatalf("pending: %v", l)
	}
	srv.Advance(ibkrtest.DefaultTimings.WireDeposit)
	if l := query(); l["yearToDateContribution"] != json.Number("6000") || l["maximumContributionLimit"] != json.Number("7000") {
		t.Fatalf("processed: %v", l)
	}
	// A rollover must name its plan; a contribution must not.
	bad := withInstruction(depositBody(nextCID(), acct, "", "1", "WIRE"), "iraDepositDetail", iraDetail("ROLLOVER", "CURRENT", "NONE"))
	wantStatus(t, c.post("/gw/api/v1/external-cash-transfers", bad), http.StatusBadRequest)
}

// Each run of a recurring IRA contribution counts for its year; the run
// that would pass the limit ends REJECTED.
func TestRecurringIRAContributions(t *testing.T) {
	srv, c := fundedClient(t)
	acct := ibkrtest.DemoAccountID
	if err := srv.MakeIRA(acct, "TRADITIONAL", mustDec("500")); err != nil {
		t.Fatal(err)
	}
	body := withInstruction(depositBody(nextCID(), acct, "Main", "200", "ACH"), "iraDepositDetail", iraDetail("CONTRIBUTION", "CURRENT", "NONE"))
	withInstruction(body, "recurringInstructionDetail", map[string]any{"instructionName": "IRA plan", "frequency": "MONTHLY", "startDate": "2025-03-05"})
	a := c.post("/gw/api/v1/external-cash-transfers", body)
	wantStatus(t, a, http.StatusAccepted)
	ref := idFrom(t, result(t, a)["ibReferenceId"])
	srv.Advance(95 * 24 * time.Hour) // runs on March 5, April 5, May 5, June 5
	ev := c.post("/gw/api/v1/bank-instructions/query", map[string]any{"instructionType": "QUERY_RECENT_RECURRING_EVENTS",
		"instruction": map[string]any{"clientInstructionId": nextCID(), "ibReferenceId": json.Number(ref.String()), "numberOfTransactions": 10}})
	wantStatus(t, ev, http.StatusCreated)
	var got []string
	for _, r := range result(t, ev)["transactionHistory"].(map[string]any)["result"].([]any) {
		got = append(got, r.(map[string]any)["status"].(string))
	}
	want := []string{"PROCESSED", "PROCESSED", "REJECTED", "REJECTED"}
	if len(got) != len(want) {
		t.Fatalf("runs %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("runs %v, want %v", got, want)
		}
	}
}

// Open-banking deposits: the openBanking object is required, the deposit
// waits for the holder and then settles; SEPA destinations are in EUR.
func TestOpenBankingAndSEPASimulation(t *testing.T) {
	srv, c := fundedClient(t)
	acct := ibkrtest.DemoAccountID
	wantStatus(t, c.post("/gw/api/v1/external-cash-transfers", depositBody(nextCID(), acct, "", "10", "OPEN_BANKING")), http.StatusBadRequest)
	ob := withInstruction(depositBody(nextCID(), acct, "", "10", "OPEN_BANKING"), "openBanking", map[string]any{"serviceProvider": "PLAID",
		"plaidOptions": map[string]any{"completionRedirectUri": "done"}})
	wantStatus(t, c.post("/gw/api/v1/external-cash-transfers", ob), http.StatusBadRequest)
	ok := withInstruction(depositBody(nextCID(), acct, "", "10", "OPEN_BANKING"), "openBanking", map[string]any{"serviceProvider": "PLAID"})
	a := c.post("/gw/api/v1/external-cash-transfers", ok)
	wantStatus(t, a, http.StatusAccepted)
	id := idFrom(t, result(t, a)["instructionId"])
	srv.Advance(ibkrtest.DefaultTimings.OpenBanking)
	if info, _ := srv.Instruction(id); info.Status != ibkrtest.StatusProcessed || !srv.Balance(acct, "USD").Equal(mustDec("1010")) {
		t.Fatalf("after authorisation: %+v, balance %s", info, srv.Balance(acct, "USD"))
	}
	if err := srv.DeclineOpenBanking(id); err == nil {
		t.Fatal("declined a settled deposit")
	}

	dest := func(ccy string) map[string]any {
		return map[string]any{"instructionType": "PREDEFINED_DESTINATION_INSTRUCTION", "instruction": map[string]any{
			"clientInstructionId": nextCID(), "accountId": acct, "bankInstructionName": "EU " + ccy, "bankInstructionMethod": "SEPA",
			"currency": ccy, "financialInstitution": map[string]any{"name": "Bank", "identifier": "COBADEFF", "identifierType": "BIC",
				"clientAccountId": "DE89370400440532013000"}}}
	}
	a = c.post("/gw/api/v1/bank-instructions", dest("USD"))
	wantStatus(t, a, http.StatusUnprocessableEntity)
	if errorCode(t, a) != ibkrtest.CodeUnsupportedCurrency {
		t.Fatalf("%s", a.Body)
	}
	wantStatus(t, c.post("/gw/api/v1/bank-instructions", dest("EUR")), http.StatusAccepted)
}

// The IRA state survives SaveState and LoadState.
func TestIRAStatePersists(t *testing.T) {
	srv, c := fundedClient(t)
	acct := ibkrtest.DemoAccountID
	if err := srv.MakeIRA(acct, "SEP", mustDec("1000")); err != nil {
		t.Fatal(err)
	}
	dep := withInstruction(depositBody(nextCID(), acct, "", "900", "WIRE"), "iraDepositDetail", iraDetail("EMPLOYER_SEP_CONTRIBUTION", "CURRENT", "NONE"))
	wantStatus(t, c.post("/gw/api/v1/external-cash-transfers", dep), http.StatusAccepted)
	var buf bytes.Buffer
	if err := srv.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	srv2, _ := fundedClient(t)
	if err := srv2.LoadState(&buf); err != nil {
		t.Fatal(err)
	}
	c2 := newClient(t, srv2)
	over := withInstruction(depositBody(nextCID(), acct, "", "100.01", "WIRE"), "iraDepositDetail", iraDetail("CONTRIBUTION", "CURRENT", "NONE"))
	a := c2.post("/gw/api/v1/external-cash-transfers", over)
	wantStatus(t, a, http.StatusUnprocessableEntity)
	if errorCode(t, a) != ibkrtest.CodeIRAContributionLimit {
		t.Fatalf("%s", a.Body)
	}
}
