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

// HybridRegistration is the minimal application of IBKR's hybrid
// registration: the hosting firm sends a few fields, IBKR creates the
// account (status N) and the user completes the rest in IBKR's
// white-branded application, prefilled with what was sent. IBKR needs the
// applicant's name, email and country of residence; the other fields are
// optional and prefill the application.
type HybridRegistration struct {
	// FirstName and LastName are required; MiddleName is optional. ASCII
	// letters (see ValidatePersonName), at most MaxNameLen each.
	FirstName, MiddleName, LastName string
	// Email is the applicant's email address (ValidateEmail).
	Email string
	// Country is the country of legal residence, ISO alpha-3 (USA, GBR).
	Country string
	// ExternalID is the caller's id of the customer (and, suffixed, of
	// the account holder and account); optional, at most MaxExternalIDLen
	// characters, never reused for another application.
	ExternalID string
	// DateOfBirth is optional, yyyy-MM-dd; the applicant must be at least
	// MinimumAge.
	DateOfBirth string
	// Prefix is an optional user name prefix (3 to 6 lower-case letters);
	// UserName an optional exact user name (lower-case letters and
	// digits). Without either, IBKR picks the user name.
	Prefix, UserName string
	// BaseCurrency optionally sets the account's base currency.
	BaseCurrency Currency
	// Documents are optional documents sent with the application (built
	// with NewDocument; signers are checked against the name above).
	Documents []Document
}

// Validate checks the registration against IBKR's documented rules;
// today (for the applicant's age) may be zero to skip the age check.
func (r HybridRegistration) Validate(today time.Time) error {
	const holder = "accountHolderDetails[0]"
	if err := ValidatePersonName(holder+".name.first", r.FirstName, true); err != nil {
		return err
	}
	if err := ValidatePersonName(holder+".name.middle", r.MiddleName, false); err != nil {
		return err
	}
	if err := ValidatePersonName(holder+".name.last", r.LastName, true); err != nil {
		return err
	}
	if err := ValidateEmail("customer.email", r.Email); err != nil {
		return err
	}
	if err := ValidateCountryCode("customer.legalResidenceCountry", r.Country); err != nil {
		return err
	}
	if r.ExternalID != "" {
		if err := ValidateExternalID("customer.externalId", r.ExternalID); err != nil {
			return err
		}
		// The holder's and the account's ids add a two-character suffix.
		if len(r.ExternalID) > MaxExternalIDLen-2 {
			return appErr("customer.externalId", "must be at most %d characters here (the holder's and account's ids add two)", MaxExternalIDLen-2)
		}
	}
	if r.DateOfBirth != "" {
		if err := ValidateDateOfBirth(holder+".dateOfBirth", r.DateOfBirth, today); err != nil {
			return err
		}
	}
	if r.Prefix != "" {
		if err := ValidateUserNamePrefix("customer.prefix", r.Prefix); err != nil {
			return err
		}
	}
	if r.UserName != "" {
		if err := ValidateUserNameFormat("customer.userName", r.UserName); err != nil {
			return err
		}
	}
	if r.BaseCurrency != "" {
		if err := checkBaseCurrency("accounts[0].baseCurrency", r.BaseCurrency); err != nil {
			return err
		}
	}
	if len(r.Documents) > 0 {
		holders := []string{HolderName(r.FirstName, r.MiddleName, r.LastName)}
		if err := checkApplicationDocuments(r.Documents, holders); err != nil {
			return err
		}
	}
	return nil
}

func checkBaseCurrency(field string, c Currency) error {
	if err := ValidateCurrency(field, c); err != nil {
		return err
	}
	if !gen.AccountBaseCurrency(c).Valid() {
		return inputErr(field, ErrUnknownCurrency, "%s cannot be an account's base currency", c)
	}
	return nil
}

// application builds the application schema of the registration.
func (r HybridRegistration) application() gen.Application {
	name := gen.IndividualName{First: &r.FirstName, Last: &r.LastName}
	if r.MiddleName != "" {
		name.Middle = &r.MiddleName
	}
	country := r.Country
	holder := gen.AssociatedIndividual{
		Name:             &name,
		Email:            &r.Email,
		ResidenceAddress: &gen.ResidenceAddress{Country: &country},
	}
	if r.DateOfBirth != "" {
		holder.DateOfBirth = &r.DateOfBirth
	}
	typ := gen.CustomerTypeINDIVIDUAL
	cust := &gen.Customer{
		Type:                  &typ,
		Email:                 &r.Email,
		LegalResidenceCountry: &country,
		AccountHolder:         &gen.IndividualApplicant{AccountHolderDetails: &[]gen.AssociatedIndividual{holder}},
	}
	app := gen.Application{Customer: cust}
	if r.ExternalID != "" {
		cust.ExternalId = &r.ExternalID
		hid := r.ExternalID + "-h"
		holder.ExternalId = &hid
		(*cust.AccountHolder.AccountHolderDetails)[0] = holder
	}
	if r.Prefix != "" {
		cust.Prefix = &r.Prefix
	}
	if r.UserName != "" {
		cust.UserName = &r.UserName
	}
	if r.BaseCurrency != "" || r.ExternalID != "" {
		acct := gen.Account{}
		if r.BaseCurrency != "" {
			bc := gen.AccountBaseCurrency(r.BaseCurrency)
			acct.BaseCurrency = &bc
		}
		if r.ExternalID != "" {
			aid := r.ExternalID + "-a"
			acct.ExternalId = &aid
		}
		app.Accounts = &[]gen.Account{acct}
	}
	return app
}

// Registration is what IBKR answered to an application.
type Registration struct {
	// AccountID, UserName and ExternalID identify the new account, its
	// user and the caller's id for it.
	AccountID, UserName, ExternalID string
	// Status is the account's status, N for a new application.
	Status AccountStatus
	// PendingTasks are the tasks required before IBKR opens the account,
	// such as 8001 (proof of identity) and 8002 (proof of address).
	PendingTasks []Task
	// RequestID is IBKR's id of the request (see RequestStatus);
	// Submitted when IBKR received it.
	RequestID ID
	Submitted time.Time
}

// Register creates an account through IBKR's hybrid registration (POST
// /gw/api/v1/accounts, signed): r is checked first, then sent as the
// minimal application. The answer carries the account id, user name and
// pending tasks. The user then completes the application in IBKR's
// portal (see CreateSSOSession).
func (c *Client) Register(ctx context.Context, r HybridRegistration) (*Registration, error) {
	if err := r.Validate(c.clock.Now()); err != nil {
		return nil, err
	}
	return c.createAccount(ctx, r.application(), r.Documents)
}

// FullRegistration is a full-integration application: every field of
// IBKR's application schema (customer, account holders, accounts, users,
// tax forms, agreements), with the documents attached to it.
// Full integration needs IBKR's approval of the hosting firm.
type FullRegistration struct {
	// Application is the application schema (package gen mirrors it
	// field by field). Leave Application.Documents empty and use
	// Documents below, whose timestamps and checksums are built and
	// checked by NewDocument.
	Application gen.Application
	// Documents are the signed agreements, tax forms and KYC documents.
	Documents []Document
}

// Validate checks the documented rules that hold for every application:
// see ValidateApplication.
func (r FullRegistration) Validate(today time.Time) error {
	if r.Application.Documents != nil && len(*r.Application.Documents) > 0 {
		return appErr("application.documents", "attach documents through FullRegistration.Documents (built with NewDocument)")
	}
	holders, err := ValidateApplication(&r.Application, today)
	if err != nil {
		return err
	}
	if len(r.Documents) > 0 {
		return checkApplicationDocuments(r.Documents, holders)
	}
	return nil
}

// RegisterApplication creates an account from a full application (POST
// /gw/api/v1/accounts, signed), after checking it with Validate.
func (c *Client) RegisterApplication(ctx context.Context, r FullRegistration) (*Registration, error) {
	if err := r.Validate(c.clock.Now()); err != nil {
		return nil, err
	}
	return c.createAccount(ctx, r.Application, r.Documents)
}

// applicationBody is the wire form of an application: the schema with
// the facade's documents in place of the generated ones (the outer field
// wins in encoding/json).
type applicationBody struct {
	Application applicationWithDocs `json:"application"`
}

type applicationWithDocs struct {
	*gen.Application
	Documents []Document `json:"documents,omitempty"`
}

func (c *Client) createAccount(ctx context.Context, app gen.Application, docs []Document) (*Registration, error) {
	body, err := jsonBody(applicationBody{Application: applicationWithDocs{Application: &app, Documents: docs}})
	if err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpCreateAccounts, body: body, build: func(server string) (*http.Request, error) {
		return gen.NewCreateAccountsRequestWithBody(server, contentTypeJSON, nil)
	}}, gen.ParseCreateAccountsResponse)
	res, err := typedAnswer(r, err, (*gen.CreateAccountsResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	return registrationFrom(res)
}

// registrationFile is the part of an account creation answer's file data
// the facade reads.
type registrationFile struct {
	AccountID    string            `json:"accountId"`
	UserName     string            `json:"userName"`
	Username     string            `json:"username"`
	ExternalID   string            `json:"externalId"`
	Status       string            `json:"status"`
	PendingTasks []gen.PendingTask `json:"pendingTasks"`
	HasError     bool              `json:"hasError"`
	ErrorMessage string            `json:"errorDescription"`
}

func registrationFrom(res *gen.StatusResponse) (*Registration, error) {
	out := &Registration{RequestID: unptr(res.RequestId), Submitted: unptr(res.DateSubmitted)}
	if res.FileData == nil || res.FileData.Data == nil {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "createAccounts"}, StatusCode: 200, Message: "answer carries no account data"}
	}
	b, err := json.Marshal(*res.FileData.Data)
	if err != nil {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "createAccounts"}, StatusCode: 200, Message: "answer's account data is not JSON"}
	}
	var f registrationFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "createAccounts"}, StatusCode: 200, Message: fmt.Sprintf("answer's account data: %v", err)}
	}
	if f.HasError {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "createAccounts"}, StatusCode: 200, Message: clipText(f.ErrorMessage)}
	}
	if f.AccountID == "" {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "createAccounts"}, StatusCode: 200, Message: "answer names no account"}
	}
	out.AccountID, out.UserName, out.ExternalID = f.AccountID, f.UserName, f.ExternalID
	if out.UserName == "" {
		out.UserName = f.Username
	}
	out.Status = AccountStatus(f.Status)
	for _, p := range f.PendingTasks {
		out.PendingTasks = append(out.PendingTasks, pendingTask(p))
	}
	return out, nil
}

// checkApplicationDocuments checks documents sent with an application or
// maintenance request: a valid batch whose signers are holders.
func checkApplicationDocuments(docs []Document, holders []string) error {
	if err := (DocumentBatch{Documents: docs}).Validate(); err != nil {
		return err
	}
	for i, d := range docs {
		if err := checkSigners(d.SignedBy, holders); err != nil {
			var e *InputError
			if errors.As(err, &e) {
				e.Field = fmt.Sprintf("documents[%d].%s", i, e.Field)
			}
			return err
		}
	}
	return nil
}

// FindApplication looks up the application sent with externalID (GET
// /gw/api/v1/accounts?externalId=...). Use it when Register or
// RegisterApplication failed with ErrOutcomeUnknown: IBKR may have
// created the account although its answer was lost, and sending the
// application again would open a second one (IBKR refuses a second
// application with the same externalId: an error matching
// ErrAlreadyProcessed). It returns an error matching ErrNotFound when IBKR
// knows no application with that id.
func (c *Client) FindApplication(ctx context.Context, externalID string) (*Registration, error) {
	if err := ValidateExternalID("externalId", externalID); err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpListAccounts, build: func(server string) (*http.Request, error) {
		return gen.NewListAccountsRequest(server, &gen.ListAccountsParams{ExternalId: &externalID})
	}}, gen.ParseListAccountsResponse)
	res, err := typedAnswer(r, err, (*gen.ListAccountsResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	b, err := res.MarshalJSON()
	if err != nil {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "listAccounts"}, StatusCode: 200, Message: "answer is not JSON"}
	}
	var body struct {
		AccountID string `json:"accountId"`
		Data      struct {
			registrationFile
			Accounts []registrationFile `json:"accounts"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "listAccounts"}, StatusCode: 200, Message: fmt.Sprintf("answer: %v", err)}
	}
	candidates := append(body.Data.Accounts, body.Data.registrationFile)
	if body.AccountID != "" {
		candidates = append(candidates, registrationFile{AccountID: body.AccountID, ExternalID: externalID})
	}
	for _, f := range candidates {
		if f.AccountID == "" || (f.ExternalID != "" && f.ExternalID != externalID) {
			continue
		}
		reg := &Registration{AccountID: f.AccountID, UserName: f.UserName, ExternalID: externalID, Status: AccountStatus(f.Status)}
		if reg.UserName == "" {
			reg.UserName = f.Username
		}
		return reg, nil
	}
	return nil, &APIError{CallInfo: CallInfo{OperationID: "listAccounts"}, StatusCode: 404, Message: "no application with this externalId"}
}
