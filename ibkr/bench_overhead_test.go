package ibkr

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/ibkrtest"
	"github.com/ibkrweb/ibkr-go/internal/clock"
	"github.com/ibkrweb/ibkr-go/wire"
)

// Overhead of the facade against hand-written net/http + encoding/json
// calls of the same operations, to the same local server, in the same run
// (BENCHMARKS.md states the goals: HTTPS GET at most 1.3x, signed POST at
// most 1.1x). The server does the same small amount of work for both
// sides, so the difference is the client's.

const (
	benchToken        = "tok-bench-0123456789abcdef"
	benchPollAnswer   = `{"status":200,"instructionSetId":9001,"instructionResult":{"clientInstructionId":1741705200000001,"instructionType":"DEPOSIT","instructionStatus":"PROCESSED","instructionId":555,"description":"settled"}}` + "\n"
	benchDepositReply = `{"status":202,"instructionSetId":9002,"instructionResult":{"clientInstructionId":1741705200000002,"instructionType":"DEPOSIT","instructionStatus":"PENDING","instructionId":556}}` + "\n"
)

// benchServer answers the token endpoint, GET client-instructions/{id}
// and POST external-cash-transfers with fixed bodies after reading the
// request. It counts token requests.
type benchServer struct {
	srv    *httptest.Server
	tokens atomic.Int64
}

func newBenchServer(tb testing.TB) *benchServer {
	s := &benchServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.srv.Close)
	return s
}

func (s *benchServer) serve(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	switch {
	case r.URL.Path == tokenPath:
		s.tokens.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"`+benchToken+`","token_type":"Bearer","expires_in":86399}`)
	case r.Header.Get("Authorization") != "Bearer "+benchToken:
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"title":"Unauthorized","status":401}`)
	case r.Method == http.MethodGet && len(r.URL.Path) > len("/gw/api/v1/client-instructions/"):
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, benchPollAnswer)
	case r.Method == http.MethodPost && r.URL.Path == "/gw/api/v1/external-cash-transfers":
		if r.Header.Get("Content-Type") != "application/jwt" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, benchDepositReply)
	default:
		http.NotFound(w, r)
	}
}

// benchClient is a facade client against s with its production defaults
// except two: a fake clock frozen on a weekday morning (outside every
// maintenance window, the token never expires during the run) and no
// client-side rate limit (the raw side has none; the limiter's own cost
// at 10/s is what BenchmarkPoll1000RateLimited shows).
func benchClient(tb testing.TB, s *benchServer) *Client {
	tb.Helper()
	c, err := New(
		WithBaseURL(s.srv.URL),
		WithCredentials("client-7", "kid-7", benchKey()),
		WithClock(clock.NewFake(harnessStart)),
		WithRateLimit(math.Inf(1), 1),
		WithHTTPClient(s.srv.Client()),
	)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

var benchPollID = wire.MustID("1741705200000001")

// benchKey is the RSA-3072 key both sides sign with: the sandbox's
// published demo key, parsed, not generated, so that no key generation
// runs in a benchmark process just before the first measurement.
func benchKey() *rsa.PrivateKey {
	k, err := ibkrtest.DemoPrivateKey()
	if err != nil {
		panic(err)
	}
	return k
}

// benchFacadePoll is one status poll through the facade: the generated
// client's typed answer, decoded to the instruction result.
func benchFacadePoll(ctx context.Context, c *Client) (gen.InstructionResponse, error) {
	r, err := c.Raw().GetClientInstructionsWithResponse(ctx, benchPollID)
	if err != nil {
		return gen.InstructionResponse{}, err
	}
	if r.JSON200 == nil {
		return gen.InstructionResponse{}, fmt.Errorf("no typed 200 answer (status %d)", r.StatusCode())
	}
	return r.JSON200.AsInstructionResponse()
}

// benchRawPoll is the same poll written by hand: net/http and encoding/json
// into the same type, bearer token already at hand.
func benchRawPoll(ctx context.Context, hc *http.Client, base string) (gen.InstructionResponse, error) {
	var v gen.InstructionResponse
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/gw/api/v1/client-instructions/"+benchPollID.String(), nil)
	if err != nil {
		return v, err
	}
	req.Header.Set("Authorization", "Bearer "+benchToken)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return v, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return v, err
	}
	if resp.StatusCode != http.StatusOK {
		return v, fmt.Errorf("status %d", resp.StatusCode)
	}
	err = json.Unmarshal(body, &v)
	return v, err
}

func benchCheckPolled(b *testing.B, v gen.InstructionResponse, err error) {
	if err != nil {
		b.Fatal(err)
	}
	if v.InstructionResult == nil || v.InstructionResult.InstructionStatus != "PROCESSED" {
		b.Fatalf("unexpected answer %+v", v)
	}
}

// BenchmarkGetFacade: one HTTPS-policy GET (getClientInstructions)
// through Client.Raw(), token cached. Compare with BenchmarkGetRaw.
func BenchmarkGetFacade(b *testing.B) {
	s := newBenchServer(b)
	c := benchClient(b, s)
	ctx := context.Background()
	v, err := benchFacadePoll(ctx, c) // fetch and cache the token
	benchCheckPolled(b, v, err)
	b.ReportAllocs()
	for b.Loop() {
		v, err := benchFacadePoll(ctx, c)
		benchCheckPolled(b, v, err)
	}
	if n := s.tokens.Load(); n != 1 {
		b.Fatalf("%d token requests, want 1", n)
	}
}

// BenchmarkGetFacadeStatus: the same poll through the facade's own call,
// InstructionStatus, which decodes the answer into an *Instruction.
func BenchmarkGetFacadeStatus(b *testing.B) {
	s := newBenchServer(b)
	c := benchClient(b, s)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		in, err := c.InstructionStatus(ctx, benchPollID)
		if err != nil || in.Status != InstructionProcessed || in.InstructionID.String() != "555" {
			b.Fatalf("InstructionStatus = %v, %v", in, err)
		}
	}
	if n := s.tokens.Load(); n != 1 {
		b.Fatalf("%d token requests, want 1", n)
	}
}

// BenchmarkGetRaw: the same GET with plain net/http + encoding/json.
func BenchmarkGetRaw(b *testing.B) {
	s := newBenchServer(b)
	hc := s.srv.Client()
	ctx := context.Background()
	v, err := benchRawPoll(ctx, hc, s.srv.URL)
	benchCheckPolled(b, v, err)
	b.ReportAllocs()
	for b.Loop() {
		v, err := benchRawPoll(ctx, hc, s.srv.URL)
		benchCheckPolled(b, v, err)
	}
}

// benchDepositClaims is the deposit body a hand-written client would define,
// with the claims the SIGNED_JWT policy adds.
type benchDepositClaims struct {
	InstructionType string `json:"instructionType"`
	Instruction     struct {
		ClientInstructionID   uint64       `json:"clientInstructionId"`
		AccountID             string       `json:"accountId"`
		Currency              string       `json:"currency"`
		Amount                wire.Decimal `json:"amount"`
		BankInstructionMethod string       `json:"bankInstructionMethod"`
		BankInstructionName   string       `json:"bankInstructionName"`
		SendingInstitution    string       `json:"sendingInstitution"`
		Identifier            string       `json:"identifier"`
	} `json:"instruction"`
	Iss string `json:"iss"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
	Jti string `json:"jti"`
}

// benchDepositBody is the same deposit as the JSON body a facade caller
// passes, with the clientInstructionId the client allocated.
func benchDepositBody(id ID) []byte {
	b := make([]byte, 0, 320)
	b = append(b, `{"instructionType":"DEPOSIT","instruction":{"clientInstructionId":`...)
	b = append(b, id.String()...)
	b = append(b, `,"accountId":"U1234567","currency":"USD","amount":500.00,"bankInstructionMethod":"ACH","bankInstructionName":"checking","sendingInstitution":"My Bank","identifier":"ach-1"}}`...)
	return b
}

func benchCheckDeposit(b *testing.B, v *gen.InstructionResponse, err error) {
	if err != nil {
		b.Fatal(err)
	}
	if v == nil || v.InstructionResult == nil || v.InstructionResult.InstructionStatus != "PENDING" {
		b.Fatalf("unexpected answer %+v", v)
	}
}

// benchFacadeDeposit is one signed POST (createExternalCashTransfers) through
// the facade: allocate the id, send the JSON body; the client signs it.
func benchFacadeDeposit(ctx context.Context, c *Client) (*gen.InstructionResponse, error) {
	id, err := c.NewInstructionID(ctx)
	if err != nil {
		return nil, err
	}
	r, err := c.Raw().CreateExternalCashTransfersWithBodyWithResponse(ctx, contentTypeJSON, bytes.NewReader(benchDepositBody(id)))
	if err != nil {
		return nil, err
	}
	return r.JSON202, nil
}

// benchRawSigner is what a careful hand-written client keeps: the key, parsed
// once, and the encoded JWS header, built once.
type benchRawSigner struct {
	key *rsa.PrivateKey
	hdr string
	seq uint64
}

// rawDeposit is the same POST by hand: encode the claims, one
// rsa.SignPKCS1v15 over header.payload, POST application/jwt, decode.
func (s *benchRawSigner) rawDeposit(ctx context.Context, hc *http.Client, base string) (*gen.InstructionResponse, error) {
	s.seq++
	var c benchDepositClaims
	c.InstructionType = "DEPOSIT"
	c.Instruction.ClientInstructionID = 1741705200000000 + s.seq
	c.Instruction.AccountID, c.Instruction.Currency = "U1234567", "USD"
	c.Instruction.Amount = wire.MustDecimal("500.00")
	c.Instruction.BankInstructionMethod, c.Instruction.BankInstructionName = "ACH", "checking"
	c.Instruction.SendingInstitution, c.Instruction.Identifier = "My Bank", "ach-1"
	c.Iss, c.Iat = "client-7", harnessStart.Unix()
	c.Exp = c.Iat + 60
	var jti [16]byte
	_, _ = rand.Read(jti[:])
	c.Jti = hex.EncodeToString(jti[:])
	payload, err := json.Marshal(&c)
	if err != nil {
		return nil, err
	}
	signing := make([]byte, 0, 1024)
	signing = append(signing, s.hdr...)
	signing = append(signing, '.')
	signing = base64.RawURLEncoding.AppendEncode(signing, payload)
	sum := sha256.Sum256(signing)
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, sum[:])
	if err != nil {
		return nil, err
	}
	signing = append(signing, '.')
	signing = base64.RawURLEncoding.AppendEncode(signing, sig)

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/gw/api/v1/external-cash-transfers", bytes.NewReader(signing))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+benchToken)
	req.Header.Set("Content-Type", "application/jwt")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusAccepted {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	var v gen.InstructionResponse
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

func newBenchRawSigner() *benchRawSigner {
	return &benchRawSigner{key: benchKey(), hdr: base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"kid-7","typ":"JWT"}`))}
}

// BenchmarkSignedPostFacade: one SIGNED_JWT POST (a deposit,
// createExternalCashTransfers) through Client.Raw() with the 3072-bit key.
// Compare with BenchmarkSignedPostRaw.
func BenchmarkSignedPostFacade(b *testing.B) {
	s := newBenchServer(b)
	c := benchClient(b, s)
	ctx := context.Background()
	v, err := benchFacadeDeposit(ctx, c)
	benchCheckDeposit(b, v, err)
	b.ReportAllocs()
	for b.Loop() {
		v, err := benchFacadeDeposit(ctx, c)
		benchCheckDeposit(b, v, err)
	}
}

// BenchmarkSignedPostRaw: the same POST by hand with the same key.
func BenchmarkSignedPostRaw(b *testing.B) {
	s := newBenchServer(b)
	hc := s.srv.Client()
	ctx := context.Background()
	rs := newBenchRawSigner()
	v, err := rs.rawDeposit(ctx, hc, s.srv.URL)
	benchCheckDeposit(b, v, err)
	b.ReportAllocs()
	for b.Loop() {
		v, err := rs.rawDeposit(ctx, hc, s.srv.URL)
		benchCheckDeposit(b, v, err)
	}
}

// TestBenchmarkSidesAgree makes sure both sides of each comparison do the
// same exchange: same requests on the wire (method, path, content type,
// bearer), a signed body with the same claims, the same decoded answer.
func TestBenchmarkSidesAgree(t *testing.T) {
	type seen struct {
		method, path, ctype, auth string
		body                      []byte
	}
	var got []seen
	if n := benchKey().N.BitLen(); n != 3072 {
		t.Fatalf("benchmark key has %d bits, want 3072", n)
	}
	s := &benchServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path != tokenPath {
			got = append(got, seen{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), body})
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.serve(w, r)
	}))
	defer s.srv.Close()
	c := benchClient(t, s)
	ctx := context.Background()
	fv, ferr := benchFacadePoll(ctx, c)
	rv, rerr := benchRawPoll(ctx, s.srv.Client(), s.srv.URL)
	if ferr != nil || rerr != nil {
		t.Fatal(ferr, rerr)
	}
	fj, _ := json.Marshal(fv)
	rj, _ := json.Marshal(rv)
	if !bytes.Equal(fj, rj) {
		t.Fatalf("poll answers differ:\n%s\n%s", fj, rj)
	}
	fd, ferr := benchFacadeDeposit(ctx, c)
	rd, rerr := newBenchRawSigner().rawDeposit(ctx, s.srv.Client(), s.srv.URL)
	if ferr != nil || rerr != nil {
		t.Fatal(ferr, rerr)
	}
	if fd.InstructionResult.InstructionId != rd.InstructionResult.InstructionId {
		t.Fatalf("deposit answers differ: %+v %+v", fd, rd)
	}
	if len(got) != 4 {
		t.Fatalf("%d requests, want 4", len(got))
	}
	for i := 0; i < 4; i += 2 {
		f, r := got[i], got[i+1]
		if f.method != r.method || f.path != r.path || f.ctype != r.ctype || f.auth != r.auth {
			t.Fatalf("requests differ: %s %s %q vs %s %s %q", f.method, f.path, f.ctype, r.method, r.path, r.ctype)
		}
	}
	// Both signed bodies verify with the public key and carry the same
	// claims apart from the clientInstructionId.
	claims := func(jws []byte) map[string]any {
		parts := bytes.Split(jws, []byte("."))
		if len(parts) != 3 {
			t.Fatalf("not a compact JWS: %q", clip(string(jws), 40))
		}
		sum := sha256.Sum256(jws[:len(parts[0])+1+len(parts[1])])
		sig, err := base64.RawURLEncoding.DecodeString(string(parts[2]))
		if err != nil || rsa.VerifyPKCS1v15(&benchKey().PublicKey, crypto.SHA256, sum[:], sig) != nil {
			t.Fatal("signature does not verify")
		}
		payload, _ := base64.RawURLEncoding.DecodeString(string(parts[1]))
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(payload))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		delete(m["instruction"].(map[string]any), "clientInstructionId")
		if jti, _ := m["jti"].(string); len(jti) != 32 {
			t.Fatalf("jti %q, want 32 hex digits", m["jti"])
		}
		delete(m, "jti") // random on both sides
		return m
	}
	fc, rc := claims(got[2].body), claims(got[3].body)
	fj, _ = json.Marshal(fc)
	rj, _ = json.Marshal(rc)
	if !bytes.Equal(fj, rj) {
		t.Fatalf("signed claims differ:\nfacade %s\nraw    %s", fj, rj)
	}
	if n := s.tokens.Load(); n != 1 {
		t.Fatalf("%d token requests, want 1", n)
	}
}
