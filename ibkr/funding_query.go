package ibkr

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
)

// queryFunc is the Raw() call of a query operation.
type queryFunc func(ctx context.Context, body io.Reader) (*http.Response, error)

// query sends a query instruction (its clientInstructionId is filled in by
// the pipeline, fresh for every retry) and decodes instructionResult into
// out. A result reported REJECTED is a *RejectedError.
func (c *Client) query(ctx context.Context, send queryFunc, itype string, inst map[string]any, out any) (*Instruction, error) {
	body, err := marshalJSON(map[string]any{"instructionType": itype, "instruction": inst})
	if err != nil {
		return nil, invalid("body", "cannot encode request: %v", err)
	}
	resp, err := send(ctx, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	return decodeQueryAnswer(resp, itype, out)
}

func decodeQueryAnswer(resp *http.Response, itype string, out any) (*Instruction, error) {
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
	if out != nil {
		var env struct {
			R json.RawMessage `json:"instructionResult"`
		}
		if err := json.Unmarshal(raw, &env); err != nil || json.Unmarshal(env.R, out) != nil {
			return nil, &APIError{CallInfo: CallInfo{ClientInstructionID: in.ClientInstructionID}, StatusCode: resp.StatusCode, Message: itype + ": instructionResult has an unexpected shape"}
		}
	}
	return in, nil
}
