package ibkr

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ibkrweb/ibkr-go/ibkrtest"
)

// Secrets the asset-transfer tests send: registered with the secret
// audit below, so that no log line, error or journal entry repeats them.
const (
	assetBrokerAccount = "SOL98765"
	assetTaxID         = "987654321"
)

func init() {
	noteSecret(assetBrokerAccount)
	noteSecret(assetTaxID)
}

// Good requests of each kind, for the tests to vary.
func goodPositionTransfer() PositionTransfer {
	return PositionTransfer{From: demo, To: "U7654321", Instrument: ByConid(8314, USD), Quantity: MustDecimal("10")}
}

func goodAccountTransfer() AccountTransfer {
	return AccountTransfer{AccountID: demo, Method: ACATS, Broker: TransferBroker{ID: "0226", Name: "Sandbox Clearing"},
		AccountAtBroker: NewSecret(assetBrokerAccount), Signature: "John Q Tester"}
}

func goodFOP() FOPTransfer {
	return FOPTransfer{AccountID: demo, Direction: TransferIn, ContraAccount: NewSecret(assetBrokerAccount), ContraDTC: ibkrtest.ACATSBrokerID,
		Instrument: ByISIN("US4592001014", AssetStock, USD), Quantity: MustDecimal("100")}
}

func goodDWAC() DWACTransfer {
	return DWACTransfer{AccountID: demo, ContraAccount: NewSecret(assetBrokerAccount), ContraTaxID: NewSecret(assetTaxID),
		Instrument: ByCUSIP("459200101", AssetStock, USD), Quantity: MustDecimal("5"), AccountTitle: "Special Holding LLC", ReferenceID: "ref-1"}
}

func goodComplex(now time.Time) ComplexAssetTransfer {
	return ComplexAssetTransfer{AccountID: demo, Direction: TransferIn, Instrument: ByConid(8314, USD), Quantity: MustDecimal("10"),
		ContraBroker: ContraBroker{AccountType: ContraOrganization, Name: "Sandbox Brokerage A", DepositoryID: "1234",
			Account: NewSecret(assetBrokerAccount), Country: "GBR", ContactName: "Pat", ContactEmail: "pat@example.com", ContactPhone: "+442071234567"},
		Settlement: &Settlement{TradeDate: now, SettleDate: now.AddDate(0, 0, 2), PlaceOfSettlementBIC: "OCSDATWWXXX"},
	}
}

// TestAssetTransferBadInputs: every kind of bad input to the position
// transfers is refused locally with an *InputError naming the wire field
// (and its cause), and not one request reaches the sandbox.
func TestAssetTransferBadInputs(t *testing.T) {
	e := newFundingEnv(t, nil)
	c := e.c
	now := e.srv.Now()
	internal := func(mod func(*PositionTransfer)) func(context.Context) error {
		r := goodPositionTransfer()
		mod(&r)
		return func(ctx context.Context) error { _, err := c.TransferPosition(ctx, r); return err }
	}
	acats := func(mod func(*AccountTransfer)) func(context.Context) error {
		r := goodAccountTransfer()
		mod(&r)
		return func(ctx context.Context) error { _, err := c.TransferAccount(ctx, r); return err }
	}
	fop := func(mod func(*FOPTransfer)) func(context.Context) error {
		r := goodFOP()
		mod(&r)
		return func(ctx context.Context) error { _, err := c.TransferFOP(ctx, r); return err }
	}
	dwac := func(mod func(*DWACTransfer)) func(context.Context) error {
		r := goodDWAC()
		mod(&r)
		return func(ctx context.Context) error { _, err := c.TransferDWAC(ctx, r); return err }
	}
	complexT := func(mod func(*ComplexAssetTransfer)) func(context.Context) error {
		r := goodComplex(now)
		mod(&r)
		return func(ctx context.Context) error { _, err := c.TransferComplexAsset(ctx, r); return err }
	}
	cases := []badInput{
		// account ids
		{"internal source lower case", internal(func(r *PositionTransfer) { r.From = "u1234567" }), "sourceAccountId", ErrAccountID},
		{"internal to itself", internal(func(r *PositionTransfer) { r.To = r.From }), "targetAccountId", ErrAccountID},
		{"fop no account", fop(func(r *FOPTransfer) { r.AccountID = "" }), "accountId", ErrAccountID},
		// quantities (decimals)
		{"internal zero quantity", internal(func(r *PositionTransfer) { r.Quantity = MustDecimal("0") }), "transferQuantity", ErrQuantity},
		{"internal negative quantity", internal(func(r *PositionTransfer) { r.Quantity = MustDecimal("-1") }), "transferQuantity", ErrQuantity},
		{"internal negative price", internal(func(r *PositionTransfer) { r.Price = MustDecimal("-0.01") }), "transferPrice", ErrAmount},
		{"dwac no quantity", dwac(func(r *DWACTransfer) { r.Quantity = Decimal{} }), "quantity", ErrQuantity},
		{"complex negative quantity", complexT(func(r *ComplexAssetTransfer) { r.Quantity = MustDecimal("-3") }), "quantity", ErrQuantity},
		// instruments (ids, enums, currencies)
		{"no instrument", internal(func(r *PositionTransfer) { r.Instrument = Instrument{Currency: USD} }), "tradingInstrument.conid", ErrInstrument},
		{"conid and isin", internal(func(r *PositionTransfer) { r.Instrument.SecurityIDType, r.Instrument.SecurityID = ISIN, "US4592001014" }), "tradingInstrument.conid", ErrInstrument},
		{"isin check digit", fop(func(r *FOPTransfer) { r.Instrument.SecurityID = "US4592001015" }), "tradingInstrument.tradingInstrumentDescription.securityId", ErrInstrument},
		{"isin is a cusip", fop(func(r *FOPTransfer) { r.Instrument.SecurityID = "459200101" }), "tradingInstrument.tradingInstrumentDescription.securityId", ErrInstrument},
		{"cusip check digit", dwac(func(r *DWACTransfer) { r.Instrument.SecurityID = "459200102" }), "tradingInstrument.tradingInstrumentDescription.securityId", ErrInstrument},
		{"security id type", dwac(func(r *DWACTransfer) { r.Instrument.SecurityIDType = "SEDOL" }), "tradingInstrument.tradingInstrumentDescription.securityIdType", ErrInstrument},
		{"asset type", dwac(func(r *DWACTransfer) { r.Instrument.AssetType = "CRYPTO" }), "tradingInstrument.tradingInstrumentDescription.assetType", ErrInstrument},
		{"instrument currency", internal(func(r *PositionTransfer) { r.Instrument.Currency = "usd" }), "tradingInstrument.currency", ErrUnknownCurrency},
		{"fop in EUR", fop(func(r *FOPTransfer) { r.Instrument = ByConid(8314, EUR) }), "tradingInstrument.currency", ErrUnknownCurrency},
		// dates
		{"trade date past", internal(func(r *PositionTransfer) { r.TradeDate = now.AddDate(0, 0, -2) }), "tradeDate", ErrDateRange},
		{"trade date 31 days ahead", internal(func(r *PositionTransfer) { r.TradeDate = now.AddDate(0, 0, 32) }), "tradeDate", ErrDateRange},
		{"settle before trade", internal(func(r *PositionTransfer) { r.TradeDate, r.SettleDate = now.AddDate(0, 0, 3), now.AddDate(0, 0, 1) }), "settleDate", ErrDateRange},
		{"complex settlement no trade date", complexT(func(r *ComplexAssetTransfer) { r.Settlement.TradeDate = time.Time{} }), "nonDisclosedDetail.tradeDate", ErrDate},
		{"complex settle date past", complexT(func(r *ComplexAssetTransfer) { r.Settlement.SettleDate = now.AddDate(0, 0, -3) }), "nonDisclosedDetail.settleDate", ErrDateRange},
		// enums
		{"acats method", acats(func(r *AccountTransfer) { r.Method = "PARTIAL" }), "subType", nil},
		{"ira type", acats(func(r *AccountTransfer) { r.IRAType = "XX" }), "sourceIRAType", nil},
		{"ira type with aton", acats(func(r *AccountTransfer) { r.Method, r.IRAType = ATON, IRARollover }), "sourceIRAType", nil},
		{"fop direction", fop(func(r *FOPTransfer) { r.Direction = "" }), "direction", ErrDirection},
		{"dwac out", dwac(func(r *DWACTransfer) { r.Direction = TransferOut }), "direction", ErrDirection},
		{"complex direction", complexT(func(r *ComplexAssetTransfer) { r.Direction = "SIDEWAYS" }), "direction", ErrDirection},
		{"contra account type", complexT(func(r *ComplexAssetTransfer) { r.ContraBroker.AccountType = "IRA" }), "contraBrokerInfo.accountType", ErrBroker},
		// strings and secrets
		{"broker id empty", acats(func(r *AccountTransfer) { r.Broker.ID = "" }), "brokerId", ErrBroker},
		{"broker name 257", acats(func(r *AccountTransfer) { r.Broker.Name = strings.Repeat("b", 257) }), "brokerName", ErrBroker},
		{"account at broker 35", acats(func(r *AccountTransfer) { r.AccountAtBroker = NewSecret(strings.Repeat("9", 35)) }), "accountAtBroker", ErrBroker},
		{"account at broker empty", acats(func(r *AccountTransfer) { r.AccountAtBroker = Secret{} }), "accountAtBroker", ErrBroker},
		{"signature empty", acats(func(r *AccountTransfer) { r.Signature = "" }), "signature", ErrName},
		{"signature padded", acats(func(r *AccountTransfer) { r.Signature = "John Q Tester " }), "signature", ErrName},
		{"fop dtc letters", fop(func(r *FOPTransfer) { r.ContraDTC = "DTC1" }), "contraBrokerDtcCode", ErrBroker},
		{"fop contra account 21", fop(func(r *FOPTransfer) { r.ContraAccount = NewSecret(assetBrokerAccount + strings.Repeat("0", 13)) }), "contraBrokerAccountId", ErrBroker},
		{"dwac tax id 26", dwac(func(r *DWACTransfer) { r.ContraTaxID = NewSecret(assetTaxID + strings.Repeat("1", 17)) }), "contraBrokerTaxId", ErrBroker},
		{"dwac title 141", dwac(func(r *DWACTransfer) { r.AccountTitle = strings.Repeat("t", 141) }), "accountTitle", ErrName},
		{"dwac reference 21", dwac(func(r *DWACTransfer) { r.ReferenceID = strings.Repeat("r", 21) }), "referenceId", ErrName},
		{"complex broker name", complexT(func(r *ComplexAssetTransfer) { r.ContraBroker.Name = "" }), "contraBrokerInfo.brokerName", ErrBroker},
		{"complex email", complexT(func(r *ComplexAssetTransfer) { r.ContraBroker.ContactEmail = "pat.example.com" }), "contraBrokerInfo.contactEmail", ErrBroker},
		{"complex phone", complexT(func(r *ComplexAssetTransfer) { r.ContraBroker.ContactPhone = "call me" }), "contraBrokerInfo.contactPhone", ErrBroker},
		{"complex phone 17", complexT(func(r *ComplexAssetTransfer) { r.ContraBroker.ContactPhone = "+" + strings.Repeat("1", 16) }), "contraBrokerInfo.contactPhone", ErrBroker},
		{"complex account secret", complexT(func(r *ComplexAssetTransfer) { r.ContraBroker.Account = NewSecret(assetBrokerAccount + " ") }), "contraBrokerInfo.brokerAccountId", ErrBroker},
		{"complex account control", complexT(func(r *ComplexAssetTransfer) { r.ContraBroker.Account = NewSecret(assetBrokerAccount + "\n1") }), "contraBrokerInfo.brokerAccountId", ErrBroker},
		{"signature control", acats(func(r *AccountTransfer) { r.Signature = "John\tTester" }), "signature", ErrName},
		{"signature 141", acats(func(r *AccountTransfer) { r.Signature = strings.Repeat("é", 141) }), "signature", ErrName},
		{"complex BIC", complexT(func(r *ComplexAssetTransfer) { r.Settlement.BuyerSellerBIC = "TMBE" }), "nonDisclosedDetail.buyerSellBic", ErrBroker},
		{"complex current broker 65", complexT(func(r *ComplexAssetTransfer) { r.AccountAtCurrentBroker = NewSecret(strings.Repeat("7", 65)) }), "accountIdAtCurrentBroker", ErrBroker},
		// ids
		{"reused clientInstructionId", internal(func(r *PositionTransfer) { r.ClientInstructionID = unusedBelowMark(t, c) }), "instruction.clientInstructionId", ErrInstructionIDReused},
	}
	refuseAll(t, cases, assetBrokerAccount, assetTaxID)
	// Every field named is the wire's (InputError.Field's rule).
	spec, err := os.ReadFile("../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		for _, part := range strings.Split(tc.field, ".") {
			if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(part) + `:`).Match(spec) {
				t.Errorf("%s: %q is not a property of api/openapi.yaml", tc.name, part)
			}
		}
	}
	if reqs := e.srv.Requests(); len(reqs) != 0 {
		t.Fatalf("%d requests reached the sandbox, first %s %s", len(reqs), reqs[0].Method, reqs[0].Path)
	}
}

// unusedBelowMark is an id below the client's allocator mark that was never
// handed out: the client refuses it as reused.
func unusedBelowMark(t *testing.T, c *Client) ID {
	t.Helper()
	issued, _ := c.NewInstructionID(context.Background())
	_, _ = c.NewInstructionID(context.Background())
	n, _ := issued.Uint64()
	return NewID(n - 1)
}

// The Validate methods accept the good requests and agree with the
// client about bad ones.
func TestAssetTransferValidate(t *testing.T) {
	now := time.Now()
	for _, r := range []interface{ Validate() error }{
		goodPositionTransfer(), goodAccountTransfer(), goodFOP(), goodDWAC(), goodComplex(now),
		ByISIN("US0378331005", AssetStock, USD), ByCUSIP("037833100", AssetStock, USD),
		AccountTransfer{AccountID: demo, Method: ATON, Broker: TransferBroker{ID: "8001", Name: "Valeurs"}, AccountAtBroker: NewSecret("AB 1234"), Signature: "José Müller"},
		Instrument{SecurityIDType: SecurityCash, SecurityID: "EUR", AssetType: AssetCash, Currency: EUR},
	} {
		if err := r.Validate(); err != nil {
			t.Errorf("%T: %v", r, err)
		}
	}
	bad := goodFOP()
	bad.Quantity = Decimal{}
	if err := bad.Validate(); !errors.Is(err, ErrQuantity) {
		t.Errorf("FOPTransfer.Validate = %v, want ErrQuantity", err)
	}
	for _, s := range []string{goodAccountTransfer().String(), goodFOP().String(), goodDWAC().String(), goodComplex(now).String()} {
		if strings.Contains(s, assetBrokerAccount) || strings.Contains(s, assetTaxID) {
			t.Errorf("String repeats a secret: %s", s)
		}
	}
}
