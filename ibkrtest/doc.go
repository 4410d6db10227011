// Package ibkrtest is a stateful, local fake of IBKR's Account Management
// Web API, in the spirit of net/http/httptest: tests (and the CLI) talk to
// it over HTTP exactly as they would to IBKR, and it answers as IBKR
// would, keeping state, checking signatures and walking instructions
// through their lifecycle on a clock the test controls.
//
// The server implements the strict server interface generated from
// ibkr-go's own api/openapi.yaml, so client and sandbox cannot drift
// apart, and NewServer checks every answer it sends against that spec.
// ibkrtest does not import the facade (package ibkr), so it can judge it.
//
// # Starting one
//
// For a test of code using the client, one line gives a sandbox and a
// client wired to it (package ibkrtest/sandbox):
//
//	client, srv := sandbox.NewClient(t)
//
// By hand:
//
//	srv := ibkrtest.NewServer(t)            // cleaned up with t.Cleanup
//	srv.URL, srv.ClientID, srv.KeyID        // where and who
//	srv.PrivateKeyPEM                       // the demo client's key
//	srv.Advance(10 * time.Minute)           // move time; lifecycles follow
//
// StartServer is NewServer outside a test (stop it with Close).
// NewHandler gives the same sandbox as a plain http.Handler (the CLI's
// local server), optionally on the wall clock (WithRealClock) and with
// SaveState/LoadState to keep state between runs.
//
// The built-in client key, DemoPrivateKeyPEM, is a published RSA-3072 demo
// key for the sandbox only; RegisterClient adds others. Starting a sandbox
// generates no keys and parses no spec (that happens once per process, in
// the background), so it costs a fraction of a millisecond.
//
// # Time
//
// Unless WithClock or WithRealClock says otherwise, the sandbox runs on a
// fake clock (a FakeClock, see Sandbox.Clock) starting at
// DefaultStart, Tuesday 4 March 2025 10:00 US Eastern. Nothing happens in
// the background: every request, Advance and Tick first runs the lifecycle
// steps that fell due, each at its own scheduled time, and delivers their
// callbacks. Signatures are checked against the sandbox clock too, so a
// client under test must take its iat/exp from the same clock.
//
// # Authentication
//
// POST /oauth2/api/v1/token takes the client_credentials grant with a
// private_key_jwt client assertion: RS256, a kid registered for the
// client, iss = sub = client id, aud "/token" or the sandbox's token URL
// (WithAudience changes that), iat and exp within the skew (30 s, see
// WithClockSkew), a lifetime (exp - iat) of at most 10 minutes, and a jti
// never seen before. Refusals are 401 invalid_client; a request none of whose scopes
// is registered is 400 invalid_scope. The token grants the requested
// scopes that are registered (all registered ones if none is requested)
// and expires after 86399 s (WithTokenLifetime).
//
// Every /gw call needs "Authorization: Bearer <token>" (401 otherwise)
// carrying one of the operation's scopes (403). SIGNED_JWT operations need
// Content-Type application/jwt and a compact RS256 JWS from a key of the
// token's client, with iss = client id, iat and exp at most 5 minutes
// apart, no aud or sub (a client assertion is not a body), and used once:
// a body whose jti, or (without a jti) whose signature, was seen before is
// refused, as is a body reusing a client assertion's jti; anything else is
// 400 "Invalid payload for security policy: SIGNED_JWT". The claims, minus
// iss/sub/aud/exp/nbf/iat/jti, are the request body; they, query and path
// parameters are validated against the spec (400 with the declared problem
// shape and invalidArguments naming the fields).
//
// The sandbox answers only to a Host of "localhost" or a literal loopback
// address (421 Misdirected Request otherwise; WithHosts names more), so a
// web page cannot reach it by DNS rebinding. These checks are strict by
// default because integrators test against the sandbox: a bug it lets
// through ships. WithLenientAuth relaxes all of them for tests that need
// it.
//
// # Deterministic rules
//
// ACH instructions (ACH_INSTRUCTION) answer 202 PENDING. Routing numbers
// must pass the ABA checksum (422 ERROR_INVALID_BANK_ROUTING_NUMBER). After
// Timings.ACHVerification (10 min) the 8th digit of the routing number
// decides the outcome:
//
//	digit  outcome                                          constant (routing number)
//	0-5    PENDING_VERIFICATION, micro-deposits sent        RoutingNumberMicroDeposits (110000000; also 021000021)
//	6-7    PROCESSED, verified without micro-deposits       RoutingNumberVerified (110000068)
//	8      REJECTED, ERROR_BANK_VERIFICATION_FAILED         RoutingNumberRejected (110000084)
//	9      PENDING_VERIFICATION after ACHSlowVerification   RoutingNumberSlow (110000097)
//
// The two micro-deposits are different amounts from 0.01 to 0.99, derived
// from the instruction id (FNV-1a): the same in every run, readable with
// MicroDeposits once sent. TRADITIONAL_BANK_INSTRUCTION_VERIFICATION
// accepts them in either order, numerically (0.3 = 0.30): a match makes
// the verification and the ACH instruction PROCESSED; a mismatch makes
// the verification REJECTED (ERROR_MICRO_AMOUNTS_MISMATCH, attempts left
// in the description), and the third mismatch rejects the ACH instruction
// (ERROR_VERIFICATION_ATTEMPTS_EXCEEDED). Verifying an instruction that is
// not PENDING_VERIFICATION is 422
// ERROR_INSTRUCTION_NOT_IN_PENDING_VERIFICATION_STATE.
//
// An account holds at most 6 active bank instructions (ACH, wire
// destinations, eDDA; 422 ERROR_MAX_ACTIVE_BANK_INSTRUCTIONS) with
// distinct names (ERROR_DUPLICATE_BANK_INSTRUCTION_NAME); DELETE frees a
// slot. PREDEFINED_DESTINATION_INSTRUCTION is PROCESSED at once;
// EDDA_INSTRUCTION after Timings.EDDA.
//
// Money (all exact decimals; amounts must be positive with at most two
// decimals):
//
//	ACH deposit      needs a PROCESSED ACH instruction allowing debits; PROCESSED after ACHDeposit (24 h), cash credited
//	wire deposit     a notification; PROCESSED after WireDeposit (1 h), cash credited
//	withdrawal       needs a PROCESSED instruction of that method allowing credits, an open account,
//	                 at most 100,000 USD (ERROR_WITHDRAWAL_AMOUNT_EXCEEDS_LIMIT) and at most the
//	                 withdrawable cash (ERROR_INSUFFICIENT_FUNDS); the amount is held at once and
//	                 leaves Withdrawal (24 h) after dateTimeToOccur (or now)
//	internal cash    both accounts known, source open and funded: 201 PROCESSED at once, or 202
//	                 PENDING until dateTimeToOccur
//	recurring        recurringInstructionDetail makes the instruction a PENDING recurring one (with an
//	                 ibReferenceId) that spawns one transfer at 00:00 ET on startDate and every
//	                 month/quarter/year until endDate, then turns PROCESSED
//	cancel           only PENDING instructions (including active recurring ones): they end REJECTED
//	                 with INSTRUCTION_CANCELLED and release their hold; 201 for the cancel itself
//
// Withdrawable cash is cash minus held amounts; the withdrawable-funds and
// balances queries report it, and Balance/SetBalance read and set cash.
//
// clientInstructionId works as at IBKR: per client, never reusable (422
// ERROR_DUPLICATE_CLIENT_INSTRUCTION_ID, across all endpoints, queries
// included). Every other business reject is recorded as a REJECTED
// instruction under its id, so GET /gw/api/v1/client-instructions/{id}
// always tells what became of a request that reached the sandbox, and 404
// means it never did. Refusals before the business rules (401, 403, 400,
// 429, 503, injected failures) consume nothing.
//
// Queries answer at once: QUERY_BANK_INSTRUCTION (account numbers as
// ****1234), QUERY_RECURRING_INSTRUCTIONS, QUERY_RECENT_RECURRING_EVENTS,
// QUERY_WITHDRAWABLE_FUNDS and QUERY_WITHDRAWABLE_CASH_EQUITY with 201;
// QUERY_RECENT_INSTRUCTIONS (daysToGoBack at most 30) with 202, its history
// read by polling its clientInstructionId. Bulk endpoints run each
// instruction on its own in one instruction set: 202 if all were accepted,
// 207 with the refused ones REJECTED otherwise.
//
// # Accounts
//
// POST /gw/api/v1/accounts needs only what IBKR's hybrid registration needs
// (customer email, legalResidenceCountry and the account holder's first
// and last name) and answers 200 with fileData.data holding accountId,
// userName, status "N", externalId and pendingTasks (8001 proof of
// identity, 8002 proof of address). An externalId is processed once: a
// second application with it opens nothing and is answered with
// fileData.data hasError and errorDescription "Already Processed", as
// IBKR's documentation says. A bank instruction or deposit moves N
// to P; a documentSubmission (PATCH) covering both tasks, or CompleteTasks,
// starts IBKR's review, which opens the account (O) after
// Timings.AccountReview. PATCH also takes abandonAccount (N or P to A),
// resetAbandonedAccount (A to N, within six months), accountClose (O to C,
// Q to R, for accounts without cash, processed in IBKR's 08:00-11:00 ET
// weekday window) and reopenAccount (C to E, then O after review).
// SetAccountStatus makes any move IBKR documents (N>P N>R N>O N>A P>R P>O
// P>A A>P A>O A>N A>R O>C C>O C>E E>O Q>R Q>O) and refuses the others.
// The demo account DemoAccountID (user DemoUserName) starts open.
//
// # Statements and SSO
//
// Statements exist from the day the account was first funded to
// yesterday. POST /gw/api/v1/statements takes YYYY, YYYYMM or YYYYMMDD
// ranges of at most 365 days and answers a small real PDF, base64 in JSON
// (gzip first if asked), or raw with Accept: application/pdf. SSO browser
// sessions answer a URL on the sandbox itself that works once, within 60
// s of sandbox time, from the IP given; SSO sessions (sso-sessions)
// answer a fresh access token for a known user and valid addresses.
//
// # Restrictions and echo
//
// Restriction lists (verifyCSV, applyCSV) are parsed and checked row by
// row against the accounts (see RestrictionCSVHeader); applyCSV applies
// all rows or none, once per requestId, and getAccountsDetails lists the
// account's restrictions. The echo endpoints answer the method and the
// security policy a request was accepted under.
//
// # Positions and position transfers
//
// Accounts hold positions in the instruments of a small table
// (DefaultInstruments: IBM, AAPL, MSFT, SPY by conid, CUSIP and ISIN;
// AddInstrument adds more); SetPosition seeds them, Position and
// Positions read them. Internal transfers (by conid, CUSIP, ISIN, or cash
// by currency) hold the quantity at once and move it after
// Timings.PositionTransfer; FOP, DWAC and complex transfers IN credit it
// after Timings.ExternalPositionTransfer (an inbound notice whose contra
// account starts with ContraAccountNeverDelivers expires after 5 business
// days), OUT hold and debit it; ACATS and ATON full transfers complete
// after Timings.AccountTransfer, bringing what SetBrokerHoldings put at
// the other broker (REJECTED if accountAtBroker starts with
// AccountAtBrokerRejects). Unknown instruments, a currency other than the
// instrument's, short positions, accounts of different holders, brokers
// not on the acats, aton or complex-asset-transfer lists, and an ACATS
// signature that is not the holder's name are refused with 422 and the
// Code constants of asset_transfers.go. Cancelling a pending transfer
// frees what it held.
//
// # Limits, windows and faults
//
// Each endpoint allows 10 requests per second of sandbox time (429 with
// Retry-After; WithRateLimit, SetRateLimit). IBKR's downtime windows, in US
// Eastern time, answer 503 "maintenance" with Retry-After until the end of
// the window: accounts endpoints daily 18:00-18:01 and Wednesdays
// 18:00-18:30; banking and transfer endpoints daily 23:45-00:30, all
// Saturday and Sunday before 15:00 (WithMaintenance, SetMaintenance).
//
// Faults, per operationId, for the next n calls: FailNext (a 4xx/5xx before
// anything happens), DelayNext (the call takes effect, the answer waits d
// of sandbox time), DropAfterCommit (the call takes effect, the connection
// is closed without an answer), MalformNext (the call takes effect, the
// body is cut short) and, for bulk operations, FailBulkAfter (only the
// first k instructions take effect, then a 5xx or a dropped connection).
//
// # Observing
//
// Requests records the last calls (DefaultRequestRecordLimit, see
// WithRequestRecordLimit; RequestCount counts them all): operation,
// headers (Authorization redacted), verified claims with exact numbers,
// the token form with the assertion decoded, status and injected faults.
// Notifications lists the recent status changes; WithCallbackURL POSTs
// each one, as the polling endpoint would answer at that moment. Instruction, InstructionByClientID,
// AccountStatus and PendingEvents expose state.
//
// Tax documents: an account funded in a year has a 1099 (pdf) for that
// year and each later one before the current year. Trade confirmations
// exist for the days AddTradeConfirmation records. Both answer small real
// PDFs like statements. Login messages are assigned with AddLoginMessage
// and listed per account or in bulk (offset and limit over the messages
// of the accounts created in the date range). PATCH
// /gw/api/v1/accounts takes all 47 maintenance kinds, in the published
// document's shape or the documentation's (plural keys, arrays,
// referenceAccountId; one round per array entry). Beyond the lifecycle
// kinds it takes each for an open account (named by accountId,
// ibAccountId, referenceUserName, subAccounts or the documents'
// externalAccountId), records it Pending under IBKR's request type
// (ADD_TRADING, CHANGE_MARGIN ...; MaintenanceRequests lists them) and
// acts on those that change state: completeLoginMessage,
// updateExternalId, changeAccountHolderDetail, processDocuments,
// updateW8Ben and allocateVan (VirtualAccounts; the SSO landing page
// ACTION=DirectDeposit shows the numbers).
//
// # Console and control API
//
// WithConsole (or mounting ConsoleHandler) serves JSON control endpoints
// under ControlPath and a browser console under ConsolePath: accounts with
// their balances, bank instructions (numbers masked) and the micro-deposit
// amounts of pending verifications (also at MicroDepositsPath), paginated
// instructions with their history, the request log with each call's
// latency, signature verdict (Request.Signature) and bodies with secrets
// masked, and controls (advance the clock, settle or reject an
// instruction, confirm or fail a bank verification, open an account,
// inject faults, maintenance windows, Reset). Controls are POSTs that need
// CSRFToken. The same views and controls are methods (AccountPage,
// InstructionPage, RequestPage, SettleInstruction, ...); see
// docs/sandbox-control.md.
//
// # Flex Web Service
//
// Under FlexPath the sandbox also serves IBKR's Flex Web Service
// (SendRequest, GetStatement; XML answers with error codes under HTTP
// 200), through which the owner of a self-directed account lets an app
// read it. NewFlexToken and AddFlexQuery make what the owner makes in
// IBKR's portal. Statements are built from the sandbox's state at
// SendRequest: balances, the PROCESSED deposits, withdrawals and internal
// transfers, and the ACH credits PushACHCredit delivers to an account's
// direct deposit numbers (DirectDeposit), as another bank would. It
// answers 1019 until SetFlexGenerationDelay has passed, 1018 above one
// request per second or ten per minute per token, 1012 for an expired
// token, 1013 from another address than a bound token's, and any code
// FailFlexNext asks for; FlexRequests records every request.
//
// IRAs (MakeIRA), their contributions query, open-banking deposits
// (DeclineOpenBanking) and SEPA destinations are described in
// money_paths.go.
//
// Error codes
// other than ERROR_INSTRUCTION_NOT_IN_PENDING_VERIFICATION_STATE are the
// sandbox's own (see the Code constants).
package ibkrtest
