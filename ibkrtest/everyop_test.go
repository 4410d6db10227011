package ibkrtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// TestEveryOperationAnswers calls every operation of the spec once with a
// plausible request. The server checks each answer against the spec (a
// mismatch fails the test), so this pins the sandbox to the spec for all
// 51 operations, simulated or not.
func TestEveryOperationAnswers(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithMaintenance(false), ibkrtest.WithTokenLifetime(30*24*time.Hour))
	c := newClient(t, srv)
	acct := ibkrtest.DemoAccountID
	user, _ := srv.UserName(acct)
	if err := srv.SetBalance(acct, "USD", mustDec("500")); err != nil {
		t.Fatal(err)
	}
	linkACH(t, c, acct, "Main")
	srv.Advance(48 * time.Hour)

	type call struct {
		method, path string
		body         map[string]any
		want         int
	}
	instr := func(typ string, in map[string]any) map[string]any {
		in["clientInstructionId"] = nextCID()
		return map[string]any{"instructionType": typ, "instruction": in}
	}
	bulk := func(typ string, in ...map[string]any) map[string]any {
		list := []any{}
		for _, x := range in {
			x["clientInstructionId"] = nextCID()
			list = append(list, x)
		}
		return map[string]any{"instructionType": typ, "instructions": list}
	}
	ibm := map[string]any{"conid": 8314, "currency": "USD"}
	dwac := func() map[string]any {
		return map[string]any{"accountId": acct, "direction": "IN", "contraBrokerAccountId": "A1", "contraBrokerTaxId": "123", "quantity": 1, "tradingInstrument": ibm}
	}
	ipt := func() map[string]any {
		return map[string]any{"sourceAccountId": acct, "targetAccountId": "U7654321", "transferQuantity": 1, "tradingInstrument": ibm}
	}
	if err := srv.SetPosition(acct, 8314, mustDec("10")); err != nil {
		t.Fatal(err)
	}
	calls := []call{
		{"GET", "/gw/api/v1/accounts", nil, 200},
		{"GET", "/gw/api/v1/accounts/status?startDate=2020-01-01&endDate=2030-01-01", nil, 200},
		{"GET", "/gw/api/v1/accounts/login-messages?startDate=2020-01-01&endDate=2030-01-01", nil, 200},
		{"GET", "/gw/api/v1/accounts/" + acct + "/details", nil, 200},
		{"GET", "/gw/api/v1/accounts/" + acct + "/kyc", nil, 200},
		{"GET", "/gw/api/v1/accounts/" + acct + "/login-messages", nil, 200},
		{"GET", "/gw/api/v1/accounts/" + acct + "/status", nil, 200},
		{"GET", "/gw/api/v1/accounts/" + acct + "/tasks?type=pending", nil, 200},
		{"GET", "/gw/api/v1/accounts/" + acct + "/tasks?type=registration", nil, 200},
		{"GET", "/gw/api/v1/echo/https?x=1", nil, 200},
		{"GET", "/gw/api/v1/enumerations/complex-asset-transfer?instructionType=DWAC", nil, 200},
		{"GET", "/gw/api/v1/enumerations/prohibited-country", nil, 200},
		{"GET", "/gw/api/v1/forms", nil, 200},
		{"GET", "/gw/api/v1/forms/required-forms", nil, 200},
		{"GET", "/gw/api/v1/participating-banks?type=eDDA", nil, 200},
		{"GET", "/gw/api/v1/requests?startDate=2020-01-01&endDate=2030-01-01", nil, 200},
		{"GET", "/gw/api/v1/statements/available?accountId=" + acct, nil, 200},
		{"GET", "/gw/api/v1/tax-documents/available?accountId=" + acct + "&year=2024", nil, 200},
		{"GET", "/gw/api/v1/trade-confirmations/available?accountId=" + acct, nil, 200},
		{"GET", "/gw/api/v1/validations/usernames/" + user, nil, 200},
		{"POST", "/gw/api/v1/accounts", map[string]any{"application": map[string]any{"customer": map[string]any{
			"email": "a@example.com", "legalResidenceCountry": "USA",
			"accountHolder": map[string]any{"accountHolderDetails": []any{map[string]any{"name": map[string]any{"first": "Ann", "last": "Lee"}}}},
		}}}, 200},
		{"PATCH", "/gw/api/v1/accounts", map[string]any{"accountManagementRequests": map[string]any{
			"documentSubmission": map[string]any{"accountId": acct, "documents": []any{}},
		}}, 200},
		{"POST", "/gw/api/v1/accounts/documents", map[string]any{}, 200},
		{"POST", "/gw/api/v1/echo/signed-jwt", map[string]any{}, 200},
		{"POST", "/gw/api/v1/balances/query", instr("QUERY_WITHDRAWABLE_CASH_EQUITY", map[string]any{"accountId": acct, "currency": "USD"}), 201},
		{"POST", "/gw/api/v1/bank-instructions/query", instr("QUERY_BANK_INSTRUCTION", map[string]any{"accountId": acct, "bankInstructionMethod": "ACH"}), 201},
		{"POST", "/gw/api/v1/bank-instructions/query", instr("QUERY_RECURRING_INSTRUCTIONS", map[string]any{"accountId": acct}), 201},
		{"POST", "/gw/api/v1/external-cash-transfers/query", instr("QUERY_WITHDRAWABLE_FUNDS", map[string]any{"accountId": acct, "currency": "USD"}), 201},
		{"POST", "/gw/api/v1/external-cash-transfers/query", instr("QUERY_IRA_CONTRIBUTIONS", map[string]any{"accountId": acct, "year": "2024"}), 422},
		{"POST", "/gw/api/v1/instructions/query", instr("QUERY_RECENT_INSTRUCTIONS", map[string]any{"accountId": acct, "transactionHistory": map[string]any{"daysToGoBack": 5}}), 202},
		{"POST", "/gw/api/v1/bank-instructions", achBody(nextCID(), acct, "Second", ibkrtest.RoutingNumberVerified), 202},
		{"POST", "/gw/api/v1/bank-instructions:bulk", bulk("DELETE_BANK_INSTRUCTION", map[string]any{
			"accountId": acct, "bankInstructionName": "Second", "bankInstructionMethod": "ACH", "currency": "USD"}), 202},
		{"POST", "/gw/api/v1/external-cash-transfers", depositBody(nextCID(), acct, "", "10", "WIRE"), 202},
		{"POST", "/gw/api/v1/external-cash-transfers:bulk", bulk("WITHDRAWAL", map[string]any{
			"accountId": acct, "currency": "USD", "amount": 1, "bankInstructionMethod": "ACH", "bankInstructionName": "Main"}), 202},
		{"POST", "/gw/api/v1/internal-cash-transfers", instr("INTERNAL_CASH_TRANSFER", map[string]any{
			"sourceAccountId": acct, "targetAccountId": "U7654321", "currency": "USD", "amount": 5}), 201},
		{"POST", "/gw/api/v1/internal-cash-transfers:bulk", bulk("INTERNAL_CASH_TRANSFER", map[string]any{
			"sourceAccountId": acct, "targetAccountId": "U7654321", "currency": "USD", "amount": 5}), 202},
		{"POST", "/gw/api/v1/instructions/cancel", instr("CANCEL_INSTRUCTION", map[string]any{"instructionId": 1, "reason": "x"}), 422},
		{"POST", "/gw/api/v1/instructions/cancel:bulk", bulk("CANCEL_INSTRUCTION", map[string]any{"instructionId": 1, "reason": "x"}), 207},
		{"POST", "/gw/api/v1/external-asset-transfers", instr("DWAC", dwac()), 202},
		{"POST", "/gw/api/v1/external-asset-transfers:bulk", bulk("DWAC", dwac(), dwac()), 202},
		{"POST", "/gw/api/v1/internal-asset-transfers", instr("INTERNAL_POSITION_TRANSFER", ipt()), 202},
		{"POST", "/gw/api/v1/internal-asset-transfers:bulk", bulk("INTERNAL_POSITION_TRANSFER", ipt(), ipt()), 202},
		{"POST", "/gw/api/v1/restrictions/verify", map[string]any{"requestId": 1, "userName": user, "payload": "YWNjb3VudElkLGFjdGlvbixyZXN0cmljdGlvbgpVMTIzNDU2NyxBREQsTk9fVFJBRElORwo="}, 200},
		{"POST", "/gw/api/v1/restrictions", map[string]any{"requestId": 2, "userName": user, "payload": "YWNjb3VudElkLGFjdGlvbixyZXN0cmljdGlvbgpVMTIzNDU2NyxBREQsTk9fVFJBRElORwo="}, 200},
		{"POST", "/gw/api/v1/restrictions", map[string]any{}, 400},
		{"POST", "/gw/api/v1/sso-browser-sessions", map[string]any{"credential": user, "ip": "127.0.0.1"}, 200},
		{"POST", "/gw/api/v1/sso-sessions", map[string]any{"credential": user, "ip": "127.0.0.1"}, 200},
		{"POST", "/gw/api/v1/statements", map[string]any{"accountId": acct, "startDate": "20250304", "endDate": "20250305"}, 200},
		{"POST", "/gw/api/v1/tax-documents", map[string]any{"accountId": acct, "format": "PDF", "type": "1099", "year": 2024}, 400},
		{"POST", "/gw/api/v1/trade-confirmations", map[string]any{"accountId": acct, "startDate": "20250101", "endDate": "20250102"}, 400},
	}
	if err := srv.AddAccount("U7654321", ibkrtest.AccountOpen); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{"generateToken": true}
	for _, k := range calls {
		var a answer
		if k.body == nil {
			a = c.get(k.path)
		} else {
			a = c.signed(k.method, k.path, k.body)
		}
		op, _ := optable.Match(k.method, pathOnly(k.path))
		seen[op.ID] = true
		if k.want != 0 && a.Status != k.want {
			t.Errorf("%s %s: HTTP %d, want %d: %s", k.method, k.path, a.Status, k.want, a.Body)
		}
		if k.want == 0 && a.Status != http.StatusUnprocessableEntity && a.Status != http.StatusMultiStatus && a.Status != http.StatusBadRequest {
			t.Errorf("%s %s: HTTP %d: %s", k.method, k.path, a.Status, a.Body)
		}
	}
	// Instruction lookups, with ids the calls above produced.
	ins := srv.Instructions()
	last := ins[len(ins)-1]
	for _, p := range []string{
		"/gw/api/v1/client-instructions/" + ins[0].ClientInstructionID.String(),
		"/gw/api/v1/instructions/" + last.ID.String(),
		"/gw/api/v1/instruction-sets/" + last.SetID.String(),
		"/gw/api/v1/requests/50001/status?type=response",
	} {
		a := c.get(p)
		op, _ := optable.Match("GET", pathOnly(p))
		seen[op.ID] = true
		wantStatus(t, a, http.StatusOK)
	}
	for _, op := range optable.Operations {
		if !seen[op.ID] {
			t.Errorf("operation %s not exercised", op.ID)
		}
	}
}

func pathOnly(p string) string {
	for i := 0; i < len(p); i++ {
		if p[i] == '?' {
			return p[:i]
		}
	}
	return p
}
