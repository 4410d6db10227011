package ibkrtest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"testing"
)

// FuzzVerifySignedBody feeds arbitrary request bodies to the sandbox's
// SIGNED_JWT check. Whatever it accepts must be a compact RS256 JWS whose
// signature an independent check (crypto/rsa over header.payload) finds
// valid for the demo client's registered key, with iss = the client id;
// the body handed on must be the claims without the registered ones.
// Nothing may panic.
func FuzzVerifySignedBody(f *testing.F) {
	s, err := newSandbox(defaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	key, err := DemoPrivateKey()
	if err != nil {
		f.Fatal(err)
	}
	now := s.clk.Now()
	iat := strconv.FormatInt(now.Unix(), 10)
	exp := strconv.FormatInt(now.Unix()+60, 10)
	b64 := base64.RawURLEncoding.EncodeToString
	signed := func(hdr, claims string) string {
		in := b64([]byte(hdr)) + "." + b64([]byte(claims))
		sum := sha256.Sum256([]byte(in))
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		if err != nil {
			f.Fatal(err)
		}
		return in + "." + b64(sig)
	}
	hdr := `{"alg":"RS256","kid":"` + DemoKeyID + `","typ":"JWT"}`
	claims := `{"instructionType":"DEPOSIT","instruction":{"amount":100.10,"clientInstructionId":12345678901234567890},"iss":"` + DemoClientID + `","iat":` + iat + `,"exp":` + exp + `}`
	valid := signed(hdr, claims)
	other := signed(hdr, `{"iss":"someone-else","iat":`+iat+`,"exp":`+exp+`}`)
	dot1 := bytes.IndexByte([]byte(valid), '.')
	dot2 := dot1 + 1 + bytes.IndexByte([]byte(valid[dot1+1:]), '.')
	for _, seed := range []string{
		valid,
		other,
		signed(`{"alg":"none","kid":"`+DemoKeyID+`"}`, claims),
		signed(`{"alg":"RS256"}`, claims),
		signed(`{"alg":"RS256","kid":"nope"}`, claims),
		signed(`{"alg":"none","alg":"RS256","kid":"`+DemoKeyID+`"}`, claims),
		signed(hdr, `[1,2]`),
		signed(hdr, `{"iss":"`+DemoClientID+`","iat":1,"exp":2}`),
		valid[:dot2] + "." + b64([]byte("forged")),
		valid[:dot1] + "." + b64([]byte(`{"iss":"`+DemoClientID+`","iat":`+iat+`,"exp":`+exp+`}`)) + valid[dot2:],
		valid + "=",
		valid[:dot2] + "=" + valid[dot2:],
		" " + valid + "\n",
		"a.b.c", "..", "", "{}", claims,
	} {
		f.Add([]byte(seed))
	}
	pub := &key.PublicKey
	f.Fuzz(func(t *testing.T, body []byte) {
		out, all, reason := s.verifySignedBody(DemoClientID, body, now)
		if reason != "" {
			if out != nil {
				t.Fatalf("refused (%s) but handed on a body", reason)
			}
			return
		}
		parts := bytes.Split(bytes.TrimSpace(body), []byte("."))
		if len(parts) != 3 {
			t.Fatalf("accepted a body of %d segments: %q", len(parts), body)
		}
		var h struct {
			Alg string `json:"alg"`
		}
		hb, err := decodeSegment(parts[0])
		if err != nil || json.Unmarshal(hb, &h) != nil || h.Alg != "RS256" {
			t.Fatalf("accepted a JWS whose header is not RS256: %q", hb)
		}
		sig, err := decodeSegment(parts[2])
		if err != nil {
			t.Fatalf("accepted an undecodable signature: %v", err)
		}
		payload, err := decodeSegment(parts[1])
		if err != nil {
			t.Fatalf("accepted an undecodable payload: %v", err)
		}
		// The verifier decodes the segments, so the signature must be the
		// demo key's over their canonical encoding: what the sandbox acts
		// on is what the key holder signed. (jwx tolerates padded
		// segments; that changes the bytes, not the signed content.)
		canonical := b64(hb) + "." + b64(payload)
		sum := sha256.Sum256([]byte(canonical))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
			t.Fatalf("accepted content the demo key did not sign: %q", body)
		}
		var signedClaims map[string]any
		if err := json.Unmarshal(payload, &signedClaims); err != nil || signedClaims["iss"] != all["iss"] {
			t.Fatalf("accepted claims %v differ from the signed payload %q", all, payload)
		}
		if iss, _ := all["iss"].(string); iss != DemoClientID {
			t.Fatalf("accepted iss %v", all["iss"])
		}
		var rest map[string]json.RawMessage
		if err := json.Unmarshal(out, &rest); err != nil {
			t.Fatalf("handed on a body that is not an object: %q", out)
		}
		for _, k := range registeredClaims {
			if _, ok := rest[k]; ok {
				t.Fatalf("handed on the registered claim %q", k)
			}
		}
	})
}

// decodeSegment decodes base64url leniently (padding allowed), as a
// verifier might.
func decodeSegment(b []byte) ([]byte, error) {
	if out, err := base64.RawURLEncoding.DecodeString(string(b)); err == nil {
		return out, nil
	}
	return base64.URLEncoding.DecodeString(string(b))
}
