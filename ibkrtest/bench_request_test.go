package ibkrtest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// Per-request cost of the in-process sandbox, over HTTP on loopback, with
// the rate limit off (its clock stands still) and response checking on
// (NewServer's default) or off.

// benchSandboxGet polls an ACH instruction's status (getClientInstructions):
// bearer check, routing, state lookup, answer (checked against the spec
// when validate is on).
func benchSandboxGet(b *testing.B, validate bool) {
	srv := ibkrtest.NewServer(b, ibkrtest.WithRateLimit(0, 0), ibkrtest.WithResponseValidation(validate))
	c := newClient(b, srv)
	cid := nextCID()
	wantStatus(b, c.post("/gw/api/v1/bank-instructions", achBody(cid, ibkrtest.DemoAccountID, "bench", ibkrtest.RoutingNumberVerified)), http.StatusAccepted)
	path := "/gw/api/v1/client-instructions/" + itoa(cid)
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.tok)
	b.ReportAllocs()
	for b.Loop() {
		a := do(b, req)
		if a.Status != http.StatusOK || !strings.Contains(string(a.Body), `"PENDING"`) {
			b.Fatalf("HTTP %d %s", a.Status, a.Body)
		}
	}
}

func BenchmarkSandboxGet(b *testing.B)             { benchSandboxGet(b, true) }
func BenchmarkSandboxGetNoValidation(b *testing.B) { benchSandboxGet(b, false) }

// BenchmarkSandboxSignedPost sends one signed body (the echo operation,
// createEchoSignedJwt): bearer check, JWS verification with the client's
// public key, claim checks, answer. The sandbox refuses a body it has
// seen, so each round signs a fresh one (its own jti) with the timer
// stopped: the signature is the client's cost, verifying it the sandbox's.
func BenchmarkSandboxSignedPost(b *testing.B) {
	srv := ibkrtest.NewServer(b, ibkrtest.WithRateLimit(0, 0))
	c := newClient(b, srv)
	now := srv.Now()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		b.StopTimer()
		n++
		jws := sign(b, c.key, c.kid, map[string]any{"hello": "sandbox", "iss": srv.ClientID, "iat": now.Unix(), "exp": now.Unix() + 60, "jti": fmt.Sprintf("bench-%d", n)})
		b.StartTimer()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/gw/api/v1/echo/signed-jwt", strings.NewReader(jws))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+c.tok)
		req.Header.Set("Content-Type", "application/jwt")
		if a := do(b, req); a.Status != http.StatusOK {
			b.Fatalf("HTTP %d %s", a.Status, a.Body)
		}
	}
}
