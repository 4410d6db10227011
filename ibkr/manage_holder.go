package ibkr

import (
	"fmt"
	"math"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// Holder details, identity data and ids of existing accounts.

// UpdateExternalID links an account to a new caller-assigned externalId
// (updateExternalId). IBKR refuses a new application under an externalId
// already used for an account until that account's id is changed: this is
// how a corrected application can reuse the original id.
type UpdateExternalID struct {
	AccountID string
	// NewExternalID is 1 to MaxExternalIDLen printable ASCII characters.
	NewExternalID string
}

// Kind implements AccountChange.
func (UpdateExternalID) Kind() string { return "updateExternalId" }

// Validate implements AccountChange.
func (r UpdateExternalID) Validate(time.Time) error {
	if err := ValidateAccountID("updateExternalId.accountId", r.AccountID); err != nil {
		return err
	}
	return ValidateExternalID("updateExternalId.newExternalId", r.NewExternalID)
}

func (r UpdateExternalID) payload() any {
	return struct {
		AccountID     string `json:"accountId"`
		NewExternalID string `json:"newExternalId"`
	}{r.AccountID, r.NewExternalID}
}

// SetPropertyProfile assigns a property profile, such as "Standard", to
// an account (updatePropertyProfile). IBKR enables it for a firm on
// request only.
type SetPropertyProfile struct {
	AccountID string
	// Profile is the profile's name, exactly (printable ASCII, at most
	// 64 characters).
	Profile string
}

// Kind implements AccountChange.
func (SetPropertyProfile) Kind() string { return "updatePropertyProfile" }

// Validate implements AccountChange.
func (r SetPropertyProfile) Validate(time.Time) error {
	if err := ValidateAccountID("updatePropertyProfile.accountId", r.AccountID); err != nil {
		return err
	}
	return checkFreeText("updatePropertyProfile.propertyProfile", r.Profile, 64, true)
}

func (r SetPropertyProfile) payload() any {
	return struct {
		AccountID string `json:"accountId"`
		Profile   string `json:"propertyProfile"`
	}{r.AccountID, r.Profile}
}

// PersonName is an individual's legal name. First and Last are required
// wherever a name is given; Salutation (Mr., Mrs., Ms., Dr., Mx., Ind.)
// and Suffix (Jr., Sr., II ...) come from IBKR's lists.
type PersonName struct {
	Salutation, First, Middle, Last, Suffix string
}

func (n PersonName) check(field string) error {
	if err := ValidatePersonName(field+".first", n.First, true); err != nil {
		return err
	}
	if err := ValidatePersonName(field+".middle", n.Middle, false); err != nil {
		return err
	}
	if err := ValidatePersonName(field+".last", n.Last, true); err != nil {
		return err
	}
	if n.Salutation != "" && !gen.IndividualNameSalutation(n.Salutation).Valid() {
		return changeErr(field+".salutation", "is not one of IBKR's salutations (Mr., Mrs., Ms., Dr., Mx., Ind.)")
	}
	if n.Suffix != "" && !gen.IndividualNameSuffix(n.Suffix).Valid() {
		return changeErr(field+".suffix", "is not one of IBKR's name suffixes")
	}
	return nil
}

type personNameWire struct {
	Salutation string `json:"salutation,omitempty"`
	First      string `json:"first"`
	Middle     string `json:"middle,omitempty"`
	Last       string `json:"last"`
	Suffix     string `json:"suffix,omitempty"`
}

func (n *PersonName) wire() *personNameWire {
	if n == nil {
		return nil
	}
	return &personNameWire{n.Salutation, n.First, n.Middle, n.Last, n.Suffix}
}

// Address is a postal address; Country is ISO alpha-3. A residence
// address takes no post office box (ValidateResidenceStreet).
type Address struct {
	Street1, Street2, City, State, PostalCode, Country string
}

type addressWire struct {
	Street1    string `json:"street1,omitempty"`
	Street2    string `json:"street2,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	Country    string `json:"country,omitempty"`
}

func (a *Address) wire() *addressWire {
	if a == nil {
		return nil
	}
	w := addressWire(*a)
	return &w
}

// Phone is a phone number: Type is Home, Work, Fax, Mobile, Business
// ... (IBKR's list), Country ISO alpha-3, Number at most MaxPhoneLen
// characters.
type Phone struct {
	Type, Country, Number string
}

type phoneWire struct {
	Type    string `json:"type,omitempty"`
	Country string `json:"country,omitempty"`
	Number  string `json:"number"`
}

func checkPhones(field string, ps []Phone) error {
	for i, p := range ps {
		f := fmt.Sprintf("%s[%d]", field, i)
		if p.Type != "" && !gen.PhoneInfoType(p.Type).Valid() {
			return changeErr(f+".type", "%q is not a phone type IBKR knows", clipText(p.Type))
		}
		if err := checkFreeText(f+".number", p.Number, MaxPhoneLen, true); err != nil {
			return err
		}
		if p.Country != "" {
			if err := ValidateCountryCode(f+".country", p.Country); err != nil {
				return err
			}
		}
	}
	return nil
}

func phonesWire(ps []Phone) []phoneWire {
	if len(ps) == 0 {
		return nil
	}
	out := make([]phoneWire, 0, len(ps))
	for _, p := range ps {
		out = append(out, phoneWire(p))
	}
	return out
}

// Identification is an individual's identity documents and numbers, as
// in the application. The numbers are secrets: never logged, echoed in
// errors or marshalled except into the signed request body.
type Identification struct {
	// Citizenship is the country of citizenship: ISO alpha-3, or the
	// country's name as in IBKR's MiFIR example ("Liechtenstein").
	Citizenship string
	// IssuingCountry is the ISO alpha-3 country that issued the
	// document (optional).
	IssuingCountry string
	// Passport, NationalCard, DriversLicense and AlienCard are document
	// numbers; TaxID is the national tax id. Give at least one.
	Passport, NationalCard, DriversLicense, AlienCard, TaxID Secret
	// ExpirationDate is when the document expires (required with a
	// passport or driver license); NoExpiry says it does not expire.
	ExpirationDate time.Time
	NoExpiry       bool
}

func (id Identification) check(field string, now time.Time) error {
	if id.Citizenship == "" {
		return changeErr(field+".citizenship", "is required")
	}
	if len(id.Citizenship) == 3 && isUpperASCII(id.Citizenship) {
		if err := ValidateCountryCode(field+".citizenship", id.Citizenship); err != nil {
			return err
		}
	} else if err := checkFreeText(field+".citizenship", id.Citizenship, 64, true); err != nil {
		return err
	}
	if id.IssuingCountry != "" {
		if err := ValidateCountryCode(field+".issuingCountry", id.IssuingCountry); err != nil {
			return err
		}
	}
	numbers := []struct {
		name string
		v    Secret
	}{{"passport", id.Passport}, {"nationalCard", id.NationalCard}, {"driversLicense", id.DriversLicense}, {"alienCard", id.AlienCard}, {"taxId", id.TaxID}}
	given := false
	for _, n := range numbers {
		if n.v.IsZero() {
			continue
		}
		given = true
		if err := checkSecretText(field+"."+n.name, n.v.Reveal()); err != nil {
			return err
		}
	}
	if !given {
		return changeErr(field, "give at least one document number (passport, national card, driver license, alien card or tax id)")
	}
	if (!id.Passport.IsZero() || !id.DriversLicense.IsZero()) && id.ExpirationDate.IsZero() && !id.NoExpiry {
		return changeErr(field+".expirationDate", "is required with a passport or driver license")
	}
	if !id.ExpirationDate.IsZero() && !now.IsZero() && civil(id.ExpirationDate).Before(civil(now)) {
		return inputErr(field+".expirationDate", ErrDateRange, "the document has expired")
	}
	return nil
}

type identificationWire struct {
	Citizenship    string `json:"citizenship"`
	IssuingCountry string `json:"issuingCountry,omitempty"`
	Passport       string `json:"passport,omitempty"`
	NationalCard   string `json:"nationalCard,omitempty"`
	DriversLicense string `json:"driversLicense,omitempty"`
	AlienCard      string `json:"alienCard,omitempty"`
	TaxID          string `json:"taxId,omitempty"`
	Expire         bool   `json:"expire"`
	ExpirationDate string `json:"expirationDate,omitempty"`
}

func (id *Identification) wire() *identificationWire {
	if id == nil {
		return nil
	}
	w := &identificationWire{Citizenship: id.Citizenship, IssuingCountry: id.IssuingCountry,
		Passport: id.Passport.Reveal(), NationalCard: id.NationalCard.Reveal(), DriversLicense: id.DriversLicense.Reveal(),
		AlienCard: id.AlienCard.Reveal(), TaxID: id.TaxID.Reveal(), Expire: !id.NoExpiry && !id.ExpirationDate.IsZero()}
	if !id.ExpirationDate.IsZero() {
		w.ExpirationDate = FormatDate(civil(id.ExpirationDate))
	}
	return w
}

// HolderDetails is new data for one individual of an account: who
// (EntityID, IBKR's id from AccountDetails, or ExternalID, the caller's),
// and the fields that change; the others stay as they are.
type HolderDetails struct {
	EntityID, ExternalID string
	Name                 *PersonName
	Email                string
	Phones               []Phone
	ResidenceAddress     *Address
	MailingAddress       *Address
	Identification       *Identification
}

func (h HolderDetails) check(field string, now time.Time) error {
	if h.EntityID == "" && h.ExternalID == "" {
		return changeErr(field+".id", "name the individual by id (IBKR's) or externalId")
	}
	if h.EntityID != "" && !allDigits(h.EntityID) {
		return changeErr(field+".id", "must be IBKR's numeric id of the individual")
	}
	if h.ExternalID != "" {
		if err := ValidateExternalID(field+".externalId", h.ExternalID); err != nil {
			return err
		}
	}
	if h.Name == nil && h.Email == "" && len(h.Phones) == 0 && h.ResidenceAddress == nil && h.MailingAddress == nil && h.Identification == nil {
		return changeErr(field, "nothing to change")
	}
	if h.Name != nil {
		if err := h.Name.check(field + ".name"); err != nil {
			return err
		}
	}
	if h.Email != "" {
		if err := ValidateEmail(field+".email", h.Email); err != nil {
			return err
		}
	}
	if err := checkPhones(field+".phones", h.Phones); err != nil {
		return err
	}
	if a := h.ResidenceAddress; a != nil {
		if err := checkAddress(field+".residenceAddress", a.Country, a.City, a.PostalCode, a.Street1, a.Street2, true, true); err != nil {
			return err
		}
	}
	if a := h.MailingAddress; a != nil {
		if err := checkAddress(field+".mailingAddress", a.Country, a.City, a.PostalCode, a.Street1, a.Street2, false, false); err != nil {
			return err
		}
	}
	if h.Identification != nil {
		return h.Identification.check(field+".identification", now)
	}
	return nil
}

type holderDetailsWire struct {
	ID               string              `json:"id,omitempty"`
	ExternalID       string              `json:"externalId,omitempty"`
	Name             *personNameWire     `json:"name,omitempty"`
	Email            string              `json:"email,omitempty"`
	Phones           []phoneWire         `json:"phones,omitempty"`
	ResidenceAddress *addressWire        `json:"residenceAddress,omitempty"`
	MailingAddress   *addressWire        `json:"mailingAddress,omitempty"`
	Identification   *identificationWire `json:"identification,omitempty"`
}

// ChangeHolderDetails updates the personal data of an account's
// individuals (changeAccountHolderDetail): names, email, phones,
// addresses, identification. IBKR takes it for open individual and joint
// accounts (and pending ones with task 9974); a new request replaces a
// pending one. With AccountID only that account changes; with UserName
// every account of the user. Changes of name, citizenship, addresses or
// tax residency also need a new tax form (UpdateTaxForm, UpdateW8BEN).
type ChangeHolderDetails struct {
	// AccountID or UserName (one is required).
	AccountID, UserName string
	Holders             []HolderDetails
	// Documents are supporting documents, if any.
	Documents *DocumentBatch
	// InputLanguage is the language of the data (dual-language
	// applications give native and translated details); Translation
	// says the data is a translation.
	InputLanguage string
	Translation   *bool
}

// Kind implements AccountChange.
func (ChangeHolderDetails) Kind() string { return "changeAccountHolderDetail" }

// Validate implements AccountChange.
func (r ChangeHolderDetails) Validate(now time.Time) error {
	const f = "changeAccountHolderDetail"
	if err := checkAccountOrUser(f, r.AccountID, r.UserName); err != nil {
		return err
	}
	if len(r.Holders) == 0 {
		return changeErr(f+".newAccountHolderDetails", "at least one individual is required")
	}
	seen := map[string]bool{}
	for i, h := range r.Holders {
		hf := fmt.Sprintf("%s.newAccountHolderDetails[%d]", f, i)
		if err := h.check(hf, now); err != nil {
			return err
		}
		key := h.EntityID + "/" + h.ExternalID
		if seen[key] {
			return changeErr(hf, "names the same individual as an earlier entry")
		}
		seen[key] = true
	}
	if err := checkLanguage(f+".inputLanguage", r.InputLanguage); err != nil {
		return err
	}
	if r.Documents != nil {
		return r.Documents.Validate()
	}
	return nil
}

func (r ChangeHolderDetails) payload() any {
	hs := make([]holderDetailsWire, 0, len(r.Holders))
	for _, h := range r.Holders {
		hs = append(hs, holderDetailsWire{ID: h.EntityID, ExternalID: h.ExternalID, Name: h.Name.wire(), Email: h.Email,
			Phones: phonesWire(h.Phones), ResidenceAddress: h.ResidenceAddress.wire(), MailingAddress: h.MailingAddress.wire(),
			Identification: h.Identification.wire()})
	}
	p := struct {
		Holders       []holderDetailsWire     `json:"newAccountHolderDetails"`
		Documents     *documentSubmissionWire `json:"documents,omitempty"`
		AccountID     string                  `json:"accountId,omitempty"`
		UserName      string                  `json:"referenceUserName,omitempty"`
		InputLanguage string                  `json:"inputLanguage,omitempty"`
		Translation   *bool                   `json:"translation,omitempty"`
	}{Holders: hs, AccountID: r.AccountID, UserName: r.UserName, InputLanguage: r.InputLanguage, Translation: r.Translation}
	if r.Documents != nil {
		p.Documents = documentSubmission(r.AccountID, *r.Documents)
	}
	return p
}

// MiFIRTitle says whose MiFIR data it is.
type MiFIRTitle string

// MiFIR titles: the holder of an individual account, or the first or
// second holder of a joint account.
const (
	MiFIRAccountHolder MiFIRTitle = "ACCOUNT_HOLDER"
	MiFIRFirstHolder   MiFIRTitle = "FIRST_HOLDER"
	MiFIRSecondHolder  MiFIRTitle = "SECOND_HOLDER"
)

// AddMiFIRData adds the identification that MiFIR transaction reporting
// needs for clients of investment firms in the EEA and the UK
// (addMiFirData). It must match the identification of the account
// application.
type AddMiFIRData struct {
	AccountID       string
	Title           MiFIRTitle
	Identifications []Identification
}

// Kind implements AccountChange.
func (AddMiFIRData) Kind() string { return "addMiFirData" }

// Validate implements AccountChange.
func (r AddMiFIRData) Validate(now time.Time) error {
	const f = "addMiFirData"
	if err := ValidateAccountID(f+".accountId", r.AccountID); err != nil {
		return err
	}
	switch r.Title {
	case MiFIRAccountHolder, MiFIRFirstHolder, MiFIRSecondHolder:
	default:
		return changeErr(f+".title", "must be ACCOUNT_HOLDER, FIRST_HOLDER or SECOND_HOLDER")
	}
	if len(r.Identifications) == 0 {
		return changeErr(f+".identifications", "at least one identification is required")
	}
	for i, id := range r.Identifications {
		if err := id.check(fmt.Sprintf("%s.identifications[%d]", f, i), now); err != nil {
			return err
		}
	}
	return nil
}

func (r AddMiFIRData) payload() any {
	ids := make([]*identificationWire, 0, len(r.Identifications))
	for i := range r.Identifications {
		ids = append(ids, r.Identifications[i].wire())
	}
	return struct {
		AccountID       string                `json:"accountId"`
		Title           MiFIRTitle            `json:"title"`
		Identifications []*identificationWire `json:"identifications"`
	}{r.AccountID, r.Title, ids}
}

// checkAccountOrUser checks a request that names an account, a user or
// both; one is required.
func checkAccountOrUser(kind, accountID, userName string) error {
	if accountID == "" && userName == "" {
		return changeErr(kind+".accountId", "name the account (accountId) or the user (referenceUserName)")
	}
	if accountID != "" {
		if err := ValidateAccountID(kind+".accountId", accountID); err != nil {
			return err
		}
	}
	if userName != "" {
		return ValidateUserNameFormat(kind+".referenceUserName", userName)
	}
	return nil
}

// checkLanguage checks an optional input language against IBKR's codes.
func checkLanguage(field, lang string) error {
	if lang != "" && !gen.AddNewUserInputLanguage(lang).Valid() {
		return changeErr(field, "%q is not a language IBKR accepts (en, zh-Hans, ja, ru, fr, pt, es, it, ar-AE, de, he-IL, hu)", clipText(lang))
	}
	return nil
}

// checkInt32ID checks a positive id that travels as int32.
func checkInt32ID(field string, n int) error {
	if n <= 0 || n > math.MaxInt32 {
		return changeErr(field, "must be a positive id (got %d)", n)
	}
	return nil
}
