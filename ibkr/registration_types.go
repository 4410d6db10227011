package ibkr

import (
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// The rules in this file are those IBKR documents per customer type
// (individual, joint, IRA and the other retirement kinds, trust, SMSF,
// organization); ValidateApplication applies them after the rules every
// application shares. Fields are named as on the wire, relative to the
// application ("customer.trust.identification[0].name",
// "accounts[0].iraType").

// applicantNodes names the node of the customer that holds the
// applicant of each customer type.
var applicantNodes = map[gen.CustomerType]string{
	gen.CustomerTypeINDIVIDUAL: "accountHolder",
	gen.CustomerTypeIRA:        "accountHolder",
	gen.CustomerTypeUGMA:       "accountHolder",
	gen.CustomerTypeUTMA:       "accountHolder",
	gen.CustomerTypeJOINT:      "jointHolders",
	gen.CustomerTypeTRUST:      "trust",
	gen.CustomerTypeORG:        "organization",
}

// checkCustomerShape refuses an application whose applicant sits in
// another type's node (a JOINT application's holders in accountHolder,
// a trust without its trust node).
func checkCustomerShape(c *gen.Customer) error {
	want := applicantNodes[*c.Type]
	present := map[string]bool{
		"accountHolder": c.AccountHolder != nil,
		"jointHolders":  c.JointHolders != nil,
		"trust":         c.Trust != nil,
		"organization":  c.Organization != nil,
	}
	for _, node := range []string{"accountHolder", "jointHolders", "trust", "organization"} {
		if present[node] && node != want {
			return appErr("customer."+node, "is not part of a %s application (its applicant goes in customer.%s)", *c.Type, want)
		}
	}
	if !present[want] {
		return appErr("customer."+want, "is required for a %s application", *c.Type)
	}
	return nil
}

// checkHolderCounts checks how many holders each holder list carries.
func checkHolderCounts(c *gen.Customer) error {
	one := func(field string, list *[]gen.AssociatedIndividual) error {
		switch n := len(unptrSlice(list)); {
		case n == 0:
			return appErr(field, "needs the holder's details")
		case n > 1:
			return appErr(field, "must hold exactly one person (got %d)", n)
		}
		return nil
	}
	if h := c.AccountHolder; h != nil {
		return one("customer.accountHolder.accountHolderDetails", h.AccountHolderDetails)
	}
	if j := c.JointHolders; j != nil {
		if j.Type == nil || !j.Type.Valid() {
			return appErr("customer.jointHolders.type", "must be joint_tenants, tenants_common, community, tbe or au_joint_account")
		}
		if err := one("customer.jointHolders.firstHolderDetails", j.FirstHolderDetails); err != nil {
			return err
		}
		if err := one("customer.jointHolders.secondHolderDetails", j.SecondHolderDetails); err != nil {
			return err
		}
		if *j.Type == gen.JointApplicantTypeTenantsCommon {
			shares := []*Decimal{(*j.FirstHolderDetails)[0].OwnershipPercentage, (*j.SecondHolderDetails)[0].OwnershipPercentage}
			if shares[0] != nil || shares[1] != nil {
				return checkShares("customer.jointHolders.secondHolderDetails[0].ownershipPercentage", shares)
			}
		}
	}
	return nil
}

var hundred = MustDecimal("100")

// checkShares checks that ownership percentages add up to 100; field
// names the last of them.
func checkShares(field string, shares []*Decimal) error {
	sum := MustDecimal("0")
	for _, s := range shares {
		if s == nil {
			continue
		}
		if s.Sign() < 0 {
			return appErr(field, "ownership percentages cannot be negative")
		}
		var err error
		if sum, err = sum.Add(*s); err != nil {
			return appErr(field, "ownership percentages are too large")
		}
	}
	if !sum.Equal(hundred) {
		return appErr(field, "ownership percentages must add up to 100 (they add up to %s)", sum)
	}
	return nil
}

// iraResidence is the country whose residents may hold each kind of
// retirement account, as IBKR's documentation groups them.
var iraResidence = map[gen.AccountIraType]string{
	gen.AccountIraTypeRI: "USA", gen.AccountIraTypeRO: "USA", gen.AccountIraTypeRT: "USA", gen.AccountIraTypeSP: "USA",
	gen.AccountIraTypeTH: "USA", gen.AccountIraTypeRH: "USA", gen.AccountIraTypeSH: "USA", gen.AccountIraTypeSIMPLE: "USA",
	gen.AccountIraTypeED:   "USA",
	gen.AccountIraTypeTFSA: "CAN", gen.AccountIraTypeRRSP: "CAN", gen.AccountIraTypeSRRSP: "CAN",
	gen.AccountIraTypeISA: "GBR", gen.AccountIraTypeJISA: "GBR",
}

// inheritedIRA are the inherited kinds, which name the deceased owner.
var inheritedIRA = map[gen.AccountIraType]bool{gen.AccountIraTypeTH: true, gen.AccountIraTypeRH: true, gen.AccountIraTypeSH: true}

// checkAccountKinds checks the accounts against the customer type:
// retirement settings only on IRA applications (and there on every
// account), the SMSF account type only on an SMSF trust, cash only for
// Australian residents.
func checkAccountKinds(app *gen.Application, residence string) error {
	c := app.Customer
	accounts := unptrSlice(app.Accounts)
	if *c.Type == gen.CustomerTypeIRA && len(accounts) == 0 {
		return appErr("accounts", "an IRA application needs its account, with iraType")
	}
	smsf := c.Trust != nil && len(unptrSlice(c.Trust.Identification)) > 0 &&
		unptr((*c.Trust.Identification)[0].TypeOfTrust) == gen.TrustIdentificationTypeOfTrustSMSF
	for i, a := range accounts {
		f := fmt.Sprintf("accounts[%d]", i)
		if *c.Type != gen.CustomerTypeIRA {
			if unptr(a.Ira) || a.IraType != nil {
				return appErr(f+".iraType", "retirement accounts need customer.type IRA")
			}
			if a.IraBeneficiaries != nil {
				return appErr(f+".iraBeneficiaries", "only IRA applications name IRA beneficiaries")
			}
		} else if err := checkIRAAccount(f, a, residence); err != nil {
			return err
		}
		if t := a.AccountType; t != nil {
			if !t.Valid() {
				return appErr(f+".accountType", "must be Investment, Trading or SMSF")
			}
			if residence != "AUS" {
				return appErr(f+".accountType", "applies to accounts of Australian residents only (IB-AU)")
			}
			if (*t == gen.AccountAccountTypeSMSF) != smsf {
				return appErr(f+".accountType", "SMSF goes with a TRUST application whose trust's typeOfTrust is SMSF, and only there")
			}
		}
		if residence == "AUS" && a.Margin != nil && *a.Margin != "Cash" {
			return appErr(f+".margin", "must be Cash: IBKR offers no margin trading to Australian residents")
		}
	}
	if smsf && len(accounts) == 0 {
		return appErr("accounts", "an SMSF application needs its account, with accountType SMSF")
	}
	for i, a := range accounts {
		if smsf && unptr(a.AccountType) != gen.AccountAccountTypeSMSF {
			return appErr(fmt.Sprintf("accounts[%d].accountType", i), "must be SMSF for an SMSF trust")
		}
	}
	return nil
}

// checkAccountTrading checks an account's investment objectives and
// trading permissions: known values, and each permission given by
// exchange group or by product and country.
func checkAccountTrading(f string, a gen.Account) error {
	for i, o := range unptrSlice(a.InvestmentObjectives) {
		if !o.Valid() {
			return appErr(fmt.Sprintf("%s.investmentObjectives[%d]", f, i), "must be Preservation, Income, Growth, Trading, Speculation or Hedging")
		}
	}
	for i, p := range unptrSlice(a.TradingPermissions) {
		pf := fmt.Sprintf("%s.tradingPermissions[%d]", f, i)
		switch {
		case p.Product != nil && !p.Product.Valid():
			return appErr(pf+".product", "is not a product IBKR knows (STOCKS, OPTIONS, FUTURES, BONDS ...)")
		case p.Country != nil && !p.Country.Valid():
			return appErr(pf+".country", "is not a market IBKR knows (UNITED STATES, GERMANY, ALL ...)")
		case p.AssetClass != nil && !p.AssetClass.Valid():
			return appErr(pf+".assetClass", "is not an asset class IBKR knows")
		case unptr(p.ExchangeGroup) == "" && (p.Product == nil || p.Country == nil):
			return appErr(pf, "needs an exchangeGroup, or a product and a country")
		}
	}
	return nil
}

func checkIRAAccount(f string, a gen.Account, residence string) error {
	if a.Ira != nil && !*a.Ira {
		return appErr(f+".ira", "must be true (or left out) on an IRA application")
	}
	if a.IraType == nil {
		return appErr(f+".iraType", "is required on an IRA application")
	}
	if !a.IraType.Valid() {
		return appErr(f+".iraType", "is not a retirement account kind IBKR knows")
	}
	if want := iraResidence[*a.IraType]; residence != "" && residence != want {
		return appErr(f+".iraType", "%s accounts are for residents of %s only (the customer resides in %s)", *a.IraType, want, residence)
	}
	if inheritedIRA[*a.IraType] {
		d := a.Decendent
		if d == nil {
			return appErr(f+".decendent", "an inherited IRA (%s) names the deceased owner", *a.IraType)
		}
		if err := checkNamed(f+".decendent", d.Name); err != nil {
			return err
		}
		if d.DateOfDeath == nil {
			return appErr(f+".decendent.dateOfDeath", "is required for an inherited IRA")
		}
	}
	b := a.IraBeneficiaries
	if b == nil {
		return nil
	}
	var primary, contingent []*Decimal
	for i, p := range unptrSlice(b.PrimaryBeneficiaries) {
		pf := fmt.Sprintf("%s.iraBeneficiaries.primaryBeneficiaries[%d]", f, i)
		if err := checkBeneficiary(pf, p.Name, p.DateOfBirth, p.Identification, p.Relationship == nil || p.Relationship.Valid()); err != nil {
			return err
		}
		primary = append(primary, p.OwnershipPercentage)
	}
	for i, e := range unptrSlice(b.PrimaryBeneficiaryEntities) {
		if unptr(e.Name) == "" {
			return appErr(fmt.Sprintf("%s.iraBeneficiaries.primaryBeneficiaryEntities[%d].name", f, i), "is required")
		}
		primary = append(primary, e.OwnershipPercentage)
	}
	for i, p := range unptrSlice(b.ContingentBeneficiaries) {
		pf := fmt.Sprintf("%s.iraBeneficiaries.contingentBeneficiaries[%d]", f, i)
		if err := checkBeneficiary(pf, p.Name, p.DateOfBirth, p.Identification, p.Relationship == nil || p.Relationship.Valid()); err != nil {
			return err
		}
		contingent = append(contingent, p.OwnershipPercentage)
	}
	for i, e := range unptrSlice(b.ContingentBeneficiaryEntities) {
		if unptr(e.Name) == "" {
			return appErr(fmt.Sprintf("%s.iraBeneficiaries.contingentBeneficiaryEntities[%d].name", f, i), "is required")
		}
		contingent = append(contingent, e.OwnershipPercentage)
	}
	if len(primary) > 0 {
		if err := checkShares(f+".iraBeneficiaries.primaryBeneficiaries", primary); err != nil {
			return err
		}
	}
	if len(contingent) > 0 {
		return checkShares(f+".iraBeneficiaries.contingentBeneficiaries", contingent)
	}
	return nil
}

// checkNamed checks a person's name: first and last required.
func checkNamed(field string, n *gen.IndividualName) error {
	if n == nil {
		return appErr(field+".name", "is required (first and last)")
	}
	if err := ValidatePersonName(field+".name.first", unptr(n.First), true); err != nil {
		return err
	}
	if err := ValidatePersonName(field+".name.middle", unptr(n.Middle), false); err != nil {
		return err
	}
	return ValidatePersonName(field+".name.last", unptr(n.Last), true)
}

// checkBeneficiary checks a beneficiary, who may be a minor: name, date
// of birth (form only), citizenship and relationship.
func checkBeneficiary(field string, n *gen.IndividualName, dob *string, id *gen.Identification, relOK bool) error {
	if err := checkNamed(field, n); err != nil {
		return err
	}
	if dob != nil {
		if err := ValidateDateOfBirth(field+".dateOfBirth", *dob, time.Time{}); err != nil {
			return err
		}
	}
	if id != nil && id.Citizenship != nil {
		if err := ValidateCountryCode(field+".identification.citizenship", *id.Citizenship); err != nil {
			return err
		}
	}
	if !relOK {
		return appErr(field+".relationship", "is not a relationship IBKR knows (Spouse, Child, Parent, Sibling, Other ...)")
	}
	return nil
}

// checkTrust checks a trust's identification, trustees, grantors and
// beneficiaries and returns the names of the trustees and grantors (who
// sign the application's documents).
func checkTrust(t *gen.TrustApplicant, today time.Time) ([]string, error) {
	const f = "customer.trust"
	if t.TrustType != nil && !t.TrustType.Valid() {
		return nil, appErr(f+".trustType", "must be SINGLE_TRUST, COMPLEX_TRUST, GRANTOR_TRUST or US_TAXABLE_TRUST")
	}
	ids := unptrSlice(t.Identification)
	if len(ids) == 0 {
		return nil, appErr(f+".identification", "is required (the trust's name and formation country)")
	}
	for i, id := range ids {
		idf := fmt.Sprintf("%s.identification[%d]", f, i)
		if err := checkEntityID(idf, id.Name, id.FormationCountry); err != nil {
			return nil, err
		}
		if id.TypeOfTrust != nil && !id.TypeOfTrust.Valid() {
			return nil, appErr(idf+".typeOfTrust", "is not a kind of trust IBKR knows")
		}
		if unptr(id.TypeOfTrust) == gen.TrustIdentificationTypeOfTrustSMSF && unptr(id.FormationCountry) != "AUS" {
			return nil, appErr(idf+".formationCountry", "must be AUS: an SMSF is an Australian fund")
		}
		if id.RegistrationType != nil && !id.RegistrationType.Valid() {
			return nil, appErr(idf+".registrationType", "must be EIN, SSN or NonUS_NationalId")
		}
		if a := id.Address; a != nil {
			if err := checkAddress(idf+".address", unptr(a.Country), unptr(a.City), unptr(a.PostalCode), unptr(a.Street1), unptr(a.Street2), false, false); err != nil {
				return nil, err
			}
		}
		if id.SameMailAddress != nil && !*id.SameMailAddress && id.MailingAddress == nil {
			return nil, appErr(idf+".mailingAddress", "is required when sameMailAddress is false")
		}
	}
	var names []string
	trustees := unptr(t.Trustees)
	inds, ents := unptrSlice(trustees.Individuals), unptrSlice(trustees.Entities)
	if len(inds)+len(ents) == 0 {
		return nil, appErr(f+".trustees", "at least one trustee is required")
	}
	primaries := 0
	for i, tr := range inds {
		var p gen.AssociatedIndividual
		convertJSON(tr, &p)
		name, err := checkIndividual(fmt.Sprintf("%s.trustees.individuals[%d]", f, i), p, today)
		if err != nil {
			return nil, err
		}
		names = append(names, name)
		if unptr(tr.PrimaryTrustee) {
			primaries++
		}
	}
	for i, e := range ents {
		ef := fmt.Sprintf("%s.trustees.entities[%d]", f, i)
		if e.LegalEntity == nil || unptr(e.LegalEntity.Name) == "" {
			return nil, appErr(ef+".legalEntity.name", "is required")
		}
		trader, signer := false, false
		for j, emp := range unptrSlice(e.Employees) {
			var p gen.AssociatedIndividual
			convertJSON(emp, &p)
			name, err := checkIndividual(fmt.Sprintf("%s.employees[%d]", ef, j), p, today)
			if err != nil {
				return nil, err
			}
			names = append(names, name)
			trader = trader || unptr(emp.AuthorizedTrader)
			signer = signer || unptr(emp.AuthorizedToSignOnBehalfOfOwner)
			if unptr(emp.PrimaryTrustee) {
				primaries++
			}
		}
		// With entity trustees only, one of their employees trades and
		// one signs for the trust.
		if len(inds) == 0 && (!trader || !signer) {
			return nil, appErr(ef+".employees", "with only entity trustees, an employee must be authorizedTrader and one authorizedToSignOnBehalfOfOwner")
		}
	}
	if primaries > 1 {
		return nil, appErr(f+".trustees", "at most one trustee can be the primary trustee (got %d)", primaries)
	}
	if g := t.Grantors; g != nil {
		for i, p := range unptrSlice(g.Individual) {
			name, err := checkIndividual(fmt.Sprintf("%s.grantors.individual[%d]", f, i), p, today)
			if err != nil {
				return nil, err
			}
			names = append(names, name)
		}
	}
	if b := t.Beneficiaries; b != nil {
		var shares []*Decimal
		for i, p := range unptrSlice(b.Individual) {
			if err := checkBeneficiary(fmt.Sprintf("%s.beneficiaries.individual[%d]", f, i), p.Name, p.DateOfBirth, p.Identification, true); err != nil {
				return nil, err
			}
			shares = append(shares, p.OwnershipPercentage)
		}
		if len(shares) > 0 {
			if err := checkShares(f+".beneficiaries.individual", shares); err != nil {
				return nil, err
			}
		}
	}
	return names, nil
}

// checkEntityID checks the name and formation country of a trust or
// organization.
func checkEntityID(field string, name, country *string) error {
	if unptr(name) == "" {
		return appErr(field+".name", "is required")
	}
	return ValidateCountryCode(field+".formationCountry", unptr(country))
}

// authorizedTitles are the titles of an organization's authorized person.
var authorizedTitles = map[gen.TitleCode]bool{gen.TitleCodeDIRECTOR: true, gen.TitleCodeSECRETARY: true, gen.TitleCodeOtherOfficer: true}

// checkOrganization checks an organization's identification and
// associated persons and returns the persons' names.
func checkOrganization(o *gen.OrganizationApplicant, today time.Time) ([]string, error) {
	const f = "customer.organization"
	if o.Type != nil && !o.Type.Valid() {
		return nil, appErr(f+".type", "must be CORPORATION, LLC, PARTNERSHIP or UNINCORPORATED BUSINESS")
	}
	ids := unptrSlice(o.Identifications)
	if len(ids) == 0 {
		return nil, appErr(f+".identifications", "is required (the organization's name, formation country and place of business)")
	}
	for i, id := range ids {
		idf := fmt.Sprintf("%s.identifications[%d]", f, i)
		if err := checkEntityID(idf, id.Name, id.FormationCountry); err != nil {
			return nil, err
		}
		if id.IdentificationCountry != nil {
			if err := ValidateCountryCode(idf+".identificationCountry", *id.IdentificationCountry); err != nil {
				return nil, err
			}
		}
		a := id.PlaceOfBusinessAddress
		if a == nil {
			return nil, appErr(idf+".placeOfBusinessAddress", "is required")
		}
		if err := checkAddress(idf+".placeOfBusinessAddress", unptr(a.Country), unptr(a.City), unptr(a.PostalCode), unptr(a.Street1), unptr(a.Street2), false, true); err != nil {
			return nil, err
		}
		if m := id.MailingAddress; m != nil {
			if err := checkAddress(idf+".mailingAddress", unptr(m.Country), unptr(m.City), unptr(m.PostalCode), unptr(m.Street1), unptr(m.Street2), false, false); err != nil {
				return nil, err
			}
		} else if id.SameMailAddress != nil && !*id.SameMailAddress {
			return nil, appErr(idf+".mailingAddress", "is required when sameMailAddress is false")
		}
		for j, ph := range unptrSlice(id.Phones) {
			if len(unptr(ph.Number)) > MaxPhoneLen {
				return nil, appErr(fmt.Sprintf("%s.phones[%d].number", idf, j), "must be at most %d characters", MaxPhoneLen)
			}
		}
	}
	ae := unptr(o.AssociatedEntities)
	people := unptrSlice(ae.AssociatedIndividuals)
	if len(people) == 0 {
		return nil, appErr(f+".associatedEntities.associatedIndividuals", "the organization's officers and owners are required")
	}
	var names []string
	authorized := false
	for i, p := range people {
		pf := fmt.Sprintf("%s.associatedEntities.associatedIndividuals[%d]", f, i)
		name, err := checkIndividual(pf, p, today)
		if err != nil {
			return nil, err
		}
		names = append(names, name)
		titled := false
		for j, t := range unptrSlice(p.Titles) {
			if t.Code == nil || !t.Code.Valid() {
				return nil, appErr(fmt.Sprintf("%s.titles[%d].code", pf, j), "is not a title IBKR knows (DIRECTOR, SECRETARY, Other Officer, OWNER ...)")
			}
			titled = titled || authorizedTitles[*t.Code]
		}
		if unptr(p.AuthorizedPerson) {
			if !titled {
				return nil, appErr(pf+".titles", "the authorized person's titles must include DIRECTOR, SECRETARY or Other Officer")
			}
			authorized = true
		}
	}
	if !authorized {
		return nil, appErr(f+".associatedEntities.associatedIndividuals", "one person must be the authorizedPerson who signs for the organization")
	}
	return names, nil
}
