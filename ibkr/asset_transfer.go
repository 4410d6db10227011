package ibkr

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// Position transfers move securities rather than cash: between two IBKR
// accounts (PositionTransfer), or between an IBKR account and another
// institution (AccountTransfer for ACATS and ATON, FOPTransfer,
// DWACTransfer, ComplexAssetTransfer). They are money-moving instructions
// like deposits: each carries a clientInstructionId, goes through the
// journal and is never blindly resent (see "Exactly once" in the package
// documentation).

// Causes (InputError.Err) for refused position transfers, next to those
// of validate.go.
var (
	// ErrQuantity: a quantity of units is missing or not positive.
	ErrQuantity = errors.New("ibkr: invalid quantity")
	// ErrInstrument: the instrument is missing, named twice (conid and
	// security id), or its security id is malformed.
	ErrInstrument = errors.New("ibkr: invalid instrument")
	// ErrBroker: a contra broker's details are missing or malformed, or
	// the broker is not in IBKR's list for the transfer's kind.
	ErrBroker = errors.New("ibkr: invalid contra broker")
	// ErrDirection: a transfer direction the kind does not allow.
	ErrDirection = errors.New("ibkr: invalid transfer direction")
)

// The state-changing operations of the position transfers.
var (
	opExternalAsset = jsonOp(optable.OpCreateExternalAssetTransfers, gen.NewCreateExternalAssetTransfersRequestWithBody)
	opInternalAsset = jsonOp(optable.OpCreateInternalAssetTransfers, gen.NewCreateInternalAssetTransfersRequestWithBody)
)

// TransferDirection says which way an external position transfer goes.
type TransferDirection string

// The directions of external position transfers.
const (
	// TransferIn brings positions to the IBKR account.
	TransferIn TransferDirection = "IN"
	// TransferOut sends positions from the IBKR account to the other
	// institution.
	TransferOut TransferDirection = "OUT"
)

// SecurityIDType says what kind of id Instrument.SecurityID is.
type SecurityIDType string

// The documented security id types.
const (
	// CUSIP: a 9-character CUSIP.
	CUSIP SecurityIDType = "CUSIP"
	// ISIN: a 12-character ISIN.
	ISIN SecurityIDType = "ISIN"
	// SecurityCash: cash, the security id being the currency's code.
	SecurityCash SecurityIDType = "CASH"
)

// AssetType is the product type of an instrument named by security id.
type AssetType string

// The documented asset types.
const (
	AssetStock   AssetType = "STK"
	AssetCash    AssetType = "CASH"
	AssetBill    AssetType = "BILL"
	AssetBond    AssetType = "BOND"
	AssetFund    AssetType = "FUND"
	AssetOption  AssetType = "OPT"
	AssetWarrant AssetType = "WAR"
	AssetUnknown AssetType = "UNKNOWN"
)

// Valid reports whether t is a documented asset type.
func (t AssetType) Valid() bool {
	return gen.TradingInstrumentTradingInstrumentDescriptionAssetType(t).Valid()
}

// Instrument names the instrument a position transfer moves
// (tradingInstrument): either by IBKR contract id (Conid), or by security
// id (SecurityIDType, SecurityID and AssetType), never both; plus the
// instrument's currency.
type Instrument struct {
	// Conid is IBKR's contract id.
	Conid ID
	// SecurityIDType is CUSIP, ISIN or CASH (with SecurityID).
	SecurityIDType SecurityIDType
	// SecurityID is the CUSIP (9 characters) or ISIN (12 characters),
	// check digit included.
	SecurityID string
	// AssetType is the product type (with SecurityID).
	AssetType AssetType
	// Currency is the instrument's currency (required).
	Currency Currency
}

// ByConid names an instrument by IBKR contract id.
func ByConid(conid uint64, currency Currency) Instrument {
	return Instrument{Conid: NewID(conid), Currency: currency}
}

// ByISIN names an instrument by ISIN.
func ByISIN(isin string, asset AssetType, currency Currency) Instrument {
	return Instrument{SecurityIDType: ISIN, SecurityID: isin, AssetType: asset, Currency: currency}
}

// ByCUSIP names an instrument by CUSIP.
func ByCUSIP(cusip string, asset AssetType, currency Currency) Instrument {
	return Instrument{SecurityIDType: CUSIP, SecurityID: cusip, AssetType: asset, Currency: currency}
}

// String names the instrument, e.g. "conid 8314 (USD)" or "ISIN
// US4592001014 STK (USD)".
func (i Instrument) String() string {
	if !i.Conid.IsZero() {
		return fmt.Sprintf("conid %s (%s)", i.Conid, i.Currency)
	}
	return fmt.Sprintf("%s %s %s (%s)", i.SecurityIDType, i.SecurityID, i.AssetType, i.Currency)
}

// Validate checks the instrument, naming fields under tradingInstrument.
func (i Instrument) Validate() error {
	const p = "tradingInstrument."
	if err := ValidateCurrency(p+"currency", i.Currency); err != nil {
		return err
	}
	byID := i.SecurityIDType != "" || i.SecurityID != "" || i.AssetType != ""
	switch {
	case !i.Conid.IsZero() && byID:
		return inputErr(p+"conid", ErrInstrument, "give either conid or a security id, not both")
	case !i.Conid.IsZero():
		return nil
	case !byID:
		return inputErr(p+"conid", ErrInstrument, "is required (or a security id with its type and asset type)")
	}
	const d = p + "tradingInstrumentDescription."
	if !gen.TradingInstrumentTradingInstrumentDescriptionSecurityIdType(i.SecurityIDType).Valid() {
		return inputErr(d+"securityIdType", ErrInstrument, "must be CUSIP, ISIN or CASH")
	}
	if !i.AssetType.Valid() {
		return inputErr(d+"assetType", ErrInstrument, "must be one of STK, CASH, BILL, BOND, FUND, OPT, WAR, UNKNOWN")
	}
	switch i.SecurityIDType {
	case CUSIP:
		if !validCUSIP(i.SecurityID) {
			return inputErr(d+"securityId", ErrInstrument, "must be a 9-character CUSIP with a correct check digit")
		}
	case ISIN:
		if !validISIN(i.SecurityID) {
			return inputErr(d+"securityId", ErrInstrument, "must be a 12-character ISIN with a correct check digit")
		}
	default:
		if err := ValidateCurrency(d+"securityId", Currency(i.SecurityID)); err != nil {
			return inputErr(d+"securityId", ErrInstrument, "for securityIdType CASH, must be the currency's code")
		}
	}
	return nil
}

// wire is the instrument's tradingInstrument.
func (i Instrument) wire() gen.TradingInstrument {
	t := gen.TradingInstrument{Currency: string(i.Currency)}
	if !i.Conid.IsZero() {
		c := i.Conid
		t.Conid = &c
		return t
	}
	t.TradingInstrumentDescription = &struct {
		AssetType      gen.TradingInstrumentTradingInstrumentDescriptionAssetType      `json:"assetType"`
		SecurityId     string                                                          `json:"securityId"`
		SecurityIdType gen.TradingInstrumentTradingInstrumentDescriptionSecurityIdType `json:"securityIdType"`
	}{
		AssetType:      gen.TradingInstrumentTradingInstrumentDescriptionAssetType(i.AssetType),
		SecurityId:     i.SecurityID,
		SecurityIdType: gen.TradingInstrumentTradingInstrumentDescriptionSecurityIdType(i.SecurityIDType),
	}
	return t
}

// validCUSIP checks a CUSIP's form and check digit.
func validCUSIP(s string) bool {
	if len(s) != 9 {
		return false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		v, ok := cusipValue(s[i])
		if !ok {
			return false
		}
		if i%2 == 1 {
			v *= 2
		}
		sum += v/10 + v%10
	}
	return s[8] >= '0' && s[8] <= '9' && int(s[8]-'0') == (10-sum%10)%10
}

func cusipValue(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10, true
	case c == '*':
		return 36, true
	case c == '@':
		return 37, true
	case c == '#':
		return 38, true
	}
	return 0, false
}

// validISIN checks an ISIN's form (two letters, nine letters or digits,
// one check digit) and its Luhn check digit.
func validISIN(s string) bool {
	if len(s) != 12 || !isUpperASCII(s[:2]) || s[11] < '0' || s[11] > '9' {
		return false
	}
	var digits []byte
	for i := 0; i < 12; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c-'0')
		case c >= 'A' && c <= 'Z':
			v := c - 'A' + 10
			digits = append(digits, v/10, v%10)
		default:
			return false
		}
	}
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		v := int(digits[i])
		if (len(digits)-1-i)%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

// validateQuantity checks a quantity of units: present and positive.
func validateQuantity(field string, q Decimal) error {
	if q.Sign() <= 0 {
		return inputErr(field, ErrQuantity, "must be greater than zero")
	}
	return nil
}

// validateText checks an optional or required free-text field (names,
// titles, signatures): printable characters (any script: a signature
// must match the holder's name as written), at most maxLen characters,
// no leading or trailing space.
func validateText(field, s string, maxLen int, required bool) error {
	if s == "" {
		if required {
			return inputErr(field, ErrName, "is required")
		}
		return nil
	}
	if !utf8.ValidString(s) {
		return inputErr(field, ErrName, "must be UTF-8 text")
	}
	for i, r := range s {
		if !unicode.IsPrint(r) {
			return inputErr(field, ErrName, "must be printable text (byte %d is not)", i)
		}
	}
	if n := utf8.RuneCountInString(s); n > maxLen {
		return inputErr(field, ErrName, "must be at most %d characters (got %d)", maxLen, n)
	}
	if strings.TrimSpace(s) != s {
		return inputErr(field, ErrName, "must not start or end with a space")
	}
	return nil
}

// validateSecretText checks an account number or tax id: printable ASCII
// (inner spaces allowed), at most maxLen characters, no leading or
// trailing space. The error never repeats the value.
func validateSecretText(field string, s Secret, maxLen int, required bool) error {
	v := s.Reveal()
	if v == "" {
		if required {
			return inputErr(field, ErrBroker, "is required")
		}
		return nil
	}
	if len(v) > maxLen {
		return inputErr(field, ErrBroker, "must be at most %d characters (got %d)", maxLen, len(v))
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e {
			return inputErr(field, ErrBroker, "must be printable ASCII (character %d is not)", i+1)
		}
	}
	if v[0] == ' ' || v[len(v)-1] == ' ' {
		return inputErr(field, ErrBroker, "must not start or end with a space")
	}
	return nil
}

// validateTransferDate checks an optional trade or settlement date: a
// calendar date not before today (in New York) and, for a trade date, at
// most 30 days ahead.
func validateTransferDate(field string, d, now time.Time, maxAhead int) error {
	if d.IsZero() {
		return nil
	}
	today := civil(now.In(eastern()))
	day := civil(d)
	if day.Before(today) {
		return inputErr(field, ErrDateRange, "%s is in the past", FormatDate(d))
	}
	if maxAhead > 0 && day.After(today.AddDate(0, 0, maxAhead)) {
		return inputErr(field, ErrDateRange, "%s is more than %d days ahead", FormatDate(d), maxAhead)
	}
	if d.Year() > 9999 {
		return inputErr(field, ErrDate, "year beyond 9999")
	}
	return nil
}

// dateOrNil is the wire form of an optional calendar date.
func dateOrNil(d time.Time) *string {
	if d.IsZero() {
		return nil
	}
	s := FormatDate(d)
	return &s
}

// MaxTradeDateAhead is how far ahead a transfer's trade date may lie.
const MaxTradeDateAhead = 30

// PositionTransfer moves a quantity of one instrument between two IBKR
// accounts (INTERNAL_POSITION_TRANSFER). IBKR allows it between accounts
// with the same title, residence, tax id and IBKR entity, or between
// sub-accounts of one non-disclosed or omnibus master. It answers
// PENDING; wait with WaitForInstruction.
type PositionTransfer struct {
	// ClientInstructionID is optional: leave it zero to have one
	// allocated; set it (with WithResume) to resume a request sent
	// before.
	ClientInstructionID ID
	// From and To are the source and target IBKR accounts.
	From, To string
	// Instrument is what is moved.
	Instrument Instrument
	// Quantity is the number of units moved, greater than zero.
	Quantity Decimal
	// Price is the transfer price per unit (optional; zero leaves it to
	// IBKR).
	Price Decimal
	// TradeDate and SettleDate are optional calendar dates; the trade
	// date is today or later (at most 30 days ahead) and not after the
	// settlement date.
	TradeDate, SettleDate time.Time
}

// Validate checks the transfer without sending anything (dates are judged
// against the wall clock; the client's methods use the client's clock).
func (r PositionTransfer) Validate() error { return r.validate(time.Now()) }

func (r PositionTransfer) validate(now time.Time) error {
	if err := validateAccountPair(r.From, r.To); err != nil {
		return err
	}
	if err := r.Instrument.Validate(); err != nil {
		return err
	}
	if err := validateQuantity("transferQuantity", r.Quantity); err != nil {
		return err
	}
	if r.Price.Sign() < 0 {
		return inputErr("transferPrice", ErrAmount, "must not be negative")
	}
	return validateTradeSettle("tradeDate", "settleDate", r.TradeDate, r.SettleDate, now)
}

// validateAccountPair checks the two accounts of an internal transfer
// (sourceAccountId, targetAccountId): both valid, and different.
func validateAccountPair(from, to string) error {
	if err := ValidateAccountID("sourceAccountId", from); err != nil {
		return err
	}
	if err := ValidateAccountID("targetAccountId", to); err != nil {
		return err
	}
	if from == to {
		return inputErr("targetAccountId", ErrAccountID, "must differ from sourceAccountId")
	}
	return nil
}

// validateTradeSettle checks a pair of optional trade and settlement
// dates.
func validateTradeSettle(tradeField, settleField string, trade, settle, now time.Time) error {
	if err := validateTransferDate(tradeField, trade, now, MaxTradeDateAhead); err != nil {
		return err
	}
	if err := validateTransferDate(settleField, settle, now, 0); err != nil {
		return err
	}
	if !trade.IsZero() && !settle.IsZero() && civil(trade).After(civil(settle)) {
		return inputErr(settleField, ErrDateRange, "must not be before %s", tradeField)
	}
	return nil
}

// instruction validates r and describes it as the instruction its
// single call and the bulk calls send.
func (r PositionTransfer) instruction(now time.Time) (instructionCall, error) {
	if err := r.validate(now); err != nil {
		return instructionCall{}, err
	}
	return instructionCall{
		op: opInternalAsset, itype: "INTERNAL_POSITION_TRANSFER", account: r.From,
		summary: fmt.Sprintf("internal transfer of %s of %s from %s to %s", r.Quantity, r.Instrument, r.From, r.To),
		cid:     r.ClientInstructionID,
		body: func(cid ID) any {
			x := gen.InternalPositionTransferInstruction{
				ClientInstructionId: cid,
				SourceAccountId:     r.From,
				TargetAccountId:     r.To,
				TradingInstrument:   r.Instrument.wire(),
				TransferQuantity:    r.Quantity,
				TradeDate:           dateOrNil(r.TradeDate),
				SettleDate:          dateOrNil(r.SettleDate),
			}
			if !r.Price.IsZero() {
				p := r.Price
				x.TransferPrice = &p
			}
			return x
		},
	}, nil
}

// TransferPosition submits an internal position transfer. The result
// carries the clientInstructionId to wait on.
func (c *Client) TransferPosition(ctx context.Context, r PositionTransfer, opts ...CallOption) (*Instruction, error) {
	return c.submitRequest(ctx, r, opts)
}

// upperTrim is s upper-cased without surrounding spaces (for comparing
// broker names as IBKR lists them).
func upperTrim(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
