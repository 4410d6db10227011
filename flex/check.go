package flex

import (
	"context"
	"io"
	"strings"
)

// Missing is a part of the query an app needs that the statement lacks.
type Missing struct {
	// AccountID is the statement's account.
	AccountID string
	// Section is the statement element, e.g. "CashTransactions".
	Section string
	// Fields lists missing columns (attributes) of a present section.
	Fields []string
	// HowTo says what to tick in the query's settings.
	HowTo string
}

// MissingSectionsError reports sections (or columns) the query must
// include for the call to answer. It matches ErrQueryInvalid.
type MissingSectionsError struct {
	Missing []Missing
}

// Error implements error.
func (e *MissingSectionsError) Error() string {
	var parts []string
	seen := map[string]bool{}
	for _, m := range e.Missing {
		key := m.Section + strings.Join(m.Fields, ",")
		if seen[key] {
			continue
		}
		seen[key] = true
		parts = append(parts, m.HowTo)
	}
	return "flex: the query lacks what this needs: " + strings.Join(parts, "; ")
}

// Is matches ErrQueryInvalid.
func (e *MissingSectionsError) Is(target error) bool { return target == ErrQueryInvalid }

// need is what an app needs of one section, in the portal's words.
type need struct {
	section string
	portal  string   // the section's name in the query editor
	fields  []string // the attributes the helpers read
	extra   string   // options beyond the fields
}

var needs = []need{
	{SectionAccountInformation, "Account Information", []string{"accountId", "currency"}, ""},
	{SectionEquitySummary, "Net Asset Value (NAV) in Base", []string{"accountId", "reportDate", "cash", "total"}, ""},
	{SectionCashReport, "Cash Report", []string{"accountId", "currency", "endingCash"}, `with the "Currency Breakout" option`},
	{SectionCashTransactions, "Cash Transactions", []string{"accountId", "currency", "amount", "type", "dateTime", "description", "transactionID"}, `with "Deposits & Withdrawals" ticked`},
}

func needOf(section string) need {
	for _, n := range needs {
		if n.section == section {
			return n
		}
	}
	return need{section: section, portal: section}
}

func (n need) howTo(fields []string) string {
	if len(fields) > 0 {
		return "in " + portalFlex + ", edit the query's " + n.portal + " section and tick " + strings.Join(fields, ", ")
	}
	s := "in " + portalFlex + ", edit the query and add the " + n.portal + " section"
	if n.extra != "" {
		s += " " + n.extra
	}
	return s + " (fields " + strings.Join(n.fields, ", ") + ")"
}

// missingFor describes a missing section of an account's statement; a
// present but empty section (no rows to show its columns) is not missing.
func missingFor(account, section string, present bool) []Missing {
	if present {
		n := needOf(section)
		return []Missing{{AccountID: account, Section: section, Fields: []string{"total"}, HowTo: n.howTo([]string{"total"})}}
	}
	n := needOf(section)
	return []Missing{{AccountID: account, Section: section, HowTo: n.howTo(nil)}}
}

// CheckQuery reads a statement and lists what of the query an app
// reading balances and deposits needs but does not get: sections (Account
// Information, NAV in Base, Cash Report, Cash Transactions) and their
// columns, with how to add each in IBKR's portal. An empty list means
// the query has everything. A CSV statement is an error matching
// ErrNotXML, whose message says to switch the query to XML.
func CheckQuery(r io.Reader, opts ...DecodeOption) ([]Missing, error) {
	d := NewDecoder(r, opts...)
	out := []Missing{}
	var account string
	var present map[string]bool
	var seenAttrs map[string]map[string]bool
	for rec, err := range d.All() {
		if err != nil {
			return nil, err
		}
		switch rec.Kind {
		case KindStatement:
			account = rec.Statement.AccountID
			present, seenAttrs = map[string]bool{}, map[string]map[string]bool{}
		case KindSection:
			present[rec.Section] = true
		case KindRow:
			m := seenAttrs[rec.Section]
			if m == nil {
				m = map[string]bool{}
				seenAttrs[rec.Section] = m
			}
			for _, a := range rec.Attrs {
				m[a.Name.Local] = true
			}
		case KindStatementEnd:
			for _, n := range needs {
				if !present[n.section] {
					out = append(out, missingFor(account, n.section, false)...)
					continue
				}
				attrs := seenAttrs[n.section]
				if attrs == nil {
					continue // an empty section shows no columns
				}
				var lack []string
				for _, f := range n.fields {
					if !attrs[f] {
						lack = append(lack, f)
					}
				}
				if len(lack) > 0 {
					out = append(out, Missing{AccountID: account, Section: n.section, Fields: lack, HowTo: n.howTo(lack)})
				}
			}
		}
	}
	return out, nil
}

// CheckQuery fetches the query's statement and checks it (see the package
// function CheckQuery).
func (c *Client) CheckQuery(ctx context.Context, queryID string, opts ...RequestOption) ([]Missing, error) {
	body, err := c.Statement(ctx, queryID, opts...)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return CheckQuery(body, WithDateOrder(c.cfg.order))
}
