package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/internal/clock"
	"github.com/ibkrweb/ibkr-go/wire"
)

// funded runs the demo against a fake-clock sandbox and returns the
// sandbox, its clock, the environment and the demo's result.
func funded(t *testing.T) (*ibkrtest.Sandbox, map[string]string, demoResult, func(env map[string]string, args ...string) result) {
	sb, env, res, run, _ := fundedClock(t)
	return sb, env, res, run
}

func fundedClock(t *testing.T) (*ibkrtest.Sandbox, map[string]string, demoResult, func(env map[string]string, args ...string) result, *clock.Fake) {
	t.Helper()
	sb, fake, url := fakeSandbox(t)
	env := demoEnv(t, url)
	r := runClock(t, fake, env, "demo", "--json", "--base-url", url, "--routing", ibkrtest.RoutingNumberVerified, "--bank-account", "55501234", "--deposit-wait", "48h")
	wantExit(t, r, 0)
	var res demoResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || !res.Completed {
		t.Fatalf("demo: %v\n%s", err, r)
	}
	run := func(e map[string]string, args ...string) result {
		fake.Advance(time.Second)
		if e == nil {
			e = env
		}
		return runClock(t, fake, e, args...)
	}
	return sb, env, res, run, fake
}

func TestInstructionCommand(t *testing.T) {
	_, _, res, run := funded(t)
	r := run(nil, "instruction", res.DepositInstructionID)
	wantExit(t, r, 0, "DEPOSIT PROCESSED (final)", "clientInstructionId  "+res.DepositInstructionID, "amount               500.00 USD", "funds credited")

	r = run(nil, "instruction", "--json", res.LinkInstructionID)
	wantExit(t, r, 0)
	var in instructionJSON
	if err := json.Unmarshal([]byte(r.stdout), &in); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if in.Type != "ACH_INSTRUCTION" || in.Status != "PROCESSED" || !in.Final || in.ClientInstructionID != res.LinkInstructionID || in.InstructionID == "" {
		t.Fatalf("instruction %+v", in)
	}
	// By IBKR's id, flags after the argument.
	r = run(nil, "instruction", in.InstructionID, "--ibkr-id")
	wantExit(t, r, 0, "ACH_INSTRUCTION PROCESSED", "clientInstructionId  "+res.LinkInstructionID)

	wantExit(t, run(nil, "instruction", "99999"), exitAPI, "never received a request with clientInstructionId 99999 (404)")
	wantExit(t, run(nil, "instruction", "12x"), exitUsage, `clientInstructionId "12x"`)
	wantExit(t, run(nil, "instruction"), exitUsage, "missing CLIENT_INSTRUCTION_ID")
	wantExit(t, run(nil, "instruction", "1", "2"), exitUsage, `unexpected argument "2"`)
}

func TestAccountAndCashCommands(t *testing.T) {
	sb, _, res, run := funded(t)
	r := run(nil, "account", res.AccountID)
	wantExit(t, r, 0, res.AccountID+": pending (P)", "pending tasks:", "8001")
	r = run(nil, "account", "--json", ibkrtest.DemoAccountID)
	wantExit(t, r, 0)
	var acct accountJSON
	if err := json.Unmarshal([]byte(r.stdout), &acct); err != nil || acct.Status != "O" || acct.StatusName != "open (O)" || acct.Opened == "" || len(acct.PendingTasks) != 0 {
		t.Fatalf("account %+v %v", acct, err)
	}
	wantExit(t, run(nil, "account", "not an account"), exitUsage, "accountId")

	r = run(nil, "cash", res.AccountID)
	wantExit(t, r, 0, res.AccountID+": 500.00 USD withdrawable")
	if err := sb.SetBalance(res.AccountID, "EUR", wire.MustDecimal("12.34")); err != nil {
		t.Fatal(err)
	}
	r = run(nil, "cash", "--json", "--currency", "eur", res.AccountID)
	wantExit(t, r, 0)
	var cash cashJSON
	if err := json.Unmarshal([]byte(r.stdout), &cash); err != nil || cash.Currency != "EUR" || cash.Withdrawable != "12.34" {
		t.Fatalf("cash %+v %v\n%s", cash, err, r)
	}
	wantExit(t, run(nil, "cash", "--currency", "XYZ", res.AccountID), exitUsage, `--currency "XYZ"`)
}

func TestReadOnlyCommandsFailClearly(t *testing.T) {
	_, env, res, run := funded(t)
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for key, val := range env {
			m[key] = val
		}
		m[k] = v
		return m
	}
	weak := filepath.Join(t.TempDir(), "weak.pem")
	if err := os.WriteFile(weak, weakKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"instruction", res.DepositInstructionID},
		{"account", res.AccountID},
		{"cash", res.AccountID},
	} {
		t.Run(args[0], func(t *testing.T) {
			wantExit(t, run(with(envClientID, "someone-else"), args...), exitAuth, "HTTP 401", "iss and sub", "hint: IBKR refused the client assertion")
			wantExit(t, run(with(envKeyFile, filepath.Join(t.TempDir(), "gone.pem")), args...), exitConfig, "gone.pem does not exist")
			wantExit(t, run(with(envKeyFile, weak), args...), exitConfig, "is RSA-2048: too weak")
			wantExit(t, run(with(envKeyID, ""), args...), exitConfig, "no key id (kid)", "IBKR_KEY_ID")
			r := run(with(envBaseURL, closedPort(t)), args...)
			wantExit(t, r, exitNetwork, "connection refused", "hint: check the host")
			if strings.Contains(r.stdout+r.stderr, "BEGIN") {
				t.Fatal("key material in the output")
			}
		})
	}
}
