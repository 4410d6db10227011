package ibkrtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
	"github.com/ibkrweb/ibkr-go/wire"
)

// Position transfers: the sandbox keeps positions per account (seeded
// with SetPosition) in the instruments of its table (DefaultInstruments,
// plus AddInstrument), and runs each transfer from PENDING to PROCESSED
// or REJECTED as its clock advances:
//
//   - INTERNAL_POSITION_TRANSFER holds the quantity at the source, then
//     moves it to the target after Timings.PositionTransfer (or on its
//     settleDate, if later), never inside the banking downtime windows
//     (Saturday, Sunday before 15:00 and 23:45-00:30 US Eastern);
//   - FOP, DWAC and COMPLEX_ASSET_TRANSFER IN credit the position after
//     Timings.ExternalPositionTransfer, unless the contra account starts
//     with ContraAccountNeverDelivers: then the notice expires after 5
//     business days (REJECTED, CodeTransferNoticeExpired);
//   - FOP and COMPLEX_ASSET_TRANSFER OUT hold the quantity, then debit it
//     after Timings.ExternalPositionTransfer;
//   - EXTERNAL_POSITION_TRANSFER (ACATS, ATON) completes after
//     Timings.AccountTransfer, bringing the holdings seeded with
//     SetBrokerHoldings, unless accountAtBroker starts with
//     AccountAtBrokerRejects (REJECTED, CodeContraBrokerRejected).
//
// Refused at once (HTTP 422, recorded REJECTED): an unknown account or
// instrument, a currency other than the instrument's, a short position,
// accounts that may not exchange positions, a broker not on the sandbox's
// lists, an ACATS signature that is not the holder's name.

// Error codes of position transfers (the sandbox's own, after IBKR's
// naming).
const (
	CodeUnknownInstrument     = "ERROR_UNKNOWN_INSTRUMENT"
	CodeCurrencyMismatch      = "ERROR_INSTRUMENT_CURRENCY_MISMATCH"
	CodeInsufficientPosition  = "ERROR_INSUFFICIENT_POSITION"
	CodeUnknownBroker         = "ERROR_UNKNOWN_BROKER"
	CodeTransferNotEligible   = "ERROR_ACCOUNTS_NOT_ELIGIBLE_FOR_TRANSFER"
	CodeSignatureMismatch     = "ERROR_SIGNATURE_MISMATCH"
	CodeTransferNoticeExpired = "ERROR_TRANSFER_NOTICE_EXPIRED"
	CodeContraBrokerRejected  = "ERROR_CONTRA_BROKER_REJECTED"
)

// Magic values that steer external transfers' outcomes.
const (
	// ContraAccountNeverDelivers: an inbound FOP, DWAC or complex
	// transfer whose contra account starts with this never receives the
	// securities; its notice expires after 5 business days.
	ContraAccountNeverDelivers = "NODELIVER"
	// AccountAtBrokerRejects: an ACATS or ATON transfer whose
	// accountAtBroker starts with this is rejected by the delivering
	// broker.
	AccountAtBrokerRejects = "REJECT"
	// noticeBusinessDays is how long an inbound notice waits.
	noticeBusinessDays = 5
)

// The brokers of the sandbox's acats and aton enumerations, and of its
// complex-asset-transfer list.
const (
	ACATSBrokerID   = "9001"
	ACATSBrokerName = "Sandbox Securities"
	ATONBrokerID    = "8001"
	ATONBrokerName  = "Sandbox Valeurs Mobilieres"
)

// ComplexAssetTransferBrokers are the broker names the sandbox lists for
// complex asset transfers.
var ComplexAssetTransferBrokers = []string{"Sandbox Brokerage A", "Sandbox Brokerage B"}

var transferBrokers = map[string][]map[string]any{
	"ACATS": {{"brokerId": ACATSBrokerID, "brokerName": ACATSBrokerName}, {"brokerId": "9002", "brokerName": "Example Clearing Corp"}},
	"ATON":  {{"brokerId": ATONBrokerID, "brokerName": ATONBrokerName}},
}

func init() {
	enumerations["acats"] = map[string]any{"brokers": transferBrokers["ACATS"]}
	enumerations["aton"] = map[string]any{"brokers": transferBrokers["ATON"]}
}

// Instrument is an instrument of the sandbox's table.
type Instrument struct {
	Conid     uint64
	Symbol    string
	CUSIP     string
	ISIN      string
	AssetType string // STK, BOND, FUND, OPT, WAR, BILL
	Currency  string
}

// DefaultInstruments are the instruments every sandbox knows.
var DefaultInstruments = []Instrument{
	{Conid: 8314, Symbol: "IBM", CUSIP: "459200101", ISIN: "US4592001014", AssetType: "STK", Currency: "USD"},
	{Conid: 265598, Symbol: "AAPL", CUSIP: "037833100", ISIN: "US0378331005", AssetType: "STK", Currency: "USD"},
	{Conid: 272093, Symbol: "MSFT", CUSIP: "594918104", ISIN: "US5949181045", AssetType: "STK", Currency: "USD"},
	{Conid: 756733, Symbol: "SPY", CUSIP: "78462F103", ISIN: "US78462F1030", AssetType: "STK", Currency: "USD"},
}

// assetState is the position-transfer part of the sandbox's state.
type assetState struct {
	// Positions and Holds: account → conid → quantity; cash moved by
	// position transfers (securityIdType CASH) is the account's cash.
	Positions   map[string]map[uint64]wire.Decimal `json:"positions"`
	Holds       map[string]map[uint64]wire.Decimal `json:"holds"`
	Instruments map[uint64]Instrument              `json:"instruments"`
	Transfers   map[uint64]*assetTransfer          `json:"transfers"` // by instruction id
	// External: holdingsKey(broker id, account at broker) → conid →
	// quantity.
	External map[string]map[uint64]wire.Decimal `json:"external"`
}

// assetTransfer is what a position transfer instruction moves.
type assetTransfer struct {
	Conid     uint64       `json:"conid,omitempty"`
	Cash      string       `json:"cash,omitempty"` // currency, for CASH
	Quantity  wire.Decimal `json:"quantity"`
	Direction string       `json:"direction"` // IN, OUT or INTERNAL
	Held      bool         `json:"held,omitempty"`
	Expire    bool         `json:"expire,omitempty"`
	Reject    bool         `json:"reject,omitempty"`
	External  string       `json:"external,omitempty"` // holdings key of a full transfer
}

func (st *state) assets() *assetState {
	if st.Assets == nil {
		st.Assets = &assetState{}
	}
	a := st.Assets
	if a.Instruments == nil {
		a.Instruments = map[uint64]Instrument{}
		for _, in := range DefaultInstruments {
			a.Instruments[in.Conid] = in
		}
	}
	if a.Positions == nil {
		a.Positions = map[string]map[uint64]wire.Decimal{}
	}
	if a.Holds == nil {
		a.Holds = map[string]map[uint64]wire.Decimal{}
	}
	if a.Transfers == nil {
		a.Transfers = map[uint64]*assetTransfer{}
	}
	if a.External == nil {
		a.External = map[string]map[uint64]wire.Decimal{}
	}
	return a
}

func bump(m map[string]map[uint64]wire.Decimal, acct string, conid uint64, d wire.Decimal) {
	if m[acct] == nil {
		m[acct] = map[uint64]wire.Decimal{}
	}
	v := add(m[acct][conid], d)
	if v.IsZero() {
		delete(m[acct], conid)
		return
	}
	m[acct][conid] = v
}

// AddInstrument adds an instrument to the sandbox's table.
func (s *Sandbox) AddInstrument(in Instrument) error {
	if in.Conid == 0 || !currencyRE.MatchString(in.Currency) {
		return fmt.Errorf("ibkrtest: an instrument needs a conid and a currency")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.assets().Instruments[in.Conid] = in
	return nil
}

// SetPosition sets an account's position in an instrument of the table.
func (s *Sandbox) SetPosition(accountID string, conid uint64, quantity wire.Decimal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.Accounts[accountID] == nil {
		return fmt.Errorf("ibkrtest: no account %s", accountID)
	}
	as := s.st.assets()
	if _, ok := as.Instruments[conid]; !ok {
		return fmt.Errorf("ibkrtest: no instrument with conid %d (see AddInstrument)", conid)
	}
	if quantity.Sign() < 0 {
		return fmt.Errorf("ibkrtest: a position cannot be negative")
	}
	cur := as.Positions[accountID][conid]
	bump(as.Positions, accountID, conid, sub(quantity, cur))
	return nil
}

// Position returns an account's position in an instrument (zero if
// none), held quantities included.
func (s *Sandbox) Position(accountID string, conid uint64) wire.Decimal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.assets().Positions[accountID][conid]
}

// Positions returns an account's positions by conid.
func (s *Sandbox) Positions(accountID string) map[uint64]wire.Decimal {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[uint64]wire.Decimal{}
	for k, v := range s.st.assets().Positions[accountID] {
		out[k] = v
	}
	return out
}

// SetBrokerHoldings sets what an account at another broker holds: a
// full ACATS or ATON transfer of that account brings these positions.
func (s *Sandbox) SetBrokerHoldings(brokerID, accountAtBroker string, positions map[uint64]wire.Decimal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	as := s.st.assets()
	h := map[uint64]wire.Decimal{}
	for conid, q := range positions {
		if _, ok := as.Instruments[conid]; !ok {
			return fmt.Errorf("ibkrtest: no instrument with conid %d (see AddInstrument)", conid)
		}
		h[conid] = q
	}
	as.External[holdingsKey(brokerID, accountAtBroker)] = h
	return nil
}

// holdingsKey names an account at another broker without keeping its
// number (state files never hold account numbers).
func holdingsKey(brokerID, accountAtBroker string) string {
	sum := sha256.Sum256([]byte(accountAtBroker))
	return brokerID + "/" + hex.EncodeToString(sum[:8])
}

// available is an account's position not held by pending transfers.
func (as *assetState) available(acct string, conid uint64) wire.Decimal {
	return sub(as.Positions[acct][conid], as.Holds[acct][conid])
}

// resolve finds a transfer's instrument: by conid, or by CUSIP or ISIN
// in the table, or cash by currency.
func (s *Sandbox) resolve(t gen.TradingInstrument) (Instrument, string, *reject) {
	as := s.st.assets()
	var in Instrument
	switch {
	case t.Conid != nil && t.TradingInstrumentDescription != nil:
		return in, "", badArg("instruction.tradingInstrument", "give conid or tradingInstrumentDescription, not both")
	case t.Conid != nil:
		n, ok := parseUint(*t.Conid)
		found := false
		if ok {
			in, found = as.Instruments[n]
		}
		if !found {
			return in, "", biz(CodeUnknownInstrument, "no instrument with conid "+t.Conid.String())
		}
	case t.TradingInstrumentDescription != nil:
		d := t.TradingInstrumentDescription
		if d.SecurityIdType == "CASH" {
			if !currencies[d.SecurityId] {
				return in, "", biz(CodeUnknownInstrument, "no cash in "+d.SecurityId)
			}
			if t.Currency != d.SecurityId {
				return in, "", biz(CodeCurrencyMismatch, "cash in "+d.SecurityId+" is not in "+t.Currency)
			}
			return in, d.SecurityId, nil
		}
		found := false
		for _, x := range as.Instruments {
			if d.SecurityIdType == "CUSIP" && x.CUSIP == d.SecurityId || d.SecurityIdType == "ISIN" && x.ISIN == d.SecurityId {
				in, found = x, true
				break
			}
		}
		if !found {
			return in, "", biz(CodeUnknownInstrument, "no instrument with "+string(d.SecurityIdType)+" "+d.SecurityId)
		}
	default:
		return in, "", badArg("instruction.tradingInstrument", "conid or tradingInstrumentDescription is required")
	}
	if in.Currency != t.Currency {
		return in, "", biz(CodeCurrencyMismatch, "conid "+itoa(in.Conid)+" trades in "+in.Currency+", not "+t.Currency)
	}
	return in, "", nil
}

// positionTransfer dispatches one instruction of POST
// external-asset-transfers.
func (s *Sandbox) positionTransfer(c sctx, typ string, raw json.RawMessage) (*instruction, *reject, wire.ID) {
	var head cidOnly
	if rj := decodeInto(raw, &head); rj != nil {
		return nil, rj, wire.ID{}
	}
	in, rj := s.submit(c, head.ClientInstructionId, orDefault(typ, "EXTERNAL_POSITION_TRANSFER"), head.AccountId, func() (*instruction, *reject) {
		switch typ {
		case "FOP":
			var x gen.FopInstruction
			if rj := decodeInto(raw, &x); rj != nil {
				return nil, rj
			}
			if x.TradingInstrument.Currency != "USD" {
				return nil, biz(CodeUnsupportedCurrency, "FOP moves USD instruments only")
			}
			return s.externalMove(c, x.ClientInstructionId, "FOP", x.AccountId, string(x.Direction), x.ContraBrokerAccountId, x.Quantity, x.TradingInstrument, func() *reject {
				if !s.knownBroker("ACATS", x.ContraBrokerDtcCode, "") {
					return biz(CodeUnknownBroker, "no DTC participant "+x.ContraBrokerDtcCode+" (see the acats enumeration)")
				}
				return nil
			})
		case "DWAC":
			var x gen.DwacInstruction
			if rj := decodeInto(raw, &x); rj != nil {
				return nil, rj
			}
			return s.externalMove(c, x.ClientInstructionId, "DWAC", x.AccountId, string(x.Direction), x.ContraBrokerAccountId, x.Quantity, x.TradingInstrument, nil)
		case "COMPLEX_ASSET_TRANSFER":
			var x gen.ComplexAssetTransferInstruction
			if rj := decodeInto(raw, &x); rj != nil {
				return nil, rj
			}
			return s.externalMove(c, x.ClientInstructionId, typ, x.AccountId, string(x.Direction), x.ContraBrokerInfo.BrokerAccountId, x.Quantity, x.TradingInstrument, func() *reject {
				if rj := checkSettlement(x.NonDisclosedDetail, c.now); rj != nil {
					return rj
				}
				for _, b := range ComplexAssetTransferBrokers {
					if strings.EqualFold(b, strings.TrimSpace(x.ContraBrokerInfo.BrokerName)) {
						return nil
					}
				}
				return biz(CodeUnknownBroker, "broker "+x.ContraBrokerInfo.BrokerName+" is not on the complex asset transfer list")
			})
		case "EXTERNAL_POSITION_TRANSFER":
			var x gen.ExternalPositionTransfer
			if rj := decodeInto(raw, &x); rj != nil {
				return nil, rj
			}
			return s.accountTransfer(c, x)
		}
		return nil, badArg("instructionType", "must be FOP, DWAC, COMPLEX_ASSET_TRANSFER or EXTERNAL_POSITION_TRANSFER")
	})
	return in, rj, head.ClientInstructionId
}

// knownBroker reports whether a broker id (and name, if given) is on the
// sandbox's list for an ACATS or ATON transfer.
func (s *Sandbox) knownBroker(method, id, name string) bool {
	for _, b := range transferBrokers[method] {
		if b["brokerId"] == id && (name == "" || strings.EqualFold(b["brokerName"].(string), strings.TrimSpace(name))) {
			return true
		}
	}
	return false
}

// checkSettlement applies the documented rules of nonDisclosedDetail's
// dates: the trade date today or later, at most 30 days ahead and not
// after the settlement date, which is not in the past. Dates are
// yyyy-MM-dd (the documentation's table) or RFC 3339 (its examples).
func checkSettlement(d *gen.NonDisclosedDetail, now time.Time) *reject {
	if d == nil {
		return nil
	}
	trade, ok1 := transferDate(d.TradeDate)
	settle, ok2 := transferDate(d.SettleDate)
	if !ok1 {
		return badArg("instruction.nonDisclosedDetail.tradeDate", "must be yyyy-MM-dd")
	}
	if !ok2 {
		return badArg("instruction.nonDisclosedDetail.settleDate", "must be yyyy-MM-dd")
	}
	return checkTradeSettle("instruction.nonDisclosedDetail.", trade, settle, now)
}

func checkTradeSettle(prefix string, trade, settle, now time.Time) *reject {
	today := civilDay(now)
	switch {
	case !trade.IsZero() && trade.Before(today):
		return badArg(prefix+"tradeDate", "must not be in the past")
	case !trade.IsZero() && trade.After(today.AddDate(0, 0, 30)):
		return badArg(prefix+"tradeDate", "at most 30 days ahead")
	case !settle.IsZero() && settle.Before(today):
		return badArg(prefix+"settleDate", "must not be in the past")
	case !trade.IsZero() && !settle.IsZero() && trade.After(settle):
		return badArg(prefix+"tradeDate", "must not be after settleDate")
	}
	return nil
}

// transferDate reads a yyyy-MM-dd or RFC 3339 date as its New York day.
func transferDate(s string) (time.Time, bool) {
	if t, err := time.ParseInLocation("2006-01-02", s, eastern()); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return civilDay(t), true
	}
	return time.Time{}, false
}

func civilDay(t time.Time) time.Time {
	y, m, d := t.In(eastern()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, eastern())
}

// addBusinessDays moves t forward by n weekdays.
func addBusinessDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.In(eastern()).Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

// externalMove runs an FOP, DWAC or complex transfer of one instrument.
func (s *Sandbox) externalMove(c sctx, cid wire.ID, typ, acct, dir, contra string, qty wire.Decimal, ti gen.TradingInstrument, check func() *reject) (*instruction, *reject) {
	if qty.Sign() <= 0 {
		return nil, badArg("instruction.quantity", "must be greater than zero")
	}
	statuses := "NPO"
	if dir == "OUT" {
		statuses = "O"
	}
	a, rj := s.accountFor(acct, statuses)
	if rj != nil {
		return nil, rj
	}
	ins, cash, rj := s.resolve(ti)
	if rj != nil {
		return nil, rj
	}
	if check != nil {
		if rj := check(); rj != nil {
			return nil, rj
		}
	}
	as := s.st.assets()
	t := &assetTransfer{Conid: ins.Conid, Cash: cash, Quantity: qty, Direction: dir}
	if dir == "OUT" {
		if rj := s.holdAsset(as, a, t); rj != nil {
			return nil, rj
		}
	}
	in := s.st.newInstruction(c.client, cid, typ, c.setID, c.now)
	in.Account, in.Currency = a.ID, ti.Currency
	when := c.now.Add(s.cfg.timings.ExternalPositionTransfer)
	in.Description = typ + " " + dir + " pending"
	if dir == "IN" && strings.HasPrefix(contra, ContraAccountNeverDelivers) {
		t.Expire = true
		when = addBusinessDays(c.now, noticeBusinessDays)
		in.Description = typ + " IN notice open; awaiting delivery"
	}
	as.Transfers[in.ID] = t
	s.st.schedule(when, evSettle, in.ID, "")
	return in, nil
}

// holdAsset reserves what an outgoing transfer moves.
func (s *Sandbox) holdAsset(as *assetState, a *account, t *assetTransfer) *reject {
	if t.Cash != "" {
		if a.withdrawable(t.Cash).Cmp(t.Quantity) < 0 {
			return biz(CodeInsufficientFunds, "withdrawable cash of "+a.ID+" is "+a.withdrawable(t.Cash).String()+" "+t.Cash)
		}
		a.hold(t.Cash, t.Quantity)
	} else {
		if as.available(a.ID, t.Conid).Cmp(t.Quantity) < 0 {
			return biz(CodeInsufficientPosition, a.ID+" holds "+as.available(a.ID, t.Conid).String()+" of conid "+itoa(t.Conid)+" free to transfer")
		}
		bump(as.Holds, a.ID, t.Conid, t.Quantity)
	}
	t.Held = true
	return nil
}

// releaseAsset frees what a pending transfer held (when it settles, ends
// or is cancelled).
func (s *Sandbox) releaseAsset(in *instruction) {
	as := s.st.assets()
	t := as.Transfers[in.ID]
	if t == nil || !t.Held {
		return
	}
	t.Held = false
	a := s.st.Accounts[in.Account]
	if a == nil {
		return
	}
	if t.Cash != "" {
		a.hold(t.Cash, t.Quantity.Neg())
		return
	}
	bump(as.Holds, a.ID, t.Conid, t.Quantity.Neg())
}

// moveAsset changes an account's position (or cash) by d.
func (s *Sandbox) moveAsset(as *assetState, a *account, t *assetTransfer, d wire.Decimal) {
	if t.Cash != "" {
		a.credit(t.Cash, d)
		return
	}
	bump(as.Positions, a.ID, t.Conid, d)
}

// accountTransfer runs an ACATS or ATON full account transfer.
func (s *Sandbox) accountTransfer(c sctx, x gen.ExternalPositionTransfer) (*instruction, *reject) {
	if x.SourceIRAType != nil && x.SubType != "ACATS" {
		return nil, badArg("instruction.sourceIRAType", "applies to ACATS transfers only")
	}
	a, rj := s.accountFor(x.AccountId, "NPO")
	if rj != nil {
		return nil, rj
	}
	if !s.knownBroker(string(x.SubType), x.BrokerId, x.BrokerName) {
		return nil, biz(CodeUnknownBroker, "broker "+x.BrokerId+" "+x.BrokerName+" is not on the "+strings.ToLower(string(x.SubType))+" list")
	}
	if a.First != "" && a.Last != "" && !(strings.HasPrefix(x.Signature, a.First+" ") && strings.HasSuffix(x.Signature, " "+a.Last)) {
		return nil, biz(CodeSignatureMismatch, "the signature must be the account holder's name as in the application (case and spaces matter)")
	}
	as := s.st.assets()
	t := &assetTransfer{Direction: "IN", External: holdingsKey(x.BrokerId, x.AccountAtBroker), Reject: strings.HasPrefix(x.AccountAtBroker, AccountAtBrokerRejects)}
	in := s.st.newInstruction(c.client, x.ClientInstructionId, "EXTERNAL_POSITION_TRANSFER", c.setID, c.now)
	in.Account, in.Method = a.ID, string(x.SubType)
	in.Description = string(x.SubType) + " full transfer from " + x.BrokerName + " pending"
	as.Transfers[in.ID] = t
	s.st.schedule(c.now.Add(s.cfg.timings.AccountTransfer), evSettle, in.ID, "")
	return in, nil
}

// internalPositionTransfer runs one INTERNAL_POSITION_TRANSFER.
func (s *Sandbox) internalPositionTransfer(c sctx, typ string, raw json.RawMessage) (*instruction, *reject, wire.ID) {
	var x gen.InternalPositionTransferInstruction
	if rj := decodeInto(raw, &x); rj != nil {
		return nil, rj, wire.ID{}
	}
	in, rj := s.submit(c, x.ClientInstructionId, "INTERNAL_POSITION_TRANSFER", x.SourceAccountId, func() (*instruction, *reject) {
		if x.TransferQuantity.Sign() <= 0 {
			return nil, badArg("instruction.transferQuantity", "must be greater than zero")
		}
		if x.TransferPrice != nil && x.TransferPrice.Sign() < 0 {
			return nil, badArg("instruction.transferPrice", "must not be negative")
		}
		if x.SourceAccountId == x.TargetAccountId {
			return nil, badArg("instruction.targetAccountId", "must differ from sourceAccountId")
		}
		var trade, settle time.Time
		for _, d := range []struct {
			field string
			v     *string
			out   *time.Time
		}{{"tradeDate", x.TradeDate, &trade}, {"settleDate", x.SettleDate, &settle}} {
			if d.v == nil {
				continue
			}
			t, ok := transferDate(*d.v)
			if !ok {
				return nil, badArg("instruction."+d.field, "must be yyyy-MM-dd")
			}
			*d.out = t
		}
		if rj := checkTradeSettle("instruction.", trade, settle, c.now); rj != nil {
			return nil, rj
		}
		src, rj := s.accountFor(x.SourceAccountId, "O")
		if rj != nil {
			return nil, rj
		}
		dst, rj := s.accountFor(x.TargetAccountId, "NPO")
		if rj != nil {
			return nil, rj
		}
		if src.First != dst.First || src.Last != dst.Last || src.Country != dst.Country {
			return nil, biz(CodeTransferNotEligible, "accounts "+src.ID+" and "+dst.ID+" differ in title or residence")
		}
		ins, cash, rj := s.resolve(x.TradingInstrument)
		if rj != nil {
			return nil, rj
		}
		as := s.st.assets()
		t := &assetTransfer{Conid: ins.Conid, Cash: cash, Quantity: x.TransferQuantity, Direction: "INTERNAL"}
		if rj := s.holdAsset(as, src, t); rj != nil {
			return nil, rj
		}
		in := s.st.newInstruction(c.client, x.ClientInstructionId, "INTERNAL_POSITION_TRANSFER", c.setID, c.now)
		in.Account, in.Target, in.Currency = src.ID, dst.ID, x.TradingInstrument.Currency
		in.Description = "position transfer pending"
		as.Transfers[in.ID] = t
		when := c.now.Add(s.cfg.timings.PositionTransfer)
		if settle.After(when) {
			when = settle
		}
		// IBKR does not process internal transfers inside the banking
		// downtime windows: they wait for the window's end.
		if down, end := inMaintenance(optable.MaintenanceBanking, when); down {
			when = end
		}
		s.st.schedule(when, evSettle, in.ID, "")
		return in, nil
	})
	return in, rj, x.ClientInstructionId
}

// settleAsset completes a pending position transfer.
func (s *Sandbox) settleAsset(in *instruction, at time.Time) {
	as := s.st.assets()
	t := as.Transfers[in.ID]
	if t == nil {
		return
	}
	s.releaseAsset(in)
	a := s.st.Accounts[in.Account]
	if a == nil {
		in.ErrCode, in.ErrMsg = CodeAccountNotFound, "account no longer exists"
		s.setStatus(in, StatusRejected, at, in.ErrMsg)
		return
	}
	switch {
	case t.Expire:
		in.ErrCode, in.ErrMsg = CodeTransferNoticeExpired, "the securities did not arrive within 5 business days; the notice expired"
		s.setStatus(in, StatusRejected, at, in.ErrMsg)
	case t.Reject:
		in.ErrCode, in.ErrMsg = CodeContraBrokerRejected, "the delivering broker rejected the transfer"
		s.setStatus(in, StatusRejected, at, in.ErrMsg)
	case t.External != "":
		h := as.External[t.External]
		conids := make([]uint64, 0, len(h))
		for k := range h {
			conids = append(conids, k)
		}
		sort.Slice(conids, func(i, j int) bool { return conids[i] < conids[j] })
		for _, k := range conids {
			bump(as.Positions, a.ID, k, h[k])
		}
		delete(as.External, t.External)
		s.setStatus(in, StatusProcessed, at, "account transferred ("+itoa(uint64(len(conids)))+" positions)")
	case t.Direction == "IN":
		s.moveAsset(as, a, t, t.Quantity)
		s.setStatus(in, StatusProcessed, at, "positions received")
	case t.Direction == "OUT":
		if rj := s.enough(as, a, t); rj != "" {
			in.ErrCode, in.ErrMsg = CodeInsufficientPosition, rj
			s.setStatus(in, StatusRejected, at, in.ErrMsg)
			return
		}
		s.moveAsset(as, a, t, t.Quantity.Neg())
		s.setStatus(in, StatusProcessed, at, "positions delivered")
	default: // INTERNAL
		dst := s.st.Accounts[in.Target]
		if dst == nil {
			in.ErrCode, in.ErrMsg = CodeAccountNotFound, "target account no longer exists"
			s.setStatus(in, StatusRejected, at, in.ErrMsg)
			return
		}
		if rj := s.enough(as, a, t); rj != "" {
			in.ErrCode, in.ErrMsg = CodeInsufficientPosition, rj
			s.setStatus(in, StatusRejected, at, in.ErrMsg)
			return
		}
		s.moveAsset(as, a, t, t.Quantity.Neg())
		s.moveAsset(as, dst, t, t.Quantity)
		s.setStatus(in, StatusProcessed, at, "position transferred")
	}
}

// enough says why an account can no longer deliver a transfer ("" if it
// can).
func (s *Sandbox) enough(as *assetState, a *account, t *assetTransfer) string {
	if t.Cash != "" {
		if a.cash(t.Cash).Cmp(t.Quantity) < 0 {
			return "insufficient cash at the time of the transfer"
		}
		return ""
	}
	if as.Positions[a.ID][t.Conid].Cmp(t.Quantity) < 0 {
		return "insufficient position at the time of the transfer"
	}
	return ""
}
