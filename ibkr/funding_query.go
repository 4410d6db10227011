package ibkr

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// The read-only query operations (POSTs that change nothing).
var (
	opBalancesQuery         = jsonOp(optable.OpCreateBalancesQuery, gen.NewCreateBalancesQueryRequestWithBody)
	opExternalCashQuery     = jsonOp(optable.OpCreateExternalCashTransfersQuery, gen.NewCreateExternalCashTransfersQueryRequestWithBody)
	opBankInstructionsQuery = jsonOp(optable.OpCreateBankInstructionsQuery, gen.NewCreateBankInstructionsQueryRequestWithBody)
	opInstructionsQuery     = jsonOp(optable.OpCreateInstructionsQuery, gen.NewCreateInstructionsQueryRequestWithBody)
)

// query sends a query instruction and decodes instructionResult into
// out. A result reported REJECTED is a *RejectedError.
func (c *Client) query(ctx context.Context, q instructionOp, itype string, inst map[string]any, out ...any) (*Instruction, error) {
	resp, err := c.sendQuery(ctx, q, itype, inst)
	if err != nil {
		return nil, err
	}
	return decodeQueryAnswer(resp, itype, out...)
}

// sendQuery sends a query instruction with a fresh clientInstructionId
// (the pipeline takes another for every retry: IBKR refuses a reused id
// even for queries).
func (c *Client) sendQuery(ctx context.Context, q instructionOp, itype string, inst map[string]any) (*http.Response, error) {
	cid, err := c.ids.next(ctx)
	if err != nil {
		return nil, err
	}
	inst["clientInstructionId"] = cid
	body, err := marshalJSON(map[string]any{"instructionType": itype, "instruction": inst})
	if err != nil {
		return nil, invalid("body", "cannot encode request: %v", err)
	}
	return c.invoke(ctx, &call{op: q.op, build: q.build, body: body, cid: cid})
}

func decodeQueryAnswer(resp *http.Response, itype string, out ...any) (*Instruction, error) {
	raw, _, err := readAnswer(resp)
	if err != nil {
		return nil, &APIError{StatusCode: resp.StatusCode, Message: "reading answer: " + err.Error()}
	}
	in, err := decodeInstruction(raw)
	if err != nil {
		return nil, &APIError{StatusCode: resp.StatusCode, Message: itype + ": " + err.Error()}
	}
	if in.Status == InstructionRejected {
		return nil, rejection(in)
	}
	if len(out) > 0 {
		var env struct {
			R json.RawMessage `json:"instructionResult"`
		}
		err := json.Unmarshal(raw, &env)
		for _, o := range out {
			if err == nil {
				err = json.Unmarshal(env.R, o)
			}
		}
		if err != nil {
			return nil, &APIError{CallInfo: CallInfo{ClientInstructionID: in.ClientInstructionID}, StatusCode: resp.StatusCode, Message: itype + ": instructionResult has an unexpected shape"}
		}
	}
	return in, nil
}
