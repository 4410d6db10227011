package wire

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseID(t *testing.T) {
	for in, want := range map[string]string{
		"0":                           "0",
		"000":                         "0",
		"7":                           "7",
		"0042":                        "42",
		"1012983":                     "1012983",
		"1234567890123456789":         "1234567890123456789",  // 19 digits, past float64's exact range
		"18446744073709551615":        "18446744073709551615", // max uint64
		"99999999999999999999":        "99999999999999999999", // 20 digits, past uint64
		"000000000000000000000000001": "1",
	} {
		id, err := ParseID(in)
		if err != nil {
			t.Errorf("ParseID(%q): %v", in, err)
			continue
		}
		if id.String() != want {
			t.Errorf("ParseID(%q) = %s, want %s", in, id, want)
		}
	}
	for _, in := range []string{"", "-1", "+1", "1.0", "1e3", " 1", "1 ", "0x1f", "12a", "100000000000000000000", strings.Repeat("9", 21)} {
		if id, err := ParseID(in); err == nil {
			t.Errorf("ParseID(%q) = %s, want error", in, id)
		} else if !errors.Is(err, ErrInvalidID) {
			t.Errorf("ParseID(%q) error %v does not wrap ErrInvalidID", in, err)
		}
	}
}

func TestIDZero(t *testing.T) {
	var zero ID
	if !zero.IsZero() || zero.String() != "0" {
		t.Fatalf("zero ID: %s", zero)
	}
	if NewID(0) != zero || MustID("0") != zero || MustID("00") != zero {
		t.Fatal("every spelling of 0 must be the zero ID")
	}
	js, err := json.Marshal(zero)
	if err != nil || string(js) != "0" {
		t.Fatalf("Marshal(zero) = %s, %v", js, err)
	}
}

func TestIDCmpAndUint64(t *testing.T) {
	ids := []string{"0", "9", "10", "99", "100", "18446744073709551615", "18446744073709551616", "99999999999999999999"}
	for i := range ids {
		for j := range ids {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got := MustID(ids[i]).Cmp(MustID(ids[j])); got != want {
				t.Errorf("%s.Cmp(%s) = %d, want %d", ids[i], ids[j], got, want)
			}
		}
	}
	if n, ok := MustID("18446744073709551615").Uint64(); !ok || n != 18446744073709551615 {
		t.Errorf("Uint64(max) = %d, %v", n, ok)
	}
	if _, ok := MustID("18446744073709551616").Uint64(); ok {
		t.Error("Uint64 of 2^64 reported ok")
	}
	if NewID(43085477) != MustID("43085477") {
		t.Error("NewID and ParseID disagree")
	}
}

func TestIDJSON(t *testing.T) {
	type ids struct {
		Client   ID  `json:"clientInstructionId"`
		Instr    ID  `json:"instructionId"`
		Optional *ID `json:"ibReferenceId,omitempty"`
	}
	in := `{"clientInstructionId":"1012983","instructionId":1234567890123456789,"ibReferenceId":99999999999999999999}`
	var v ids
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"clientInstructionId":1012983,"instructionId":1234567890123456789,"ibReferenceId":99999999999999999999}`; string(out) != want {
		t.Fatalf("round trip = %s, want %s", out, want)
	}

	for in, want := range map[string]string{
		`1.0`:      "1",
		`4.3e7`:    "43000000",
		`1E19`:     "10000000000000000000",
		`"0012"`:   "12",
		`0.0`:      "0",
		`0e999999`: "0",
	} {
		var id ID
		if err := json.Unmarshal([]byte(in), &id); err != nil || id.String() != want {
			t.Errorf("Unmarshal(%s) = %s, %v; want %s", in, id, err, want)
		}
	}
	for _, bad := range []string{`-1`, `1.5`, `1e-1`, `1e21`, `1e999999999`, `"x"`, `""`, `true`, `"0x1e"`, `0x1e`,
		`123456789012345678901`, `-0.0`, `[1]`} {
		var id ID
		if err := json.Unmarshal([]byte(bad), &id); err == nil {
			t.Errorf("Unmarshal(%s) = %s, want error", bad, id)
		}
	}
	keep := MustID("5")
	if err := json.Unmarshal([]byte(`null`), &keep); err != nil || keep.String() != "5" {
		t.Fatalf("null: %s, %v", keep, err)
	}
}

func TestIDTextAndBind(t *testing.T) {
	var id ID
	if err := id.Bind("1234567890123456789"); err != nil || id.String() != "1234567890123456789" {
		t.Fatalf("Bind = %s, %v", id, err)
	}
	if err := id.UnmarshalText([]byte("1e3")); !errors.Is(err, ErrInvalidID) {
		t.Fatalf("UnmarshalText(1e3) = %v; path and query parameters take plain digits only", err)
	}
	b, err := MustID("77").MarshalText()
	if err != nil || string(b) != "77" {
		t.Fatalf("MarshalText = %s, %v", b, err)
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"0", "7", "0042", "1234567890123456789", "99999999999999999999", "100000000000000000000", "-1", "1e3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidID) {
				t.Fatalf("ParseID(%q) error %v does not wrap ErrInvalidID", s, err)
			}
			return
		}
		text := id.String()
		if len(text) > MaxIDDigits || strings.TrimLeft(text, "0123456789") != "" {
			t.Fatalf("ParseID(%q) = %q: not at most %d digits", s, text, MaxIDDigits)
		}
		if text != "0" && text[0] == '0' {
			t.Fatalf("ParseID(%q) = %q has a leading zero", s, text)
		}
		if strings.TrimLeft(s, "0") != strings.TrimLeft(text, "0") {
			t.Fatalf("ParseID(%q) = %q changed the digits", s, text)
		}
		back, err := ParseID(text)
		if err != nil || back != id || back.Cmp(id) != 0 {
			t.Fatalf("ParseID(%q) = %s reads back as %v, %v", s, text, back, err)
		}
		js, err := json.Marshal(id)
		if err != nil || string(js) != text {
			t.Fatalf("Marshal(%s) = %s, %v", text, js, err)
		}
		var fromJSON ID
		if err := json.Unmarshal(js, &fromJSON); err != nil || fromJSON != id {
			t.Fatalf("Unmarshal(%s) = %v, %v", js, fromJSON, err)
		}
		var quoted ID
		if err := json.Unmarshal([]byte(`"`+text+`"`), &quoted); err != nil || quoted != id {
			t.Fatalf("Unmarshal(%q) = %v, %v", text, quoted, err)
		}
	})
}
