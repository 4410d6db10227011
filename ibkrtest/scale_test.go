package ibkrtest_test

import (
	"net/http"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/wire"
)

// Accounts set up without requests take ACH deposits at once; a pending
// deposit rejected later shows IBKR's code on its status and in the
// account's recent history; the request record keeps only the newest
// requests while RequestCount counts them all.
func TestScaleHelpersAndBoundedRecord(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithRequestRecordLimit(3))
	c := newClient(t, srv)
	const acct = "U4000001"
	if err := srv.AddAccount(acct, ibkrtest.AccountOpen); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddLinkedACH(acct, "payroll"); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddLinkedACH(acct, "payroll"); err == nil {
		t.Fatal("a second bank instruction of the same name was accepted")
	}
	cid := nextCID()
	wantStatus(t, c.post("/gw/api/v1/external-cash-transfers", depositBody(cid, acct, "payroll", "10", "ACH")), http.StatusAccepted)
	info, ok := srv.InstructionByClientID(srv.ClientID, wire.NewID(uint64(cid)))
	if !ok || info.Status != ibkrtest.StatusPending {
		t.Fatalf("deposit %+v %v", info, ok)
	}
	if err := srv.RejectInstruction(info.ID, "ACH_RETURNED", "returned"); err != nil {
		t.Fatal(err)
	}
	if err := srv.RejectInstruction(info.ID, "ACH_RETURNED", "returned"); err == nil {
		t.Fatal("a rejected instruction was rejected again")
	}
	p := c.get("/gw/api/v1/client-instructions/" + itoa(cid))
	wantStatus(t, p, http.StatusOK)
	if errorCode(t, p) != "ACH_RETURNED" {
		t.Fatalf("status after the rejection: %s", p.Body)
	}
	qcid := nextCID()
	wantStatus(t, c.post("/gw/api/v1/instructions/query", map[string]any{"instructionType": "QUERY_RECENT_INSTRUCTIONS", "instruction": map[string]any{
		"clientInstructionId": qcid, "accountId": acct, "transactionHistory": map[string]any{"daysToGoBack": 1}}}), http.StatusAccepted)
	h := c.get("/gw/api/v1/client-instructions/" + itoa(qcid))
	hist := result(t, h)["instructionHistory"].(map[string]any)["result"].([]any)
	if len(hist) != 1 || hist[0].(map[string]any)["status"] != ibkrtest.StatusRejected {
		t.Fatalf("history: %s", h.Body)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("record holds %d requests, want the last 3", n)
	}
	if last := srv.Requests()[2]; last.OperationID != "getClientInstructions" {
		t.Errorf("newest record is %s", last.OperationID)
	}
	if n := srv.RequestCount("getClientInstructions", 200); n != 2 {
		t.Errorf("RequestCount(getClientInstructions, 200) = %d, want 2", n)
	}
	if n := srv.RequestCount("", 0); n < 5 {
		t.Errorf("RequestCount of everything = %d, want at least 5", n)
	}
}
