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
)

// Maintenance kinds that change what the sandbox answers later:
//
//   - completeLoginMessage marks the named login messages COMPLETED (each
//     must be one of the account's);
//   - updateExternalId gives the account a new externalId (not one another
//     account uses), which the account listing and lookups then answer;
//   - changeAccountHolderDetail takes the first individual's new name and
//     email into the account's details;
//   - processDocuments and updateW8Ben complete the account's
//     registration tasks for the documents' forms;
//   - allocateVan allocates a virtual account number for a currency:
//     a deterministic routing and account number pair (VirtualAccounts),
//     shown where IBKR shows it, on the Client Portal's Direct Deposit
//     page behind an SSO session (ACTION=DirectDeposit).
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

// simulateMaintenance applies the kinds that change state. Called with
// s.mu held, after the account was found open.
func (s *Sandbox) simulateMaintenance(kind string, acct *account, body json.RawMessage, now time.Time) error {
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
			return bad("loginMessageIds is empty")
		}
		for _, id := range x.IDs {
			if !slices.ContainsFunc(acct.LoginMsgs, func(m loginMessage) bool { return m.ID == id }) {
				return bad(fmt.Sprintf("account %s has no login message %d", acct.ID, id))
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
			return bad("newExternalId is required")
		}
		for _, a := range s.st.Accounts {
			if a != acct && a.ExternalID == x.New {
				return bad("externalId " + x.New + " belongs to account " + a.ID)
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
			return bad("newAccountHolderDetails is empty")
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
			return bad("no documents")
		}
		forms := make([]int, 0, len(x.Documents))
		for _, d := range x.Documents {
			forms = append(forms, d.FormNumber)
		}
		s.completeTasks(acct, forms, now)
	case "allocateVan":
		var x struct {
			Currency string `json:"currency"`
		}
		_ = json.Unmarshal(body, &x)
		if x.Currency == "" {
			return bad("currency is required")
		}
		s.allocateVAN(acct.ID, x.Currency, now)
	}
	return nil
}

// VirtualAccount is a virtual account number the sandbox allocated to
// an account (allocateVan): where a bank or money-routing app pushes
// funds in Currency. RoutingNumber is a 9-digit ABA number with a valid
// check digit; AccountNumber is 15 digits (ACH allows 17): 7, the
// account id's digits padded to 12, and the currency's place in the
// spec's list.
type VirtualAccount struct {
	AccountID     string    `json:"accountId"`
	Currency      string    `json:"currency"`
	RoutingNumber string    `json:"routingNumber"`
	AccountNumber string    `json:"accountNumber"`
	Allocated     time.Time `json:"allocated"`
}

// sandboxRoutingBase is the first eight digits of the sandbox's routing
// number; abaCheckDigit completes it.
const sandboxRoutingBase = "09100001"

// abaCheckDigit is the digit that makes an ABA routing number's weighted
// sum (3, 7, 1, repeated) a multiple of ten.
func abaCheckDigit(first8 string) byte {
	w := [8]int{3, 7, 1, 3, 7, 1, 3, 7}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(first8[i]-'0') * w[i]
	}
	return byte('0' + (10-sum%10)%10)
}

// allocateVAN allocates (once per account and currency) a virtual account
// number. Called with s.mu held.
func (s *Sandbox) allocateVAN(accountID, currency string, now time.Time) VirtualAccount {
	vans := s.virtualAccounts()
	for _, v := range vans {
		if v.AccountID == accountID && v.Currency == currency {
			return v
		}
	}
	digits := strings.TrimLeft(accountID, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	if len(digits) < 12 {
		digits = strings.Repeat("0", 12-len(digits)) + digits
	}
	v := VirtualAccount{AccountID: accountID, Currency: currency,
		RoutingNumber: sandboxRoutingBase + string(abaCheckDigit(sandboxRoutingBase)),
		AccountNumber: fmt.Sprintf("7%s%02d", digits, currencyIndex(currency)), Allocated: now}
	vans = append(vans, v)
	b, _ := json.Marshal(vans)
	if s.st.Extra == nil {
		s.st.Extra = map[string]json.RawMessage{}
	}
	s.st.Extra["virtualAccounts"] = b
	return v
}

// vanCurrencies are the currencies of the spec's allocateVan, in its
// order; a currency's position is part of its account number.
var vanCurrencies = strings.Fields("USD EUR GBP CAD JPY HKD AUD CHF MXN SEK NZD HUF CZK CNH DKK RUB ILS NOK SGD PLN ZAR AED KRW SAR TRY RON BGN")

func currencyIndex(c string) int { return slices.Index(vanCurrencies, c) + 1 }

// virtualAccounts returns all allocations. Called with s.mu held.
func (s *Sandbox) virtualAccounts() []VirtualAccount {
	var out []VirtualAccount
	if raw, ok := s.st.Extra["virtualAccounts"]; ok {
		_ = json.Unmarshal(raw, &out)
	}
	return out
}

// VirtualAccounts returns the virtual account numbers allocated to an
// account, by currency.
func (s *Sandbox) VirtualAccounts(accountID string) []VirtualAccount {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []VirtualAccount
	for _, v := range s.virtualAccounts() {
		if v.AccountID == accountID {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

// landingDetails is what a Client Portal page shows beyond its name: the
// Direct Deposit page lists the account's routing and account numbers.
func (s *Sandbox) landingDetails(user, action string) string {
	if action != "DirectDeposit" && action != "DIRECT_DEBIT" {
		return ""
	}
	s.mu.Lock()
	id := s.st.Usernames[user]
	s.mu.Unlock()
	vans := s.VirtualAccounts(id)
	if len(vans) == 0 {
		return "<p>No direct deposit numbers allocated for " + html.EscapeString(id) + ".</p>"
	}
	var b strings.Builder
	b.WriteString("<table><tr><th>Account</th><th>Currency</th><th>Routing number</th><th>Account number</th></tr>")
	for _, v := range vans {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
			html.EscapeString(v.AccountID), html.EscapeString(v.Currency), v.RoutingNumber, v.AccountNumber)
	}
	b.WriteString("</table>")
	return b.String()
}
