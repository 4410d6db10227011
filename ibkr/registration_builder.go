package ibkr

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	openapi_types "github.com/oapi-codegen/runtime/types"
)

// Applicant is a natural person named on an application: an account
// holder, a joint holder, an IRA holder or beneficiary, a trustee,
// grantor or trust beneficiary, or an officer or owner of an
// organization. The application builders (NewIndividualApplication and
// the others) turn it into the application schema's individual; what
// IBKR requires of it depends on the registration (see
// ValidateApplication).
type Applicant struct {
	// First and Last are required, Middle optional: ASCII letters
	// (ValidatePersonName), at most MaxNameLen each.
	First, Middle, Last string
	// Email is the person's email address (ValidateEmail).
	Email string
	// DateOfBirth is yyyy-MM-dd; holders, trustees and officers must be
	// at least MinimumAge.
	DateOfBirth string
	// CountryOfBirth and Citizenship are ISO alpha-3 codes (GBR, USA).
	CountryOfBirth, Citizenship string
	// MaritalStatus is S, M, W, D or C (single, married, widowed,
	// divorced, common law partner); optional.
	MaritalStatus gen.AssociatedIndividualMaritalStatus
	// Residence is the residential address: country required, no post
	// office box.
	Residence ApplicantAddress
	// Mailing is the mailing address when it differs from Residence.
	Mailing *ApplicantAddress
	// MobilePhone is the mobile number (at most MaxPhoneLen characters),
	// whose country is PhoneCountry (Residence's country when empty).
	MobilePhone, PhoneCountry string
	// EmploymentType is EMPLOYED, SELFEMPLOYED, RETIRED, STUDENT,
	// ATHOMETRADER, HOMEMAKER or UNEMPLOYED; Employment is required for
	// the first two.
	EmploymentType string
	Employment     *gen.EmploymentDetails
	// TaxResidences are the countries where the person is resident for
	// tax purposes, with the tax id there.
	TaxResidences []TaxResidence
	// ExternalID is the caller's id of this person (optional, at most
	// MaxExternalIDLen characters).
	ExternalID string
	// Ownership is the person's share in percent: for IRA and trust
	// beneficiaries (the shares of a list add up to 100) and joint
	// tenants in common. Zero leaves it out.
	Ownership Decimal
}

// ApplicantAddress is a postal address in an application.
type ApplicantAddress struct {
	// Street1 and Street2 are at most MaxStreetLen characters each.
	Street1, Street2 string
	// City is at most MaxCityLen characters; PostalCode at most
	// MaxPostalCodeLen (00000 where the country has none).
	City, PostalCode string
	// State is an ISO 3166-2 code (GB-ENG, US-NY, AU-NSW); optional.
	State string
	// Country is an ISO alpha-3 code, such as USA or GBR.
	Country string
}

// TaxResidence is a country of tax residence and the tax id there.
type TaxResidence struct {
	// Country is an ISO alpha-3 code.
	Country string
	// TIN is the tax identification number; a Secret, never logged.
	TIN Secret
	// TINType is SSN (United States), EIN or NonUS_NationalId.
	TINType gen.TaxResidencyTinType
}

// Beneficiary is a beneficiary of an IRA: a person, their relationship
// to the holder and whether they are a contingent (rather than primary)
// beneficiary. Applicant.Ownership is the beneficiary's share; the
// shares of the primary beneficiaries add up to 100, and so do those of
// the contingent ones.
type Beneficiary struct {
	Applicant
	// Relationship to the holder, such as Spouse, Child or Other.
	Relationship gen.IRAPrimaryBeneficiaryRelationship
	// Contingent marks a contingent beneficiary.
	Contingent bool
}

// TrustDetails describes the trust of a TRUST (or SMSF) application.
type TrustDetails struct {
	// Name is the trust's name (required).
	Name string
	// Email is the trust's contact email; the first trustee's when
	// empty.
	Email string
	// TrustType is IBKR's tax classification (SINGLE_TRUST,
	// COMPLEX_TRUST, GRANTOR_TRUST, US_TAXABLE_TRUST); optional.
	TrustType gen.TrustApplicantTrustType
	// TypeOfTrust is the kind of trust (REVOCABLE, IRREVOC, SMSF ...);
	// NewSMSFApplication sets SMSF.
	TypeOfTrust gen.TrustIdentificationTypeOfTrust
	// FormationCountry (ISO alpha-3, required) and FormationState (ISO
	// 3166-2, optional) are where the trust was formed.
	FormationCountry, FormationState string
	// DateFormed is the date the trust was formed; optional.
	DateFormed time.Time
	// Purpose describes the trust's purpose; optional.
	Purpose string
	// Address is the trust's address.
	Address ApplicantAddress
	// RegistrationNumber is the trust's tax or registration number (a
	// Secret) of type RegistrationType (EIN, SSN, NonUS_NationalId);
	// optional.
	RegistrationNumber Secret
	RegistrationType   gen.TrustIdentificationRegistrationType
	// Grantors are the people who set the trust up; optional.
	Grantors []Applicant
	// Beneficiaries are the trust's beneficiaries; their Ownership
	// shares add up to 100.
	Beneficiaries []Applicant
}

// OrganizationDetails describes the organization of an ORG application.
type OrganizationDetails struct {
	// Name is the organization's legal name (required).
	Name string
	// Email is the organization's contact email; the first officer's
	// when empty.
	Email string
	// Type is CORPORATION, LLC, PARTNERSHIP or UNINCORPORATED BUSINESS.
	Type gen.OrganizationApplicantType
	// FormationCountry (ISO alpha-3, required) and FormationState (ISO
	// 3166-2, optional) are where the organization was formed.
	FormationCountry, FormationState string
	// BusinessDescription says what the organization does.
	BusinessDescription string
	// PlaceOfBusiness is the principal place of business (country
	// required); Mailing the mailing address when it differs.
	PlaceOfBusiness ApplicantAddress
	Mailing         *ApplicantAddress
	// Phone is the business phone number; optional.
	Phone string
	// Website is the organization's web address; optional.
	Website string
	// TaxID is the organization's tax id (a Secret), issued by
	// TaxIDCountry (FormationCountry when empty).
	TaxID        Secret
	TaxIDCountry string
}

// Officer is a person associated with an organization: an officer,
// director, owner or signatory.
type Officer struct {
	Applicant
	// Titles are the person's roles, such as DIRECTOR, SECRETARY, Other
	// Officer, OWNER or CEO.
	Titles []gen.TitleCode
	// AuthorizedPerson marks the person completing the application with
	// authority to sign for the organization; one officer must be, with
	// the title DIRECTOR, SECRETARY or Other Officer.
	AuthorizedPerson bool
}

// ApplicationOption sets an optional part of an application built by
// NewIndividualApplication and the other builders.
type ApplicationOption func(*applicationSetup)

type applicationSetup struct {
	externalID string
	currency   Currency
	margin     string
	alias      string
	prefix     string
	residence  string
	objectives []gen.AccountInvestmentObjectives
	perms      []gen.TradingPermission
	financial  *FinancialInformation
	docs       []Document
}

// WithCustomerID sets the caller's id of the customer (customer.externalId),
// never reused for another application. The account and each person get
// the same id with a suffix ("-a" for the account, "-h" for a holder,
// "-h1"/"-h2" for joint holders, "-t1", "-g1", "-b1" for trustees,
// grantors and beneficiaries, "-o1" for officers), each at most
// MaxExternalIDLen characters: keep the id a few characters shorter.
func WithCustomerID(externalID string) ApplicationOption {
	return func(s *applicationSetup) { s.externalID = externalID }
}

// WithAccountCurrency sets the account's base currency
// (accounts[0].baseCurrency).
func WithAccountCurrency(c Currency) ApplicationOption {
	return func(s *applicationSetup) { s.currency = c }
}

// WithMarginType sets the account's margin type (accounts[0].margin):
// Cash, Margin, RegT or PortfolioMargin. Australian residents and IRAs
// of some kinds can only have Cash accounts.
func WithMarginType(margin string) ApplicationOption {
	return func(s *applicationSetup) { s.margin = margin }
}

// WithAccountAlias sets the account's alias (accounts[0].alias), shown in
// place of the account number; at most MaxAccountAliasLen characters.
func WithAccountAlias(alias string) ApplicationOption {
	return func(s *applicationSetup) { s.alias = alias }
}

// WithUserNamePrefix sets the prefix IBKR builds the user name from
// (customer.prefix): 3 to 6 lower-case letters.
func WithUserNamePrefix(prefix string) ApplicationOption {
	return func(s *applicationSetup) { s.prefix = prefix }
}

// WithLegalResidence sets the customer's country of legal residence
// (customer.legalResidenceCountry, ISO alpha-3); by default it is the
// residence country of the first person, or the formation country of a
// trust or organization.
func WithLegalResidence(country string) ApplicationOption {
	return func(s *applicationSetup) { s.residence = country }
}

// WithObjectives sets the account's investment objectives
// (accounts[0].investmentObjectives), which bound the trading permissions
// IBKR grants.
func WithObjectives(objectives ...gen.AccountInvestmentObjectives) ApplicationOption {
	return func(s *applicationSetup) { s.objectives = append(s.objectives, objectives...) }
}

// WithTradingPermissions requests trading permissions for the account
// (accounts[0].tradingPermissions), by product and country or by
// exchange group.
func WithTradingPermissions(perms ...gen.TradingPermission) ApplicationOption {
	return func(s *applicationSetup) { s.perms = append(s.perms, perms...) }
}

// WithFinancialProfile sets the applicant's financial information (the
// financialInformation of the holder, joint holders, trust or
// organization): the same rules as for ChangeFinancialInformation hold,
// and those ValidateApplication adds for an application.
func WithFinancialProfile(p FinancialInformation) ApplicationOption {
	return func(s *applicationSetup) { s.financial = &p }
}

// WithAttachedDocuments attaches signed agreements, tax forms and KYC
// documents built with NewDocument.
func WithAttachedDocuments(docs ...Document) ApplicationOption {
	return func(s *applicationSetup) { s.docs = append(s.docs, docs...) }
}

// NewIndividualApplication builds the application of an individual
// account (customer type INDIVIDUAL) held by holder. The result is
// checked by FullRegistration.Validate and sent with
// Client.RegisterApplication.
func NewIndividualApplication(holder Applicant, opts ...ApplicationOption) FullRegistration {
	s := setup(opts)
	c := s.customer(gen.CustomerTypeINDIVIDUAL, holder.Email, holder.Residence.Country)
	h := holder.individual(s.childID("h"))
	c.AccountHolder = &gen.IndividualApplicant{AccountHolderDetails: &[]gen.AssociatedIndividual{h}, FinancialInformation: s.financialInfo()}
	return s.registration(c, s.account())
}

// NewJointApplication builds the application of a joint account
// (customer type JOINT) of two holders; kind is joint_tenants (with
// rights of survivorship), tenants_common (each holder's Ownership is
// their share), community, tbe (tenants by the entirety) or
// au_joint_account.
func NewJointApplication(kind gen.JointApplicantType, first, second Applicant, opts ...ApplicationOption) FullRegistration {
	s := setup(opts)
	c := s.customer(gen.CustomerTypeJOINT, first.Email, first.Residence.Country)
	h1, h2 := first.individual(s.childID("h1")), second.individual(s.childID("h2"))
	c.JointHolders = &gen.JointApplicant{
		Type:                 &kind,
		FirstHolderDetails:   &[]gen.AssociatedIndividual{h1},
		SecondHolderDetails:  &[]gen.AssociatedIndividual{h2},
		FinancialInformation: s.financialInfo(),
	}
	return s.registration(c, s.account())
}

// NewIRAApplication builds the application of a retirement account
// (customer type IRA, accounts[0].ira true) of the given kind: for
// United States residents RO (rollover), RT (traditional), RI (Roth), SP
// (SEP), SIMPLE, ED (education) and the inherited TH, RH and SH; for
// Canadian residents TFSA, RRSP and SRRSP; for United Kingdom residents
// ISA and JISA. beneficiaries may be empty. An inherited IRA also needs
// the deceased owner: set accounts[0].decendent on the result.
func NewIRAApplication(kind gen.AccountIraType, holder Applicant, beneficiaries []Beneficiary, opts ...ApplicationOption) FullRegistration {
	s := setup(opts)
	c := s.customer(gen.CustomerTypeIRA, holder.Email, holder.Residence.Country)
	h := holder.individual(s.childID("h"))
	c.AccountHolder = &gen.IndividualApplicant{AccountHolderDetails: &[]gen.AssociatedIndividual{h}, FinancialInformation: s.financialInfo()}
	acct := s.account()
	acct.Ira, acct.IraType = ref(true), &kind
	if len(beneficiaries) > 0 {
		var primary []gen.IRAPrimaryBeneficiary
		var contingent []gen.IRAContingentBeneficiary
		for _, b := range beneficiaries {
			p := b.individual("")
			if b.Contingent {
				var cb gen.IRAContingentBeneficiary
				convertJSON(p, &cb)
				rel := gen.IRAContingentBeneficiaryRelationship(b.Relationship)
				cb.Relationship = optEnum(rel)
				contingent = append(contingent, cb)
				continue
			}
			var pb gen.IRAPrimaryBeneficiary
			convertJSON(p, &pb)
			pb.Relationship = optEnum(b.Relationship)
			primary = append(primary, pb)
		}
		acct.IraBeneficiaries = &gen.IRABeneficiariesType{}
		if len(primary) > 0 {
			acct.IraBeneficiaries.PrimaryBeneficiaries = &primary
		}
		if len(contingent) > 0 {
			acct.IraBeneficiaries.ContingentBeneficiaries = &contingent
		}
	}
	return s.registration(c, acct)
}

// NewTrustApplication builds the application of a trust account
// (customer type TRUST) run by trustees (at least one; the first is the
// primary trustee and the contact person).
func NewTrustApplication(trust TrustDetails, trustees []Applicant, opts ...ApplicationOption) FullRegistration {
	s := setup(opts)
	var email string
	if len(trustees) > 0 {
		email = trustees[0].Email
	}
	if trust.Email != "" {
		email = trust.Email
	}
	c := s.customer(gen.CustomerTypeTRUST, email, trust.FormationCountry)
	id := gen.TrustIdentification{
		Name:             optString(trust.Name),
		FormationCountry: optString(trust.FormationCountry),
		FormationState:   optString(trust.FormationState),
		PurposeOfTrust:   optString(trust.Purpose),
		TypeOfTrust:      optEnum(trust.TypeOfTrust),
		RegistrationType: optEnum(trust.RegistrationType),
		SameMailAddress:  ref(true),
	}
	if trust.Address != (ApplicantAddress{}) {
		id.Address = trust.Address.address()
	}
	if !trust.RegistrationNumber.IsZero() {
		id.RegistrationNumber = ref(trust.RegistrationNumber.Reveal())
		if trust.Address.Country != "" {
			id.RegistrationCountry = ref(trust.Address.Country)
		}
	}
	if !trust.DateFormed.IsZero() {
		id.DateFormed = &openapi_types.Date{Time: civil(trust.DateFormed)}
	}
	var ts []gen.TrusteeIndividual
	for i, p := range trustees {
		var t gen.TrusteeIndividual
		convertJSON(p.individual(s.childID("t"+strconv.Itoa(i+1))), &t)
		t.PrimaryTrustee = ref(i == 0)
		ts = append(ts, t)
	}
	app := &gen.TrustApplicant{
		Identification:       &[]gen.TrustIdentification{id},
		TrustType:            optEnum(trust.TrustType),
		Trustees:             &gen.TrusteesType{Individuals: &ts},
		FinancialInformation: s.financialInfo(),
	}
	if len(trust.Grantors) > 0 {
		app.Grantors = &gen.AssociationTypeEntities{Individual: individuals(trust.Grantors, s, "g")}
	}
	if len(trust.Beneficiaries) > 0 {
		app.Beneficiaries = &gen.AssociationTypeEntities{Individual: individuals(trust.Beneficiaries, s, "b")}
	}
	c.Trust = app
	return s.registration(c, s.account())
}

// NewSMSFApplication builds the application of an Australian
// self-managed superannuation fund: a TRUST application whose trust is of
// type SMSF and whose account is of account type SMSF. The fund is
// formed in Australia (FormationCountry AUS) and, like every account of
// an Australian resident, trades on cash only.
func NewSMSFApplication(fund TrustDetails, trustees []Applicant, opts ...ApplicationOption) FullRegistration {
	fund.TypeOfTrust = gen.TrustIdentificationTypeOfTrustSMSF
	r := NewTrustApplication(fund, trustees, opts...)
	t := gen.AccountAccountTypeSMSF
	(*r.Application.Accounts)[0].AccountType = &t
	return r
}

// NewOrganizationApplication builds the application of an
// organization's account (customer type ORG: a corporation, LLC,
// partnership or unincorporated business) with its officers and owners;
// one officer is the AuthorizedPerson.
func NewOrganizationApplication(org OrganizationDetails, officers []Officer, opts ...ApplicationOption) FullRegistration {
	s := setup(opts)
	var email string
	if len(officers) > 0 {
		email = officers[0].Email
	}
	if org.Email != "" {
		email = org.Email
	}
	c := s.customer(gen.CustomerTypeORG, email, org.FormationCountry)
	id := gen.OrganizationIdentification{
		Name:                optString(org.Name),
		FormationCountry:    optString(org.FormationCountry),
		FormationState:      optString(org.FormationState),
		BusinessDescription: optString(org.BusinessDescription),
		WebsiteAddress:      optString(org.Website),
		SameMailAddress:     ref(org.Mailing == nil),
	}
	if org.PlaceOfBusiness != (ApplicantAddress{}) {
		id.PlaceOfBusinessAddress = org.PlaceOfBusiness.address()
	}
	if org.Mailing != nil {
		id.MailingAddress = org.Mailing.address()
	}
	if org.Phone != "" {
		id.Phones = &[]gen.PhoneInfo{{Type: ref(gen.PhoneInfoTypeBusiness), Number: &org.Phone, Country: optString(org.PlaceOfBusiness.Country)}}
	}
	if !org.TaxID.IsZero() {
		id.Identification = ref(org.TaxID.Reveal())
		id.IdentificationCountry = optString(org.FormationCountry)
		if org.TaxIDCountry != "" {
			id.IdentificationCountry = &org.TaxIDCountry
		}
	}
	var people []gen.AssociatedIndividual
	for i, o := range officers {
		p := o.individual(s.childID("o" + strconv.Itoa(i+1)))
		if o.AuthorizedPerson {
			p.AuthorizedPerson = ref(true)
		}
		if len(o.Titles) > 0 {
			ts := make([]gen.Title, len(o.Titles))
			for j := range o.Titles {
				ts[j] = gen.Title{Code: &o.Titles[j]}
			}
			p.Titles = &ts
		}
		people = append(people, p)
	}
	c.Organization = &gen.OrganizationApplicant{
		Identifications:      &[]gen.OrganizationIdentification{id},
		Type:                 optEnum(org.Type),
		AssociatedEntities:   &gen.AssociatedEntities{AssociatedIndividuals: &people},
		FinancialInformation: s.financialInfo(),
	}
	return s.registration(c, s.account())
}

func setup(opts []ApplicationOption) *applicationSetup {
	s := &applicationSetup{}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return s
}

// childID is the externalId of a person of the application: the
// customer's id with a suffix, or none.
func (s *applicationSetup) childID(suffix string) string {
	if s.externalID == "" {
		return ""
	}
	return s.externalID + "-" + suffix
}

func (s *applicationSetup) customer(typ gen.CustomerType, email, country string) *gen.Customer {
	if s.residence != "" {
		country = s.residence
	}
	return &gen.Customer{
		Type:                  &typ,
		Email:                 optString(email),
		ExternalId:            optString(s.externalID),
		LegalResidenceCountry: optString(country),
		Prefix:                optString(s.prefix),
	}
}

func (s *applicationSetup) account() gen.Account {
	a := gen.Account{ExternalId: optString(s.childID("a")), Margin: optString(s.margin), Alias: optString(s.alias)}
	if s.currency != "" {
		a.BaseCurrency = ref(gen.AccountBaseCurrency(s.currency))
	}
	if len(s.objectives) > 0 {
		a.InvestmentObjectives = &s.objectives
	}
	if len(s.perms) > 0 {
		a.TradingPermissions = &s.perms
	}
	return a
}

func (s *applicationSetup) financialInfo() *[]gen.FinancialInformation {
	if s.financial == nil {
		return nil
	}
	return &[]gen.FinancialInformation{s.financial.wire()}
}

func (s *applicationSetup) registration(c *gen.Customer, acct gen.Account) FullRegistration {
	return FullRegistration{Application: gen.Application{Customer: c, Accounts: &[]gen.Account{acct}}, Documents: s.docs}
}

// individual is the application schema's form of the person.
func (p Applicant) individual(externalID string) gen.AssociatedIndividual {
	name := gen.IndividualName{First: optString(p.First), Middle: optString(p.Middle), Last: optString(p.Last)}
	ind := gen.AssociatedIndividual{
		Name:           &name,
		Email:          optString(p.Email),
		DateOfBirth:    optString(p.DateOfBirth),
		CountryOfBirth: optString(p.CountryOfBirth),
		MaritalStatus:  optEnum(p.MaritalStatus),
		EmploymentType: optString(p.EmploymentType),
		ExternalId:     optString(externalID),
	}
	if p.ExternalID != "" {
		ind.ExternalId = &p.ExternalID
	}
	if p.Residence != (ApplicantAddress{}) {
		r := gen.ResidenceAddress(*p.Residence.address())
		ind.ResidenceAddress = &r
		ind.SameMailAddress = ref(p.Mailing == nil)
	}
	if p.Mailing != nil {
		ind.MailingAddress = p.Mailing.address()
	}
	if p.Citizenship != "" {
		ind.Identification = &gen.Identification{Citizenship: &p.Citizenship}
	}
	if p.MobilePhone != "" {
		country := p.PhoneCountry
		if country == "" {
			country = p.Residence.Country
		}
		ind.Phones = &[]gen.PhoneInfo{{Type: ref(gen.PhoneInfoTypeMobile), Number: &p.MobilePhone, Country: optString(country)}}
	}
	if p.Employment != nil {
		ind.EmploymentDetails = p.Employment
	}
	if len(p.TaxResidences) > 0 {
		trs := make([]gen.TaxResidency, len(p.TaxResidences))
		for i, t := range p.TaxResidences {
			trs[i] = gen.TaxResidency{Country: optString(t.Country), TinType: optEnum(t.TINType)}
			if !t.TIN.IsZero() {
				trs[i].Tin = ref(t.TIN.Reveal())
			}
		}
		ind.TaxResidencies = &trs
	}
	if !p.Ownership.IsZero() {
		ind.OwnershipPercentage = ref(p.Ownership)
	}
	return ind
}

func individuals(ps []Applicant, s *applicationSetup, prefix string) *[]gen.AssociatedIndividual {
	out := make([]gen.AssociatedIndividual, len(ps))
	for i, p := range ps {
		out[i] = p.individual(s.childID(prefix + strconv.Itoa(i+1)))
	}
	return &out
}

func (a ApplicantAddress) address() *gen.Address {
	return &gen.Address{
		Street1: optString(a.Street1), Street2: optString(a.Street2), City: optString(a.City),
		PostalCode: optString(a.PostalCode), State: optString(a.State), Country: optString(a.Country),
	}
}

func ref[T any](v T) *T { return &v }

// optString is nil for an empty string.
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// optEnum is nil for an empty enumeration value.
func optEnum[T ~string](v T) *T {
	if v == "" {
		return nil
	}
	return &v
}

// convertJSON copies one schema type into another with the same JSON
// fields (the schema repeats the individual's fields in the trustee,
// beneficiary and decedent types).
func convertJSON(from, to any) {
	b, err := json.Marshal(from)
	if err == nil {
		err = json.Unmarshal(b, to)
	}
	if err != nil {
		panic("ibkr: schema conversion: " + err.Error())
	}
}

// String describes the registration without its personal data: tax ids,
// ID document numbers and dates of birth stay out of logs and errors.
func (r FullRegistration) String() string {
	typ, id := "untyped", ""
	if c := r.Application.Customer; c != nil {
		if c.Type != nil {
			typ = string(*c.Type)
		}
		id = unptr(c.ExternalId)
	}
	return fmt.Sprintf("%s application %q: %d account(s), %d document(s)", typ, id, len(unptrSlice(r.Application.Accounts)), len(r.Documents))
}

// GoString is String, so %#v does not print personal data either.
func (r FullRegistration) GoString() string { return r.String() }

// Format prints String for every verb.
func (r FullRegistration) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, r.String()) }

// LogValue logs String.
func (r FullRegistration) LogValue() slog.Value { return slog.StringValue(r.String()) }
