package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// Key generation is slow (RSA-3072 takes seconds under -race), so the
// test binary makes one key per size and keygen hands out copies of it.
var (
	keyMu     sync.Mutex
	keyCache  = map[int]*rsa.PrivateKey{}
	keyAsked  []int
	realKeyGn = generateKey
)

func cachedKey(bits int) (*rsa.PrivateKey, error) {
	keyMu.Lock()
	defer keyMu.Unlock()
	keyAsked = append(keyAsked, bits)
	if k := keyCache[bits]; k != nil {
		return k, nil
	}
	k, err := realKeyGn(bits)
	if err != nil {
		return nil, err
	}
	keyCache[bits] = k
	return k, nil
}

func TestMain(m *testing.M) {
	generateKey = cachedKey
	os.Exit(m.Run())
}

// weakKeyPEM is a 2048-bit key in PKCS#8 PEM (made once).
var weakKeyPEM = sync.OnceValue(func() []byte {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
})

// result is one in-process run of the command.
type result struct {
	code   int
	stdout string
	stderr string
}

func (r result) String() string {
	return "exit " + itoa(r.code) + "\n--- stdout\n" + r.stdout + "--- stderr\n" + r.stderr
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// runIn runs the command in-process with env as its whole environment.
func runIn(ctx context.Context, env map[string]string, args ...string) result {
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }}
	code := a.main(ctx, args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func runT(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return runIn(ctx, env, args...)
}

// wantExit fails the test unless r exited with code and its combined
// output holds every fragment.
func wantExit(t *testing.T, r result, code int, fragments ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\n%s", r.code, code, r)
	}
	all := r.stdout + r.stderr
	for _, f := range fragments {
		if !strings.Contains(all, f) {
			t.Fatalf("output lacks %q\n%s", f, r)
		}
	}
}

// keyFiles runs keygen into a fresh directory and returns the paths and
// the kid.
type keyFiles struct {
	dir, priv, pub, jwks, kid string
}

func makeKeys(t *testing.T) keyFiles {
	t.Helper()
	dir := t.TempDir()
	r := runT(t, nil, "keygen", "--json", "--out", dir)
	wantExit(t, r, 0)
	var res keygenResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("keygen --json: %v\n%s", err, r)
	}
	return keyFiles{dir: dir, priv: res.PrivateKeyFile, pub: res.PublicKeyFile, jwks: res.JWKSFile, kid: res.KeyID}
}

// realSandbox serves an ibkrtest sandbox on the wall clock (as "ibkr
// sandbox" does) and returns it with its URL.
func realSandbox(t *testing.T, opts ...ibkrtest.Option) (*ibkrtest.Sandbox, string) {
	t.Helper()
	sb, err := ibkrtest.NewHandler(append([]ibkrtest.Option{ibkrtest.WithRealClock()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(func() { srv.Close(); sb.Close() })
	return sb, srv.URL
}

// demoEnv is the environment for the sandbox's demo client.
func demoEnv(t *testing.T, baseURL string) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.pem")
	if err := os.WriteFile(path, []byte(ibkrtest.DemoPrivateKeyPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		envBaseURL: baseURL, envClientID: ibkrtest.DemoClientID, envKeyID: ibkrtest.DemoKeyID, envKeyFile: path,
	}
}

// closedPort returns a loopback URL nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr
}

// sandboxProc is "ibkr sandbox" running in-process.
type sandboxProc struct {
	info   sandboxInfo
	cancel context.CancelFunc
	done   chan result
	mu     sync.Mutex
	rest   bytes.Buffer
}

// startSandbox runs "ibkr sandbox --json --addr 127.0.0.1:0 args..." and
// waits until it listens.
func startSandbox(t *testing.T, args ...string) *sandboxProc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	p := &sandboxProc{cancel: cancel, done: make(chan result, 1)}
	a := &app{stdin: strings.NewReader(""), stdout: pw, stderr: &lockedWriter{mu: &p.mu, w: &errb}, getenv: func(string) string { return "" }}
	go func() {
		code := a.main(ctx, append([]string{"sandbox", "--json", "--addr", "127.0.0.1:0"}, args...))
		_ = pw.Close()
		p.mu.Lock()
		p.done <- result{code: code, stderr: errb.String(), stdout: p.rest.String()}
		p.mu.Unlock()
	}()
	br := bufio.NewReader(pr)
	dec := json.NewDecoder(br)
	if err := dec.Decode(&p.info); err != nil {
		cancel()
		r := <-p.done
		t.Fatalf("sandbox did not start: %v\n%s", err, r)
	}
	go func() {
		b, _ := io.ReadAll(io.MultiReader(dec.Buffered(), br))
		p.mu.Lock()
		p.rest.Write(b)
		p.mu.Unlock()
	}()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop interrupts the sandbox (as Ctrl-C would) and returns its result.
func (p *sandboxProc) stop(t *testing.T) result {
	t.Helper()
	p.cancel()
	select {
	case r := <-p.done:
		p.done <- r
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("sandbox did not stop")
	}
	return result{}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// offsetClock is the wall clock off by d.
type offsetClock struct{ d time.Duration }

func (c offsetClock) Now() time.Time { return time.Now().Add(c.d) }

func (c offsetClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
