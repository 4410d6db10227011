package ibkr

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/gen"
)

// FuzzParseAPIError feeds arbitrary error answers (status, Retry-After,
// request id, body) to the decoder behind every *APIError: problem+json,
// IBKR's business rejects, legacy and OAuth error shapes, plain text.
// Whatever comes in, the error keeps the status, maps to the right
// sentinels, stays bounded, and its text carries nothing that looks like
// a secret (tokens, JWS, PEM blocks, long digit runs, tax ids).
func FuzzParseAPIError(f *testing.F) {
	seeds := []struct {
		status     int
		retryAfter string
		body       string
	}{
		{400, "", `{"type":"about:blank","title":"Bad Request","status":400,"detail":"bad","invalidArguments":[{"field":"amount","description":"must be positive"},"x"]}`},
		{422, "", `{"status":422,"instructionResult":{"clientInstructionId":1741705200000001,"instructionStatus":"REJECTED","error":{"errorCode":"ERROR_INSUFFICIENT_FUNDS","errorMessage":"account 000123456789012 lacks funds"}}}`},
		{401, "", `{"error":"invalid_client","error_description":"assertion eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJjIn0.c2ln refused"}`},
		{403, "", `{"error":{"error":"forbidden","errorDescription":"Bearer tok-secret-1-abcdefgh lacks scope"},"hasError":true}`},
		{429, "7", `{"title":"Too Many Requests","status":429}`},
		{503, "Wed, 21 Oct 2015 07:28:00 GMT", `{"detail":"maintenance","status":503}`},
		{500, "", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"},
		{502, "", "<html>bad gateway</html>"},
		{404, "", `{"errorCode":"NOT_FOUND","errorMessage":"tax id 123-45-6789 unknown","message":"m"}`},
		{418, "-1", `[1,2,3]`},
		{400, "", `{"invalidArguments":[{"field":"` + strings.Repeat("a", 300) + `"}]}`},
	}
	for _, s := range seeds {
		f.Add(uint16(s.status-100), s.retryAfter, "req-1", []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, code uint16, retryAfter, requestID string, body []byte) {
		status := 100 + int(code)%500
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		h.Set("X-Request-Id", requestID)
		e := parseAPIError("getClientInstructions", status, h, body, harnessStart)
		if e.StatusCode != status || e.OperationID != "getClientInstructions" {
			t.Fatalf("status/op not kept: %+v", e)
		}
		if e.RetryAfter < 0 {
			t.Fatalf("negative Retry-After %v", e.RetryAfter)
		}
		for _, c := range []struct {
			target error
			want   bool
		}{
			{ErrBadRequest, status == 400}, {ErrUnauthorized, status == 401}, {ErrForbidden, status == 403},
			{ErrNotFound, status == 404}, {ErrRejected, status == 422}, {ErrRateLimited, status == 429},
			{ErrServer, status >= 500}, {ErrInvalidInput, false}, {ErrOutcomeUnknown, false},
		} {
			if errors.Is(e, c.target) != c.want {
				t.Fatalf("HTTP %d: errors.Is(%v) = %v", status, c.target, !c.want)
			}
		}
		if len(e.Code) > 220 || len(e.Message) > 520 || len(e.RequestID) > 140 {
			t.Fatalf("unbounded fields: code %d, message %d, request id %d bytes", len(e.Code), len(e.Message), len(e.RequestID))
		}
		// The structured ClientInstructionID is exact on purpose; the
		// rest of the text must be scrubbed.
		full := e.Error()
		if !e.ClientInstructionID.IsZero() {
			full = strings.Replace(full, "[clientInstructionId "+e.ClientInstructionID.String()+"]", "", 1)
		}
		texts := append([]string{full, e.Code, e.Message, e.RequestID}, e.InvalidArguments...)
		for _, s := range texts {
			if leak := secretShape(s); leak != "" {
				t.Fatalf("error text keeps %s: %q", leak, s)
			}
		}
	})
}

// secretShape names the first secret-looking thing in s that scrubText
// should have removed.
func secretShape(s string) string {
	switch {
	case pemPattern.MatchString(s):
		return "a PEM block"
	case jwtPattern.MatchString(s):
		return "a JWS"
	case digitsPattern.MatchString(s):
		return "a long digit run"
	case taxIDPattern.MatchString(s):
		return "a tax id"
	}
	return ""
}

// FuzzDecodeInstructionAnswer feeds arbitrary 2xx bodies to the generated
// decoders of the two answers the money workflows read (a status poll and
// an accepted instruction), as the facade does after Raw(). Decoding must
// never panic; what decodes re-encodes to JSON that decodes to the same
// value (exact amounts and ids survive the round trip).
func FuzzDecodeInstructionAnswer(f *testing.F) {
	for _, s := range []string{
		benchPollAnswer, benchDepositReply,
		`{"status":202,"instructionSetId":99999999999999999999,"instructionResult":{"clientInstructionId":1,"instructionType":"ACH_INSTRUCTION","instructionStatus":"PENDING_VERIFICATION","instructionId":1,"ibReferenceId":12}}`,
		`{"instructionSetId":1.5}`, `{"instructionResult":{"clientInstructionId":"12"}}`, `null`, `[]`, `{"status":1e3}`,
		`{"instructionType":"DEPOSIT","instructionResult":{"amount":100.10,"currency":"USD"}}`,
	} {
		f.Add(uint16(200), []byte(s))
	}
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		code := 200 + int(status%8)
		resp := func() *http.Response {
			return &http.Response{StatusCode: code, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(body))}
		}
		if r, err := gen.ParseGetClientInstructionsResponse(resp()); err == nil && r.JSON200 != nil {
			if v, err := r.JSON200.AsInstructionResponse(); err == nil {
				roundTrip(t, v)
			}
			if v, err := r.JSON200.AsDepositFundsPollingResponse(); err == nil {
				roundTrip(t, v)
			}
		}
		if r, err := gen.ParseCreateExternalCashTransfersResponse(resp()); err == nil {
			v, terr := typedAnswer(r, nil, (*gen.CreateExternalCashTransfersResponse).GetJSON202)
			if (terr == nil) != (r.JSON202 != nil) {
				t.Fatalf("typedAnswer: %v with JSON202 %v", terr, r.JSON202 != nil)
			}
			if terr == nil {
				roundTrip(t, *v)
			}
		}
	})
}

// roundTrip checks that v survives encode → decode → encode unchanged.
func roundTrip[T any](t *testing.T, v T) {
	t.Helper()
	b1, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("decoded value does not encode: %v", err)
	}
	var w T
	if err := json.Unmarshal(b1, &w); err != nil {
		t.Fatalf("own encoding %s does not decode: %v", b1, err)
	}
	b2, err := json.Marshal(w)
	if err != nil || !bytes.Equal(b1, b2) {
		t.Fatalf("round trip changed the value:\n%s\n%s", b1, b2)
	}
}
