package ibkr

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

func hybridJane() HybridRegistration {
	return HybridRegistration{
		FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com", Country: "USA",
		ExternalID: "cust-0001", DateOfBirth: "1990-08-14", Prefix: "jdoe", BaseCurrency: USD,
	}
}

func TestRegisterHybridSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	doc, err := NewDocument(goodDocSpec(), testPDF)
	if err != nil {
		t.Fatal(err)
	}
	r := hybridJane()
	r.Documents = []Document{doc}
	reg, err := c.Register(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if reg.AccountID == "" || reg.Status != StatusNew || !strings.HasPrefix(reg.UserName, "jdoe") || reg.ExternalID != "cust-0001" || reg.RequestID.IsZero() {
		t.Fatalf("registration %+v", reg)
	}
	if len(reg.PendingTasks) != 2 || reg.PendingTasks[0].Form != FormProofOfIdentity || reg.PendingTasks[1].Form != FormProofOfAddress {
		t.Fatalf("pending tasks %+v", reg.PendingTasks)
	}
	if st, _ := srv.AccountStatus(reg.AccountID); st != "N" {
		t.Fatalf("sandbox status %q", st)
	}

	rec := srv.RequestsFor("createAccounts")
	if len(rec) != 1 || rec[0].Header.Get("Content-Type") != "application/jwt" {
		t.Fatalf("requests %+v", rec)
	}
	app := rec[0].Claims["application"].(map[string]any)
	cust := app["customer"].(map[string]any)
	holder := cust["accountHolder"].(map[string]any)["accountHolderDetails"].([]any)[0].(map[string]any)
	if cust["email"] != "jane.doe@example.com" || cust["legalResidenceCountry"] != "USA" || cust["type"] != "INDIVIDUAL" ||
		holder["name"].(map[string]any)["first"] != "Jane" || holder["residenceAddress"].(map[string]any)["country"] != "USA" {
		t.Fatalf("application sent: %v", app)
	}
	docs := app["documents"].([]any)
	d0 := docs[0].(map[string]any)
	if d0["execTimestamp"].(json.Number).String() != "20210929123113" || d0["formNumber"].(json.Number).String() != "8001" {
		t.Fatalf("document sent: %v", d0)
	}

	// The lost-answer lookup finds the application by its external id.
	found, err := c.FindApplication(ctx, "cust-0001")
	if err != nil || found.AccountID != reg.AccountID || found.UserName != reg.UserName {
		t.Fatalf("FindApplication: %+v %v", found, err)
	}
	_, err = c.FindApplication(ctx, "cust-9999")
	wantErr(t, err, ErrNotFound)

	// A second application with the same external id opens nothing: IBKR
	// answers "Already Processed", and the first one is still found.
	accounts := srv.AccountPage(0, 1).Total
	_, err = c.Register(ctx, hybridJane())
	wantErr(t, err, ErrAlreadyProcessed)
	if errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("a refusal is a known outcome: %v", err)
	}
	if n := srv.AccountPage(0, 1).Total; n != accounts {
		t.Fatalf("%d accounts after the repeat, want %d", n, accounts)
	}
	if found, err := c.FindApplication(ctx, "cust-0001"); err != nil || found.AccountID != reg.AccountID {
		t.Fatalf("FindApplication after the repeat: %+v %v", found, err)
	}
}

func TestRegisterRefusals(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	otherDoc := goodDocSpec()
	otherDoc.SignedBy, otherDoc.HolderNames = []string{"John Roe"}, []string{"John Roe"}
	wrongSigner, err := NewDocument(otherDoc, testPDF)
	if err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*HybridRegistration){
		"no first name":      func(r *HybridRegistration) { r.FirstName = "" },
		"no last name":       func(r *HybridRegistration) { r.LastName = "" },
		"long name":          func(r *HybridRegistration) { r.LastName = strings.Repeat("a", 51) },
		"non-ASCII name":     func(r *HybridRegistration) { r.FirstName = "Zoë" },
		"digits in name":     func(r *HybridRegistration) { r.FirstName = "J4ne" },
		"no email":           func(r *HybridRegistration) { r.Email = "" },
		"bad email":          func(r *HybridRegistration) { r.Email = "jane@localhost" },
		"two-letter country": func(r *HybridRegistration) { r.Country = "US" },
		"lower-case country": func(r *HybridRegistration) { r.Country = "usa" },
		"minor":              func(r *HybridRegistration) { r.DateOfBirth = "2010-01-01" },
		"bad birth date":     func(r *HybridRegistration) { r.DateOfBirth = "14/08/1990" },
		"short prefix":       func(r *HybridRegistration) { r.Prefix = "jd" },
		"prefix with digits": func(r *HybridRegistration) { r.Prefix = "jd01" },
		"upper user name":    func(r *HybridRegistration) { r.UserName = "JaneDoe1" },
		"long external id":   func(r *HybridRegistration) { r.ExternalID = strings.Repeat("x", 63) },
		"bad base currency":  func(r *HybridRegistration) { r.BaseCurrency = "XXX" },
		"wrong signer":       func(r *HybridRegistration) { r.Documents = []Document{wrongSigner} },
	} {
		r := hybridJane()
		mod(&r)
		_, err := c.Register(ctx, r)
		if !strings.Contains(name, "currency") && !strings.Contains(name, "signer") {
			wantErr(t, err, ErrApplication)
		}
		wantErr(t, err, ErrInvalidInput)
	}
	if n := len(srv.RequestsFor("createAccounts")); n != 0 {
		t.Fatalf("%d refused applications reached the server", n)
	}

	// A server refusal comes back typed; a lost answer is an unknown
	// outcome (look the application up before sending it again).
	srv.FailNext("createAccounts", 1, http.StatusUnprocessableEntity)
	_, err = c.Register(ctx, hybridJane())
	wantErr(t, err, ErrRejected)
	srv.FailNext("createAccounts", 1, http.StatusInternalServerError)
	_, err = c.Register(ctx, hybridJane())
	wantErr(t, err, ErrOutcomeUnknown)
}

func fullApplication() FullRegistration {
	s := func(v string) *string { return &v }
	typ := gen.CustomerTypeINDIVIDUAL
	same := true
	bc := gen.AccountBaseCurrencyUSD
	return FullRegistration{Application: gen.Application{
		Customer: &gen.Customer{
			Type: &typ, Email: s("jane.doe@example.com"), ExternalId: s("cust-0002"), LegalResidenceCountry: s("GBR"),
			AccountHolder: &gen.IndividualApplicant{AccountHolderDetails: &[]gen.AssociatedIndividual{{
				Name:             &gen.IndividualName{First: s("Jane"), Middle: s("May"), Last: s("Doe")},
				Email:            s("jane.doe@example.com"),
				DateOfBirth:      s("1990-08-14"),
				CountryOfBirth:   s("GBR"),
				ResidenceAddress: &gen.ResidenceAddress{Street1: s("1 Tester Street"), City: s("London"), Country: s("GBR"), PostalCode: s("SW10 9QL")},
				SameMailAddress:  &same,
				EmploymentType:   s("RETIRED"),
				Phones:           &[]gen.PhoneInfo{{Number: s("2034228988"), Country: s("USA")}},
				Identification:   &gen.Identification{Citizenship: s("GBR"), IssuingCountry: s("GBR")},
				W8Ben:            &gen.FormW8BEN{Name: s("Jane M Doe")},
			}}},
		},
		Accounts: &[]gen.Account{{BaseCurrency: &bc, Margin: s("Cash"), Alias: s("Jane's ISA")}},
	}}
}

func TestRegisterApplicationSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	spec := goodDocSpec()
	spec.SignedBy, spec.HolderNames = []string{"Jane M Doe"}, []string{"Jane M Doe"}
	doc, err := NewDocument(spec, testPDF)
	if err != nil {
		t.Fatal(err)
	}
	app := fullApplication()
	app.Documents = []Document{doc}
	reg, err := c.RegisterApplication(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	if reg.Status != StatusNew || reg.ExternalID != "cust-0002" || len(reg.PendingTasks) == 0 {
		t.Fatalf("registration %+v", reg)
	}
	claims := srv.RequestsFor("createAccounts")[0].Claims["application"].(map[string]any)
	if claims["accounts"].([]any)[0].(map[string]any)["alias"] != "Jane's ISA" || len(claims["documents"].([]any)) != 1 {
		t.Fatalf("application sent: %v", claims)
	}
}

func TestValidateApplication(t *testing.T) {
	today := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	s := func(v string) *string { return &v }
	holder := func(a *FullRegistration) *gen.AssociatedIndividual {
		return &(*a.Application.Customer.AccountHolder.AccountHolderDetails)[0]
	}
	if err := fullApplication().Validate(today); err != nil {
		t.Fatal(err)
	}
	fa := fullApplication()
	if names, err := ValidateApplication(&fa.Application, today); err != nil || len(names) != 1 || names[0] != "Jane M Doe" {
		t.Fatalf("holders %v, %v", names, err)
	}
	for name, mod := range map[string]func(*FullRegistration){
		"no customer":          func(a *FullRegistration) { a.Application.Customer = nil },
		"bad type":             func(a *FullRegistration) { t := gen.CustomerType("SOLO"); a.Application.Customer.Type = &t },
		"no holder":            func(a *FullRegistration) { a.Application.Customer.AccountHolder = nil },
		"joint with one":       func(a *FullRegistration) { t := gen.CustomerTypeJOINT; a.Application.Customer.Type = &t },
		"PO box":               func(a *FullRegistration) { holder(a).ResidenceAddress.Street1 = s("P.O. Box 123") },
		"general delivery":     func(a *FullRegistration) { holder(a).ResidenceAddress.Street2 = s("General Delivery") },
		"long postal code":     func(a *FullRegistration) { holder(a).ResidenceAddress.PostalCode = s(strings.Repeat("9", 21)) },
		"no mailing address":   func(a *FullRegistration) { f := false; holder(a).SameMailAddress = &f },
		"employed, no details": func(a *FullRegistration) { holder(a).EmploymentType = s("EMPLOYED") },
		"long phone":           func(a *FullRegistration) { (*holder(a).Phones)[0].Number = s(strings.Repeat("1", 19)) },
		"passport, no expiry":  func(a *FullRegistration) { holder(a).Identification.Passport = s("A11111") },
		"bad citizenship":      func(a *FullRegistration) { holder(a).Identification.Citizenship = s("UK") },
		"W-8BEN name":          func(a *FullRegistration) { holder(a).W8Ben.Name = s("Jane Doe Jr") },
		"minor":                func(a *FullRegistration) { holder(a).DateOfBirth = s("2010-03-05") },
		"bad margin":           func(a *FullRegistration) { (*a.Application.Accounts)[0].Margin = s("Leverage") },
		"long alias":           func(a *FullRegistration) { (*a.Application.Accounts)[0].Alias = s(strings.Repeat("a", 81)) },
		"generated documents":  func(a *FullRegistration) { a.Application.Documents = &[]gen.Document{{}} },
		"bad treaty country":   func(a *FullRegistration) { a.Application.Customer.TaxTreatyCountry = s("Canada") },
	} {
		a := fullApplication()
		mod(&a)
		err := a.Validate(today)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		wantErr(t, err, ErrInvalidInput)
	}
}

func TestValidateEmail(t *testing.T) {
	for _, ok := range []string{"tester@ibkr.com", "a.b+c@mail.example.co.uk", "X1@EXAMPLE.ORG", "j_d%x@a-b.io"} {
		if err := ValidateEmail("email", ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "plain", "@example.com", ".x@example.com", "a@b", "a@@b.com", "a@-b.com", "a@b-.com",
		"a@b.c", "a@b.c0m", "a b@example.com", strings.Repeat("a", 65) + "@example.com", "a@" + strings.Repeat("b.", 9) + "com"} {
		err := ValidateEmail("email", bad)
		wantErr(t, err, ErrApplication)
		if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("error echoes the address: %v", err)
		}
	}
}

func TestValidateResidenceStreet(t *testing.T) {
	for _, ok := range []string{"1 Tester Street", "Pine Road 5", "Campbell Avenue", "Apollo Way", "10 Downing St"} {
		if err := ValidateResidenceStreet("street1", ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"PO Box 12", "P.O. Box 77", "Post Office Box 9", "POB 3", "box 4", "In care of John", "general delivery"} {
		wantErr(t, ValidateResidenceStreet("street1", bad), ErrApplication)
	}
}

func TestValidatePersonName(t *testing.T) {
	for _, ok := range []string{"Jane", "Mary-Jane", "O'Brien", "Jean Paul", "St. John"} {
		if err := ValidatePersonName("first", ok, true); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", " Jane", "Jane ", "Ja  ne", "-Jane", "Jane3", "Jöns", "Jane_Doe"} {
		wantErr(t, ValidatePersonName("first", bad, true), ErrApplication)
	}
	if err := ValidatePersonName("middle", "", false); err != nil {
		t.Fatal(err)
	}
}
