package flex

import (
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/wire"
)

// DateOrder says how to read a slash date whose day and month are both 12
// or less (03/04/2026): IBKR's query settings offer both MM/dd and dd/MM,
// and the text alone cannot tell them apart.
type DateOrder int

const (
	// MonthFirst reads 03/04/2026 as 4 March (MM/dd/yyyy, IBKR's US
	// form). The default.
	MonthFirst DateOrder = iota
	// DayFirst reads 03/04/2026 as 3 April (dd/MM/yyyy).
	DayFirst
)

// absent reports the values IBKR writes for "no value".
func absent(s string) bool {
	switch s {
	case "", "-", "--", "N/A", "n/a", "MULTI":
		return true
	}
	return false
}

// parseAmount reads a decimal attribute: thousands separators are
// dropped, and the "no value" markers give zero.
func parseAmount(s string) (wire.Decimal, bool) {
	if absent(s) {
		return wire.Decimal{}, true
	}
	if strings.IndexByte(s, ',') >= 0 {
		s = strings.ReplaceAll(s, ",", "")
	}
	d, err := wire.ParseDecimal(s)
	return d, err == nil
}

// parseDateValue reads a date attribute in any of IBKR's date formats;
// the markers give the zero Date.
func parseDateValue(s string, order DateOrder) (Date, bool) {
	if absent(s) {
		return Date{}, true
	}
	d, rest, ok := splitDate(s, order, false)
	return d, ok && rest == ""
}

// parseDateTimeValue reads a datetime attribute: a date in any of IBKR's
// formats, then optionally a separator (; , space, ", " or T, or none), a
// time (HHmmss or HH:mm:ss) and a zone offset, which is dropped.
func parseDateTimeValue(s string, order DateOrder) (DateTime, bool) {
	if absent(s) {
		return DateTime{}, true
	}
	d, rest, ok := splitDate(s, order, false)
	if !ok {
		return DateTime{}, false
	}
	if rest == "" {
		return DateTime{Date: d}, true
	}
	t, ok := parseTimeOfDay(d, rest)
	if !ok && len(s) >= 10 && s[2] == '/' && s[5] == '/' {
		// dd/MM/yy with no separator reads like dd/MM/yyyy at first:
		// 05/03/25120000 is 5 March 2025, 12:00:00.
		if d, rest, ok = splitDate(s, order, true); ok {
			return parseTimeOfDay(d, rest)
		}
	}
	return t, ok
}

// parseTimeOfDay reads what follows a datetime's date.
func parseTimeOfDay(d Date, rest string) (DateTime, bool) {
	var ok bool
	switch {
	case strings.HasPrefix(rest, ", "):
		rest = rest[2:]
	case rest[0] == ';' || rest[0] == ',' || rest[0] == ' ' || rest[0] == 'T':
		rest = rest[1:]
	}
	var hh, mm, ss int
	switch {
	case len(rest) >= 8 && rest[2] == ':' && rest[5] == ':':
		hh, mm, ss, ok = num3(rest[0:2], rest[3:5], rest[6:8])
		rest = rest[8:]
	case len(rest) >= 6:
		hh, mm, ss, ok = num3(rest[0:2], rest[2:4], rest[4:6])
		rest = rest[6:]
	default:
		return DateTime{}, false
	}
	if !ok || hh > 23 || mm > 59 || ss > 60 {
		return DateTime{}, false
	}
	if rest != "" && !zoneSuffix(strings.TrimPrefix(rest, " ")) {
		return DateTime{}, false
	}
	return DateTime{Date: d, Hour: hh, Minute: mm, Second: ss, HasTime: true}, true
}

// zoneSuffix accepts the zone offsets old statements carry: Z, +hhmm,
// -hhmm, +hh:mm, or a US Eastern abbreviation.
func zoneSuffix(s string) bool {
	switch s {
	case "Z", "EST", "EDT", "ET":
		return true
	}
	if len(s) != 5 && len(s) != 6 || (s[0] != '+' && s[0] != '-') {
		return false
	}
	digits := strings.ReplaceAll(s[1:], ":", "")
	_, ok := num(digits)
	return ok && len(digits) == 4
}

// splitDate reads the date at the start of s and returns what follows;
// shortYear reads a slash date's year as two digits even when four
// digits follow.
func splitDate(s string, order DateOrder, shortYear bool) (Date, string, bool) {
	var y, m, d int
	var ok bool
	var rest string
	switch {
	case len(s) >= 10 && s[4] == '-' && s[7] == '-': // yyyy-MM-dd
		y, m, d, ok = num3(s[0:4], s[5:7], s[8:10])
		rest = s[10:]
	case !shortYear && len(s) >= 10 && s[2] == '/' && s[5] == '/' && isDigits(s[6:10]): // MM/dd/yyyy, dd/MM/yyyy
		var a, b int
		a, b, y, ok = num3(s[0:2], s[3:5], s[6:10])
		m, d = slashOrder(a, b, order)
		rest = s[10:]
	case len(s) >= 8 && s[2] == '/' && s[5] == '/': // MM/dd/yy, dd/MM/yy
		var a, b int
		a, b, y, ok = num3(s[0:2], s[3:5], s[6:8])
		y += 2000
		m, d = slashOrder(a, b, order)
		rest = s[8:]
	case len(s) >= 9 && s[2] == '-' && s[6] == '-': // dd-MMM-yy
		var ok2, ok3 bool
		d, ok = num(s[0:2])
		m, ok2 = monthAbbrev(s[3:6])
		y, ok3 = num(s[7:9])
		ok, y = ok && ok2 && ok3, y+2000
		rest = s[9:]
	case len(s) >= 8 && isDigits(s[0:8]): // yyyyMMdd
		y, m, d, ok = num3(s[0:4], s[4:6], s[6:8])
		rest = s[8:]
	}
	if !ok || !validDay(y, m, d) {
		return Date{}, "", false
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, rest, true
}

// slashOrder picks month and day from the two numbers of a slash date:
// a number over 12 can only be the day; otherwise order decides.
func slashOrder(a, b int, order DateOrder) (month, day int) {
	switch {
	case a > 12:
		return b, a
	case b > 12:
		return a, b
	case order == DayFirst:
		return b, a
	}
	return a, b
}

var months = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

func monthAbbrev(s string) (int, bool) {
	if len(s) != 3 {
		return 0, false
	}
	l := strings.ToLower(s)
	for i, m := range months {
		if l == m {
			return i + 1, true
		}
	}
	return 0, false
}

func num3(a, b, c string) (int, int, int, bool) {
	x, ok1 := num(a)
	y, ok2 := num(b)
	z, ok3 := num(c)
	return x, y, z, ok1 && ok2 && ok3
}

// num reads a short run of ASCII digits.
func num(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func isDigits(s string) bool {
	_, ok := num(s)
	return ok
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// cleanString maps the "no value" markers to "".
func cleanString(s string) string {
	if absent(s) {
		return ""
	}
	return s
}

// splitList reads a comma or semicolon separated list; empty text is an
// empty list.
func splitList(s string) []string {
	if absent(s) {
		return nil
	}
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' })
	out := f[:0]
	for _, x := range f {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
