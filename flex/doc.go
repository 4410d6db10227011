// Package flex reads an IBKR account's statements through IBKR's Flex Web
// Service: the way a person gives an app read access to an account they
// own themselves (a self-directed account), with a Flex query id and a
// Flex Web Service token made in IBKR's portal.
//
// The Flex Web Service is two HTTP GET endpoints answering XML
// (SendRequest, then GetStatement with the reference code it returned).
// It is not part of IBKR's JSON Web API and not in api/openapi.yaml, so
// this client is written by hand rather than generated. It does not need
// the ibkr package's OAuth credentials.
//
// What an app usually wants takes one call:
//
//	c, err := flex.New(os.Getenv("IBKR_FLEX_TOKEN"))
//	bal, err := c.Balances(ctx, "1234567")                 // NAV and cash per account
//	txs, err := c.Deposits(ctx, "1234567", since)           // deposits and withdrawals
//	m := flex.MatchDeposit(txs, flex.Expected{Amount: ...})  // did the pushed ACH credit arrive?
//
// The client polls while IBKR generates the statement, spaces its requests
// to IBKR's per-token limit (one per second, ten per minute) across every
// caller in the process, and turns each of IBKR's error codes into a typed
// error (see ErrAuth, ErrTokenExpired, ...) whose message says what to
// change in IBKR's portal. The token is a secret: it appears in no error,
// log line or panic.
//
// Statements are read as a stream (Decoder, and the section iterators
// such as CashTransactions): memory does not grow with the statement.
// Parse reads a whole statement into a Report when that is more
// convenient. Money is exact (wire.Decimal); dates are calendar days
// (Date), read from every date format and separator IBKR's query settings
// offer.
package flex
