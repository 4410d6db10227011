package ibkrtest_test

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/wire"
)

func TestFailNext(t *testing.T) {
	srv, c := fundedClient(t)
	srv.FailNext("createExternalCashTransfers", 2, http.StatusServiceUnavailable)
	cid := nextCID()
	for i := 0; i < 2; i++ {
		a := c.post("/gw/api/v1/external-cash-transfers", depositBody(cid, ibkrtest.DemoAccountID, "", "5", "WIRE"))
		wantStatus(t, a, http.StatusServiceUnavailable)
		if a.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("content type %q", a.Header.Get("Content-Type"))
		}
	}
	// Nothing was committed: the id is unknown and still usable.
	wantStatus(t, c.get("/gw/api/v1/client-instructions/"+itoa(cid)), http.StatusNotFound)
	wantStatus(t, c.post("/gw/api/v1/external-cash-transfers", depositBody(cid, ibkrtest.DemoAccountID, "", "5", "WIRE")), http.StatusAccepted)

	// Failures take the shape the operation declares for the status
	// (here a 500 that getClientInstructions declares as application/json).
	srv.FailNext("getClientInstructions", 1, http.StatusInternalServerError)
	a := c.get("/gw/api/v1/client-instructions/" + itoa(cid))
	wantStatus(t, a, http.StatusInternalServerError)
	if a.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("content type %q", a.Header.Get("Content-Type"))
	}
	recs := srv.RequestsFor("createExternalCashTransfers")
	if len(recs) != 3 || len(recs[0].Faults) != 1 || recs[0].Faults[0] != "fail" || recs[2].Faults != nil {
		t.Fatalf("records %+v", recs)
	}
}

func TestDropAfterCommit(t *testing.T) {
	srv, c := fundedClient(t)
	srv.DropAfterCommit("createExternalCashTransfers", 1)
	cid := nextCID()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/gw/api/v1/external-cash-transfers", nil)
	_ = req
	// The raw call fails without an answer...
	func() {
		claims := depositBody(cid, ibkrtest.DemoAccountID, "Main", "250", "ACH")
		now := srv.Now()
		claims["iss"], claims["iat"], claims["exp"] = srv.ClientID, now.Unix(), now.Add(time.Minute).Unix()
		r, _ := http.NewRequest(http.MethodPost, srv.URL+"/gw/api/v1/external-cash-transfers", strings.NewReader(sign(t, c.key, c.kid, claims)))
		r.Header.Set("Authorization", "Bearer "+c.tok)
		r.Header.Set("Content-Type", "application/jwt")
		resp, err := http.DefaultClient.Do(r)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("got HTTP %d, want a dropped connection", resp.StatusCode)
		}
	}()
	// ... but the deposit was accepted: the tempting resend is refused,
	// and polling the id tells the truth.
	a := c.post("/gw/api/v1/external-cash-transfers", depositBody(cid, ibkrtest.DemoAccountID, "Main", "250", "ACH"))
	if errorCode(t, a) != ibkrtest.CodeDuplicateClientInstructionID {
		t.Fatalf("%s", a.Body)
	}
	p := c.get("/gw/api/v1/client-instructions/" + itoa(cid))
	wantStatus(t, p, http.StatusOK)
	if result(t, p)["instructionStatus"] != ibkrtest.StatusPending {
		t.Fatalf("%s", p.Body)
	}
	srv.Advance(ibkrtest.DefaultTimings.ACHDeposit)
	if got := srv.Balance(ibkrtest.DemoAccountID, "USD"); !got.Equal(mustDec("1250")) {
		t.Fatalf("balance %s: the deposit must happen exactly once", got)
	}
	recs := srv.RequestsFor("createExternalCashTransfers")
	if recs[0].Status != http.StatusAccepted || recs[0].Faults[0] != "drop" {
		t.Fatalf("record %+v", recs[0])
	}
}

func TestMalformNext(t *testing.T) {
	srv, c := fundedClient(t)
	srv.MalformNext("createExternalCashTransfers", 1)
	cid := nextCID()
	a := c.post("/gw/api/v1/external-cash-transfers", depositBody(cid, ibkrtest.DemoAccountID, "", "5", "WIRE"))
	wantStatus(t, a, http.StatusAccepted)
	var v any
	if err := json.Unmarshal(a.Body, &v); err == nil {
		t.Fatalf("body parsed: %s", a.Body)
	}
	if _, ok := srv.InstructionByClientID(srv.ClientID, wire.NewID(uint64(cid))); !ok {
		t.Fatal("the call did not take effect")
	}
	// Only the next call.
	a = c.post("/gw/api/v1/external-cash-transfers", depositBody(nextCID(), ibkrtest.DemoAccountID, "", "5", "WIRE"))
	if err := json.Unmarshal(a.Body, &v); err != nil {
		t.Fatal(err)
	}
}

func TestDelayNextOnSandboxClock(t *testing.T) {
	srv, c := fundedClient(t)
	srv.DelayNext("getAccountsStatus", 1, 30*time.Second)
	done := make(chan answer, 1)
	go func() { done <- c.get("/gw/api/v1/accounts/" + ibkrtest.DemoAccountID + "/status") }()
	for srv.Clock().Sleepers() == 0 {
		runtime.Gosched()
	}
	select {
	case a := <-done:
		t.Fatalf("answered before the clock moved: HTTP %d", a.Status)
	default:
	}
	start := srv.Now()
	srv.Advance(30 * time.Second)
	a := <-done
	wantStatus(t, a, http.StatusOK)
	if srv.Now().Sub(start) != 30*time.Second {
		t.Fatal("clock")
	}
	// With auto-advance the delay passes at once.
	srv.Clock().SetAutoAdvance(true)
	srv.DelayNext("getAccountsStatus", 1, time.Hour)
	before := srv.Now()
	wantStatus(t, c.get("/gw/api/v1/accounts/"+ibkrtest.DemoAccountID+"/status"), http.StatusOK)
	if srv.Now().Sub(before) != time.Hour {
		t.Fatalf("auto-advance moved %s", srv.Now().Sub(before))
	}
}

func TestFaultsNeedAKnownOperation(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for an unknown operationId")
		}
	}()
	srv.FailNext("createDeposit", 1, 500)
}

func TestRateLimitPerEndpoint(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	c := newClient(t, srv)
	path := "/gw/api/v1/accounts/" + ibkrtest.DemoAccountID + "/status"
	for i := 0; i < 10; i++ {
		wantStatus(t, c.get(path), http.StatusOK)
	}
	a := c.get(path)
	wantStatus(t, a, http.StatusTooManyRequests)
	ra, err := strconv.Atoi(a.Header.Get("Retry-After"))
	if err != nil || ra < 1 {
		t.Fatalf("Retry-After %q", a.Header.Get("Retry-After"))
	}
	// Another endpoint has its own allowance.
	wantStatus(t, c.get("/gw/api/v1/echo/https"), http.StatusOK)
	// Time on the sandbox clock refills it: 10 per second.
	srv.Advance(100 * time.Millisecond)
	wantStatus(t, c.get(path), http.StatusOK)
	wantStatus(t, c.get(path), http.StatusTooManyRequests)
	srv.Advance(time.Second)
	for i := 0; i < 10; i++ {
		wantStatus(t, c.get(path), http.StatusOK)
	}
	srv.SetRateLimit(0, 0)
	for i := 0; i < 30; i++ {
		wantStatus(t, c.get(path), http.StatusOK)
	}
}

func TestMaintenanceWindows(t *testing.T) {
	et, _ := time.LoadLocation("America/New_York")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, et)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		when     string
		accounts bool
		banking  bool
		until    string // end of the banking window, if any
	}{
		{"2025-03-04 10:00", false, false, ""}, // Tuesday
		{"2025-03-04 18:00", true, false, ""},
		{"2025-03-04 18:01", false, false, ""},
		{"2025-03-05 18:29", true, false, ""}, // Wednesday
		{"2025-03-05 18:30", false, false, ""},
		{"2025-03-04 23:44", false, false, ""},
		{"2025-03-04 23:45", false, true, "2025-03-05 00:30"},
		{"2025-03-05 00:29", false, true, "2025-03-05 00:30"},
		{"2025-03-05 00:30", false, false, ""},
		{"2025-03-07 23:50", false, true, "2025-03-09 15:00"}, // Friday night runs into the weekend
		{"2025-03-08 12:00", false, true, "2025-03-09 15:00"}, // Saturday
		{"2025-03-09 14:59", false, true, "2025-03-09 15:00"}, // Sunday
		{"2025-03-09 15:00", false, false, ""},
		{"2025-07-06 14:00", false, true, "2025-07-06 15:00"}, // Sunday in summer time
	}
	srv := ibkrtest.NewServer(t, ibkrtest.WithTokenLifetime(365*24*time.Hour))
	c := newClient(t, srv)
	for _, tc := range cases {
		t.Run(tc.when, func(t *testing.T) {
			srv.Clock().Set(at(tc.when))
			if got := srv.InMaintenance("getAccountsStatus"); got != tc.accounts {
				t.Errorf("accounts window %v", got)
			}
			if got := srv.InMaintenance("createExternalCashTransfers"); got != tc.banking {
				t.Errorf("banking window %v", got)
			}
			a := c.get("/gw/api/v1/client-instructions/1")
			if !tc.banking {
				wantStatus(t, a, http.StatusNotFound)
				return
			}
			wantStatus(t, a, http.StatusServiceUnavailable)
			if !strings.Contains(strings.ToLower(string(a.Body)), "maintenance") {
				t.Errorf("%s", a.Body)
			}
			ra, _ := strconv.Atoi(a.Header.Get("Retry-After"))
			if want := at(tc.until).Sub(at(tc.when)); time.Duration(ra)*time.Second != want {
				t.Errorf("Retry-After %ds, want %s", ra, want)
			}
		})
	}
	// Endpoints outside both groups are never down; windows can be switched off.
	srv.Clock().Set(at("2025-03-08 12:00"))
	wantStatus(t, c.get("/gw/api/v1/echo/https"), http.StatusOK)
	srv.SetMaintenance(false)
	wantStatus(t, c.get("/gw/api/v1/client-instructions/1"), http.StatusNotFound)
}
