package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

var instructionCommand = &command{
	name:    "instruction",
	args:    "CLIENT_INSTRUCTION_ID",
	summary: "status of a banking or transfer instruction, by its clientInstructionId",
	help: `Looks an instruction up by the clientInstructionId it was sent with
(GET /gw/api/v1/client-instructions/{id}), or by IBKR's instructionId with
--ibkr-id, and prints its type, status, ids, amount and IBKR's comment.

This is how to find out what became of any request: IBKR answers 404 for an
id it never received (then the request can be sent again under that id),
and the instruction's status otherwise. Read-only.`,
	run: runInstruction,
}

type instructionJSON struct {
	ClientInstructionID string `json:"clientInstructionId"`
	InstructionID       string `json:"instructionId,omitempty"`
	InstructionSetID    string `json:"instructionSetId,omitempty"`
	IBReferenceID       string `json:"ibReferenceId,omitempty"`
	Type                string `json:"type"`
	Status              string `json:"status"`
	Final               bool   `json:"final"`
	Description         string `json:"description,omitempty"`
	ErrorCode           string `json:"errorCode,omitempty"`
	ErrorMessage        string `json:"errorMessage,omitempty"`
	Amount              string `json:"amount,omitempty"`
	Currency            string `json:"currency,omitempty"`
	WhenAvailable       string `json:"whenAvailable,omitempty"`
}

func runInstruction(ctx context.Context, a *app, args []string) error {
	flags := a.newFlags()
	var cf connFlags
	cf.register(flags)
	byIBKR := flags.Bool("ibkr-id", false, "the argument is IBKR's instructionId, not a clientInstructionId")
	pos, err := a.parseWithArgs(flags, args, "CLIENT_INSTRUCTION_ID")
	if err != nil {
		return err
	}
	field := "clientInstructionId"
	if *byIBKR {
		field = "instructionId"
	}
	id, err := ibkr.ParseClientInstructionID(field, pos[0])
	if err != nil {
		return usagef("%s %q: %s", field, pos[0], errorMessage(err))
	}
	cl, _, err := cf.newClient(a, ibkr.WithClock(a.clock()))
	if err != nil {
		return err
	}
	var in *ibkr.Instruction
	if *byIBKR {
		in, err = cl.InstructionByID(ctx, ibkr.InstructionID{ID: id})
	} else {
		in, err = cl.InstructionStatus(ctx, id)
	}
	if errors.Is(err, ibkr.ErrNotFound) {
		if *byIBKR {
			return fmt.Errorf("IBKR knows no instruction with instructionId %s: %w", id, err)
		}
		return fmt.Errorf("IBKR never received a request with clientInstructionId %s (404); it is safe to send it again with this id: %w", id, err)
	}
	if err != nil {
		return err
	}
	out := instructionJSON{
		ClientInstructionID: idString(in.ClientInstructionID), InstructionID: idString(in.InstructionID.ID),
		InstructionSetID: idString(in.InstructionSetID), IBReferenceID: idString(in.IBReferenceID),
		Type: in.Type, Status: string(in.Status), Final: in.Status.Final(),
		Description: in.Description, ErrorCode: in.ErrorCode, ErrorMessage: in.ErrorMessage,
		Currency: string(in.Currency), WhenAvailable: in.WhenAvailable,
	}
	if !in.Amount.IsZero() {
		out.Amount = in.Amount.String()
	}
	if a.json {
		a.emit(out)
		return nil
	}
	state := "final"
	if !in.Status.Final() {
		state = "not final yet"
	}
	a.say("%s %s (%s)", orDash(in.Type), in.Status, state)
	row := func(k, v string) {
		if v != "" {
			a.say("  %-20s %s", k, v)
		}
	}
	row("clientInstructionId", out.ClientInstructionID)
	row("instructionId", out.InstructionID)
	row("instructionSetId", out.InstructionSetID)
	row("ibReferenceId", out.IBReferenceID)
	if out.Amount != "" {
		row("amount", out.Amount+" "+out.Currency)
	}
	row("available from", out.WhenAvailable)
	row("description", out.Description)
	if out.ErrorCode != "" || out.ErrorMessage != "" {
		row("error", joinNonEmpty(": ", out.ErrorCode, out.ErrorMessage))
	}
	return nil
}

func idString(id ibkr.ID) string {
	if id.IsZero() {
		return ""
	}
	return id.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func joinNonEmpty(sep string, parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += sep
		}
		out += p
	}
	return out
}
