package ibkr

import (
	"errors"
	"slices"
)

// ErrUnknownCurrency is the cause (InputError.Err) when a currency code is
// not one IBKR moves money in.
var ErrUnknownCurrency = errors.New("ibkr: unknown currency")

// Currency is an ISO 4217 currency code as IBKR spells it: three upper-case
// letters. IBKR also uses the non-ISO code CNH for offshore renminbi.
type Currency string

// The currencies IBKR funds in: the currency enumeration of IBKR's deposit
// notification and base-currency schemas. Not every currency is open to
// every account and method (ACH is USD only); IBKR decides that per account.
const (
	AED Currency = "AED" // UAE dirham
	AUD Currency = "AUD" // Australian dollar
	BGN Currency = "BGN" // Bulgarian lev
	CAD Currency = "CAD" // Canadian dollar
	CHF Currency = "CHF" // Swiss franc
	CNH Currency = "CNH" // offshore renminbi (IBKR's code; not ISO 4217)
	CZK Currency = "CZK" // Czech koruna
	DKK Currency = "DKK" // Danish krone
	EUR Currency = "EUR" // euro
	GBP Currency = "GBP" // pound sterling
	HKD Currency = "HKD" // Hong Kong dollar
	HUF Currency = "HUF" // Hungarian forint
	ILS Currency = "ILS" // Israeli new shekel
	JPY Currency = "JPY" // Japanese yen
	KRW Currency = "KRW" // South Korean won
	MXN Currency = "MXN" // Mexican peso
	NOK Currency = "NOK" // Norwegian krone
	NZD Currency = "NZD" // New Zealand dollar
	PLN Currency = "PLN" // Polish złoty
	RON Currency = "RON" // Romanian leu
	RUB Currency = "RUB" // Russian ruble
	SAR Currency = "SAR" // Saudi riyal
	SEK Currency = "SEK" // Swedish krona
	SGD Currency = "SGD" // Singapore dollar
	TRY Currency = "TRY" // Turkish lira
	USD Currency = "USD" // US dollar
	ZAR Currency = "ZAR" // South African rand
)

// minorUnits maps each supported currency to its ISO 4217 minor units: the
// number of decimals an amount in it may carry.
var minorUnits = map[Currency]int{
	AED: 2, AUD: 2, BGN: 2, CAD: 2, CHF: 2, CNH: 2, CZK: 2, DKK: 2, EUR: 2,
	GBP: 2, HKD: 2, HUF: 2, ILS: 2, JPY: 0, KRW: 0, MXN: 2, NOK: 2, NZD: 2,
	PLN: 2, RON: 2, RUB: 2, SAR: 2, SEK: 2, SGD: 2, TRY: 2, USD: 2, ZAR: 2,
}

// Known reports whether c is one of the currencies IBKR funds in.
func (c Currency) Known() bool {
	_, ok := minorUnits[c]
	return ok
}

// MinorUnits returns the number of decimals an amount in c may carry (2 for
// USD, 0 for JPY), or -1 if c is not a known currency.
func (c Currency) MinorUnits() int {
	if n, ok := minorUnits[c]; ok {
		return n
	}
	return -1
}

// String returns the code.
func (c Currency) String() string { return string(c) }

// Currencies returns the supported currencies in alphabetical order.
func Currencies() []Currency {
	out := make([]Currency, 0, len(minorUnits))
	for c := range minorUnits {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// ParseCurrency returns the Currency for an upper-case code such as "USD".
// An unknown or malformed code is an *InputError for field "currency" whose
// cause is ErrUnknownCurrency.
func ParseCurrency(code string) (Currency, error) {
	if err := ValidateCurrency("currency", Currency(code)); err != nil {
		return "", err
	}
	return Currency(code), nil
}

// ValidateCurrency checks that c is a supported currency code and names
// field in the error.
func ValidateCurrency(field string, c Currency) error {
	if c == "" {
		return inputErr(field, ErrUnknownCurrency, "is required")
	}
	if c.Known() {
		return nil
	}
	if len(c) == 3 && isUpperASCII(string(c)) {
		return inputErr(field, ErrUnknownCurrency, "%q is not a currency IBKR funds in", string(c))
	}
	if up := Currency(upperASCII(string(c))); up.Known() {
		return inputErr(field, ErrUnknownCurrency, "must be upper-case (%s)", string(up))
	}
	return inputErr(field, ErrUnknownCurrency, "must be a three-letter ISO 4217 code")
}

func isUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
