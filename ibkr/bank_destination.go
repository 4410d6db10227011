package ibkr

import (
	"context"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// Documented bounds of wire destination and eDDA fields.
const (
	// MaxInstitutionNameLen bounds a financial institution's name.
	MaxInstitutionNameLen = 100
	// MaxDestinationAccountLen bounds the account number at the
	// institution (clientAccountId, bankAccountNumber).
	MaxDestinationAccountLen = 32
	// MaxBranchCodeLen bounds a wire destination's branch code.
	MaxBranchCodeLen = 32
	// maxDestinationAccountIDLen: the destination schema's accountId is
	// shorter than elsewhere.
	maxDestinationAccountIDLen = 10
)

// InstitutionIDType says what kind of code identifies a destination bank.
type InstitutionIDType string

// Institution id types.
const (
	// BIC is a SWIFT Bank Identifier Code: 8 or 11 letters and digits.
	BIC InstitutionIDType = "BIC"
	// IFSC is an Indian Financial System Code: 4 letters, a zero, 6
	// letters or digits.
	IFSC InstitutionIDType = "IFSC"
)

// BranchCodeType says what a destination's branch code is.
type BranchCodeType string

// Branch code types.
const (
	BranchCodeNone BranchCodeType = "NONE"
	// BranchCodeBSB is an Australian bank state branch code.
	BranchCodeBSB BranchCodeType = "BSB_AUD"
	// BranchCodeCAD is a Canadian bank code.
	BranchCodeCAD BranchCodeType = "BANK_CODE_CAD"
)

// WireDestination saves a standing destination for wire withdrawals
// (PREDEFINED_DESTINATION_INSTRUCTION, bankInstructionMethod WIRE), or,
// with Method MethodSEPA, for SEPA withdrawals in EUR to an IBAN. Its
// String and log forms show the account number as ****1234.
type WireDestination struct {
	// ClientInstructionID is optional: leave it zero to have one
	// allocated; set it (with WithResume) to resume a request sent
	// before.
	ClientInstructionID ID
	// AccountID is the IBKR account.
	AccountID string
	// InstructionName names the instruction (1 to 100 characters); withdrawals refer
	// to it.
	InstructionName string
	// Currency is the destination's currency.
	Currency Currency
	// BankName names the financial institution (1 to 100 characters).
	BankName string
	// BankAccount is the account number at the institution (1 to 32
	// characters). A secret: never logged or journaled.
	BankAccount Secret
	// Identifier identifies the institution: a BIC (the default type) or
	// an IFSC.
	Identifier string
	// IdentifierType is BIC (the default when empty) or IFSC.
	IdentifierType InstitutionIDType
	// BranchCode and BranchCodeType are optional.
	BranchCode     string
	BranchCodeType BranchCodeType
	// Method is MethodWire (the default when empty) or MethodSEPA. A
	// SEPA destination is in EUR, BankAccount is its IBAN (sent without
	// the spaces between groups) and Identifier the bank's BIC.
	Method TransferMethod
}

func (r WireDestination) method() TransferMethod {
	if r.Method == "" {
		return MethodWire
	}
	return r.Method
}

// String describes the destination without its account number.
func (r WireDestination) String() string {
	return fmt.Sprintf("%s destination %q of %s: %s %s account %s", r.method(), r.InstructionName, r.AccountID, r.BankName, r.Identifier, r.BankAccount)
}

func (r WireDestination) idType() InstitutionIDType {
	if r.IdentifierType == "" {
		return BIC
	}
	return r.IdentifierType
}

// Validate checks the destination without sending anything.
func (r WireDestination) Validate() error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	if len(r.AccountID) > maxDestinationAccountIDLen {
		return inputErr("accountId", ErrAccountID, "must be at most %d characters for a wire destination", maxDestinationAccountIDLen)
	}
	if err := ValidateInstructionName("bankInstructionName", r.InstructionName, MaxBankInstructionNameLen); err != nil {
		return err
	}
	if m := r.method(); m != MethodWire && m != MethodSEPA {
		return invalid("bankInstructionMethod", "must be WIRE or SEPA")
	}
	if err := validateMethodCurrency("bankInstructionMethod", "currency", r.method(), false, r.Currency); err != nil {
		return err
	}
	if err := ValidateInstructionName("financialInstitution.name", r.BankName, MaxInstitutionNameLen); err != nil {
		return err
	}
	if err := validateAccountField("financialInstitution.clientAccountId", r.BankAccount.Reveal(), MaxDestinationAccountLen); err != nil {
		return err
	}
	if r.method() == MethodSEPA {
		if err := ValidateIBAN("financialInstitution.clientAccountId", r.BankAccount.Reveal()); err != nil {
			return err
		}
		if r.idType() != BIC {
			return invalid("financialInstitution.identifierType", "a SEPA destination's bank is named by its BIC")
		}
	}
	switch r.idType() {
	case BIC:
		if !validBIC(r.Identifier) {
			return invalid("financialInstitution.identifier", "not a BIC: 8 or 11 upper-case letters and digits, letters first")
		}
	case IFSC:
		if !validIFSC(r.Identifier) {
			return invalid("financialInstitution.identifier", "not an IFSC: 4 letters, a zero, then 6 letters or digits")
		}
	default:
		return invalid("financialInstitution.identifierType", "must be BIC or IFSC")
	}
	switch r.BranchCodeType {
	case "", BranchCodeNone, BranchCodeBSB, BranchCodeCAD:
	default:
		return invalid("financialInstitution.branchCodeType", "must be NONE, BSB_AUD or BANK_CODE_CAD")
	}
	if r.BranchCode != "" {
		if err := ValidateInstructionName("financialInstitution.branchCode", r.BranchCode, MaxBranchCodeLen); err != nil {
			return err
		}
	}
	return nil
}

// validateAccountField checks an account number at a non-US bank: 1 to
// max letters, digits, spaces or dashes. It never repeats the value.
func validateAccountField(field, s string, maxLen int) error {
	if s == "" {
		return inputErr(field, ErrBankAccountNumber, "is required")
	}
	if len(s) > maxLen {
		return inputErr(field, ErrBankAccountNumber, "must be at most %d characters (got %d)", maxLen, len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == ' ') {
			return inputErr(field, ErrBankAccountNumber, "must hold letters, digits, spaces or dashes only")
		}
	}
	return nil
}

func validBIC(s string) bool {
	if len(s) != 8 && len(s) != 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		if i < 6 && !letter || !letter && !digit {
			return false
		}
	}
	return true
}

func validIFSC(s string) bool {
	if len(s) != 11 || s[4] != '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		if i < 4 && !letter || !letter && !digit {
			return false
		}
	}
	return true
}

// AddWireDestination saves a wire withdrawal destination. IBKR processes
// it at once (PROCESSED); an account holds at most six active bank
// instructions.
func (c *Client) AddWireDestination(ctx context.Context, r WireDestination, opts ...CallOption) (*Instruction, error) {
	return c.submitRequest(ctx, r, opts)
}

// instruction validates r and describes it as the instruction AddWireDestination
// and the bulk calls send.
func (r WireDestination) instruction(time.Time) (instructionCall, error) {
	if err := r.Validate(); err != nil {
		return instructionCall{}, err
	}
	return instructionCall{
		op: opBankInstructions, itype: "PREDEFINED_DESTINATION_INSTRUCTION", account: r.AccountID, currency: string(r.Currency),
		summary: r.String(), secret: true, cid: r.ClientInstructionID,
		body: func(cid ID) any {
			x := gen.PredefinedDestinationInstruction{
				ClientInstructionId:   cid,
				AccountId:             r.AccountID,
				BankInstructionMethod: gen.PredefinedDestinationInstructionBankInstructionMethod(r.method()),
				BankInstructionName:   r.InstructionName,
				Currency:              string(r.Currency),
			}
			x.FinancialInstitution.Name = r.BankName
			x.FinancialInstitution.ClientAccountId = r.BankAccount.Reveal()
			if r.method() == MethodSEPA {
				x.FinancialInstitution.ClientAccountId = compactIBAN(r.BankAccount.Reveal())
			}
			x.FinancialInstitution.Identifier = r.Identifier
			x.FinancialInstitution.IdentifierType = gen.PredefinedDestinationInstructionFinancialInstitutionIdentifierType(r.idType())
			x.FinancialInstitution.BranchCode = optional(r.BranchCode)
			if r.BranchCodeType != "" {
				t := gen.PredefinedDestinationInstructionFinancialInstitutionBranchCodeType(r.BranchCodeType)
				x.FinancialInstitution.BranchCodeType = &t
			}
			return x
		},
	}, nil
}

// EDDADocumentType is the identity document of an eDDA debtor.
type EDDADocumentType string

// eDDA identity documents.
const (
	EDDAHongKongID         EDDADocumentType = "hkId"
	EDDAPassport           EDDADocumentType = "passport"
	EDDAChinaID            EDDADocumentType = "chinaId"
	EDDAHKMacaoEntryPermit EDDADocumentType = "hkMacaoEntryPermit"
)

// EDDAInstruction sets up an electronic direct debit authorisation with a
// Hong Kong bank (EDDA_INSTRUCTION), in HKD or CNH. Bank and clearing codes
// come from IBKR's participating banks. Its String and log forms show the
// account number as ****1234.
type EDDAInstruction struct {
	// ClientInstructionID is optional, as in WireDestination.
	ClientInstructionID ID
	// AccountID is the IBKR account.
	AccountID string
	// InstructionName names the instruction (1 to 100 characters).
	InstructionName string
	// Currency is HKD or CNH.
	Currency Currency
	// BankAccountNumber is the debtor's account (1 to 32 characters). A
	// secret: never logged or journaled.
	BankAccountNumber Secret
	// BranchCode and ClearingCode are the bank's 3-digit codes.
	BranchCode, ClearingCode string
	// DocumentType is the debtor's identity document.
	DocumentType EDDADocumentType
}

// String describes the instruction without its account number.
func (r EDDAInstruction) String() string {
	return fmt.Sprintf("eDDA %q of %s: bank %s/%s account %s", r.InstructionName, r.AccountID, r.ClearingCode, r.BranchCode, r.BankAccountNumber)
}

// Validate checks the instruction without sending anything.
func (r EDDAInstruction) Validate() error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	if err := ValidateInstructionName("bankInstructionName", r.InstructionName, MaxBankInstructionNameLen); err != nil {
		return err
	}
	if err := ValidateCurrency("currency", r.Currency); err != nil {
		return err
	}
	if r.Currency != HKD && r.Currency != CNH {
		return inputErr("currency", ErrUnknownCurrency, "eDDA moves HKD or CNH only (got %s)", r.Currency)
	}
	if err := validateAccountField("bankAccountNumber", r.BankAccountNumber.Reveal(), MaxDestinationAccountLen); err != nil {
		return err
	}
	if !threeDigits(r.BranchCode) {
		return invalid("bankBranchCode", "must be 3 digits")
	}
	if !threeDigits(r.ClearingCode) {
		return invalid("bankClearingCode", "must be 3 digits")
	}
	switch r.DocumentType {
	case EDDAHongKongID, EDDAPassport, EDDAChinaID, EDDAHKMacaoEntryPermit:
	default:
		return invalid("debtorIdentificationDocumentType", "must be hkId, passport, chinaId or hkMacaoEntryPermit")
	}
	return nil
}

func threeDigits(s string) bool {
	return len(s) == 3 && allDigitsASCII(s)
}

func allDigitsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// AddEDDAInstruction submits an eDDA authorisation. IBKR answers PENDING
// and processes it within minutes (wait with WaitForInstruction).
func (c *Client) AddEDDAInstruction(ctx context.Context, r EDDAInstruction, opts ...CallOption) (*Instruction, error) {
	return c.submitRequest(ctx, r, opts)
}

// instruction validates r and describes it as the instruction AddEDDAInstruction
// and the bulk calls send.
func (r EDDAInstruction) instruction(time.Time) (instructionCall, error) {
	if err := r.Validate(); err != nil {
		return instructionCall{}, err
	}
	return instructionCall{
		op: opBankInstructions, itype: "EDDA_INSTRUCTION", account: r.AccountID, currency: string(r.Currency),
		summary: r.String(), secret: true, cid: r.ClientInstructionID,
		body: func(cid ID) any {
			return gen.EddaInstruction{
				ClientInstructionId:              cid,
				AccountId:                        r.AccountID,
				BankInstructionName:              r.InstructionName,
				Currency:                         string(r.Currency),
				BankAccountNumber:                r.BankAccountNumber.Reveal(),
				BankBranchCode:                   r.BranchCode,
				BankClearingCode:                 r.ClearingCode,
				DebtorIdentificationDocumentType: gen.EddaInstructionDebtorIdentificationDocumentType(r.DocumentType),
			}
		},
	}, nil
}
