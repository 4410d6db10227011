package ibkr

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

func ymd(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TestValidationRefusals is the table of bad inputs: each must be an
// *InputError matching ErrInvalidInput and its specific cause, naming the
// field, and never echoing a bank account number.
func TestValidationRefusals(t *testing.T) {
	const secretAccount = "12345678901234567890"
	today := ymd(2025, 3, 10)
	tests := []struct {
		name  string
		err   error
		field string
		cause error
	}{
		{"routing too short", ValidateRoutingNumber("02100002"), "bankRoutingNumber", ErrRoutingNumber},
		{"routing too long", ValidateRoutingNumber("0210000210"), "bankRoutingNumber", ErrRoutingNumber},
		{"routing letters", ValidateRoutingNumber("02100002A"), "bankRoutingNumber", ErrRoutingNumber},
		{"routing bad checksum", ValidateRoutingNumber("021000022"), "bankRoutingNumber", ErrRoutingNumber},
		{"routing unassigned prefix", ValidateRoutingNumber("202012983"), "bankRoutingNumber", ErrRoutingNumber},
		{"routing all zeros", ValidateRoutingNumber("000000000"), "bankRoutingNumber", ErrRoutingNumber},
		{"routing empty", ValidateRoutingNumber(""), "bankRoutingNumber", ErrRoutingNumber},
		{"routing with dash", ValidateRoutingNumber("0210-0002"), "bankRoutingNumber", ErrRoutingNumber},
		{"account empty", ValidateUSBankAccountNumber(""), "bankAccountNumber", ErrBankAccountNumber},
		{"account too short", ValidateUSBankAccountNumber("123"), "bankAccountNumber", ErrBankAccountNumber},
		{"account too long", ValidateUSBankAccountNumber(secretAccount), "bankAccountNumber", ErrBankAccountNumber},
		{"account dashes", ValidateUSBankAccountNumber("1234-5678"), "bankAccountNumber", ErrBankAccountNumber},
		{"account zeros", ValidateUSBankAccountNumber("00000000"), "bankAccountNumber", ErrBankAccountNumber},
		{"currency unknown", ValidateCurrency("currency", "XYZ"), "currency", ErrUnknownCurrency},
		{"currency lower", ValidateCurrency("currency", "usd"), "currency", ErrUnknownCurrency},
		{"currency empty", ValidateCurrency("currency", ""), "currency", ErrUnknownCurrency},
		{"currency long", ValidateCurrency("currency", "USDT"), "currency", ErrUnknownCurrency},
		{"ach currency euro", ValidateACHCurrency("currency", EUR), "currency", ErrUnknownCurrency},
		{"ach currency unknown", ValidateACHCurrency("currency", "US"), "currency", ErrUnknownCurrency},
		{"amount zero", ValidateAmount("amount", MustDecimal("0.00"), USD), "amount", ErrAmount},
		{"amount negative", ValidateAmount("amount", MustDecimal("-5"), USD), "amount", ErrAmount},
		{"amount three decimals", ValidateAmount("amount", MustDecimal("500.105"), USD), "amount", ErrAmount},
		{"amount yen decimals", ValidateAmount("amount", MustDecimal("10.5"), JPY), "amount", ErrAmount},
		{"amount unknown currency", ValidateAmount("amount", MustDecimal("10"), "ABC"), "currency", ErrUnknownCurrency},
		{"withdrawal over limit", ValidateWithdrawalAmount("amount", MustDecimal("100000.01"), USD), "amount", ErrWithdrawalLimit},
		{"withdrawal negative", ValidateWithdrawalAmount("amount", MustDecimal("-1"), USD), "amount", ErrAmount},
		{"micro deposit one dollar", ValidateMicroDepositAmount("creditAmount1", MustDecimal("1.00")), "creditAmount1", ErrAmount},
		{"micro deposit fraction of cent", ValidateMicroDepositAmount("creditAmount2", MustDecimal("0.325")), "creditAmount2", ErrAmount},
		{"micro deposit zero", ValidateMicroDepositAmount("creditAmount2", MustDecimal("0")), "creditAmount2", ErrAmount},
		{"ach name too long", ValidateInstructionName("bankInstructionName", strings.Repeat("x", 33), MaxACHInstructionNameLen), "bankInstructionName", ErrName},
		{"deposit name too long", ValidateInstructionName("bankInstructionName", strings.Repeat("x", 151), MaxTransferInstructionNameLen), "bankInstructionName", ErrName},
		{"name empty", ValidateInstructionName("bankInstructionName", "", 32), "bankInstructionName", ErrName},
		{"name non-ascii", ValidateInstructionName("bankInstructionName", "Épargne", 32), "bankInstructionName", ErrName},
		{"name control char", ValidateInstructionName("bankInstructionName", "a\tb", 32), "bankInstructionName", ErrName},
		{"name trailing space", ValidateInstructionName("bankInstructionName", "Checking ", 32), "bankInstructionName", ErrName},
		{"account id empty", ValidateAccountID("accountId", ""), "accountId", ErrAccountID},
		{"account id bad prefix", ValidateAccountID("accountId", "X1234567"), "accountId", ErrAccountID},
		{"account id lower", ValidateAccountID("accountId", "u1234567"), "accountId", ErrAccountID},
		{"account id no digits", ValidateAccountID("accountId", "DU"), "accountId", ErrAccountID},
		{"account id short", ValidateAccountID("accountId", "U123"), "accountId", ErrAccountID},
		{"account id long", ValidateAccountID("accountId", "U1234567890123"), "accountId", ErrAccountID},
		{"account id letters", ValidateAccountID("accountId", "U12345A7"), "accountId", ErrAccountID},
		{"client instruction id zero", ValidateClientInstructionID("clientInstructionId", ID{}), "clientInstructionId", ErrClientInstructionID},
		{"client instruction id 21 digits", errOf(ParseClientInstructionID("clientInstructionId", "123456789012345678901")), "clientInstructionId", ErrClientInstructionID},
		{"client instruction id sign", errOf(ParseClientInstructionID("clientInstructionId", "-7")), "clientInstructionId", ErrClientInstructionID},
		{"client instruction id zero text", errOf(ParseClientInstructionID("clientInstructionId", "000")), "clientInstructionId", ErrClientInstructionID},
		{"date slashes", errOf(ParseDate("startDate", "2024/01/02")), "startDate", ErrDate},
		{"date one-digit month", errOf(ParseDate("startDate", "2024-1-02")), "startDate", ErrDate},
		{"date impossible", errOf(ParseDate("startDate", "2024-02-30")), "startDate", ErrDate},
		{"date compact", errOf(ParseDate("startDate", "20240102")), "startDate", ErrDate},
		{"datetime no zone", errOf(ParseDateTimeToOccur("dateTimeToOccur", "2023-11-20T09:12:13")), "dateTimeToOccur", ErrDate},
		{"datetime date only", errOf(ParseDateTimeToOccur("dateTimeToOccur", "2023-11-20")), "dateTimeToOccur", ErrDate},
		{"recurrence bad frequency", Recurrence{Name: "Monthly savings", Frequency: "WEEKLY", Start: ymd(2025, 4, 1)}.Validate(today), "recurringInstructionDetail.frequency", ErrFrequency},
		{"recurrence lower frequency", Recurrence{Name: "Monthly savings", Frequency: "monthly", Start: ymd(2025, 4, 1)}.Validate(today), "recurringInstructionDetail.frequency", ErrFrequency},
		{"recurrence no start", Recurrence{Name: "Monthly savings", Frequency: Monthly}.Validate(today), "recurringInstructionDetail.startDate", ErrDate},
		{"recurrence start in past", Recurrence{Name: "Monthly savings", Frequency: Monthly, Start: ymd(2025, 3, 9)}.Validate(today), "recurringInstructionDetail.startDate", ErrDateRange},
		{"recurrence end before start", Recurrence{Name: "Monthly savings", Frequency: Monthly, Start: ymd(2025, 4, 1), End: ymd(2025, 3, 31)}.Validate(today), "recurringInstructionDetail.endDate", ErrDateRange},
		{"recurrence name too long", Recurrence{Name: strings.Repeat("n", 65), Frequency: Monthly, Start: ymd(2025, 4, 1)}.Validate(today), "recurringInstructionDetail.instructionName", ErrName},
		{"recurrence name missing", Recurrence{Frequency: Yearly, Start: ymd(2025, 4, 1)}.Validate(today), "recurringInstructionDetail.instructionName", ErrName},
	}
	if len(tests) < 30 {
		t.Fatalf("table has %d rows, want at least 30", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("accepted, want a refusal")
			}
			var ie *InputError
			if !errors.As(tt.err, &ie) {
				t.Fatalf("error %T %v is not an *InputError", tt.err, tt.err)
			}
			if !errors.Is(tt.err, ErrInvalidInput) {
				t.Errorf("errors.Is(%v, ErrInvalidInput) = false", tt.err)
			}
			if !errors.Is(tt.err, tt.cause) {
				t.Errorf("errors.Is(%v, %v) = false", tt.err, tt.cause)
			}
			if ie.Field != tt.field {
				t.Errorf("Field = %q, want %q", ie.Field, tt.field)
			}
			if !strings.Contains(tt.err.Error(), tt.field) {
				t.Errorf("message %q does not name the field %q", tt.err, tt.field)
			}
			if strings.Contains(tt.err.Error(), secretAccount) || strings.Contains(tt.err.Error(), "1234-5678") {
				t.Errorf("message %q repeats a bank account number", tt.err)
			}
		})
	}
}

func errOf[T any](_ T, err error) error { return err }

func TestValidationAccepts(t *testing.T) {
	for _, r := range []string{"021000021", "011000015", "026009593", "121000358", "322271627", "800000080"} {
		if err := ValidateRoutingNumber(r); err != nil {
			t.Errorf("ValidateRoutingNumber(%s) = %v", r, err)
		}
	}
	for _, a := range []string{"1234", "101267576983", "12345678901234567"} {
		if err := ValidateUSBankAccountNumber(a); err != nil {
			t.Errorf("ValidateUSBankAccountNumber(len %d) = %v", len(a), err)
		}
	}
	amounts := []struct {
		amount string
		cur    Currency
	}{{"500.00", USD}, {"500.1", USD}, {"0.01", USD}, {"1000", JPY}, {"1000.000", JPY}, {"12.34", EUR}, {"100000", USD}, {"100000.00", USD}}
	for _, a := range amounts {
		if err := ValidateWithdrawalAmount("amount", MustDecimal(a.amount), a.cur); err != nil {
			t.Errorf("ValidateWithdrawalAmount(%s %s) = %v", a.amount, a.cur, err)
		}
	}
	if err := ValidateWithdrawalAmount("amount", MustDecimal("250000"), EUR); err != nil {
		t.Errorf("non-USD withdrawal limit is IBKR's to check, got %v", err)
	}
	for _, a := range []string{"0.01", "0.32", "0.99"} {
		if err := ValidateMicroDepositAmount("creditAmount1", MustDecimal(a)); err != nil {
			t.Errorf("ValidateMicroDepositAmount(%s) = %v", a, err)
		}
	}
	if err := ValidateACHCurrency("currency", USD); err != nil {
		t.Errorf("ACH in USD refused: %v", err)
	}
	if err := ValidateInstructionName("bankInstructionName", strings.Repeat("x", 32), MaxACHInstructionNameLen); err != nil {
		t.Errorf("32-char ACH name refused: %v", err)
	}
	for _, id := range []string{"U1234", "U46377", "U123456789012", "F1234567", "I7654321", "DU1234567", "DF123456", "DI123456"} {
		if err := ValidateAccountID("accountId", id); err != nil {
			t.Errorf("ValidateAccountID(%s) = %v", id, err)
		}
	}
	id, err := ParseClientInstructionID("clientInstructionId", "12345678901234567890")
	if err != nil || id.String() != "12345678901234567890" {
		t.Errorf("ParseClientInstructionID(20 digits) = %v, %v", id, err)
	}
	d, err := ParseDate("startDate", "2024-02-29")
	if err != nil || !d.Equal(ymd(2024, 2, 29)) {
		t.Errorf("ParseDate(2024-02-29) = %v, %v", d, err)
	}
	ts, err := ParseDateTimeToOccur("dateTimeToOccur", "2023-11-20T04:12:13-05:00")
	if err != nil || FormatDateTimeToOccur(ts) != "2023-11-20T09:12:13Z" {
		t.Errorf("ParseDateTimeToOccur = %v, %v", ts, err)
	}
	ny := time.FixedZone("EST", -5*3600)
	if got := FormatDateTimeToOccur(time.Date(2023, 11, 20, 4, 12, 13, 999, ny)); got != "2023-11-20T09:12:13Z" {
		t.Errorf("FormatDateTimeToOccur = %s", got)
	}
}

func TestCurrencyTable(t *testing.T) {
	all := Currencies()
	if len(all) != 27 {
		t.Fatalf("Currencies() has %d entries, want 27", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i-1] >= all[i] {
			t.Fatalf("Currencies() not sorted at %d: %v", i, all)
		}
	}
	want := map[Currency]int{USD: 2, EUR: 2, JPY: 0, KRW: 0, CNH: 2, HUF: 2, "XYZ": -1, "": -1}
	for c, n := range want {
		if got := c.MinorUnits(); got != n {
			t.Errorf("%q.MinorUnits() = %d, want %d", c, got, n)
		}
		if c.Known() != (n >= 0) {
			t.Errorf("%q.Known() = %v", c, c.Known())
		}
	}
	c, err := ParseCurrency("GBP")
	if err != nil || c != GBP {
		t.Errorf("ParseCurrency(GBP) = %v, %v", c, err)
	}
	if _, err := ParseCurrency("gbp"); !errors.Is(err, ErrUnknownCurrency) || !strings.Contains(err.Error(), "upper-case") {
		t.Errorf("ParseCurrency(gbp) = %v, want an upper-case hint", err)
	}
}

func TestRecurrence(t *testing.T) {
	today := ymd(2025, 3, 10)
	// A start expressed late in the day in New York is still March 10 there.
	ny := time.FixedZone("EST", -5*3600)
	r := Recurrence{Name: "Savings", Frequency: Quarterly, Start: time.Date(2025, 3, 10, 23, 0, 0, 0, ny)}
	if err := r.Validate(today); err != nil {
		t.Fatalf("start today refused: %v", err)
	}
	if err := r.Validate(time.Time{}); err != nil {
		t.Fatalf("zero today must skip the past check: %v", err)
	}
	d := r.detail()
	if d.StartDate != "2025-03-10" || d.EndDate != nil || d.Frequency != gen.RecurringInstructionDetailFrequency("QUARTERLY") || d.InstructionName != "Savings" {
		t.Errorf("detail() = %+v", d)
	}
	r.End = ymd(2025, 3, 10)
	if err := r.Validate(today); err != nil {
		t.Fatalf("end on start day refused: %v", err)
	}
	if d := r.detail(); d.EndDate == nil || *d.EndDate != "2025-03-10" {
		t.Errorf("detail().EndDate = %v", d.EndDate)
	}
	if s := r.String(); !strings.Contains(s, "QUARTERLY") || !strings.Contains(s, "until 2025-03-10") {
		t.Errorf("String() = %q", s)
	}
	for _, f := range []Frequency{Monthly, Quarterly, Yearly} {
		if !f.Valid() {
			t.Errorf("%s not valid", f)
		}
	}
}
