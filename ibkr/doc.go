// Package ibkr is the hand-written facade of ibkr-go, the Go SDK for the
// Interactive Brokers (IBKR) Web API, above all its Account Management
// side: opening accounts, linking bank accounts by ACH, verifying
// micro-deposits, moving money, statements and single sign-on.
//
// The facade authenticates with OAuth 2.0 private_key_jwt client
// assertions, signs request bodies where IBKR demands it, limits its own
// request rate, retries only where retrying is safe, and reconciles
// money-moving requests whose answer was lost instead of resending them.
// The models and client generated from api/openapi.yaml live in package
// gen and are reachable through the client as an escape hatch; the
// generated server and the embedded spec live apart, in gen/genserver, so
// that importing ibkr links neither.
//
// # The client
//
// New builds a Client from functional options: the environment (Production
// or QA) or a base URL, chosen explicitly (there is no default host), the credentials (client id, key id and an RSA key
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
// # Workflows
//
// Money movement (the journey of a money-routing app): LinkBankAccount
// links a US bank account by ACH; WaitForBankVerification waits for
// IBKR's verdict (PROCESSED, PENDING_VERIFICATION or REJECTED);
// VerifyMicroDeposits confirms the two small credits; DepositACH,
// NotifyWireDeposit, Withdraw, TransferCash and CancelInstruction move
// money, each with its clientInstructionId allocated before sending and
// exposed in results and errors (InstructionIDOf); WaitForInstruction
// waits for a terminal state; Balance, WithdrawableCash and
// RecentInstructions report. The other documented paths: DepositEDDA and
// DepositOpenBanking pull money through eDDA and open banking, SEPA
// withdrawals go to a SEPA destination (AddWireDestination with
// MethodSEPA), IRADeposit and IRADistribution mark deposits into and
// withdrawals from an IRA (IRAContributions reports the year's figures),
// RecurringInstructions and RecurringExecutions follow recurring
// transfers, and TotalBalance gathers every currency's balance in one
// call. MethodCurrencies states which currencies each method takes; any
// other is refused before sending (ErrCurrencyNotAllowed). WithJournal (or WithCallJournal) records every
// money-moving call so that a restarted process can ReconcileJournal.
//
// Positions move the same way, one instrument (Instrument: by conid, CUSIP
// or ISIN) per request: TransferPosition between IBKR accounts, TransferFOP
// and TransferDWAC through the DTC, TransferComplexAsset with institutions
// abroad, and TransferAccount brings a whole account by ACATS or ATON.
// TransferBrokers, FindTransferBroker and FindComplexAssetTransferBroker
// check a broker against IBKR's lists before anything moves.
//
// Accounts: Register and RegisterApplication open accounts, UploadDocuments
// attaches documents built by NewDocument, AccountStatus, PendingTasks and
// WaitForAccountOpen follow the application, AccountStatuses and
// LoginMessages page through listings as iter.Seq2, and UpdateAccount
// sends typed maintenance requests (close, abandon, reset, permissions,
// tax forms, ...). Statement, TaxDocument and TradeConfirmations stream
// documents to an io.Writer; CreateSSOSession and DeepLink open IBKR's
// portal, CreateSSOToken starts a session by token; VerifyRestrictions
// and ApplyRestrictions check and apply trading-restriction lists; Echo
// and EchoSigned prove the token and the signing key are accepted;
// Client.NewCallbackHandler turns IBKR's notifications into typed events
// that can also wake waiters (Notifier).
//
// # Callbacks are hints
//
// IBKR documents no authentication for its callback notifications: anyone
// who learns the callback URL can POST a well-formed notification saying a
// deposit was PROCESSED. Never act on a notification alone; confirm the
// outcome with a query (InstructionStatus, RequestStatus, AccountStatus).
// Client.NewCallbackHandler does exactly that before calling the
// application (CallbackEvent.Confirmed) and drops notifications IBKR does
// not confirm; the package-level NewCallbackHandler hands over unconfirmed
// events and suits only code that treats each one as "go and look".
//
// Every workflow validates its input locally first (routing numbers,
// amounts and their decimals, currencies, names, dates, account ids) and
// reports a problem as an *InputError naming the field, with nothing sent.
// The package ibkrtest runs a faithful local sandbox for tests;
// sandbox.NewClient(t) (package ibkrtest/sandbox) returns a client wired
// to one in a single line.
//
// # Exactly once
//
// Money never moves twice, and no request is lost silently. Every facade
// call that changes something at IBKR (linking, verifying or deleting a
// bank instruction, deposits, withdrawals, transfers, cancellations) goes
// the same way:
//
//  1. The request is validated locally; a bad field is an *InputError
//     naming it, and nothing is sent.
//  2. Its clientInstructionId is allocated before anything is sent, or
//     taken from the request's ClientInstructionID field (an id used
//     before is refused as ErrInstructionIDReused unless the call carries
//     WithResume). The result (*Instruction) and every error from here on
//     carry it: InstructionIDOf(err) returns it.
//  3. With a Journal (WithJournal for the client, WithCallJournal for one
//     call), the intent is recorded before sending and the outcome after;
//     a journal that refuses the intent stops the call before sending.
//  4. The request is sent once. The client never resends it blindly and
//     never with a new id: a lost answer or a 5xx is reconciled (below);
//     a 429 is resumed after a wait, looking the id up first, and sent
//     again, with its same id, only if IBKR never received it; an answer
//     that arrives but cannot be read is settled by a lookup.
//  5. An instruction IBKR answers (or is found) REJECTED is a
//     *RejectedError; a request IBKR refuses is an *APIError; one whose
//     fate is unknown is an *OutcomeUnknownError; one that never left is a
//     *RequestError, and is safe to send again.
//
// After a crash, ReconcileJournal settles what the journal still holds as
// pending, by the same rules; an *OutcomeUnknownError is settled by
// sending the same request again with its same id and WithResume.
//
// # Reconciliation
//
// A state-changing request (one whose operation is not read-only) whose
// outcome is unknown (the answer was lost: a timeout, a connection reset
// after the request was written, the caller's context ending in flight;
// or IBKR answered 5xx) and whose body carries a single
// instruction.clientInstructionId is reconciled:
//
//  1. The id is looked up: GET /gw/api/v1/client-instructions/{id}, a
//     read-only call retried per the RetryPolicy.
//  2. Found: IBKR has the instruction. That result is returned as the
//     operation's own success answer (the 2xx the spec declares for it,
//     202 for most instructions), marked so that Reconciled(resp) and
//     Instruction.Reconciled report it. The instruction's status inside
//     (PENDING, PROCESSED, REJECTED, ...) is IBKR's.
//  3. Not found (404): IBKR never received it. The very same body is sent
//     again with the same id (IBKR refuses a reused id, so at most one
//     copy can take effect), at most RetryPolicy.MaxResends times,
//     reconciling again after each unknown outcome. A resend IBKR refuses
//     (4xx) is looked up once more, in case the first copy arrived after
//     all; if that lookup fails, the outcome is unknown (step 4), not the
//     refusal.
//  4. Anything else (the lookup fails, resends are exhausted, or the
//     caller's context has ended, which allows one lookup but no resend):
//     the error matches ErrOutcomeUnknown and is an *OutcomeUnknownError
//     carrying the id. Reconcile later with the same id; never resend with
//     a new one.
//
// A call with WithResume starts at step 1: it looks the id up first and
// sends only if IBKR never received it. The facade's bulk calls
// (BulkExternalCashTransfers and the others) do the same item by item:
// each item is looked up by its own id, and only the items IBKR never
// received are sent again, with their same ids, in one request (see
// BulkResult). Bulk bodies sent through Raw() and state-changing
// requests without an id are not reconciled automatically: an unknown
// outcome is an *OutcomeUnknownError with the request's ids, if any. A request that certainly never left
// (dial or DNS failure) is reported as such, not as unknown. 4xx answers
// are definite and come back as *APIError. Read-only queries that carry a
// clientInstructionId get a fresh id on every retry, since IBKR refuses a
// reused id even for queries.
//
// # Retries
//
// One RetryPolicy governs every retry: read-only requests (GETs, queries,
// the token request) are retried after a network error or a 429, 502, 503
// or 504, with exponential backoff and full jitter, honouring Retry-After,
// within a client-wide budget; state-changing requests are reconciled
// instead. The policy is set per client (WithRetryPolicy), per operation
// (WithOperationRetry) and per call (WithCallRetry), each overriding the
// one before field by field.
//
// # Calls and options
//
// Each facade method describes its request to the client's pipeline in
// one typed value: the operation (from the table generated from the
// spec), the generated request builder, the body, the clientInstructionId
// and the per-call options (CallOption: WithResume, WithCallJournal,
// WithCallRetry). Nothing is carried in the context. Raw() is the escape
// hatch to every generated operation and the one path on which the client
// identifies the operation from the URL and the ids from the body; it
// takes the same options. WithObserver reports every call (operation,
// status, attempts, retries, rate-limit wait, reconciliation, unknown
// outcome, clientInstructionId; never a secret) to a CallObserver, the
// hook for tracing and metrics; package ibkrotel is one for
// OpenTelemetry, kept apart so that programs not using it do not link it.
//
// # Errors
//
// The error types live in one file. Non-2xx answers are *APIError; local
// refusals are *InputError; a maintenance window is *MaintenanceError; a
// request that never left is *RequestError; a state-changing request
// whose outcome is unknown is *OutcomeUnknownError; a rejected instruction
// is *RejectedError; a waiter out of time is *WaitTimeoutError. Those of a
// call embed CallInfo (operation and clientInstructionId). All of them
// match the package's sentinels (ErrInvalidInput, ErrUnauthorized,
// ErrForbidden, ErrNotFound, ErrRateLimited, ErrMaintenance, ErrRejected,
// ErrOutcomeUnknown, ErrServer, ErrBadRequest, ErrTimeout) with errors.Is.
// Errors and logs never carry tokens, assertions, keys, bank account
// numbers or tax ids.
package ibkr
