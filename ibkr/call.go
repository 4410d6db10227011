package ibkr

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// The call descriptor. A facade method knows everything about its request:
// the operation, the body, the clientInstructionId it put there, whether
// it resumes an earlier request, the journal and the retry policy. It
// says so in one typed value, a call, and hands it to the pipeline's one
// entry point, invoke. Nothing is re-discovered from the URL or the body,
// and nothing travels in the context. Only Raw(), whose callers hand the
// pipeline a finished *http.Request, identifies the operation from its
// method and path and the ids from its body (Client.do).
//
//	return invokeAs(ctx, c, call{
//		op:    optable.OpGetAccountsStatus,
//		build: func(server string) (*http.Request, error) { return gen.NewGetAccountsStatusRequest(server, accountID) },
//	}, gen.ParseGetAccountsStatusResponse)
//
// The pipeline signs SIGNED_JWT bodies, retries or reconciles per the
// call's retry policy, and turns every non-2xx into an error; typedAnswer
// makes sure a 2xx carried the typed body.

// call is one request of a facade method, described to the pipeline.
type call struct {
	// op is the operation, from the generated table (optable.Op…).
	op *optable.Operation
	// build is the generated New…Request function of op, with the call's
	// parameters bound; a body, if any, is in body (build gets none).
	build func(server string) (*http.Request, error)
	// body is the JSON body, or nil.
	body []byte
	// cid is the clientInstructionId of a single-instruction body, zero
	// if the body has none. A facade method allocates or checks it before
	// building the body; the pipeline takes it as it is.
	cid ID
	// cids are the clientInstructionIds of a bulk body, in order.
	cids []ID
	// opts are the caller's per-call options.
	opts callOptions
}

// CallOption configures one call: pass it to a facade method that takes
// options (the money-moving ones, InstructionStatus) or to Raw. It is the
// per-call counterpart of the client's Option, in the manner of
// aws-sdk-go-v2's per-operation option functions.
type CallOption func(*callOptions)

// callOptions are the per-call settings a CallOption changes.
type callOptions struct {
	resume  bool
	journal Journal
	retry   *RetryPolicy
}

// WithResume marks the call as the resume of a state-changing request
// that may have been sent before with the same clientInstructionId (after
// a crash, or an *OutcomeUnknownError): the client looks the id up first,
// returns IBKR's result if it has the instruction, and sends the request,
// with the same id, only if IBKR never received it. The id is not refused
// as reused. A bulk call looks each item up and sends only the items IBKR
// never received; bulk bodies sent through Raw are sent as they are (IBKR
// refuses instructions it already has).
func WithResume() CallOption {
	return func(o *callOptions) { o.resume = true }
}

// WithCallJournal records this money-moving call in j instead of the
// client's journal (WithJournal). A nil j changes nothing.
func WithCallJournal(j Journal) CallOption {
	return func(o *callOptions) {
		if j != nil {
			o.journal = j
		}
	}
}

// WithCallRetry sets the retry policy of this call. Its zero fields take
// the values the call would have had without it (the operation's policy,
// WithOperationRetry, else the client's). The retry budget stays the
// client's.
func WithCallRetry(p RetryPolicy) CallOption {
	return func(o *callOptions) { o.retry = &p }
}

// collectOptions applies opts in order.
func collectOptions(opts []CallOption) callOptions {
	var o callOptions
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// invoke is the pipeline's entry point for the facade: it sends the call
// described by k and returns its 2xx answer or an error.
func (c *Client) invoke(ctx context.Context, k *call) (*http.Response, error) {
	req, err := k.build(c.baseURL)
	if err != nil {
		return nil, fmt.Errorf("ibkr: %s: %w", k.op.ID, err)
	}
	policy, err := c.policyFor(k.op.ID, k.opts.retry)
	if err != nil {
		return nil, err
	}
	if err := c.maintenanceGate(ctx, *k.op); err != nil {
		return nil, err
	}
	if len(k.body) > 0 && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", contentTypeJSON)
	}
	o := &outgoing{op: *k.op, method: req.Method, url: req.URL, header: req.Header, body: k.body,
		resume: k.opts.resume, policy: policy}
	if !k.cid.IsZero() {
		o.ids = bodyIDs{single: k.cid, hasSingle: true}
	} else if len(k.cids) > 0 {
		o.ids = bodyIDs{bulk: k.cids}
	}
	return c.run(ctx, o)
}

// invokeAs is invoke followed by the generated Parse…Response of the
// operation.
func invokeAs[R any](ctx context.Context, c *Client, k call, parse func(*http.Response) (R, error)) (R, error) {
	resp, err := c.invoke(ctx, &k)
	if err != nil {
		var zero R
		return zero, err
	}
	return parse(resp)
}

// tableRequest builds a request for an operation from the table alone:
// its method and path, which must have no parameters. ReconcileJournal
// replays journaled bodies with it, knowing only the operationId.
func tableRequest(op *optable.Operation) func(server string) (*http.Request, error) {
	return func(server string) (*http.Request, error) {
		if strings.Contains(op.Path, "{") {
			return nil, invalid("operation", "%s has path parameters", op.ID)
		}
		req, err := http.NewRequest(op.Method, server+op.Path, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", contentTypeJSON)
		return req, nil
	}
}

// contentTypeJSON is the content type of JSON bodies.
const contentTypeJSON = "application/json"

// jsonBody encodes v as a call's body. Amounts (Decimal) and ids (ID)
// encode as exact JSON numbers.
func jsonBody(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, invalid("body", "cannot encode request: %v", err)
	}
	return b, nil
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
