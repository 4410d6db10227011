package ibkrtest

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Account maintenance requests beyond the lifecycle ones accounts.go acts
// on (abandon, reset, close, reopen, document submission): the sandbox
// checks that the account (or user) exists and is open, as IBKR updates
// open accounts only, records the request as Pending under IBKR's request
// type, and remembers every request (MaintenanceRequests). The kinds that
// change state are simulated in maintenance_state.go.

// coreRequests are the kinds accounts.go handles.
var coreRequests = map[string]bool{
	"abandonAccount": true, "resetAbandonedAccount": true, "accountClose": true,
	"reopenAccount": true, "documentSubmission": true,
}

// requestTypes maps request kinds to the request_type of IBKR's callbacks
// where the documentation names one.
var requestTypes = map[string]string{
	"addCLPCapability":           "ADD_CLP",
	"addLevFxCapability":         "ADD_LEVFX",
	"addTradingPermissions":      "ADD_TRADING",
	"removeTradingPermissions":   "REMOVE_TRADING",
	"changeFinancialInformation": "CHANGE_FIN_INFO",
	"changeMarginType":           "CHANGE_MARGIN",
}

func requestType(kind string) string {
	if t, ok := requestTypes[kind]; ok {
		return t
	}
	var b strings.Builder
	for i, r := range kind {
		if r >= 'A' && r <= 'Z' && i > 0 {
			b.WriteByte('_')
		}
		b.WriteString(strings.ToUpper(string(r)))
	}
	return b.String()
}

// MaintenanceRequest is an account maintenance request the sandbox
// recorded: its kind (the key in accountManagementRequests), account and
// body as sent.
type MaintenanceRequest struct {
	Kind      string
	AccountID string
	Body      json.RawMessage
	At        time.Time
}

// MaintenanceRequests returns the maintenance requests received beyond
// the lifecycle ones, oldest first.
func (s *Sandbox) MaintenanceRequests() []MaintenanceRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []MaintenanceRequest
	s.loadExtra("maintenanceRequests", &out)
	return out
}

// maintenanceRequests handles the kinds accounts.go does not. Called with
// s.mu held.
func (s *Sandbox) maintenanceRequests(claims []byte, now time.Time) ([]map[string]any, error) {
	var x struct {
		Requests map[string]json.RawMessage `json:"accountManagementRequests"`
	}
	if err := json.Unmarshal(claims, &x); err != nil {
		return nil, fail(problem{Status: http.StatusBadRequest, Title: "Bad request", Detail: shortErr(err)})
	}
	kinds := make([]string, 0, len(x.Requests))
	for k := range x.Requests {
		if !coreRequests[k] {
			kinds = append(kinds, k)
		}
	}
	sort.Strings(kinds)
	bad := func(msg string) error {
		return fail(problem{Status: http.StatusBadRequest, Title: "Bad request", Detail: msg})
	}
	var results []map[string]any
	var log []MaintenanceRequest
	s.loadExtra("maintenanceRequests", &log)
	for _, k := range kinds {
		id, err := s.maintenanceAccount(k, x.Requests[k])
		if err != nil {
			return nil, err
		}
		acct := s.st.Accounts[id]
		if acct == nil {
			return nil, bad(k + ": no account " + id)
		}
		if acct.Status != AccountOpen && !holderChangeAllowed(k, acct) {
			return nil, bad(k + ": account " + acct.ID + " is not open (status " + acct.Status + "); IBKR updates open accounts only")
		}
		msg, err := s.simulateMaintenance(k, acct, x.Requests[k], now)
		if err != nil {
			return nil, err
		}
		if msg == "" {
			msg = k + " received"
		}
		r := s.newRequest(requestType(k), acct.ID, "Pending", msg, now)
		results = append(results, map[string]any{"requestId": r.ID, "requestType": r.Type, "accountId": acct.ID, "status": r.Status, "message": r.Message})
		log = append(log, MaintenanceRequest{Kind: k, AccountID: acct.ID, Body: append(json.RawMessage(nil), x.Requests[k]...), At: now})
	}
	if len(log) > 0 {
		s.saveExtra("maintenanceRequests", log)
	}
	return results, nil
}
