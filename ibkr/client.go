package ibkr

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/clock"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// Client talks to IBKR's Web API. It authenticates with OAuth 2.0
// private_key_jwt, signs request bodies where the spec demands SIGNED_JWT,
// keeps each endpoint under its rate limit, knows IBKR's maintenance
// windows, retries only requests that change nothing, and reconciles
// state-changing requests whose answer was lost (see Reconciliation in the package documentation).
//
// A Client is safe for concurrent use; create one per set of credentials
// and share it.
type Client struct {
	baseURL     string // without trailing slash
	basePath    string // path prefix of baseURL, "" or "/prefix"
	tokenURL    string
	clientID    string
	audience    string
	scopes      []string
	signer      *jwsSigner
	http        *http.Client
	log         *slog.Logger
	clock       Clock
	userAgent   string
	uaHeader    []string // the User-Agent header value, built once
	retry       RetryPolicy
	opRetry     map[string]*RetryPolicy // WithOperationRetry, over retry
	tokenPolicy *RetryPolicy            // the token request's policy
	observer    CallObserver
	budget      *retryBudget
	limits      *limiters
	respLimit   ResponseLimits // read limits on answers (readlimit.go)
	maintWait   bool
	maintOff    bool
	ids         *idBook
	journal     Journal       // default journal for money-moving calls; may be nil
	owner       string        // this client's name on journal leases
	leaseTTL    time.Duration // WithLeaseTTL
	inflight    sync.Map      // ID → true: journaled requests this client is sending
	tokens      *tokenSource
	raw         *gen.ClientWithResponses
	tracker     atomic.Pointer[Tracker] // attached settlement tracker (tracker.go)
}

// withoutRedirects returns a copy of hc that does not follow redirects
// (unless the caller set its own CheckRedirect): a 307/308 would replay a
// signed, money-moving POST at another address, and a 302/303 would turn
// it into a GET whose 2xx could pass for the POST's answer. A redirect is
// returned as what it is, a non-2xx answer.
func withoutRedirects(hc *http.Client) *http.Client {
	if hc.CheckRedirect != nil {
		return hc
	}
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// New builds a Client. Credentials are required (WithCredentials or
// WithPrivateKeyPEM); the environment defaults to Production. Every
// problem with the options is reported here as an *InputError
// (errors.Is(err, ErrInvalidInput)), before any request is made: a missing
// client id or key id, a non-RSA key or one under 3072 bits, a plain-http
// base URL that is not loopback, and so on.
func New(opts ...Option) (*Client, error) {
	s := settings{}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&s); err != nil {
			return nil, err
		}
	}
	if !s.credsSet {
		return nil, invalid("credentials", "WithCredentials or WithPrivateKeyPEM is required")
	}
	s.clientID = strings.TrimSpace(s.clientID)
	s.keyID = strings.TrimSpace(s.keyID)
	if s.clientID == "" {
		return nil, invalid("clientID", "missing")
	}
	if s.keyID == "" {
		return nil, invalid("keyID", "missing (the kid IBKR registered for the public key)")
	}
	if err := checkSigningKey(s.key, s.allowWeak); err != nil {
		return nil, err
	}
	if !s.baseSet {
		// No implicit production: a client built for a test must not
		// reach IBKR's live host because an option was forgotten.
		return nil, invalid("environment", "not chosen: pass WithEnvironment(Production), WithEnvironment(QA) or WithBaseURL")
	}
	signer, err := newJWSSigner(s.clientID, s.keyID, s.key)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(s.baseURL)
	if err != nil {
		return nil, invalid("baseURL", "not a URL")
	}
	c := &Client{
		baseURL:   s.baseURL,
		basePath:  strings.TrimRight(u.EscapedPath(), "/"),
		tokenURL:  s.baseURL + tokenPath,
		clientID:  s.clientID,
		audience:  s.audience,
		scopes:    s.scopes,
		signer:    signer,
		http:      s.httpClient,
		log:       s.logger,
		clock:     s.clock,
		userAgent: s.userAgent,
		retry:     s.retry.withDefaults(),
		maintWait: s.maintWait,
		maintOff:  s.maintOff,
		journal:   s.journal,
		respLimit: s.respLimits,
	}
	if c.respLimit == (ResponseLimits{}) {
		c.respLimit = DefaultResponseLimits
	}
	if c.audience == "" {
		c.audience = c.tokenURL
	}
	if len(c.scopes) == 0 {
		c.scopes = AllScopes()
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	c.http = withoutRedirects(c.http)
	if c.log == nil {
		c.log = discardLogger()
	}
	if c.clock == nil {
		c.clock = clock.Real{}
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	c.uaHeader = []string{c.userAgent}
	if s.ratePerSec == 0 {
		s.ratePerSec, s.rateBurst = DefaultRatePerSecond, 1
	}
	alloc := s.ids
	if alloc == nil {
		alloc = newLaneAllocator(c.clock, c.clientID, c.baseURL)
	}
	c.ids = newIDBook(alloc)
	for id, p := range s.opRetry {
		if c.opRetry == nil {
			c.opRetry = map[string]*RetryPolicy{}
		}
		m := p.over(c.retry)
		c.opRetry[id] = &m
	}
	c.tokenPolicy, _ = c.policyFor(optable.OpGenerateToken.ID, nil)
	c.observer = s.observer
	c.budget = newRetryBudget(c.retry)
	c.limits = newLimiters(c.clock, s.ratePerSec, s.rateBurst)
	c.limits.shared = s.rateBudget
	c.owner = newLeaseOwner()
	c.leaseTTL = s.leaseTTL
	if c.leaseTTL == 0 {
		c.leaseTTL = defaultLeaseTTL
	}
	c.tokens = &tokenSource{c: c}
	raw, err := gen.NewClientWithResponses(c.baseURL, gen.WithHTTPClient(doer{c: c}))
	if err != nil {
		return nil, invalid("baseURL", "%v", err)
	}
	c.raw = raw
	return c, nil
}

// Raw returns the generated client for every operation of the spec, wired
// through this client's pipeline: maintenance windows, rate limits, access
// token, body signing (pass the JSON body with content type
// "application/json"; SIGNED_JWT operations are signed on the way out),
// retries and reconciliation. Any non-2xx answer comes back as an error
// (*APIError and friends), never as a response; a response recovered by
// reconciliation is marked, see Reconciled.
//
// Raw is the one path on which the client identifies the operation from
// the request's method and path, and the clientInstructionIds from its
// body: instruction bodies may leave clientInstructionId out (or 0), and
// the client fills in a fresh id; ids the caller sets are checked for
// reuse (ids from NewInstructionID pass once). A request whose path no
// longer matches the generated method's operation (a path value of "." or
// "..", removed while the URL is resolved) is refused as an *InputError
// naming "path", before anything is sent. Answers are read through the
// client's ResponseLimits. Options apply to every request made through the
// returned client, e.g. c.Raw(ibkr.WithResume()) to resume a request sent
// before.
func (c *Client) Raw(opts ...CallOption) *gen.ClientWithResponses {
	if len(opts) == 0 {
		return c.raw
	}
	raw, err := gen.NewClientWithResponses(c.baseURL, gen.WithHTTPClient(doer{c: c, opts: collectOptions(opts)}))
	if err != nil {
		return c.raw // cannot happen: New built c.raw from the same URL
	}
	return raw
}

// BaseURL returns the base URL the client talks to.
func (c *Client) BaseURL() string { return c.baseURL }

// NewInstructionID allocates a clientInstructionId for a request the
// caller is about to send. Persist it before sending if the request moves
// money: after a crash, look it up (GET /gw/api/v1/client-instructions/{id})
// before anything else.
func (c *Client) NewInstructionID(ctx context.Context) (ID, error) { return c.ids.issue(ctx) }

// AllScopes returns every scope an operation of the spec accepts, sorted;
// the default scope request.
func AllScopes() []string {
	set := map[string]bool{}
	for _, op := range optable.Operations {
		for _, s := range op.Scopes {
			set[s] = true
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
