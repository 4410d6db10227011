package ibkr

import (
	"context"
	"net/http"
	"strconv"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// SSOTokenRequest says whom a single sign-on access token is for (see
// CreateSSOToken).
type SSOTokenRequest struct {
	// Credential is the user's IBKR user name.
	Credential string
	// IP is the public address the user's requests will come from.
	IP string
	// AlternativeIPs are further public addresses of the same user (a
	// second network interface, an IPv6 address); at most 10.
	AlternativeIPs []string
	// Service names the IBKR service the session is for, as agreed with
	// IBKR; empty for IBKR's default.
	Service string
}

// Validate checks the request as CreateSSOToken does before sending it:
// the credential and every address as for ValidateSSOSession (errors.Is
// ErrDeepLink), the service printable ASCII without spaces.
func (r SSOTokenRequest) Validate() error {
	if err := ValidateSSOSession(r.Credential, r.IP); err != nil {
		return err
	}
	if len(r.AlternativeIPs) > maxAlternativeIPs {
		return inputErr("alternativeIps", ErrDeepLink, "at most %d addresses", maxAlternativeIPs)
	}
	for i, ip := range r.AlternativeIPs {
		if err := ValidateSSOSession(r.Credential, ip); err != nil {
			if ie, ok := err.(*InputError); ok {
				ie.Field = "alternativeIps[" + strconv.Itoa(i) + "]"
			}
			return err
		}
	}
	if len(r.Service) > 64 {
		return inputErr("service", ErrDeepLink, "at most 64 characters")
	}
	for i := 0; i < len(r.Service); i++ {
		if c := r.Service[i]; c <= 0x20 || c > 0x7e {
			return inputErr("service", ErrDeepLink, "must be printable ASCII without spaces")
		}
	}
	return nil
}

// maxAlternativeIPs bounds SSOTokenRequest.AlternativeIPs.
const maxAlternativeIPs = 10

// SSOToken is a single sign-on session's access token.
type SSOToken struct {
	// AccessToken is the session's bearer token; it is a credential of
	// the user and never printed.
	AccessToken Secret
	// TokenType is IBKR's token type, normally "Bearer".
	TokenType string
	// Active is IBKR's flag on the session.
	Active bool
}

// CreateSSOToken starts a single sign-on session for a user and returns
// its access token (POST /gw/api/v1/sso-sessions, signed, scope
// sso-sessions.write). It is the token-based counterpart of
// CreateSSOSession, which returns a browser URL instead. The request is
// checked before anything is sent (SSOTokenRequest.Validate); it is not
// retried blindly, since each call starts a session.
func (c *Client) CreateSSOToken(ctx context.Context, req SSOTokenRequest) (*SSOToken, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	in := gen.CreateSessionRequest{Credential: req.Credential, Ip: req.IP}
	if len(req.AlternativeIPs) > 0 {
		in.AlternativeIps = &req.AlternativeIPs
	}
	if req.Service != "" {
		in.Service = &req.Service
	}
	body, err := jsonBody(in)
	if err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpCreateSsoSessions, body: body, build: func(server string) (*http.Request, error) {
		return gen.NewCreateSsoSessionsRequestWithBody(server, contentTypeJSON, nil)
	}}, gen.ParseCreateSsoSessionsResponse)
	res, err := typedAnswer(r, err, (*gen.CreateSsoSessionsResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	if res.AccessToken == "" {
		return nil, &APIError{CallInfo: CallInfo{OperationID: optable.OpCreateSsoSessions.ID}, StatusCode: r.StatusCode(), Message: "answer carries no access token"}
	}
	return &SSOToken{AccessToken: NewSecret(res.AccessToken), TokenType: unptr(res.TokenType), Active: unptr(res.Active)}, nil
}
