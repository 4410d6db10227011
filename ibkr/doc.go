// Package ibkr is the hand-written facade of ibkr-go, the Go SDK for the
// Interactive Brokers (IBKR) Web API, above all its Account Management
// side: opening accounts, linking bank accounts by ACH, verifying
// micro-deposits, moving money, statements and single sign-on.
//
// The facade authenticates with OAuth 2.0 private_key_jwt client
// assertions, signs request bodies where IBKR demands it, limits its own
// request rate, retries only where retrying is safe, and reconciles
// money-moving requests whose answer was lost instead of resending them.
// The code generated from api/openapi.yaml lives in package gen and is
// reachable through the client as an escape hatch.
package ibkr
