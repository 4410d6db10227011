package flex

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Clock tells the time and sleeps; the client does every wait (polling,
// throttle, backoff) through it, so tests can drive it without sleeping.
// The default is the wall clock. ibkr.Clock and ibkrtest.FakeClock have
// the same methods.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever comes first, and
	// returns ctx.Err() in the latter case.
	Sleep(ctx context.Context, d time.Duration) error
}

// Defaults.
const (
	// DefaultBaseURL is where IBKR documents SendRequest and GetStatement.
	DefaultBaseURL = "https://ndcdyn.interactivebrokers.com/AccountManagement/FlexWebService"
	// DefaultMaxWait is how long a call waits for a statement being
	// generated before it gives up with ErrTimeout.
	DefaultMaxWait = 5 * time.Minute
	// DefaultMaxStatementBytes bounds a statement's size; a larger one is
	// an error, never silently cut short.
	DefaultMaxStatementBytes = 1 << 30
	// DefaultUserAgent is sent with every request unless WithUserAgent
	// says otherwise (IBKR requires a User-Agent).
	DefaultUserAgent = "ibkr-go-flex/1 (Go; +https://github.com/ibkrweb/ibkr-go)"
)

// IBKR's per-token limit: one request per second and ten per minute,
// counting SendRequest and GetStatement alike.
const (
	perRequestSpacing = time.Second
	perMinuteRequests = 10
)

// Option configures a Client.
type Option func(*config)

type config struct {
	baseURL   string
	hc        *http.Client
	ua        string
	clk       Clock
	maxWait   time.Duration
	firstPoll time.Duration
	maxPoll   time.Duration
	maxBytes  int64
	logger    *slog.Logger
	order     DateOrder
}

// WithBaseURL sets the base URL under which SendRequest and GetStatement
// live (DefaultBaseURL by default), e.g. a local sandbox's
// http://127.0.0.1:7788/AccountManagement/FlexWebService. It must be
// https, except on a loopback address.
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithHTTPClient sets the HTTP client. The Flex client copies it and
// replaces its redirect policy: redirects are followed only to IBKR's
// hosts or the base URL's host.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.hc = hc } }

// WithUserAgent sets the User-Agent header (DefaultUserAgent otherwise).
func WithUserAgent(ua string) Option { return func(c *config) { c.ua = ua } }

// WithClock sets the clock the client tells time and waits by.
func WithClock(clk Clock) Option { return func(c *config) { c.clk = clk } }

// WithMaxWait sets how long a call waits for a statement being generated
// (DefaultMaxWait by default). Per-call MaxWait overrides it.
func WithMaxWait(d time.Duration) Option { return func(c *config) { c.maxWait = d } }

// WithPollInterval sets the wait before the first GetStatement and the
// longest wait between polls (3 s and 30 s by default); waits grow by half
// after each not-ready answer.
func WithPollInterval(first, max time.Duration) Option {
	return func(c *config) { c.firstPoll, c.maxPoll = first, max }
}

// WithMaxStatementBytes bounds the size of a statement
// (DefaultMaxStatementBytes by default).
func WithMaxStatementBytes(n int64) Option { return func(c *config) { c.maxBytes = n } }

// WithLogger logs each request at debug level (endpoint, HTTP status,
// IBKR's code; never the token). Silent by default.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithStatementDateOrder says how to read ambiguous slash dates in
// statements (see DateOrder).
func WithStatementDateOrder(o DateOrder) Option { return func(c *config) { c.order = o } }

// RequestOption adjusts one statement request.
type RequestOption func(*request)

type request struct {
	period   int
	from, to Date
	maxWait  time.Duration
}

// Period asks for the last n days (1 to 365) instead of the query's saved
// period (IBKR's p parameter). Do not combine it with DateRange.
func Period(days int) RequestOption { return func(r *request) { r.period = days } }

// DateRange asks for the days from..to, both included (IBKR's fd and td
// parameters; at most 365 days apart). Sending an explicit window is
// recommended: a saved "Last N Days" period can come back as a single day.
func DateRange(from, to Date) RequestOption { return func(r *request) { r.from, r.to = from, to } }

// MaxWait sets this call's maximum wait for the statement.
func MaxWait(d time.Duration) RequestOption { return func(r *request) { r.maxWait = d } }
