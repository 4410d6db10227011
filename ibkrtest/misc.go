package ibkrtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/gen/genserver"
)

// ---- echo ----

func queryMap(ri *reqInfo) *map[string]any {
	m := map[string]any{}
	if ri.rec != nil {
		for k, v := range ri.rec.Query {
			if len(v) == 1 {
				m[k] = v[0]
			} else {
				m[k] = v
			}
		}
	}
	return &m
}

func (a *api) ListEchoHttps(ctx contextT, req genserver.ListEchoHttpsRequestObject) (genserver.ListEchoHttpsResponseObject, error) {
	return genserver.ListEchoHttps200JSONResponse{RequestMethod: "GET", SecurityPolicy: "HTTPS", QueryParameters: queryMap(info(ctx))}, nil
}

func (a *api) CreateEchoSignedJwt(ctx contextT, req genserver.CreateEchoSignedJwtRequestObject) (genserver.CreateEchoSignedJwtResponseObject, error) {
	return genserver.CreateEchoSignedJwt200JSONResponse{RequestMethod: "POST", SecurityPolicy: "SIGNED_JWT", QueryParameters: queryMap(info(ctx))}, nil
}

// ---- enumerations ----

// enumerations holds a little static data per enumeration type.
var enumerations = map[string]map[string]any{
	"prohibited-country": {"prohibitedCountries": []string{"CUB", "IRN", "PRK", "SYR"}},
	"security-questions": {"securityQuestions": []map[string]any{
		{"id": 1, "question": "What was the name of your first pet?"},
		{"id": 2, "question": "In what city were you born?"},
	}},
	"fin-info-ranges": {"netWorth": []map[string]any{
		{"id": 1, "lowerBound": 0, "upperBound": 50000}, {"id": 2, "lowerBound": 50001, "upperBound": 100000},
	}},
	"employee-track":          {"employeeTrack": []string{}},
	"business-and-occupation": {"occupations": []string{"Employed", "Self-employed", "Retired", "Student"}},
	"wire-instructions": {"wireInstructions": []map[string]any{
		{"currency": "USD", "beneficiary": "Interactive Brokers LLC (sandbox)", "note": "sandbox data, do not wire"},
	}},
}

func (a *api) GetEnumerations(ctx contextT, req genserver.GetEnumerationsRequestObject) (genserver.GetEnumerationsResponseObject, error) {
	data := enumerations[string(req.EnumerationType)]
	if data == nil {
		data = map[string]any{}
	}
	cp := gen.ArrayNode(data)
	r := gen.EnumerationResponse{EnumerationsType: ptr(string(req.EnumerationType)), JsonData: &cp}
	if req.Params.FormNumber != nil {
		r.FormNumber = req.Params.FormNumber
	}
	return genserver.GetEnumerations200JSONResponse(r), nil
}

func (a *api) ListEnumerationsComplexAssetTransfer(ctx contextT, req genserver.ListEnumerationsComplexAssetTransferRequestObject) (genserver.ListEnumerationsComplexAssetTransferResponseObject, error) {
	return genserver.ListEnumerationsComplexAssetTransfer200JSONResponse{
		InstructionType: req.Params.InstructionType,
		Brokers:         append([]string(nil), ComplexAssetTransferBrokers...),
	}, nil
}

// participatingBanks are Hong Kong banks taking part in eDDA (public
// clearing codes and BICs).
var participatingBanks = []struct{ BIC, Code, Name string }{
	{"SCBLHKHHXXX", "003", "Standard Chartered Bank (Hong Kong) Limited"},
	{"HSBCHKHHHKH", "004", "The Hongkong and Shanghai Banking Corporation Limited"},
	{"BKCHHKHHXXX", "012", "Bank of China (Hong Kong) Limited"},
	{"HASEHKHHXXX", "024", "Hang Seng Bank Limited"},
}

func (a *api) ListParticipatingBanks(ctx contextT, req genserver.ListParticipatingBanksRequestObject) (genserver.ListParticipatingBanksResponseObject, error) {
	r := genserver.ListParticipatingBanks200JSONResponse{Type: req.Params.Type}
	for _, b := range participatingBanks {
		r.ParticipatingBanks = append(r.ParticipatingBanks, struct {
			BIC             string `json:"BIC"`
			ClearingCode    string `json:"clearingCode"`
			InstitutionName string `json:"institutionName"`
		}{b.BIC, b.Code, b.Name})
	}
	return r, nil
}

// ---- forms, messages, KYC: minimal answers ----

func (a *api) ListForms(ctx contextT, req genserver.ListFormsRequestObject) (genserver.ListFormsResponseObject, error) {
	forms := []gen.FormDetails{}
	for _, t := range registrationTasks() {
		forms = append(forms, gen.FormDetails{FormNumber: ptr(int32(t.Form)), FormName: ptr(t.Name), Action: ptr(t.Action), ApiSupportedTask: ptr(true)})
	}
	return genserver.ListForms200JSONResponse{FormDetails: &forms, HasError: ptr(false), Timestamp: tptr(a.s.clk.Now())}, nil
}

func (a *api) ListFormsRequiredForms(ctx contextT, req genserver.ListFormsRequiredFormsRequestObject) (genserver.ListFormsRequiredFormsResponseObject, error) {
	return genserver.ListFormsRequiredForms200JSONResponse{Forms: &[]string{"8001", "8002"}, HasError: ptr(false)}, nil
}

func (a *api) ListAccountsLoginMessages(ctx contextT, req genserver.ListAccountsLoginMessagesRequestObject) (genserver.ListAccountsLoginMessagesResponseObject, error) {
	return genserver.ListAccountsLoginMessages200JSONResponse(a.s.listLoginMessages(req.Params)), nil
}

func (a *api) GetAccountsLoginMessages(ctx contextT, req genserver.GetAccountsLoginMessagesRequestObject) (genserver.GetAccountsLoginMessagesResponseObject, error) {
	r, err := a.s.accountLoginMessages(req.AccountId, req.Params.Type)
	if err != nil {
		return nil, err
	}
	return genserver.GetAccountsLoginMessages200JSONResponse(r), nil
}

func (a *api) GetAccountsKyc(ctx contextT, req genserver.GetAccountsKycRequestObject) (genserver.GetAccountsKycResponseObject, error) {
	s, ri := a.s, info(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.st.Accounts[req.AccountId]
	if acct == nil {
		return nil, noAccount(req.AccountId)
	}
	now := s.clk.Now()
	url := ri.scheme + "://" + ri.host + "/kyc/" + acct.ID
	return genserver.GetAccountsKyc200JSONResponse{
		Url: &url, State: ptr("PENDING"), StartDate: tptr(now), ExpiryDate: tptr(now.Add(24 * time.Hour)),
		ExternalId: ptr(acct.ExternalID), HasError: ptr(false),
	}, nil
}

func (a *api) CreateAccountsDocuments(ctx contextT, req genserver.CreateAccountsDocumentsRequestObject) (genserver.CreateAccountsDocumentsResponseObject, error) {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	r := s.newRequest("PROCESS_DOCUMENTS", "", "Processed", "documents received", now)
	data := map[string]any{"status": "Processed"}
	return genserver.CreateAccountsDocuments200JSONResponse{DateSubmitted: tptr(now), RequestId: ptr(idOf(r.ID)),
		FileData: &gen.FileData{Name: ptr("documents_response.json"), Data: &data}}, nil
}

// ---- tax documents and trade confirmations (reports_ext.go) ----

func (a *api) ListTaxDocumentsAvailable(ctx contextT, req genserver.ListTaxDocumentsAvailableRequestObject) (genserver.ListTaxDocumentsAvailableResponseObject, error) {
	return a.s.listTaxDocuments(req.Params)
}

func (a *api) CreateTaxDocuments(ctx contextT, req genserver.CreateTaxDocumentsRequestObject) (genserver.CreateTaxDocumentsResponseObject, error) {
	return a.s.createTaxDocument(info(ctx))
}

func (a *api) ListTradeConfirmationsAvailable(ctx contextT, req genserver.ListTradeConfirmationsAvailableRequestObject) (genserver.ListTradeConfirmationsAvailableResponseObject, error) {
	return a.s.listTradeConfirmations(req.Params)
}

func (a *api) CreateTradeConfirmations(ctx contextT, req genserver.CreateTradeConfirmationsRequestObject) (genserver.CreateTradeConfirmationsResponseObject, error) {
	return a.s.createTradeConfirmations(info(ctx))
}

// ---- single sign-on ----

// ssoPath is where the sandbox's SSO URLs land.
const ssoPath = "/sso/resolver"

// SSOLifetime is how long an SSO URL stays usable (once).
const SSOLifetime = 60 * time.Second

type ssoRequest struct {
	Credential     string   `json:"credential"`
	IP             string   `json:"ip"`
	AlternativeIPs []string `json:"alternativeIps"`
}

func (s *Sandbox) checkSSO(ri *reqInfo) (string, *ssoRequest, error) {
	var x ssoRequest
	_ = json.Unmarshal(ri.claims, &x)
	if net.ParseIP(x.IP) == nil {
		return "", nil, fail(badArg("ip", "must be the end user's IP address").problem(idZero, ""))
	}
	for i, ip := range x.AlternativeIPs {
		if net.ParseIP(ip) == nil {
			return "", nil, fail(badArg(fmt.Sprintf("alternativeIps[%d]", i), "must be an IP address").problem(idZero, ""))
		}
	}
	acct, ok := s.st.Usernames[x.Credential]
	if !ok {
		return "", nil, fail(badArg("credential", "unknown IBKR username").problem(idZero, ""))
	}
	return acct, &x, nil
}

func newSID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (a *api) CreateSsoBrowserSessions(ctx contextT, req genserver.CreateSsoBrowserSessionsRequestObject) (genserver.CreateSsoBrowserSessionsResponseObject, error) {
	s, ri := a.s, info(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	_, x, err := s.checkSSO(ri)
	if err != nil {
		return nil, err
	}
	sid := newSID()
	s.st.SSO[sid] = &ssoSession{User: x.Credential, IP: x.IP, Expires: s.clk.Now().Add(SSOLifetime)}
	url := ri.scheme + "://" + ri.host + ssoPath + "?SID=" + sid
	return genserver.CreateSsoBrowserSessions200JSONResponse{Active: ptr(true), Url: &url}, nil
}

func (a *api) CreateSsoSessions(ctx contextT, req genserver.CreateSsoSessionsRequestObject) (genserver.CreateSsoSessionsResponseObject, error) {
	s, ri := a.s, info(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, _, err := s.checkSSO(ri); err != nil {
		return nil, err
	}
	return genserver.CreateSsoSessions200JSONResponse{AccessToken: newSID(), Active: ptr(true), TokenType: ptr("Bearer")}, nil
}

// serveSSO is the landing page behind an SSO URL: usable once, within
// SSOLifetime of sandbox time, from the IP the session was made for.
func (s *Sandbox) serveSSO(w http.ResponseWriter, r *http.Request) {
	sid := r.URL.Query().Get("SID")
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	s.mu.Lock()
	sess := s.st.SSO[sid]
	reason := ""
	switch {
	case sess == nil:
		reason = "unknown session"
	case sess.Used:
		reason = "session already used"
	case s.clk.Now().After(sess.Expires):
		reason = "session expired"
	case ip != sess.IP:
		reason = "session was created for another IP address"
	default:
		sess.Used = true
	}
	user := ""
	if sess != nil {
		user = sess.User
	}
	s.mu.Unlock()
	if reason != "" {
		http.Error(w, "ibkrtest SSO: "+reason, http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	action := r.URL.Query().Get("ACTION")
	_, _ = w.Write([]byte("<!doctype html><title>ibkrtest Client Portal</title><p>Signed in as " + html.EscapeString(user) +
		"</p><p>Landing page: " + html.EscapeString(action) + "</p>" + s.landingDetails(user, action)))
}
