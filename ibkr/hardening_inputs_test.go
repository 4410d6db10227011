package ibkr

import (
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/wire"
)

// TestHardeningBadInputs is the table of hostile or careless inputs found
// by the hardening probe (issue 15): each is refused before a byte is sent,
// as an *InputError matching ErrInvalidInput and its specific cause, naming
// the field; the fake server sees no request, not even a token request.
func TestHardeningBadInputs(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	ctx := context.Background()
	newWith := func(opts ...Option) error {
		base := []Option{WithBaseURL(f.srv.URL), WithCredentials("client-7", "kid-7", testKey()), WithClock(f.clk)}
		_, err := New(append(base, opts...)...)
		return err
	}
	sso := func(ip string) error { _, err := c.CreateSSOSession(ctx, "demouser1", ip, nil); return err }
	stmt := func(r StatementRange) error {
		_, err := c.Statement(ctx, io.Discard, StatementRequest{AccountID: "U1234567", Range: r})
		return err
	}
	confirms := func(r StatementRange) error {
		_, err := c.TradeConfirmations(ctx, io.Discard, TradeConfirmationRequest{AccountID: "U1234567", Range: r})
		return err
	}
	amount := func(s string) error { _, err := ParseAmount("amount", s); return err }
	// harnessStart is 2025-03-11 (US Eastern).
	tests := []struct {
		name  string
		err   error
		field string
		cause error
	}{
		{"typed nil key", newWith(WithCredentials("client-7", "kid-7", crypto.Signer((*rsa.PrivateKey)(nil)))), "privateKey", ErrInvalidInput},
		{"zero rsa key", newWith(WithCredentials("client-7", "kid-7", &rsa.PrivateKey{})), "privateKey", ErrInvalidInput},
		{"http to *.localhost", newWith(WithBaseURL("http://ibkr.localhost:8080")), "baseURL", ErrInvalidInput},
		{"http to localhost.", newWith(WithBaseURL("http://localhost.:8080")), "baseURL", ErrInvalidInput},
		{"http to a name", newWith(WithBaseURL("http://sandbox.internal")), "baseURL", ErrInvalidInput},
		{"sso carrier-grade NAT", sso("100.64.0.1"), "ip", ErrDeepLink},
		{"sso carrier-grade NAT top", sso("100.127.255.254"), "ip", ErrDeepLink},
		{"sso broadcast", sso("255.255.255.255"), "ip", ErrDeepLink},
		{"sso this network", sso("0.1.2.3"), "ip", ErrDeepLink},
		{"sso unspecified", sso("0.0.0.0"), "ip", ErrDeepLink},
		{"sso reserved class E", sso("240.0.0.1"), "ip", ErrDeepLink},
		{"sso documentation", sso("192.0.2.10"), "ip", ErrDeepLink},
		{"sso benchmarking", sso("198.18.0.1"), "ip", ErrDeepLink},
		{"sso mapped CGNAT", sso("::ffff:100.64.1.1"), "ip", ErrDeepLink},
		{"sso ipv6 documentation", sso("2001:db8::1"), "ip", ErrDeepLink},
		{"sso ipv6 unique local", sso("fd00::1"), "ip", ErrDeepLink},
		{"statement future day", stmt(DailyStatement(harnessStart.AddDate(0, 0, 2))), "startDate", ErrDateRange},
		{"statement ends in future", stmt(StatementRange{Start: "20250301", End: "20250320"}), "endDate", ErrDateRange},
		{"statement future month", stmt(StatementRange{Start: "202504", End: "202504"}), "startDate", ErrDateRange},
		{"statement future year", stmt(AnnualStatement(2026)), "startDate", ErrDateRange},
		{"statement distant past", stmt(AnnualStatement(1999)), "startDate", ErrDateRange},
		{"statement year 0001", stmt(StatementRange{Start: "00010101", End: "00010101"}), "startDate", ErrDateRange},
		{"statement before history", stmt(StatementRange{Start: "202212", End: "202301"}), "startDate", ErrDateRange},
		{"trade confirmations future", confirms(DailyStatement(harnessStart.AddDate(0, 1, 0))), "startDate", ErrDateRange},
		{"amount NaN", amount("NaN"), "amount", ErrAmount},
		{"amount 1e400", amount("1e400"), "amount", ErrAmount},
		{"amount exponent", amount("5e2"), "amount", ErrAmount},
		{"amount dollar sign", amount("$500.00"), "amount", ErrAmount},
		{"amount thousands separator", amount("1,000.00"), "amount", ErrAmount},
		{"amount Infinity", amount("Infinity"), "amount", ErrAmount},
		{"amount empty", amount(""), "amount", ErrAmount},
		{"amount spaces", amount(" 500.00"), "amount", ErrAmount},
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
			if !errors.Is(tt.err, ErrInvalidInput) || !errors.Is(tt.err, tt.cause) {
				t.Errorf("%v does not match ErrInvalidInput and %v", tt.err, tt.cause)
			}
			if ie.Field != tt.field || !strings.Contains(tt.err.Error(), tt.field) {
				t.Errorf("Field = %q (%v), want %q named", ie.Field, tt.err, tt.field)
			}
		})
	}
	if n := len(f.requests("")) + int(f.tokenCount.Load()); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
	// The generic parser is typed too, and still matches wire's error.
	_, err := ParseDecimal("1,000.00")
	if !errors.Is(err, ErrInvalidInput) || !errors.Is(err, wire.ErrInvalidDecimal) {
		t.Fatalf("ParseDecimal: %v", err)
	}
	// Public addresses and the current periods still pass.
	for _, ip := range []string{"206.106.137.230", "100.63.255.255", "100.128.0.1", "2606:4700::1111"} {
		if err := ValidateSSOSession("demouser1", ip); err != nil {
			t.Errorf("%s refused: %v", ip, err)
		}
	}
	for _, r := range []StatementRange{DailyStatement(harnessStart), AnnualStatement(2023), {Start: "202503", End: "202503"}} {
		if err := r.ValidateAt(harnessStart); err != nil {
			t.Errorf("%+v refused: %v", r, err)
		}
	}
	if d, err := ParseAmount("amount", "1000.50"); err != nil || d.String() != "1000.50" {
		t.Errorf("ParseAmount(1000.50) = %v, %v", d, err)
	}
}
