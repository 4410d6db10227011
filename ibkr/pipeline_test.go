package ibkr

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/ibkrweb/ibkr-go/internal/optable"
)

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// TestEveryOperationGoesOutInItsPolicyForm sends each of the spec's
// operations through the client's doer and checks the wire form its
// security policy demands: SIGNED_JWT bodies as a compact JWS that
// verifies with the public key and carries the body's fields plus iss,
// iat and exp; HTTPS operations with a bearer token and no signing; the
// token endpoint without a bearer token.
func TestEveryOperationGoesOutInItsPolicyForm(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	if len(optable.Operations) != 51 {
		t.Fatalf("%d operations in the table, want 51", len(optable.Operations))
	}
	counts := map[string]int{}
	const body = `{"accountId":"U1234567","amount":123.45,"bigId":98765432109876543210,"note":"héllo"}`
	for _, op := range optable.Operations {
		counts[op.Policy]++
		t.Run(op.ID, func(t *testing.T) {
			path := pathParam.ReplaceAllString(op.Path, "123")
			var rd io.Reader
			ct := ""
			switch {
			case op.Policy == optable.PolicyNone:
				a, err := c.signer.assertion(c.audience, f.clk.Now())
				if err != nil {
					t.Fatal(err)
				}
				rd = strings.NewReader(url.Values{
					"grant_type": {"client_credentials"}, "client_assertion_type": {clientAssertionType},
					"client_assertion": {string(a)}, "scope": {"echo.read"},
				}.Encode())
				ct = "application/x-www-form-urlencoded"
			case op.Method != http.MethodGet:
				rd, ct = strings.NewReader(body), "application/json"
			}
			req, err := http.NewRequest(op.Method, f.srv.URL+path, rd)
			if err != nil {
				t.Fatal(err)
			}
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			tokensBefore := f.tokenCount.Load()
			before := len(f.requests(op.ID))
			resp, err := rawDo(c, req)
			if err != nil {
				noteErr(err)
				t.Fatalf("%s: %v", op.ID, err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if op.Policy == optable.PolicyNone {
				if f.tokenCount.Load() != tokensBefore+1 {
					t.Fatal("token endpoint not reached")
				}
				f.mu.Lock()
				last := f.assertions[len(f.assertions)-1]
				f.mu.Unlock()
				if last == nil {
					t.Fatal("assertion did not verify")
				}
				return
			}
			reqs := f.requests(op.ID)
			if len(reqs) != before+1 {
				t.Fatalf("%d requests recorded for %s, want %d", len(reqs), op.ID, before+1)
			}
			rec := reqs[len(reqs)-1]
			if !strings.HasPrefix(rec.header.Get("Authorization"), "Bearer tok-secret-") {
				t.Fatalf("no bearer token: %q", rec.header.Get("Authorization"))
			}
			switch op.Policy {
			case optable.PolicySignedJWT:
				checkSignedBody(t, f, rec, body)
			case optable.PolicyHTTPS:
				if op.Method == http.MethodGet && len(rec.body) != 0 {
					t.Fatalf("GET with a body: %q", rec.body)
				}
				if len(rec.body) > 0 && (rec.header.Get("Content-Type") != "application/json" || !json.Valid(rec.body)) {
					t.Fatalf("HTTPS body not plain JSON: %q %q", rec.header.Get("Content-Type"), rec.body)
				}
			default:
				t.Fatalf("unexpected policy %q", op.Policy)
			}
		})
	}
	if counts[optable.PolicySignedJWT] == 0 || counts[optable.PolicyHTTPS] == 0 || counts[optable.PolicyNone] != 1 {
		t.Fatalf("policy counts %v", counts)
	}
}

func checkSignedBody(t *testing.T, f *fakeIBKR, rec received, sent string) {
	t.Helper()
	if ct := rec.header.Get("Content-Type"); ct != "application/jwt" {
		t.Fatalf("content type %q, want application/jwt", ct)
	}
	payload, err := jws.Verify(rec.body, jws.WithKey(jwa.RS256(), f.pub))
	if err != nil {
		t.Fatalf("JWS does not verify with the public key: %v", err)
	}
	msg, err := jws.Parse(rec.body)
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	if kid, _ := h.KeyID(); kid != "kid-7" {
		t.Fatalf("kid %q", kid)
	}
	if alg, _ := h.Algorithm(); alg.String() != "RS256" {
		t.Fatalf("alg %v", alg)
	}
	// Exact numbers: the body's text survives signing byte for byte.
	for _, frag := range []string{`"amount":123.45`, `"bigId":98765432109876543210`, `"accountId":"U1234567"`, `"note":"héllo"`} {
		if !bytes.Contains(payload, []byte(frag)) {
			t.Fatalf("payload %s lacks %s", payload, frag)
		}
	}
	cl := rec.claims
	if cl["iss"] != "client-7" {
		t.Fatalf("iss %v", cl["iss"])
	}
	iat, _ := cl["iat"].(json.Number).Int64()
	exp, _ := cl["exp"].(json.Number).Int64()
	if iat != f.clk.Now().Unix() && iat > f.clk.Now().Unix() {
		t.Fatalf("iat %d in the future", iat)
	}
	if exp-iat != 60 {
		t.Fatalf("exp-iat = %d, want 60", exp-iat)
	}
	if _, ok := cl["sub"]; ok {
		t.Fatal("signed bodies carry no sub")
	}
}

func TestSignedBodyReplacesReservedClaims(t *testing.T) {
	out, err := bodyClaims([]byte(`{"iss":"evil","exp":1,"jti":"same","x":1.50}`), "client-7", harnessStart)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	if string(m["iss"]) != `"client-7"` || string(m["x"]) != "1.50" || len(m) != 5 || len(m["jti"]) != 34 {
		t.Fatalf("claims %s", out)
	}
	again, _ := bodyClaims([]byte(`{"x":1.50}`), "client-7", harnessStart)
	if bytes.Equal(out, again) {
		t.Fatal("two bodies signed at the same time are identical (no fresh jti)")
	}
	for _, bad := range []string{`[1,2]`, `"x"`, `{"a":`, `nul`} {
		_, err := bodyClaims([]byte(bad), "c", harnessStart)
		wantErr(t, err, ErrInvalidInput)
	}
	if out, err := bodyClaims(nil, "c", harnessStart); err != nil || !json.Valid(out) {
		t.Fatalf("empty body: %s %v", out, err)
	}
}

func TestSignedOperationWithBadBodyIsRefusedLocally(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	_, err := c.Raw().CreateEchoSignedJwtWithBodyWithResponse(bg, "application/json", jsonReader(`[1,2,3]`))
	wantErr(t, err, ErrInvalidInput)
	if len(f.requests("")) != 0 {
		t.Fatal("request sent")
	}
}

func TestPreSignedBodyPassesThrough(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	signed, err := c.signer.signBody([]byte(`{"echo":"x"}`), f.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Raw().CreateEchoSignedJwtWithBodyWithResponse(bg, "application/jwt", bytes.NewReader(signed)); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests("createEchoSignedJwt")
	if len(reqs) != 1 || !bytes.Equal(reqs[0].body, signed) {
		t.Fatal("a body the caller signed must go out unchanged")
	}
}

func TestBasePathPrefix(t *testing.T) {
	f := newFake(t)
	mux := http.NewServeMux()
	mux.Handle("/prefix/", http.StripPrefix("/prefix", http.HandlerFunc(f.serve)))
	f.srv.Config.Handler = mux
	c := f.newClient(WithBaseURL(f.srv.URL + "/prefix"))
	if _, err := c.Raw().GetAccountsDetailsWithResponse(bg, "U123"); err != nil {
		t.Fatal(err)
	}
	if r := f.requests("getAccountsDetails"); len(r) != 1 || r[0].path != "/gw/api/v1/accounts/U123/details" {
		t.Fatalf("requests %v", r)
	}
}

func TestRewrittenBodyKeepsCharacters(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	// The id is filled in, so the body is re-encoded; text and numbers
	// must survive exactly.
	body := `{"instructionType":"DEPOSIT","instruction":{"amount":0.10,"note":"A&B <ok>","big":12345678901234567890123}}`
	if _, err := c.Raw().CreateExternalCashTransfersWithBodyWithResponse(bg, "application/json", jsonReader(body)); err != nil {
		t.Fatal(err)
	}
	p := f.requests("createExternalCashTransfers")[0].payload
	for _, frag := range []string{`"amount":0.10`, `"note":"A&B <ok>"`, `"big":12345678901234567890123`, `"clientInstructionId":`} {
		if !bytes.Contains(p, []byte(frag)) {
			t.Fatalf("payload %s lacks %s", p, frag)
		}
	}
}

func TestHeaders(t *testing.T) {
	f := newFake(t)
	c := f.newClient(WithUserAgent("myapp/1.2 ibkr-go"))
	if _, err := c.Raw().GetAccountsKycWithResponse(bg, "U1"); err != nil {
		t.Fatal(err)
	}
	h := f.requests("getAccountsKyc")[0].header
	if h.Get("User-Agent") != "myapp/1.2 ibkr-go" || !strings.Contains(h.Get("Accept"), "application/json") {
		t.Fatalf("headers %v", h)
	}
	c2 := f.newClient()
	if _, err := c2.Raw().GetAccountsKycWithResponse(bg, "U1"); err != nil {
		t.Fatal(err)
	}
	if got := f.requests("getAccountsKyc")[1].header.Get("User-Agent"); got != DefaultUserAgent {
		t.Fatalf("default user agent %q", got)
	}
}

func TestStateChangeWithoutIDUnknownOn5xx(t *testing.T) {
	f := newFake(t)
	c := f.newClient()
	f.handle("createAccounts", func(w http.ResponseWriter, r *http.Request, rec received) {
		problem(w, http.StatusInternalServerError, "", "boom")
	})
	_, err := c.Raw().CreateAccountsWithBodyWithResponse(bg, "application/json", jsonReader(`{"accounts":[],"users":[]}`))
	wantErr(t, err, ErrOutcomeUnknown)
	wantErr(t, err, ErrServer)
	if len(f.requests("createAccounts")) != 1 || len(f.requests("getClientInstructions")) != 0 {
		t.Fatal("sent once, no lookup without an id")
	}
}
