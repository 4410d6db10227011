package ibkrtest

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/wire"
)

// The read side of the control API (control_http.go serves it as JSON,
// console.go as HTML): snapshots of what the sandbox holds, shaped for
// people and scripts, with secrets masked. Every function here takes the
// locks it needs and returns copies.

// AccountView is an account as the control API shows it.
type AccountView struct {
	ID                string `json:"id"`
	Status            string `json:"status"`
	StatusDescription string `json:"statusDescription"`
	UserName          string `json:"userName"`
	// PendingTasks are the registration tasks not done yet.
	PendingTasks []TaskView `json:"pendingTasks"`
	// Balances holds one line per currency the account has seen.
	Balances []BalanceView `json:"balances"`
	// BankInstructions are the account's linked bank instructions, oldest
	// first, deleted ones included.
	BankInstructions []BankInstructionView `json:"bankInstructions"`
}

// TaskView is a registration task.
type TaskView struct {
	Form     int    `json:"form"`
	Name     string `json:"name"`
	Action   string `json:"action"`
	Required bool   `json:"required"`
}

// BalanceView is an account's cash in one currency.
type BalanceView struct {
	Currency string `json:"currency"`
	Cash     string `json:"cash"`
	// Held is what pending withdrawals and scheduled transfers hold.
	Held         string `json:"held"`
	Withdrawable string `json:"withdrawable"`
}

// BankInstructionView is a bank instruction of an account. The bank
// account number is masked to its last four digits.
type BankInstructionView struct {
	// InstructionID is IBKR's id of the instruction that created it (the
	// pendingInstructionId of a micro-deposit verification).
	InstructionID string `json:"instructionId"`
	Name          string `json:"name"`
	Method        string `json:"method"`
	Code          string `json:"code,omitempty"`
	Currency      string `json:"currency"`
	RoutingNumber string `json:"routingNumber,omitempty"`
	AccountNumber string `json:"accountNumber,omitempty"`
	// Verification is the verification state: PENDING, PENDING_VERIFICATION,
	// PROCESSED, REJECTED or DELETED.
	Verification string `json:"verification"`
	// Attempts counts failed micro-deposit verifications.
	Attempts int `json:"attempts"`
	// MicroDeposits holds the two amounts IBKR sent, while the
	// verification is pending.
	MicroDeposits *MicroDepositsView `json:"microDeposits,omitempty"`
}

// MicroDepositsView is the pair of micro-deposits sent for an ACH
// instruction: what a customer reads off a bank statement. It is the
// answer of GET /ibkrtest/v1/micro-deposits/{instructionId}.
type MicroDepositsView struct {
	InstructionID string `json:"instructionId"`
	Amount1       string `json:"amount1"`
	Amount2       string `json:"amount2"`
	Currency      string `json:"currency"`
}

// AccountPage is a page of accounts, by id.
type AccountPage struct {
	Total  int           `json:"total"`
	Offset int           `json:"offset"`
	Limit  int           `json:"limit"`
	Items  []AccountView `json:"items"`
}

// AccountPage returns a page of the accounts, by id (limit: 50 when 0, at
// most MaxPageSize).
func (s *Sandbox) AccountPage(offset, limit int) AccountPage {
	offset, limit = pageBounds(offset, limit)
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.st.Accounts))
	for id := range s.st.Accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	p := AccountPage{Total: len(ids), Offset: offset, Limit: limit, Items: []AccountView{}}
	for _, id := range ids[min(offset, len(ids)):min(offset+limit, len(ids))] {
		p.Items = append(p.Items, s.accountView(s.st.Accounts[id]))
	}
	return p
}

// AccountView returns one account.
func (s *Sandbox) AccountView(accountID string) (AccountView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[accountID]
	if a == nil {
		return AccountView{}, false
	}
	return s.accountView(a), true
}

// accountView builds a view. Called with s.mu held.
func (s *Sandbox) accountView(a *account) AccountView {
	v := AccountView{ID: a.ID, Status: a.Status, StatusDescription: statusDescriptions[a.Status], UserName: a.UserName,
		PendingTasks: []TaskView{}, Balances: []BalanceView{}, BankInstructions: []BankInstructionView{}}
	for _, t := range a.Tasks {
		if !t.Done {
			v.PendingTasks = append(v.PendingTasks, TaskView{Form: t.Form, Name: t.Name, Action: t.Action, Required: t.Required})
		}
	}
	ccys := map[string]wire.Decimal{}
	for c := range a.Cash {
		ccys[c] = wire.Decimal{}
	}
	for c := range a.Holds {
		ccys[c] = wire.Decimal{}
	}
	for _, c := range sortedKeys(ccys) { // flex_statement.go
		v.Balances = append(v.Balances, BalanceView{Currency: c, Cash: a.cash(c).String(), Held: a.Holds[c].String(), Withdrawable: a.withdrawable(c).String()})
	}
	for _, b := range s.st.sortedBanks(a.ID) {
		v.BankInstructions = append(v.BankInstructions, bankView(b))
	}
	return v
}

func bankView(b *bankInstr) BankInstructionView {
	v := BankInstructionView{
		InstructionID: itoa(b.InstructionID), Name: b.Name, Method: b.Method, Code: b.Code, Currency: b.Currency,
		RoutingNumber: b.Routing, Verification: b.Status, Attempts: b.Attempts,
	}
	if b.AcctLast4 != "" {
		v.AccountNumber = "****" + b.AcctLast4
	}
	if b.Method == "ACH" && b.Status == StatusPendingVerification {
		v.MicroDeposits = &MicroDepositsView{InstructionID: v.InstructionID, Amount1: b.Micro[0].String(), Amount2: b.Micro[1].String(), Currency: b.Currency}
	}
	return v
}

// microDepositsView returns the micro-deposits of a pending ACH
// verification.
func (s *Sandbox) microDepositsView(instructionID wire.ID) (MicroDepositsView, bool) {
	a1, a2, ok := s.MicroDeposits(wire.InstructionID{ID: instructionID})
	if !ok {
		return MicroDepositsView{}, false
	}
	ccy := "USD"
	if n, ok := parseUint(instructionID); ok {
		s.mu.Lock()
		if b := s.st.Banks[n]; b != nil && b.Currency != "" {
			ccy = b.Currency
		}
		s.mu.Unlock()
	}
	return MicroDepositsView{InstructionID: instructionID.String(), Amount1: a1.String(), Amount2: a2.String(), Currency: ccy}, true
}

// InstructionView is an instruction as the control API shows it, with
// its history of status changes.
type InstructionView struct {
	ID                  string `json:"id"`
	ClientInstructionID string `json:"clientInstructionId,omitempty"`
	SetID               string `json:"setId"`
	ClientID            string `json:"clientId,omitempty"`
	Type                string `json:"type"`
	Status              string `json:"status"`
	Description         string `json:"description,omitempty"`
	ErrorCode           string `json:"errorCode,omitempty"`
	ErrorMessage        string `json:"errorMessage,omitempty"`
	AccountID           string `json:"accountId,omitempty"`
	TargetAccountID     string `json:"targetAccountId,omitempty"`
	Amount              string `json:"amount,omitempty"`
	Currency            string `json:"currency,omitempty"`
	BankInstructionName string `json:"bankInstructionName,omitempty"`
	// Related is the instruction this one acts on (the ACH instruction of
	// a verification, the target of a cancel).
	Related string    `json:"related,omitempty"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// History lists the status changes, oldest first: the submission,
	// then every change the sandbox announced (the newest several
	// thousand announcements are kept).
	History []HistoryEntry `json:"history"`
}

// HistoryEntry is one step of an instruction's history.
type HistoryEntry struct {
	Time   time.Time `json:"time"`
	Status string    `json:"status"`
}

// InstructionFilter selects a page of instructions, newest first. Empty
// fields match everything.
type InstructionFilter struct {
	// AccountID matches the source or target account.
	AccountID string
	// Status is PENDING, PROCESSED, REJECTED or PENDING_VERIFICATION.
	Status string
	// Type is the instruction type, e.g. DEPOSIT.
	Type string
	// ClientInstructionID matches one clientInstructionId.
	ClientInstructionID string
	// ID matches IBKR's instruction id.
	ID string
	// Offset skips the first matches; Limit bounds the page (50 when 0,
	// at most MaxPageSize).
	Offset, Limit int
}

// MaxPageSize bounds the pages of the control API and the console.
const MaxPageSize = 500

// defaultPageSize is a page's size unless the request says otherwise.
const defaultPageSize = 50

// InstructionPage is a page of instructions.
type InstructionPage struct {
	// Total counts the instructions that match the filter.
	Total  int               `json:"total"`
	Offset int               `json:"offset"`
	Limit  int               `json:"limit"`
	Items  []InstructionView `json:"items"`
}

func pageBounds(offset, limit int) (int, int) {
	if limit <= 0 {
		limit = defaultPageSize
	}
	return max(offset, 0), min(limit, MaxPageSize)
}

// InstructionPage returns a page of instructions, newest first. Pages
// without a filter, or filtered by account only, cost the page (an index
// lists the instructions in order, and per account); other filters cost
// one pass over the account's (or every) instruction.
func (s *Sandbox) InstructionPage(f InstructionFilter) InstructionPage {
	f.Offset, f.Limit = pageBounds(f.Offset, f.Limit)
	page := InstructionPage{Offset: f.Offset, Limit: f.Limit, Items: []InstructionView{}}
	match := func(in *instruction) bool {
		return (f.AccountID == "" || in.Account == f.AccountID || in.Target == f.AccountID) &&
			(f.Status == "" || in.Status == f.Status) && (f.Type == "" || in.Type == f.Type) &&
			(f.ClientInstructionID == "" || in.CID.String() == f.ClientInstructionID) && (f.ID == "" || itoa(in.ID) == f.ID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := s.consoleIndex()
	list := idx.all
	switch {
	case f.ID != "":
		list = nil
		if n, err := wire.ParseID(f.ID); err == nil {
			if u, ok := parseUint(n); ok && s.st.Instructions[u] != nil {
				list = []*instruction{s.st.Instructions[u]}
			}
		}
	case f.AccountID != "":
		list = idx.byAccount[f.AccountID]
	}
	filtered := f.Status != "" || f.Type != "" || f.ClientInstructionID != "" || f.ID != ""
	var hits []*instruction
	if !filtered {
		page.Total = len(list)
		for i := len(list) - 1 - f.Offset; i >= 0 && len(hits) < f.Limit; i-- {
			hits = append(hits, list[i])
		}
	} else {
		for i := len(list) - 1; i >= 0; i-- {
			if in := list[i]; match(in) {
				if page.Total >= f.Offset && len(hits) < f.Limit {
					hits = append(hits, in)
				}
				page.Total++
			}
		}
	}
	hist := s.histories(hits)
	for _, in := range hits {
		page.Items = append(page.Items, instructionView(in, hist[itoa(in.ID)]))
	}
	return page
}

// InstructionView returns one instruction by IBKR's id.
func (s *Sandbox) InstructionView(instructionID wire.ID) (InstructionView, bool) {
	n, ok := parseUint(instructionID)
	if !ok {
		return InstructionView{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.st.Instructions[n]
	if in == nil {
		return InstructionView{}, false
	}
	return instructionView(in, s.histories([]*instruction{in})[itoa(n)]), true
}

// histories gathers the announced status changes of some instructions
// in one pass over the notifications. Called with s.mu held.
func (s *Sandbox) histories(ins []*instruction) map[string][]HistoryEntry {
	want := make(map[string]bool, len(ins))
	for _, in := range ins {
		want[itoa(in.ID)] = true
	}
	out := map[string][]HistoryEntry{}
	if len(want) == 0 {
		return out
	}
	for _, n := range s.st.Notes {
		if n.Kind == "instruction" && want[n.ID] {
			out[n.ID] = append(out[n.ID], HistoryEntry{Time: n.Time, Status: n.Status})
		}
	}
	return out
}

func instructionView(in *instruction, changes []HistoryEntry) InstructionView {
	v := InstructionView{
		ID: itoa(in.ID), SetID: itoa(in.SetID), ClientID: in.Client, Type: in.Type, Status: in.Status,
		Description: in.Description, ErrorCode: in.ErrCode, ErrorMessage: in.ErrMsg, AccountID: in.Account,
		TargetAccountID: in.Target, Currency: in.Currency, BankInstructionName: in.BankName,
		Created: in.Created, Updated: in.Updated,
	}
	if !in.CID.IsZero() {
		v.ClientInstructionID = in.CID.String()
	}
	if !in.Amount.IsZero() {
		v.Amount = in.Amount.String()
	}
	if in.Related != 0 {
		v.Related = itoa(in.Related)
	}
	first := StatusPending
	if len(changes) == 0 {
		first = in.Status
	}
	v.History = append([]HistoryEntry{{Time: in.Created, Status: first}}, changes...)
	return v
}

// RequestView is one entry of the request log as the control API shows
// it: secrets masked (the Authorization header is not shown at all).
type RequestView struct {
	// Seq numbers the requests since the sandbox started.
	Seq         uint64    `json:"seq"`
	Time        time.Time `json:"time"`
	Method      string    `json:"method"`
	Path        string    `json:"path"`
	Query       string    `json:"query,omitempty"`
	OperationID string    `json:"operationId"`
	ClientID    string    `json:"clientId,omitempty"`
	Status      int       `json:"status"`
	// LatencyMicros is the wall time taken, in microseconds.
	LatencyMicros int64 `json:"latencyMicros"`
	// Signature is "valid", the check a signed body failed, or empty for
	// calls without a signed body.
	Signature           string   `json:"signature,omitempty"`
	ClientInstructionID string   `json:"clientInstructionId,omitempty"`
	InstructionID       string   `json:"instructionId,omitempty"`
	Faults              []string `json:"faults,omitempty"`
	// RequestBody is the signed body's claims or the token request's
	// form, secrets masked.
	RequestBody string `json:"requestBody,omitempty"`
	// ResponseBody is the answer, secrets masked, cut at 4 KiB.
	ResponseBody string `json:"responseBody,omitempty"`
}

// RequestFilter selects a page of the request log, newest first.
type RequestFilter struct {
	// OperationID matches one operation.
	OperationID string
	// Status matches one HTTP status (0: any).
	Status int
	// ClientInstructionID matches one clientInstructionId.
	ClientInstructionID string
	// Offset and Limit as in InstructionFilter.
	Offset, Limit int
}

// RequestPage is a page of the request log.
type RequestPage struct {
	// Total counts the matching requests still in the (bounded) log.
	Total  int           `json:"total"`
	Offset int           `json:"offset"`
	Limit  int           `json:"limit"`
	Items  []RequestView `json:"items"`
}

// RequestPage returns a page of the request log, newest first.
func (s *Sandbox) RequestPage(f RequestFilter) RequestPage {
	f.Offset, f.Limit = pageBounds(f.Offset, f.Limit)
	page := RequestPage{Offset: f.Offset, Limit: f.Limit, Items: []RequestView{}}
	var hits []Request
	s.recMu.Lock()
	n := len(s.records)
	for i := n - 1; i >= 0; i-- {
		r := &s.records[(s.recHead+i)%n]
		if (f.OperationID != "" && r.OperationID != f.OperationID) || (f.Status != 0 && r.Status != f.Status) ||
			(f.ClientInstructionID != "" && r.ClientInstructionID.String() != f.ClientInstructionID) {
			continue
		}
		if page.Total >= f.Offset && len(hits) < f.Limit {
			hits = append(hits, *r)
		}
		page.Total++
	}
	s.recMu.Unlock()
	s.mu.Lock()
	for i := range hits {
		page.Items = append(page.Items, s.requestView(&hits[i]))
	}
	s.mu.Unlock()
	return page
}

// requestView builds a view. Called with s.mu held (to link the
// instruction).
func (s *Sandbox) requestView(r *Request) RequestView {
	v := RequestView{
		Seq: r.seq, Time: r.Time, Method: r.Method, Path: r.Path, Query: r.Query.Encode(), OperationID: r.OperationID,
		ClientID: r.ClientID, Status: r.Status, LatencyMicros: r.Latency.Microseconds(), Signature: r.Signature,
		Faults: r.Faults, ResponseBody: r.respBody,
	}
	if !r.ClientInstructionID.IsZero() {
		v.ClientInstructionID = r.ClientInstructionID.String()
		if in := s.st.byCID(r.ClientID, r.ClientInstructionID); in != nil {
			v.InstructionID = itoa(in.ID)
		}
	}
	switch {
	case r.Claims != nil:
		v.RequestBody = cut(indentJSON(maskSecrets(map[string]any(r.Claims))))
	case len(r.Form) > 0:
		form := map[string]any{}
		for k, vals := range r.Form {
			form[k] = strings.Join(vals, ",")
		}
		v.RequestBody = cut(indentJSON(maskSecrets(form)))
	}
	return v
}

// FlexView is what the sandbox's Flex Web Service holds: its saved
// queries and the requests it answered (tokens are never shown).
type FlexView struct {
	Queries  []FlexQueryView `json:"queries"`
	Requests []FlexRequest   `json:"requests"`
}

// FlexQueryView is a saved Flex query and its id.
type FlexQueryView struct {
	ID string `json:"id"`
	FlexQuery
}

// FlexView returns the Flex queries and the newest Flex requests (at
// most MaxPageSize), newest first.
func (s *Sandbox) FlexView() FlexView {
	v := FlexView{Queries: []FlexQueryView{}}
	s.mu.Lock()
	fs := s.flexLoad()
	s.mu.Unlock()
	ids := make([]string, 0, len(fs.Queries))
	for id := range fs.Queries {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		v.Queries = append(v.Queries, FlexQueryView{ID: id, FlexQuery: fs.Queries[id]})
	}
	reqs := s.FlexRequests()
	v.Requests = make([]FlexRequest, 0, min(len(reqs), MaxPageSize))
	for i := len(reqs) - 1; i >= 0 && len(v.Requests) < MaxPageSize; i-- {
		v.Requests = append(v.Requests, reqs[i])
	}
	return v
}

// ClockView is the sandbox clock and its lifecycle queue.
type ClockView struct {
	Now time.Time `json:"now"`
	// Fake tells whether the clock can be advanced.
	Fake bool `json:"fake"`
	// PendingEvents counts scheduled lifecycle steps; NextEvent is when
	// the first is due (absent when none).
	PendingEvents int        `json:"pendingEvents"`
	NextEvent     *time.Time `json:"nextEvent,omitempty"`
}

// ClockView returns the clock's state.
func (s *Sandbox) ClockView() ClockView {
	n, next := s.PendingEvents()
	v := ClockView{Now: s.clk.Now(), Fake: s.fake != nil, PendingEvents: n}
	if n > 0 {
		v.NextEvent = &next
	}
	return v
}

// FaultView is one pending injected fault.
type FaultView struct {
	OperationID string `json:"operationId"`
	// Kind is fail, latency, drop or malformed (see FailNext, DelayNext,
	// DropAfterCommit, MalformNext).
	Kind      string `json:"kind"`
	Remaining int    `json:"remaining"`
	Status    int    `json:"status,omitempty"`
	Delay     string `json:"delay,omitempty"`
}

// FaultsView is the fault injection state: pending faults and IBKR's
// maintenance windows.
type FaultsView struct {
	Faults []FaultView `json:"faults"`
	// Maintenance tells whether IBKR's maintenance windows are simulated.
	Maintenance bool `json:"maintenance"`
	// InMaintenance lists the endpoint groups in a window right now.
	InMaintenance []string `json:"inMaintenance"`
}

// faultKinds names the fault kinds, by kind.
var faultKinds = []string{faultFail: "fail", faultLatency: "latency", faultDrop: "drop", faultMalformed: "malformed"}

// FaultsView returns the fault injection state.
func (s *Sandbox) FaultsView() FaultsView {
	v := FaultsView{Faults: []FaultView{}, Maintenance: s.maintenance.Load(), InMaintenance: []string{}}
	s.faultMu.Lock()
	ops := make([]string, 0, len(s.faults))
	for op := range s.faults {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		for _, f := range s.faults[op] {
			fv := FaultView{OperationID: op, Kind: faultKinds[f.kind], Remaining: f.n, Status: f.status}
			if f.delay > 0 {
				fv.Delay = f.delay.String()
			}
			v.Faults = append(v.Faults, fv)
		}
	}
	s.faultMu.Unlock()
	for _, g := range []struct{ name, op string }{{"accounts", "getAccountsStatus"}, {"banking", "createBankInstructions"}} {
		if s.InMaintenance(g.op) {
			v.InMaintenance = append(v.InMaintenance, g.name)
		}
	}
	return v
}

// instructionIndex lists the instructions in creation order, in all and
// per account (source or target), for the console's pages. It grows from
// the instruction ids above upTo (ids grow, and instructions are never
// removed) and is rebuilt when Reset or LoadState replaces the state.
// Guarded by Sandbox.mu.
type instructionIndex struct {
	st        *state
	upTo      uint64
	all       []*instruction
	byAccount map[string][]*instruction
}

// consoleIndex brings the index up to date. Called with s.mu held.
func (s *Sandbox) consoleIndex() *instructionIndex {
	x := &s.console.index
	var fresh []uint64
	if x.st != s.st || x.upTo > s.st.Seq.Instruction {
		// Rebuild from the map: ids start high (newState), so a walk
		// from 0 would cost tens of millions of lookups.
		*x = instructionIndex{st: s.st, byAccount: map[string][]*instruction{}}
		fresh = make([]uint64, 0, len(s.st.Instructions))
		for id := range s.st.Instructions {
			fresh = append(fresh, id)
		}
		slices.Sort(fresh)
	} else {
		for id := x.upTo + 1; id <= s.st.Seq.Instruction; id++ {
			fresh = append(fresh, id)
		}
	}
	for _, id := range fresh {
		in := s.st.Instructions[id]
		if in == nil {
			continue
		}
		x.all = append(x.all, in)
		if in.Account != "" {
			x.byAccount[in.Account] = append(x.byAccount[in.Account], in)
		}
		if in.Target != "" && in.Target != in.Account {
			x.byAccount[in.Target] = append(x.byAccount[in.Target], in)
		}
	}
	x.upTo = s.st.Seq.Instruction
	return x
}
