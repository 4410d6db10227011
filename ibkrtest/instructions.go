package ibkrtest

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/gen/genserver"
	"github.com/ibkrweb/ibkr-go/wire"
)

// sctx is what a submitted instruction needs to know about its request.
type sctx struct {
	client string
	setID  uint64
	now    time.Time
}

// reject is a refused instruction: a 422 business reject, or a 400 when
// the instruction is malformed in a way the schema cannot express.
type reject struct {
	status int
	code   string
	msg    string
	args   []invalidArg
	in     *instruction // the REJECTED instruction recorded for a 422
}

func biz(code, msg string) *reject {
	return &reject{status: http.StatusUnprocessableEntity, code: code, msg: msg}
}

func badArg(field, reason string) *reject {
	return &reject{status: http.StatusBadRequest, msg: field + ": " + reason, args: []invalidArg{{field, reason}}}
}

func (rj *reject) problem(cid wire.ID, itype string) problem {
	if rj.status == http.StatusBadRequest {
		return problem{Status: rj.status, Title: "Missing or invalid parameters", Detail: rj.msg, Invalid: rj.args, CID: cid, IType: itype}
	}
	p := problem{Status: rj.status, Title: "Business reject", Detail: rj.msg, Code: rj.code, CID: cid, IType: itype}
	if rj.in != nil {
		p.SetID, p.InstructionID = rj.in.SetID, rj.in.ID
	}
	return p
}

// submit runs one instruction with IBKR's clientInstructionId rules: a
// reused id is refused (and not recorded again); any other business reject
// is recorded as a REJECTED instruction under the id, so that polling the
// id tells what happened.
func (s *Sandbox) submit(c sctx, cid wire.ID, itype, acct string, fn func() (*instruction, *reject)) (*instruction, *reject) {
	if cid.IsZero() {
		return nil, badArg("instruction.clientInstructionId", "must be a positive whole number")
	}
	if prev := s.st.byCID(c.client, cid); prev != nil {
		return nil, biz(CodeDuplicateClientInstructionID,
			"clientInstructionId "+cid.String()+" was already used (instruction "+itoa(prev.ID)+"); poll GET /gw/api/v1/client-instructions/"+cid.String())
	}
	in, rj := fn()
	if rj != nil && rj.status == http.StatusUnprocessableEntity {
		r := s.st.newInstruction(c.client, cid, itype, c.setID, c.now)
		r.Account = acct
		r.Status, r.HTTPStatus = StatusRejected, http.StatusUnprocessableEntity
		r.ErrCode, r.ErrMsg, r.Description = rj.code, rj.msg, rj.msg
		rj.in = r
	}
	return in, rj
}

func instructionResult(in *instruction) gen.InstructionResult {
	res := gen.InstructionResult{
		ClientInstructionId: in.CID,
		InstructionId:       idOf(in.ID),
		InstructionStatus:   gen.InstructionResultInstructionStatus(in.Status),
		InstructionType:     gen.InstructionResultInstructionType(in.Type),
	}
	if in.Description != "" {
		d := in.Description
		res.Description = &d
	}
	if in.RefID != 0 {
		r := idOf(in.RefID)
		res.IbReferenceId = &r
	}
	return res
}

// instructionResponse is the 201/202 answer to a submitted instruction.
func instructionResponse(in *instruction) gen.InstructionResponse {
	res := instructionResult(in)
	return gen.InstructionResponse{InstructionResult: &res, InstructionSetId: idOf(in.SetID), Status: in.HTTPStatus}
}

// pollingBody is what GET client-instructions/{id} and GET
// instructions/{id} answer for an instruction (and what callbacks carry).
func pollingBody(in *instruction) any {
	switch {
	case len(in.Result) > 0:
		return map[string]any{"instructionSetId": idOf(in.SetID), "status": 200, "instructionResult": in.Result}
	case in.Status == StatusPendingVerification:
		res := instructionResult(in)
		return gen.InstructionResponse{InstructionResult: &res, InstructionSetId: idOf(in.SetID), Status: 200}
	case in.Type == "DEPOSIT":
		r := gen.DepositFundsPollingResult{
			ClientInstructionId: in.CID,
			InstructionId:       idOf(in.ID),
			InstructionStatus:   gen.DepositFundsPollingResultInstructionStatus(in.Status),
			InstructionType:     gen.DepositFundsPollingResultInstructionType(in.Type),
		}
		fillPolling(in, &r.Description, &r.IbReferenceId, &r.Error)
		amt, ccy := in.Amount, in.Currency
		r.DepositDetails = &struct {
			Amount      *wire.Decimal `json:"amount,omitempty"`
			Currency    *string       `json:"currency,omitempty"`
			OpenBanking *struct {
				ProviderResponse *map[string]interface{} `json:"providerResponse,omitempty"`
				ServiceProvider  *string                 `json:"serviceProvider,omitempty"`
			} `json:"openBanking,omitempty"`
			WhenAvailable *string `json:"whenAvailable,omitempty"`
		}{Amount: &amt, Currency: &ccy}
		if in.Status == StatusProcessed {
			w := in.Updated.In(eastern()).Format("2006-01-02")
			r.DepositDetails.WhenAvailable = &w
		}
		return gen.DepositFundsPollingResponse{InstructionResult: &r, InstructionSetId: idOf(in.SetID), Status: 200}
	default:
		r := gen.PollingInstructionResult{
			ClientInstructionId: in.CID,
			InstructionId:       idOf(in.ID),
			InstructionStatus:   gen.PollingInstructionResultInstructionStatus(in.Status),
			InstructionType:     gen.PollingInstructionResultInstructionType(in.Type),
		}
		fillPolling(in, &r.Description, &r.IbReferenceId, &r.Error)
		return gen.InstructionPollingResponse{InstructionResult: &r, InstructionSetId: idOf(in.SetID), Status: 200}
	}
}

func fillPolling(in *instruction, desc **string, ref **wire.ID, errp **gen.InstructionError) {
	if in.Description != "" {
		d := in.Description
		*desc = &d
	}
	if in.RefID != 0 {
		r := idOf(in.RefID)
		*ref = &r
	}
	if in.ErrCode != "" {
		*errp = &gen.InstructionError{ErrorCode: in.ErrCode, ErrorMessage: in.ErrMsg}
	}
}

func pollingJSON(in *instruction) json.RawMessage {
	b, _ := json.Marshal(pollingBody(in))
	return b
}

// instructionOf finds an instruction of client by instruction id.
func (s *Sandbox) instructionOf(client string, id wire.ID) *instruction {
	n, ok := parseUint(id)
	if !ok {
		return nil
	}
	in := s.st.Instructions[n]
	if in == nil || in.Client != client {
		return nil
	}
	return in
}

func noSuchInstruction(what string) error {
	return fail(problem{Status: http.StatusNotFound, Title: "Not Found", Detail: "no instruction with " + what})
}

func (a *api) GetClientInstructions(ctx contextT, req genserver.GetClientInstructionsRequestObject) (genserver.GetClientInstructionsResponseObject, error) {
	s, ri := a.s, info(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.st.byCID(ri.client, req.ClientInstructionId)
	if in == nil {
		return nil, noSuchInstruction("clientInstructionId " + req.ClientInstructionId.String())
	}
	var body gen.GetClientInstructions200JSONResponseBody
	_ = body.UnmarshalJSON(pollingJSON(in))
	return genserver.GetClientInstructions200JSONResponse(body), nil
}

func (a *api) GetInstructions(ctx contextT, req genserver.GetInstructionsRequestObject) (genserver.GetInstructionsResponseObject, error) {
	s, ri := a.s, info(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.instructionOf(ri.client, req.InstructionId)
	if in == nil {
		return nil, noSuchInstruction("instructionId " + req.InstructionId.String())
	}
	var body gen.GetInstructions200JSONResponseBody
	_ = body.UnmarshalJSON(pollingJSON(in))
	return genserver.GetInstructions200JSONResponse(body), nil
}

func (a *api) GetInstructionSets(ctx contextT, req genserver.GetInstructionSetsRequestObject) (genserver.GetInstructionSetsResponseObject, error) {
	s, ri := a.s, info(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := parseUint(req.InstructionSetId)
	ids := s.st.Sets[n]
	results := []gen.InstructionResult{}
	for _, id := range ids {
		if in := s.st.Instructions[id]; in != nil && in.Client == ri.client {
			results = append(results, instructionResult(in))
		}
	}
	if len(results) == 0 {
		return nil, fail(problem{Status: http.StatusNotFound, Title: "Not Found", Detail: "no instruction set " + req.InstructionSetId.String(), SetID: n})
	}
	return genserver.GetInstructionSets200JSONResponse{InstructionResults: &results, InstructionSetId: req.InstructionSetId, Status: 200}, nil
}
