package ibkrtest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func hybridApplication(first, last, email, country string) map[string]any {
	return map[string]any{"application": map[string]any{
		"customer": map[string]any{
			"email": email, "legalResidenceCountry": country, "externalId": "ext-" + first + "-" + last,
			"accountHolder": map[string]any{"accountHolderDetails": []any{
				map[string]any{"name": map[string]any{"first": first, "last": last}},
			}},
		},
	}}
}

func patch(c *client, req string, body map[string]any) answer {
	c.t.Helper()
	return c.signed(http.MethodPatch, "/gw/api/v1/accounts", map[string]any{"accountManagementRequests": map[string]any{req: body}})
}

func TestAccountLifecycle(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithMaintenance(false), ibkrtest.WithTokenLifetime(365*24*time.Hour), ibkrtest.WithRateLimit(0, 0))
	c := newClient(t, srv)

	// Hybrid registration: name, email, country are enough.
	a := c.post("/gw/api/v1/accounts", hybridApplication("Jane", "Doe", "jane@example.com", "USA"))
	wantStatus(t, a, http.StatusOK)
	data := a.json(t)["fileData"].(map[string]any)["data"].(map[string]any)
	acct, user := data["accountId"].(string), data["userName"].(string)
	if !strings.HasPrefix(acct, "U") || user != "jdoe001" || data["status"] != "N" {
		t.Fatalf("%s", a.Body)
	}
	tasks := data["pendingTasks"].([]any)
	if len(tasks) != 2 || tasks[0].(map[string]any)["formNumber"].(interface{ String() string }).String() != "8001" {
		t.Fatalf("%s", a.Body)
	}
	st := func() map[string]any {
		t.Helper()
		s := c.get("/gw/api/v1/accounts/" + acct + "/status")
		wantStatus(t, s, http.StatusOK)
		return s.json(t)
	}
	if s := st(); s["status"] != "N" || s["state"] != "Documents Required" {
		t.Fatalf("%v", s)
	}
	// The username is taken now.
	v := c.get("/gw/api/v1/validations/usernames/" + user).json(t)
	if v["isAvailable"] != false || v["isValid"] != true {
		t.Fatalf("%v", v)
	}

	// Funding details move N to P.
	wantStatus(t, c.post("/gw/api/v1/bank-instructions", achBody(nextCID(), acct, "Chk", ibkrtest.RoutingNumberVerified)), http.StatusAccepted)
	if s := st(); s["status"] != "P" {
		t.Fatalf("%v", s)
	}
	// Documents for both tasks: under review, then open a day later.
	a = patch(c, "documentSubmission", map[string]any{"accountId": acct, "documents": []any{
		map[string]any{"formNumber": 8001, "attachedFile": map[string]any{"fileName": "id.pdf", "fileLength": 10, "sha1Checksum": "x"}, "execTimestamp": 20250304100000, "execLoginTimestamp": 20250304100000},
		map[string]any{"formNumber": 8002, "attachedFile": map[string]any{"fileName": "poa.pdf", "fileLength": 10, "sha1Checksum": "x"}, "execTimestamp": 20250304100000, "execLoginTimestamp": 20250304100000},
	}})
	wantStatus(t, a, http.StatusOK)
	if s := st(); s["state"] != "Under Review with IBKR" {
		t.Fatalf("%v", s)
	}
	pt := c.get("/gw/api/v1/accounts/" + acct + "/tasks?type=pending").json(t)
	if pt["pendingTaskPresent"] != false {
		t.Fatalf("%v", pt)
	}
	srv.Advance(ibkrtest.DefaultTimings.AccountReview)
	if s := st(); s["status"] != "O" || s["dateOpened"] == nil {
		t.Fatalf("%v", s)
	}
	det := c.get("/gw/api/v1/accounts/" + acct + "/details").json(t)["account"].(map[string]any)
	if det["accountTitle"] != "Jane Doe" || det["emailAddress"] != "jane@example.com" {
		t.Fatalf("%v", det)
	}

	// An open account cannot be abandoned; closing waits for IBKR's
	// processing window (08:00-11:00 ET on weekdays).
	a = patch(c, "abandonAccount", map[string]any{"accountId": acct})
	wantStatus(t, a, http.StatusBadRequest)
	srv.Clock().Set(time.Date(2025, 3, 6, 17, 0, 0, 0, time.UTC)) // Thursday 12:00 ET
	a = patch(c, "accountClose", map[string]any{"accountId": acct, "closeReason": "moving"})
	wantStatus(t, a, http.StatusOK)
	if s := st(); s["status"] != "O" {
		t.Fatalf("closed outside the window: %v", s)
	}
	srv.Advance(21 * time.Hour) // Friday 09:00 ET
	if s := st(); s["status"] != "C" || s["dateClosed"] == nil {
		t.Fatalf("%v", s)
	}
	// Reopen: C, then E, then O after review.
	wantStatus(t, patch(c, "reopenAccount", map[string]any{"accountId": acct}), http.StatusOK)
	if s := st(); s["status"] != "E" {
		t.Fatalf("%v", s)
	}
	srv.Advance(ibkrtest.DefaultTimings.AccountReview)
	if s := st(); s["status"] != "O" {
		t.Fatalf("%v", s)
	}
	var kinds []string
	for _, n := range srv.Notifications() {
		if n.Kind == "account" && n.ID == acct {
			kinds = append(kinds, n.Status)
		}
	}
	if strings.Join(kinds, "") != "POCEO" {
		t.Fatalf("account notifications %v", kinds)
	}
}

func TestAbandonAndReset(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithRateLimit(0, 0))
	c := newClient(t, srv)
	a := c.post("/gw/api/v1/accounts", hybridApplication("Li", "Wei", "li@example.com", "CHN"))
	acct := a.json(t)["fileData"].(map[string]any)["data"].(map[string]any)["accountId"].(string)
	wantStatus(t, patch(c, "abandonAccount", map[string]any{"accountId": acct}), http.StatusOK)
	if s, _ := srv.AccountStatus(acct); s != ibkrtest.AccountAbandoned {
		t.Fatal(s)
	}
	wantStatus(t, patch(c, "abandonAccount", map[string]any{"accountId": acct}), http.StatusBadRequest)
	wantStatus(t, patch(c, "resetAbandonedAccount", map[string]any{"accountId": acct}), http.StatusOK)
	if s, _ := srv.AccountStatus(acct); s != ibkrtest.AccountNew {
		t.Fatal(s)
	}
	// Reset is allowed for less than six months only.
	wantStatus(t, patch(c, "abandonAccount", map[string]any{"accountId": acct}), http.StatusOK)
	srv.Clock().Advance(200 * 24 * time.Hour)
	c = newClient(t, srv)
	a = patch(c, "resetAbandonedAccount", map[string]any{"accountId": acct})
	wantStatus(t, a, http.StatusBadRequest)
	if !strings.Contains(string(a.Body), "6 months") {
		t.Fatalf("%s", a.Body)
	}
	wantStatus(t, patch(c, "accountClose", map[string]any{"accountId": "U0000009"}), http.StatusBadRequest)
	// The control handle enforces the documented transitions.
	if err := srv.SetAccountStatus(acct, ibkrtest.AccountOpen); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetAccountStatus(acct, ibkrtest.AccountAbandoned); err == nil {
		t.Fatal("O to A allowed")
	}
	// A funded account is not closed through the API.
	if err := srv.SetBalance(acct, "USD", mustDec("1")); err != nil {
		t.Fatal(err)
	}
	a = patch(c, "accountClose", map[string]any{"accountId": acct})
	wantStatus(t, a, http.StatusBadRequest)
}

func TestCreateAccountNeedsMinimalData(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	c := newClient(t, srv)
	a := c.post("/gw/api/v1/accounts", hybridApplication("", "Doe", "not-an-email", "US"))
	wantStatus(t, a, http.StatusBadRequest)
	for _, f := range []string{"name", "email", "legalResidenceCountry"} {
		if !strings.Contains(string(a.Body), f) {
			t.Errorf("%s not named: %s", f, a.Body)
		}
	}
	if len(srv.RequestsFor("createAccounts")) != 1 {
		t.Fatal("not recorded")
	}
}

func TestAccountQueries(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithRateLimit(0, 0))
	c := newClient(t, srv)
	for _, n := range []string{"Ann", "Bob"} {
		wantStatus(t, c.post("/gw/api/v1/accounts", hybridApplication(n, "Smith", n+"@example.com", "GBR")), http.StatusOK)
	}
	l := c.get("/gw/api/v1/accounts/status?startDate=2025-03-04&endDate=2025-03-04&status=N").json(t)
	if len(l["accounts"].([]any)) != 2 {
		t.Fatalf("%v", l)
	}
	l = c.get("/gw/api/v1/accounts/status?startDate=2025-03-04&endDate=2025-03-04&limit=1&offset=1").json(t)
	if len(l["accounts"].([]any)) != 1 || l["total"].(interface{ String() string }).String() != "3" {
		t.Fatalf("%v", l)
	}
	l = c.get("/gw/api/v1/accounts/status?startDate=2025-03-05&endDate=2025-03-09").json(t)
	if len(l["accounts"].([]any)) != 0 {
		t.Fatalf("%v", l)
	}
	r := c.get("/gw/api/v1/requests?startDate=2025-03-01&endDate=2025-03-31").json(t)
	if len(r["requestDetails"].([]any)) != 2 {
		t.Fatalf("%v", r)
	}
	la := c.get("/gw/api/v1/accounts?externalId=ext-Ann-Smith").json(t)
	if len(la["data"].(map[string]any)["accounts"].([]any)) != 1 {
		t.Fatalf("%v", la)
	}
	v := c.get("/gw/api/v1/validations/usernames/brandnewuser").json(t)
	if v["isAvailable"] != true {
		t.Fatalf("%v", v)
	}
	wantStatus(t, c.get("/gw/api/v1/accounts/U0000000/status"), http.StatusBadRequest)
}
