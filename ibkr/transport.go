package ibkr

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// The pipeline. Every request, whether from the facade, from Raw() or the
// client's own token and reconciliation requests, goes through it:
//
//	identify the operation (optable.Match)
//	→ maintenance window → instruction ids (fill in, check reuse)
//	→ per attempt: maintenance window, access token, rate limiter,
//	  body signing (SIGNED_JWT), send, one forced token refresh on 401
//	→ read-only: retry per RetryPolicy; state-changing: reconcile
//	→ non-2xx: *APIError

const tokenPath = "/oauth2/api/v1/token"

// acceptHeader is the Accept header of requests that name none.
var acceptHeader = []string{"application/json, application/problem+json"}

// doer is the gen.HttpRequestDoer behind Raw(): every request of the
// generated client comes to Client.do with the Raw call's options.
type doer struct {
	c    *Client
	opts callOptions
}

// Do implements gen.HttpRequestDoer.
func (d doer) Do(req *http.Request) (*http.Response, error) { return d.c.do(req, d.opts) }

// outgoing is one logical request on its way through the pipeline.
type outgoing struct {
	op     optable.Operation
	method string
	url    *url.URL
	header http.Header
	body   []byte
	ids    bodyIDs
	build  func() ([]byte, error) // rebuilds the body for every send (token request)
	sends  int
	resume bool         // look the id up before sending (WithResume)
	policy *RetryPolicy // this call's retry policy
	stats  callStats    // for the CallObserver
}

// do is the pipeline's entry point for Raw(): the request is finished, so
// the operation is identified from its method and path and the
// clientInstructionIds from its body (filled in where missing, checked
// for reuse where the caller set them).
func (c *Client) do(req *http.Request, opts callOptions) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("ibkr: reading request body: %w", err)
		}
		body = b
	}
	path := req.URL.EscapedPath()
	if c.basePath != "" {
		if !strings.HasPrefix(path, c.basePath+"/") {
			return nil, invalid("request", "%s is outside the client's base URL", path)
		}
		path = strings.TrimPrefix(path, c.basePath)
	}
	op, ok := optable.Match(req.Method, path)
	// A "." or ".." path value, removed when the URL was resolved, must
	// not turn the generated method's operation into another (intended.go).
	if err := checkIntended(intendedOperation(), op, ok, req.Method, path); err != nil {
		return nil, err
	}
	if !ok {
		return nil, invalid("request", "%s %s is not an operation of the IBKR spec", req.Method, path)
	}
	policy, err := c.policyFor(op.ID, opts.retry)
	if err != nil {
		return nil, err
	}
	if err := c.maintenanceGate(ctx, op); err != nil {
		return nil, err
	}
	// req is this call's own (the generated client builds one per call)
	// and o.header is only read: every send clones it (buildRequest).
	o := &outgoing{op: op, method: req.Method, url: req.URL, header: req.Header, body: body,
		resume: opts.resume, policy: policy}
	if len(body) > 0 && op.Policy != optable.PolicyNone {
		nb, ids, err := c.prepareInstructionIDs(ctx, body, opts.resume)
		if err != nil {
			return nil, err
		}
		o.body, o.ids = nb, ids
	}
	return c.run(ctx, o)
}

// run sends o, a resume starting with the lookup, and reports the call to
// the observer.
func (c *Client) run(ctx context.Context, o *outgoing) (resp *http.Response, err error) {
	if c.observer != nil {
		var start time.Time
		ctx, start = c.observeStart(ctx, o)
		defer func() { c.observeEnd(ctx, o, start, resp, err) }()
	}
	if o.resume && !o.op.ReadOnly && o.ids.hasSingle {
		return c.reconcile(ctx, o, errResumed)
	}
	return c.send(ctx, o)
}

// send runs o under the policy its operation allows.
func (c *Client) send(ctx context.Context, o *outgoing) (*http.Response, error) {
	if o.op.ReadOnly {
		return c.sendRetrying(ctx, o)
	}
	return c.sendWrite(ctx, o)
}

// sendWrite sends a state-changing request once. An answer lost in
// transit or a 5xx makes the outcome unknown: see reconcile.
func (c *Client) sendWrite(ctx context.Context, o *outgoing) (*http.Response, error) {
	resp, err := c.roundTrip(ctx, o, 1)
	if err != nil {
		var se *sendError
		if !errors.As(err, &se) || !se.sent {
			return nil, err // nothing left the client
		}
		return c.unknownOutcome(ctx, o, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		c.budget.earn()
		return resp, nil
	}
	apiErr := c.readError(o, resp)
	if apiErr.StatusCode >= 500 {
		return c.unknownOutcome(ctx, o, apiErr)
	}
	return nil, apiErr
}

// roundTrip makes one attempt: maintenance window, token, rate limit,
// signing, send; a 401 forces one token refresh and one more send. It
// returns the response for any status, a *sendError when the exchange
// failed, or another error when nothing was sent.
func (c *Client) roundTrip(ctx context.Context, o *outgoing, attempt int) (*http.Response, error) {
	refreshed := false
	for {
		if err := c.maintenanceGate(ctx, o.op); err != nil {
			return nil, err
		}
		// The access token first, then the rate token: callers held up
		// by a token fetch would otherwise hold rate tokens paced for
		// earlier and then send together, drawing 429s.
		var tok *token
		if o.op.Policy != optable.PolicyNone {
			t, err := c.tokens.get(ctx)
			if err != nil {
				return nil, fmt.Errorf("ibkr: %s: no access token: %w", o.op.ID, err)
			}
			tok = t
		}
		if err := c.limitWait(ctx, o); err != nil {
			return nil, err
		}
		req, err := c.buildRequest(ctx, o, tok)
		if err != nil {
			return nil, err
		}
		start := c.clock.Now()
		resp, err := c.http.Do(req)
		o.stats.attempts++
		if err != nil {
			se := &sendError{op: o.op.ID, err: err, sent: !notSent(err)}
			c.log.LogAttrs(ctx, levelDebug, "ibkr request failed", attrOp(o.op.ID), attrAttempt(attempt), attrErr(se))
			return nil, se
		}
		// Every answer is read through the operation's limit (readlimit.go).
		boundBody(resp, o.op.ID, c.respLimit.limitFor(o.op.ID))
		if c.log.Enabled(ctx, levelDebug) {
			c.log.LogAttrs(ctx, levelDebug, "ibkr request", attrOp(o.op.ID), attrAttempt(attempt), attrStatus(resp.StatusCode),
				attrDur("elapsed", c.clock.Now().Sub(start)), slog.String("requestId", responseRequestID(resp.Header)))
		}
		o.stats.status = resp.StatusCode
		if resp.StatusCode == http.StatusTooManyRequests {
			o.stats.throttled++
			ra := max(parseRetryAfter(resp.Header.Get("Retry-After"), c.clock.Now()), time.Second)
			c.limits.pause(o.op.ID, c.clock.Now().Add(ra))
		}
		if resp.StatusCode == http.StatusUnauthorized && tok != nil && !refreshed {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
			_ = resp.Body.Close()
			c.tokens.invalidate(tok)
			refreshed = true
			c.log.LogAttrs(ctx, levelInfo, "ibkr access token refused, refreshing once", attrOp(o.op.ID))
			continue
		}
		return resp, nil
	}
}

// buildRequest makes the HTTP request for one send.
func (c *Client) buildRequest(ctx context.Context, o *outgoing, tok *token) (*http.Request, error) {
	body := o.body
	if o.build != nil {
		b, err := o.build()
		if err != nil {
			return nil, err
		}
		body = b
	}
	if o.op.ReadOnly && o.ids.hasSingle && o.sends > 0 {
		// A query's clientInstructionId may not be reused, not even by
		// a retry: take a fresh one.
		id, err := c.ids.next(ctx)
		if err != nil {
			return nil, err
		}
		nb, err := replaceInstructionID(body, id)
		if err != nil {
			return nil, err
		}
		o.body, o.ids.single, body = nb, id, nb
	}
	o.sends++
	ct := o.header.Get("Content-Type")
	if o.op.Signed() {
		if !looksLikeJWS(body) {
			signed, err := c.signer.signBody(body, c.clock.Now())
			if err != nil {
				return nil, err
			}
			body = signed
		}
		ct = "application/jwt"
	}
	var rd io.Reader = http.NoBody
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	// The URL is used as parsed (no String/Parse round trip per send).
	req, err := http.NewRequestWithContext(ctx, o.method, "", rd)
	if err != nil {
		return nil, fmt.Errorf("ibkr: %s: %w", o.op.ID, err)
	}
	u := *o.url
	req.URL, req.Host = &u, u.Host
	// A fresh header map per send, sized for what is added below. Value
	// slices are shared with o.header and between requests: nothing
	// modifies them in place (net/http copies headers before changing
	// them), and sharing saves allocations on every send. The keys set
	// here are canonical, so the map is used directly.
	h := make(http.Header, len(o.header)+4)
	for k, v := range o.header {
		h[k] = v
	}
	req.Header = h
	if len(body) > 0 && ct != "" {
		h["Content-Type"] = []string{ct}
	} else if len(body) == 0 {
		delete(h, "Content-Type")
	}
	if v := h["Accept"]; len(v) == 0 || v[0] == "" {
		h["Accept"] = acceptHeader
	}
	h["User-Agent"] = c.uaHeader
	delete(h, "Authorization")
	if tok != nil {
		h["Authorization"] = tok.authorization
	}
	return req, nil
}

// readError reads a non-2xx answer into an *APIError.
func (c *Client) readError(o *outgoing, resp *http.Response) *APIError {
	e := readAPIError(o.op.ID, resp, c.clock.Now())
	if o.ids.hasSingle {
		e.ClientInstructionID = o.ids.single
	}
	c.log.LogAttrs(context.Background(), levelDebug, "ibkr error answer", attrOp(o.op.ID), attrStatus(e.StatusCode))
	return e
}

// notSent reports transport errors that happen before a request is
// written: dial, DNS and certificate verification failures.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var cv *tls.CertificateVerificationError
	if errors.As(err, &cv) {
		return true
	}
	var ua x509.UnknownAuthorityError
	return errors.As(err, &ua)
}

// looksLikeJWS reports a body that is already a compact JWS.
func looksLikeJWS(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] == '{' || bytes.Count(b, []byte{'.'}) != 2 {
		return false
	}
	for _, ch := range b {
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9', ch == '-', ch == '_', ch == '.':
		default:
			return false
		}
	}
	return true
}
