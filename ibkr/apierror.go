package ibkr

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 1 << 20

// errorBody is the union of the error shapes IBKR answers with:
// application/problem+json (type, title, detail, status, invalidArguments),
// BusinessRejectResponse and ForbiddenInstructionResponse (errorCode and
// errorMessage inside instructionResult.error), the legacy ErrorResponse
// (error, errorDescription, hasError) and OAuth errors (error,
// error_description).
type errorBody struct {
	Type              string            `json:"type"`
	Title             string            `json:"title"`
	Detail            string            `json:"detail"`
	ErrorCode         string            `json:"errorCode"`
	ErrorMessage      string            `json:"errorMessage"`
	Message           string            `json:"message"`
	Error             json.RawMessage   `json:"error"`
	ErrorDescription  string            `json:"error_description"`
	ErrorDesc         string            `json:"errorDescription"`
	InvalidArguments  []json.RawMessage `json:"invalidArguments"`
	InstructionResult *struct {
		ClientInstructionID json.RawMessage `json:"clientInstructionId"`
		Error               *struct {
			ErrorCode    string `json:"errorCode"`
			ErrorMessage string `json:"errorMessage"`
		} `json:"error"`
	} `json:"instructionResult"`
}

// requestIDHeaders are the response headers that may carry a request id.
var requestIDHeaders = []string{"X-Request-Id", "Request-Id", "X-Correlation-Id", "X-Amzn-Requestid", "X-Amz-Cf-Id"}

// responseRequestID returns the request id an answer carries, if any.
func responseRequestID(h http.Header) string {
	for _, k := range requestIDHeaders {
		if v := h.Get(k); v != "" {
			return scrubText(clip(v, 128))
		}
	}
	return ""
}

// readAPIError turns a non-2xx answer into an *APIError, consuming and
// closing the body.
func readAPIError(opID string, resp *http.Response, now time.Time) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
	return parseAPIError(opID, resp.StatusCode, resp.Header, body, now)
}

// parseAPIError reduces an error answer to IBKR's error fields. Free text
// is scrubbed of anything that looks like a secret.
func parseAPIError(opID string, status int, h http.Header, body []byte, now time.Time) *APIError {
	e := &APIError{CallInfo: CallInfo{OperationID: opID}, StatusCode: status, RequestID: responseRequestID(h)}
	e.RetryAfter = parseRetryAfter(h.Get("Retry-After"), now)

	b := bytes.TrimSpace(body)
	var eb errorBody
	if len(b) > 0 && b[0] == '{' && json.Unmarshal(b, &eb) == nil {
		var nested struct {
			Error            string `json:"error"`
			ErrorDescription string `json:"errorDescription"`
		}
		var errString string
		if len(eb.Error) > 0 {
			if eb.Error[0] == '"' {
				_ = json.Unmarshal(eb.Error, &errString)
			} else if eb.Error[0] == '{' {
				_ = json.Unmarshal(eb.Error, &nested)
			}
		}
		var ir struct{ code, msg string }
		if eb.InstructionResult != nil {
			if eb.InstructionResult.Error != nil {
				ir.code, ir.msg = eb.InstructionResult.Error.ErrorCode, eb.InstructionResult.Error.ErrorMessage
			}
			if raw := eb.InstructionResult.ClientInstructionID; len(raw) > 0 {
				var id ID
				if id.UnmarshalJSON(raw) == nil {
					e.ClientInstructionID = id
				}
			}
		}
		e.Code = firstNonEmpty(ir.code, eb.ErrorCode, errString, problemType(eb.Type))
		e.Message = firstNonEmpty(ir.msg, eb.ErrorMessage, eb.Detail, eb.ErrorDescription, eb.ErrorDesc,
			nested.ErrorDescription, nested.Error, eb.Message, eb.Title)
		if e.Message == e.Code {
			e.Message = ""
		}
		if e.Message != "" && eb.Title != "" && e.Message != eb.Title && eb.Detail == "" && ir.msg == "" && eb.ErrorMessage == "" {
			// Title is the summary when nothing more specific was sent.
			e.Message = eb.Title + ": " + e.Message
		}
		for _, raw := range eb.InvalidArguments {
			var arg struct {
				Field       string `json:"field"`
				Description string `json:"description"`
			}
			var s string
			switch {
			case json.Unmarshal(raw, &arg) == nil && arg.Field != "":
				s = arg.Field
				if arg.Description != "" {
					s += " " + arg.Description
				}
			case json.Unmarshal(raw, &s) == nil:
			}
			if s != "" {
				e.InvalidArguments = append(e.InvalidArguments, scrubText(clip(s, 200)))
			}
		}
	} else if len(b) > 0 && !bytes.HasPrefix(b, []byte("<")) {
		// Plain text; HTML error pages are left out.
		e.Message = string(b)
	}
	e.Code = scrubText(clip(e.Code, 200))
	e.Message = scrubText(clip(strings.Join(strings.Fields(e.Message), " "), 500))
	return e
}

// problemType keeps a problem type unless it is the uninformative
// "about:blank".
func problemType(t string) string {
	if t == "about:blank" {
		return ""
	}
	return t
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
