package ibkrtest

import (
	"crypto/rsa"
	"log/slog"
	"net/http"
	"time"

	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// DefaultStart is where the sandbox's fake clock starts unless told
// otherwise: Tuesday 4 March 2025, 10:00 US Eastern, outside every
// maintenance window.
var DefaultStart = time.Date(2025, time.March, 4, 15, 0, 0, 0, time.UTC)

// AllScopes lists every scope the sandbox knows; the demo client is granted
// all of them unless WithScopes says otherwise.
var AllScopes = []string{
	"accounts.read", "accounts.write",
	"bank-instructions.read", "bank-instructions.write",
	"transfers.read", "transfers.write",
	"instructions.read", "instructions.write",
	"balances.read",
	"statements.read", "statements.write",
	"reports.read", "reports.write",
	"enumerations.read", "forms.read", "validations.read",
	"sso-sessions.write", "sso-browser-sessions.write",
	"echo.read", "echo.write",
	"restrictions.write",
}

// Client is an OAuth client registered with the sandbox: its id, the
// public keys it signs with (by key id) and the scopes it may be granted.
type Client struct {
	ID     string
	Keys   map[string]*rsa.PublicKey
	Scopes []string
}

// Timings are the simulated durations of IBKR's asynchronous steps, on the
// sandbox clock.
type Timings struct {
	// ACHVerification: from ACH_INSTRUCTION to its outcome (IBKR: 7-15 min).
	ACHVerification time.Duration
	// ACHSlowVerification: the same for routing numbers whose 8th digit is 9.
	ACHSlowVerification time.Duration
	// ACHDeposit: from an ACH deposit to PROCESSED and cash credited.
	ACHDeposit time.Duration
	// WireDeposit: from a wire deposit notification to the funds arriving.
	WireDeposit time.Duration
	// Withdrawal: from a withdrawal (or its dateTimeToOccur) to PROCESSED.
	Withdrawal time.Duration
	// EDDA: from EDDA_INSTRUCTION to PROCESSED.
	EDDA time.Duration
	// OpenBanking: from an open-banking deposit to the holder's
	// authorisation and the funds arriving (money_paths.go).
	OpenBanking time.Duration
	// AccountReview: from the last required registration task to status O,
	// and from a reopen request to status O.
	AccountReview time.Duration
	// PositionTransfer: from INTERNAL_POSITION_TRANSFER to the move.
	PositionTransfer time.Duration
	// ExternalPositionTransfer: from an FOP, DWAC or complex transfer to
	// the securities arriving or leaving.
	ExternalPositionTransfer time.Duration
	// AccountTransfer: from an ACATS or ATON transfer to its completion
	// (IBKR: 3 to 8 business days).
	AccountTransfer time.Duration
}

// DefaultTimings are the timings used unless WithTimings overrides them.
var DefaultTimings = Timings{
	ACHVerification:     10 * time.Minute,
	ACHSlowVerification: 72 * time.Hour,
	ACHDeposit:          24 * time.Hour,
	WireDeposit:         time.Hour,
	Withdrawal:          24 * time.Hour,
	EDDA:                10 * time.Minute,
	OpenBanking:         15 * time.Minute,
	AccountReview:       24 * time.Hour,

	PositionTransfer:         10 * time.Minute,
	ExternalPositionTransfer: 24 * time.Hour,
	AccountTransfer:          5 * 24 * time.Hour,
}

type config struct {
	clock             Clock
	start             time.Time
	tokenLifetime     time.Duration
	skew              time.Duration
	maxAssertionLife  time.Duration
	maxBodyLife       time.Duration
	lenientAuth       bool
	hosts             []string
	audiences         []string
	clients           []Client
	demoScopes        []string
	maintenance       bool
	ratePerSecond     float64
	rateBurst         int
	timings           Timings
	callbackURL       string
	callbackClient    *http.Client
	validateResponses *bool
	logger            *slog.Logger
	demoAccount       bool
	noDemoClient      bool
	recordLimit       int
	console           bool
}

func defaultConfig() config {
	return config{
		start:            DefaultStart,
		tokenLifetime:    86399 * time.Second,
		skew:             30 * time.Second,
		maxAssertionLife: 10 * time.Minute,
		maxBodyLife:      5 * time.Minute,
		maintenance:      true,
		ratePerSecond:    10,
		rateBurst:        10,
		timings:          DefaultTimings,
		demoAccount:      true,
	}
}

// Option configures a sandbox.
type Option func(*config)

// WithClock drives the sandbox by c instead of a fresh fake clock, for
// instance a NewFakeClock shared with other sandboxes. WithRealClock runs
// the sandbox in wall time.
func WithClock(c Clock) Option { return func(o *config) { o.clock = c } }

// WithRealClock drives the sandbox by the wall clock.
func WithRealClock() Option { return func(o *config) { o.clock = clock.Real{} } }

// WithStart sets where the default fake clock starts (DefaultStart
// otherwise). Ignored with WithClock.
func WithStart(t time.Time) Option { return func(o *config) { o.start = t } }

// WithTokenLifetime sets the lifetime of issued access tokens (IBKR:
// 86399 s).
func WithTokenLifetime(d time.Duration) Option { return func(o *config) { o.tokenLifetime = d } }

// WithClockSkew sets the tolerance for iat/exp checks (30 s by default).
func WithClockSkew(d time.Duration) Option { return func(o *config) { o.skew = d } }

// WithLenientAuth relaxes the checks a strict IBKR makes and the sandbox
// makes by default: it accepts signed bodies with any lifetime and client
// assertions living up to an hour, the same signed body (or jti) more than
// once, a client assertion sent as a signed body, and any Host header. Use
// it only in tests that need one of these; integrators should test against
// the strict default.
func WithLenientAuth() Option { return func(o *config) { o.lenientAuth = true } }

// WithHosts adds host names (without port) the sandbox answers to. By
// default it answers only to "localhost" and literal loopback addresses
// (127.0.0.0/8, ::1) in the Host header, and refuses others with 421
// Misdirected Request, as a server behind DNS rebinding should.
func WithHosts(hosts ...string) Option {
	return func(o *config) { o.hosts = append(o.hosts, hosts...) }
}

// WithAudience replaces the accepted client-assertion audiences. By default
// the sandbox accepts "/token" and its own token URL (http or https, as
// seen in the request's Host).
func WithAudience(aud ...string) Option {
	return func(o *config) { o.audiences = append([]string(nil), aud...) }
}

// WithClient registers another client (in addition to the demo client).
func WithClient(c Client) Option { return func(o *config) { o.clients = append(o.clients, c) } }

// WithoutDemoClient leaves the demo client (DemoClientID, DemoKeyID) out.
func WithoutDemoClient() Option { return func(o *config) { o.noDemoClient = true } }

// WithScopes restricts the scopes the demo client may be granted.
func WithScopes(scopes ...string) Option {
	return func(o *config) { o.demoScopes = append([]string{}, scopes...) }
}

// WithMaintenance switches IBKR's downtime windows on (the default) or off.
func WithMaintenance(on bool) Option { return func(o *config) { o.maintenance = on } }

// WithRateLimit sets the per-endpoint rate limit (10 per second with a
// burst of 10 by default); perSecond <= 0 switches it off.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(o *config) { o.ratePerSecond, o.rateBurst = perSecond, burst }
}

// WithTimings replaces DefaultTimings; zero fields keep their default.
func WithTimings(t Timings) Option {
	return func(o *config) {
		d := DefaultTimings
		set := func(dst *time.Duration, v time.Duration) {
			if v > 0 {
				*dst = v
			}
		}
		set(&d.ACHVerification, t.ACHVerification)
		set(&d.ACHSlowVerification, t.ACHSlowVerification)
		set(&d.ACHDeposit, t.ACHDeposit)
		set(&d.WireDeposit, t.WireDeposit)
		set(&d.Withdrawal, t.Withdrawal)
		set(&d.EDDA, t.EDDA)
		set(&d.OpenBanking, t.OpenBanking)
		set(&d.AccountReview, t.AccountReview)
		set(&d.PositionTransfer, t.PositionTransfer)
		set(&d.ExternalPositionTransfer, t.ExternalPositionTransfer)
		set(&d.AccountTransfer, t.AccountTransfer)
		o.timings = d
	}
}

// WithCallbackURL makes the sandbox POST a status-change notification to
// url whenever an instruction or account changes status.
func WithCallbackURL(url string) Option { return func(o *config) { o.callbackURL = url } }

// WithCallbackClient sets the HTTP client used for callbacks.
func WithCallbackClient(c *http.Client) Option { return func(o *config) { o.callbackClient = c } }

// WithResponseValidation switches checking every response against the
// spec on or off. NewServer checks by default and fails the test on a
// mismatch; NewHandler does not check unless asked, and then logs.
func WithResponseValidation(on bool) Option {
	return func(o *config) { o.validateResponses = &on }
}

// WithLogger sets a logger for sandbox diagnostics (silent by default).
// The sandbox never logs tokens, keys, assertions or bank account numbers.
func WithLogger(l *slog.Logger) Option { return func(o *config) { o.logger = l } }

// WithoutDemoAccount starts the sandbox without DemoAccountID.
func WithoutDemoAccount() Option { return func(o *config) { o.demoAccount = false } }

// WithRequestRecordLimit bounds the requests kept for Requests to the
// last n (default DefaultRequestRecordLimit); RequestCount still counts
// every request.
func WithRequestRecordLimit(n int) Option { return func(o *config) { o.recordLimit = n } }
