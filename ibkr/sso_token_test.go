package ibkr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func TestCreateSSOTokenSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	req := SSOTokenRequest{Credential: ibkrtest.DemoUserName, IP: "206.106.137.230", AlternativeIPs: []string{"2a00:1450:4001:80b::200e"}, Service: "AM.LOGIN"}
	tok, err := c.CreateSSOToken(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	noteSecret(tok.AccessToken.Reveal())
	if tok.AccessToken.IsZero() || tok.TokenType != "Bearer" || !tok.Active {
		t.Fatalf("token %+v", tok)
	}
	// The token never prints.
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%+v", *tok), fmt.Sprintf("%#v", tok)} {
		if strings.Contains(s, tok.AccessToken.Reveal()) {
			t.Fatalf("token printed: %s", s)
		}
	}
	if b, _ := json.Marshal(tok); strings.Contains(string(b), tok.AccessToken.Reveal()) {
		t.Fatalf("token marshalled: %s", b)
	}
	rec := srv.RequestsFor("createSsoSessions")
	if len(rec) != 1 || rec[0].Claims["credential"] != ibkrtest.DemoUserName || rec[0].Claims["ip"] != req.IP || rec[0].Claims["service"] != "AM.LOGIN" ||
		fmt.Sprint(rec[0].Claims["alternativeIps"]) != "[2a00:1450:4001:80b::200e]" || rec[0].Header.Get("Content-Type") != "application/jwt" {
		t.Fatalf("request %+v", rec)
	}
	// Each call is a new session.
	tok2, err := c.CreateSSOToken(ctx, SSOTokenRequest{Credential: ibkrtest.DemoUserName, IP: req.IP})
	if err != nil || tok2.AccessToken.Equal(tok.AccessToken) {
		t.Fatalf("second token %v", err)
	}
	noteSecret(tok2.AccessToken.Reveal())
	if _, ok := rec[0].Claims["alternativeIps"]; !ok {
		t.Fatal("alternativeIps not sent")
	}
	if r := srv.RequestsFor("createSsoSessions")[1]; r.Claims["service"] != nil || r.Claims["alternativeIps"] != nil {
		t.Fatalf("empty optional fields sent: %v", r.Claims)
	}

	// IBKR's refusal of an unknown user.
	_, err = c.CreateSSOToken(ctx, SSOTokenRequest{Credential: "nosuchuser1", IP: req.IP})
	wantErr(t, err, ErrBadRequest)
	// Not retried blindly: a 503 is the caller's to handle.
	before := len(srv.RequestsFor("createSsoSessions"))
	srv.FailNext("createSsoSessions", 1, 503)
	_, err = c.CreateSSOToken(ctx, SSOTokenRequest{Credential: ibkrtest.DemoUserName, IP: req.IP})
	if err == nil || len(srv.RequestsFor("createSsoSessions")) != before+1 {
		t.Fatalf("after a 503: %v, %d requests", err, len(srv.RequestsFor("createSsoSessions"))-before)
	}
}

// Bad input of every field is refused before anything is sent.
func TestCreateSSOTokenBadInputSendNothing(t *testing.T) {
	c, srv := amSandbox(t)
	ok := SSOTokenRequest{Credential: ibkrtest.DemoUserName, IP: "206.106.137.230"}
	with := func(f func(*SSOTokenRequest)) SSOTokenRequest { r := ok; f(&r); return r }
	for _, tc := range []struct {
		req   SSOTokenRequest
		field string
	}{
		{with(func(r *SSOTokenRequest) { r.Credential = "" }), "credential"},
		{with(func(r *SSOTokenRequest) { r.Credential = "demo user" }), "credential"},
		{with(func(r *SSOTokenRequest) { r.IP = "" }), "ip"},
		{with(func(r *SSOTokenRequest) { r.IP = "192.168.1.4" }), "ip"},
		{with(func(r *SSOTokenRequest) { r.IP = "206.106.137.230:80" }), "ip"},
		{with(func(r *SSOTokenRequest) { r.AlternativeIPs = []string{"8.8.8.8", "not-an-ip"} }), "alternativeIps[1]"},
		{with(func(r *SSOTokenRequest) { r.AlternativeIPs = []string{"::1"} }), "alternativeIps[0]"},
		{with(func(r *SSOTokenRequest) { r.AlternativeIPs = make([]string, 11) }), "alternativeIps"},
		{with(func(r *SSOTokenRequest) { r.Service = "two words" }), "service"},
		{with(func(r *SSOTokenRequest) { r.Service = strings.Repeat("S", 65) }), "service"},
	} {
		_, err := c.CreateSSOToken(context.Background(), tc.req)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != tc.field || !errors.Is(err, ErrInvalidInput) || !errors.Is(err, ErrDeepLink) {
			t.Errorf("%+v: %v, want an *InputError on %s", tc.req, err, tc.field)
		}
		if err := tc.req.Validate(); err == nil {
			t.Errorf("%+v: Validate passed", tc.req)
		}
	}
	if n := len(srv.RequestsFor("createSsoSessions")); n != 0 {
		t.Fatalf("%d refused requests reached the sandbox", n)
	}
}
