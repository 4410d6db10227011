package ibkr

import (
	"context"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// ACHDirection says which way money may move through a linked bank
// account (IBKR's achType).
type ACHDirection string

// ACH directions.
const (
	// ACHDebitCredit allows deposits (IBKR debits the bank) and
	// withdrawals (IBKR credits it). The default.
	ACHDebitCredit ACHDirection = "DEBIT_CREDIT"
	// ACHDebit allows deposits only.
	ACHDebit ACHDirection = "DEBIT"
	// ACHCredit allows withdrawals only.
	ACHCredit ACHDirection = "CREDIT"
)

// BankAccountType is the kind of US bank account (IBKR's
// bankAccountTypeCode).
type BankAccountType int

// Bank account types.
const (
	// Checking is a checking account (code 1), the default.
	Checking BankAccountType = 1
	// Savings is a savings account (code 2).
	Savings BankAccountType = 2
)

// MaxBankNameLen bounds the bank name sent with an ACH instruction.
const MaxBankNameLen = 100

// BankAccountLink links a US bank account to an IBKR account by ACH
// (ACH_INSTRUCTION, bankInstructionCode USACH, currency USD). Its String
// and log forms show the account number as ****1234.
type BankAccountLink struct {
	// ClientInstructionID is optional: leave it zero to have one
	// allocated; set it (with WithResume) to resume a request sent
	// before.
	ClientInstructionID ID
	// AccountID is the IBKR account, e.g. U1234567.
	AccountID string
	// InstructionName names the instruction (bankInstructionName): 1 to 32
	// printable ASCII characters. Deposits and withdrawals refer to it.
	InstructionName string
	// RoutingNumber is the bank's 9-digit ABA routing number.
	RoutingNumber string
	// AccountNumber is the bank account number, 4 to 17 digits. A
	// secret: never logged, journaled or shown beyond its last four
	// digits.
	AccountNumber Secret
	// AccountType is Checking (the default when zero) or Savings.
	AccountType BankAccountType
	// Direction is ACHDebitCredit (the default when empty), ACHDebit or
	// ACHCredit.
	Direction ACHDirection
	// BankName is the bank's name (1 to 100 characters).
	BankName string
}

// String describes the link without the account number.
func (r BankAccountLink) String() string {
	return fmt.Sprintf("ACH link %q of %s to routing %s account %s", r.InstructionName, r.AccountID, r.RoutingNumber, r.AccountNumber)
}

func (r BankAccountLink) direction() ACHDirection {
	if r.Direction == "" {
		return ACHDebitCredit
	}
	return r.Direction
}

func (r BankAccountLink) accountType() BankAccountType {
	if r.AccountType == 0 {
		return Checking
	}
	return r.AccountType
}

// Validate checks the link as IBKR would, without sending anything: the
// account id, the instruction name (at most 32 characters), the ABA
// routing number (length, Federal Reserve prefix, checksum), the account
// number (4 to 17 digits), the account type, the direction and the bank
// name.
func (r BankAccountLink) Validate() error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	if err := ValidateInstructionName("bankInstructionName", r.InstructionName, MaxACHInstructionNameLen); err != nil {
		return err
	}
	if err := ValidateRoutingNumber(r.RoutingNumber); err != nil {
		return err
	}
	if err := ValidateUSBankAccountNumber(r.AccountNumber.Reveal()); err != nil {
		return err
	}
	switch r.accountType() {
	case Checking, Savings:
	default:
		return invalid("bankAccountTypeCode", "must be Checking (1) or Savings (2)")
	}
	switch r.direction() {
	case ACHDebitCredit, ACHDebit, ACHCredit:
	default:
		return invalid("achType", "must be DEBIT_CREDIT, DEBIT or CREDIT")
	}
	return ValidateInstructionName("bankName", r.BankName, MaxBankNameLen)
}

// LinkBankAccount submits an ACH instruction linking a US bank account.
// IBKR answers PENDING at once (the result carries the clientInstructionId
// and IBKR's instructionId) and decides within 7 to 15 minutes; wait for
// that with WaitForBankVerification. Invalid input is an *InputError and
// nothing is sent.
func (c *Client) LinkBankAccount(ctx context.Context, r BankAccountLink, opts ...CallOption) (*Instruction, error) {
	return c.submitRequest(ctx, r, opts)
}

// instruction validates r and describes it as the instruction LinkBankAccount
// and the bulk calls send.
func (r BankAccountLink) instruction(time.Time) (instructionCall, error) {
	if err := r.Validate(); err != nil {
		return instructionCall{}, err
	}
	return instructionCall{
		op: opBankInstructions, itype: "ACH_INSTRUCTION", account: r.AccountID, currency: string(USD),
		summary: r.String(), secret: true, cid: r.ClientInstructionID,
		body: func(cid ID) any {
			return gen.AchInstruction{
				ClientInstructionId: cid,
				AccountId:           r.AccountID,
				AchType:             gen.AchInstructionAchType(r.direction()),
				BankInstructionCode: "USACH",
				BankInstructionName: r.InstructionName,
				Currency:            string(USD),
				ClientAccountInfo: gen.AchClientAccountInfo{
					BankAccountNumber:   r.AccountNumber.Reveal(),
					BankAccountTypeCode: gen.AchClientAccountInfoBankAccountTypeCode(r.accountType()),
					BankName:            r.BankName,
					BankRoutingNumber:   r.RoutingNumber,
				},
			}
		},
	}, nil
}

// MicroDepositVerification confirms the two small credits IBKR sent to a
// bank account whose ACH instruction is PENDING_VERIFICATION
// (TRADITIONAL_BANK_INSTRUCTION_VERIFICATION).
type MicroDepositVerification struct {
	// ClientInstructionID is optional, as in BankAccountLink.
	ClientInstructionID ID
	// AccountID is the IBKR account.
	AccountID string
	// InstructionName is the ACH instruction's name (as given to LinkBankAccount).
	InstructionName string
	// InstructionID is IBKR's id of the ACH instruction (the
	// InstructionID of LinkBankAccount's result).
	InstructionID InstructionID
	// Amount1 and Amount2 are the two credits, in either order, each a
	// USD amount under 1.00 such as 0.32.
	Amount1, Amount2 Decimal
}

// Validate checks the verification without sending anything.
func (r MicroDepositVerification) Validate() error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	if err := ValidateInstructionName("bankInstructionName", r.InstructionName, MaxACHInstructionNameLen); err != nil {
		return err
	}
	if r.InstructionID.IsZero() {
		return invalid("pendingInstructionId", "is required (the ACH instruction's instructionId)")
	}
	if err := ValidateMicroDepositAmount("creditAmount1", r.Amount1); err != nil {
		return err
	}
	return ValidateMicroDepositAmount("creditAmount2", r.Amount2)
}

// VerifyMicroDeposits submits the two micro-deposit amounts. On a match
// the verification is PROCESSED and so is the ACH instruction. A mismatch
// is a *RejectedError (errors.Is ErrRejected and ErrMicroDepositMismatch)
// whose AttemptsLeft says how many tries remain; IBKR allows three, after
// which the ACH instruction is rejected. An instruction not waiting for
// verification is an *APIError with code
// ERROR_INSTRUCTION_NOT_IN_PENDING_VERIFICATION_STATE.
func (c *Client) VerifyMicroDeposits(ctx context.Context, r MicroDepositVerification, opts ...CallOption) (*Instruction, error) {
	return c.submitRequest(ctx, r, opts)
}

// instruction validates r and describes it as the instruction VerifyMicroDeposits
// and the bulk calls send.
func (r MicroDepositVerification) instruction(time.Time) (instructionCall, error) {
	if err := r.Validate(); err != nil {
		return instructionCall{}, err
	}
	return instructionCall{
		op: opBankInstructions, itype: "TRADITIONAL_BANK_INSTRUCTION_VERIFICATION", account: r.AccountID,
		summary: fmt.Sprintf("micro-deposit verification of %q (instruction %s) of %s", r.InstructionName, r.InstructionID, r.AccountID),
		cid:     r.ClientInstructionID,
		body: func(cid ID) any {
			return gen.TraditionalBankInstructionVerification{
				ClientInstructionId:  cid,
				AccountId:            r.AccountID,
				BankInstructionCode:  "USACH",
				BankInstructionName:  r.InstructionName,
				PendingInstructionId: r.InstructionID.ID,
				CreditAmount1:        r.Amount1,
				CreditAmount2:        r.Amount2,
			}
		},
	}, nil
}
