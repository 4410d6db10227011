package ibkrtest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"

	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// TokenPath is the token endpoint's path.
const TokenPath = "/oauth2/api/v1/token"

// minKeyBits is the smallest RSA key IBKR accepts.
const minKeyBits = 3072

// RegisterClient adds (or replaces) a client. Keys must be RSA-3072 or
// larger, as IBKR requires.
func (s *Sandbox) RegisterClient(c Client) error {
	if c.ID == "" {
		return fmt.Errorf("ibkrtest: client id is empty")
	}
	keys := map[string]*rsa.PublicKey{}
	for kid, k := range c.Keys {
		if kid == "" || k == nil {
			return fmt.Errorf("ibkrtest: client %s: empty key id or nil key", c.ID)
		}
		if k.N.BitLen() < minKeyBits {
			return fmt.Errorf("ibkrtest: client %s: key %s has %d bits, IBKR requires at least %d", c.ID, kid, k.N.BitLen(), minKeyBits)
		}
		keys[kid] = k
	}
	scopes := c.Scopes
	if scopes == nil {
		scopes = AllScopes
	}
	s.mu.Lock()
	s.clients[c.ID] = &Client{ID: c.ID, Keys: keys, Scopes: append([]string(nil), scopes...)}
	s.mu.Unlock()
	return nil
}

// IssueToken mints an access token for a registered client without going
// through the token endpoint (for tests that are not about auth). With no
// scopes it grants all the client's scopes.
func (s *Sandbox) IssueToken(clientID string, scopes ...string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[clientID]
	if c == nil {
		return "", fmt.Errorf("ibkrtest: unknown client %q", clientID)
	}
	granted := grant(c.Scopes, scopes)
	if len(granted) == 0 {
		return "", fmt.Errorf("ibkrtest: none of the scopes is registered for %s", clientID)
	}
	return s.newTokenLocked(c.ID, granted, s.clk.Now()), nil
}

// ExpireTokens makes every issued access token expired.
func (s *Sandbox) ExpireTokens() {
	s.mu.Lock()
	now := s.clk.Now()
	for _, t := range s.st.Tokens {
		t.Expires = now
	}
	s.mu.Unlock()
}

func (s *Sandbox) newTokenLocked(client string, scopes []string, now time.Time) string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	s.st.Tokens[tok] = &token{Client: client, Scopes: scopes, Expires: now.Add(s.cfg.tokenLifetime)}
	return tok
}

// grant intersects the requested scopes with the registered ones; nothing
// requested means everything registered.
func grant(registered, requested []string) []string {
	if len(requested) == 0 {
		return append([]string(nil), registered...)
	}
	var out []string
	for _, r := range requested {
		if slices.Contains(registered, r) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// checkBearer authenticates a /gw call and checks the operation's scopes.
func (s *Sandbox) checkBearer(r *http.Request, op optable.Operation, now time.Time) (string, *problem) {
	h := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", &problem{Status: http.StatusUnauthorized, Title: "Unauthorized", Detail: "missing bearer access token"}
	}
	s.mu.Lock()
	t := s.st.Tokens[strings.TrimSpace(tok)]
	var cp token
	if t != nil {
		cp = *t
	}
	s.mu.Unlock()
	if t == nil {
		return "", &problem{Status: http.StatusUnauthorized, Title: "Unauthorized", Detail: "invalid access token"}
	}
	if !now.Before(cp.Expires) {
		return "", &problem{Status: http.StatusUnauthorized, Title: "Unauthorized", Detail: "access token expired"}
	}
	for _, sc := range op.Scopes {
		if slices.Contains(cp.Scopes, sc) {
			return cp.Client, nil
		}
	}
	return "", &problem{Status: http.StatusForbidden, Title: "Forbidden",
		Detail: "insufficient scope: needs one of " + strings.Join(op.Scopes, ", ")}
}

// registeredClaims are stripped from a signed body before it is validated
// as the request body and handed to the handler.
var registeredClaims = []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}

// verifySignedBody checks a SIGNED_JWT body: compact JWS, RS256, a key id
// registered for the token's client, a valid signature, iss = client id,
// iat and exp within the skew. It returns the claims without the
// registered claims (the JSON request body), all decoded claims for the
// record, or a reason for refusing.
func (s *Sandbox) verifySignedBody(client string, body []byte, now time.Time) ([]byte, map[string]any, string) {
	payload, _, reason := s.verifyJWS(client, body)
	if reason != "" {
		return nil, nil, reason
	}
	all, err := decodeObject(payload)
	if err != nil || all == nil {
		return nil, nil, "claims are not a JSON object"
	}
	if iss, _ := all["iss"].(string); iss != client {
		return nil, all, "iss must be the client id"
	}
	if reason := s.checkTimes(all, now, false); reason != "" {
		return nil, all, reason
	}
	if !s.cfg.lenientAuth {
		if _, ok := all["aud"]; ok {
			return nil, all, "a client assertion (aud) is not a signed request body"
		}
		if _, ok := all["sub"]; ok {
			return nil, all, "a client assertion (sub) is not a signed request body"
		}
		if reason := s.useOnce(client, all, body, now); reason != "" {
			return nil, all, reason
		}
	}
	body2 := make(map[string]json.RawMessage, len(all))
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil {
		return nil, all, "claims are not a JSON object"
	}
	for k, v := range raw {
		if !slices.Contains(registeredClaims, k) {
			body2[k] = v
		}
	}
	out, _ := json.Marshal(body2)
	return out, all, ""
}

// verifyJWS checks the signature of a compact JWS against the keys of
// client ("" means any registered client; the client found is returned).
func (s *Sandbox) verifyJWS(client string, compact []byte) ([]byte, string, string) {
	hdrB64, _, _, err := jwsbb.SplitCompact(compact)
	if err != nil {
		return nil, "", "body is not a compact JWS"
	}
	hb, err := base64.RawURLEncoding.DecodeString(string(hdrB64))
	if err != nil {
		return nil, "", "JWS header is not base64url"
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}
	if err := json.Unmarshal(hb, &hdr); err != nil {
		return nil, "", "JWS header is not JSON"
	}
	if hdr.Alg != "RS256" {
		return nil, "", "alg must be RS256"
	}
	if hdr.Kid == "" {
		return nil, "", "kid is missing"
	}
	s.mu.Lock()
	var key *rsa.PublicKey
	owner := ""
	if client != "" {
		if c := s.clients[client]; c != nil {
			key, owner = c.Keys[hdr.Kid], c.ID
		}
	} else {
		for _, c := range s.clients {
			if k := c.Keys[hdr.Kid]; k != nil {
				key, owner = k, c.ID
				break
			}
		}
	}
	s.mu.Unlock()
	if key == nil {
		return nil, "", "kid " + hdr.Kid + " is not registered for this client"
	}
	payload, err := jws.Verify(compact, jws.WithKey(jwa.RS256(), key))
	if err != nil {
		return nil, "", "signature does not verify"
	}
	return payload, owner, ""
}

// useOnce records a signed body so that it is accepted only once: by its
// jti when it has one (shared with client assertions' jti, so an assertion
// cannot be replayed as a body either), else by its signature. The record
// is kept until the body expires.
func (s *Sandbox) useOnce(client string, claims map[string]any, compact []byte, now time.Time) string {
	key := ""
	if jti, _ := claims["jti"].(string); jti != "" {
		key = client + "/" + jti
	} else {
		sig := compact[bytes.LastIndexByte(compact, '.')+1:]
		sum := sha256.Sum256(sig)
		key = client + "/sig:" + hex.EncodeToString(sum[:])
	}
	exp, _ := numericDate(claims["exp"])
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forgetJTIsLocked(now)
	if _, seen := s.st.JTIs[key]; seen {
		return "this signed body (or its jti) has been used before"
	}
	s.st.JTIs[key] = exp.Add(s.cfg.skew)
	return ""
}

// forgetJTIsLocked drops replay records whose token has expired.
func (s *Sandbox) forgetJTIsLocked(now time.Time) {
	for k, until := range s.st.JTIs {
		if now.After(until) {
			delete(s.st.JTIs, k)
		}
	}
}

// checkTimes checks iat and exp and, unless the sandbox is lenient, bounds
// the lifetime (exp - iat) of client assertions and signed bodies.
func (s *Sandbox) checkTimes(c map[string]any, now time.Time, assertion bool) string {
	iat, okI := numericDate(c["iat"])
	exp, okE := numericDate(c["exp"])
	if !okE {
		return "exp is missing"
	}
	if !okI {
		return "iat is missing"
	}
	skew := s.cfg.skew
	if now.After(exp.Add(skew)) {
		return "token expired: exp is " + now.Sub(exp).Round(time.Second).String() + " behind the sandbox clock" + s.clockFix(now)
	}
	if iat.After(now.Add(skew)) {
		return "iat is in the future: " + iat.Sub(now).Round(time.Second).String() + " ahead of the sandbox clock" + s.clockFix(now)
	}
	if exp.Before(iat) {
		return "exp is before iat"
	}
	switch {
	case assertion && s.cfg.lenientAuth:
		if exp.Sub(iat) > time.Hour {
			return "assertion lifetime exceeds 1h0m0s"
		}
	case assertion:
		if exp.Sub(iat) > s.cfg.maxAssertionLife {
			return "assertion lifetime exceeds " + s.cfg.maxAssertionLife.String()
		}
	case !s.cfg.lenientAuth && exp.Sub(iat) > s.cfg.maxBodyLife:
		return "signed body lifetime (exp - iat) exceeds " + s.cfg.maxBodyLife.String()
	}
	if nbf, ok := numericDate(c["nbf"]); ok && nbf.After(now.Add(skew)) {
		return "not valid yet (nbf)"
	}
	return ""
}

// clockFix is the end of a refusal for iat/exp off the sandbox clock.
// On a fake clock the usual cause is a client signing on the wall clock,
// and the fix is to share the sandbox's clock.
func (s *Sandbox) clockFix(now time.Time) string {
	at := " (" + now.UTC().Format(time.RFC3339) + ")"
	if s.fake == nil {
		return at + "; check the client machine's clock"
	}
	return at + "; a client must sign on the sandbox's fake clock: ibkr.WithClock(srv.Clock()), " +
		"or sandbox.NewClient(t) from package ibkrtest/sandbox, which also lets the client's waits advance it"
}

func numericDate(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// hostAllowed reports whether the sandbox answers to a request's Host:
// localhost, a literal loopback address, or a host named by WithHosts
// (anything when lenient).
func (s *Sandbox) hostAllowed(host string) bool {
	if s.cfg.lenientAuth {
		return true
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
	if strings.EqualFold(name, "localhost") {
		return true
	}
	if ip, err := netip.ParseAddr(name); err == nil && ip.Unmap().IsLoopback() {
		return true
	}
	for _, h := range s.cfg.hosts {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

// audiences lists what the client assertion's aud may be for a request
// that reached the sandbox on host.
func (s *Sandbox) audiences(host string) []string {
	if len(s.cfg.audiences) > 0 {
		return s.cfg.audiences
	}
	return []string{"/token", TokenPath, "http://" + host + TokenPath, "https://" + host + TokenPath}
}

// tokenError is a refused token request.
func tokenError(status int, title, detail string) error {
	return fail(problem{Status: status, Title: title, Detail: detail})
}

// issueToken implements the token endpoint.
func (s *Sandbox) issueToken(ri *reqInfo, grantType, assertionType, assertion, scope string) (string, []string, error) {
	now := s.clk.Now()
	if grantType != "client_credentials" {
		return "", nil, tokenError(http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials")
	}
	if assertionType != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		return "", nil, tokenError(http.StatusBadRequest, "invalid_request", "client_assertion_type must be jwt-bearer")
	}
	payload, owner, reason := s.verifyJWS("", []byte(assertion))
	if reason != "" {
		return "", nil, tokenError(http.StatusUnauthorized, "invalid_client", "client assertion refused: "+reason)
	}
	c, err := decodeObject(payload)
	if err != nil || c == nil {
		return "", nil, tokenError(http.StatusUnauthorized, "invalid_client", "client assertion claims are not a JSON object")
	}
	iss, _ := c["iss"].(string)
	sub, _ := c["sub"].(string)
	if iss != owner || sub != owner {
		return "", nil, tokenError(http.StatusUnauthorized, "invalid_client", "iss and sub must both be the client id the key is registered for")
	}
	if !audienceOK(c["aud"], s.audiences(ri.host)) {
		return "", nil, tokenError(http.StatusUnauthorized, "invalid_client", "aud is not this token endpoint")
	}
	if reason := s.checkTimes(c, now, true); reason != "" {
		return "", nil, tokenError(http.StatusUnauthorized, "invalid_client", "client assertion refused: "+reason)
	}
	jti, _ := c["jti"].(string)
	if jti == "" {
		return "", nil, tokenError(http.StatusUnauthorized, "invalid_client", "jti is missing")
	}
	exp, _ := numericDate(c["exp"])
	var requested []string
	if scope != "" {
		requested = strings.Fields(scope)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forgetJTIsLocked(now)
	key := owner + "/" + jti
	if _, seen := s.st.JTIs[key]; seen {
		return "", nil, tokenError(http.StatusUnauthorized, "invalid_client", "jti has been used before")
	}
	cl := s.clients[owner]
	granted := grant(cl.Scopes, requested)
	if len(granted) == 0 {
		return "", nil, tokenError(http.StatusBadRequest, "invalid_scope", "none of the requested scopes is registered for this client")
	}
	s.st.JTIs[key] = exp.Add(s.cfg.skew)
	return s.newTokenLocked(owner, granted, now), granted, nil
}

func audienceOK(v any, accepted []string) bool {
	switch a := v.(type) {
	case string:
		return slices.Contains(accepted, a)
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok && slices.Contains(accepted, s) {
				return true
			}
		}
	}
	return false
}
