package ibkrtest

// Error codes the sandbox puts in instructionResult.error.errorCode of its
// 422 answers (and of REJECTED instructions). Only
// ERROR_INSTRUCTION_NOT_IN_PENDING_VERIFICATION_STATE is documented by
// IBKR; the others follow its naming and are the sandbox's own.
const (
	CodeDuplicateClientInstructionID = "ERROR_DUPLICATE_CLIENT_INSTRUCTION_ID"
	CodeNotPendingVerification       = "ERROR_INSTRUCTION_NOT_IN_PENDING_VERIFICATION_STATE"
	CodeWithdrawalLimit              = "ERROR_WITHDRAWAL_AMOUNT_EXCEEDS_LIMIT"
	CodeInsufficientFunds            = "ERROR_INSUFFICIENT_FUNDS"
	CodeBankInstructionNotFound      = "ERROR_BANK_INSTRUCTION_NOT_FOUND"
	CodeBankInstructionNotEligible   = "ERROR_BANK_INSTRUCTION_NOT_ELIGIBLE"
	CodeTooManyBankInstructions      = "ERROR_MAX_ACTIVE_BANK_INSTRUCTIONS"
	CodeDuplicateBankInstructionName = "ERROR_DUPLICATE_BANK_INSTRUCTION_NAME"
	CodeInvalidRoutingNumber         = "ERROR_INVALID_BANK_ROUTING_NUMBER"
	CodeInstructionNotFound          = "ERROR_INSTRUCTION_NOT_FOUND"
	CodeNotCancellable               = "ERROR_INSTRUCTION_NOT_CANCELLABLE"
	CodeAccountNotFound              = "ERROR_ACCOUNT_NOT_FOUND"
	CodeAccountNotEligible           = "ERROR_ACCOUNT_NOT_ELIGIBLE"
	CodeUnsupportedCurrency          = "ERROR_UNSUPPORTED_CURRENCY"
	CodeBankVerificationFailed       = "ERROR_BANK_VERIFICATION_FAILED"
	CodeMicroAmountsMismatch         = "ERROR_MICRO_AMOUNTS_MISMATCH"
	CodeVerificationAttemptsExceeded = "ERROR_VERIFICATION_ATTEMPTS_EXCEEDED"
	CodeCancelled                    = "INSTRUCTION_CANCELLED"
)

// MaxActiveBankInstructions is how many active bank instructions an account
// may hold at once.
const MaxActiveBankInstructions = 6

// MaxVerificationAttempts is how many micro-deposit verifications an ACH
// instruction allows before it is rejected.
const MaxVerificationAttempts = 3
