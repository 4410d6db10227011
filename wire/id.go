package wire

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxIDDigits is the longest identifier IBKR accepts, in decimal digits.
const MaxIDDigits = 20

// ErrInvalidID reports text that is not a whole number of at most
// MaxIDDigits digits.
var ErrInvalidID = errors.New("wire: invalid id")

// ID is an exact non-negative whole-number identifier of up to 20 decimal
// digits (IBKR's clientInstructionId, instructionId, instructionSetId,
// ibReferenceId, requestId, conid and the like). It is kept as its canonical
// digit string, so values beyond both float64's exact range and uint64 stay
// exact. The zero value is "no id" and encodes as 0.
//
// IDs are comparable with ==; use [ID.Cmp] for numeric order.
type ID struct{ digits string }

// NewID returns the ID for n; NewID(0) is the zero ID.
func NewID(n uint64) ID {
	if n == 0 {
		return ID{}
	}
	return ID{digits: strconv.FormatUint(n, 10)}
}

// ParseID reads a whole number written in plain digits (leading zeros are
// dropped). It rejects signs, fractions, exponents and more than
// MaxIDDigits significant digits with an error wrapping ErrInvalidID.
func ParseID(s string) (ID, error) {
	if s == "" {
		return ID{}, fmt.Errorf("%w: empty", ErrInvalidID)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return ID{}, fmt.Errorf("%w: %q is not a whole number", ErrInvalidID, clip(s))
		}
	}
	t := strings.TrimLeft(s, "0")
	if len(t) > MaxIDDigits {
		return ID{}, fmt.Errorf("%w: %d digits, at most %d", ErrInvalidID, len(t), MaxIDDigits)
	}
	if t == "" {
		return ID{}, nil
	}
	return ID{digits: t}, nil
}

// MustID parses s and panics on failure; for constants in tests and
// examples.
func MustID(s string) ID {
	id, err := ParseID(s)
	if err != nil {
		panic(err)
	}
	return id
}

// IsZero reports whether id is unset (numerically 0).
func (id ID) IsZero() bool { return id.digits == "" }

// String returns the canonical digits, "0" for the zero ID.
func (id ID) String() string {
	if id.digits == "" {
		return "0"
	}
	return id.digits
}

// Uint64 returns id as a uint64 and whether it fits.
func (id ID) Uint64() (uint64, bool) {
	n, err := strconv.ParseUint(id.String(), 10, 64)
	return n, err == nil
}

// Cmp compares numerically: -1, 0 or +1.
func (id ID) Cmp(other ID) int {
	a, b := id.digits, other.digits
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return strings.Compare(a, b)
}

// MarshalJSON encodes id as a bare JSON number.
func (id ID) MarshalJSON() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalJSON accepts a JSON number or a JSON string of digits (IBKR's own
// examples quote clientInstructionId). A number in exponent or fractional
// notation is accepted only when it denotes a whole number exactly.
func (id *ID) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := parseLooseID(s)
	if err != nil {
		return err
	}
	*id = v
	return nil
}

func parseLooseID(s string) (ID, error) {
	if v, err := ParseID(s); err == nil || !strings.ContainsAny(s, ".eE") {
		return v, err
	}
	n, huge, ok := parseSci(s)
	switch {
	case !ok || n.neg:
		return ID{}, fmt.Errorf("%w: %q is not a whole number", ErrInvalidID, clip(s))
	case n.digits == "" && !huge:
		return ID{}, nil
	case huge || n.exp > MaxIDDigits || len(n.digits)+n.exp > MaxIDDigits:
		return ID{}, fmt.Errorf("%w: %q has more than %d digits", ErrInvalidID, clip(s), MaxIDDigits)
	case n.exp < 0:
		return ID{}, fmt.Errorf("%w: %q is not a whole number", ErrInvalidID, clip(s))
	}
	return ID{digits: n.digits + strings.Repeat("0", n.exp)}, nil
}

// MarshalText returns the digits; path and query parameters use it.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText parses plain digits.
func (id *ID) UnmarshalText(b []byte) error {
	v, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// Bind lets oapi-codegen's runtime bind a path or query parameter to an ID.
func (id *ID) Bind(src string) error { return id.UnmarshalText([]byte(src)) }
