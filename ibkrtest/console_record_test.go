package ibkrtest

import (
	"strings"
	"testing"
)

func TestLoggedBodyMasksSecrets(t *testing.T) {
	in := `{"access_token":"eyJhbGciOiJSUzI1NiJ9.payload.sig","instruction":{"clientAccountInfo":{"bankAccountNumber":"000123456789","bankRoutingNumber":"110000000"},` +
		`"tin":"123-45-6789","pin":"12"},"list":[{"encryptedPassword":"hunter2hunter2"}],"amount":12.5}`
	got := loggedBody("application/json; charset=utf-8", []byte(in))
	for _, secret := range []string{"eyJhbGciOiJSUzI1NiJ9", "000123456789", "123-45-6789", "hunter2"} {
		if strings.Contains(got, secret) {
			t.Fatalf("%q shows in\n%s", secret, got)
		}
	}
	for _, want := range []string{`"access_token": "****.sig"`, `"bankAccountNumber": "****6789"`, `"bankRoutingNumber": "110000000"`, `"tin": "****6789"`, `"amount": 12.5`} {
		if !strings.Contains(got, want) {
			t.Fatalf("%q missing in\n%s", want, got)
		}
	}
	if got := loggedBody("application/pdf", []byte("%PDF-1.4 ...")); got != "(12 bytes of application/pdf)" {
		t.Fatalf("pdf: %q", got)
	}
	if got := loggedBody("", []byte{1, 2}); got != "(2 bytes of unknown content)" {
		t.Fatalf("no type: %q", got)
	}
	if got := loggedBody("text/xml", []byte("<a/>")); got != "<a/>" {
		t.Fatalf("xml: %q", got)
	}
	long := loggedBody("text/plain", []byte(strings.Repeat("x", 2*maxLoggedBody)))
	if len(long) > maxLoggedBody+64 || !strings.Contains(long, "cut at") {
		t.Fatalf("long body: %d bytes", len(long))
	}
	if got := loggedBody("application/json", []byte(`{"access_token":"abcdefgh`)); strings.Contains(got, "abcdefgh") || !strings.Contains(got, "malformed JSON") {
		t.Fatalf("malformed: %q", got)
	}
}
