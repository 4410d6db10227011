package ibkrtest

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/ibkrweb/ibkr-go/gen/genserver"
	"github.com/ibkrweb/ibkr-go/internal/clock"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// tokenOperationID is the token endpoint's operation.
const tokenOperationID = "generateToken"

// maxBody bounds request bodies (IBKR accepts documents up to 25 MB).
const maxBody = 32 << 20

// Sandbox is a stateful fake of IBKR's Account Management API. It is an
// http.Handler serving the API (and the SSO landing page), and the control
// handle tests use to drive time, inject faults and inspect state. All
// methods are safe for concurrent use.
type Sandbox struct {
	cfg    config
	clk    clock.Clock
	fake   *FakeClock
	mux    http.Handler
	logger *slog.Logger

	mu      sync.Mutex // guards st, clients, outbox
	st      *state
	clients map[string]*Client
	outbox  []Notification

	faultMu sync.Mutex
	faults  map[string][]fault

	recMu     sync.Mutex
	records   []Request // a ring of at most cfg.recordLimit, oldest at recHead
	recHead   int
	recCounts map[recKey]int
	recSeq    uint64

	console consoleState // the console and control endpoints (console*.go)

	recentIdx recentIndex // guarded by mu (scale.go)

	limMu    sync.Mutex
	limiters map[string]*rate.Limiter
	rateLim  rate.Limit
	rateB    int

	flex flexRuntime // the Flex Web Service (flex_*.go)

	maintenance atomic.Bool
	validate    bool
	onInvalid   func(error)

	stopOnce sync.Once
	stop     chan struct{}
}

// NewHandler builds a sandbox for use as a plain http.Handler (the CLI's
// local server). The returned *Sandbox is both the handler and its control
// handle. By default it runs on a fake clock starting at DefaultStart; pass
// WithRealClock for wall time, in which case a background ticker (stopped
// by Close) moves lifecycles along and sends callbacks.
func NewHandler(opts ...Option) (*Sandbox, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	s, err := newSandbox(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.validateResponses != nil && *cfg.validateResponses {
		s.validate = true
		s.onInvalid = func(err error) { s.logger.Error("ibkrtest: response does not match the spec", "err", err) }
	}
	if _, real := s.clk.(clock.Real); real {
		go s.ticker()
	}
	return s, nil
}

func newSandbox(cfg config) (*Sandbox, error) {
	s := &Sandbox{
		cfg:      cfg,
		st:       newState(),
		clients:  map[string]*Client{},
		faults:   map[string][]fault{},
		limiters: map[string]*rate.Limiter{},
		rateLim:  rate.Limit(cfg.ratePerSecond),
		rateB:    cfg.rateBurst,
		stop:     make(chan struct{}),
		logger:   cfg.logger,
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ratePerSecond <= 0 {
		s.rateLim = rate.Inf
	}
	if cfg.clock != nil {
		s.clk = cfg.clock
		switch f := cfg.clock.(type) {
		case *FakeClock:
			s.fake = f
		case *clock.Fake:
			s.fake = &FakeClock{f: f}
		}
	} else {
		s.fake = NewFakeClock(cfg.start)
		s.clk = s.fake
	}
	s.maintenance.Store(cfg.maintenance)
	if !cfg.noDemoClient {
		priv, err := DemoPrivateKey()
		if err != nil {
			return nil, err
		}
		scopes := AllScopes
		if cfg.demoScopes != nil {
			scopes = cfg.demoScopes
		}
		s.clients[DemoClientID] = &Client{ID: DemoClientID, Keys: map[string]*rsa.PublicKey{DemoKeyID: &priv.PublicKey}, Scopes: scopes}
	}
	for _, c := range cfg.clients {
		if err := s.RegisterClient(c); err != nil {
			return nil, err
		}
	}
	if cfg.demoAccount {
		now := s.clk.Now()
		s.st.Accounts[DemoAccountID] = demoAccount(now)
		s.st.Usernames[DemoUserName] = DemoAccountID
	}
	strict := genserver.NewStrictHandlerWithOptions(&api{s: s}, nil, genserver.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  s.requestError,
		ResponseErrorHandlerFunc: s.responseError,
	})
	s.mux = genserver.HandlerWithOptions(strict, genserver.StdHTTPServerOptions{ErrorHandlerFunc: s.requestError})
	preloadSpec()
	return s, nil
}

// Close stops the background ticker of a real-clock sandbox. It is safe to
// call more than once.
func (s *Sandbox) Close() { s.stopOnce.Do(func() { close(s.stop) }) }

func (s *Sandbox) ticker() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.Tick()
		}
	}
}

// Now returns the sandbox's current time.
func (s *Sandbox) Now() time.Time { return s.clk.Now() }

// Clock returns the fake clock driving the sandbox, or nil when it runs on
// another clock. Pass it to ibkr.WithClock so that the client signs its
// assertions and waits on the sandbox's time; SetAutoAdvance(true) makes
// the client's waits (verification, deposits, backoff) instant.
func (s *Sandbox) Clock() *FakeClock { return s.fake }

// Advance moves the sandbox's fake clock forward by d, then runs every
// lifecycle step that fell due and delivers the resulting callbacks. It
// panics if the sandbox does not run on a fake clock.
func (s *Sandbox) Advance(d time.Duration) {
	if s.fake == nil {
		panic("ibkrtest: Advance needs a fake clock")
	}
	s.fake.Advance(d)
	s.Tick()
}

// Tick runs every lifecycle step due at the current time and delivers the
// resulting callbacks. Requests and Advance call it; call it yourself after
// moving a shared fake clock directly.
func (s *Sandbox) Tick() {
	s.mu.Lock()
	s.runDue(s.clk.Now())
	s.mu.Unlock()
	s.flush()
}

// ctxKey carries the per-request facts from the middleware to the
// strict handlers.
type ctxKey struct{}

type reqInfo struct {
	op       optable.Operation
	client   string
	claims   []byte
	rounds   [][]byte // updateAccounts: the body in the document's shape, per round (maintenance_shape.go)
	host     string
	scheme   string
	remoteIP string
	accept   string
	rec      *Request
}

func info(ctx context.Context) *reqInfo {
	ri, _ := ctx.Value(ctxKey{}).(*reqInfo)
	if ri == nil {
		return &reqInfo{}
	}
	return ri
}

// apiError lets a strict handler answer with any problem; the response
// error handler shapes it for the operation.
type apiError struct{ p problem }

func (e *apiError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.p.Status, e.p.Title) }

func fail(p problem) error { return &apiError{p: p} }

func (s *Sandbox) requestError(w http.ResponseWriter, r *http.Request, err error) {
	ri := info(r.Context())
	writeProblem(w, ri.op, problem{Status: http.StatusBadRequest, Title: "Bad request", Detail: shortErr(err)})
}

func (s *Sandbox) responseError(w http.ResponseWriter, r *http.Request, err error) {
	ri := info(r.Context())
	var ae *apiError
	if errors.As(err, &ae) {
		writeProblem(w, ri.op, ae.p)
		return
	}
	s.logger.Error("ibkrtest: handler failed", "op", ri.op.ID, "err", err)
	writeProblem(w, ri.op, problem{Status: http.StatusInternalServerError, Title: "Internal server error"})
}

// ServeHTTP serves the API: identify the operation, record, fault
// injection, maintenance windows, rate limit, bearer token and scope,
// signed body, spec validation, then the business handler.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.hostAllowed(r.Host) {
		writePlainProblem(w, http.StatusMisdirectedRequest, "Unknown host")
		return
	}
	if s.cfg.console && strings.HasPrefix(r.URL.Path, consoleRoot) {
		s.ConsoleHandler().ServeHTTP(w, r)
		return
	}
	if r.Method == http.MethodGet && r.URL.Path == ssoPath {
		s.serveSSO(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, FlexPath+"/") {
		s.serveFlex(w, r)
		return
	}
	op, ok := optable.Match(r.Method, r.URL.Path)
	if !ok {
		var allowed []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch} {
			if _, ok := optable.Match(m, r.URL.Path); ok {
				allowed = append(allowed, m)
			}
		}
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writePlainProblem(w, http.StatusMethodNotAllowed, "Method not allowed")
			return
		}
		writePlainProblem(w, http.StatusNotFound, "No such endpoint")
		return
	}
	// Callbacks fall due here and go out before the answer, as IBKR's do
	// around the same time; but not while answering a token request: a
	// client whose callback handler confirms through the same client
	// would wait for the very token being fetched. They go out with the
	// next API request (or Tick) instead.
	deliver := op.ID != tokenOperationID
	if deliver {
		s.Tick()
	} else {
		s.mu.Lock()
		s.runDue(s.clk.Now())
		s.mu.Unlock()
	}
	now, start := s.clk.Now(), time.Now()
	rec := &Request{
		Time:        now,
		OperationID: op.ID,
		Method:      r.Method,
		Path:        r.URL.Path,
		Query:       r.URL.Query(),
		Header:      redactHeader(r.Header),
	}
	bw := &bufferWriter{h: http.Header{}}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeProblem(bw, op, problem{Status: http.StatusBadRequest, Title: "Unreadable body", Detail: shortErr(err)})
	} else {
		s.process(bw, r, op, body, rec, now)
	}
	if bw.status == 0 {
		bw.status = http.StatusOK
	}
	if s.validate && !rec.injected {
		if err := ResponseCheck(r.Context(), r, bw.status, bw.h, bw.buf.Bytes()); err != nil && s.onInvalid != nil {
			s.onInvalid(err)
		}
	}
	rec.Status = bw.status
	if deliver {
		s.flush()
	}

	// Faults that act after the state change.
	if d := s.takeLatency(op.ID); d > 0 {
		rec.Faults = append(rec.Faults, "latency")
		_ = s.clk.Sleep(r.Context(), d)
	}
	if s.take(op.ID, faultDrop) {
		rec.Faults = append(rec.Faults, "drop")
		s.finishRecord(rec, bw, start)
		s.addRecord(rec)
		dropConnection(w)
		return
	}
	if s.take(op.ID, faultMalformed) {
		rec.Faults = append(rec.Faults, "malformed")
		b := bw.buf.Bytes()
		bw.buf.Reset()
		bw.buf.Write(malform(b))
	}
	s.finishRecord(rec, bw, start)
	s.addRecord(rec)
	bw.flushTo(w)
}

func (s *Sandbox) process(w http.ResponseWriter, r *http.Request, op optable.Operation, body []byte, rec *Request, now time.Time) {
	if st, ok := s.takeFail(op.ID); ok {
		rec.injected = true
		rec.Faults = append(rec.Faults, "fail")
		writeProblem(w, op, problem{Status: st, Title: "Injected failure", Detail: "ibkrtest: failure injected with FailNext"})
		return
	}
	if s.maintenance.Load() && op.Maintenance != "" {
		if in, until := inMaintenance(op.Maintenance, now); in {
			writeProblem(w, op, problem{Status: http.StatusServiceUnavailable, Title: TitleMaintenance,
				Detail: "the " + op.Maintenance + " endpoints are in IBKR's scheduled maintenance window", RetryAfter: until.Sub(now)})
			return
		}
	}
	if ok, wait := s.allow(op.ID, now); !ok {
		writeProblem(w, op, problem{Status: http.StatusTooManyRequests, Title: TitleRateLimited,
			Detail: "rate limit exceeded for this endpoint", RetryAfter: wait})
		return
	}
	ri := &reqInfo{op: op, rec: rec, accept: r.Header.Get("Accept"), host: r.Host, scheme: "http"}
	if r.TLS != nil {
		ri.scheme = "https"
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ri.remoteIP = host
	}
	if op.Policy != optable.PolicyNone {
		client, p := s.checkBearer(r, op, now)
		if p != nil {
			writeProblem(w, op, *p)
			return
		}
		ri.client = client
		rec.ClientID = client
	}
	switch {
	case op.Signed():
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "application/jwt" {
			rec.Signature = "Content-Type must be application/jwt"
			writeProblem(w, op, problem{Status: http.StatusBadRequest, Title: TitleSignedJWT,
				Detail: TitleSignedJWT + ": Content-Type must be application/jwt"})
			return
		}
		claims, full, reason := s.verifySignedBody(ri.client, body, now)
		if reason != "" {
			rec.Signature = reason
			writeProblem(w, op, problem{Status: http.StatusBadRequest, Title: TitleSignedJWT, Detail: TitleSignedJWT + ": " + reason})
			return
		}
		rec.Signature = SignatureValid
		rec.Claims = full
		rec.ClientInstructionID = findCID(full)
		rounds := [][]byte{claims}
		if op.ID == optable.OpUpdateAccounts.ID {
			var why string
			if rounds, why = accountRequestRounds(claims); why != "" {
				writeProblem(w, op, problem{Status: http.StatusBadRequest, Title: "Bad request", Detail: why})
				return
			}
		}
		for _, c := range rounds {
			if bad := validateClaims(op, c); len(bad) > 0 {
				writeProblem(w, op, problem{Status: http.StatusBadRequest, Title: "Missing or invalid parameters",
					Detail: describeArgs(bad), Invalid: bad, CID: rec.ClientInstructionID, IType: instructionTypeOf(full)})
				return
			}
		}
		ri.claims, ri.rounds = rounds[0], rounds
		claims = rounds[0]
		body = claims
	case op.Policy == optable.PolicyNone:
		rec.Form = redactForm(body, rec)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if bad := validateParams(r.Context(), r, op, true); len(bad) > 0 {
			writeProblem(w, op, problem{Status: http.StatusBadRequest, Title: "invalid_request", Detail: describeArgs(bad), Invalid: bad})
			return
		}
	default:
		if bad := validateParams(r.Context(), r, op, false); len(bad) > 0 {
			writeProblem(w, op, problem{Status: http.StatusBadRequest, Title: "Missing or invalid parameters", Detail: describeArgs(bad), Invalid: bad})
			return
		}
	}
	r2 := r.WithContext(context.WithValue(r.Context(), ctxKey{}, ri))
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	s.mux.ServeHTTP(w, r2)
}

func describeArgs(args []invalidArg) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		parts = append(parts, a.Field+": "+a.Reason)
	}
	return strings.Join(parts, "; ")
}

// bufferWriter holds a response until the middleware has looked at it.
type bufferWriter struct {
	h      http.Header
	status int
	buf    bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.h }

func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.buf.Write(p)
}

func (b *bufferWriter) flushTo(w http.ResponseWriter) {
	for k, v := range b.h {
		w.Header()[k] = v
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.buf.Bytes())
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// malform cuts a body in half so that it no longer parses.
func malform(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if len(b) < 4 {
		return []byte(`{"status":`)
	}
	return append([]byte(nil), b[:len(b)/2]...)
}
