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

func TestRoutingNumberConstantsPassChecksum(t *testing.T) {
	for _, r := range []string{ibkrtest.RoutingNumberMicroDeposits, ibkrtest.RoutingNumberVerified,
		ibkrtest.RoutingNumberRejected, ibkrtest.RoutingNumberSlow, "021000021", "011000015"} {
		if !ibkrtest.ValidRoutingNumber(r) {
			t.Errorf("%s fails the ABA checksum", r)
		}
	}
	for _, r := range []string{"021000022", "12345678", "0210000210", "02100002a", ""} {
		if ibkrtest.ValidRoutingNumber(r) {
			t.Errorf("%q passes the ABA checksum", r)
		}
	}
}

func TestACHOutcomeByRoutingNumber(t *testing.T) {
	cases := []struct {
		routing string
		after   time.Duration
		status  string
		code    string
	}{
		{ibkrtest.RoutingNumberMicroDeposits, ibkrtest.DefaultTimings.ACHVerification, ibkrtest.StatusPendingVerification, ""},
		{"021000021", ibkrtest.DefaultTimings.ACHVerification, ibkrtest.StatusPendingVerification, ""},
		{ibkrtest.RoutingNumberVerified, ibkrtest.DefaultTimings.ACHVerification, ibkrtest.StatusProcessed, ""},
		{ibkrtest.RoutingNumberRejected, ibkrtest.DefaultTimings.ACHVerification, ibkrtest.StatusRejected, ibkrtest.CodeBankVerificationFailed},
		{ibkrtest.RoutingNumberSlow, ibkrtest.DefaultTimings.ACHVerification, ibkrtest.StatusPending, ""},
		{ibkrtest.RoutingNumberSlow, ibkrtest.DefaultTimings.ACHSlowVerification, ibkrtest.StatusPendingVerification, ""},
	}
	for _, tc := range cases {
		t.Run(tc.routing+"/"+tc.after.String(), func(t *testing.T) {
			srv := ibkrtest.NewServer(t, ibkrtest.WithMaintenance(false), ibkrtest.WithTokenLifetime(30*24*time.Hour))
			c := newClient(t, srv)
			cid := nextCID()
			a := c.post("/gw/api/v1/bank-instructions", achBody(cid, ibkrtest.DemoAccountID, "Chk", tc.routing))
			wantStatus(t, a, http.StatusAccepted)
			if got := result(t, a)["instructionStatus"]; got != ibkrtest.StatusPending {
				t.Fatalf("created %v", got)
			}
			srv.Advance(tc.after - time.Second)
			if info, _ := srv.InstructionByClientID(srv.ClientID, wire.NewID(uint64(cid))); info.Status != ibkrtest.StatusPending {
				t.Fatalf("changed early: %s", info.Status)
			}
			srv.Advance(time.Second)
			p := c.get("/gw/api/v1/client-instructions/" + itoa(cid))
			wantStatus(t, p, http.StatusOK)
			r := result(t, p)
			if r["instructionStatus"] != tc.status {
				t.Fatalf("status %v, want %s", r["instructionStatus"], tc.status)
			}
			if tc.code != "" && errorCode(t, p) != tc.code {
				t.Fatalf("code %s", p.Body)
			}
		})
	}
}

func TestACHRefusals(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithRateLimit(0, 0))
	c := newClient(t, srv)
	acct := ibkrtest.DemoAccountID

	a := c.post("/gw/api/v1/bank-instructions", achBody(nextCID(), acct, "Bad", "021000022"))
	wantStatus(t, a, http.StatusUnprocessableEntity)
	if errorCode(t, a) != ibkrtest.CodeInvalidRoutingNumber {
		t.Fatalf("%s", a.Body)
	}
	a = c.post("/gw/api/v1/bank-instructions", achBody(nextCID(), "U0000000", "X", ibkrtest.RoutingNumberVerified))
	wantStatus(t, a, http.StatusUnprocessableEntity)
	if errorCode(t, a) != ibkrtest.CodeAccountNotFound {
		t.Fatalf("%s", a.Body)
	}
	b := achBody(nextCID(), acct, "Eur", ibkrtest.RoutingNumberVerified)
	b["instruction"].(map[string]any)["currency"] = "EUR"
	a = c.post("/gw/api/v1/bank-instructions", b)
	wantStatus(t, a, http.StatusUnprocessableEntity)
	if errorCode(t, a) != ibkrtest.CodeUnsupportedCurrency {
		t.Fatalf("%s", a.Body)
	}
	b = achBody(nextCID(), acct, "Letters", ibkrtest.RoutingNumberVerified)
	b["instruction"].(map[string]any)["clientAccountInfo"].(map[string]any)["bankAccountNumber"] = "12AB"
	a = c.post("/gw/api/v1/bank-instructions", b)
	wantStatus(t, a, http.StatusBadRequest)
	if !strings.Contains(string(a.Body), "bankAccountNumber") {
		t.Fatalf("%s", a.Body)
	}

	// Six active bank instructions at most; the seventh is refused until
	// one is deleted. A duplicate name is refused too.
	for i := 0; i < 6; i++ {
		wantStatus(t, c.post("/gw/api/v1/bank-instructions", achBody(nextCID(), acct, "Bank"+itoa(int64(i)), ibkrtest.RoutingNumberVerified)), http.StatusAccepted)
	}
	a = c.post("/gw/api/v1/bank-instructions", achBody(nextCID(), acct, "Bank6", ibkrtest.RoutingNumberVerified))
	wantStatus(t, a, http.StatusUnprocessableEntity)
	if errorCode(t, a) != ibkrtest.CodeTooManyBankInstructions {
		t.Fatalf("%s", a.Body)
	}
	del := func(name string) answer {
		return c.post("/gw/api/v1/bank-instructions", map[string]any{"instructionType": "DELETE_BANK_INSTRUCTION", "instruction": map[string]any{
			"clientInstructionId": nextCID(), "accountId": acct, "bankInstructionName": name, "bankInstructionMethod": "ACH", "currency": "USD"}})
	}
	a = del("Nope")
	wantStatus(t, a, http.StatusUnprocessableEntity)
	if errorCode(t, a) != ibkrtest.CodeBankInstructionNotFound {
		t.Fatalf("%s", a.Body)
	}
	a = del("Bank0")
	wantStatus(t, a, http.StatusAccepted)
	if result(t, a)["instructionStatus"] != ibkrtest.StatusProcessed {
		t.Fatalf("%s", a.Body)
	}
	a = c.post("/gw/api/v1/bank-instructions", achBody(nextCID(), acct, "Bank1", ibkrtest.RoutingNumberVerified))
	wantStatus(t, a, http.StatusUnprocessableEntity)
	if errorCode(t, a) != ibkrtest.CodeDuplicateBankInstructionName {
		t.Fatalf("%s", a.Body)
	}
	wantStatus(t, c.post("/gw/api/v1/bank-instructions", achBody(nextCID(), acct, "Bank6", ibkrtest.RoutingNumberVerified)), http.StatusAccepted)
}

func TestMicroDepositsAreDeterministic(t *testing.T) {
	amounts := func() (wire.ID, wire.Decimal, wire.Decimal) {
		srv := ibkrtest.NewServer(t)
		c := newClient(t, srv)
		a := c.post("/gw/api/v1/bank-instructions", achBody(nextCID(), ibkrtest.DemoAccountID, "Chk", ibkrtest.RoutingNumberMicroDeposits))
		id := idFrom(t, result(t, a)["instructionId"])
		if _, _, ok := srv.MicroDeposits(wire.InstructionID{ID: id}); ok {
			t.Fatal("amounts readable before they were sent")
		}
		srv.Advance(ibkrtest.DefaultTimings.ACHVerification)
		a1, a2, ok := srv.MicroDeposits(wire.InstructionID{ID: id})
		if !ok {
			t.Fatal("no amounts")
		}
		return id, a1, a2
	}
	id1, x1, y1 := amounts()
	id2, x2, y2 := amounts()
	if id1 != id2 || !x1.Equal(x2) || !y1.Equal(y2) {
		t.Fatalf("%s: %s %s vs %s: %s %s", id1, x1, y1, id2, x2, y2)
	}
	one := wire.MustDecimal("1")
	if x1.Equal(y1) || x1.Sign() <= 0 || y1.Sign() <= 0 || x1.Cmp(one) >= 0 || y1.Cmp(one) >= 0 || x1.Scale() != 2 {
		t.Fatalf("amounts %s %s", x1, y1)
	}
}

func verifyBody(acct, name string, pending wire.ID, a1, a2 wire.Decimal) map[string]any {
	return map[string]any{"instructionType": "TRADITIONAL_BANK_INSTRUCTION_VERIFICATION", "instruction": map[string]any{
		"clientInstructionId": nextCID(), "bankInstructionCode": "USACH", "bankInstructionName": name, "accountId": acct,
		"pendingInstructionId": json.Number(pending.String()),
		"creditAmount1":        json.Number(a1.String()), "creditAmount2": json.Number(a2.String()),
	}}
}

func TestMicroDepositVerificationAttempts(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithCallbackURL(""))
	c := newClient(t, srv)
	acct := ibkrtest.DemoAccountID
	a := c.post("/gw/api/v1/bank-instructions", achBody(nextCID(), acct, "Chk", ibkrtest.RoutingNumberMicroDeposits))
	id := idFrom(t, result(t, a)["instructionId"])

	// Before the micro-deposits go out, verification is refused.
	a = c.post("/gw/api/v1/bank-instructions", verifyBody(acct, "Chk", id, mustDec("0.01"), mustDec("0.02")))
	wantStatus(t, a, http.StatusUnprocessableEntity)
	if errorCode(t, a) != ibkrtest.CodeNotPendingVerification {
		t.Fatalf("%s", a.Body)
	}
	srv.Advance(ibkrtest.DefaultTimings.ACHVerification)
	m1, m2, _ := srv.MicroDeposits(wire.InstructionID{ID: id})
	wrong := mustDec("0.01")
	if wrong.Equal(m1) || wrong.Equal(m2) {
		wrong = mustDec("0.99")
	}
	for i, left := range []string{"2 attempt(s) left", "1 attempt(s) left", "no attempts left"} {
		a = c.post("/gw/api/v1/bank-instructions", verifyBody(acct, "Chk", id, m1, wrong))
		wantStatus(t, a, http.StatusAccepted)
		r := result(t, a)
		if r["instructionStatus"] != ibkrtest.StatusRejected || !strings.Contains(r["description"].(string), left) {
			t.Fatalf("attempt %d: %s", i+1, a.Body)
		}
	}
	info, _ := srv.Instruction(id)
	if info.Status != ibkrtest.StatusRejected || info.ErrorCode != ibkrtest.CodeVerificationAttemptsExceeded {
		t.Fatalf("after three failures: %+v", info)
	}
	// The right pair no longer helps.
	a = c.post("/gw/api/v1/bank-instructions", verifyBody(acct, "Chk", id, m1, m2))
	wantStatus(t, a, http.StatusUnprocessableEntity)
	if errorCode(t, a) != ibkrtest.CodeNotPendingVerification {
		t.Fatalf("%s", a.Body)
	}
	// A rejected instruction frees its name and its slot.
	if n := len(srv.Notifications()); n != 2 {
		t.Fatalf("%d notifications (PENDING_VERIFICATION, REJECTED expected)", n)
	}
}

func TestMicroDepositVerificationChecksTarget(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	c := newClient(t, srv)
	acct := ibkrtest.DemoAccountID
	a := c.post("/gw/api/v1/bank-instructions", achBody(nextCID(), acct, "Chk", ibkrtest.RoutingNumberMicroDeposits))
	id := idFrom(t, result(t, a)["instructionId"])
	srv.Advance(ibkrtest.DefaultTimings.ACHVerification)
	m1, m2, _ := srv.MicroDeposits(wire.InstructionID{ID: id})
	for _, tc := range []struct {
		name, acct, bank string
		pending          wire.ID
		code             string
	}{
		{"unknown instruction", acct, "Chk", wire.MustID("999"), ibkrtest.CodeInstructionNotFound},
		{"wrong name", acct, "Other", id, ibkrtest.CodeBankInstructionNotFound},
		{"wrong account", "U7777777", "Chk", id, ibkrtest.CodeBankInstructionNotFound},
	} {
		a = c.post("/gw/api/v1/bank-instructions", verifyBody(tc.acct, tc.bank, tc.pending, m1, m2))
		wantStatus(t, a, http.StatusUnprocessableEntity)
		if errorCode(t, a) != tc.code {
			t.Errorf("%s: %s", tc.name, a.Body)
		}
	}
	a = c.post("/gw/api/v1/bank-instructions", verifyBody(acct, "Chk", id, m1, m2))
	wantStatus(t, a, http.StatusAccepted)
	if result(t, a)["instructionStatus"] != ibkrtest.StatusProcessed {
		t.Fatalf("%s", a.Body)
	}
	// Verifying a PROCESSED instruction again is refused.
	a = c.post("/gw/api/v1/bank-instructions", verifyBody(acct, "Chk", id, m1, m2))
	if errorCode(t, a) != ibkrtest.CodeNotPendingVerification {
		t.Fatalf("%s", a.Body)
	}
}

func TestBankInstructionsQueryMasksNumbers(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	c := newClient(t, srv)
	linkACH(t, c, ibkrtest.DemoAccountID, "Main")
	a := c.post("/gw/api/v1/bank-instructions/query", map[string]any{"instructionType": "QUERY_BANK_INSTRUCTION", "instruction": map[string]any{
		"clientInstructionId": nextCID(), "accountId": ibkrtest.DemoAccountID, "bankInstructionMethod": "ACH"}})
	wantStatus(t, a, http.StatusCreated)
	details := result(t, a)["bankInstructionDetails"].([]any)
	if len(details) != 1 {
		t.Fatalf("%s", a.Body)
	}
	d := details[0].(map[string]any)
	if d["bankAccountNumber"] != "****6789" || d["instructionName"] != "Main" || d["instructionStatus"] != "PROCESSED" {
		t.Fatalf("%s", a.Body)
	}
	if strings.Contains(string(a.Body), "123456789") {
		t.Fatal("full account number leaked")
	}
}

func TestWireDestinationAndWithdrawal(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	c := newClient(t, srv)
	acct := ibkrtest.DemoAccountID
	a := c.post("/gw/api/v1/bank-instructions", map[string]any{"instructionType": "PREDEFINED_DESTINATION_INSTRUCTION", "instruction": map[string]any{
		"clientInstructionId": nextCID(), "bankInstructionName": "Wire Out", "bankInstructionMethod": "WIRE", "accountId": acct, "currency": "USD",
		"financialInstitution": map[string]any{"name": "Test Bank", "identifier": "CHASUS33", "identifierType": "BIC", "clientAccountId": "987654321"},
	}})
	wantStatus(t, a, http.StatusAccepted)
	if result(t, a)["instructionStatus"] != ibkrtest.StatusProcessed {
		t.Fatalf("%s", a.Body)
	}
	if err := srv.SetBalance(acct, "USD", mustDec("1000")); err != nil {
		t.Fatal(err)
	}
	w := withdrawalBody(nextCID(), acct, "Wire Out", "250.50")
	w["instruction"].(map[string]any)["bankInstructionMethod"] = "WIRE"
	wantStatus(t, c.post("/gw/api/v1/external-cash-transfers", w), http.StatusAccepted)
	srv.Advance(ibkrtest.DefaultTimings.Withdrawal)
	if got := srv.Balance(acct, "USD"); !got.Equal(mustDec("749.50")) {
		t.Fatalf("balance %s", got)
	}
}

func TestEDDAInstruction(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	c := newClient(t, srv)
	a := c.post("/gw/api/v1/bank-instructions", map[string]any{"instructionType": "EDDA_INSTRUCTION", "instruction": map[string]any{
		"clientInstructionId": nextCID(), "bankInstructionName": "HK", "currency": "HKD", "accountId": ibkrtest.DemoAccountID,
		"bankBranchCode": "003", "bankAccountNumber": "132456", "bankClearingCode": "003", "debtorIdentificationDocumentType": "hkId",
	}})
	wantStatus(t, a, http.StatusAccepted)
	id := idFrom(t, result(t, a)["instructionId"])
	srv.Advance(ibkrtest.DefaultTimings.EDDA)
	if info, _ := srv.Instruction(id); info.Status != ibkrtest.StatusProcessed {
		t.Fatalf("%+v", info)
	}
}
