package main

import (
	"encoding/json"
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

func TestDemoEmbeddedCompletesJourney(t *testing.T) {
	r := runT(t, nil, "demo")
	wantExit(t, r, 0,
		"embedded IBKR sandbox", "nothing leaves this machine", "simulated",
		" 1. authenticate           access token granted (21 scopes, expires in 23h59m59s)",
		" 2. open hybrid account    U", "status new (N)", "8001",
		" 3. link bank by ACH       \"Checking\", routing "+ibkrtest.RoutingNumberMicroDeposits+", account ****6789: PENDING",
		"PENDING_VERIFICATION after", "IBKR sent two micro-deposits",
		" 4. read micro-deposits", "read through the sandbox's control handle",
		" 5. verify micro-deposits  PROCESSED",
		" 6. deposit 500.00 USD     ACH pull from \"Checking\": PENDING",
		" 7. wait for PROCESSED     PROCESSED after 24h",
		" 8. balance                500.00 USD withdrawable cash, 500.00 USD available equity",
		" 9. instruction history    3 instruction(s) of U",
		"done: journey complete in")
	if strings.Contains(r.stdout+r.stderr, demoBankAccount) {
		t.Fatal("the demo printed the bank account number")
	}
	if r.stderr != "" {
		t.Fatalf("stderr not empty:\n%s", r)
	}
}

func TestDemoEmbeddedJSON(t *testing.T) {
	r := runT(t, nil, "demo", "--json", "--amount", "1234.56")
	wantExit(t, r, 0)
	var res demoResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if !res.Completed || res.Mode != "embedded" || !strings.HasPrefix(res.AccountID, "U") || len(res.Steps) != 9+flexDemoSteps {
		t.Fatalf("result %+v", res)
	}
	if res.Balance == nil || res.Balance.Withdrawable != "1234.56" || res.Balance.Currency != "USD" {
		t.Fatalf("balance %+v", res.Balance)
	}
	// Newest first, as IBKR lists them.
	wantTypes := []string{"DEPOSIT", "TRADITIONAL_BANK_INSTRUCTION_VERIFICATION", "ACH_INSTRUCTION"}
	if len(res.History) != 3 {
		t.Fatalf("history %+v", res.History)
	}
	for i, h := range res.History {
		if h.Type != wantTypes[i] || h.Status != "PROCESSED" || !h.ThisRun || h.Date != "2025-03-04" {
			t.Fatalf("history[%d] %+v", i, h)
		}
	}
	if res.History[0].Amount != "1234.56" || res.History[2].ClientInstructionID != res.LinkInstructionID {
		t.Fatalf("history %+v", res.History)
	}
	if !strings.HasPrefix(res.SimulatedTime, "24h") {
		t.Fatalf("simulated time %q", res.SimulatedTime)
	}
}

func TestDemoUsageErrors(t *testing.T) {
	wantExit(t, runT(t, nil, "demo", "--env", "production"), exitUsage, "never runs against production")
	wantExit(t, runT(t, nil, "demo", "--amount", "lots"), exitUsage, `--amount "lots"`)
	wantExit(t, runT(t, nil, "demo", "--micro", "0.1,0.2"), exitUsage, "--link and --micro are for --env qa or --base-url")
	wantExit(t, runT(t, nil, "demo", "--link", "12"), exitUsage, "--link needs --account")
	wantExit(t, runT(t, nil, "demo", "--client-id", "acme"), exitUsage, "credentials are for --env qa or --base-url")
	// A bad amount is refused by the SDK before anything moves.
	wantExit(t, runT(t, nil, "demo", "--amount", "-5"), exitUsage, "amount")
}

// fakeSandbox is a sandbox served over HTTP whose fake clock the app
// shares: remote mode then runs instantly.
func fakeSandbox(t *testing.T, opts ...ibkrtest.Option) (*ibkrtest.Sandbox, *clock.Fake, string) {
	t.Helper()
	fake := clock.NewFake(ibkrtest.DefaultStart)
	fake.SetAutoAdvance(true)
	sb, err := ibkrtest.NewHandler(append([]ibkrtest.Option{ibkrtest.WithClock(fake)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(func() { srv.Close(); sb.Close() })
	return sb, fake, srv.URL
}

// runClock runs the command in-process on clk.
func runClock(t *testing.T, clk ibkr.Clock, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb strings.Builder
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }, clk: clk}
	code := a.main(t.Context(), args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func TestDemoRemoteStopsAtMicroDepositsAndResumes(t *testing.T) {
	sb, fake, url := fakeSandbox(t)
	env := demoEnv(t, url)

	// First run: link, IBKR sends micro-deposits, the run stops and says
	// how to go on.
	r := runClock(t, fake, env, "demo", "--json", "--base-url", url, "--routing", ibkrtest.RoutingNumberMicroDeposits, "--bank-account", "987654321", "--deposit-wait", "48h")
	wantExit(t, r, 0)
	var first demoResult
	if err := json.Unmarshal([]byte(r.stdout), &first); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if first.Completed || first.Mode != "base-url" || !strings.Contains(first.NextStep, "--link "+first.LinkInstructionID) ||
		!strings.Contains(first.NextStep, "--account "+first.AccountID) {
		t.Fatalf("first run %+v", first)
	}
	cid, err := ibkr.ParseID(first.LinkInstructionID)
	if err != nil {
		t.Fatal(err)
	}
	info, ok := sb.InstructionByClientID(ibkrtest.DemoClientID, cid)
	if !ok || info.Status != "PENDING_VERIFICATION" {
		t.Fatalf("ACH instruction %+v", info)
	}
	a1, a2, ok := sb.MicroDeposits(info.ID)
	if !ok {
		t.Fatal("no micro-deposits")
	}

	fake.Advance(time.Second) // another process, a moment later
	resume := []string{"demo", "--base-url", url, "--account", first.AccountID, "--link", first.LinkInstructionID, "--deposit-wait", "48h"}
	// Wrong amounts: IBKR's refusal, with the attempts left, exit 5.
	wrong := "0.01,0.02"
	if a1.String() == "0.01" || a2.String() == "0.01" {
		wrong = "0.03,0.04"
	}
	r = runClock(t, fake, env, append(resume, "--micro", wrong)...)
	wantExit(t, r, exitAPI, "micro-deposit amounts were refused", "attempt(s) left")

	// The right ones: the journey completes.
	fake.Advance(time.Second)
	r = runClock(t, fake, env, append(resume, "--micro", a2.String()+","+a1.String())...)
	wantExit(t, r, 0, "resume ACH link", "PENDING_VERIFICATION", "verify micro-deposits  PROCESSED",
		"deposit 500.00 USD", "wait for PROCESSED     PROCESSED", "500.00 USD withdrawable cash", "done: journey complete")
	if got := sb.Balance(first.AccountID, "USD"); got.String() != "500.00" {
		t.Fatalf("sandbox balance %s", got)
	}
}

func TestDemoRemoteVerifiedBankAndFailures(t *testing.T) {
	sb, fake, url := fakeSandbox(t)
	env := demoEnv(t, url)
	// A routing number IBKR verifies without micro-deposits, on the demo
	// account: straight through to the deposit.
	r := runClock(t, fake, env, "demo", "--base-url", url, "--account", ibkrtest.DemoAccountID, "--routing", ibkrtest.RoutingNumberVerified, "--bank-account", "987654321")
	wantExit(t, r, 0, "use account", "PROCESSED after", "verified without micro-deposits",
		"still PENDING after 15m", "This run stops here", "ibkr instruction ")
	// With a long enough wait the deposit settles.
	fake.Advance(time.Second)
	r = runClock(t, fake, env, "demo", "--base-url", url, "--account", ibkrtest.DemoAccountID, "--routing", ibkrtest.RoutingNumberVerified, "--bank-account", "987654322",
		"--deposit-wait", "48h")
	// The first run's deposit settled meanwhile: two deposits in the account.
	wantExit(t, r, 0, "PROCESSED after 24h", "1000.00 USD withdrawable", "done")
	if strings.Contains(r.stdout, "987654321") {
		t.Fatal("bank account number printed")
	}
	_ = sb

	// A rejected bank: exit 5 with IBKR's code.
	fake.Advance(time.Second)
	r = runClock(t, fake, env, "demo", "--base-url", url, "--account", ibkrtest.DemoAccountID, "--routing", ibkrtest.RoutingNumberRejected, "--bank-account", "987654321")
	wantExit(t, r, exitAPI, "ACH_INSTRUCTION rejected: ERROR_BANK_VERIFICATION_FAILED")

	// --env qa needs the bank (TestDemoValidatesEveryFlagBeforeSending);
	// --base-url defaults to the sandbox's sample bank.

	// Wrong client id: exit 4; missing key file: exit 3; weak key: exit 3;
	// unreachable host: exit 6.
	bad := map[string]string{}
	for k, v := range env {
		bad[k] = v
	}
	bad[envClientID] = "someone-else"
	args := []string{"demo", "--base-url", url, "--routing", ibkrtest.RoutingNumberVerified, "--bank-account", "987654321"}
	wantExit(t, runClock(t, fake, bad, args...), exitAuth, "HTTP 401", "hint:")
	bad[envClientID] = env[envClientID]
	bad[envKeyFile] = filepath.Join(t.TempDir(), "missing.pem")
	wantExit(t, runClock(t, fake, bad, args...), exitConfig, "missing.pem does not exist")
	weak := filepath.Join(t.TempDir(), "weak.pem")
	if err := os.WriteFile(weak, weakKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	bad[envKeyFile] = weak
	wantExit(t, runClock(t, fake, bad, args...), exitConfig, "RSA-2048: too weak")
	bad[envKeyFile] = env[envKeyFile]
	wantExit(t, runClock(t, fake, bad, append(args, "--base-url", closedPort(t))...), exitNetwork, "connection refused")
}
