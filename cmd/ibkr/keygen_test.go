package main

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeygenWritesKeyPairAndJWKS(t *testing.T) {
	dir := t.TempDir()
	r := runT(t, nil, "keygen", "--out", dir, "--name", "qa")
	wantExit(t, r, 0, "Generated an RSA-3072 key pair", "qa-jwks.json", "IBKR_KEY_ID=")

	priv := filepath.Join(dir, "qa-private.pem")
	st, err := os.Stat(priv)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %04o, want 0600", st.Mode().Perm())
	}
	pemBytes, _ := os.ReadFile(priv)
	if strings.Contains(r.stdout+r.stderr, strings.Split(string(pemBytes), "\n")[1]) {
		t.Fatal("keygen printed private key material")
	}
	key, format, err := parseRSAPrivateKey(pemBytes)
	if err != nil || format != "PKCS#8" || key.N.BitLen() != 3072 {
		t.Fatalf("private key: %v %s", err, format)
	}

	pubPEM, _ := os.ReadFile(filepath.Join(dir, "qa-public.pem"))
	blk, _ := pem.Decode(pubPEM)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		t.Fatalf("public key PEM %q", pubPEM)
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil || !key.PublicKey.Equal(pub) {
		t.Fatalf("public key does not match the private key: %v", err)
	}

	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "qa-jwks.json"))
	if err := json.Unmarshal(raw, &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("JWKS: %v %s", err, raw)
	}
	jk := set.Keys[0]
	if jk["kty"] != "RSA" || jk["alg"] != "RS256" || jk["use"] != "sig" || jk["d"] != "" {
		t.Fatalf("JWK %v", jk)
	}
	n, _ := base64.RawURLEncoding.DecodeString(jk["n"])
	if new(big.Int).SetBytes(n).Cmp(key.N) != 0 {
		t.Fatal("JWK modulus is not the key's")
	}
	// RFC 7638: SHA-256 over the required members in lexicographic order,
	// no whitespace, computed here independently of jwx.
	want := rfc7638(&key.PublicKey)
	if jk["kid"] != want {
		t.Fatalf("kid %s, want the RFC 7638 thumbprint %s", jk["kid"], want)
	}
	if !strings.Contains(r.stdout, want) {
		t.Fatal("keygen did not print the kid")
	}
}

func rfc7638(pub *rsa.PublicKey) string {
	e := big.NewInt(int64(pub.E)).Bytes()
	canon := `{"e":"` + base64.RawURLEncoding.EncodeToString(e) + `","kty":"RSA","n":"` + base64.RawURLEncoding.EncodeToString(pub.N.Bytes()) + `"}`
	sum := sha256.Sum256([]byte(canon))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestKeygenRefusesToOverwrite(t *testing.T) {
	k := makeKeys(t)
	before, _ := os.ReadFile(k.priv)
	r := runT(t, nil, "keygen", "--out", k.dir)
	wantExit(t, r, exitFailure, "exists; keygen never overwrites keys")
	after, _ := os.ReadFile(k.priv)
	if string(before) != string(after) {
		t.Fatal("the private key changed")
	}
	// Any one of the three files blocks the run, and nothing is left behind.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ibkr-jwks.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runT(t, nil, "keygen", "--out", dir)
	wantExit(t, r, exitFailure, "ibkr-jwks.json exists")
	if _, err := os.Stat(filepath.Join(dir, "ibkr-private.pem")); err == nil {
		t.Fatal("a private key was written although the run failed")
	}
}

func TestKeygenBits(t *testing.T) {
	// 4096 is accepted and asked of the generator; the cached 3072-bit key
	// stands in for it to keep the test fast, so only the request is checked.
	k3, err := cachedKey(3072)
	if err != nil {
		t.Fatal(err)
	}
	keyMu.Lock()
	keyAsked = nil
	saved := realKeyGn
	realKeyGn = func(int) (*rsa.PrivateKey, error) { return k3, nil }
	keyMu.Unlock()
	defer func() {
		keyMu.Lock()
		realKeyGn = saved
		delete(keyCache, 4096)
		keyMu.Unlock()
	}()
	r := runT(t, nil, "keygen", "--json", "--bits", "4096", "--out", t.TempDir())
	wantExit(t, r, 0)
	keyMu.Lock()
	asked := append([]int(nil), keyAsked...)
	keyMu.Unlock()
	if len(asked) == 0 || asked[0] != 4096 {
		t.Fatalf("generator asked for %v, want 4096", asked)
	}
	r = runT(t, nil, "keygen", "--out", filepath.Join(t.TempDir(), "missing"))
	wantExit(t, r, exitUsage, "is not a directory")
}
