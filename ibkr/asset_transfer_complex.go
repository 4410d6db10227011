package ibkr

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// Documented bounds of a complex asset transfer's fields.
const (
	// MaxContraBrokerNameLen bounds contraBrokerInfo.brokerName.
	MaxContraBrokerNameLen = 128
	// MaxContraBrokerFieldLen bounds contraBrokerInfo's depositoryId,
	// brokerAccountId, country, contactName and contactEmail, the
	// accountIdAtCurrentBroker and the settlement details.
	MaxContraBrokerFieldLen = 64
	// MaxContraPhoneLen bounds contraBrokerInfo.contactPhone.
	MaxContraPhoneLen = 16
	// MaxContraAccountTitleLen bounds contraBrokerInfo.accountTitle.
	MaxContraAccountTitleLen = 128
)

// ContraAccountType is the type of the account at the other institution
// of a complex asset transfer (contraBrokerInfo.accountType).
type ContraAccountType string

// The documented contra account types.
const (
	ContraIndividual   ContraAccountType = "INDIVIDUAL"
	ContraJoint        ContraAccountType = "JOINT"
	ContraOrganization ContraAccountType = "ORG"
	ContraTrust        ContraAccountType = "TRUST"
)

// Valid reports whether t is a documented contra account type.
func (t ContraAccountType) Valid() bool {
	return t == ContraIndividual || t == ContraJoint || t == ContraOrganization || t == ContraTrust
}

// ContraBroker is the institution at the other end of a complex asset
// transfer (contraBrokerInfo).
type ContraBroker struct {
	// AccountType is the type of the account there.
	AccountType ContraAccountType
	// Name is the institution's name as IBKR lists it (see
	// Client.FindComplexAssetTransferBroker; at most 128 characters).
	Name string
	// DepositoryID is the institution's id at the depository (at most 64
	// characters).
	DepositoryID string
	// Account is the client's account there (at most 64 characters). A
	// secret.
	Account Secret
	// Country is where the institution is (at most 64 characters).
	Country string
	// ContactName, ContactEmail and ContactPhone reach a contact there;
	// the name is optional, the email (at most 64 characters) and phone
	// (digits with an optional leading +, at most 16 characters) are
	// required.
	ContactName, ContactEmail, ContactPhone string
	// AccountTitle is the account's title there (optional, at most 128
	// characters).
	AccountTitle string
}

func (b ContraBroker) validate() error {
	const p = "contraBrokerInfo."
	if !b.AccountType.Valid() {
		return inputErr(p+"accountType", ErrBroker, "must be INDIVIDUAL, JOINT, ORG or TRUST")
	}
	for _, f := range []struct {
		field, v string
		max      int
		required bool
	}{
		{"brokerName", b.Name, MaxContraBrokerNameLen, true},
		{"depositoryId", b.DepositoryID, MaxContraBrokerFieldLen, true},
		{"country", b.Country, MaxContraBrokerFieldLen, true},
		{"contactName", b.ContactName, MaxContraBrokerFieldLen, false},
		{"accountTitle", b.AccountTitle, MaxContraAccountTitleLen, false},
	} {
		if err := brokerText(p+f.field, f.v, f.max, f.required); err != nil {
			return err
		}
	}
	if err := validateSecretText(p+"brokerAccountId", b.Account, MaxContraBrokerFieldLen, true); err != nil {
		return err
	}
	if len(b.ContactEmail) > MaxContraBrokerFieldLen {
		return inputErr(p+"contactEmail", ErrBroker, "must be at most %d characters", MaxContraBrokerFieldLen)
	}
	if err := ValidateEmail(p+"contactEmail", b.ContactEmail); err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return inputErr(ie.Field, ErrBroker, "%s", ie.Reason)
		}
		return err
	}
	ph := b.ContactPhone
	digits := ph
	if len(ph) > 0 && ph[0] == '+' {
		digits = ph[1:]
	}
	if len(ph) > MaxContraPhoneLen || len(digits) < 5 || !allDigits(digits) {
		return inputErr(p+"contactPhone", ErrBroker, "must be 5 or more digits with an optional leading +, at most %d characters", MaxContraPhoneLen)
	}
	return nil
}

func (b ContraBroker) wire() gen.ContraBrokerInfo {
	return gen.ContraBrokerInfo{
		AccountType:     string(b.AccountType),
		BrokerName:      b.Name,
		DepositoryId:    b.DepositoryID,
		BrokerAccountId: b.Account.Reveal(),
		Country:         b.Country,
		ContactName:     optional(b.ContactName),
		ContactEmail:    b.ContactEmail,
		ContactPhone:    b.ContactPhone,
		AccountTitle:    optional(b.AccountTitle),
	}
}

// Settlement carries the settlement instructions of a complex asset
// transfer (nonDisclosedDetail), which speed it up.
type Settlement struct {
	// TradeDate is today or later, at most 30 days ahead, and not after
	// SettleDate (required).
	TradeDate time.Time
	// SettleDate is today or later (required).
	SettleDate time.Time
	// PlaceOfSettlementBIC (psetBic), DeliveringAgentBIC (reagDeagBic)
	// and BuyerSellerBIC (buyerSellBic) are SWIFT BICs (optional, 8 or 11
	// characters).
	PlaceOfSettlementBIC, DeliveringAgentBIC, BuyerSellerBIC string
	// MemberAccountID is the account id at the market, and
	// SafekeepingAccountID the safekeeping account (optional, at most 64
	// characters each).
	MemberAccountID, SafekeepingAccountID string
}

func (s *Settlement) validate(now time.Time) error {
	if s == nil {
		return nil
	}
	const p = "nonDisclosedDetail."
	if s.TradeDate.IsZero() {
		return inputErr(p+"tradeDate", ErrDate, "is required")
	}
	if s.SettleDate.IsZero() {
		return inputErr(p+"settleDate", ErrDate, "is required")
	}
	if err := validateTradeSettle(p+"tradeDate", p+"settleDate", s.TradeDate, s.SettleDate, now); err != nil {
		return err
	}
	for _, f := range []struct{ field, v string }{
		{"psetBic", s.PlaceOfSettlementBIC}, {"reagDeagBic", s.DeliveringAgentBIC}, {"buyerSellBic", s.BuyerSellerBIC},
	} {
		if f.v != "" && !validBIC(f.v) {
			return inputErr(p+f.field, ErrBroker, "must be a SWIFT BIC of 8 or 11 characters")
		}
	}
	if err := brokerText(p+"memberAccountId", s.MemberAccountID, MaxContraBrokerFieldLen, false); err != nil {
		return err
	}
	return brokerText(p+"safeKeepingAccountId", s.SafekeepingAccountID, MaxContraBrokerFieldLen, false)
}

func (s *Settlement) wire() *gen.NonDisclosedDetail {
	if s == nil {
		return nil
	}
	return &gen.NonDisclosedDetail{
		TradeDate:            FormatDate(s.TradeDate),
		SettleDate:           FormatDate(s.SettleDate),
		PsetBic:              optional(s.PlaceOfSettlementBIC),
		ReagDeagBic:          optional(s.DeliveringAgentBIC),
		BuyerSellBic:         optional(s.BuyerSellerBIC),
		MemberAccountId:      optional(s.MemberAccountID),
		SafeKeepingAccountId: optional(s.SafekeepingAccountID),
	}
}

// ComplexAssetTransfer moves a quantity of one instrument free of
// payment with an institution outside the US (COMPLEX_ASSET_TRANSFER),
// IBKR coordinating the settlement; available on request from IBKR. The
// other institution must be on IBKR's list (see
// Client.FindComplexAssetTransferBroker).
type ComplexAssetTransfer struct {
	// ClientInstructionID is optional, as in ACHDeposit.
	ClientInstructionID ID
	// AccountID is the IBKR account.
	AccountID string
	// Direction is TransferIn or TransferOut.
	Direction TransferDirection
	// AccountAtCurrentBroker is the account at the current broker
	// (optional, at most 64 characters). A secret.
	AccountAtCurrentBroker Secret
	// Instrument is what is moved.
	Instrument Instrument
	// Quantity is the number of units moved, greater than zero.
	Quantity Decimal
	// ContraBroker is the other institution.
	ContraBroker ContraBroker
	// Settlement carries settlement instructions (optional).
	Settlement *Settlement
}

// String describes the transfer without account numbers.
func (r ComplexAssetTransfer) String() string {
	return fmt.Sprintf("complex asset transfer %s of %s of %s for %s with %s", r.Direction, r.Quantity, r.Instrument, r.AccountID, r.ContraBroker.Name)
}

// Validate checks the transfer without sending anything (settlement dates
// are judged against the wall clock; the client's methods use the
// client's clock).
func (r ComplexAssetTransfer) Validate() error { return r.validate(time.Now()) }

func (r ComplexAssetTransfer) validate(now time.Time) error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	if r.Direction != TransferIn && r.Direction != TransferOut {
		return inputErr("direction", ErrDirection, "must be IN or OUT")
	}
	if err := validateSecretText("accountIdAtCurrentBroker", r.AccountAtCurrentBroker, MaxContraBrokerFieldLen, false); err != nil {
		return err
	}
	if err := r.Instrument.Validate(); err != nil {
		return err
	}
	if err := validateQuantity("quantity", r.Quantity); err != nil {
		return err
	}
	if err := r.ContraBroker.validate(); err != nil {
		return err
	}
	return r.Settlement.validate(now)
}

// instruction validates r and describes it as the instruction its
// single call and the bulk calls send.
func (r ComplexAssetTransfer) instruction(now time.Time) (instructionCall, error) {
	if err := r.validate(now); err != nil {
		return instructionCall{}, err
	}
	return instructionCall{
		op: opExternalAsset, itype: "COMPLEX_ASSET_TRANSFER", account: r.AccountID,
		summary: r.String(), cid: r.ClientInstructionID, secret: true,
		body: func(cid ID) any {
			var cur *string
			if !r.AccountAtCurrentBroker.IsZero() {
				v := r.AccountAtCurrentBroker.Reveal()
				cur = &v
			}
			return gen.ComplexAssetTransferInstruction{
				ClientInstructionId:      cid,
				Direction:                gen.ComplexAssetTransferInstructionDirection(r.Direction),
				AccountId:                r.AccountID,
				AccountIdAtCurrentBroker: cur,
				Quantity:                 r.Quantity,
				TradingInstrument:        r.Instrument.wire(),
				ContraBrokerInfo:         r.ContraBroker.wire(),
				NonDisclosedDetail:       r.Settlement.wire(),
			}
		},
	}, nil
}

// TransferComplexAsset submits a complex asset transfer.
func (c *Client) TransferComplexAsset(ctx context.Context, r ComplexAssetTransfer, opts ...CallOption) (*Instruction, error) {
	ic, err := r.instruction(c.clock.Now())
	if err != nil {
		return nil, err
	}
	return c.submit(ctx, ic, opts)
}
