package ibkrtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/wire"
)

// benchInstructions is how many instructions the console benchmarks hold.
const benchInstructions = 100_000

var (
	benchOnce sync.Once
	benchSB   *Sandbox
)

// consoleBenchSandbox is a sandbox with 100,000 instructions across 1,000
// accounts, a full notification history and a full request log.
func consoleBenchSandbox(b *testing.B) *Sandbox {
	benchOnce.Do(func() {
		s, err := newSandbox(defaultConfig())
		if err != nil {
			b.Fatal(err)
		}
		now := s.clk.Now()
		statuses := []string{StatusProcessed, StatusProcessed, StatusProcessed, StatusPending, StatusRejected}
		s.mu.Lock()
		for i := range 1000 {
			id := fmt.Sprintf("U%07d", 2000000+i)
			a := demoAccount(now)
			a.ID, a.UserName = id, "user"+id
			s.st.Accounts[id] = a
		}
		for i := range benchInstructions {
			typ := "DEPOSIT"
			if i%4 == 3 {
				typ = "WITHDRAWAL"
			}
			in := s.st.newInstruction(DemoClientID, wire.NewID(uint64(1_700_000_000_000+i)), typ, 0, now.Add(time.Duration(i)*time.Second))
			in.Account, in.Currency, in.Amount, in.BankName = fmt.Sprintf("U%07d", 2000000+i%1000), "USD", wire.NewDecimal(int64(10000+i), 2), "Checking"
			s.setStatus(in, statuses[i%len(statuses)], in.Created.Add(24*time.Hour), "settled")
		}
		s.outbox = nil
		s.mu.Unlock()
		claims := map[string]any{"instructionType": "DEPOSIT", "iss": DemoClientID, "instruction": map[string]any{
			"accountId": "U2000001", "amount": "100.00", "currency": "USD", "bankInstructionName": "Checking", "clientInstructionId": "1700000000000001",
		}}
		resp := []byte(`{"instructionResult":{"clientInstructionId":1700000000000001,"instructionId":43000002,"instructionStatus":"PENDING","instructionType":"DEPOSIT"},"instructionSetId":9000002,"status":202}`)
		for i := range DefaultRequestRecordLimit + 100 {
			rec := &Request{Time: now, OperationID: "createExternalCashTransfers", Method: "POST", Path: "/gw/api/v1/external-cash-transfers",
				Query: url.Values{}, ClientID: DemoClientID, Claims: claims, ClientInstructionID: wire.NewID(uint64(1_700_000_000_000 + i)),
				Status: 202, Latency: 400 * time.Microsecond, Signature: SignatureValid}
			bw := &bufferWriter{h: http.Header{"Content-Type": {"application/json"}}}
			bw.buf.Write(resp)
			s.finishRecord(rec, bw, time.Now())
			s.addRecord(rec)
		}
		benchSB = s
	})
	return benchSB
}

// BenchmarkConsolePages measures the console's pages and JSON endpoints
// over a sandbox holding 100,000 instructions and a full request log,
// served through ConsoleHandler (no network): the first page, a deep
// offset, a filter, and the JSON answers.
func BenchmarkConsolePages(b *testing.B) {
	s := consoleBenchSandbox(b)
	h := s.ConsoleHandler()
	for _, bc := range []struct{ name, path string }{
		{"InstructionsFirstPage", ConsolePath + "instructions"},
		{"InstructionsDeepOffset", ConsolePath + "instructions?offset=99900"},
		{"InstructionsFiltered", ConsolePath + "instructions?account=U2000500&status=PROCESSED"},
		{"InstructionsJSON", ControlPath + "instructions?limit=50"},
		{"InstructionsJSONFiltered", ControlPath + "instructions?status=PENDING&type=WITHDRAWAL&limit=50"},
		{"RequestLogPage", ConsolePath + "requests"},
		{"RequestLogJSON", ControlPath + "requests?limit=50"},
		{"AccountsPage1000", ConsolePath + "accounts"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, bc.path, nil)
				req.Host = "127.0.0.1"
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("HTTP %d", w.Code)
				}
			}
		})
	}
}
