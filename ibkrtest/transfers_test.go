package ibkrtest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/wire"
)

// fundedClient is a sandbox with a verified ACH instruction "Main" on the
// demo account and 1000 USD of cash.
func fundedClient(t *testing.T, opts ...ibkrtest.Option) (*ibkrtest.Server, *client) {
	t.Helper()
	opts = append([]ibkrtest.Option{ibkrtest.WithTokenLifetime(400 * 24 * time.Hour), ibkrtest.WithMaintenance(false), ibkrtest.WithRateLimit(0, 0)}, opts...)
	srv := ibkrtest.NewServer(t, opts...)
	c := newClient(t, srv)
	linkACH(t, c, ibkrtest.DemoAccountID, "Main")
	if err := srv.SetBalance(ibkrtest.DemoAccountID, "USD", mustDec("1000")); err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestClientInstructionIDIsNeverReused(t *testing.T) {
	srv, c := fundedClient(t)
	cid := nextCID()
	a := c.post("/gw/api/v1/external-cash-transfers", depositBody(cid, ibkrtest.DemoAccountID, "Main", "10", "ACH"))
	wantStatus(t, a, http.StatusAccepted)
	first := result(t, a)["instructionId"]

	// Same id, different content (a withdrawal): refused, not recorded.
	a = c.post("/gw/api/v1/external-cash-transfers", withdrawalBody(cid, ibkrtest.DemoAccountID, "Main", "5"))
	wantStatus(t, a, http.StatusUnprocessableEntity)
	if errorCode(t, a) != ibkrtest.CodeDuplicateClientInstructionID {
		t.Fatalf("%s", a.Body)
	}
	// Reuse across endpoints is refused too.
	a = c.post("/gw/api/v1/bank-instructions", achBody(cid, ibkrtest.DemoAccountID, "X", ibkrtest.RoutingNumberVerified))
	if errorCode(t, a) != ibkrtest.CodeDuplicateClientInstructionID {
		t.Fatalf("%s", a.Body)
	}
	// The id still resolves to the original deposit.
	p := c.get("/gw/api/v1/client-instructions/" + itoa(cid))
	wantStatus(t, p, http.StatusOK)
	r := result(t, p)
	if r["instructionId"] != first || r["instructionType"] != "DEPOSIT" {
		t.Fatalf("%s", p.Body)
	}
	// An id never sent: 404.
	wantStatus(t, c.get("/gw/api/v1/client-instructions/99999999999999999999"), http.StatusNotFound)
	if !srv.Balance(ibkrtest.DemoAccountID, "USD").Equal(mustDec("1000")) {
		t.Fatal("refused instructions moved money")
	}
}

func TestBusinessRejectsArePollable(t *testing.T) {
	srv, c := fundedClient(t)
	acct := ibkrtest.DemoAccountID
	cases := []struct {
		name string
		body map[string]any
		code string
	}{
		{"over available cash", withdrawalBody(0, acct, "Main", "1000.01"), ibkrtest.CodeInsufficientFunds},
		{"over 100,000 USD", withdrawalBody(0, acct, "Main", "100000.01"), ibkrtest.CodeWithdrawalLimit},
		{"unknown bank instruction", withdrawalBody(0, acct, "Nope", "1"), ibkrtest.CodeBankInstructionNotFound},
		{"deposit, unknown bank instruction", depositBody(0, acct, "Nope", "1", "ACH"), ibkrtest.CodeBankInstructionNotFound},
		{"unknown account", depositBody(0, "U0000001", "", "1", "WIRE"), ibkrtest.CodeAccountNotFound},
		{"unsupported currency", func() map[string]any {
			b := depositBody(0, acct, "", "1", "WIRE")
			b["instruction"].(map[string]any)["currency"] = "XYZ"
			return b
		}(), ibkrtest.CodeUnsupportedCurrency},
		{"IRA detail, not an IRA", func() map[string]any {
			b := depositBody(0, acct, "", "1", "WIRE")
			b["instruction"].(map[string]any)["iraDepositDetail"] = map[string]any{
				"iraContributionType": "CONTRIBUTION", "iraTaxYearType": "CURRENT", "fromIraType": "NONE"}
			return b
		}(), ibkrtest.CodeNotIRA},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cid := nextCID()
			tc.body["instruction"].(map[string]any)["clientInstructionId"] = cid
			a := c.post("/gw/api/v1/external-cash-transfers", tc.body)
			wantStatus(t, a, http.StatusUnprocessableEntity)
			m := a.json(t)
			if errorCode(t, a) != tc.code || m["instructionSetId"] == json.Number("0") {
				t.Fatalf("%s", a.Body)
			}
			// The reject is recorded under the clientInstructionId.
			p := c.get("/gw/api/v1/client-instructions/" + itoa(cid))
			wantStatus(t, p, http.StatusOK)
			if result(t, p)["instructionStatus"] != ibkrtest.StatusRejected || errorCode(t, p) != tc.code {
				t.Fatalf("%s", p.Body)
			}
		})
	}
	if !srv.Balance(acct, "USD").Equal(mustDec("1000")) {
		t.Fatal("rejects moved money")
	}
}

func TestMalformedInputIs400(t *testing.T) {
	_, c := fundedClient(t)
	acct := ibkrtest.DemoAccountID
	missing := achBody(nextCID(), acct, "X", ibkrtest.RoutingNumberVerified)
	delete(missing["instruction"].(map[string]any)["clientAccountInfo"].(map[string]any), "bankName")
	stringAmount := depositBody(nextCID(), acct, "Main", "1", "ACH")
	stringAmount["instruction"].(map[string]any)["amount"] = "ten"
	cases := []struct {
		name, path string
		body       map[string]any
		field      string
	}{
		{"missing bankName", "/gw/api/v1/bank-instructions", missing, "bankName"},
		{"amount not a number", "/gw/api/v1/external-cash-transfers", stringAmount, "amount"},
		{"zero amount", "/gw/api/v1/external-cash-transfers", depositBody(nextCID(), acct, "Main", "0", "ACH"), "instruction.amount"},
		{"three decimals", "/gw/api/v1/external-cash-transfers", depositBody(nextCID(), acct, "Main", "1.005", "ACH"), "instruction.amount"},
		{"unknown instruction type", "/gw/api/v1/external-cash-transfers", map[string]any{"instructionType": "GIFT", "instruction": map[string]any{}}, "instructionType"},
		{"no instruction", "/gw/api/v1/bank-instructions", map[string]any{"instructionType": "ACH_INSTRUCTION"}, "instruction"},
		{"lowercase currency", "/gw/api/v1/external-cash-transfers", func() map[string]any {
			b := depositBody(nextCID(), acct, "", "1", "WIRE")
			b["instruction"].(map[string]any)["currency"] = "usd"
			return b
		}(), "currency"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := c.post(tc.path, tc.body)
			wantStatus(t, a, http.StatusBadRequest)
			m := a.json(t)
			args, _ := m["invalidArguments"].([]any)
			found := false
			for _, x := range args {
				if strings.Contains(x.(map[string]any)["field"].(string), tc.field) {
					found = true
				}
			}
			if !found {
				t.Fatalf("field %s not named: %s", tc.field, a.Body)
			}
		})
	}
	// Query and path parameters are checked too.
	wantStatus(t, c.get("/gw/api/v1/accounts/status?endDate=2025-01-01"), http.StatusBadRequest)
	wantStatus(t, c.get("/gw/api/v1/client-instructions/12ab"), http.StatusBadRequest)
	wantStatus(t, c.get("/gw/api/v1/client-instructions/123456789012345678901"), http.StatusBadRequest)
	wantStatus(t, c.get("/gw/api/v1/no/such/endpoint"), http.StatusNotFound)
}

func TestDepositsAndWithdrawalsMoveCash(t *testing.T) {
	srv, c := fundedClient(t)
	acct := ibkrtest.DemoAccountID
	balance := func(want string) {
		t.Helper()
		if got := srv.Balance(acct, "USD"); !got.Equal(mustDec(want)) {
			t.Fatalf("balance %s, want %s", got, want)
		}
	}
	wire1 := nextCID()
	wantStatus(t, c.post("/gw/api/v1/external-cash-transfers", depositBody(wire1, acct, "", "100.25", "WIRE")), http.StatusAccepted)
	srv.Advance(ibkrtest.DefaultTimings.WireDeposit - time.Second)
	balance("1000")
	srv.Advance(time.Second)
	balance("1100.25")

	// A withdrawal holds its amount at once and leaves after a day.
	wd := nextCID()
	wantStatus(t, c.post("/gw/api/v1/external-cash-transfers", withdrawalBody(wd, acct, "Main", "600")), http.StatusAccepted)
	q := withdrawable(t, c)
	if !q.Equal(mustDec("500.25")) {
		t.Fatalf("withdrawable %s", q)
	}
	a := c.post("/gw/api/v1/external-cash-transfers", withdrawalBody(nextCID(), acct, "Main", "600"))
	if errorCode(t, a) != ibkrtest.CodeInsufficientFunds {
		t.Fatalf("%s", a.Body)
	}
	srv.Advance(ibkrtest.DefaultTimings.Withdrawal)
	balance("500.25")
	if info, _ := srv.InstructionByClientID(srv.ClientID, wire.NewID(uint64(wd))); info.Status != ibkrtest.StatusProcessed {
		t.Fatalf("%+v", info)
	}
	// Exactly 100,000 USD is within the limit (here refused for cash, not limit).
	a = c.post("/gw/api/v1/external-cash-transfers", withdrawalBody(nextCID(), acct, "Main", "100000"))
	if errorCode(t, a) != ibkrtest.CodeInsufficientFunds {
		t.Fatalf("%s", a.Body)
	}
	// A scheduled withdrawal waits for its dateTimeToOccur.
	later := withdrawalBody(nextCID(), acct, "Main", "0.25")
	later["instruction"].(map[string]any)["dateTimeToOccur"] = srv.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	wantStatus(t, c.post("/gw/api/v1/external-cash-transfers", later), http.StatusAccepted)
	srv.Advance(48*time.Hour + ibkrtest.DefaultTimings.Withdrawal - time.Second)
	balance("500.25")
	srv.Advance(time.Second)
	balance("500.00")
}

func withdrawable(t *testing.T, c *client) wire.Decimal {
	t.Helper()
	a := c.post("/gw/api/v1/external-cash-transfers/query", map[string]any{"instructionType": "QUERY_WITHDRAWABLE_FUNDS", "instruction": map[string]any{
		"clientInstructionId": nextCID(), "accountId": ibkrtest.DemoAccountID, "currency": "USD"}})
	wantStatus(t, a, http.StatusCreated)
	d, err := wire.ParseDecimal(result(t, a)["withdrawableAmount"].(json.Number).String())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDepositNeedsAVerifiedDebitInstruction(t *testing.T) {
	srv, c := fundedClient(t)
	acct := ibkrtest.DemoAccountID
	a := c.post("/gw/api/v1/bank-instructions", achBody(nextCID(), acct, "Fresh", ibkrtest.RoutingNumberMicroDeposits))
	wantStatus(t, a, http.StatusAccepted)
	a = c.post("/gw/api/v1/external-cash-transfers", depositBody(nextCID(), acct, "Fresh", "1", "ACH"))
	if errorCode(t, a) != ibkrtest.CodeBankInstructionNotEligible {
		t.Fatalf("%s", a.Body)
	}
	credit := achBody(nextCID(), acct, "CreditOnly", ibkrtest.RoutingNumberVerified)
	credit["instruction"].(map[string]any)["achType"] = "CREDIT"
	wantStatus(t, c.post("/gw/api/v1/bank-instructions", credit), http.StatusAccepted)
	srv.Advance(ibkrtest.DefaultTimings.ACHVerification)
	a = c.post("/gw/api/v1/external-cash-transfers", depositBody(nextCID(), acct, "CreditOnly", "1", "ACH"))
	if errorCode(t, a) != ibkrtest.CodeBankInstructionNotEligible || !strings.Contains(string(a.Body), "CREDIT") {
		t.Fatalf("%s", a.Body)
	}
}

func TestCancelInstruction(t *testing.T) {
	srv, c := fundedClient(t)
	acct := ibkrtest.DemoAccountID
	cancel := func(id any) answer {
		return c.post("/gw/api/v1/instructions/cancel", map[string]any{"instructionType": "CANCEL_INSTRUCTION", "instruction": map[string]any{
			"clientInstructionId": nextCID(), "instructionId": id, "reason": "changed my mind"}})
	}
	a := c.post("/gw/api/v1/external-cash-transfers", withdrawalBody(nextCID(), acct, "Main", "400"))
	wid := result(t, a)["instructionId"]
	if !withdrawable(t, c).Equal(mustDec("600")) {
		t.Fatal("no hold")
	}
	a = cancel(wid)
	wantStatus(t, a, http.StatusCreated)
	if r := result(t, a); r["instructionStatus"] != ibkrtest.StatusProcessed || r["instructionType"] != "CANCEL_INSTRUCTION" {
		t.Fatalf("%s", a.Body)
	}
	if !withdrawable(t, c).Equal(mustDec("1000")) {
		t.Fatal("hold not released")
	}
	info, _ := srv.Instruction(idFrom(t, wid))
	if info.Status != ibkrtest.StatusRejected || info.ErrorCode != ibkrtest.CodeCancelled {
		t.Fatalf("%+v", info)
	}
	srv.Advance(ibkrtest.DefaultTimings.Withdrawal)
	if !srv.Balance(acct, "USD").Equal(mustDec("1000")) {
		t.Fatal("a cancelled withdrawal moved money")
	}
	// Cancelling it again, or a processed one, or an unknown one: refused.
	a = cancel(wid)
	if errorCode(t, a) != ibkrtest.CodeNotCancellable {
		t.Fatalf("%s", a.Body)
	}
	dep := c.post("/gw/api/v1/external-cash-transfers", depositBody(nextCID(), acct, "", "1", "WIRE"))
	srv.Advance(ibkrtest.DefaultTimings.WireDeposit)
	a = cancel(result(t, dep)["instructionId"])
	if errorCode(t, a) != ibkrtest.CodeNotCancellable {
		t.Fatalf("%s", a.Body)
	}
	a = cancel(123)
	if errorCode(t, a) != ibkrtest.CodeInstructionNotFound {
		t.Fatalf("%s", a.Body)
	}
}

func TestRecurringDeposit(t *testing.T) {
	srv, c := fundedClient(t)
	acct := ibkrtest.DemoAccountID
	b := depositBody(nextCID(), acct, "Main", "50", "ACH")
	b["instruction"].(map[string]any)["recurringInstructionDetail"] = map[string]any{
		"instructionName": "Monthly", "frequency": "MONTHLY", "startDate": "2025-03-10", "endDate": "2025-05-10",
	}
	a := c.post("/gw/api/v1/external-cash-transfers", b)
	wantStatus(t, a, http.StatusAccepted)
	r := result(t, a)
	parent := idFrom(t, r["instructionId"])
	ref := r["ibReferenceId"]
	if ref == nil {
		t.Fatalf("no ibReferenceId: %s", a.Body)
	}
	q := c.post("/gw/api/v1/bank-instructions/query", map[string]any{"instructionType": "QUERY_RECURRING_INSTRUCTIONS", "instruction": map[string]any{
		"clientInstructionId": nextCID(), "accountId": acct}})
	list := result(t, q)["recurringInstructions"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["frequency"] != "MONTHLY" {
		t.Fatalf("%s", q.Body)
	}
	// Three occurrences (10 March, 10 April, 10 May), each settling a day later.
	srv.Advance(90 * 24 * time.Hour)
	if got := srv.Balance(acct, "USD"); !got.Equal(mustDec("1150")) {
		t.Fatalf("balance %s", got)
	}
	if info, _ := srv.Instruction(parent); info.Status != ibkrtest.StatusProcessed {
		t.Fatalf("parent %+v", info)
	}
	ev := c.post("/gw/api/v1/bank-instructions/query", map[string]any{"instructionType": "QUERY_RECENT_RECURRING_EVENTS", "instruction": map[string]any{
		"clientInstructionId": nextCID(), "ibReferenceId": ref}})
	wantStatus(t, ev, http.StatusCreated)
	hist := result(t, ev)["transactionHistory"].(map[string]any)["result"].([]any)
	if len(hist) != 3 {
		t.Fatalf("%s", ev.Body)
	}
}

func TestRecurringWithdrawalCancelled(t *testing.T) {
	srv, c := fundedClient(t)
	acct := ibkrtest.DemoAccountID
	b := withdrawalBody(nextCID(), acct, "Main", "100")
	b["instruction"].(map[string]any)["recurringInstructionDetail"] = map[string]any{
		"instructionName": "Quarterly", "frequency": "QUARTERLY", "startDate": "2025-03-05",
	}
	a := c.post("/gw/api/v1/external-cash-transfers", b)
	wantStatus(t, a, http.StatusAccepted)
	parent := result(t, a)["instructionId"]
	srv.Advance(10 * 24 * time.Hour) // first occurrence on 5 March
	if got := srv.Balance(acct, "USD"); !got.Equal(mustDec("900")) {
		t.Fatalf("balance %s", got)
	}
	a = c.post("/gw/api/v1/instructions/cancel", map[string]any{"instructionType": "CANCEL_INSTRUCTION", "instruction": map[string]any{
		"clientInstructionId": nextCID(), "instructionId": parent, "reason": "stop"}})
	wantStatus(t, a, http.StatusCreated)
	srv.Advance(200 * 24 * time.Hour)
	if got := srv.Balance(acct, "USD"); !got.Equal(mustDec("900")) {
		t.Fatalf("cancelled recurring withdrawal kept going: %s", got)
	}
}

func TestInternalCashTransfer(t *testing.T) {
	srv, c := fundedClient(t)
	if err := srv.AddAccount("U2000000", ibkrtest.AccountOpen); err != nil {
		t.Fatal(err)
	}
	body := func(amount string, when *time.Time) map[string]any {
		in := map[string]any{"clientInstructionId": nextCID(), "sourceAccountId": ibkrtest.DemoAccountID, "targetAccountId": "U2000000",
			"currency": "USD", "amount": json.Number(amount)}
		if when != nil {
			in["dateTimeToOccur"] = when.UTC().Format(time.RFC3339)
		}
		return map[string]any{"instructionType": "INTERNAL_CASH_TRANSFER", "instruction": in}
	}
	a := c.post("/gw/api/v1/internal-cash-transfers", body("300", nil))
	wantStatus(t, a, http.StatusCreated)
	if result(t, a)["instructionStatus"] != ibkrtest.StatusProcessed {
		t.Fatalf("%s", a.Body)
	}
	if !srv.Balance("U2000000", "USD").Equal(mustDec("300")) || !srv.Balance(ibkrtest.DemoAccountID, "USD").Equal(mustDec("700")) {
		t.Fatal("balances did not move")
	}
	when := srv.Now().Add(time.Hour)
	a = c.post("/gw/api/v1/internal-cash-transfers", body("200", &when))
	wantStatus(t, a, http.StatusAccepted)
	srv.Advance(time.Hour)
	if !srv.Balance("U2000000", "USD").Equal(mustDec("500")) {
		t.Fatal("scheduled transfer did not run")
	}
	a = c.post("/gw/api/v1/internal-cash-transfers", body("500.01", nil))
	if errorCode(t, a) != ibkrtest.CodeInsufficientFunds {
		t.Fatalf("%s", a.Body)
	}
}

func TestRecentInstructionsAndInstructionSets(t *testing.T) {
	srv, c := fundedClient(t)
	acct := ibkrtest.DemoAccountID
	wantStatus(t, c.post("/gw/api/v1/external-cash-transfers", depositBody(nextCID(), acct, "Main", "1", "ACH")), http.StatusAccepted)
	qcid := nextCID()
	a := c.post("/gw/api/v1/instructions/query", map[string]any{"instructionType": "QUERY_RECENT_INSTRUCTIONS", "instruction": map[string]any{
		"clientInstructionId": qcid, "accountId": acct, "transactionHistory": map[string]any{"daysToGoBack": 3, "transactionType": "ALL"}}})
	wantStatus(t, a, http.StatusAccepted)
	p := c.get("/gw/api/v1/client-instructions/" + itoa(qcid))
	wantStatus(t, p, http.StatusOK)
	hist := result(t, p)["instructionHistory"].(map[string]any)["result"].([]any)
	if len(hist) != 2 || hist[0].(map[string]any)["instructionType"] != "DEPOSIT" || hist[1].(map[string]any)["instructionType"] != "ACH_INSTRUCTION" {
		t.Fatalf("%s", p.Body)
	}
	a = c.post("/gw/api/v1/instructions/query", map[string]any{"instructionType": "QUERY_RECENT_INSTRUCTIONS", "instruction": map[string]any{
		"clientInstructionId": nextCID(), "accountId": acct, "transactionHistory": map[string]any{"daysToGoBack": 31}}})
	wantStatus(t, a, http.StatusBadRequest)

	// Bulk: all accepted is 202 with one result each; any refused is 207.
	bulk := func(amounts ...string) answer {
		var list []any
		for _, amt := range amounts {
			list = append(list, depositBody(nextCID(), acct, "", amt, "WIRE")["instruction"])
		}
		return c.post("/gw/api/v1/external-cash-transfers:bulk", map[string]any{"instructionType": "DEPOSIT", "instructions": list})
	}
	a = bulk("1", "2")
	wantStatus(t, a, http.StatusAccepted)
	set := a.json(t)["instructionSetId"].(json.Number).String()
	s := c.get("/gw/api/v1/instruction-sets/" + set)
	wantStatus(t, s, http.StatusOK)
	if n := len(s.json(t)["instructionResults"].([]any)); n != 2 {
		t.Fatalf("%s", s.Body)
	}
	a = bulk("3", "0.001")
	wantStatus(t, a, http.StatusMultiStatus)
	res := a.json(t)["instructionResults"].([]any)
	if res[0].(map[string]any)["instructionStatus"] != "PENDING" || res[1].(map[string]any)["instructionStatus"] != "REJECTED" {
		t.Fatalf("%s", a.Body)
	}
	wantStatus(t, c.get("/gw/api/v1/instruction-sets/1"), http.StatusNotFound)
	wantStatus(t, c.get("/gw/api/v1/instructions/1"), http.StatusNotFound)
	_ = srv
}

func TestWrongMethodIs405(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	c := newClient(t, srv)
	a := c.raw(http.MethodDelete, "/gw/api/v1/accounts", "application/json", "")
	wantStatus(t, a, http.StatusMethodNotAllowed)
	if a.Header.Get("Allow") != "GET, POST, PATCH" {
		t.Fatalf("Allow %q", a.Header.Get("Allow"))
	}
}
