package flex

import (
	"context"
	"io"

	"github.com/ibkrweb/ibkr-go/wire"
)

// Balance is one account's balance as of its statement's date.
type Balance struct {
	AccountID string
	// Currency is the account's base currency, the currency of NAV and
	// Cash.
	Currency string
	// AsOf is the report date of the NAV (the statement's last day).
	AsOf Date
	// NAV is the net asset value in the base currency.
	NAV wire.Decimal
	// Cash is the cash of every currency together, in the base currency.
	Cash wire.Decimal
	// CashByCurrency is the ending cash per currency, each in its own
	// currency (never the BASE_SUMMARY row).
	CashByCurrency map[string]wire.Decimal
}

// balanceAcc gathers one account's figures while a statement streams by.
type balanceAcc struct {
	b          Balance
	navDate    Date
	hasNAV     bool
	equityCash wire.Decimal
	hasBase    bool
	ccyDate    map[string]Date
	sections   map[string]bool
}

// Balances reads every account's balance from a statement, as a stream.
// NAV comes from the latest "Net Asset Value (NAV) in Base" row; cash
// from the Cash Report's BASE_SUMMARY row (else the NAV row's cash), cash
// by currency from its per-currency rows. A statement without the NAV
// section (or without a total) is a *MissingSectionsError saying how to
// add it to the query. Statements repeated per day keep the latest.
func Balances(r io.Reader, opts ...DecodeOption) ([]Balance, error) {
	d := NewDecoder(r, opts...)
	byAccount := map[string]*balanceAcc{}
	var order []string
	var cur *balanceAcc
	var missing []Missing
	for rec, err := range d.All() {
		if err != nil {
			return nil, err
		}
		switch rec.Kind {
		case KindStatement:
			cur = &balanceAcc{b: Balance{AccountID: rec.Statement.AccountID, AsOf: rec.Statement.ToDate, CashByCurrency: map[string]wire.Decimal{}},
				ccyDate: map[string]Date{}, sections: map[string]bool{}}
		case KindSection:
			cur.sections[rec.Section] = true
		case KindRow:
			if err := cur.add(&rec); err != nil {
				return nil, err
			}
		case KindStatementEnd:
			if !cur.hasNAV {
				missing = append(missing, missingFor(cur.b.AccountID, SectionEquitySummary, cur.sections[SectionEquitySummary])...)
				continue
			}
			cur.finish()
			prev := byAccount[cur.b.AccountID]
			if prev == nil {
				order = append(order, cur.b.AccountID)
			}
			if prev == nil || !cur.b.AsOf.Before(prev.b.AsOf) {
				byAccount[cur.b.AccountID] = cur
			}
		}
	}
	if len(missing) > 0 {
		return nil, &MissingSectionsError{Missing: missing}
	}
	out := make([]Balance, 0, len(order))
	for _, id := range order {
		out = append(out, byAccount[id].b)
	}
	return out, nil
}

func (a *balanceAcc) add(rec *Record) error {
	switch rec.Name {
	case "AccountInformation":
		if v, ok := rec.Attr("currency"); ok && !absent(v) {
			a.b.Currency = v
		}
	case "EquitySummaryByReportDateInBase":
		x, err := rec.EquitySummary()
		if err != nil {
			return err
		}
		if !x.HasTotal || (a.hasNAV && x.ReportDate.Before(a.navDate)) {
			return nil
		}
		a.hasNAV, a.navDate = true, x.ReportDate
		a.b.NAV, a.equityCash = x.Total, x.Cash
		if x.Currency != "" && a.b.Currency == "" {
			a.b.Currency = x.Currency
		}
	case "CashReportCurrency":
		x, err := rec.CashReportRow()
		if err != nil {
			return err
		}
		if !x.HasEndingCash || x.Currency == "" {
			return nil
		}
		if last, seen := a.ccyDate[x.Currency]; seen && x.ToDate.Before(last) {
			return nil
		}
		a.ccyDate[x.Currency] = x.ToDate
		if x.IsBaseSummary() {
			a.hasBase, a.b.Cash = true, x.EndingCash
		} else {
			a.b.CashByCurrency[x.Currency] = x.EndingCash
		}
	}
	return nil
}

func (a *balanceAcc) finish() {
	if !a.navDate.IsZero() {
		a.b.AsOf = a.navDate
	}
	if !a.hasBase {
		a.b.Cash = a.equityCash
	}
}

// Balances fetches the query's statement and reads every account's
// balance from it (see the package function Balances), streaming.
func (c *Client) Balances(ctx context.Context, queryID string, opts ...RequestOption) ([]Balance, error) {
	body, err := c.Statement(ctx, queryID, opts...)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return Balances(body, WithDateOrder(c.cfg.order))
}
