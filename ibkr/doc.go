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
// RecentInstructions report. WithJournal (or WithCallJournal) records every
// money-moving call so that a restarted process can ReconcileJournal.
//
// Accounts: Register and RegisterApplication open accounts, UploadDocuments
// attaches documents built by NewDocument, AccountStatus, PendingTasks and
// WaitForAccountOpen follow the application, AccountStatuses and
// LoginMessages page through listings as iter.Seq2, and UpdateAccount
// sends typed maintenance requests (close, abandon, reset, permissions,
// tax forms, ...). Statement, TaxDocument and TradeConfirmations stream
// documents to an io.Writer; CreateSSOSession and DeepLink open IBKR's
// portal; Client.NewCallbackHandler turns IBKR's notifications into typed
// events that can also wake waiters (Notifier).
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
