package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// "ibkr demo --base-url" against a standalone "ibkr sandbox" completes
// the journey: the micro-deposits come from the sandbox's JSON control
// endpoint, and a script settles the deposit through the controls
// instead of waiting a sandbox day.
func TestDemoAgainstStandaloneSandboxWithControls(t *testing.T) {
	p := startSandbox(t, "--fast")
	base := p.info.BaseURL
	if p.info.Console != base+ibkrtest.ConsolePath || p.info.Control != base+ibkrtest.ControlPath {
		t.Fatalf("sandbox info %+v", p.info)
	}
	get := func(path string, out any) int {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Error(err)
			return 0
		}
		defer resp.Body.Close()
		if out != nil {
			_ = json.NewDecoder(resp.Body).Decode(out)
		}
		return resp.StatusCode
	}
	// The console is served on the same address.
	if st := get(ibkrtest.ConsolePath+"accounts", nil); st != http.StatusOK {
		t.Fatalf("console: HTTP %d", st)
	}
	var tok struct{ Token string }
	get(ibkrtest.ControlPath+"csrf", &tok)

	done := make(chan result, 1)
	go func() { done <- runT(t, p.info.Env, "demo", "--json", "--base-url", base, "--deposit-wait", "1h") }()
	settled := ""
	var r result
	deadline := time.After(60 * time.Second)
wait:
	for {
		select {
		case r = <-done:
			break wait
		case <-deadline:
			t.Fatal("the demo did not finish")
		case <-time.After(50 * time.Millisecond):
		}
		if settled != "" {
			continue
		}
		var page ibkrtest.InstructionPage
		get(ibkrtest.ControlPath+"instructions?type=DEPOSIT&status=PENDING", &page)
		if len(page.Items) == 0 {
			continue
		}
		req, _ := http.NewRequest(http.MethodPost, base+ibkrtest.ControlPath+"instructions/"+page.Items[0].ID+"/settle", nil)
		req.Header.Set(ibkrtest.CSRFHeader, tok.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("settle: HTTP %d %s", resp.StatusCode, body)
		}
		settled = page.Items[0].ID
	}
	wantExit(t, r, exitOK)
	var res demoResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if !res.Completed || res.Balance == nil || res.Balance.Withdrawable != "500.00" || settled == "" {
		t.Fatalf("result %+v (settled %q)", res, settled)
	}
	read := false
	for _, s := range res.Steps {
		read = read || (s.Step == "read micro-deposits" && strings.Contains(s.Result, ibkrtest.MicroDepositsPath))
	}
	if !read {
		t.Fatalf("the micro-deposits were not read from the control endpoint: %+v", res.Steps)
	}
	// The request log saw the deposit with a valid signature.
	var log ibkrtest.RequestPage
	get(ibkrtest.ControlPath+"requests?operation=createExternalCashTransfers", &log)
	if log.Total != 1 || log.Items[0].Signature != ibkrtest.SignatureValid || log.Items[0].InstructionID != settled {
		t.Fatalf("request log %+v", log)
	}
}
