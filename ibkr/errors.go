package ibkr

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors. Every error the facade returns matches at most one of
// these with errors.Is, through any wrapping, except that an
// *OutcomeUnknownError also matches the sentinel of its cause (for example
// ErrServer for a 5xx); *APIError, *InputError, *MaintenanceError and
// *OutcomeUnknownError carry the details.
var (
	// ErrInvalidInput: a request was refused locally before anything was
	// sent. The error is an *InputError naming the field.
	ErrInvalidInput = errors.New("ibkr: invalid input")
	// ErrUnauthorized: HTTP 401, the access token or client assertion was
	// refused.
	ErrUnauthorized = errors.New("ibkr: unauthorized")
	// ErrForbidden: HTTP 403, typically a scope the client was not granted.
	ErrForbidden = errors.New("ibkr: forbidden")
	// ErrNotFound: HTTP 404.
	ErrNotFound = errors.New("ibkr: not found")
	// ErrRateLimited: HTTP 429 after the retry policy gave up.
	ErrRateLimited = errors.New("ibkr: rate limited")
	// ErrMaintenance: the endpoint is inside one of IBKR's documented
	// downtime windows (or IBKR answered 503 for maintenance).
	ErrMaintenance = errors.New("ibkr: maintenance window")
	// ErrRejected: IBKR refused the request on business grounds (HTTP 422),
	// or an instruction ended REJECTED.
	ErrRejected = errors.New("ibkr: rejected")
	// ErrOutcomeUnknown: a state-changing request may or may not have taken
	// effect and reconciliation could not tell. The error carries the
	// clientInstructionId to reconcile with later; never resend with a new id.
	ErrOutcomeUnknown = errors.New("ibkr: outcome unknown")
	// ErrServer: HTTP 5xx that is not maintenance.
	ErrServer = errors.New("ibkr: server error")
	// ErrBadRequest: HTTP 400, IBKR found the request malformed.
	ErrBadRequest = errors.New("ibkr: bad request")
	// ErrTimeout: a waiter ran out of time before a terminal state.
	ErrTimeout = errors.New("ibkr: wait timed out")
	// ErrAlreadyProcessed: createAccounts answered "Already Processed", IBKR
	// has an application with this externalId. Nothing new was opened;
	// FindApplication returns the earlier one.
	ErrAlreadyProcessed = errors.New("ibkr: application already processed")
)

// CallInfo is what every error of a call carries, once: the operation and
// the request's clientInstructionId. APIError, RequestError,
// OutcomeUnknownError, RejectedError, MaintenanceError and
// WaitTimeoutError embed it, so e.OperationID and e.ClientInstructionID
// read alike on each; InstructionIDOf finds it through any wrapping.
type CallInfo struct {
	// OperationID is the spec's operationId of the call, e.g.
	// "createBankInstructions" (empty when not known).
	OperationID string
	// ClientInstructionID is the id of the request's single instruction,
	// zero if it has none.
	ClientInstructionID ID
}

func (c *CallInfo) callInfo() *CallInfo { return c }

// APIError is a non-2xx answer from IBKR, or one whose body could not be
// used. It never holds secrets: bodies are reduced to IBKR's error fields.
type APIError struct {
	// CallInfo names the operation and the request's clientInstructionId,
	// when it had one.
	CallInfo
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is IBKR's error code when it sent one (errorCode, or the problem
	// type), e.g. "ERROR_INSTRUCTION_NOT_IN_PENDING_VERIFICATION_STATE".
	Code string
	// Message is IBKR's human-readable message (errorMessage, detail or
	// title).
	Message string
	// RequestID is the request identifier from the response headers, if any.
	RequestID string
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
	// InvalidArguments lists fields IBKR named as missing or invalid.
	InvalidArguments []string
}

// Error implements error.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("ibkr: ")
	if e.OperationID != "" {
		b.WriteString(e.OperationID)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if len(e.InvalidArguments) > 0 {
		b.WriteString(" (fields: " + strings.Join(e.InvalidArguments, ", ") + ")")
	}
	if !e.ClientInstructionID.IsZero() {
		b.WriteString(" [clientInstructionId " + e.ClientInstructionID.String() + "]")
	}
	if e.RequestID != "" {
		b.WriteString(" [request " + e.RequestID + "]")
	}
	return b.String()
}

// Is maps the status to the package's sentinels.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRejected:
		return e.StatusCode == http.StatusUnprocessableEntity
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrMaintenance:
		return e.StatusCode == http.StatusServiceUnavailable && strings.Contains(strings.ToLower(e.Message+e.Code), "maintenance")
	case ErrServer:
		return e.StatusCode >= 500
	case ErrAlreadyProcessed:
		return e.OperationID == "createAccounts" && strings.EqualFold(strings.TrimSpace(e.Message), "Already Processed")
	}
	return false
}

// InputError reports a request refused locally, before any byte was sent.
// It names the field and the rule; it never repeats a secret value (bank
// account numbers, tax ids, keys).
type InputError struct {
	// Field names the offending input by one rule:
	//
	//   - a value sent to IBKR is named as on the wire, as api/openapi.yaml
	//     spells it (the JSON property, query or path parameter), with dots
	//     for nesting: "bankRoutingNumber", "amount", "currency",
	//     "pendingInstructionId", "customer.email",
	//     "recurringInstructionDetail.startDate";
	//   - a value never sent (a client option, a call option, a local
	//     argument) is named as the Go parameter or option it comes from,
	//     in lowerCamelCase: "baseURL", "clientID", "keyID", "privateKey",
	//     "environment", "maxWait".
	//
	// So the same name reaches the caller whether IBKR or this package
	// refused a sent value, and an error about a local setting never looks
	// like one about the request.
	Field string
	// Reason says what rule was broken.
	Reason string
	// Err is a more specific cause, if any; errors.Is also matches
	// ErrInvalidInput.
	Err error
}

// Error implements error.
func (e *InputError) Error() string {
	if e.Field == "" {
		return "ibkr: invalid input: " + e.Reason
	}
	return "ibkr: invalid " + e.Field + ": " + e.Reason
}

// Is matches ErrInvalidInput.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

// Unwrap returns the specific cause.
func (e *InputError) Unwrap() error { return e.Err }

// invalid builds an *InputError.
func invalid(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// RequestError reports a state-changing request that failed before IBKR
// received it: it was refused locally (for instance a reused
// clientInstructionId), the journal could not record it, the context
// ended before sending, or a maintenance window or the rate limit stopped
// it. It is safe to send again, with the same id and WithResume or a
// new one. errors.Is sees through it to the cause.
type RequestError struct {
	// CallInfo names the operation and the id the request was to be sent
	// with (zero if none was allocated yet).
	CallInfo
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *RequestError) Error() string {
	var b strings.Builder
	b.WriteString("ibkr: " + e.OperationID + ": not sent")
	if !e.ClientInstructionID.IsZero() {
		b.WriteString(" [clientInstructionId " + e.ClientInstructionID.String() + "]")
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }

// InstructionIDOf returns the clientInstructionId an error of a facade
// call carries (*RequestError, *APIError, *OutcomeUnknownError,
// *RejectedError or *WaitTimeoutError, through any wrapping): the
// CallInfo of the outermost one.
func InstructionIDOf(err error) (ID, bool) {
	var c interface{ callInfo() *CallInfo }
	if errors.As(err, &c) {
		id := c.callInfo().ClientInstructionID
		return id, !id.IsZero()
	}
	return ID{}, false
}

// OutcomeUnknownError reports a state-changing request that may or may not
// have taken effect. errors.Is(err, ErrOutcomeUnknown) holds, and Unwrap
// returns what made the outcome unknown (a transport error, the caller's
// context error, or an *APIError for a 5xx).
type OutcomeUnknownError struct {
	// CallInfo names the operation and the id of a single-instruction
	// request: look it up later with GET
	// /gw/api/v1/client-instructions/{id}.
	CallInfo
	// ClientInstructionIDs lists the ids of a bulk request.
	ClientInstructionIDs []ID
	// Err is the cause.
	Err error
	// LookupErr is why the reconciliation lookup did not settle it, if one
	// was made.
	LookupErr error
}

// Error implements error.
func (e *OutcomeUnknownError) Error() string {
	var b strings.Builder
	b.WriteString("ibkr: " + e.OperationID + ": outcome unknown")
	switch {
	case !e.ClientInstructionID.IsZero():
		b.WriteString(" for clientInstructionId " + e.ClientInstructionID.String())
	case len(e.ClientInstructionIDs) > 0:
		b.WriteString(" for clientInstructionIds ")
		for i, id := range e.ClientInstructionIDs {
			if i > 0 {
				b.WriteString(",")
			}
			if i == 5 {
				b.WriteString(fmt.Sprintf("... (%d in all)", len(e.ClientInstructionIDs)))
				break
			}
			b.WriteString(id.String())
		}
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	if e.LookupErr != nil {
		b.WriteString("; lookup: " + e.LookupErr.Error())
	}
	if !e.ClientInstructionID.IsZero() || len(e.ClientInstructionIDs) > 0 {
		b.WriteString("; look the id up (or resend with ibkr.WithResume), never resend with a new id")
	}
	return b.String()
}

// Is matches ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// Unwrap returns the cause.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// RejectedError reports an instruction IBKR answered, or later reported,
// as REJECTED: errors.Is(err, ErrRejected) holds. It carries IBKR's code
// and message. (A request IBKR refuses outright with HTTP 422 is an
// *APIError, which matches ErrRejected too.)
type RejectedError struct {
	// CallInfo carries the instruction's clientInstructionId (and the
	// operation, when the rejection is the answer of a call).
	CallInfo
	// Instruction is IBKR's account of the rejected instruction.
	Instruction *Instruction
	// Code and Message are IBKR's error code and message (or
	// description).
	Code, Message string
	// AttemptsLeft is, for a failed micro-deposit verification, how many
	// attempts IBKR still allows (0: none, the ACH instruction is
	// rejected); -1 otherwise or when IBKR did not say.
	AttemptsLeft int
	// Err is a more specific cause, such as ErrMicroDepositMismatch.
	Err error
}

// Error implements error.
func (e *RejectedError) Error() string {
	var b strings.Builder
	b.WriteString("ibkr: ")
	if e.Instruction != nil && e.Instruction.Type != "" {
		b.WriteString(e.Instruction.Type + " ")
	}
	b.WriteString("rejected")
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + scrubText(e.Message))
	}
	if e.AttemptsLeft >= 0 && attemptsLeft(e.Message) < 0 { // IBKR's text may already say it
		b.WriteString(" (" + strconv.Itoa(e.AttemptsLeft) + " attempts left)")
	}
	if id := e.instructionID(); !id.IsZero() {
		b.WriteString(" [clientInstructionId " + id.String() + "]")
	}
	return b.String()
}

// instructionID is the rejected instruction's id.
func (e *RejectedError) instructionID() ID { return e.callInfo().ClientInstructionID }

// callInfo falls back on the instruction's own id.
func (e *RejectedError) callInfo() *CallInfo {
	if e.ClientInstructionID.IsZero() && e.Instruction != nil {
		return &CallInfo{OperationID: e.OperationID, ClientInstructionID: e.Instruction.ClientInstructionID}
	}
	return &e.CallInfo
}

// Is matches ErrRejected.
func (e *RejectedError) Is(target error) bool { return target == ErrRejected }

// Unwrap returns the specific cause, if any.
func (e *RejectedError) Unwrap() error { return e.Err }

// MaintenanceError reports a call refused locally because its endpoint is
// inside one of IBKR's maintenance windows. errors.Is(err, ErrMaintenance)
// holds.
type MaintenanceError struct {
	// CallInfo names the refused operation.
	CallInfo
	// Group is MaintenanceAccounts or MaintenanceBanking.
	Group string
	// Start and End bound the window (End is when calls may resume).
	Start, End time.Time
}

// Error implements error.
func (e *MaintenanceError) Error() string {
	end := e.End.In(eastern())
	return fmt.Sprintf("ibkr: %s: IBKR %s endpoints are in a maintenance window until %s (%s)",
		e.OperationID, e.Group, end.Format("Mon 2006-01-02 15:04 MST"), e.End.UTC().Format(time.RFC3339))
}

// Is matches ErrMaintenance.
func (e *MaintenanceError) Is(target error) bool { return target == ErrMaintenance }

// WaitTimeoutError reports a waiter that ran out of time before a terminal
// state. errors.Is(err, ErrTimeout) holds. It carries the last value polled
// and the last poll's error, if any, without wrapping the latter.
type WaitTimeoutError struct {
	// CallInfo carries the awaited instruction's id, when the wait was
	// for an instruction.
	CallInfo
	// What names the awaited object.
	What string
	// MaxWait is the wait's bound.
	MaxWait time.Duration
	// Attempts counts the polls made.
	Attempts int
	// Last is the last value polled (nil if no poll succeeded).
	Last any
	// LastErr is the last poll's transient error, if the last poll failed.
	LastErr error
}

// Error implements error.
func (e *WaitTimeoutError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ibkr: waiting for %s: no terminal state after %s (%d polls)", e.What, e.MaxWait, e.Attempts)
	if e.Last != nil {
		if s, ok := e.Last.(fmt.Stringer); ok {
			b.WriteString("; last seen: " + s.String())
		}
	}
	if e.LastErr != nil {
		b.WriteString("; last poll failed: " + e.LastErr.Error())
	}
	if !e.ClientInstructionID.IsZero() {
		b.WriteString(" [clientInstructionId " + e.ClientInstructionID.String() + "]")
	}
	return b.String()
}

// Is matches ErrTimeout.
func (e *WaitTimeoutError) Is(target error) bool { return target == ErrTimeout }

// AccountStatusError reports an account that reached a status it cannot
// open from while being waited for: rejected (R, errors.Is(err,
// ErrRejected)), abandoned (A) or closed (C).
type AccountStatusError struct {
	AccountID string
	Status    AccountStatus
	// Description is IBKR's wording of the status.
	Description string
}

// Error implements error.
func (e *AccountStatusError) Error() string {
	return "ibkr: account " + e.AccountID + " is " + e.Status.String() + ", not open"
}

// Is matches ErrRejected for a rejected account.
func (e *AccountStatusError) Is(target error) bool {
	return target == ErrRejected && e.Status == StatusRejected
}

// sendError is a failure of the HTTP exchange itself (as opposed to a
// failure before sending). sent is false when the request certainly never
// left (dial, DNS or TLS verification failure).
type sendError struct {
	op   string
	err  error
	sent bool
}

func (e *sendError) Error() string { return "ibkr: " + e.op + ": " + e.err.Error() }

func (e *sendError) Unwrap() error { return e.err }

// ErrLeaseLost reports a journal lease its owner no longer holds.
var ErrLeaseLost = errors.New("ibkr: journal lease lost")

// ErrJournalLocked reports a journal file another process (or another
// FileJournal of this process) has open.
var ErrJournalLocked = errors.New("ibkr: journal is open in another process")

// ErrJournalBroken reports a journal that refuses writes after a write it
// could not roll back or flush; reopen it (the file holds every entry
// whose write succeeded).
var ErrJournalBroken = errors.New("ibkr: journal refuses writes until reopened")

// CollisionError reports that IBKR holds, under a journaled request's
// clientInstructionId, an instruction whose contents differ from the
// request: the id was also used for something else (by another process
// with an unsafe allocator, or by hand). It is never a success: the
// journaled request was not carried out under that id.
type CollisionError struct {
	// ClientInstructionID is the id both used.
	ClientInstructionID ID
	// Field names the first content that differs ("instructionType",
	// "amount", "currency" or "accountId").
	Field string
	// Journaled and Found are the two values of Field.
	Journaled, Found string
	// Instruction is what IBKR holds under the id.
	Instruction *Instruction
}

// Error implements error.
func (e *CollisionError) Error() string {
	return "ibkr: clientInstructionId " + e.ClientInstructionID.String() + " collides with another instruction: " +
		e.Field + " is " + clip(e.Found, 40) + " at IBKR, " + clip(e.Journaled, 40) + " in the request"
}

// ErrResponseTooLarge: an answer was larger than the client accepts for
// its operation class (see ResponseLimits). The error is a
// *ResponseTooLargeError.
var ErrResponseTooLarge = errors.New("ibkr: response too large")

// ResponseTooLargeError reports an answer cut off at the client's limit.
// Nothing beyond the limit was read.
type ResponseTooLargeError struct {
	CallInfo
	// Limit is the limit in bytes.
	Limit int64
}

// Error implements error.
func (e *ResponseTooLargeError) Error() string {
	return fmt.Sprintf("ibkr: %s: answer larger than %d bytes (see WithResponseLimits)", e.OperationID, e.Limit)
}

// Is matches ErrResponseTooLarge.
func (e *ResponseTooLargeError) Is(target error) bool { return target == ErrResponseTooLarge }
