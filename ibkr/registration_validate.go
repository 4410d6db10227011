package ibkr

import (
	"errors"
	"regexp"
	"strings"
	"time"
)

// ErrApplication is the cause (InputError.Err) when account application
// data breaks one of IBKR's documented rules (names, email, countries,
// date of birth, addresses, user name prefix ...).
var ErrApplication = errors.New("ibkr: invalid application data")

// Documented limits of application data.
const (
	// MaxNameLen bounds first, middle and last names.
	MaxNameLen = 50
	// MaxExternalIDLen bounds externalId values.
	MaxExternalIDLen = 64
	// MinimumAge is the youngest an applicant may be, in years.
	MinimumAge = 18
	// MaxCityLen, MaxPostalCodeLen and MaxStreetLen bound addresses.
	MaxCityLen       = 100
	MaxPostalCodeLen = 20
	MaxStreetLen     = 200
	// MaxPhoneLen bounds phone numbers.
	MaxPhoneLen = 18
	// MaxAccountAliasLen bounds an account alias.
	MaxAccountAliasLen = 80
)

func appErr(field, format string, args ...any) *InputError {
	return inputErr(field, ErrApplication, format, args...)
}

// ValidateEmail checks an email address with IBKR's published pattern
// (case-insensitive): a local part of 1 to 64 characters starting with a
// letter or digit, then 1 to 8 dot-terminated domain labels and a
// top-level domain of 2 to 63 letters. The address is not echoed in the
// error.
func ValidateEmail(field, email string) error {
	if email == "" {
		return appErr(field, "is required")
	}
	at := strings.IndexByte(email, '@')
	if at < 0 || strings.IndexByte(email[at+1:], '@') >= 0 {
		return appErr(field, "must contain exactly one @")
	}
	local, domain := strings.ToUpper(email[:at]), strings.ToUpper(email[at+1:])
	if len(local) < 1 || len(local) > 64 || !isAlnum(local[0]) {
		return appErr(field, "the part before @ must be 1 to 64 characters starting with a letter or digit")
	}
	for i := 1; i < len(local); i++ {
		if c := local[i]; !isAlnum(c) && strings.IndexByte("._%+-", c) < 0 {
			return appErr(field, "the part before @ may hold letters, digits and . _ %% + - only")
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 || len(labels) > 9 {
		return appErr(field, "the domain must have 2 to 9 dot-separated parts")
	}
	tld := labels[len(labels)-1]
	if len(tld) < 2 || len(tld) > 63 {
		return appErr(field, "the top-level domain must be 2 to 63 letters")
	}
	for i := 0; i < len(tld); i++ {
		if tld[i] < 'A' || tld[i] > 'Z' {
			return appErr(field, "the top-level domain must be letters only")
		}
	}
	for _, l := range labels[:len(labels)-1] {
		if len(l) < 1 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' || strings.Contains(l, "--") {
			return appErr(field, "each domain label must be 1 to 63 letters, digits or single inner hyphens")
		}
		for i := 0; i < len(l); i++ {
			if !isAlnum(l[i]) && l[i] != '-' {
				return appErr(field, "each domain label must be 1 to 63 letters, digits or single inner hyphens")
			}
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// ValidatePersonName checks a legal first, middle or last name: at most
// MaxNameLen ASCII characters, letters with single spaces, hyphens,
// apostrophes or periods between them (IBKR asks for alphabetic ASCII;
// names in other scripts go in nativeName). required says whether it may
// be empty.
func ValidatePersonName(field, name string, required bool) error {
	if name == "" {
		if required {
			return appErr(field, "is required")
		}
		return nil
	}
	if len(name) > MaxNameLen {
		return appErr(field, "must be at most %d characters (got %d)", MaxNameLen, len(name))
	}
	prevSep := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
			prevSep = false
		case c == ' ' || c == '-' || c == '\'' || c == '.':
			if prevSep && c != '.' {
				return appErr(field, "must not start with or double a space, hyphen or apostrophe")
			}
			prevSep = c != '.'
		default:
			if c >= 0x80 {
				return appErr(field, "must be ASCII letters; put names in other scripts in nativeName")
			}
			return appErr(field, "must be letters, with spaces, hyphens, apostrophes or periods between them")
		}
	}
	if prevSep {
		return appErr(field, "must not end with a space, hyphen or apostrophe")
	}
	return nil
}

// ValidateCountryCode checks a three-letter ISO 3166-1 alpha-3 country
// code in upper case, such as USA, GBR or DEU (not US, UK or "United
// States").
func ValidateCountryCode(field, code string) error {
	if len(code) != 3 || !isUpperASCII(code) {
		return appErr(field, "must be a three-letter ISO country code in upper case, such as USA or GBR")
	}
	return nil
}

// ValidateExternalID checks a caller-assigned externalId: 1 to
// MaxExternalIDLen printable ASCII characters, no spaces at either end.
func ValidateExternalID(field, id string) error {
	if id == "" {
		return appErr(field, "is required")
	}
	if len(id) > MaxExternalIDLen {
		return appErr(field, "must be at most %d characters (got %d)", MaxExternalIDLen, len(id))
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x20 || c > 0x7e {
			return appErr(field, "must be printable ASCII")
		}
	}
	if strings.TrimSpace(id) != id {
		return appErr(field, "must not start or end with a space")
	}
	return nil
}

// ValidateUserNamePrefix checks the prefix IBKR builds a user name from:
// 3 to 6 lower-case letters (IBKR appends digits).
func ValidateUserNamePrefix(field, prefix string) error {
	if len(prefix) < 3 || len(prefix) > 6 {
		return appErr(field, "must be 3 to 6 letters (got %d characters)", len(prefix))
	}
	for i := 0; i < len(prefix); i++ {
		if c := prefix[i]; c < 'a' || c > 'z' {
			return appErr(field, "must be lower-case letters only (no digits, symbols or capitals)")
		}
	}
	return nil
}

// ValidateUserNameFormat checks the form of a requested IBKR user name:
// lower-case letters and digits only. Whether it is free is IBKR's to say
// (Client.ValidateUserName).
func ValidateUserNameFormat(field, name string) error {
	if name == "" {
		return appErr(field, "is required")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return appErr(field, "must be lower-case letters and digits only")
		}
	}
	return nil
}

// ValidateDateOfBirth checks a date of birth in yyyy-MM-dd form: a real,
// past date making the applicant at least MinimumAge years old on today's
// date. IBKR restricts applicants under 21 to cash accounts; that is not
// checked here.
func ValidateDateOfBirth(field, dob string, today time.Time) error {
	t, err := ParseDate(field, dob)
	if err != nil {
		return appErr(field, "must be a date in yyyy-MM-dd form")
	}
	if t.Year() < 1900 {
		return appErr(field, "must be after 1900")
	}
	if !today.IsZero() && civil(today).Before(t.AddDate(MinimumAge, 0, 0)) {
		return appErr(field, "the applicant must be at least %d years old", MinimumAge)
	}
	return nil
}

// poBox is IBKR's published English pattern for post office boxes, which
// it refuses in residential addresses.
var poBox = regexp.MustCompile(`(?i)(?:P(?:ost(?:al)?)?[\.\-\s]*(?:(?:O(?:ffice)?[\.\s]*)?B(?:ox|in|\b|\d)|o(?:ffice|\b)(?:[-\s]*\d)|code)|box[-\s]*\d)`)

// ValidateResidenceStreet checks a line of a residential address: at most
// MaxStreetLen characters and no post office box, "in care of" or
// "general delivery" (IBKR refuses those for the residence).
func ValidateResidenceStreet(field, street string) error {
	if len(street) > MaxStreetLen {
		return appErr(field, "must be at most %d characters (got %d)", MaxStreetLen, len(street))
	}
	low := strings.ToLower(street)
	if poBox.MatchString(street) || strings.Contains(low, "in care of") || strings.Contains(low, "general delivery") {
		return appErr(field, "a residential address cannot be a post office box, in care of or general delivery address")
	}
	return nil
}

// checkAddress checks an address's lengths, its country code and, for a
// residence, its streets.
func checkAddress(field string, country, city, postal, street1, street2 string, residence, countryRequired bool) error {
	if country != "" || countryRequired {
		if err := ValidateCountryCode(field+".country", country); err != nil {
			return err
		}
	}
	if len(city) > MaxCityLen {
		return appErr(field+".city", "must be at most %d characters", MaxCityLen)
	}
	if len(postal) > MaxPostalCodeLen {
		return appErr(field+".postalCode", "must be at most %d characters (use 00000 where there is none)", MaxPostalCodeLen)
	}
	for i, s := range []string{street1, street2} {
		f := field + ".street" + string(rune('1'+i))
		if residence {
			if err := ValidateResidenceStreet(f, s); err != nil {
				return err
			}
		} else if len(s) > MaxStreetLen {
			return appErr(f, "must be at most %d characters", MaxStreetLen)
		}
	}
	return nil
}
