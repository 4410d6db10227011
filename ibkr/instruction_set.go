package ibkr

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// InstructionSet returns every instruction of an instruction set (GET
// /gw/api/v1/instruction-sets/{id}): the instructions one bulk request
// created, in one call. The results carry ids, type, status and IBKR's
// description, but not a rejection's error code (look a REJECTED one up
// with InstructionStatus for that). An unknown set is an error matching
// ErrNotFound.
func (c *Client) InstructionSet(ctx context.Context, instructionSetID ID) ([]*Instruction, error) {
	if instructionSetID.IsZero() {
		return nil, invalid("instructionSetId", "is required")
	}
	resp, err := c.invoke(ctx, &call{op: optable.OpGetInstructionSets, build: func(server string) (*http.Request, error) {
		return gen.NewGetInstructionSetsRequest(server, instructionSetID)
	}})
	if err != nil {
		return nil, err
	}
	body, _, err := readAnswer(resp)
	if err != nil {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "getInstructionSets"}, StatusCode: resp.StatusCode, Message: "reading answer: " + err.Error()}
	}
	var a struct {
		InstructionSetID   ID           `json:"instructionSetId"`
		InstructionResults []wireResult `json:"instructionResults"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, &APIError{CallInfo: CallInfo{OperationID: "getInstructionSets"}, StatusCode: resp.StatusCode, Message: "undecodable answer: " + err.Error()}
	}
	out := make([]*Instruction, 0, len(a.InstructionResults))
	for _, r := range a.InstructionResults {
		in := &Instruction{
			ClientInstructionID: r.ClientInstructionID, InstructionID: r.InstructionID, InstructionSetID: instructionSetID,
			Type: r.InstructionType, Status: InstructionStatus(r.InstructionStatus),
		}
		r.explain(in)
		out = append(out, in)
	}
	return out, nil
}

// explain copies a result's description, reference and error into in.
func (r *wireResult) explain(in *Instruction) {
	if r.Description != nil {
		in.Description = *r.Description
	}
	if r.IBReferenceID != nil {
		in.IBReferenceID = *r.IBReferenceID
	}
	if r.Error != nil {
		in.ErrorCode, in.ErrorMessage = r.Error.ErrorCode, r.Error.ErrorMessage
	}
}
