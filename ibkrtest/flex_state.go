package ibkrtest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ibkrweb/ibkr-go/wire"
)

// The Flex Web Service of the sandbox: see flex_serve.go for the
// endpoints and flex_statement.go for the statements.

// FlexPath is where the sandbox serves the Flex Web Service: the Flex
// client's base URL is the sandbox's URL + FlexPath, and SendRequest and
// GetStatement live under it.
const FlexPath = "/AccountManagement/FlexWebService"

// FlexSections are the sections the sandbox's statements can hold, in
// IBKR's element names; a FlexQuery without Sections gets all of them.
var FlexSections = []string{
	"AccountInformation", "EquitySummaryInBase", "ChangeInNAV", "CashReport",
	"OpenPositions", "CashTransactions", "Transfers", "ConversionRates",
}

// FlexDateFormats are the date formats a FlexQuery may ask for (the
// choices of IBKR's query editor).
var FlexDateFormats = []string{"yyyyMMdd", "yyyy-MM-dd", "MM/dd/yyyy", "MM/dd/yy", "dd/MM/yyyy", "dd/MM/yy", "dd-MMM-yy"}

// FlexQuery is an Activity Flex query saved in the sandbox.
type FlexQuery struct {
	// Name is the query's name (default "ibkrtest").
	Name string `json:"name"`
	// Accounts are the accounts the query covers (default: every account
	// when the statement is generated).
	Accounts []string `json:"accounts,omitempty"`
	// Sections lists the sections included (default FlexSections).
	Sections []string `json:"sections,omitempty"`
	// PeriodDays is the saved period, "Last N Calendar Days" ending today
	// (default 30). Requests may override it with p or fd/td.
	PeriodDays int `json:"periodDays,omitempty"`
	// DateFormat is one of FlexDateFormats (default yyyyMMdd).
	DateFormat string `json:"dateFormat,omitempty"`
	// TimeFormat is HHmmss (default) or HH:mm:ss.
	TimeFormat string `json:"timeFormat,omitempty"`
	// Separator goes between date and time: ";" (default), ",", " " or
	// "none".
	Separator string `json:"separator,omitempty"`
	// CSV makes the statement CSV instead of XML.
	CSV bool `json:"csv,omitempty"`
	// OddValues writes the statement with what real statements also
	// carry: "-", "--" and "N/A" for empty values, thousands separators
	// in amounts, an unknown column on every row and an unknown section.
	OddValues bool `json:"oddValues,omitempty"`
}

// FlexToken describes a Flex Web Service token to issue.
type FlexToken struct {
	// Lifetime is how long the token is valid (default 6 hours, IBKR's
	// default; IBKR allows up to a year).
	Lifetime time.Duration
	// IP, if set, binds the token to one client address (error 1013
	// from any other).
	IP string
}

// flexState is what the Flex service persists (in the state's Extra).
type flexState struct {
	QuerySeq uint64                    `json:"querySeq"`
	TxSeq    uint64                    `json:"txSeq"`
	Tokens   map[string]flexTokenState `json:"tokens"`
	Queries  map[string]FlexQuery      `json:"queries"`
	Credits  []incomingCredit          `json:"credits"`
}

type flexTokenState struct {
	Expires time.Time `json:"expires"`
	IP      string    `json:"ip,omitempty"`
}

// incomingCredit is an ACH credit pushed into an account from outside.
type incomingCredit struct {
	ID         uint64       `json:"id"`
	Account    string       `json:"account"`
	Amount     wire.Decimal `json:"amount"`
	Currency   string       `json:"currency"`
	At         time.Time    `json:"at"`
	Originator string       `json:"originator"`
}

const flexStateKey = "flex"

// flexLoad reads the Flex state. Called with s.mu held.
func (s *Sandbox) flexLoad() *flexState {
	fs := &flexState{QuerySeq: 800000, TxSeq: 7300000000}
	s.loadExtra(flexStateKey, fs)
	if fs.Tokens == nil {
		fs.Tokens = map[string]flexTokenState{}
	}
	if fs.Queries == nil {
		fs.Queries = map[string]FlexQuery{}
	}
	return fs
}

// flexSave writes the Flex state back. Called with s.mu held.
func (s *Sandbox) flexSave(fs *flexState) { s.saveExtra(flexStateKey, fs) }

// flexRuntime is the Flex service's state that lives only in memory:
// generated statements, the per-token request log, injected faults.
type flexRuntime struct {
	mu       sync.Mutex
	delay    time.Duration
	delaySet bool
	refSeq   uint64
	refs     map[string]*flexRef
	hits     map[string][]time.Time
	faults   []flexFault
	requests []FlexRequest
}

type flexRef struct {
	token   string
	readyAt time.Time
	body    []byte
	csv     bool
}

type flexFault struct {
	endpoint    string
	code        int
	status      int
	body        string
	contentType string
}

// FlexRequest is one request the Flex service answered (the token is
// never kept).
type FlexRequest struct {
	Time     time.Time
	Endpoint string // SendRequest, GetStatement, or the path asked for
	// Code is the error code answered (1019 while generating), 0 for a
	// success.
	Code      int
	Status    int
	UserAgent string
	Query     string // the q parameter: a query id or reference code
}

// DefaultFlexGenerationDelay is how long the sandbox takes to generate a
// Flex statement (on its clock) unless SetFlexGenerationDelay says
// otherwise; GetStatement answers 1019 until then.
const DefaultFlexGenerationDelay = 10 * time.Second

// SetFlexGenerationDelay sets how long statements take to generate.
func (s *Sandbox) SetFlexGenerationDelay(d time.Duration) {
	s.flex.mu.Lock()
	s.flex.delay, s.flex.delaySet = d, true
	s.flex.mu.Unlock()
}

// NewFlexToken issues a Flex Web Service token (24 random digits, like
// IBKR's).
func (s *Sandbox) NewFlexToken(t FlexToken) (string, error) {
	if t.Lifetime < 0 {
		return "", fmt.Errorf("ibkrtest: negative token lifetime")
	}
	if t.Lifetime == 0 {
		t.Lifetime = 6 * time.Hour
	}
	n, err := rand.Int(rand.Reader, new(big.Int).Exp(big.NewInt(10), big.NewInt(24), nil))
	if err != nil {
		return "", err
	}
	tok := fmt.Sprintf("%024s", n.String())
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.flexLoad()
	fs.Tokens[tok] = flexTokenState{Expires: s.clk.Now().Add(t.Lifetime), IP: t.IP}
	s.flexSave(fs)
	return tok, nil
}

// RevokeFlexToken makes a token invalid (error 1015), as generating a new
// token in IBKR's portal does to the old one.
func (s *Sandbox) RevokeFlexToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.flexLoad()
	delete(fs.Tokens, token)
	s.flexSave(fs)
}

// AddFlexQuery saves a query and returns its Query ID (six digits).
func (s *Sandbox) AddFlexQuery(q FlexQuery) (string, error) {
	if q.Name == "" {
		q.Name = "ibkrtest"
	}
	if q.PeriodDays == 0 {
		q.PeriodDays = 30
	}
	if q.PeriodDays < 1 || q.PeriodDays > 365 {
		return "", fmt.Errorf("ibkrtest: PeriodDays %d: must be 1 to 365", q.PeriodDays)
	}
	if q.DateFormat == "" {
		q.DateFormat = "yyyyMMdd"
	}
	if !containsString(FlexDateFormats, q.DateFormat) {
		return "", fmt.Errorf("ibkrtest: DateFormat %q: must be one of %s", q.DateFormat, strings.Join(FlexDateFormats, ", "))
	}
	switch q.TimeFormat {
	case "":
		q.TimeFormat = "HHmmss"
	case "HHmmss", "HH:mm:ss":
	default:
		return "", fmt.Errorf("ibkrtest: TimeFormat %q: must be HHmmss or HH:mm:ss", q.TimeFormat)
	}
	switch q.Separator {
	case "":
		q.Separator = ";"
	case ";", ",", " ", "none":
	default:
		return "", fmt.Errorf("ibkrtest: Separator %q: must be ; , space or none", q.Separator)
	}
	for _, sec := range q.Sections {
		if !containsString(FlexSections, sec) {
			return "", fmt.Errorf("ibkrtest: unknown section %q", sec)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range q.Accounts {
		if s.st.Accounts[a] == nil {
			return "", fmt.Errorf("ibkrtest: no account %s", a)
		}
	}
	fs := s.flexLoad()
	fs.QuerySeq++
	id := itoa(fs.QuerySeq)
	fs.Queries[id] = q
	s.flexSave(fs)
	return id, nil
}

// FailFlexNext makes the next n requests to endpoint ("SendRequest",
// "GetStatement", or "" for either) answer IBKR's error code (any code,
// documented or not, e.g. 1025).
func (s *Sandbox) FailFlexNext(endpoint string, code, n int) {
	s.flex.mu.Lock()
	defer s.flex.mu.Unlock()
	for range n {
		s.flex.faults = append(s.flex.faults, flexFault{endpoint: endpoint, code: code})
	}
}

// FlexAnswerNext makes the next request to endpoint answer this raw body
// (an HTML error page, a CSV body, an empty body) with the HTTP status.
func (s *Sandbox) FlexAnswerNext(endpoint string, status int, contentType, body string) {
	s.flex.mu.Lock()
	defer s.flex.mu.Unlock()
	s.flex.faults = append(s.flex.faults, flexFault{endpoint: endpoint, status: status, contentType: contentType, body: body})
}

// FlexRequests returns every request the Flex service answered, oldest
// first.
func (s *Sandbox) FlexRequests() []FlexRequest {
	s.flex.mu.Lock()
	defer s.flex.mu.Unlock()
	return append([]FlexRequest(nil), s.flex.requests...)
}

// DirectDepositRoutingNumber is the ABA routing number of the sandbox's
// clearing bank: other banks send ACH credits to an IBKR account through
// it, with the account's direct deposit account number.
const DirectDepositRoutingNumber = "123456780"

// DirectDepositInfo is what IBKR's portal shows under Transfer & Pay >
// Direct Deposit/Debit: the numbers another bank pushes money to.
type DirectDepositInfo struct {
	RoutingNumber string
	// AccountNumber is a bank account number: treat it as a secret.
	AccountNumber string
	Beneficiary   string
	BankName      string
}

// String never shows the account number beyond its last four digits.
func (d DirectDepositInfo) String() string {
	return fmt.Sprintf("routing %s, account %s, %s", d.RoutingNumber, mask(last4(d.AccountNumber)), d.Beneficiary)
}

// GoString redacts like String.
func (d DirectDepositInfo) GoString() string { return "ibkrtest.DirectDepositInfo{" + d.String() + "}" }

// MarshalJSON shows the account number's last four digits only.
func (d DirectDepositInfo) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"routingNumber": d.RoutingNumber, "accountNumber": mask(last4(d.AccountNumber)),
		"beneficiary": d.Beneficiary, "bankName": d.BankName})
}

// directDepositNumber derives an account's direct deposit account number:
// "5" then the account id's digits, zero-padded to 12 digits.
func directDepositNumber(accountID string) string {
	var digits []byte
	for i := 0; i < len(accountID); i++ {
		if c := accountID[i]; c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	d := string(digits)
	if len(d) < 11 {
		d = strings.Repeat("0", 11-len(d)) + d
	}
	return "5" + d
}

// DirectDeposit returns the routing and account number another bank uses
// to push money into an account by ACH credit.
func (s *Sandbox) DirectDeposit(accountID string) (DirectDepositInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[accountID]
	if a == nil {
		return DirectDepositInfo{}, fmt.Errorf("ibkrtest: no account %s", accountID)
	}
	return DirectDepositInfo{RoutingNumber: DirectDepositRoutingNumber, AccountNumber: directDepositNumber(a.ID),
		Beneficiary: strings.TrimSpace(a.First + " " + a.Last), BankName: "ibkrtest Clearing Bank"}, nil
}

// ACHCredit is money another bank pushes to an account's routing and
// account number (what a money-routing app does from outside IBKR).
type ACHCredit struct {
	RoutingNumber string
	// AccountNumber is the direct deposit account number (a secret: it
	// never appears in errors).
	AccountNumber string
	Amount        wire.Decimal
	// Currency is USD (the default); ACH moves US dollars only.
	Currency string
	// Originator names the sending company, e.g. "SEQUENCE".
	Originator string
}

// String never shows the account number beyond its last four digits.
func (c ACHCredit) String() string {
	return fmt.Sprintf("ACH credit of %s %s from %q to routing %s, account %s", c.Amount, c.Currency, c.Originator, c.RoutingNumber, mask(last4(c.AccountNumber)))
}

// GoString redacts like String.
func (c ACHCredit) GoString() string { return "ibkrtest.ACHCredit{" + c.String() + "}" }

// MarshalJSON shows the account number's last four digits only.
func (c ACHCredit) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"routingNumber": c.RoutingNumber, "accountNumber": mask(last4(c.AccountNumber)),
		"amount": c.Amount.String(), "currency": c.Currency, "originator": c.Originator})
}

// IncomingCredit is an ACH credit the sandbox accepted.
type IncomingCredit struct {
	AccountID     string
	TransactionID string
	Amount        wire.Decimal
	Currency      string
	Time          time.Time
}

// PushACHCredit delivers an ACH credit from another bank: the money is in
// the account at once (its cash and withdrawable cash grow) and the next
// Flex statement lists it as a Deposits & Withdrawals cash transaction. A
// wrong routing or account number is refused as a real ACH return would
// be (R03: no account); the error never repeats the account number.
func (s *Sandbox) PushACHCredit(c ACHCredit) (IncomingCredit, error) {
	if c.Currency == "" {
		c.Currency = "USD"
	}
	switch {
	case c.RoutingNumber != DirectDepositRoutingNumber:
		return IncomingCredit{}, fmt.Errorf("ibkrtest: ACH return R03: routing number %s is not the sandbox's clearing bank (%s)", c.RoutingNumber, DirectDepositRoutingNumber)
	case c.Currency != "USD":
		return IncomingCredit{}, fmt.Errorf("ibkrtest: ACH moves USD only, not %s", c.Currency)
	case c.Amount.Sign() <= 0 || c.Amount.Decimals() > 2:
		return IncomingCredit{}, fmt.Errorf("ibkrtest: ACH credit amount %s: must be positive with at most two decimals", c.Amount)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var a *account
	ids := make([]string, 0, len(s.st.Accounts))
	for id := range s.st.Accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if directDepositNumber(id) == c.AccountNumber {
			a = s.st.Accounts[id]
			break
		}
	}
	if a == nil {
		return IncomingCredit{}, fmt.Errorf("ibkrtest: ACH return R03: no account with account number %s at the sandbox's clearing bank", mask(last4(c.AccountNumber)))
	}
	if a.Status == "C" || a.Status == "R" {
		return IncomingCredit{}, fmt.Errorf("ibkrtest: ACH return R02: account %s is closed", a.ID)
	}
	now := s.clk.Now()
	fs := s.flexLoad()
	fs.TxSeq++
	ic := incomingCredit{ID: fs.TxSeq, Account: a.ID, Amount: c.Amount, Currency: c.Currency, At: now, Originator: c.Originator}
	fs.Credits = append(fs.Credits, ic)
	s.flexSave(fs)
	a.credit(c.Currency, c.Amount)
	if a.Funded.IsZero() {
		a.Funded = now
	}
	return IncomingCredit{AccountID: a.ID, TransactionID: itoa(ic.ID), Amount: c.Amount, Currency: c.Currency, Time: now}, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
