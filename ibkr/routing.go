package ibkr

import "errors"

// Causes (InputError.Err) for refused bank details.
var (
	// ErrRoutingNumber: not a valid ABA routing transit number.
	ErrRoutingNumber = errors.New("ibkr: invalid ABA routing number")
	// ErrBankAccountNumber: not a plausible US bank account number.
	ErrBankAccountNumber = errors.New("ibkr: invalid bank account number")
)

// Bounds of a US bank account number accepted for ACH. The NACHA entry
// format holds at most 17 characters for the receiver's account number;
// no US bank issues account numbers shorter than 4 digits. IBKR's own field
// takes up to 32 characters, so anything passing here also fits there.
const (
	MinUSBankAccountDigits = 4
	MaxUSBankAccountDigits = 17
)

// ValidateRoutingNumber checks an ABA routing transit number: exactly nine
// ASCII digits, a first pair in a range the Federal Reserve assigns (01–12,
// 21–32, 61–72 or 80), and the 3-7-1 checksum
// 3(d1+d4+d7) + 7(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10).
// The error is an *InputError for field "bankRoutingNumber" whose cause is
// ErrRoutingNumber. Routing numbers are public, but the error does not
// repeat the value either.
func ValidateRoutingNumber(routing string) error {
	const field = "bankRoutingNumber"
	if len(routing) != 9 {
		return inputErr(field, ErrRoutingNumber, "must be exactly 9 digits (got %d characters)", len(routing))
	}
	var d [9]int
	for i := 0; i < 9; i++ {
		c := routing[i]
		if c < '0' || c > '9' {
			return inputErr(field, ErrRoutingNumber, "must contain digits only")
		}
		d[i] = int(c - '0')
	}
	switch p := d[0]*10 + d[1]; {
	case p >= 1 && p <= 12, p >= 21 && p <= 32, p >= 61 && p <= 72, p == 80:
	default:
		return inputErr(field, ErrRoutingNumber, "first two digits %02d are not an assigned Federal Reserve prefix", p)
	}
	sum := 3*(d[0]+d[3]+d[6]) + 7*(d[1]+d[4]+d[7]) + (d[2] + d[5] + d[8])
	if sum%10 != 0 {
		return inputErr(field, ErrRoutingNumber, "check digit does not match (ABA 3-7-1 checksum)")
	}
	return nil
}

// ValidateUSBankAccountNumber checks a US bank account number for ACH:
// digits only, between MinUSBankAccountDigits and MaxUSBankAccountDigits
// long, not all zeros. The error is an *InputError for field
// "bankAccountNumber" whose cause is ErrBankAccountNumber; it never repeats
// the number.
func ValidateUSBankAccountNumber(account string) error {
	const field = "bankAccountNumber"
	n := len(account)
	if n == 0 {
		return inputErr(field, ErrBankAccountNumber, "is required")
	}
	zeros := true
	for i := 0; i < n; i++ {
		c := account[i]
		if c < '0' || c > '9' {
			return inputErr(field, ErrBankAccountNumber, "must contain digits only (no spaces or dashes)")
		}
		zeros = zeros && c == '0'
	}
	if n < MinUSBankAccountDigits || n > MaxUSBankAccountDigits {
		return inputErr(field, ErrBankAccountNumber, "must be %d–%d digits (got %d)", MinUSBankAccountDigits, MaxUSBankAccountDigits, n)
	}
	if zeros {
		return inputErr(field, ErrBankAccountNumber, "must not be all zeros")
	}
	return nil
}
