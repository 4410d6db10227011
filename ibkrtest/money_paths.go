package ibkrtest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/wire"
)

// Money paths beyond ACH and wire: IRAs (contributions with their tax
// year, distributions with their withholding, the contributions query),
// open-banking deposits and SEPA destinations.
//
// An account becomes an IRA with MakeIRA. Deposits into it must carry
// iraDepositDetail and withdrawals iraWithdrawalDetail (both in USD);
// accounts that are not IRAs refuse both details. Contributions
// (CONTRIBUTION, SPOUSAL_CONTRIBUTION, EMPLOYER_SEP_CONTRIBUTION) count
// toward the year's limit: the current year, or the prior one until April
// 15 (US Eastern); one that would pass the limit, counting those still
// pending, is refused. Rollovers do not count. QUERY_IRA_CONTRIBUTIONS
// reports the limit, the processed contributions of the year and what
// remains; it answers 202 and the result is read with
// getClientInstructions. Each run of a recurring IRA contribution counts
// for the tax year it runs in, and ends REJECTED when it would pass the
// limit.
//
// An open-banking deposit (bankInstructionMethod OPEN_BANKING with
// openBanking.serviceProvider PLAID) stays PENDING while the holder
// authorises it with the provider, then after Timings.OpenBanking the
// funds arrive (PROCESSED); DeclineOpenBanking turns it REJECTED with
// CodeOpenBankingDeclined instead.

// Error codes of the money paths (the sandbox's own, in IBKR's style).
const (
	CodeNotIRA               = "ERROR_ACCOUNT_NOT_IRA"
	CodeIRADetailRequired    = "ERROR_IRA_DETAIL_REQUIRED"
	CodeIRAContributionLimit = "ERROR_IRA_CONTRIBUTION_LIMIT_EXCEEDED"
	CodeIRAPriorYearClosed   = "ERROR_IRA_PRIOR_YEAR_CLOSED"
	CodeOpenBankingDeclined  = "ERROR_OPEN_BANKING_AUTHORISATION_DECLINED"
)

const (
	iraStateKey               = "ira"
	iraPriorYearDeadlineMonth = time.April
	iraPriorYearDeadlineDay   = 15
	openBankingPendingDesc    = "waiting for the account holder to authorise the payment with "
	openBankingDeclinedMsg    = "the account holder declined the payment"
)

// iraState is what the IRA simulation persists (in the state's Extra).
type iraState struct {
	// Accounts are the IRAs, by account id.
	Accounts map[string]iraAccount `json:"accounts"`
	// Deposits are the IRA details of deposits, by instruction id.
	Deposits map[uint64]iraDeposit `json:"deposits"`
}

type iraAccount struct {
	Type  string       `json:"type"`
	Limit wire.Decimal `json:"limit"`
}

type iraDeposit struct {
	Type    string `json:"type"`
	TaxYear int    `json:"taxYear"`
	From    string `json:"from"`
	// Shift is 1 for a PRIOR tax year: TaxYear is the year of the
	// deposit minus Shift.
	Shift int `json:"shift,omitempty"`
}

// counts reports whether a deposit of this type counts toward the limit.
func (d iraDeposit) counts() bool {
	switch d.Type {
	case "CONTRIBUTION", "SPOUSAL_CONTRIBUTION", "EMPLOYER_SEP_CONTRIBUTION":
		return true
	}
	return false
}

// iraLoad reads the IRA state. Called with s.mu held.
func (s *Sandbox) iraLoad() *iraState {
	st := &iraState{Accounts: map[string]iraAccount{}, Deposits: map[uint64]iraDeposit{}}
	s.loadExtra(iraStateKey, st)
	return st
}

// iraSave writes the IRA state back. Called with s.mu held.
func (s *Sandbox) iraSave(st *iraState) {
	s.saveExtra(iraStateKey, st)
}

// MakeIRA makes an account an IRA of iraType (such as TRADITIONAL or
// ROTH) whose contributions are limited to annualLimit per tax year.
func (s *Sandbox) MakeIRA(accountID, iraType string, annualLimit wire.Decimal) error {
	if iraType == "" {
		return fmt.Errorf("ibkrtest: an IRA needs a type")
	}
	if annualLimit.Sign() <= 0 {
		return fmt.Errorf("ibkrtest: an IRA's annual limit must be positive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.Accounts[accountID] == nil {
		return fmt.Errorf("ibkrtest: no account %s", accountID)
	}
	st := s.iraLoad()
	st.Accounts[accountID] = iraAccount{Type: iraType, Limit: annualLimit}
	s.iraSave(st)
	return nil
}

// DeclineOpenBanking makes the account holder decline a pending
// open-banking deposit: it ends REJECTED with CodeOpenBankingDeclined.
func (s *Sandbox) DeclineOpenBanking(instructionID wire.ID) error {
	n, ok := parseUint(instructionID)
	if !ok {
		return fmt.Errorf("ibkrtest: bad instruction id %s", instructionID)
	}
	s.mu.Lock()
	in := s.st.Instructions[n]
	isOB := in != nil && in.Type == "DEPOSIT" && in.Method == "OPEN_BANKING"
	s.mu.Unlock()
	if !isOB {
		return fmt.Errorf("ibkrtest: no open-banking deposit %s", instructionID)
	}
	return s.RejectInstruction(instructionID, CodeOpenBankingDeclined, openBankingDeclinedMsg)
}

// taxYear is the calendar year of t in New York.
func taxYear(t time.Time) int { return t.In(eastern()).Year() }

// checkIRADeposit applies the IRA rules to a deposit into a (an IRA or
// not) and returns the detail to record, if any. Called with s.mu held.
func (s *Sandbox) checkIRADeposit(a *account, x gen.DepositFundsInstruction, now time.Time) (*iraDeposit, *reject) {
	st := s.iraLoad()
	ira, isIRA := st.Accounts[a.ID]
	d := x.IraDepositDetail
	switch {
	case d == nil && !isIRA:
		return nil, nil
	case d == nil:
		return nil, biz(CodeIRADetailRequired, "account "+a.ID+" is an IRA: deposits need iraDepositDetail")
	case !isIRA:
		return nil, biz(CodeNotIRA, "account "+a.ID+" is not an IRA; leave iraDepositDetail out")
	case x.Currency != "USD":
		return nil, biz(CodeUnsupportedCurrency, "IRA deposits are in USD")
	}
	rec := iraDeposit{Type: string(d.IraContributionType), From: string(d.FromIraType), TaxYear: taxYear(now)}
	rollover := !rec.counts()
	if rollover == (d.FromIraType == "NONE") {
		return nil, badArg("instruction.iraDepositDetail.fromIraType", "a rollover names the plan it comes from; a contribution is NONE")
	}
	if d.IraTaxYearType == "PRIOR" {
		rec.TaxYear--
		rec.Shift = 1
		deadline := time.Date(rec.TaxYear+1, iraPriorYearDeadlineMonth, iraPriorYearDeadlineDay+1, 0, 0, 0, 0, eastern())
		if !now.Before(deadline) {
			return nil, biz(CodeIRAPriorYearClosed, "contributions for "+strconv.Itoa(rec.TaxYear)+" closed on April 15")
		}
	}
	if rec.counts() {
		used := s.iraContributed(st, a.ID, rec.TaxYear, true)
		total, err := used.Add(x.Amount)
		if err != nil || total.Cmp(ira.Limit) > 0 {
			return nil, biz(CodeIRAContributionLimit, "the "+strconv.Itoa(rec.TaxYear)+" limit is "+ira.Limit.String()+" USD; "+used.String()+" USD is contributed or pending")
		}
	}
	return &rec, nil
}

// recordIRADeposit remembers a deposit's IRA detail. Called with s.mu
// held.
func (s *Sandbox) recordIRADeposit(in *instruction, d *iraDeposit) {
	if d == nil {
		return
	}
	st := s.iraLoad()
	st.Deposits[in.ID] = *d
	s.iraSave(st)
}

// iraRun gives a run of a recurring IRA deposit its parent's detail, for
// the tax year of the run (or the one before, for PRIOR), and refuses a
// contribution that would pass the year's limit. Called with s.mu held.
func (s *Sandbox) iraRun(parent, run *instruction, at time.Time) {
	st := s.iraLoad()
	d, ok := st.Deposits[parent.ID]
	if !ok || run.Type != "DEPOSIT" || run.Status != StatusPending {
		return
	}
	d.TaxYear = taxYear(at) - d.Shift
	if d.counts() {
		used := s.iraContributed(st, run.Account, d.TaxYear, true)
		if total, err := used.Add(run.Amount); err != nil || total.Cmp(st.Accounts[run.Account].Limit) > 0 {
			run.ErrCode, run.ErrMsg = CodeIRAContributionLimit, "the recurring IRA contribution would pass the "+strconv.Itoa(d.TaxYear)+" limit"
			s.setStatus(run, StatusRejected, at, run.ErrMsg)
			return
		}
	}
	st.Deposits[run.ID] = d
	s.iraSave(st)
}

// iraContributed sums an IRA's contributions for a tax year: processed
// ones, and pending ones too when withPending is set.
func (s *Sandbox) iraContributed(st *iraState, acct string, year int, withPending bool) wire.Decimal {
	var sum wire.Decimal
	for id, d := range st.Deposits {
		in := s.st.Instructions[id]
		if in == nil || in.Recurring != nil || in.Account != acct || d.TaxYear != year || !d.counts() {
			continue // a recurring parent moves no money; its runs do
		}
		if in.Status == StatusProcessed || withPending && in.Status == StatusPending {
			sum = add(sum, in.Amount)
		}
	}
	return sum
}

// checkIRAWithdrawal applies the IRA rules to a withdrawal from a.
// Called with s.mu held.
func (s *Sandbox) checkIRAWithdrawal(a *account, x gen.WithdrawFundsInstruction) *reject {
	_, isIRA := s.iraLoad().Accounts[a.ID]
	d := x.IraWithdrawalDetail
	switch {
	case d == nil && !isIRA:
		return nil
	case d == nil:
		return biz(CodeIRADetailRequired, "account "+a.ID+" is an IRA: distributions need iraWithdrawalDetail")
	case !isIRA:
		return biz(CodeNotIRA, "account "+a.ID+" is not an IRA; leave iraWithdrawalDetail out")
	case x.Currency != "USD":
		return biz(CodeUnsupportedCurrency, "IRA distributions are in USD")
	}
	hundred := wire.NewDecimal(100, 0)
	for _, p := range []struct {
		field string
		v     wire.Decimal
	}{{"fedIncomeTaxPercentage", d.FedIncomeTaxPercentage}, {"stateIncomeTaxPercentage", d.StateIncomeTaxPercentage}} {
		if p.v.Sign() < 0 || p.v.Cmp(hundred) > 0 {
			return badArg("instruction.iraWithdrawalDetail."+p.field, "must be a percentage from 0 to 100")
		}
	}
	if len(d.StateCd) != 2 {
		return badArg("instruction.iraWithdrawalDetail.stateCd", "must be a two-letter state code")
	}
	return nil
}

// queryStatus is the HTTP status a query of createExternalCashTransfersQuery
// answers with: QUERY_IRA_CONTRIBUTIONS is asynchronous (202; IBKR's
// document lists its result only as a getClientInstructions answer), the
// others answer at once (201).
func queryStatus(ri *reqInfo) int32 {
	var env envelope
	if json.Unmarshal(ri.claims, &env) == nil && env.InstructionType == "QUERY_IRA_CONTRIBUTIONS" {
		return 202
	}
	return 201
}

// queryIRAContributions answers QUERY_IRA_CONTRIBUTIONS.
func (s *Sandbox) queryIRAContributions(c sctx, raw json.RawMessage) (map[string]any, *reject) {
	a, rj := s.accountArg(raw)
	if rj != nil {
		return nil, rj
	}
	var x struct {
		Year string `json:"year"`
	}
	_ = json.Unmarshal(raw, &x)
	year, err := strconv.Atoi(x.Year)
	if err != nil || len(x.Year) != 4 {
		return nil, badArg("instruction.year", "must be a four-digit year")
	}
	st := s.iraLoad()
	ira, ok := st.Accounts[a.ID]
	if !ok {
		return nil, biz(CodeNotIRA, "account "+a.ID+" is not an IRA")
	}
	ytd := s.iraContributed(st, a.ID, year, false)
	allowed := sub(ira.Limit, s.iraContributed(st, a.ID, year, true))
	if allowed.Sign() < 0 {
		allowed = wire.Decimal{}
	}
	return map[string]any{
		"accountId": a.ID, "year": x.Year, "iraType": ira.Type,
		"contributions": []map[string]any{{
			"maximumContributionLimit": ira.Limit, "yearToDateContribution": ytd, "allowedContributionLimit": allowed,
		}},
	}, nil
}

// checkOpenBanking checks an open-banking deposit and returns the
// description its pending instruction carries.
func checkOpenBanking(x gen.DepositFundsInstruction) (string, *reject) {
	ob := x.OpenBanking
	if ob == nil {
		return "", badArg("instruction.openBanking", "required for OPEN_BANKING deposits")
	}
	if ob.ServiceProvider != "PLAID" {
		return "", badArg("instruction.openBanking.serviceProvider", "must be PLAID")
	}
	if po := ob.PlaidOptions; po != nil && po.CompletionRedirectUri != nil && *po.CompletionRedirectUri != "" {
		u, err := url.Parse(*po.CompletionRedirectUri)
		if err != nil || !u.IsAbs() {
			return "", badArg("instruction.openBanking.plaidOptions.completionRedirectUri", "must be an absolute URI")
		}
	}
	return openBankingPendingDesc + string(ob.ServiceProvider), nil
}

// checkPredefined applies the method rules to a saved destination: a SEPA
// destination is in EUR.
func checkPredefined(x gen.PredefinedDestinationInstruction) *reject {
	if x.BankInstructionMethod == "SEPA" && x.Currency != "EUR" {
		return biz(CodeUnsupportedCurrency, "SEPA destinations are in EUR")
	}
	return nil
}
