package ibkrtest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// By default the sandbox refuses what a strict IBKR would: long-lived
// signed bodies and client assertions, a replayed body or jti, a client
// assertion sent as a body, and a Host that is not loopback. WithLenientAuth
// accepts them all.
func TestStrictSandboxAuth(t *testing.T) {
	run := func(t *testing.T, srv *ibkrtest.Server) map[string]int {
		c := newClient(t, srv)
		key := demoKey(t)
		now := srv.Now()
		path := "/gw/api/v1/echo/signed-jwt"
		body := func(life time.Duration, extra map[string]any) string {
			m := map[string]any{"iss": srv.ClientID, "iat": now.Unix(), "exp": now.Add(life).Unix()}
			for k, v := range extra {
				m[k] = v
			}
			return sign(t, key, srv.KeyID, m)
		}
		got := map[string]int{}
		got["body valid 10 years"] = c.raw(http.MethodPost, path, "application/jwt", body(10*365*24*time.Hour, nil)).Status
		got["body valid 6 minutes"] = c.raw(http.MethodPost, path, "application/jwt", body(6*time.Minute, nil)).Status
		once := body(time.Minute, nil)
		got["body first use"] = c.raw(http.MethodPost, path, "application/jwt", once).Status
		got["body replayed"] = c.raw(http.MethodPost, path, "application/jwt", once).Status
		got["jti first use"] = c.raw(http.MethodPost, path, "application/jwt", body(time.Minute, map[string]any{"jti": "j-1"})).Status
		got["jti reused"] = c.raw(http.MethodPost, path, "application/jwt", body(2*time.Minute, map[string]any{"jti": "j-1"})).Status
		a := assertionClaims(srv)
		got["assertion as body"] = c.raw(http.MethodPost, path, "application/jwt", sign(t, key, srv.KeyID, a)).Status
		long := assertionClaims(srv)
		long["exp"] = now.Add(time.Hour).Unix()
		got["assertion valid 1 hour"] = postToken(t, srv, tokenForm(sign(t, key, srv.KeyID, long), "")).Status
		// The assertion whose jti a body already used cannot get a token.
		reused := assertionClaims(srv)
		reused["jti"] = "j-1"
		got["assertion reusing a body's jti"] = postToken(t, srv, tokenForm(sign(t, key, srv.KeyID, reused), "")).Status
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/gw/api/v1/accounts/"+ibkrtest.DemoAccountID+"/status", nil)
		req.Header.Set("Authorization", "Bearer "+c.tok)
		req.Host = "ibkr.attacker.example"
		got["foreign Host"] = do(t, req).Status
		req.Host = strings.Replace(req.URL.Host, "127.0.0.1", "localhost", 1)
		got["localhost Host"] = do(t, req).Status
		return got
	}
	strict := map[string]int{
		"body valid 10 years": 400, "body valid 6 minutes": 400,
		"body first use": 200, "body replayed": 400,
		"jti first use": 200, "jti reused": 400,
		"assertion as body":              400,
		"assertion valid 1 hour":         401,
		"assertion reusing a body's jti": 401,
		"foreign Host":                   421, "localhost Host": 200,
	}
	lenient := map[string]int{
		"body valid 10 years": 200, "body valid 6 minutes": 200,
		"body first use": 200, "body replayed": 200,
		"jti first use": 200, "jti reused": 200,
		"assertion as body":              200,
		"assertion valid 1 hour":         200,
		"assertion reusing a body's jti": 200,
		"foreign Host":                   200, "localhost Host": 200,
	}
	for name, want := range map[string]map[string]int{"strict": strict, "lenient": lenient} {
		t.Run(name, func(t *testing.T) {
			opts := []ibkrtest.Option{ibkrtest.WithRateLimit(0, 0)}
			if name == "lenient" {
				opts = append(opts, ibkrtest.WithLenientAuth())
			}
			got := run(t, ibkrtest.NewServer(t, opts...))
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s: HTTP %d, want %d", k, got[k], w)
				}
			}
		})
	}
}

// WithHosts names further hosts the sandbox answers to.
func TestSandboxWithHosts(t *testing.T) {
	srv := ibkrtest.NewServer(t, ibkrtest.WithHosts("sandbox.internal"))
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/gw/api/v1/echo/https", nil)
	req.Host = "sandbox.internal"
	if a := do(t, req); a.Status == http.StatusMisdirectedRequest {
		t.Fatalf("named host refused: %s", a.Body)
	}
	req.Host = "other.internal"
	if a := do(t, req); a.Status != http.StatusMisdirectedRequest {
		t.Fatalf("unnamed host: HTTP %d, want 421", a.Status)
	}
}
