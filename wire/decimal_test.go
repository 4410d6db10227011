package wire

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParseDecimalKeepsScale(t *testing.T) {
	for _, tc := range []struct {
		in          string
		coef        int64
		scale       int
		text        string
		significant int
	}{
		{"0", 0, 0, "0", 0},
		{"0.32", 32, 2, "0.32", 2},
		{"123.45", 12345, 2, "123.45", 2},
		{"500.00", 50000, 2, "500.00", 0},
		{"-5.00", -500, 2, "-5.00", 0},
		{"-0.001", -1, 3, "-0.001", 3},
		{"+7", 7, 0, "7", 0},
		{"0.000000000000000001", 1, 18, "0.000000000000000001", 18},
		{"9223372036854775807", math.MaxInt64, 0, "9223372036854775807", 0},
		{"-9223372036854775807", -math.MaxInt64, 0, "-9223372036854775807", 0},
		{"922337203.6854775807", math.MaxInt64, 10, "922337203.6854775807", 10},
		{"00012.50", 1250, 2, "12.50", 1},
		{".5", 5, 1, "0.5", 1},
	} {
		d, err := ParseDecimal(tc.in)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", tc.in, err)
			continue
		}
		if d.Coefficient() != tc.coef || d.Scale() != tc.scale {
			t.Errorf("ParseDecimal(%q) = %d×10^-%d, want %d×10^-%d", tc.in, d.Coefficient(), d.Scale(), tc.coef, tc.scale)
		}
		if got := d.String(); got != tc.text {
			t.Errorf("ParseDecimal(%q).String() = %q, want %q", tc.in, got, tc.text)
		}
		if got := d.Decimals(); got != tc.significant {
			t.Errorf("ParseDecimal(%q).Decimals() = %d, want %d", tc.in, got, tc.significant)
		}
	}
}

func TestParseDecimalExponent(t *testing.T) {
	for in, want := range map[string]string{
		"1.5e2":                              "150",
		"1.50e1":                             "15",
		"1.5E-1":                             "0.15",
		"-2e+3":                              "-2000",
		"12345e-2":                           "123.45",
		"0e999999999":                        "0",
		"0.0e-5":                             "0",
		"1e-18":                              "0.000000000000000001",
		"9.223372036854775807e18":            "9223372036854775807",
		"100000000000000000000e-2":           "1000000000000000000",
		"0.00000000000000000000000000012e27": "0.12",
	} {
		d, err := ParseDecimal(in)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", in, err)
			continue
		}
		if got := d.String(); got != want {
			t.Errorf("ParseDecimal(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestParseDecimalRejects(t *testing.T) {
	for _, in := range []string{
		"", "-", "+", ".", "1.", "1..2", "1.2.3", "abc", "1,5", " 1", "1 ", "--1", "1e", "1e+", "e5",
		"0x1e", "0x10", "1/3", "Inf", "NaN", "1_000", "1e5/3",
		"9223372036854775808",   // one past MaxInt64
		"-9223372036854775808",  // MinInt64 is kept out on purpose
		"12345678901234567890",  // 20 significant digits
		"0.0000000000000000001", // 19 decimals
		"1e19", "1e-19", "1e999999999", "1e-999999999", "-1e99999999999999999999",
		"9.223372036854775808e18",
	} {
		if d, err := ParseDecimal(in); err == nil {
			t.Errorf("ParseDecimal(%q) = %s, want error", in, d)
		} else if !errors.Is(err, ErrInvalidDecimal) {
			t.Errorf("ParseDecimal(%q) error %v does not wrap ErrInvalidDecimal", in, err)
		}
	}
}

func TestDecimalErrorClipsLongInput(t *testing.T) {
	_, err := ParseDecimal(strings.Repeat("9", 5000))
	if err == nil || len(err.Error()) > 120 {
		t.Fatalf("error for a 5000-digit input = %v, want a short error", err)
	}
}

func TestDecimalJSON(t *testing.T) {
	type amounts struct {
		A Decimal  `json:"a"`
		B Decimal  `json:"b"`
		C *Decimal `json:"c,omitempty"`
	}
	var v amounts
	in := `{"a":0.32,"b":"123.45","c":500.00}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	// The quoted amount comes back as a bare number; scale is kept.
	if want := `{"a":0.32,"b":123.45,"c":500.00}`; string(out) != want {
		t.Fatalf("round trip = %s, want %s", out, want)
	}

	// null leaves the value alone.
	d := MustDecimal("1.10")
	if err := json.Unmarshal([]byte("null"), &d); err != nil || d.String() != "1.10" {
		t.Fatalf("null: %v, %s", err, d)
	}
	for _, bad := range []string{`true`, `"abc"`, `""`, `"null"`, `1e400`, `[1]`, `{"x":1}`} {
		var e Decimal
		if err := json.Unmarshal([]byte(bad), &e); err == nil {
			t.Errorf("Unmarshal(%s) = %s, want error", bad, e)
		}
	}
	// Exponent input from a JSON number.
	var e Decimal
	if err := json.Unmarshal([]byte(`1.2345e2`), &e); err != nil || e.String() != "123.45" {
		t.Fatalf("exponent JSON: %v, %s", err, e)
	}
}

func TestDecimalText(t *testing.T) {
	d := MustDecimal("-0.05")
	b, err := d.MarshalText()
	if err != nil || string(b) != "-0.05" {
		t.Fatalf("MarshalText = %q, %v", b, err)
	}
	var e Decimal
	if err := e.UnmarshalText([]byte("2.5e1")); err != nil || e.String() != "25" {
		t.Fatalf("UnmarshalText = %s, %v", e, err)
	}
	if err := e.UnmarshalText([]byte("x")); !errors.Is(err, ErrInvalidDecimal) {
		t.Fatalf("UnmarshalText(x) = %v", err)
	}
	m := map[Decimal]int{MustDecimal("1.5"): 1}
	js, err := json.Marshal(m)
	if err != nil || string(js) != `{"1.5":1}` {
		t.Fatalf("map key = %s, %v", js, err)
	}
}

func TestDecimalCmpAndArithmetic(t *testing.T) {
	cmp := []struct {
		a, b string
		want int
	}{
		{"1.5", "1.50", 0},
		{"1.49", "1.5", -1},
		{"-1", "-1.000", 0},
		{"-2", "1", -1},
		{"0.32", "0.46", -1},
		{"100000", "99999.99", 1},
		{"9223372036854775807", "0.000000000000000001", 1},
		{"-9223372036854775807", "-922337203685477580.7", -1},
	}
	for _, tc := range cmp {
		a, b := MustDecimal(tc.a), MustDecimal(tc.b)
		if got := a.Cmp(b); got != tc.want {
			t.Errorf("%s.Cmp(%s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := b.Cmp(a); got != -tc.want {
			t.Errorf("%s.Cmp(%s) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
		if a.Equal(b) != (tc.want == 0) {
			t.Errorf("%s.Equal(%s) wrong", tc.a, tc.b)
		}
	}

	add := []struct{ a, b, sum string }{
		{"0.32", "0.46", "0.78"},
		{"123.45", "0.5", "123.95"},
		{"500.00", "-500", "0.00"},
		{"1", "0.001", "1.001"},
		{"-0.1", "-0.02", "-0.12"},
	}
	for _, tc := range add {
		got, err := MustDecimal(tc.a).Add(MustDecimal(tc.b))
		if err != nil || got.String() != tc.sum {
			t.Errorf("%s + %s = %s, %v; want %s", tc.a, tc.b, got, err, tc.sum)
		}
		diff, err := got.Sub(MustDecimal(tc.b))
		if err != nil || !diff.Equal(MustDecimal(tc.a)) {
			t.Errorf("(%s) - %s = %s, %v; want %s", got, tc.b, diff, err, tc.a)
		}
	}

	max := NewDecimal(math.MaxInt64, 0)
	if _, err := max.Add(NewDecimal(1, 0)); !errors.Is(err, ErrInvalidDecimal) {
		t.Errorf("MaxInt64 + 1: err = %v, want overflow", err)
	}
	if _, err := max.Neg().Sub(NewDecimal(1, 0)); !errors.Is(err, ErrInvalidDecimal) {
		t.Errorf("-MaxInt64 - 1: err = %v, want overflow", err)
	}
	if _, err := max.Add(NewDecimal(1, 1)); !errors.Is(err, ErrInvalidDecimal) {
		t.Errorf("rescaling MaxInt64: err = %v, want overflow", err)
	}
	if got := max.Neg().Neg(); got != max {
		t.Errorf("Neg twice = %s", got)
	}
}

func TestDecimalAccessors(t *testing.T) {
	var zero Decimal
	if !zero.IsZero() || zero.Sign() != 0 || zero.String() != "0" {
		t.Fatalf("zero value: %s sign %d", zero, zero.Sign())
	}
	if d := MustDecimal("0.00"); !d.IsZero() || d.String() != "0.00" {
		t.Fatalf("0.00: IsZero %v, %s", d.IsZero(), d)
	}
	if MustDecimal("-3.2").Sign() != -1 || MustDecimal("3.2").Sign() != 1 {
		t.Fatal("Sign")
	}
	if got := NewDecimal(12345, 2).String(); got != "123.45" {
		t.Fatalf("NewDecimal(12345, 2) = %s", got)
	}
	if got := NewDecimal(5, 4).String(); got != "0.0005" {
		t.Fatalf("NewDecimal(5, 4) = %s", got)
	}
	for _, bad := range []struct {
		coef  int64
		scale int
	}{{1, -1}, {1, MaxScale + 1}, {math.MinInt64, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewDecimal(%d, %d) did not panic", bad.coef, bad.scale)
				}
			}()
			NewDecimal(bad.coef, bad.scale)
		}()
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("MustDecimal(bad) did not panic")
			}
		}()
		MustDecimal("bad")
	}()
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "0.32", "123.45", "500.00", "-5.00", "1.5e2", "1e-18", "9223372036854775807",
		"0x1e", "1e999999999", ".5", "+1", "00.10", "1.2.3", "-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidDecimal) {
				t.Fatalf("ParseDecimal(%q) error %v does not wrap ErrInvalidDecimal", s, err)
			}
			return
		}
		if d.Scale() < 0 || d.Scale() > MaxScale || d.Coefficient() == math.MinInt64 {
			t.Fatalf("ParseDecimal(%q) out of range: %d×10^-%d", s, d.Coefficient(), d.Scale())
		}
		// The canonical text reads back to the identical value.
		text := d.String()
		back, err := ParseDecimal(text)
		if err != nil || back != d {
			t.Fatalf("ParseDecimal(%q) = %s, which reads back as %v, %v", s, text, back, err)
		}
		// JSON encoding is the same text and decodes to the same value.
		js, err := json.Marshal(d)
		if err != nil || string(js) != text {
			t.Fatalf("Marshal(%s) = %s, %v", text, js, err)
		}
		if !json.Valid(js) {
			t.Fatalf("Marshal(%s) = %s is not valid JSON", text, js)
		}
		var fromJSON Decimal
		if err := json.Unmarshal(js, &fromJSON); err != nil || fromJSON != d {
			t.Fatalf("Unmarshal(%s) = %v, %v", js, fromJSON, err)
		}
		// Plain input is echoed exactly, apart from a leading '+' and leading zeros.
		if !strings.ContainsAny(s, "eE") && !strings.HasPrefix(s, "+") && !strings.HasPrefix(strings.TrimPrefix(s, "-"), "0") &&
			!strings.HasPrefix(strings.TrimPrefix(s, "-"), ".") && d.Coefficient() != 0 {
			if text != s {
				t.Fatalf("ParseDecimal(%q).String() = %q", s, text)
			}
		}
		if d.Cmp(back) != 0 || !d.Equal(back) {
			t.Fatalf("%s does not equal itself", text)
		}
	})
}
