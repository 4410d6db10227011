package ibkrtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/gen/genserver"
	"github.com/ibkrweb/ibkr-go/wire"
)

// The demo account every sandbox starts with (unless WithoutDemoAccount):
// open, USD, no cash, no bank instructions.
const (
	DemoAccountID = "U1234567"
	DemoUserName  = "demouser1"
)

// Account statuses (IBKR's one-letter codes).
const (
	AccountNew       = "N" // pending application, no funding details
	AccountPending   = "P" // pending application, funding details provided
	AccountOpen      = "O"
	AccountClosed    = "C"
	AccountAbandoned = "A"
	AccountRejected  = "R"
	AccountReopening = "E" // reopen request pending
	AccountMigration = "Q" // bulk migration, not yet approved
)

// accountTransitions are the status changes IBKR documents.
var accountTransitions = map[string]string{
	"N": "PROA",
	"P": "ROA",
	"A": "PONR",
	"O": "C",
	"C": "OE",
	"E": "O",
	"Q": "RO",
}

var statusDescriptions = map[string]string{
	"A": "Abandoned", "N": "New Account", "O": "Open", "C": "Closed", "P": "Pending",
	"R": "Rejected", "E": "Reopen Pending", "Q": "Migration Pending",
}

// registrationTasks are what a hybrid (minimal data) application owes.
func registrationTasks() []task {
	return []task{
		{Form: 8001, Name: "Proof of Identity and Date of Birth", Action: "to be sent", Required: true},
		{Form: 8002, Name: "Proof of Address", Action: "to be sent", Required: true},
	}
}

func demoAccount(now time.Time) *account {
	return &account{
		ID: DemoAccountID, Status: AccountOpen, UserName: DemoUserName, Email: "demo@example.com", Country: "USA",
		First: "Demo", Last: "User", Created: now, Opened: now, Tasks: doneTasks(registrationTasks(), now),
		Cash: map[string]wire.Decimal{}, Holds: map[string]wire.Decimal{},
	}
}

func doneTasks(ts []task, now time.Time) []task {
	for i := range ts {
		ts[i].Done, ts[i].DoneAt = true, now
	}
	return ts
}

func tasksDone(a *account) bool {
	for _, t := range a.Tasks {
		if t.Required && !t.Done {
			return false
		}
	}
	return true
}

// setAccountStatus changes an account's status if IBKR allows the move.
// Called with s.mu held.
func (s *Sandbox) setAccountStatus(a *account, to string, at time.Time) error {
	if a.Status == to {
		return nil
	}
	if !strings.Contains(accountTransitions[a.Status], to) || len(to) != 1 {
		return fmt.Errorf("ibkrtest: account %s cannot go from %s to %s", a.ID, a.Status, to)
	}
	a.Status = to
	switch to {
	case "O":
		a.Opened, a.Closed = at, time.Time{}
	case "C":
		a.Closed = at
	}
	body, _ := json.Marshal(accountStatus(a))
	s.queueNote(Notification{Time: at, Kind: "account", ID: a.ID, Status: to, Body: body})
	return nil
}

func ptr[T any](v T) *T { return &v }

func tptr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func applicationState(a *account) string {
	if a.Status != "N" && a.Status != "P" {
		return ""
	}
	switch {
	case a.InReview:
		return "Under Review with IBKR"
	case !tasksDone(a):
		return "Documents Required"
	}
	return "Pending Approval"
}

func accountStatus(a *account) gen.AccountStatusResponse {
	r := gen.AccountStatusResponse{
		AccountId:       ptr(a.ID),
		Status:          ptr(a.Status),
		Description:     ptr(statusDescriptions[a.Status]),
		MasterAccountId: ptr(MasterAccountID),
		DateStarted:     tptr(a.Created),
		DateOpened:      tptr(a.Opened),
		DateClosed:      tptr(a.Closed),
	}
	if st := applicationState(a); st != "" {
		r.State = ptr(st)
	}
	return r
}

// MasterAccountID is the advisor/broker master account the sandbox's
// accounts hang under.
const MasterAccountID = "I1000000"

var usernameRE = regexp.MustCompile(`^[a-z][a-z0-9]{5,19}$`)

func (s *Sandbox) newUsername(first, last, prefix string) string {
	base := strings.ToLower(prefix)
	if base == "" {
		base = strings.ToLower(firstRune(first) + last)
	}
	base = regexp.MustCompile(`[^a-z0-9]`).ReplaceAllString(base, "")
	if base == "" || base[0] < 'a' || base[0] > 'z' {
		base = "u" + base
	}
	if len(base) > 14 {
		base = base[:14]
	}
	for i := 1; ; i++ {
		u := fmt.Sprintf("%s%03d", base, i)
		if _, taken := s.st.Usernames[u]; !taken {
			return u
		}
	}
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

func (s *Sandbox) newRequest(typ, acct, status, msg string, at time.Time) *amRequest {
	s.st.Seq.Request++
	r := &amRequest{ID: s.st.Seq.Request, Type: typ, Account: acct, Status: status, Message: msg, At: at}
	s.st.Requests[r.ID] = r
	return r
}

func (a *api) CreateAccounts(ctx contextT, req genserver.CreateAccountsRequestObject) (genserver.CreateAccountsResponseObject, error) {
	s, ri := a.s, info(ctx)
	app, missing := summarizeApplication(ri.claims)
	if len(missing) > 0 {
		return nil, fail(problem{Status: http.StatusBadRequest, Title: "Missing or invalid parameters", Detail: describeArgs(missing), Invalid: missing})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	if prev := s.st.accountByExternalID(app.ExternalID); prev != nil {
		// IBKR processes an externalId once: a second application with it
		// is answered "Already Processed" (the first one is found with
		// listAccounts?externalId=).
		r := s.newRequest("ACCT_OPENING", prev.ID, "Rejected", "Already Processed", now)
		return genserver.CreateAccounts200JSONResponse(gen.StatusResponse{
			DateSubmitted: tptr(now), RequestId: ptr(idOf(r.ID)),
			FileData: &gen.FileData{Name: ptr(fmt.Sprintf("%d_response.json", r.ID)), Data: &map[string]any{
				"externalId": app.ExternalID, "hasError": true, "errorDescription": "Already Processed",
			}},
		}), nil
	}
	s.st.Seq.Account++
	acct := &account{
		ID: fmt.Sprintf("U%07d", s.st.Seq.Account), Status: AccountNew, Email: app.Email, Country: app.Country,
		First: app.First, Last: app.Last, ExternalID: app.ExternalID, Created: now, Tasks: registrationTasks(),
		Type: app.Type, Title: app.Title,
		Cash: map[string]wire.Decimal{}, Holds: map[string]wire.Decimal{},
	}
	acct.UserName = s.newUsername(app.First, app.Last, app.Prefix)
	s.st.Accounts[acct.ID] = acct
	s.st.Usernames[acct.UserName] = acct.ID
	r := s.newRequest("ACCT_OPENING", acct.ID, "Processed", "account created", now)
	data := map[string]any{
		"accountId":    acct.ID,
		"userName":     acct.UserName,
		"status":       acct.Status,
		"externalId":   acct.ExternalID,
		"pendingTasks": pendingTasks(acct),
	}
	return genserver.CreateAccounts200JSONResponse(gen.StatusResponse{
		DateSubmitted: tptr(now), RequestId: ptr(idOf(r.ID)),
		FileData: &gen.FileData{Name: ptr(fmt.Sprintf("%d_response.json", r.ID)), Data: &data},
	}), nil
}

func pendingTasks(a *account) []gen.PendingTask {
	out := []gen.PendingTask{}
	for i, t := range a.Tasks {
		if t.Done || !t.Required {
			continue
		}
		out = append(out, gen.PendingTask{
			Action: ptr(t.Action), FormName: ptr(t.Name), FormNumber: ptr(int32(t.Form)), OnlineTask: ptr(t.Online),
			RequiredForApproval: ptr(t.Required), RequiredForTrading: ptr(t.Required), State: ptr("To Be Sent"),
			TaskNumber: ptr(int32(i + 1)), StartDate: tptr(a.Created),
		})
	}
	return out
}

// accountRequests is the part of AccountManagementRequestsPayload the
// sandbox acts on.
type accountRequests struct {
	AccountManagementRequests struct {
		AbandonAccount        *struct{ AccountId string } `json:"abandonAccount"`
		ResetAbandonedAccount *struct{ AccountId string } `json:"resetAbandonedAccount"`
		AccountClose          *struct {
			AccountId   string
			CloseReason string
		} `json:"accountClose"`
		ReopenAccount      *struct{ AccountId string } `json:"reopenAccount"`
		DocumentSubmission *struct {
			AccountId string
			Documents []struct {
				FormNumber int `json:"formNumber"`
			}
		} `json:"documentSubmission"`
	} `json:"accountManagementRequests"`
}

func (a *api) UpdateAccounts(ctx contextT, req genserver.UpdateAccountsRequestObject) (genserver.UpdateAccountsResponseObject, error) {
	s, ri := a.s, info(ctx)
	rounds := ri.rounds
	if len(rounds) == 0 {
		rounds = [][]byte{ri.claims}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	results := []map[string]any{}
	for _, claims := range rounds {
		more, err := s.updateAccountsRound(claims, now)
		if err != nil {
			return nil, err
		}
		results = append(results, more...)
	}
	if len(results) == 0 {
		return nil, fail(problem{Status: http.StatusBadRequest, Title: "Bad request", Detail: "no account management request the sandbox knows"})
	}
	s.runDue(now)
	first := results[0]["requestId"].(uint64)
	data := map[string]any{"results": results}
	return genserver.UpdateAccounts200JSONResponse(gen.StatusResponse{
		DateSubmitted: tptr(now), RequestId: ptr(idOf(first)),
		FileData: &gen.FileData{Name: ptr(fmt.Sprintf("%d_response.json", first)), Data: &data},
	}), nil
}

// updateAccountsRound acts on one body of the document's shape. Called
// with s.mu held.
func (s *Sandbox) updateAccountsRound(claims []byte, now time.Time) ([]map[string]any, error) {
	var x accountRequests
	if err := json.Unmarshal(claims, &x); err != nil {
		return nil, fail(problem{Status: http.StatusBadRequest, Title: "Bad request", Detail: shortErr(err)})
	}
	m := x.AccountManagementRequests
	results := []map[string]any{}
	bad := func(msg string) error {
		return fail(problem{Status: http.StatusBadRequest, Title: "Bad request", Detail: msg})
	}
	find := func(id string) (*account, error) {
		acct := s.st.Accounts[id]
		if acct == nil {
			return nil, bad("no account " + id)
		}
		return acct, nil
	}
	did := func(kind, id, status, msg string) {
		r := s.newRequest(kind, id, status, msg, now)
		results = append(results, map[string]any{"requestId": r.ID, "requestType": kind, "accountId": id, "status": status, "message": msg})
	}
	if r := m.AbandonAccount; r != nil {
		acct, err := find(r.AccountId)
		if err != nil {
			return nil, err
		}
		if acct.Status != "N" && acct.Status != "P" {
			return nil, bad("only pending applications (status N or P) can be abandoned; " + acct.ID + " is " + acct.Status)
		}
		_ = s.setAccountStatus(acct, "A", now)
		did("ABANDON_ACCOUNT", acct.ID, "Processed", "application abandoned")
	}
	if r := m.ResetAbandonedAccount; r != nil {
		acct, err := find(r.AccountId)
		if err != nil {
			return nil, err
		}
		if acct.Status != "A" {
			return nil, bad("only abandoned applications (status A) can be reset; " + acct.ID + " is " + acct.Status)
		}
		if now.Sub(acct.Created) > 183*24*time.Hour {
			return nil, bad("application " + acct.ID + " is more than 6 months old")
		}
		_ = s.setAccountStatus(acct, "N", now)
		did("RESET_ABANDONED_ACCOUNT", acct.ID, "Processed", "application reset")
	}
	if r := m.AccountClose; r != nil {
		acct, err := find(r.AccountId)
		if err != nil {
			return nil, err
		}
		if acct.Status != "O" && acct.Status != "Q" {
			return nil, bad("only open (O) or migration (Q) accounts can be closed; " + acct.ID + " is " + acct.Status)
		}
		for ccy, v := range acct.Cash {
			if v.Sign() != 0 {
				return nil, bad("account " + acct.ID + " still holds " + v.String() + " " + ccy + "; withdraw it first")
			}
		}
		at := nextCloseWindow(now)
		s.st.schedule(at, evAccountClose, 0, acct.ID)
		did("CLOSE_ACCOUNT", acct.ID, "Pending", "closure processed at "+at.In(eastern()).Format(time.RFC3339))
	}
	if r := m.ReopenAccount; r != nil {
		acct, err := find(r.AccountId)
		if err != nil {
			return nil, err
		}
		if acct.Status != "C" {
			return nil, bad("only closed accounts can be reopened; " + acct.ID + " is " + acct.Status)
		}
		_ = s.setAccountStatus(acct, "E", now)
		s.st.schedule(now.Add(s.cfg.timings.AccountReview), evAccountReopen, 0, acct.ID)
		did("REOPEN_ACCOUNT", acct.ID, "Pending", "reopen request under review")
	}
	if r := m.DocumentSubmission; r != nil {
		acct, err := find(r.AccountId)
		if err != nil {
			return nil, err
		}
		var forms []int
		for _, d := range r.Documents {
			forms = append(forms, d.FormNumber)
		}
		s.completeTasks(acct, forms, now)
		did("DOC_SUBMISSION", acct.ID, "Processed", "documents received")
	}
	more, err := s.maintenanceRequests(claims, now)
	if err != nil {
		return nil, err
	}
	return append(results, more...), nil
}

// nextCloseWindow is when IBKR processes a closure requested at now:
// at once between 08:00 and 11:00 ET on a weekday, else at the next
// weekday's 08:00 ET.
func nextCloseWindow(now time.Time) time.Time {
	lt := now.In(eastern())
	weekday := lt.Weekday() != time.Saturday && lt.Weekday() != time.Sunday
	if weekday && lt.Hour() >= 8 && lt.Hour() < 11 {
		return now
	}
	d := time.Date(lt.Year(), lt.Month(), lt.Day(), 8, 0, 0, 0, eastern())
	if !d.After(lt) {
		d = d.AddDate(0, 0, 1)
	}
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// completeTasks marks registration tasks done (all when forms is nil) and
// starts IBKR's review once nothing required is left.
func (s *Sandbox) completeTasks(a *account, forms []int, now time.Time) {
	for i := range a.Tasks {
		if forms == nil || slices.Contains(forms, a.Tasks[i].Form) {
			if !a.Tasks[i].Done {
				a.Tasks[i].Done, a.Tasks[i].DoneAt = true, now
			}
		}
	}
	if (a.Status == "N" || a.Status == "P") && tasksDone(a) && !a.InReview {
		a.InReview = true
		s.st.schedule(now.Add(s.cfg.timings.AccountReview), evAccountReview, 0, a.ID)
	}
}

func (a *api) GetAccountsStatus(ctx contextT, req genserver.GetAccountsStatusRequestObject) (genserver.GetAccountsStatusResponseObject, error) {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.st.Accounts[req.AccountId]
	if acct == nil {
		return nil, noAccount(req.AccountId)
	}
	return genserver.GetAccountsStatus200JSONResponse(accountStatus(acct)), nil
}

func noAccount(id string) error {
	return fail(problem{Status: http.StatusBadRequest, Title: "Bad request", Detail: "no account " + id})
}

func (s *Sandbox) sortedAccounts() []*account {
	out := make([]*account, 0, len(s.st.Accounts))
	for _, a := range s.st.Accounts {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (a *api) ListAccountsStatus(ctx contextT, req genserver.ListAccountsStatusRequestObject) (genserver.ListAccountsStatusResponseObject, error) {
	s, p := a.s, req.Params
	start, end := p.StartDate.Time, p.EndDate.Time.AddDate(0, 0, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	all := []gen.AccountStatusResponse{}
	for _, acct := range s.sortedAccounts() {
		created := acct.Created.In(eastern())
		day := time.Date(created.Year(), created.Month(), created.Day(), 0, 0, 0, 0, time.UTC)
		if day.Before(start) || !day.Before(end) {
			continue
		}
		if p.Status != nil && string(*p.Status) != acct.Status {
			continue
		}
		all = append(all, accountStatus(acct))
	}
	off, lim := page(p.Offset, p.Limit, len(all))
	items := all[off:lim]
	return genserver.ListAccountsStatus200JSONResponse{Accounts: &items, Offset: ptr(int32(off)), Limit: ptr(int32(lim - off)), Total: ptr(int32(len(all)))}, nil
}

func page(offset, limit *int32, n int) (int, int) {
	off, lim := 0, 100
	if offset != nil && *offset > 0 {
		off = int(*offset)
	}
	if limit != nil && *limit > 0 {
		lim = int(*limit)
	}
	if off > n {
		off = n
	}
	end := off + lim
	if end > n {
		end = n
	}
	return off, end
}

func (a *api) GetAccountsTasks(ctx contextT, req genserver.GetAccountsTasksRequestObject) (genserver.GetAccountsTasksResponseObject, error) {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.st.Accounts[req.AccountId]
	if acct == nil {
		return nil, noAccount(req.AccountId)
	}
	var v any
	if req.Params.Type != nil && *req.Params.Type == gen.GetAccountsTasksParamsTypePending {
		pt := pendingTasks(acct)
		r := gen.PendingTasksResponse{AccountId: ptr(acct.ID), Status: ptr(acct.Status), Description: ptr(statusDescriptions[acct.Status]),
			PendingTaskPresent: ptr(len(pt) > 0), PendingTasks: &pt}
		if st := applicationState(acct); st != "" {
			r.State = ptr(st)
		}
		v = r
	} else {
		rt := []gen.RegistrationTask{}
		for _, t := range acct.Tasks {
			rt = append(rt, gen.RegistrationTask{
				Action: ptr(t.Action), FormName: ptr(t.Name), FormNumber: ptr(int32(t.Form)), IsCompleted: ptr(t.Done),
				IsRequiredForApproval: ptr(t.Required), DateCompleted: tptr(t.DoneAt), State: ptr(taskState(t)),
			})
		}
		r := gen.RegistrationTasksResponse{AccountId: ptr(acct.ID), Status: ptr(acct.Status), Description: ptr(statusDescriptions[acct.Status]),
			RegistrationTaskPresent: ptr(len(rt) > 0), RegistrationTasks: &rt}
		if st := applicationState(acct); st != "" {
			r.State = ptr(st)
		}
		v = r
	}
	b, _ := json.Marshal(v)
	var body gen.GetAccountsTasks200JSONResponseBody
	_ = body.UnmarshalJSON(b)
	return genserver.GetAccountsTasks200JSONResponse(body), nil
}

func taskState(t task) string {
	if t.Done {
		return "Received- Being Processed"
	}
	return "To Be Sent"
}

func (a *api) GetAccountsDetails(ctx contextT, req genserver.GetAccountsDetailsRequestObject) (genserver.GetAccountsDetailsResponseObject, error) {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.st.Accounts[req.AccountId]
	if acct == nil {
		return nil, noAccount(req.AccountId)
	}
	day := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		return ptr(t.In(eastern()).Format("2006-01-02"))
	}
	ad := gen.AccountData{
		AccountId: ptr(acct.ID), AccountTitle: ptr(accountTitle(acct)), EmailAddress: ptr(acct.Email),
		BaseCurrency: ptr("USD"), ApplicantType: ptr(applicantType(acct)), MasterAccountId: ptr(MasterAccountID),
		ExternalId: ptr(acct.ExternalID), PrimaryUser: ptr(acct.UserName), ClearingStatus: ptr(acct.Status),
		ClearingStatusDescription: ptr(statusDescriptions[acct.Status]),
		DateBegun:                 day(acct.Created), DateOpened: day(acct.Opened), DateClosed: day(acct.Closed), DateFunded: day(acct.Funded),
	}
	return genserver.GetAccountsDetails200JSONResponse(gen.AccountDetailsResponse{Account: &ad, HasError: ptr(false), Restrictions: s.accountRestrictions(acct.ID)}), nil
}

func (a *api) ListAccounts(ctx contextT, req genserver.ListAccountsRequestObject) (genserver.ListAccountsResponseObject, error) {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []map[string]any{}
	for _, acct := range s.sortedAccounts() {
		if req.Params.AccountId != nil && *req.Params.AccountId != acct.ID {
			continue
		}
		if req.Params.ExternalId != nil && *req.Params.ExternalId != acct.ExternalID {
			continue
		}
		list = append(list, map[string]any{"accountId": acct.ID, "status": acct.Status, "externalId": acct.ExternalID, "userName": acct.UserName})
	}
	data := map[string]any{"accounts": list}
	b, _ := json.Marshal(gen.ResponseFileResponse{Name: ptr("accounts.json"), IsProcessed: ptr(true), HasError: ptr(false), Data: &data})
	var body gen.ListAccounts200JSONResponseBody
	_ = body.UnmarshalJSON(b)
	return genserver.ListAccounts200JSONResponse(body), nil
}

func (a *api) GetValidationsUsernames(ctx contextT, req genserver.GetValidationsUsernamesRequestObject) (genserver.GetValidationsUsernamesResponseObject, error) {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	u := strings.ToLower(req.Username)
	valid := usernameRE.MatchString(u)
	_, taken := s.st.Usernames[u]
	r := gen.UserNameAvailableResponse{IsValid: ptr(valid), IsAvailable: ptr(valid && !taken), HasError: ptr(false)}
	if taken || !valid {
		base := regexp.MustCompile(`[^a-z0-9]`).ReplaceAllString(u, "")
		if base == "" {
			base = "user"
		}
		r.SuggestedUserName = ptr([]string{s.newUsername("", "", base)})
	}
	return genserver.GetValidationsUsernames200JSONResponse(r), nil
}

func (a *api) ListRequests(ctx contextT, req genserver.ListRequestsRequestObject) (genserver.ListRequestsResponseObject, error) {
	s, p := a.s, req.Params
	start, end := p.StartDate.Time, p.EndDate.Time.AddDate(0, 0, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []uint64
	for id := range s.st.Requests {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	all := []gen.RequestDetail{}
	for _, id := range ids {
		r := s.st.Requests[id]
		lt := r.At.In(eastern())
		day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.UTC)
		if day.Before(start) || !day.Before(end) {
			continue
		}
		if p.Status != nil && !strings.EqualFold(string(*p.Status), r.Status[:1]) && !strings.EqualFold(string(*p.Status), r.Status) {
			continue
		}
		all = append(all, gen.RequestDetail{AccountID: ptr(r.Account), DateSubmitted: ptr(r.At.UTC().Format(time.RFC3339)),
			RequestId: ptr(idOf(r.ID)), RequestType: ptr(r.Type), Status: ptr(r.Status)})
	}
	off, lim := page(p.Offset, p.Limit, len(all))
	items := all[off:lim]
	return genserver.ListRequests200JSONResponse{RequestDetails: &items, Offset: ptr(int32(off)), Limit: ptr(int32(lim - off)), Total: ptr(int32(len(all)))}, nil
}

func (a *api) GetRequestsStatus(ctx contextT, req genserver.GetRequestsStatusRequestObject) (genserver.GetRequestsStatusResponseObject, error) {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := parseUint(req.RequestId)
	r := s.st.Requests[n]
	if r == nil {
		return nil, fail(problem{Status: http.StatusBadRequest, Title: "Bad request", Detail: "no request " + req.RequestId.String()})
	}
	b, _ := json.Marshal(gen.AmRequestStatusResponse{AcctId: ptr(r.Account), Message: ptr(r.Message), RequestId: ptr(itoa(r.ID)),
		RequestType: ptr(r.Type), Status: ptr(r.Status)})
	var body gen.GetRequestsStatus200JSONResponseBody
	_ = body.UnmarshalJSON(b)
	return genserver.GetRequestsStatus200JSONResponse(body), nil
}

// accountByExternalID is the account opened with the application id
// externalID, or nil (also for "").
func (st *state) accountByExternalID(externalID string) *account {
	if externalID == "" {
		return nil
	}
	for _, a := range st.Accounts {
		if a.ExternalID == externalID {
			return a
		}
	}
	return nil
}
