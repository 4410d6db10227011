package ibkr

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseAPIErrorShapes(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		header  http.Header
		body    string
		code    string
		msg     string
		args    []string
		sent    error
		reqID   string
		instrID ID
	}{
		{
			name:   "missing parameter problem",
			status: 400,
			body:   `{"type":"about:blank","title":"Bad Request","status":400,"invalidArguments":[{"field":"instruction.amount","description":"must be positive"},"currency"]}`,
			msg:    "Bad Request", args: []string{"instruction.amount must be positive", "currency"}, sent: ErrBadRequest,
		},
		{
			name:   "business reject",
			status: 422,
			header: http.Header{"X-Request-Id": {"r-1"}},
			body:   `{"type":"https://api.ibkr.com/problems/business-reject","title":"Unprocessable Entity","status":422,"instructionSetId":9,"instructionResult":{"clientInstructionId":1742705200000001,"instructionType":"TRADITIONAL_BANK_INSTRUCTION_VERIFICATION","instructionStatus":"REJECTED","instructionId":12,"error":{"errorCode":"ERROR_INSTRUCTION_NOT_IN_PENDING_VERIFICATION_STATE","errorMessage":"Instruction is not pending verification"}}}`,
			code:   "ERROR_INSTRUCTION_NOT_IN_PENDING_VERIFICATION_STATE", msg: "Instruction is not pending verification",
			sent: ErrRejected, reqID: "r-1", instrID: NewID(1742705200000001),
		},
		{
			name:   "forbidden",
			status: 403,
			body:   `{"type":"about:blank","title":"Forbidden","status":403,"detail":"insufficient scope"}`,
			msg:    "insufficient scope", sent: ErrForbidden,
		},
		{
			name:   "oauth error",
			status: 401,
			body:   `{"error":"invalid_client","error_description":"client assertion expired"}`,
			code:   "invalid_client", msg: "client assertion expired", sent: ErrUnauthorized,
		},
		{
			name:   "legacy error response",
			status: 404,
			body:   `{"hasError":true,"error":{"errorDescription":"account not found"}}`,
			msg:    "account not found", sent: ErrNotFound,
		},
		{
			name:   "plain text",
			status: 502,
			body:   "upstream timeout\n",
			msg:    "upstream timeout", sent: ErrServer,
		},
		{
			name:   "html page",
			status: 504,
			body:   "<html><body>Gateway Timeout</body></html>",
			sent:   ErrServer,
		},
		{
			name:   "maintenance 503",
			status: 503,
			body:   `{"title":"Service Unavailable","detail":"Scheduled maintenance in progress"}`,
			msg:    "Scheduled maintenance in progress", sent: ErrMaintenance,
		},
		{
			name:   "rate limited",
			status: 429,
			header: http.Header{"Retry-After": {"3"}},
			body:   `{"title":"Too Many Requests","status":429}`,
			msg:    "Too Many Requests", sent: ErrRateLimited,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.header
			if h == nil {
				h = http.Header{}
			}
			e := parseAPIError("op", tc.status, h, []byte(tc.body), harnessStart)
			noteErr(e)
			if e.Code != tc.code || e.Message != tc.msg {
				t.Fatalf("code %q message %q, want %q %q", e.Code, e.Message, tc.code, tc.msg)
			}
			if strings.Join(e.InvalidArguments, "|") != strings.Join(tc.args, "|") {
				t.Fatalf("args %q", e.InvalidArguments)
			}
			if !errors.Is(e, tc.sent) {
				t.Fatalf("%v does not match %v", e, tc.sent)
			}
			if e.RequestID != tc.reqID || e.ClientInstructionID != tc.instrID {
				t.Fatalf("request id %q, instruction id %s", e.RequestID, e.ClientInstructionID)
			}
			if tc.status == 429 && e.RetryAfter != 3*time.Second {
				t.Fatalf("retry after %v", e.RetryAfter)
			}
		})
	}
}

func TestAPIErrorScrubsSecrets(t *testing.T) {
	body := `{"title":"Bad Request","detail":"account ` + secretAccountNumber + ` and tax id ` + secretTaxID +
		` rejected; Bearer tok-secret-9-abcdefgh; -----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END RSA PRIVATE KEY-----"}`
	noteSecret("tok-secret-9-abcdefgh")
	e := parseAPIError("createBankInstructions", 400, http.Header{}, []byte(body), harnessStart)
	noteErr(e)
	msg := e.Error()
	for _, s := range []string{secretAccountNumber, secretTaxID, "tok-secret-9", "MIIabc"} {
		if strings.Contains(msg, s) {
			t.Fatalf("error %q leaks %q", msg, s)
		}
	}
	if !strings.Contains(msg, "****9012") || !strings.Contains(msg, "****6789") {
		t.Fatalf("masked values should keep their last 4: %q", msg)
	}
}

func TestRedact(t *testing.T) {
	cases := map[string]string{"123456789": "****6789", "1234": "****", "": "****", " 987654321 ": "****4321"}
	for in, want := range cases {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTypedAnswer(t *testing.T) {
	get := func(r *fakeResp) *string { return r.v }
	s := "ok"
	if v, err := typedAnswer(&fakeResp{200, &s}, nil, get); err != nil || *v != "ok" {
		t.Fatalf("%v %v", v, err)
	}
	_, err := typedAnswer(&fakeResp{200, nil}, nil, get)
	noteErr(err)
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 200 {
		t.Fatalf("a 2xx without the typed body must be an error: %v", err)
	}
	boom := errors.New("boom")
	if _, err := typedAnswer[*fakeResp, string](nil, boom, get); err != boom {
		t.Fatalf("err %v", err)
	}
}

type fakeResp struct {
	code int
	v    *string
}

func (r *fakeResp) StatusCode() int { return r.code }
