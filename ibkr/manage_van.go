package ibkr

import (
	"context"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// Routing for pushed funds.
//
// A money-routing app pushes an ACH credit to an IBKR account through the
// account's own routing and account number: the virtual account number
// (VAN) IBKR allocates to it. The allocation is an account maintenance
// kind (AllocateVAN). IBKR documents no API answer that carries the
// allocated numbers back, and no query that reads them: the Client
// Portal's Direct Deposit page shows them (LandingDirectDeposit, opened
// with Client.OpenDirectDepositPage). See api/NOTES.md [van-read-back].

// LandingDirectDeposit is the Client Portal's Direct Deposit/Debit page,
// which shows the account's routing and account number for pushed ACH
// credits (ACTION=DirectDeposit).
const LandingDirectDeposit LandingPage = "DirectDeposit"

// DirectDepositLink is the deep link to the Direct Deposit page of
// account (empty: the user's default account).
func DirectDepositLink(account string) *DeepLink {
	return &DeepLink{Page: LandingDirectDeposit, AutoSelect: account}
}

// AllocateVAN asks IBKR to allocate a virtual account number to an
// account for deposits in Currency (allocateVan): the routing and account
// number a bank or app pushes funds to (for USD, an ACH credit). IBKR's
// answer carries only the request's id and status; read the numbers on the
// Direct Deposit page (Client.OpenDirectDepositPage).
type AllocateVAN struct {
	AccountID string
	// Currency is the deposit currency, one IBKR allocates numbers for
	// (USD, EUR, GBP, CAD, JPY, HKD, AUD, CHF ...).
	Currency Currency
	// Country is the ISO alpha-3 country of the banking network (such
	// as USA for ACH); optional.
	Country string
}

// Kind implements AccountChange.
func (AllocateVAN) Kind() string { return "allocateVan" }

// Validate implements AccountChange.
func (r AllocateVAN) Validate(time.Time) error {
	if err := ValidateAccountID("allocateVan.accountId", r.AccountID); err != nil {
		return err
	}
	if !gen.AllocateVANCurrency(r.Currency).Valid() {
		return changeErr("allocateVan.currency", "%q is not a currency IBKR allocates account numbers for", clipText(string(r.Currency)))
	}
	if r.Country != "" {
		return ValidateCountryCode("allocateVan.countryCode", r.Country)
	}
	return nil
}

func (r AllocateVAN) payload() any {
	return struct {
		AccountID   string `json:"accountId"`
		Currency    string `json:"currency"`
		CountryCode string `json:"countryCode,omitempty"`
	}{r.AccountID, string(r.Currency), r.Country}
}

// OpenDirectDepositPage opens an SSO session on the Client Portal's
// Direct Deposit page of account for the user credential, from the end
// user's ip (see CreateSSOSession): the page shows the routing and account
// number to push funds to, which no API call returns.
func (c *Client) OpenDirectDepositPage(ctx context.Context, credential, ip, account string) (*SSOSession, error) {
	return c.CreateSSOSession(ctx, credential, ip, DirectDepositLink(account))
}
