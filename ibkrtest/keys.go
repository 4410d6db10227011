package ibkrtest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"sync"
)

// DemoPrivateKeyPEM is the private half of the sandbox's built-in client
// key: an RSA-3072 key in PKCS#8 PEM.
//
// PUBLIC DEMO KEY, FOR THE SANDBOX ONLY. It is published in this source file,
// so it protects nothing: never register it with IBKR, never use it for QA or
// production. It exists so that starting a sandbox costs no key generation.
const DemoPrivateKeyPEM = `
-----BEGIN PRIVATE KEY-----
MIIG/QIBADANBgkqhkiG9w0BAQEFAASCBucwggbjAgEAAoIBgQDbVCytTopX+4Eu
cIG3vQg/RgDySqd21lSPmYV+guR9QRW7Nt0mTEbmZLzTtsdFf4LlO2RSKTYLh8/I
iS8DhdBj2MqyQ4/V3iUm4HScb/quhtt8TnvIk8mVkQonxRlOchsXllTJZ1XtfE9N
z1Xl/hBzDpdJK2Vn4VBA1K/Ss5YH3qdcK16uZ40VKOmu8F2FpdV2eYpYttHYO5Hl
aga7AIIBU0buhEzbx1U2Glayer9R4Z+wMuGRp/9rxuS6fbh/Rn3E06TKggB9tQTm
uxjH0iqpbYqAQlIJxfNjzIufBgjlBMP/bema03d6ZiPpJGX2yrt72K1D1lPHglPp
+4T8J46coOu1NhfEDe1lV9a0EpKjuOZITmXxM58CnzD//NcXNiiZgJdhT+z4Q83R
K4M0LBmONqmh7mPLs2o0iz49LWq0MTM2o1hK3xv9kJCHQjTAoNgdio6dniQcVzSZ
4H7LJBPG5RJdZZMQXzfu1RcwyVLuTeE2JvpbCxZ5rM6UY44VkskCAwEAAQKCAYAE
J7/5cBSdpluMD1Bb1GpetYMw0/KAhT7AojhV3WG6EES6wWc28ajBtmyf57V2hvwK
PwHvbw2xsfrhKh0wiEVakOnFLxO/aegjCItZB+OUUSSBIkUE16zw5xityHWKZ43F
GIFmd+1YNJvVhe0zEGlMHr2FwrtW+J0yPz1OBP49i624yK8QZ5CUEyx7Np1U+f91
cUfKVrtayQUidyvluNSdtQ/R1sKUgt4lymG0W7A6e0dw2YPtxCSqDHB6qoVXbvTL
yzTslUcyYWn7KQ7fUyzbXBDqfEfsh3v372arb+hZtv9n+Rn5xMI0BCcw4bVu2DAi
mES5qMFK7LKU50fygWpqSAAqXxU4B2ne2eMH+oHJpCSCKxt7ktCWuDNzaL7tJRiQ
B8jMve+I0KrSqq3I7+/B/RH71VXoBUesfquWCHqRenrc+PvAKbVOHFATvdckRAiV
I5z4V08iNo1c7o4E4bmc0UozlO6qlQd2xuG70EfYyRW1zST7gSEXzYyUqZPtBLEC
gcEA+duIq6tqZBjE90DZfcG9Bg3vVgQcQ7mI3pTVjyK019SIgvlBoCcpttx6YeiI
vcZXm/D5+HGzgqaBW0ph1CFfgQnxCHUPb9m8LkEjNt7DTEBTlwjSfYX5/rJ3+7R3
nTxEVPuJV5nBVslYbRILRznnj2qocE9h+W1PfXf/X3xMU383W60I4pssiRIO2ik6
gqMwVA4yIlY11kknu7wSACJSNK5t27dI2vMrWwqlkSD9UTjeMQei5vuIviwgopLC
W2I5AoHBAOC4gm4FkFHtNFkjLiyzBDHpiUSlKjB1AIiys9prZnrA68b9G3ezFnnv
UYh92soD2mV6na+nISWZMuaNtHSFGuMdCKuEbB+ZrhSuPjMZGyj90AttLuaxJFne
TnMkWdQ6OqGxmWlBAJ2zIUcHDQxROwFiQ9yiYq3Rkl9gjANiSO/uCoEFeFR0ZQQM
p9ws7IJa+9kDGqROGHwWb7wqQnzDITRryC040YMjTyL2y+QOJ6xNU3RIwFfeQZaR
HuNtcyB1EQKBwQC/WfkmeCYHuMyIC5tFa22nSF7GgmlfGKWQyW1wrITRUoylud0f
mT6iM+JqP1sR8+e+nuPh+Log0gH5d1LK0jBBM+rrrjL/V0J+LhaY/CuXpyAdaH1D
8qpN/EJVe5Wrzq8KYoWBmFhwbc0R4yLODrOfq3CKatE+5A9fqNnkN96Ah8pOpItM
eMi3xSOowrBzwiTOCv0sPNgIX4hVh6hFgANzIy8xeQIL5PWMSPAZ4KkAXkwUQqPo
wDSuaD8qIrlEoUkCgcAvzXAJYWua0d+h2ob3ATmyOGB31r6LwkfTzFfP7arGEAXX
tX3DT7hHRe5NH6CL+pfZoGSsudumONmIC7rIUowupb1zZt7tNe6+/XXDvuJ1LNC1
rYsdja8S4uRDQAdPyvcv8CyXJDmyUimRB2HyLdFkcPfIlk5xdTQyz8HY8m5bg4J+
gaBgLsZSPzLx9ih1bk9GkY94RhiVRNyN5VtxWLzWftr9K6n9wGQUJvWmVJCB6Y0I
HnWz+1ZuZf5xGJY14FECgcAHDY6gGWntd6/Y2jy/A34XyTyjvY9GyxL3dTImBdwi
uM4jj/inKM+8l0xlCG/A1cThYwML1yq19xcnZxKvC29VLozhVwCSjVmQg4zqqh+a
bqxbJfKs2+x0f9G+TFQSkOt9N1PGyxePdmlES720HNSGkMqjS1yQXSH2MGhoxOfu
FZwN525DjKnD4w6czsYnBMLYoU5q8IWm5FR59fCic8qKBPhwMP2Tv9lL6H+NTv5t
ppTWf/U3SMiCoiZU/XqaCJY=
-----END PRIVATE KEY-----
`

// DemoPublicKeyPEM is the public half of DemoPrivateKeyPEM (PKIX PEM).
// PUBLIC DEMO KEY, FOR THE SANDBOX ONLY.
const DemoPublicKeyPEM = `
-----BEGIN PUBLIC KEY-----
MIIBojANBgkqhkiG9w0BAQEFAAOCAY8AMIIBigKCAYEA21QsrU6KV/uBLnCBt70I
P0YA8kqndtZUj5mFfoLkfUEVuzbdJkxG5mS807bHRX+C5TtkUik2C4fPyIkvA4XQ
Y9jKskOP1d4lJuB0nG/6robbfE57yJPJlZEKJ8UZTnIbF5ZUyWdV7XxPTc9V5f4Q
cw6XSStlZ+FQQNSv0rOWB96nXCtermeNFSjprvBdhaXVdnmKWLbR2DuR5WoGuwCC
AVNG7oRM28dVNhpWsnq/UeGfsDLhkaf/a8bkun24f0Z9xNOkyoIAfbUE5rsYx9Iq
qW2KgEJSCcXzY8yLnwYI5QTD/23pmtN3emYj6SRl9sq7e9itQ9ZTx4JT6fuE/CeO
nKDrtTYXxA3tZVfWtBKSo7jmSE5l8TOfAp8w//zXFzYomYCXYU/s+EPN0SuDNCwZ
jjapoe5jy7NqNIs+PS1qtDEzNqNYSt8b/ZCQh0I0wKDYHYqOnZ4kHFc0meB+yyQT
xuUSXWWTEF837tUXMMlS7k3hNib6WwsWeazOlGOOFZLJAgMBAAE=
-----END PUBLIC KEY-----
`

// DemoClientID and DemoKeyID are the client id and key id under which the
// sandbox registers DemoPublicKeyPEM by default.
const (
	DemoClientID = "ibkrtest-demo-client"
	DemoKeyID    = "ibkrtest-demo-key"
)

var (
	demoKeyOnce sync.Once
	demoPriv    *rsa.PrivateKey
	demoKeyErr  error
)

// DemoPrivateKey returns DemoPrivateKeyPEM parsed (once per process).
func DemoPrivateKey() (*rsa.PrivateKey, error) {
	demoKeyOnce.Do(func() {
		demoPriv, demoKeyErr = ParsePrivateKeyPEM([]byte(DemoPrivateKeyPEM))
	})
	return demoPriv, demoKeyErr
}

// ParsePrivateKeyPEM reads an RSA private key in PKCS#8 or PKCS#1 PEM.
func ParsePrivateKeyPEM(b []byte) (*rsa.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("ibkrtest: no PEM block in private key")
	}
	if k, err := x509.ParsePKCS1PrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("ibkrtest: parse private key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("ibkrtest: private key is %T, want RSA", k)
	}
	return rk, nil
}

// ParsePublicKeyPEM reads an RSA public key in PKIX or PKCS#1 PEM.
func ParsePublicKeyPEM(b []byte) (*rsa.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("ibkrtest: no PEM block in public key")
	}
	if k, err := x509.ParsePKCS1PublicKey(blk.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("ibkrtest: parse public key: %w", err)
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("ibkrtest: public key is %T, want RSA", k)
	}
	return rk, nil
}
