package ibkr

import (
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// Documented bounds of financial information given as absolute amounts
// (in the currency of the account's IBKR entity). Values of 100 and less
// are range ids from the fin-info-ranges enumeration instead.
var (
	finRangeIDMax      = MustDecimal("100")
	minNetWorth        = MustDecimal("101")
	maxNetWorth        = MustDecimal("50000001")
	minLiquidNetWorth  = MustDecimal("101")
	maxLiquidNetWorth  = MustDecimal("5000001")
	maxAnnualNetIncome = MustDecimal("1000001")
)

// FinancialInformation is an applicant's financial profile. Amounts are
// whole numbers: either absolute values (above 100) or range ids (1 to
// 100) of the fin-info-ranges enumeration for the account's currency.
type FinancialInformation struct {
	// NetWorth (at least LiquidNetWorth), LiquidNetWorth and
	// AnnualNetIncome; nil leaves a value out. Absolute values are
	// bounded: net worth 101 to 50,000,001, liquid net worth 101 to
	// 5,000,001, annual net income 0 to 1,000,001.
	NetWorth, LiquidNetWorth, AnnualNetIncome *Decimal
	// TotalAssets, when given, is a whole non-negative amount.
	TotalAssets *Decimal
	// InvestmentExperience lists experience per asset class (one entry
	// per class).
	InvestmentExperience []InvestmentExperience
	// InvestmentObjectives are among Preservation, Income, Growth,
	// Trading, Speculation and Hedging.
	InvestmentObjectives []string
	// SourcesOfWealth lists sources, each type at most once; when
	// percentages are given they add up to 100.
	SourcesOfWealth []SourceOfWealth
	// AdditionalSourcesOfIncome lists other income.
	AdditionalSourcesOfIncome []SourceOfIncome
	// SourceOfFunds describes where the deposits come from (optional).
	SourceOfFunds string
}

// InvestmentExperience is experience trading one asset class.
type InvestmentExperience struct {
	// AssetClass is STK, BOND, OPT, FUT, CASH, MRGN ...
	AssetClass string
	// YearsTrading and TradesPerYear are non-negative.
	YearsTrading, TradesPerYear int
	// KnowledgeLevel is None, Limited, Good or Extensive.
	KnowledgeLevel string
}

// SourceOfWealth is one source of the applicant's wealth.
type SourceOfWealth struct {
	// Type is e.g. SOW-IND-Income, SOW-IND-Inheritance, SOW-IND-Other
	// (which needs a Description), or SOW-ORG-... for entities.
	Type string
	// Percentage is the share of wealth, 0 to 100 (0: not given).
	Percentage int
	// UsedForFunds says the source funds the account.
	UsedForFunds bool
	// Description, at most 350 characters; required for -Other types.
	Description string
}

// SourceOfIncome is one additional source of income.
type SourceOfIncome struct {
	// Type is e.g. CONSULTING, INHERITANCE, PENSIONANDSOCIALSECURITY.
	Type        string
	Percentage  int
	Description string
}

// MaxDetailLen bounds free-text details of financial information and
// questionnaire answers.
const MaxDetailLen = 350

func checkFinAmount(field string, v *Decimal, lo, hi Decimal) error {
	if v == nil {
		return nil
	}
	if v.Sign() < 0 || v.Decimals() > 0 {
		return changeErr(field, "must be a whole non-negative number")
	}
	if v.Sign() > 0 && v.Cmp(finRangeIDMax) <= 0 {
		return nil // a range id
	}
	if v.Cmp(lo) < 0 || v.Cmp(hi) > 0 {
		return changeErr(field, "as an absolute amount must be %s to %s (1 to 100 are range ids)", lo, hi)
	}
	return nil
}

// Validate checks the documented rules of financial information.
func (f FinancialInformation) Validate(field string) error {
	if err := checkFinAmount(field+".netWorth", f.NetWorth, minNetWorth, maxNetWorth); err != nil {
		return err
	}
	if err := checkFinAmount(field+".liquidNetWorth", f.LiquidNetWorth, minLiquidNetWorth, maxLiquidNetWorth); err != nil {
		return err
	}
	if err := checkFinAmount(field+".annualNetIncome", f.AnnualNetIncome, MustDecimal("0"), maxAnnualNetIncome); err != nil {
		return err
	}
	if t := f.TotalAssets; t != nil && (t.Sign() < 0 || t.Decimals() > 0) {
		return changeErr(field+".totalAssets", "must be a whole non-negative number")
	}
	if n, l := f.NetWorth, f.LiquidNetWorth; n != nil && l != nil && n.Cmp(finRangeIDMax) > 0 && l.Cmp(finRangeIDMax) > 0 && n.Cmp(*l) < 0 {
		return changeErr(field+".netWorth", "cannot be less than the liquid net worth")
	}
	seen := map[string]bool{}
	for i, e := range f.InvestmentExperience {
		ef := fmt.Sprintf("%s.investmentExperience[%d]", field, i)
		if !gen.AssetExperienceAssetClass(e.AssetClass).Valid() {
			return changeErr(ef+".assetClass", "%q is not an asset class IBKR knows", clipText(e.AssetClass))
		}
		if seen[e.AssetClass] {
			return changeErr(ef+".assetClass", "%s appears twice", e.AssetClass)
		}
		seen[e.AssetClass] = true
		if e.YearsTrading < 0 || e.TradesPerYear < 0 {
			return changeErr(ef, "years and trades per year must not be negative")
		}
		if !gen.AssetExperienceKnowledgeLevel(e.KnowledgeLevel).Valid() {
			return changeErr(ef+".knowledgeLevel", "must be None, Limited, Good or Extensive")
		}
	}
	seen = map[string]bool{}
	for i, o := range f.InvestmentObjectives {
		if !gen.FinancialInformationInvestmentObjectives(o).Valid() {
			return changeErr(fmt.Sprintf("%s.investmentObjectives[%d]", field, i), "must be Preservation, Income, Growth, Trading, Speculation or Hedging")
		}
		if seen[o] {
			return changeErr(fmt.Sprintf("%s.investmentObjectives[%d]", field, i), "%s appears twice", o)
		}
		seen[o] = true
	}
	seen = map[string]bool{}
	sum, given := 0, false
	for i, s := range f.SourcesOfWealth {
		sf := fmt.Sprintf("%s.sourcesOfWealth[%d]", field, i)
		if !gen.SourceOfWealthTypeSourceType(s.Type).Valid() {
			return changeErr(sf+".sourceType", "%q is not a source of wealth IBKR knows", clipText(s.Type))
		}
		if seen[s.Type] {
			return changeErr(sf+".sourceType", "%s appears twice", s.Type)
		}
		seen[s.Type] = true
		if s.Percentage < 0 || s.Percentage > 100 {
			return changeErr(sf+".percentage", "must be 0 to 100")
		}
		if s.Percentage > 0 {
			given = true
		}
		sum += s.Percentage
		other := s.Type == string(gen.SourceOfWealthTypeSourceTypeSOWINDOther) || s.Type == string(gen.SourceOfWealthTypeSourceTypeSOWORGOther)
		if err := checkFreeText(sf+".description", s.Description, MaxDetailLen, other); err != nil {
			return err
		}
	}
	if given && sum != 100 {
		return changeErr(field+".sourcesOfWealth", "percentages must add up to 100 (got %d)", sum)
	}
	for i, s := range f.AdditionalSourcesOfIncome {
		sf := fmt.Sprintf("%s.additionalSourcesOfIncome[%d]", field, i)
		if !gen.SourceOfIncomeTypeSourceType(s.Type).Valid() {
			return changeErr(sf+".sourceType", "%q is not a source of income IBKR knows", clipText(s.Type))
		}
		if s.Percentage < 0 || s.Percentage > 100 {
			return changeErr(sf+".percentage", "must be 0 to 100")
		}
		if err := checkFreeText(sf+".description", s.Description, MaxDetailLen, false); err != nil {
			return err
		}
	}
	return checkFreeText(field+".sourceOfFunds", f.SourceOfFunds, MaxDetailLen, false)
}

func (f FinancialInformation) wire() gen.FinancialInformation {
	w := gen.FinancialInformation{NetWorth: f.NetWorth, LiquidNetWorth: f.LiquidNetWorth,
		AnnualNetIncome: f.AnnualNetIncome, TotalAssets: f.TotalAssets}
	if f.SourceOfFunds != "" {
		w.SourceOfFunds = &f.SourceOfFunds
	}
	if len(f.InvestmentExperience) > 0 {
		xs := make([]gen.AssetExperience, 0, len(f.InvestmentExperience))
		for _, e := range f.InvestmentExperience {
			ac, kl := gen.AssetExperienceAssetClass(e.AssetClass), gen.AssetExperienceKnowledgeLevel(e.KnowledgeLevel)
			xs = append(xs, gen.AssetExperience{AssetClass: &ac, KnowledgeLevel: &kl,
				YearsTrading: i32(e.YearsTrading), TradesPerYear: i32(e.TradesPerYear)})
		}
		w.InvestmentExperience = &xs
	}
	if len(f.InvestmentObjectives) > 0 {
		os := make([]gen.FinancialInformationInvestmentObjectives, 0, len(f.InvestmentObjectives))
		for _, o := range f.InvestmentObjectives {
			os = append(os, gen.FinancialInformationInvestmentObjectives(o))
		}
		w.InvestmentObjectives = &os
	}
	if len(f.SourcesOfWealth) > 0 {
		ss := make([]gen.SourceOfWealthType, 0, len(f.SourcesOfWealth))
		for _, s := range f.SourcesOfWealth {
			st, used := gen.SourceOfWealthTypeSourceType(s.Type), s.UsedForFunds
			x := gen.SourceOfWealthType{SourceType: &st, UsedForFunds: &used}
			if s.Percentage > 0 {
				x.Percentage = i32(s.Percentage)
			}
			if s.Description != "" {
				d := s.Description
				x.Description = &d
			}
			ss = append(ss, x)
		}
		w.SourcesOfWealth = &ss
	}
	if len(f.AdditionalSourcesOfIncome) > 0 {
		ss := make([]gen.SourceOfIncomeType, 0, len(f.AdditionalSourcesOfIncome))
		for _, s := range f.AdditionalSourcesOfIncome {
			st := gen.SourceOfIncomeTypeSourceType(s.Type)
			x := gen.SourceOfIncomeType{SourceType: &st, Percentage: i32(s.Percentage)}
			if s.Description != "" {
				d := s.Description
				x.Description = &d
			}
			ss = append(ss, x)
		}
		w.AdditionalSourcesOfIncome = &ss
	}
	return w
}

// ChangeFinancialInformation updates and increases an account's investment
// experience, objectives and financial information
// (changeFinancialInformation). It cannot downgrade experience;
// compliance reviews fully-disclosed and advisor clients' changes in one
// or two business days.
type ChangeFinancialInformation struct {
	AccountID string
	Info      FinancialInformation
}

// Kind implements AccountChange.
func (ChangeFinancialInformation) Kind() string { return "changeFinancialInformation" }

// Validate implements AccountChange.
func (r ChangeFinancialInformation) Validate(time.Time) error {
	if err := ValidateAccountID("changeFinancialInformation.accountId", r.AccountID); err != nil {
		return err
	}
	f := r.Info
	if f.NetWorth == nil && f.LiquidNetWorth == nil && f.AnnualNetIncome == nil && f.TotalAssets == nil &&
		len(f.InvestmentExperience) == 0 && len(f.InvestmentObjectives) == 0 && len(f.SourcesOfWealth) == 0 &&
		len(f.AdditionalSourcesOfIncome) == 0 && f.SourceOfFunds == "" {
		return changeErr("changeFinancialInformation.newFinancialInformation", "nothing to change")
	}
	return f.Validate("changeFinancialInformation.newFinancialInformation")
}

func (r ChangeFinancialInformation) payload() any {
	return struct {
		AccountID string                   `json:"accountId"`
		Info      gen.FinancialInformation `json:"newFinancialInformation"`
	}{r.AccountID, r.Info.wire()}
}
