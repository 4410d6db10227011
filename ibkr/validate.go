package ibkr

import (
	"errors"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// Causes (InputError.Err) for refused requests. Every refusal is an
// *InputError matching ErrInvalidInput; these say more precisely why.
var (
	// ErrAmount: an amount is missing, not positive, carries more decimals
	// than its currency allows, or is outside a documented range.
	ErrAmount = errors.New("ibkr: invalid amount")
	// ErrWithdrawalLimit: a withdrawal exceeds what IBKR accepts through
	// the API (100,000 USD); larger ones go through the IBKR portal.
	ErrWithdrawalLimit = errors.New("ibkr: withdrawal over the API limit")
	// ErrName: a free-text name (instruction name, recurring name) is
	// empty, too long or uses characters IBKR does not accept.
	ErrName = errors.New("ibkr: invalid name")
	// ErrAccountID: not an IBKR account id.
	ErrAccountID = errors.New("ibkr: invalid account id")
	// ErrDate: a date or timestamp is not in IBKR's format.
	ErrDate = errors.New("ibkr: invalid date")
	// ErrDateRange: dates are individually valid but inconsistent (end
	// before start, range too long, start in the past).
	ErrDateRange = errors.New("ibkr: invalid date range")
	// ErrFrequency: not one of the recurring frequencies IBKR supports.
	ErrFrequency = errors.New("ibkr: invalid frequency")
	// ErrClientInstructionID: a clientInstructionId is missing or malformed.
	ErrClientInstructionID = errors.New("ibkr: invalid clientInstructionId")
)

// inputErr builds an *InputError with a specific cause.
func inputErr(field string, cause error, format string, args ...any) *InputError {
	e := invalid(field, format, args...)
	e.Err = cause
	return e
}

// MaxWithdrawalUSD is the largest withdrawal IBKR accepts through the API:
// 100,000 USD. Larger withdrawals must be requested in the IBKR portal.
var MaxWithdrawalUSD = MustDecimal("100000")

// ValidateAmount checks a money amount: present, strictly positive, and
// with no more significant decimals than currency's minor units (500.10 USD
// is fine, 500.105 USD and 10.5 JPY are not; trailing zeros don't count).
// The currency itself must be known (see ValidateCurrency, whose error is
// returned under field "currency").
func ValidateAmount(field string, amount Decimal, currency Currency) error {
	if err := ValidateCurrency("currency", currency); err != nil {
		return err
	}
	switch amount.Sign() {
	case 0:
		return inputErr(field, ErrAmount, "must be greater than zero")
	case -1:
		return inputErr(field, ErrAmount, "must be greater than zero (got a negative amount)")
	}
	if mu := currency.MinorUnits(); amount.Decimals() > mu {
		if mu == 0 {
			return inputErr(field, ErrAmount, "%s amounts take no decimals (got %s)", currency, amount)
		}
		return inputErr(field, ErrAmount, "%s amounts take at most %d decimals (got %s)", currency, mu, amount)
	}
	return nil
}

// ValidateWithdrawalAmount is ValidateAmount plus IBKR's API limit: a USD
// withdrawal may not exceed MaxWithdrawalUSD. IBKR states the limit in USD
// only; amounts in other currencies are checked by IBKR, which converts at
// its own rate.
func ValidateWithdrawalAmount(field string, amount Decimal, currency Currency) error {
	if err := ValidateAmount(field, amount, currency); err != nil {
		return err
	}
	if currency == USD && amount.Cmp(MaxWithdrawalUSD) > 0 {
		return inputErr(field, ErrWithdrawalLimit,
			"withdrawals above %s USD must be requested in the IBKR portal (got %s)", MaxWithdrawalUSD, amount)
	}
	return nil
}

// ValidateACHCurrency checks the currency of an ACH bank instruction or
// transfer: IBKR supports ACH in USD only.
func ValidateACHCurrency(field string, c Currency) error {
	if err := ValidateCurrency(field, c); err != nil {
		return err
	}
	if c != USD {
		return inputErr(field, ErrUnknownCurrency, "ACH moves USD only (got %s)", c)
	}
	return nil
}

// microDepositCeiling: IBKR's verification credits are each under one
// dollar.
var microDepositCeiling = MustDecimal("1")

// ValidateMicroDepositAmount checks one of the two verification credits
// IBKR sends to a bank account: a USD amount greater than 0 and less than
// 1.00 with at most two decimals, e.g. 0.32.
func ValidateMicroDepositAmount(field string, amount Decimal) error {
	if err := ValidateAmount(field, amount, USD); err != nil {
		return err
	}
	if amount.Cmp(microDepositCeiling) >= 0 {
		return inputErr(field, ErrAmount, "verification credits are less than 1.00 USD (got %s)", amount)
	}
	return nil
}

// Documented maximum lengths of instruction names, in characters.
const (
	// MaxACHInstructionNameLen bounds bankInstructionName of an ACH
	// instruction (and of its micro-deposit verification). IBKR's
	// documentation says 32; its schema allows 100, the documentation is
	// the stricter and wins.
	MaxACHInstructionNameLen = 32
	// MaxBankInstructionNameLen bounds bankInstructionName of wire
	// (predefined destination) and eDDA instructions.
	MaxBankInstructionNameLen = 100
	// MaxTransferInstructionNameLen bounds bankInstructionName of deposits
	// and withdrawals (the saved instruction they use).
	MaxTransferInstructionNameLen = 150
	// MaxRecurringNameLen bounds the name of a recurring transaction.
	MaxRecurringNameLen = 64
)

// ValidateInstructionName checks a free-text name sent to IBKR: not empty,
// at most maxLen characters, printable ASCII only (IBKR's back office
// accepts ASCII), and no leading or trailing spaces (IBKR matches names
// exactly, so a stray space makes a name that later lookups miss).
func ValidateInstructionName(field, name string, maxLen int) error {
	if name == "" {
		return inputErr(field, ErrName, "is required")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c > 0x7e {
			return inputErr(field, ErrName, "must be printable ASCII (byte %d is not)", i)
		}
	}
	if len(name) > maxLen {
		return inputErr(field, ErrName, "must be at most %d characters (got %d)", maxLen, len(name))
	}
	if name[0] == ' ' || name[len(name)-1] == ' ' {
		return inputErr(field, ErrName, "must not start or end with a space")
	}
	return nil
}

// ValidateAccountID checks an IBKR account id: a prefix naming the kind of
// account followed by 4 to 12 digits, e.g. U1234567. Accepted prefixes are
// U (client account), F (advisor master), I (broker master) and their
// paper-trading forms DU, DF and DI. Letters must be upper-case.
func ValidateAccountID(field, id string) error {
	if id == "" {
		return inputErr(field, ErrAccountID, "is required")
	}
	digits := ""
	switch {
	case len(id) > 2 && id[0] == 'D' && (id[1] == 'U' || id[1] == 'F' || id[1] == 'I'):
		digits = id[2:]
	case id[0] == 'U' || id[0] == 'F' || id[0] == 'I':
		digits = id[1:]
	default:
		return inputErr(field, ErrAccountID, "must start with U, F, I, DU, DF or DI followed by digits")
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return inputErr(field, ErrAccountID, "must be a prefix followed by digits only")
		}
	}
	if len(digits) < 4 || len(digits) > 12 {
		return inputErr(field, ErrAccountID, "must have 4 to 12 digits after the prefix (got %d)", len(digits))
	}
	return nil
}

// ValidateClientInstructionID checks that id is set. IDs are at most 20
// digits by construction (see ParseID); zero means "missing".
func ValidateClientInstructionID(field string, id ID) error {
	if id.IsZero() {
		return inputErr(field, ErrClientInstructionID, "is required (a positive whole number of at most 20 digits, never reused)")
	}
	return nil
}

// ParseClientInstructionID reads a clientInstructionId: 1 to 20 digits,
// not zero.
func ParseClientInstructionID(field, s string) (ID, error) {
	id, err := ParseID(s)
	if err != nil {
		return ID{}, inputErr(field, ErrClientInstructionID, "must be a whole number of at most 20 digits")
	}
	if err := ValidateClientInstructionID(field, id); err != nil {
		return ID{}, err
	}
	return id, nil
}

// DateLayout is IBKR's calendar-date format (yyyy-MM-dd), used by
// recurring transactions, expiration dates and status queries.
const DateLayout = "2006-01-02"

// DateTimeToOccurLayout is the format of a withdrawal's dateTimeToOccur:
// RFC 3339 in UTC with whole seconds, e.g. 2023-11-20T09:12:13Z.
const DateTimeToOccurLayout = "2006-01-02T15:04:05Z"

// ParseDate reads a yyyy-MM-dd date strictly (two-digit month and day, a
// real calendar day) and returns it as midnight UTC.
func ParseDate(field, s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil || len(s) != len(DateLayout) {
		return time.Time{}, inputErr(field, ErrDate, "must be a date in yyyy-MM-dd form")
	}
	return t, nil
}

// FormatDate formats t's calendar date (in t's own location) as yyyy-MM-dd.
func FormatDate(t time.Time) string { return t.Format(DateLayout) }

// FormatDateTimeToOccur formats t for a withdrawal's dateTimeToOccur, in
// UTC with whole seconds.
func FormatDateTimeToOccur(t time.Time) string { return t.UTC().Format(DateTimeToOccurLayout) }

// ParseDateTimeToOccur reads a dateTimeToOccur. It accepts any RFC 3339
// timestamp (2023-11-20T09:12:13Z, 2023-11-20T04:12:13-05:00) and returns
// it in UTC.
func ParseDateTimeToOccur(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, inputErr(field, ErrDate, "must be an RFC 3339 timestamp such as 2023-11-20T09:12:13Z")
	}
	return t.UTC(), nil
}

// civil returns t's calendar date (in t's location) as midnight UTC, so
// dates from different locations compare by the day their owner meant.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Frequency is how often a recurring deposit or withdrawal repeats.
type Frequency string

// The frequencies IBKR supports for recurring transactions.
const (
	Monthly   Frequency = "MONTHLY"
	Quarterly Frequency = "QUARTERLY"
	Yearly    Frequency = "YEARLY"
)

// Valid reports whether f is one of Monthly, Quarterly or Yearly.
func (f Frequency) Valid() bool { return f == Monthly || f == Quarterly || f == Yearly }

// Recurrence makes a deposit or withdrawal repeat. IBKR saves it under
// Name (shown in the portal's recurring transactions) and runs it every
// Frequency from Start until End; a zero End means until cancelled. Only
// the calendar dates of Start and End (in their own locations) are used.
type Recurrence struct {
	// Name names the saved recurring transaction; 1 to MaxRecurringNameLen
	// printable ASCII characters.
	Name string
	// Frequency is Monthly, Quarterly or Yearly.
	Frequency Frequency
	// Start is the first date the transaction runs.
	Start time.Time
	// End is the last date it may run; zero for no end.
	End time.Time
}

// Validate checks the recurrence: a valid name and frequency, a start date,
// an end date (if any) not before the start, and, when today is not zero,
// a start date not before today's date.
func (r Recurrence) Validate(today time.Time) error {
	if err := ValidateInstructionName("recurringInstructionDetail.instructionName", r.Name, MaxRecurringNameLen); err != nil {
		return err
	}
	if !r.Frequency.Valid() {
		return inputErr("recurringInstructionDetail.frequency", ErrFrequency, "must be MONTHLY, QUARTERLY or YEARLY")
	}
	if r.Start.IsZero() {
		return inputErr("recurringInstructionDetail.startDate", ErrDate, "is required")
	}
	start := civil(r.Start)
	if !today.IsZero() && start.Before(civil(today)) {
		return inputErr("recurringInstructionDetail.startDate", ErrDateRange, "%s is before today (%s)", FormatDate(start), FormatDate(civil(today)))
	}
	if !r.End.IsZero() && civil(r.End).Before(start) {
		return inputErr("recurringInstructionDetail.endDate", ErrDateRange, "%s is before the start date %s", FormatDate(civil(r.End)), FormatDate(start))
	}
	return nil
}

// detail converts a validated recurrence to its wire form.
func (r Recurrence) detail() gen.RecurringInstructionDetail {
	d := gen.RecurringInstructionDetail{
		InstructionName: r.Name,
		Frequency:       gen.RecurringInstructionDetailFrequency(r.Frequency),
		StartDate:       FormatDate(civil(r.Start)),
	}
	if !r.End.IsZero() {
		end := FormatDate(civil(r.End))
		d.EndDate = &end
	}
	return d
}

// String describes the recurrence for logs.
func (r Recurrence) String() string {
	end := "open-ended"
	if !r.End.IsZero() {
		end = "until " + FormatDate(civil(r.End))
	}
	return fmt.Sprintf("%s %q from %s %s", r.Frequency, r.Name, FormatDate(civil(r.Start)), end)
}
