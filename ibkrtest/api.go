package ibkrtest

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/gen/genserver"
	"github.com/ibkrweb/ibkr-go/wire"
)

// api implements genserver.StrictServerInterface: the generated server from our
// own spec, so that the sandbox and the generated client cannot drift.
type api struct{ s *Sandbox }

var _ genserver.StrictServerInterface = (*api)(nil)

type contextT = context.Context

var idZero wire.ID

func (a *api) GenerateToken(ctx contextT, req genserver.GenerateTokenRequestObject) (genserver.GenerateTokenResponseObject, error) {
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
	return genserver.GenerateToken200JSONResponse{
		AccessToken: tok, TokenType: "Bearer", ExpiresIn: int64(a.s.cfg.tokenLifetime.Seconds()), Scope: &sc,
	}, nil
}

// ---- banking ----

func (a *api) CreateBankInstructions(ctx contextT, req genserver.CreateBankInstructionsRequestObject) (genserver.CreateBankInstructionsResponseObject, error) {
	in, err := a.s.single(info(ctx), a.s.bankInstruction)
	if err != nil {
		return nil, err
	}
	return genserver.CreateBankInstructions202JSONResponse(instructionResponse(in)), nil
}

func (a *api) BulkBankInstructions(ctx contextT, req genserver.BulkBankInstructionsRequestObject) (genserver.BulkBankInstructionsResponseObject, error) {
	set, results, all, err := a.s.bulk(info(ctx), a.s.bankInstruction)
	if err != nil {
		return nil, err
	}
	ok, multi := bulkAnswer(set, results, all)
	if all {
		return genserver.BulkBankInstructions202JSONResponse(ok), nil
	}
	return genserver.BulkBankInstructions207JSONResponse(multi), nil
}

func (a *api) CreateBankInstructionsQuery(ctx contextT, req genserver.CreateBankInstructionsQueryRequestObject) (genserver.CreateBankInstructionsQueryResponseObject, error) {
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
	return genserver.CreateBankInstructionsQuery201JSONResponse(body), nil
}

// ---- cash transfers ----

func (a *api) CreateExternalCashTransfers(ctx contextT, req genserver.CreateExternalCashTransfersRequestObject) (genserver.CreateExternalCashTransfersResponseObject, error) {
	in, err := a.s.single(info(ctx), a.s.cashTransfer)
	if err != nil {
		return nil, err
	}
	return genserver.CreateExternalCashTransfers202JSONResponse(instructionResponse(in)), nil
}

func (a *api) BulkExternalCashTransfers(ctx contextT, req genserver.BulkExternalCashTransfersRequestObject) (genserver.BulkExternalCashTransfersResponseObject, error) {
	set, results, all, err := a.s.bulk(info(ctx), a.s.cashTransfer)
	if err != nil {
		return nil, err
	}
	ok, multi := bulkAnswer(set, results, all)
	if all {
		return genserver.BulkExternalCashTransfers202JSONResponse(ok), nil
	}
	return genserver.BulkExternalCashTransfers207JSONResponse(multi), nil
}

func (a *api) CreateExternalCashTransfersQuery(ctx contextT, req genserver.CreateExternalCashTransfersQueryRequestObject) (genserver.CreateExternalCashTransfersQueryResponseObject, error) {
	s := a.s
	ri := info(ctx)
	in, err := s.query(ri, queryStatus(ri), map[string]func(sctx, json.RawMessage) (map[string]any, *reject){
		"QUERY_WITHDRAWABLE_FUNDS": s.queryWithdrawable,
		"QUERY_IRA_CONTRIBUTIONS":  s.queryIRAContributions,
	})
	if err != nil {
		return nil, err
	}
	if in.HTTPStatus == 202 {
		var body gen.CreateExternalCashTransfersQuery202JSONResponseBody
		b, _ := json.Marshal(instructionResponse(in))
		_ = body.UnmarshalJSON(b)
		return genserver.CreateExternalCashTransfersQuery202JSONResponse(body), nil
	}
	var body gen.CreateExternalCashTransfersQuery201JSONResponseBody
	_ = body.UnmarshalJSON(queryAnswer(in))
	return genserver.CreateExternalCashTransfersQuery201JSONResponse(body), nil
}

func (a *api) CreateBalancesQuery(ctx contextT, req genserver.CreateBalancesQueryRequestObject) (genserver.CreateBalancesQueryResponseObject, error) {
	s := a.s
	in, err := s.query(info(ctx), 201, map[string]func(sctx, json.RawMessage) (map[string]any, *reject){
		"QUERY_WITHDRAWABLE_CASH_EQUITY": s.queryCashEquity,
	})
	if err != nil {
		return nil, err
	}
	var body gen.CreateBalancesQuery201JSONResponseBody
	_ = body.UnmarshalJSON(queryAnswer(in))
	return genserver.CreateBalancesQuery201JSONResponse(body), nil
}

func (a *api) CreateInternalCashTransfers(ctx contextT, req genserver.CreateInternalCashTransfersRequestObject) (genserver.CreateInternalCashTransfersResponseObject, error) {
	in, err := a.s.single(info(ctx), a.s.internalTransfer)
	if err != nil {
		return nil, err
	}
	if in.HTTPStatus == 201 {
		return genserver.CreateInternalCashTransfers201JSONResponse(instructionResponse(in)), nil
	}
	return genserver.CreateInternalCashTransfers202JSONResponse(instructionResponse(in)), nil
}

func (a *api) BulkInternalCashTransfers(ctx contextT, req genserver.BulkInternalCashTransfersRequestObject) (genserver.BulkInternalCashTransfersResponseObject, error) {
	set, results, all, err := a.s.bulk(info(ctx), a.s.internalTransfer)
	if err != nil {
		return nil, err
	}
	ok, multi := bulkAnswer(set, results, all)
	if all {
		return genserver.BulkInternalCashTransfers202JSONResponse(ok), nil
	}
	return genserver.BulkInternalCashTransfers207JSONResponse(multi), nil
}

// ---- instructions ----

func (a *api) CreateInstructionsCancel(ctx contextT, req genserver.CreateInstructionsCancelRequestObject) (genserver.CreateInstructionsCancelResponseObject, error) {
	in, err := a.s.single(info(ctx), a.s.cancelInstruction)
	if err != nil {
		return nil, err
	}
	return genserver.CreateInstructionsCancel201JSONResponse(instructionResponse(in)), nil
}

func (a *api) BulkInstructionsCancel(ctx contextT, req genserver.BulkInstructionsCancelRequestObject) (genserver.BulkInstructionsCancelResponseObject, error) {
	set, results, all, err := a.s.bulk(info(ctx), a.s.cancelInstruction)
	if err != nil {
		return nil, err
	}
	ok, multi := bulkAnswer(set, results, all)
	if all {
		return genserver.BulkInstructionsCancel202JSONResponse(ok), nil
	}
	return genserver.BulkInstructionsCancel207JSONResponse(multi), nil
}

// CreateInstructionsQuery answers QUERY_RECENT_INSTRUCTIONS with 202 (as
// the spec declares); the history itself is read by polling the
// clientInstructionId.
func (a *api) CreateInstructionsQuery(ctx contextT, req genserver.CreateInstructionsQueryRequestObject) (genserver.CreateInstructionsQueryResponseObject, error) {
	s := a.s
	in, err := s.query(info(ctx), 202, map[string]func(sctx, json.RawMessage) (map[string]any, *reject){
		"QUERY_RECENT_INSTRUCTIONS": s.queryRecentInstructions,
	})
	if err != nil {
		return nil, err
	}
	return genserver.CreateInstructionsQuery202JSONResponse(instructionResponse(in)), nil
}

// ---- asset transfers (asset_transfers.go) ----

func (a *api) CreateExternalAssetTransfers(ctx contextT, req genserver.CreateExternalAssetTransfersRequestObject) (genserver.CreateExternalAssetTransfersResponseObject, error) {
	in, err := a.s.single(info(ctx), a.s.positionTransfer)
	if err != nil {
		return nil, err
	}
	return genserver.CreateExternalAssetTransfers202JSONResponse(instructionResponse(in)), nil
}

func (a *api) BulkExternalAssetTransfers(ctx contextT, req genserver.BulkExternalAssetTransfersRequestObject) (genserver.BulkExternalAssetTransfersResponseObject, error) {
	set, results, all, err := a.s.bulk(info(ctx), a.s.positionTransfer)
	if err != nil {
		return nil, err
	}
	ok, multi := bulkAnswer(set, results, all)
	if all {
		return genserver.BulkExternalAssetTransfers202JSONResponse(ok), nil
	}
	return genserver.BulkExternalAssetTransfers207JSONResponse(multi), nil
}

func (a *api) CreateInternalAssetTransfers(ctx contextT, req genserver.CreateInternalAssetTransfersRequestObject) (genserver.CreateInternalAssetTransfersResponseObject, error) {
	in, err := a.s.single(info(ctx), a.s.internalPositionTransfer)
	if err != nil {
		return nil, err
	}
	return genserver.CreateInternalAssetTransfers202JSONResponse(instructionResponse(in)), nil
}

func (a *api) BulkInternalAssetTransfers(ctx contextT, req genserver.BulkInternalAssetTransfersRequestObject) (genserver.BulkInternalAssetTransfersResponseObject, error) {
	set, results, all, err := a.s.bulk(info(ctx), a.s.internalPositionTransfer)
	if err != nil {
		return nil, err
	}
	ok, multi := bulkAnswer(set, results, all)
	if all {
		return genserver.BulkInternalAssetTransfers202JSONResponse(ok), nil
	}
	return genserver.BulkInternalAssetTransfers207JSONResponse(multi), nil
}
