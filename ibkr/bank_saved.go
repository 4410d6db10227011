package ibkr

import (
	"context"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// BankMethod is a kind of saved bank instruction, as the saved-instruction
// query and deletion name them (IBKR's bankInstructionMethod).
type BankMethod string

// Bank instruction methods.
const (
	// BankMethodACH: ACH instructions (US and Canadian).
	BankMethodACH BankMethod = "ACH"
	// BankMethodWire: wire instructions.
	BankMethodWire BankMethod = "WIRE"
	// BankMethodSEPA: SEPA instructions.
	BankMethodSEPA BankMethod = "SEPA"
	// BankMethodEDDA: eDDA authorisations (Hong Kong).
	BankMethodEDDA BankMethod = "eDDA"
)

func (m BankMethod) queryable() bool {
	switch m {
	case BankMethodACH, BankMethodWire, BankMethodSEPA, BankMethodEDDA:
		return true
	}
	return false
}

// SavedBankInstruction is a bank instruction on file, as
// QUERY_BANK_INSTRUCTION lists it.
type SavedBankInstruction struct {
	// InstructionName is the instruction's name (bankInstructionName).
	InstructionName string
	// Method is the instruction's kind, e.g. "ACH".
	Method string
	// Currency is the instruction's currency.
	Currency Currency
	// Status is its state, e.g. PROCESSED or PENDING_VERIFICATION.
	Status InstructionStatus
	// AccountNumber is the bank account number masked to its last four
	// digits (****1234).
	AccountNumber string
	// RoutingNumber is the bank's routing number, when IBKR reports it.
	RoutingNumber string
}

// BankInstructions lists an account's saved bank instructions of one
// method (QUERY_BANK_INSTRUCTION).
func (c *Client) BankInstructions(ctx context.Context, accountID string, method BankMethod) ([]SavedBankInstruction, error) {
	if err := ValidateAccountID("accountId", accountID); err != nil {
		return nil, err
	}
	if !method.queryable() {
		return nil, invalid("bankInstructionMethod", "must be ACH, WIRE, SEPA or eDDA")
	}
	var res gen.QueryBankInstructionResult
	if _, err := c.query(ctx, opBankInstructionsQuery, "QUERY_BANK_INSTRUCTION", map[string]any{"accountId": accountID, "bankInstructionMethod": method}, &res); err != nil {
		return nil, err
	}
	out := make([]SavedBankInstruction, 0, len(res.BankInstructionDetails))
	for _, d := range res.BankInstructionDetails {
		out = append(out, SavedBankInstruction{
			InstructionName: d.InstructionName, Method: d.Type, Currency: Currency(d.Currency), Status: InstructionStatus(d.InstructionStatus),
			AccountNumber: maskAccount(d.BankAccountNumber), RoutingNumber: d.BankRoutingNumber,
		})
	}
	return out, nil
}

// maskAccount keeps at most the last four digits of an account number as
// IBKR reported it (IBKR already masks; this makes sure).
func maskAccount(s string) string {
	if s == "" {
		return ""
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		}
	}
	if digits <= 4 {
		return s
	}
	return redact(s)
}

// BankInstructionDeletion removes a saved bank instruction
// (DELETE_BANK_INSTRUCTION), found by name, method and currency; it frees
// one of the account's six slots.
type BankInstructionDeletion struct {
	// ClientInstructionID is optional: leave it zero to have one
	// allocated; set it (with WithResume) to resume a request sent
	// before.
	ClientInstructionID ID
	// AccountID is the IBKR account.
	AccountID string
	// InstructionName is the instruction's name.
	InstructionName string
	// Method is BankMethodACH or BankMethodWire.
	Method BankMethod
	// Currency is the instruction's currency (USD when empty).
	Currency Currency
}

func (r BankInstructionDeletion) currency() Currency {
	if r.Currency == "" {
		return USD
	}
	return r.Currency
}

// Validate checks the deletion without sending anything.
func (r BankInstructionDeletion) Validate() error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	if err := ValidateInstructionName("bankInstructionName", r.InstructionName, MaxBankInstructionNameLen); err != nil {
		return err
	}
	if r.Method != BankMethodACH && r.Method != BankMethodWire {
		return invalid("bankInstructionMethod", "must be ACH or WIRE")
	}
	return ValidateCurrency("currency", r.currency())
}

// DeleteBankInstruction deletes a saved bank instruction.
func (c *Client) DeleteBankInstruction(ctx context.Context, r BankInstructionDeletion, opts ...CallOption) (*Instruction, error) {
	return c.submitRequest(ctx, r, opts)
}

// instruction validates r and describes it as the instruction DeleteBankInstruction
// and the bulk calls send.
func (r BankInstructionDeletion) instruction(time.Time) (instructionCall, error) {
	if err := r.Validate(); err != nil {
		return instructionCall{}, err
	}
	return instructionCall{
		op: opBankInstructions, itype: "DELETE_BANK_INSTRUCTION", account: r.AccountID, currency: string(r.currency()),
		summary: fmt.Sprintf("delete %s %s bank instruction %q of %s", r.Method, r.currency(), r.InstructionName, r.AccountID),
		cid:     r.ClientInstructionID,
		body: func(cid ID) any {
			return gen.DeleteBankInstruction{
				ClientInstructionId:   cid,
				AccountId:             r.AccountID,
				BankInstructionMethod: gen.DeleteBankInstructionBankInstructionMethod(r.Method),
				BankInstructionName:   r.InstructionName,
				Currency:              string(r.currency()),
			}
		},
	}, nil
}
