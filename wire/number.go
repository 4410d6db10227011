package wire

// sciNumber is a number in exponent notation taken apart without any
// arithmetic: its value is ±digits × 10^exp. digits has neither leading nor
// trailing zeros ("" for zero), so the representation is unique and its
// length is the number of significant digits.
type sciNumber struct {
	neg    bool
	digits string
	exp    int
}

// maxExp bounds the exponents worth representing: anything further from
// zero cannot fit 20 digits or 18 decimals once the mantissa is non-zero.
const maxExp = 1 << 20

// parseSci reads [+-]mantissa[(e|E)[+-]digits], where the mantissa is
// digits with at most one '.', and at least one digit on the mantissa side.
// It never allocates big numbers, so a hostile exponent such as 1e999999999
// costs nothing. ok is false for malformed text; huge reports a non-zero
// mantissa whose exponent is beyond ±maxExp.
func parseSci(s string) (n sciNumber, huge, ok bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		n.neg = s[i] == '-'
		i++
	}
	// Mantissa.
	start, point, mantDigits := i, -1, 0
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			mantDigits++
			continue
		}
		if c == '.' && point < 0 {
			point = i
			continue
		}
		break
	}
	if mantDigits == 0 {
		return sciNumber{}, false, false
	}
	mant := s[start:i]
	// Exponent.
	exp, expHuge := 0, false
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return sciNumber{}, false, false
		}
		i++
		expNeg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			expNeg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return sciNumber{}, false, false
		}
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return sciNumber{}, false, false
			}
			if !expHuge {
				exp = exp*10 + int(c-'0')
				if exp > maxExp {
					expHuge = true
				}
			}
		}
		if expNeg {
			exp = -exp
		}
	}
	// Collect significant digits; each digit after the point lowers the
	// exponent by one.
	buf := make([]byte, 0, mantDigits)
	for j := 0; j < len(mant); j++ {
		c := mant[j]
		if c == '.' {
			continue
		}
		if point >= 0 && start+j > point {
			exp--
		}
		if c == '0' && len(buf) == 0 {
			continue // leading zero
		}
		buf = append(buf, c)
	}
	for len(buf) > 0 && buf[len(buf)-1] == '0' {
		buf = buf[:len(buf)-1]
		exp++
	}
	if len(buf) == 0 {
		return sciNumber{neg: n.neg}, false, true
	}
	if expHuge {
		return sciNumber{}, true, true
	}
	n.digits, n.exp = string(buf), exp
	return n, false, true
}
