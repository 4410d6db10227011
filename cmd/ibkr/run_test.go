package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

func TestHelpListsCommandsAndExitCodes(t *testing.T) {
	r := runT(t, nil, "help")
	wantExit(t, r, 0, "keygen", "doctor", "sandbox", "Exit codes:", "IBKR_CLIENT_ID", "IBKR_PRIVATE_KEY_FILE")
	for code, desc := range exitDescriptions {
		if !strings.Contains(r.stdout, desc) {
			t.Errorf("help lacks exit code %d (%s)", code, desc)
		}
	}
	r = runT(t, nil, "help", "keygen")
	wantExit(t, r, 0, "Usage: ibkr keygen", "-bits", "RFC 7638")
	r = runT(t, nil, "keygen", "-h")
	wantExit(t, r, 0, "Usage: ibkr keygen")
}

func TestUsageErrorsExit2(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "Usage:"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"help", "frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"keygen", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"keygen", "extra"}, `unexpected argument "extra"`},
		{[]string{"keygen", "--bits", "2048"}, "RSA-3072 or RSA-4096"},
		{[]string{"doctor", "--env", "staging"}, `unknown environment "staging"`},
		{[]string{"doctor", "--env", "qa", "--base-url", "http://127.0.0.1:1"}, "not both"},
		{[]string{"sandbox", "--addr", "0.0.0.0:0"}, "loopback addresses only"},
		{[]string{"sandbox", "--client-id", "x"}, "--client-id needs --jwks or --public-key"},
	}
	for _, c := range cases {
		r := runT(t, nil, c.args...)
		wantExit(t, r, exitUsage, c.want)
	}
}

func TestJSONErrorObject(t *testing.T) {
	r := runT(t, nil, "keygen", "--json", "--bits", "1024")
	wantExit(t, r, exitUsage)
	var v struct {
		Error struct {
			Message  string `json:"message"`
			Class    string `json:"class"`
			ExitCode int    `json:"exitCode"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r)
	}
	if v.Error.Class != "usage" || v.Error.ExitCode != exitUsage || !strings.Contains(v.Error.Message, "--bits 1024") {
		t.Fatalf("error object %+v", v.Error)
	}
}

// Flags win over the environment: --env beats an exported IBKR_BASE_URL
// (and --base-url beats IBKR_ENV) instead of failing as if both flags
// were given.
func TestEnvFlagWinsOverBaseURLVariable(t *testing.T) {
	env := map[string]string{envBaseURL: "http://127.0.0.1:7788", envEnv: "production"}
	a := &app{getenv: func(k string) string { return env[k] }}
	tg, err := (&connFlags{env: "qa"}).resolveTarget(a)
	if err != nil || tg.env != ibkr.QA {
		t.Fatalf("--env qa with %s set: %v, %v", envBaseURL, tg, err)
	}
	tg, err = (&connFlags{baseURL: "http://localhost:9"}).resolveTarget(a)
	if err != nil || tg.env != 0 || tg.baseURL != "http://localhost:9" {
		t.Fatalf("--base-url with %s set: %v, %v", envEnv, tg, err)
	}
	tg, err = (&connFlags{}).resolveTarget(a)
	if err != nil || tg.baseURL != env[envBaseURL] {
		t.Fatalf("no flags: %v, %v", tg, err)
	}
}

// The token endpoint's 4xx is an authentication failure (exit 4); its 429
// and 5xx are API errors (exit 5) with no hint about the credentials.
func TestTokenEndpointErrorClasses(t *testing.T) {
	for _, c := range []struct {
		status int
		want   int
	}{{400, exitAuth}, {401, exitAuth}, {403, exitAuth}, {429, exitAPI}, {500, exitAPI}, {503, exitAPI}} {
		err := &ibkr.APIError{CallInfo: ibkr.CallInfo{OperationID: "generateToken"}, StatusCode: c.status}
		if got := exitCode(err); got != c.want {
			t.Errorf("token endpoint %d: exit %d, want %d", c.status, got, c.want)
		}
		if refused := strings.Contains(hint(err), "refused the client assertion"); refused != (c.want == exitAuth) {
			t.Errorf("token endpoint %d: hint %q", c.status, hint(err))
		}
	}
}
