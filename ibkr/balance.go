package ibkr

import (
	"context"

	"github.com/ibkrweb/ibkr-go/gen"
)

// Balance is an account's cash position in one currency, as IBKR's
// balances query (QUERY_WITHDRAWABLE_CASH_EQUITY) reports it.
type Balance struct {
	// AccountID and Currency say whose and which.
	AccountID string
	Currency  Currency
	// WithdrawableCash is the cash that can be withdrawn now.
	WithdrawableCash Decimal
	// AvailableEquity is the equity available in the account.
	AvailableEquity Decimal
}

// Balance queries an account's balance in one currency.
func (c *Client) Balance(ctx context.Context, accountID string, currency Currency) (*Balance, error) {
	var res gen.QueryWithdrawableCashEquityResult
	if err := c.accountCurrencyQuery(ctx, opBalancesQuery, "QUERY_WITHDRAWABLE_CASH_EQUITY", accountID, currency, &res); err != nil {
		return nil, err
	}
	return &Balance{AccountID: orString(res.AccountId, accountID), Currency: Currency(orString(res.Currency, string(currency))),
		WithdrawableCash: res.WithdrawableCashAmount, AvailableEquity: res.AvailableEquityValue}, nil
}

// WithdrawableCash is what IBKR's withdrawable-funds query
// (QUERY_WITHDRAWABLE_FUNDS) reports for an account and currency. Which
// fields IBKR fills depends on the kind of account.
type WithdrawableCash struct {
	AccountID string
	Currency  Currency
	// Amount is the cash available for withdrawal with a margin loan;
	// AmountNoBorrow without one (fully disclosed and advisor clients).
	Amount, AmountNoBorrow Decimal
	// ToMaster and ToMasterNoBorrow are what may move to the master
	// account (non-disclosed clients).
	ToMaster, ToMasterNoBorrow Decimal
	// WithoutOriginHold and WithoutOriginHoldNoBorrow are the amounts
	// available without an origination hold, when reported.
	WithoutOriginHold, WithoutOriginHoldNoBorrow Decimal
}

// WithdrawableCash queries how much cash an account can withdraw in one
// currency.
func (c *Client) WithdrawableCash(ctx context.Context, accountID string, currency Currency) (*WithdrawableCash, error) {
	var res gen.QueryWithdrawableAmountsInstructionResult
	var hold gen.QueryWithdrawableAmountsWithoutOriginHoldResult
	if err := c.accountCurrencyQuery(ctx, opExternalCashQuery, "QUERY_WITHDRAWABLE_FUNDS", accountID, currency, &res, &hold); err != nil {
		return nil, err
	}
	return &WithdrawableCash{
		AccountID: orString(res.AccountId, accountID), Currency: Currency(orString(res.Currency, string(currency))),
		Amount: res.WithdrawableAmount, AmountNoBorrow: res.WithdrawableAmountNoBorrow,
		ToMaster: res.AllowedTransferAmountToMaster, ToMasterNoBorrow: res.AllowedTransferAmountToMasterNoBorrow,
		WithoutOriginHold: hold.WithdrawableAmountWithoutOriginationHold, WithoutOriginHoldNoBorrow: hold.WithdrawableAmountWithoutOriginationHoldNoBorrow,
	}, nil
}

// accountCurrencyQuery checks an account id and a currency before a byte
// is sent, then runs the query itype about them, decoding its answer into
// out.
func (c *Client) accountCurrencyQuery(ctx context.Context, q instructionOp, itype, accountID string, currency Currency, out ...any) error {
	if err := ValidateAccountID("accountId", accountID); err != nil {
		return err
	}
	if err := ValidateCurrency("currency", currency); err != nil {
		return err
	}
	_, err := c.query(ctx, q, itype, map[string]any{"accountId": accountID, "currency": currency}, out...)
	return err
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
