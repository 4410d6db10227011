package consolebrowser

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/ibkrtest/sandbox"
)

// chromiumPath finds the browser, or skips (fails under CI=true).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "chromium"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is missing: CI must install it (apt-get install -y --no-install-recommends chromium)")
	}
	t.Skip("chromium not found (set CHROMIUM, or apt-get install chromium); these tests are required under CI=true")
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// do runs steps in the browser, failing the test on an error.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one action in the browser and returns its result.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// attr reads an attribute of the first element matching a CSS selector.
func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	return get(t, ctx, sel+" "+name, chromedp.AttributeValue(chromedp.CSS(sel), name)).Value
}

// screenshot saves the current page as name.png in the artifact
// directory and returns the PNG.
func screenshot(t *testing.T, ctx context.Context, name string) []byte {
	t.Helper()
	png := get(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(t.ArtifactDir(), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
	return png
}

// TestConsoleFundingJourney runs the funding journey through the SDK and
// follows it in the console: the pending verification's two amounts read
// off the accounts page, the clock advanced with the console's control,
// the deposit PROCESSED in the instructions view and its request in the
// log with a valid signature.
func TestConsoleFundingJourney(t *testing.T) {
	ctx := newBrowser(t)
	srv := ibkrtest.NewServer(t, ibkrtest.WithConsole())
	client, err := sandbox.Client(srv)
	if err != nil {
		t.Fatal(err)
	}
	api := context.Background()

	// 1. Through the SDK: link a bank account; IBKR sends micro-deposits.
	link, err := client.LinkBankAccount(api, ibkr.BankAccountLink{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking",
		RoutingNumber: ibkrtest.RoutingNumberMicroDeposits, AccountNumber: ibkr.NewSecret("000123456789"), BankName: "Example Bank"})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := client.WaitForBankVerification(api, link.ClientInstructionID, time.Hour); err != nil || v.Status != ibkr.InstructionPendingVerification {
		t.Fatalf("verification: %v %+v", err, v)
	}
	srv.Clock().SetAutoAdvance(false) // from here on, time moves by the console's control

	// 2. In the browser: the accounts page shows the pending verification
	// and its two amounts.
	bankRow := fmt.Sprintf("#bank-%s", link.InstructionID.ID)
	do(t, ctx, "accounts page",
		chromedp.Navigate(srv.URL+ibkrtest.ConsolePath),
		chromedp.WaitVisible(chromedp.CSS(bankRow+" .micro")))
	verification := attr(t, ctx, bankRow, "data-verification")
	masked := get(t, ctx, "masked number", chromedp.Text(chromedp.CSS(bankRow+" .masked")))
	amounts := get(t, ctx, "amounts", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("`+bankRow+` .micro-amount")).map(e => e.textContent.trim())`))
	page := get(t, ctx, "page", chromedp.OuterHTML(chromedp.CSS("html")))
	if verification != "PENDING_VERIFICATION" || masked != "****6789" || len(amounts) != 2 {
		t.Fatalf("accounts page: verification %q, account %q, amounts %v", verification, masked, amounts)
	}
	if strings.Contains(page, "000123456789") {
		t.Fatal("the accounts page shows the bank account number")
	}
	png := screenshot(t, ctx, "accounts")
	if os.Getenv("IBKR_UPDATE_SCREENSHOTS") == "1" {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "console-accounts.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// 3. Through the SDK, with the amounts read off the page: verify the
	// bank, deposit 500 USD.
	a1, err1 := ibkr.ParseDecimal(amounts[0])
	a2, err2 := ibkr.ParseDecimal(amounts[1])
	if err1 != nil || err2 != nil {
		t.Fatalf("amounts %v: %v %v", amounts, err1, err2)
	}
	if _, err := client.VerifyMicroDeposits(api, ibkr.MicroDepositVerification{AccountID: ibkrtest.DemoAccountID,
		InstructionName: "Checking", InstructionID: link.InstructionID, Amount1: a1, Amount2: a2}); err != nil {
		t.Fatalf("verifying with the amounts from the page: %v", err)
	}
	dep, err := client.DepositACH(api, ibkr.ACHDeposit{AccountID: ibkrtest.DemoAccountID, InstructionName: "Checking", Amount: ibkr.MustDecimal("500.00")})
	if err != nil {
		t.Fatal(err)
	}
	if dep.Status != ibkr.InstructionPending {
		t.Fatalf("deposit %s, want PENDING", dep.Status)
	}
	cid := dep.ClientInstructionID.String()

	// 4. In the browser: advance the clock a day with the control.
	before := srv.Now()
	do(t, ctx, "controls page",
		chromedp.Navigate(srv.URL+ibkrtest.ConsolePath+"controls"),
		chromedp.WaitVisible(chromedp.ID("advance-by")),
		chromedp.SetValue(chromedp.ID("advance-duration"), "24h"),
		chromedp.Click(chromedp.ID("advance-by")),
		chromedp.WaitVisible(chromedp.CSS(".flash.done")))
	flash := get(t, ctx, "flash", chromedp.Text(chromedp.CSS(".flash.done")))
	if !strings.Contains(flash, "advanced the clock by 24h") || srv.Now().Sub(before) != 24*time.Hour {
		t.Fatalf("after the click: %q, clock moved %v", flash, srv.Now().Sub(before))
	}
	screenshot(t, ctx, "controls")

	// 5. The deposit is PROCESSED in the instructions view.
	row := `tr[data-client-instruction-id="` + cid + `"]`
	do(t, ctx, "instructions page",
		chromedp.Navigate(srv.URL+ibkrtest.ConsolePath+"instructions"),
		chromedp.WaitVisible(chromedp.CSS(row)))
	status := attr(t, ctx, row, "data-status")
	amount := get(t, ctx, "amount", chromedp.Text(chromedp.CSS(row+" td.num")))
	if status != "PROCESSED" || !strings.Contains(amount, "500.00 USD") {
		t.Fatalf("deposit row: %q %q", status, amount)
	}
	screenshot(t, ctx, "instructions")

	// 6. Its request is in the log, with a valid signature.
	logRow := `#log tr[data-client-instruction-id="` + cid + `"]`
	do(t, ctx, "request log",
		chromedp.Navigate(srv.URL+ibkrtest.ConsolePath+"requests"),
		chromedp.WaitVisible(chromedp.CSS(logRow)))
	sig := attr(t, ctx, logRow, "data-signature")
	op := attr(t, ctx, logRow, "data-operation")
	page = get(t, ctx, "page", chromedp.OuterHTML(chromedp.CSS("html")))
	if sig != ibkrtest.SignatureValid || op != "createExternalCashTransfers" {
		t.Fatalf("deposit request: signature %q, operation %q", sig, op)
	}
	if strings.Contains(page, "000123456789") || strings.Contains(page, "Bearer ") {
		t.Fatal("the request log shows a secret")
	}
	screenshot(t, ctx, "requests")
	if bal := srv.Balance(ibkrtest.DemoAccountID, "USD"); bal.String() != "500.00" {
		t.Fatalf("balance %s", bal)
	}
}
