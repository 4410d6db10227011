package ibkr

import (
	"context"
	"errors"
	"slices"
	"sync"
)

// BalanceTotal is an account's cash position across currencies: one
// balances query per currency, gathered by TotalBalance.
type BalanceTotal struct {
	// AccountID is the account.
	AccountID string
	// BaseCurrency is the account's base currency, from its details; ""
	// when the client may not read them (no accounts.read scope).
	BaseCurrency Currency
	// Balances are the currencies with non-zero withdrawable cash or
	// available equity, in alphabetical order of currency.
	Balances []Balance
	// TotalCurrency is the currency Total and Withdrawable are in; empty
	// when the balances are in several currencies. IBKR's balances answer
	// carries no exchange rates, so a total is only stated when it needs
	// none: every balance in one currency, usually the base currency. An
	// account holding nothing totals zero in its base currency.
	TotalCurrency Currency
	// Total is the sum of AvailableEquity, Withdrawable the sum of
	// WithdrawableCash, over Balances (exact decimals). Both are zero
	// when TotalCurrency is empty.
	Total, Withdrawable Decimal
}

// Complete reports whether Total states the account's whole position in
// one currency (TotalCurrency).
func (t *BalanceTotal) Complete() bool { return t.TotalCurrency != "" }

// In returns the balance in one currency and whether the account holds
// any.
func (t *BalanceTotal) In(c Currency) (Balance, bool) {
	for _, b := range t.Balances {
		if b.Currency == c {
			return b, true
		}
	}
	return Balance{}, false
}

// totalWorkers bounds the balances queries TotalBalance runs at once; the
// client's rate limit paces them further.
const totalWorkers = 4

// TotalBalance gathers an account's balances across currencies in one
// call: its base currency (AccountDetails, skipped when the client lacks
// the scope) and one balances query (Balance) per currency, every
// currency IBKR funds in (Currencies) unless currencies narrows the list.
// The sum is exact; see BalanceTotal about when a total is stated. Any
// failing query fails the call.
func (c *Client) TotalBalance(ctx context.Context, accountID string, currencies ...Currency) (*BalanceTotal, error) {
	if err := ValidateAccountID("accountId", accountID); err != nil {
		return nil, err
	}
	if len(currencies) == 0 {
		currencies = Currencies()
	} else {
		currencies = slices.Clone(currencies)
		slices.Sort(currencies)
		currencies = slices.Compact(currencies)
		for _, cur := range currencies {
			if err := ValidateCurrency("currency", cur); err != nil {
				return nil, err
			}
		}
	}
	out := &BalanceTotal{AccountID: accountID}
	d, err := c.AccountDetails(ctx, accountID)
	switch {
	case err == nil:
		out.BaseCurrency = d.BaseCurrency
	case !errors.Is(err, ErrForbidden):
		return nil, err
	}
	balances, err := c.balances(ctx, accountID, currencies)
	if err != nil {
		return nil, err
	}
	for _, b := range balances {
		if !b.WithdrawableCash.IsZero() || !b.AvailableEquity.IsZero() {
			out.Balances = append(out.Balances, b)
		}
	}
	if err := out.total(); err != nil {
		return nil, err
	}
	return out, nil
}

// balances runs the balances queries, at most totalWorkers at once, and
// returns them in the order of currencies. The first error stops the
// rest.
func (c *Client) balances(ctx context.Context, accountID string, currencies []Currency) ([]Balance, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]Balance, len(currencies))
	errs := make([]error, len(currencies))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(totalWorkers, len(currencies)) {
		wg.Go(func() {
			for i := range next {
				b, err := c.Balance(ctx, accountID, currencies[i])
				if err != nil {
					errs[i] = err
					cancel()
					continue
				}
				out[i] = *b
			}
		})
	}
feed:
	for i := range currencies {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	// The first failure in currency order; a cancellation it caused in
	// other queries is not the reason.
	var first error
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
		if err != nil && first == nil {
			first = err
		}
	}
	if first == nil {
		first = ctx.Err()
	}
	if first != nil {
		return nil, first
	}
	return out, nil
}

// total fills TotalCurrency, Total and Withdrawable when one currency
// holds everything.
func (t *BalanceTotal) total() error {
	ccy := t.BaseCurrency
	for i, b := range t.Balances {
		if i > 0 && b.Currency != ccy {
			return nil // several currencies: no exact total
		}
		ccy = b.Currency
	}
	var sum, wd Decimal
	for _, b := range t.Balances {
		var err error
		if sum, err = sum.Add(b.AvailableEquity); err == nil {
			wd, err = wd.Add(b.WithdrawableCash)
		}
		if err != nil {
			return &APIError{CallInfo: CallInfo{OperationID: opBalancesQuery.op.ID}, StatusCode: 200, Message: "balances too large to add exactly: " + err.Error()}
		}
	}
	t.TotalCurrency, t.Total, t.Withdrawable = ccy, sum, wd
	return nil
}
