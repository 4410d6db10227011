package ibkrtest_test

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// otherKey is an RSA key the sandbox does not know. 1024 bits keeps the
// test fast; the sandbox refuses it by signature, before any size rule.
func otherKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestTokenEndpointRejections(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithRateLimit(0, 0))
	key := demoKey(t)
	good := func() map[string]any { return assertionClaims(srv) }
	with := func(k string, v any) map[string]any {
		c := good()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	now := srv.Now()
	hs256, err := jws.Sign([]byte(`{"iss":"x"}`), jws.WithKey(jwa.HS256(), []byte("0123456789abcdef0123456789abcdef")))
	if err != nil {
		t.Fatal(err)
	}
	replayed := sign(t, key, srv.KeyID, good())
	if a := postToken(t, srv, tokenForm(replayed, "")); a.Status != http.StatusOK {
		t.Fatalf("first use: HTTP %d %s", a.Status, a.Body)
	}
	cases := []struct {
		name      string
		assertion string
		form      func(f map[string][]string)
		status    int
		title     string
		detail    string
	}{
		{"other key", sign(t, otherKey(t), srv.KeyID, good()), nil, 401, "invalid_client", "signature"},
		{"unknown kid", sign(t, key, "nope", good()), nil, 401, "invalid_client", "kid"},
		{"no kid", sign(t, key, "", good()), nil, 401, "invalid_client", "kid"},
		{"HS256", string(hs256), nil, 401, "invalid_client", "RS256"},
		{"not a JWS", "hello", nil, 401, "invalid_client", "compact JWS"},
		{"wrong iss", sign(t, key, srv.KeyID, with("iss", "someone")), nil, 401, "invalid_client", "iss"},
		{"wrong sub", sign(t, key, srv.KeyID, with("sub", "someone")), nil, 401, "invalid_client", "sub"},
		{"wrong aud", sign(t, key, srv.KeyID, with("aud", "https://api.ibkr.com/oauth2/api/v1/token")), nil, 401, "invalid_client", "aud"},
		{"no aud", sign(t, key, srv.KeyID, with("aud", nil)), nil, 401, "invalid_client", "aud"},
		{"expired", sign(t, key, srv.KeyID, with("exp", now.Add(-time.Minute).Unix())), nil, 401, "invalid_client", "expired"},
		{"no exp", sign(t, key, srv.KeyID, with("exp", nil)), nil, 401, "invalid_client", "exp"},
		{"iat in future", sign(t, key, srv.KeyID, with("iat", now.Add(5*time.Minute).Unix())), nil, 401, "invalid_client", "future"},
		{"no iat", sign(t, key, srv.KeyID, with("iat", nil)), nil, 401, "invalid_client", "iat"},
		{"too long-lived", sign(t, key, srv.KeyID, with("exp", now.Add(3*time.Hour).Unix())), nil, 401, "invalid_client", "lifetime"},
		{"no jti", sign(t, key, srv.KeyID, with("jti", nil)), nil, 401, "invalid_client", "jti"},
		{"replayed jti", replayed, nil, 401, "invalid_client", "jti"},
		{"unknown scope", sign(t, key, srv.KeyID, good()), func(f map[string][]string) { f["scope"] = []string{"trading.write"} }, 400, "invalid_scope", ""},
		{"wrong grant", sign(t, key, srv.KeyID, good()), func(f map[string][]string) { f["grant_type"] = []string{"password"} }, 400, "invalid_request", "grant_type"},
		{"no assertion", "", func(f map[string][]string) { delete(f, "client_assertion") }, 400, "invalid_request", "client_assertion"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := tokenForm(tc.assertion, "")
			if tc.form != nil {
				tc.form(f)
			}
			a := postToken(t, srv, f)
			wantStatus(t, a, tc.status)
			if ct := a.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("content type %q", ct)
			}
			m := a.json(t)
			if m["title"] != tc.title || !strings.Contains(m["detail"].(string), tc.detail) {
				t.Errorf("problem %s", a.Body)
			}
		})
	}
}

func TestTokenGrantsIntersectionOfScopes(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithScopes("echo.read", "accounts.read"))
	a := postToken(t, srv, tokenForm(sign(t, demoKey(t), srv.KeyID, assertionClaims(srv)), "echo.read transfers.write"))
	wantStatus(t, a, http.StatusOK)
	m := a.json(t)
	if m["scope"] != "echo.read" || m["token_type"] != "Bearer" {
		t.Fatalf("granted %s", a.Body)
	}
	c := &client{t: t, srv: srv, tok: m["access_token"].(string), key: demoKey(t), kid: srv.KeyID}
	wantStatus(t, c.get("/gw/api/v1/echo/https"), http.StatusOK)
	// accounts.read is registered but was not requested: not granted.
	wantStatus(t, c.get("/gw/api/v1/accounts/"+ibkrtest.DemoAccountID+"/status"), http.StatusForbidden)

	// No scope parameter: everything registered.
	a = postToken(t, srv, tokenForm(sign(t, demoKey(t), srv.KeyID, assertionClaims(srv)), ""))
	if got := a.json(t)["scope"]; got != "echo.read accounts.read" {
		t.Fatalf("default grant %v", got)
	}
}

func TestTokenAudienceForms(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	for _, aud := range []any{"/token", srv.TokenURL(), []any{"x", "/token"}} {
		c := assertionClaims(srv)
		c["aud"] = aud
		wantStatus(t, postToken(t, srv, tokenForm(sign(t, demoKey(t), srv.KeyID, c), "")), http.StatusOK)
	}
	strict := ibkrtest.NewServer(t, ibkrtest.WithAudience("https://api.ibkr.com/oauth2/api/v1/token"))
	c := assertionClaims(strict)
	wantStatus(t, postToken(t, strict, tokenForm(sign(t, demoKey(t), strict.KeyID, c), "")), http.StatusUnauthorized)
	c = assertionClaims(strict)
	c["aud"] = "https://api.ibkr.com/oauth2/api/v1/token"
	wantStatus(t, postToken(t, strict, tokenForm(sign(t, demoKey(t), strict.KeyID, c), "")), http.StatusOK)
}

func TestBearerRejections(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithTokenLifetime(time.Minute))
	c := newClient(t, srv)
	path := "/gw/api/v1/accounts/" + ibkrtest.DemoAccountID + "/status"
	wantStatus(t, c.get(path), http.StatusOK)

	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	a := do(t, req)
	wantStatus(t, a, http.StatusUnauthorized)
	if !strings.Contains(string(a.Body), "missing bearer") {
		t.Errorf("%s", a.Body)
	}
	bad := &client{t: t, srv: srv, tok: "not-a-token"}
	wantStatus(t, bad.get(path), http.StatusUnauthorized)

	// Tokens expire on the sandbox clock.
	srv.Advance(time.Minute)
	a = c.get(path)
	wantStatus(t, a, http.StatusUnauthorized)
	if !strings.Contains(string(a.Body), "expired") {
		t.Errorf("%s", a.Body)
	}

	// ExpireTokens ends every token at once.
	c2 := newClient(t, srv)
	srv.ExpireTokens()
	wantStatus(t, c2.get(path), http.StatusUnauthorized)

	// A token without the operation's scope: 403, in the operation's
	// declared shape (ForbiddenInstructionResponse, checked by the server).
	tok, err := srv.IssueToken(srv.ClientID, "echo.read")
	if err != nil {
		t.Fatal(err)
	}
	narrow := &client{t: t, srv: srv, tok: tok, key: demoKey(t), kid: srv.KeyID}
	a = narrow.post("/gw/api/v1/bank-instructions", achBody(nextCID(), ibkrtest.DemoAccountID, "X", ibkrtest.RoutingNumberVerified))
	wantStatus(t, a, http.StatusForbidden)
	if !strings.Contains(string(a.Body), "bank-instructions.write") {
		t.Errorf("%s", a.Body)
	}
	if len(srv.Instructions()) != 0 {
		t.Fatal("a refused call changed state")
	}
}

func TestSignedBodyRejections(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithRateLimit(0, 0))
	c := newClient(t, srv)
	path := "/gw/api/v1/echo/signed-jwt"
	now := srv.Now()
	claims := func(mod func(m map[string]any)) map[string]any {
		m := map[string]any{"iss": srv.ClientID, "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
		if mod != nil {
			mod(m)
		}
		return m
	}
	cases := []struct {
		name, ctype, body, reason string
	}{
		{"plain JSON", "application/json", `{"iss":"x"}`, "Content-Type"},
		{"JSON sent as jwt", "application/jwt", `{"iss":"x"}`, "compact JWS"},
		{"other key", "application/jwt", sign(t, otherKey(t), srv.KeyID, claims(nil)), "signature"},
		{"unknown kid", "application/jwt", sign(t, demoKey(t), "k9", claims(nil)), "kid"},
		{"wrong iss", "application/jwt", sign(t, demoKey(t), srv.KeyID, claims(func(m map[string]any) { m["iss"] = "x" })), "iss"},
		{"expired", "application/jwt", sign(t, demoKey(t), srv.KeyID, claims(func(m map[string]any) { m["exp"] = now.Add(-time.Hour).Unix() })), "expired"},
		{"no exp", "application/jwt", sign(t, demoKey(t), srv.KeyID, claims(func(m map[string]any) { delete(m, "exp") })), "exp"},
		{"no iat", "application/jwt", sign(t, demoKey(t), srv.KeyID, claims(func(m map[string]any) { delete(m, "iat") })), "iat"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := c.raw(http.MethodPost, path, tc.ctype, tc.body)
			wantStatus(t, a, http.StatusBadRequest)
			m := a.json(t)
			if m["title"] != ibkrtest.TitleSignedJWT || !strings.Contains(m["detail"].(string), tc.reason) {
				t.Errorf("problem %s", a.Body)
			}
		})
	}
	// The same refusal on a money-moving endpoint, with its declared shape.
	a := c.raw(http.MethodPost, "/gw/api/v1/external-cash-transfers", "application/json", `{"instructionType":"DEPOSIT"}`)
	wantStatus(t, a, http.StatusBadRequest)
	if a.json(t)["title"] != ibkrtest.TitleSignedJWT {
		t.Errorf("%s", a.Body)
	}
}

func TestRegisterClient(t *testing.T) {
	srv := ibkrtest.NewServer(t)
	weak := otherKey(t)
	if err := srv.RegisterClient(ibkrtest.Client{ID: "weak", Keys: map[string]*rsa.PublicKey{"k": &weak.PublicKey}}); err == nil {
		t.Fatal("a 1024-bit key was accepted")
	}
	// A second client, here sharing the demo key under another key id.
	key := demoKey(t)
	if err := srv.RegisterClient(ibkrtest.Client{ID: "second", Keys: map[string]*rsa.PublicKey{"k2": &key.PublicKey}}); err != nil {
		t.Fatal(err)
	}
	now := srv.Now()
	claims := map[string]any{"iss": "second", "sub": "second", "aud": "/token", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "jti": "j1"}
	a := postToken(t, srv, tokenForm(sign(t, key, "k2", claims), ""))
	wantStatus(t, a, http.StatusOK)
	second := &client{t: t, srv: srv, tok: a.json(t)["access_token"].(string), key: key, kid: "k2"}

	// The second client's signed bodies must carry its own iss.
	first := newClient(t, srv)
	cid := nextCID()
	wantStatus(t, first.post("/gw/api/v1/external-cash-transfers", depositBody(cid, ibkrtest.DemoAccountID, "", "5", "WIRE")), http.StatusAccepted)
	// Instructions are per client: the second client cannot see the first's.
	wantStatus(t, second.get("/gw/api/v1/client-instructions/"+itoa(cid)), http.StatusNotFound)
	wantStatus(t, first.get("/gw/api/v1/client-instructions/"+itoa(cid)), http.StatusOK)
	// ... and may use the same clientInstructionId for itself.
	claimsBody := depositBody(cid, ibkrtest.DemoAccountID, "", "5", "WIRE")
	claimsBody["iss"], claimsBody["iat"], claimsBody["exp"] = "second", now.Unix(), now.Add(time.Minute).Unix()
	wantStatus(t, second.raw(http.MethodPost, "/gw/api/v1/external-cash-transfers", "application/jwt", sign(t, key, "k2", claimsBody)), http.StatusAccepted)
}
