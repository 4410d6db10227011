package ibkr_test

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// InputError.Field follows its documented rule: a refused value that
// would be sent is named as api/openapi.yaml spells it on the wire (each
// dotted part a property or parameter of the spec), a local setting by
// its Go option or parameter.
func TestInputErrorFieldRule(t *testing.T) {
	spec, err := os.ReadFile("../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	onWire := func(name string) bool {
		for _, part := range strings.Split(name, ".") {
			re := regexp.MustCompile(`(?m)^\s+(` + regexp.QuoteMeta(part) + `:|- name: ` + regexp.QuoteMeta(part) + `$|name: ` + regexp.QuoteMeta(part) + `$)`)
			if !re.Match(spec) {
				return false
			}
		}
		return true
	}
	field := func(err error) string {
		var ie *ibkr.InputError
		if !errors.As(err, &ie) {
			t.Fatalf("%v is not an *InputError", err)
		}
		return ie.Field
	}
	const acct, routing = "U1234567", "110000000"
	sent := map[string]error{
		"bad routing number":   ibkr.BankAccountLink{AccountID: acct, InstructionName: "Checking", RoutingNumber: "123", AccountNumber: ibkr.NewSecret("000123456789"), BankName: "B"}.Validate(),
		"bad account number":   ibkr.BankAccountLink{AccountID: acct, InstructionName: "Checking", RoutingNumber: routing, AccountNumber: ibkr.NewSecret("12-34"), BankName: "B"}.Validate(),
		"bad account id":       ibkr.ACHDeposit{AccountID: "x", InstructionName: "Checking", Amount: ibkr.MustDecimal("1.00")}.Validate(),
		"three decimals":       ibkr.ACHDeposit{AccountID: acct, InstructionName: "Checking", Amount: ibkr.MustDecimal("1.234")}.Validate(),
		"bad currency":         ibkr.ACHDeposit{AccountID: acct, InstructionName: "Checking", Amount: ibkr.MustDecimal("1.00"), Currency: "usd!"}.Validate(),
		"no pending id":        ibkr.MicroDepositVerification{AccountID: acct, InstructionName: "Checking", Amount1: ibkr.MustDecimal("0.10"), Amount2: ibkr.MustDecimal("0.20")}.Validate(),
		"micro-deposit of 2":   ibkr.MicroDepositVerification{AccountID: acct, InstructionName: "Checking", InstructionID: ibkr.InstructionID{ID: ibkr.NewID(5)}, Amount1: ibkr.MustDecimal("2.00"), Amount2: ibkr.MustDecimal("0.20")}.Validate(),
		"bad instruction name": ibkr.ACHDeposit{AccountID: acct, InstructionName: strings.Repeat("n", 200), Amount: ibkr.MustDecimal("1.00")}.Validate(),
		"bad email":            ibkr.HybridRegistration{FirstName: "Jane", LastName: "Doe", Email: "not an email", Country: "USA"}.Validate(time.Now()),
		"bad restriction row":  restrictionCSVErr(ibkr.RestrictionList{Rows: []ibkr.RestrictionRow{{AccountID: "x", Action: ibkr.RestrictionAdd, Restriction: "R"}}}),
		"bad SSO service":      ibkr.SSOTokenRequest{Credential: "demouser1", IP: "206.106.137.230", Service: "a b"}.Validate(),
	}
	for name, err := range sent {
		if f := field(err); !onWire(f) {
			t.Errorf("%s: Field %q is not a wire name of api/openapi.yaml", name, f)
		}
	}
	_, err = ibkr.New(ibkr.WithCredentials("c", "k", nil), ibkr.WithEnvironment(ibkr.QA))
	if f := field(err); f != "privateKey" {
		t.Errorf("a local setting: Field %q, want the option's parameter privateKey", f)
	}
	_, err = ibkr.New(ibkr.WithBaseURL("ftp://x"))
	if f := field(err); f != "baseURL" {
		t.Errorf("a local setting: Field %q, want baseURL", f)
	}
}

func restrictionCSVErr(l ibkr.RestrictionList) error {
	_, err := l.CSV()
	return err
}
