package ibkr_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// exampleHolder is a United States resident, as the examples below use.
func exampleHolder(first, email string) ibkr.Applicant {
	return ibkr.Applicant{
		First: first, Last: "Doe", Email: email, DateOfBirth: "1980-08-14",
		CountryOfBirth: "USA", Citizenship: "USA",
		Residence:   ibkr.ApplicantAddress{Street1: "1 Tester Street", City: "New York", State: "US-NY", PostalCode: "10001", Country: "USA"},
		MobilePhone: "2034228988", EmploymentType: "RETIRED",
		TaxResidences: []ibkr.TaxResidence{{Country: "USA", TIN: ibkr.NewSecret("123456789"), TINType: gen.TaxResidencyTinTypeSSN}},
	}
}

// registerAndShow sends an application to the sandbox and prints what
// IBKR answered, or why it was refused.
func registerAndShow(c *ibkr.Client, r ibkr.FullRegistration) {
	ctx := context.Background()
	reg, err := c.RegisterApplication(ctx, r)
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err := c.AccountDetails(ctx, reg.AccountID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(reg.AccountID, reg.Status, d.ApplicantType, d.Title)
}

// An individual account, with the holder's financial profile.
func ExampleNewIndividualApplication() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	profile := ibkr.FinancialInformation{
		NetWorth: new(ibkr.MustDecimal("750000")), LiquidNetWorth: new(ibkr.MustDecimal("500000")), AnnualNetIncome: new(ibkr.MustDecimal("90000")),
		InvestmentExperience: []ibkr.InvestmentExperience{{AssetClass: "STK", YearsTrading: 10, TradesPerYear: 25, KnowledgeLevel: "Good"}},
		SourcesOfWealth:      []ibkr.SourceOfWealth{{Type: "SOW-IND-Pension", UsedForFunds: true}},
	}
	app := ibkr.NewIndividualApplication(exampleHolder("Jane", "jane.doe@example.com"),
		ibkr.WithCustomerID("cust-0001"), ibkr.WithAccountCurrency(ibkr.USD), ibkr.WithMarginType("Cash"),
		ibkr.WithFinancialProfile(profile))

	// Forty years of trading is more than the holder's adult life.
	profile.InvestmentExperience[0].YearsTrading = 40
	registerAndShow(c, ibkr.NewIndividualApplication(exampleHolder("Jane", "jane.doe@example.com"), ibkr.WithFinancialProfile(profile)))

	registerAndShow(c, app)
	// Output:
	// ibkr: invalid customer.accountHolder.financialInformation[0].investmentExperience[0].yearsTrading: cannot exceed the years since the holder turned 18 (26)
	// U1000001 new (N) INDIVIDUAL Jane Doe
}

// A joint account: joint tenants with rights of survivorship.
func ExampleNewJointApplication() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	app := ibkr.NewJointApplication(gen.JointApplicantTypeJointTenants,
		exampleHolder("Jane", "jane.doe@example.com"), exampleHolder("John", "john.doe@example.com"),
		ibkr.WithCustomerID("joint-0001"), ibkr.WithAccountCurrency(ibkr.USD))
	registerAndShow(c, app)
	// Output:
	// U1000001 new (N) JOINT Jane Doe and John Doe
}

// A traditional IRA with a spouse as primary beneficiary; an ISA is for
// United Kingdom residents only.
func ExampleNewIRAApplication() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	spouse := ibkr.Beneficiary{
		Applicant:    ibkr.Applicant{First: "John", Last: "Doe", DateOfBirth: "1978-02-01", Citizenship: "USA", Ownership: ibkr.MustDecimal("100")},
		Relationship: gen.IRAPrimaryBeneficiaryRelationshipSpouse,
	}
	holder := exampleHolder("Jane", "jane.doe@example.com")
	registerAndShow(c, ibkr.NewIRAApplication(gen.AccountIraTypeISA, holder, nil))
	registerAndShow(c, ibkr.NewIRAApplication(gen.AccountIraTypeRT, holder, []ibkr.Beneficiary{spouse},
		ibkr.WithCustomerID("ira-0001"), ibkr.WithAccountCurrency(ibkr.USD), ibkr.WithMarginType("Cash")))
	// Output:
	// ibkr: invalid accounts[0].iraType: ISA accounts are for residents of GBR only (the customer resides in USA)
	// U1000001 new (N) IRA Jane Doe
}

// A revocable family trust with two trustees (the first is the primary
// trustee) and two beneficiaries whose shares add up to 100.
func ExampleNewTrustApplication() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	trust := ibkr.TrustDetails{
		Name: "Doe Family Trust", TypeOfTrust: gen.TrustIdentificationTypeOfTrustREVOCABLE, TrustType: gen.TrustApplicantTrustTypeGRANTORTRUST,
		FormationCountry: "USA", FormationState: "US-NY", DateFormed: time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC),
		Address: ibkr.ApplicantAddress{Street1: "1 Tester Street", City: "New York", State: "US-NY", PostalCode: "10001", Country: "USA"},
		Beneficiaries: []ibkr.Applicant{
			{First: "Amy", Last: "Doe", DateOfBirth: "2012-03-04", Ownership: ibkr.MustDecimal("50")},
			{First: "Ben", Last: "Doe", DateOfBirth: "2014-05-06", Ownership: ibkr.MustDecimal("40")},
		},
	}
	trustees := []ibkr.Applicant{exampleHolder("Jane", "jane.doe@example.com"), exampleHolder("John", "john.doe@example.com")}
	registerAndShow(c, ibkr.NewTrustApplication(trust, trustees))

	trust.Beneficiaries[1].Ownership = ibkr.MustDecimal("50")
	registerAndShow(c, ibkr.NewTrustApplication(trust, trustees, ibkr.WithCustomerID("trust-0001"), ibkr.WithAccountCurrency(ibkr.USD)))
	// Output:
	// ibkr: invalid customer.trust.beneficiaries.individual: ownership percentages must add up to 100 (they add up to 90)
	// U1000001 new (N) TRUST Doe Family Trust
}

// An Australian self-managed superannuation fund: a trust of type SMSF
// whose account is of account type SMSF, cash only.
func ExampleNewSMSFApplication() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	trustee := func(first string) ibkr.Applicant {
		p := exampleHolder(first, first+"@example.com.au")
		p.Last, p.CountryOfBirth, p.Citizenship = "Smith", "AUS", "AUS"
		p.Residence = ibkr.ApplicantAddress{Street1: "5 Harbour Road", City: "Sydney", State: "AU-NSW", PostalCode: "2000", Country: "AUS"}
		p.TaxResidences = []ibkr.TaxResidence{{Country: "AUS", TIN: ibkr.NewSecret("123456782"), TINType: gen.TaxResidencyTinTypeNonUSNationalId}}
		return p
	}
	fund := ibkr.TrustDetails{Name: "Smith Super Fund", FormationCountry: "AUS",
		Address: ibkr.ApplicantAddress{Street1: "5 Harbour Road", City: "Sydney", State: "AU-NSW", PostalCode: "2000", Country: "AUS"}}
	trustees := []ibkr.Applicant{trustee("kylie"), trustee("bruce")}
	registerAndShow(c, ibkr.NewSMSFApplication(fund, trustees, ibkr.WithMarginType("Margin")))
	registerAndShow(c, ibkr.NewSMSFApplication(fund, trustees, ibkr.WithCustomerID("smsf-0001"), ibkr.WithAccountCurrency(ibkr.AUD)))
	// Output:
	// ibkr: invalid accounts[0].margin: must be Cash: IBKR offers no margin trading to Australian residents
	// U1000001 new (N) TRUST Smith Super Fund
}

// A limited liability company with a director who signs for it and a
// second owner.
func ExampleNewOrganizationApplication() {
	c, sb, err := sandbox.Start()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	org := ibkr.OrganizationDetails{
		Name: "Acme Trading LLC", Type: gen.OrganizationApplicantTypeLLC, FormationCountry: "USA", FormationState: "US-DE",
		BusinessDescription: "Proprietary investments", TaxID: ibkr.NewSecret("98-7654321"),
		PlaceOfBusiness: ibkr.ApplicantAddress{Street1: "9 Works Road", City: "Newark", State: "US-NJ", PostalCode: "07101", Country: "USA"},
	}
	officers := []ibkr.Officer{
		{Applicant: exampleHolder("John", "john.doe@example.com"), Titles: []gen.TitleCode{gen.TitleCodeOWNER}},
		{Applicant: exampleHolder("Jane", "jane.doe@example.com"), Titles: []gen.TitleCode{gen.TitleCodeOWNER}},
	}
	registerAndShow(c, ibkr.NewOrganizationApplication(org, officers))

	officers[0].AuthorizedPerson = true
	officers[0].Titles = append(officers[0].Titles, gen.TitleCodeDIRECTOR)
	registerAndShow(c, ibkr.NewOrganizationApplication(org, officers, ibkr.WithCustomerID("org-0001"), ibkr.WithAccountCurrency(ibkr.USD)))
	// Output:
	// ibkr: invalid customer.organization.associatedEntities.associatedIndividuals: one person must be the authorizedPerson who signs for the organization
	// U1000001 new (N) ORG Acme Trading LLC
}
