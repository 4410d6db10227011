package ibkr

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// EnumerationType names one of IBKR's lists of values used in
// applications and instructions (GET /gw/api/v1/enumerations/{type}).
type EnumerationType string

// The documented enumeration types.
const (
	// EnumerationACATS: brokers (brokerId, brokerName) for US ACATS
	// position transfers.
	EnumerationACATS EnumerationType = "acats"
	// EnumerationATON: brokers for Canadian ATON position transfers.
	EnumerationATON EnumerationType = "aton"
	// EnumerationBusinessAndOccupation: occupations and employer
	// businesses for employment details.
	EnumerationBusinessAndOccupation EnumerationType = "business-and-occupation"
	// EnumerationEddAvt: the questions of an EDD or AVT questionnaire;
	// needs EnumerationOptions.FormNumber.
	EnumerationEddAvt EnumerationType = "edd-avt"
	// EnumerationEmployeePlans: employee plans linked to the master
	// account (SEP IRAs).
	EnumerationEmployeePlans EnumerationType = "employee-plans"
	// EnumerationEmployeeTrack: companies with an IBKR EmployeeTrack
	// account (companyId for affiliation details).
	EnumerationEmployeeTrack EnumerationType = "employee-track"
	// EnumerationExchangeBundles: exchange groups for trading
	// permissions.
	EnumerationExchangeBundles EnumerationType = "exchange-bundles"
	// EnumerationFinInfoRanges: range ids of net worth, liquid net worth
	// and annual net income; needs EnumerationOptions.Currency.
	EnumerationFinInfoRanges EnumerationType = "fin-info-ranges"
	// EnumerationMarketData: market data subscriptions.
	EnumerationMarketData EnumerationType = "market-data"
	// EnumerationProductCountryBundles: products by country for trading
	// permissions.
	EnumerationProductCountryBundles EnumerationType = "product-country-bundles"
	// EnumerationProhibitedCountry: countries whose residents cannot open
	// accounts; citizens and natives of them answer the prohibited-country
	// questionnaire.
	EnumerationProhibitedCountry EnumerationType = "prohibited-country"
	// EnumerationQuestionnaires: questionnaires by form.
	EnumerationQuestionnaires EnumerationType = "questionnaires"
	// EnumerationQuizQuestions: IBKR's knowledge assessment questions.
	EnumerationQuizQuestions EnumerationType = "quiz-questions"
	// EnumerationSecurityQuestions: the security questions users choose
	// from.
	EnumerationSecurityQuestions EnumerationType = "security-questions"
	// EnumerationWireInstructions: IBKR's wire instructions by currency.
	EnumerationWireInstructions EnumerationType = "wire-instructions"
)

// Valid reports whether t is one of the documented types.
func (t EnumerationType) Valid() bool { return gen.EnumerationType(t).Valid() }

// finInfoCurrencies are the currencies IBKR has financial-information
// ranges for.
var finInfoCurrencies = map[Currency]bool{"AUD": true, "GBP": true, "KRW": true, "PLN": true, "USD": true, "CAD": true,
	"HKD": true, "MXN": true, "RUB": true, "CHF": true, "ILS": true, "SEK": true, "SGD": true, "EUR": true, "JPY": true,
	"NZD": true, "TRY": true}

// EnumerationOptions narrow an enumeration. Each is optional except where
// the type needs it.
type EnumerationOptions struct {
	// Currency: for fin-info-ranges (required), AUD, CAD, CHF, EUR, GBP,
	// HKD, ILS, JPY, KRW, MXN, NZD, PLN, RUB, SEK, SGD, TRY or USD.
	Currency Currency
	// FormNumber: for edd-avt (required) and questionnaires.
	FormNumber FormNumber
	// IBEntity restricts values to an IBKR entity (IBLLC, IB-UK ...).
	IBEntity string
	// Language of the texts: ar, de, en, es, fr, he, hu, it, ja, nl, pt,
	// ru, zh_CN or zh_TW.
	Language string
	// AccountID and UserName restrict values to what they may use.
	AccountID, UserName string
}

// Enumeration is the values of an enumeration, as IBKR's JSON: decode
// them with Decode into a type matching the enumeration's shape.
type Enumeration struct {
	Type       EnumerationType
	FormNumber string
	// Data is the enumeration's jsonData.
	Data json.RawMessage
}

// Decode unmarshals Data into v.
func (e *Enumeration) Decode(v any) error {
	if len(e.Data) == 0 {
		return fmt.Errorf("ibkr: enumeration %s carries no data", e.Type)
	}
	return json.Unmarshal(e.Data, v)
}

// Enumeration fetches the values of an enumeration type (GET
// /gw/api/v1/enumerations/{type}), checking first that the type is
// documented and has the options it needs.
func (c *Client) Enumeration(ctx context.Context, typ EnumerationType, o EnumerationOptions) (*Enumeration, error) {
	if !typ.Valid() {
		return nil, invalid("enumerationType", "%q is not a documented enumeration type", clipText(string(typ)))
	}
	p := &gen.GetEnumerationsParams{}
	switch {
	case typ == EnumerationFinInfoRanges && o.Currency == "":
		return nil, invalid("currency", "fin-info-ranges needs a currency")
	case typ == EnumerationEddAvt && o.FormNumber == 0:
		return nil, invalid("form-number", "edd-avt needs the questionnaire's form number")
	}
	if o.Currency != "" {
		if err := ValidateCurrency("currency", o.Currency); err != nil {
			return nil, err
		}
		if typ == EnumerationFinInfoRanges && !finInfoCurrencies[o.Currency] {
			return nil, inputErr("currency", ErrUnknownCurrency, "IBKR has no financial-information ranges in %s", o.Currency)
		}
		s := string(o.Currency)
		p.Currency = &s
	}
	if o.FormNumber != 0 {
		if !o.FormNumber.Valid() {
			return nil, invalid("form-number", "must be IBKR's four-digit form number")
		}
		s := fmt.Sprint(int(o.FormNumber))
		p.FormNumber = &s
	}
	if o.Language != "" {
		l := gen.GetEnumerationsParamsLanguage(o.Language)
		if !l.Valid() {
			return nil, invalid("language", "must be one of ar, de, en, es, fr, he, hu, it, ja, nl, pt, ru, zh_CN, zh_TW")
		}
		p.Language = &l
	}
	if o.AccountID != "" {
		if err := ValidateAccountID("accountId", o.AccountID); err != nil {
			return nil, err
		}
		p.AccountId = &o.AccountID
	}
	if o.IBEntity != "" {
		if err := checkLanguageCode("ibEntity", o.IBEntity); err != nil {
			return nil, invalid("ibEntity", "must be an IBKR entity such as IBLLC")
		}
		p.IbEntity = &o.IBEntity
	}
	if o.UserName != "" {
		p.UserName = &o.UserName
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpGetEnumerations, build: func(server string) (*http.Request, error) {
		return gen.NewGetEnumerationsRequest(server, gen.EnumerationType(typ), p)
	}}, gen.ParseGetEnumerationsResponse)
	res, err := typedAnswer(r, err, (*gen.GetEnumerationsResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	e := &Enumeration{Type: EnumerationType(unptr(res.EnumerationsType)), FormNumber: unptr(res.FormNumber)}
	if e.Type == "" {
		e.Type = typ
	}
	if res.JsonData != nil {
		if e.Data, err = json.Marshal(*res.JsonData); err != nil {
			return nil, &APIError{CallInfo: CallInfo{OperationID: "getEnumerations"}, StatusCode: 200, Message: "jsonData is not JSON"}
		}
	}
	return e, nil
}

// ComplexAssetTransferBrokers lists the brokers that take part in a kind
// of complex asset transfer (GET
// /gw/api/v1/enumerations/complex-asset-transfer); instructionType ""
// means COMPLEX_ASSET_TRANSFER.
func (c *Client) ComplexAssetTransferBrokers(ctx context.Context, instructionType string) ([]string, error) {
	if instructionType == "" {
		instructionType = "COMPLEX_ASSET_TRANSFER"
	}
	ok := len(instructionType) <= 40
	for i := 0; i < len(instructionType); i++ {
		if ch := instructionType[i]; !(ch >= 'A' && ch <= 'Z' || ch == '_') {
			ok = false
		}
	}
	if !ok {
		return nil, invalid("instructionType", "must be an instruction type such as COMPLEX_ASSET_TRANSFER")
	}
	r, err := invokeAs(ctx, c, call{op: optable.OpListEnumerationsComplexAssetTransfer, build: func(server string) (*http.Request, error) {
		return gen.NewListEnumerationsComplexAssetTransferRequest(server, &gen.ListEnumerationsComplexAssetTransferParams{InstructionType: instructionType})
	}}, gen.ParseListEnumerationsComplexAssetTransferResponse)
	res, err := typedAnswer(r, err, (*gen.ListEnumerationsComplexAssetTransferResponse).GetJSON200)
	if err != nil {
		return nil, err
	}
	return res.Brokers, nil
}
