package wire

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// Value implements database/sql/driver.Valuer: d is stored as its exact
// decimal text (suits NUMERIC columns), never as a float.
func (d Decimal) Value() (driver.Value, error) { return d.String(), nil }

// Scan implements database/sql.Scanner. It reads the text of a NUMERIC (or
// text) column, or a whole number; zeros a fixed-scale column pads beyond
// what a Decimal holds are dropped; it refuses NULL (use sql.Null[Decimal])
// and floating-point values, which cannot be exact.
func (d *Decimal) Scan(src any) error {
	var v Decimal
	var err error
	switch s := src.(type) {
	case string:
		v, err = parseColumnDecimal(s)
	case []byte:
		v, err = parseColumnDecimal(string(s))
	case int64:
		v, err = ParseDecimal(strconv.FormatInt(s, 10))
	case nil:
		return fmt.Errorf("%w: NULL (scan into sql.Null[wire.Decimal] for a nullable column)", ErrInvalidDecimal)
	default:
		return fmt.Errorf("%w: cannot scan %T exactly (store amounts as NUMERIC or text)", ErrInvalidDecimal, src)
	}
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// parseColumnDecimal parses a column's text. A NUMERIC column of fixed
// scale pads with zeros ("500.000000000000000000" in NUMERIC(38,18)); when
// the padded text does not fit a Decimal, the trailing zeros after the
// point are dropped (the value is unchanged), never any other digit.
func parseColumnDecimal(s string) (Decimal, error) {
	d, err := ParseDecimal(s)
	if err == nil || !strings.Contains(s, ".") || strings.ContainsAny(s, "eE") {
		return d, err
	}
	t := strings.TrimRight(s, "0")
	t = strings.TrimSuffix(t, ".")
	if d2, err2 := ParseDecimal(t); err2 == nil {
		return d2, nil
	}
	return d, err
}

// Value implements database/sql/driver.Valuer: id is stored as its digits
// (suits NUMERIC(20,0) and text columns; ids beyond int64 do not fit a
// BIGINT). The zero ID is stored as 0.
func (id ID) Value() (driver.Value, error) { return id.String(), nil }

// Scan implements database/sql.Scanner. It reads digits (NUMERIC, text) or
// a non-negative integer (BIGINT); NULL scans as the zero ID ("no id").
func (id *ID) Scan(src any) error {
	var v ID
	var err error
	switch s := src.(type) {
	case string:
		v, err = ParseID(s)
	case []byte:
		v, err = ParseID(string(s))
	case int64:
		if s < 0 {
			return fmt.Errorf("%w: %d is negative", ErrInvalidID, s)
		}
		v = NewID(uint64(s))
	case nil:
		v = ID{}
	default:
		return fmt.Errorf("%w: cannot scan %T exactly", ErrInvalidID, src)
	}
	if err != nil {
		return err
	}
	*id = v
	return nil
}
