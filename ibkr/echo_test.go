package ibkr

import (
	"context"
	"errors"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func TestEchoSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	e, err := c.Echo(ctx)
	if err != nil || e.Method != "GET" || e.SecurityPolicy != "HTTPS" {
		t.Fatalf("echo %+v %v", e, err)
	}
	s, err := c.EchoSigned(ctx)
	if err != nil || s.Method != "POST" || s.SecurityPolicy != "SIGNED_JWT" {
		t.Fatalf("signed echo %+v %v", s, err)
	}
	rec := srv.RequestsFor("createEchoSignedJwt")
	if len(rec) != 1 || rec[0].Header.Get("Content-Type") != "application/jwt" || rec[0].Claims["iss"] != srv.ClientID {
		t.Fatalf("signed request %+v", rec)
	}
	if len(srv.RequestsFor("listEchoHttps")) != 1 {
		t.Fatal("plain echo not recorded once")
	}
}

// The echoes fail the way doctor needs to tell apart: a token without the
// echo scopes is forbidden, a key IBKR does not know fails the token, a
// server error is an error, and the read-only echoes are retried.
func TestEchoFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("scope", func(t *testing.T) {
		srv := ibkrtest.NewServer(t)
		c2, err := New(WithBaseURL(srv.URL), WithPrivateKeyPEM(srv.ClientID, srv.KeyID, srv.PrivateKeyPEM),
			WithClock(srv.Clock()), WithAudience(srv.TokenURL()), WithLogger(suiteLogger), WithScopes("accounts.read"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c2.Echo(ctx)
		wantErr(t, err, ErrForbidden)
		_, err = c2.EchoSigned(ctx)
		wantErr(t, err, ErrForbidden)
	})
	t.Run("server", func(t *testing.T) {
		c, srv := amSandbox(t)
		srv.FailNext("createEchoSignedJwt", 1, 503)
		if _, err := c.EchoSigned(ctx); err != nil {
			t.Fatalf("one 503 is retried: %v", err)
		}
		srv.FailNext("listEchoHttps", 5, 500)
		_, err := c.Echo(ctx)
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != 500 || !errors.Is(err, ErrServer) {
			t.Fatalf("500: %v", err)
		}
	})
	t.Run("unknown key", func(t *testing.T) {
		srv := ibkrtest.NewServer(t)
		c, err := New(WithBaseURL(srv.URL), WithPrivateKeyPEM(srv.ClientID, srv.KeyID, pkcs8PEM(testKey())),
			WithClock(srv.Clock()), WithAudience(srv.TokenURL()), WithLogger(suiteLogger))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.EchoSigned(ctx)
		wantErr(t, err, ErrUnauthorized)
		if n := len(srv.RequestsFor("createEchoSignedJwt")); n != 0 {
			t.Fatalf("%d echoes sent without a token", n)
		}
	})
}
