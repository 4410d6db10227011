package ibkr

import (
	"errors"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// abaReference is an independent statement of the rule
// ValidateRoutingNumber implements: nine ASCII digits, an assigned Federal
// Reserve prefix, the ABA weights 3, 7, 1.
func abaReference(s string) bool {
	if len(s) != 9 || strings.Trim(s, "0123456789") != "" {
		return false
	}
	prefix := int(s[0]-'0')*10 + int(s[1]-'0')
	if !(prefix >= 1 && prefix <= 12 || prefix >= 21 && prefix <= 32 || prefix >= 61 && prefix <= 72 || prefix == 80) {
		return false
	}
	weights := [9]int{3, 7, 1, 3, 7, 1, 3, 7, 1}
	sum := 0
	for i := range 9 {
		sum += weights[i] * int(s[i]-'0')
	}
	return sum%10 == 0
}

// FuzzValidateRoutingNumber: the facade accepts exactly what the reference
// accepts, never something the sandbox would refuse as a bad checksum, and
// its refusals are typed and do not repeat the input.
func FuzzValidateRoutingNumber(f *testing.F) {
	for _, s := range []string{
		"021000021", "110000000", "011000015", "800000000", "000000000", "121000358",
		"12100035", "1210003580", "12100035x", "１２１０００３５８", "021000022", "", " 21000021",
		"991000021", "121000358\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateRoutingNumber(s)
		if ok := err == nil; ok != abaReference(s) {
			t.Fatalf("ValidateRoutingNumber(%q) = %v, reference says valid=%v", s, err, abaReference(s))
		}
		if err == nil {
			if !ibkrtest.ValidRoutingNumber(s) {
				t.Fatalf("facade accepts %q, the sandbox refuses it", s)
			}
			return
		}
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "bankRoutingNumber" || !errors.Is(err, ErrInvalidInput) || !errors.Is(err, ErrRoutingNumber) {
			t.Fatalf("untyped refusal of %q: %#v", s, err)
		}
		if len(s) >= 3 && strings.Contains(err.Error(), s) {
			t.Fatalf("error repeats the input %q: %v", s, err)
		}
	})
}

// FuzzValidateUSBankAccountNumber: accepted numbers are 4 to 17 ASCII
// digits, not all zeros; refusals are typed and never repeat the number.
func FuzzValidateUSBankAccountNumber(f *testing.F) {
	for _, s := range []string{secretAccountNumber, "0000", "1234", "123", "123456789012345678", "12-34", "", "00000000000000001", "١٢٣٤"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateUSBankAccountNumber(s)
		want := len(s) >= MinUSBankAccountDigits && len(s) <= MaxUSBankAccountDigits &&
			strings.Trim(s, "0123456789") == "" && strings.Trim(s, "0") != ""
		if (err == nil) != want {
			t.Fatalf("ValidateUSBankAccountNumber(%q) = %v, want valid=%v", s, err, want)
		}
		if err == nil {
			return
		}
		if !errors.Is(err, ErrInvalidInput) || !errors.Is(err, ErrBankAccountNumber) {
			t.Fatalf("untyped refusal: %#v", err)
		}
		if len(s) >= 3 && strings.Contains(err.Error(), s) {
			t.Fatalf("error repeats the account number %q: %v", s, err)
		}
	})
}
