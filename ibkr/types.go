package ibkr

import (
	"errors"
	"strings"

	"github.com/ibkrweb/ibkr-go/wire"
)

// Decimal is an exact decimal amount (money, quantities, rates). It encodes
// as a bare JSON number exactly as written and never passes through a
// float. See [wire.Decimal].
type Decimal = wire.Decimal

// ID is an exact whole-number identifier of up to 20 digits, such as a
// clientInstructionId or an instructionId. See [wire.ID].
type ID = wire.ID

// ParseDecimal reads an exact decimal such as "500.00". A malformed or
// out-of-range value ("NaN", "1e400", "$500.00", "1,000.00") is an
// *InputError matching ErrInvalidInput and [wire.ErrInvalidDecimal]; use
// ParseAmount to have the error name the field.
func ParseDecimal(s string) (Decimal, error) { return parseDecimalField("", s) }

// ParseAmount reads a money amount typed or received as text, such as a
// form field or a flag: plain decimal notation only ([-]digits[.digits];
// no currency sign, thousands separator, exponent, NaN or infinity). A
// refusal is an *InputError naming field and matching ErrInvalidInput and
// ErrAmount. The value's sign, scale and limits are checked by
// ValidateAmount and the request's own Validate.
func ParseAmount(field, s string) (Decimal, error) {
	if strings.ContainsAny(s, "eE") {
		return Decimal{}, inputErr(field, ErrAmount, "must be a plain decimal amount such as 500.00 (no exponent)")
	}
	d, err := wire.ParseDecimal(s)
	if err != nil {
		return Decimal{}, &InputError{Field: field, Reason: "must be a plain decimal amount such as 500.00 (digits and one point; no currency sign, separators or exponent)",
			Err: errors.Join(ErrAmount, err)}
	}
	return d, nil
}

func parseDecimalField(field, s string) (Decimal, error) {
	d, err := wire.ParseDecimal(s)
	if err != nil {
		return Decimal{}, &InputError{Field: field, Reason: "must be an exact decimal such as 500.00", Err: err}
	}
	return d, nil
}

// MustDecimal is ParseDecimal for constants; it panics on bad input.
func MustDecimal(s string) Decimal { return wire.MustDecimal(s) }

// ParseID reads an identifier of at most 20 digits.
func ParseID(s string) (ID, error) { return wire.ParseID(s) }

// NewID returns the identifier n.
func NewID(n uint64) ID { return wire.NewID(n) }
