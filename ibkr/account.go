package ibkr

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// FormNumber is IBKR's four-digit number of a form, agreement or
// registration task, e.g. 8001 (proof of identity). The formNumber of a
// task and of the document that satisfies it are the same.
type FormNumber int

// Form numbers the documentation names.
const (
	// FormProofOfIdentity (8001): proof of identity and date of birth
	// (driver license, passport, alien ID card, national ID card).
	FormProofOfIdentity FormNumber = 8001
	// FormProofOfAddress (8002): proof of address (bank statement,
	// utility bill, lease ...).
	FormProofOfAddress FormNumber = 8002
	// FormHongKongSignature (8043): Hong Kong signature verification.
	FormHongKongSignature FormNumber = 8043
	// FormAu10tixIdentityAndAddress (8137): instant identity and address
	// verification through Au10tix.
	FormAu10tixIdentityAndAddress FormNumber = 8137
	// FormSelfie (8205): a selfie holding a passport or national ID.
	FormSelfie FormNumber = 8205
	// FormAu10tixIdentity (8437): instant identity verification through
	// Au10tix.
	FormAu10tixIdentity FormNumber = 8437
	// Proofs of source of wealth of an individual, one form per source.
	FormSOWAllowance    FormNumber = 8541
	FormSOWDisability   FormNumber = 8542
	FormSOWIncome       FormNumber = 8543
	FormSOWInheritance  FormNumber = 8544
	FormSOWInterest     FormNumber = 8545
	FormSOWMarketProfit FormNumber = 8546
	FormSOWOther        FormNumber = 8547
	FormSOWPension      FormNumber = 8548
	FormSOWProperty     FormNumber = 8549
	// FormProhibitedCountryQuestionnaire (3442): assigned when a
	// citizenship or the country of birth is a prohibited country.
	FormProhibitedCountryQuestionnaire FormNumber = 3442
	// FormComplexProductsRiskDisclosure (4155): risk disclosure for complex
	// or leveraged exchange-traded products, signed before adding the CLP
	// capability.
	FormComplexProductsRiskDisclosure FormNumber = 4155
	// FormW8BEN (5001): IRS form W-8BEN, re-certified every three years
	// when a treaty country is set.
	FormW8BEN FormNumber = 5001
)

var formNames = map[FormNumber]string{
	FormProofOfIdentity:                "Proof of Identity and Date of Birth",
	FormProofOfAddress:                 "Proof of Address",
	FormHongKongSignature:              "Hong Kong Signature Verification",
	FormAu10tixIdentityAndAddress:      "Au10tix Identity and Address Verification",
	FormSelfie:                         "Selfie Verification",
	FormAu10tixIdentity:                "Au10tix Identity",
	FormSOWAllowance:                   "Proof of Source of Wealth: Allowance",
	FormSOWDisability:                  "Proof of Source of Wealth: Disability",
	FormSOWIncome:                      "Proof of Source of Wealth: Income",
	FormSOWInheritance:                 "Proof of Source of Wealth: Inheritance",
	FormSOWInterest:                    "Proof of Source of Wealth: Interest",
	FormSOWMarketProfit:                "Proof of Source of Wealth: Market Profit",
	FormSOWOther:                       "Proof of Source of Wealth: Other",
	FormSOWPension:                     "Proof of Source of Wealth: Pension",
	FormSOWProperty:                    "Proof of Source of Wealth: Property",
	FormProhibitedCountryQuestionnaire: "Prohibited Country Questionnaire",
	FormComplexProductsRiskDisclosure:  "Risk Disclosure for Complex or Leveraged Exchange-Traded Products",
	FormW8BEN:                          "Form W-8BEN",
}

// Name returns the documented name of the form, or "" for a form number
// the documentation does not name (IBKR has many more).
func (f FormNumber) Name() string { return formNames[f] }

// String returns the number, with its name when documented:
// "8001 (Proof of Identity and Date of Birth)".
func (f FormNumber) String() string {
	s := strconv.Itoa(int(f))
	if n := formNames[f]; n != "" {
		s += " (" + n + ")"
	}
	return s
}

// Valid reports whether f has IBKR's four digits.
func (f FormNumber) Valid() bool { return f >= 1000 && f <= 9999 }

// ApplicationState says where a pending application (status N or P)
// stands: IBKR's state field.
type ApplicationState string

// The documented application states.
const (
	// StateIncompleteApplication: the client must act; see PendingTasks.
	StateIncompleteApplication ApplicationState = "Incomplete Application"
	// StateDocumentsRequired: documents are missing; see PendingTasks.
	StateDocumentsRequired ApplicationState = "Documents Required"
	// StateUnderReview: IBKR is reviewing; nothing to do.
	StateUnderReview ApplicationState = "Under Review with IBKR"
	// StatePendingApproval: in the approval queue, normally opened by the
	// next business day.
	StatePendingApproval ApplicationState = "Pending Approval"
)

// ClientActionNeeded reports whether the client has to do something
// (incomplete application or documents required).
func (s ApplicationState) ClientActionNeeded() bool {
	return s == StateIncompleteApplication || s == StateDocumentsRequired
}

// AccountStatusInfo is an account's status as IBKR reports it (GET
// /gw/api/v1/accounts/{accountId}/status and the bulk listing).
type AccountStatusInfo struct {
	AccountID string
	// Status is the one-letter status; Status.Known reports whether it is
	// one of the documented ones.
	Status AccountStatus
	// Description is IBKR's wording of the status.
	Description string
	// State is set for pending applications (N and P) only.
	State ApplicationState
	// MasterAccountID is the advisor's or broker's master account;
	// AdminAccountID the administrator's, if any.
	MasterAccountID, AdminAccountID string
	// Message is additional information from IBKR, if any.
	Message string
	// Started is when the application was created; Opened when IBKR
	// opened the account (zero while it is not open); Closed when it was
	// closed.
	Started, Opened, Closed time.Time
}

func accountStatusInfo(r gen.AccountStatusResponse) AccountStatusInfo {
	return AccountStatusInfo{
		AccountID:       unptr(r.AccountId),
		Status:          AccountStatus(unptr(r.Status)),
		Description:     unptr(r.Description),
		State:           ApplicationState(unptr(r.State)),
		MasterAccountID: unptr(r.MasterAccountId),
		AdminAccountID:  unptr(r.AdminAccountId),
		Message:         unptr(r.Message),
		Started:         unptr(r.DateStarted),
		Opened:          unptr(r.DateOpened),
		Closed:          unptr(r.DateClosed),
	}
}

// AccountStatus returns the status of one account (GET
// /gw/api/v1/accounts/{accountId}/status).
func (c *Client) AccountStatus(ctx context.Context, accountID string) (*AccountStatusInfo, error) {
	if err := ValidateAccountID("accountId", accountID); err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{
		op: optable.OpGetAccountsStatus,
		build: func(server string) (*http.Request, error) {
			return gen.NewGetAccountsStatusRequest(server, accountID)
		},
	}, gen.ParseGetAccountsStatusResponse)
	res, err := typedAnswer(r, err, (*gen.GetAccountsStatusResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	info := accountStatusInfo(*res)
	return &info, nil
}

// Task is one registration task of an account: a form to sign or
// complete, or a document to send.
type Task struct {
	// Form is the task's form number; FormName its name (one name per
	// number).
	Form     FormNumber
	FormName string
	// Action is IBKR's "to be sent" (an external document), "to complete"
	// or "to sign" (an IBKR form).
	Action string
	// State is e.g. "To Be Sent", "To Be Signed", "Received- Being
	// Processed" or "Rejected .. <reason>".
	State string
	// OnlineTask: an IBKR form the client completes or signs online
	// (false: an external document).
	OnlineTask bool
	// RequiredForApproval: the account is not opened before the task is
	// done. RequiredForTrading: the client cannot trade before it is done
	// (pending tasks only).
	RequiredForApproval, RequiredForTrading bool
	// Completed and Declined report the task's outcome (all-task listing
	// only); CompletedAt is when it was completed.
	Completed, Declined bool
	CompletedAt         time.Time
	// StartedAt is when the task was assigned (pending tasks only).
	StartedAt time.Time
	// RejectReasons explains rejected documents.
	RejectReasons []string
	// URL is the Au10tix verification link of tasks 8137 and 8437, valid
	// 24 hours (see AccountKYC for a new one).
	URL string
	// ExternalID is the caller's id of the individual the task is for.
	ExternalID string
	// Warning is a note from IBKR, if any.
	Warning string
}

// Tasks is the registration tasks of an account with its status.
type Tasks struct {
	AccountID   string
	Status      AccountStatus
	Description string
	State       ApplicationState
	Tasks       []Task
}

// Forms returns the form numbers of the tasks, in order.
func (t *Tasks) Forms() []FormNumber {
	out := make([]FormNumber, 0, len(t.Tasks))
	for _, x := range t.Tasks {
		out = append(out, x.Form)
	}
	return out
}

// Outstanding returns the tasks that are not completed and are required
// for approval.
func (t *Tasks) Outstanding() []Task {
	var out []Task
	for _, x := range t.Tasks {
		if !x.Completed && x.RequiredForApproval {
			out = append(out, x)
		}
	}
	return out
}

func pendingTask(p gen.PendingTask) Task {
	return Task{
		Form:                FormNumber(unptr(p.FormNumber)),
		FormName:            unptr(p.FormName),
		Action:              unptr(p.Action),
		State:               unptr(p.State),
		OnlineTask:          unptr(p.OnlineTask),
		RequiredForApproval: unptr(p.RequiredForApproval),
		RequiredForTrading:  unptr(p.RequiredForTrading),
		StartedAt:           unptr(p.StartDate),
		RejectReasons:       unptrSlice(p.DocumentRejectReason),
		URL:                 unptr(p.Url),
		ExternalID:          unptr(p.ExternalId),
	}
}

// PendingTasks returns the tasks still required for the account to be
// approved (GET /gw/api/v1/accounts/{accountId}/tasks?type=pending). Tasks
// not required for approval are not listed.
func (c *Client) PendingTasks(ctx context.Context, accountID string) (*Tasks, error) {
	body, err := c.accountTasks(ctx, accountID, gen.GetAccountsTasksParamsTypePending)
	if err != nil {
		return nil, err
	}
	p, err := body.AsPendingTasksResponse()
	if err != nil {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "getAccountsTasks"}, StatusCode: 200, Message: "answer is not a pending-task list"}
	}
	if err := tasksError(p.HasError, p.ErrorDescription); err != nil {
		return nil, err
	}
	out := &Tasks{AccountID: unptr(p.AccountId), Status: AccountStatus(unptr(p.Status)),
		Description: unptr(p.Description), State: ApplicationState(unptr(p.State))}
	for _, x := range unptrSlice(p.PendingTasks) {
		out.Tasks = append(out.Tasks, pendingTask(x))
	}
	return out, nil
}

// RegistrationTasks returns every task of the account, whatever its state
// or the account's status (GET
// /gw/api/v1/accounts/{accountId}/tasks?type=registration), with when
// each was completed.
func (c *Client) RegistrationTasks(ctx context.Context, accountID string) (*Tasks, error) {
	body, err := c.accountTasks(ctx, accountID, gen.GetAccountsTasksParamsTypeRegistration)
	if err != nil {
		return nil, err
	}
	p, err := body.AsRegistrationTasksResponse()
	if err != nil {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "getAccountsTasks"}, StatusCode: 200, Message: "answer is not a registration-task list"}
	}
	if err := tasksError(p.HasError, p.ErrorDescription); err != nil {
		return nil, err
	}
	out := &Tasks{AccountID: unptr(p.AccountId), Status: AccountStatus(unptr(p.Status)),
		Description: unptr(p.Description), State: ApplicationState(unptr(p.State))}
	for _, x := range unptrSlice(p.RegistrationTasks) {
		out.Tasks = append(out.Tasks, Task{
			Form:                FormNumber(unptr(x.FormNumber)),
			FormName:            unptr(x.FormName),
			Action:              unptr(x.Action),
			State:               unptr(x.State),
			RequiredForApproval: unptr(x.IsRequiredForApproval),
			Completed:           unptr(x.IsCompleted),
			Declined:            unptr(x.IsDeclined),
			CompletedAt:         unptr(x.DateCompleted),
			ExternalID:          unptr(x.ExternalId),
			Warning:             unptr(x.Warning),
		})
	}
	return out, nil
}

func (c *Client) accountTasks(ctx context.Context, accountID string, typ gen.GetAccountsTasksParamsType) (*gen.GetAccountsTasks200JSONResponseBody, error) {
	if err := ValidateAccountID("accountId", accountID); err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpGetAccountsTasks, build: func(server string) (*http.Request, error) {
		return gen.NewGetAccountsTasksRequest(server, accountID, &gen.GetAccountsTasksParams{Type: &typ})
	}}, gen.ParseGetAccountsTasksResponse)
	return typedAnswer(r, err, (*gen.GetAccountsTasksResponse).GetJSON200)
}

// tasksError turns a 200 answer flagged hasError into an *APIError.
func tasksError(hasError *bool, desc *string) error {
	if !unptr(hasError) {
		return nil
	}
	return &APIError{CallInfo: CallInfo{OperationID: "getAccountsTasks"}, StatusCode: 200, Message: clipText(unptr(desc))}
}

// unptr returns *p, or the zero value for nil.
func unptr[T any](p *T) T {
	if p == nil {
		var z T
		return z
	}
	return *p
}

// unptrSlice returns *p, or nil.
func unptrSlice[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}
