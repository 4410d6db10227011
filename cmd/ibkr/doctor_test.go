package main

import (
	"crypto/rsa"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// registered returns a sandbox on the wall clock with the keygen key of k
// registered for client "acme", and the environment to reach it.
func registered(t *testing.T, k keyFiles, opts ...ibkrtest.Option) map[string]string {
	t.Helper()
	keys, err := readJWKS(k.jwks)
	if err != nil {
		t.Fatal(err)
	}
	_, url := realSandbox(t, append(opts, ibkrtest.WithClient(ibkrtest.Client{ID: "acme", Keys: keys}))...)
	return map[string]string{envBaseURL: url, envClientID: "acme", envKeyID: k.kid, envKeyFile: k.priv}
}

func TestDoctorPassesAgainstSandboxWithKeygenKey(t *testing.T) {
	k := makeKeys(t)
	env := registered(t, k)
	r := runT(t, env, "doctor")
	wantExit(t, r, 0,
		"ok    private key "+k.priv+": RSA-3072, PKCS#8",
		"(the key's RFC 7638 thumbprint)",
		"ok    client id   acme",
		"ok    clock",
		"ok    token       granted 21 scope(s)", "echo.write", "expires in 23h59m59s",
		"ok    echo        GET /gw/api/v1/echo/https answered with the token (security policy HTTPS)",
		"ok    signed JWT  POST /gw/api/v1/echo/signed-jwt accepted the signed body (security policy SIGNED_JWT)",
		"all checks passed")

	// --json: one object, every check ok.
	r = runT(t, env, "doctor", "--json", "--scopes", "echo.read,echo.write,accounts.read")
	wantExit(t, r, 0)
	var rep doctorReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if !rep.OK || len(rep.Checks) != 7 {
		t.Fatalf("report %+v", rep)
	}
	for _, c := range rep.Checks {
		if c.Status != "ok" {
			t.Fatalf("check %+v", c)
		}
	}
	if tok := rep.Checks[4]; !strings.Contains(tok.Message, "granted 3 scope(s): accounts.read echo.read echo.write;") {
		t.Fatalf("token check %+v", tok)
	}
}

func TestDoctorFailures(t *testing.T) {
	k := makeKeys(t)
	env := registered(t, k)
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for key, v := range env {
			m[key] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	weak := filepath.Join(t.TempDir(), "weak.pem")
	if err := os.WriteFile(weak, weakKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	notKey := filepath.Join(t.TempDir(), "pub.pem")
	pubPEM, _ := os.ReadFile(k.pub)
	if err := os.WriteFile(notKey, pubPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  map[string]string
		code int
		want []string
	}{
		{"missing key file", with(envKeyFile, filepath.Join(k.dir, "nope.pem")), exitConfig,
			[]string{"FAIL  private key private key file " + filepath.Join(k.dir, "nope.pem") + " does not exist", "ibkr keygen", "skip  token"}},
		{"no key configured", with(envKeyFile, ""), exitConfig, []string{"no private key file", "IBKR_PRIVATE_KEY_FILE"}},
		{"weak key", with(envKeyFile, weak), exitConfig, []string{"is RSA-2048: too weak, IBKR requires RSA-3072 or RSA-4096"}},
		{"public key instead of private", with(envKeyFile, notKey), exitConfig, []string{"this is a public key, not a private key"}},
		{"no client id", with(envClientID, ""), exitConfig, []string{"FAIL  client id   no client id set", "IBKR_CLIENT_ID"}},
		{"no key id", with(envKeyID, ""), exitConfig, []string{"FAIL  key id      no key id (kid) set"}},
		{"wrong client id", with(envClientID, "someone-else"), exitAuth,
			[]string{"FAIL  token", "HTTP 401", "iss and sub must both be the client id", "check --client-id", "skip  echo", "skip  signed JWT"}},
		{"wrong key id", with(envKeyID, "not-registered"), exitAuth,
			[]string{"FAIL  token", "kid not-registered is not registered", "not this key's thumbprint"}},
		{"unreachable host", with(envBaseURL, closedPort(t)), exitNetwork,
			[]string{"FAIL  clock       cannot reach http://127.0.0.1:", "connection refused", "skip  token       server unreachable"}},
		{"scope not granted", with(), exitAuth, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"doctor"}
			if c.name == "scope not granted" {
				// The sandbox grants only what is registered; echo.write is
				// not requested, so the signed round trip is forbidden.
				args = append(args, "--scopes", "echo.read")
				c.want = []string{"ok    token       granted 1 scope(s): echo.read;", "ok    echo", "FAIL  signed JWT", "HTTP 403", "echo.write"}
			}
			r := runT(t, c.env, args...)
			wantExit(t, r, c.code, c.want...)
			if !strings.Contains(r.stderr, "check(s) failed") {
				t.Fatalf("no summary on stderr\n%s", r)
			}
		})
	}
}

func TestDoctorClockOff(t *testing.T) {
	k := makeKeys(t)
	env := registered(t, k)
	// This machine's clock runs two minutes ahead: the clock check fails
	// first, and the sandbox refuses the assertion it signed.
	var runs result
	{
		var out, errb strings.Builder
		a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
			getenv: func(key string) string { return env[key] },
			clk:    offsetClock{d: 2 * time.Minute}}
		code := a.main(t.Context(), []string{"doctor"})
		runs = result{code: code, stdout: out.String(), stderr: errb.String()}
	}
	wantExit(t, runs, exitConfig, "FAIL  clock", "(local is 2m", "ahead)", "NTP", "FAIL  token", "iat is in the future", "check this machine's clock")
}

func TestDoctorWarnsAboutReadableKeyAndForeignKid(t *testing.T) {
	k := makeKeys(t)
	keys, _ := readJWKS(k.jwks)
	var pub *rsa.PublicKey
	for _, p := range keys {
		pub = p
	}
	// The same key registered under a kid IBKR chose, not the thumbprint.
	_, url := realSandbox(t, ibkrtest.WithClient(ibkrtest.Client{ID: "acme", Keys: map[string]*rsa.PublicKey{"ibkr-assigned-1": pub}}))
	if err := os.Chmod(k.priv, 0o644); err != nil {
		t.Fatal(err)
	}
	r := runT(t, map[string]string{envBaseURL: url, envClientID: "acme", envKeyID: "ibkr-assigned-1", envKeyFile: k.priv}, "doctor")
	wantExit(t, r, 0, "warn  private key", "readable by others (mode 0644)", "not this key's thumbprint "+k.kid, "all checks passed")
}

// Without echo.read the plain echo fails with its hint; the signed round
// trip is still checked and passes.
func TestDoctorEchoScope(t *testing.T) {
	k := makeKeys(t)
	env := registered(t, k)
	r := runT(t, env, "doctor", "--scopes", "echo.write")
	wantExit(t, r, exitAuth, "ok    token       granted 1 scope(s): echo.write;", "FAIL  echo", "HTTP 403",
		"the token lacks scope echo.read", "ok    signed JWT")
}
