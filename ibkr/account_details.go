package ibkr

import (
	"context"
	"net/http"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// AccountDetails is the profile of an account as IBKR reports it (GET
// /gw/api/v1/accounts/{accountId}/details): the facts callers commonly
// need. Tax ids and the rest of the answer are left out; Raw() reaches
// the full answer.
type AccountDetails struct {
	AccountID, Title, Alias string
	// UserName is the account's primary user; Email its address.
	UserName, Email string
	ExternalID      string
	MasterAccountID string
	// ApplicantType is e.g. INDIVIDUAL or JOINT.
	ApplicantType string
	BaseCurrency  Currency
	// Margin is the margin type, e.g. Cash, RegT or PortfolioMargin.
	Margin string
	// Status is the account's status, StatusDescription IBKR's wording.
	Status            AccountStatus
	StatusDescription string
	// Begun, Approved, Opened, Funded and Closed are the account's dates
	// (zero when not reached).
	Begun, Approved, Opened, Funded, Closed time.Time
	// TradeBundles are the account's trading permission bundles.
	TradeBundles []string
	// Restrictions are the trading restrictions on the account (see
	// ApplyRestrictions).
	Restrictions []Restriction
}

// Restriction is a trading restriction on an account.
type Restriction struct {
	// ID is IBKR's id of the restriction.
	ID int
	// Name names the restriction.
	Name string
	// ByIBKR says IBKR placed it; a restriction list cannot lift it.
	ByIBKR bool
}

// AccountDetails returns an account's profile.
func (c *Client) AccountDetails(ctx context.Context, accountID string) (*AccountDetails, error) {
	if err := ValidateAccountID("accountId", accountID); err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{
		op: optable.OpGetAccountsDetails,
		build: func(server string) (*http.Request, error) {
			return gen.NewGetAccountsDetailsRequest(server, accountID)
		},
	}, gen.ParseGetAccountsDetailsResponse)
	res, err := typedAnswer(r, err, (*gen.GetAccountsDetailsResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	if unptr(res.HasError) {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "getAccountsDetails"}, StatusCode: 200, Message: clipText(unptr(res.ErrorDescription))}
	}
	a := unptr(res.Account)
	day := func(s *string) time.Time {
		t, _ := time.Parse(DateLayout, unptr(s))
		return t
	}
	return &AccountDetails{
		AccountID: unptr(a.AccountId), Title: unptr(a.AccountTitle), Alias: unptr(a.AccountAlias),
		UserName: unptr(a.PrimaryUser), Email: unptr(a.EmailAddress), ExternalID: unptr(a.ExternalId),
		MasterAccountID: unptr(a.MasterAccountId), ApplicantType: unptr(a.ApplicantType),
		BaseCurrency: Currency(unptr(a.BaseCurrency)), Margin: unptr(a.Margin),
		Status: AccountStatus(unptr(a.ClearingStatus)), StatusDescription: unptr(a.ClearingStatusDescription),
		Begun: day(a.DateBegun), Approved: day(a.DateApproved), Opened: day(a.DateOpened), Funded: day(a.DateFunded),
		Closed: day(a.DateClosed), TradeBundles: unptrSlice(res.TradeBundles),
		Restrictions: restrictionsOf(unptrSlice(res.Restrictions)),
	}, nil
}

// KYCLink is an Au10tix instant-verification link for an applicant
// (tasks 8137 and 8437): the applicant opens it (or scans it as a QR code)
// to verify their identity with photos of their ID and a selfie.
type KYCLink struct {
	// URL is the link; it is valid from Start to Expiry (24 hours).
	URL           string
	Start, Expiry time.Time
	// State is the verification's state.
	State string
	// ExternalID is the caller's id of the individual.
	ExternalID string
}

// AccountKYC returns a fresh Au10tix verification link for an
// application (GET /gw/api/v1/accounts/{accountId}/kyc), for when the one
// in its pending tasks expired.
func (c *Client) AccountKYC(ctx context.Context, accountID string) (*KYCLink, error) {
	if err := ValidateAccountID("accountId", accountID); err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{
		op: optable.OpGetAccountsKyc,
		build: func(server string) (*http.Request, error) {
			return gen.NewGetAccountsKycRequest(server, accountID)
		},
	}, gen.ParseGetAccountsKycResponse)
	res, err := typedAnswer(r, err, (*gen.GetAccountsKycResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	if unptr(res.HasError) {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "getAccountsKyc"}, StatusCode: 200, Message: clipText(unptr(res.ErrorDescription))}
	}
	return &KYCLink{URL: unptr(res.Url), Start: unptr(res.StartDate), Expiry: unptr(res.ExpiryDate),
		State: unptr(res.State), ExternalID: unptr(res.ExternalId)}, nil
}
