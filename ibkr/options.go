package ibkr

import (
	"context"
	"crypto"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// Clock tells the time and sleeps. The client reads every time (token
// expiry, signatures, maintenance windows, rate limits) and does every wait
// (backoff, Retry-After, limits) through it, so tests can drive the client
// without sleeping. The default is the wall clock. ibkrtest's FakeClock
// (Sandbox.Clock) is one, shared with the sandbox.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever comes first, and
	// returns ctx.Err() in the latter case.
	Sleep(ctx context.Context, d time.Duration) error
}

// Environment selects one of IBKR's hosts.
type Environment int

const (
	// Production is https://api.ibkr.com.
	Production Environment = iota + 1
	// QA is IBKR's test environment, https://qa.interactivebrokers.com.
	QA
)

// BaseURL returns the environment's base URL.
func (e Environment) BaseURL() string {
	switch e {
	case Production:
		return "https://api.ibkr.com"
	case QA:
		return "https://qa.interactivebrokers.com"
	}
	return ""
}

// String names the environment.
func (e Environment) String() string {
	switch e {
	case Production:
		return "production"
	case QA:
		return "qa"
	}
	return "unknown"
}

// Defaults.
const (
	// DefaultRatePerSecond is the client-side limit per endpoint; IBKR
	// answers 429 above 10 requests per second per endpoint.
	DefaultRatePerSecond = 10
	// DefaultUserAgent is sent unless WithUserAgent says otherwise; it
	// names the release (Version).
	DefaultUserAgent = "ibkr-go/" + Version + " (+https://github.com/ibkrweb/ibkr-go)"
	// DefaultHTTPTimeout bounds each HTTP exchange of the default
	// *http.Client.
	DefaultHTTPTimeout = 60 * time.Second
)

// Option configures a Client; see New.
type Option func(*settings) error

type settings struct {
	baseURL    string
	baseSet    bool
	env        Environment
	clientID   string
	keyID      string
	key        crypto.Signer
	credsSet   bool
	allowWeak  bool
	scopes     []string
	httpClient *http.Client
	logger     *slog.Logger
	clock      Clock
	userAgent  string
	audience   string
	retry      RetryPolicy
	ratePerSec float64
	rateBurst  int
	maintWait  bool
	maintOff   bool
	ids        InstructionIDAllocator
	journal    Journal
	rateBudget RateBudget
	respLimits ResponseLimits
	opRetry    map[string]RetryPolicy
	observer   CallObserver
}

// WithJournal records every money-moving call of the client in j: the
// intent before it is sent, the outcome after. A restarted process finds
// the calls whose answer it never saw with ReconcileJournal. A journal in
// a call's own (WithCallJournal) takes precedence for that call.
func WithJournal(j Journal) Option {
	return func(s *settings) error {
		if j == nil {
			return invalid("journal", "nil Journal")
		}
		s.journal = j
		return nil
	}
}

// WithStore keeps the client's exactly-once state in st: it becomes the
// clientInstructionId allocator (as WithInstructionIDs), the journal (as
// WithJournal; sending calls hold a lease on their entry, so that
// ReconcileJournal never works on a request still in flight, in this
// process or another) and the per-endpoint rate budget, which then
// replaces the client's own rate limit (WithRateLimit). Replicas of a
// service share one store, such as package pgstore's; see Store.
func WithStore(st Store) Option {
	return func(s *settings) error {
		if st == nil {
			return invalid("store", "nil Store")
		}
		s.ids, s.journal, s.rateBudget = st, st, st
		return nil
	}
}

// WithEnvironment points the client at Production or QA. New requires an
// explicit choice: this option or WithBaseURL; there is no default host.
func WithEnvironment(e Environment) Option {
	return func(s *settings) error {
		if e.BaseURL() == "" {
			return invalid("environment", "unknown environment %d", int(e))
		}
		s.env = e
		s.baseURL = e.BaseURL()
		s.baseSet = true
		return nil
	}
}

// WithBaseURL points the client at another host, such as the local sandbox.
// Plain http:// is refused except for "localhost" and literal loopback
// addresses (127.0.0.0/8, ::1): not for other names such as
// sandbox.localhost, which Go resolves through DNS. The URL may carry a
// path prefix.
func WithBaseURL(raw string) Option {
	return func(s *settings) error {
		u, err := checkBaseURL(raw)
		if err != nil {
			return err
		}
		s.baseURL = u
		s.baseSet = true
		return nil
	}
}

func checkBaseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "", invalid("baseURL", "not an absolute URL")
	}
	if u.User != nil {
		return "", invalid("baseURL", "must not carry user information")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", invalid("baseURL", "must not carry a query or fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", invalid("baseURL", "plain http is allowed only for loopback hosts, use https")
		}
	default:
		return "", invalid("baseURL", "scheme %q is not https", u.Scheme)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// isLoopback accepts "localhost" and literal loopback addresses only.
// Other names, *.localhost included, are resolved through DNS by Go, so
// they could point anywhere.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WithCredentials sets the OAuth client id, the key id (kid) registered
// with IBKR and the RSA private key, as any crypto.Signer (so the key may
// live in a KMS or HSM). The key must be RSA of at least 3072 bits unless
// WithAllowWeakKeys is given.
func WithCredentials(clientID, keyID string, key crypto.Signer) Option {
	return func(s *settings) error {
		s.clientID, s.keyID, s.key, s.credsSet = clientID, keyID, key, true
		return nil
	}
}

// WithPrivateKeyPEM is WithCredentials with the private key in PEM form,
// PKCS#1 ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY"). The key is parsed
// once.
func WithPrivateKeyPEM(clientID, keyID string, pemBytes []byte) Option {
	return func(s *settings) error {
		key, err := parsePrivateKeyPEM(pemBytes)
		if err != nil {
			return err
		}
		s.clientID, s.keyID, s.key, s.credsSet = clientID, keyID, key, true
		return nil
	}
}

// WithAllowWeakKeys accepts 2048-bit RSA keys. IBKR asks for 3072 or 4096
// bits; use this only for old test keys. Keys under 2048 bits are always
// refused.
func WithAllowWeakKeys() Option {
	return func(s *settings) error {
		s.allowWeak = true
		return nil
	}
}

// WithScopes sets the scopes requested with the access token. The default
// is every scope an operation of the spec can use.
func WithScopes(scopes ...string) Option {
	return func(s *settings) error {
		if len(scopes) == 0 {
			return invalid("scopes", "at least one scope is required")
		}
		out := make([]string, 0, len(scopes))
		for _, sc := range scopes {
			if sc == "" || strings.ContainsAny(sc, " \t\r\n\"\\") {
				return invalid("scopes", "scope %q is not a single token", sc)
			}
			out = append(out, sc)
		}
		s.scopes = out
		return nil
	}
}

// WithHTTPClient sets the *http.Client (transport, proxies, TLS, timeouts).
// The default is a client with DefaultHTTPTimeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return invalid("httpClient", "nil")
		}
		s.httpClient = hc
		return nil
	}
}

// WithLogger sets the structured logger. The default discards everything.
// The client never logs tokens, assertions, keys, request bodies, bank
// account numbers or tax ids.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return invalid("logger", "nil")
		}
		s.logger = l
		return nil
	}
}

// WithClock replaces the wall clock, for tests.
func WithClock(c Clock) Option {
	return func(s *settings) error {
		if c == nil {
			return invalid("clock", "nil")
		}
		s.clock = c
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(s *settings) error {
		if ua == "" || strings.ContainsAny(ua, "\r\n") {
			return invalid("userAgent", "empty or multi-line")
		}
		s.userAgent = ua
		return nil
	}
}

// WithAudience sets the aud claim of the client assertion. The default is
// the full token URL; some IBKR setups expect "/token".
func WithAudience(aud string) Option {
	return func(s *settings) error {
		if aud == "" {
			return invalid("audience", "empty")
		}
		s.audience = aud
		return nil
	}
}

// WithRetryPolicy replaces the retry policy; see RetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(s *settings) error {
		if err := p.validate(); err != nil {
			return err
		}
		s.retry = p
		return nil
	}
}

// WithOperationRetry sets the retry policy of one operation, named by its
// operationId (e.g. "getClientInstructions"); its zero fields take the
// client's (WithRetryPolicy). A call's own policy (WithCallRetry) overrides
// it in turn. An unknown operationId is an *InputError from New.
func WithOperationRetry(operationID string, p RetryPolicy) Option {
	return func(s *settings) error {
		if _, ok := optable.ByID(operationID); !ok {
			return invalid("operationId", "%q is not an operation of the IBKR spec", operationID)
		}
		if err := p.validate(); err != nil {
			return err
		}
		if s.opRetry == nil {
			s.opRetry = map[string]RetryPolicy{}
		}
		s.opRetry[operationID] = p
		return nil
	}
}

// WithObserver reports every call of the client to o (see CallObserver),
// for tracing and metrics without the client depending on a telemetry
// library. Nil turns observation off.
func WithObserver(o CallObserver) Option {
	return func(s *settings) error {
		s.observer = o
		return nil
	}
}

// WithRateLimit sets the client-side limit applied to each endpoint
// separately: perSecond requests per second with bursts of burst requests.
// The default is 10 per second, burst 1, so no one-second window holds more
// than 10 requests to one endpoint. math.Inf(1) disables the limit.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *settings) error {
		if math.IsNaN(perSecond) || perSecond <= 0 {
			return invalid("rateLimit", "requests per second must be positive")
		}
		if burst < 1 {
			return invalid("rateLimit", "burst must be at least 1")
		}
		s.ratePerSec, s.rateBurst = perSecond, burst
		return nil
	}
}

// WithMaintenance chooses what a call inside one of IBKR's documented
// maintenance windows does: fail fast with an error matching
// ErrMaintenance (wait=false, the default) or wait until the window ends
// (wait=true; the caller's context still bounds the wait).
func WithMaintenance(wait bool) Option {
	return func(s *settings) error {
		s.maintWait = wait
		return nil
	}
}

// WithoutMaintenanceWindows turns off the client's knowledge of IBKR's
// maintenance windows, for servers that keep no such schedule (a local
// sandbox, a test double).
func WithoutMaintenanceWindows() Option {
	return func(s *settings) error {
		s.maintOff = true
		return nil
	}
}

// WithInstructionIDs sets the allocator of clientInstructionIds. The
// default needs no storage; see NewFileAllocator for ids that stay unique
// across processes.
func WithInstructionIDs(a InstructionIDAllocator) Option {
	return func(s *settings) error {
		if a == nil {
			return invalid("instructionIDs", "nil allocator")
		}
		s.ids = a
		return nil
	}
}
