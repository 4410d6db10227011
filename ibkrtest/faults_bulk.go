package ibkrtest

import "net/http"

// Faults of bulk requests that act between their instructions: the part
// of the request before the fault takes effect, the rest never does, and
// the answer is lost. A client must then find out, instruction by
// instruction, what IBKR holds.

// FailBulkAfter makes the next n calls of a bulk operation (e.g.
// "bulkExternalCashTransfers") carry out only their first items
// instructions, each exactly as the bulk endpoint does, and then fail:
// with status (a 5xx), or, with status 0, by closing the connection
// without an answer. The instructions after the first items are never
// recorded.
func (s *Sandbox) FailBulkAfter(operationID string, n, items, status int) {
	if status != 0 && (status < 500 || status > 599) {
		panic("ibkrtest: FailBulkAfter status must be 0 or 5xx")
	}
	if items < 0 {
		panic("ibkrtest: FailBulkAfter items must not be negative")
	}
	s.addFault(operationID, fault{kind: faultPartial, n: n, status: status, items: items})
}

// partialBulk takes a pending FailBulkAfter fault of the request's
// operation: the number of instructions to carry out, and the failure to
// answer with once they are (nil: drop the connection, arranged here).
func (s *Sandbox) partialBulk(ri *reqInfo) (items int, after func() error, ok bool) {
	f, ok := s.takeOne(ri.op.ID, faultPartial)
	if !ok {
		return 0, nil, false
	}
	ri.rec.injected = true
	ri.rec.Faults = append(ri.rec.Faults, "partial")
	return f.items, func() error {
		if f.status == 0 {
			// ServeHTTP drops the connection once the handler returns.
			s.addFault(ri.op.ID, fault{kind: faultDrop, n: 1})
			return nil
		}
		return fail(problem{Status: f.status, Title: http.StatusText(f.status), Detail: "ibkrtest: bulk request cut short with FailBulkAfter"})
	}, true
}
