package flex

import (
	"context"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/wire"
)

// Deposits reads the deposits and withdrawals (cash transactions of type
// Deposits & Withdrawals) dated since or later, as a stream, oldest
// first. Withdrawals have negative amounts. Summary rows are skipped when
// the query also lists the details, so nothing counts twice. The rows
// carry the typed columns only (Extra is nil); CashTransactions yields
// whole rows. A statement
// without the Cash Transactions section is a *MissingSectionsError: the
// absence of deposits could not be told from the absence of the section.
func Deposits(r io.Reader, since Date, opts ...DecodeOption) ([]CashTransaction, error) {
	d := NewDecoder(r, opts...)
	out := []CashTransaction{}
	var account string
	var hasSection bool
	var missing []Missing
	for rec, err := range d.All() {
		if err != nil {
			return nil, err
		}
		switch rec.Kind {
		case KindStatement:
			account, hasSection = rec.Statement.AccountID, false
		case KindSection:
			if rec.Section == SectionCashTransactions {
				hasSection = true
			}
		case KindStatementEnd:
			if !hasSection {
				missing = append(missing, missingFor(account, SectionCashTransactions, false)...)
			}
		case KindRow:
			if rec.Name != "CashTransaction" {
				continue
			}
			// Look at the type before typing the whole row: most cash
			// transactions are dividends, interest and fees.
			if typ, _ := rec.Attr("type"); typ != TypeDepositsWithdrawals && typ != TypeDepositsWithdrawalsOld {
				continue
			}
			if lod, _ := rec.Attr("levelOfDetail"); strings.EqualFold(lod, "SUMMARY") {
				continue
			}
			x, err := rec.CashTransaction()
			if err != nil {
				return nil, err
			}
			if x.Date().Before(since) {
				continue
			}
			if x.AccountID == "" {
				x.AccountID = account
			}
			x.Extra = nil // a list to keep: the typed columns only
			out = append(out, x)
		}
	}
	if len(missing) > 0 {
		return nil, &MissingSectionsError{Missing: missing}
	}
	sort.SliceStable(out, func(i, j int) bool { return txOrder(out[i]) < txOrder(out[j]) })
	return out, nil
}

// txOrder sorts transactions by day, then time of day.
func txOrder(t CashTransaction) string {
	k := t.Date().String()
	if t.DateTime.HasTime {
		k += t.DateTime.String()[10:]
	}
	return k
}

// eastern is IBKR's statement time zone.
func eastern() *time.Location {
	if l, err := time.LoadLocation("America/New_York"); err == nil {
		return l
	}
	return time.FixedZone("EST", -5*3600)
}

// Deposits fetches the deposits and withdrawals from since (inclusive) to
// today (US Eastern), asking IBKR for exactly that window, and reads them
// as a stream. since may be at most 365 days ago.
func (c *Client) Deposits(ctx context.Context, queryID string, since Date, opts ...RequestOption) ([]CashTransaction, error) {
	today := DateOf(c.clk.Now().In(eastern()))
	switch {
	case since.IsZero() || !validDay(since.Year, int(since.Month), since.Day):
		return nil, inputErr("since", "a day is required")
	case since.After(today):
		return nil, inputErr("since", "%s is after today (%s, US Eastern)", since, today)
	case since.DaysUntil(today) > 365:
		return nil, inputErr("since", "%s is more than 365 days ago; IBKR serves at most 365 days per request", since)
	}
	body, err := c.Statement(ctx, queryID, append([]RequestOption{DateRange(since, today)}, opts...)...)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return Deposits(body, since, WithDateOrder(c.cfg.order))
}

// MatchStatus is the outcome of looking for an expected deposit.
type MatchStatus string

const (
	// Arrived: exactly one deposit matches.
	Arrived MatchStatus = "arrived"
	// NotYet: no deposit matches (yet).
	NotYet MatchStatus = "not yet"
	// Ambiguous: several deposits match; the caller must tell them apart
	// (Expected.Exclude takes the ones already claimed).
	Ambiguous MatchStatus = "ambiguous"
)

// Expected describes a deposit an app pushed into the account (an ACH
// credit sent to the account's routing and account number).
type Expected struct {
	// AccountID, if set, must match.
	AccountID string
	// Amount must match exactly (numerically: 250 matches 250.00).
	Amount wire.Decimal
	// Currency must match (ISO code, e.g. USD).
	Currency string
	// From and To bound the transaction's date, both included; zero
	// leaves that side open.
	From, To Date
	// Exclude lists transaction ids already matched to earlier pushes,
	// so that a repeated amount is not claimed twice.
	Exclude []string
}

// Match is the outcome of MatchDeposit.
type Match struct {
	Status MatchStatus
	// Matches are the matching deposits (one when Arrived).
	Matches []CashTransaction
}

// MatchDeposit looks for the expected deposit among txs (as Deposits
// returns them): positive amounts only, same amount and currency, within
// the date window.
func MatchDeposit(txs []CashTransaction, want Expected) Match {
	m := Match{Status: NotYet}
	for _, tx := range txs {
		if tx.Amount.Sign() <= 0 || tx.Amount.Cmp(want.Amount) != 0 || !strings.EqualFold(tx.Currency, want.Currency) {
			continue
		}
		if want.AccountID != "" && tx.AccountID != want.AccountID {
			continue
		}
		day := tx.Date()
		if (!want.From.IsZero() && day.Before(want.From)) || (!want.To.IsZero() && day.After(want.To)) {
			continue
		}
		if tx.TransactionID != "" && contains(want.Exclude, tx.TransactionID) {
			continue
		}
		m.Matches = append(m.Matches, tx)
	}
	switch len(m.Matches) {
	case 0:
	case 1:
		m.Status = Arrived
	default:
		m.Status = Ambiguous
	}
	return m
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
