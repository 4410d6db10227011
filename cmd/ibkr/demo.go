package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/internal/clock"
)

var demoCommand = &command{
	name:    "demo",
	summary: "the funding journey end to end: account, ACH link, micro-deposits, deposit, balance",
	help: `Walks the money-routing journey an app goes through with IBKR, with a
progress line per step:

  1. authenticate           OAuth private_key_jwt, the granted scopes
  2. open a hybrid account  (or use --account)
  3. link a bank by ACH     and wait for IBKR's verification (7-15 min at IBKR)
  4. read the micro-deposits
  5. verify them
  6. deposit 500.00 USD     (--amount)
  7. wait for PROCESSED     (a day at IBKR)
  8. balance                withdrawable cash and equity
  9. instruction history    what the journey left behind

With no flags it starts an embedded sandbox (ibkrtest, in this process, on
a loopback port; nothing leaves the machine) with the sandbox's demo
client. The sandbox runs on a simulated clock that jumps ahead whenever
the client waits, so minutes and days of IBKR time pass in about a second.
The micro-deposits, which a real customer reads off a bank statement, are
read through the sandbox's control handle.

With --env qa (and credentials: --client-id/--key-id/--key or their
IBKR_* variables) the same journey runs against IBKR's QA environment in
real time. There the micro-deposits arrive in the bank account within 1 to
3 business days: the demo stops after linking and tells you how to finish
(--link with the printed clientInstructionId, --account, and --micro
A,B). --base-url runs it against another host, such as "ibkr sandbox"
(start that with --fast). The demo never runs against production.`,
	run: runDemo,
}

// Sample data of the embedded journey; the account number is shown as
// ****6789 everywhere.
const (
	demoBankAccount = "000123456789"
	demoBankName    = "Checking"
)

type demoFlags struct {
	conn        connFlags
	amount      string
	account     string
	routing     string
	bankAccount string
	link        string
	bankName    string
	micro       string
	verifyWait  time.Duration
	depositWait time.Duration
}

// demoResult is the --json answer of the demo.
type demoResult struct {
	Mode                 string            `json:"mode"` // embedded, qa, base-url
	BaseURL              string            `json:"baseURL"`
	AccountID            string            `json:"accountId,omitempty"`
	Steps                []demoStep        `json:"steps"`
	Completed            bool              `json:"completed"`
	Balance              *demoBalanceJSON  `json:"balance,omitempty"`
	History              []demoHistoryJSON `json:"history,omitempty"`
	SimulatedTime        string            `json:"simulatedTime,omitempty"`
	WallTime             string            `json:"wallTime"`
	NextStep             string            `json:"nextStep,omitempty"`
	LinkInstructionID    string            `json:"linkClientInstructionId,omitempty"`
	DepositInstructionID string            `json:"depositClientInstructionId,omitempty"`
	Error                string            `json:"error,omitempty"`
}

type demoStep struct {
	Step   string   `json:"step"`
	Result string   `json:"result"`
	Detail []string `json:"detail,omitempty"`
}

type demoBalanceJSON struct {
	Currency     string `json:"currency"`
	Withdrawable string `json:"withdrawableCash"`
	Equity       string `json:"availableEquity,omitempty"`
}

type demoHistoryJSON struct {
	ClientInstructionID string `json:"clientInstructionId"`
	InstructionID       string `json:"instructionId,omitempty"`
	Type                string `json:"type"`
	Status              string `json:"status"`
	Amount              string `json:"amount,omitempty"`
	Currency            string `json:"currency,omitempty"`
	Date                string `json:"requestDate,omitempty"`
	ThisRun             bool   `json:"thisRun"`
}

// journey is one run of the demo.
type journey struct {
	a       *app
	cl      *ibkr.Client
	capture *tokenCapture
	sb      *ibkrtest.Sandbox // embedded only: the control handle
	fake    *clock.Fake       // embedded only
	start   time.Time         // sandbox time at the start (embedded)
	wall    time.Time
	n       int
	res     demoResult
	f       demoFlags

	accountID string
	link      *ibkr.Instruction
	deposit   *ibkr.Instruction
	own       []ibkr.ID // clientInstructionIds the journey sent
	target    target    // remote only
	bankName  string    // the ACH instruction's name
	stopped   bool      // ended early on purpose (waiting on IBKR)

	progressShown bool // a progress line is on stderr (terminal only)
}

func runDemo(ctx context.Context, a *app, args []string) error {
	flags := a.newFlags()
	var f demoFlags
	f.conn.register(flags)
	flags.StringVar(&f.amount, "amount", "500.00", "deposit amount in USD")
	flags.StringVar(&f.account, "account", "", "use this existing account instead of opening one")
	flags.StringVar(&f.routing, "routing", "", "ABA routing number of the bank to link (embedded default "+ibkrtest.RoutingNumberMicroDeposits+": micro-deposits)")
	flags.StringVar(&f.bankAccount, "bank-account", "", "bank account number to link (embedded default a sample; never printed beyond its last 4 digits)")
	flags.StringVar(&f.link, "link", "", "resume: the clientInstructionId of an ACH link made by an earlier run (needs --account)")
	flags.StringVar(&f.bankName, "bank-name", "", "name of the ACH instruction (default \"Demo <its clientInstructionId>\"; embedded: Checking)")
	flags.StringVar(&f.micro, "micro", "", "the two micro-deposit amounts, e.g. 0.12,0.34 (QA, --base-url)")
	flags.DurationVar(&f.verifyWait, "verify-wait", 0, "longest wait for IBKR's bank verification (default 1h simulated, 20m real)")
	flags.DurationVar(&f.depositWait, "deposit-wait", 0, "longest wait for the deposit to be PROCESSED (default 72h simulated, 15m real)")
	if err := a.parseOnly(flags, args); err != nil {
		return err
	}
	if err := f.validate(); err != nil {
		return err
	}
	j := &journey{a: a, f: f, wall: time.Now()}
	var err error
	switch {
	case f.conn.env == "" && f.conn.baseURL == "":
		err = j.runEmbedded(ctx)
	default:
		err = j.runRemote(ctx)
	}
	j.res.WallTime = human(time.Since(j.wall))
	if j.fake != nil {
		j.res.SimulatedTime = human(j.fake.Now().Sub(j.start))
	}
	if a.json && (err == nil || j.n > 0) {
		if err != nil {
			j.res.Error = errorMessage(err)
		}
		a.emit(j.res)
	}
	return err
}

// validate checks every flag before the first request, so that a bad
// value (--amount 1.234) fails before an account is opened or a bank
// linked: against IBKR QA those would be real records.
func (f demoFlags) validate() error {
	amount, err := ibkr.ParseDecimal(f.amount)
	if err != nil {
		return usagef("--amount %q is not a decimal amount", f.amount)
	}
	if err := ibkr.ValidateAmount("--amount", amount, ibkr.USD); err != nil {
		return usagef("%s", errorMessage(err))
	}
	if f.link != "" && f.account == "" {
		return usagef("--link needs --account (the account the bank was linked to)")
	}
	if f.account != "" {
		if err := ibkr.ValidateAccountID("--account", f.account); err != nil {
			return usagef("%s", errorMessage(err))
		}
	}
	if f.link != "" {
		if _, err := ibkr.ParseClientInstructionID("--link", f.link); err != nil {
			return usagef("--link %q: %s", f.link, errorMessage(err))
		}
	}
	if f.routing != "" {
		if err := ibkr.ValidateRoutingNumber(f.routing); err != nil {
			return usagef("--routing: %s", errorMessage(err))
		}
	}
	if f.bankAccount != "" {
		if err := ibkr.ValidateUSBankAccountNumber(f.bankAccount); err != nil {
			return usagef("--bank-account: %s", errorMessage(err))
		}
	}
	if f.bankName != "" {
		if err := ibkr.ValidateInstructionName("--bank-name", f.bankName, ibkr.MaxACHInstructionNameLen); err != nil {
			return usagef("%s", errorMessage(err))
		}
	}
	if f.micro != "" {
		if _, _, err := parseMicro(f.micro); err != nil {
			return err
		}
	}
	if f.verifyWait < 0 || f.depositWait < 0 {
		return usagef("--verify-wait and --deposit-wait must not be negative")
	}
	if f.conn.env != "" && !strings.EqualFold(f.conn.env, "production") && f.conn.baseURL == "" && f.link == "" && (f.routing == "" || f.bankAccount == "") {
		return usagef("--routing and --bank-account are required with --env (the bank account to link)")
	}
	return nil
}

// parseMicro reads the two micro-deposit amounts, "0.12,0.34" or "0.12 0.34".
func parseMicro(text string) (ibkr.Decimal, ibkr.Decimal, error) {
	parts := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' })
	if len(parts) != 2 {
		return ibkr.Decimal{}, ibkr.Decimal{}, usagef("--micro %q: give two amounts, e.g. 0.12,0.34", text)
	}
	var out [2]ibkr.Decimal
	for i, p := range parts {
		d, err := ibkr.ParseDecimal(p)
		if err != nil {
			return ibkr.Decimal{}, ibkr.Decimal{}, usagef("--micro: %q is not an amount", p)
		}
		if err := ibkr.ValidateMicroDepositAmount("--micro", d); err != nil {
			return ibkr.Decimal{}, ibkr.Decimal{}, usagef("--micro: %s", errorMessage(err))
		}
		out[i] = d
	}
	return out[0], out[1], nil
}

// runEmbedded starts the sandbox in this process and runs the journey.
func (j *journey) runEmbedded(ctx context.Context) error {
	a := j.a
	if j.f.link != "" || j.f.micro != "" {
		return usagef("--link and --micro are for --env qa or --base-url; the embedded sandbox reads the micro-deposits itself")
	}
	if c := j.f.conn; c.clientID != "" || c.keyID != "" || c.keyFile != "" || c.audience != "" || c.scopes != "" {
		return usagef("credentials are for --env qa or --base-url; the embedded sandbox uses its own demo client")
	}
	j.fake = clock.NewFake(ibkrtest.DefaultStart)
	// Every wait of the client (waiter polls, backoff) moves the shared
	// clock to its deadline at once; the sandbox runs the lifecycle steps
	// that fell due at the next request.
	j.fake.SetAutoAdvance(true)
	j.start = j.fake.Now()
	sb, err := ibkrtest.NewHandler(ibkrtest.WithClock(j.fake))
	if err != nil {
		return err
	}
	defer sb.Close()
	j.sb = sb
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("embedded sandbox: %w", err)
	}
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = srv.Shutdown(sctx)
		cancel()
	}()
	base := "http://" + ln.Addr().String()
	j.res.Mode, j.res.BaseURL = "embedded", base

	key, err := ibkrtest.DemoPrivateKey()
	if err != nil {
		return err
	}
	j.capture = &tokenCapture{base: http.DefaultTransport}
	j.cl, err = ibkr.New(
		ibkr.WithBaseURL(base),
		ibkr.WithCredentials(ibkrtest.DemoClientID, ibkrtest.DemoKeyID, key),
		ibkr.WithClock(j.fake),
		ibkr.WithHTTPClient(&http.Client{Timeout: 30 * time.Second, Transport: j.capture}),
		ibkr.WithoutMaintenanceWindows(),
	)
	if err != nil {
		return err
	}
	a.say("ibkr demo: the money-routing journey against an embedded IBKR sandbox")
	a.say("  sandbox   %s (ibkrtest, in this process; nothing leaves this machine)", base)
	a.say("  clock     simulated: starts %s and jumps ahead whenever the client waits",
		j.start.In(eastern()).Format("Mon 2 Jan 2006 15:04 MST"))
	a.say("  client    %s, key %s (the sandbox's published demo key)", ibkrtest.DemoClientID, ibkrtest.DemoKeyID)
	if a.getenv(envEnv) != "" || a.getenv(envBaseURL) != "" {
		a.say("  note      %s/%s are not used here: pass --env qa or --base-url to leave the embedded sandbox", envEnv, envBaseURL)
	}
	a.say("")

	routing := firstNonEmpty(j.f.routing, ibkrtest.RoutingNumberMicroDeposits)
	bankAccount := firstNonEmpty(j.f.bankAccount, demoBankAccount)
	if err := j.authenticate(ctx); err != nil {
		return err
	}
	if j.f.account != "" {
		if err := j.useAccount(ctx, j.f.account); err != nil {
			return err
		}
	} else if err := j.openAccount(ctx); err != nil {
		return err
	}
	if err := j.linkBank(ctx, routing, bankAccount, j.verifyWait(time.Hour)); err != nil {
		return err
	}
	if j.link.Status == ibkr.InstructionPendingVerification {
		a1, a2, ok := sb.MicroDeposits(j.link.InstructionID)
		if !ok {
			return fmt.Errorf("the sandbox has no micro-deposits for instruction %s", j.link.InstructionID)
		}
		j.step("read micro-deposits", "%s and %s USD, read through the sandbox's control handle (ibkrtest.Sandbox.MicroDeposits); at IBKR the customer reads them off a bank statement", a1, a2)
		if err := j.verify(ctx, a1, a2); err != nil {
			return err
		}
	}
	if err := j.depositAndWait(ctx, j.depositWait(72*time.Hour)); err != nil {
		return err
	}
	if err := j.balance(ctx); err != nil {
		return err
	}
	if err := j.history(ctx); err != nil {
		return err
	}
	if err := j.flexJourney(ctx); err != nil {
		return err
	}
	j.res.Completed = true
	a.say("")
	a.say("done: journey complete in %s (%s of simulated IBKR time)", human(time.Since(j.wall)), human(j.fake.Now().Sub(j.start)))
	return nil
}

// runRemote runs the journey against QA or a --base-url host, in real
// time.
func (j *journey) runRemote(ctx context.Context) error {
	a := j.a
	t, err := j.f.conn.resolveTarget(a)
	if err != nil {
		return err
	}
	if t.env == ibkr.Production {
		return usagef("the demo moves money and never runs against production: use --env qa, --base-url, or no flags for the embedded sandbox")
	}
	cr, err := j.f.conn.resolveCreds(a)
	if err != nil {
		return err
	}
	for _, w := range cr.warnings {
		a.note("warning: %s", w)
	}
	j.capture = &tokenCapture{base: http.DefaultTransport}
	j.cl, err = ibkr.New(j.f.conn.clientOptions(a, t, cr,
		ibkr.WithHTTPClient(&http.Client{Timeout: 60 * time.Second, Transport: j.capture}),
		ibkr.WithClock(a.clock()))...)
	if err != nil {
		return &configError{msg: errorMessage(err), err: err}
	}
	j.target = t
	j.res.Mode, j.res.BaseURL = "base-url", t.baseURL
	if t.env == ibkr.QA {
		j.res.Mode = "qa"
	}
	a.say("ibkr demo: the money-routing journey against %s, in real time", t)
	a.say("")
	if err := j.authenticate(ctx); err != nil {
		return err
	}
	if j.f.account != "" {
		if err := j.useAccount(ctx, j.f.account); err != nil {
			return err
		}
	} else if err := j.openAccount(ctx); err != nil {
		return err
	}
	if j.f.link != "" {
		cid, err := ibkr.ParseClientInstructionID("--link", j.f.link)
		if err != nil {
			return usagef("--link %q: %s", j.f.link, errorMessage(err))
		}
		in, err := j.cl.InstructionStatus(ctx, cid)
		if err != nil {
			return err
		}
		if in.Type != "" && in.Type != "ACH_INSTRUCTION" {
			return usagef("--link %s is a %s, not an ACH link", cid, in.Type)
		}
		j.link = in
		j.bankName = j.nameFor(cid)
		j.res.LinkInstructionID = cid.String()
		j.step("resume ACH link", "%s", in)
		if in.Status == ibkr.InstructionPending {
			if err := j.waitVerification(ctx, j.verifyWait(20*time.Minute)); err != nil {
				return err
			}
		}
	} else {
		// --base-url (usually "ibkr sandbox") defaults to the sandbox's
		// micro-deposit routing number and the sample account; --env qa
		// requires both (checked with the other flags).
		routing := firstNonEmpty(j.f.routing, ibkrtest.RoutingNumberMicroDeposits)
		bankAccount := firstNonEmpty(j.f.bankAccount, demoBankAccount)
		if err := j.linkBank(ctx, routing, bankAccount, j.verifyWait(20*time.Minute)); err != nil {
			return err
		}
	}
	switch j.link.Status {
	case ibkr.InstructionPendingVerification:
		a1, a2, ok, err := j.microAmounts(ctx)
		if err != nil {
			return err
		}
		if !ok {
			next := fmt.Sprintf("ibkr demo %s --account %s --link %s --micro A,B", remoteFlags(t), j.accountID, j.link.ClientInstructionID)
			j.res.NextStep = next
			j.step("micro-deposits", "IBKR sends two small credits to the bank account within 1 to 3 business days; this run stops here")
			a.say("")
			a.say("When they arrive, finish the journey with:")
			a.say("  %s", next)
			return nil
		}
		if err := j.verify(ctx, a1, a2); err != nil {
			return err
		}
	case ibkr.InstructionProcessed:
	default:
		return fmt.Errorf("the ACH link is %s; the demo needs it PROCESSED or PENDING_VERIFICATION", j.link.Status)
	}
	if err := j.depositAndWait(ctx, j.depositWait(15*time.Minute)); err != nil || j.stopped {
		return err
	}
	if err := j.balance(ctx); err != nil {
		return err
	}
	if err := j.history(ctx); err != nil {
		return err
	}
	j.res.Completed = true
	a.say("")
	a.say("done: journey complete in %s", human(time.Since(j.wall)))
	return nil
}

func remoteFlags(t target) string {
	if t.env != 0 {
		return "--env " + t.env.String()
	}
	return "--base-url " + t.baseURL
}

func (j *journey) verifyWait(def time.Duration) time.Duration {
	if j.f.verifyWait > 0 {
		return j.f.verifyWait
	}
	return def
}

func (j *journey) depositWait(def time.Duration) time.Duration {
	if j.f.depositWait > 0 {
		return j.f.depositWait
	}
	return def
}

// step records and prints one numbered step.
func (j *journey) step(name, format string, args ...any) {
	j.n++
	msg := fmt.Sprintf(format, args...)
	j.res.Steps = append(j.res.Steps, demoStep{Step: name, Result: msg})
	j.a.say("%2d. %-22s %s", j.n, name, msg)
}

// detail prints an indented line under the current step.
func (j *journey) detail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if n := len(j.res.Steps); n > 0 {
		j.res.Steps[n-1].Detail = append(j.res.Steps[n-1].Detail, msg)
	}
	j.a.say("    %-22s %s", "", msg)
}

// now is the journey's time: simulated (embedded) or the wall clock.
func (j *journey) now() time.Time {
	if j.fake != nil {
		return j.fake.Now()
	}
	return j.a.clock().Now()
}

// since describes the time since t, saying whether it was simulated.
func (j *journey) since(t time.Time) string {
	d := j.now().Sub(t)
	if j.fake != nil {
		return human(d) + " of IBKR time"
	}
	return human(d.Round(time.Second))
}

func (j *journey) authenticate(ctx context.Context) error {
	if _, err := j.cl.TokenSource(ctx).Token(); err != nil {
		return err
	}
	scope, has, exp := j.capture.result()
	granted := "scopes not listed"
	if has {
		granted = fmt.Sprintf("%d scopes", len(strings.Fields(scope)))
	}
	j.step("authenticate", "access token granted (%s, expires in %s)", granted, human(time.Duration(exp)*time.Second))
	return nil
}

func (j *journey) openAccount(ctx context.Context) error {
	ext := "ibkrdemo-" + time.Now().UTC().Format("20060102150405")
	reg, err := j.cl.Register(ctx, ibkr.HybridRegistration{
		FirstName: "Ada", LastName: "Lovelace", Email: "ada.lovelace@example.com", Country: "USA", ExternalID: ext,
	})
	if err != nil {
		return err
	}
	j.accountID = reg.AccountID
	j.res.AccountID = reg.AccountID
	var tasks []string
	for _, t := range reg.PendingTasks {
		tasks = append(tasks, t.Form.String())
	}
	msg := fmt.Sprintf("%s (user %s), status %s", reg.AccountID, reg.UserName, statusText(reg.Status))
	if len(tasks) > 0 {
		msg += "; pending tasks: " + strings.Join(tasks, ", ")
	}
	j.step("open hybrid account", "%s", msg)
	return nil
}

func statusText(s ibkr.AccountStatus) string {
	if d := s.String(); d != "" && d != string(s) {
		return d
	}
	return string(s)
}

func (j *journey) useAccount(ctx context.Context, id string) error {
	st, err := j.cl.AccountStatus(ctx, id)
	if err != nil {
		return err
	}
	j.accountID = id
	j.res.AccountID = id
	j.step("use account", "%s, status %s", id, statusText(st.Status))
	return nil
}

func (j *journey) linkBank(ctx context.Context, routing, bankAccount string, wait time.Duration) error {
	// The link's id is allocated first so that the instruction's name can
	// carry it: a later run (--link) finds the name again from the id, and
	// reruns on one account never collide on names.
	cid, err := j.cl.NewInstructionID(ctx)
	if err != nil {
		return err
	}
	j.bankName = j.nameFor(cid)
	in, err := j.cl.LinkBankAccount(ctx, ibkr.BankAccountLink{
		ClientInstructionID: cid, AccountID: j.accountID, InstructionName: j.bankName, RoutingNumber: routing, AccountNumber: ibkr.NewSecret(bankAccount), BankName: "Demo Bank",
	})
	if err != nil {
		return err
	}
	j.link = in
	j.own = append(j.own, in.ClientInstructionID)
	j.res.LinkInstructionID = in.ClientInstructionID.String()
	j.step("link bank by ACH", "%q, routing %s, account %s: %s (clientInstructionId %s)",
		j.bankName, routing, mask(bankAccount), in.Status, in.ClientInstructionID)
	if in.Status != ibkr.InstructionPending {
		return nil
	}
	return j.waitVerification(ctx, wait)
}

func (j *journey) waitVerification(ctx context.Context, wait time.Duration) error {
	j.detail("waiting for IBKR's verification (7-15 min at IBKR)...")
	polls, t0, what := 0, j.now(), "IBKR's verification"
	in, err := j.cl.WaitForBankVerification(ctx, j.link.ClientInstructionID, wait, func(o *ibkr.WaiterOptions) {
		o.OnPoll = func(int, any, error) { polls++; j.progress(what, t0, polls) }
	})
	j.progressDone()
	if err != nil {
		return err
	}
	j.link = in
	what = "verified without micro-deposits"
	if in.Status == ibkr.InstructionPendingVerification {
		what = "IBKR sent two micro-deposits"
	}
	j.detail("%s after %s (%d polls): %s", in.Status, j.since(t0), polls, what)
	return nil
}

// microAmounts takes the amounts from --micro, from the control endpoint
// of an "ibkr sandbox" at --base-url, or asks for them when stdin and
// stderr are terminals (the prompt goes to stderr, so stdout stays data);
// ok is false when there are none yet.
func (j *journey) microAmounts(ctx context.Context) (ibkr.Decimal, ibkr.Decimal, bool, error) {
	text := j.f.micro
	if text == "" && j.target.env == 0 {
		if a1, a2, ok := fetchMicroDeposits(ctx, j.target.baseURL, j.link.InstructionID); ok {
			j.step("read micro-deposits", "%s and %s USD, from the sandbox's control endpoint (%s); at IBKR the customer reads them off a bank statement", a1, a2, ibkrtest.MicroDepositsPath)
			return a1, a2, true, nil
		}
	}
	if text == "" && isTerminal(j.a.stdin) && isTerminal(j.a.stderr) {
		fmt.Fprint(j.a.stderr, "Enter the two micro-deposit amounts (e.g. 0.12 0.34), or press Enter to stop here: ")
		line, _ := bufio.NewReader(j.a.stdin).ReadString('\n')
		text = strings.TrimSpace(line)
	}
	if text == "" {
		return ibkr.Decimal{}, ibkr.Decimal{}, false, nil
	}
	a1, a2, err := parseMicro(text)
	return a1, a2, err == nil, err
}

// isTerminal reports whether r is an interactive terminal: a character
// device that is not the null device (/dev/null is a character device
// too, and CI and cron runs have it as stdin).
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(st, null) {
		return false
	}
	return true
}

func (j *journey) verify(ctx context.Context, a1, a2 ibkr.Decimal) error {
	in, err := j.cl.VerifyMicroDeposits(ctx, ibkr.MicroDepositVerification{
		AccountID: j.accountID, InstructionName: j.bankName, InstructionID: j.link.InstructionID, Amount1: a1, Amount2: a2,
	})
	if in != nil {
		j.own = append(j.own, in.ClientInstructionID)
	}
	if err != nil {
		var rej *ibkr.RejectedError
		if errors.As(err, &rej) {
			return fmt.Errorf("the micro-deposit amounts were refused: %w", err)
		}
		return err
	}
	j.step("verify micro-deposits", "%s: the bank account is linked and ready for deposits", in.Status)
	return nil
}

func (j *journey) depositAndWait(ctx context.Context, wait time.Duration) error {
	amount, _ := ibkr.ParseDecimal(j.f.amount)
	in, err := j.cl.DepositACH(ctx, ibkr.ACHDeposit{AccountID: j.accountID, InstructionName: j.bankName, Amount: amount})
	if err != nil {
		return err
	}
	j.deposit = in
	j.own = append(j.own, in.ClientInstructionID)
	j.res.DepositInstructionID = in.ClientInstructionID.String()
	j.step("deposit "+amount.String()+" USD", "ACH pull from %q: %s (clientInstructionId %s)", j.bankName, in.Status, in.ClientInstructionID)
	if in.Status == ibkr.InstructionProcessed {
		return nil
	}
	t0 := j.now()
	got, polls, err := j.waitDeposit(ctx, in, wait)
	if errors.Is(err, ibkr.ErrTimeout) && j.fake == nil {
		// IBKR takes days to settle deposits: stop cleanly and say how
		// to follow up.
		j.stopped = true
		j.res.NextStep = "ibkr instruction " + in.ClientInstructionID.String()
		j.step("wait for PROCESSED", "still %s after %s (%d polls); IBKR settles ACH deposits within days", in.Status, human(wait), polls)
		j.a.say("")
		j.a.say("This run stops here. Follow the deposit with:")
		j.a.say("  %s %s", j.res.NextStep, remoteFlags(j.target))
		return nil
	}
	if err != nil {
		return err
	}
	j.deposit = got
	j.step("wait for PROCESSED", "%s after %s (%d polls): the money is in the account", got.Status, j.since(t0), polls)
	return nil
}

// waitDeposit waits for the deposit to settle. Against IBKR (and the
// embedded sandbox, whose clock jumps) a tracker follows it on an ACH
// schedule, about a day, rather than every few seconds. Against
// --base-url, usually an "ibkr sandbox --fast" whose day passes in 24
// wall seconds, that schedule would outlast the wait, so the waiter polls
// and a progress line shows on a terminal.
func (j *journey) waitDeposit(ctx context.Context, in *ibkr.Instruction, wait time.Duration) (*ibkr.Instruction, int64, error) {
	if j.fake == nil && j.target.env == 0 {
		var polls int64
		t0, what := j.now(), "the deposit"
		got, err := j.cl.WaitForInstruction(ctx, in.ClientInstructionID, wait, func(o *ibkr.WaiterOptions) {
			o.OnPoll = func(int, any, error) { polls++; j.progress(what, t0, int(polls)) }
		})
		j.progressDone()
		return got, polls, err
	}
	tr, err := j.cl.NewTracker()
	if err == nil {
		err = tr.Track(ibkr.TrackedOf(in, j.accountID, "ACH"))
	}
	if err != nil {
		return nil, 0, err
	}
	got, err := tr.RunUntil(ctx, in.ClientInstructionID, wait)
	return got, tr.Looks(), err
}

// progress rewrites one status line on stderr while a wait goes on, when
// stderr is a terminal (never in a pipe, a file or a CI log).
func (j *journey) progress(what string, t0 time.Time, polls int) {
	if !isTerminal(j.a.stderr) {
		return
	}
	j.progressShown = true
	fmt.Fprintf(j.a.stderr, "\r\033[K    waiting for %s: %s, %d polls", what, j.since(t0), polls)
}

// progressDone clears the progress line, if one was shown.
func (j *journey) progressDone() {
	if j.progressShown {
		fmt.Fprint(j.a.stderr, "\r\033[K")
		j.progressShown = false
	}
}

// nameFor names the ACH instruction of the link sent with cid: --bank-name,
// "Checking" in the embedded sandbox, else "Demo <cid>" (unique per link,
// at most 32 characters).
func (j *journey) nameFor(cid ibkr.ID) string {
	switch {
	case j.f.bankName != "":
		return j.f.bankName
	case j.fake != nil:
		return demoBankName
	}
	return "Demo " + cid.String()
}

// mask shows the last four digits only.
func mask(s string) string {
	if len(s) <= 4 {
		return "****"
	}
	return "****" + s[len(s)-4:]
}

func (j *journey) balance(ctx context.Context) error {
	b, err := j.cl.Balance(ctx, j.accountID, ibkr.USD)
	if err != nil {
		return err
	}
	j.res.Balance = &demoBalanceJSON{Currency: string(b.Currency), Withdrawable: b.WithdrawableCash.String(), Equity: b.AvailableEquity.String()}
	j.step("balance", "%s %s withdrawable cash, %s %s available equity", b.WithdrawableCash, b.Currency, b.AvailableEquity, b.Currency)
	return nil
}

// history shows the account's instruction history as IBKR reports it
// (QUERY_RECENT_INSTRUCTIONS, the last 7 days).
func (j *journey) history(ctx context.Context) error {
	list, err := j.cl.RecentInstructions(ctx, ibkr.RecentQuery{AccountID: j.accountID, Days: 7})
	if err != nil {
		return err
	}
	mine := map[string]bool{}
	for _, id := range j.own {
		mine[id.String()] = true
	}
	j.step("instruction history", "%d instruction(s) of %s in the last 7 days (IBKR's recent-instructions query):", len(list), j.accountID)
	for _, in := range list {
		h := demoHistoryJSON{ClientInstructionID: in.ClientInstructionID.String(), Type: in.Type, Status: string(in.Status), Date: in.RequestDate}
		if !in.InstructionID.IsZero() {
			h.InstructionID = in.InstructionID.String()
		}
		line := fmt.Sprintf("%s  %-20s %-42s %s", in.RequestDate, in.ClientInstructionID, in.Type, in.Status)
		if j.deposit != nil && in.ClientInstructionID == j.deposit.ClientInstructionID {
			h.Amount, h.Currency = j.deposit.Amount.String(), "USD"
			if j.deposit.Amount.IsZero() {
				h.Amount = j.f.amount
			}
			line += "  " + h.Amount + " USD"
		}
		if mine[h.ClientInstructionID] {
			h.ThisRun = true
		}
		j.res.History = append(j.res.History, h)
		j.detail("%s", line)
	}
	return nil
}
