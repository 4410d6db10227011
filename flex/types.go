package flex

import (
	"encoding/xml"

	"github.com/ibkrweb/ibkr-go/wire"
)

// Attr is one attribute of a record that this package does not type: an
// unknown attribute of a typed record, or any attribute of a record of a
// section it does not type. Nothing IBKR sends is dropped.
type Attr struct {
	Name  string
	Value string
}

// Attrs is a list of attributes in document order.
type Attrs []Attr

// Get returns the value of the attribute named name, and whether there is
// one.
func (a Attrs) Get(name string) (string, bool) {
	for _, x := range a {
		if x.Name == name {
			return x.Value, true
		}
	}
	return "", false
}

// BaseSummary is the currency IBKR writes on the CashReport row that totals
// every currency in the base currency. It is not a currency: never add it
// to the per-currency rows.
const BaseSummary = "BASE_SUMMARY"

// Cash transaction types of deposits and withdrawals (the older spelling
// first appears in statements before 2019).
const (
	TypeDepositsWithdrawals    = "Deposits & Withdrawals"
	TypeDepositsWithdrawalsOld = "Deposits/Withdrawals"
)

// AccountInformation is a statement's AccountInformation element.
type AccountInformation struct {
	AccountID    string
	Alias        string
	Currency     string // the base currency
	Name         string
	AccountType  string
	CustomerType string
	Capabilities []string
	Permissions  []string
	DateOpened   Date
	DateFunded   Date
	DateClosed   Date
	IBEntity     string
	Extra        Attrs
}

// EquitySummary is one EquitySummaryByReportDateInBase row: the net asset
// value on a report date, in the base currency.
type EquitySummary struct {
	AccountID        string
	Currency         string
	ReportDate       Date
	Cash             wire.Decimal
	Stock            wire.Decimal
	Options          wire.Decimal
	Bonds            wire.Decimal
	Funds            wire.Decimal
	Commodities      wire.Decimal
	Crypto           wire.Decimal
	InterestAccruals wire.Decimal
	DividendAccruals wire.Decimal
	// Total is the net asset value.
	Total wire.Decimal
	// HasTotal is false when the query does not include the total column.
	HasTotal bool
	Extra    Attrs
}

// ChangeInNAV is a statement's ChangeInNAV element, in the base currency.
type ChangeInNAV struct {
	AccountID           string
	Currency            string
	FromDate            Date
	ToDate              Date
	StartingValue       wire.Decimal
	EndingValue         wire.Decimal
	DepositsWithdrawals wire.Decimal
	Dividends           wire.Decimal
	Interest            wire.Decimal
	Commissions         wire.Decimal
	OtherFees           wire.Decimal
	MTM                 wire.Decimal
	Realized            wire.Decimal
	ChangeInUnrealized  wire.Decimal
	TWR                 wire.Decimal
	Extra               Attrs
}

// CashReportRow is one CashReportCurrency row. The row whose Currency is
// BaseSummary totals every currency in the base currency; Statement keeps
// it apart from the per-currency rows.
type CashReportRow struct {
	AccountID          string
	Currency           string
	FromDate           Date
	ToDate             Date
	StartingCash       wire.Decimal
	Deposits           wire.Decimal
	Withdrawals        wire.Decimal // negative
	DepositWithdrawals wire.Decimal // net
	InternalTransfers  wire.Decimal
	Dividends          wire.Decimal
	BrokerInterest     wire.Decimal
	Commissions        wire.Decimal
	OtherFees          wire.Decimal
	NetTradesSales     wire.Decimal
	NetTradesPurchases wire.Decimal
	EndingCash         wire.Decimal
	EndingSettledCash  wire.Decimal
	// HasEndingCash is false when the query does not include the column.
	HasEndingCash bool
	LevelOfDetail string
	Extra         Attrs
}

// IsBaseSummary reports the all-currency total row.
func (r CashReportRow) IsBaseSummary() bool { return r.Currency == BaseSummary }

// OpenPosition is one OpenPosition row.
type OpenPosition struct {
	AccountID           string
	Currency            string
	FXRateToBase        wire.Decimal
	AssetCategory       string
	Symbol              string
	Description         string
	Conid               string
	ISIN                string
	ReportDate          Date
	Position            wire.Decimal
	MarkPrice           wire.Decimal
	PositionValue       wire.Decimal
	PositionValueInBase wire.Decimal
	CostBasisMoney      wire.Decimal
	FifoPnlUnrealized   wire.Decimal
	PercentOfNAV        wire.Decimal
	Side                string
	LevelOfDetail       string
	OpenDateTime        DateTime
	Extra               Attrs
}

// CashTransaction is one CashTransaction row: a deposit, withdrawal,
// dividend, interest, fee or tax. Amount is signed: money out is negative.
type CashTransaction struct {
	AccountID     string
	Currency      string
	FXRateToBase  wire.Decimal
	Type          string
	Amount        wire.Decimal
	DateTime      DateTime
	ReportDate    Date
	SettleDate    Date
	Description   string
	TransactionID string
	LevelOfDetail string
	Symbol        string
	Conid         string
	Extra         Attrs
}

// Date is the transaction's day: its dateTime, else its report date, else
// its settle date.
func (t CashTransaction) Date() Date {
	switch {
	case !t.DateTime.Date.IsZero():
		return t.DateTime.Date
	case !t.ReportDate.IsZero():
		return t.ReportDate
	}
	return t.SettleDate
}

// IsDepositOrWithdrawal reports a row of type Deposits & Withdrawals (in
// either spelling).
func (t CashTransaction) IsDepositOrWithdrawal() bool {
	return t.Type == TypeDepositsWithdrawals || t.Type == TypeDepositsWithdrawalsOld
}

// Transfer is one Transfer row: positions or cash moved between accounts
// or brokers.
type Transfer struct {
	AccountID            string
	Currency             string
	FXRateToBase         wire.Decimal
	Type                 string // INTERNAL, INTERCOMPANY, ACATS, ATON, FOP, OTC
	Direction            string // IN, OUT
	AssetCategory        string
	Symbol               string
	Description          string
	Date                 Date
	DateTime             DateTime
	ReportDate           Date
	Account              string // the other side
	AccountName          string
	Company              string
	Quantity             wire.Decimal
	CashTransfer         wire.Decimal
	PositionAmount       wire.Decimal
	PositionAmountInBase wire.Decimal
	TransactionID        string
	Extra                Attrs
}

// ConversionRate is one ConversionRate row: 1 From = Rate To on ReportDate.
type ConversionRate struct {
	ReportDate Date
	From       string
	To         string
	Rate       wire.Decimal
	Extra      Attrs
}

// fields reads the attributes of one record into typed values, keeping the
// first error.
type fields struct {
	elem  string
	order DateOrder
	line  int
	err   error
	extra Attrs
}

func (f *fields) bad(a xml.Attr) {
	if f.err == nil {
		f.err = &ValueError{Element: f.elem, Attr: a.Name.Local, Value: clip(a.Value), Line: f.line}
	}
}

func (f *fields) dec(a xml.Attr) wire.Decimal {
	d, ok := parseAmount(a.Value)
	if !ok {
		f.bad(a)
	}
	return d
}

func (f *fields) date(a xml.Attr) Date {
	d, ok := parseDateValue(a.Value, f.order)
	if !ok {
		f.bad(a)
	}
	return d
}

func (f *fields) dateTime(a xml.Attr) DateTime {
	d, ok := parseDateTimeValue(a.Value, f.order)
	if !ok {
		f.bad(a)
	}
	return d
}

// ident reads the identity columns most rows share (fx may be nil for
// rows in the base currency) and reports whether a was one of them.
func (f *fields) ident(a xml.Attr, account, currency *string, fx *wire.Decimal) bool {
	switch a.Name.Local {
	case "accountId":
		*account = cleanString(a.Value)
	case "currency":
		*currency = cleanString(a.Value)
	case "fxRateToBase":
		if fx == nil {
			return false
		}
		*fx = f.dec(a)
	default:
		return false
	}
	return true
}

func (f *fields) keep(a xml.Attr) {
	f.extra = append(f.extra, Attr{Name: a.Name.Local, Value: a.Value})
}

func (f *fields) done() (Attrs, error) { return f.extra, f.err }

func (r *Record) fields() fields {
	return fields{elem: r.Name, order: r.order, line: r.Line}
}

// read calls set for every attribute of the record; set reports whether
// it knew the attribute, and the unknown ones go to extra. The error is
// the first value that could not be read.
func (r *Record) read(extra *Attrs, set func(f *fields, a xml.Attr) bool) error {
	f := r.fields()
	for _, a := range r.Attrs {
		if !set(&f, a) {
			f.keep(a)
		}
	}
	var err error
	*extra, err = f.done()
	return err
}

// AccountInformation types the record (an AccountInformation element).
func (r *Record) AccountInformation() (AccountInformation, error) {
	var x AccountInformation
	err := r.read(&x.Extra, func(f *fields, a xml.Attr) bool {
		v := a.Value
		switch a.Name.Local {
		case "accountId":
			x.AccountID = cleanString(v)
		case "acctAlias":
			x.Alias = cleanString(v)
		case "currency":
			x.Currency = cleanString(v)
		case "name":
			x.Name = cleanString(v)
		case "accountType":
			x.AccountType = cleanString(v)
		case "customerType":
			x.CustomerType = cleanString(v)
		case "accountCapabilities":
			x.Capabilities = splitList(v)
		case "tradingPermissions":
			x.Permissions = splitList(v)
		case "dateOpened":
			x.DateOpened = f.date(a)
		case "dateFunded":
			x.DateFunded = f.date(a)
		case "dateClosed":
			x.DateClosed = f.date(a)
		case "ibEntity":
			x.IBEntity = cleanString(v)
		default:
			return false
		}
		return true
	})
	return x, err
}

// EquitySummary types the record (an EquitySummaryByReportDateInBase row).
func (r *Record) EquitySummary() (EquitySummary, error) {
	var x EquitySummary
	err := r.read(&x.Extra, func(f *fields, a xml.Attr) bool {
		if f.ident(a, &x.AccountID, &x.Currency, nil) {
			return true
		}
		switch a.Name.Local {
		case "reportDate":
			x.ReportDate = f.date(a)
		case "cash":
			x.Cash = f.dec(a)
		case "stock":
			x.Stock = f.dec(a)
		case "options":
			x.Options = f.dec(a)
		case "bonds":
			x.Bonds = f.dec(a)
		case "funds":
			x.Funds = f.dec(a)
		case "commodities":
			x.Commodities = f.dec(a)
		case "crypto":
			x.Crypto = f.dec(a)
		case "interestAccruals":
			x.InterestAccruals = f.dec(a)
		case "dividendAccruals":
			x.DividendAccruals = f.dec(a)
		case "total":
			x.Total, x.HasTotal = f.dec(a), !absent(a.Value)
		default:
			return false
		}
		return true
	})
	return x, err
}

// ChangeInNAV types the record (a ChangeInNAV element).
func (r *Record) ChangeInNAV() (ChangeInNAV, error) {
	var x ChangeInNAV
	err := r.read(&x.Extra, func(f *fields, a xml.Attr) bool {
		if f.ident(a, &x.AccountID, &x.Currency, nil) {
			return true
		}
		switch a.Name.Local {
		case "fromDate":
			x.FromDate = f.date(a)
		case "toDate":
			x.ToDate = f.date(a)
		case "startingValue":
			x.StartingValue = f.dec(a)
		case "endingValue":
			x.EndingValue = f.dec(a)
		case "depositsWithdrawals":
			x.DepositsWithdrawals = f.dec(a)
		case "dividends":
			x.Dividends = f.dec(a)
		case "interest":
			x.Interest = f.dec(a)
		case "commissions":
			x.Commissions = f.dec(a)
		case "otherFees":
			x.OtherFees = f.dec(a)
		case "mtm":
			x.MTM = f.dec(a)
		case "realized":
			x.Realized = f.dec(a)
		case "changeInUnrealized":
			x.ChangeInUnrealized = f.dec(a)
		case "twr":
			x.TWR = f.dec(a)
		default:
			return false
		}
		return true
	})
	return x, err
}

// CashReportRow types the record (a CashReportCurrency row).
func (r *Record) CashReportRow() (CashReportRow, error) {
	var x CashReportRow
	err := r.read(&x.Extra, func(f *fields, a xml.Attr) bool {
		if f.ident(a, &x.AccountID, &x.Currency, nil) {
			return true
		}
		switch a.Name.Local {
		case "fromDate":
			x.FromDate = f.date(a)
		case "toDate":
			x.ToDate = f.date(a)
		case "startingCash":
			x.StartingCash = f.dec(a)
		case "deposits":
			x.Deposits = f.dec(a)
		case "withdrawals":
			x.Withdrawals = f.dec(a)
		case "depositWithdrawals":
			x.DepositWithdrawals = f.dec(a)
		case "internalTransfers":
			x.InternalTransfers = f.dec(a)
		case "dividends":
			x.Dividends = f.dec(a)
		case "brokerInterest":
			x.BrokerInterest = f.dec(a)
		case "commissions":
			x.Commissions = f.dec(a)
		case "otherFees":
			x.OtherFees = f.dec(a)
		case "netTradesSales":
			x.NetTradesSales = f.dec(a)
		case "netTradesPurchases":
			x.NetTradesPurchases = f.dec(a)
		case "endingCash":
			x.EndingCash, x.HasEndingCash = f.dec(a), !absent(a.Value)
		case "endingSettledCash":
			x.EndingSettledCash = f.dec(a)
		case "levelOfDetail":
			x.LevelOfDetail = cleanString(a.Value)
		default:
			return false
		}
		return true
	})
	return x, err
}

// OpenPosition types the record (an OpenPosition row).
func (r *Record) OpenPosition() (OpenPosition, error) {
	var x OpenPosition
	err := r.read(&x.Extra, func(f *fields, a xml.Attr) bool {
		if f.ident(a, &x.AccountID, &x.Currency, &x.FXRateToBase) {
			return true
		}
		switch a.Name.Local {
		case "assetCategory":
			x.AssetCategory = cleanString(a.Value)
		case "symbol":
			x.Symbol = cleanString(a.Value)
		case "description":
			x.Description = cleanString(a.Value)
		case "conid":
			x.Conid = cleanString(a.Value)
		case "isin":
			x.ISIN = cleanString(a.Value)
		case "reportDate":
			x.ReportDate = f.date(a)
		case "position":
			x.Position = f.dec(a)
		case "markPrice":
			x.MarkPrice = f.dec(a)
		case "positionValue":
			x.PositionValue = f.dec(a)
		case "positionValueInBase":
			x.PositionValueInBase = f.dec(a)
		case "costBasisMoney":
			x.CostBasisMoney = f.dec(a)
		case "fifoPnlUnrealized":
			x.FifoPnlUnrealized = f.dec(a)
		case "percentOfNAV":
			x.PercentOfNAV = f.dec(a)
		case "side":
			x.Side = cleanString(a.Value)
		case "levelOfDetail":
			x.LevelOfDetail = cleanString(a.Value)
		case "openDateTime":
			x.OpenDateTime = f.dateTime(a)
		default:
			return false
		}
		return true
	})
	return x, err
}

// CashTransaction types the record (a CashTransaction row).
func (r *Record) CashTransaction() (CashTransaction, error) {
	var x CashTransaction
	err := r.read(&x.Extra, func(f *fields, a xml.Attr) bool {
		if f.ident(a, &x.AccountID, &x.Currency, &x.FXRateToBase) {
			return true
		}
		switch a.Name.Local {
		case "type":
			x.Type = cleanString(a.Value)
		case "amount":
			x.Amount = f.dec(a)
		case "dateTime":
			x.DateTime = f.dateTime(a)
		case "reportDate":
			x.ReportDate = f.date(a)
		case "settleDate":
			x.SettleDate = f.date(a)
		case "description":
			x.Description = cleanString(a.Value)
		case "transactionID":
			x.TransactionID = cleanString(a.Value)
		case "levelOfDetail":
			x.LevelOfDetail = cleanString(a.Value)
		case "symbol":
			x.Symbol = cleanString(a.Value)
		case "conid":
			x.Conid = cleanString(a.Value)
		default:
			return false
		}
		return true
	})
	return x, err
}

// Transfer types the record (a Transfer row).
func (r *Record) Transfer() (Transfer, error) {
	var x Transfer
	err := r.read(&x.Extra, func(f *fields, a xml.Attr) bool {
		if f.ident(a, &x.AccountID, &x.Currency, &x.FXRateToBase) {
			return true
		}
		switch a.Name.Local {
		case "type":
			x.Type = cleanString(a.Value)
		case "direction":
			x.Direction = cleanString(a.Value)
		case "assetCategory":
			x.AssetCategory = cleanString(a.Value)
		case "symbol":
			x.Symbol = cleanString(a.Value)
		case "description":
			x.Description = cleanString(a.Value)
		case "date":
			x.Date = f.date(a)
		case "dateTime":
			x.DateTime = f.dateTime(a)
		case "reportDate":
			x.ReportDate = f.date(a)
		case "account":
			x.Account = cleanString(a.Value)
		case "accountName":
			x.AccountName = cleanString(a.Value)
		case "company":
			x.Company = cleanString(a.Value)
		case "quantity":
			x.Quantity = f.dec(a)
		case "cashTransfer":
			x.CashTransfer = f.dec(a)
		case "positionAmount":
			x.PositionAmount = f.dec(a)
		case "positionAmountInBase":
			x.PositionAmountInBase = f.dec(a)
		case "transactionID":
			x.TransactionID = cleanString(a.Value)
		default:
			return false
		}
		return true
	})
	return x, err
}

// ConversionRate types the record (a ConversionRate row).
func (r *Record) ConversionRate() (ConversionRate, error) {
	var x ConversionRate
	err := r.read(&x.Extra, func(f *fields, a xml.Attr) bool {
		switch a.Name.Local {
		case "reportDate":
			x.ReportDate = f.date(a)
		case "fromCurrency":
			x.From = cleanString(a.Value)
		case "toCurrency":
			x.To = cleanString(a.Value)
		case "rate":
			x.Rate = f.dec(a)
		default:
			return false
		}
		return true
	})
	return x, err
}
