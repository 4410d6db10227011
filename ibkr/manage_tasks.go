package ibkr

import (
	"fmt"
	"time"
)

// Tasks after account opening: login messages, W-8BEN renewals,
// documents, quizzes.

// CompleteLoginMessages marks login messages of an account as done
// (completeLoginMessage), once the user has acted on them (see
// Client.AccountLoginMessages). IBKR completes only tax form messages
// (LoginMessageW8Info, after UpdateW8BEN or UpdateTaxForm) through the
// API; the user completes the others (MiFIR data, CRS form, account
// information, bounced email) in the Client Portal, and IBKR refuses them
// here. The message ids alone do not say their type, so the refusal is
// IBKR's (ErrBadRequest), not a local one.
type CompleteLoginMessages struct {
	AccountID string
	// MessageIDs are the messages' ids, as LoginMessage.ID lists them.
	MessageIDs []int
}

// Kind implements AccountChange.
func (CompleteLoginMessages) Kind() string { return "completeLoginMessage" }

// Validate implements AccountChange.
func (r CompleteLoginMessages) Validate(time.Time) error {
	const f = "completeLoginMessage"
	if err := ValidateAccountID(f+".accountId", r.AccountID); err != nil {
		return err
	}
	if len(r.MessageIDs) == 0 {
		return changeErr(f+".loginMessageIds", "at least one login message id is required")
	}
	seen := map[int]bool{}
	for i, id := range r.MessageIDs {
		mf := fmt.Sprintf("%s.loginMessageIds[%d]", f, i)
		if err := checkInt32ID(mf, id); err != nil {
			return err
		}
		if seen[id] {
			return changeErr(mf, "message %d appears twice", id)
		}
		seen[id] = true
	}
	return nil
}

func (r CompleteLoginMessages) payload() any {
	return struct {
		IDs       []int  `json:"loginMessageIds"`
		AccountID string `json:"accountId"`
	}{r.MessageIDs, r.AccountID}
}

// UpdateW8BEN renews a non-US holder's W-8BEN (updateW8Ben), as IBKR asks
// every three years when a treaty country is set (the W8INFO login
// message). Form is checked as in UpdateTaxForm: the holder's exact name,
// a tax id or an explanation, the certification; Documents hold the
// signed form (form 5001), signed by Form.Name.
type UpdateW8BEN struct {
	AccountID string
	// UserName is the holder's IBKR user name, for accounts with several
	// individuals (optional).
	UserName  string
	Form      W8BEN
	Documents []Document
	// InputLanguage and Translation are as in DocumentBatch.
	InputLanguage string
	Translation   *bool
}

// Kind implements AccountChange.
func (UpdateW8BEN) Kind() string { return "updateW8Ben" }

// Validate implements AccountChange.
func (r UpdateW8BEN) Validate(time.Time) error {
	const f = "updateW8Ben"
	if err := ValidateAccountID(f+".accountId", r.AccountID); err != nil {
		return err
	}
	if r.UserName != "" {
		if err := ValidateUserNameFormat(f+".taxPayerDetails.userName", r.UserName); err != nil {
			return err
		}
	}
	if err := r.Form.check(f + ".taxPayerDetails.w8Ben"); err != nil {
		return err
	}
	if len(r.Documents) == 0 {
		return changeErr(f+".documents", "the signed W-8BEN must be attached")
	}
	if err := (DocumentBatch{Documents: r.Documents, InputLanguage: r.InputLanguage}).Validate(); err != nil {
		return err
	}
	return checkTaxFormDocuments(f, r.Documents, r.Form.Name, r.Form.TaxFormFile)
}

func (r UpdateW8BEN) payload() any {
	type payer struct {
		W8BEN    *w8benWire `json:"w8Ben"`
		UserName string     `json:"userName,omitempty"`
	}
	return struct {
		TaxPayer      payer      `json:"taxPayerDetails"`
		Documents     []Document `json:"documents"`
		InputLanguage string     `json:"inputLanguage,omitempty"`
		Translation   *bool      `json:"translation,omitempty"`
		AccountID     string     `json:"accountId"`
	}{payer{r.Form.wire(), r.UserName}, r.Documents, r.InputLanguage, r.Translation, r.AccountID}
}

// ProcessDocuments submits documents as an account maintenance request
// (processDocuments): the same batch as Client.UploadDocuments, whose
// documents say whose they are (Document.ExternalAccountID and
// ExternalIndividualID), sent together with other changes.
type ProcessDocuments struct {
	Batch DocumentBatch
}

// Kind implements AccountChange.
func (ProcessDocuments) Kind() string { return "processDocuments" }

// Validate implements AccountChange.
func (r ProcessDocuments) Validate(time.Time) error {
	if err := r.Batch.Validate(); err != nil {
		return err
	}
	for i, d := range r.Batch.Documents {
		if d.ExternalAccountID == "" {
			return changeErr(fmt.Sprintf("processDocuments.documents[%d].externalAccountId", i), "is required: the request names no account, the documents do")
		}
	}
	return nil
}

func (r ProcessDocuments) payload() any { return r.Batch }

// Quiz is a knowledge quiz's answers, by form number.
type Quiz struct {
	Form    FormNumber
	Answers []QuestionnaireAnswer
}

// QuizTask marks a quiz's registration task done or not.
type QuizTask struct {
	Form FormNumber
	Done bool
}

// AnswerQuizzes answers knowledge quizzes assigned to an account (such as
// an options or futures exam when experience is short) and reports their
// tasks (quizQuestionnaires).
type AnswerQuizzes struct {
	AccountID string
	Quizzes   []Quiz
	Tasks     []QuizTask
}

// Kind implements AccountChange.
func (AnswerQuizzes) Kind() string { return "quizQuestionnaires" }

// Validate implements AccountChange.
func (r AnswerQuizzes) Validate(time.Time) error {
	const f = "quizQuestionnaires"
	if err := ValidateAccountID(f+".accountId", r.AccountID); err != nil {
		return err
	}
	if len(r.Quizzes) == 0 {
		return changeErr(f+".questionnaire", "at least one quiz is required")
	}
	seen := map[FormNumber]bool{}
	for i, q := range r.Quizzes {
		qf := fmt.Sprintf("%s.questionnaire[%d]", f, i)
		if !q.Form.Valid() {
			return changeErr(qf+".formNumber", "must be IBKR's four-digit form number")
		}
		if seen[q.Form] {
			return changeErr(qf+".formNumber", "form %d appears twice", q.Form)
		}
		seen[q.Form] = true
		if err := checkAnswers(qf+".answers", q.Answers); err != nil {
			return err
		}
	}
	tasks := map[FormNumber]bool{}
	for i, t := range r.Tasks {
		tf := fmt.Sprintf("%s.task[%d].formNumber", f, i)
		if !t.Form.Valid() {
			return changeErr(tf, "must be IBKR's four-digit form number")
		}
		if tasks[t.Form] {
			return changeErr(tf, "form %d appears twice", t.Form)
		}
		tasks[t.Form] = true
	}
	return nil
}

func (r AnswerQuizzes) payload() any {
	type task struct {
		FormNumber FormNumber `json:"formNumber"`
		Status     bool       `json:"status"`
	}
	qs := make([]questionnaireWire, 0, len(r.Quizzes))
	for _, q := range r.Quizzes {
		qs = append(qs, newQuestionnaireWire(q.Form, q.Answers))
	}
	ts := make([]task, 0, len(r.Tasks))
	for _, t := range r.Tasks {
		ts = append(ts, task{t.Form, t.Done})
	}
	return struct {
		Q         []questionnaireWire `json:"questionnaire"`
		AccountID string              `json:"accountId"`
		Tasks     []task              `json:"task,omitempty"`
	}{qs, r.AccountID, ts}
}
