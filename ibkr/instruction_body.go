package ibkr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
)

// bodyIDs are the clientInstructionIds of an outgoing instruction body:
// {"instructionType":..., "instruction":{"clientInstructionId":...}} or the
// bulk form {"instructions":[{...}, ...]}.
type bodyIDs struct {
	single    ID // instruction.clientInstructionId
	hasSingle bool
	bulk      []ID // instructions[].clientInstructionId
}

// prepareInstructionIDs finds the clientInstructionIds of body, fills in
// missing ones from the allocator and checks the caller's own ids (well
// formed, at most 20 digits, not used before, unless the call resumes).
// It returns the body to send. Only Raw() calls need it: facade calls
// state their id in their call descriptor.
func (c *Client) prepareInstructionIDs(ctx context.Context, body []byte, resume bool) ([]byte, bodyIDs, error) {
	var ids bodyIDs
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' || !bytes.Contains(b, []byte(`"instruction`)) {
		return body, ids, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return body, ids, nil // not JSON: signing or the server will say so
	}
	changed := false
	if raw, ok := top["instruction"]; ok && isObject(raw) {
		obj, id, filled, err := c.instructionID(ctx, raw, "instruction.clientInstructionId", resume)
		if err != nil {
			return nil, ids, err
		}
		if filled {
			top["instruction"], changed = obj, true
		}
		ids.single, ids.hasSingle = id, true
	}
	if raw, ok := top["instructions"]; ok && !ids.hasSingle {
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) == nil {
			seen := map[ID]bool{}
			listChanged := false
			for i, el := range list {
				if !isObject(el) {
					continue
				}
				field := "instructions[" + strconv.Itoa(i) + "].clientInstructionId"
				obj, id, filled, err := c.instructionID(ctx, el, field, resume)
				if err != nil {
					return nil, ids, err
				}
				if seen[id] {
					e := reusedID(id).(*InputError)
					e.Field = field
					return nil, ids, e
				}
				seen[id] = true
				if filled {
					list[i], listChanged = obj, true
				}
				ids.bulk = append(ids.bulk, id)
			}
			if listChanged {
				nl, err := marshalJSON(list)
				if err != nil {
					return nil, ids, err
				}
				top["instructions"], changed = nl, true
			}
		}
	}
	if !changed {
		return body, ids, nil
	}
	out, err := marshalJSON(top)
	if err != nil {
		return nil, ids, err
	}
	return out, ids, nil
}

// instructionID reads (or allocates) the clientInstructionId of one
// instruction object. filled reports that obj was rewritten with a new id.
func (c *Client) instructionID(ctx context.Context, raw json.RawMessage, field string, resume bool) (obj json.RawMessage, id ID, filled bool, err error) {
	var inst map[string]json.RawMessage
	if err := json.Unmarshal(raw, &inst); err != nil {
		return nil, ID{}, false, invalid(field, "instruction is not a JSON object")
	}
	if v, ok := inst["clientInstructionId"]; ok && string(bytes.TrimSpace(v)) != "null" {
		if err := id.UnmarshalJSON(bytes.TrimSpace(v)); err != nil {
			return nil, ID{}, false, &InputError{Field: field, Reason: "must be a whole number of at most 20 digits", Err: err}
		}
	}
	if !id.IsZero() {
		err := c.ids.accept(ctx, id)
		if err != nil && resume && errors.Is(err, ErrInstructionIDReused) {
			err = nil // a deliberate resume of an id sent before
		}
		if err != nil {
			if ie, ok := err.(*InputError); ok {
				cp := *ie
				cp.Field = field
				return nil, ID{}, false, &cp
			}
			return nil, ID{}, false, err
		}
		return raw, id, false, nil
	}
	if id, err = c.ids.next(ctx); err != nil {
		return nil, ID{}, false, err
	}
	out, err := withInstructionID(inst, id)
	return out, id, true, err
}

func withInstructionID(inst map[string]json.RawMessage, id ID) (json.RawMessage, error) {
	idJSON, _ := id.MarshalJSON()
	inst["clientInstructionId"] = idJSON
	return marshalJSON(inst)
}

// replaceInstructionID puts a new id into a single-instruction body, for a
// retried read-only query (IBKR refuses a reused id even for queries).
func replaceInstructionID(body []byte, id ID) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, err
	}
	var inst map[string]json.RawMessage
	if err := json.Unmarshal(top["instruction"], &inst); err != nil {
		return nil, err
	}
	obj, err := withInstructionID(inst, id)
	if err != nil {
		return nil, err
	}
	top["instruction"] = obj
	return marshalJSON(top)
}

func isObject(raw json.RawMessage) bool {
	b := bytes.TrimSpace(raw)
	return len(b) > 0 && b[0] == '{'
}

// marshalJSON is json.Marshal without HTML escaping, so that re-encoded
// bodies keep the caller's characters ("<", ">", "&") as written.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
