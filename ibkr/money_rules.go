package ibkr

import (
	"fmt"
	"slices"
)

// ErrCurrencyNotAllowed is the cause (InputError.Err) when a currency IBKR
// funds in is not open to the transfer method chosen (ACH in EUR, SEPA in
// USD, eDDA in USD, an IRA deposit in CAD). It wraps ErrUnknownCurrency,
// so errors.Is(err, ErrUnknownCurrency) holds as well.
var ErrCurrencyNotAllowed = fmt.Errorf("%w: currency not allowed for this transfer method", ErrUnknownCurrency)

// More transfer methods (see MethodACH and MethodWire).
const (
	// MethodSEPA sends euros to a saved SEPA destination (withdrawals
	// only).
	MethodSEPA TransferMethod = "SEPA"
	// MethodEDDA pulls HKD or CNH through an eDDA authorisation with a
	// Hong Kong bank (deposits only).
	MethodEDDA TransferMethod = "eDDA"
	// MethodOpenBanking pulls money through an open-banking provider
	// (Plaid) the account holder authorises (deposits only).
	MethodOpenBanking TransferMethod = "OPEN_BANKING"
)

// methodRule is what the documentation allows for one transfer method in
// one direction: the currencies (nil: any currency IBKR funds in) and why.
type methodRule struct {
	currencies []Currency
	why        string
}

// The methods and currencies IBKR's documentation and published document
// allow (api/NOTES.md, [money-method-currencies]). A method missing from a
// direction is not a method of that direction.
var (
	depositRules = map[TransferMethod]methodRule{
		MethodACH:         {[]Currency{USD, CAD}, "ACH moves USD (US ACH) or CAD (Canadian EFT)"},
		MethodWire:        {nil, ""},
		MethodEDDA:        {[]Currency{HKD, CNH}, "eDDA moves HKD or CNH only"},
		MethodOpenBanking: {nil, ""},
	}
	withdrawalRules = map[TransferMethod]methodRule{
		MethodACH:  {[]Currency{USD, CAD}, "ACH moves USD (US ACH) or CAD (Canadian EFT)"},
		MethodWire: {nil, ""},
		MethodSEPA: {[]Currency{EUR}, "SEPA moves EUR only"},
	}
)

// MethodCurrencies returns the currencies a transfer method accepts in one
// direction (deposit or withdrawal), and whether the method is one of that
// direction at all. A nil list means any currency IBKR funds in
// (Currencies); IBKR may still narrow that per account.
func MethodCurrencies(m TransferMethod, deposit bool) ([]Currency, bool) {
	rules := withdrawalRules
	if deposit {
		rules = depositRules
	}
	r, ok := rules[m]
	if !ok {
		return nil, false
	}
	return slices.Clone(r.currencies), true
}

// methodNames lists a direction's methods for error messages.
func methodNames(deposit bool) string {
	if deposit {
		return "ACH, WIRE, eDDA or OPEN_BANKING"
	}
	return "ACH, WIRE or SEPA"
}

// validateMethodCurrency checks a method and a currency against the
// documented rules, before a byte is sent.
func validateMethodCurrency(methodField, currencyField string, m TransferMethod, deposit bool, c Currency) error {
	rules := withdrawalRules
	if deposit {
		rules = depositRules
	}
	r, ok := rules[m]
	switch {
	case m == "":
		return invalid(methodField, "is required (%s)", methodNames(deposit))
	case !ok:
		return invalid(methodField, "must be %s", methodNames(deposit))
	}
	if err := ValidateCurrency(currencyField, c); err != nil {
		return err
	}
	if r.currencies != nil && !slices.Contains(r.currencies, c) {
		return inputErr(currencyField, ErrCurrencyNotAllowed, "%s (got %s)", r.why, c)
	}
	return nil
}
