package wire

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// MaxScale is the largest number of digits after the decimal point a
// Decimal keeps.
const MaxScale = 18

// ErrInvalidDecimal reports text that is not an exact decimal number, or one
// that does not fit a Decimal (19 significant digits, at most MaxScale
// decimals).
var ErrInvalidDecimal = errors.New("wire: invalid decimal")

// Decimal is an exact decimal number: an integer coefficient and a count of
// digits after the point. 123.45 is coefficient 12345 at scale 2. The scale
// is kept as read, so "500.00" encodes back as "500.00".
//
// The zero value is 0. Decimals are comparable values; use [Decimal.Cmp]
// for numeric order, since 1.0 and 1.00 are numerically equal but not ==.
type Decimal struct {
	coef  int64
	scale uint8
}

// NewDecimal returns coef × 10^-scale; NewDecimal(12345, 2) is 123.45.
// It panics if scale is negative or exceeds MaxScale, or if coef is
// math.MinInt64 (coefficients are kept within ±math.MaxInt64 so that
// [Decimal.Neg] is always exact).
func NewDecimal(coef int64, scale int) Decimal {
	if scale < 0 || scale > MaxScale {
		panic("wire: decimal scale out of range")
	}
	if coef == math.MinInt64 {
		panic("wire: decimal coefficient out of range")
	}
	return Decimal{coef: coef, scale: uint8(scale)}
}

// MustDecimal parses s and panics on failure; for constants in tests and
// examples.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// ParseDecimal reads a decimal in plain ("-12.30") or exponent ("1.5e2")
// notation. It never rounds: a value with more than MaxScale decimals or
// more than 19 significant digits is an error wrapping ErrInvalidDecimal.
func ParseDecimal(s string) (Decimal, error) {
	if d, ok := parsePlain(s); ok {
		return d, nil
	}
	if strings.ContainsAny(s, "eE") {
		return parseExp(s)
	}
	return Decimal{}, fmt.Errorf("%w: %q", ErrInvalidDecimal, clip(s))
}

// parsePlain is the allocation-free fast path for [-]digits[.digits].
func parsePlain(s string) (Decimal, bool) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var coef uint64
	digits, scale, seenPoint := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if coef > (math.MaxInt64-uint64(c-'0'))/10 {
				return Decimal{}, false
			}
			coef = coef*10 + uint64(c-'0')
			digits++
			if seenPoint {
				scale++
			}
		case c == '.' && !seenPoint:
			seenPoint = true
			if i+1 == len(s) {
				return Decimal{}, false
			}
		default:
			return Decimal{}, false
		}
	}
	if digits == 0 || scale > MaxScale || coef > math.MaxInt64 {
		return Decimal{}, false
	}
	v := int64(coef)
	if neg {
		v = -v
	}
	return Decimal{coef: v, scale: uint8(scale)}, true
}

// parseExp reads exponent notation exactly; the result has the smallest
// scale that represents the value (1.50e1 is 15, 1.5e-1 is 0.15).
func parseExp(s string) (Decimal, error) {
	n, huge, ok := parseSci(s)
	if !ok {
		return Decimal{}, fmt.Errorf("%w: %q", ErrInvalidDecimal, clip(s))
	}
	if n.digits == "" && !huge {
		return Decimal{}, nil
	}
	digits, scale := n.digits, 0
	switch {
	case huge || len(digits) > 19:
		return Decimal{}, fmt.Errorf("%w: %q does not fit", ErrInvalidDecimal, clip(s))
	case n.exp >= 0:
		if len(digits)+n.exp > 19 {
			return Decimal{}, fmt.Errorf("%w: %q does not fit", ErrInvalidDecimal, clip(s))
		}
		digits += strings.Repeat("0", n.exp)
	default:
		scale = -n.exp
		if scale > MaxScale {
			return Decimal{}, fmt.Errorf("%w: %q has more than %d decimals", ErrInvalidDecimal, clip(s), MaxScale)
		}
	}
	u, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || u > math.MaxInt64 {
		return Decimal{}, fmt.Errorf("%w: %q does not fit", ErrInvalidDecimal, clip(s))
	}
	v := int64(u)
	if n.neg {
		v = -v
	}
	return Decimal{coef: v, scale: uint8(scale)}, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Coefficient returns the unscaled integer: 12345 for 123.45.
func (d Decimal) Coefficient() int64 { return d.coef }

// Scale returns the number of digits after the decimal point as written.
func (d Decimal) Scale() int { return int(d.scale) }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	switch {
	case d.coef < 0:
		return -1
	case d.coef > 0:
		return 1
	}
	return 0
}

// IsZero reports whether d is numerically zero.
func (d Decimal) IsZero() bool { return d.coef == 0 }

// Decimals returns the number of significant digits after the point, with
// trailing zeros ignored: 1.50 has 1, 2.00 has 0.
func (d Decimal) Decimals() int {
	c, s := d.coef, int(d.scale)
	for s > 0 && c%10 == 0 {
		c /= 10
		s--
	}
	return s
}

func (d Decimal) big() *big.Int { return big.NewInt(d.coef) }

// rescaled returns both coefficients at the larger scale as big integers.
func align(a, b Decimal) (*big.Int, *big.Int, int) {
	s := max(a.scale, b.scale)
	x := new(big.Int).Mul(a.big(), pow10(int(s-a.scale)))
	y := new(big.Int).Mul(b.big(), pow10(int(s-b.scale)))
	return x, y, int(s)
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// Cmp compares numerically: -1 if d < e, 0 if equal, +1 if d > e.
func (d Decimal) Cmp(e Decimal) int {
	if d.scale == e.scale {
		switch {
		case d.coef < e.coef:
			return -1
		case d.coef > e.coef:
			return 1
		}
		return 0
	}
	x, y, _ := align(d, e)
	return x.Cmp(y)
}

// Equal reports numeric equality (1.5 equals 1.50).
func (d Decimal) Equal(e Decimal) bool { return d.Cmp(e) == 0 }

// Add returns d+e exactly, at the larger of the two scales. It reports
// ErrInvalidDecimal if the sum does not fit.
func (d Decimal) Add(e Decimal) (Decimal, error) {
	x, y, s := align(d, e)
	x.Add(x, y)
	if !x.IsInt64() || x.Int64() == math.MinInt64 {
		return Decimal{}, fmt.Errorf("%w: sum overflows", ErrInvalidDecimal)
	}
	return Decimal{coef: x.Int64(), scale: uint8(s)}, nil
}

// Sub returns d-e exactly, at the larger of the two scales.
func (d Decimal) Sub(e Decimal) (Decimal, error) { return d.Add(e.Neg()) }

// Neg returns -d.
func (d Decimal) Neg() Decimal { return Decimal{coef: -d.coef, scale: d.scale} }

// String formats d in plain notation with its scale: "0.32", "-5.00".
func (d Decimal) String() string { return string(d.AppendText(nil)) }

// AppendText appends the plain-notation text of d to b.
func (d Decimal) AppendText(b []byte) []byte {
	c := d.coef
	if c < 0 {
		b = append(b, '-')
	}
	var digits [24]byte
	u := uint64(c)
	if c < 0 {
		u = uint64(-c)
	}
	ds := strconv.AppendUint(digits[:0], u, 10)
	s := int(d.scale)
	if s == 0 {
		return append(b, ds...)
	}
	if len(ds) <= s {
		b = append(b, '0', '.')
		for i := len(ds); i < s; i++ {
			b = append(b, '0')
		}
		return append(b, ds...)
	}
	b = append(b, ds[:len(ds)-s]...)
	b = append(b, '.')
	return append(b, ds[len(ds)-s:]...)
}

// MarshalJSON encodes d as a bare JSON number.
func (d Decimal) MarshalJSON() ([]byte, error) { return d.AppendText(nil), nil }

// UnmarshalJSON accepts a JSON number, or a JSON string holding one (some
// IBKR examples quote amounts). null leaves d unchanged.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := ParseDecimal(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText encodes d in plain notation, for query strings and map keys.
func (d Decimal) MarshalText() ([]byte, error) { return d.AppendText(nil), nil }

// UnmarshalText parses plain or exponent notation.
func (d *Decimal) UnmarshalText(b []byte) error {
	v, err := ParseDecimal(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
