package ibkrtest

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/wire"
)

// envelope is the common shape of instruction bodies.
type envelope struct {
	InstructionType string            `json:"instructionType"`
	Instruction     json.RawMessage   `json:"instruction"`
	Instructions    []json.RawMessage `json:"instructions"`
}

type cidOnly struct {
	ClientInstructionId wire.ID `json:"clientInstructionId"`
	AccountId           string  `json:"accountId"`
}

func decodeInto(raw json.RawMessage, v any) *reject {
	if err := json.Unmarshal(raw, v); err != nil {
		return badArg("instruction", shortErr(err))
	}
	return nil
}

// bankInstruction dispatches one instruction of POST bank-instructions.
func (s *Sandbox) bankInstruction(c sctx, typ string, raw json.RawMessage) (*instruction, *reject, wire.ID) {
	var head cidOnly
	if rj := decodeInto(raw, &head); rj != nil {
		return nil, rj, wire.ID{}
	}
	in, rj := s.submit(c, head.ClientInstructionId, typ, head.AccountId, func() (*instruction, *reject) {
		switch typ {
		case "ACH_INSTRUCTION":
			var x gen.AchInstruction
			if rj := decodeInto(raw, &x); rj != nil {
				return nil, rj
			}
			return s.submitACH(c, x)
		case "TRADITIONAL_BANK_INSTRUCTION_VERIFICATION":
			var x gen.TraditionalBankInstructionVerification
			if rj := decodeInto(raw, &x); rj != nil {
				return nil, rj
			}
			return s.submitVerification(c, x)
		case "DELETE_BANK_INSTRUCTION":
			var x gen.DeleteBankInstruction
			if rj := decodeInto(raw, &x); rj != nil {
				return nil, rj
			}
			return s.submitDelete(c, x)
		case "PREDEFINED_DESTINATION_INSTRUCTION":
			var x gen.PredefinedDestinationInstruction
			if rj := decodeInto(raw, &x); rj != nil {
				return nil, rj
			}
			return s.submitPredefined(c, x)
		case "EDDA_INSTRUCTION":
			var x gen.EddaInstruction
			if rj := decodeInto(raw, &x); rj != nil {
				return nil, rj
			}
			return s.submitEDDA(c, x)
		}
		return nil, badArg("instructionType", "unknown instruction type "+typ)
	})
	return in, rj, head.ClientInstructionId
}

// accountFor finds an account that may take banking instructions.
func (s *Sandbox) accountFor(id string, statuses string) (*account, *reject) {
	a := s.st.Accounts[id]
	if a == nil {
		return nil, biz(CodeAccountNotFound, "no account "+id)
	}
	if !strings.Contains(statuses, a.Status) {
		return nil, biz(CodeAccountNotEligible, "account "+id+" has status "+a.Status)
	}
	return a, nil
}

func (s *Sandbox) roomForBank(acct, name string) *reject {
	if s.st.activeBanks(acct) >= MaxActiveBankInstructions {
		return biz(CodeTooManyBankInstructions, "account "+acct+" already has 6 active bank instructions; delete one first")
	}
	if s.st.bankByName(acct, name, "") != nil {
		return biz(CodeDuplicateBankInstructionName, "account "+acct+" already has an active bank instruction named "+name)
	}
	return nil
}

func (s *Sandbox) submitACH(c sctx, x gen.AchInstruction) (*instruction, *reject) {
	info := x.ClientAccountInfo
	if !allDigits(info.BankAccountNumber) || len(info.BankAccountNumber) < 4 || len(info.BankAccountNumber) > 17 {
		return nil, badArg("instruction.clientAccountInfo.bankAccountNumber", "must be 4 to 17 digits")
	}
	a, rj := s.accountFor(x.AccountId, "NPO")
	if rj != nil {
		return nil, rj
	}
	switch x.BankInstructionCode {
	case "USACH":
		if x.Currency != "USD" {
			return nil, biz(CodeUnsupportedCurrency, "USACH instructions are in USD only")
		}
		if !ValidRoutingNumber(info.BankRoutingNumber) {
			return nil, biz(CodeInvalidRoutingNumber, "bank routing number fails the ABA checksum")
		}
	case "CAACH":
		if x.Currency != "CAD" {
			return nil, biz(CodeUnsupportedCurrency, "CAACH instructions are in CAD only")
		}
		if !allDigits(info.BankRoutingNumber) || len(info.BankRoutingNumber) < 8 || len(info.BankRoutingNumber) > 9 {
			return nil, biz(CodeInvalidRoutingNumber, "Canadian routing number must be 8 or 9 digits")
		}
	}
	if rj := s.roomForBank(a.ID, x.BankInstructionName); rj != nil {
		return nil, rj
	}
	in := s.st.newInstruction(c.client, x.ClientInstructionId, "ACH_INSTRUCTION", c.setID, c.now)
	in.Account, in.Currency, in.Method, in.BankName = a.ID, x.Currency, "ACH", x.BankInstructionName
	in.Description = "bank account verification in progress"
	routing := info.BankRoutingNumber
	if len(routing) < 9 {
		routing = strings.Repeat("0", 9-len(routing)) + routing
	}
	b := &bankInstr{
		InstructionID: in.ID, Account: a.ID, Name: x.BankInstructionName, Method: "ACH", Code: string(x.BankInstructionCode),
		Currency: x.Currency, AchType: string(x.AchType), Routing: routing, AcctLast4: last4(info.BankAccountNumber),
		BankName: info.BankName, Status: StatusPending, Micro: microAmounts(in.ID),
	}
	s.st.Banks[in.ID] = b
	_, slow := achOutcome(routing)
	d := s.cfg.timings.ACHVerification
	if slow {
		d = s.cfg.timings.ACHSlowVerification
	}
	s.st.schedule(c.now.Add(d), evACHVerify, in.ID, "")
	s.fundingProvided(a, c)
	return in, nil
}

// fundingProvided moves a new application from N to P.
func (s *Sandbox) fundingProvided(a *account, c sctx) {
	if a.Status == "N" {
		_ = s.setAccountStatus(a, "P", c.now)
	}
}

func (s *Sandbox) submitVerification(c sctx, x gen.TraditionalBankInstructionVerification) (*instruction, *reject) {
	n, _ := parseUint(x.PendingInstructionId)
	target := s.st.Instructions[n]
	b := s.st.Banks[n]
	if target == nil || b == nil || target.Client != c.client {
		return nil, biz(CodeInstructionNotFound, "no ACH instruction "+x.PendingInstructionId.String())
	}
	if b.Account != x.AccountId || b.Name != x.BankInstructionName {
		return nil, biz(CodeBankInstructionNotFound, "instruction "+x.PendingInstructionId.String()+" is not bank instruction "+x.BankInstructionName+" of account "+x.AccountId)
	}
	if b.Status != StatusPendingVerification {
		return nil, biz(CodeNotPendingVerification, "instruction "+x.PendingInstructionId.String()+" is "+target.Status+", not PENDING_VERIFICATION")
	}
	in := s.st.newInstruction(c.client, x.ClientInstructionId, "TRADITIONAL_BANK_INSTRUCTION_VERIFICATION", c.setID, c.now)
	in.Account, in.BankName, in.Related, in.Method = b.Account, b.Name, target.ID, "ACH"
	a1, a2 := x.CreditAmount1, x.CreditAmount2
	m := b.Micro
	if (a1.Equal(m[0]) && a2.Equal(m[1])) || (a1.Equal(m[1]) && a2.Equal(m[0])) {
		b.Status = StatusProcessed
		s.setStatus(target, StatusProcessed, c.now, "bank account verified by micro-deposits")
		in.Status, in.Description = StatusProcessed, "micro-deposit amounts confirmed"
		return in, nil
	}
	b.Attempts++
	left := MaxVerificationAttempts - b.Attempts
	in.Status = StatusRejected
	in.ErrCode = CodeMicroAmountsMismatch
	if left > 0 {
		in.ErrMsg = "micro-deposit amounts do not match; " + itoa(uint64(left)) + " attempt(s) left"
	} else {
		in.ErrMsg = "micro-deposit amounts do not match; no attempts left, the bank instruction is rejected"
		b.Status = StatusRejected
		target.ErrCode, target.ErrMsg = CodeVerificationAttemptsExceeded, "micro-deposit verification failed three times"
		s.setStatus(target, StatusRejected, c.now, target.ErrMsg)
	}
	in.Description = in.ErrMsg
	return in, nil
}

func (s *Sandbox) submitDelete(c sctx, x gen.DeleteBankInstruction) (*instruction, *reject) {
	if _, rj := s.accountFor(x.AccountId, "NPOACERQ"); rj != nil {
		return nil, rj
	}
	b := s.st.bankByName(x.AccountId, x.BankInstructionName, string(x.BankInstructionMethod))
	if b == nil || b.Currency != x.Currency {
		return nil, biz(CodeBankInstructionNotFound, "account "+x.AccountId+" has no active "+string(x.BankInstructionMethod)+" "+x.Currency+" bank instruction named "+x.BankInstructionName)
	}
	b.Status = statusDeleted
	if orig := s.st.Instructions[b.InstructionID]; orig != nil && orig.Status == StatusPending {
		orig.ErrCode, orig.ErrMsg = CodeCancelled, "bank instruction deleted"
		s.setStatus(orig, StatusRejected, c.now, orig.ErrMsg)
	}
	in := s.st.newInstruction(c.client, x.ClientInstructionId, "DELETE_BANK_INSTRUCTION", c.setID, c.now)
	in.Account, in.BankName, in.Method, in.Currency = x.AccountId, x.BankInstructionName, string(x.BankInstructionMethod), x.Currency
	in.Status, in.Description = StatusProcessed, "bank instruction deleted"
	return in, nil
}

func (s *Sandbox) submitPredefined(c sctx, x gen.PredefinedDestinationInstruction) (*instruction, *reject) {
	if !currencies[x.Currency] {
		return nil, biz(CodeUnsupportedCurrency, "unsupported currency "+x.Currency)
	}
	if rj := checkPredefined(x); rj != nil {
		return nil, rj
	}
	a, rj := s.accountFor(x.AccountId, "NPO")
	if rj != nil {
		return nil, rj
	}
	if rj := s.roomForBank(a.ID, x.BankInstructionName); rj != nil {
		return nil, rj
	}
	in := s.st.newInstruction(c.client, x.ClientInstructionId, "PREDEFINED_DESTINATION_INSTRUCTION", c.setID, c.now)
	in.Account, in.BankName, in.Method, in.Currency = a.ID, x.BankInstructionName, string(x.BankInstructionMethod), x.Currency
	s.st.Banks[in.ID] = &bankInstr{
		InstructionID: in.ID, Account: a.ID, Name: x.BankInstructionName, Method: string(x.BankInstructionMethod),
		Currency: x.Currency, AcctLast4: last4(x.FinancialInstitution.ClientAccountId), BankName: x.FinancialInstitution.Name,
		Routing: x.FinancialInstitution.Identifier, Status: StatusProcessed,
	}
	in.Status, in.Description = StatusProcessed, "destination saved"
	return in, nil
}

func (s *Sandbox) submitEDDA(c sctx, x gen.EddaInstruction) (*instruction, *reject) {
	if x.Currency != "HKD" && x.Currency != "CNH" {
		return nil, biz(CodeUnsupportedCurrency, "eDDA instructions are in HKD or CNH")
	}
	a, rj := s.accountFor(x.AccountId, "NPO")
	if rj != nil {
		return nil, rj
	}
	if rj := s.roomForBank(a.ID, x.BankInstructionName); rj != nil {
		return nil, rj
	}
	in := s.st.newInstruction(c.client, x.ClientInstructionId, "EDDA_INSTRUCTION", c.setID, c.now)
	in.Account, in.BankName, in.Method, in.Currency = a.ID, x.BankInstructionName, "EDDA", x.Currency
	s.st.Banks[in.ID] = &bankInstr{
		InstructionID: in.ID, Account: a.ID, Name: x.BankInstructionName, Method: "EDDA", Currency: x.Currency,
		AcctLast4: last4(x.BankAccountNumber), Routing: x.BankClearingCode, Status: StatusPending,
	}
	s.st.schedule(c.now.Add(s.cfg.timings.EDDA), evEDDA, in.ID, "")
	s.fundingProvided(a, c)
	return in, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// single runs a one-instruction request body (the non-bulk endpoints).
func (s *Sandbox) single(ri *reqInfo, fn func(c sctx, typ string, raw json.RawMessage) (*instruction, *reject, wire.ID)) (*instruction, error) {
	var env envelope
	if err := json.Unmarshal(ri.claims, &env); err != nil || len(env.Instruction) == 0 {
		return nil, fail(problem{Status: http.StatusBadRequest, Title: "Missing or invalid parameters",
			Detail: "instruction: required", Invalid: []invalidArg{{"instruction", "required"}}})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	c := sctx{client: ri.client, now: now, setID: s.st.newSet()}
	in, rj, cid := fn(c, env.InstructionType, env.Instruction)
	s.runDue(now)
	if rj != nil {
		return nil, fail(rj.problem(cid, env.InstructionType))
	}
	return in, nil
}

// bulk runs a bulk body: every instruction on its own, one instruction set.
// All accepted: 202 with one result per instruction; any refused: 207 with
// the refused ones REJECTED.
func (s *Sandbox) bulk(ri *reqInfo, fn func(c sctx, typ string, raw json.RawMessage) (*instruction, *reject, wire.ID)) (setID uint64, results []gen.InstructionResult, all bool, err error) {
	var env envelope
	if err := json.Unmarshal(ri.claims, &env); err != nil || len(env.Instructions) == 0 {
		return 0, nil, false, fail(problem{Status: http.StatusBadRequest, Title: "Missing or invalid parameters",
			Detail: "instructions: required", Invalid: []invalidArg{{"instructions", "required"}}})
	}
	items, cutShort, partial := s.partialBulk(ri)
	if partial && items < len(env.Instructions) {
		env.Instructions = env.Instructions[:items]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	c := sctx{client: ri.client, now: now, setID: s.st.newSet()}
	all = true
	results = []gen.InstructionResult{}
	for _, raw := range env.Instructions {
		in, rj, cid := fn(c, env.InstructionType, raw)
		if rj != nil {
			all = false
			if rj.in != nil {
				results = append(results, instructionResult(rj.in))
				continue
			}
			d := rj.msg
			results = append(results, gen.InstructionResult{
				ClientInstructionId: cid, InstructionId: wire.ID{},
				InstructionStatus: gen.InstructionResultInstructionStatus(StatusRejected),
				InstructionType:   gen.InstructionResultInstructionType(orDefault(env.InstructionType, "ACH_INSTRUCTION")),
				Description:       &d,
			})
			continue
		}
		results = append(results, instructionResult(in))
	}
	s.runDue(now)
	if partial {
		if err := cutShort(); err != nil {
			return 0, nil, false, err
		}
	}
	return c.setID, results, all, nil
}

func orDefault(v, d string) string {
	if instructionTypes[v] {
		return v
	}
	return d
}

// bulkAnswer shapes the results of bulk() as the two answers the spec
// declares.
func bulkAnswer(setID uint64, results []gen.InstructionResult, all bool) (gen.AsynchronousInstructionSetResponse, gen.BulkMultiStatusResponse) {
	if all {
		items := make([]struct {
			InstructionResult gen.InstructionResult `json:"instructionResult"`
			InstructionSetId  wire.ID               `json:"instructionSetId"`
			Status            int32                 `json:"status"`
		}, len(results))
		for i, r := range results {
			items[i].InstructionResult, items[i].InstructionSetId, items[i].Status = r, idOf(setID), 202
		}
		return gen.AsynchronousInstructionSetResponse{InstructionResults: &items, InstructionSetId: idOf(setID), Status: 202}, gen.BulkMultiStatusResponse{}
	}
	return gen.AsynchronousInstructionSetResponse{}, gen.BulkMultiStatusResponse{InstructionResults: &results, InstructionSetId: idOf(setID), Status: 207}
}
