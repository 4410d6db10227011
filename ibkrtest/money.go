package ibkrtest

import (
	"hash/fnv"
	"regexp"

	"github.com/ibkrweb/ibkr-go/wire"
)

// WithdrawalLimitUSD is the most a single API withdrawal may move; larger
// withdrawals go through IBKR's portal.
var WithdrawalLimitUSD = wire.MustDecimal("100000")

// Currencies the sandbox accepts (IBKR's base currencies).
var currencies = map[string]bool{}

func init() {
	for _, c := range []string{"USD", "EUR", "GBP", "CAD", "JPY", "HKD", "AUD", "CHF", "MXN", "SEK", "NZD", "HUF",
		"CZK", "CNH", "DKK", "RUB", "ILS", "NOK", "SGD", "PLN", "ZAR", "AED", "KRW", "SAR", "TRY", "RON", "BGN"} {
		currencies[c] = true
	}
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// add returns a+b. Both are first trimmed of trailing zeros beyond cents,
// so that an amount such as 1.000000000000000000 (whole cents, accepted)
// cannot push the balance's scale so high that later sums overflow.
func add(a, b wire.Decimal) wire.Decimal {
	s, err := trimCents(a).Add(trimCents(b))
	if err != nil {
		return a
	}
	return s
}

// trimCents drops trailing zeros of d beyond two decimals; the value is
// unchanged.
func trimCents(d wire.Decimal) wire.Decimal {
	c, sc := d.Coefficient(), d.Scale()
	for sc > 2 && c%10 == 0 {
		c /= 10
		sc--
	}
	return wire.NewDecimal(c, sc)
}

func sub(a, b wire.Decimal) wire.Decimal { return add(a, b.Neg()) }

func (a *account) cash(ccy string) wire.Decimal { return a.Cash[ccy] }

// withdrawable is cash minus what pending withdrawals and scheduled
// transfers hold.
func (a *account) withdrawable(ccy string) wire.Decimal {
	w := sub(a.Cash[ccy], a.Holds[ccy])
	if w.Sign() < 0 {
		return wire.Decimal{}
	}
	return w
}

func (a *account) credit(ccy string, amt wire.Decimal) {
	if a.Cash == nil {
		a.Cash = map[string]wire.Decimal{}
	}
	a.Cash[ccy] = add(a.Cash[ccy], amt)
}

func (a *account) hold(ccy string, amt wire.Decimal) {
	if a.Holds == nil {
		a.Holds = map[string]wire.Decimal{}
	}
	a.Holds[ccy] = add(a.Holds[ccy], amt)
}

// ValidRoutingNumber reports whether s is nine digits passing the ABA
// checksum: 3(d1+d4+d7) + 7(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10).
func ValidRoutingNumber(s string) bool {
	if len(s) != 9 {
		return false
	}
	var d [9]int
	for i := 0; i < 9; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		d[i] = int(s[i] - '0')
	}
	sum := 3*(d[0]+d[3]+d[6]) + 7*(d[1]+d[4]+d[7]) + (d[2] + d[5] + d[8])
	return sum%10 == 0
}

// Routing numbers that pass the ABA checksum and pick each ACH outcome
// (see the package documentation for the rule).
const (
	// RoutingNumberMicroDeposits ends in PENDING_VERIFICATION (8th digit 0).
	RoutingNumberMicroDeposits = "110000000"
	// RoutingNumberVerified ends in PROCESSED without micro-deposits (8th digit 6).
	RoutingNumberVerified = "110000068"
	// RoutingNumberRejected ends in REJECTED (8th digit 8).
	RoutingNumberRejected = "110000084"
	// RoutingNumberSlow stays PENDING for Timings.ACHSlowVerification, then
	// PENDING_VERIFICATION (8th digit 9).
	RoutingNumberSlow = "110000097"
)

// achOutcome maps a valid routing number to the status its ACH instruction
// reaches after verification, and whether verification is the slow kind.
func achOutcome(routing string) (status string, slow bool) {
	switch d := routing[7]; {
	case d <= '5':
		return StatusPendingVerification, false
	case d <= '7':
		return StatusProcessed, false
	case d == '8':
		return StatusRejected, false
	default:
		return StatusPendingVerification, true
	}
}

// microAmounts derives the two micro-deposit credits for an instruction
// id: two different amounts between 0.01 and 0.99, from FNV-1a of the
// decimal id.
func microAmounts(instructionID uint64) [2]wire.Decimal {
	h := fnv.New64a()
	h.Write([]byte(itoa(instructionID)))
	v := h.Sum64()
	a := int64(v%99) + 1
	b := int64((v/99)%99) + 1
	if b == a {
		b = a%99 + 1
	}
	return [2]wire.Decimal{wire.NewDecimal(a, 2), wire.NewDecimal(b, 2)}
}

func last4(s string) string {
	if len(s) <= 4 {
		return s
	}
	return s[len(s)-4:]
}

// mask renders a bank account number the way the sandbox reports it.
func mask(last4 string) string { return "****" + last4 }
