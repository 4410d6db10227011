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

// maxLoggedBody bounds each answer body the request log keeps.
const maxLoggedBody = 4 << 10

// finishRecord completes a request's record once it has been answered:
// its latency, and its answer with the secrets masked, cut short.
func (s *Sandbox) finishRecord(rec *Request, bw *bufferWriter, start time.Time) {
	rec.Latency = time.Since(start)
	rec.respBody = loggedBody(bw.h.Get("Content-Type"), bw.buf.Bytes())
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
			return cut("(malformed JSON) " + string(b))
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
