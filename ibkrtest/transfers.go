package ibkrtest

import (
	"encoding/json"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/wire"
)

// checkAmount applies the rules the schema cannot express.
func checkAmount(amount wire.Decimal, currency string) *reject {
	if amount.Sign() <= 0 {
		return badArg("instruction.amount", "must be greater than zero")
	}
	if amount.Decimals() > 2 {
		return badArg("instruction.amount", "at most two decimals")
	}
	if !currencyRE.MatchString(currency) {
		return badArg("instruction.currency", "must be a three-letter ISO code")
	}
	if !currencies[currency] {
		return biz(CodeUnsupportedCurrency, "unsupported currency "+currency)
	}
	return nil
}

// cashTransfer dispatches one instruction of POST external-cash-transfers.
func (s *Sandbox) cashTransfer(c sctx, typ string, raw json.RawMessage) (*instruction, *reject, wire.ID) {
	var head cidOnly
	if rj := decodeInto(raw, &head); rj != nil {
		return nil, rj, wire.ID{}
	}
	in, rj := s.submit(c, head.ClientInstructionId, orDefault(typ, "DEPOSIT"), head.AccountId, func() (*instruction, *reject) {
		switch typ {
		case "DEPOSIT":
			var x gen.DepositFundsInstruction
			if rj := decodeInto(raw, &x); rj != nil {
				return nil, rj
			}
			return s.submitDeposit(c, x)
		case "WITHDRAWAL":
			var x gen.WithdrawFundsInstruction
			if rj := decodeInto(raw, &x); rj != nil {
				return nil, rj
			}
			return s.submitWithdrawal(c, x)
		}
		return nil, badArg("instructionType", "must be DEPOSIT or WITHDRAWAL")
	})
	return in, rj, head.ClientInstructionId
}

func (s *Sandbox) submitDeposit(c sctx, x gen.DepositFundsInstruction) (*instruction, *reject) {
	if rj := checkAmount(x.Amount, x.Currency); rj != nil {
		return nil, rj
	}
	a, rj := s.accountFor(x.AccountId, "NPO")
	if rj != nil {
		return nil, rj
	}
	name := ""
	if x.BankInstructionName != nil {
		name = *x.BankInstructionName
	}
	ira, rj := s.checkIRADeposit(a, x, c.now)
	if rj != nil {
		return nil, rj
	}
	var delay time.Duration
	desc := "deposit pending"
	method := string(x.BankInstructionMethod)
	switch x.BankInstructionMethod {
	case "ACH", "eDDA":
		bm := "ACH"
		if method == "eDDA" {
			bm = "EDDA"
		}
		if name == "" {
			return nil, badArg("instruction.bankInstructionName", "required for "+method+" deposits")
		}
		b := s.st.bankByName(a.ID, name, bm)
		if b == nil {
			return nil, biz(CodeBankInstructionNotFound, "account "+a.ID+" has no active "+method+" bank instruction named "+name)
		}
		if b.Status != StatusProcessed {
			return nil, biz(CodeBankInstructionNotEligible, "bank instruction "+name+" is "+b.Status+", not PROCESSED")
		}
		if b.AchType == "CREDIT" {
			return nil, biz(CodeBankInstructionNotEligible, "bank instruction "+name+" allows withdrawals only (achType CREDIT)")
		}
		if b.Currency != x.Currency {
			return nil, biz(CodeUnsupportedCurrency, "bank instruction "+name+" is in "+b.Currency)
		}
		delay = s.cfg.timings.ACHDeposit
	case "WIRE":
		delay = s.cfg.timings.WireDeposit
	case "OPEN_BANKING":
		if desc, rj = checkOpenBanking(x); rj != nil {
			return nil, rj
		}
		delay = s.cfg.timings.OpenBanking
	default:
		return nil, badArg("instruction.bankInstructionMethod", "unknown deposit method "+method)
	}
	rec, rj := parseRecurring(x.RecurringInstructionDetail)
	if rj != nil {
		return nil, rj
	}
	in := s.st.newInstruction(c.client, x.ClientInstructionId, "DEPOSIT", c.setID, c.now)
	in.Account, in.Amount, in.Currency, in.Method, in.BankName = a.ID, x.Amount, x.Currency, method, name
	s.fundingProvided(a, c)
	s.recordIRADeposit(in, ira)
	if rec != nil {
		return s.startRecurring(in, rec)
	}
	in.Description = desc
	s.st.schedule(c.now.Add(delay), evSettle, in.ID, "")
	return in, nil
}

func (s *Sandbox) submitWithdrawal(c sctx, x gen.WithdrawFundsInstruction) (*instruction, *reject) {
	if rj := checkAmount(x.Amount, x.Currency); rj != nil {
		return nil, rj
	}
	a, rj := s.accountFor(x.AccountId, "O")
	if rj != nil {
		return nil, rj
	}
	if rj := s.checkIRAWithdrawal(a, x); rj != nil {
		return nil, rj
	}
	if x.Currency == "USD" && x.Amount.Cmp(WithdrawalLimitUSD) > 0 {
		return nil, biz(CodeWithdrawalLimit, "withdrawals over 100,000 USD must be requested through the IBKR portal")
	}
	method := string(x.BankInstructionMethod)
	b := s.st.bankByName(a.ID, x.BankInstructionName, method)
	if b == nil {
		return nil, biz(CodeBankInstructionNotFound, "account "+a.ID+" has no active "+method+" bank instruction named "+x.BankInstructionName)
	}
	if b.Status != StatusProcessed {
		return nil, biz(CodeBankInstructionNotEligible, "bank instruction "+x.BankInstructionName+" is "+b.Status+", not PROCESSED")
	}
	if b.AchType == "DEBIT" {
		return nil, biz(CodeBankInstructionNotEligible, "bank instruction "+x.BankInstructionName+" allows deposits only (achType DEBIT)")
	}
	if b.Currency != x.Currency {
		return nil, biz(CodeUnsupportedCurrency, "bank instruction "+x.BankInstructionName+" is in "+b.Currency)
	}
	if x.RecurringInstructionDetail == nil && a.withdrawable(x.Currency).Cmp(x.Amount) < 0 {
		return nil, biz(CodeInsufficientFunds, "withdrawable cash is "+a.withdrawable(x.Currency).String()+" "+x.Currency)
	}
	rec, rj := parseRecurring(x.RecurringInstructionDetail)
	if rj != nil {
		return nil, rj
	}
	in := s.st.newInstruction(c.client, x.ClientInstructionId, "WITHDRAWAL", c.setID, c.now)
	in.Account, in.Amount, in.Currency, in.Method, in.BankName = a.ID, x.Amount, x.Currency, method, x.BankInstructionName
	if rec != nil {
		return s.startRecurring(in, rec)
	}
	when := c.now
	if x.DateTimeToOccur != nil && x.DateTimeToOccur.After(when) {
		when = *x.DateTimeToOccur
		in.When = when
	}
	a.hold(in.Currency, in.Amount)
	in.Held = true
	in.Description = "withdrawal pending"
	s.st.schedule(when.Add(s.cfg.timings.Withdrawal), evSettle, in.ID, "")
	return in, nil
}

// parseRecurring checks a recurringInstructionDetail.
func parseRecurring(d *gen.RecurringInstructionDetail) (*recurring, *reject) {
	if d == nil {
		return nil, nil
	}
	start, err := time.ParseInLocation("2006-01-02", d.StartDate, eastern())
	if err != nil {
		return nil, badArg("instruction.recurringInstructionDetail.startDate", "must be YYYY-MM-DD")
	}
	end := ""
	if d.EndDate != nil && *d.EndDate != "" {
		e, err := time.ParseInLocation("2006-01-02", *d.EndDate, eastern())
		if err != nil || e.Before(start) {
			return nil, badArg("instruction.recurringInstructionDetail.endDate", "must be YYYY-MM-DD, not before startDate")
		}
		end = *d.EndDate
	}
	return &recurring{Name: d.InstructionName, Frequency: string(d.Frequency), Start: d.StartDate, End: end, Next: start}, nil
}

// startRecurring turns in into a recurring instruction: it stays PENDING
// while active and creates one transfer per occurrence, from startDate
// (00:00 US Eastern) every month, quarter or year until endDate.
func (s *Sandbox) startRecurring(in *instruction, r *recurring) (*instruction, *reject) {
	in.RefID = s.st.newRef()
	in.Recurring = r
	in.Description = "recurring " + r.Frequency + " " + in.Type + " scheduled"
	s.st.schedule(r.Next, evRecurring, in.ID, "")
	return in, nil
}

// occurrence returns the i-th date of a recurring instruction.
func (r *recurring) occurrence(i int) time.Time {
	start, _ := time.ParseInLocation("2006-01-02", r.Start, eastern())
	switch r.Frequency {
	case "QUARTERLY":
		return start.AddDate(0, 3*i, 0)
	case "YEARLY":
		return start.AddDate(i, 0, 0)
	default:
		return start.AddDate(0, i, 0)
	}
}

func (s *Sandbox) recurOccurrence(parentID uint64, at time.Time) {
	st := s.st
	p := st.Instructions[parentID]
	if p == nil || p.Recurring == nil || p.Status != StatusPending {
		return
	}
	r := p.Recurring
	if at.Before(p.Created) {
		at = p.Created
	}
	child := st.newInstruction(p.Client, wire.ID{}, p.Type, p.SetID, at)
	child.Account, child.Amount, child.Currency, child.Method, child.BankName = p.Account, p.Amount, p.Currency, p.Method, p.BankName
	child.RefID, child.Related = p.RefID, p.ID
	r.Children = append(r.Children, child.ID)
	switch p.Type {
	case "DEPOSIT":
		d := s.cfg.timings.ACHDeposit
		if p.Method == "WIRE" {
			d = s.cfg.timings.WireDeposit
		}
		child.Description = "recurring deposit pending"
		st.schedule(at.Add(d), evSettle, child.ID, "")
	case "WITHDRAWAL":
		a := st.Accounts[p.Account]
		if a == nil || a.withdrawable(p.Currency).Cmp(p.Amount) < 0 {
			child.ErrCode, child.ErrMsg = CodeInsufficientFunds, "insufficient cash for the recurring withdrawal"
			s.setStatus(child, StatusRejected, at, child.ErrMsg)
		} else {
			a.hold(p.Currency, p.Amount)
			child.Held = true
			child.Description = "recurring withdrawal pending"
			st.schedule(at.Add(s.cfg.timings.Withdrawal), evSettle, child.ID, "")
		}
	}
	s.iraRun(p, child, at)
	r.Index++
	next := r.occurrence(r.Index)
	if r.End != "" {
		end, _ := time.ParseInLocation("2006-01-02", r.End, eastern())
		if next.After(end) {
			r.Next = time.Time{}
			s.setStatus(p, StatusProcessed, at, "recurring instruction completed")
			return
		}
	}
	r.Next = next
	st.schedule(next, evRecurring, p.ID, "")
}

// internalTransfer runs one INTERNAL_CASH_TRANSFER.
func (s *Sandbox) internalTransfer(c sctx, typ string, raw json.RawMessage) (*instruction, *reject, wire.ID) {
	var x gen.InternalCashTransferInstruction
	if rj := decodeInto(raw, &x); rj != nil {
		return nil, rj, wire.ID{}
	}
	in, rj := s.submit(c, x.ClientInstructionId, "INTERNAL_CASH_TRANSFER", x.SourceAccountId, func() (*instruction, *reject) {
		if rj := checkAmount(x.Amount, x.Currency); rj != nil {
			return nil, rj
		}
		if x.SourceAccountId == x.TargetAccountId {
			return nil, badArg("instruction.targetAccountId", "must differ from sourceAccountId")
		}
		src, rj := s.accountFor(x.SourceAccountId, "O")
		if rj != nil {
			return nil, rj
		}
		dst, rj := s.accountFor(x.TargetAccountId, "NPO")
		if rj != nil {
			return nil, rj
		}
		if src.withdrawable(x.Currency).Cmp(x.Amount) < 0 {
			return nil, biz(CodeInsufficientFunds, "withdrawable cash of "+src.ID+" is "+src.withdrawable(x.Currency).String()+" "+x.Currency)
		}
		in := s.st.newInstruction(c.client, x.ClientInstructionId, "INTERNAL_CASH_TRANSFER", c.setID, c.now)
		in.Account, in.Target, in.Amount, in.Currency = src.ID, dst.ID, x.Amount, x.Currency
		if x.DateTimeToOccur != nil && x.DateTimeToOccur.After(c.now) {
			in.When = *x.DateTimeToOccur
			src.hold(x.Currency, x.Amount)
			in.Held = true
			in.Description = "transfer scheduled"
			s.st.schedule(in.When, evSettle, in.ID, "")
			return in, nil
		}
		s.settle(in, c.now)
		in.HTTPStatus = 201
		return in, nil
	})
	return in, rj, x.ClientInstructionId
}

// cancelInstruction runs one CANCEL_INSTRUCTION: only PENDING instructions
// (including active recurring ones) can be cancelled; they end REJECTED
// with error code INSTRUCTION_CANCELLED.
func (s *Sandbox) cancelInstruction(c sctx, typ string, raw json.RawMessage) (*instruction, *reject, wire.ID) {
	var x gen.CancelInstruction
	if rj := decodeInto(raw, &x); rj != nil {
		return nil, rj, wire.ID{}
	}
	in, rj := s.submit(c, x.ClientInstructionId, "CANCEL_INSTRUCTION", "", func() (*instruction, *reject) {
		n, _ := parseUint(x.InstructionId)
		t := s.st.Instructions[n]
		if t == nil || t.Client != c.client {
			return nil, biz(CodeInstructionNotFound, "no instruction "+x.InstructionId.String())
		}
		if t.Status != StatusPending {
			return nil, biz(CodeNotCancellable, "instruction "+x.InstructionId.String()+" is "+t.Status+"; only PENDING instructions can be cancelled")
		}
		if t.Held {
			if a := s.st.Accounts[t.Account]; a != nil {
				a.hold(t.Currency, t.Amount.Neg())
			}
			t.Held = false
		}
		s.releaseAsset(t)
		if b := s.st.Banks[t.ID]; b != nil {
			b.Status = StatusRejected
		}
		t.ErrCode, t.ErrMsg = CodeCancelled, "cancelled: "+x.Reason
		s.setStatus(t, StatusRejected, c.now, t.ErrMsg)
		in := s.st.newInstruction(c.client, x.ClientInstructionId, "CANCEL_INSTRUCTION", c.setID, c.now)
		in.Account, in.Related, in.HTTPStatus = t.Account, t.ID, 201
		in.Status, in.Description = StatusProcessed, "instruction "+itoa(t.ID)+" cancelled"
		return in, nil
	})
	return in, rj, x.ClientInstructionId
}
