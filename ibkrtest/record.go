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
	// "drop", "malformed".
	Faults []string

	injected bool
}

// Requests returns a copy of everything recorded so far, oldest first.
func (s *Sandbox) Requests() []Request {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	return append([]Request(nil), s.records...)
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

// ResetRequests forgets the recorded calls.
func (s *Sandbox) ResetRequests() {
	s.recMu.Lock()
	s.records = nil
	s.recMu.Unlock()
}

func (s *Sandbox) addRecord(r *Request) {
	s.recMu.Lock()
	s.records = append(s.records, *r)
	s.recMu.Unlock()
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
