package ibkr

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"
)

// ErrDeepLink is the cause (InputError.Err) when a portal deep link or an
// SSO session request cannot be built.
var ErrDeepLink = errors.New("ibkr: invalid SSO deep link")

// LandingPage is a Client Portal page an SSO session opens on: IBKR's
// ACTION parameter. The constants are the commonly used pages; other
// documented ACTION values work too.
type LandingPage string

// Commonly used landing pages.
const (
	// LandingStatements opens activity statements.
	LandingStatements LandingPage = "Statement"
	// LandingTransferFunds opens Transfer & Pay; narrow it with
	// DeepLink.Method, Direction and Currency.
	LandingTransferFunds LandingPage = "TransferFunds"
	// LandingACHDeposit opens the ACH deposit page.
	LandingACHDeposit LandingPage = "ACHDeposits"
	// LandingACHWithdrawal opens the ACH withdrawal page.
	LandingACHWithdrawal LandingPage = "ACHWithdrawals"
	// LandingWireWithdrawal opens the wire withdrawal page (where wire
	// withdrawal instructions are created; the API cannot create them).
	LandingWireWithdrawal LandingPage = "WireWithdrawals"
	// LandingSavedFundingInfo opens saved banking and recurring
	// instructions.
	LandingSavedFundingInfo LandingPage = "FundingInstructions"
	// LandingTransactionHistory opens the transaction history.
	LandingTransactionHistory LandingPage = "TransactionHistory"
	// LandingTransferPositions opens position transfers.
	LandingTransferPositions LandingPage = "TransferPositions"
	// LandingTaxForms opens tax reports.
	LandingTaxForms LandingPage = "RM_TAX_FORMS"
	// LandingPendingItems opens the user's pending items (documents and
	// tasks to complete).
	LandingPendingItems LandingPage = "DOC"
	// LandingAccountSettings opens one settings page, named by
	// DeepLink.Settings.
	LandingAccountSettings LandingPage = "AccountSettings"
)

// SettingsPage is a page under LandingAccountSettings: IBKR's config
// parameter.
type SettingsPage string

// Commonly used settings pages.
const (
	SettingsTradingPermissions SettingsPage = "TradingPermissions"
	SettingsProfile            SettingsPage = "Profile"
	SettingsBaseCurrency       SettingsPage = "BaseCurrency"
	SettingsFinancialProfile   SettingsPage = "FinancialInfo"
	SettingsAccountType        SettingsPage = "AccountType"
	SettingsPricingPlan        SettingsPage = "ibkrLite"
	SettingsDividendElection   SettingsPage = "DividendReinvestment"
	SettingsStockYieldProgram  SettingsPage = "SYEP"
	SettingsAccountAlias       SettingsPage = "AccountAlias"
	SettingsCloseAccount       SettingsPage = "CloseAccount"
)

// PortalMethod is the funding method a Transfer Funds link preselects.
type PortalMethod string

// Funding methods the Transfer Funds page accepts.
const (
	PortalACH  PortalMethod = "ACH"
	PortalWire PortalMethod = "WIRE"
	PortalEDDA PortalMethod = "EDDA"
	PortalEFT  PortalMethod = "EFT"
)

// PortalDirection is the direction a Transfer Funds link preselects.
type PortalDirection string

// Directions the Transfer Funds page accepts.
const (
	PortalDeposit    PortalDirection = "DEPOSIT"
	PortalWithdrawal PortalDirection = "WITHDRAWAL"
)

// DeepLink says where an SSO session lands in the Client Portal. Apply it
// to the URL of a new SSO browser session.
//
//	DeepLink{Page: LandingStatements}
//	DeepLink{Page: LandingAccountSettings, Settings: SettingsTradingPermissions}
//	DeepLink{Page: LandingTransferFunds, Method: PortalACH, Direction: PortalDeposit, Currency: USD}
type DeepLink struct {
	// Page is the landing page (ACTION).
	Page LandingPage
	// Settings is the settings page; required with LandingAccountSettings
	// and refused with any other page.
	Settings SettingsPage
	// Method, Direction and Currency preselect the Transfer Funds page;
	// each is optional and refused with any other page.
	Method    PortalMethod
	Direction PortalDirection
	Currency  Currency
	// AutoSelect preselects this account (for users with linked accounts).
	AutoSelect string
}

// Validate checks the link's parts and how they combine.
func (l DeepLink) Validate() error {
	if l.Page == "" {
		return inputErr("ACTION", ErrDeepLink, "a landing page is required")
	}
	if !portalWord(string(l.Page)) {
		return inputErr("ACTION", ErrDeepLink, "must be letters and underscores, as IBKR documents its pages")
	}
	if l.Page == LandingAccountSettings {
		if l.Settings == "" {
			return inputErr("config", ErrDeepLink, "LandingAccountSettings needs a settings page")
		}
		if !portalWord(string(l.Settings)) {
			return inputErr("config", ErrDeepLink, "must be letters and underscores")
		}
	} else if l.Settings != "" {
		return inputErr("config", ErrDeepLink, "settings pages go with LandingAccountSettings only")
	}
	transfer := l.Method != "" || l.Direction != "" || l.Currency != ""
	if transfer && l.Page != LandingTransferFunds {
		return inputErr("method", ErrDeepLink, "method, type and currency go with LandingTransferFunds only")
	}
	switch l.Method {
	case "", PortalACH, PortalWire, PortalEDDA, PortalEFT:
	default:
		return inputErr("method", ErrDeepLink, "must be ACH, WIRE, EDDA or EFT")
	}
	switch l.Direction {
	case "", PortalDeposit, PortalWithdrawal:
	default:
		return inputErr("type", ErrDeepLink, "must be DEPOSIT or WITHDRAWAL")
	}
	if l.Currency != "" {
		if err := ValidateCurrency("currency", l.Currency); err != nil {
			return err
		}
	}
	if l.AutoSelect != "" {
		if err := ValidateAccountID("autoSelect", l.AutoSelect); err != nil {
			return err
		}
	}
	return nil
}

// Values returns the query parameters of the link, with IBKR's exact
// (case-sensitive) names.
func (l DeepLink) Values() (url.Values, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	v := url.Values{"ACTION": {string(l.Page)}}
	if l.Settings != "" {
		v.Set("config", string(l.Settings))
	}
	if l.Method != "" {
		v.Set("method", string(l.Method))
	}
	if l.Direction != "" {
		v.Set("type", string(l.Direction))
	}
	if l.Currency != "" {
		v.Set("currency", string(l.Currency))
	}
	if l.AutoSelect != "" {
		v.Set("autoSelect", l.AutoSelect)
		v.Set("noPickerClear", "T")
	}
	return v, nil
}

// Apply returns sessionURL, the single-use URL IBKR returned for an SSO
// browser session, with the link's parameters added. The session's own
// parameters (its SID) are kept byte for byte. The URL must be https and
// must not already carry any of the link's parameters (http is accepted
// for loopback hosts only, such as the local sandbox).
func (l DeepLink) Apply(sessionURL string) (string, error) {
	v, err := l.Values()
	if err != nil {
		return "", err
	}
	u, err := url.Parse(sessionURL)
	if err != nil || u.Host == "" || u.User != nil || !(u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) {
		return "", inputErr("url", ErrDeepLink, "the SSO session URL must be an absolute https URL (http only on a loopback host, such as the sandbox)")
	}
	have, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", inputErr("url", ErrDeepLink, "the SSO session URL has a malformed query")
	}
	for k := range have {
		for name := range v {
			if strings.EqualFold(k, name) {
				return "", inputErr("url", ErrDeepLink, "the SSO session URL already sets %s", name)
			}
		}
	}
	if u.RawQuery == "" {
		u.RawQuery = v.Encode()
	} else {
		u.RawQuery += "&" + v.Encode()
	}
	return u.String(), nil
}

func portalWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_') {
			return false
		}
	}
	return s != ""
}

// ValidateSSOSession checks the two inputs of an SSO browser session
// (POST /gw/api/v1/sso-browser-sessions): credential, the user's IBKR
// username, and ip, the address of the end user's own computer. IBKR
// only lets the session's URL be opened from that address, so private,
// shared (carrier-grade NAT, 100.64.0.0/10), loopback, link-local,
// broadcast, "this network" (0.0.0.0/8), documentation and other reserved
// addresses (a proxy's or a server's, the classic mistake) are refused, as
// is an address with a port.
func ValidateSSOSession(credential, ip string) error {
	if credential == "" {
		return inputErr("credential", ErrDeepLink, "the user's IBKR username is required")
	}
	for i := 0; i < len(credential); i++ {
		if c := credential[i]; c <= 0x20 || c > 0x7e {
			return inputErr("credential", ErrDeepLink, "an IBKR username is printable ASCII without spaces")
		}
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		if _, perr := netip.ParseAddrPort(ip); perr == nil {
			return inputErr("ip", ErrDeepLink, "must be an address without a port")
		}
		return inputErr("ip", ErrDeepLink, "must be an IPv4 or IPv6 address")
	}
	addr = addr.Unmap()
	if addr.Zone() != "" || !publicUnicast(addr) {
		return inputErr("ip", ErrDeepLink, "must be the end user's public address, not a private, shared (carrier-grade NAT), loopback, link-local, broadcast or reserved one")
	}
	return nil
}

// nonPublic lists special-purpose ranges (IANA registries, RFC 6890) no
// end user's browser reaches IBKR from, beyond those netip classifies.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (carrier-grade NAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and 255.255.255.255 broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments (Teredo, ORCHID, ...)
	netip.MustParsePrefix("2002::/16"),       // 6to4 relays, not an end user's address
	netip.MustParsePrefix("3fff::/20"),       // documentation
	netip.MustParsePrefix("5f00::/16"),       // segment routing SIDs
}

// publicUnicast reports a globally routable unicast address.
func publicUnicast(a netip.Addr) bool {
	if !a.IsGlobalUnicast() || a.IsPrivate() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
