package ibkr

import (
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// UpdateEmail changes a user's email address (updateCredentials,
// updateEmail). For non-disclosed clients it changes at once. For
// fully-disclosed and advisor clients it takes two rounds: IBKR mails a
// confirmation token to the current address, the user gives it to the
// firm, which sends this request again with Token; then the same for the
// new address. A user without access to the current address cannot
// change it through the API.
type UpdateEmail struct {
	// UserName is the IBKR user name (see AccountDetails or the
	// registration answer).
	UserName string
	// Email is the new address.
	Email string
	// Token is the confirmation token IBKR mailed, once there is one.
	Token Secret
	// HasAccess says the user can read mail at the current address.
	HasAccess bool
}

// Kind implements AccountChange.
func (UpdateEmail) Kind() string { return "updateCredentials" }

// Validate implements AccountChange.
func (r UpdateEmail) Validate(time.Time) error {
	const f = "updateCredentials"
	if err := ValidateUserNameFormat(f+".referenceUserName", r.UserName); err != nil {
		return err
	}
	if err := ValidateEmail(f+".updateEmail.email", r.Email); err != nil {
		return err
	}
	if !r.HasAccess {
		return changeErr(f+".updateEmail.access", "a user without access to the current email address must change it in the IBKR portal")
	}
	return checkSecretText(f+".updateEmail.token", r.Token.Reveal())
}

func (r UpdateEmail) payload() any {
	type upd struct {
		Email  string `json:"email"`
		Token  string `json:"token,omitempty"`
		Access bool   `json:"access"`
	}
	return struct {
		UserName string `json:"referenceUserName"`
		Email    upd    `json:"updateEmail"`
	}{r.UserName, upd{r.Email, r.Token.Reveal(), r.HasAccess}}
}

// UpdatePassword sets a user's password (updateCredentials,
// updatePassword), encrypted with the key IBKR shared with the firm. The
// password, key name and token are never logged or echoed.
type UpdatePassword struct {
	UserName string
	// EncryptedPassword is the new password, encrypted; EncryptedKeyName
	// names the key used.
	EncryptedPassword, EncryptedKeyName Secret
	// Token is a confirmation token, when IBKR asks for one.
	Token Secret
}

// Kind implements AccountChange.
func (UpdatePassword) Kind() string { return "updateCredentials" }

// Validate implements AccountChange.
func (r UpdatePassword) Validate(time.Time) error {
	const f = "updateCredentials"
	if err := ValidateUserNameFormat(f+".referenceUserName", r.UserName); err != nil {
		return err
	}
	if r.EncryptedPassword.IsZero() {
		return changeErr(f+".updatePassword.encryptedPassword", "is required")
	}
	for _, s := range []struct{ field, v string }{
		{"encryptedPassword", r.EncryptedPassword.Reveal()}, {"encryptedKeyName", r.EncryptedKeyName.Reveal()}, {"token", r.Token.Reveal()},
	} {
		for i := 0; i < len(s.v); i++ {
			if c := s.v[i]; c <= 0x20 || c > 0x7e {
				return changeErr(f+".updatePassword."+s.field, "must be printable ASCII without spaces")
			}
		}
	}
	if r.EncryptedKeyName.IsZero() {
		return changeErr(f+".updatePassword.encryptedKeyName", "is required (the key the password is encrypted with)")
	}
	return nil
}

func (r UpdatePassword) payload() any {
	type upd struct {
		EncryptedPassword string `json:"encryptedPassword"`
		EncryptedKeyName  string `json:"encryptedKeyName"`
		Token             string `json:"token,omitempty"`
	}
	return struct {
		UserName string `json:"referenceUserName"`
		Password upd    `json:"updatePassword"`
	}{r.UserName, upd{r.EncryptedPassword.Reveal(), r.EncryptedKeyName.Reveal(), r.Token.Reveal()}}
}

// QuestionnaireAnswer answers one question of a questionnaire, as listed
// by the edd-avt enumeration for the form.
type QuestionnaireAnswer struct {
	// QuestionID is the question's id.
	QuestionID int
	// AnswerID is the chosen answer's id, for multiple-choice questions.
	AnswerID int
	// Detail is free text, at most MaxDetailLen characters.
	Detail string
}

// AnswerQuestionnaire answers an enhanced due diligence (EDD), additional
// verification (AVT) or knowledge assessment questionnaire assigned to an
// account as a registration task (questionnaires). The questions of a
// form come from the edd-avt enumeration (EnumerationEddAvt with
// FormNumber).
type AnswerQuestionnaire struct {
	AccountID string
	Form      FormNumber
	Answers   []QuestionnaireAnswer
}

// Kind implements AccountChange.
func (AnswerQuestionnaire) Kind() string { return "questionnaires" }

// Validate implements AccountChange.
func (r AnswerQuestionnaire) Validate(time.Time) error {
	const f = "questionnaires"
	if err := ValidateAccountID(f+".accountId", r.AccountID); err != nil {
		return err
	}
	if !r.Form.Valid() {
		return changeErr(f+".questionnaire.formNumber", "must be IBKR's four-digit form number")
	}
	return checkAnswers(f+".questionnaire.answers", r.Answers)
}

// checkAnswers checks the answers of one questionnaire.
func checkAnswers(field string, answers []QuestionnaireAnswer) error {
	if len(answers) == 0 {
		return changeErr(field, "at least one answer is required")
	}
	seen := map[int]bool{}
	for i, a := range answers {
		af := fmt.Sprintf("%s[%d]", field, i)
		if a.QuestionID <= 0 {
			return changeErr(af+".questionId", "is required")
		}
		if seen[a.QuestionID] {
			return changeErr(af+".questionId", "question %d is answered twice", a.QuestionID)
		}
		seen[a.QuestionID] = true
		if a.AnswerID < 0 {
			return changeErr(af+".id", "must not be negative")
		}
		if a.AnswerID == 0 && a.Detail == "" {
			return changeErr(af, "give an answer id or a detail")
		}
		if err := checkDetail(af+".detail", a.Detail); err != nil {
			return err
		}
	}
	return nil
}

// checkDetail checks a free-text answer: at most MaxDetailLen
// characters, no control characters (any script is fine).
func checkDetail(field, s string) error {
	n := 0
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return changeErr(field, "must not contain control characters")
		}
		n++
	}
	if n > MaxDetailLen {
		return changeErr(field, "must be at most %d characters (got %d)", MaxDetailLen, n)
	}
	return nil
}

type answerWire struct {
	QuestionID int    `json:"questionId"`
	ID         int    `json:"id,omitempty"`
	Detail     string `json:"detail,omitempty"`
}

type questionnaireWire struct {
	FormNumber FormNumber   `json:"formNumber"`
	Answers    []answerWire `json:"answers"`
}

func newQuestionnaireWire(form FormNumber, answers []QuestionnaireAnswer) questionnaireWire {
	as := make([]answerWire, 0, len(answers))
	for _, a := range answers {
		as = append(as, answerWire{a.QuestionID, a.AnswerID, a.Detail})
	}
	return questionnaireWire{form, as}
}

func (r AnswerQuestionnaire) payload() any {
	return struct {
		AccountID string              `json:"accountId"`
		Q         []questionnaireWire `json:"questionnaire"`
	}{r.AccountID, []questionnaireWire{newQuestionnaireWire(r.Form, r.Answers)}}
}

// ProhibitedCountryQuestion is a question of the prohibited-country
// questionnaire (form 3442), assigned when a citizenship or the country
// of birth is a prohibited country (see the prohibited-country
// enumeration).
type ProhibitedCountryQuestion string

// The questions of the prohibited-country questionnaire.
const (
	// ProhibitedPassport: holds a passport of a prohibited country.
	ProhibitedPassport ProhibitedCountryQuestion = "PASSPORT"
	// ProhibitedCitizenship: holds citizenship of a prohibited country.
	ProhibitedCitizenship ProhibitedCountryQuestion = "CITIZENSHIP"
	// ProhibitedBusinessDealings: has business dealings in one.
	ProhibitedBusinessDealings ProhibitedCountryQuestion = "BUSINESSDEALINGS"
	// ProhibitedFinancialAccounts: has financial accounts in one.
	ProhibitedFinancialAccounts ProhibitedCountryQuestion = "FINANCIALACCOUNTS"
	// ProhibitedResident: plans to reside in one.
	ProhibitedResident ProhibitedCountryQuestion = "RESIDENT"
	// ProhibitedMulti: holds citizenship or residency in several
	// countries.
	ProhibitedMulti ProhibitedCountryQuestion = "MULTI"
	// ProhibitedBirth: was born in one.
	ProhibitedBirth ProhibitedCountryQuestion = "BIRTH"
)

// ProhibitedCountryAnswer answers one question: Yes needs Details.
type ProhibitedCountryAnswer struct {
	Question ProhibitedCountryQuestion
	Yes      bool
	// Details describes a yes answer, at most MaxDetailLen characters.
	Details string
}

// AnswerProhibitedCountryQuestionnaire submits the prohibited-country
// questionnaire of an account holder (prohibitedCountryQuestionnaire).
type AnswerProhibitedCountryQuestionnaire struct {
	AccountID string
	// ExternalID is the holder's externalId from the application (or
	// EntityID IBKR's id of the individual); one is required.
	ExternalID, EntityID string
	Answers              []ProhibitedCountryAnswer
}

// Kind implements AccountChange.
func (AnswerProhibitedCountryQuestionnaire) Kind() string { return "prohibitedCountryQuestionnaire" }

// Validate implements AccountChange.
func (r AnswerProhibitedCountryQuestionnaire) Validate(time.Time) error {
	const f = "prohibitedCountryQuestionnaire"
	if err := ValidateAccountID(f+".accountId", r.AccountID); err != nil {
		return err
	}
	if r.ExternalID == "" && r.EntityID == "" {
		return changeErr(f+".externalId", "the holder's externalId (or entityId) is required")
	}
	if r.ExternalID != "" {
		if err := ValidateExternalID(f+".externalId", r.ExternalID); err != nil {
			return err
		}
	}
	if err := checkFreeText(f+".entityId", r.EntityID, 32, false); err != nil {
		return err
	}
	if len(r.Answers) == 0 {
		return changeErr(f+".prohibitedQuestionnaireDetails", "at least one answer is required")
	}
	seen := map[ProhibitedCountryQuestion]bool{}
	for i, a := range r.Answers {
		af := fmt.Sprintf("%s.prohibitedQuestionnaireDetails[%d]", f, i)
		if !gen.ProhibitedQuestionnaireDetailCode(a.Question).Valid() {
			return changeErr(af+".code", "must be PASSPORT, CITIZENSHIP, BUSINESSDEALINGS, FINANCIALACCOUNTS, RESIDENT, MULTI or BIRTH")
		}
		if seen[a.Question] {
			return changeErr(af+".code", "%s is answered twice", a.Question)
		}
		seen[a.Question] = true
		if a.Yes && a.Details == "" {
			return changeErr(af+".details", "a yes answer needs details")
		}
		if err := checkDetail(af+".details", a.Details); err != nil {
			return err
		}
	}
	return nil
}

func (r AnswerProhibitedCountryQuestionnaire) payload() any {
	type detail struct {
		Code    string `json:"code"`
		Status  bool   `json:"status"`
		Details string `json:"details,omitempty"`
	}
	ds := make([]detail, 0, len(r.Answers))
	for _, a := range r.Answers {
		ds = append(ds, detail{string(a.Question), a.Yes, a.Details})
	}
	return struct {
		AccountID  string   `json:"accountId"`
		ExternalID string   `json:"externalId,omitempty"`
		EntityID   string   `json:"entityId,omitempty"`
		Details    []detail `json:"prohibitedQuestionnaireDetails"`
	}{r.AccountID, r.ExternalID, r.EntityID, ds}
}
