package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

var doctorCommand = &command{
	name:    "doctor",
	summary: "check keys, ids, clock, token and signed requests step by step",
	help: `Checks a configuration step by step and says exactly what is wrong:

  private key   the file is readable, RSA, 3072 or 4096 bits, not readable by others
  key id        a kid is set (and whether it is the key's RFC 7638 thumbprint)
  client id     a client id is set
  clock         this machine's clock against the server's Date header
                (signatures carry iat/exp; IBKR refuses clocks that are off)
  token         POST /oauth2/api/v1/token with a private_key_jwt assertion:
                the granted scopes and when the token expires
  echo          GET /gw/api/v1/echo/https with the token: IBKR answers
                plain requests (scope echo.read)
  signed JWT    POST /gw/api/v1/echo/signed-jwt with a signed body: proves
                key, kid and clock are accepted for SIGNED_JWT operations

Works against production, QA (--env qa) or a local sandbox (--base-url).
Steps that need an earlier one are skipped when it failed. The exit code is
the class of the first failure (see "ibkr help").`,
	run: runDoctor,
}

// Clock tolerances: above clockWarn the offset is worth fixing, above
// clockFail signatures are likely refused (the sandbox allows 30 s).
const (
	clockWarn = 5 * time.Second
	clockFail = 30 * time.Second
)

// check is one step of the doctor.
type check struct {
	Name    string `json:"name"`
	Status  string `json:"status"` // ok, warn, fail, skip
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	code    int
}

type doctorReport struct {
	Target string  `json:"target"`
	OK     bool    `json:"ok"`
	Checks []check `json:"checks"`
}

func runDoctor(ctx context.Context, a *app, args []string) error {
	flags := a.newFlags()
	var cf connFlags
	cf.register(flags)
	timeout := flags.Duration("timeout", 20*time.Second, "time limit for each network check")
	if err := a.parseOnly(flags, args); err != nil {
		return err
	}
	t, err := cf.resolveTarget(a)
	if err != nil {
		return err
	}
	rep := doctorReport{Target: t.String()}
	a.say("ibkr doctor: checking %s", t)
	add := func(c check) check {
		rep.Checks = append(rep.Checks, c)
		if !a.json {
			label := map[string]string{"ok": "ok  ", "warn": "warn", "fail": "FAIL", "skip": "skip"}[c.Status]
			a.say("  %s  %-12s%s", label, c.Name, c.Message)
			if c.Hint != "" {
				a.say("  %s  %-12s→ %s", "    ", "", c.Hint)
			}
		}
		return c
	}

	// 1-3: key, kid, client id.
	credsOK := true
	cr := &creds{
		clientID: strings.TrimSpace(firstNonEmpty(cf.clientID, a.getenv(envClientID))),
		keyID:    strings.TrimSpace(firstNonEmpty(cf.keyID, a.getenv(envKeyID))),
		keyFile:  firstNonEmpty(cf.keyFile, a.getenv(envKeyFile)),
	}
	key, format, warn, err := loadPrivateKey(cr.keyFile)
	switch {
	case err != nil:
		credsOK = false
		add(failCheck("private key", err))
	case warn != "":
		cr.key, cr.format, cr.bits = key, format, key.N.BitLen()
		add(check{Name: "private key", Status: "warn", Message: fmt.Sprintf("%s: RSA-%d, %s; %s", cr.keyFile, cr.bits, format, warn)})
	default:
		cr.key, cr.format, cr.bits = key, format, key.N.BitLen()
		add(check{Name: "private key", Status: "ok", Message: fmt.Sprintf("%s: RSA-%d, %s", cr.keyFile, cr.bits, format)})
	}
	switch {
	case cr.keyID == "":
		credsOK = false
		add(check{Name: "key id", Status: "fail", code: exitConfig, Message: "no key id (kid) set",
			Hint: "set --key-id or " + envKeyID + " to the kid IBKR registered for your public key"})
	case cr.key != nil:
		tp, _ := keyThumbprint(&cr.key.PublicKey)
		if tp == cr.keyID {
			add(check{Name: "key id", Status: "ok", Message: cr.keyID + " (the key's RFC 7638 thumbprint)"})
		} else {
			add(check{Name: "key id", Status: "ok", Message: fmt.Sprintf("%s (not this key's thumbprint %s: fine if IBKR registered this kid for it)", cr.keyID, tp)})
		}
	default:
		add(check{Name: "key id", Status: "ok", Message: cr.keyID})
	}
	if cr.clientID == "" {
		credsOK = false
		add(check{Name: "client id", Status: "fail", code: exitConfig, Message: "no client id set",
			Hint: "set --client-id or " + envClientID + " to the client id IBKR gave you"})
	} else {
		add(check{Name: "client id", Status: "ok", Message: cr.clientID})
	}

	// 4: clock against the server's Date header.
	clk := a.clock()
	hc := &http.Client{Timeout: *timeout}
	clockCheck := doctorClock(ctx, hc, t, clk)
	add(clockCheck)
	reachable := clockCheck.code != exitNetwork

	// 5-6: token and signed round trip.
	switch {
	case !reachable:
		add(check{Name: "token", Status: "skip", Message: "server unreachable"})
		add(check{Name: "echo", Status: "skip", Message: "server unreachable"})
		add(check{Name: "signed JWT", Status: "skip", Message: "server unreachable"})
	case !credsOK:
		add(check{Name: "token", Status: "skip", Message: "needs the key, key id and client id above"})
		add(check{Name: "echo", Status: "skip", Message: "needs the key, key id and client id above"})
		add(check{Name: "signed JWT", Status: "skip", Message: "needs the key, key id and client id above"})
	default:
		capture := &tokenCapture{base: http.DefaultTransport}
		opts := cf.clientOptions(a, t, cr,
			ibkr.WithHTTPClient(&http.Client{Timeout: *timeout, Transport: capture}),
			ibkr.WithClock(clk),
			ibkr.WithRetryPolicy(ibkr.RetryPolicy{MaxAttempts: 1}),
		)
		cl, err := ibkr.New(opts...)
		if err != nil {
			add(failCheck("token", &configError{msg: errorMessage(err), err: err}))
			add(check{Name: "echo", Status: "skip", Message: "no client"})
			add(check{Name: "signed JWT", Status: "skip", Message: "no client"})
			break
		}
		tc := doctorToken(ctx, cl, capture, clk, splitScopes(cf.scopes))
		add(tc)
		if tc.Status == "fail" {
			add(check{Name: "echo", Status: "skip", Message: "needs a token"})
			add(check{Name: "signed JWT", Status: "skip", Message: "needs a token"})
			break
		}
		add(doctorEcho(ctx, cl))
		add(doctorSignedEcho(ctx, cl))
	}

	var first *check
	for i := range rep.Checks {
		if rep.Checks[i].Status == "fail" {
			first = &rep.Checks[i]
			break
		}
	}
	rep.OK = first == nil
	if a.json {
		a.emit(rep)
	}
	if first != nil {
		n := 0
		for _, c := range rep.Checks {
			if c.Status == "fail" {
				n++
			}
		}
		code := first.code
		if code == 0 {
			code = exitFailure
		}
		return &codedError{code: code, msg: fmt.Sprintf("%d check(s) failed, first: %s: %s", n, first.Name, first.Message)}
	}
	a.say("all checks passed")
	return nil
}

// failCheck turns an error into a failed check with its exit class.
func failCheck(name string, err error) check {
	return check{Name: name, Status: "fail", Message: errorMessage(err), Hint: hint(err), code: exitCode(err)}
}

// doctorClock compares the local clock with the server's Date header,
// taken from an unauthenticated GET (any answer carries one).
func doctorClock(ctx context.Context, hc *http.Client, t target, clk ibkr.Clock) check {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.baseURL+"/gw/api/v1/echo/https", nil)
	if err != nil {
		return check{Name: "clock", Status: "fail", Message: err.Error(), code: exitUsage}
	}
	before := clk.Now()
	resp, err := hc.Do(req)
	after := clk.Now()
	if err != nil {
		c := failCheck("clock", err)
		c.Message = "cannot reach " + t.baseURL + ": " + netReason(err)
		if c.code != exitInterrupted {
			c.code = exitNetwork
		}
		c.Hint = hint(err)
		return c
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return check{Name: "clock", Status: "warn", Message: "the server sent no usable Date header; cannot compare clocks"}
	}
	// The Date header has one-second resolution; compare with the middle
	// of the exchange.
	local := before.Add(after.Sub(before) / 2)
	offset := local.Sub(date)
	abs := offset
	if abs < 0 {
		abs = -abs
	}
	slack := after.Sub(before)/2 + time.Second
	msg := fmt.Sprintf("local %s, server %s (local is %s %s)", local.UTC().Format(time.TimeOnly), date.UTC().Format(time.TimeOnly),
		human(abs.Truncate(time.Second)), map[bool]string{true: "ahead", false: "behind"}[offset >= 0])
	switch {
	case abs > clockFail+slack:
		return check{Name: "clock", Status: "fail", code: exitConfig, Message: msg,
			Hint: "signed assertions carry iat/exp from this clock and will be refused; sync it (NTP: timedatectl set-ntp true)"}
	case abs > clockWarn+slack:
		return check{Name: "clock", Status: "warn", Message: msg + "; sync this machine's clock (NTP)"}
	}
	return check{Name: "clock", Status: "ok", Message: fmt.Sprintf("within %s of the server's Date header (%s UTC)", human(clockWarn), date.UTC().Format(time.TimeOnly))}
}

// netReason is the innermost cause of a connection failure.
func netReason(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

// doctorToken requests a token and reports the granted scopes and expiry.
func doctorToken(ctx context.Context, cl *ibkr.Client, capture *tokenCapture, clk ibkr.Clock, requested []string) check {
	if _, err := cl.TokenSource(ctx).Token(); err != nil {
		c := failCheck("token", err)
		c.Hint = tokenHint(err)
		return c
	}
	scope, hasScope, expiresIn := capture.result()
	exp := fmt.Sprintf("expires in %s (at %s)", human(time.Duration(expiresIn)*time.Second),
		clk.Now().Add(time.Duration(expiresIn)*time.Second).UTC().Format("2006-01-02 15:04 MST"))
	if !hasScope {
		return check{Name: "token", Status: "ok", Message: "granted; the server did not list the scopes; " + exp}
	}
	granted := strings.Fields(scope)
	sort.Strings(granted)
	msg := fmt.Sprintf("granted %d scope(s): %s; %s", len(granted), strings.Join(granted, " "), exp)
	if len(requested) == 0 {
		requested = ibkr.AllScopes()
	}
	var missing []string
	for _, s := range requested {
		if !contains(granted, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 && len(missing) < len(requested) {
		msg += fmt.Sprintf("; not granted: %s", strings.Join(missing, " "))
	}
	return check{Name: "token", Status: "ok", Message: msg}
}

func tokenHint(err error) string {
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "kid"):
		return "the key id is not registered for this client at this host: check --key-id, and that you registered this key's JWKS in this environment (QA and production keys differ)"
	case strings.Contains(msg, "iss and sub"), strings.Contains(msg, "client id"):
		return "the client id does not match the one the key is registered for: check --client-id"
	case strings.Contains(msg, "signature"):
		return "the signature does not verify: the private key does not match the public key registered under this kid"
	case strings.Contains(msg, "iat"), strings.Contains(msg, "exp"), strings.Contains(msg, "expired"):
		return "the assertion's times were refused: check this machine's clock"
	case strings.Contains(msg, "aud"):
		return "the audience was refused: try --audience /token or the full token URL"
	case strings.Contains(msg, "scope"):
		return "none of the requested scopes is granted to this client: check --scopes"
	}
	return hint(err)
}

// doctorEcho sends a plain request with the token to the echo endpoint:
// IBKR is reachable with it and the token carries echo.read.
func doctorEcho(ctx context.Context, cl *ibkr.Client) check {
	e, err := cl.Echo(ctx)
	if err != nil {
		c := failCheck("echo", err)
		if errors.Is(err, ibkr.ErrForbidden) {
			c.Hint = "the token lacks scope echo.read; ask IBKR to grant it (or use --scopes to request it)"
		}
		return c
	}
	return echoCheck("echo", "GET /gw/api/v1/echo/https answered with the token", e, "HTTPS")
}

// doctorSignedEcho sends a signed body to the signed echo endpoint: IBKR
// accepts this key, its kid and this clock for SIGNED_JWT operations.
func doctorSignedEcho(ctx context.Context, cl *ibkr.Client) check {
	e, err := cl.EchoSigned(ctx)
	if err != nil {
		c := failCheck("signed JWT", err)
		if errors.Is(err, ibkr.ErrForbidden) {
			c.Hint = "the token lacks scope echo.write; ask IBKR to grant it (or use --scopes to request it)"
		} else if errors.Is(err, ibkr.ErrBadRequest) {
			c.Hint = "the signed body was refused: check the key id and the clock"
		}
		return c
	}
	return echoCheck("signed JWT", "POST /gw/api/v1/echo/signed-jwt accepted the signed body", e, "SIGNED_JWT")
}

// echoCheck reports an echo's answer: ok when IBKR says it took the
// request under the policy it was sent with.
func echoCheck(name, msg string, e *ibkr.EchoResult, policy string) check {
	if e.SecurityPolicy != policy {
		return check{Name: name, Status: "warn", Message: fmt.Sprintf("%s, but under security policy %q, not %s", msg, e.SecurityPolicy, policy)}
	}
	return check{Name: name, Status: "ok", Message: msg + " (security policy " + policy + ")"}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// tokenCapture watches token answers go by and keeps their scope and
// lifetime (never the token itself), for doctor's report.
type tokenCapture struct {
	base http.RoundTripper

	mu        sync.Mutex
	scope     string
	hasScope  bool
	expiresIn int64
}

const tokenPath = "/oauth2/api/v1/token"

// RoundTrip implements http.RoundTripper.
func (t *tokenCapture) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK || !strings.HasSuffix(req.URL.Path, tokenPath) {
		return resp, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil
	}
	var v struct {
		Scope     *string `json:"scope"`
		ExpiresIn int64   `json:"expires_in"`
	}
	if json.Unmarshal(body, &v) == nil {
		t.mu.Lock()
		t.expiresIn = v.ExpiresIn
		if v.Scope != nil {
			t.scope, t.hasScope = *v.Scope, true
		}
		t.mu.Unlock()
	}
	return resp, nil
}

func (t *tokenCapture) result() (string, bool, int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.scope, t.hasScope, t.expiresIn
}
