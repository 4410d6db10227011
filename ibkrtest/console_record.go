package ibkrtest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"mime"
	"strconv"
	"strings"
	"time"
)

// SignatureValid is Request.Signature for a signed body that passed every
// check.
const SignatureValid = "valid"

// maxLoggedBody bounds each body the request log shows.
const maxLoggedBody = 4 << 10

// maxKeptAnswer bounds the answers the request log keeps; longer ones
// are shown by their size.
const maxKeptAnswer = 16 << 10

// finishRecord completes a request's record once it has been answered:
// its latency and a copy of a small answer. The answer is masked only
// when someone looks (loggedAnswer), to keep the API's path cheap; until
// then it is as private as the claims the record holds. Token answers are
// masked at once.
func (s *Sandbox) finishRecord(rec *Request, bw *bufferWriter, start time.Time) {
	rec.Latency = time.Since(start)
	rec.respType = bw.h.Get("Content-Type")
	rec.respSize = bw.buf.Len()
	switch {
	case rec.respSize > maxKeptAnswer:
	case rec.OperationID == tokenOperationID:
		// Access tokens never sit in the record, even unexported:
		// masked now (masking again when shown changes nothing).
		rec.respBody = []byte(loggedBody(rec.respType, bw.buf.Bytes()))
	default:
		rec.respBody = bytes.Clone(bw.buf.Bytes())
	}
}

// loggedAnswer is what the request log shows of a recorded answer.
func loggedAnswer(r *Request) string {
	if r.respBody == nil && r.respSize > 0 {
		return "(" + strconv.Itoa(r.respSize) + " bytes, not kept)"
	}
	return loggedBody(r.respType, r.respBody)
}

// loggedBody is what the request log shows of a body: JSON with secrets
// masked, other text as is, binary content as a size.
func loggedBody(contentType string, b []byte) string {
	if len(b) == 0 {
		return ""
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		var v any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return "(" + strconv.Itoa(len(b)) + " bytes of malformed JSON, not shown: it may hold a secret)"
		}
		return cut(indentJSON(maskSecrets(v)))
	case strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "xml"):
		return cut(string(b))
	}
	return "(" + strconv.Itoa(len(b)) + " bytes of " + cmp.Or(mt, "unknown content") + ")"
}

func cut(s string) string {
	if len(s) <= maxLoggedBody {
		return s
	}
	return s[:maxLoggedBody] + "\n… (cut at " + strconv.Itoa(maxLoggedBody) + " bytes)"
}

func indentJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimRight(buf.String(), "\n")
}

// secretKeys are JSON keys (lower case) whose values are secrets: bank
// account numbers, tax ids, passwords, tokens.
var secretKeys = map[string]bool{
	"tin": true, "ustin": true, "foreigntin": true, "ssn": true, "number": true,
	"client_assertion": true, "assertion": true,
	// accounts at other brokers, in position transfers
	"contrabrokeraccountid": true, "accountatbroker": true, "brokeraccountid": true, "accountidatcurrentbroker": true,
}

// secretParts are key fragments (lower case) that mark a secret.
var secretParts = []string{"accountnumber", "password", "token", "secret", "taxid", "iban", "pannumber", "licensenumber", "keyname", "cardnumber"}

func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	if secretKeys[k] {
		return true
	}
	for _, p := range secretParts {
		if strings.Contains(k, p) {
			return true
		}
	}
	return false
}

// maskSecrets returns a copy of a decoded JSON value with the value of
// every secret key replaced by a mask that keeps the last four
// characters of a long enough value (as a bank statement shows them).
func maskSecrets(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if isSecretKey(k) {
				out[k] = maskValue(val)
				continue
			}
			out[k] = maskSecrets(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = maskSecrets(val)
		}
		return out
	}
	return v
}

func maskValue(v any) any {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s = x
	case json.Number:
		s = x.String()
	default:
		return "****"
	}
	return maskLast4(s)
}

// maskLast4 shows the last four characters of values of eight or more,
// nothing of shorter ones.
func maskLast4(s string) string {
	if len(s) < 8 {
		return "****"
	}
	return "****" + s[len(s)-4:]
}
