package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func TestSandboxCommandAcceptsKeygenKey(t *testing.T) {
	k := makeKeys(t)
	p := startSandbox(t, "--client-id", "acme", "--jwks", k.jwks)
	if !strings.HasPrefix(p.info.BaseURL, "http://127.0.0.1:") || len(p.info.Clients) != 1 ||
		p.info.Clients[0].ClientID != "acme" || p.info.Clients[0].KeyIDs[0] != k.kid {
		t.Fatalf("sandbox info %+v", p.info)
	}
	// The keygen key, registered through its JWKS, passes every check.
	r := runT(t, map[string]string{envBaseURL: p.info.BaseURL, envClientID: "acme", envKeyID: k.kid, envKeyFile: k.priv}, "doctor")
	wantExit(t, r, 0, "ok    token", "ok    signed JWT", "all checks passed")

	// So does the demo client, with the environment the sandbox printed.
	r = runT(t, p.info.Env, "doctor")
	wantExit(t, r, 0, "client id   "+ibkrtest.DemoClientID, "all checks passed")

	// Ctrl-C: a clean stop, and the demo key file is gone.
	res := p.stop(t)
	wantExit(t, res, 0, "ibkr sandbox: stopped")
	if _, err := os.Stat(p.info.Demo.PrivateKeyFile); !os.IsNotExist(err) {
		t.Fatalf("demo key file left behind: %v", err)
	}
}

func TestSandboxCommandPublicKeyAndHumanOutput(t *testing.T) {
	k := makeKeys(t)
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	a := &app{stdin: strings.NewReader(""), stdout: out, stderr: out, getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() {
		done <- a.main(ctx, []string{"sandbox", "--addr", "127.0.0.1:0", "--client-id", "acme", "--public-key", k.pub, "--key-id", "kid-1"})
	}()
	base := out.waitFor(t, "Ctrl-C stops the sandbox.")
	for _, want := range []string{"your client   acme, key id kid-1", "demo client   " + ibkrtest.DemoClientID, "wall clock", "export IBKR_BASE_URL=http://127.0.0.1:", "/ibkrtest/console/ (accounts, instructions, request log, controls"} {
		if !strings.Contains(base, want) {
			t.Fatalf("sandbox output lacks %q:\n%s", want, base)
		}
	}
	url := strings.Fields(strings.SplitN(strings.SplitN(base, "base URL", 2)[1], "\n", 2)[0])[0]
	r := runT(t, map[string]string{envBaseURL: url, envClientID: "acme", envKeyID: "kid-1", envKeyFile: k.priv}, "doctor")
	wantExit(t, r, 0, "all checks passed")
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("sandbox exit %d\n%s", code, out.String())
	}
}

func TestSandboxCommandRefusesBadKeys(t *testing.T) {
	dir := t.TempDir()
	weak, _, err := parseRSAPrivateKey(weakKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	jwks, _, err := publicJWKS(&weak.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "weak-jwks.json")
	if err := os.WriteFile(path, jwks, 0o644); err != nil {
		t.Fatal(err)
	}
	r := runT(t, nil, "sandbox", "--addr", "127.0.0.1:0", "--client-id", "acme", "--jwks", path)
	wantExit(t, r, exitConfig, "is RSA-2048: too weak")
	r = runT(t, nil, "sandbox", "--addr", "127.0.0.1:0", "--client-id", "acme", "--jwks", filepath.Join(dir, "none.json"))
	wantExit(t, r, exitConfig, "none.json", "no such file")
	if err := os.WriteFile(path, []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runT(t, nil, "sandbox", "--addr", "127.0.0.1:0", "--client-id", "acme", "--jwks", path)
	wantExit(t, r, exitConfig, "is not a JWK set")
}

func TestSandboxCommandStateSurvivesRestart(t *testing.T) {
	state := filepath.Join(t.TempDir(), "sandbox.json")
	p := startSandbox(t, "--state", state, "--maintenance=false")
	ctx := t.Context()
	cl := demoClient(t, p.info)
	cid := ibkr.NewID(4242)
	body := `{"instructionType":"ACH_INSTRUCTION","instruction":{"clientInstructionId":4242,"accountId":"` + ibkrtest.DemoAccountID +
		`","achType":"DEBIT_CREDIT","bankInstructionCode":"USACH","bankInstructionName":"Checking","currency":"USD",` +
		`"clientAccountInfo":{"bankRoutingNumber":"` + ibkrtest.RoutingNumberVerified + `","bankAccountNumber":"000123456789","bankName":"Test Bank","bankAccountTypeCode":1}}}`
	resp, err := cl.Raw().CreateBankInstructionsWithBodyWithResponse(ctx, "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode() != http.StatusAccepted {
		t.Fatalf("ACH instruction: %v", err)
	}
	wantExit(t, p.stop(t), 0, "state saved to "+state)
	raw, err := os.ReadFile(state)
	if err != nil || !json.Valid(raw) || !strings.Contains(string(raw), "4242") {
		t.Fatalf("state file: %v", err)
	}

	// A new sandbox on the same file knows the instruction.
	p2 := startSandbox(t, "--state", state, "--maintenance=false")
	cl2 := demoClient(t, p2.info)
	got, err := cl2.Raw().GetClientInstructionsWithResponse(ctx, cid)
	if err != nil || got.StatusCode() != http.StatusOK || !strings.Contains(string(got.Body), "ACH_INSTRUCTION") {
		t.Fatalf("after restart: %v", err)
	}
	// An id the sandbox never saw is still unknown.
	if _, err := cl2.Raw().GetClientInstructionsWithResponse(ctx, ibkr.NewID(999999)); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("unknown id: %v", err)
	}
}

// demoClient is an ibkr client for the demo credentials of a running
// "ibkr sandbox".
func demoClient(t *testing.T, info sandboxInfo) *ibkr.Client {
	t.Helper()
	pemBytes, err := os.ReadFile(info.Demo.PrivateKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := ibkr.New(ibkr.WithBaseURL(info.BaseURL), ibkr.WithPrivateKeyPEM(info.Demo.ClientID, info.Demo.KeyIDs[0], pemBytes), ibkr.WithoutMaintenanceWindows())
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func TestSandboxFastClock(t *testing.T) {
	wall := time.Date(2025, 3, 4, 15, 0, 0, 0, time.UTC)
	now := wall
	c := newSpeedClock(fastFactor, func() time.Time { return now })
	if !c.Now().Equal(wall) {
		t.Fatalf("starts at %v", c.Now())
	}
	now = now.Add(time.Second)
	if got := c.Now().Sub(wall); got != time.Hour {
		t.Fatalf("one wall second is %v of sandbox time, want 1h", got)
	}
	now = now.Add(23 * time.Second)
	if got := c.Now().Sub(wall); got != ibkrtest.DefaultTimings.ACHDeposit {
		t.Fatalf("24 wall seconds are %v, want a deposit's 24h", got)
	}

	// The command: --fast says what it does, and a client signing with the
	// wall clock still gets through.
	p := startSandbox(t, "--fast")
	if !strings.Contains(p.info.Clock, "1 s = 1h of sandbox time") || p.info.Maintenance {
		t.Fatalf("fast info %+v", p.info)
	}
	r := runT(t, p.info.Env, "doctor")
	wantExit(t, r, 0, "all checks passed")
}

// syncBuffer is a goroutine-safe buffer that can wait for some text.
type syncBuffer struct {
	mu      sync.Mutex
	buf     strings.Builder
	changed chan struct{} // closed at every write
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the buffer holds s and returns its content.
func (b *syncBuffer) waitFor(t *testing.T, s string) string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		b.mu.Lock()
		if text := b.buf.String(); strings.Contains(text, s) {
			b.mu.Unlock()
			return text
		}
		if b.changed == nil {
			b.changed = make(chan struct{})
		}
		ch := b.changed
		b.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("timed out waiting for %q in:\n%s", s, b.String())
		}
	}
}
