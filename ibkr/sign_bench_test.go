package ibkr

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"
)

// benchBody is a typical deposit instruction.
const benchBody = `{"instructionType":"DEPOSIT","instruction":{"clientInstructionId":1742705200000001,"accountId":"U1234567","currency":"USD","amount":500.00,"bankInstructionMethod":"ACH","bankInstructionName":"checking","sendingInstitution":"My Bank","identifier":"ach-1"}}`

// BenchmarkSignBody measures the client's signing of a request body
// (claims splice + JWS with jwx). Compare with BenchmarkSignBaseline: the
// goal is at most 1.1x.
func BenchmarkSignBody(b *testing.B) {
	s, err := newJWSSigner("client-7", "kid-7", testKey())
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(benchBody)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.signBody(body, harnessStart); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignBaseline is the floor: encode the claims as JSON and make
// one RSA PKCS#1 v1.5 signature over header.payload, by hand.
func BenchmarkSignBaseline(b *testing.B) {
	key := testKey()
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"kid-7","typ":"JWT"}`))
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(benchBody), &m); err != nil {
			b.Fatal(err)
		}
		m["iss"], m["iat"], m["exp"] = json.RawMessage(`"client-7"`), json.RawMessage(`1741705200`), json.RawMessage(`1741705260`)
		payload, err := json.Marshal(m)
		if err != nil {
			b.Fatal(err)
		}
		signing := hdr + "." + base64.RawURLEncoding.EncodeToString(payload)
		sum := sha256.Sum256([]byte(signing))
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		if err != nil {
			b.Fatal(err)
		}
		_ = signing + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
}
