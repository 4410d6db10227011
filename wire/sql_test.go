package wire

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"testing"
)

var (
	_ sql.Scanner   = (*Decimal)(nil)
	_ driver.Valuer = Decimal{}
	_ sql.Scanner   = (*ID)(nil)
	_ driver.Valuer = ID{}
)

func TestDecimalSQLRoundTrip(t *testing.T) {
	for _, s := range []string{"0", "500.00", "-12.345", "0.000000000000000001", "9223372036854775807"} {
		d := MustDecimal(s)
		v, err := d.Value()
		if err != nil {
			t.Fatal(err)
		}
		if v != s {
			t.Errorf("Value(%s) = %v", s, v)
		}
		for _, src := range []any{v, []byte(v.(string))} {
			var got Decimal
			if err := got.Scan(src); err != nil {
				t.Fatalf("Scan(%T %v): %v", src, src, err)
			}
			if got != d {
				t.Errorf("Scan(%v) = %s, want %s (same scale)", src, got, d)
			}
		}
	}
	var d Decimal
	if err := d.Scan(int64(42)); err != nil || d != MustDecimal("42") {
		t.Errorf("Scan(int64 42) = %s, %v", d, err)
	}
}

func TestDecimalSQLScanRefusals(t *testing.T) {
	for _, src := range []any{nil, 1.5, "1.2.3", "abc", true} {
		d := MustDecimal("7.00")
		err := d.Scan(src)
		if !errors.Is(err, ErrInvalidDecimal) {
			t.Errorf("Scan(%#v) err = %v, want ErrInvalidDecimal", src, err)
		}
		if d != MustDecimal("7.00") {
			t.Errorf("Scan(%#v) changed the value to %s", src, d)
		}
	}
}

func TestIDSQLRoundTrip(t *testing.T) {
	for _, s := range []string{"1", "18446744073709551615", "99999999999999999999"} {
		id := MustID(s)
		v, err := id.Value()
		if err != nil || v != s {
			t.Fatalf("Value(%s) = %v, %v", s, v, err)
		}
		var got ID
		if err := got.Scan([]byte(s)); err != nil || got != id {
			t.Errorf("Scan(%s) = %s, %v", s, got, err)
		}
	}
	var id ID
	if err := id.Scan(int64(9007199254740993)); err != nil || id.String() != "9007199254740993" {
		t.Errorf("Scan(int64) = %s, %v", id, err)
	}
	id = MustID("5")
	if err := id.Scan(nil); err != nil || !id.IsZero() {
		t.Errorf("Scan(nil) = %s, %v; want the zero ID", id, err)
	}
	if v, _ := (ID{}).Value(); v != "0" {
		t.Errorf("zero ID Value = %v", v)
	}
	for _, src := range []any{int64(-1), 1.0, "12a", "123456789012345678901", false} {
		id := MustID("5")
		if err := id.Scan(src); !errors.Is(err, ErrInvalidID) {
			t.Errorf("Scan(%#v) err = %v, want ErrInvalidID", src, err)
		}
		if id != MustID("5") {
			t.Errorf("Scan(%#v) changed the id", src)
		}
	}
}

// A fixed-scale NUMERIC column pads with zeros beyond 19 significant
// digits; Scan drops only those zeros.
func TestDecimalSQLScanPadded(t *testing.T) {
	var d Decimal
	if err := d.Scan("500.000000000000000000"); err != nil || !d.Equal(MustDecimal("500")) {
		t.Errorf("Scan(padded) = %s, %v", d, err)
	}
	if err := d.Scan("500.000000000000000001"); !errors.Is(err, ErrInvalidDecimal) {
		t.Errorf("Scan(too precise) err = %v, want ErrInvalidDecimal", err)
	}
}
