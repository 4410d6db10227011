package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

var keygenCommand = &command{
	name:    "keygen",
	summary: "generate an RSA key pair and the JWKS to register with IBKR",
	help: `Generates an RSA key pair for IBKR's OAuth client (private_key_jwt) and
writes three files into --out:

  NAME-private.pem  the private key, PKCS#8 PEM, mode 0600; never overwritten
  NAME-public.pem   the public key, PKIX PEM
  NAME-jwks.json    a JWKS holding the public key, with "kid" set to its
                    RFC 7638 thumbprint (SHA-256, base64url), "alg" RS256

Send the JWKS (or the public key) to IBKR, who register it for your client
and give you a client id. IBKR asks for RSA-3072 or RSA-4096 and for
different keys in QA and production: run keygen once per environment.
The command refuses to run if any of the three files exists.`,
	run: runKeygen,
}

// generateKey makes the RSA key; tests replace it with a cached key.
var generateKey = func(bits int) (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, bits) }

// keygenResult is the --json answer of keygen.
type keygenResult struct {
	Bits           int    `json:"bits"`
	KeyID          string `json:"kid"`
	PrivateKeyFile string `json:"privateKeyFile"`
	PublicKeyFile  string `json:"publicKeyFile"`
	JWKSFile       string `json:"jwksFile"`
}

func runKeygen(_ context.Context, a *app, args []string) error {
	flags := a.newFlags()
	bits := flags.Int("bits", 3072, "key size: 3072 or 4096")
	dir := flags.String("out", ".", "directory to write the files into")
	name := flags.String("name", "ibkr", "file name prefix (NAME-private.pem, NAME-public.pem, NAME-jwks.json)")
	if err := a.parseOnly(flags, args); err != nil {
		return err
	}
	if *bits != 3072 && *bits != 4096 {
		return usagef("--bits %d: IBKR accepts RSA-3072 or RSA-4096 keys", *bits)
	}
	if *name == "" || filepath.Base(*name) != *name {
		return usagef("--name %q must be a plain file name prefix", *name)
	}
	st, err := os.Stat(*dir)
	if err != nil || !st.IsDir() {
		return usagef("--out %s is not a directory", *dir)
	}
	res := keygenResult{
		Bits:           *bits,
		PrivateKeyFile: filepath.Join(*dir, *name+"-private.pem"),
		PublicKeyFile:  filepath.Join(*dir, *name+"-public.pem"),
		JWKSFile:       filepath.Join(*dir, *name+"-jwks.json"),
	}
	for _, p := range []string{res.PrivateKeyFile, res.PublicKeyFile, res.JWKSFile} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s exists; keygen never overwrites keys (choose another --out or --name)", p)
		}
	}
	if !a.json {
		a.note("generating an RSA-%d key pair (this takes a few seconds)...", *bits)
	}
	key, err := generateKey(*bits)
	if err != nil {
		return fmt.Errorf("generating the key: %w", err)
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	jwks, kid, err := publicJWKS(&key.PublicKey)
	if err != nil {
		return err
	}
	res.KeyID = kid

	var written []string
	write := func(path string, data []byte, mode os.FileMode) error {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%s exists; keygen never overwrites keys", path)
			}
			return err
		}
		written = append(written, path)
		if _, err := f.Write(data); err != nil {
			_ = f.Close()
			return err
		}
		return f.Close()
	}
	err = write(res.PrivateKeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER}), 0o600)
	if err == nil {
		err = write(res.PublicKeyFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644)
	}
	if err == nil {
		err = write(res.JWKSFile, jwks, 0o644)
	}
	if err != nil {
		for _, p := range written {
			_ = os.Remove(p)
		}
		return err
	}

	if a.json {
		a.emit(res)
		return nil
	}
	abs := func(p string) string {
		if ap, err := filepath.Abs(p); err == nil {
			return ap
		}
		return p
	}
	a.say("Generated an RSA-%d key pair.", *bits)
	a.say("  private key   %s  (mode 0600; keep it secret, never send it to anyone)", res.PrivateKeyFile)
	a.say("  public key    %s", res.PublicKeyFile)
	a.say("  JWKS          %s  (send this, or the public key, to IBKR)", res.JWKSFile)
	a.say("  key id (kid)  %s  (RFC 7638 thumbprint of the public key)", kid)
	a.say("")
	a.say("Next steps:")
	a.say("  1. Send %s to IBKR. They register the key and give you a client id.", res.JWKSFile)
	a.say("     Use a different key for QA and for production.")
	a.say("  2. export %s=<client id from IBKR> %s=%s %s=%s", envClientID, envKeyID, kid, envKeyFile, abs(res.PrivateKeyFile))
	a.say("  3. ibkr doctor --env qa")
	a.say("Try the key locally first:")
	a.say("  ibkr sandbox --client-id my-app --jwks %s", res.JWKSFile)
	return nil
}

// publicJWKS returns a JWKS (indented JSON) holding pub with kid = its
// RFC 7638 SHA-256 thumbprint, alg RS256 and use sig, and that kid.
func publicJWKS(pub *rsa.PublicKey) ([]byte, string, error) {
	k, err := jwk.Import(pub)
	if err != nil {
		return nil, "", fmt.Errorf("building the JWK: %w", err)
	}
	kid, err := thumbprint(k)
	if err != nil {
		return nil, "", err
	}
	for name, v := range map[string]any{jwk.KeyIDKey: kid, jwk.AlgorithmKey: jwa.RS256(), jwk.KeyUsageKey: jwk.ForSignature} {
		if err := k.Set(name, v); err != nil {
			return nil, "", fmt.Errorf("building the JWK: %w", err)
		}
	}
	set := jwk.NewSet()
	if err := set.AddKey(k); err != nil {
		return nil, "", err
	}
	b, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return nil, "", err
	}
	return append(b, '\n'), kid, nil
}

// thumbprint is the RFC 7638 SHA-256 thumbprint of a JWK, base64url
// without padding: the kid keygen assigns.
func thumbprint(k jwk.Key) (string, error) {
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// keyThumbprint is thumbprint for a raw RSA public key.
func keyThumbprint(pub *rsa.PublicKey) (string, error) {
	k, err := jwk.Import(pub)
	if err != nil {
		return "", err
	}
	return thumbprint(k)
}
