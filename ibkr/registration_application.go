package ibkr

import (
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// ValidateApplication checks a full application against the rules IBKR
// documents for every customer type and that need no IBKR data:
//
//   - a customer with a known type, an email (ValidateEmail), an
//     externalId of at most MaxExternalIDLen characters, a legal residence
//     country in ISO alpha-3 form, a valid prefix or user name if given;
//   - every individual (account holder, joint holders, trustees, grantors,
//     officers and owners of organizations), each
//     with a first and last name (ValidatePersonName), a valid email,
//     an adult date of birth if given, ISO country codes (citizenship,
//     birth, addresses, tax residencies), residential addresses without
//     post office boxes, a mailing address when sameMailAddress is false,
//     employment details when employed or self-employed, phone numbers of
//     at most MaxPhoneLen characters, ID documents not expired, and a W-8BEN
//     or W-9 name equal to the holder's;
//   - accounts with a valid base currency, margin type and alias length;
//   - the rules of each customer type: its applicant in its own node and
//     no other (accountHolder, jointHolders, trust, organization); one
//     account holder, or two joint holders and the kind of joint account;
//     for IRA applications the retirement kind allowed where the customer
//     resides, the deceased owner of an inherited IRA and beneficiaries'
//     shares adding up to 100; for trusts the trust's name and formation
//     country, trustees (one primary at most), grantors and beneficiaries;
//     for an SMSF an Australian trust of type SMSF with SMSF accounts; for
//     organizations the identification, place of business and an
//     authorized officer; cash only for Australian residents;
//   - financial information: FinancialInformation.Validate's rules, trading
//     experience no longer than the holder's adult life and sources of
//     wealth of the applicant's kind that fund the account.
//
// Errors name the JSON path of the problem relative to the application,
// such as accounts[0].iraType or customer.trust.identification[0].name
// (api/NOTES.md, "Registration: account types", records the decisions).
//
// It returns the holders' names as IBKR compares signatures (HolderName),
// for checking the signers of the application's documents. Nothing of the
// application (tax ids, ID numbers) is echoed in errors.
func ValidateApplication(app *gen.Application, today time.Time) ([]string, error) {
	c := app.Customer
	if c == nil {
		return nil, appErr("application.customer", "is required")
	}
	if c.Type == nil || !c.Type.Valid() {
		return nil, appErr("customer.type", "must be INDIVIDUAL, JOINT, IRA, TRUST, ORG, UGMA or UTMA")
	}
	if err := ValidateEmail("customer.email", unptr(c.Email)); err != nil {
		return nil, err
	}
	if c.ExternalId != nil {
		if err := ValidateExternalID("customer.externalId", *c.ExternalId); err != nil {
			return nil, err
		}
	}
	if c.LegalResidenceCountry != nil {
		if err := ValidateCountryCode("customer.legalResidenceCountry", *c.LegalResidenceCountry); err != nil {
			return nil, err
		}
	}
	if c.Prefix != nil {
		if err := ValidateUserNamePrefix("customer.prefix", *c.Prefix); err != nil {
			return nil, err
		}
	}
	if c.UserName != nil {
		if err := ValidateUserNameFormat("customer.userName", *c.UserName); err != nil {
			return nil, err
		}
	}
	if t := unptr(c.TaxTreatyCountry); t != "" && t != "N/A" {
		if err := ValidateCountryCode("customer.taxTreatyCountry", t); err != nil {
			return nil, err
		}
	}

	if err := checkCustomerShape(c); err != nil {
		return nil, err
	}
	if err := checkHolderCounts(c); err != nil {
		return nil, err
	}

	type group struct {
		field string
		list  *[]gen.AssociatedIndividual
	}
	var groups []group
	if h := c.AccountHolder; h != nil {
		groups = append(groups, group{"customer.accountHolder.accountHolderDetails", h.AccountHolderDetails})
	}
	if j := c.JointHolders; j != nil {
		groups = append(groups, group{"customer.jointHolders.firstHolderDetails", j.FirstHolderDetails},
			group{"customer.jointHolders.secondHolderDetails", j.SecondHolderDetails})
	}
	var holders []string
	for _, g := range groups {
		for i, ind := range unptrSlice(g.list) {
			name, err := checkIndividual(fmt.Sprintf("%s[%d]", g.field, i), ind, today)
			if err != nil {
				return nil, err
			}
			holders = append(holders, name)
		}
	}
	switch *c.Type {
	case gen.CustomerTypeTRUST:
		names, err := checkTrust(c.Trust, today)
		if err != nil {
			return nil, err
		}
		holders = append(holders, names...)
	case gen.CustomerTypeORG:
		names, err := checkOrganization(c.Organization, today)
		if err != nil {
			return nil, err
		}
		holders = append(holders, names...)
	}
	if err := checkAccountKinds(app, residenceOf(c)); err != nil {
		return nil, err
	}
	for _, fin := range financialNodes(c) {
		if err := checkFinancial(fin.field, fin.list, holderBirth(c), today); err != nil {
			return nil, err
		}
	}

	for i, a := range unptrSlice(app.Accounts) {
		f := fmt.Sprintf("accounts[%d]", i)
		if a.BaseCurrency != nil {
			if err := checkBaseCurrency(f+".baseCurrency", Currency(*a.BaseCurrency)); err != nil {
				return nil, err
			}
		}
		if a.Margin != nil {
			switch *a.Margin {
			case "Cash", "Margin", "RegT", "PortfolioMargin":
			default:
				return nil, appErr(f+".margin", "must be Cash, Margin, RegT or PortfolioMargin")
			}
		}
		if len(unptr(a.Alias)) > MaxAccountAliasLen {
			return nil, appErr(f+".alias", "must be at most %d characters", MaxAccountAliasLen)
		}
		if a.ExternalId != nil {
			if err := ValidateExternalID(f+".externalId", *a.ExternalId); err != nil {
				return nil, err
			}
		}
		if err := checkAccountTrading(f, a); err != nil {
			return nil, err
		}
	}
	if l := app.InputLanguage; l != nil && !l.Valid() {
		return nil, appErr("application.inputLanguage", "is not a language IBKR accepts")
	}
	return holders, nil
}

// checkIndividual checks one associated individual and returns their
// name as IBKR compares signatures.
func checkIndividual(field string, p gen.AssociatedIndividual, today time.Time) (string, error) {
	n := p.Name
	if n == nil {
		return "", appErr(field+".name", "is required (first and last)")
	}
	first, middle, last := unptr(n.First), unptr(n.Middle), unptr(n.Last)
	if err := ValidatePersonName(field+".name.first", first, true); err != nil {
		return "", err
	}
	if err := ValidatePersonName(field+".name.middle", middle, false); err != nil {
		return "", err
	}
	if err := ValidatePersonName(field+".name.last", last, true); err != nil {
		return "", err
	}
	if p.Email != nil {
		if err := ValidateEmail(field+".email", *p.Email); err != nil {
			return "", err
		}
	}
	if p.ExternalId != nil {
		if err := ValidateExternalID(field+".externalId", *p.ExternalId); err != nil {
			return "", err
		}
	}
	if p.DateOfBirth != nil {
		if err := ValidateDateOfBirth(field+".dateOfBirth", *p.DateOfBirth, today); err != nil {
			return "", err
		}
	}
	if p.CountryOfBirth != nil {
		if err := ValidateCountryCode(field+".countryOfBirth", *p.CountryOfBirth); err != nil {
			return "", err
		}
	}
	if r := p.ResidenceAddress; r != nil {
		if err := checkAddress(field+".residenceAddress", unptr(r.Country), unptr(r.City), unptr(r.PostalCode),
			unptr(r.Street1), unptr(r.Street2), true, true); err != nil {
			return "", err
		}
	}
	if m := p.MailingAddress; m != nil {
		if err := checkAddress(field+".mailingAddress", unptr(m.Country), unptr(m.City), unptr(m.PostalCode),
			unptr(m.Street1), unptr(m.Street2), false, false); err != nil {
			return "", err
		}
	} else if p.SameMailAddress != nil && !*p.SameMailAddress {
		return "", appErr(field+".mailingAddress", "is required when sameMailAddress is false")
	}
	if t := unptr(p.EmploymentType); (t == "EMPLOYED" || t == "SELFEMPLOYED") && p.EmploymentDetails == nil {
		return "", appErr(field+".employmentDetails", "is required when employmentType is %s", t)
	}
	for i, ph := range unptrSlice(p.Phones) {
		if len(unptr(ph.Number)) > MaxPhoneLen {
			return "", appErr(fmt.Sprintf("%s.phones[%d].number", field, i), "must be at most %d characters", MaxPhoneLen)
		}
		if ph.Country != nil {
			if err := ValidateCountryCode(fmt.Sprintf("%s.phones[%d].country", field, i), *ph.Country); err != nil {
				return "", err
			}
		}
	}
	for i, tr := range unptrSlice(p.TaxResidencies) {
		// IBKR also takes the full country name here; check codes only.
		if c := unptr(tr.Country); len(c) == 3 && !isUpperASCII(c) {
			return "", appErr(fmt.Sprintf("%s.taxResidencies[%d].country", field, i), "must be an ISO alpha-3 code in upper case or a country name")
		}
	}
	if id := p.Identification; id != nil {
		for _, f := range []struct {
			name string
			v    *string
		}{{"citizenship", id.Citizenship}, {"citizenship2", id.Citizenship2}, {"citizenship3", id.Citizenship3}, {"issuingCountry", id.IssuingCountry}} {
			if f.v != nil {
				if err := ValidateCountryCode(field+".identification."+f.name, *f.v); err != nil {
					return "", err
				}
			}
		}
		if (id.Passport != nil || id.DriversLicense != nil) && id.ExpirationDate == nil {
			return "", appErr(field+".identification.expirationDate", "is required with a passport or driver license")
		}
		if e := id.ExpirationDate; e != nil && !today.IsZero() && e.Time.Before(civil(today)) {
			return "", appErr(field+".identification.expirationDate", "the ID document has expired")
		}
	}
	name := HolderName(first, middle, last)
	if w := p.W8Ben; w != nil && w.Name != nil && !signerMatches(*w.Name, first, middle, last) {
		return "", appErr(field+".w8Ben.name", "must be the holder's name exactly (first, middle, last; case and spaces matter)")
	}
	if w := p.W9; w != nil && w.Name != nil && !signerMatches(*w.Name, first, middle, last) {
		return "", appErr(field+".w9.name", "must be the holder's name exactly (first, middle, last; case and spaces matter)")
	}
	return name, nil
}

// signerMatches reports whether a tax form's name is the holder's: first
// and last with the middle name, its initial or nothing.
func signerMatches(s, first, middle, last string) bool {
	if s == HolderName(first, "", last) || s == HolderName(first, middle, last) {
		return true
	}
	return middle != "" && s == first+" "+middle+" "+last
}
