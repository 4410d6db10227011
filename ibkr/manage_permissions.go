package ibkr

import (
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// TradingPermission is one trading permission: either an exchange group
// (from the exchange-bundles enumeration, such as "EU-IBET"), or a
// product in a country (such as STOCKS in UNITED STATES). AssetClass is
// optional with either.
type TradingPermission struct {
	// AssetClass is STK, OPT, FUT, BOND, CASH, FUND, WAR ... (optional).
	AssetClass string
	// ExchangeGroup is an exchange bundle.
	ExchangeGroup string
	// Country and Product name a bundle by market: Country is ALL or a
	// documented region (UNITED STATES, HONG KONG ...), Product one of
	// STOCKS, OPTIONS, FUTURES, FUTURES OPTIONS, BONDS, FOREX, MUTUAL
	// FUNDS, WARRANTS, SINGLE STOCK FUTURES, STOCK OPTIONS.
	Country, Product string
}

func (p TradingPermission) check(field string) error {
	if p.AssetClass != "" && !gen.TradingPermissionAssetClass(p.AssetClass).Valid() {
		return changeErr(field+".assetClass", "%q is not an asset class IBKR knows", clipText(p.AssetClass))
	}
	if p.ExchangeGroup == "" && p.Country == "" && p.Product == "" {
		return changeErr(field, "name an exchange group, or a country and a product")
	}
	if p.ExchangeGroup != "" {
		if err := checkFreeText(field+".exchangeGroup", p.ExchangeGroup, 64, true); err != nil {
			return err
		}
	}
	if (p.Country == "") != (p.Product == "") {
		return changeErr(field, "a bundle by market needs both country and product")
	}
	if p.Country != "" && !gen.TradingPermissionCountry(p.Country).Valid() {
		return changeErr(field+".country", "%q is not a documented region (ALL, UNITED STATES, HONG KONG ...)", clipText(p.Country))
	}
	if p.Product != "" && !gen.TradingPermissionProduct(p.Product).Valid() {
		return changeErr(field+".product", "%q is not a documented product (STOCKS, OPTIONS, FUTURES ...)", clipText(p.Product))
	}
	return nil
}

type tradingPermissionWire struct {
	AssetClass    string `json:"assetClass,omitempty"`
	ExchangeGroup string `json:"exchangeGroup,omitempty"`
	Country       string `json:"country,omitempty"`
	Product       string `json:"product,omitempty"`
}

func checkPermissions(field string, ps []TradingPermission) error {
	if len(ps) == 0 {
		return changeErr(field, "at least one trading permission is required")
	}
	seen := map[TradingPermission]bool{}
	for i, p := range ps {
		if err := p.check(fmt.Sprintf("%s[%d]", field, i)); err != nil {
			return err
		}
		if seen[p] {
			return changeErr(fmt.Sprintf("%s[%d]", field, i), "repeats an earlier permission")
		}
		seen[p] = true
	}
	return nil
}

func permissionsWire(ps []TradingPermission) []tradingPermissionWire {
	out := make([]tradingPermissionWire, 0, len(ps))
	for _, p := range ps {
		out = append(out, tradingPermissionWire(p))
	}
	return out
}

// AddTradingPermissions adds trading permissions to an open account
// (addTradingPermissions). New regions take effect at once, new products
// after one or two business days of compliance review. Where an exchange
// group requires a form, the holder must have signed it (attach it in
// Documents) and fully-disclosed and advisor clients must initiate the
// request themselves.
type AddTradingPermissions struct {
	AccountID   string
	Permissions []TradingPermission
	// Documents are the signed forms the permissions require, if any.
	Documents *DocumentBatch
}

// Kind implements AccountChange.
func (AddTradingPermissions) Kind() string { return "addTradingPermissions" }

// Validate implements AccountChange.
func (r AddTradingPermissions) Validate(time.Time) error {
	if err := ValidateAccountID("addTradingPermissions.accountId", r.AccountID); err != nil {
		return err
	}
	if err := checkPermissions("addTradingPermissions.tradingPermissions", r.Permissions); err != nil {
		return err
	}
	if r.Documents != nil {
		return r.Documents.Validate()
	}
	return nil
}

func (r AddTradingPermissions) payload() any {
	p := struct {
		AccountID   string                  `json:"accountId"`
		Permissions []tradingPermissionWire `json:"tradingPermissions"`
		Documents   *documentSubmissionWire `json:"documentSubmission,omitempty"`
	}{AccountID: r.AccountID, Permissions: permissionsWire(r.Permissions)}
	if r.Documents != nil {
		p.Documents = documentSubmission(r.AccountID, *r.Documents)
	}
	return p
}

// RemoveTradingPermissions removes trading permissions from an account
// (removeTradingPermissions). Requests before 17:00 US Eastern are
// processed the same day.
type RemoveTradingPermissions struct {
	AccountID   string
	Permissions []TradingPermission
}

// Kind implements AccountChange.
func (RemoveTradingPermissions) Kind() string { return "removeTradingPermissions" }

// Validate implements AccountChange.
func (r RemoveTradingPermissions) Validate(time.Time) error {
	if err := ValidateAccountID("removeTradingPermissions.accountId", r.AccountID); err != nil {
		return err
	}
	return checkPermissions("removeTradingPermissions.tradingPermissions", r.Permissions)
}

func (r RemoveTradingPermissions) payload() any {
	return struct {
		AccountID   string                  `json:"accountId"`
		Permissions []tradingPermissionWire `json:"tradingPermissions"`
	}{r.AccountID, permissionsWire(r.Permissions)}
}

// MarginType is the margin model of an account.
type MarginType string

// Margin types an account can move to. A cash account can move to
// margin; portfolio margin needs options permission and at least 110,000
// USD of net liquidation value.
const (
	// MarginRegT is rule-based margin (Reg T): 4:1 intraday, 2:1
	// overnight; minimum equity 2,000 USD.
	MarginRegT MarginType = "RegT"
	// MarginMargin is IBKR's name for Reg T margin in some requests.
	MarginMargin MarginType = "Margin"
	// MarginPortfolio is risk-based portfolio margin; below 100,000 USD
	// of equity the account is close-only.
	MarginPortfolio MarginType = "PortfolioMargin"
)

// ChangeMarginType upgrades an account's margin model (changeMarginType);
// compliance reviews it in one or two business days. Fully-disclosed and
// advisor clients must first sign the form IBKR presents (Documents).
type ChangeMarginType struct {
	AccountID string
	Margin    MarginType
	Documents *DocumentBatch
}

// Kind implements AccountChange.
func (ChangeMarginType) Kind() string { return "changeMarginType" }

// Validate implements AccountChange.
func (r ChangeMarginType) Validate(time.Time) error {
	if err := ValidateAccountID("changeMarginType.accountId", r.AccountID); err != nil {
		return err
	}
	switch r.Margin {
	case MarginRegT, MarginMargin, MarginPortfolio:
	case "Cash", "CASH":
		return changeErr("changeMarginType.newMargin", "the API upgrades margin; moving to a cash account is not a documented change")
	default:
		return changeErr("changeMarginType.newMargin", "must be RegT, Margin or PortfolioMargin")
	}
	if r.Documents != nil {
		return r.Documents.Validate()
	}
	return nil
}

func (r ChangeMarginType) payload() any {
	p := struct {
		AccountID string                  `json:"accountId"`
		NewMargin string                  `json:"newMargin"`
		Documents *documentSubmissionWire `json:"documentSubmission,omitempty"`
	}{AccountID: r.AccountID, NewMargin: string(r.Margin)}
	if r.Documents != nil {
		p.Documents = documentSubmission(r.AccountID, *r.Documents)
	}
	return p
}
