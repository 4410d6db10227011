package ibkr

// ValidateIBAN checks an International Bank Account Number, as a SEPA
// destination's account: a two-letter country code, two check digits and
// up to 30 letters or digits (spaces between groups allowed), whose ISO
// 13616 checksum (mod 97) holds. The error (cause ErrBankAccountNumber)
// never repeats the number.
func ValidateIBAN(field, s string) error {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			continue
		case c >= 'a' && c <= 'z':
			return inputErr(field, ErrBankAccountNumber, "an IBAN is written in upper-case letters")
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b = append(b, c)
		default:
			return inputErr(field, ErrBankAccountNumber, "an IBAN holds letters and digits only")
		}
	}
	if len(b) < 15 || len(b) > 34 {
		return inputErr(field, ErrBankAccountNumber, "an IBAN has 15 to 34 letters and digits (got %d)", len(b))
	}
	if !isUpperASCII(string(b[:2])) || b[2] < '0' || b[2] > '9' || b[3] < '0' || b[3] > '9' {
		return inputErr(field, ErrBankAccountNumber, "an IBAN starts with a country code and two check digits")
	}
	// Move the first four characters to the end, read letters as 10..35
	// and take the number mod 97, digit by digit.
	rem := 0
	for i := range b {
		c := b[(i+4)%len(b)]
		if c >= 'A' {
			rem = (rem*100 + int(c-'A'+10)) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	if rem != 1 {
		return inputErr(field, ErrBankAccountNumber, "the IBAN's check digits do not match")
	}
	return nil
}

// compactIBAN is an IBAN in its electronic form: without the spaces
// between groups.
func compactIBAN(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			b = append(b, s[i])
		}
	}
	return string(b)
}
