package ibkrtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// controlCall calls a control endpoint and decodes its JSON answer into
// out (when not nil); csrf "" sends no token.
func controlCall(t *testing.T, srv *ibkrtest.Server, method, path, csrf, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if csrf != "" {
		req.Header.Set(ibkrtest.CSRFHeader, csrf)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: Content-Type %q", method, path, ct)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

func getPage(t *testing.T, srv *ibkrtest.Server, path string) string {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET %s: HTTP %d %s\n%s", path, resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	if resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("GET %s: headers %v", path, resp.Header)
	}
	return string(raw)
}

// linkBank runs the start of the funding journey through the SDK: an ACH
// link that gets micro-deposits.
func linkBank(t *testing.T, client *ibkr.Client) *ibkr.Instruction {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	link, err := client.LinkBankAccount(ctx, ibkr.BankAccountLink{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking",
		RoutingNumber: ibkrtest.RoutingNumberMicroDeposits, AccountNumber: ibkr.NewSecret("000123456789"), BankName: "Example Bank"})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := client.WaitForBankVerification(ctx, link.ClientInstructionID, time.Hour); err != nil || v.Status != ibkr.InstructionPendingVerification {
		t.Fatalf("verification: %v %+v", err, v)
	}
	return link
}

func TestControlAPIFundingJourney(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithConsole())
	client, err := sandbox.Client(srv)
	if err != nil {
		t.Fatal(err)
	}
	link := linkBank(t, client)
	srv.Clock().SetAutoAdvance(false)

	// The account shows the pending verification and its two amounts,
	// the bank account number masked.
	var acct ibkrtest.AccountView
	if st := controlCall(t, srv, "GET", "/ibkrtest/v1/accounts/"+ibkrtest.DemoAccountID, "", "", &acct); st != 200 {
		t.Fatalf("HTTP %d", st)
	}
	if len(acct.BankInstructions) != 1 {
		t.Fatalf("account %+v", acct)
	}
	b := acct.BankInstructions[0]
	a1, a2, _ := srv.MicroDeposits(link.InstructionID)
	if b.Verification != "PENDING_VERIFICATION" || b.AccountNumber != "****6789" || b.MicroDeposits == nil ||
		b.MicroDeposits.Amount1 != a1.String() || b.MicroDeposits.Amount2 != a2.String() || b.InstructionID != link.InstructionID.ID.String() {
		t.Fatalf("bank %+v", b)
	}
	var md ibkrtest.MicroDepositsView
	if st := controlCall(t, srv, "GET", ibkrtest.MicroDepositsPath+link.InstructionID.ID.String(), "", "", &md); st != 200 || md.Amount1 != a1.String() || md.Currency != "USD" {
		t.Fatalf("micro-deposits HTTP %d %+v", st, md)
	}
	if st := controlCall(t, srv, "GET", ibkrtest.MicroDepositsPath+"12", "", "", nil); st != 404 {
		t.Fatalf("unknown micro-deposits: HTTP %d", st)
	}

	// Verify with the amounts read from the endpoint, deposit, and settle
	// the deposit through the controls.
	ctx := context.Background()
	m1, _ := ibkr.ParseDecimal(md.Amount1)
	m2, _ := ibkr.ParseDecimal(md.Amount2)
	if _, err := client.VerifyMicroDeposits(ctx, ibkr.MicroDepositVerification{AccountID: ibkrtest.DemoAccountID,
		InstructionName: "Checking", InstructionID: link.InstructionID, Amount1: m1, Amount2: m2}); err != nil {
		t.Fatal(err)
	}
	dep, err := client.DepositACH(ctx, ibkr.ACHDeposit{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking", Amount: ibkr.MustDecimal("500.00")})
	if err != nil {
		t.Fatal(err)
	}
	var page ibkrtest.InstructionPage
	controlCall(t, srv, "GET", "/ibkrtest/v1/instructions?status=PENDING&type=DEPOSIT", "", "", &page)
	if page.Total != 1 || page.Items[0].ClientInstructionID != dep.ClientInstructionID.String() || page.Items[0].Amount != "500.00" {
		t.Fatalf("pending deposits %+v", page)
	}
	depID := page.Items[0].ID

	// Controls need the CSRF token.
	var errAns map[string]string
	if st := controlCall(t, srv, "POST", "/ibkrtest/v1/clock/advance", "", `{"duration":"24h"}`, &errAns); st != 403 || !strings.Contains(errAns["error"], ibkrtest.CSRFHeader) {
		t.Fatalf("no token: HTTP %d %v", st, errAns)
	}
	if st := controlCall(t, srv, "POST", "/ibkrtest/v1/clock/advance", "wrong", `{"duration":"24h"}`, nil); st != 403 {
		t.Fatalf("wrong token: HTTP %d", st)
	}
	var tok map[string]string
	controlCall(t, srv, "GET", "/ibkrtest/v1/csrf", "", "", &tok)
	csrf := tok["token"]
	if csrf == "" || csrf != srv.CSRFToken() || tok["header"] != ibkrtest.CSRFHeader {
		t.Fatalf("csrf %v", tok)
	}
	if st := controlCall(t, srv, "POST", "/ibkrtest/v1/clock/advance", csrf, `{"duration":"soon"}`, &errAns); st != 400 || !strings.Contains(errAns["error"], "duration") {
		t.Fatalf("bad duration: HTTP %d %v", st, errAns)
	}
	if st := controlCall(t, srv, "POST", "/ibkrtest/v1/clock/advance", csrf, `{"durration":"1h"}`, nil); st != 400 {
		t.Fatalf("unknown field: HTTP %d", st)
	}
	before := srv.Now()
	var res ibkrtest.ControlResult
	if st := controlCall(t, srv, "POST", "/ibkrtest/v1/clock/advance", csrf, `{"toNextEvent":true}`, &res); st != 200 || !res.Clock.Now.Equal(before.Add(ibkrtest.DefaultTimings.ACHDeposit)) {
		t.Fatalf("advance: HTTP %d %+v (from %v)", st, res, before)
	}
	var in ibkrtest.InstructionView
	controlCall(t, srv, "GET", "/ibkrtest/v1/instructions/"+depID, "", "", &in)
	if in.Status != "PROCESSED" || len(in.History) != 2 || in.History[0].Status != "PENDING" || in.History[1].Status != "PROCESSED" {
		t.Fatalf("deposit %+v", in)
	}
	if srv.Balance(ibkrtest.DemoAccountID, "USD").String() != "500.00" {
		t.Fatal("balance")
	}
	if st := controlCall(t, srv, "POST", "/ibkrtest/v1/instructions/"+depID+"/settle", csrf, "", &errAns); st != 409 {
		t.Fatalf("settle a processed deposit: HTTP %d %v", st, errAns)
	}

	// The request log: the deposit's signed body was valid, its bank
	// account number never shows, the token never shows.
	var log ibkrtest.RequestPage
	controlCall(t, srv, "GET", "/ibkrtest/v1/requests?operation=createBankInstructions", "", "", &log)
	if log.Total != 2 || log.Items[0].Signature != ibkrtest.SignatureValid || log.Items[0].Status != 202 {
		t.Fatalf("log %+v", log)
	}
	controlCall(t, srv, "GET", "/ibkrtest/v1/requests?clientInstructionId="+dep.ClientInstructionID.String(), "", "", &log)
	if log.Total != 1 || log.Items[0].InstructionID != depID || log.Items[0].LatencyMicros <= 0 || !strings.Contains(log.Items[0].RequestBody, `"amount": 500.00`) {
		t.Fatalf("deposit's request %+v", log)
	}
	controlCall(t, srv, "GET", "/ibkrtest/v1/requests?limit=500", "", "", &log)
	all, _ := json.Marshal(log)
	if strings.Contains(string(all), "000123456789") || strings.Contains(string(all), "123456789") || !strings.Contains(string(all), "****6789") {
		t.Fatalf("the log shows a bank account number, or no masked one:\n%s", all)
	}
	for _, r := range log.Items {
		if r.OperationID == "generateToken" && (!strings.Contains(r.ResponseBody, `"access_token": "****`) || !strings.Contains(r.RequestBody, `"client_assertion": "****`)) {
			t.Fatalf("token request not masked: %+v", r)
		}
	}

	// The pages render the same data, with no secret.
	for _, p := range []string{"accounts", "instructions", "requests", "controls", "flex"} {
		html := getPage(t, srv, "/ibkrtest/console/"+p)
		if strings.Contains(html, "123456789") || strings.Contains(html, "Bearer") {
			t.Fatalf("page %s shows a secret", p)
		}
	}
	if html := getPage(t, srv, "/ibkrtest/console/instructions?id="+depID); !strings.Contains(html, `id="instruction-`+depID+`" data-status="PROCESSED"`) {
		t.Fatalf("instructions page:\n%s", html)
	}
}

func TestConsoleFormsNeedTheToken(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithConsole())
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(action string, form url.Values, header http.Header) *http.Response {
		req, _ := http.NewRequest("POST", srv.URL+"/ibkrtest/console/control/"+action, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := post("open-account", url.Values{"accountId": {"U7"}}, nil); r.StatusCode != 403 {
		t.Fatalf("no token: HTTP %d", r.StatusCode)
	}
	good := url.Values{"accountId": {"U7"}, "csrf": {srv.CSRFToken()}, "back": {"/ibkrtest/console/accounts"}}
	if r := post("open-account", good, http.Header{"Origin": {"http://evil.example"}}); r.StatusCode != 403 {
		t.Fatalf("cross-site: HTTP %d", r.StatusCode)
	}
	r := post("open-account", good, http.Header{"Origin": {srv.URL}})
	if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/ibkrtest/console/accounts?done=opened+account+U7") {
		t.Fatalf("open: HTTP %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if st, _ := srv.AccountStatus("U7"); st != "O" {
		t.Fatalf("U7 status %q", st)
	}
	// Back never leaves the console.
	good.Set("back", "https://evil.example/")
	good.Set("accountId", "U8")
	if r := post("open-account", good, nil); !strings.HasPrefix(r.Header.Get("Location"), "/ibkrtest/console/controls?") {
		t.Fatalf("back: %s", r.Header.Get("Location"))
	}
	// Reset forgets them.
	good.Set("back", "/ibkrtest/console/controls")
	post("reset", good, nil)
	if _, ok := srv.AccountStatus("U7"); ok {
		t.Fatal("U7 survived the reset")
	}
	if _, ok := srv.AccountStatus(ibkrtest.DemoAccountID); !ok {
		t.Fatal("the demo account is gone after the reset")
	}
	// A foreign Host is refused (DNS rebinding).
	req, _ := http.NewRequest("GET", srv.URL+"/ibkrtest/v1/accounts", nil)
	req.Host = "evil.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("foreign host: HTTP %d", resp.StatusCode)
	}
}

// post sends a control with the sandbox's token.
func post(t *testing.T, srv *ibkrtest.Server, path, body string, out any) int {
	t.Helper()
	return controlCall(t, srv, "POST", path, srv.CSRFToken(), body, out)
}

func TestControlActions(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithConsole(), ibkrtest.WithMaintenance(false))
	client, err := sandbox.Client(srv)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	link := linkBank(t, client)
	id := link.InstructionID.ID.String()

	// Bank verification: fail, then nothing left to confirm.
	if st := post(t, srv, "/ibkrtest/v1/bank-instructions/"+id+"/fail", "", nil); st != 200 {
		t.Fatalf("fail: HTTP %d", st)
	}
	in, _ := srv.Instruction(link.InstructionID.ID)
	if in.Status != "REJECTED" || in.ErrorCode != ibkrtest.CodeBankVerificationFailed {
		t.Fatalf("after fail %+v", in)
	}
	if st := post(t, srv, "/ibkrtest/v1/bank-instructions/"+id+"/confirm", "", nil); st != 409 {
		t.Fatalf("confirm a rejected bank: HTTP %d", st)
	}
	if st := post(t, srv, "/ibkrtest/v1/bank-instructions/x/confirm", "", nil); st != 400 {
		t.Fatalf("bad id: HTTP %d", st)
	}

	// A second bank, confirmed by the control while IBKR still verifies
	// it (PENDING): deposits then work.
	link2, err := client.LinkBankAccount(ctx, ibkr.BankAccountLink{AccountID: ibkrtest.DemoAccountID, InstructionName: "Savings",
		RoutingNumber: ibkrtest.RoutingNumberMicroDeposits, AccountNumber: ibkr.NewSecret("000987654321"), BankName: "Example Bank"})
	if err != nil {
		t.Fatal(err)
	}
	if st := post(t, srv, "/ibkrtest/v1/bank-instructions/"+link2.InstructionID.ID.String()+"/confirm", "", nil); st != 200 {
		t.Fatalf("confirm: HTTP %d", st)
	}
	var acct ibkrtest.AccountView
	controlCall(t, srv, "GET", "/ibkrtest/v1/accounts/"+ibkrtest.DemoAccountID, "", "", &acct)
	if v := acct.BankInstructions[1]; v.Verification != "PROCESSED" || v.MicroDeposits != nil || v.AccountNumber != "****4321" {
		t.Fatalf("confirmed bank %+v", v)
	}
	d1, err := client.DepositACH(ctx, ibkr.ACHDeposit{AccountID: ibkrtest.DemoAccountID, InstructionName: "Savings", Amount: ibkr.MustDecimal("100.00")})
	if err != nil {
		t.Fatal(err)
	}
	d2, err := client.DepositACH(ctx, ibkr.ACHDeposit{AccountID: ibkrtest.DemoAccountID, InstructionName: "Savings", Amount: ibkr.MustDecimal("200.00")})
	if err != nil {
		t.Fatal(err)
	}
	// Settle one now, reject the other.
	if st := post(t, srv, "/ibkrtest/v1/instructions/"+d1.InstructionID.ID.String()+"/settle", "", nil); st != 200 {
		t.Fatalf("settle: HTTP %d", st)
	}
	var res map[string]string
	if st := post(t, srv, "/ibkrtest/v1/instructions/"+d2.InstructionID.ID.String()+"/reject", `{"code":"ERROR_ACH_RETURNED","message":"R01 insufficient funds"}`, nil); st != 200 {
		t.Fatalf("reject: HTTP %d %v", st, res)
	}
	got1, _ := client.InstructionStatus(ctx, d1.ClientInstructionID)
	got2, _ := client.InstructionStatus(ctx, d2.ClientInstructionID)
	if got1 == nil || got1.Status != ibkr.InstructionProcessed || got2 == nil || got2.Status != ibkr.InstructionRejected {
		t.Fatalf("after settle/reject: %+v %+v", got1, got2)
	}
	if srv.Balance(ibkrtest.DemoAccountID, "USD").String() != "100.00" {
		t.Fatalf("balance %s", srv.Balance(ibkrtest.DemoAccountID, "USD"))
	}
	var page ibkrtest.InstructionPage
	controlCall(t, srv, "GET", "/ibkrtest/v1/instructions?account="+ibkrtest.DemoAccountID+"&limit=2", "", "", &page)
	if page.Total < 4 || len(page.Items) != 2 || page.Items[0].ID != d2.InstructionID.ID.String() || page.Items[0].ErrorCode != "ERROR_ACH_RETURNED" {
		t.Fatalf("page %+v", page)
	}
	controlCall(t, srv, "GET", "/ibkrtest/v1/instructions?account="+ibkrtest.DemoAccountID+"&limit=2&offset=2", "", "", &page)
	if page.Offset != 2 || len(page.Items) != 2 {
		t.Fatalf("second page %+v", page)
	}
	if st := controlCall(t, srv, "GET", "/ibkrtest/v1/instructions?limit=lots", "", "", nil); st != 400 {
		t.Fatalf("bad limit: HTTP %d", st)
	}

	// Faults: injected through the control, seen, consumed by the call.
	if st := post(t, srv, "/ibkrtest/v1/faults", `{"kind":"fail","operationId":"getClientInstructions","count":1,"status":503}`, nil); st != 200 {
		t.Fatalf("fault: HTTP %d", st)
	}
	if st := post(t, srv, "/ibkrtest/v1/faults", `{"kind":"explode","operationId":"getClientInstructions"}`, nil); st != 400 {
		t.Fatalf("unknown kind: HTTP %d", st)
	}
	if st := post(t, srv, "/ibkrtest/v1/faults", `{"kind":"drop","operationId":"noSuchOperation"}`, nil); st != 400 {
		t.Fatalf("unknown operation: HTTP %d", st)
	}
	var faults ibkrtest.FaultsView
	controlCall(t, srv, "GET", "/ibkrtest/v1/faults", "", "", &faults)
	if len(faults.Faults) != 1 || faults.Faults[0].Kind != "fail" || faults.Faults[0].Status != 503 || faults.Maintenance {
		t.Fatalf("faults %+v", faults)
	}
	if _, err := client.InstructionStatus(ctx, d1.ClientInstructionID); err != nil {
		t.Fatalf("the client retries a 503 GET: %v", err)
	}
	if srv.RequestCount("getClientInstructions", 503) != 1 {
		t.Fatal("the fault did not fire")
	}
	post(t, srv, "/ibkrtest/v1/faults", `{"kind":"latency","operationId":"getClientInstructions","delay":"1s"}`, nil)
	post(t, srv, "/ibkrtest/v1/faults/clear", "", nil)
	controlCall(t, srv, "GET", "/ibkrtest/v1/faults", "", "", &faults)
	if len(faults.Faults) != 0 {
		t.Fatalf("after clear %+v", faults)
	}
	// Maintenance windows on.
	post(t, srv, "/ibkrtest/v1/maintenance", `{"on":true}`, nil)
	controlCall(t, srv, "GET", "/ibkrtest/v1/faults", "", "", &faults)
	if !faults.Maintenance {
		t.Fatal("maintenance still off")
	}
	// Open a new account; advance with nothing scheduled.
	var opened ibkrtest.ControlResult
	if st := post(t, srv, "/ibkrtest/v1/accounts", "", &opened); st != 200 || opened.AccountID == "" {
		t.Fatalf("open: HTTP %d %+v", st, opened)
	}
	if st, _ := srv.AccountStatus(opened.AccountID); st != ibkrtest.AccountOpen {
		t.Fatalf("opened account status %q", st)
	}
	// Advance step by step until nothing is scheduled: then 409.
	for i := 0; ; i++ {
		st := post(t, srv, "/ibkrtest/v1/clock/advance", `{"toNextEvent":true}`, nil)
		if st == 409 {
			break
		}
		if st != 200 || i == 10 {
			t.Fatalf("advance to the next step: HTTP %d after %d steps", st, i)
		}
	}
	if n, _ := srv.PendingEvents(); n != 0 {
		t.Fatalf("%d steps still scheduled", n)
	}
	if st := controlCall(t, srv, "GET", "/ibkrtest/v1/nothing", "", "", nil); st != 404 {
		t.Fatalf("unknown endpoint: HTTP %d", st)
	}
}

// A sandbox on the wall clock refuses to advance it.
func TestControlAdvanceNeedsFakeClock(t *testing.T) {
	sb, err := ibkrtest.NewHandler(ibkrtest.WithRealClock(), ibkrtest.WithConsole())
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	srv := httptest.NewServer(sb)
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/ibkrtest/v1/clock/advance", strings.NewReader(`{"duration":"1h"}`))
	req.Header.Set(ibkrtest.CSRFHeader, sb.CSRFToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("HTTP %d", resp.StatusCode)
	}
	if _, err := sb.AdvanceToNextEvent(); err != ibkrtest.ErrNoFakeClock {
		t.Fatalf("AdvanceToNextEvent: %v", err)
	}
}
