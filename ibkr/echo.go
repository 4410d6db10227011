package ibkr

import (
	"context"
	"net/http"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// EchoResult is IBKR's account of a request it received on one of its echo
// endpoints: proof that the request reached IBKR and was accepted under
// its security policy. Neither echo changes anything.
type EchoResult struct {
	// Method is the HTTP method IBKR saw (GET or POST).
	Method string
	// SecurityPolicy is the policy IBKR accepted the request under:
	// "HTTPS" (bearer token) or "SIGNED_JWT" (bearer token and a body
	// signed with the client's key).
	SecurityPolicy string
	// Query holds the query parameters IBKR saw, if it lists any.
	Query map[string]any
}

// Echo sends a plain request with the bearer token (GET
// /gw/api/v1/echo/https, scope echo.read): it proves that IBKR is
// reachable, the token is accepted and grants echo.read. It changes
// nothing and is retried like any read.
func (c *Client) Echo(ctx context.Context) (*EchoResult, error) {
	r, err := invokeAs(ctx, c, call{op: optable.OpListEchoHttps, build: func(server string) (*http.Request, error) {
		return gen.NewListEchoHttpsRequest(server)
	}}, gen.ParseListEchoHttpsResponse)
	return echoAnswer(typedAnswer(r, err, (*gen.ListEchoHttpsResponse).GetJSON200))
}

// EchoSigned sends a body signed with the client's key (POST
// /gw/api/v1/echo/signed-jwt, scope echo.write): it proves that IBKR
// accepts this client's signatures (the key, its kid and this machine's
// clock) before any signed operation that matters is sent. It changes
// nothing.
func (c *Client) EchoSigned(ctx context.Context) (*EchoResult, error) {
	body, err := jsonBody(gen.SignedJwtEchoRequest{})
	if err != nil {
		return nil, err
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpCreateEchoSignedJwt, body: body, build: func(server string) (*http.Request, error) {
		return gen.NewCreateEchoSignedJwtRequestWithBody(server, contentTypeJSON, nil)
	}}, gen.ParseCreateEchoSignedJwtResponse)
	return echoAnswer(typedAnswer(r, err, (*gen.CreateEchoSignedJwtResponse).GetJSON200))
}

// echoAnswer converts an echo endpoint's answer.
func echoAnswer(res *gen.EchoResponse, err error) (*EchoResult, error) {
	if err != nil {
		return nil, err
	}
	return &EchoResult{Method: string(res.RequestMethod), SecurityPolicy: string(res.SecurityPolicy), Query: unptr(res.QueryParameters)}, nil
}
