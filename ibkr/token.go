package ibkr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// Access tokens: OAuth 2.0 client credentials with a private_key_jwt
// client assertion, POST /oauth2/api/v1/token, form-encoded. The token is
// cached and refreshed shortly before it expires; concurrent callers share
// one refresh. A 401 on a /gw call invalidates the token once (see
// roundTrip).

const (
	clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// maxRefreshMargin is how long before expiry a token is refreshed
	// (less for short-lived tokens: a fifth of their lifetime).
	maxRefreshMargin = 2 * time.Minute
	// tokenFetchTimeout bounds a refresh shared by several callers, which
	// runs detached from any single caller's cancellation.
	tokenFetchTimeout = 2 * time.Minute
)

type token struct {
	value         string
	authorization []string // the Authorization header value, "Bearer <value>"
	expiry        time.Time
	refreshAt     time.Time
}

type tokenSource struct {
	c *Client

	mu     sync.Mutex
	cur    *token
	flight *tokenFlight
}

// tokenFlight is one token request that many callers wait for.
type tokenFlight struct {
	done   chan struct{}
	tok    *token
	err    error
	joined atomic.Int64 // callers waiting on it (observed by tests)
}

// get returns a valid token, requesting one if needed.
func (ts *tokenSource) get(ctx context.Context) (*token, error) {
	ts.mu.Lock()
	now := ts.c.clock.Now()
	if t := ts.cur; t != nil && now.Before(t.refreshAt) {
		ts.mu.Unlock()
		return t, nil
	}
	f := ts.flight
	if f == nil {
		f = &tokenFlight{done: make(chan struct{})}
		ts.flight = f
		go ts.run(ctx, f)
	}
	f.joined.Add(1)
	ts.mu.Unlock()

	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if f.err != nil {
		ts.mu.Lock()
		t := ts.cur
		ts.mu.Unlock()
		if t != nil && ts.c.clock.Now().Before(t.expiry) {
			return t, nil // the refresh failed but the old token still works
		}
		return nil, f.err
	}
	return f.tok, nil
}

// maxAccessTokenLen bounds the access token the client accepts and then
// sends as a header with every call (IBKR's are a few hundred bytes).
const maxAccessTokenLen = 8 << 10

// headerSafe reports printable ASCII without spaces, as a bearer token is.
func headerSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

func (ts *tokenSource) run(ctx context.Context, f *tokenFlight) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenFetchTimeout)
	defer cancel()
	tok, err := ts.fetch(fctx)
	ts.mu.Lock()
	if err == nil {
		ts.cur = tok
	}
	ts.flight = nil
	f.tok, f.err = tok, err
	ts.mu.Unlock()
	close(f.done)
}

// invalidate drops t if it is still the cached token (a 401 refused it).
func (ts *tokenSource) invalidate(t *token) {
	ts.mu.Lock()
	if ts.cur == t {
		ts.cur = nil
	}
	ts.mu.Unlock()
}

// fetch makes the token request through the pipeline (rate limit,
// retries); every send carries a fresh client assertion.
func (ts *tokenSource) fetch(ctx context.Context) (*token, error) {
	c := ts.c
	op := optable.OpGenerateToken
	u, err := url.Parse(c.tokenURL)
	if err != nil {
		return nil, err
	}
	scope := strings.Join(c.scopes, " ")
	o := &outgoing{
		op:     *op,
		policy: c.tokenPolicy,
		method: http.MethodPost,
		url:    u,
		header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		build: func() ([]byte, error) {
			a, err := c.signer.assertion(c.audience, c.clock.Now())
			if err != nil {
				return nil, err
			}
			form := url.Values{
				"grant_type":            {"client_credentials"},
				"client_assertion_type": {clientAssertionType},
				"client_assertion":      {string(a)},
				"scope":                 {scope},
			}
			return []byte(form.Encode()), nil
		},
	}
	start := c.clock.Now()
	resp, err := c.run(ctx, o)
	if err != nil {
		return nil, err
	}
	parsed, err := gen.ParseGenerateTokenResponse(resp)
	if errors.Is(err, ErrResponseTooLarge) {
		return nil, err
	}
	if err != nil || parsed.JSON200 == nil {
		return nil, &APIError{CallInfo: CallInfo{OperationID: op.ID}, StatusCode: resp.StatusCode, Message: "token answer is not a JSON token response"}
	}
	tr := parsed.JSON200
	if tr.AccessToken == "" {
		return nil, &APIError{CallInfo: CallInfo{OperationID: op.ID}, StatusCode: resp.StatusCode, Message: "token answer has no access_token"}
	}
	if len(tr.AccessToken) > maxAccessTokenLen || !headerSafe(tr.AccessToken) {
		return nil, &APIError{CallInfo: CallInfo{OperationID: op.ID}, StatusCode: resp.StatusCode,
			Message: fmt.Sprintf("access_token is not a printable token of at most %d bytes", maxAccessTokenLen)}
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "Bearer") {
		return nil, &APIError{CallInfo: CallInfo{OperationID: op.ID}, StatusCode: resp.StatusCode, Message: fmt.Sprintf("unsupported token_type %q", clip(tr.TokenType, 20))}
	}
	life := time.Duration(tr.ExpiresIn) * time.Second
	if life <= 0 {
		life = time.Minute
	}
	margin := min(maxRefreshMargin, life/5)
	t := &token{value: tr.AccessToken, authorization: []string{"Bearer " + tr.AccessToken},
		expiry: start.Add(life), refreshAt: start.Add(life - margin)}
	c.log.LogAttrs(ctx, levelDebug, "ibkr access token obtained", attrDur("lifetime", life))
	return t, nil
}

// TokenSource exposes the client's access tokens as an oauth2.TokenSource,
// for code that wants to call IBKR endpoints with its own HTTP stack. It
// shares the client's cache and single refresh. ctx bounds each Token call.
func (c *Client) TokenSource(ctx context.Context) oauth2.TokenSource {
	return &oauthSource{ctx: ctx, ts: c.tokens}
}

type oauthSource struct {
	ctx context.Context
	ts  *tokenSource
}

// Token implements oauth2.TokenSource.
func (s *oauthSource) Token() (*oauth2.Token, error) {
	t, err := s.ts.get(s.ctx)
	if err != nil {
		return nil, err
	}
	// Expiry is the refresh time, so oauth2 wrappers renew in time too.
	return &oauth2.Token{AccessToken: t.value, TokenType: "Bearer", Expiry: t.refreshAt}, nil
}

var _ oauth2.TokenSource = (*oauthSource)(nil)
