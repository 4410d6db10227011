package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// oneJSON fails unless s is exactly one JSON document (and returns it).
func oneJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, s)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("stdout holds more than one JSON document:\n%s", s)
	}
	return v
}

// runStdin runs the command in-process with the given stdin.
func runStdin(t *testing.T, clk ibkr.Clock, stdin io.Reader, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdin: stdin, stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }, clk: clk}
	code := a.main(t.Context(), args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func devNull(t *testing.T) *os.File {
	t.Helper()
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestIsTerminalRefusesFilesPipesAndDevNull(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "in"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	for name, r := range map[string]any{"/dev/null": devNull(t), "a file": file, "a pipe": pr, "a reader": strings.NewReader("")} {
		if isTerminal(r) {
			t.Errorf("%s taken for a terminal", name)
		}
	}
}

// CI and cron run with stdin on /dev/null: the embedded demo prints one
// JSON document on stdout and no prompt anywhere.
func TestDemoJSONWithDevNullStdin(t *testing.T) {
	r := runStdin(t, nil, devNull(t), nil, "demo", "--json")
	wantExit(t, r, exitOK)
	v := oneJSON(t, r.stdout)
	if v["completed"] != true {
		t.Fatalf("not completed: %v", v)
	}
	if strings.Contains(r.stdout+r.stderr, "Enter the two") {
		t.Fatalf("prompted with stdin on /dev/null:\n%s", r)
	}
}

// Against a host without the control endpoint, the demo stops at the
// micro-deposits: one JSON document, the prompt nowhere (stdin is
// /dev/null), the next step in the document.
func TestDemoRemoteJSONStopsWithoutPrompt(t *testing.T) {
	_, fake, url := fakeSandbox(t)
	env := demoEnv(t, url)
	r := runStdin(t, fake, devNull(t), env, "demo", "--json", "--base-url", url)
	wantExit(t, r, exitOK)
	v := oneJSON(t, r.stdout)
	if v["completed"] == true || !strings.Contains(v["nextStep"].(string), "--micro A,B") {
		t.Fatalf("result %v", v)
	}
	if strings.Contains(r.stdout+r.stderr, "Enter the two") {
		t.Fatalf("prompted with stdin on /dev/null:\n%s", r)
	}
}

// "ibkr sandbox" serves the micro-deposits it sent, so the demo against
// it runs to the end with no manual step, on the default routing number.
func TestDemoBaseURLReadsMicroDepositsFromTheSandbox(t *testing.T) {
	fake := clock.NewFake(ibkrtest.DefaultStart)
	fake.SetAutoAdvance(true)
	sb, err := ibkrtest.NewHandler(ibkrtest.WithClock(fake), ibkrtest.WithConsole())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(func() { srv.Close(); sb.Close() })
	r := runStdin(t, fake, devNull(t), demoEnv(t, srv.URL), "demo", "--json", "--base-url", srv.URL, "--deposit-wait", "48h")
	wantExit(t, r, exitOK)
	var res demoResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if !res.Completed || res.Balance == nil || res.Balance.Withdrawable != "500.00" {
		t.Fatalf("result %+v", res)
	}
	found := false
	for _, s := range res.Steps {
		if s.Step == "read micro-deposits" && strings.Contains(s.Result, "control endpoint") {
			found = true
		}
	}
	if !found {
		t.Fatalf("the micro-deposits were not read from the control endpoint: %+v", res.Steps)
	}
}

func TestSandboxControlEndpoint(t *testing.T) {
	fake := clock.NewFake(ibkrtest.DefaultStart)
	fake.SetAutoAdvance(true)
	sb, err := ibkrtest.NewHandler(ibkrtest.WithClock(fake), ibkrtest.WithConsole())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(func() { srv.Close(); sb.Close() })
	c, err := ibkr.New(ibkr.WithBaseURL(srv.URL), ibkr.WithClock(fake),
		ibkr.WithPrivateKeyPEM(ibkrtest.DemoClientID, ibkrtest.DemoKeyID, []byte(ibkrtest.DemoPrivateKeyPEM)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	link, err := c.LinkBankAccount(ctx, ibkr.BankAccountLink{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking",
		RoutingNumber: ibkrtest.RoutingNumberMicroDeposits, AccountNumber: ibkr.NewSecret("000123456789"), BankName: "Example Bank"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := fetchMicroDeposits(ctx, srv.URL, link.InstructionID); ok {
		t.Fatal("amounts served before they were sent")
	}
	var announced []string
	seen := announceMicroDeposits(sb, 0, func(id ibkr.InstructionID, a1, a2 ibkr.Decimal) { announced = append(announced, id.String()) })
	if len(announced) != 0 {
		t.Fatalf("announced %v before verification", announced)
	}
	if _, err := c.WaitForBankVerification(ctx, link.ClientInstructionID, time.Hour); err != nil {
		t.Fatal(err)
	}
	want1, want2, _ := sb.MicroDeposits(link.InstructionID)
	a1, a2, ok := fetchMicroDeposits(ctx, srv.URL, link.InstructionID)
	if !ok || a1 != want1 || a2 != want2 {
		t.Fatalf("control endpoint: %s %s %v, want %s %s", a1, a2, ok, want1, want2)
	}
	seen = announceMicroDeposits(sb, seen, func(id ibkr.InstructionID, a1, a2 ibkr.Decimal) {
		announced = append(announced, id.String()+" "+a1.String()+" "+a2.String())
	})
	if len(announced) != 1 || announced[0] != link.InstructionID.String()+" "+want1.String()+" "+want2.String() {
		t.Fatalf("announced %v", announced)
	}
	announceMicroDeposits(sb, seen, func(ibkr.InstructionID, ibkr.Decimal, ibkr.Decimal) { t.Fatal("announced twice") })
	for path, code := range map[string]int{ibkrtest.MicroDepositsPath + "x": http.StatusBadRequest, ibkrtest.MicroDepositsPath + "123": http.StatusNotFound} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != code || err != nil || body["error"] == nil {
			t.Fatalf("GET %s: %d %v %v", path, resp.StatusCode, body, err)
		}
	}
}

// Every flag of the demo is checked before the first request: nothing
// reaches the host.
func TestDemoValidatesEveryFlagBeforeSending(t *testing.T) {
	sb, fake, url := fakeSandbox(t)
	env := demoEnv(t, url)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--amount", "1.234"}, "--amount"},
		{[]string{"--amount", "0"}, "--amount"},
		{[]string{"--routing", "123456789"}, "--routing"},
		{[]string{"--bank-account", "12ab"}, "--bank-account"},
		{[]string{"--bank-name", strings.Repeat("n", 80)}, "--bank-name"},
		{[]string{"--micro", "0.1"}, "--micro"},
		{[]string{"--micro", "0.10,1.50"}, "--micro"},
		{[]string{"--account", "U1234567", "--link", "abc"}, "--link"},
		{[]string{"--account", "not an account"}, "--account"},
		{[]string{"--verify-wait", "-1m"}, "--verify-wait"},
	} {
		before := len(sb.Requests())
		r := runClock(t, fake, env, append([]string{"demo", "--json", "--base-url", url}, tc.args...)...)
		wantExit(t, r, exitUsage, tc.want)
		oneJSON(t, r.stdout)
		if n := len(sb.Requests()) - before; n != 0 {
			t.Fatalf("%v: %d request(s) sent before the refusal", tc.args, n)
		}
	}
	// QA needs the bank account to link, also checked up front.
	wantExit(t, runClock(t, fake, env, "demo", "--env", "qa"), exitUsage, "--routing and --bank-account are required with --env")
}

// Every command's --json failure is one JSON document too.
func TestEveryCommandJSONErrorIsOneDocument(t *testing.T) {
	for _, c := range commands {
		r := runStdin(t, nil, devNull(t), map[string]string{}, c.name, "--json", "--no-such-flag")
		if r.code != exitUsage {
			t.Errorf("%s: exit %d, want %d\n%s", c.name, r.code, exitUsage, r)
			continue
		}
		v := oneJSON(t, r.stdout)
		if v["error"] == nil {
			t.Errorf("%s --json: no error object: %v", c.name, v)
		}
	}
}
