package ibkrtest_test

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/wire"
)

// The tests sign with jwx directly, independently of the facade.

var jtiSeq atomic.Int64

func demoKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := ibkrtest.ParsePrivateKeyPEM([]byte(ibkrtest.DemoPrivateKeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t testing.TB, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	hdr := jws.NewHeaders()
	if kid != "" {
		_ = hdr.Set(jws.KeyIDKey, kid)
	}
	_ = hdr.Set(jws.TypeKey, "JWT")
	out, err := jws.Sign(payload, jws.WithKey(jwa.RS256(), key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// assertionClaims are valid client-assertion claims at the sandbox's time.
func assertionClaims(srv *ibkrtest.Server) map[string]any {
	now := srv.Now()
	return map[string]any{
		"iss": srv.ClientID, "sub": srv.ClientID, "aud": srv.TokenURL(),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
		"jti": fmt.Sprintf("jti-%d", jtiSeq.Add(1)),
	}
}

func tokenForm(assertion, scope string) url.Values {
	v := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	}
	if scope != "" {
		v.Set("scope", scope)
	}
	return v
}

type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

func (a answer) json(t testing.TB) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(a.Body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("body %q: %v", a.Body, err)
	}
	return m
}

func do(t testing.TB, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

func postToken(t testing.TB, srv *ibkrtest.Server, form url.Values) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.TokenURL(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, req)
}

// token obtains an access token through the token endpoint.
func token(t testing.TB, srv *ibkrtest.Server, scope string) string {
	t.Helper()
	a := postToken(t, srv, tokenForm(sign(t, demoKey(t), srv.KeyID, assertionClaims(srv)), scope))
	if a.Status != http.StatusOK {
		t.Fatalf("token: HTTP %d %s", a.Status, a.Body)
	}
	return a.json(t)["access_token"].(string)
}

// client is a tiny hand-made caller: bearer token plus JWS bodies.
type client struct {
	t   testing.TB
	srv *ibkrtest.Server
	tok string
	key *rsa.PrivateKey
	kid string
}

func newClient(t testing.TB, srv *ibkrtest.Server) *client {
	t.Helper()
	return &client{t: t, srv: srv, tok: token(t, srv, ""), key: demoKey(t), kid: srv.KeyID}
}

func (c *client) get(path string) answer {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.tok)
	return do(c.t, req)
}

// signed sends body as a signed JWT (with iss/iat/exp added).
func (c *client) signed(method, path string, body map[string]any) answer {
	c.t.Helper()
	claims := map[string]any{}
	for k, v := range body {
		claims[k] = v
	}
	now := c.srv.Now()
	claims["iss"] = c.srv.ClientID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(time.Minute).Unix()
	// A fresh jti, as the SDK sends: the strict sandbox accepts a signed
	// body once, and a test repeats bodies within the same fake second.
	claims["jti"] = fmt.Sprintf("body-%d", jtiSeq.Add(1))
	return c.raw(method, path, "application/jwt", sign(c.t, c.key, c.kid, claims))
}

func (c *client) raw(method, path, ctype, body string) answer {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.tok)
	req.Header.Set("Content-Type", ctype)
	return do(c.t, req)
}

func (c *client) post(path string, body map[string]any) answer {
	c.t.Helper()
	return c.signed(http.MethodPost, path, body)
}

var cidSeq atomic.Int64

func nextCID() int64 { return 7000000 + cidSeq.Add(1) }

func achBody(cid int64, acct, name, routing string) map[string]any {
	return map[string]any{
		"instructionType": "ACH_INSTRUCTION",
		"instruction": map[string]any{
			"clientInstructionId": cid, "bankInstructionCode": "USACH", "achType": "DEBIT_CREDIT",
			"bankInstructionName": name, "currency": "USD", "accountId": acct,
			"clientAccountInfo": map[string]any{
				"bankRoutingNumber": routing, "bankAccountNumber": "123456789", "bankName": "Sandbox Bank", "bankAccountTypeCode": 1,
			},
		},
	}
}

func depositBody(cid int64, acct, name, amount, method string) map[string]any {
	in := map[string]any{
		"clientInstructionId": cid, "accountId": acct, "currency": "USD",
		"amount": json.Number(amount), "bankInstructionMethod": method,
	}
	if name != "" {
		in["bankInstructionName"] = name
	}
	return map[string]any{"instructionType": "DEPOSIT", "instruction": in}
}

func withdrawalBody(cid int64, acct, name, amount string) map[string]any {
	return map[string]any{"instructionType": "WITHDRAWAL", "instruction": map[string]any{
		"clientInstructionId": cid, "accountId": acct, "currency": "USD", "amount": json.Number(amount),
		"bankInstructionMethod": "ACH", "bankInstructionName": name,
	}}
}

// result digs instructionResult out of an instruction answer.
func result(t testing.TB, a answer) map[string]any {
	t.Helper()
	r, ok := a.json(t)["instructionResult"].(map[string]any)
	if !ok {
		t.Fatalf("no instructionResult in %s", a.Body)
	}
	return r
}

func errorCode(t testing.TB, a answer) string {
	t.Helper()
	r := result(t, a)
	e, _ := r["error"].(map[string]any)
	code, _ := e["errorCode"].(string)
	return code
}

func idFrom(t testing.TB, v any) wire.ID {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("not a number: %v", v)
	}
	id, err := wire.ParseID(n.String())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func wantStatus(t testing.TB, a answer, status int) {
	t.Helper()
	if a.Status != status {
		t.Fatalf("HTTP %d, want %d: %s", a.Status, status, a.Body)
	}
}

// linkACH creates and verifies an ACH instruction ending PROCESSED; it
// returns the instruction id.
func linkACH(t testing.TB, c *client, acct, name string) wire.ID {
	t.Helper()
	a := c.post("/gw/api/v1/bank-instructions", achBody(nextCID(), acct, name, ibkrtest.RoutingNumberVerified))
	wantStatus(t, a, http.StatusAccepted)
	id := idFrom(t, result(t, a)["instructionId"])
	c.srv.Advance(ibkrtest.DefaultTimings.ACHVerification)
	info, _ := c.srv.Instruction(id)
	if info.Status != ibkrtest.StatusProcessed {
		t.Fatalf("ACH %s is %s", id, info.Status)
	}
	return id
}

func mustDec(s string) wire.Decimal { return wire.MustDecimal(s) }

func itoa(n int64) string { return fmt.Sprint(n) }
