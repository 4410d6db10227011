package ibkr

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// W8BEN is a non-US person's IRS form W-8BEN. IBKR asks for a new one
// every three years when a treaty country is set (a login message,
// LoginMessageW8Info, announces it); without a treaty (TreatyCountry
// "N/A") it does not expire.
type W8BEN struct {
	// Name is the holder's name exactly as on the application (first,
	// middle, last, suffix; case and spaces matter).
	Name string
	// ForeignTaxID is the holder's tax id, as given in the tax residency;
	// without one, Explanation says why. Never echoed in errors or logs.
	ForeignTaxID Secret
	// Explanation is US_TIN, TIN_NOT_DISCLOSED, TIN_NOT_REQUIRED or
	// TIN_NOT_ISSUED; required without ForeignTaxID.
	Explanation string
	// TreatyCountry (part 2, 9a) is the ISO alpha-3 treaty country, or
	// "N/A" when the holder claims no treaty benefits.
	TreatyCountry string
	// Certified is the holder's certification under penalties of perjury;
	// IBKR needs it.
	Certified bool
	// BlankForm says the attached form is IBKR's blank form (the data
	// travels in these fields).
	BlankForm bool
	// TaxFormFile is the file name of the attached form, as in its
	// Document.
	TaxFormFile string
	// ProprietaryFormNumber is the firm's own form number, if it uses one.
	ProprietaryFormNumber int
	// Physical says the form was signed on paper (default electronic).
	Physical bool
	// SubmitDate is when the holder signed a form already on file.
	SubmitDate time.Time
}

// W9 is a US person's IRS form W-9.
type W9 struct {
	// Name is the holder's name exactly as on the application.
	Name string
	// TIN is the holder's SSN (or EIN), as in the tax residency. Never
	// echoed in errors or logs.
	TIN Secret
	// TINType is "SSN" (the default for individuals) or "EIN".
	TINType string
	// Cert1: the TIN is correct. Cert2: not subject to backup
	// withholding. Cert3: a US person. Cert4: exempt from FATCA reporting.
	// IBKR needs Cert1 and Cert3.
	Cert1, Cert2, Cert3, Cert4 bool
	// CustomerType is Individual (default), Corporation, LLC, Partnership
	// or Other.
	CustomerType string
	// BlankForm, TaxFormFile, ProprietaryFormNumber and Physical are as in
	// W8BEN.
	BlankForm             bool
	TaxFormFile           string
	ProprietaryFormNumber int
	Physical              bool
}

// UpdateTaxForm submits a new tax form for an account holder
// (updateTaxForm): a W-8BEN for non-US persons or a W-9 for US persons,
// with the signed form attached. Changes of name, citizenship, addresses
// or tax residency require one.
type UpdateTaxForm struct {
	AccountID string
	// ExternalID and EntityID identify the holder (the caller's id or
	// IBKR's); one is required on accounts with several individuals.
	ExternalID, EntityID string
	// Exactly one of W8BEN and W9.
	W8BEN *W8BEN
	W9    *W9
	// Documents hold the signed form (at least one document, signed by
	// the form's Name).
	Documents []Document
}

// Kind implements AccountChange.
func (UpdateTaxForm) Kind() string { return "updateTaxForm" }

// Validate implements AccountChange.
func (r UpdateTaxForm) Validate(time.Time) error {
	const f = "updateTaxForm"
	if err := ValidateAccountID(f+".accountId", r.AccountID); err != nil {
		return err
	}
	if r.ExternalID != "" {
		if err := ValidateExternalID(f+".externalId", r.ExternalID); err != nil {
			return err
		}
	}
	if err := checkFreeText(f+".entityId", r.EntityID, 32, false); err != nil {
		return err
	}
	if (r.W8BEN == nil) == (r.W9 == nil) {
		return changeErr(f, "give exactly one tax form, W8BEN or W9")
	}
	if len(r.Documents) == 0 {
		return changeErr(f+".documents", "the signed tax form must be attached")
	}
	if err := (DocumentBatch{Documents: r.Documents}).Validate(); err != nil {
		return err
	}
	var name, file string
	if w := r.W8BEN; w != nil {
		name, file = w.Name, w.TaxFormFile
		if err := w.check(f + ".w8Ben"); err != nil {
			return err
		}
	} else {
		name, file = r.W9.Name, r.W9.TaxFormFile
		if err := r.W9.check(f + ".w9"); err != nil {
			return err
		}
	}
	return checkTaxFormDocuments(f, r.Documents, name, file)
}

// checkTaxFormDocuments checks that every document of a tax form is
// signed by the form's name and that the form's file is among them.
func checkTaxFormDocuments(f string, docs []Document, name, file string) error {
	for i, d := range docs {
		signed := false
		for _, s := range d.SignedBy {
			signed = signed || s == name
		}
		if !signed {
			return changeErr(fmt.Sprintf("%s.documents[%d].signedBy", f, i), "must include the tax form's name exactly")
		}
	}
	if file != "" {
		found := false
		for _, d := range docs {
			found = found || d.AttachedFile.FileName == file
		}
		if !found {
			return changeErr(f+".taxFormFile", "must be the file name of one of the attached documents")
		}
	}
	return nil
}

func checkTaxName(field, name string) error {
	if name == "" {
		return changeErr(field, "is required (the holder's name exactly as on the application)")
	}
	if strings.TrimSpace(name) != name || strings.Contains(name, "  ") {
		return changeErr(field, "has leading, trailing or doubled spaces; IBKR compares it exactly")
	}
	return checkFreeText(field, name, 3*MaxNameLen+3, true)
}

func (w *W8BEN) check(f string) error {
	if err := checkTaxName(f+".name", w.Name); err != nil {
		return err
	}
	if w.ForeignTaxID.IsZero() {
		if !gen.FormW8BENExplanation(w.Explanation).Valid() {
			return changeErr(f+".explanation", "without a foreign tax id, must be US_TIN, TIN_NOT_DISCLOSED, TIN_NOT_REQUIRED or TIN_NOT_ISSUED")
		}
	} else if err := checkSecretText(f+".foreignTaxId", w.ForeignTaxID.Reveal()); err != nil {
		return err
	}
	if w.TreatyCountry != "N/A" {
		if err := ValidateCountryCode(f+".part29ACountry", w.TreatyCountry); err != nil {
			return changeErr(f+".part29ACountry", "must be an ISO alpha-3 country code or N/A")
		}
	}
	if !w.Certified {
		return changeErr(f+".cert", "the holder must certify the form")
	}
	return checkFreeText(f+".taxFormFile", w.TaxFormFile, MaxDocumentFileNameLen, false)
}

func (w *W9) check(f string) error {
	if err := checkTaxName(f+".name", w.Name); err != nil {
		return err
	}
	switch w.TINType {
	case "", "SSN":
		digits := strings.ReplaceAll(w.TIN.Reveal(), "-", "")
		if len(digits) != 9 || !allDigits(digits) {
			return changeErr(f+".tin", "an SSN is 9 digits")
		}
	case "EIN":
		digits := strings.ReplaceAll(w.TIN.Reveal(), "-", "")
		if len(digits) != 9 || !allDigits(digits) {
			return changeErr(f+".tin", "an EIN is 9 digits")
		}
	default:
		return changeErr(f+".tinType", "must be SSN or EIN")
	}
	if !w.Cert1 || !w.Cert3 {
		return changeErr(f+".cert1", "the holder must certify the TIN (cert1) and being a US person (cert3)")
	}
	if w.CustomerType != "" && !gen.FormW9CustomerType(w.CustomerType).Valid() {
		return changeErr(f+".customerType", "must be Individual, Corporation, LLC, Partnership or Other")
	}
	return checkFreeText(f+".taxFormFile", w.TaxFormFile, MaxDocumentFileNameLen, false)
}

// checkSecretText checks a secret's form without echoing it.
func checkSecretText(field, s string) error {
	if len(s) > 40 {
		return changeErr(field, "is too long")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c > 0x7e {
			return changeErr(field, "must be printable ASCII without spaces")
		}
	}
	return nil
}

func signatureType(physical bool) string {
	if physical {
		return "Physical"
	}
	return "Electronic"
}

// w8benWire is the wire form of a W-8BEN.
type w8benWire struct {
	Name                  string `json:"name"`
	TIN                   string `json:"foreignTaxId,omitempty"`
	Explanation           string `json:"explanation,omitempty"`
	Part29ACountry        string `json:"part29ACountry"`
	Cert                  bool   `json:"cert"`
	BlankForm             bool   `json:"blankForm"`
	TaxFormFile           string `json:"taxFormFile,omitempty"`
	ProprietaryFormNumber int    `json:"proprietaryFormNumber,omitempty"`
	SignatureType         string `json:"signatureType"`
	SubmitDate            string `json:"submitDate,omitempty"`
}

func (w *W8BEN) wire() *w8benWire {
	if w == nil {
		return nil
	}
	out := &w8benWire{Name: w.Name, TIN: w.ForeignTaxID.Reveal(), Explanation: w.Explanation, Part29ACountry: w.TreatyCountry,
		Cert: w.Certified, BlankForm: w.BlankForm, TaxFormFile: w.TaxFormFile,
		ProprietaryFormNumber: w.ProprietaryFormNumber, SignatureType: signatureType(w.Physical)}
	if !w.SubmitDate.IsZero() {
		out.SubmitDate = FormatDate(w.SubmitDate)
	}
	return out
}

func (r UpdateTaxForm) payload() any {
	type w9 struct {
		Name                  string `json:"name"`
		TIN                   string `json:"tin"`
		TINType               string `json:"tinType"`
		Cert1                 bool   `json:"cert1"`
		Cert2                 bool   `json:"cert2"`
		Cert3                 bool   `json:"cert3"`
		Cert4                 bool   `json:"cert4"`
		CustomerType          string `json:"customerType"`
		BlankForm             bool   `json:"blankForm"`
		TaxFormFile           string `json:"taxFormFile,omitempty"`
		ProprietaryFormNumber int    `json:"proprietaryFormNumber,omitempty"`
		SignatureType         string `json:"signatureType"`
	}
	p := struct {
		AccountID  string     `json:"accountId"`
		ExternalID string     `json:"externalId,omitempty"`
		EntityID   string     `json:"entityId,omitempty"`
		Documents  []Document `json:"documents"`
		W8BEN      *w8benWire `json:"w8Ben,omitempty"`
		W9         *w9        `json:"w9,omitempty"`
	}{AccountID: r.AccountID, ExternalID: r.ExternalID, EntityID: r.EntityID, Documents: r.Documents, W8BEN: r.W8BEN.wire()}
	if w := r.W9; w != nil {
		ct, tt := w.CustomerType, w.TINType
		if ct == "" {
			ct = "Individual"
		}
		if tt == "" {
			tt = "SSN"
		}
		p.W9 = &w9{Name: w.Name, TIN: w.TIN.Reveal(), TINType: tt, Cert1: w.Cert1, Cert2: w.Cert2, Cert3: w.Cert3, Cert4: w.Cert4,
			CustomerType: ct, BlankForm: w.BlankForm, TaxFormFile: w.TaxFormFile,
			ProprietaryFormNumber: w.ProprietaryFormNumber, SignatureType: signatureType(w.Physical)}
	}
	return p
}

// FATCAStatus is the FATCA classification of a withholding statement.
type FATCAStatus string

// FATCA classifications.
const (
	FATCACompliant             FATCAStatus = "FATCA_COMPLIANT"
	FATCANonConsentingUS       FATCAStatus = "NON_CONSENTING_US_ACCOUNT"
	FATCANonCooperativeAccount FATCAStatus = "NON_COOPERATIVE_ACCOUNT"
)

// UpdateWithholdingStatement updates the withholding statement of a
// qualified intermediary's client account (updateWithholdingStatement).
// IBKR refuses it for non-QI non-disclosed, advisor and fully-disclosed
// sub-accounts, and unless the effective date is the current date (US
// Eastern).
type UpdateWithholdingStatement struct {
	AccountID string
	// EffectiveDate must be today (US Eastern); only its date counts.
	EffectiveDate time.Time
	// CertifyW8IMY confirms the qualified intermediary's W-8IMY
	// certifications for the account.
	CertifyW8IMY bool
	// FATCA is the holder's FATCA classification.
	FATCA FATCAStatus
	// TreatyCountry is the ISO alpha-3 treaty country or "N/A".
	TreatyCountry string
	// USIncomeTaxResident says the owner is a US income tax resident.
	USIncomeTaxResident bool
}

// Kind implements AccountChange.
func (UpdateWithholdingStatement) Kind() string { return "updateWithholdingStatement" }

// Validate implements AccountChange.
func (r UpdateWithholdingStatement) Validate(now time.Time) error {
	const f = "updateWithholdingStatement"
	if err := ValidateAccountID(f+".accountId", r.AccountID); err != nil {
		return err
	}
	if r.EffectiveDate.IsZero() {
		return changeErr(f+".effectiveDate", "is required (today's date)")
	}
	today := civil(now.In(eastern()))
	if d := civil(r.EffectiveDate); !now.IsZero() && !d.Equal(today) {
		return inputErr(f+".effectiveDate", ErrDateRange, "must be today, %s US Eastern (got %s)", FormatDate(today), FormatDate(d))
	}
	if !gen.UpdateWithholdingStatementFatcaCompliantType(r.FATCA).Valid() {
		return changeErr(f+".fatcaCompliantType", "must be FATCA_COMPLIANT, NON_CONSENTING_US_ACCOUNT or NON_COOPERATIVE_ACCOUNT")
	}
	if r.TreatyCountry != "N/A" {
		if err := ValidateCountryCode(f+".treatyCountry", r.TreatyCountry); err != nil {
			return changeErr(f+".treatyCountry", "must be an ISO alpha-3 country code or N/A")
		}
	}
	return nil
}

func (r UpdateWithholdingStatement) payload() any {
	return struct {
		AccountID     string `json:"accountId"`
		EffectiveDate string `json:"effectiveDate"`
		CertW8IMY     bool   `json:"certW8Imy"`
		FATCA         string `json:"fatcaCompliantType"`
		TreatyCountry string `json:"treatyCountry"`
		USIncomeTax   bool   `json:"usIncomeTax"`
	}{r.AccountID, FormatDate(civil(r.EffectiveDate)), r.CertifyW8IMY, string(r.FATCA), r.TreatyCountry, r.USIncomeTaxResident}
}

// DeclareAccreditedInvestor records an individual, joint or IRA holder's
// investor category (accreditedInvestor): accredited investor (a net
// worth of at least 1,000,000 USD), optionally qualified purchaser and
// eligible contract participant. The holder signs it.
type DeclareAccreditedInvestor struct {
	AccountID string
	// SignedBy is the holder's signature: first name, middle initial,
	// last name and suffix, exactly as on the application; it must equal
	// one of HolderNames.
	SignedBy    string
	HolderNames []string
	// Accredited is the answer to the accredited-investor question.
	Accredited bool
	// QualifiedPurchaser and ECP are optional further categories.
	QualifiedPurchaser *QualifiedPurchaser
	ECP                *EligibleContractParticipant
}

// QualifiedPurchaser answers the qualified-purchaser questions
// (Investment Company Act of 1940).
type QualifiedPurchaser struct {
	// Qualified asks to be treated as a qualified purchaser.
	Qualified bool
	// InvestmentCompanyAct: owns at least 5,000,000 USD of investments.
	// DiscretionaryBasis: invests at least 25,000,000 USD on a
	// discretionary basis. Both are required when Qualified.
	InvestmentCompanyAct, DiscretionaryBasis *bool
}

// EligibleContractParticipant answers the eligible-contract-participant
// questions (Commodity Exchange Act).
type EligibleContractParticipant struct {
	// Eligible asks to be treated as an ECP.
	Eligible bool
	// DiscretionaryBasis: more than 10,000,000 USD invested on a
	// discretionary basis; required when Eligible. HighRisk: more than
	// 5,000,000 USD, hedging other assets; required when
	// DiscretionaryBasis is false.
	DiscretionaryBasis, HighRisk *bool
}

// Kind implements AccountChange.
func (DeclareAccreditedInvestor) Kind() string { return "accreditedInvestor" }

// Validate implements AccountChange.
func (r DeclareAccreditedInvestor) Validate(time.Time) error {
	const f = "accreditedInvestor"
	if err := ValidateAccountID(f+".accountId", r.AccountID); err != nil {
		return err
	}
	if err := checkSigners([]string{r.SignedBy}, r.HolderNames); err != nil {
		var e *InputError
		if errors.As(err, &e) {
			e.Field, e.Err = f+".signedBy", ErrAccountChange
		}
		return err
	}
	if q := r.QualifiedPurchaser; q != nil && q.Qualified && (q.InvestmentCompanyAct == nil || q.DiscretionaryBasis == nil) {
		return changeErr(f+".qualifiedPurchaser", "a qualified purchaser answers both InvestmentCompanyAct and DiscretionaryBasis")
	}
	if e := r.ECP; e != nil && e.Eligible {
		if e.DiscretionaryBasis == nil {
			return changeErr(f+".eligibleContractParticipant", "an eligible contract participant answers DiscretionaryBasis")
		}
		if !*e.DiscretionaryBasis && e.HighRisk == nil {
			return changeErr(f+".eligibleContractParticipant", "HighRisk is required when DiscretionaryBasis is false")
		}
	}
	if (r.QualifiedPurchaser != nil && r.QualifiedPurchaser.Qualified || r.ECP != nil && r.ECP.Eligible) && !r.Accredited {
		return changeErr(f+".status", "only accredited investors can also be qualified purchasers or eligible contract participants")
	}
	return nil
}

type codeStatus struct {
	Code   string `json:"code"`
	Status bool   `json:"status"`
}

// codeStatuses lists the answered questions (nil answers are left out).
func codeStatuses(codes []string, answers []*bool) []codeStatus {
	var out []codeStatus
	for i, a := range answers {
		if a != nil {
			out = append(out, codeStatus{codes[i], *a})
		}
	}
	return out
}

func (r DeclareAccreditedInvestor) payload() any {
	type qp struct {
		Status  bool         `json:"status"`
		Details []codeStatus `json:"qualifiedPurchaserDetails,omitempty"`
	}
	type ecp struct {
		Status  bool         `json:"status"`
		Details []codeStatus `json:"eligibleContractParticipantDetails,omitempty"`
	}
	p := struct {
		AccountID string   `json:"accountId"`
		Status    bool     `json:"status"`
		SignedBy  []string `json:"signedBy"`
		QP        *qp      `json:"qualifiedPurchaser,omitempty"`
		ECP       *ecp     `json:"eligibleContractParticipant,omitempty"`
	}{AccountID: r.AccountID, Status: r.Accredited, SignedBy: []string{r.SignedBy}}
	if q := r.QualifiedPurchaser; q != nil {
		p.QP = &qp{q.Qualified, codeStatuses([]string{"InvestmentCompanyAct", "DiscretionaryBasis"}, []*bool{q.InvestmentCompanyAct, q.DiscretionaryBasis})}
	}
	if e := r.ECP; e != nil {
		p.ECP = &ecp{e.Eligible, codeStatuses([]string{"HighRisk", "DiscretionaryBasis"}, []*bool{e.HighRisk, e.DiscretionaryBasis})}
	}
	return p
}
