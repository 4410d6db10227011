package ibkr

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/clock"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// Test keys are generated once per test binary: RSA-3072 generation is
// slow.
var (
	keysOnce sync.Once
	key3072  *rsa.PrivateKey
	key2048  *rsa.PrivateKey
	key1024  *rsa.PrivateKey
)

func testKeys() {
	keysOnce.Do(func() {
		var err error
		if key3072, err = rsa.GenerateKey(rand.Reader, 3072); err != nil {
			panic(err)
		}
		if key2048, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if key1024, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
			panic(err)
		}
		for _, k := range []*rsa.PrivateKey{key3072, key2048} {
			noteSecret(string(pkcs8PEM(k)))
			noteSecret(k.D.String())
		}
	})
}

func testKey() *rsa.PrivateKey { testKeys(); return key3072 }

func pkcs1PEM(k *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

func pkcs8PEM(k any) []byte {
	b, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: b})
}

// Secrets and the suite's logs and error strings; secrets_main_test.go
// checks that none of the former appears in the latter.
var (
	secretsMu sync.Mutex
	secrets   = map[string]bool{}
	errTexts  []string
	suiteLogs lockedBuffer
)

// noteSecret registers a value that must never show in logs or errors.
// Multi-line values (PEM) are registered line by line.
func noteSecret(s string) {
	secretsMu.Lock()
	defer secretsMu.Unlock()
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 8 && !strings.HasPrefix(line, "-----") {
			secrets[line] = true
		}
	}
}

// noteErr records an error's text (with %v and %+v and %#v forms).
func noteErr(err error) {
	if err == nil {
		return
	}
	secretsMu.Lock()
	defer secretsMu.Unlock()
	errTexts = append(errTexts, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		errTexts = append(errTexts, u.Error())
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var suiteLogger = slog.New(slog.NewTextHandler(&suiteLogs, &slog.HandlerOptions{Level: slog.LevelDebug}))

// wantErr asserts errors.Is(err, target) and records the error.
func wantErr(t testing.TB, err, target error) {
	t.Helper()
	noteErr(err)
	if !errors.Is(err, target) {
		t.Fatalf("error %v: want errors.Is %v", err, target)
	}
}

// harnessStart is Tuesday 11 March 2025, 11:00 EDT: outside every
// maintenance window.
var harnessStart = time.Date(2025, 3, 11, 15, 0, 0, 0, time.UTC)

// Bank account number and tax id used in bodies; they must not leak.
const (
	secretAccountNumber = "000123456789012"
	secretTaxID         = "123-45-6789"
)

func init() {
	noteSecret(secretAccountNumber)
	noteSecret(secretTaxID)
}

// received is one request seen by the fake server.
type received struct {
	op      string
	method  string
	path    string
	header  http.Header
	body    []byte // as sent
	payload []byte // verified JWS payload (signed operations)
	claims  map[string]any
	at      time.Time
}

// instructionID returns instruction.clientInstructionId of the claims.
func (r received) instructionID() string {
	inst, _ := r.claims["instruction"].(map[string]any)
	if inst == nil {
		return ""
	}
	switch v := inst["clientInstructionId"].(type) {
	case json.Number:
		return v.String()
	case string:
		return v
	}
	return ""
}

// fakeIBKR is an httptest server speaking IBKR's wire protocol: the token
// endpoint checks client assertions, /gw endpoints check bearer tokens and
// verify signed bodies with the public key.
type fakeIBKR struct {
	t   testing.TB
	srv *httptest.Server
	clk *clock.Fake
	pub *rsa.PublicKey

	mu         sync.Mutex
	reqs       []received
	assertions []map[string]any
	assertHdrs []jws.Headers
	forms      []map[string][]string
	handlers   map[string]func(w http.ResponseWriter, r *http.Request, rec received)
	tokenFn    func(w http.ResponseWriter, r *http.Request) bool // true: handled

	tokenCount atomic.Int64
	tokenLife  atomic.Int64
	issued     atomic.Int64
}

func newFake(t testing.TB) *fakeIBKR {
	f := &fakeIBKR{t: t, clk: clock.NewFake(harnessStart), pub: &testKey().PublicKey,
		handlers: map[string]func(http.ResponseWriter, *http.Request, received){}}
	f.clk.SetAutoAdvance(true)
	f.tokenLife.Store(3600)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// handle sets the handler of an operation.
func (f *fakeIBKR) handle(opID string, h func(w http.ResponseWriter, r *http.Request, rec received)) {
	f.mu.Lock()
	f.handlers[opID] = h
	f.mu.Unlock()
}

// requests returns the requests seen for opID ("" for all but tokens).
func (f *fakeIBKR) requests(opID string) []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []received
	for _, r := range f.reqs {
		if opID == "" || r.op == opID {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeIBKR) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path == tokenPath {
		f.serveToken(w, r, body)
		return
	}
	op, ok := optable.Match(r.Method, r.URL.Path)
	if !ok {
		http.Error(w, "no such operation", http.StatusNotFound)
		return
	}
	rec := received{op: op.ID, method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body, at: f.clk.Now()}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer tok-secret-") {
		problem(w, http.StatusUnauthorized, "invalid_token", "missing or unknown bearer token")
		return
	}
	if op.Signed() {
		if ct := r.Header.Get("Content-Type"); ct != "application/jwt" {
			problem(w, http.StatusBadRequest, "", "Invalid payload for security policy: SIGNED_JWT (content type "+ct+")")
			return
		}
		payload, err := jws.Verify(body, jws.WithKey(jwa.RS256(), f.pub))
		if err != nil {
			problem(w, http.StatusBadRequest, "", "Invalid payload for security policy: SIGNED_JWT")
			return
		}
		rec.payload = payload
		dec := json.NewDecoder(bytes.NewReader(payload))
		dec.UseNumber()
		if err := dec.Decode(&rec.claims); err != nil {
			problem(w, http.StatusBadRequest, "", "claims are not a JSON object")
			return
		}
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, rec)
	h := f.handlers[op.ID]
	f.mu.Unlock()
	if h != nil {
		h(w, r, rec)
		return
	}
	f.defaultAnswer(w, op, rec)
}

// defaultAnswer answers with the operation's declared success status; an
// instruction body is echoed as an accepted instruction.
func (f *fakeIBKR) defaultAnswer(w http.ResponseWriter, op optable.Operation, rec received) {
	status := successStatus(op.ID)
	if id := rec.instructionID(); id != "" {
		writeJSON(w, status, instructionAnswer(id, "PENDING", 555))
		return
	}
	writeJSON(w, status, map[string]any{"ok": true})
}

func instructionAnswer(clientInstructionID, status string, instructionID int) map[string]any {
	return map[string]any{
		"status":           202,
		"instructionSetId": json.Number("9001"),
		"instructionResult": map[string]any{
			"clientInstructionId": json.Number(clientInstructionID),
			"instructionType":     "DEPOSIT",
			"instructionStatus":   status,
			"instructionId":       instructionID,
		},
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func problem(w http.ResponseWriter, status int, typ, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": typ, "title": http.StatusText(status), "status": status, "detail": detail})
}

// dropConnection closes the connection without an answer: the request
// was received, the answer is lost.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.Close()
}

func (f *fakeIBKR) serveToken(w http.ResponseWriter, r *http.Request, body []byte) {
	f.tokenCount.Add(1)
	form, err := parseForm(body)
	if err != nil {
		problem(w, http.StatusBadRequest, "invalid_request", "form")
		return
	}
	a := first(form["client_assertion"])
	noteSecret(a)
	var claims map[string]any
	var hdr jws.Headers
	if payload, err := jws.Verify([]byte(a), jws.WithKey(jwa.RS256(), f.pub)); err == nil {
		_ = json.Unmarshal(payload, &claims)
		if msg, err := jws.Parse([]byte(a)); err == nil && len(msg.Signatures()) == 1 {
			hdr = msg.Signatures()[0].ProtectedHeaders()
		}
	}
	f.mu.Lock()
	f.forms = append(f.forms, form)
	f.assertions = append(f.assertions, claims)
	f.assertHdrs = append(f.assertHdrs, hdr)
	fn := f.tokenFn
	f.mu.Unlock()
	if fn != nil && fn(w, r) {
		return
	}
	if claims == nil || first(form["grant_type"]) != "client_credentials" ||
		first(form["client_assertion_type"]) != clientAssertionType {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"invalid_client","error_description":"assertion refused"}`)
		return
	}
	n := f.issued.Add(1)
	tok := "tok-secret-" + strconv.FormatInt(n, 10) + "-abcdefgh"
	noteSecret(tok)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": f.tokenLife.Load(), "scope": first(form["scope"])})
}

func parseForm(body []byte) (map[string][]string, error) {
	req, err := http.NewRequest(http.MethodPost, "http://x/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := req.ParseForm(); err != nil {
		return nil, err
	}
	return req.PostForm, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// newClient builds a client against the fake with the suite's logger and
// the fake's clock.
func (f *fakeIBKR) newClient(opts ...Option) *Client {
	f.t.Helper()
	base := []Option{
		WithBaseURL(f.srv.URL),
		WithCredentials("client-7", "kid-7", testKey()),
		WithClock(f.clk),
		WithLogger(suiteLogger),
		WithHTTPClient(f.srv.Client()),
	}
	c, err := New(append(base, opts...)...)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	return c
}

// rawDo sends req through the client's doer, as Raw() does.
func rawDo(c *Client, req *http.Request) (*http.Response, error) {
	return c.raw.ClientInterface.(*gen.Client).Client.Do(req)
}

// jsonReader is a body for Raw() calls.
func jsonReader(s string) io.Reader { return strings.NewReader(s) }

var bg = context.Background()

// spinUntil yields until cond holds (no sleeping); it fails the test if
// that takes more than 20 s of real time.
func spinUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}
