package flex

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Error classes. Every error of this package matches at most a few of
// these with errors.Is, through any wrapping; *ServiceError, *InputError,
// *ValueError, *FormatError and *TimeoutError carry the details. No error
// ever holds the token.
var (
	// ErrInvalidInput: a request or option was refused before anything was
	// sent. The error is an *InputError naming the field.
	ErrInvalidInput = errors.New("flex: invalid input")

	// ErrAuth: the token cannot be used (expired, invalid, bound to
	// another IP address, or the Flex Web Service is switched off). The
	// person must change something in IBKR's portal. Matched together
	// with the narrower class below.
	ErrAuth = errors.New("flex: token refused")
	// ErrTokenExpired: code 1012.
	ErrTokenExpired = errors.New("flex: token expired")
	// ErrTokenInvalid: code 1015.
	ErrTokenInvalid = errors.New("flex: token invalid")
	// ErrIPRestricted: code 1013, the token is bound to another address.
	ErrIPRestricted = errors.New("flex: IP restriction")
	// ErrServiceDisabled: code 1011, the Flex Web Service is not enabled.
	ErrServiceDisabled = errors.New("flex: Flex Web Service inactive")

	// ErrQueryInvalid: the query cannot be run as asked (1014 unknown
	// query, 1010 legacy query, 1016 account invalid, 1020 invalid
	// request).
	ErrQueryInvalid = errors.New("flex: query invalid")
	// ErrNoStatement: code 1003, no statement for that query and period.
	ErrNoStatement = errors.New("flex: statement not available")
	// ErrReferenceInvalid: code 1017, the reference code of a generated
	// statement is unknown or expired; a new request is needed.
	ErrReferenceInvalid = errors.New("flex: reference code invalid")

	// ErrRetryLater: IBKR asked to try again shortly (1001, 1004-1009,
	// 1019, 1021). The client retries these by itself until its maximum
	// wait; one still reaching the caller means that wait ran out.
	ErrRetryLater = errors.New("flex: try again later")
	// ErrNotReady: code 1019, the statement is still being generated.
	// Also matches ErrRetryLater.
	ErrNotReady = errors.New("flex: statement not ready")
	// ErrThrottled: code 1018, more than one request per second or ten
	// per minute on the token. The client spaces its own requests so that
	// it never causes this; it comes from other programs using the token.
	ErrThrottled = errors.New("flex: throttled")
	// ErrLockedOut: code 1025 (undocumented), too many failed attempts:
	// IBKR locks the token for a while and retrying extends the lock.
	ErrLockedOut = errors.New("flex: locked out")

	// ErrTimeout: the statement was not ready within the maximum wait.
	// The error is a *TimeoutError.
	ErrTimeout = errors.New("flex: statement not ready in time")
	// ErrBadResponse: the answer was not a Flex answer at all (an HTML
	// page, an empty body, an unexpected HTTP status, a document cut
	// short). The error is a *FormatError.
	ErrBadResponse = errors.New("flex: unexpected answer")
	// ErrNotXML: the query's output format is CSV or text; this package
	// reads XML statements only. The error is a *FormatError.
	ErrNotXML = errors.New("flex: statement is not XML")
	// ErrBadValue: a value of a typed field could not be read. The error
	// is a *ValueError naming the element and attribute.
	ErrBadValue = errors.New("flex: bad value")
)

// InputError is a request refused locally, before any request was sent.
type InputError struct {
	// Field names the input, e.g. "token", "queryID", "baseURL", "from".
	Field string
	// Reason says what is wrong, without repeating a secret.
	Reason string
}

// Error implements error.
func (e *InputError) Error() string { return "flex: " + e.Field + ": " + e.Reason }

// Is matches ErrInvalidInput.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

func inputErr(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// ServiceError is an error code the Flex Web Service answered with
// (IBKR sends these with HTTP 200 in a FlexStatementResponse).
type ServiceError struct {
	// Endpoint is "SendRequest" or "GetStatement".
	Endpoint string
	// Code is IBKR's ErrorCode, e.g. 1015.
	Code int
	// Message is IBKR's ErrorMessage text.
	Message string
}

// Error implements error: the code, IBKR's message and what to do.
func (e *ServiceError) Error() string {
	msg := "flex: "
	if e.Endpoint != "" {
		msg += e.Endpoint + ": "
	}
	msg += "error " + strconv.Itoa(e.Code)
	if e.Message != "" {
		msg += " (" + e.Message + ")"
	}
	if h := e.Hint(); h != "" {
		msg += ": " + h
	}
	return msg
}

// Is matches the classes of the code (see the Err variables).
func (e *ServiceError) Is(target error) bool {
	for _, c := range codeClasses(e.Code) {
		if c == target {
			return true
		}
	}
	return false
}

// Retryable reports a code IBKR documents as "try again shortly".
func (e *ServiceError) Retryable() bool { return retryable(e.Code) }

// Hint tells the person what to change, in IBKR's portal or in the call.
func (e *ServiceError) Hint() string { return codeHint(e.Code) }

// Where the Flex settings live in IBKR's portal (Client Portal: Performance
// & Reports > Flex Queries).
const portalFlex = "IBKR's portal, Performance & Reports > Flex Queries"

func retryable(code int) bool {
	switch code {
	case 1001, 1004, 1005, 1006, 1007, 1008, 1009, 1019, 1021:
		return true
	}
	return false
}

func codeClasses(code int) []error {
	switch code {
	case 1012:
		return []error{ErrAuth, ErrTokenExpired}
	case 1015:
		return []error{ErrAuth, ErrTokenInvalid}
	case 1013:
		return []error{ErrAuth, ErrIPRestricted}
	case 1011:
		return []error{ErrAuth, ErrServiceDisabled}
	case 1010, 1014, 1016, 1020:
		return []error{ErrQueryInvalid}
	case 1003:
		return []error{ErrNoStatement}
	case 1017:
		return []error{ErrReferenceInvalid}
	case 1018:
		return []error{ErrThrottled}
	case 1019:
		return []error{ErrRetryLater, ErrNotReady}
	case 1025:
		return []error{ErrLockedOut}
	}
	if retryable(code) {
		return []error{ErrRetryLater}
	}
	return nil
}

func codeHint(code int) string {
	switch code {
	case 1001, 1004, 1005, 1006, 1007, 1008, 1009, 1021:
		return "IBKR could not produce the statement just now; try again in a few minutes, without re-sending in a loop (repeated failed requests can lock the token, code 1025)"
	case 1003:
		return "IBKR has no statement for this query and period; check the query's period in " + portalFlex + ", or ask for an explicit date range"
	case 1010:
		return "this is a Legacy Flex Query; create an Activity Flex Query in " + portalFlex + " and use its Query ID"
	case 1011:
		return "the Flex Web Service is switched off; enable it in " + portalFlex + " > Flex Web Service Configuration"
	case 1012:
		return "the token has expired; generate a new one in " + portalFlex + " > Flex Web Service Configuration (choose a longer expiry), then use the new token"
	case 1013:
		return "the token is bound to another IP address; call from that address, or generate a token without an IP restriction in " + portalFlex + " > Flex Web Service Configuration"
	case 1014:
		return "IBKR does not know this Query ID for the token's user; copy the Query ID shown next to the query in " + portalFlex
	case 1015:
		return "IBKR does not accept this token; copy the Current Token from " + portalFlex + " > Flex Web Service Configuration (generating a new token invalidates the old one)"
	case 1016:
		return "an account of the query is invalid; check the accounts the query covers in " + portalFlex
	case 1017:
		return "the statement's reference code is unknown or expired; request the statement again"
	case 1018:
		return "too many requests on this token (IBKR allows 1 per second and 10 per minute); wait a minute and make sure no other program uses the same token at the same time"
	case 1019:
		return "the statement is still being generated; wait longer (a larger maximum wait)"
	case 1020:
		return "IBKR could not validate the request; check that the token and the numeric Query ID (not the query's name) belong to the same user, and after changing a query allow IBKR a few minutes"
	case 1025:
		return "IBKR locked the token after too many failed attempts; stop retrying, fix the token or query, and wait about 20 minutes (retrying extends the lock)"
	}
	return ""
}

// TimeoutError reports a statement still not ready when the maximum wait
// ran out. It matches ErrTimeout and, through Last, the last code IBKR
// answered.
type TimeoutError struct {
	// Waited is how long the client waited after SendRequest.
	Waited time.Duration
	// Polls is the number of GetStatement calls made.
	Polls int
	// Last is the last answer, usually a 1019 *ServiceError.
	Last error
}

// Error implements error.
func (e *TimeoutError) Error() string {
	msg := fmt.Sprintf("flex: statement not ready after %s (%d polls)", e.Waited.Round(time.Second), e.Polls)
	if e.Last != nil {
		msg += "; last answer: " + e.Last.Error()
	}
	return msg + "; allow a longer maximum wait or try again later"
}

// Is matches ErrTimeout.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// Unwrap returns the last answer.
func (e *TimeoutError) Unwrap() error { return e.Last }

// FormatError is an answer or document that is not a readable Flex XML
// statement. It matches ErrNotXML for CSV/text statements and
// ErrBadResponse otherwise.
type FormatError struct {
	// Endpoint is "SendRequest" or "GetStatement" for answers; empty for a
	// document given to the decoder.
	Endpoint string
	// Reason describes the problem, e.g. "HTML page instead of XML".
	Reason string
	// Status is the HTTP status of an answer, when that was the problem.
	Status int
	notXML bool
	err    error
}

// Error implements error.
func (e *FormatError) Error() string {
	msg := "flex: "
	if e.Endpoint != "" {
		msg += e.Endpoint + ": "
	}
	msg += e.Reason
	if e.notXML {
		msg += "; set the query's output format to XML in " + portalFlex
	}
	return msg
}

// Is matches ErrNotXML or ErrBadResponse.
func (e *FormatError) Is(target error) bool {
	if e.notXML {
		return target == ErrNotXML
	}
	return target == ErrBadResponse
}

// Unwrap returns the underlying error (an XML syntax error, say).
func (e *FormatError) Unwrap() error { return e.err }

// ValueError is an attribute of a typed record whose value could not be
// read, e.g. an amount that is not a decimal. Value is clipped.
type ValueError struct {
	// Element and Attr name the field, e.g. CashTransaction and amount.
	Element string
	Attr    string
	// Value is the text found (at most 40 characters).
	Value string
	// Line is the line of the document, when known.
	Line int
}

// Error implements error.
func (e *ValueError) Error() string {
	msg := fmt.Sprintf("flex: %s@%s: cannot read %q", e.Element, e.Attr, e.Value)
	if e.Line > 0 {
		msg += fmt.Sprintf(" (line %d)", e.Line)
	}
	return msg
}

// Is matches ErrBadValue.
func (e *ValueError) Is(target error) bool { return target == ErrBadValue }
