package ibkrtest

import (
	"bytes"
	"encoding/xml"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/wire"
)

// Statements of the sandbox's Flex service, built from its own state at
// the time of SendRequest: the base currency is USD, cash is the
// account's cash per currency, and the money movements are the PROCESSED
// deposits, withdrawals and internal transfers of the Account Management
// API plus the ACH credits pushed with PushACHCredit. Unlike IBKR, whose
// Activity Flex data is updated at the close of business, the sandbox's
// statements include today, so a test need not wait a day. The sandbox
// holds no positions: NAV is cash.

// flexRates are the sandbox's fixed conversion rates to USD.
var flexRates = map[string]string{
	"USD": "1", "EUR": "1.0825", "GBP": "1.2710", "CHF": "1.1290", "CAD": "0.7390", "JPY": "0.0067",
	"HKD": "0.1280", "AUD": "0.6540", "SEK": "0.0950", "NOK": "0.0930", "DKK": "0.1450", "SGD": "0.7420",
	"MXN": "0.0580", "NZD": "0.6010", "CNH": "0.1380", "PLN": "0.2510", "ZAR": "0.0540", "ILS": "0.2700",
	"HUF": "0.0028", "CZK": "0.0430", "KRW": "0.00075", "TRY": "0.0310",
}

func flexRate(ccy string) string {
	if r, ok := flexRates[ccy]; ok {
		return r
	}
	return "1"
}

// toBase converts an amount at the sandbox's rate, rounded to cents.
func toBase(d wire.Decimal, ccy string) wire.Decimal {
	if ccy == "USD" {
		return d
	}
	r, _ := new(big.Rat).SetString(flexRate(ccy))
	a, _ := new(big.Rat).SetString(d.String())
	out, err := wire.ParseDecimal(new(big.Rat).Mul(a, r).FloatString(2))
	if err != nil {
		return wire.Decimal{}
	}
	return out
}

// ledgerEntry is one money movement of an account.
type ledgerEntry struct {
	at       time.Time
	currency string
	amount   wire.Decimal // signed, as it changed the account's cash
	id       string
	desc     string
	internal bool
	other    string // the other account of an internal transfer
}

// flexLedger lists an account's money movements, oldest first. Called
// with s.mu held.
func (s *Sandbox) flexLedger(acct string, fs *flexState) []ledgerEntry {
	var out []ledgerEntry
	for _, in := range s.st.Instructions {
		if in.Status != StatusProcessed || in.Recurring != nil {
			continue
		}
		e := ledgerEntry{at: in.Updated, currency: in.Currency, id: itoa(in.ID)}
		switch {
		case in.Type == "DEPOSIT" && in.Account == acct:
			e.amount, e.desc = in.Amount, strings.ToUpper(in.Method)+" DEPOSIT"
			if in.BankName != "" {
				e.desc += " FROM " + in.BankName
			}
		case in.Type == "WITHDRAWAL" && in.Account == acct:
			e.amount, e.desc = in.Amount.Neg(), "DISBURSEMENT INITIATED BY "+strings.ToUpper(in.Method)
			if in.BankName != "" {
				e.desc += " TO " + in.BankName
			}
		case in.Type == "INTERNAL_CASH_TRANSFER" && in.Account == acct:
			e.amount, e.internal, e.other, e.desc = in.Amount.Neg(), true, in.Target, "INTERNAL CASH TRANSFER TO "+in.Target
		case in.Type == "INTERNAL_CASH_TRANSFER" && in.Target == acct:
			e.amount, e.internal, e.other, e.desc = in.Amount, true, in.Account, "INTERNAL CASH TRANSFER FROM "+in.Account
		default:
			continue
		}
		out = append(out, e)
	}
	for _, c := range fs.Credits {
		if c.Account != acct {
			continue
		}
		desc := "ACH CREDIT"
		if c.Originator != "" {
			desc += " FROM " + strings.ToUpper(c.Originator)
		}
		out = append(out, ledgerEntry{at: c.At, currency: c.Currency, amount: c.Amount, id: itoa(c.ID), desc: desc})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].at.Equal(out[j].at) {
			return out[i].at.Before(out[j].at)
		}
		return out[i].id < out[j].id
	})
	return out
}

// flexWindow is a statement's period: whole US Eastern days.
type flexWindow struct {
	from, to time.Time // midnight US Eastern of the first and last day
}

func (w flexWindow) contains(t time.Time) bool {
	d := etMidnight(t)
	return !d.Before(w.from) && !d.After(w.to)
}

// etMidnight is the start of t's US Eastern day.
func etMidnight(t time.Time) time.Time {
	lt := t.In(eastern())
	return time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, eastern())
}

// flexFormat writes dates and times the way a query asks.
type flexFormat struct{ q FlexQuery }

var flexLayouts = map[string]string{
	"yyyyMMdd": "20060102", "yyyy-MM-dd": "2006-01-02", "MM/dd/yyyy": "01/02/2006", "MM/dd/yy": "01/02/06",
	"dd/MM/yyyy": "02/01/2006", "dd/MM/yy": "02/01/06", "dd-MMM-yy": "02-Jan-06",
}

func (f flexFormat) date(t time.Time) string {
	return t.In(eastern()).Format(flexLayouts[f.q.DateFormat])
}

func (f flexFormat) dateTime(t time.Time) string {
	sep := f.q.Separator
	if sep == "none" {
		sep = ""
	}
	layout := "150405"
	if f.q.TimeFormat == "HH:mm:ss" {
		layout = "15:04:05"
	}
	return f.date(t) + sep + t.In(eastern()).Format(layout)
}

// xmlWriter writes the statement: one element per line, attributes in
// order, no XML declaration (as IBKR writes it). With odd set it writes
// the odd values of FlexQuery.OddValues.
type xmlWriter struct {
	b   bytes.Buffer
	odd bool
	n   int
}

// oddMarkers are what statements write for "no value".
var oddMarkers = []string{"-", "--", "N/A"}

// oddAmounts are the columns the sandbox writes with thousands separators
// when asked for odd values.
var oddAmounts = map[string]bool{
	"cash": true, "total": true, "cashLong": true, "totalLong": true, "startingCash": true, "endingCash": true,
	"endingSettledCash": true, "deposits": true, "withdrawals": true, "depositWithdrawals": true,
	"startingValue": true, "endingValue": true, "amount": true,
}

// oddValue rewrites one attribute value.
func (w *xmlWriter) oddValue(name, v string) string {
	if v == "" {
		w.n++
		return oddMarkers[w.n%len(oddMarkers)]
	}
	if !oddAmounts[name] {
		return v
	}
	sign, digits, frac := "", v, ""
	if strings.HasPrefix(digits, "-") {
		sign, digits = "-", digits[1:]
	}
	if i := strings.IndexByte(digits, '.'); i >= 0 {
		digits, frac = digits[:i], digits[i:]
	}
	for i := len(digits) - 3; i > 0; i -= 3 {
		digits = digits[:i] + "," + digits[i:]
	}
	return sign + digits + frac
}

func (w *xmlWriter) open(name string, attrs ...string) { w.elem(name, false, attrs) }

func (w *xmlWriter) row(name string, attrs ...string) { w.elem(name, true, attrs) }

func (w *xmlWriter) elem(name string, empty bool, attrs []string) {
	w.b.WriteByte('<')
	w.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		v := attrs[i+1]
		if w.odd {
			v = w.oddValue(attrs[i], v)
		}
		w.b.WriteByte(' ')
		w.b.WriteString(attrs[i])
		w.b.WriteString(`="`)
		_ = xml.EscapeText(&w.b, []byte(v))
		w.b.WriteByte('"')
	}
	if w.odd && len(attrs) > 0 && name != "FlexStatement" && name != "FlexQueryResponse" && name != "FlexStatements" {
		w.b.WriteString(` futureColumn="7"`)
	}
	if empty {
		w.b.WriteString(" />\n")
		return
	}
	w.b.WriteString(">\n")
}

func (w *xmlWriter) close(name string) {
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteString(">\n")
}

// flexStatement builds the statement of a query for a window. Called
// with s.mu held.
func (s *Sandbox) flexStatement(q FlexQuery, w flexWindow, now time.Time) []byte {
	fs := s.flexLoad()
	accounts := q.Accounts
	if len(accounts) == 0 {
		for id := range s.st.Accounts {
			accounts = append(accounts, id)
		}
		sort.Strings(accounts)
	}
	sections := q.Sections
	if len(sections) == 0 {
		sections = FlexSections
	}
	f := flexFormat{q: q}
	if q.CSV {
		return s.flexCSV(q, accounts, w, fs, f, now)
	}
	x := &xmlWriter{odd: q.OddValues}
	x.open("FlexQueryResponse", "queryName", q.Name, "type", "AF")
	x.open("FlexStatements", "count", itoa(uint64(len(accounts))))
	for _, id := range accounts {
		a := s.st.Accounts[id]
		if a == nil {
			continue
		}
		period := ""
		x.open("FlexStatement", "accountId", a.ID, "fromDate", f.date(w.from), "toDate", f.date(w.to), "period", period, "whenGenerated", f.dateTime(now))
		s.flexAccount(x, a, sections, s.flexLedger(a.ID, fs), w, f)
		if q.OddValues {
			x.open("FutureSection")
			x.row("FutureRow", "a", "1", "b", "")
			x.close("FutureSection")
		}
		x.close("FlexStatement")
	}
	x.close("FlexStatements")
	x.close("FlexQueryResponse")
	return x.b.Bytes()
}

// cashAt returns an account's cash per currency at the end of day (US
// Eastern): its cash now, less what moved after.
func cashAt(a *account, ledger []ledgerEntry, endOfDay time.Time) map[string]wire.Decimal {
	out := map[string]wire.Decimal{}
	for c, v := range a.Cash {
		out[c] = v
	}
	for _, e := range ledger {
		if !e.at.Before(endOfDay) {
			out[e.currency] = sub(out[e.currency], e.amount)
		}
	}
	return out
}

func sumBase(cash map[string]wire.Decimal) wire.Decimal {
	var total wire.Decimal
	for c, v := range cash {
		total = add(total, toBase(v, c))
	}
	return total
}

func sortedKeys(m map[string]wire.Decimal) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Sandbox) flexAccount(x *xmlWriter, a *account, sections []string, ledger []ledgerEntry, w flexWindow, f flexFormat) {
	endOf := func(day time.Time) time.Time { return day.AddDate(0, 0, 1) }
	start := cashAt(a, ledger, w.from)
	end := cashAt(a, ledger, endOf(w.to))
	for c := range start {
		if _, ok := end[c]; !ok {
			end[c] = wire.Decimal{}
		}
	}
	for c := range end {
		if _, ok := start[c]; !ok {
			start[c] = wire.Decimal{}
		}
	}
	var inWindow []ledgerEntry
	for _, e := range ledger {
		if w.contains(e.at) {
			inWindow = append(inWindow, e)
		}
	}
	dateOrEmpty := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return f.date(t)
	}
	for _, sec := range sections {
		switch sec {
		case "AccountInformation":
			x.row("AccountInformation", "accountId", a.ID, "acctAlias", "", "model", "", "currency", "USD",
				"name", strings.TrimSpace(a.First+" "+a.Last), "accountType", "Individual", "customerType", "Individual",
				"accountCapabilities", "Cash", "tradingPermissions", "Stocks", "dateOpened", dateOrEmpty(a.Opened),
				"dateFunded", dateOrEmpty(a.Funded), "dateClosed", dateOrEmpty(a.Closed), "ibEntity", "IBLLC-US")
		case "EquitySummaryInBase":
			x.open("EquitySummaryInBase")
			for day := w.from; !day.After(w.to); day = day.AddDate(0, 0, 1) {
				if wd := day.Weekday(); (wd == time.Saturday || wd == time.Sunday) && !day.Equal(w.to) {
					continue
				}
				cash := sumBase(cashAt(a, ledger, endOf(day)))
				x.row("EquitySummaryByReportDateInBase", "accountId", a.ID, "acctAlias", "", "model", "", "currency", "USD",
					"reportDate", f.date(day), "cash", cash.String(), "stock", "0", "options", "0", "bonds", "0", "funds", "0",
					"crypto", "0", "interestAccruals", "0", "dividendAccruals", "0", "total", cash.String(),
					"cashLong", cash.String(), "cashShort", "0", "totalLong", cash.String(), "totalShort", "0")
			}
			x.close("EquitySummaryInBase")
		case "ChangeInNAV":
			var dw, internal wire.Decimal
			for _, e := range inWindow {
				if e.internal {
					internal = add(internal, toBase(e.amount, e.currency))
				} else {
					dw = add(dw, toBase(e.amount, e.currency))
				}
			}
			x.row("ChangeInNAV", "accountId", a.ID, "acctAlias", "", "model", "", "currency", "USD",
				"fromDate", f.date(w.from), "toDate", f.date(w.to), "startingValue", sumBase(start).String(),
				"mtm", "0", "realized", "0", "changeInUnrealized", "0", "depositsWithdrawals", dw.String(),
				"internalCashTransfers", internal.String(), "dividends", "0", "interest", "0", "commissions", "0",
				"otherFees", "0", "endingValue", sumBase(end).String(), "twr", "0")
		case "CashReport":
			x.open("CashReport")
			type sums struct{ dep, wd, internal wire.Decimal }
			per := map[string]*sums{}
			base := &sums{}
			for _, e := range inWindow {
				p := per[e.currency]
				if p == nil {
					p = &sums{}
					per[e.currency] = p
				}
				b := toBase(e.amount, e.currency)
				switch {
				case e.internal:
					p.internal, base.internal = add(p.internal, e.amount), add(base.internal, b)
				case e.amount.Sign() > 0:
					p.dep, base.dep = add(p.dep, e.amount), add(base.dep, b)
				default:
					p.wd, base.wd = add(p.wd, e.amount), add(base.wd, b)
				}
			}
			cashRow := func(ccy, lod string, st, en wire.Decimal, m *sums) {
				if m == nil {
					m = &sums{}
				}
				x.row("CashReportCurrency", "accountId", a.ID, "acctAlias", "", "model", "", "currency", ccy, "levelOfDetail", lod,
					"fromDate", f.date(w.from), "toDate", f.date(w.to), "startingCash", st.String(),
					"commissions", "0", "deposits", m.dep.String(), "withdrawals", m.wd.String(), "depositWithdrawals", add(m.dep, m.wd).String(),
					"internalTransfers", m.internal.String(), "dividends", "0", "brokerInterest", "0", "otherFees", "0",
					"netTradesSales", "0", "netTradesPurchases", "0", "endingCash", en.String(), "endingSettledCash", en.String())
			}
			cashRow("BASE_SUMMARY", "BaseCurrency", sumBase(start), sumBase(end), base)
			for _, c := range sortedKeys(end) {
				cashRow(c, "Currency", start[c], end[c], per[c])
			}
			x.close("CashReport")
		case "OpenPositions":
			x.open("OpenPositions")
			x.close("OpenPositions")
		case "CashTransactions":
			x.open("CashTransactions")
			for _, e := range inWindow {
				if e.internal {
					continue
				}
				x.row("CashTransaction", "accountId", a.ID, "acctAlias", "", "model", "", "currency", e.currency,
					"fxRateToBase", flexRate(e.currency), "assetCategory", "", "symbol", "", "description", e.desc, "conid", "",
					"dateTime", f.dateTime(e.at), "settleDate", f.date(e.at), "amount", e.amount.String(),
					"type", "Deposits & Withdrawals", "tradeID", "", "code", "", "transactionID", e.id,
					"reportDate", f.date(e.at), "clientReference", "", "levelOfDetail", "DETAIL")
			}
			x.close("CashTransactions")
		case "Transfers":
			x.open("Transfers")
			for _, e := range inWindow {
				if !e.internal {
					continue
				}
				dir := "IN"
				if e.amount.Sign() < 0 {
					dir = "OUT"
				}
				x.row("Transfer", "accountId", a.ID, "acctAlias", "", "model", "", "currency", e.currency,
					"fxRateToBase", flexRate(e.currency), "assetCategory", "CASH", "symbol", "--", "description", e.desc,
					"reportDate", f.date(e.at), "date", f.date(e.at), "dateTime", f.dateTime(e.at), "type", "INTERNAL",
					"direction", dir, "company", "--", "account", e.other, "accountName", "--", "quantity", "0",
					"transferPrice", "0", "positionAmount", "0", "positionAmountInBase", "0", "cashTransfer", e.amount.String(),
					"code", "", "clientReference", "", "transactionID", e.id, "levelOfDetail", "TRANSFER")
			}
			x.close("Transfers")
		case "ConversionRates":
			x.open("ConversionRates")
			for _, c := range sortedKeys(end) {
				if c == "USD" {
					continue
				}
				x.row("ConversionRate", "reportDate", f.date(w.to), "fromCurrency", c, "toCurrency", "USD", "rate", flexRate(c))
			}
			x.close("ConversionRates")
		}
	}
}

// flexCSV writes a statement as a query set to CSV would: header and
// trailer records, then the cash transactions.
func (s *Sandbox) flexCSV(q FlexQuery, accounts []string, w flexWindow, fs *flexState, f flexFormat, now time.Time) []byte {
	var b strings.Builder
	first := ""
	if len(accounts) > 0 {
		first = accounts[0]
	}
	b.WriteString(`"BOF","` + first + `","` + q.Name + `","3","` + f.date(w.from) + `","` + f.date(w.to) + `","` + f.dateTime(now) + "\"\n")
	for _, id := range accounts {
		b.WriteString(`"BOA","` + id + "\"\n")
		b.WriteString(`"BOS","CTRN","Cash Transactions"` + "\n")
		b.WriteString(`"HEADER","CTRN","ClientAccountID","CurrencyPrimary","Date/Time","Amount","Type","Description","TransactionID"` + "\n")
		for _, e := range s.flexLedger(id, fs) {
			if w.contains(e.at) && !e.internal {
				b.WriteString(`"DATA","CTRN","` + id + `","` + e.currency + `","` + f.dateTime(e.at) + `","` + e.amount.String() + `","Deposits & Withdrawals","` + e.desc + `","` + e.id + "\"\n")
			}
		}
		b.WriteString(`"EOS","CTRN"` + "\n")
		b.WriteString(`"EOA","` + id + "\"\n")
	}
	b.WriteString(`"EOF","` + first + "\"\n")
	return []byte(b.String())
}
