package ibkr

import (
	"context"
	"time"
)

// Poll delays for a query IBKR answers asynchronously (202 first, the
// result later through getClientInstructions).
const (
	asyncQueryMinDelay = time.Second
	asyncQueryMaxDelay = 10 * time.Second
	asyncQueryMaxWait  = 2 * time.Minute
)

// asyncQuery sends a query and returns its result, polling
// getClientInstructions (within two minutes, on the client's clock) while
// ready says the result is not there yet. gate, when set, is called
// before each request with its operationId (the tracker spends its share
// of the rate budget there).
func asyncQuery[T any](ctx context.Context, c *Client, q instructionOp, itype string, inst map[string]any, ready func(*T) bool, gate func(ctx context.Context, op string) error) (T, error) {
	var res T
	if gate == nil {
		gate = func(context.Context, string) error { return nil }
	}
	if err := gate(ctx, q.op.ID); err != nil {
		return res, err
	}
	resp, err := c.sendQuery(ctx, q, itype, inst)
	if err != nil {
		return res, err
	}
	in, err := decodeQueryAnswer(resp, itype, &res)
	if err != nil || ready(&res) {
		return res, err
	}
	w := NewWaiter(c, itype+" "+in.ClientInstructionID.String(), func(ctx context.Context) (T, bool, error) {
		var r T
		if err := gate(ctx, "getClientInstructions"); err != nil {
			return r, false, err
		}
		k := clientInstructionsCall(in.ClientInstructionID, nil)
		resp, err := c.invoke(ctx, &k)
		if err != nil {
			return r, false, err
		}
		if _, err := decodeQueryAnswer(resp, itype, &r); err != nil {
			return r, false, err
		}
		return r, ready(&r), nil
	}, func(o *WaiterOptions) { o.MinDelay, o.MaxDelay = asyncQueryMinDelay, asyncQueryMaxDelay })
	if res, err = w.Wait(ctx, asyncQueryMaxWait); err != nil {
		return res, stampTimeout(err, in.ClientInstructionID)
	}
	return res, nil
}
