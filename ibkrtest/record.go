package ibkrtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/wire"
)

// Request is what the sandbox recorded about one API call, for tests to
// assert what a client sent. Secrets are kept out: the Authorization header
// is reduced to its last four characters and the client assertion is
// replaced by its decoded claims.
type Request struct {
	// Time is the sandbox time the request arrived.
	Time time.Time
	// OperationID is the spec's operationId, e.g. "createBankInstructions".
	OperationID string
	Method      string
	Path        string
	Query       url.Values
	// Header holds the request headers, Authorization redacted.
	Header http.Header
	// ClientID is the OAuth client the bearer token belongs to.
	ClientID string
	// Claims holds the verified claims of a signed body (the JSON request
	// body plus iss/iat/exp), numbers as json.Number so IDs stay exact. It
	// is the body as sent, bank account numbers included: test data for
	// assertions, never logged.
	Claims map[string]any
	// Form holds the token endpoint's form, client_assertion redacted.
	Form url.Values
	// AssertionClaims holds the decoded (unverified) client assertion
	// claims of a token request.
	AssertionClaims map[string]any
	// ClientInstructionID is instruction.clientInstructionId (or the first
	// of instructions[]) when the body had one.
	ClientInstructionID wire.ID
	// Status is the HTTP status the sandbox answered with (before any
	// injected malformation; a dropped connection still records it).
	Status int
	// Faults lists the faults injected into this call: "fail", "latency",
	// "drop", "malformed", "partial" (FailBulkAfter).
	Faults []string
	// Latency is the wall time the sandbox took to answer (injected
	// latency included).
	Latency time.Duration
	// Signature is the verdict on a signed body: "valid", or the check it
	// failed; empty when the call carries no signed body or was refused
	// before the signature was looked at.
	Signature string

	injected bool
	seq      uint64 // position in the log since start (console links)
	respBody string // the answer, secrets masked and cut short (console_record.go)
}

// DefaultRequestRecordLimit is how many requests the sandbox keeps for
// Requests unless WithRequestRecordLimit says otherwise. Older requests
// are forgotten (their counts stay, see RequestCount), so a simulated day
// of thousands of calls does not hold every request in memory.
const DefaultRequestRecordLimit = 4096

// Requests returns a copy of the recorded requests, oldest first: the last
// DefaultRequestRecordLimit (or WithRequestRecordLimit) of them.
func (s *Sandbox) Requests() []Request {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	out := make([]Request, 0, len(s.records))
	out = append(out, s.records[s.recHead:]...)
	return append(out, s.records[:s.recHead]...)
}

// RequestsFor returns the recorded calls of one operation.
func (s *Sandbox) RequestsFor(operationID string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.OperationID == operationID {
			out = append(out, r)
		}
	}
	return out
}

// RequestCount returns how many calls of operationID (every operation
// when empty) the sandbox answered with HTTP status (any status when 0)
// since it started or since ResetRequests, including calls no longer in
// the bounded record.
func (s *Sandbox) RequestCount(operationID string, status int) int {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	n := 0
	for k, c := range s.recCounts {
		if (operationID == "" || k.op == operationID) && (status == 0 || k.status == status) {
			n += c
		}
	}
	return n
}

// ResetRequests forgets the recorded calls and their counts.
func (s *Sandbox) ResetRequests() {
	s.recMu.Lock()
	s.records, s.recHead, s.recCounts = nil, 0, nil
	s.recMu.Unlock()
}

type recKey struct {
	op     string
	status int
}

func (s *Sandbox) addRecord(r *Request) {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	if s.recCounts == nil {
		s.recCounts = map[recKey]int{}
	}
	s.recCounts[recKey{r.OperationID, r.Status}]++
	s.recSeq++
	r.seq = s.recSeq
	limit := s.cfg.recordLimit
	if limit <= 0 {
		limit = DefaultRequestRecordLimit
	}
	if len(s.records) < limit {
		s.records = append(s.records, *r)
		return
	}
	// Full: overwrite the oldest (a ring; recHead is the oldest).
	s.records[s.recHead] = *r
	s.recHead = (s.recHead + 1) % len(s.records)
}

func redactHeader(h http.Header) http.Header {
	out := h.Clone()
	if v := out.Get("Authorization"); v != "" {
		out.Set("Authorization", redact(v))
	}
	for _, k := range []string{"Cookie", "Proxy-Authorization"} {
		if out.Get(k) != "" {
			out.Set(k, "****")
		}
	}
	return out
}

// redact keeps the scheme word and the last four characters.
func redact(v string) string {
	scheme := ""
	if i := strings.IndexByte(v, ' '); i >= 0 {
		scheme, v = v[:i+1], v[i+1:]
	}
	if len(v) <= 4 {
		return scheme + "****"
	}
	return scheme + "****" + v[len(v)-4:]
}

func redactForm(body []byte, rec *Request) url.Values {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil
	}
	if a := vals.Get("client_assertion"); a != "" {
		rec.AssertionClaims = unverifiedClaims(a)
		vals.Set("client_assertion", redact(a))
	}
	return vals
}

// unverifiedClaims decodes a compact JWS payload without checking it, for
// the record only.
func unverifiedClaims(compact string) map[string]any {
	parts := strings.Split(compact, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	m, _ := decodeObject(raw)
	return m
}

func decodeObject(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// findCID digs instruction.clientInstructionId (or instructions[0]'s) out
// of decoded claims.
func findCID(m map[string]any) wire.ID {
	pick := func(v any) wire.ID {
		obj, _ := v.(map[string]any)
		if n, ok := obj["clientInstructionId"].(json.Number); ok {
			if id, err := wire.ParseID(n.String()); err == nil {
				return id
			}
		}
		return wire.ID{}
	}
	if v, ok := m["instruction"]; ok {
		return pick(v)
	}
	if arr, ok := m["instructions"].([]any); ok && len(arr) > 0 {
		return pick(arr[0])
	}
	return wire.ID{}
}

func instructionTypeOf(m map[string]any) string {
	s, _ := m["instructionType"].(string)
	return s
}
