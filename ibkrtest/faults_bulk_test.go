package ibkrtest_test

import (
	"net/http"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// FailBulkAfter carries out the first items of a bulk request, each
// exactly as the bulk endpoint does, never the rest, and answers with the
// failure; the next request is answered normally.
func TestFailBulkAfter(t *testing.T) {
	srv, c := fundedClient(t)
	const op = "bulkExternalCashTransfers"
	srv.FailBulkAfter(op, 1, 2, http.StatusBadGateway)
	var cids []int64
	bulk := func() answer {
		var list []any
		cids = cids[:0]
		for range 4 {
			cid := nextCID()
			cids = append(cids, cid)
			list = append(list, depositBody(cid, ibkrtest.DemoAccountID, "Main", "5", "ACH")["instruction"])
		}
		return c.post("/gw/api/v1/external-cash-transfers:bulk", map[string]any{"instructionType": "DEPOSIT", "instructions": list})
	}
	wantStatus(t, bulk(), http.StatusBadGateway)
	for i, cid := range cids {
		want := http.StatusOK
		if i >= 2 {
			want = http.StatusNotFound
		}
		wantStatus(t, c.get("/gw/api/v1/client-instructions/"+itoa(cid)), want)
	}
	recs := srv.RequestsFor(op)
	if len(recs) != 1 || len(recs[0].Faults) != 1 || recs[0].Faults[0] != "partial" {
		t.Fatalf("records %+v", recs)
	}
	wantStatus(t, bulk(), http.StatusAccepted)
}
