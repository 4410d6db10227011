package ibkr

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// EDDADeposit pulls HKD or CNH into an IBKR account through an eDDA
// authorisation with a Hong Kong bank (DEPOSIT by eDDA). The
// authorisation (AddEDDAInstruction) must be PROCESSED. IBKR answers
// PENDING; wait for the money with WaitForInstruction.
type EDDADeposit struct {
	// ClientInstructionID is optional, as in ACHDeposit.
	ClientInstructionID ID
	// AccountID is the IBKR account credited.
	AccountID string
	// InstructionName is the eDDA authorisation's name.
	InstructionName string
	// Amount is the amount, greater than zero, at most two decimals.
	Amount Decimal
	// Currency is HKD or CNH (required; the authorisation's currency).
	Currency Currency
	// Recurring, when set, makes the deposit repeat.
	Recurring *Recurrence
}

// Validate checks the deposit without sending anything (see
// ACHDeposit.Validate about the clock).
func (r EDDADeposit) Validate() error { return r.validate(time.Now()) }

func (r EDDADeposit) validate(now time.Time) error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	if err := ValidateInstructionName("bankInstructionName", r.InstructionName, MaxTransferInstructionNameLen); err != nil {
		return err
	}
	if err := validateMethodCurrency("bankInstructionMethod", "currency", MethodEDDA, true, r.Currency); err != nil {
		return err
	}
	if err := ValidateAmount("amount", r.Amount, r.Currency); err != nil {
		return err
	}
	return validateRecurrence(r.Recurring, now)
}

// DepositEDDA submits an eDDA deposit.
func (c *Client) DepositEDDA(ctx context.Context, r EDDADeposit, opts ...CallOption) (*Instruction, error) {
	return c.submitRequest(ctx, r, opts)
}

// instruction validates r and describes it as the instruction DepositEDDA
// and the bulk calls send.
func (r EDDADeposit) instruction(now time.Time) (instructionCall, error) {
	if err := r.validate(now); err != nil {
		return instructionCall{}, err
	}
	summary := fmt.Sprintf("eDDA deposit of %s %s to %s from %q", r.Amount, r.Currency, r.AccountID, r.InstructionName) + depositExtras(r.Recurring, nil)
	return instructionCall{
		op: opExternalCash, itype: "DEPOSIT", account: r.AccountID, amount: r.Amount, currency: string(r.Currency),
		summary: summary, cid: r.ClientInstructionID,
		body: func(cid ID) any {
			return gen.DepositFundsInstruction{
				ClientInstructionId:        cid,
				AccountId:                  r.AccountID,
				Amount:                     r.Amount,
				Currency:                   string(r.Currency),
				BankInstructionMethod:      gen.DepositFundsInstructionBankInstructionMethodEDDA,
				BankInstructionName:        optional(r.InstructionName),
				RecurringInstructionDetail: recurrenceDetail(r.Recurring),
			}
		},
	}, nil
}

// OpenBankingProvider is the service an open-banking deposit goes
// through (openBanking.serviceProvider).
type OpenBankingProvider string

// Open-banking providers.
const (
	// Plaid is the only provider IBKR names (the default).
	Plaid OpenBankingProvider = "PLAID"
)

// MaxLinkDisplayNameLen bounds the name the provider's consent screen
// shows (linkDisplayName).
const MaxLinkDisplayNameLen = 100

// OpenBankingDeposit pulls money from the account holder's bank through
// an open-banking provider (DEPOSIT by OPEN_BANKING). IBKR answers
// PENDING; the holder authorises the payment with the provider, after
// which the money arrives (WaitForInstruction) or, when the holder
// declines, the deposit ends REJECTED.
type OpenBankingDeposit struct {
	// ClientInstructionID is optional, as in ACHDeposit.
	ClientInstructionID ID
	// AccountID is the IBKR account credited.
	AccountID string
	// Amount is the amount, greater than zero, within the currency's
	// decimals.
	Amount Decimal
	// Currency is the deposit's currency (required).
	Currency Currency
	// Provider is Plaid (the default when empty).
	Provider OpenBankingProvider
	// InstructionName optionally names a saved open-banking instruction
	// (at most 150 characters).
	InstructionName string
	// RedirectURI is where the provider sends the holder when done
	// (completionRedirectUri; optional): an absolute https URL, or any
	// absolute URI when MobileApp is set.
	RedirectURI string
	// DisplayName is the name the provider's consent screen shows
	// (linkDisplayName; optional, at most 100 printable characters).
	DisplayName string
	// MobileApp says the holder authorises from a mobile app
	// (isMobileApp).
	MobileApp bool
}

func (r OpenBankingDeposit) provider() OpenBankingProvider {
	if r.Provider == "" {
		return Plaid
	}
	return r.Provider
}

// Validate checks the deposit without sending anything.
func (r OpenBankingDeposit) Validate() error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	if err := validateMethodCurrency("bankInstructionMethod", "currency", MethodOpenBanking, true, r.Currency); err != nil {
		return err
	}
	if err := ValidateAmount("amount", r.Amount, r.Currency); err != nil {
		return err
	}
	if r.provider() != Plaid {
		return invalid("openBanking.serviceProvider", "must be PLAID")
	}
	if r.InstructionName != "" {
		if err := ValidateInstructionName("bankInstructionName", r.InstructionName, MaxTransferInstructionNameLen); err != nil {
			return err
		}
	}
	if r.DisplayName != "" {
		if err := ValidateInstructionName("openBanking.plaidOptions.linkDisplayName", r.DisplayName, MaxLinkDisplayNameLen); err != nil {
			return err
		}
	}
	if r.RedirectURI != "" {
		const field = "openBanking.plaidOptions.completionRedirectUri"
		u, err := url.Parse(r.RedirectURI)
		switch {
		case err != nil || !u.IsAbs() || u.Host == "" && u.Opaque != "":
			return invalid(field, "must be an absolute URI")
		case !r.MobileApp && (u.Scheme != "https" || u.Host == ""):
			return invalid(field, "must be an https URL (a custom scheme needs MobileApp)")
		case u.User != nil:
			return invalid(field, "must not carry credentials")
		}
	}
	return nil
}

// DepositOpenBanking submits an open-banking deposit.
func (c *Client) DepositOpenBanking(ctx context.Context, r OpenBankingDeposit, opts ...CallOption) (*Instruction, error) {
	return c.submitRequest(ctx, r, opts)
}

// instruction validates r and describes it as the instruction DepositOpenBanking
// and the bulk calls send.
func (r OpenBankingDeposit) instruction(time.Time) (instructionCall, error) {
	if err := r.Validate(); err != nil {
		return instructionCall{}, err
	}
	return instructionCall{
		op: opExternalCash, itype: "DEPOSIT", account: r.AccountID, amount: r.Amount, currency: string(r.Currency),
		summary: fmt.Sprintf("open-banking deposit of %s %s to %s through %s", r.Amount, r.Currency, r.AccountID, r.provider()),
		cid:     r.ClientInstructionID,
		body: func(cid ID) any {
			x := gen.DepositFundsInstruction{
				ClientInstructionId:   cid,
				AccountId:             r.AccountID,
				Amount:                r.Amount,
				Currency:              string(r.Currency),
				BankInstructionMethod: gen.DepositFundsInstructionBankInstructionMethodOPENBANKING,
				BankInstructionName:   optional(r.InstructionName),
			}
			x.OpenBanking = newOf(x.OpenBanking)
			x.OpenBanking.ServiceProvider = gen.DepositFundsInstructionOpenBankingServiceProvider(r.provider())
			if r.RedirectURI != "" || r.DisplayName != "" || r.MobileApp {
				x.OpenBanking.PlaidOptions = newOf(x.OpenBanking.PlaidOptions)
				x.OpenBanking.PlaidOptions.CompletionRedirectUri = optional(r.RedirectURI)
				x.OpenBanking.PlaidOptions.LinkDisplayName = optional(r.DisplayName)
				if r.MobileApp {
					x.OpenBanking.PlaidOptions.IsMobileApp = &r.MobileApp
				}
			}
			return x
		},
	}, nil
}
