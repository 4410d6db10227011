package ibkr

import (
	"bytes"
	"encoding/json"
	"io"
)

// Helpers for facade methods, which call operations through Raw() with a
// JSON body:
//
//	body, err := jsonBody(req)
//	if err != nil { return nil, err }
//	r, err := c.raw.CreateBankInstructionsWithBodyWithResponse(ctx, contentTypeJSON, body)
//	res, err := typedAnswer(r, err, (*gen.CreateBankInstructionsResponse).GetJSON202)
//
// The pipeline signs SIGNED_JWT bodies, fills in and checks
// clientInstructionIds, retries or reconciles, and turns every non-2xx into
// an error; typedAnswer makes sure a 2xx carried the typed body.

// contentTypeJSON is the content type facade methods pass to Raw().
const contentTypeJSON = "application/json"

// jsonBody encodes v for a Raw() call. Amounts (Decimal) and ids (ID)
// encode as exact JSON numbers.
func jsonBody(v any) (io.Reader, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, invalid("body", "cannot encode request: %v", err)
	}
	return bytes.NewReader(b), nil
}

// generatedResponse is what every generated *XResponse offers.
type generatedResponse interface {
	StatusCode() int
}

// typedAnswer returns the typed body get picks from a generated response,
// or the call's error. A 2xx whose body did not decode into the expected
// type is an *APIError, never a silent nil success.
func typedAnswer[R generatedResponse, T any](r R, err error, get func(R) *T) (*T, error) {
	if err != nil {
		return nil, err
	}
	v := get(r)
	if v == nil {
		return nil, &APIError{StatusCode: r.StatusCode(), Message: "answer has no body of the expected type"}
	}
	return v, nil
}
