package ibkr

import (
	"context"
	"errors"
	"strconv"

	"github.com/ibkrweb/ibkr-go/gen"
)

// ErrIRA is the cause (InputError.Err) of an IRA deposit, distribution or
// contributions query IBKR's rules refuse: a rollover without the plan it
// comes from, a withholding percentage outside 0 to 100, an unknown state.
var ErrIRA = errors.New("ibkr: invalid IRA detail")

// IRAContributionType says what an IRA deposit is (iraContributionType).
type IRAContributionType string

// IRA contribution types.
const (
	// IRAContribution is a regular contribution.
	IRAContribution IRAContributionType = "CONTRIBUTION"
	// IRASpousalContribution is a spousal contribution.
	IRASpousalContribution IRAContributionType = "SPOUSAL_CONTRIBUTION"
	// IRAEmployerSEPContribution is an employer's SEP contribution.
	IRAEmployerSEPContribution IRAContributionType = "EMPLOYER_SEP_CONTRIBUTION"
	// IRARolloverContribution is money distributed from a retirement account and
	// rolled over into this one.
	IRARolloverContribution IRAContributionType = "ROLLOVER"
	// IRALateRollover is a rollover after the usual deadline.
	IRALateRollover IRAContributionType = "LATE_ROLLOVER"
	// IRADirectRollover comes straight from a qualified plan.
	IRADirectRollover IRAContributionType = "DIRECT_ROLLOVER"
)

// rollover reports whether t moves money out of another retirement plan.
func (t IRAContributionType) rollover() bool {
	return t == IRARolloverContribution || t == IRALateRollover || t == IRADirectRollover
}

func (t IRAContributionType) valid() bool {
	switch t {
	case IRAContribution, IRASpousalContribution, IRAEmployerSEPContribution, IRARolloverContribution, IRALateRollover, IRADirectRollover:
		return true
	}
	return false
}

// IRATaxYear is the tax year a contribution counts for (iraTaxYearType).
type IRATaxYear string

// IRA tax years.
const (
	// IRACurrentYear counts the deposit for the current tax year (the
	// default).
	IRACurrentYear IRATaxYear = "CURRENT"
	// IRAPriorYear counts it for the prior tax year.
	IRAPriorYear IRATaxYear = "PRIOR"
)

// IRAPlan is the kind of retirement plan money comes from (fromIraType).
type IRAPlan string

// Retirement plans a deposit may come from. The wire spellings are those of
// IBKR's published document (api/NOTES.md, [ira-plan-spelling]).
const (
	// IRAPlanNone: not from a retirement plan (the default; regular
	// contributions).
	IRAPlanNone                  IRAPlan = "NONE"
	IRAPlanTraditional           IRAPlan = "TRADITIONAL"
	IRAPlanRollover              IRAPlan = "ROLLOVER"
	IRAPlanRoth                  IRAPlan = "ROTH"
	IRAPlanSEP                   IRAPlan = "SEP"
	IRAPlanEducation             IRAPlan = "EDUCATION"
	IRAPlanTraditionalInherited  IRAPlan = "TRADITIONAL_INHERITED"
	IRAPlanRothInherited         IRAPlan = "ROTH_INHERITED"
	IRAPlanSEPInherited          IRAPlan = "SEP_INHERITED"
	IRAPlanRetirementSavings     IRAPlan = "RETIREMENT_SAVING_PLAN"
	IRAPlanSpousalRetirement     IRAPlan = "SPOUSAL_RETIREMENT_SAVING_PLAN"
	IRAPlanTaxFreeSavingsAccount IRAPlan = "TAX_FREE_SAVING_ACCOUNT"
)

func (p IRAPlan) valid() bool {
	switch p {
	case IRAPlanNone, IRAPlanTraditional, IRAPlanRollover, IRAPlanRoth, IRAPlanSEP, IRAPlanEducation,
		IRAPlanTraditionalInherited, IRAPlanRothInherited, IRAPlanSEPInherited, IRAPlanRetirementSavings,
		IRAPlanSpousalRetirement, IRAPlanTaxFreeSavingsAccount:
		return true
	}
	return false
}

// IRADeposit marks a deposit into an IRA (iraDepositDetail): what it is,
// the tax year it counts for and the plan it comes from. IRA deposits are
// in USD.
type IRADeposit struct {
	// Type is the contribution type (required).
	Type IRAContributionType
	// TaxYear is IRACurrentYear (the default when empty) or IRAPriorYear.
	TaxYear IRATaxYear
	// From is the plan a rollover comes from (required for rollovers);
	// IRAPlanNone (the default when empty) for contributions.
	From IRAPlan
}

func (d IRADeposit) taxYear() IRATaxYear {
	if d.TaxYear == "" {
		return IRACurrentYear
	}
	return d.TaxYear
}

func (d IRADeposit) from() IRAPlan {
	if d.From == "" {
		return IRAPlanNone
	}
	return d.From
}

// validate checks the detail and the deposit's currency.
func (d IRADeposit) validate(currency Currency) error {
	const p = "iraDepositDetail."
	if !d.Type.valid() {
		return inputErr(p+"iraContributionType", ErrIRA, "must be CONTRIBUTION, SPOUSAL_CONTRIBUTION, EMPLOYER_SEP_CONTRIBUTION, ROLLOVER, LATE_ROLLOVER or DIRECT_ROLLOVER")
	}
	if y := d.taxYear(); y != IRACurrentYear && y != IRAPriorYear {
		return inputErr(p+"iraTaxYearType", ErrIRA, "must be CURRENT or PRIOR")
	}
	from := d.from()
	if !from.valid() {
		return inputErr(p+"fromIraType", ErrIRA, "unknown retirement plan %q", clip(string(from), 40))
	}
	if d.Type.rollover() && from == IRAPlanNone {
		return inputErr(p+"fromIraType", ErrIRA, "a %s comes from a retirement plan; name it", d.Type)
	}
	if !d.Type.rollover() && from != IRAPlanNone {
		return inputErr(p+"fromIraType", ErrIRA, "a %s is new money (NONE); money from a %s plan is a rollover", d.Type, from)
	}
	if currency != USD {
		return inputErr("currency", ErrCurrencyNotAllowed, "IRA deposits are in USD (got %s)", currency)
	}
	return nil
}

// String describes the detail for logs.
func (d IRADeposit) String() string {
	s := "IRA " + string(d.Type) + " for the " + string(d.taxYear()) + " tax year"
	if d.from() != IRAPlanNone {
		s += " from " + string(d.from())
	}
	return s
}

// apply sets the deposit body's iraDepositDetail from a validated detail
// (nil: none).
func (d *IRADeposit) apply(x *gen.DepositFundsInstruction) {
	if d == nil {
		return
	}
	x.IraDepositDetail = newOf(x.IraDepositDetail)
	x.IraDepositDetail.FromIraType = gen.DepositFundsInstructionIraDepositDetailFromIraType(d.from())
	x.IraDepositDetail.IraContributionType = gen.DepositFundsInstructionIraDepositDetailIraContributionType(d.Type)
	x.IraDepositDetail.IraTaxYearType = gen.DepositFundsInstructionIraDepositDetailIraTaxYearType(d.taxYear())
}

// newOf allocates a value of the type p points to: it names the generated
// code's anonymous nested structs.
func newOf[T any](_ *T) *T { return new(T) }

// IRADistributionReason says why money leaves an IRA (iraWithholdType).
type IRADistributionReason string

// IRA distribution reasons.
const (
	IRANormalDistribution IRADistributionReason = "NORMAL"
	IRAEarlyDistribution  IRADistributionReason = "EARLY"
	IRADeathDistribution  IRADistributionReason = "DEATH"
	IRARothDistribution   IRADistributionReason = "ROTH_DISTRIBUTION"
	// IRADirectRolloverOut moves the money straight to another plan.
	IRADirectRolloverOut IRADistributionReason = "DIRECT_ROLLOVER"
	// IRAExcessCurrentYear, IRAExcessPriorYear and IRAExcessSC return
	// excess contributions.
	IRAExcessCurrentYear IRADistributionReason = "EXCESS_CY"
	IRAExcessPriorYear   IRADistributionReason = "EXCESS_PY"
	IRAExcessSC          IRADistributionReason = "EXCESS_SC"
)

func (r IRADistributionReason) valid() bool {
	switch r {
	case IRANormalDistribution, IRAEarlyDistribution, IRADeathDistribution, IRARothDistribution,
		IRADirectRolloverOut, IRAExcessCurrentYear, IRAExcessPriorYear, IRAExcessSC:
		return true
	}
	return false
}

// IRADistribution marks a withdrawal from an IRA (iraWithdrawalDetail):
// why the money leaves and the income tax withheld. IRA distributions are
// in USD.
type IRADistribution struct {
	// Reason is the distribution reason (required).
	Reason IRADistributionReason
	// FederalTaxPercent and StateTaxPercent are the income tax withheld,
	// in percent: 0 to 100, at most two decimals.
	FederalTaxPercent, StateTaxPercent Decimal
	// State is the two-letter US state (or territory) code of the state
	// tax, such as NY.
	State string
}

// validate checks the detail and the withdrawal's currency.
func (d IRADistribution) validate(currency Currency) error {
	const p = "iraWithdrawalDetail."
	if !d.Reason.valid() {
		return inputErr(p+"iraWithholdType", ErrIRA, "must be NORMAL, EARLY, DEATH, ROTH_DISTRIBUTION, DIRECT_ROLLOVER, EXCESS_CY, EXCESS_PY or EXCESS_SC")
	}
	for _, f := range []struct {
		field string
		v     Decimal
	}{{p + "fedIncomeTaxPercentage", d.FederalTaxPercent}, {p + "stateIncomeTaxPercentage", d.StateTaxPercent}} {
		if f.v.Sign() < 0 || f.v.Cmp(hundred) > 0 {
			return inputErr(f.field, ErrIRA, "must be a percentage from 0 to 100 (got %s)", f.v)
		}
		if f.v.Decimals() > 2 {
			return inputErr(f.field, ErrIRA, "at most two decimals (got %s)", f.v)
		}
	}
	if !usStates[d.State] {
		return inputErr(p+"stateCd", ErrIRA, "must be a two-letter US state or territory code such as NY (got %q)", clip(d.State, 8))
	}
	if currency != USD {
		return inputErr("currency", ErrCurrencyNotAllowed, "IRA distributions are in USD (got %s)", currency)
	}
	return nil
}

// String describes the detail for logs.
func (d IRADistribution) String() string {
	return "IRA " + string(d.Reason) + " distribution, withholding " + d.FederalTaxPercent.String() + "% federal, " +
		d.StateTaxPercent.String() + "% " + d.State
}

// apply sets the withdrawal body's iraWithdrawalDetail from a validated
// detail (nil: none).
func (d *IRADistribution) apply(x *gen.WithdrawFundsInstruction) {
	if d == nil {
		return
	}
	x.IraWithdrawalDetail = newOf(x.IraWithdrawalDetail)
	x.IraWithdrawalDetail.IraWithholdType = gen.WithdrawFundsInstructionIraWithdrawalDetailIraWithholdType(d.Reason)
	x.IraWithdrawalDetail.FedIncomeTaxPercentage = d.FederalTaxPercent
	x.IraWithdrawalDetail.StateIncomeTaxPercentage = d.StateTaxPercent
	x.IraWithdrawalDetail.StateCd = d.State
}

// usStates are the two-letter codes of the US states, the District of
// Columbia and the territories with a state income tax code.
var usStates = map[string]bool{}

func init() {
	for _, s := range []string{"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
		"IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC",
		"ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
		"AS", "GU", "MP", "PR", "VI"} {
		usStates[s] = true
	}
}

// IRAContributions is what IBKR reports about an IRA's contributions in
// one tax year (QUERY_IRA_CONTRIBUTIONS).
type IRAContributions struct {
	AccountID string
	// Year is the tax year.
	Year int
	// IRAType is the kind of IRA, as IBKR names it (e.g. TRADITIONAL).
	IRAType string
	// Limits are IBKR's contribution figures for the year.
	Limits []IRAContributionLimit
}

// IRAContributionLimit is one line of an IRA's contribution figures.
type IRAContributionLimit struct {
	// Maximum is the most that may be contributed in the year.
	Maximum Decimal
	// YearToDate is what has been contributed so far.
	YearToDate Decimal
	// Allowed is what may still be contributed.
	Allowed Decimal
}

// Tax years IRAContributions accepts: IRAs exist since 1975.
const minIRAYear = 1975

// IRAContributions queries an IRA's contributions for a tax year: the
// maximum, what was contributed so far and what may still be. The year
// must lie between 1975 and next year (on the client's clock). IBKR
// answers asynchronously; the call polls for the result (within two
// minutes, on the client's clock).
func (c *Client) IRAContributions(ctx context.Context, accountID string, year int) (*IRAContributions, error) {
	if err := ValidateAccountID("accountId", accountID); err != nil {
		return nil, err
	}
	if maxYear := c.clock.Now().In(eastern()).Year() + 1; year < minIRAYear || year > maxYear {
		return nil, inputErr("year", ErrDateRange, "must be a tax year from %d to %d (got %d)", minIRAYear, maxYear, year)
	}
	res, err := asyncQuery(ctx, c, opExternalCashQuery, "QUERY_IRA_CONTRIBUTIONS",
		map[string]any{"accountId": accountID, "year": strconv.Itoa(year)},
		func(r *gen.QueryIRAContributionsResult) bool { return r.Contributions != nil }, nil)
	if err != nil {
		return nil, err
	}
	out := &IRAContributions{AccountID: orString(res.AccountId, accountID), Year: year, IRAType: res.IraType}
	if y, err := strconv.Atoi(res.Year); err == nil {
		out.Year = y
	}
	for _, l := range res.Contributions {
		out.Limits = append(out.Limits, IRAContributionLimit{Maximum: l.MaximumContributionLimit, YearToDate: l.YearToDateContribution, Allowed: l.AllowedContributionLimit})
	}
	return out, nil
}
