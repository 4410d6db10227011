package ibkr

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// Documented bounds of the external position transfers' fields.
const (
	// MaxBrokerIDLen bounds an ACATS or ATON broker id (brokerId).
	MaxBrokerIDLen = 20
	// MaxBrokerNameLen bounds an ACATS or ATON broker name (brokerName).
	MaxBrokerNameLen = 256
	// MaxAccountAtBrokerLen bounds the account number at the delivering
	// broker of an ACATS or ATON transfer (accountAtBroker).
	MaxAccountAtBrokerLen = 34
	// MaxSignatureLen bounds the signature of an ACATS or ATON transfer.
	MaxSignatureLen = 140
	// MaxContraAccountLen bounds the account at the other institution of
	// an FOP or DWAC transfer (contraBrokerAccountId).
	MaxContraAccountLen = 20
	// MaxDTCCodeLen bounds a DTC participant number (contraBrokerDtcCode).
	MaxDTCCodeLen = 20
	// MaxContraTaxIDLen bounds a DWAC transfer's contraBrokerTaxId.
	MaxContraTaxIDLen = 25
	// MaxDWACAccountTitleLen bounds a DWAC transfer's accountTitle.
	MaxDWACAccountTitleLen = 140
	// MaxDWACReferenceLen bounds a DWAC transfer's referenceId.
	MaxDWACReferenceLen = 20
)

// AccountTransferMethod is how a whole account moves from another broker
// (EXTERNAL_POSITION_TRANSFER's subType).
type AccountTransferMethod string

// The documented full-account transfer methods.
const (
	// ACATS moves a US account (US stocks, options, warrants, mutual
	// funds, bonds and USD cash) through the NSCC; brokers come from
	// EnumerationACATS.
	ACATS AccountTransferMethod = "ACATS"
	// ATON moves a Canadian account; brokers come from EnumerationATON.
	ATON AccountTransferMethod = "ATON"
)

// Valid reports whether m is ACATS or ATON.
func (m AccountTransferMethod) Valid() bool { return m == ACATS || m == ATON }

// IRAType is the kind of IRA an ACATS transfer between two IRAs comes from
// (sourceIRAType).
type IRAType string

// The documented source IRA types.
const (
	IRARollover         IRAType = "RO"
	IRARoth             IRAType = "RI"
	IRATraditional      IRAType = "RT"
	IRASEP              IRAType = "SP"
	IRAEducation        IRAType = "ED"
	IRATraditionalHeir  IRAType = "TH"
	IRARothHeir         IRAType = "RH"
	IRASEPHeir          IRAType = "SH"
	iraTypesDescription         = "RO, RI, RT, SP, ED, TH, RH or SH"
)

// Valid reports whether t is a documented source IRA type.
func (t IRAType) Valid() bool { return gen.ExternalPositionTransferSourceIRAType(t).Valid() }

// TransferBroker is a broker of IBKR's ACATS or ATON list (see
// Client.TransferBrokers): the ID and Name an AccountTransfer sends. For
// ACATS the ID is the broker's DTC number, which an FOPTransfer also
// takes.
type TransferBroker struct {
	ID, Name string
}

// AccountTransfer brings a whole account from another broker
// (EXTERNAL_POSITION_TRANSFER, type FULL) by ACATS (US) or ATON (Canada);
// partial transfers need the IBKR portal. The account's title, tax id
// and type must match at both ends. Most transfers complete within 3 to
// 8 business days; IBKR answers PENDING.
type AccountTransfer struct {
	// ClientInstructionID is optional, as in ACHDeposit.
	ClientInstructionID ID
	// AccountID is the IBKR account receiving the positions.
	AccountID string
	// Method is ACATS or ATON.
	Method AccountTransferMethod
	// Broker is the delivering broker, as IBKR lists it for Method (see
	// Client.FindTransferBroker).
	Broker TransferBroker
	// AccountAtBroker is the account number at the delivering broker (at
	// most 34 characters). A secret: never logged or journaled.
	AccountAtBroker Secret
	// IRAType, for an ACATS transfer between two IRAs, is the source
	// IRA's type (optional).
	IRAType IRAType
	// Signature is the holder's name exactly as in the account
	// application (first name, middle initial, last name, suffix); case
	// and spaces matter. At most 140 characters.
	Signature string
}

// String describes the transfer without the account at the broker.
func (r AccountTransfer) String() string {
	return fmt.Sprintf("%s full transfer to %s from %s (%s)", r.Method, r.AccountID, r.Broker.Name, r.Broker.ID)
}

// Validate checks the transfer without sending anything.
func (r AccountTransfer) Validate() error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	if !r.Method.Valid() {
		return invalid("subType", "must be ACATS or ATON")
	}
	if err := brokerText("brokerId", r.Broker.ID, MaxBrokerIDLen, true); err != nil {
		return err
	}
	if err := brokerText("brokerName", r.Broker.Name, MaxBrokerNameLen, true); err != nil {
		return err
	}
	if err := validateSecretText("accountAtBroker", r.AccountAtBroker, MaxAccountAtBrokerLen, true); err != nil {
		return err
	}
	if r.IRAType != "" {
		if !r.IRAType.Valid() {
			return invalid("sourceIRAType", "must be one of %s", iraTypesDescription)
		}
		if r.Method != ACATS {
			return invalid("sourceIRAType", "applies to ACATS transfers between US IRAs only")
		}
	}
	return validateText("signature", r.Signature, MaxSignatureLen, true)
}

// instruction validates r and describes it as the instruction its
// single call and the bulk calls send.
func (r AccountTransfer) instruction(time.Time) (instructionCall, error) {
	if err := r.Validate(); err != nil {
		return instructionCall{}, err
	}
	return instructionCall{
		op: opExternalAsset, itype: "EXTERNAL_POSITION_TRANSFER", account: r.AccountID,
		summary: r.String(), cid: r.ClientInstructionID, secret: true,
		body: func(cid ID) any {
			x := gen.ExternalPositionTransfer{
				ClientInstructionId: cid,
				Type:                gen.ExternalPositionTransferTypeFULL,
				SubType:             gen.ExternalPositionTransferSubType(r.Method),
				BrokerId:            r.Broker.ID,
				BrokerName:          r.Broker.Name,
				AccountAtBroker:     r.AccountAtBroker.Reveal(),
				AccountId:           r.AccountID,
				Signature:           r.Signature,
			}
			if r.IRAType != "" {
				t := gen.ExternalPositionTransferSourceIRAType(r.IRAType)
				x.SourceIRAType = &t
			}
			return x
		},
	}, nil
}

// TransferAccount submits a full ACATS or ATON account transfer.
func (c *Client) TransferAccount(ctx context.Context, r AccountTransfer, opts ...CallOption) (*Instruction, error) {
	ic, err := r.instruction(c.clock.Now())
	if err != nil {
		return nil, err
	}
	return c.submit(ctx, ic, opts)
}

// FOPTransfer moves a quantity of one US instrument free of payment
// through the DTC (FOP), to or from another DTC participant. An inbound
// transfer tells IBKR that the other institution is delivering; the
// notice expires if the securities do not arrive within 5 business days.
type FOPTransfer struct {
	// ClientInstructionID is optional, as in ACHDeposit.
	ClientInstructionID ID
	// AccountID is the IBKR account.
	AccountID string
	// Direction is TransferIn or TransferOut.
	Direction TransferDirection
	// ContraAccount is the account at the other institution (at most 20
	// characters). A secret: never logged or journaled.
	ContraAccount Secret
	// ContraDTC is the other institution's DTC participant number
	// (digits; for a broker of IBKR's ACATS list, its TransferBroker.ID).
	ContraDTC string
	// Instrument is what is moved; FOP moves USD instruments.
	Instrument Instrument
	// Quantity is the number of units moved, greater than zero.
	Quantity Decimal
}

// String describes the transfer without the account at the other
// institution.
func (r FOPTransfer) String() string {
	return fmt.Sprintf("FOP %s of %s of %s for %s, DTC %s", r.Direction, r.Quantity, r.Instrument, r.AccountID, r.ContraDTC)
}

// Validate checks the transfer without sending anything.
func (r FOPTransfer) Validate() error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	if r.Direction != TransferIn && r.Direction != TransferOut {
		return inputErr("direction", ErrDirection, "must be IN or OUT")
	}
	if err := validateSecretText("contraBrokerAccountId", r.ContraAccount, MaxContraAccountLen, true); err != nil {
		return err
	}
	if r.ContraDTC == "" || len(r.ContraDTC) > MaxDTCCodeLen || !allDigits(r.ContraDTC) {
		return inputErr("contraBrokerDtcCode", ErrBroker, "must be the DTC participant number (1 to %d digits)", MaxDTCCodeLen)
	}
	if err := r.Instrument.Validate(); err != nil {
		return err
	}
	if r.Instrument.Currency != USD {
		return inputErr("tradingInstrument.currency", ErrUnknownCurrency, "FOP moves USD instruments only (through the DTC)")
	}
	return validateQuantity("quantity", r.Quantity)
}

// instruction validates r and describes it as the instruction its
// single call and the bulk calls send.
func (r FOPTransfer) instruction(time.Time) (instructionCall, error) {
	if err := r.Validate(); err != nil {
		return instructionCall{}, err
	}
	return instructionCall{
		op: opExternalAsset, itype: "FOP", account: r.AccountID,
		summary: r.String(), cid: r.ClientInstructionID, secret: true,
		body: func(cid ID) any {
			return gen.FopInstruction{
				ClientInstructionId:   cid,
				Direction:             gen.FopInstructionDirection(r.Direction),
				AccountId:             r.AccountID,
				ContraBrokerAccountId: r.ContraAccount.Reveal(),
				ContraBrokerDtcCode:   r.ContraDTC,
				Quantity:              r.Quantity,
				TradingInstrument:     r.Instrument.wire(),
			}
		},
	}, nil
}

// TransferFOP submits a free-of-payment transfer through the DTC.
func (c *Client) TransferFOP(ctx context.Context, r FOPTransfer, opts ...CallOption) (*Instruction, error) {
	ic, err := r.instruction(c.clock.Now())
	if err != nil {
		return nil, err
	}
	return c.submit(ctx, ic, opts)
}

// DWACTransfer moves a quantity of one instrument between a transfer
// agent and the IBKR account through the DTC (DWAC, deposit or
// withdrawal at custodian). IBKR's published document accepts deposits
// (TransferIn) only; see api/NOTES.md.
type DWACTransfer struct {
	// ClientInstructionID is optional, as in ACHDeposit.
	ClientInstructionID ID
	// AccountID is the IBKR account.
	AccountID string
	// Direction is TransferIn (the default when empty).
	Direction TransferDirection
	// ContraAccount is the account at the transfer agent (at most 20
	// characters). A secret.
	ContraAccount Secret
	// ContraTaxID is the tax id the transfer agent holds (at most 25
	// characters). A secret.
	ContraTaxID Secret
	// Instrument is what is moved.
	Instrument Instrument
	// Quantity is the number of units moved, greater than zero.
	Quantity Decimal
	// AccountTitle is the title of the receiving IBKR account (optional,
	// at most 140 characters).
	AccountTitle string
	// ReferenceID is the caller's reference (optional, at most 20
	// characters).
	ReferenceID string
}

func (r DWACTransfer) direction() TransferDirection {
	if r.Direction == "" {
		return TransferIn
	}
	return r.Direction
}

// String describes the transfer without the account or tax id.
func (r DWACTransfer) String() string {
	return fmt.Sprintf("DWAC %s of %s of %s for %s", r.direction(), r.Quantity, r.Instrument, r.AccountID)
}

// Validate checks the transfer without sending anything.
func (r DWACTransfer) Validate() error {
	if err := ValidateAccountID("accountId", r.AccountID); err != nil {
		return err
	}
	if r.direction() != TransferIn {
		return inputErr("direction", ErrDirection, "DWAC takes IN only (IBKR's published document); withdrawals at custodian go through the portal")
	}
	if err := validateSecretText("contraBrokerAccountId", r.ContraAccount, MaxContraAccountLen, true); err != nil {
		return err
	}
	if err := validateSecretText("contraBrokerTaxId", r.ContraTaxID, MaxContraTaxIDLen, true); err != nil {
		return err
	}
	if err := r.Instrument.Validate(); err != nil {
		return err
	}
	if err := validateQuantity("quantity", r.Quantity); err != nil {
		return err
	}
	if err := validateText("accountTitle", r.AccountTitle, MaxDWACAccountTitleLen, false); err != nil {
		return err
	}
	return validateText("referenceId", r.ReferenceID, MaxDWACReferenceLen, false)
}

// instruction validates r and describes it as the instruction its
// single call and the bulk calls send.
func (r DWACTransfer) instruction(time.Time) (instructionCall, error) {
	if err := r.Validate(); err != nil {
		return instructionCall{}, err
	}
	return instructionCall{
		op: opExternalAsset, itype: "DWAC", account: r.AccountID,
		summary: r.String(), cid: r.ClientInstructionID, secret: true,
		body: func(cid ID) any {
			return gen.DwacInstruction{
				ClientInstructionId:   cid,
				Direction:             gen.DwacInstructionDirection(r.direction()),
				AccountId:             r.AccountID,
				ContraBrokerAccountId: r.ContraAccount.Reveal(),
				ContraBrokerTaxId:     r.ContraTaxID.Reveal(),
				Quantity:              r.Quantity,
				TradingInstrument:     r.Instrument.wire(),
				AccountTitle:          optional(r.AccountTitle),
				ReferenceId:           optional(r.ReferenceID),
			}
		},
	}, nil
}

// TransferDWAC submits a deposit at custodian.
func (c *Client) TransferDWAC(ctx context.Context, r DWACTransfer, opts ...CallOption) (*Instruction, error) {
	ic, err := r.instruction(c.clock.Now())
	if err != nil {
		return nil, err
	}
	return c.submit(ctx, ic, opts)
}

// brokerText checks a broker's required or optional text field.
func brokerText(field, s string, maxLen int, required bool) error {
	if err := validateText(field, s, maxLen, required); err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			cp := *ie
			cp.Err = ErrBroker
			return &cp
		}
		return err
	}
	return nil
}
