package flex

import (
	"fmt"
	"time"
)

// Date is a calendar day as a statement writes it, without a time zone
// (IBKR reports in US Eastern time). The zero Date means "absent": IBKR
// left the value empty or wrote -, --, N/A or MULTI.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate reads a day written YYYY-MM-DD (the form this package prints)
// or YYYYMMDD (the form IBKR's request parameters use).
func ParseDate(s string) (Date, error) {
	if len(s) == 10 && s[4] == '-' || len(s) == 8 && isDigits(s) {
		if d, rest, ok := splitDate(s, MonthFirst, false); ok && rest == "" {
			return d, nil
		}
	}
	return Date{}, fmt.Errorf("flex: %q is not a date (YYYY-MM-DD)", clip(s))
}

// IsZero reports an absent date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Compact formats d as YYYYMMDD, the form of IBKR's fd and td parameters.
func (d Date) Compact() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d%02d%02d", d.Year, int(d.Month), d.Day)
}

// In returns midnight at the start of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.In(time.UTC).AddDate(0, 0, n)) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return sign(d.Year - e.Year)
	case d.Month != e.Month:
		return sign(int(d.Month) - int(e.Month))
	}
	return sign(d.Day - e.Day)
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// DaysUntil returns the number of days from d to e (negative if e is
// earlier).
func (d Date) DaysUntil(e Date) int {
	return int(e.In(time.UTC).Sub(d.In(time.UTC)).Hours() / 24)
}

// MarshalText formats d as YYYY-MM-DD (empty for the zero Date).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD or YYYYMMDD; empty text is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// DateTime is a statement's date and time of day, as written: IBKR puts no
// time zone in the value (its statements use US Eastern time). Some
// datetime attributes hold a bare date; HasTime is false then.
type DateTime struct {
	Date    Date
	Hour    int
	Minute  int
	Second  int
	HasTime bool
}

// IsZero reports an absent value.
func (t DateTime) IsZero() bool { return t == DateTime{} }

// String formats t as YYYY-MM-DDTHH:MM:SS, or YYYY-MM-DD without a time.
func (t DateTime) String() string {
	if !t.HasTime {
		return t.Date.String()
	}
	return fmt.Sprintf("%sT%02d:%02d:%02d", t.Date, t.Hour, t.Minute, t.Second)
}

// In returns t as an instant, reading its wall-clock fields in loc.
func (t DateTime) In(loc *time.Location) time.Time {
	return time.Date(t.Date.Year, t.Date.Month, t.Date.Day, t.Hour, t.Minute, t.Second, 0, loc)
}

// MarshalText formats t like String.
func (t DateTime) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// validDay reports whether y-m-d is a real calendar day.
func validDay(y, m, d int) bool {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= daysIn(y, time.Month(m))
}

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
