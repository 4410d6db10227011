package ibkr

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func applicantJane() Applicant {
	return Applicant{
		First: "Jane", Last: "Doe", Email: "jane.doe@example.com", DateOfBirth: "1980-08-14",
		CountryOfBirth: "USA", Citizenship: "USA", MaritalStatus: "M",
		Residence:   ApplicantAddress{Street1: "1 Tester Street", City: "New York", State: "US-NY", PostalCode: "10001", Country: "USA"},
		MobilePhone: "2034228988", EmploymentType: "RETIRED",
		TaxResidences: []TaxResidence{{Country: "USA", TIN: NewSecret("123456789"), TINType: gen.TaxResidencyTinTypeSSN}},
	}
}

func applicantJohn() Applicant {
	p := applicantJane()
	p.First, p.Email, p.DateOfBirth = "John", "john.doe@example.com", "1978-02-01"
	p.EmploymentType = "EMPLOYED"
	p.Employment = &gen.EmploymentDetails{Employer: ref("Acme Inc"), Occupation: ref("Engineer"), EmployerBusiness: ref("Manufacturing"),
		EmployerAddress: &gen.Address{Street1: ref("9 Works Road"), City: ref("Newark"), Country: ref("USA"), PostalCode: ref("07101")}}
	return p
}

func applicantAussie(first string) Applicant {
	p := applicantJane()
	p.First, p.Email = first, strings.ToLower(first)+"@example.com.au"
	p.CountryOfBirth, p.Citizenship = "AUS", "AUS"
	p.Residence = ApplicantAddress{Street1: "5 Harbour Road", City: "Sydney", State: "AU-NSW", PostalCode: "2000", Country: "AUS"}
	p.TaxResidences = []TaxResidence{{Country: "AUS", TIN: NewSecret("123456782"), TINType: gen.TaxResidencyTinTypeNonUSNationalId}}
	return p
}

func applicantBriton() Applicant {
	p := applicantJane()
	p.CountryOfBirth, p.Citizenship = "GBR", "GBR"
	p.Residence = ApplicantAddress{Street1: "1 Tester Street", City: "London", State: "GB-ENG", PostalCode: "SW10 9QL", Country: "GBR"}
	p.TaxResidences = []TaxResidence{{Country: "GBR", TIN: NewSecret("AB123456C"), TINType: gen.TaxResidencyTinTypeNonUSNationalId}}
	return p
}

func familyTrust() TrustDetails {
	return TrustDetails{
		Name: "Doe Family Trust", TrustType: gen.TrustApplicantTrustTypeGRANTORTRUST, TypeOfTrust: gen.TrustIdentificationTypeOfTrustREVOCABLE,
		FormationCountry: "USA", FormationState: "US-NY", DateFormed: time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC),
		Purpose:            "Family savings",
		Address:            ApplicantAddress{Street1: "1 Tester Street", City: "New York", State: "US-NY", PostalCode: "10001", Country: "USA"},
		RegistrationNumber: NewSecret("12-3456789"), RegistrationType: gen.TrustIdentificationRegistrationTypeEIN,
		Beneficiaries: []Applicant{
			{First: "Amy", Last: "Doe", DateOfBirth: "2012-03-04", Ownership: MustDecimal("50")},
			{First: "Ben", Last: "Doe", DateOfBirth: "2014-05-06", Ownership: MustDecimal("50")},
		},
	}
}

func acmeLLC() OrganizationDetails {
	return OrganizationDetails{
		Name: "Acme Trading LLC", Type: gen.OrganizationApplicantTypeLLC, FormationCountry: "USA", FormationState: "US-DE",
		BusinessDescription: "Proprietary investments",
		PlaceOfBusiness:     ApplicantAddress{Street1: "9 Works Road", City: "Newark", State: "US-NJ", PostalCode: "07101", Country: "USA"},
		Phone:               "2015550123", Website: "https://acme.example.com", TaxID: NewSecret("98-7654321"),
	}
}

func acmeOfficers() []Officer {
	return []Officer{
		{Applicant: applicantJohn(), Titles: []gen.TitleCode{gen.TitleCodeDIRECTOR, gen.TitleCodeOWNER}, AuthorizedPerson: true},
		{Applicant: applicantJane(), Titles: []gen.TitleCode{gen.TitleCodeOWNER}},
	}
}

func smsfFund() TrustDetails {
	return TrustDetails{
		Name: "Smith Super Fund", FormationCountry: "AUS", FormationState: "AU-NSW",
		Address: ApplicantAddress{Street1: "5 Harbour Road", City: "Sydney", State: "AU-NSW", PostalCode: "2000", Country: "AUS"},
	}
}

func fullProfile() FinancialInformation {
	return FinancialInformation{
		NetWorth: ref(MustDecimal("750000")), LiquidNetWorth: ref(MustDecimal("500000")), AnnualNetIncome: ref(MustDecimal("90000")),
		InvestmentExperience: []InvestmentExperience{{AssetClass: "STK", YearsTrading: 10, TradesPerYear: 25, KnowledgeLevel: "Good"}},
		InvestmentObjectives: []string{"Growth"},
		SourcesOfWealth: []SourceOfWealth{
			{Type: "SOW-IND-Income", Percentage: 60, UsedForFunds: true},
			{Type: "SOW-IND-Inheritance", Percentage: 40, UsedForFunds: true},
		},
	}
}

// registrations is one valid application of each account type the
// builders make, keyed by a name used in the tests.
func registrations() map[string]FullRegistration {
	opts := func(id string, more ...ApplicationOption) []ApplicationOption {
		return append([]ApplicationOption{WithCustomerID(id), WithAccountCurrency(USD), WithMarginType("Cash")}, more...)
	}
	orgProfile := fullProfile()
	orgProfile.SourcesOfWealth = []SourceOfWealth{{Type: "SOW-ORG-Business", UsedForFunds: true}}
	return map[string]FullRegistration{
		"individual": NewIndividualApplication(applicantJane(), opts("ind-1", WithUserNamePrefix("jdoe"), WithFinancialProfile(fullProfile()),
			WithObjectives(gen.AccountInvestmentObjectivesGrowth), WithAccountAlias("Jane's account"))...),
		"joint": NewJointApplication(gen.JointApplicantTypeJointTenants, applicantJane(), applicantJohn(), opts("joint-1", WithFinancialProfile(fullProfile()))...),
		"tenants in common": NewJointApplication(gen.JointApplicantTypeTenantsCommon,
			func() Applicant { p := applicantJane(); p.Ownership = MustDecimal("60"); return p }(),
			func() Applicant { p := applicantJohn(); p.Ownership = MustDecimal("40"); return p }(), opts("joint-2")...),
		"IRA": NewIRAApplication(gen.AccountIraTypeRT, applicantJane(), []Beneficiary{
			{Applicant: Applicant{First: "John", Last: "Doe", DateOfBirth: "1978-02-01", Citizenship: "USA", Ownership: MustDecimal("100")}, Relationship: gen.IRAPrimaryBeneficiaryRelationshipSpouse},
			{Applicant: Applicant{First: "Amy", Last: "Doe", DateOfBirth: "2012-03-04", Ownership: MustDecimal("100")}, Relationship: gen.IRAPrimaryBeneficiaryRelationshipChild, Contingent: true},
		}, opts("ira-1")...),
		"ISA":          NewIRAApplication(gen.AccountIraTypeISA, applicantBriton(), nil, WithCustomerID("isa-1"), WithAccountCurrency(GBP)),
		"trust":        NewTrustApplication(familyTrust(), []Applicant{applicantJane(), applicantJohn()}, opts("trust-1")...),
		"SMSF":         NewSMSFApplication(smsfFund(), []Applicant{applicantAussie("Kylie"), applicantAussie("Bruce")}, WithCustomerID("smsf-1"), WithAccountCurrency(AUD), WithMarginType("Cash")),
		"organization": NewOrganizationApplication(acmeLLC(), acmeOfficers(), opts("org-1", WithFinancialProfile(orgProfile))...),
	}
}

var wantApplicantType = map[string]string{
	"individual": "INDIVIDUAL", "joint": "JOINT", "tenants in common": "JOINT", "IRA": "IRA", "ISA": "IRA",
	"trust": "TRUST", "SMSF": "TRUST", "organization": "ORG",
}

var wantTitle = map[string]string{
	"individual": "Jane Doe", "joint": "Jane Doe and John Doe", "tenants in common": "Jane Doe and John Doe", "IRA": "Jane Doe",
	"ISA": "Jane Doe", "trust": "Doe Family Trust", "SMSF": "Smith Super Fund", "organization": "Acme Trading LLC",
}

// Every account type the builders make passes the local rules, is
// accepted by the sandbox (which validates the request against the
// spec), is titled and typed as the application says, and opens once
// its tasks are done and IBKR's review is over.
func TestApplicationTypesOpen(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	opened := map[string]string{}
	for name, reg := range registrations() {
		reg, err := c.RegisterApplication(ctx, reg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if reg.Status != StatusNew || reg.AccountID == "" || reg.UserName == "" {
			t.Fatalf("%s: registration %+v", name, reg)
		}
		d, err := c.AccountDetails(ctx, reg.AccountID)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.ApplicantType != wantApplicantType[name] || d.Title != wantTitle[name] {
			t.Fatalf("%s: applicant type %q, title %q", name, d.ApplicantType, d.Title)
		}
		if err := srv.CompleteTasks(reg.AccountID); err != nil {
			t.Fatal(err)
		}
		opened[name] = reg.AccountID
	}
	srv.Advance(ibkrtest.DefaultTimings.AccountReview)
	for _, r := range srv.RequestsFor("createAccounts") {
		if r.Status != 200 {
			t.Fatalf("createAccounts answered %d", r.Status)
		}
	}
	for name, id := range opened {
		st, err := c.AccountStatus(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != StatusOpen {
			t.Fatalf("%s: account %s is %s", name, id, st.Status)
		}
	}
	if len(opened) != len(registrations()) {
		t.Fatalf("%d accounts opened, want %d", len(opened), len(registrations()))
	}
}

// What each builder puts on the wire.
func TestApplicationBuildersWire(t *testing.T) {
	regs := registrations()
	ind := regs["individual"].Application
	h := (*ind.Customer.AccountHolder.AccountHolderDetails)[0]
	if *ind.Customer.Type != gen.CustomerTypeINDIVIDUAL || *ind.Customer.ExternalId != "ind-1" || *h.ExternalId != "ind-1-h" ||
		*(*ind.Accounts)[0].ExternalId != "ind-1-a" || *ind.Customer.LegalResidenceCountry != "USA" || *ind.Customer.Prefix != "jdoe" ||
		!*h.SameMailAddress || *(*h.Phones)[0].Type != gen.PhoneInfoTypeMobile || *(*h.TaxResidencies)[0].Tin != "123456789" {
		t.Fatalf("individual: %+v / %+v", ind.Customer, h)
	}
	fi := (*ind.Customer.AccountHolder.FinancialInformation)[0]
	if fi.NetWorth.String() != "750000" || len(*fi.SourcesOfWealth) != 2 {
		t.Fatalf("financial information %+v", fi)
	}
	j := regs["tenants in common"].Application.Customer.JointHolders
	if *j.Type != gen.JointApplicantTypeTenantsCommon || (*j.SecondHolderDetails)[0].OwnershipPercentage.String() != "40" {
		t.Fatalf("joint %+v", j)
	}
	ira := (*regs["IRA"].Application.Accounts)[0]
	if !*ira.Ira || *ira.IraType != gen.AccountIraTypeRT || len(*ira.IraBeneficiaries.PrimaryBeneficiaries) != 1 ||
		*(*ira.IraBeneficiaries.ContingentBeneficiaries)[0].Relationship != gen.IRAContingentBeneficiaryRelationshipChild {
		t.Fatalf("IRA account %+v", ira)
	}
	tr := regs["trust"].Application.Customer.Trust
	tid := (*tr.Identification)[0]
	if *tid.Name != "Doe Family Trust" || tid.DateFormed.String() != "2015-06-01" || *tid.RegistrationNumber != "12-3456789" ||
		len(*tr.Trustees.Individuals) != 2 || !*(*tr.Trustees.Individuals)[0].PrimaryTrustee || *(*tr.Trustees.Individuals)[1].PrimaryTrustee ||
		len(*tr.Beneficiaries.Individual) != 2 {
		t.Fatalf("trust %+v", tr)
	}
	smsf := regs["SMSF"].Application
	if *(*smsf.Customer.Trust.Identification)[0].TypeOfTrust != gen.TrustIdentificationTypeOfTrustSMSF || *(*smsf.Accounts)[0].AccountType != gen.AccountAccountTypeSMSF {
		t.Fatalf("SMSF %+v", smsf)
	}
	org := regs["organization"].Application.Customer.Organization
	people := *org.AssociatedEntities.AssociatedIndividuals
	if *(*org.Identifications)[0].Identification != "98-7654321" || !*people[0].AuthorizedPerson || people[1].AuthorizedPerson != nil ||
		*(*people[0].Titles)[0].Code != gen.TitleCodeDIRECTOR {
		t.Fatalf("organization %+v", org)
	}
}

// Bad input of every account type is refused locally, naming the JSON
// path of the problem, with a typed error and no request sent.
func TestApplicationTypesRefused(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, base, field string
		mod               func(*FullRegistration)
	}{
		// Shape: the applicant sits in the node of its customer type.
		{"individual with joint holders", "individual", "customer.jointHolders", func(r *FullRegistration) {
			r.Application.Customer.JointHolders = regs("joint").Application.Customer.JointHolders
		}},
		{"trust without its trust", "trust", "customer.trust", func(r *FullRegistration) { r.Application.Customer.Trust = nil }},
		{"two account holders", "individual", "customer.accountHolder.accountHolderDetails", func(r *FullRegistration) {
			h := r.Application.Customer.AccountHolder.AccountHolderDetails
			*h = append(*h, (*h)[0])
		}},
		// Financial information (every type that carries it).
		{"liquid above net worth", "individual", "customer.accountHolder.financialInformation[0].netWorth", func(r *FullRegistration) {
			fi := &(*r.Application.Customer.AccountHolder.FinancialInformation)[0]
			fi.LiquidNetWorth = ref(MustDecimal("900000"))
		}},
		{"experience longer than adult life", "individual", "customer.accountHolder.financialInformation[0].investmentExperience[0].yearsTrading", func(r *FullRegistration) {
			fi := &(*r.Application.Customer.AccountHolder.FinancialInformation)[0]
			(*fi.InvestmentExperience)[0].YearsTrading = ref(int32(40))
		}},
		{"employed without income", "joint", "customer.jointHolders.financialInformation[0].sourcesOfWealth", func(r *FullRegistration) {
			j := r.Application.Customer.JointHolders
			(*j.FirstHolderDetails)[0].EmploymentType = ref("EMPLOYED")
			(*j.FirstHolderDetails)[0].EmploymentDetails = (*j.SecondHolderDetails)[0].EmploymentDetails
			fi := &(*j.FinancialInformation)[0]
			(*fi.SourcesOfWealth)[0].SourceType = ref(gen.SourceOfWealthTypeSourceTypeSOWINDPension)
		}},
		{"no source funds the account", "individual", "customer.accountHolder.financialInformation[0].sourcesOfWealth", func(r *FullRegistration) {
			for i := range *(*r.Application.Customer.AccountHolder.FinancialInformation)[0].SourcesOfWealth {
				s := &(*(*r.Application.Customer.AccountHolder.FinancialInformation)[0].SourcesOfWealth)[i]
				s.UsedForFunds, s.Percentage = ref(false), nil
			}
		}},
		{"individual source for an organization", "organization", "customer.organization.financialInformation[0].sourcesOfWealth[0].sourceType", func(r *FullRegistration) {
			(*(*r.Application.Customer.Organization.FinancialInformation)[0].SourcesOfWealth)[0].SourceType = ref(gen.SourceOfWealthTypeSourceTypeSOWINDIncome)
		}},
		// Joint.
		{"joint without its kind", "joint", "customer.jointHolders.type", func(r *FullRegistration) { r.Application.Customer.JointHolders.Type = nil }},
		{"joint with one holder", "joint", "customer.jointHolders.secondHolderDetails", func(r *FullRegistration) {
			r.Application.Customer.JointHolders.SecondHolderDetails = nil
		}},
		{"second holder's bad name", "joint", "customer.jointHolders.secondHolderDetails[0].name.first", func(r *FullRegistration) {
			(*r.Application.Customer.JointHolders.SecondHolderDetails)[0].Name.First = ref("J0hn")
		}},
		{"tenants' shares off 100", "tenants in common", "customer.jointHolders.secondHolderDetails[0].ownershipPercentage", func(r *FullRegistration) {
			(*r.Application.Customer.JointHolders.SecondHolderDetails)[0].OwnershipPercentage = ref(MustDecimal("30"))
		}},
		// IRA.
		{"IRA without its kind", "IRA", "accounts[0].iraType", func(r *FullRegistration) { (*r.Application.Accounts)[0].IraType = nil }},
		{"ISA for a US resident", "IRA", "accounts[0].iraType", func(r *FullRegistration) {
			(*r.Application.Accounts)[0].IraType = ref(gen.AccountIraTypeISA)
		}},
		{"inherited IRA without the decedent", "IRA", "accounts[0].decendent", func(r *FullRegistration) {
			(*r.Application.Accounts)[0].IraType = ref(gen.AccountIraTypeTH)
		}},
		{"beneficiaries' shares off 100", "IRA", "accounts[0].iraBeneficiaries.primaryBeneficiaries", func(r *FullRegistration) {
			(*(*r.Application.Accounts)[0].IraBeneficiaries.PrimaryBeneficiaries)[0].OwnershipPercentage = ref(MustDecimal("90"))
		}},
		{"beneficiary's unknown relationship", "IRA", "accounts[0].iraBeneficiaries.primaryBeneficiaries[0].relationship", func(r *FullRegistration) {
			(*(*r.Application.Accounts)[0].IraBeneficiaries.PrimaryBeneficiaries)[0].Relationship = ref(gen.IRAPrimaryBeneficiaryRelationship("Neighbour"))
		}},
		{"beneficiary without a last name", "IRA", "accounts[0].iraBeneficiaries.contingentBeneficiaries[0].name.last", func(r *FullRegistration) {
			(*(*r.Application.Accounts)[0].IraBeneficiaries.ContingentBeneficiaries)[0].Name.Last = nil
		}},
		{"retirement settings on an individual account", "individual", "accounts[0].iraType", func(r *FullRegistration) {
			(*r.Application.Accounts)[0].IraType = ref(gen.AccountIraTypeRO)
		}},
		// Trust and SMSF.
		{"trust without a name", "trust", "customer.trust.identification[0].name", func(r *FullRegistration) {
			(*r.Application.Customer.Trust.Identification)[0].Name = nil
		}},
		{"trust formed in 'US'", "trust", "customer.trust.identification[0].formationCountry", func(r *FullRegistration) {
			(*r.Application.Customer.Trust.Identification)[0].FormationCountry = ref("US")
		}},
		{"trust without trustees", "trust", "customer.trust.trustees", func(r *FullRegistration) {
			r.Application.Customer.Trust.Trustees = nil
		}},
		{"two primary trustees", "trust", "customer.trust.trustees", func(r *FullRegistration) {
			(*r.Application.Customer.Trust.Trustees.Individuals)[1].PrimaryTrustee = ref(true)
		}},
		{"minor trustee", "trust", "customer.trust.trustees.individuals[1].dateOfBirth", func(r *FullRegistration) {
			(*r.Application.Customer.Trust.Trustees.Individuals)[1].DateOfBirth = ref("2015-01-01")
		}},
		{"trust beneficiaries' shares off 100", "trust", "customer.trust.beneficiaries.individual", func(r *FullRegistration) {
			(*r.Application.Customer.Trust.Beneficiaries.Individual)[0].OwnershipPercentage = ref(MustDecimal("40"))
		}},
		{"SMSF formed outside Australia", "SMSF", "customer.trust.identification[0].formationCountry", func(r *FullRegistration) {
			(*r.Application.Customer.Trust.Identification)[0].FormationCountry = ref("NZL")
		}},
		{"SMSF on margin", "SMSF", "accounts[0].margin", func(r *FullRegistration) { (*r.Application.Accounts)[0].Margin = ref("Margin") }},
		{"SMSF account type on a family trust", "trust", "accounts[0].accountType", func(r *FullRegistration) {
			r.Application.Customer.LegalResidenceCountry = ref("AUS")
			(*r.Application.Accounts)[0].AccountType = ref(gen.AccountAccountTypeSMSF)
		}},
		// Organization.
		{"organization without identification", "organization", "customer.organization.identifications", func(r *FullRegistration) {
			r.Application.Customer.Organization.Identifications = nil
		}},
		{"organization without place of business", "organization", "customer.organization.identifications[0].placeOfBusinessAddress", func(r *FullRegistration) {
			(*r.Application.Customer.Organization.Identifications)[0].PlaceOfBusinessAddress = nil
		}},
		{"organization's unknown type", "organization", "customer.organization.type", func(r *FullRegistration) {
			r.Application.Customer.Organization.Type = ref(gen.OrganizationApplicantType("COOPERATIVE"))
		}},
		{"nobody authorized", "organization", "customer.organization.associatedEntities.associatedIndividuals", func(r *FullRegistration) {
			(*r.Application.Customer.Organization.AssociatedEntities.AssociatedIndividuals)[0].AuthorizedPerson = nil
		}},
		{"authorized owner without an officer's title", "organization", "customer.organization.associatedEntities.associatedIndividuals[1].titles", func(r *FullRegistration) {
			(*r.Application.Customer.Organization.AssociatedEntities.AssociatedIndividuals)[1].AuthorizedPerson = ref(true)
		}},
		{"officer's PO box", "organization", "customer.organization.associatedEntities.associatedIndividuals[0].residenceAddress.street1", func(r *FullRegistration) {
			(*r.Application.Customer.Organization.AssociatedEntities.AssociatedIndividuals)[0].ResidenceAddress.Street1 = ref("PO Box 12")
		}},
	} {
		r := regs(tc.base)
		tc.mod(&r)
		_, err := c.RegisterApplication(ctx, r)
		wantErr(t, err, ErrApplication)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != tc.field {
			t.Errorf("%s: error %v, want field %s", tc.name, err, tc.field)
		}
		for _, secret := range []string{"123456789", "12-3456789", "98-7654321"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: error echoes a tax id: %v", tc.name, err)
			}
		}
	}
	if n := len(srv.RequestsFor("createAccounts")); n != 0 {
		t.Fatalf("%d refused applications reached the sandbox", n)
	}
}

func regs(name string) FullRegistration { return registrations()[name] }

// The registration prints without personal data, and the documents of a
// trust or organization are signed by its trustees or officers.
func TestApplicationPrivacyAndSigners(t *testing.T) {
	r := regs("trust")
	for _, out := range []string{fmt.Sprint(r), fmt.Sprintf("%+v", r), fmt.Sprintf("%#v", r), r.String()} {
		if strings.Contains(out, "123456789") || strings.Contains(out, "12-3456789") || strings.Contains(out, "1980-08-14") {
			t.Fatalf("registration prints personal data: %s", out)
		}
		if !strings.Contains(out, `TRUST application "trust-1"`) {
			t.Fatalf("registration prints %s", out)
		}
	}

	c, srv := amSandbox(t)
	ctx := context.Background()
	spec := goodDocSpec()
	spec.SignedBy, spec.HolderNames = []string{"John Doe"}, []string{"John Doe"}
	doc, err := NewDocument(spec, testPDF)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"trust", "organization"} {
		r := regs(name)
		r.Documents = []Document{doc}
		if _, err := c.RegisterApplication(ctx, r); err != nil {
			t.Fatalf("%s signed by John Doe: %v", name, err)
		}
	}
	spec.SignedBy, spec.HolderNames = []string{"Rita Roe"}, []string{"Rita Roe"}
	stranger, err := NewDocument(spec, testPDF)
	if err != nil {
		t.Fatal(err)
	}
	r = regs("organization")
	r.Documents = []Document{stranger}
	_, err = c.RegisterApplication(ctx, r)
	wantErr(t, err, ErrInvalidInput)
	if n := len(srv.RequestsFor("createAccounts")); n != 2 {
		t.Fatalf("%d applications sent, want 2", n)
	}
}

// Bad input in each field of the builders' inputs is refused before
// sending, naming the JSON path it lands on.
func TestApplicationBuilderInputsRefused(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	with := func(mod func(*Applicant)) Applicant { p := applicantJane(); mod(&p); return p }
	officers := func(mod func(*Officer)) []Officer { o := acmeOfficers(); mod(&o[0]); return o }
	trust := func(mod func(*TrustDetails)) TrustDetails { d := familyTrust(); mod(&d); return d }
	org := func(mod func(*OrganizationDetails)) OrganizationDetails { d := acmeLLC(); mod(&d); return d }
	for _, tc := range []struct {
		field string
		r     FullRegistration
	}{
		{"customer.accountHolder.accountHolderDetails[0].name.first", NewIndividualApplication(with(func(p *Applicant) { p.First = "J@ne" }))},
		{"customer.accountHolder.accountHolderDetails[0].name.middle", NewIndividualApplication(with(func(p *Applicant) { p.Middle = "Mäy" }))},
		{"customer.email", NewIndividualApplication(with(func(p *Applicant) { p.Email = "jane@localhost" }))},
		{"customer.jointHolders.secondHolderDetails[0].email", NewJointApplication(gen.JointApplicantTypeJointTenants, applicantJane(),
			with(func(p *Applicant) { p.Email = "john@@example.com" }))},
		{"customer.jointHolders.secondHolderDetails[0].dateOfBirth", NewJointApplication(gen.JointApplicantTypeCommunity, applicantJane(),
			with(func(p *Applicant) { p.DateOfBirth = "14/08/1990" }))},
		{"customer.accountHolder.accountHolderDetails[0].countryOfBirth", NewIndividualApplication(with(func(p *Applicant) { p.CountryOfBirth = "US" }))},
		{"customer.accountHolder.accountHolderDetails[0].identification.citizenship", NewIndividualApplication(with(func(p *Applicant) { p.Citizenship = "usa" }))},
		{"customer.accountHolder.accountHolderDetails[0].residenceAddress.street1", NewIndividualApplication(with(func(p *Applicant) { p.Residence.Street1 = "P.O. Box 77" }))},
		{"customer.accountHolder.accountHolderDetails[0].residenceAddress.postalCode", NewIndividualApplication(with(func(p *Applicant) { p.Residence.PostalCode = strings.Repeat("1", 21) }))},
		{"customer.accountHolder.accountHolderDetails[0].mailingAddress.country", NewIndividualApplication(with(func(p *Applicant) { p.Mailing = &ApplicantAddress{Country: "GB"} }))},
		{"customer.accountHolder.accountHolderDetails[0].phones[0].number", NewIndividualApplication(with(func(p *Applicant) { p.MobilePhone = strings.Repeat("2", 19) }))},
		{"customer.accountHolder.accountHolderDetails[0].employmentDetails", NewIndividualApplication(with(func(p *Applicant) { p.EmploymentType = "SELFEMPLOYED" }))},
		{"customer.accountHolder.accountHolderDetails[0].taxResidencies[0].country", NewIndividualApplication(with(func(p *Applicant) { p.TaxResidences[0].Country = "usa" }))},
		{"customer.accountHolder.accountHolderDetails[0].externalId", NewIndividualApplication(with(func(p *Applicant) { p.ExternalID = " padded" }))},
		{"customer.externalId", NewIndividualApplication(applicantJane(), WithCustomerID(strings.Repeat("x", 65)))},
		{"customer.prefix", NewIndividualApplication(applicantJane(), WithUserNamePrefix("JD"))},
		{"customer.legalResidenceCountry", NewIndividualApplication(applicantJane(), WithLegalResidence("UK"))},
		{"accounts[0].baseCurrency", NewIndividualApplication(applicantJane(), WithAccountCurrency("XXX"))},
		{"accounts[0].margin", NewIndividualApplication(applicantJane(), WithMarginType("Leverage"))},
		{"accounts[0].alias", NewIndividualApplication(applicantJane(), WithAccountAlias(strings.Repeat("a", 81)))},
		{"accounts[0].investmentObjectives[0]", NewIndividualApplication(applicantJane(), WithObjectives("Gambling"))},
		{"accounts[0].tradingPermissions[0]", NewIndividualApplication(applicantJane(), WithTradingPermissions(gen.TradingPermission{Product: ref(gen.TradingPermissionProductSTOCKS)}))},
		{"accounts[0].tradingPermissions[0].country", NewIndividualApplication(applicantJane(), WithTradingPermissions(gen.TradingPermission{
			Product: ref(gen.TradingPermissionProductSTOCKS), Country: ref(gen.TradingPermissionCountry("ATLANTIS"))}))},
		{"customer.accountHolder.financialInformation[0].annualNetIncome", NewIndividualApplication(applicantJane(), WithFinancialProfile(FinancialInformation{
			AnnualNetIncome: ref(MustDecimal("2000000"))}))},
		{"customer.accountHolder.financialInformation[0].investmentExperience[0].knowledgeLevel", NewIndividualApplication(applicantJane(), WithFinancialProfile(FinancialInformation{
			InvestmentExperience: []InvestmentExperience{{AssetClass: "STK", YearsTrading: 1, KnowledgeLevel: "Expert"}}}))},
		{"customer.accountHolder.financialInformation[0].sourcesOfWealth[0].description", NewIndividualApplication(applicantJane(), WithFinancialProfile(FinancialInformation{
			SourcesOfWealth: []SourceOfWealth{{Type: "SOW-IND-Other", UsedForFunds: true}}}))},
		{"accounts[0].iraBeneficiaries.primaryBeneficiaries", NewIRAApplication(gen.AccountIraTypeRI, applicantJane(), []Beneficiary{
			{Applicant: Applicant{First: "Amy", Last: "Doe", Ownership: MustDecimal("-100")}, Relationship: gen.IRAPrimaryBeneficiaryRelationshipChild}})},
		{"accounts[0].iraBeneficiaries.primaryBeneficiaries[0].dateOfBirth", NewIRAApplication(gen.AccountIraTypeRI, applicantJane(), []Beneficiary{
			{Applicant: Applicant{First: "Amy", Last: "Doe", DateOfBirth: "2012-02-30", Ownership: MustDecimal("100")}}})},
		{"customer.trust.identification[0].formationCountry", NewTrustApplication(trust(func(d *TrustDetails) { d.FormationCountry = "" }), []Applicant{applicantJane()})},
		{"customer.trust.identification[0].address.city", NewTrustApplication(trust(func(d *TrustDetails) { d.Address.City = strings.Repeat("c", 101) }), []Applicant{applicantJane()})},
		{"customer.trust.trustType", NewTrustApplication(trust(func(d *TrustDetails) { d.TrustType = "FAMILY" }), []Applicant{applicantJane()})},
		{"customer.trust.grantors.individual[0].name.last", NewTrustApplication(trust(func(d *TrustDetails) { d.Grantors = []Applicant{{First: "Old"}} }), []Applicant{applicantJane()})},
		{"customer.trust.trustees.individuals[0].email", NewTrustApplication(trust(func(d *TrustDetails) { d.Email = "trust@example.com" }), []Applicant{with(func(p *Applicant) { p.Email = "trustee" })})},
		{"customer.organization.identifications[0].placeOfBusinessAddress.country", NewOrganizationApplication(org(func(d *OrganizationDetails) { d.PlaceOfBusiness.Country = "" }), acmeOfficers())},
		{"customer.organization.identifications[0].identificationCountry", NewOrganizationApplication(org(func(d *OrganizationDetails) { d.TaxIDCountry = "DE" }), acmeOfficers())},
		{"customer.organization.identifications[0].phones[0].number", NewOrganizationApplication(org(func(d *OrganizationDetails) { d.Phone = strings.Repeat("5", 19) }), acmeOfficers())},
		{"customer.organization.associatedEntities.associatedIndividuals[0].titles[0].code", NewOrganizationApplication(acmeLLC(), officers(func(o *Officer) { o.Titles[0] = "Boss" }))},
		{"customer.organization.associatedEntities.associatedIndividuals[0].residenceAddress.country", NewOrganizationApplication(acmeLLC(), officers(func(o *Officer) { o.Residence.Country = "" }))},
		{"customer.organization.associatedEntities.associatedIndividuals", NewOrganizationApplication(org(func(d *OrganizationDetails) { d.Email = "office@example.com" }), nil)},
	} {
		_, err := c.RegisterApplication(ctx, tc.r)
		wantErr(t, err, ErrInvalidInput)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != tc.field {
			t.Errorf("want field %s, got %v", tc.field, err)
		}
	}
	if n := len(srv.RequestsFor("createAccounts")); n != 0 {
		t.Fatalf("%d refused applications reached the sandbox", n)
	}
}
