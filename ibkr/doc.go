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
//
// # The client
//
// New builds a Client from functional options: the environment (Production
// or QA) or a base URL, the credentials (client id, key id and an RSA key
// of 3072 or 4096 bits, as PEM or any crypto.Signer), and optionally
// scopes, an *http.Client, a *slog.Logger (silent by default), a retry
// policy, a rate limit and a clientInstructionId allocator. Bad options
// are refused with an *InputError before anything is sent.
//
// Every request takes the same path: the operation is identified from the
// spec's table; IBKR's maintenance windows (US Eastern time) fail it fast
// with ErrMaintenance or are waited out; a per-endpoint limiter keeps the
// client under IBKR's 10 requests per second; the access token is fetched
// once and shared (OAuth 2.0 client credentials with a private_key_jwt
// assertion), refreshed before it expires and once more after a 401;
// SIGNED_JWT operations send their JSON body as a JWS signed with the
// client's key. Read-only requests are retried with exponential backoff and
// full jitter within a client-wide budget; state-changing ones are sent
// once and, when their answer is lost, reconciled through their
// clientInstructionId (see Reconciled and OutcomeUnknownError) so that
// money never moves twice.
//
// # Errors
//
// Non-2xx answers are *APIError; local refusals are *InputError; a
// maintenance window is *MaintenanceError; a state-changing request whose
// outcome is unknown is *OutcomeUnknownError. All of them match the
// package's sentinels (ErrInvalidInput, ErrUnauthorized, ErrForbidden,
// ErrNotFound, ErrRateLimited, ErrMaintenance, ErrRejected,
// ErrOutcomeUnknown, ErrServer, ErrBadRequest) with errors.Is. Errors and
// logs never carry tokens, assertions, keys, bank account numbers or tax
// ids.
package ibkr
