package ibkr

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// A valid IBAN (ISO 13616 example) and BIC for SEPA destinations.
const (
	testIBAN = "DE89 3704 0044 0532 0130 00"
	testBIC  = "COBADEFF"
)

// TestMoneyPathsBadInputs: every new money path refuses bad input of each
// field type with an *InputError naming the JSON field, and nothing
// reaches the sandbox, not even a token request.
func TestMoneyPathsBadInputs(t *testing.T) {
	e := newFundingEnv(t, nil)
	c := e.c
	now := e.srv.Now()

	goodEDDA := EDDADeposit{AccountID: demo, InstructionName: "HK", Amount: MustDecimal("100.00"), Currency: HKD}
	edda := func(mod func(*EDDADeposit)) func(context.Context) error {
		r := goodEDDA
		mod(&r)
		return func(ctx context.Context) error { _, err := c.DepositEDDA(ctx, r); return err }
	}
	goodOB := OpenBankingDeposit{AccountID: demo, Amount: MustDecimal("100.00"), Currency: GBP, RedirectURI: "https://app.example/done"}
	ob := func(mod func(*OpenBankingDeposit)) func(context.Context) error {
		r := goodOB
		mod(&r)
		return func(ctx context.Context) error { _, err := c.DepositOpenBanking(ctx, r); return err }
	}
	goodIRA := IRADeposit{Type: IRAContribution}
	iraDep := func(mod func(*IRADeposit)) func(context.Context) error {
		d := goodIRA
		mod(&d)
		r := WireDeposit{AccountID: demo, Amount: MustDecimal("1000"), Currency: USD, IRA: &d}
		return func(ctx context.Context) error { _, err := c.NotifyWireDeposit(ctx, r); return err }
	}
	goodDist := IRADistribution{Reason: IRANormalDistribution, FederalTaxPercent: MustDecimal("10"), StateTaxPercent: MustDecimal("4.5"), State: "NY"}
	dist := func(mod func(*IRADistribution)) func(context.Context) error {
		d := goodDist
		mod(&d)
		r := Withdrawal{AccountID: demo, Method: MethodWire, InstructionName: "Out", Amount: MustDecimal("100"), IRA: &d}
		return func(ctx context.Context) error { _, err := c.Withdraw(ctx, r); return err }
	}
	goodWithdrawal := Withdrawal{AccountID: demo, Method: MethodSEPA, InstructionName: "EU", Amount: MustDecimal("100"), Currency: EUR}
	withdraw := func(mod func(*Withdrawal)) func(context.Context) error {
		r := goodWithdrawal
		mod(&r)
		return func(ctx context.Context) error { _, err := c.Withdraw(ctx, r); return err }
	}
	goodSEPA := WireDestination{AccountID: demo, InstructionName: "EU", Currency: EUR, BankName: "Example Bank",
		BankAccount: NewSecret(testIBAN), Identifier: testBIC, Method: MethodSEPA}
	sepa := func(mod func(*WireDestination)) func(context.Context) error {
		r := goodSEPA
		mod(&r)
		return func(ctx context.Context) error { _, err := c.AddWireDestination(ctx, r); return err }
	}
	achDeposit := func(mod func(*ACHDeposit)) func(context.Context) error {
		r := ACHDeposit{AccountID: demo, InstructionName: "Checking", Amount: MustDecimal("10")}
		mod(&r)
		return func(ctx context.Context) error { _, err := c.DepositACH(ctx, r); return err }
	}

	cases := []struct {
		name  string
		call  func(context.Context) error
		field string
		cause error
	}{
		{"eDDA deposit in USD", edda(func(r *EDDADeposit) { r.Currency = USD }), "currency", ErrCurrencyNotAllowed},
		{"eDDA deposit lower-case currency", edda(func(r *EDDADeposit) { r.Currency = "hkd" }), "currency", ErrUnknownCurrency},
		{"eDDA deposit no name", edda(func(r *EDDADeposit) { r.InstructionName = "" }), "bankInstructionName", ErrName},
		{"eDDA deposit 3 decimals", edda(func(r *EDDADeposit) { r.Amount = MustDecimal("1.005") }), "amount", ErrAmount},
		{"eDDA deposit account", edda(func(r *EDDADeposit) { r.AccountID = "12345" }), "accountId", ErrAccountID},
		{"eDDA deposit recurrence", edda(func(r *EDDADeposit) {
			r.Recurring = &Recurrence{Name: "M", Frequency: Monthly, Start: now.AddDate(0, 0, -3)}
		}), "recurringInstructionDetail.startDate", ErrDateRange},
		{"open banking provider", ob(func(r *OpenBankingDeposit) { r.Provider = "TRUELAYER" }), "openBanking.serviceProvider", nil},
		{"open banking http redirect", ob(func(r *OpenBankingDeposit) { r.RedirectURI = "http://app.example/done" }), "openBanking.plaidOptions.completionRedirectUri", nil},
		{"open banking relative redirect", ob(func(r *OpenBankingDeposit) { r.RedirectURI = "/done" }), "openBanking.plaidOptions.completionRedirectUri", nil},
		{"open banking app scheme without MobileApp", ob(func(r *OpenBankingDeposit) { r.RedirectURI = "myapp://done" }), "openBanking.plaidOptions.completionRedirectUri", nil},
		{"open banking display name", ob(func(r *OpenBankingDeposit) { r.DisplayName = "Caf\u00e9" }), "openBanking.plaidOptions.linkDisplayName", ErrName},
		{"open banking zero", ob(func(r *OpenBankingDeposit) { r.Amount = MustDecimal("0") }), "amount", ErrAmount},
		{"open banking no currency", ob(func(r *OpenBankingDeposit) { r.Currency = "" }), "currency", ErrUnknownCurrency},
		{"IRA type missing", iraDep(func(d *IRADeposit) { d.Type = "" }), "iraDepositDetail.iraContributionType", ErrIRA},
		{"IRA tax year", iraDep(func(d *IRADeposit) { d.TaxYear = "NEXT" }), "iraDepositDetail.iraTaxYearType", ErrIRA},
		{"IRA rollover without plan", iraDep(func(d *IRADeposit) { d.Type = IRARolloverContribution }), "iraDepositDetail.fromIraType", ErrIRA},
		{"IRA contribution from a plan", iraDep(func(d *IRADeposit) { d.From = IRAPlanRoth }), "iraDepositDetail.fromIraType", ErrIRA},
		{"IRA unknown plan", iraDep(func(d *IRADeposit) { d.Type, d.From = IRARolloverContribution, "PENSION" }), "iraDepositDetail.fromIraType", ErrIRA},
		{"IRA deposit in CAD", func(ctx context.Context) error {
			_, err := c.DepositACH(ctx, ACHDeposit{AccountID: demo, InstructionName: "CA", Amount: MustDecimal("10"), Currency: CAD, IRA: &goodIRA})
			return err
		}, "currency", ErrCurrencyNotAllowed},
		{"ACH deposit in EUR", achDeposit(func(r *ACHDeposit) { r.Currency = EUR }), "currency", ErrCurrencyNotAllowed},
		{"distribution reason", dist(func(d *IRADistribution) { d.Reason = "" }), "iraWithdrawalDetail.iraWithholdType", ErrIRA},
		{"distribution federal over 100", dist(func(d *IRADistribution) { d.FederalTaxPercent = MustDecimal("100.01") }), "iraWithdrawalDetail.fedIncomeTaxPercentage", ErrIRA},
		{"distribution state negative", dist(func(d *IRADistribution) { d.StateTaxPercent = MustDecimal("-1") }), "iraWithdrawalDetail.stateIncomeTaxPercentage", ErrIRA},
		{"distribution 3 decimals", dist(func(d *IRADistribution) { d.StateTaxPercent = MustDecimal("4.125") }), "iraWithdrawalDetail.stateIncomeTaxPercentage", ErrIRA},
		{"distribution state code", dist(func(d *IRADistribution) { d.State = "XX" }), "iraWithdrawalDetail.stateCd", ErrIRA},
		{"distribution lower-case state", dist(func(d *IRADistribution) { d.State = "ny" }), "iraWithdrawalDetail.stateCd", ErrIRA},
		{"SEPA withdrawal in USD", withdraw(func(r *Withdrawal) { r.Currency = USD }), "currency", ErrCurrencyNotAllowed},
		{"ACH withdrawal in EUR", withdraw(func(r *Withdrawal) { r.Method = MethodACH }), "currency", ErrCurrencyNotAllowed},
		{"eDDA withdrawal", withdraw(func(r *Withdrawal) { r.Method = MethodEDDA }), "bankInstructionMethod", nil},
		{"open-banking withdrawal", withdraw(func(r *Withdrawal) { r.Method = MethodOpenBanking }), "bankInstructionMethod", nil},
		{"SEPA destination in USD", sepa(func(r *WireDestination) { r.Currency = USD }), "currency", ErrCurrencyNotAllowed},
		{"SEPA destination IBAN checksum", sepa(func(r *WireDestination) { r.BankAccount = NewSecret("DE89 3704 0044 0532 0130 01") }), "financialInstitution.clientAccountId", ErrBankAccountNumber},
		{"SEPA destination lower-case IBAN", sepa(func(r *WireDestination) { r.BankAccount = NewSecret("de89370400440532013000") }), "financialInstitution.clientAccountId", ErrBankAccountNumber},
		{"SEPA destination short IBAN", sepa(func(r *WireDestination) { r.BankAccount = NewSecret("DE89 3704") }), "financialInstitution.clientAccountId", ErrBankAccountNumber},
		{"SEPA destination IFSC", sepa(func(r *WireDestination) { r.IdentifierType, r.Identifier = IFSC, "SBIN0001234" }), "financialInstitution.identifierType", nil},
		{"destination ACH method", sepa(func(r *WireDestination) { r.Method = MethodACH }), "bankInstructionMethod", nil},
		{"IRA contributions 1974", func(ctx context.Context) error { _, err := c.IRAContributions(ctx, demo, 1974); return err }, "year", ErrDateRange},
		{"IRA contributions in two years", func(ctx context.Context) error {
			_, err := c.IRAContributions(ctx, demo, now.Year()+2)
			return err
		}, "year", ErrDateRange},
		{"IRA contributions account", func(ctx context.Context) error { _, err := c.IRAContributions(ctx, "U1", 2025); return err }, "accountId", ErrAccountID},
		{"recurring executions no reference", func(ctx context.Context) error { _, err := c.RecurringExecutions(ctx, ID{}, 10); return err }, "ibReferenceId", nil},
		{"recurring executions negative count", func(ctx context.Context) error {
			_, err := c.RecurringExecutions(ctx, NewID(206000001), -1)
			return err
		}, "numberOfTransactions", nil},
		{"total balance account", func(ctx context.Context) error { _, err := c.TotalBalance(ctx, "u1234567"); return err }, "accountId", ErrAccountID},
		{"total balance currency", func(ctx context.Context) error { _, err := c.TotalBalance(ctx, demo, USD, "eur"); return err }, "currency", ErrUnknownCurrency},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantInputError(t, tc.call(context.Background()), tc.field, tc.cause, "0532")
		})
	}
	if reqs := e.srv.Requests(); len(reqs) != 0 {
		t.Fatalf("%d requests reached the sandbox, first %s %s", len(reqs), reqs[0].Method, reqs[0].Path)
	}
}

// TestValidateIBAN checks the ISO 13616 checksum on known numbers.
func TestValidateIBAN(t *testing.T) {
	for _, ok := range []string{"DE89370400440532013000", testIBAN, "GB82WEST12345698765432", "FR1420041010050500013M02606", "NL91ABNA0417164300"} {
		if err := ValidateIBAN("iban", ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"GB82WEST12345698765433", "GB82-WEST-1234-5698-7654-32", "8982WEST12345698765432", "GBXXWEST12345698765432", ""} {
		if err := ValidateIBAN("iban", bad); !errors.Is(err, ErrBankAccountNumber) {
			t.Errorf("%q: %v, want ErrBankAccountNumber", bad, err)
		}
	}
}

// MethodCurrencies states the documented rules.
func TestMethodCurrencies(t *testing.T) {
	for _, tc := range []struct {
		m       TransferMethod
		deposit bool
		want    []Currency
		ok      bool
	}{
		{MethodACH, true, []Currency{USD, CAD}, true},
		{MethodACH, false, []Currency{USD, CAD}, true},
		{MethodSEPA, false, []Currency{EUR}, true},
		{MethodSEPA, true, nil, false},
		{MethodEDDA, true, []Currency{HKD, CNH}, true},
		{MethodEDDA, false, nil, false},
		{MethodWire, true, nil, true},
		{MethodOpenBanking, true, nil, true},
		{MethodOpenBanking, false, nil, false},
	} {
		got, ok := MethodCurrencies(tc.m, tc.deposit)
		if ok != tc.ok || len(got) != len(tc.want) {
			t.Errorf("%s deposit=%v: %v %v, want %v %v", tc.m, tc.deposit, got, ok, tc.want, tc.ok)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s deposit=%v: %v, want %v", tc.m, tc.deposit, got, tc.want)
			}
		}
	}
}

// rejectedCode returns the IBKR error code of a rejection (422 answer or
// REJECTED instruction), failing the test for any other error.
func rejectedCode(t *testing.T, err error) string {
	t.Helper()
	var rj *RejectedError
	if errors.As(err, &rj) {
		return rj.Code
	}
	var ae *APIError
	if errors.As(err, &ae) && ae.StatusCode == 422 {
		return ae.Code
	}
	t.Fatalf("error %v (%T): want a rejection (422 or REJECTED)", err, err)
	return ""
}

func wantRejected(t *testing.T, err error, code string) {
	t.Helper()
	noteErr(err)
	if got := rejectedCode(t, err); got != code {
		t.Fatalf("rejected with %q (%v), want %q", got, err, code)
	}
}

// A SEPA destination in EUR, a SEPA withdrawal that settles, and the
// failure paths the sandbox answers.
func TestSEPAWithdrawal(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	if err := e.srv.SetBalance(demo, "EUR", MustDecimal("1000.00")); err != nil {
		t.Fatal(err)
	}
	dest, err := e.c.AddWireDestination(ctx, WireDestination{AccountID: demo, InstructionName: "EU", Currency: EUR,
		BankName: "Example Bank", BankAccount: NewSecret(testIBAN), Identifier: testBIC, Method: MethodSEPA})
	if err != nil || dest.Status != InstructionProcessed {
		t.Fatalf("AddWireDestination = %v, %v", dest, err)
	}
	saved, err := e.c.BankInstructions(ctx, demo, BankMethodSEPA)
	if err != nil || len(saved) != 1 || saved[0].Currency != EUR || saved[0].AccountNumber != "****3000" {
		t.Fatalf("BankInstructions(SEPA) = %+v, %v", saved, err)
	}
	w, err := e.c.Withdraw(ctx, Withdrawal{AccountID: demo, Method: MethodSEPA, InstructionName: "EU", Amount: MustDecimal("250.00"), Currency: EUR})
	if err != nil || w.Status != InstructionPending {
		t.Fatalf("Withdraw = %v, %v", w, err)
	}
	if w, err = e.c.WaitForInstruction(ctx, w.ClientInstructionID, 72*time.Hour); err != nil || w.Status != InstructionProcessed {
		t.Fatalf("WaitForInstruction = %v, %v", w, err)
	}
	if got := e.srv.Balance(demo, "EUR"); !got.Equal(MustDecimal("750")) {
		t.Fatalf("EUR balance %s, want 750", got)
	}
	// More than the withdrawable cash: IBKR refuses.
	_, err = e.c.Withdraw(ctx, Withdrawal{AccountID: demo, Method: MethodSEPA, InstructionName: "EU", Amount: MustDecimal("750.01"), Currency: EUR})
	wantRejected(t, err, ibkrtest.CodeInsufficientFunds)
	// A SEPA withdrawal to a name that is no SEPA destination.
	_, err = e.c.Withdraw(ctx, Withdrawal{AccountID: demo, Method: MethodSEPA, InstructionName: "Nope", Amount: MustDecimal("1"), Currency: EUR})
	wantRejected(t, err, ibkrtest.CodeBankInstructionNotFound)
}

// A CAD deposit by ACH is no longer refused locally: it reaches IBKR,
// which judges it against the instruction (here a USD one).
func TestACHDepositInCADReachesIBKR(t *testing.T) {
	e := newFundingEnv(t, nil)
	if err := e.srv.AddLinkedACH(demo, "Main"); err != nil {
		t.Fatal(err)
	}
	_, err := e.c.DepositACH(fctx(t), ACHDeposit{AccountID: demo, InstructionName: "Main", Amount: MustDecimal("10"), Currency: CAD})
	wantRejected(t, err, ibkrtest.CodeUnsupportedCurrency)
	if n := e.srv.RequestCount("createExternalCashTransfers", 422); n != 1 {
		t.Fatalf("%d refused deposits at the sandbox, want 1", n)
	}
}

// An eDDA authorisation, then a deposit through it, and a deposit in the
// wrong currency.
func TestEDDADeposit(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	auth, err := e.c.AddEDDAInstruction(ctx, EDDAInstruction{AccountID: demo, InstructionName: "HK", Currency: HKD,
		BankAccountNumber: NewSecret(fundingAccountNumber), BranchCode: "003", ClearingCode: "004", DocumentType: EDDAHongKongID})
	if err != nil {
		t.Fatal(err)
	}
	if auth, err = e.c.WaitForInstruction(ctx, auth.ClientInstructionID, time.Hour); err != nil || auth.Status != InstructionProcessed {
		t.Fatalf("eDDA authorisation = %v, %v", auth, err)
	}
	dep, err := e.c.DepositEDDA(ctx, EDDADeposit{AccountID: demo, InstructionName: "HK", Amount: MustDecimal("8000.00"), Currency: HKD})
	if err != nil || dep.Status != InstructionPending {
		t.Fatalf("DepositEDDA = %v, %v", dep, err)
	}
	if dep, err = e.c.WaitForInstruction(ctx, dep.ClientInstructionID, 72*time.Hour); err != nil || dep.Status != InstructionProcessed {
		t.Fatalf("WaitForInstruction = %v, %v", dep, err)
	}
	if got := e.srv.Balance(demo, "HKD"); !got.Equal(MustDecimal("8000")) {
		t.Fatalf("HKD balance %s", got)
	}
	_, err = e.c.DepositEDDA(ctx, EDDADeposit{AccountID: demo, InstructionName: "HK", Amount: MustDecimal("1"), Currency: CNH})
	wantRejected(t, err, ibkrtest.CodeUnsupportedCurrency)
	_, err = e.c.DepositEDDA(ctx, EDDADeposit{AccountID: demo, InstructionName: "Other", Amount: MustDecimal("1"), Currency: HKD})
	wantRejected(t, err, ibkrtest.CodeBankInstructionNotFound)
}

// An open-banking deposit the holder authorises arrives; one the holder
// declines ends REJECTED.
func TestOpenBankingDeposit(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	req := OpenBankingDeposit{AccountID: demo, Amount: MustDecimal("100.00"), Currency: GBP,
		RedirectURI: "myapp://funding/done", MobileApp: true, DisplayName: "Example Broker"}
	dep, err := e.c.DepositOpenBanking(ctx, req)
	if err != nil || dep.Status != InstructionPending || !strings.Contains(dep.Description, "PLAID") {
		t.Fatalf("DepositOpenBanking = %+v, %v", dep, err)
	}
	sent := e.srv.RequestsFor("createExternalCashTransfers")
	if len(sent) != 1 || !strings.Contains(claimsJSON(sent[0]), `"isMobileApp":true`) || !strings.Contains(claimsJSON(sent[0]), `"serviceProvider":"PLAID"`) {
		t.Fatalf("sent %d requests: %s", len(sent), firstBody(sent))
	}
	if dep, err = e.c.WaitForInstruction(ctx, dep.ClientInstructionID, time.Hour); err != nil || dep.Status != InstructionProcessed {
		t.Fatalf("WaitForInstruction = %v, %v", dep, err)
	}
	if got := e.srv.Balance(demo, "GBP"); !got.Equal(MustDecimal("100")) {
		t.Fatalf("GBP balance %s", got)
	}

	declined, err := e.c.DepositOpenBanking(ctx, OpenBankingDeposit{AccountID: demo, Amount: MustDecimal("50"), Currency: EUR})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.srv.DeclineOpenBanking(declined.InstructionID.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.WaitForInstruction(ctx, declined.ClientInstructionID, time.Hour)
	wantRejected(t, err, ibkrtest.CodeOpenBankingDeclined)
	if got := e.srv.Balance(demo, "EUR"); !got.IsZero() {
		t.Fatalf("EUR balance %s after a declined deposit", got)
	}
}

// claimsJSON is a request's signed body as JSON.
func claimsJSON(r ibkrtest.Request) string {
	b, _ := json.Marshal(r.Claims)
	return string(b)
}

func firstBody(rs []ibkrtest.Request) string {
	if len(rs) == 0 {
		return ""
	}
	return claimsJSON(rs[0])
}

// The IRA lifecycle: contributions count toward the year's limit once
// processed (pending ones block going over it), rollovers do not,
// prior-year contributions close on April 15, and distributions carry
// their withholding.
func TestIRALifecycle(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	year := e.srv.Now().Year()
	if err := e.srv.MakeIRA(demo, "TRADITIONAL", MustDecimal("7000")); err != nil {
		t.Fatal(err)
	}
	limits := func(y int) IRAContributionLimit {
		t.Helper()
		got, err := e.c.IRAContributions(ctx, demo, y)
		if err != nil || got.IRAType != "TRADITIONAL" || got.Year != y || len(got.Limits) != 1 {
			t.Fatalf("IRAContributions(%d) = %+v, %v", y, got, err)
		}
		return got.Limits[0]
	}
	if l := limits(year); !l.Maximum.Equal(MustDecimal("7000")) || !l.YearToDate.IsZero() || !l.Allowed.Equal(MustDecimal("7000")) {
		t.Fatalf("fresh IRA: %+v", l)
	}
	contrib := func(amount string, d IRADeposit) (*Instruction, error) {
		return e.c.NotifyWireDeposit(ctx, WireDeposit{AccountID: demo, Amount: MustDecimal(amount), Currency: USD, IRA: &d})
	}
	first, err := contrib("5000", IRADeposit{Type: IRAContribution})
	if err != nil || first.Status != InstructionPending {
		t.Fatalf("contribution = %v, %v", first, err)
	}
	if l := limits(year); !l.YearToDate.IsZero() || !l.Allowed.Equal(MustDecimal("2000")) {
		t.Fatalf("with a pending contribution: %+v", l)
	}
	_, err = contrib("2000.01", IRADeposit{Type: IRAContribution})
	wantRejected(t, err, ibkrtest.CodeIRAContributionLimit)
	if _, err = e.c.WaitForInstruction(ctx, first.ClientInstructionID, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if l := limits(year); !l.YearToDate.Equal(MustDecimal("5000")) || !l.Allowed.Equal(MustDecimal("2000")) {
		t.Fatalf("after the contribution: %+v", l)
	}
	// A rollover does not count toward the limit.
	if _, err = contrib("20000", IRADeposit{Type: IRARolloverContribution, From: IRAPlanTraditional}); err != nil {
		t.Fatalf("rollover: %v", err)
	}
	// Early March: the prior year is still open.
	if _, err = contrib("3000", IRADeposit{Type: IRAContribution, TaxYear: IRAPriorYear}); err != nil {
		t.Fatalf("prior-year contribution: %v", err)
	}
	if l := limits(year); !l.YearToDate.Equal(MustDecimal("5000")) {
		t.Fatalf("a prior-year contribution counted for %d: %+v", year, l)
	}
	// A deposit into an IRA must say what it is.
	_, err = e.c.NotifyWireDeposit(ctx, WireDeposit{AccountID: demo, Amount: MustDecimal("1"), Currency: USD})
	wantRejected(t, err, ibkrtest.CodeIRADetailRequired)

	// Distributions.
	if err := e.srv.SetBalance(demo, "USD", MustDecimal("30000")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.AddWireDestination(ctx, WireDestination{AccountID: demo, InstructionName: "Out", Currency: USD,
		BankName: "Example Bank", BankAccount: NewSecret(fundingAccountNumber), Identifier: "EXAMUS33"}); err != nil {
		t.Fatal(err)
	}
	out, err := e.c.Withdraw(ctx, Withdrawal{AccountID: demo, Method: MethodWire, InstructionName: "Out", Amount: MustDecimal("1000"),
		IRA: &IRADistribution{Reason: IRANormalDistribution, FederalTaxPercent: MustDecimal("10"), StateTaxPercent: MustDecimal("0"), State: "NY"}})
	if err != nil {
		t.Fatal(err)
	}
	sent := e.srv.RequestsFor("createExternalCashTransfers")
	if last := claimsJSON(sent[len(sent)-1]); !strings.Contains(last, `"iraWithholdType":"NORMAL"`) || !strings.Contains(last, `"fedIncomeTaxPercentage":10`) {
		t.Fatalf("distribution body: %s", last)
	}
	if out, err = e.c.WaitForInstruction(ctx, out.ClientInstructionID, 72*time.Hour); err != nil || out.Status != InstructionProcessed {
		t.Fatalf("distribution = %v, %v", out, err)
	}
	_, err = e.c.Withdraw(ctx, Withdrawal{AccountID: demo, Method: MethodWire, InstructionName: "Out", Amount: MustDecimal("1")})
	wantRejected(t, err, ibkrtest.CodeIRADetailRequired)

	// After April 15 the prior year is closed.
	e.srv.Clock().Set(time.Date(year, time.April, 16, 15, 0, 0, 0, time.UTC))
	_, err = contrib("100", IRADeposit{Type: IRAContribution, TaxYear: IRAPriorYear})
	wantRejected(t, err, ibkrtest.CodeIRAPriorYearClosed)
}

// IRA details on an account that is not an IRA, and the contributions
// query of such an account, are refused by IBKR.
func TestIRAOnOrdinaryAccount(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	_, err := e.c.NotifyWireDeposit(ctx, WireDeposit{AccountID: demo, Amount: MustDecimal("1"), Currency: USD, IRA: &IRADeposit{Type: IRAContribution}})
	wantRejected(t, err, ibkrtest.CodeNotIRA)
	_, err = e.c.IRAContributions(ctx, demo, 2025)
	wantRejected(t, err, ibkrtest.CodeNotIRA)
}

// A recurring deposit's runs, as RecurringExecutions lists them, and an
// unknown reference.
func TestRecurringExecutions(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	if err := e.srv.AddLinkedACH(demo, "Main"); err != nil {
		t.Fatal(err)
	}
	start := e.srv.Now().AddDate(0, 0, 1)
	dep, err := e.c.DepositACH(ctx, ACHDeposit{AccountID: demo, InstructionName: "Main", Amount: MustDecimal("200.00"),
		Recurring: &Recurrence{Name: "Savings", Frequency: Monthly, Start: start}})
	if err != nil || dep.IBReferenceID.IsZero() {
		t.Fatalf("DepositACH = %+v, %v", dep, err)
	}
	list, err := e.c.RecurringInstructions(ctx, demo)
	if err != nil || len(list) != 1 || list[0].ReferenceID != dep.IBReferenceID {
		t.Fatalf("RecurringInstructions = %+v, %v", list, err)
	}
	// Runs at 00:00 New York time on the start date and a month and two
	// months later; stop twelve hours after the third, before it settles.
	ny, _ := time.LoadLocation("America/New_York")
	y, m, d := start.In(ny).Date()
	third := time.Date(y, m+2, d, 12, 0, 0, 0, ny)
	e.srv.Advance(third.Sub(e.srv.Now()))
	h, err := e.c.RecurringExecutions(ctx, dep.IBReferenceID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if h.Name != "Savings" || h.Type != "DEPOSIT" || h.Status != "ACTIVE" || h.Currency != USD || !h.Amount.Equal(MustDecimal("200")) || len(h.Executions) != 3 {
		t.Fatalf("history = %+v", h)
	}
	for i, x := range h.Executions {
		want := InstructionProcessed
		if i == 2 {
			want = InstructionPending // an ACH deposit settles after a day
		}
		if x.RequestID.IsZero() || x.Status != want {
			t.Fatalf("run %d = %+v, want %s", i, x, want)
		}
	}
	last, err := e.c.RecurringExecutions(ctx, dep.IBReferenceID, 1)
	if err != nil || len(last.Executions) != 1 || last.Executions[0] != h.Executions[2] {
		t.Fatalf("last run = %+v, %v", last, err)
	}
	_, err = e.c.RecurringExecutions(ctx, NewID(1), 5)
	wantRejected(t, err, ibkrtest.CodeInstructionNotFound)
}

// TotalBalance: one currency gives a total; several do not (no exchange
// rates); a narrowed list sends one query per currency; an unreadable
// profile leaves the base currency out; a failing query fails the call.
func TestTotalBalance(t *testing.T) {
	e := newFundingEnv(t, nil)
	ctx := fctx(t)
	if err := e.srv.SetBalance(demo, "USD", MustDecimal("1234.56")); err != nil {
		t.Fatal(err)
	}
	tb, err := e.c.TotalBalance(ctx, demo)
	if err != nil {
		t.Fatal(err)
	}
	if tb.BaseCurrency != USD || len(tb.Balances) != 1 || !tb.Complete() || tb.TotalCurrency != USD || !tb.Total.Equal(MustDecimal("1234.56")) || !tb.Withdrawable.Equal(MustDecimal("1234.56")) {
		t.Fatalf("USD only: %+v", tb)
	}
	if n := e.srv.RequestCount("createBalancesQuery", 201); n != len(Currencies()) {
		t.Fatalf("%d balances queries, want one per currency (%d)", n, len(Currencies()))
	}
	if err := e.srv.SetBalance(demo, "EUR", MustDecimal("0.10")); err != nil {
		t.Fatal(err)
	}
	e.srv.ResetRequests()
	tb, err = e.c.TotalBalance(ctx, demo, EUR, USD, EUR, JPY)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Complete() || len(tb.Balances) != 2 || tb.Balances[0].Currency != EUR || tb.Balances[1].Currency != USD || !tb.Total.IsZero() {
		t.Fatalf("USD and EUR: %+v", tb)
	}
	if eur, ok := tb.In(EUR); !ok || !eur.AvailableEquity.Equal(MustDecimal("0.10")) {
		t.Fatalf("In(EUR) = %+v, %v", eur, ok)
	}
	if n := e.srv.RequestCount("createBalancesQuery", 201); n != 3 {
		t.Fatalf("%d balances queries for EUR, JPY, USD", n)
	}
	// Only EUR held, base currency unreadable: the total is in EUR.
	if err := e.srv.SetBalance(demo, "USD", MustDecimal("0")); err != nil {
		t.Fatal(err)
	}
	e.srv.FailNext("getAccountsDetails", 1, 403)
	tb, err = e.c.TotalBalance(ctx, demo, USD, EUR)
	if err != nil || tb.BaseCurrency != "" || tb.TotalCurrency != EUR || !tb.Total.Equal(MustDecimal("0.1")) {
		t.Fatalf("EUR only, no profile: %+v, %v", tb, err)
	}
	// A failing balances query fails the call.
	e.srv.FailNext("createBalancesQuery", 1, 403)
	if _, err := e.c.TotalBalance(ctx, demo, USD, EUR); !errors.Is(err, ErrForbidden) {
		t.Fatalf("with a refused query: %v, want ErrForbidden", err)
	}
	// Nothing held: zero in the base currency.
	if err := e.srv.SetBalance(demo, "EUR", MustDecimal("0")); err != nil {
		t.Fatal(err)
	}
	if tb, err = e.c.TotalBalance(ctx, demo, USD, EUR); err != nil || len(tb.Balances) != 0 || tb.TotalCurrency != USD || !tb.Total.IsZero() {
		t.Fatalf("nothing held: %+v, %v", tb, err)
	}
}
