package ibkr

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAssertionClaimsAndHeader(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithScopes("echo.read", "accounts.read"))
	if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
		t.Fatal(err)
	}
	if n := f.tokenCount.Load(); n != 1 {
		t.Fatalf("%d token requests, want 1", n)
	}
	f.mu.Lock()
	claims, hdr, form := f.assertions[0], f.assertHdrs[0], f.forms[0]
	f.mu.Unlock()
	if claims == nil {
		t.Fatal("assertion did not verify with the public key")
	}
	if claims["iss"] != "client-7" || claims["sub"] != "client-7" {
		t.Errorf("iss/sub = %v/%v", claims["iss"], claims["sub"])
	}
	if claims["aud"] != f.srv.URL+tokenPath {
		t.Errorf("aud = %v, want the token URL", claims["aud"])
	}
	iat, exp := claims["iat"].(float64), claims["exp"].(float64)
	if int64(iat) != harnessStart.Unix() || exp-iat != assertionTTL.Seconds() {
		t.Errorf("iat %v exp %v: want iat = now and a %v lifetime", iat, exp, assertionTTL)
	}
	if jti, _ := claims["jti"].(string); len(jti) < 16 {
		t.Errorf("jti %q too short", jti)
	}
	if kid, _ := hdr.KeyID(); kid != "kid-7" {
		t.Errorf("kid = %q", kid)
	}
	if alg, _ := hdr.Algorithm(); alg.String() != "RS256" {
		t.Errorf("alg = %v", alg)
	}
	if typ, _ := hdr.Type(); typ != "JWT" {
		t.Errorf("typ = %q", typ)
	}
	if first(form["grant_type"]) != "client_credentials" ||
		first(form["client_assertion_type"]) != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" ||
		first(form["scope"]) != "echo.read accounts.read" {
		t.Errorf("form = %v", form)
	}
	reqs := f.requests("listEchoHttps")
	if len(reqs) != 1 || reqs[0].header.Get("Authorization") != "Bearer tok-secret-1-abcdefgh" {
		t.Fatalf("echo requests %v", reqs)
	}
}

func TestAssertionAudienceAndFreshJTI(t *testing.T) {
	f := newFake(t)
	f.tokenLife.Store(60)
	c := f.newClient(WithAudience("/token"))
	for i := 0; i < 2; i++ {
		if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(time.Minute) // the 60 s token is stale now
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.assertions) != 2 {
		t.Fatalf("%d assertions, want 2", len(f.assertions))
	}
	if f.assertions[0]["aud"] != "/token" {
		t.Errorf("aud = %v", f.assertions[0]["aud"])
	}
	if f.assertions[0]["jti"] == f.assertions[1]["jti"] {
		t.Error("jti reused")
	}
	// Default scopes: all of the spec's.
	if got := first(f.forms[0]["scope"]); got != strings.Join(AllScopes(), " ") {
		t.Errorf("scope = %q", got)
	}
}

func TestTokenCachedAndRefreshedBeforeExpiry(t *testing.T) {
	f := newFake(t)
	f.tokenLife.Store(3600)
	c := f.newClient()
	call := func() {
		t.Helper()
		if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 5; i++ {
		call()
	}
	if n := f.tokenCount.Load(); n != 1 {
		t.Fatalf("%d token requests for 5 calls, want 1", n)
	}
	// Refresh margin: min(2 min, lifetime/5) = 2 min before expiry.
	f.clk.Set(harnessStart.Add(time.Hour - maxRefreshMargin - time.Second))
	call()
	if n := f.tokenCount.Load(); n != 1 {
		t.Fatalf("refreshed too early (%d token requests)", n)
	}
	f.clk.Set(harnessStart.Add(time.Hour - maxRefreshMargin + time.Second))
	call()
	if n := f.tokenCount.Load(); n != 2 {
		t.Fatalf("not refreshed before expiry (%d token requests)", n)
	}
	reqs := f.requests("listEchoHttps")
	if got := reqs[len(reqs)-1].header.Get("Authorization"); got != "Bearer tok-secret-2-abcdefgh" {
		t.Fatalf("last call used %q", got)
	}
}

func TestTokenSingleFlight1000(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	const n = 1000
	release := make(chan struct{})
	f.mu.Lock()
	f.tokenFn = func(w http.ResponseWriter, r *http.Request) bool {
		<-release
		return false
	}
	f.mu.Unlock()

	var wg sync.WaitGroup
	start := make(chan struct{})
	toks := make([]string, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			tok, err := c.TokenSource(bg).Token()
			errs[i] = err
			if err == nil {
				toks[i] = tok.AccessToken
			}
		}(i)
	}
	close(start)
	// Hold the token answer until all 1,000 callers wait on the one
	// request in flight.
	deadline := time.Now().Add(20 * time.Second)
	for {
		c.tokens.mu.Lock()
		fl := c.tokens.flight
		c.tokens.mu.Unlock()
		if fl != nil && fl.joined.Load() == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("callers never all joined the token request")
		}
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if got := f.tokenCount.Load(); got != 1 {
		t.Fatalf("%d token requests for %d concurrent callers, want exactly 1", got, n)
	}
	for i := range n {
		if errs[i] != nil || toks[i] != "tok-secret-1-abcdefgh" {
			noteErr(errs[i])
			t.Fatalf("caller %d: %q %v", i, toks[i], errs[i])
		}
	}
}

func TestUnauthorizedRefreshesOnceAndRetries(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	f.handle("listEchoHttps", func(w http.ResponseWriter, r *http.Request, rec received) {
		if r.Header.Get("Authorization") == "Bearer tok-secret-1-abcdefgh" {
			problem(w, http.StatusUnauthorized, "invalid_token", "token revoked")
			return
		}
		writeJSON(w, 200, map[string]any{"ok": true})
	})
	r, err := c.Raw().ListEchoHttpsWithResponse(bg)
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode() != 200 {
		t.Fatalf("status %d", r.StatusCode())
	}
	if tc, ec := f.tokenCount.Load(), len(f.requests("listEchoHttps")); tc != 2 || ec != 2 {
		t.Fatalf("%d token requests, %d calls; want 2 and 2", tc, ec)
	}
}

func TestUnauthorizedTwiceFails(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	f.handle("createBankInstructions", func(w http.ResponseWriter, r *http.Request, rec received) {
		problem(w, http.StatusUnauthorized, "invalid_token", "token revoked")
	})
	_, err := c.Raw().CreateBankInstructionsWithBodyWithResponse(bg, "application/json",
		jsonReader(`{"instructionType":"ACH_INSTRUCTION","instruction":{"clientInstructionId":0,"bankAccountNumber":"`+secretAccountNumber+`"}}`))
	wantErr(t, err, ErrUnauthorized)
	posts := f.requests("createBankInstructions")
	if tc := f.tokenCount.Load(); tc != 2 || len(posts) != 2 {
		t.Fatalf("%d token requests, %d posts; want 2 and 2", tc, len(posts))
	}
	if posts[0].instructionID() != posts[1].instructionID() || posts[0].instructionID() == "" {
		t.Fatalf("the retry after 401 changed the id: %q vs %q", posts[0].instructionID(), posts[1].instructionID())
	}
	if len(f.requests("getClientInstructions")) != 0 {
		t.Fatal("a 401 is a definite answer; no reconciliation expected")
	}
}

func TestTokenErrorIsTyped(t *testing.T) {
	f := newFake(t)
	f.mu.Lock()
	f.tokenFn = func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"bad assertion eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln"}`))
		return true
	}
	f.mu.Unlock()
	c := f.newClient()
	_, err := c.Raw().ListEchoHttpsWithResponse(bg)
	wantErr(t, err, ErrBadRequest)
	var ae *APIError
	if !errors.As(err, &ae) || ae.OperationID != "generateToken" || ae.Code != "invalid_client" {
		t.Fatalf("error %#v", err)
	}
	if strings.Contains(err.Error(), "eyJ") {
		t.Fatalf("token-like text not scrubbed: %v", err)
	}
	if len(f.requests("listEchoHttps")) != 0 {
		t.Fatal("call sent without a token")
	}
}

func TestTokenRequestRetried(t *testing.T) {
	f := newFake(t)
	calls := 0
	f.mu.Lock()
	f.tokenFn = func(w http.ResponseWriter, r *http.Request) bool {
		calls++
		if calls == 1 {
			problem(w, http.StatusServiceUnavailable, "", "busy")
			return true
		}
		return false
	}
	f.mu.Unlock()
	c := f.newClient()
	if _, err := c.Raw().ListEchoHttpsWithResponse(bg); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.assertions) != 2 || f.assertions[0]["jti"] == f.assertions[1]["jti"] {
		t.Fatalf("the retried token request must carry a fresh assertion: %v", f.assertions)
	}
}

func TestOAuth2TokenSource(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	ts := c.TokenSource(context.Background())
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "tok-secret-1-abcdefgh" || tok.TokenType != "Bearer" {
		t.Fatalf("token %+v", tok.TokenType)
	}
	if want := harnessStart.Add(time.Hour - maxRefreshMargin); !tok.Expiry.Equal(want) {
		t.Fatalf("expiry %v, want %v", tok.Expiry, want)
	}
	if _, err := ts.Token(); err != nil || f.tokenCount.Load() != 1 {
		t.Fatalf("second Token: %v, %d requests", err, f.tokenCount.Load())
	}
}
