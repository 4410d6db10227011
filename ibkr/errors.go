package ibkr

import (
	"errors"
	"fmt"
	"net/http"
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
)

// APIError is a non-2xx answer from IBKR, or one whose body could not be
// used. It never holds secrets: bodies are reduced to IBKR's error fields.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// OperationID is the spec's operationId of the call, e.g.
	// "createBankInstructions".
	OperationID string
	// Code is IBKR's error code when it sent one (errorCode, or the problem
	// type), e.g. "ERROR_INSTRUCTION_NOT_IN_PENDING_VERIFICATION_STATE".
	Code string
	// Message is IBKR's human-readable message (errorMessage, detail or
	// title).
	Message string
	// RequestID is the request identifier from the response headers, if any.
	RequestID string
	// ClientInstructionID is the instruction id of the request, when it had
	// one.
	ClientInstructionID ID
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
	}
	return false
}

// InputError reports a request refused locally, before any byte was sent.
// It names the field and the rule; it never repeats a secret value (bank
// account numbers, tax ids, keys).
type InputError struct {
	// Field is the offending field, in the request's own terms, e.g.
	// "routingNumber" or "amount".
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
