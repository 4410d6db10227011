package ibkrtest

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/wire"
)

// Maintenance kinds that change what the sandbox answers later:
//
//   - completeLoginMessage marks the named login messages COMPLETED (each
//     must be one of the account's, and a tax form message, W8INFO: IBKR
//     completes the others only in the Client Portal);
//   - updateExternalId gives the account a new externalId (not one another
//     account uses), which the account listing and lookups then answer;
//   - changeAccountHolderDetail takes the first individual's new name and
//     email into the account's details; it alone is also taken for a new
//     or pending application, while task 9974 is assigned (AssignTask);
//   - processDocuments and updateW8Ben complete the account's
//     registration tasks for the documents' forms;
//   - duplicateAccount and addAdditionalAccount open new applications
//     (status N) for the same holder and user, named in the result's
//     message;
//   - allocateVan allocates a virtual account number for a currency
//     (VirtualAccounts); for USD these are the account's direct deposit
//     numbers (DirectDeposit), which PushACHCredit delivers to. The
//     Client Portal's Direct Deposit page behind an SSO session
//     (ACTION=DirectDeposit) shows them, where IBKR shows them.
//
// The other kinds are recorded only (MaintenanceRequests).

// maintenanceAccount finds the account a maintenance request is for: its
// accountId (ibAccountId), the user it names, the first of its
// sub-accounts, or the account whose externalId its documents name.
// Called with s.mu held.
func (s *Sandbox) maintenanceAccount(kind string, body json.RawMessage) (string, error) {
	bad := func(msg string) error {
		return fail(problem{Status: http.StatusBadRequest, Title: "Bad request", Detail: kind + ": " + msg})
	}
	var ref struct {
		AccountID   string   `json:"accountId"`
		IBAccountID string   `json:"ibAccountId"`
		UserName    string   `json:"referenceUserName"`
		SubAccounts []string `json:"subAccounts"`
		Documents   []struct {
			ExternalAccountID string `json:"externalAccountId"`
		} `json:"documents"`
	}
	_ = json.Unmarshal(body, &ref)
	switch {
	case ref.AccountID != "":
		return ref.AccountID, nil
	case ref.IBAccountID != "":
		return ref.IBAccountID, nil
	case ref.UserName != "":
		if id := s.st.Usernames[ref.UserName]; id != "" {
			return id, nil
		}
		return "", bad("no user " + ref.UserName)
	case len(ref.SubAccounts) > 0:
		for _, a := range ref.SubAccounts {
			if s.st.Accounts[a] == nil {
				return "", bad("no account " + a)
			}
		}
		return ref.SubAccounts[0], nil
	case len(ref.Documents) > 0:
		ext := ref.Documents[0].ExternalAccountID
		for _, a := range s.sortedAccounts() {
			if ext != "" && a.ExternalID == ext {
				return a.ID, nil
			}
		}
		return "", bad("no account with externalId " + ext)
	}
	return "", bad("names no account")
}

// maxSandboxDuplicates bounds duplicateAccount in the sandbox (IBKR
// documents no bound).
const maxSandboxDuplicates = 20

// newAccountLike opens a new application (status N, the registration
// tasks pending) for the holder and user of src. Called with s.mu held.
func (s *Sandbox) newAccountLike(src *account, externalID string, now time.Time) *account {
	s.st.Seq.Account++
	a := &account{ID: fmt.Sprintf("U%07d", s.st.Seq.Account), Status: AccountNew, UserName: src.UserName, Email: src.Email,
		Country: src.Country, First: src.First, Last: src.Last, ExternalID: externalID, Created: now, Tasks: registrationTasks(),
		Cash: map[string]wire.Decimal{}, Holds: map[string]wire.Decimal{}}
	s.st.Accounts[a.ID] = a
	return a
}

// FormHolderDetailChange is the registration task that lets a pending
// application take changeAccountHolderDetail.
const FormHolderDetailChange = 9974

// holderChangeAllowed: IBKR takes changeAccountHolderDetail for a new or
// pending application only while task 9974 is assigned to it.
func holderChangeAllowed(kind string, a *account) bool {
	return kind == "changeAccountHolderDetail" && (a.Status == AccountNew || a.Status == AccountPending) &&
		slices.ContainsFunc(a.Tasks, func(t task) bool { return t.Form == FormHolderDetailChange })
}

// AssignTask assigns a registration task (form number and name) to an
// account, as IBKR does when it needs more from the holder; it is pending
// until documents for the form arrive or CompleteTasks runs.
func (s *Sandbox) AssignTask(accountID string, form int, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[accountID]
	if a == nil {
		return fmt.Errorf("ibkrtest: no account %s", accountID)
	}
	if form < 1000 || form > 9999 {
		return fmt.Errorf("ibkrtest: form %d is not a four-digit form number", form)
	}
	if slices.ContainsFunc(a.Tasks, func(t task) bool { return t.Form == form }) {
		return fmt.Errorf("ibkrtest: account %s already has task %d", accountID, form)
	}
	a.Tasks = append(a.Tasks, task{Form: form, Name: name, Action: "to complete", Online: true})
	return nil
}

// simulateMaintenance applies the kinds that change state and returns
// the result's message ("" for the default). Called with s.mu held, after
// the account was found open.
func (s *Sandbox) simulateMaintenance(kind string, acct *account, body json.RawMessage, now time.Time) (string, error) {
	bad := func(msg string) error {
		return fail(problem{Status: http.StatusBadRequest, Title: "Bad request", Detail: kind + ": " + msg})
	}
	switch kind {
	case "completeLoginMessage":
		var x struct {
			IDs []int32 `json:"loginMessageIds"`
		}
		_ = json.Unmarshal(body, &x)
		if len(x.IDs) == 0 {
			return "", bad("loginMessageIds is empty")
		}
		for _, id := range x.IDs {
			i := slices.IndexFunc(acct.LoginMsgs, func(m loginMessage) bool { return m.ID == id })
			if i < 0 {
				return "", bad(fmt.Sprintf("account %s has no login message %d", acct.ID, id))
			}
			if t := acct.LoginMsgs[i].Type; t != "W8INFO" {
				return "", bad(fmt.Sprintf("login message %d is %s: only tax form messages (W8INFO) are completed through the API, the user completes the others in the Client Portal", id, t))
			}
		}
		for i := range acct.LoginMsgs {
			if slices.Contains(x.IDs, acct.LoginMsgs[i].ID) {
				acct.LoginMsgs[i].State = "COMPLETED"
			}
		}
	case "updateExternalId":
		var x struct {
			New string `json:"newExternalId"`
		}
		_ = json.Unmarshal(body, &x)
		if x.New == "" {
			return "", bad("newExternalId is required")
		}
		for _, a := range s.st.Accounts {
			if a != acct && a.ExternalID == x.New {
				return "", bad("externalId " + x.New + " belongs to account " + a.ID)
			}
		}
		acct.ExternalID = x.New
	case "changeAccountHolderDetail":
		var x struct {
			Holders []struct {
				Name *struct {
					First string `json:"first"`
					Last  string `json:"last"`
				} `json:"name"`
				Email string `json:"email"`
			} `json:"newAccountHolderDetails"`
		}
		_ = json.Unmarshal(body, &x)
		if len(x.Holders) == 0 {
			return "", bad("newAccountHolderDetails is empty")
		}
		h := x.Holders[0]
		if h.Name != nil && h.Name.First != "" && h.Name.Last != "" {
			acct.First, acct.Last = h.Name.First, h.Name.Last
		}
		if strings.Contains(h.Email, "@") {
			acct.Email = h.Email
		}
	case "processDocuments", "updateW8Ben":
		var x struct {
			Documents []struct {
				FormNumber int `json:"formNumber"`
			} `json:"documents"`
		}
		_ = json.Unmarshal(body, &x)
		if len(x.Documents) == 0 {
			return "", bad("no documents")
		}
		forms := make([]int, 0, len(x.Documents))
		for _, d := range x.Documents {
			forms = append(forms, d.FormNumber)
		}
		s.completeTasks(acct, forms, now)
	case "duplicateAccount":
		var x struct {
			N int `json:"numberOfDuplicates"`
		}
		_ = json.Unmarshal(body, &x)
		if x.N < 1 || x.N > maxSandboxDuplicates {
			return "", bad(fmt.Sprintf("numberOfDuplicates must be 1 to %d in the sandbox", maxSandboxDuplicates))
		}
		ids := make([]string, 0, x.N)
		for range x.N {
			ids = append(ids, s.newAccountLike(acct, "", now).ID)
		}
		return "duplicates created: " + strings.Join(ids, ", "), nil
	case "addAdditionalAccount":
		var x struct {
			Account struct {
				ExternalID string `json:"externalId"`
			} `json:"account"`
		}
		_ = json.Unmarshal(body, &x)
		if ext := x.Account.ExternalID; ext != "" {
			for _, a := range s.st.Accounts {
				if a.ExternalID == ext {
					return "", bad("externalId " + ext + " belongs to account " + a.ID)
				}
			}
		}
		return "additional account created: " + s.newAccountLike(acct, x.Account.ExternalID, now).ID, nil
	case "allocateVan":
		var x struct {
			Currency string `json:"currency"`
		}
		_ = json.Unmarshal(body, &x)
		if x.Currency == "" {
			return "", bad("currency is required")
		}
		s.allocateVAN(acct.ID, x.Currency, now)
	}
	return "", nil
}

// VirtualAccount is a virtual account number the sandbox allocated to
// an account (allocateVan): where a bank or money-routing app pushes
// funds in Currency. For USD it is the account's direct deposit numbers
// (DirectDeposit: the sandbox clearing bank's routing number and the
// account's number there), so PushACHCredit to it lands in the account;
// for other currencies the account number carries the currency's place
// in the spec's list and there is no routing number.
type VirtualAccount struct {
	AccountID     string
	Currency      string
	RoutingNumber string
	// AccountNumber is a bank account number: treat it as a secret.
	AccountNumber string
	Allocated     time.Time
}

// String never shows the account number beyond its last four digits.
func (v VirtualAccount) String() string {
	return fmt.Sprintf("%s %s: routing %s, account %s", v.AccountID, v.Currency, v.RoutingNumber, mask(last4(v.AccountNumber)))
}

// GoString redacts like String.
func (v VirtualAccount) GoString() string { return "ibkrtest.VirtualAccount{" + v.String() + "}" }

// MarshalJSON shows the account number's last four digits only.
func (v VirtualAccount) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"accountId": v.AccountID, "currency": v.Currency, "routingNumber": v.RoutingNumber,
		"accountNumber": mask(last4(v.AccountNumber)), "allocated": v.Allocated.Format(time.RFC3339)})
}

// vanRecord is an allocation as the state keeps it; the numbers derive
// from it.
type vanRecord struct {
	AccountID string    `json:"accountId"`
	Currency  string    `json:"currency"`
	Allocated time.Time `json:"allocated"`
}

func (r vanRecord) numbers() VirtualAccount {
	v := VirtualAccount{AccountID: r.AccountID, Currency: r.Currency, AccountNumber: directDepositNumber(r.AccountID), Allocated: r.Allocated}
	if r.Currency == "USD" {
		v.RoutingNumber = DirectDepositRoutingNumber
	} else {
		v.AccountNumber += fmt.Sprintf("%02d", slices.Index(vanCurrencies, r.Currency)+1)
	}
	return v
}

// vanCurrencies are the currencies of the spec's allocateVan, in its
// order.
var vanCurrencies = strings.Fields("USD EUR GBP CAD JPY HKD AUD CHF MXN SEK NZD HUF CZK CNH DKK RUB ILS NOK SGD PLN ZAR AED KRW SAR TRY RON BGN")

// allocateVAN allocates (once per account and currency) a virtual account
// number. Called with s.mu held.
func (s *Sandbox) allocateVAN(accountID, currency string, now time.Time) {
	recs := s.vanRecords()
	for _, r := range recs {
		if r.AccountID == accountID && r.Currency == currency {
			return
		}
	}
	s.saveExtra("virtualAccounts", append(recs, vanRecord{accountID, currency, now}))
}

// vanRecords returns all allocations. Called with s.mu held.
func (s *Sandbox) vanRecords() []vanRecord {
	var out []vanRecord
	s.loadExtra("virtualAccounts", &out)
	return out
}

// VirtualAccounts returns the virtual account numbers allocated to an
// account, by currency.
func (s *Sandbox) VirtualAccounts(accountID string) []VirtualAccount {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []VirtualAccount
	for _, r := range s.vanRecords() {
		if r.AccountID == accountID {
			out = append(out, r.numbers())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

// landingDetails is what a Client Portal page shows beyond its name: the
// Direct Deposit page lists the account's routing and account numbers,
// the USD direct deposit numbers first, then the other allocations.
func (s *Sandbox) landingDetails(user, action string) string {
	if action != "DirectDeposit" && action != "DIRECT_DEBIT" {
		return ""
	}
	s.mu.Lock()
	id := s.st.Usernames[user]
	s.mu.Unlock()
	dd, err := s.DirectDeposit(id)
	if err != nil {
		return "<p>No account for " + html.EscapeString(user) + ".</p>"
	}
	rows := []VirtualAccount{{AccountID: id, Currency: "USD", RoutingNumber: dd.RoutingNumber, AccountNumber: dd.AccountNumber}}
	for _, v := range s.VirtualAccounts(id) {
		if v.Currency != "USD" {
			rows = append(rows, v)
		}
	}
	var b strings.Builder
	b.WriteString("<p>Beneficiary: " + html.EscapeString(dd.Beneficiary) + ", " + html.EscapeString(dd.BankName) + "</p>")
	b.WriteString("<table><tr><th>Account</th><th>Currency</th><th>Routing number</th><th>Account number</th></tr>")
	for _, v := range rows {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
			html.EscapeString(v.AccountID), html.EscapeString(v.Currency), v.RoutingNumber, v.AccountNumber)
	}
	b.WriteString("</table>")
	return b.String()
}
