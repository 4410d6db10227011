package ibkr

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/internal/clock"
)

// The secrets audit: the whole money journey against the sandbox, and the
// error paths around it (refused input, every injected fault, lost
// answers, token refusals, maintenance, cancelled contexts), with the
// client logging at debug level. Everything the client lets out (log
// lines, error strings in every format, recovered panics, the String and
// LogValue forms of requests and results, the journal file) is searched
// for the secrets the run handled: the private key (PEM lines, base64
// body, private exponent and primes), every access token and client
// assertion, every signed body, the bank account number and the tax id.
// Only redacted forms such as ****9012 may appear.
//
// Everything recorded here also goes to the suite-wide check of TestMain
// (secrets_main_test.go), which extends it to every other test.

// auditTaxID is the SSN of the audit's W-9 (distinct from other tests').
const auditTaxID = "536-22-8841"

type auditRun struct {
	t    *testing.T
	logs lockedBuffer

	mu      sync.Mutex
	secrets map[string]string // value → what it is
	texts   []auditText
}

type auditText struct{ where, text string }

func newAuditRun(t *testing.T) *auditRun {
	return &auditRun{t: t, secrets: map[string]string{}}
}

// secret registers a value (at least 8 bytes) that must never show.
func (a *auditRun) secret(what, v string) {
	v = strings.TrimSpace(v)
	if len(v) < 8 {
		return
	}
	a.mu.Lock()
	a.secrets[v] = what
	a.mu.Unlock()
	noteSecret(v)
}

// jws registers a compact JWS and its payload and signature segments.
func (a *auditRun) jws(what, v string) {
	a.secret(what, v)
	if parts := strings.Split(strings.TrimSpace(v), "."); len(parts) == 3 {
		a.secret(what+" payload", parts[1])
		a.secret(what+" signature", parts[2])
	}
}

func (a *auditRun) text(where, s string) {
	a.mu.Lock()
	a.texts = append(a.texts, auditText{where, s})
	a.mu.Unlock()
}

// err records an error in every form a caller might print it.
func (a *auditRun) err(where string, err error) {
	if err == nil {
		return
	}
	noteErr(err)
	a.text(where+" %v", err.Error())
	a.text(where+" %+v", fmt.Sprintf("%+v", err))
	a.text(where+" %#v", fmt.Sprintf("%#v", err))
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		a.text(where+" (wrapped)", fmt.Sprintf("%v | %#v", u, u))
	}
}

// value records what a value shows when printed or logged.
func (a *auditRun) value(where string, v any) {
	a.text(where+" %v", fmt.Sprintf("%v", v))
	a.text(where+" %+v", fmt.Sprintf("%+v", v))
	a.text(where+" %#v", fmt.Sprintf("%#v", v))
	if lv, ok := v.(slog.LogValuer); ok {
		a.text(where+" LogValue", lv.LogValue().Resolve().String())
	}
}

// step runs fn, recording a panic's text instead of crashing.
func (a *auditRun) step(where string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			a.text(where+" panic", fmt.Sprint(r))
			if a.t != nil {
				a.t.Errorf("%s panicked: %s", where, redactAll(fmt.Sprint(r), a.secretValues()))
			}
		}
	}()
	fn()
}

func (a *auditRun) secretValues() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(a.secrets))
	for s := range a.secrets {
		out = append(out, s)
	}
	return out
}

func redactAll(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, redact(v))
	}
	return s
}

// leaks lists every (secret, place) pair found.
func (a *auditRun) leaks() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	texts := append([]auditText{{"debug log", a.logs.String()}}, a.texts...)
	var out []string
	for v, what := range a.secrets {
		for _, tx := range texts {
			if strings.Contains(tx.text, v) {
				out = append(out, fmt.Sprintf("%s (%s) in %s", what, redact(v), tx.where))
			}
		}
	}
	return out
}

// auditTransport sees every exchange on the wire and registers the
// credentials in it as secrets: client assertions and access tokens from
// the token endpoint, signed bodies from SIGNED_JWT calls.
type auditTransport struct {
	a    *auditRun
	next http.RoundTripper
}

func (rt auditTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		switch {
		case req.URL.Path == tokenPath:
			if form, err := url.ParseQuery(string(body)); err == nil {
				rt.a.jws("client assertion", form.Get("client_assertion"))
			}
		case req.Header.Get("Content-Type") == "application/jwt":
			rt.a.jws("signed body", string(body))
		}
	}
	resp, err := rt.next.RoundTrip(req)
	if err != nil || req.URL.Path != tokenPath {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr == nil {
		if i := bytes.Index(body, []byte(`"access_token":"`)); i >= 0 {
			rest := body[i+len(`"access_token":"`):]
			if j := bytes.IndexByte(rest, '"'); j > 0 {
				rt.a.secret("access token", string(rest[:j]))
			}
		}
	}
	return resp, nil
}

// registerKey registers a PEM private key: every base64 line, the whole
// base64 body, and the RSA private numbers.
func (a *auditRun) registerKey(pemBytes []byte) {
	var body strings.Builder
	for _, line := range strings.Split(string(pemBytes), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "-----") {
			continue
		}
		a.secret("private key PEM line", line)
		body.WriteString(line)
	}
	a.secret("private key base64 body", body.String())
	key, err := parsePrivateKeyPEM(pemBytes)
	if err != nil {
		a.t.Fatal(err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		a.t.Fatalf("not an RSA key: %T", key)
	}
	for _, n := range append([]*big.Int{rk.D}, rk.Primes...) {
		a.secret("private key number", n.String())
		a.secret("private key number (hex)", n.Text(16))
	}
}

func TestSecretsAuditMoneyJourney(t *testing.T) {
	a := newAuditRun(t)
	srv := ibkrtest.NewServer(t)
	srv.Clock().SetAutoAdvance(true)
	a.registerKey(srv.PrivateKeyPEM)
	a.secret("bank account number", secretAccountNumber)
	a.secret("tax id", auditTaxID)
	a.secret("tax id (digits)", strings.ReplaceAll(auditTaxID, "-", ""))

	logger := slog.New(slog.NewTextHandler(io.MultiWriter(&a.logs, &suiteLogs), &slog.HandlerOptions{Level: slog.LevelDebug}))
	hc := &http.Client{Transport: auditTransport{a: a, next: srv.HTTP.Client().Transport}}
	jdir := t.TempDir()
	journal, err := OpenFileJournal(filepath.Join(jdir, "journal"))
	if err != nil {
		t.Fatal(err)
	}
	newClient := func(clk Clock, opts ...Option) *Client {
		c, err := New(append([]Option{
			WithJournal(journal),
			WithBaseURL(srv.URL),
			WithPrivateKeyPEM(srv.ClientID, srv.KeyID, srv.PrivateKeyPEM),
			WithClock(clk),
			WithLogger(logger),
			WithHTTPClient(hc),
		}, opts...)...)
		if err != nil {
			a.err("New", err)
			t.Fatalf("New: %v", err)
		}
		return c
	}
	c := newClient(srv.Clock())
	ctx := context.Background()
	acct := ibkrtest.DemoAccountID

	// The journey: link by ACH, micro-deposits, deposit, balance,
	// withdrawal, cancel, history, a W-9 with the tax id.
	link := BankAccountLink{AccountID: acct, InstructionName: "Audit checking", RoutingNumber: ibkrtest.RoutingNumberMicroDeposits,
		AccountNumber: NewSecret(secretAccountNumber), BankName: "Audit Bank"}
	a.value("BankAccountLink", link)
	logger.DebugContext(ctx, "caller logs its request", "link", link)
	var linked *Instruction
	a.step("journey", func() {
		linked, err = c.LinkBankAccount(ctx, link)
		a.err("LinkBankAccount", err)
		if err != nil {
			t.Fatalf("LinkBankAccount: %v", err)
		}
		a.value("linked", linked)
		v, err := c.WaitForBankVerification(ctx, linked.ClientInstructionID, time.Hour)
		a.err("WaitForBankVerification", err)
		if err != nil || v.Status != InstructionPendingVerification {
			t.Fatalf("verification: %v %v", v, err)
		}
		a1, a2, _ := srv.MicroDeposits(linked.InstructionID)
		wrong := MicroDepositVerification{AccountID: acct, InstructionName: link.InstructionName, InstructionID: linked.InstructionID,
			Amount1: MustDecimal("0.01"), Amount2: MustDecimal("0.02")}
		if a1.Equal(wrong.Amount1) || a1.Equal(wrong.Amount2) {
			wrong.Amount1 = MustDecimal("0.03")
		}
		got, err := c.VerifyMicroDeposits(ctx, wrong)
		a.err("VerifyMicroDeposits wrong", err)
		a.value("wrong verification", got)
		got, err = c.VerifyMicroDeposits(ctx, MicroDepositVerification{AccountID: acct, InstructionName: link.InstructionName,
			InstructionID: linked.InstructionID, Amount1: a1, Amount2: a2})
		a.err("VerifyMicroDeposits", err)
		if err != nil || got.Status != InstructionProcessed {
			t.Fatalf("verify: %v %v", got, err)
		}
		saved, err := c.BankInstructions(ctx, acct, BankMethodACH)
		a.err("BankInstructions", err)
		a.value("BankInstructions", saved)
		if shown := fmt.Sprintf("%+v", saved); !strings.Contains(shown, redact(secretAccountNumber)) {
			t.Errorf("saved instructions do not show the redacted account number %s: %s", redact(secretAccountNumber), shown)
		}
		dep, err := c.DepositACH(ctx, ACHDeposit{AccountID: acct, InstructionName: link.InstructionName, Amount: MustDecimal("500.00")})
		a.err("DepositACH", err)
		if err != nil {
			t.Fatalf("DepositACH: %v", err)
		}
		done, err := c.WaitForInstruction(ctx, dep.ClientInstructionID, 72*time.Hour)
		a.err("WaitForInstruction", err)
		a.value("deposit", done)
		bal, err := c.Balance(ctx, acct, USD)
		a.err("Balance", err)
		a.value("balance", bal)
		w, err := c.Withdraw(ctx, Withdrawal{AccountID: acct, Method: MethodACH, InstructionName: link.InstructionName, Amount: MustDecimal("100"),
			At: srv.Now().Add(48 * time.Hour)})
		a.err("Withdraw", err)
		a.value("withdrawal", w)
		if w != nil {
			cancelled, err := c.CancelInstruction(ctx, Cancellation{InstructionID: w.InstructionID, Reason: "audit"})
			a.err("CancelInstruction", err)
			a.value("cancel", cancelled)
		}
		hist, err := c.RecentInstructions(ctx, RecentQuery{AccountID: acct, Days: 7})
		a.err("RecentInstructions", err)
		a.value("history", hist)
		st, err := c.InstructionStatus(ctx, linked.ClientInstructionID)
		a.err("InstructionStatus", err)
		a.value("status", st)
	})
	a.step("tax form", func() {
		const formW9 FormNumber = 5002 // the signed W-9's file
		doc, err := NewDocument(DocumentSpec{FormNumber: formW9, FileName: "W9.pdf", SignedBy: []string{"Jane Doe"},
			HolderNames: []string{HolderName("Jane", "", "Doe")}, ExecutedAt: srv.Now().Add(-time.Hour), LoginAt: srv.Now().Add(-2 * time.Hour)},
			[]byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"))
		a.err("NewDocument", err)
		if err != nil {
			return
		}
		w9 := UpdateTaxForm{AccountID: acct, Documents: []Document{doc},
			W9: &W9{Name: "Jane Doe", TIN: NewSecret(auditTaxID), Cert1: true, Cert3: true, TaxFormFile: "W9.pdf"}}
		a.value("UpdateTaxForm", w9)
		a.value("W9", *w9.W9)
		res, err := c.UpdateAccount(ctx, w9)
		a.err("UpdateAccount W9", err)
		a.value("UpdateAccount W9 result", res)
		bad := w9
		bad.W9 = &W9{Name: "Jane Doe", TIN: NewSecret(auditTaxID), Cert1: true} // not certified as a US person
		_, err = c.UpdateAccount(ctx, bad)
		a.err("UpdateAccount W9 uncertified", err)
		if !errors.Is(err, ErrInvalidInput) {
			t.Errorf("uncertified W-9: %v, want ErrInvalidInput", err)
		}
		bad.W9 = &W9{Name: "Jane Doe", TIN: NewSecret(auditTaxID + "0"), Cert1: true, Cert3: true}
		_, err = c.UpdateAccount(ctx, bad)
		a.err("UpdateAccount W9 bad TIN", err)
	})

	// Every request type that holds a secret, printed and logged the
	// way a caller might (fmt verbs; slog text and JSON handlers).
	a.step("printing requests", func() {
		const token, password = "confirm-token-73519", "encrypted-password-90210"
		a.secret("confirmation token", token)
		a.secret("encrypted password", password)
		reqs := map[string]any{
			"BankAccountLink": link,
			"WireDestination": WireDestination{AccountID: acct, InstructionName: "wire", Currency: USD, BankName: "B", BankAccount: NewSecret(secretAccountNumber), Identifier: "CHASUS33"},
			"EDDAInstruction": EDDAInstruction{AccountID: acct, InstructionName: "edda", Currency: "HKD", BankAccountNumber: NewSecret(secretAccountNumber), BranchCode: "123", ClearingCode: "004"},
			"WireDeposit":     WireDeposit{AccountID: acct, Amount: MustDecimal("10"), Currency: USD, SenderAccount: NewSecret(secretAccountNumber)},
			"W9":              W9{Name: "Jane Doe", TIN: NewSecret(auditTaxID)},
			"W8BEN":           W8BEN{Name: "Jane Doe", ForeignTaxID: NewSecret(auditTaxID)},
			"UpdateTaxForm":   UpdateTaxForm{AccountID: acct, W9: &W9{Name: "Jane Doe", TIN: NewSecret(auditTaxID)}},
			"UpdateEmail":     UpdateEmail{UserName: "demouser1", Email: "new@example.com", Token: NewSecret(token)},
			"UpdatePassword":  UpdatePassword{UserName: "demouser1", EncryptedPassword: NewSecret(password), EncryptedKeyName: NewSecret("key-1"), Token: NewSecret(token)},
		}
		var jsonLog lockedBuffer
		jl := slog.New(slog.NewJSONHandler(&jsonLog, &slog.HandlerOptions{Level: slog.LevelDebug}))
		for name, r := range reqs {
			a.value(name, r)
			a.value(name+" pointer", &r)
			logger.DebugContext(ctx, "caller logs a request", "request", r)
			logger.DebugContext(ctx, "caller logs a request inside its own value", "nested", struct{ R any }{r})
			// (encoding/json of a struct holding a request serializes its
			// fields, secrets included: that is the wire form, not a log
			// form, so it is not audited.)
			jl.DebugContext(ctx, "caller logs a request", "request", r)
		}
		a.text("slog JSON", jsonLog.String())
		_, err := c.UpdateAccount(ctx, UpdateEmail{UserName: "demouser1", Email: "new@example.com", Token: NewSecret(token), HasAccess: true})
		a.err("UpdateAccount email", err)
		_, err = c.UpdateAccount(ctx, UpdatePassword{UserName: "demouser1", EncryptedPassword: NewSecret(password), EncryptedKeyName: NewSecret("key-1")})
		a.err("UpdateAccount password", err)
	})

	// Refused input: nothing is sent, the error names the field only.
	a.step("input errors", func() {
		for name, l := range map[string]BankAccountLink{
			"bad routing":      {AccountID: acct, InstructionName: "x", RoutingNumber: "021000022", AccountNumber: NewSecret(secretAccountNumber), BankName: "B"},
			"letters":          {AccountID: acct, InstructionName: "x", RoutingNumber: ibkrtest.RoutingNumberVerified, AccountNumber: NewSecret(secretAccountNumber + "X"), BankName: "B"},
			"too long":         {AccountID: acct, InstructionName: "x", RoutingNumber: ibkrtest.RoutingNumberVerified, AccountNumber: NewSecret(secretAccountNumber + "12345"), BankName: "B"},
			"name too long":    {AccountID: acct, InstructionName: strings.Repeat("n", 40), RoutingNumber: ibkrtest.RoutingNumberVerified, AccountNumber: NewSecret(secretAccountNumber), BankName: "B"},
			"no account":       {InstructionName: "x", RoutingNumber: ibkrtest.RoutingNumberVerified, AccountNumber: NewSecret(secretAccountNumber), BankName: "B"},
			"routing is acct#": {AccountID: acct, InstructionName: "x", RoutingNumber: secretAccountNumber, AccountNumber: NewSecret(secretAccountNumber), BankName: "B"},
		} {
			_, err := c.LinkBankAccount(ctx, l)
			a.err("LinkBankAccount "+name, err)
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("LinkBankAccount %s: %v, want ErrInvalidInput", name, err)
			}
		}
		for _, amt := range []string{"0", "-5", "1.234"} {
			_, err := c.DepositACH(ctx, ACHDeposit{AccountID: acct, InstructionName: link.InstructionName, Amount: MustDecimal(amt)})
			a.err("DepositACH "+amt, err)
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("DepositACH %s: %v, want ErrInvalidInput", amt, err)
			}
		}
		_, err := c.Withdraw(ctx, Withdrawal{AccountID: acct, Method: MethodACH, InstructionName: link.InstructionName, Amount: MustDecimal("1000000")})
		a.err("Withdraw over limit", err)
		if linked != nil {
			_, err = c.DepositACH(ctx, ACHDeposit{ClientInstructionID: linked.ClientInstructionID, AccountID: acct, InstructionName: link.InstructionName, Amount: MustDecimal("1")})
			a.err("DepositACH reused id", err)
			if !errors.Is(err, ErrInstructionIDReused) {
				t.Errorf("reused id: %v, want ErrInstructionIDReused", err)
			}
		}
	})

	// Every fault the sandbox injects, on the calls that carry the
	// account number (linking) and on deposits and polls.
	a.step("faults", func() {
		n := 0
		linkAgain := func(what string) {
			n++
			l := link
			l.InstructionName = fmt.Sprintf("Audit %s %d", what, n)
			l.RoutingNumber = ibkrtest.RoutingNumberVerified
			in, err := c.LinkBankAccount(ctx, l)
			a.err("LinkBankAccount "+what, err)
			a.value("LinkBankAccount "+what, in)
			if in != nil && err == nil {
				// Free the slot (at most 6 active bank instructions).
				_, derr := c.DeleteBankInstruction(ctx, BankInstructionDeletion{AccountID: acct, InstructionName: l.InstructionName, Currency: USD, Method: BankMethodACH})
				a.err("DeleteBankInstruction", derr)
			}
		}
		for _, status := range []int{400, 401, 403, 404, 422, 429, 500, 502, 503} {
			srv.FailNext("createBankInstructions", 1, status)
			linkAgain(fmt.Sprintf("fail %d", status))
		}
		srv.DropAfterCommit("createBankInstructions", 1)
		linkAgain("dropped answer")
		srv.MalformNext("createBankInstructions", 1)
		linkAgain("malformed answer")
		srv.DelayNext("createBankInstructions", 1, time.Minute)
		linkAgain("delayed answer")
		for _, fault := range []func(){
			func() { srv.FailNext("createExternalCashTransfers", 1, 500) },
			func() { srv.DropAfterCommit("createExternalCashTransfers", 1) },
			func() { srv.MalformNext("createExternalCashTransfers", 1) },
			func() { srv.FailNext("createExternalCashTransfers", 1, 422) },
		} {
			fault()
			dep, err := c.DepositACH(ctx, ACHDeposit{AccountID: acct, InstructionName: link.InstructionName, Amount: MustDecimal("25")})
			a.err("DepositACH with fault", err)
			a.value("DepositACH with fault", dep)
		}
		srv.FailNext("getClientInstructions", 2, 503)
		if linked != nil {
			st, err := c.InstructionStatus(ctx, linked.ClientInstructionID)
			a.err("InstructionStatus after 503s", err)
			a.value("InstructionStatus after 503s", st)
		}
		_, err := c.InstructionStatus(ctx, NewID(1))
		a.err("InstructionStatus unknown id", err)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown id: %v, want ErrNotFound", err)
		}
		srv.ExpireTokens()
		_, err = c.Balance(ctx, acct, USD)
		a.err("Balance after tokens expired", err)
	})

	// Credentials the sandbox refuses, maintenance, cancelled contexts.
	a.step("refusals", func() {
		wrongKid := newClient(srv.Clock(), WithPrivateKeyPEM(srv.ClientID, "no-such-kid", srv.PrivateKeyPEM))
		_, err := wrongKid.LinkBankAccount(ctx, link)
		a.err("LinkBankAccount unknown kid", err)
		if !errors.Is(err, ErrUnauthorized) {
			t.Errorf("unknown kid: %v, want ErrUnauthorized", err)
		}
		wrongKey := newClient(srv.Clock(), WithCredentials(srv.ClientID, srv.KeyID, testKey()))
		_, err = wrongKey.DepositACH(ctx, ACHDeposit{AccountID: acct, InstructionName: link.InstructionName, Amount: MustDecimal("5")})
		a.err("DepositACH wrong key", err)
		if err == nil {
			t.Error("a client with the wrong key got through")
		}
		saturday := clock.NewFake(time.Date(2025, 3, 8, 17, 0, 0, 0, time.UTC))
		weekend := newClient(saturday)
		_, err = weekend.LinkBankAccount(ctx, link)
		a.err("LinkBankAccount in maintenance", err)
		if !errors.Is(err, ErrMaintenance) {
			t.Errorf("Saturday: %v, want ErrMaintenance", err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err = c.LinkBankAccount(cctx, link)
		a.err("LinkBankAccount cancelled", err)
		_, err = c.DepositACH(cctx, ACHDeposit{AccountID: acct, InstructionName: link.InstructionName, Amount: MustDecimal("5")})
		a.err("DepositACH cancelled", err)
		tctx, tcancel := context.WithTimeout(ctx, time.Nanosecond)
		defer tcancel()
		<-tctx.Done()
		_, err = c.InstructionStatus(tctx, NewID(2))
		a.err("InstructionStatus timed out", err)
	})

	// Reconcile whatever the journal still holds, then read the journal.
	a.step("journal", func() {
		res, err := c.ReconcileJournal(ctx, journal)
		a.err("ReconcileJournal", err)
		a.value("ReconcileJournal", res)
		pending, err := journal.Pending(ctx)
		a.err("journal Pending", err)
		a.value("journal Pending", pending)
	})
	if err := journal.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(jdir, "*"))
	if len(files) == 0 {
		t.Error("no journal file written")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		a.text("journal file "+filepath.Base(f), string(b))
	}

	// The audit must have looked at something.
	logs := a.logs.String()
	if n := strings.Count(logs, "ibkr request"); n < 40 {
		t.Errorf("only %d requests logged at debug level; the audit would be vacuous", n)
	}
	kinds := map[string]bool{}
	for _, what := range a.secrets {
		kinds[strings.SplitN(what, " ", 2)[0]] = true
	}
	for _, k := range []string{"private", "access", "client", "signed", "bank", "tax"} {
		if !kinds[k] {
			t.Errorf("no %s secret was registered; the audit would be vacuous", k)
		}
	}
	if !strings.Contains(logs+fmt.Sprint(a.texts), redact(secretAccountNumber)) {
		t.Errorf("the redacted account number %s shows nowhere", redact(secretAccountNumber))
	}
	for _, l := range a.leaks() {
		t.Errorf("SECRET LEAK: %s", l)
	}
	t.Logf("audited %d secrets against %d texts and %d bytes of debug log", len(a.secrets), len(a.texts), len(logs))
}

// TestSecretsAuditCatchesLeaks: the audit itself finds a planted secret
// in each place it searches.
func TestSecretsAuditCatchesLeaks(t *testing.T) {
	for _, plant := range []func(a *auditRun, s string){
		func(a *auditRun, s string) { _, _ = a.logs.Write([]byte("level=DEBUG msg=x token=" + s)) },
		func(a *auditRun, s string) { a.err("e", fmt.Errorf("wrapped: %w", errors.New("inner "+s))) },
		func(a *auditRun, s string) { a.step("p", func() { panic("boom " + s) }) },
		func(a *auditRun, s string) { a.value("v", struct{ N string }{s}) },
	} {
		a := newAuditRun(nil)
		s := "planted-secret-0123456789"
		a.secrets[s] = "planted"
		plant(a, s)
		if len(a.leaks()) == 0 {
			t.Fatalf("planted secret not found: %+v", a.texts)
		}
	}
}
