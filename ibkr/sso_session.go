package ibkr

import (
	"context"
	"net/http"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// SSOSession is a single sign-on session into IBKR's Client Portal.
type SSOSession struct {
	// URL is the single-use address to open in the user's browser, with
	// the deep link's parameters when one was given. It works once,
	// within 60 seconds, and only from the IP address the session was
	// created for.
	URL string
	// Active is IBKR's flag on the session.
	Active bool
}

// CreateSSOSession creates a browser session into the Client Portal for
// the user credential (their IBKR user name), usable only from ip, the
// address of the end user's own computer (POST
// /gw/api/v1/sso-browser-sessions, signed), and points it at link's landing
// page (nil for the portal's home page). The inputs and link are checked
// before anything is sent (ValidateSSOSession, DeepLink.Validate). Open
// the URL in the user's browser at once: it expires within 60 seconds and
// works once. SSO works in browsers, not in native mobile applications.
func (c *Client) CreateSSOSession(ctx context.Context, credential, ip string, link *DeepLink) (*SSOSession, error) {
	if err := ValidateSSOSession(credential, ip); err != nil {
		return nil, err
	}
	if link != nil {
		if err := link.Validate(); err != nil {
			return nil, err
		}
	}
	body, err := jsonBody(gen.CreateBrowserSessionRequest{Credential: credential, Ip: ip})
	if err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpCreateSsoBrowserSessions, body: body, build: func(server string) (*http.Request, error) {
		return gen.NewCreateSsoBrowserSessionsRequestWithBody(server, contentTypeJSON, nil)
	}}, gen.ParseCreateSsoBrowserSessionsResponse)
	res, err := typedAnswer(r, err, (*gen.CreateSsoBrowserSessionsResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	s := &SSOSession{URL: unptr(res.Url), Active: unptr(res.Active)}
	if s.URL == "" {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "createSsoBrowserSessions"}, StatusCode: r.StatusCode(), Message: "answer carries no session URL"}
	}
	if link != nil {
		u, err := link.Apply(s.URL)
		if err != nil {
			return nil, &APIError{CallInfo: CallInfo{OperationID: "createSsoBrowserSessions"}, StatusCode: r.StatusCode(), Message: "cannot add the deep link to the session URL: " + err.Error()}
		}
		s.URL = u
	}
	return s, nil
}
