package ibkrtest_test

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/wire"
)

const sister = "U7654321"

// positionsClient is a sandbox whose demo account holds 100 IBM, with a
// sister account of the same holder.
func positionsClient(t *testing.T) (*ibkrtest.Server, *client) {
	t.Helper()
	srv := ibkrtest.NewServer(t, ibkrtest.WithTokenLifetime(400*24*time.Hour), ibkrtest.WithMaintenance(false), ibkrtest.WithRateLimit(0, 0))
	if err := srv.AddAccount(sister, ibkrtest.AccountOpen); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetPosition(ibkrtest.DemoAccountID, 8314, mustDec("100")); err != nil {
		t.Fatal(err)
	}
	return srv, newClient(t, srv)
}

func ibm() map[string]any { return map[string]any{"conid": 8314, "currency": "USD"} }

func internalItem(qty any, ins map[string]any) map[string]any {
	return map[string]any{"clientInstructionId": nextCID(), "sourceAccountId": ibkrtest.DemoAccountID, "targetAccountId": sister,
		"transferQuantity": qty, "tradingInstrument": ins}
}

// A bulk of internal transfers: each item on its own, the good ones
// processed, the bad ones REJECTED with their own code (207).
func TestBulkInternalPositionTransfers(t *testing.T) {
	srv, c := positionsClient(t)
	a := c.post("/gw/api/v1/internal-asset-transfers:bulk", map[string]any{"instructionType": "INTERNAL_POSITION_TRANSFER", "instructions": []any{
		internalItem(10, ibm()),
		internalItem(1, map[string]any{"conid": 424242, "currency": "USD"}),
		internalItem(20, map[string]any{"tradingInstrumentDescription": map[string]any{"securityIdType": "CUSIP", "securityId": "459200101", "assetType": "STK"}, "currency": "USD"}),
		internalItem(500, ibm()),
	}})
	wantStatus(t, a, http.StatusMultiStatus)
	results, _ := a.json(t)["instructionResults"].([]any)
	want := []string{"PENDING", "REJECTED", "PENDING", "REJECTED"}
	if len(results) != len(want) {
		t.Fatalf("results %s", a.Body)
	}
	for i, r := range results {
		if got := r.(map[string]any)["instructionStatus"]; got != want[i] {
			t.Errorf("item %d: %v, want %s", i, got, want[i])
		}
	}
	srv.Advance(ibkrtest.DefaultTimings.PositionTransfer)
	if got := srv.Position(sister, 8314); !got.Equal(mustDec("30")) {
		t.Fatalf("sister holds %s, want 30", got)
	}
	if got := srv.Position(ibkrtest.DemoAccountID, 8314); !got.Equal(mustDec("70")) {
		t.Fatalf("demo holds %s, want 70", got)
	}
	// The rejected ones are recorded with their codes.
	codes := map[string]bool{}
	for _, in := range srv.Instructions() {
		if in.Status == ibkrtest.StatusRejected {
			codes[in.ErrorCode] = true
		}
	}
	if !codes[ibkrtest.CodeUnknownInstrument] || !codes[ibkrtest.CodeInsufficientPosition] {
		t.Fatalf("codes %v", codes)
	}
}

func TestBulkExternalPositionTransfersAllAccepted(t *testing.T) {
	srv, c := positionsClient(t)
	item := func(qty int) map[string]any {
		return map[string]any{"clientInstructionId": nextCID(), "accountId": ibkrtest.DemoAccountID, "direction": "IN",
			"contraBrokerAccountId": "A1", "contraBrokerDtcCode": ibkrtest.ACATSBrokerID, "quantity": qty, "tradingInstrument": ibm()}
	}
	a := c.post("/gw/api/v1/external-asset-transfers:bulk", map[string]any{"instructionType": "FOP", "instructions": []any{item(1), item(2), item(3)}})
	wantStatus(t, a, http.StatusAccepted)
	srv.Advance(ibkrtest.DefaultTimings.ExternalPositionTransfer)
	if got := srv.Position(ibkrtest.DemoAccountID, 8314); !got.Equal(mustDec("106")) {
		t.Fatalf("demo holds %s, want 106", got)
	}
}

// What the schema cannot express is refused by the sandbox itself: 400
// for malformed values, 422 (recorded REJECTED) for business rules.
func TestPositionTransferSandboxRules(t *testing.T) {
	srv, c := positionsClient(t)
	today := srv.Now().Format("2006-01-02")
	past := srv.Now().AddDate(0, 0, -3).Format("2006-01-02")
	contra := map[string]any{"accountType": "ORG", "brokerName": "sandbox brokerage a", "depositoryId": "1", "brokerAccountId": "X1",
		"country": "GBR", "contactEmail": "a@example.com", "contactPhone": "12345"}
	cases := []struct {
		name   string
		path   string
		body   map[string]any
		status int
		code   string
	}{
		{"internal zero quantity", "/gw/api/v1/internal-asset-transfers", wrap("INTERNAL_POSITION_TRANSFER", internalItem(0, ibm())), 400, ""},
		{"internal to itself", "/gw/api/v1/internal-asset-transfers", wrap("INTERNAL_POSITION_TRANSFER", with(internalItem(1, ibm()), "targetAccountId", ibkrtest.DemoAccountID)), 400, ""},
		{"internal bad date", "/gw/api/v1/internal-asset-transfers", wrap("INTERNAL_POSITION_TRANSFER", with(internalItem(1, ibm()), "tradeDate", "03/04/2025")), 400, ""},
		{"internal trade date past", "/gw/api/v1/internal-asset-transfers", wrap("INTERNAL_POSITION_TRANSFER", with(internalItem(1, ibm()), "tradeDate", past)), 400, ""},
		{"internal both ids", "/gw/api/v1/internal-asset-transfers", wrap("INTERNAL_POSITION_TRANSFER", internalItem(1, map[string]any{"conid": 8314, "currency": "USD",
			"tradingInstrumentDescription": map[string]any{"securityIdType": "ISIN", "securityId": "US4592001014", "assetType": "STK"}})), 400, ""},
		{"internal currency mismatch", "/gw/api/v1/internal-asset-transfers", wrap("INTERNAL_POSITION_TRANSFER", internalItem(1, map[string]any{"conid": 8314, "currency": "EUR"})), 422, ibkrtest.CodeCurrencyMismatch},
		{"fop in EUR", "/gw/api/v1/external-asset-transfers", wrap("FOP", map[string]any{"clientInstructionId": nextCID(), "accountId": ibkrtest.DemoAccountID, "direction": "IN",
			"contraBrokerAccountId": "A1", "contraBrokerDtcCode": ibkrtest.ACATSBrokerID, "quantity": 1, "tradingInstrument": map[string]any{"conid": 8314, "currency": "EUR"}}), 422, ibkrtest.CodeUnsupportedCurrency},
		{"dwac out", "/gw/api/v1/external-asset-transfers", wrap("DWAC", map[string]any{"clientInstructionId": nextCID(), "accountId": ibkrtest.DemoAccountID, "direction": "OUT",
			"contraBrokerAccountId": "A1", "contraBrokerTaxId": "1", "quantity": 1, "tradingInstrument": ibm()}), 400, ""},
		{"aton with IRA type", "/gw/api/v1/external-asset-transfers", wrap("EXTERNAL_POSITION_TRANSFER", map[string]any{"clientInstructionId": nextCID(), "type": "FULL", "subType": "ATON",
			"brokerId": ibkrtest.ATONBrokerID, "brokerName": ibkrtest.ATONBrokerName, "accountAtBroker": "A1", "sourceIRAType": "RO", "accountId": ibkrtest.DemoAccountID, "signature": "Demo User"}), 400, ""},
		{"aton broker of the ACATS list", "/gw/api/v1/external-asset-transfers", wrap("EXTERNAL_POSITION_TRANSFER", map[string]any{"clientInstructionId": nextCID(), "type": "FULL", "subType": "ATON",
			"brokerId": ibkrtest.ACATSBrokerID, "brokerName": ibkrtest.ACATSBrokerName, "accountAtBroker": "A1", "accountId": ibkrtest.DemoAccountID, "signature": "Demo User"}), 422, ibkrtest.CodeUnknownBroker},
		{"complex settle before trade", "/gw/api/v1/external-asset-transfers", wrap("COMPLEX_ASSET_TRANSFER", map[string]any{"clientInstructionId": nextCID(), "accountId": ibkrtest.DemoAccountID,
			"direction": "IN", "quantity": 1, "tradingInstrument": ibm(), "contraBrokerInfo": contra,
			"nonDisclosedDetail": map[string]any{"tradeDate": srv.Now().AddDate(0, 0, 2).Format("2006-01-02"), "settleDate": today}}), 400, ""},
		{"complex unknown account", "/gw/api/v1/external-asset-transfers", wrap("COMPLEX_ASSET_TRANSFER", map[string]any{"clientInstructionId": nextCID(), "accountId": "U1000999",
			"direction": "IN", "quantity": 1, "tradingInstrument": ibm(), "contraBrokerInfo": contra}), 422, ibkrtest.CodeAccountNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := c.post(tc.path, tc.body)
			wantStatus(t, a, tc.status)
			if tc.code != "" {
				if got := errorCode(t, a); got != tc.code {
					t.Fatalf("code %s, want %s", got, tc.code)
				}
			}
		})
	}
	// The documentation's example form of the settlement dates (RFC
	// 3339) is accepted too, and the broker name matches in any case.
	a := c.post("/gw/api/v1/external-asset-transfers", wrap("COMPLEX_ASSET_TRANSFER", map[string]any{"clientInstructionId": nextCID(), "accountId": ibkrtest.DemoAccountID,
		"direction": "IN", "quantity": 1, "tradingInstrument": ibm(), "contraBrokerInfo": contra,
		"nonDisclosedDetail": map[string]any{"tradeDate": srv.Now().Format(time.RFC3339), "settleDate": srv.Now().AddDate(0, 0, 1).Format(time.RFC3339)}}))
	wantStatus(t, a, http.StatusAccepted)
	if got := srv.Position(ibkrtest.DemoAccountID, 8314); !got.Equal(mustDec("100")) {
		t.Fatalf("refusals moved positions: %s", got)
	}
}

// Positions, holds, pending transfers and broker holdings survive
// SaveState/LoadState; the state file holds no account at another broker.
func TestPositionsSaveAndLoad(t *testing.T) {
	srv, c := positionsClient(t)
	const atBroker = "SOL99887766"
	if err := srv.SetBrokerHoldings(ibkrtest.ACATSBrokerID, atBroker, map[uint64]wire.Decimal{265598: mustDec("7")}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c.post("/gw/api/v1/internal-asset-transfers", wrap("INTERNAL_POSITION_TRANSFER", internalItem(60, ibm()))), http.StatusAccepted)
	wantStatus(t, c.post("/gw/api/v1/external-asset-transfers", wrap("EXTERNAL_POSITION_TRANSFER", map[string]any{"clientInstructionId": nextCID(), "type": "FULL", "subType": "ACATS",
		"brokerId": ibkrtest.ACATSBrokerID, "brokerName": ibkrtest.ACATSBrokerName, "accountAtBroker": atBroker, "accountId": ibkrtest.DemoAccountID, "signature": "Demo User"})), http.StatusAccepted)
	var buf bytes.Buffer
	if err := srv.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), atBroker) {
		t.Fatal("state file holds the account at the other broker")
	}
	h, err := ibkrtest.NewHandler(ibkrtest.WithMaintenance(false))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	h.Clock().Set(srv.Now())
	if err := h.LoadState(&buf); err != nil {
		t.Fatal(err)
	}
	// The 60 are still held: moving more than 40 more would fail; the
	// pending transfers complete on the restored clock.
	h.Advance(ibkrtest.DefaultTimings.AccountTransfer)
	if got := h.Position(sister, 8314); !got.Equal(mustDec("60")) {
		t.Fatalf("sister holds %s after restore, want 60", got)
	}
	if got := h.Position(ibkrtest.DemoAccountID, 265598); !got.Equal(mustDec("7")) {
		t.Fatalf("ACATS brought %s AAPL, want 7", got)
	}
}

func wrap(typ string, in map[string]any) map[string]any {
	return map[string]any{"instructionType": typ, "instruction": in}
}

func with(m map[string]any, k string, v any) map[string]any {
	m[k] = v
	return m
}

// Internal transfers wait out the banking downtime windows; cash moves by
// securityIdType CASH; accounts of different holders cannot exchange
// positions.
func TestInternalPositionTransferWindowsCashAndHolders(t *testing.T) {
	srv, c := positionsClient(t)
	// Friday 23:40 US Eastern: due at 23:50, inside the window that runs
	// into the weekend until Sunday 15:00.
	loc, _ := time.LoadLocation("America/New_York")
	srv.Clock().Set(time.Date(2025, time.March, 7, 23, 40, 0, 0, loc))
	wantStatus(t, c.post("/gw/api/v1/internal-asset-transfers", wrap("INTERNAL_POSITION_TRANSFER", internalItem(5, ibm()))), http.StatusAccepted)
	srv.Advance(38 * time.Hour) // Sunday 13:40
	if got := srv.Position(sister, 8314); !got.IsZero() {
		t.Fatalf("moved inside the window: %s", got)
	}
	srv.Advance(80 * time.Minute) // Sunday 15:00
	if got := srv.Position(sister, 8314); !got.Equal(mustDec("5")) {
		t.Fatalf("sister holds %s after the window, want 5", got)
	}

	if err := srv.SetBalance(ibkrtest.DemoAccountID, "EUR", mustDec("300")); err != nil {
		t.Fatal(err)
	}
	cash := map[string]any{"tradingInstrumentDescription": map[string]any{"securityIdType": "CASH", "securityId": "EUR", "assetType": "CASH"}, "currency": "EUR"}
	wantStatus(t, c.post("/gw/api/v1/internal-asset-transfers", wrap("INTERNAL_POSITION_TRANSFER", internalItem(120, cash))), http.StatusAccepted)
	a := c.post("/gw/api/v1/internal-asset-transfers", wrap("INTERNAL_POSITION_TRANSFER", internalItem(200, cash)))
	wantStatus(t, a, http.StatusUnprocessableEntity)
	if got := errorCode(t, a); got != ibkrtest.CodeInsufficientFunds {
		t.Fatalf("code %s", got)
	}
	srv.Advance(ibkrtest.DefaultTimings.PositionTransfer)
	if got := srv.Balance(sister, "EUR"); !got.Equal(mustDec("120")) {
		t.Fatalf("sister has %s EUR, want 120", got)
	}

	// An account of another holder, fresh from registration.
	reg := c.post("/gw/api/v1/accounts", map[string]any{"application": map[string]any{"customer": map[string]any{
		"email": "b@example.com", "legalResidenceCountry": "USA",
		"accountHolder": map[string]any{"accountHolderDetails": []any{map[string]any{"name": map[string]any{"first": "Bea", "last": "Other"}}}},
	}}})
	wantStatus(t, reg, http.StatusOK)
	m := regexp.MustCompile(`"accountId":\s*"(U[0-9]+)"`).FindStringSubmatch(string(reg.Body))
	if m == nil {
		t.Fatalf("no account id in %s", reg.Body)
	}
	other := m[1]
	a = c.post("/gw/api/v1/internal-asset-transfers", wrap("INTERNAL_POSITION_TRANSFER", with(internalItem(1, ibm()), "targetAccountId", other)))
	wantStatus(t, a, http.StatusUnprocessableEntity)
	if got := errorCode(t, a); got != ibkrtest.CodeTransferNotEligible {
		t.Fatalf("code %s", got)
	}
}
