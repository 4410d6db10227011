package ibkr

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// FormProjection says how much of each form Forms returns.
type FormProjection string

// Form projections.
const (
	// FormsListOnly returns the forms' descriptions only.
	FormsListOnly FormProjection = "NONE"
	// FormsWithDocs adds the accepted documents.
	FormsWithDocs FormProjection = "DOCS"
	// FormsWithPayload adds the form files themselves (base64, decoded
	// into Form.File).
	FormsWithPayload FormProjection = "PAYLOAD"
)

// FormsQuery selects IBKR forms (agreements, disclosures, tax forms).
type FormsQuery struct {
	// Numbers are the forms to return; empty for all.
	Numbers []FormNumber
	// Projection is how much to return (default: IBKR's).
	Projection FormProjection
	// Language is the forms' language, such as "en".
	Language string
	// From and To keep forms changed between these dates (optional).
	From, To time.Time
}

// Form is an IBKR form: a task's form number and name, and, depending on
// the projection, its file.
type Form struct {
	Number FormNumber
	Name   string
	// Action is e.g. "to sign" or "to be sent"; Type IBKR's kind of form.
	Action, Type string
	// APISupported says the task can be completed through the API.
	APISupported bool
	// AcceptableDocs are the documents that satisfy the form.
	AcceptableDocs []string
	// FileName, FileLength and SHA1Checksum describe the form's file;
	// File holds it when the projection is FormsWithPayload, MimeType its
	// type.
	FileName     string
	FileLength   int64
	SHA1Checksum string
	File         []byte
	MimeType     string
	Language     string
	Modified     time.Time
}

// Forms lists IBKR forms (GET /gw/api/v1/forms).
func (c *Client) Forms(ctx context.Context, q FormsQuery) ([]Form, error) {
	params := &gen.ListFormsParams{}
	if len(q.Numbers) > 0 {
		nums := make([]int32, 0, len(q.Numbers))
		for i, n := range q.Numbers {
			if !n.Valid() {
				return nil, invalid(fmt.Sprintf("formNo[%d]", i), "must be IBKR's four-digit form number")
			}
			nums = append(nums, int32(n))
		}
		params.FormNo = &nums
	}
	switch q.Projection {
	case "":
	case FormsListOnly, FormsWithDocs, FormsWithPayload:
		p := gen.ListFormsParamsProjection(q.Projection)
		params.Projection = &p
	default:
		return nil, invalid("projection", "must be NONE, DOCS or PAYLOAD")
	}
	if q.Language != "" {
		if err := checkLanguageCode("language", q.Language); err != nil {
			return nil, err
		}
		params.Language = &q.Language
	}
	if !q.From.IsZero() {
		d := FormatDate(q.From)
		params.FromDate = &d
	}
	if !q.To.IsZero() {
		if !q.From.IsZero() && civil(q.To).Before(civil(q.From)) {
			return nil, inputErr("toDate", ErrDateRange, "is before fromDate")
		}
		d := FormatDate(q.To)
		params.ToDate = &d
	}
	r, err := invokeAs(ctx, c, call{
		op: optable.OpListForms,
		build: func(server string) (*http.Request, error) {
			return gen.NewListFormsRequest(server, params)
		},
	}, gen.ParseListFormsResponse)
	res, err := typedAnswer(r, err, (*gen.ListFormsResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	if unptr(res.HasError) {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "listForms"}, StatusCode: 200, Message: clipText(unptr(res.ErrorDescription))}
	}
	var out []Form
	for _, f := range unptrSlice(res.FormDetails) {
		form := Form{
			Number: FormNumber(unptr(f.FormNumber)), Name: unptr(f.FormName), Action: unptr(f.Action), Type: unptr(f.Type),
			APISupported: unptr(f.ApiSupportedTask), AcceptableDocs: unptrSlice(f.AcceptableDocs),
			FileName: unptr(f.FileName), FileLength: unptr(f.FileLength), SHA1Checksum: unptr(f.Sha1Checksum),
			Language: unptr(f.Language), Modified: unptr(f.DateModified),
		}
		if p := f.Payload; p != nil && p.Data != nil {
			b, err := base64.StdEncoding.DecodeString(*p.Data)
			if err != nil {
				return nil, &APIError{CallInfo: CallInfo{OperationID: "listForms"}, StatusCode: 200, Message: "form " + strconv.Itoa(int(form.Number)) + ": payload is not base64"}
			}
			form.File, form.MimeType = b, unptr(p.MimeType)
		}
		out = append(out, form)
	}
	return out, nil
}

func checkLanguageCode(field, s string) error {
	if len(s) < 2 || len(s) > 8 {
		return invalid(field, "must be a language code such as en")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' {
			return invalid(field, "must be a language code such as en")
		}
	}
	return nil
}

// RequiredFormsQuery describes an application, for RequiredForms.
type RequiredFormsQuery struct {
	// ResidenceCountry is the applicant's country (ISO alpha-3).
	ResidenceCountry string
	// AccountType is INDIVIDUAL, JOINT, TRUST, ORG ...
	AccountType string
	// ApplicantType, ProcessType, MiFIDCategory, IRAType: IBKR's values.
	ApplicantType, ProcessType, MiFIDCategory, IRAType string
	// IRA, SYEP, FCBP, AdditionalAccount, AdditionalApplicant and
	// AdvisorTradingAccount describe the application.
	IRA, SYEP, FCBP, AdditionalAccount, AdditionalApplicant, AdvisorTradingAccount bool
	// TradingPermissions and Capabilities requested (IBKR's codes).
	TradingPermissions, Capabilities []string
}

// RequiredForms returns the forms an application of that kind needs (GET
// /gw/api/v1/forms/required-forms).
func (c *Client) RequiredForms(ctx context.Context, q RequiredFormsQuery) ([]FormNumber, error) {
	p := &gen.ListFormsRequiredFormsParams{}
	if q.ResidenceCountry != "" {
		if err := ValidateCountryCode("residenceCountry", q.ResidenceCountry); err != nil {
			return nil, err
		}
		p.ResidenceCountry = &q.ResidenceCountry
	}
	if q.AccountType != "" {
		if !gen.CustomerType(q.AccountType).Valid() {
			return nil, invalid("accountType", "must be INDIVIDUAL, JOINT, IRA, TRUST, ORG, UGMA or UTMA")
		}
		p.AccountType = &q.AccountType
	}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	flag := func(b bool) *bool {
		if !b {
			return nil
		}
		return &b
	}
	p.ApplicantType, p.ProcessType, p.MifidCategory, p.IraType = opt(q.ApplicantType), opt(q.ProcessType), opt(q.MiFIDCategory), opt(q.IRAType)
	p.Ira, p.RequestedSYEP, p.RequestedFCBP = flag(q.IRA), flag(q.SYEP), flag(q.FCBP)
	p.AdditionalAccount, p.AdditionalApplicant, p.FaTradingAccount = flag(q.AdditionalAccount), flag(q.AdditionalApplicant), flag(q.AdvisorTradingAccount)
	if len(q.TradingPermissions) > 0 {
		p.TradingPermissions = &q.TradingPermissions
	}
	if len(q.Capabilities) > 0 {
		p.Capability = &q.Capabilities
	}
	r, err := invokeAs(ctx, c, call{
		op: optable.OpListFormsRequiredForms,
		build: func(server string) (*http.Request, error) {
			return gen.NewListFormsRequiredFormsRequest(server, p)
		},
	}, gen.ParseListFormsRequiredFormsResponse)
	res, err := typedAnswer(r, err, (*gen.ListFormsRequiredFormsResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	if unptr(res.HasError) {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "listFormsRequiredForms"}, StatusCode: 200, Message: clipText(unptr(res.ErrorDescription))}
	}
	var out []FormNumber
	for _, s := range unptrSlice(res.Forms) {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, &APIError{CallInfo: CallInfo{OperationID: "listFormsRequiredForms"}, StatusCode: 200, Message: fmt.Sprintf("form %q is not a number", clipText(s))}
		}
		out = append(out, FormNumber(n))
	}
	return out, nil
}

// ParticipatingBank is a bank taking part in an IBKR funding scheme, such
// as Hong Kong's eDDA.
type ParticipatingBank struct {
	// Name is the institution's name; BIC its SWIFT code; ClearingCode
	// the code eDDA instructions take as bankClearingCode.
	Name, BIC, ClearingCode string
}

// ParticipatingBanks lists the banks of a scheme (GET
// /gw/api/v1/participating-banks); scheme "" means "eDDA".
func (c *Client) ParticipatingBanks(ctx context.Context, scheme string) ([]ParticipatingBank, error) {
	if scheme == "" {
		scheme = "eDDA"
	}
	if err := checkLanguageCode("type", scheme); err != nil {
		return nil, invalid("type", "must be a scheme name such as eDDA")
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpListParticipatingBanks, build: func(server string) (*http.Request, error) {
		return gen.NewListParticipatingBanksRequest(server, &gen.ListParticipatingBanksParams{Type: scheme})
	}}, gen.ParseListParticipatingBanksResponse)
	res, err := typedAnswer(r, err, (*gen.ListParticipatingBanksResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	out := make([]ParticipatingBank, 0, len(res.ParticipatingBanks))
	for _, b := range res.ParticipatingBanks {
		out = append(out, ParticipatingBank{Name: b.InstitutionName, BIC: b.BIC, ClearingCode: b.ClearingCode})
	}
	return out, nil
}

// UserNameAvailability is IBKR's verdict on a requested user name.
type UserNameAvailability struct {
	// Valid says the name has an acceptable form; Available that it is
	// also free.
	Valid, Available bool
	// Suggestions are free names IBKR proposes instead.
	Suggestions []string
}

// ValidateUserName asks IBKR whether a user name can be requested for a
// new application (GET /gw/api/v1/validations/usernames/{username}). The
// name's form is checked locally first (ValidateUserNameFormat).
func (c *Client) ValidateUserName(ctx context.Context, name string) (*UserNameAvailability, error) {
	if err := ValidateUserNameFormat("username", name); err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{
		op: optable.OpGetValidationsUsernames,
		build: func(server string) (*http.Request, error) {
			return gen.NewGetValidationsUsernamesRequest(server, name)
		},
	}, gen.ParseGetValidationsUsernamesResponse)
	res, err := typedAnswer(r, err, (*gen.GetValidationsUsernamesResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	if unptr(res.HasError) {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "getValidationsUsernames"}, StatusCode: 200, Message: clipText(unptr(res.ErrorDescription))}
	}
	return &UserNameAvailability{Valid: unptr(res.IsValid), Available: unptr(res.IsAvailable), Suggestions: unptrSlice(res.SuggestedUserName)}, nil
}

// RequestKind says what a request id belongs to, for RequestStatus.
type RequestKind string

// Request kinds.
const (
	// RequestUpdate: a maintenance request (UpdateAccount).
	RequestUpdate RequestKind = "update"
	// RequestResponse: an application's response file (Register).
	RequestResponse RequestKind = "response"
)

// RequestInfo is the status of an account management request.
type RequestInfo struct {
	RequestID ID
	// Type is IBKR's request type, such as ACCT_OPENING or ADD_TRADING.
	Type      string
	AccountID string
	// Status is e.g. "Processed", "Pending" or "Rejected".
	Status string
	// Message explains the status, when IBKR sends one.
	Message string
	// Submitted is when IBKR received the request (listings only).
	Submitted time.Time
}

// RequestStatus returns the status of a request Register or
// UpdateAccount answered with (GET /gw/api/v1/requests/{requestId}/status).
func (c *Client) RequestStatus(ctx context.Context, requestID ID, kind RequestKind) (*RequestInfo, error) {
	if requestID.IsZero() {
		return nil, invalid("requestId", "is required")
	}
	if kind == "" {
		kind = RequestUpdate
	}
	if kind != RequestUpdate && kind != RequestResponse {
		return nil, invalid("type", "must be update or response")
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpGetRequestsStatus, build: func(server string) (*http.Request, error) {
		return gen.NewGetRequestsStatusRequest(server, requestID, &gen.GetRequestsStatusParams{Type: gen.GetRequestsStatusParamsType(kind)})
	}}, gen.ParseGetRequestsStatusResponse)
	res, err := typedAnswer(r, err, (*gen.GetRequestsStatusResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	b, err := res.MarshalJSON()
	if err != nil {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "getRequestsStatus"}, StatusCode: 200, Message: "answer is not JSON"}
	}
	var s struct {
		AcctID      string          `json:"acctId"`
		AccountID   string          `json:"accountId"`
		RequestID   json.RawMessage `json:"requestId"`
		RequestType string          `json:"requestType"`
		Status      string          `json:"status"`
		Message     string          `json:"message"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "getRequestsStatus"}, StatusCode: 200, Message: fmt.Sprintf("answer: %v", err)}
	}
	info := &RequestInfo{RequestID: requestID, Type: s.RequestType, AccountID: s.AcctID, Status: s.Status, Message: s.Message}
	if info.AccountID == "" {
		info.AccountID = s.AccountID
	}
	return info, nil
}

// RequestQuery selects account management requests by submission date
// and, optionally, status (IBKR's one-letter codes).
type RequestQuery struct {
	ListWindow
	Status string
}

// Requests lists the account management requests submitted under the
// master account between q.From and q.To (GET /gw/api/v1/requests),
// paging like AccountStatuses. The iterator stops at the first error,
// which it yields.
func (c *Client) Requests(ctx context.Context, q RequestQuery) iter.Seq2[RequestInfo, error] {
	if q.Status != "" && !gen.ListRequestsParamsStatus(q.Status).Valid() {
		return failedSeq[RequestInfo](invalid("status", "is not a request status IBKR filters on"))
	}
	return pageAll(ctx, q.ListWindow, "requests", func(ctx context.Context, win dayRange, offset, limit int) (page[RequestInfo], error) {
		params := &gen.ListRequestsParams{StartDate: apiDate(win.from), EndDate: apiDate(win.to), Offset: i32(offset), Limit: i32(limit)}
		if q.Status != "" {
			st := gen.ListRequestsParamsStatus(q.Status)
			params.Status = &st
		}
		r, err := invokeAs(ctx, c, call{
			op: optable.OpListRequests,
			build: func(server string) (*http.Request, error) {
				return gen.NewListRequestsRequest(server, params)
			},
		}, gen.ParseListRequestsResponse)
		res, err := typedAnswer(r, err, (*gen.ListRequestsResponse).GetJSON200)
		if err != nil {
			return page[RequestInfo]{}, err
		}
		p := page[RequestInfo]{total: -1}
		if res.Total != nil {
			p.total = int(*res.Total)
		}
		for _, d := range unptrSlice(res.RequestDetails) {
			ri := RequestInfo{RequestID: unptr(d.RequestId), Type: unptr(d.RequestType), AccountID: unptr(d.AccountID), Status: unptr(d.Status)}
			if s := unptr(d.DateSubmitted); s != "" {
				ri.Submitted, _ = time.Parse(time.RFC3339, s)
			}
			p.items = append(p.items, ri)
		}
		return p, nil
	})
}
