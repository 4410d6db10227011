package ibkr

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"reflect"
)

// Key sizes IBKR accepts. IBKR asks for RSA-3072 or RSA-4096.
const (
	minKeyBits     = 3072
	minWeakKeyBits = 2048
)

// parsePrivateKeyPEM reads one RSA private key in PKCS#1 or PKCS#8 PEM
// form. Errors never quote the key material.
func parsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, invalid("privateKey", "no PEM block found")
	}
	if _, encrypted := block.Headers["Proc-Type"]; encrypted || block.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, invalid("privateKey", "encrypted PEM keys are not supported; decrypt the key first or pass a crypto.Signer")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, invalid("privateKey", "malformed PKCS#1 RSA private key")
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, invalid("privateKey", "malformed PKCS#8 private key")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, invalid("privateKey", "IBKR requires an RSA key, got %s", keyKind(k))
		}
		return rk, nil
	case "EC PRIVATE KEY":
		return nil, invalid("privateKey", "IBKR requires an RSA key, got an EC key")
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return nil, invalid("privateKey", "PEM block %q holds no private key", block.Type)
	}
	return nil, invalid("privateKey", "unsupported PEM block type %q", block.Type)
}

// checkSigningKey enforces RSA and the key size.
func checkSigningKey(key crypto.Signer, allowWeak bool) error {
	if isNil(key) {
		return invalid("privateKey", "missing")
	}
	public, ok := publicOf(key)
	if !ok {
		return invalid("privateKey", "the key's Public method failed (an empty or broken %T)", key)
	}
	pub, ok := public.(*rsa.PublicKey)
	if !ok || pub == nil || pub.N == nil || pub.N.Sign() <= 0 {
		return invalid("privateKey", "IBKR requires an RSA key, got %s", keyKind(public))
	}
	bits := pub.N.BitLen()
	min := minKeyBits
	if allowWeak {
		min = minWeakKeyBits
	}
	if bits < min {
		if allowWeak {
			return invalid("privateKey", "RSA key of %d bits is too weak, at least %d bits are required", bits, min)
		}
		return invalid("privateKey", "RSA key of %d bits is too weak, IBKR requires 3072 or 4096 bits", bits)
	}
	return nil
}

// isNil reports a nil interface or an interface holding a nil pointer (a
// typed nil such as crypto.Signer((*rsa.PrivateKey)(nil))), whose methods
// would panic.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

// publicOf calls key.Public, turning a panic of a broken or zero-valued
// signer (e.g. &rsa.PrivateKey{}) into ok = false.
func publicOf(key crypto.Signer) (pub crypto.PublicKey, ok bool) {
	defer func() {
		if recover() != nil {
			pub, ok = nil, false
		}
	}()
	return key.Public(), true
}

func keyKind(k any) string {
	if k == nil {
		return "no key"
	}
	// The type name holds no key material.
	return fmt.Sprintf("a %T key", k)
}
