package ibkr

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
)

const (
	// signedBodyTTL is how long a signed request body stays valid (exp -
	// iat); IBKR's own example uses 60 s.
	signedBodyTTL = 60 * time.Second
	// assertionTTL is the lifetime of a client assertion.
	assertionTTL = 2 * time.Minute
)

// jwsSigner signs with the client's key: compact JWS, RS256, header
// {"alg":"RS256","kid":...,"typ":"JWT"}. The key is parsed once and the
// header built once; Sign is safe for concurrent use.
type jwsSigner struct {
	clientID string
	key      crypto.Signer
	hdr      jws.Headers
}

func newJWSSigner(clientID, keyID string, key crypto.Signer) (*jwsSigner, error) {
	h := jws.NewHeaders()
	if err := h.Set(jws.KeyIDKey, keyID); err != nil {
		return nil, fmt.Errorf("ibkr: jws header: %w", err)
	}
	if err := h.Set(jws.TypeKey, "JWT"); err != nil {
		return nil, fmt.Errorf("ibkr: jws header: %w", err)
	}
	return &jwsSigner{clientID: clientID, key: key, hdr: h}, nil
}

// sign returns the compact JWS of payload.
func (s *jwsSigner) sign(payload []byte) ([]byte, error) {
	out, err := jws.Sign(payload, jws.WithKey(jwa.RS256(), s.key, jws.WithProtectedHeaders(s.hdr)))
	if err != nil {
		// jwx errors name algorithms and key types, never key material.
		return nil, fmt.Errorf("ibkr: signing failed: %w", err)
	}
	return out, nil
}

// signBody turns a JSON request body into the signed body IBKR's
// SIGNED_JWT policy demands: the body's fields at the top level of the
// claim set, plus iss (the client id), iat and exp. Numbers keep their exact
// text (amounts and ids never pass through a float).
func (s *jwsSigner) signBody(body []byte, now time.Time) ([]byte, error) {
	claims, err := bodyClaims(body, s.clientID, now)
	if err != nil {
		return nil, err
	}
	return s.sign(claims)
}

var reservedClaims = []string{"iss", "iat", "exp", "jti"}

// bodyClaims adds iss, iat, exp and a fresh random jti to a JSON object,
// keeping the caller's bytes. Caller-supplied iss/iat/exp/jti are replaced.
// The jti makes every signed body unique, so a server that refuses a
// replayed body (as the strict sandbox does) never refuses two identical
// requests signed in the same second.
func bodyClaims(body []byte, iss string, now time.Time) ([]byte, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		b = []byte("{}")
	}
	var top map[string]json.RawMessage
	if b[0] != '{' || json.Unmarshal(b, &top) != nil {
		return nil, invalid("body", "a signed request body must be a JSON object")
	}
	issJSON, _ := json.Marshal(iss)
	iat := now.Unix()
	extra := make([]byte, 0, 104+len(issJSON))
	extra = append(extra, `"iss":`...)
	extra = append(extra, issJSON...)
	extra = append(extra, `,"iat":`...)
	extra = strconv.AppendInt(extra, iat, 10)
	extra = append(extra, `,"exp":`...)
	extra = strconv.AppendInt(extra, iat+int64(signedBodyTTL/time.Second), 10)
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return nil, fmt.Errorf("ibkr: random jti: %w", err)
	}
	extra = append(extra, `,"jti":"`...)
	extra = hex.AppendEncode(extra, jti[:])
	extra = append(extra, '"')

	reserved := false
	for _, k := range reservedClaims {
		if _, ok := top[k]; ok {
			reserved = true
			delete(top, k)
		}
	}
	if reserved {
		rest, err := marshalJSON(top)
		if err != nil {
			return nil, invalid("body", "cannot re-encode the JSON object")
		}
		b = rest
	}
	out := make([]byte, 0, len(b)+len(extra)+1)
	out = append(out, b[:len(b)-1]...) // without the closing brace
	if len(top) > 0 {
		out = append(out, ',')
	}
	out = append(out, extra...)
	out = append(out, '}')
	return out, nil
}

// assertion builds the private_key_jwt client assertion for the token
// request: iss = sub = client id, aud, iat, exp shortly after, a fresh jti.
func (s *jwsSigner) assertion(aud string, now time.Time) ([]byte, error) {
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return nil, fmt.Errorf("ibkr: random jti: %w", err)
	}
	claims := struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Aud string `json:"aud"`
		Iat int64  `json:"iat"`
		Exp int64  `json:"exp"`
		Jti string `json:"jti"`
	}{s.clientID, s.clientID, aud, now.Unix(), now.Add(assertionTTL).Unix(), hex.EncodeToString(jti[:])}
	payload, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	return s.sign(payload)
}
