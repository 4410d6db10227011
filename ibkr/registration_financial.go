package ibkr

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// residenceOf is the customer's country of legal residence: as given,
// else the first holder's residence, else where the trust or
// organization was formed.
func residenceOf(c *gen.Customer) string {
	if r := unptr(c.LegalResidenceCountry); r != "" {
		return r
	}
	if p, ok := firstHolder(c); ok && p.ResidenceAddress != nil {
		return unptr(p.ResidenceAddress.Country)
	}
	if t := c.Trust; t != nil && len(unptrSlice(t.Identification)) > 0 {
		return unptr((*t.Identification)[0].FormationCountry)
	}
	if o := c.Organization; o != nil && len(unptrSlice(o.Identifications)) > 0 {
		return unptr((*o.Identifications)[0].FormationCountry)
	}
	return ""
}

// firstHolder is the individual (or first joint) holder.
func firstHolder(c *gen.Customer) (gen.AssociatedIndividual, bool) {
	var list []gen.AssociatedIndividual
	if h := c.AccountHolder; h != nil {
		list = unptrSlice(h.AccountHolderDetails)
	} else if j := c.JointHolders; j != nil {
		list = unptrSlice(j.FirstHolderDetails)
	}
	if len(list) == 0 {
		return gen.AssociatedIndividual{}, false
	}
	return list[0], true
}

// holderFacts are what the financial rules need to know of the holder.
type holderFacts struct {
	dateOfBirth, employment string
	entity                  bool
}

func holderBirth(c *gen.Customer) holderFacts {
	p, ok := firstHolder(c)
	if !ok {
		return holderFacts{entity: c.Trust != nil || c.Organization != nil}
	}
	return holderFacts{dateOfBirth: unptr(p.DateOfBirth), employment: unptr(p.EmploymentType)}
}

type financialNode struct {
	field string
	list  []gen.FinancialInformation
}

// financialNodes are the customer's financial information lists.
func financialNodes(c *gen.Customer) []financialNode {
	var out []financialNode
	add := func(field string, l *[]gen.FinancialInformation) {
		if len(unptrSlice(l)) > 0 {
			out = append(out, financialNode{field, *l})
		}
	}
	if h := c.AccountHolder; h != nil {
		add("customer.accountHolder.financialInformation", h.FinancialInformation)
	}
	if j := c.JointHolders; j != nil {
		add("customer.jointHolders.financialInformation", j.FinancialInformation)
	}
	if t := c.Trust; t != nil {
		add("customer.trust.financialInformation", t.FinancialInformation)
	}
	if o := c.Organization; o != nil {
		add("customer.organization.financialInformation", o.FinancialInformation)
	}
	return out
}

// checkFinancial checks financial information: the rules of
// FinancialInformation.Validate, and those of an application: investment
// experience complete and no longer than the holder's adult life, and
// sources of wealth that fit the applicant and fund the account.
func checkFinancial(field string, list []gen.FinancialInformation, h holderFacts, today time.Time) error {
	for i, fi := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		if err := finFromWire(fi).Validate(f); err != nil {
			var ie *InputError
			if errors.As(err, &ie) {
				ie.Err = ErrApplication
			}
			return err
		}
		if err := checkExperience(f+".investmentExperience", unptrSlice(fi.InvestmentExperience), h, today); err != nil {
			return err
		}
		if fi.SourcesOfWealth != nil {
			if err := checkSourcesOfWealth(f+".sourcesOfWealth", *fi.SourcesOfWealth, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// finFromWire is the facade's form of the schema's financial
// information, for FinancialInformation.Validate.
func finFromWire(w gen.FinancialInformation) FinancialInformation {
	f := FinancialInformation{NetWorth: w.NetWorth, LiquidNetWorth: w.LiquidNetWorth, AnnualNetIncome: w.AnnualNetIncome,
		TotalAssets: w.TotalAssets, SourceOfFunds: unptr(w.SourceOfFunds)}
	for _, e := range unptrSlice(w.InvestmentExperience) {
		f.InvestmentExperience = append(f.InvestmentExperience, InvestmentExperience{AssetClass: string(unptr(e.AssetClass)),
			YearsTrading: int(unptr(e.YearsTrading)), TradesPerYear: int(unptr(e.TradesPerYear)), KnowledgeLevel: string(unptr(e.KnowledgeLevel))})
	}
	for _, o := range unptrSlice(w.InvestmentObjectives) {
		f.InvestmentObjectives = append(f.InvestmentObjectives, string(o))
	}
	for _, s := range unptrSlice(w.SourcesOfWealth) {
		f.SourcesOfWealth = append(f.SourcesOfWealth, SourceOfWealth{Type: string(unptr(s.SourceType)), Percentage: int(unptr(s.Percentage)),
			UsedForFunds: unptr(s.UsedForFunds), Description: unptr(s.Description)})
	}
	for _, s := range unptrSlice(w.AdditionalSourcesOfIncome) {
		f.AdditionalSourcesOfIncome = append(f.AdditionalSourcesOfIncome, SourceOfIncome{Type: string(unptr(s.SourceType)),
			Percentage: int(unptr(s.Percentage)), Description: unptr(s.Description)})
	}
	return f
}

// checkExperience checks what FinancialInformation.Validate leaves to
// an application: every entry complete, and no more years of trading
// than the holder has been an adult.
func checkExperience(field string, list []gen.AssetExperience, h holderFacts, today time.Time) error {
	adultYears := -1
	if dob, err := time.Parse(DateLayout, h.dateOfBirth); err == nil && !today.IsZero() {
		adultYears = yearsBetween(dob, civil(today)) - MinimumAge
	}
	for i, e := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		if e.YearsTrading == nil {
			return appErr(f+".yearsTrading", "is required")
		}
		if e.TradesPerYear == nil {
			return appErr(f+".tradesPerYear", "is required")
		}
		if adultYears >= 0 && int(*e.YearsTrading) > adultYears {
			return appErr(f+".yearsTrading", "cannot exceed the years since the holder turned %d (%d)", MinimumAge, adultYears)
		}
	}
	return nil
}

// yearsBetween is the number of whole years from a to b.
func yearsBetween(a, b time.Time) int {
	y := b.Year() - a.Year()
	if b.Month() < a.Month() || b.Month() == a.Month() && b.Day() < a.Day() {
		y--
	}
	return y
}

// checkSourcesOfWealth checks what FinancialInformation.Validate leaves
// to an application: sources of the applicant's kind (SOW-IND- for
// people, SOW-ORG- for trusts and organizations), at least one funding
// the account, percentages only on those, and income listed for an
// employed holder.
func checkSourcesOfWealth(field string, list []gen.SourceOfWealthType, h holderFacts) error {
	if len(list) == 0 {
		return appErr(field, "at least one source of wealth is required")
	}
	want := "SOW-IND-"
	if h.entity {
		want = "SOW-ORG-"
	}
	funded, income := false, false
	for i, s := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		t := unptr(s.SourceType)
		if !strings.HasPrefix(string(t), want) {
			return appErr(f+".sourceType", "must be one of the %s sources for this applicant", want)
		}
		income = income || t == gen.SourceOfWealthTypeSourceTypeSOWINDIncome
		if unptr(s.UsedForFunds) {
			funded = true
		} else if unptr(s.Percentage) != 0 {
			return appErr(f+".percentage", "is only given for a source used to fund the account")
		}
	}
	if !funded {
		return appErr(field, "at least one source of wealth must be usedForFunds")
	}
	if (h.employment == "EMPLOYED" || h.employment == "SELFEMPLOYED") && !income {
		return appErr(field, "must include SOW-IND-Income when employmentType is %s", h.employment)
	}
	return nil
}
