package main

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/ibkrweb/ibkr-go/ibkr"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/internal/clock"
)

var sandboxCommand = &command{
	name:    "sandbox",
	summary: "run the local IBKR sandbox on a loopback address",
	help: `Runs the ibkrtest sandbox, a stateful fake of IBKR's Account Management
API (token endpoint, signed bodies, ACH and micro-deposits, deposits,
withdrawals, accounts, statements), as a plain-http server on a loopback
address, until Ctrl-C.

It prints the base URL and the built-in demo client (a published demo key,
written to a temporary file so "ibkr doctor" and your app can use it), and
registers your own client with --client-id plus --jwks (e.g. the file
"ibkr keygen" wrote) or --public-key.

Time: by default the sandbox runs on the wall clock, so lifecycles take
IBKR's times (ACH verification 10 min, deposits 24 h, account review 24 h).
--fast runs the sandbox's clock 3600 times faster than the wall clock (one
second is one sandbox hour: ACH verification takes 0.2 s, a deposit 24 s,
statements for "yesterday" appear within 24 s). Your client keeps signing
with the wall clock, so --fast also stops checking iat/exp against the
sandbox clock, turns IBKR's maintenance windows off (a sandbox day passes
in 24 s) and stretches token lifetimes to one wall-clock day.

The sandbox serves a console at /ibkrtest/console/ (accounts with the
micro-deposit amounts it sent, instructions, the request log with each
call's signature verdict, and controls: settle or reject instructions,
confirm bank verifications, faults, maintenance windows, reset), and the
same as JSON under /ibkrtest/v1/ (controls are POSTs with the token GET
/ibkrtest/v1/csrf answers, in the X-Ibkrtest-Csrf header).

--state FILE loads the state from FILE if it exists and saves it there on
shutdown (accounts, balances, instructions, bank instructions, scheduled
lifecycle steps, tokens); registered clients come from the flags each time.`,
	run: runSandbox,
}

// fastFactor is how much faster than the wall clock --fast runs.
const fastFactor = 3600

// sandboxInfo is what the sandbox command prints at start (--json).
type sandboxInfo struct {
	BaseURL     string            `json:"baseURL"`
	Clock       string            `json:"clock"`
	Maintenance bool              `json:"maintenanceWindows"`
	StateFile   string            `json:"stateFile,omitempty"`
	Demo        sandboxClient     `json:"demoClient"`
	Clients     []sandboxClient   `json:"registeredClients,omitempty"`
	Env         map[string]string `json:"env"`
	DemoAccount string            `json:"demoAccount"`
	Routing     map[string]string `json:"routingNumbers"`
	Timings     map[string]string `json:"timings"`
	InWindow    []string          `json:"inMaintenanceNow,omitempty"`
	Flex        *sandboxFlexInfo  `json:"flex,omitempty"`
	// MicroDeposits is the control endpoint's URL prefix; append IBKR's
	// instructionId of an ACH instruction.
	MicroDeposits string `json:"microDepositsURL"`
	// Console is the browser console's URL; Control the prefix of the
	// JSON control endpoints (docs/sandbox-control.md).
	Console string `json:"consoleURL"`
	Control string `json:"controlURL"`
}

type sandboxClient struct {
	ClientID       string   `json:"clientId"`
	KeyIDs         []string `json:"keyIds"`
	PrivateKeyFile string   `json:"privateKeyFile,omitempty"`
}

func runSandbox(ctx context.Context, a *app, args []string) error {
	flags := a.newFlags()
	addr := flags.String("addr", "127.0.0.1:7788", "loopback address to listen on (port 0 picks a free one)")
	statePath := flags.String("state", "", "load state from FILE at start (if it exists) and save it there on shutdown")
	fast := flags.Bool("fast", false, fmt.Sprintf("run the sandbox clock %d times faster than the wall clock (see help)", fastFactor))
	maint := flags.Bool("maintenance", true, "keep IBKR's maintenance windows (US Eastern time); off with --fast")
	clientID := flags.String("client-id", "", "register a client with this id (needs --jwks or --public-key)")
	jwksPath := flags.String("jwks", "", "JWKS file with the client's public keys (kid from the JWKS, else the RFC 7638 thumbprint)")
	pubPath := flags.String("public-key", "", "public key PEM file for the client")
	keyID := flags.String("key-id", "", "kid for --public-key (default: its RFC 7638 thumbprint)")
	callback := flags.String("callback-url", "", "POST a notification to this URL whenever an instruction or account changes status")
	verbose := flags.Bool("verbose", false, "log every request (method, path, status) on stderr")
	if err := a.parseOnly(flags, args); err != nil {
		return err
	}
	if err := checkLoopbackAddr(*addr); err != nil {
		return err
	}
	client, err := sandboxClientFromFlags(*clientID, *jwksPath, *pubPath, *keyID)
	if err != nil {
		return err
	}

	opts := []ibkrtest.Option{ibkrtest.WithMaintenance(*maint && !*fast), ibkrtest.WithConsole()}
	clockDesc := "wall clock: lifecycles take IBKR's times"
	var speed *speedClock
	if *fast {
		speed = newSpeedClock(fastFactor, time.Now)
		opts = append(opts,
			ibkrtest.WithClock(speed),
			ibkrtest.WithClockSkew(100*365*24*time.Hour),
			ibkrtest.WithTokenLifetime(86399*time.Second*fastFactor),
		)
		clockDesc = fmt.Sprintf("fast: 1 s = %s of sandbox time (iat/exp not checked against it, maintenance windows off)", human(time.Second*fastFactor))
	} else {
		opts = append(opts, ibkrtest.WithRealClock())
	}
	if client != nil {
		opts = append(opts, ibkrtest.WithClient(*client))
	}
	if *callback != "" {
		opts = append(opts, ibkrtest.WithCallbackURL(*callback))
	}
	if *verbose {
		opts = append(opts, ibkrtest.WithLogger(slog.New(slog.NewTextHandler(a.stderr, nil))))
	}
	sb, err := ibkrtest.NewHandler(opts...)
	if err != nil {
		return &configError{msg: strings.TrimPrefix(err.Error(), "ibkrtest: ")}
	}
	defer sb.Close()

	loaded := false
	if *statePath != "" {
		f, err := os.Open(*statePath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("state file: %w", err)
		default:
			err = sb.LoadState(f)
			_ = f.Close()
			if err != nil {
				return fmt.Errorf("state file %s: %s", *statePath, strings.TrimPrefix(err.Error(), "ibkrtest: "))
			}
			loaded = true
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return &codedError{code: exitFailure, msg: fmt.Sprintf("cannot listen on %s: %v (--addr 127.0.0.1:0 picks a free port)", *addr, netReason(err))}
	}
	base := "http://" + ln.Addr().String()

	demoKey, err := writeDemoKey()
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer os.Remove(demoKey)
	flexInfo, err := sandboxFlex(sb, base)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer os.Remove(flexInfo.TokenFile)

	var handler http.Handler = sb
	if *verbose {
		handler = logRequests(a, sb)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	tickDone := make(chan struct{})
	tickCtx, stopTick := context.WithCancel(context.Background())
	go func() {
		defer close(tickDone)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		seen := len(sb.Notifications()) // a loaded state's are old news
		for {
			select {
			case <-tickCtx.Done():
				return
			case <-t.C:
				if speed != nil {
					sb.Tick() // the real-clock sandbox ticks itself
				}
				seen = announceMicroDeposits(sb, seen, func(id ibkr.InstructionID, a1, a2 ibkr.Decimal) {
					line := fmt.Sprintf("micro-deposits sent for ACH instruction %s: %s and %s USD (also GET %s%s%s)", id, a1, a2, base, ibkrtest.MicroDepositsPath, id)
					if a.json {
						a.note("%s", line) // stdout holds the one JSON document
					} else {
						a.say("%s", line)
					}
				})
			}
		}
	}()

	info := sandboxInfo{
		BaseURL:       base,
		Clock:         clockDesc,
		Maintenance:   *maint && !*fast,
		StateFile:     *statePath,
		Demo:          sandboxClient{ClientID: ibkrtest.DemoClientID, KeyIDs: []string{ibkrtest.DemoKeyID}, PrivateKeyFile: demoKey},
		DemoAccount:   ibkrtest.DemoAccountID,
		Flex:          flexInfo,
		MicroDeposits: base + ibkrtest.MicroDepositsPath,
		Console:       base + ibkrtest.ConsolePath,
		Control:       base + ibkrtest.ControlPath,
		Env: map[string]string{
			envBaseURL: base, envClientID: ibkrtest.DemoClientID, envKeyID: ibkrtest.DemoKeyID, envKeyFile: demoKey,
		},
		Routing: map[string]string{
			ibkrtest.RoutingNumberMicroDeposits: "micro-deposits sent (PENDING_VERIFICATION)",
			ibkrtest.RoutingNumberVerified:      "verified at once (PROCESSED)",
			ibkrtest.RoutingNumberRejected:      "REJECTED",
			ibkrtest.RoutingNumberSlow:          "micro-deposits after a slow verification",
		},
		Timings: map[string]string{
			"achVerification": ibkrtest.DefaultTimings.ACHVerification.String(),
			"achDeposit":      ibkrtest.DefaultTimings.ACHDeposit.String(),
			"accountReview":   ibkrtest.DefaultTimings.AccountReview.String(),
		},
	}
	for group, op := range map[string]string{"accounts": "getAccountsStatus", "banking": "createBankInstructions"} {
		if sb.InMaintenance(op) {
			info.InWindow = append(info.InWindow, group)
		}
	}
	sort.Strings(info.InWindow)
	if client != nil {
		sc := sandboxClient{ClientID: client.ID}
		for kid := range client.Keys {
			sc.KeyIDs = append(sc.KeyIDs, kid)
		}
		sort.Strings(sc.KeyIDs)
		info.Clients = append(info.Clients, sc)
	}
	if a.json {
		a.emit(info)
	} else {
		printSandboxInfo(a, info, loaded)
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}
	stopTick()
	<-tickDone
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_ = srv.Shutdown(shutCtx)
	cancel()
	sb.Close()
	if *statePath != "" {
		if err := saveState(sb, *statePath); err != nil {
			return fmt.Errorf("saving state: %w", err)
		}
		a.note("ibkr sandbox: stopped; state saved to %s", *statePath)
	} else {
		a.note("ibkr sandbox: stopped")
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

func printSandboxInfo(a *app, info sandboxInfo, loaded bool) {
	a.say("ibkr sandbox: a local fake of IBKR's Account Management API (ibkrtest)")
	a.say("  base URL      %s", info.BaseURL)
	a.say("  clock         %s", info.Clock)
	if !strings.HasPrefix(info.Clock, "fast") {
		a.say("  maintenance   %v (IBKR's downtime windows, US Eastern time; --maintenance=false turns them off)", info.Maintenance)
	}
	for _, w := range info.InWindow {
		a.say("  NOTE          the %s endpoints are in IBKR's maintenance window right now and answer 503", w)
	}
	switch {
	case info.StateFile == "":
		a.say("  state         in memory only (--state FILE keeps it across restarts)")
	case loaded:
		a.say("  state         loaded from %s; saved there on shutdown", info.StateFile)
	default:
		a.say("  state         new; saved to %s on shutdown", info.StateFile)
	}
	a.say("  demo client   %s, key id %s, account %s", info.Demo.ClientID, info.Demo.KeyIDs[0], info.DemoAccount)
	a.say("  demo key      %s (a published demo key: sandbox only, never register it with IBKR)", info.Demo.PrivateKeyFile)
	for _, c := range info.Clients {
		a.say("  your client   %s, key id %s", c.ClientID, strings.Join(c.KeyIDs, ", "))
	}
	a.say("  ACH routing   %s micro-deposits, %s verified at once, %s rejected", ibkrtest.RoutingNumberMicroDeposits, ibkrtest.RoutingNumberVerified, ibkrtest.RoutingNumberRejected)
	a.say("  console       %s (accounts, instructions, request log, controls; JSON under %s)", info.Console, info.Control)
	a.say("  micro-deps    printed here when sent, and served at GET %s<instructionId> (ibkr demo --base-url reads them there)", info.MicroDeposits)
	a.say("")
	a.say("Use it with the demo client:")
	a.say("  export %s=%s %s=%s %s=%s %s=%s", envBaseURL, info.BaseURL, envClientID, info.Demo.ClientID, envKeyID, info.Demo.KeyIDs[0], envKeyFile, info.Demo.PrivateKeyFile)
	a.say("  ibkr doctor")
	for _, c := range info.Clients {
		a.say("or with yours:")
		a.say("  ibkr doctor --base-url %s --client-id %s --key-id %s --key <your private key>", info.BaseURL, c.ClientID, c.KeyIDs[0])
	}
	printSandboxFlex(a, info.Flex)
	a.say("Ctrl-C stops the sandbox.")
}

// checkLoopbackAddr refuses to listen beyond this machine: the sandbox
// speaks plain http and accepts a published demo key.
func checkLoopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--addr %q: %v", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return usagef("--addr %q: the sandbox listens on loopback addresses only (127.0.0.1, ::1, localhost)", addr)
	}
	return nil
}

// sandboxClientFromFlags builds the client to register, if any.
func sandboxClientFromFlags(clientID, jwksPath, pubPath, keyID string) (*ibkrtest.Client, error) {
	if clientID == "" {
		if jwksPath != "" || pubPath != "" {
			return nil, usagef("--jwks and --public-key need --client-id")
		}
		return nil, nil
	}
	if jwksPath == "" && pubPath == "" {
		return nil, usagef("--client-id needs --jwks or --public-key")
	}
	c := &ibkrtest.Client{ID: clientID, Keys: map[string]*rsa.PublicKey{}}
	if jwksPath != "" {
		keys, err := readJWKS(jwksPath)
		if err != nil {
			return nil, err
		}
		for kid, k := range keys {
			c.Keys[kid] = k
		}
	}
	if pubPath != "" {
		data, err := os.ReadFile(pubPath)
		if err != nil {
			return nil, &configError{msg: fmt.Sprintf("public key file %s: %v", pubPath, unwrapPath(err)), err: err}
		}
		pub, err := ibkrtest.ParsePublicKeyPEM(data)
		if err != nil {
			return nil, &configError{msg: fmt.Sprintf("public key file %s is not an RSA public key PEM", pubPath)}
		}
		kid := keyID
		if kid == "" {
			if kid, err = keyThumbprint(pub); err != nil {
				return nil, err
			}
		}
		c.Keys[kid] = pub
	}
	for kid, k := range c.Keys {
		if k.N.BitLen() < 3072 {
			return nil, &configError{msg: fmt.Sprintf("key %s is RSA-%d: too weak, IBKR (and the sandbox) require RSA-3072 or RSA-4096", kid, k.N.BitLen())}
		}
	}
	return c, nil
}

// readJWKS reads the RSA public keys of a JWKS file by kid (the RFC 7638
// thumbprint for keys without one).
func readJWKS(path string) (map[string]*rsa.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &configError{msg: fmt.Sprintf("JWKS file %s: %v", path, unwrapPath(err)), err: err}
	}
	set, err := jwk.Parse(data)
	if err != nil {
		return nil, &configError{msg: fmt.Sprintf("JWKS file %s is not a JWK set: %v", path, err)}
	}
	out := map[string]*rsa.PublicKey{}
	for i := 0; i < set.Len(); i++ {
		k, _ := set.Key(i)
		var pub rsa.PublicKey
		if err := jwk.Export(k, &pub); err != nil {
			var priv rsa.PrivateKey
			if jwk.Export(k, &priv) == nil {
				return nil, &configError{msg: fmt.Sprintf("JWKS file %s holds a private key: send and register only public keys", path)}
			}
			return nil, &configError{msg: fmt.Sprintf("JWKS file %s: key %d is not an RSA public key", path, i)}
		}
		kid, ok := k.KeyID()
		if !ok || kid == "" {
			if kid, err = thumbprint(k); err != nil {
				return nil, err
			}
		}
		out[kid] = &pub
	}
	if len(out) == 0 {
		return nil, &configError{msg: fmt.Sprintf("JWKS file %s holds no keys", path)}
	}
	return out, nil
}

// writeDemoKey writes the sandbox's published demo key to a temporary
// file (mode 0600) so that other commands can sign with it.
func writeDemoKey() (string, error) {
	f, err := os.CreateTemp("", "ibkr-sandbox-demo-key-*.pem")
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(strings.TrimSpace(ibkrtest.DemoPrivateKeyPEM) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// saveState writes the state next to path and renames it into place, so
// an interrupted save never leaves half a file.
func saveState(sb *ibkrtest.Sandbox, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	err = sb.SaveState(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = publishFile(tmp.Name(), path, true)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// logRequests logs each request's method, path, status and duration.
func logRequests(a *app, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		a.note("%s %s %s → %d (%s)", start.Format(time.TimeOnly), r.Method, r.URL.Path, sw.status, human(time.Since(start)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// speedClock runs factor times faster than the wall clock, starting at
// the wall clock's now.
type speedClock struct {
	wall   func() time.Time
	wall0  time.Time
	factor float64
}

func newSpeedClock(factor float64, wall func() time.Time) *speedClock {
	return &speedClock{wall: wall, wall0: wall(), factor: factor}
}

// Now returns the sandbox time.
func (c *speedClock) Now() time.Time {
	el := c.wall().Sub(c.wall0)
	return c.wall0.Add(time.Duration(float64(el) * c.factor))
}

// Sleep waits d of sandbox time.
func (c *speedClock) Sleep(ctx context.Context, d time.Duration) error {
	return clock.Real{}.Sleep(ctx, time.Duration(float64(d)/c.factor))
}
