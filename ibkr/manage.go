package ibkr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// ErrAccountChange is the cause (InputError.Err) when an account
// maintenance request breaks one of IBKR's documented rules.
var ErrAccountChange = errors.New("ibkr: invalid account maintenance request")

func changeErr(field, format string, args ...any) *InputError {
	return inputErr(field, ErrAccountChange, format, args...)
}

// AccountChange is one account maintenance request, one of the 47 kinds
// of PATCH /gw/api/v1/accounts (accountManagementRequests):
//
//   - lifecycle: CloseAccount, AbandonApplication, ResetApplication,
//     ReopenAccount;
//   - users and credentials: UpdateEmail, UpdatePassword, AddNewUser,
//     CreateUser, UpdateUserAccessRights, SetSecurityQuestions,
//     ManageMarketData;
//   - holders and identity: ChangeHolderDetails, AddMiFIRData,
//     UpdateExternalID, SetPropertyProfile, ChangeEntities;
//   - tax: UpdateTaxForm, UpdateW8BEN, UpdateWithholdingStatement,
//     DeclareAccreditedInvestor;
//   - capabilities and settings: SetPricingPlan, AddCLPCapability,
//     AddLeveragedFX, AddTradingPermissions, RemoveTradingPermissions,
//     ChangeBaseCurrency, ChangeFinancialInformation, ChangeMarginType,
//     EnrollDRIP, LeaveDRIP, EnrollSYEP, LeaveSYEP, UpdateAccountAlias,
//     UpdateRepresentatives, UpdateBCAN, ApplyFeeTemplate;
//   - firm accounts: EnableInBrokerage, DisableInBrokerage,
//     LinkDuplicateAccount, DuplicateAccount, AddAdditionalAccount;
//   - tasks and documents: SubmitDocuments, ProcessDocuments,
//     AnswerQuestionnaire, AnswerProhibitedCountryQuestionnaire,
//     AnswerQuizzes, CompleteLoginMessages;
//   - funding: AllocateVAN (the routing and account number for pushed
//     funds).
//
// Each checks IBKR's documented rules before anything is sent; the
// interface is sealed. The body sent is the published document's shape
// (api/NOTES.md [account-update-shape]).
type AccountChange interface {
	// Kind is the request's name in accountManagementRequests, such as
	// "accountClose".
	Kind() string
	// Validate checks the request; now is the client's clock (some rules
	// depend on the date).
	Validate(now time.Time) error
	// payload is the request's wire form (validated first).
	payload() any
}

// AccountRequestResult is IBKR's answer to account maintenance requests
// and document uploads.
type AccountRequestResult struct {
	// RequestID is the id of the request (see Client.RequestStatus);
	// Submitted is when IBKR received it.
	RequestID ID
	Submitted time.Time
	// Results has one entry per request kind, when IBKR details them.
	Results []AccountRequestOutcome
}

// AccountRequestOutcome is the outcome of one request kind.
type AccountRequestOutcome struct {
	RequestID ID
	// Type is IBKR's request type, such as "CLOSE_ACCOUNT" or
	// "DOC_SUBMISSION".
	Type      string
	AccountID string
	// Status is e.g. "Processed", "Pending" or "Rejected".
	Status  string
	Message string
}

// UpdateAccount sends account maintenance requests (PATCH
// /gw/api/v1/accounts, signed): at most one of each kind per call, all
// checked before anything is sent. Most take effect asynchronously; follow
// them with RequestStatus or callback notifications. IBKR processes these
// only for the kinds of accounts each kind documents (most need an open
// account).
func (c *Client) UpdateAccount(ctx context.Context, changes ...AccountChange) (*AccountRequestResult, error) {
	if len(changes) == 0 {
		return nil, changeErr("accountManagementRequests", "at least one request is required")
	}
	now := c.clock.Now()
	reqs := make(map[string]any, len(changes))
	for i, ch := range changes {
		if ch == nil {
			return nil, changeErr(fmt.Sprintf("accountManagementRequests[%d]", i), "is nil")
		}
		k := ch.Kind()
		if _, dup := reqs[k]; dup {
			return nil, changeErr(k, "appears twice; IBKR takes one request of each kind per call")
		}
		if err := ch.Validate(now); err != nil {
			return nil, err
		}
		reqs[k] = ch.payload()
	}
	body, err := jsonBody(map[string]any{"accountManagementRequests": reqs})
	if err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpUpdateAccounts, body: body, build: func(server string) (*http.Request, error) {
		return gen.NewUpdateAccountsRequestWithBody(server, contentTypeJSON, nil)
	}}, gen.ParseUpdateAccountsResponse)
	res, err := typedAnswer(r, err, (*gen.UpdateAccountsResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	return accountRequestResult(res), nil
}

// accountRequestResult reads a StatusResponse; file data it cannot read
// leaves Results empty.
func accountRequestResult(res *gen.StatusResponse) *AccountRequestResult {
	out := &AccountRequestResult{RequestID: unptr(res.RequestId), Submitted: unptr(res.DateSubmitted)}
	if res.FileData == nil || res.FileData.Data == nil {
		return out
	}
	b, err := json.Marshal(*res.FileData.Data)
	if err != nil {
		return out
	}
	var f struct {
		Results []struct {
			RequestID   ID     `json:"requestId"`
			RequestType string `json:"requestType"`
			AccountID   string `json:"accountId"`
			Status      string `json:"status"`
			Message     string `json:"message"`
		} `json:"results"`
	}
	if json.Unmarshal(b, &f) != nil {
		return out
	}
	for _, r := range f.Results {
		out.Results = append(out.Results, AccountRequestOutcome{RequestID: r.RequestID, Type: r.RequestType,
			AccountID: r.AccountID, Status: r.Status, Message: r.Message})
	}
	return out
}

// UploadDocuments uploads documents outside any account request (POST
// /gw/api/v1/accounts/documents, signed), such as KYC documents for an
// application; Document.ExternalAccountID and ExternalIndividualID say
// whose they are. For an existing account's registration tasks, send a
// SubmitDocuments change with UpdateAccount instead.
func (c *Client) UploadDocuments(ctx context.Context, batch DocumentBatch) (*AccountRequestResult, error) {
	body, err := NewDocumentUploadBody(batch)
	if err != nil {
		return nil, err
	}
	rd, err := jsonBody(body)
	if err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpCreateAccountsDocuments, body: rd, build: func(server string) (*http.Request, error) {
		return gen.NewCreateAccountsDocumentsRequestWithBody(server, contentTypeJSON, nil)
	}}, gen.ParseCreateAccountsDocumentsResponse)
	res, err := typedAnswer(r, err, (*gen.CreateAccountsDocumentsResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	return accountRequestResult(res), nil
}
