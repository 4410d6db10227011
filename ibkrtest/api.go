package ibkrtest

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/wire"
)

// api implements gen.StrictServerInterface: the generated server from our
// own spec, so that the sandbox and the generated client cannot drift.
type api struct{ s *Sandbox }

var _ gen.StrictServerInterface = (*api)(nil)

type contextT = context.Context

var idZero wire.ID

func (a *api) GenerateToken(ctx contextT, req gen.GenerateTokenRequestObject) (gen.GenerateTokenResponseObject, error) {
	ri := info(ctx)
	b := req.Body
	scope := ""
	if b.Scope != nil {
		scope = *b.Scope
	}
	tok, granted, err := a.s.issueToken(ri, string(b.GrantType), string(b.ClientAssertionType), b.ClientAssertion, scope)
	if err != nil {
		return nil, err
	}
	sc := strings.Join(granted, " ")
	return gen.GenerateToken200JSONResponse{
		AccessToken: tok, TokenType: "Bearer", ExpiresIn: int64(a.s.cfg.tokenLifetime.Seconds()), Scope: &sc,
	}, nil
}

// ---- banking ----

func (a *api) CreateBankInstructions(ctx contextT, req gen.CreateBankInstructionsRequestObject) (gen.CreateBankInstructionsResponseObject, error) {
	in, err := a.s.single(info(ctx), a.s.bankInstruction)
	if err != nil {
		return nil, err
	}
	return gen.CreateBankInstructions202JSONResponse(instructionResponse(in)), nil
}

func (a *api) BulkBankInstructions(ctx contextT, req gen.BulkBankInstructionsRequestObject) (gen.BulkBankInstructionsResponseObject, error) {
	set, results, all, err := a.s.bulk(info(ctx), a.s.bankInstruction)
	if err != nil {
		return nil, err
	}
	ok, multi := bulkAnswer(set, results, all)
	if all {
		return gen.BulkBankInstructions202JSONResponse(ok), nil
	}
	return gen.BulkBankInstructions207JSONResponse(multi), nil
}

func (a *api) CreateBankInstructionsQuery(ctx contextT, req gen.CreateBankInstructionsQueryRequestObject) (gen.CreateBankInstructionsQueryResponseObject, error) {
	s := a.s
	in, err := s.query(info(ctx), 201, map[string]func(sctx, json.RawMessage) (map[string]any, *reject){
		"QUERY_BANK_INSTRUCTION":        s.queryBankInstructions,
		"QUERY_RECURRING_INSTRUCTIONS":  s.queryRecurringInstructions,
		"QUERY_RECENT_RECURRING_EVENTS": s.queryRecurringEvents,
	})
	if err != nil {
		return nil, err
	}
	var body gen.CreateBankInstructionsQuery201JSONResponseBody
	_ = body.UnmarshalJSON(queryAnswer(in))
	return gen.CreateBankInstructionsQuery201JSONResponse(body), nil
}

// ---- cash transfers ----

func (a *api) CreateExternalCashTransfers(ctx contextT, req gen.CreateExternalCashTransfersRequestObject) (gen.CreateExternalCashTransfersResponseObject, error) {
	in, err := a.s.single(info(ctx), a.s.cashTransfer)
	if err != nil {
		return nil, err
	}
	return gen.CreateExternalCashTransfers202JSONResponse(instructionResponse(in)), nil
}

func (a *api) BulkExternalCashTransfers(ctx contextT, req gen.BulkExternalCashTransfersRequestObject) (gen.BulkExternalCashTransfersResponseObject, error) {
	set, results, all, err := a.s.bulk(info(ctx), a.s.cashTransfer)
	if err != nil {
		return nil, err
	}
	ok, multi := bulkAnswer(set, results, all)
	if all {
		return gen.BulkExternalCashTransfers202JSONResponse(ok), nil
	}
	return gen.BulkExternalCashTransfers207JSONResponse(multi), nil
}

func (a *api) CreateExternalCashTransfersQuery(ctx contextT, req gen.CreateExternalCashTransfersQueryRequestObject) (gen.CreateExternalCashTransfersQueryResponseObject, error) {
	s := a.s
	in, err := s.query(info(ctx), 201, map[string]func(sctx, json.RawMessage) (map[string]any, *reject){
		"QUERY_WITHDRAWABLE_FUNDS": s.queryWithdrawable,
		"QUERY_IRA_CONTRIBUTIONS":  notSimulated,
	})
	if err != nil {
		return nil, err
	}
	var body gen.CreateExternalCashTransfersQuery201JSONResponseBody
	_ = body.UnmarshalJSON(queryAnswer(in))
	return gen.CreateExternalCashTransfersQuery201JSONResponse(body), nil
}

func (a *api) CreateBalancesQuery(ctx contextT, req gen.CreateBalancesQueryRequestObject) (gen.CreateBalancesQueryResponseObject, error) {
	s := a.s
	in, err := s.query(info(ctx), 201, map[string]func(sctx, json.RawMessage) (map[string]any, *reject){
		"QUERY_WITHDRAWABLE_CASH_EQUITY": s.queryCashEquity,
	})
	if err != nil {
		return nil, err
	}
	var body gen.CreateBalancesQuery201JSONResponseBody
	_ = body.UnmarshalJSON(queryAnswer(in))
	return gen.CreateBalancesQuery201JSONResponse(body), nil
}

func (a *api) CreateInternalCashTransfers(ctx contextT, req gen.CreateInternalCashTransfersRequestObject) (gen.CreateInternalCashTransfersResponseObject, error) {
	in, err := a.s.single(info(ctx), a.s.internalTransfer)
	if err != nil {
		return nil, err
	}
	if in.HTTPStatus == 201 {
		return gen.CreateInternalCashTransfers201JSONResponse(instructionResponse(in)), nil
	}
	return gen.CreateInternalCashTransfers202JSONResponse(instructionResponse(in)), nil
}

func (a *api) BulkInternalCashTransfers(ctx contextT, req gen.BulkInternalCashTransfersRequestObject) (gen.BulkInternalCashTransfersResponseObject, error) {
	set, results, all, err := a.s.bulk(info(ctx), a.s.internalTransfer)
	if err != nil {
		return nil, err
	}
	ok, multi := bulkAnswer(set, results, all)
	if all {
		return gen.BulkInternalCashTransfers202JSONResponse(ok), nil
	}
	return gen.BulkInternalCashTransfers207JSONResponse(multi), nil
}

// ---- instructions ----

func (a *api) CreateInstructionsCancel(ctx contextT, req gen.CreateInstructionsCancelRequestObject) (gen.CreateInstructionsCancelResponseObject, error) {
	in, err := a.s.single(info(ctx), a.s.cancelInstruction)
	if err != nil {
		return nil, err
	}
	return gen.CreateInstructionsCancel201JSONResponse(instructionResponse(in)), nil
}

func (a *api) BulkInstructionsCancel(ctx contextT, req gen.BulkInstructionsCancelRequestObject) (gen.BulkInstructionsCancelResponseObject, error) {
	set, results, all, err := a.s.bulk(info(ctx), a.s.cancelInstruction)
	if err != nil {
		return nil, err
	}
	ok, multi := bulkAnswer(set, results, all)
	if all {
		return gen.BulkInstructionsCancel202JSONResponse(ok), nil
	}
	return gen.BulkInstructionsCancel207JSONResponse(multi), nil
}

// CreateInstructionsQuery answers QUERY_RECENT_INSTRUCTIONS with 202 (as
// the spec declares); the history itself is read by polling the
// clientInstructionId.
func (a *api) CreateInstructionsQuery(ctx contextT, req gen.CreateInstructionsQueryRequestObject) (gen.CreateInstructionsQueryResponseObject, error) {
	s := a.s
	in, err := s.query(info(ctx), 202, map[string]func(sctx, json.RawMessage) (map[string]any, *reject){
		"QUERY_RECENT_INSTRUCTIONS": s.queryRecentInstructions,
	})
	if err != nil {
		return nil, err
	}
	return gen.CreateInstructionsQuery202JSONResponse(instructionResponse(in)), nil
}

// ---- asset transfers: not simulated ----

func (a *api) CreateExternalAssetTransfers(ctx contextT, req gen.CreateExternalAssetTransfersRequestObject) (gen.CreateExternalAssetTransfersResponseObject, error) {
	_, err := a.s.single(info(ctx), a.s.unsupported("EXTERNAL_POSITION_TRANSFER"))
	return nil, err
}

func (a *api) BulkExternalAssetTransfers(ctx contextT, req gen.BulkExternalAssetTransfersRequestObject) (gen.BulkExternalAssetTransfersResponseObject, error) {
	set, results, _, err := a.s.bulk(info(ctx), a.s.unsupported("EXTERNAL_POSITION_TRANSFER"))
	if err != nil {
		return nil, err
	}
	_, multi := bulkAnswer(set, results, false)
	return gen.BulkExternalAssetTransfers207JSONResponse(multi), nil
}

func (a *api) CreateInternalAssetTransfers(ctx contextT, req gen.CreateInternalAssetTransfersRequestObject) (gen.CreateInternalAssetTransfersResponseObject, error) {
	_, err := a.s.single(info(ctx), a.s.unsupported("INTERNAL_POSITION_TRANSFER"))
	return nil, err
}

func (a *api) BulkInternalAssetTransfers(ctx contextT, req gen.BulkInternalAssetTransfersRequestObject) (gen.BulkInternalAssetTransfersResponseObject, error) {
	set, results, _, err := a.s.bulk(info(ctx), a.s.unsupported("INTERNAL_POSITION_TRANSFER"))
	if err != nil {
		return nil, err
	}
	_, multi := bulkAnswer(set, results, false)
	return gen.BulkInternalAssetTransfers207JSONResponse(multi), nil
}

// unsupported refuses an instruction the sandbox does not simulate (a 422
// that still consumes the clientInstructionId, like any business reject).
func (s *Sandbox) unsupported(itype string) func(c sctx, typ string, raw json.RawMessage) (*instruction, *reject, wire.ID) {
	return func(c sctx, typ string, raw json.RawMessage) (*instruction, *reject, wire.ID) {
		var head cidOnly
		_ = json.Unmarshal(raw, &head)
		_, rj := s.submit(c, head.ClientInstructionId, orDefault(typ, itype), head.AccountId, func() (*instruction, *reject) {
			return nil, biz(CodeNotSimulated, "the sandbox does not simulate position transfers")
		})
		return nil, rj, head.ClientInstructionId
	}
}
