package ibkr

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

func TestCreateSSOSessionSandbox(t *testing.T) {
	c, srv := amSandbox(t)
	ctx := context.Background()
	const userIP = "206.106.137.230"
	link := &DeepLink{Page: LandingTransferFunds, Method: PortalACH, Direction: PortalDeposit, Currency: USD}
	s, err := c.CreateSSOSession(ctx, ibkrtest.DemoUserName, userIP, link)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s.URL)
	if err != nil || !s.Active {
		t.Fatalf("session %+v %v", s, err)
	}
	q := u.Query()
	if q.Get("SID") == "" || q.Get("ACTION") != "TransferFunds" || q.Get("method") != "ACH" || q.Get("type") != "DEPOSIT" || q.Get("currency") != "USD" {
		t.Fatalf("session URL %s", s.URL)
	}
	noteSecret(q.Get("SID"))
	rec := srv.RequestsFor("createSsoBrowserSessions")
	if len(rec) != 1 || rec[0].Claims["ip"] != userIP || rec[0].Claims["credential"] != ibkrtest.DemoUserName || rec[0].Header.Get("Content-Type") != "application/jwt" {
		t.Fatalf("request %+v", rec)
	}
	// The URL opens only from the user's address: this test's loopback
	// address is refused.
	resp, err := http.Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "another IP") {
		t.Fatalf("opened from elsewhere: %d %s", resp.StatusCode, body)
	}

	// Without a link, the session lands on the home page.
	s, err = c.CreateSSOSession(ctx, ibkrtest.DemoUserName, userIP, nil)
	if err != nil || strings.Contains(s.URL, "ACTION=") {
		t.Fatalf("%+v %v", s, err)
	}

	// Refused locally: a server's or private address, a bad credential,
	// a bad link.
	before := len(srv.RequestsFor("createSsoBrowserSessions"))
	for _, tc := range []struct {
		cred, ip string
		link     *DeepLink
	}{
		{ibkrtest.DemoUserName, "10.0.0.8", nil},
		{ibkrtest.DemoUserName, "127.0.0.1", nil},
		{ibkrtest.DemoUserName, "206.106.137.230:443", nil},
		{"", userIP, nil},
		{"demo user", userIP, nil},
		{ibkrtest.DemoUserName, userIP, &DeepLink{Page: LandingStatements, Method: PortalACH}},
		{ibkrtest.DemoUserName, userIP, &DeepLink{Page: LandingAccountSettings}},
	} {
		_, err := c.CreateSSOSession(ctx, tc.cred, tc.ip, tc.link)
		wantErr(t, err, ErrDeepLink)
	}
	if len(srv.RequestsFor("createSsoBrowserSessions")) != before {
		t.Fatal("a refused session request reached the server")
	}
	// IBKR's refusal of an unknown user.
	_, err = c.CreateSSOSession(ctx, "nosuchuser1", userIP, nil)
	wantErr(t, err, ErrBadRequest)
}

func TestDeepLinkApplyLoopbackHTTP(t *testing.T) {
	l := DeepLink{Page: LandingStatements}
	if u, err := l.Apply("http://127.0.0.1:8080/sso/resolver?SID=x"); err != nil || !strings.HasSuffix(u, "ACTION=Statement") {
		t.Fatalf("%s %v", u, err)
	}
	_, err := l.Apply("http://portal.example.com/sso/resolver?SID=x")
	wantErr(t, err, ErrDeepLink)
}
