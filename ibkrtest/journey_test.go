package ibkrtest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/wire"
)

// TestACHJourneyGeneratedClient drives the whole money path through the
// raw generated client with hand-made JWS: token, ACH instruction,
// PENDING_VERIFICATION, micro-deposits, verification, PROCESSED, deposit,
// time passes, PROCESSED, balance up.
func TestACHJourneyGeneratedClient(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	ctx := context.Background()
	key := demoKey(t)

	cl, err := gen.NewClientWithResponses(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	scope := "bank-instructions.write transfers.write instructions.read balances.read"
	tr, err := cl.GenerateTokenWithFormdataBodyWithResponse(ctx, gen.GenerateTokenFormdataRequestBody{
		GrantType:           "client_credentials",
		ClientAssertionType: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
		ClientAssertion:     sign(t, key, srv.KeyID, assertionClaims(srv)),
		Scope:               &scope,
	})
	if err != nil || tr.JSON200 == nil {
		t.Fatalf("token: %v %s", err, tr.Body)
	}
	if tr.JSON200.TokenType != "Bearer" || tr.JSON200.ExpiresIn != 86399 || *tr.JSON200.Scope != scope {
		t.Fatalf("token answer %+v", tr.JSON200)
	}
	access := tr.JSON200.AccessToken
	bearer := gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+access)
		return nil
	})
	api, err := gen.NewClientWithResponses(srv.URL, bearer)
	if err != nil {
		t.Fatal(err)
	}
	signed := func(body map[string]any) *strings.Reader {
		now := srv.Now()
		body["iss"], body["iat"], body["exp"] = srv.ClientID, now.Unix(), now.Add(time.Minute).Unix()
		return strings.NewReader(sign(t, key, srv.KeyID, body))
	}

	// 1. ACH instruction: 202 PENDING.
	achCID := wire.MustID("18446744073709551617") // beyond uint64: IDs stay exact
	body := achBody(0, ibkrtest.DemoAccountID, "Checking", ibkrtest.RoutingNumberMicroDeposits)
	body["instruction"].(map[string]any)["clientInstructionId"] = json.Number(achCID.String())
	cr, err := api.CreateBankInstructionsWithBodyWithResponse(ctx, "application/jwt", signed(body))
	if err != nil || cr.JSON202 == nil {
		t.Fatalf("ACH: %v HTTP %d %s", err, cr.StatusCode(), cr.Body)
	}
	res := cr.JSON202.InstructionResult
	if res.InstructionStatus != "PENDING" || res.ClientInstructionId != achCID || res.InstructionType != "ACH_INSTRUCTION" {
		t.Fatalf("ACH result %+v", res)
	}
	achID := res.InstructionId

	// 2. Verification time passes: PENDING_VERIFICATION, polled by clientInstructionId.
	srv.Advance(ibkrtest.DefaultTimings.ACHVerification)
	pr, err := api.GetClientInstructionsWithResponse(ctx, achCID)
	if err != nil || pr.JSON200 == nil {
		t.Fatalf("poll: %v %s", err, pr.Body)
	}
	polled, err := pr.JSON200.AsInstructionResponse()
	if err != nil || polled.InstructionResult.InstructionStatus != "PENDING_VERIFICATION" || polled.InstructionResult.InstructionId != achID {
		t.Fatalf("poll: %v %s", err, pr.Body)
	}

	// 3. Read the micro-deposits, verify them (in reverse order: order does not matter).
	a1, a2, ok := srv.MicroDeposits(wire.InstructionID{ID: achID})
	if !ok || a1.Equal(a2) || a1.Sign() <= 0 || a2.Cmp(wire.MustDecimal("1")) >= 0 {
		t.Fatalf("micro-deposits %s %s %v", a1, a2, ok)
	}
	vr, err := api.CreateBankInstructionsWithBodyWithResponse(ctx, "application/jwt", signed(map[string]any{
		"instructionType": "TRADITIONAL_BANK_INSTRUCTION_VERIFICATION",
		"instruction": map[string]any{
			"clientInstructionId": nextCID(), "bankInstructionCode": "USACH", "bankInstructionName": "Checking",
			"accountId": ibkrtest.DemoAccountID, "pendingInstructionId": json.Number(achID.String()),
			"creditAmount1": json.Number(a2.String()), "creditAmount2": json.Number(a1.String()),
		},
	}))
	if err != nil || vr.JSON202 == nil || vr.JSON202.InstructionResult.InstructionStatus != "PROCESSED" {
		t.Fatalf("verify: %v %s", err, vr.Body)
	}
	ir, err := api.GetInstructionsWithResponse(ctx, achID)
	if err != nil || ir.JSON200 == nil {
		t.Fatalf("instruction: %v %s", err, ir.Body)
	}
	if p, _ := ir.JSON200.AsInstructionPollingResponse(); p.InstructionResult == nil || p.InstructionResult.InstructionStatus != "PROCESSED" {
		t.Fatalf("ACH after verification: %s", ir.Body)
	}

	// 4. Deposit 1234.56 USD by ACH: PENDING until the ACH settles.
	before := srv.Balance(ibkrtest.DemoAccountID, "USD")
	depCID := nextCID()
	dr, err := api.CreateExternalCashTransfersWithBodyWithResponse(ctx, "application/jwt",
		signed(depositBody(depCID, ibkrtest.DemoAccountID, "Checking", "1234.56", "ACH")))
	if err != nil || dr.JSON202 == nil || dr.JSON202.InstructionResult.InstructionStatus != "PENDING" {
		t.Fatalf("deposit: %v %s", err, dr.Body)
	}
	if !srv.Balance(ibkrtest.DemoAccountID, "USD").Equal(before) {
		t.Fatal("balance moved before the deposit settled")
	}

	// 5. Time passes: PROCESSED, balance up by exactly the amount. A day
	// outlives the access token (86399 s), so the client needs a new one.
	srv.Advance(ibkrtest.DefaultTimings.ACHDeposit)
	if r, _ := api.GetClientInstructionsWithResponse(ctx, wire.NewID(uint64(depCID))); r.StatusCode() != http.StatusUnauthorized {
		t.Fatalf("expired token: HTTP %d", r.StatusCode())
	}
	access = token(t, srv, scope)
	dp, err := api.GetClientInstructionsWithResponse(ctx, wire.NewID(uint64(depCID)))
	if err != nil || dp.JSON200 == nil {
		t.Fatalf("poll deposit: %v %s", err, dp.Body)
	}
	dep, err := dp.JSON200.AsDepositFundsPollingResponse()
	if err != nil || dep.InstructionResult.InstructionStatus != "PROCESSED" || !dep.InstructionResult.DepositDetails.Amount.Equal(wire.MustDecimal("1234.56")) {
		t.Fatalf("deposit after settlement: %v %s", err, dp.Body)
	}
	want, _ := before.Add(wire.MustDecimal("1234.56"))
	if got := srv.Balance(ibkrtest.DemoAccountID, "USD"); !got.Equal(want) {
		t.Fatalf("balance %s, want %s", got, want)
	}

	// The balances query tells the same truth.
	br, err := api.CreateBalancesQueryWithBodyWithResponse(ctx, "application/jwt", signed(map[string]any{
		"instructionType": "QUERY_WITHDRAWABLE_CASH_EQUITY",
		"instruction":     map[string]any{"clientInstructionId": nextCID(), "accountId": ibkrtest.DemoAccountID, "currency": "USD"},
	}))
	if err != nil || br.JSON201 == nil {
		t.Fatalf("balances: %v %s", err, br.Body)
	}
	eq, err := br.JSON201.AsQueryWithdrawableCashEquityResponse()
	if err != nil || !eq.InstructionResult.AvailableEquityValue.Equal(want) {
		t.Fatalf("balances answer: %v %s", err, br.Body)
	}

	// The sandbox recorded what was sent, claims decoded and exact.
	recs := srv.RequestsFor("createBankInstructions")
	if len(recs) != 2 || recs[0].ClientInstructionID != achCID || recs[0].Claims["iss"] != srv.ClientID {
		t.Fatalf("records %+v", recs)
	}
	if h := recs[0].Header.Get("Authorization"); strings.Contains(h, tr.JSON200.AccessToken) || !strings.HasPrefix(h, "Bearer ****") {
		t.Fatalf("token not redacted: %q", h)
	}
}
