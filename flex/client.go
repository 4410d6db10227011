package flex

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// Client talks to the Flex Web Service with one token. It is safe for
// concurrent use; requests of every Client sharing a token are spaced
// together to IBKR's limit.
type Client struct {
	token   *secret // behind a pointer: fmt prints unexported fields raw
	base    *url.URL
	sendURL string
	getURL  string
	hc      *http.Client
	ua      string
	clk     Clock
	cfg     config
	log     *slog.Logger
	thr     throttleKey
}

// New returns a client for the Flex Web Service token (the "Current
// Token" of IBKR's Flex Web Service Configuration). A malformed token or
// option is an *InputError; nothing is sent.
func New(token string, opts ...Option) (*Client, error) {
	cfg := config{baseURL: DefaultBaseURL, ua: DefaultUserAgent, maxWait: DefaultMaxWait,
		firstPoll: 3 * time.Second, maxPoll: 30 * time.Second, maxBytes: DefaultMaxStatementBytes}
	for _, o := range opts {
		o(&cfg)
	}
	if err := ValidateToken(token); err != nil {
		return nil, err
	}
	base, err := parseBaseURL(cfg.baseURL)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.maxWait <= 0:
		return nil, inputErr("maxWait", "must be positive")
	case cfg.firstPoll <= 0 || cfg.maxPoll < cfg.firstPoll:
		return nil, inputErr("pollInterval", "first must be positive and at most max")
	case cfg.maxBytes <= 0:
		return nil, inputErr("maxStatementBytes", "must be positive")
	case strings.TrimSpace(cfg.ua) == "" || strings.ContainsAny(cfg.ua, "\r\n"):
		return nil, inputErr("userAgent", "must be one non-empty line (IBKR requires a User-Agent)")
	}
	if cfg.clk == nil {
		cfg.clk = clock.Real{}
	}
	tok := secret(token)
	c := &Client{token: &tok, base: base, ua: cfg.ua, clk: cfg.clk, cfg: cfg, log: cfg.logger}
	c.sendURL = strings.TrimRight(base.String(), "/") + "/SendRequest"
	c.getURL = strings.TrimRight(base.String(), "/") + "/GetStatement"
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	hc := cfg.hc
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ResponseHeaderTimeout = time.Minute
		hc = &http.Client{Transport: tr}
	}
	cp := *hc
	cp.CheckRedirect = c.checkRedirect
	c.hc = &cp
	c.thr = newThrottleKey(token, cfg.clk)
	return c, nil
}

// ValidateToken checks the form of a Flex Web Service token: letters and
// digits only (IBKR's are 24 digits), at most 64 characters. The error
// never repeats the token.
func ValidateToken(token string) error {
	switch {
	case token == "":
		return inputErr("token", "is empty: copy the Current Token from "+portalFlex+" > Flex Web Service Configuration")
	case len(token) > 64:
		return inputErr("token", "is too long to be a Flex Web Service token (%d characters)", len(token))
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return inputErr("token", "contains a character that is not a letter or digit (at position %d): copy the token again", i+1)
		}
	}
	return nil
}

// ValidateQueryID checks a Flex Query ID: 6 or 7 digits, as IBKR shows it
// next to the query (e.g. 123456).
func ValidateQueryID(id string) error {
	if (len(id) != 6 && len(id) != 7) || !isDigits(id) {
		return inputErr("queryID", "%q is not a Flex Query ID: 6 or 7 digits, shown next to the query in %s (not the query's name)", clip(id), portalFlex)
	}
	return nil
}

// parseBaseURL accepts https URLs, and http on a loopback address.
func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, inputErr("baseURL", "%q is not an absolute URL", clip(s))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, inputErr("baseURL", "must not carry user info, a query or a fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback(u.Hostname()) {
			return nil, inputErr("baseURL", "%q: plain http is allowed only on a loopback address; use https", clip(s))
		}
	default:
		return nil, inputErr("baseURL", "%q: the scheme must be https", clip(s))
	}
	return u, nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ibkrHost reports an https URL on one of IBKR's hosts.
func ibkrHost(u *url.URL) bool {
	h := strings.ToLower(u.Hostname())
	return u.Scheme == "https" && (u.Port() == "" || u.Port() == "443") &&
		(h == "interactivebrokers.com" || strings.HasSuffix(h, ".interactivebrokers.com"))
}

// allowed reports a URL the client may send the token to: the base URL's
// host, or an https IBKR host.
func (c *Client) allowed(u *url.URL) bool {
	if u.Scheme == c.base.Scheme && strings.EqualFold(u.Host, c.base.Host) {
		return true
	}
	return ibkrHost(u)
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("too many redirects")
	}
	if !c.allowed(req.URL) {
		return errors.New("redirect to a host that is not IBKR's or the configured one refused")
	}
	return nil
}

// statementURL picks where GetStatement goes: the Url of the SendRequest
// answer when it is a GetStatement URL on an allowed host (IBKR has moved
// GetStatement between hosts), else the base URL's.
func (c *Client) statementURL(fromAnswer string) string {
	if fromAnswer == "" {
		return c.getURL
	}
	u, err := url.Parse(fromAnswer)
	if err != nil || u.Host == "" || u.User != nil || !strings.HasSuffix(u.Path, "GetStatement") || !c.allowed(u) {
		c.log.Debug("flex: ignoring the Url of the SendRequest answer", "url", clip(fromAnswer))
		return c.getURL
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// Statement asks IBKR to generate the query's statement, waits until it
// is ready and returns it as a stream: an XML FlexQueryResponse, at most
// WithMaxStatementBytes long. The caller must close it. Most callers want
// Fetch, Balances or Deposits instead.
func (c *Client) Statement(ctx context.Context, queryID string, opts ...RequestOption) (io.ReadCloser, error) {
	req, err := c.request(queryID, opts)
	if err != nil {
		return nil, err
	}
	ref, getURL, err := c.sendRequest(ctx, queryID, req)
	if err != nil {
		return nil, err
	}
	return c.poll(ctx, ref, getURL, req)
}

// Fetch returns the query's statement, parsed whole (see Parse).
func (c *Client) Fetch(ctx context.Context, queryID string, opts ...RequestOption) (*Report, error) {
	body, err := c.Statement(ctx, queryID, opts...)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return Parse(body, WithDateOrder(c.cfg.order))
}

func (c *Client) request(queryID string, opts []RequestOption) (*request, error) {
	if err := ValidateQueryID(queryID); err != nil {
		return nil, err
	}
	r := &request{maxWait: c.cfg.maxWait}
	for _, o := range opts {
		o(r)
	}
	if r.maxWait <= 0 {
		return nil, inputErr("maxWait", "must be positive")
	}
	if r.period != 0 && (r.period < 1 || r.period > 365) {
		return nil, inputErr("period", "%d days: must be 1 to 365", r.period)
	}
	if r.from.IsZero() != r.to.IsZero() {
		return nil, inputErr("dateRange", "give both the first and the last day")
	}
	if !r.from.IsZero() {
		if r.period != 0 {
			return nil, inputErr("period", "give a period or a date range, not both (IBKR ignores the period then)")
		}
		if !validDay(r.from.Year, int(r.from.Month), r.from.Day) || !validDay(r.to.Year, int(r.to.Month), r.to.Day) {
			return nil, inputErr("dateRange", "not a calendar day")
		}
		if r.to.Before(r.from) {
			return nil, inputErr("dateRange", "ends (%s) before it starts (%s)", r.to, r.from)
		}
		if n := r.from.DaysUntil(r.to); n > 365 {
			return nil, inputErr("dateRange", "%s to %s is %d days apart; IBKR allows at most 365", r.from, r.to, n)
		}
	}
	return r, nil
}

// maxEnvelopeBytes bounds an error or SendRequest answer.
const maxEnvelopeBytes = 64 << 10

func (c *Client) sendRequest(ctx context.Context, queryID string, req *request) (ref, getURL string, err error) {
	q := "t=" + url.QueryEscape(string(*c.token)) + "&q=" + queryID + "&v=3"
	switch {
	case req.period != 0:
		q += "&p=" + strconv.Itoa(req.period)
	case !req.from.IsZero():
		q += "&fd=" + req.from.Compact() + "&td=" + req.to.Compact()
	}
	// One more attempt after a "try again" answer, no more: IBKR locks a
	// token that keeps re-sending after failures (code 1025).
	for attempt := 0; ; attempt++ {
		resp, err := c.get(ctx, "SendRequest", c.sendURL, q)
		if err != nil {
			return "", "", err
		}
		env, err := c.readEnvelope(resp, "SendRequest")
		if err != nil {
			return "", "", err
		}
		err = env.err("SendRequest")
		var se *ServiceError
		if errors.As(err, &se) && attempt == 0 && (se.Retryable() || se.Code == 1018) {
			wait := 30 * time.Second
			if se.Code == 1018 {
				wait = time.Minute
			}
			if wait >= req.maxWait {
				return "", "", err
			}
			c.log.Debug("flex: SendRequest answered a code to retry", "code", se.Code, "wait", wait)
			if serr := c.clk.Sleep(ctx, wait); serr != nil {
				return "", "", serr
			}
			continue
		}
		if err != nil {
			return "", "", err
		}
		if env.ReferenceCode == "" || !isDigitsAny(env.ReferenceCode) {
			return "", "", &FormatError{Endpoint: "SendRequest", Reason: "success without a numeric ReferenceCode"}
		}
		return env.ReferenceCode, c.statementURL(env.URL), nil
	}
}

func isDigitsAny(s string) bool {
	if len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// poll calls GetStatement until the statement is ready, IBKR answers an
// error that waiting does not cure, or the maximum wait runs out.
func (c *Client) poll(ctx context.Context, ref, getURL string, req *request) (io.ReadCloser, error) {
	start := c.clk.Now()
	deadline := start.Add(req.maxWait)
	wait := c.cfg.firstPoll // before the next poll
	grow := c.cfg.firstPoll // the backoff, growing by half per not-ready answer
	q := "t=" + url.QueryEscape(string(*c.token)) + "&q=" + ref + "&v=3"
	polls := 0
	var last error
	for {
		now := c.clk.Now()
		if !now.Before(deadline) {
			return nil, &TimeoutError{Waited: now.Sub(start), Polls: polls, Last: last}
		}
		if err := c.clk.Sleep(ctx, min(wait, deadline.Sub(now))); err != nil {
			return nil, err
		}
		polls++
		resp, err := c.get(ctx, "GetStatement", getURL, q)
		if err != nil {
			if ctx.Err() != nil || !transient(err) {
				return nil, err
			}
			last = err // a dropped connection: GetStatement is safe to repeat
		} else if body, err := c.classify(resp); err == nil {
			c.log.Debug("flex: statement ready", "polls", polls)
			return body, nil
		} else {
			var se *ServiceError
			var fe *FormatError
			switch {
			case errors.As(err, &se) && se.Retryable():
			case errors.As(err, &se) && se.Code == 1018:
				// Another program is using the token: a shorter wait
				// would only meet the per-minute limit again.
				last, wait = err, time.Minute
				continue
			case errors.As(err, &fe) && fe.Status >= 500:
			default:
				return nil, err
			}
			last = err
		}
		grow = min(grow+grow/2, c.cfg.maxPoll)
		wait = grow
	}
}

// transient reports a connection failure worth another poll.
func transient(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue) && !errors.Is(err, context.Canceled)
}

// get sends one GET within the token's limit. Errors never carry the
// token: the URL in a *url.Error is reduced to the endpoint.
func (c *Client) get(ctx context.Context, endpoint, u, query string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+"?"+query, nil)
	if err != nil {
		return nil, &FormatError{Endpoint: endpoint, Reason: "cannot build the request URL"}
	}
	req.Header.Set("User-Agent", c.ua)
	var resp *http.Response
	thr, release := acquireThrottle(c.thr)
	defer release()
	waited, err := thr.do(ctx, c.clk, func() error {
		var err error
		resp, err = c.hc.Do(req)
		return err
	})
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, &url.Error{Op: ue.Op, URL: u, Err: redactErr(ue.Err, string(*c.token))}
		}
		return nil, redactErr(err, string(*c.token))
	}
	c.log.Debug("flex: "+endpoint, "status", resp.StatusCode, "throttled", waited)
	return resp, nil
}

// redactErr makes sure no error text carries the token.
func redactErr(err error, token string) error {
	if err == nil || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "[token]"))
}

func (c *Client) readEnvelope(resp *http.Response, endpoint string) (*envelope, error) {
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxEnvelopeBytes))
		return nil, &FormatError{Endpoint: endpoint, Status: resp.StatusCode, Reason: "HTTP " + strconv.Itoa(resp.StatusCode) + " instead of a Flex answer (wrong base URL?)"}
	}
	br := bufio.NewReader(io.LimitReader(resp.Body, maxEnvelopeBytes))
	if err := sniff(br, endpoint, false); err != nil {
		return nil, err
	}
	return parseEnvelope(br, endpoint)
}

// classify reads a GetStatement answer: the statement (returned as a
// stream), or an envelope (returned as its error).
func (c *Client) classify(resp *http.Response) (io.ReadCloser, error) {
	const endpoint = "GetStatement"
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxEnvelopeBytes))
		resp.Body.Close()
		return nil, &FormatError{Endpoint: endpoint, Status: resp.StatusCode, Reason: "HTTP " + strconv.Itoa(resp.StatusCode) + " instead of a Flex answer"}
	}
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	if err := sniff(br, endpoint, true); err != nil {
		resp.Body.Close()
		return nil, err
	}
	if root := rootName(br); root == elemStatementResponse {
		defer resp.Body.Close()
		env, err := parseEnvelope(io.LimitReader(br, maxEnvelopeBytes), endpoint)
		if err != nil {
			return nil, err
		}
		if err := env.err(endpoint); err != nil {
			return nil, err
		}
		return nil, &FormatError{Endpoint: endpoint, Reason: "a Success envelope instead of the statement"}
	} else if root != elemQueryResponse {
		resp.Body.Close()
		return nil, &FormatError{Endpoint: endpoint, Reason: "root element <" + clip(root) + "> is not a Flex statement"}
	}
	return &boundedBody{r: br, c: resp.Body, left: c.cfg.maxBytes}, nil
}

// sniff refuses bodies that are not XML: CSV statements, HTML pages,
// nothing at all.
func sniff(br *bufio.Reader, endpoint string, statement bool) error {
	head, _ := br.Peek(512)
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	lower := strings.ToLower(string(t[:min(len(t), 64)]))
	switch {
	case len(t) == 0:
		return &FormatError{Endpoint: endpoint, Reason: "empty answer"}
	case strings.HasPrefix(lower, "<!doctype html") || strings.HasPrefix(lower, "<html"):
		return &FormatError{Endpoint: endpoint, Reason: "an HTML page instead of a Flex answer (wrong base URL?)"}
	case t[0] != '<' && statement:
		return &FormatError{Endpoint: endpoint, Reason: "the statement is CSV or text, not XML", notXML: true}
	case t[0] != '<':
		return &FormatError{Endpoint: endpoint, Reason: "not a Flex answer"}
	}
	return nil
}

// rootName peeks at the name of the first element.
func rootName(br *bufio.Reader) string {
	head, _ := br.Peek(4096)
	for i := 0; i < len(head); i++ {
		if head[i] != '<' || i+1 >= len(head) || head[i+1] == '?' || head[i+1] == '!' {
			continue
		}
		j := i + 1
		for j < len(head) && !strings.ContainsRune(" \t\r\n/>", rune(head[j])) {
			j++
		}
		return string(head[i+1 : j])
	}
	return ""
}

// boundedBody is a statement stream that fails once it passes its bound,
// rather than ending early as if complete.
type boundedBody struct {
	r    io.Reader
	c    io.Closer
	left int64
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		if n, _ := b.r.Read(one[:]); n > 0 {
			return 0, &FormatError{Endpoint: "GetStatement", Reason: "the statement is larger than the client's limit (WithMaxStatementBytes)"}
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *boundedBody) Close() error { return b.c.Close() }

// secret is a token: it prints and marshals as [redacted].
type secret string

// String implements fmt.Stringer.
func (secret) String() string { return "[redacted]" }

// GoString implements fmt.GoStringer.
func (secret) GoString() string { return "[redacted]" }

// Format redacts in every verb.
func (secret) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, "[redacted]") }

// MarshalJSON redacts.
func (secret) MarshalJSON() ([]byte, error) { return []byte(`"[redacted]"`), nil }

// LogValue redacts.
func (secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// String describes the client without its token.
func (c *Client) String() string {
	return "flex.Client{base: " + c.base.String() + ", token: [redacted]}"
}

// GoString is String: %#v never shows the token.
func (c *Client) GoString() string { return c.String() }

// LogValue logs the client without its token.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base", c.base.String()), slog.String("token", "[redacted]"))
}

// Format prints the client without its token in every verb (%v, %+v,
// %#v, %s).
func (c *Client) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, c.String()) }

// MarshalJSON describes the client without its token.
func (c *Client) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"baseURL": c.base.String(), "token": "[redacted]"})
}
