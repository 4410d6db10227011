package flex

import (
	"io"
	"iter"
)

// Report is a whole Flex statement document held in memory: every account
// statement with its typed sections. Parse builds it; for large documents
// use a Decoder or the section iterators (CashTransactions, ...), whose
// memory does not grow with the document.
type Report struct {
	// QueryName is the name the query was saved under.
	QueryName string
	// Type is AF (Activity Flex) or TCF (Trade Confirmation Flex).
	Type string
	// Statements holds one statement per account (and, with "Breakout by
	// Day", per day).
	Statements []Statement
}

// Statement is one FlexStatement with its typed sections.
type Statement struct {
	StatementInfo
	AccountInformation *AccountInformation
	ChangeInNAV        *ChangeInNAV
	EquitySummary      []EquitySummary
	// CashReport holds the per-currency rows; CashReportBase the
	// BASE_SUMMARY row (all currencies in the base currency), if any.
	CashReport       []CashReportRow
	CashReportBase   *CashReportRow
	OpenPositions    []OpenPosition
	CashTransactions []CashTransaction
	Transfers        []Transfer
	ConversionRates  []ConversionRate
	// Sections lists every section present, in document order, typed or
	// not, including empty ones.
	Sections []string
	// Other holds the rows of the sections this package does not type
	// (Trades, ...), keyed by section name.
	Other map[string][]OtherRow
}

// OtherRow is a row of a section this package does not type.
type OtherRow struct {
	Name  string
	Attrs Attrs
}

// HasSection reports whether the statement has the named section.
func (s *Statement) HasSection(name string) bool {
	for _, n := range s.Sections {
		if n == name {
			return true
		}
	}
	return false
}

// Parse reads a whole statement document into memory.
func Parse(r io.Reader, opts ...DecodeOption) (*Report, error) {
	d := NewDecoder(r, opts...)
	rep := &Report{}
	var cur *Statement
	for rec, err := range d.All() {
		if err != nil {
			return nil, err
		}
		switch rec.Kind {
		case KindStatement:
			rep.Statements = append(rep.Statements, Statement{StatementInfo: *rec.Statement})
			cur = &rep.Statements[len(rep.Statements)-1]
		case KindStatementEnd:
			cur = nil
		case KindSection:
			cur.Sections = append(cur.Sections, rec.Section)
		case KindRow:
			if err := cur.add(&rec); err != nil {
				return nil, err
			}
		}
	}
	rep.QueryName, rep.Type = d.QueryName, d.Type
	return rep, nil
}

func (s *Statement) add(rec *Record) error {
	switch {
	case rec.Section == SectionAccountInformation && rec.Name == SectionAccountInformation:
		x, err := rec.AccountInformation()
		s.AccountInformation = &x
		return err
	case rec.Section == SectionChangeInNAV && rec.Name == SectionChangeInNAV:
		x, err := rec.ChangeInNAV()
		s.ChangeInNAV = &x
		return err
	case rec.Name == "EquitySummaryByReportDateInBase":
		x, err := rec.EquitySummary()
		s.EquitySummary = append(s.EquitySummary, x)
		return err
	case rec.Name == "CashReportCurrency":
		x, err := rec.CashReportRow()
		if x.IsBaseSummary() {
			s.CashReportBase = &x
		} else {
			s.CashReport = append(s.CashReport, x)
		}
		return err
	case rec.Name == "OpenPosition":
		x, err := rec.OpenPosition()
		s.OpenPositions = append(s.OpenPositions, x)
		return err
	case rec.Name == "CashTransaction":
		x, err := rec.CashTransaction()
		s.CashTransactions = append(s.CashTransactions, x)
		return err
	case rec.Name == "Transfer":
		x, err := rec.Transfer()
		s.Transfers = append(s.Transfers, x)
		return err
	case rec.Name == "ConversionRate":
		x, err := rec.ConversionRate()
		s.ConversionRates = append(s.ConversionRates, x)
		return err
	}
	if s.Other == nil {
		s.Other = map[string][]OtherRow{}
	}
	s.Other[rec.Section] = append(s.Other[rec.Section], OtherRow{Name: rec.Name, Attrs: rec.Row()})
	return nil
}

// rows yields the typed rows of the elements named elem, one at a time.
func rows[T any](r io.Reader, elem string, conv func(*Record) (T, error), opts []DecodeOption) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		d := NewDecoder(r, opts...)
		for {
			rec, err := d.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if rec.Kind != KindRow || rec.Name != elem {
				continue
			}
			x, err := conv(&rec)
			if !yield(x, err) || err != nil {
				return
			}
		}
	}
}

// CashTransactions yields every CashTransaction row of every account
// statement in r, one at a time, without holding the document. It stops
// after the first error, which it yields.
func CashTransactions(r io.Reader, opts ...DecodeOption) iter.Seq2[CashTransaction, error] {
	return rows(r, "CashTransaction", (*Record).CashTransaction, opts)
}

// OpenPositions yields every OpenPosition row, like CashTransactions.
func OpenPositions(r io.Reader, opts ...DecodeOption) iter.Seq2[OpenPosition, error] {
	return rows(r, "OpenPosition", (*Record).OpenPosition, opts)
}

// Transfers yields every Transfer row, like CashTransactions.
func Transfers(r io.Reader, opts ...DecodeOption) iter.Seq2[Transfer, error] {
	return rows(r, "Transfer", (*Record).Transfer, opts)
}

// EquitySummaries yields every EquitySummaryByReportDateInBase row, like
// CashTransactions.
func EquitySummaries(r io.Reader, opts ...DecodeOption) iter.Seq2[EquitySummary, error] {
	return rows(r, "EquitySummaryByReportDateInBase", (*Record).EquitySummary, opts)
}

// CashReportRows yields every CashReportCurrency row (BASE_SUMMARY rows
// included; see CashReportRow.IsBaseSummary), like CashTransactions.
func CashReportRows(r io.Reader, opts ...DecodeOption) iter.Seq2[CashReportRow, error] {
	return rows(r, "CashReportCurrency", (*Record).CashReportRow, opts)
}

// ConversionRates yields every ConversionRate row, like CashTransactions.
func ConversionRates(r io.Reader, opts ...DecodeOption) iter.Seq2[ConversionRate, error] {
	return rows(r, "ConversionRate", (*Record).ConversionRate, opts)
}
