package ibkrtest

import (
	"encoding/json"
	"net/http"
	"sort"
	"time"

	"github.com/ibkrweb/ibkr-go/wire"
)

// query runs a query instruction. Queries carry a clientInstructionId like
// any instruction (and it may not be reused); the answer is stored so that
// polling the id returns it again.
func (s *Sandbox) query(ri *reqInfo, httpStatus int32, allowed map[string]func(c sctx, raw json.RawMessage) (map[string]any, *reject)) (*instruction, error) {
	var env envelope
	if err := json.Unmarshal(ri.claims, &env); err != nil || len(env.Instruction) == 0 {
		return nil, fail(problem{Status: http.StatusBadRequest, Title: "Missing or invalid parameters",
			Detail: "instruction: required", Invalid: []invalidArg{{"instruction", "required"}}})
	}
	build := allowed[env.InstructionType]
	var head cidOnly
	_ = json.Unmarshal(env.Instruction, &head)
	if build == nil {
		return nil, fail(problem{Status: http.StatusBadRequest, Title: "Missing or invalid parameters",
			Detail: "instructionType: not valid here", Invalid: []invalidArg{{"instructionType", "not valid for this endpoint"}}})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	c := sctx{client: ri.client, now: now, setID: s.st.newSet()}
	in, rj := s.submit(c, head.ClientInstructionId, env.InstructionType, head.AccountId, func() (*instruction, *reject) {
		extra, rj := build(c, env.Instruction)
		if rj != nil {
			return nil, rj
		}
		in := s.st.newInstruction(c.client, head.ClientInstructionId, env.InstructionType, c.setID, now)
		in.Account, in.Status, in.HTTPStatus = head.AccountId, StatusProcessed, httpStatus
		res := map[string]any{
			"clientInstructionId": in.CID,
			"instructionId":       idOf(in.ID),
			"instructionStatus":   StatusProcessed,
			"instructionType":     in.Type,
		}
		for k, v := range extra {
			res[k] = v
		}
		in.Result, _ = json.Marshal(res)
		return in, nil
	})
	if rj != nil {
		return nil, fail(rj.problem(head.ClientInstructionId, env.InstructionType))
	}
	return in, nil
}

// queryAnswer is the 201 body of a query.
func queryAnswer(in *instruction) []byte {
	b, _ := json.Marshal(map[string]any{"instructionSetId": idOf(in.SetID), "status": 201, "instructionResult": in.Result})
	return b
}

func (s *Sandbox) accountArg(raw json.RawMessage) (*account, *reject) {
	var x struct {
		AccountId string `json:"accountId"`
	}
	_ = json.Unmarshal(raw, &x)
	a := s.st.Accounts[x.AccountId]
	if a == nil {
		return nil, biz(CodeAccountNotFound, "no account "+x.AccountId)
	}
	return a, nil
}

// accountCurrencyArg reads a query's accountId and currency.
func (s *Sandbox) accountCurrencyArg(raw json.RawMessage) (*account, string, *reject) {
	a, rj := s.accountArg(raw)
	if rj != nil {
		return nil, "", rj
	}
	var x struct {
		Currency string `json:"currency"`
	}
	_ = json.Unmarshal(raw, &x)
	return a, x.Currency, nil
}

func (s *Sandbox) queryWithdrawable(c sctx, raw json.RawMessage) (map[string]any, *reject) {
	a, ccy, rj := s.accountCurrencyArg(raw)
	if rj != nil {
		return nil, rj
	}
	w := a.withdrawable(ccy)
	return map[string]any{
		"accountId": a.ID, "currency": ccy,
		"withdrawableAmount": w, "withdrawableAmountNoBorrow": w,
		"allowedTransferAmountToMaster": w, "allowedTransferAmountToMasterNoBorrow": w,
	}, nil
}

func (s *Sandbox) queryCashEquity(c sctx, raw json.RawMessage) (map[string]any, *reject) {
	a, ccy, rj := s.accountCurrencyArg(raw)
	if rj != nil {
		return nil, rj
	}
	return map[string]any{
		"accountId": a.ID, "currency": ccy,
		"withdrawableCashAmount": a.withdrawable(ccy),
		"availableEquityValue":   a.cash(ccy),
	}, nil
}

// methodMatches says whether a bank instruction answers a
// QUERY_BANK_INSTRUCTION for method.
func methodMatches(b *bankInstr, method string) bool {
	switch method {
	case "ACH":
		return b.Method == "ACH"
	case "USACH", "CAACH":
		return b.Method == "ACH" && b.Code == method
	case "eDDA":
		return b.Method == "EDDA"
	}
	return b.Method == method
}

func (s *Sandbox) queryBankInstructions(c sctx, raw json.RawMessage) (map[string]any, *reject) {
	a, rj := s.accountArg(raw)
	if rj != nil {
		return nil, rj
	}
	var x struct {
		BankInstructionMethod string `json:"bankInstructionMethod"`
	}
	_ = json.Unmarshal(raw, &x)
	details := []map[string]any{}
	for _, b := range s.st.sortedBanks(a.ID) {
		if !b.active() || !methodMatches(b, x.BankInstructionMethod) {
			continue
		}
		details = append(details, map[string]any{
			"bankAccountNumber": mask(b.AcctLast4),
			"bankRoutingNumber": b.Routing,
			"currency":          b.Currency,
			"instructionName":   b.Name,
			"instructionStatus": b.Status,
			"type":              b.Method,
		})
	}
	return map[string]any{"accountId": a.ID, "bankInstructionMethod": x.BankInstructionMethod, "bankInstructionDetails": details}, nil
}

func (s *Sandbox) queryRecurringInstructions(c sctx, raw json.RawMessage) (map[string]any, *reject) {
	a, rj := s.accountArg(raw)
	if rj != nil {
		return nil, rj
	}
	list := []map[string]any{}
	for _, in := range s.sortedInstructions(c.client) {
		if in.Account != a.ID || in.Recurring == nil || in.Status != StatusPending {
			continue
		}
		item := map[string]any{
			"amount": in.Amount, "bankInstructionMethod": in.Method, "bankInstructionName": in.BankName,
			"currency": in.Currency, "frequency": in.Recurring.Frequency, "requestId": in.RefID,
			"startDate": in.Recurring.Start, "transactionType": in.Type,
		}
		if in.Recurring.End != "" {
			item["endDate"] = in.Recurring.End
		}
		list = append(list, item)
	}
	return map[string]any{"accountId": a.ID, "recurringInstructions": list}, nil
}

func (s *Sandbox) queryRecurringEvents(c sctx, raw json.RawMessage) (map[string]any, *reject) {
	var x struct {
		IbReferenceId        wire.ID `json:"ibReferenceId"`
		NumberOfTransactions int     `json:"numberOfTransactions"`
	}
	_ = json.Unmarshal(raw, &x)
	ref, _ := parseUint(x.IbReferenceId)
	var parent *instruction
	for _, in := range s.st.Instructions {
		if in.RefID == ref && in.Recurring != nil && in.Client == c.client {
			parent = in
		}
	}
	if parent == nil {
		return nil, biz(CodeInstructionNotFound, "no recurring instruction with ibReferenceId "+x.IbReferenceId.String())
	}
	n := x.NumberOfTransactions
	if n <= 0 {
		n = 100
	}
	kids := parent.Recurring.Children
	if len(kids) > n {
		kids = kids[len(kids)-n:]
	}
	hist := []map[string]any{}
	for _, id := range kids {
		if k := s.st.Instructions[id]; k != nil {
			hist = append(hist, map[string]any{"ibRequestId": k.ID, "status": k.Status})
		}
	}
	status := "ACTIVE"
	if parent.Status != StatusPending {
		status = "INACTIVE"
	}
	return map[string]any{
		"amount": parent.Amount, "currency": parent.Currency, "method": parent.Method,
		"recurringInstructionName": parent.Recurring.Name, "recurringTransactionStatus": status,
		"recurringTransactionType": parent.Type, "ibReferenceId": idOf(parent.RefID),
		"transactionHistory": map[string]any{"maxNumberOfTransactions": n, "result": hist},
	}, nil
}

// maxRecentHistory is how many instructions IBKR lists at most in an
// account's recent history.
const maxRecentHistory = 1000

// queryRecentInstructions lists an account's instructions of the last
// daysToGoBack days (at most 30), newest first, at most maxRecentHistory.
func (s *Sandbox) queryRecentInstructions(c sctx, raw json.RawMessage) (map[string]any, *reject) {
	a, rj := s.accountArg(raw)
	if rj != nil {
		return nil, rj
	}
	var x struct {
		TransactionHistory struct {
			DaysToGoBack    int    `json:"daysToGoBack"`
			TransactionType string `json:"transactionType"`
		} `json:"transactionHistory"`
	}
	_ = json.Unmarshal(raw, &x)
	days := x.TransactionHistory.DaysToGoBack
	if days > 30 {
		return nil, badArg("instruction.transactionHistory.daysToGoBack", "at most 30")
	}
	since := c.now.Add(-time.Duration(days) * 24 * time.Hour)
	tt := x.TransactionHistory.TransactionType
	list := []map[string]any{}
	ins := s.accountHistory(c.client, a.ID)
	for i := len(ins) - 1; i >= 0 && len(list) < maxRecentHistory; i-- {
		in := ins[i]
		if in.Created.Before(since) || len(in.Result) > 0 || in.HTTPStatus == http.StatusUnprocessableEntity {
			continue
		}
		if tt != "" && tt != "ALL" && tt != in.Type {
			continue
		}
		list = append(list, map[string]any{
			"clientInstructionId": in.CID, "ibInstructionId": idOf(in.ID), "instructionSetId": idOf(in.SetID),
			"instructionType": in.Type, "requestDate": in.Created.In(eastern()).Format("2006-01-02"), "status": in.Status,
		})
	}
	return map[string]any{"instructionHistory": map[string]any{
		"historyMaxDepthNumberOfDays": 30, "historyMaxDepthNumberOfInstruction": maxRecentHistory, "result": list,
	}}, nil
}

func (s *Sandbox) sortedInstructions(client string) []*instruction {
	out := make([]*instruction, 0, len(s.st.Instructions))
	for _, in := range s.st.Instructions {
		if in.Client == client {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
