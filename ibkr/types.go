package ibkr

import "github.com/ibkrweb/ibkr-go/wire"

// Decimal is an exact decimal amount (money, quantities, rates). It encodes
// as a bare JSON number exactly as written and never passes through a
// float. See [wire.Decimal].
type Decimal = wire.Decimal

// ID is an exact whole-number identifier of up to 20 digits, such as a
// clientInstructionId or an instructionId. See [wire.ID].
type ID = wire.ID

// ParseDecimal reads an exact decimal such as "500.00".
func ParseDecimal(s string) (Decimal, error) { return wire.ParseDecimal(s) }

// MustDecimal is ParseDecimal for constants; it panics on bad input.
func MustDecimal(s string) Decimal { return wire.MustDecimal(s) }

// ParseID reads an identifier of at most 20 digits.
func ParseID(s string) (ID, error) { return wire.ParseID(s) }

// NewID returns the identifier n.
func NewID(n uint64) ID { return wire.NewID(n) }
