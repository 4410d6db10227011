package ibkrtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/wire"
)

func TestSSOBrowserSession(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	c := newClient(t, srv)
	user, _ := srv.UserName(ibkrtest.DemoAccountID)
	session := func(ip string) answer {
		return c.post("/gw/api/v1/sso-browser-sessions", map[string]any{"credential": user, "ip": ip})
	}
	a := session("127.0.0.1")
	wantStatus(t, a, http.StatusOK)
	m := a.json(t)
	url := m["url"].(string)
	if m["active"] != true || !strings.HasPrefix(url, srv.URL+"/sso/resolver?SID=") {
		t.Fatalf("%s", a.Body)
	}
	open := func(u string) answer {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		return do(t, req)
	}
	p := open(url + "&ACTION=Statement")
	wantStatus(t, p, http.StatusOK)
	if !strings.Contains(string(p.Body), user) || !strings.Contains(string(p.Body), "Statement") {
		t.Fatalf("%s", p.Body)
	}
	// Once only.
	wantStatus(t, open(url), http.StatusForbidden)
	// Sixty seconds only.
	late := session("127.0.0.1").json(t)["url"].(string)
	srv.Advance(61 * time.Second)
	wantStatus(t, open(late), http.StatusForbidden)
	// From the IP it was made for only.
	other := session("203.0.113.7").json(t)["url"].(string)
	wantStatus(t, open(other), http.StatusForbidden)
	// Unknown users and bad IPs are refused.
	wantStatus(t, c.post("/gw/api/v1/sso-browser-sessions", map[string]any{"credential": "nobody1", "ip": "127.0.0.1"}), http.StatusBadRequest)
	wantStatus(t, session("localhost"), http.StatusBadRequest)
}

func TestCallbacks(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	}))
	defer hook.Close()
	srv := ibkrtest.NewServer(t, ibkrtest.WithCallbackURL(hook.URL))
	c := newClient(t, srv)
	cid := nextCID()
	wantStatus(t, c.post("/gw/api/v1/bank-instructions", achBody(cid, ibkrtest.DemoAccountID, "Chk", ibkrtest.RoutingNumberMicroDeposits)), http.StatusAccepted)
	srv.Advance(ibkrtest.DefaultTimings.ACHVerification)
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("%d callbacks", len(got))
	}
	r := got[0]["instructionResult"].(map[string]any)
	if r["instructionStatus"] != "PENDING_VERIFICATION" || r["clientInstructionId"] != float64(cid) {
		t.Fatalf("%v", got[0])
	}
	n := srv.Notifications()
	if len(n) != 1 || !n[0].Delivered || n[0].Kind != "instruction" {
		t.Fatalf("%+v", n)
	}
}

func TestCallbackFailureIsRecorded(t *testing.T) {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer hook.Close()
	srv := ibkrtest.NewServer(t, ibkrtest.WithCallbackURL(hook.URL))
	if err := srv.AddAccount("U3000000", ibkrtest.AccountNew); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetAccountStatus("U3000000", ibkrtest.AccountOpen); err != nil {
		t.Fatal(err)
	}
	n := srv.Notifications()
	if len(n) != 1 || n[0].Delivered || !strings.Contains(n[0].Err, "502") {
		t.Fatalf("%+v", n)
	}
}

func TestSaveAndLoadState(t *testing.T) {
	srv, c := fundedClient(t)
	cid := nextCID()
	wantStatus(t, c.post("/gw/api/v1/external-cash-transfers", depositBody(cid, ibkrtest.DemoAccountID, "Main", "10.5", "ACH")), http.StatusAccepted)
	var buf bytes.Buffer
	if err := srv.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "123456789") {
		t.Fatal("state file holds the full bank account number")
	}
	// A fresh sandbox at the same time picks up where the first stopped.
	h, err := ibkrtest.NewHandler(ibkrtest.WithMaintenance(false))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	h.Clock().Set(srv.Now())
	if err := h.LoadState(&buf); err != nil {
		t.Fatal(err)
	}
	info, ok := h.InstructionByClientID(srv.ClientID, wire.NewID(uint64(cid)))
	if !ok || info.Status != ibkrtest.StatusPending || !h.Balance(ibkrtest.DemoAccountID, "USD").Equal(mustDec("1000")) {
		t.Fatalf("%+v %v", info, ok)
	}
	h.Advance(ibkrtest.DefaultTimings.ACHDeposit)
	if !h.Balance(ibkrtest.DemoAccountID, "USD").Equal(mustDec("1010.5")) {
		t.Fatal("scheduled settlement lost")
	}
	if err := h.LoadState(strings.NewReader(`{"version":99}`)); err == nil {
		t.Fatal("bad version accepted")
	}
}

func TestNewHandlerRealClock(t *testing.T) {
	h, err := ibkrtest.NewHandler(ibkrtest.WithRealClock(), ibkrtest.WithResponseValidation(true))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if h.Clock() != nil {
		t.Fatal("a real-clock sandbox has no fake clock")
	}
	if d := time.Since(h.Now()); d < 0 || d > time.Minute {
		t.Fatalf("sandbox time off by %s", d)
	}
	hs := httptest.NewServer(h)
	defer hs.Close()
	tok, err := h.IssueToken(ibkrtest.DemoClientID, "echo.read")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, hs.URL+"/gw/api/v1/echo/https?a=b", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	a := do(t, req)
	wantStatus(t, a, http.StatusOK)
	m := a.json(t)
	if m["securityPolicy"] != "HTTPS" || m["queryParameters"].(map[string]any)["a"] != "b" {
		t.Fatalf("%s", a.Body)
	}
	h.Close()
	if _, err := h.IssueToken("nobody"); err == nil {
		t.Fatal("token for an unknown client")
	}
}

func TestSharedFakeClock(t *testing.T) {
	fake := ibkrtest.NewFakeClock(ibkrtest.DefaultStart)
	srv := ibkrtest.NewServer(t, ibkrtest.WithClock(fake))
	if srv.Clock() != fake {
		t.Fatal("clock not used")
	}
	c := newClient(t, srv)
	a := c.post("/gw/api/v1/bank-instructions", achBody(nextCID(), ibkrtest.DemoAccountID, "Chk", ibkrtest.RoutingNumberVerified))
	id := idFrom(t, result(t, a)["instructionId"])
	// Moving the shared clock directly: the next request (or Tick) catches up.
	fake.Advance(time.Hour)
	if n, _ := srv.PendingEvents(); n != 1 {
		t.Fatalf("%d events", n)
	}
	srv.Tick()
	if info, _ := srv.Instruction(id); info.Status != ibkrtest.StatusProcessed {
		t.Fatalf("%+v", info)
	}
}

// TestResponseCheckCatchesMismatches proves the spec check that every test
// relies on does fail on wrong answers.
func TestResponseCheckCatchesMismatches(t *testing.T) {
	ctx := context.Background()
	json := http.Header{"Content-Type": {"application/json"}}
	get := func(path string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, "http://sandbox"+path, nil)
		return r
	}
	cases := []struct {
		name   string
		req    *http.Request
		status int
		header http.Header
		body   string
		ok     bool
	}{
		{"valid status", get("/gw/api/v1/accounts/U1/status"), 200, json, `{"accountId":"U1","status":"O"}`, true},
		{"status not a string", get("/gw/api/v1/accounts/U1/status"), 200, json, `{"status":5}`, false},
		{"missing required", get("/gw/api/v1/client-instructions/1"), 208, json, `{"status":208}`, false},
		{"bad enum", get("/gw/api/v1/client-instructions/1"), 208, json,
			`{"status":208,"instructionSetId":1,"instructionResult":{"clientInstructionId":1,"instructionId":2,"instructionStatus":"DONE","instructionType":"DEPOSIT"}}`, false},
		{"undeclared status", get("/gw/api/v1/accounts/U1/status"), 418, json, `{}`, false},
		{"gateway 429 problem", get("/gw/api/v1/client-instructions/1"), 429, http.Header{"Content-Type": {"application/problem+json"}},
			`{"type":"about:blank","title":"Too many requests","status":429}`, true},
		{"gateway 429 without title", get("/gw/api/v1/client-instructions/1"), 429, http.Header{"Content-Type": {"application/problem+json"}},
			`{"status":429}`, false},
		{"wrong content type", get("/gw/api/v1/accounts/U1/status"), 200, http.Header{"Content-Type": {"text/plain"}}, `{}`, false},
	}
	for _, tc := range cases {
		err := ibkrtest.ResponseCheck(ctx, tc.req, tc.status, tc.header, []byte(tc.body))
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestEnumerationsAndBanks(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	c := newClient(t, srv)
	e := c.get("/gw/api/v1/enumerations/prohibited-country").json(t)
	if e["enumerationsType"] != "prohibited-country" || e["jsonData"].(map[string]any)["prohibitedCountries"] == nil {
		t.Fatalf("%v", e)
	}
	wantStatus(t, c.get("/gw/api/v1/enumerations/no-such-type"), http.StatusBadRequest)
	b := c.get("/gw/api/v1/participating-banks?type=eDDA").json(t)
	if len(b["participatingBanks"].([]any)) == 0 || b["type"] != "eDDA" {
		t.Fatalf("%v", b)
	}
	wantStatus(t, c.get("/gw/api/v1/participating-banks"), http.StatusBadRequest)
	s := c.post("/gw/api/v1/echo/signed-jwt", map[string]any{})
	if s.json(t)["securityPolicy"] != "SIGNED_JWT" {
		t.Fatalf("%s", s.Body)
	}
	// The signed echo's claims are on record for the test to inspect.
	r := srv.RequestsFor("createEchoSignedJwt")
	if len(r) != 1 || r[0].Claims["iss"] != srv.ClientID || r[0].Claims["exp"] == nil {
		t.Fatalf("%+v", r)
	}
}
