package ibkr

import (
	"context"
	"encoding/json"
)

// IBKR's documentation sends callers to the enumerations for the brokers
// of position transfers: EnumerationACATS and EnumerationATON list the
// brokerId and brokerName an AccountTransfer takes (an ACATS broker id is
// its DTC number, which an FOPTransfer also takes), and
// ComplexAssetTransferBrokers the names a ComplexAssetTransfer's
// ContraBroker takes. The Find methods below check a broker against
// those lists before anything is transferred.

// TransferBrokers lists the brokers IBKR accepts for ACATS or ATON
// account transfers (GET /gw/api/v1/enumerations/acats or aton).
func (c *Client) TransferBrokers(ctx context.Context, m AccountTransferMethod) ([]TransferBroker, error) {
	var typ EnumerationType
	switch m {
	case ACATS:
		typ = EnumerationACATS
	case ATON:
		typ = EnumerationATON
	default:
		return nil, invalid("subType", "must be ACATS or ATON")
	}
	e, err := c.Enumeration(ctx, typ, EnumerationOptions{})
	if err != nil {
		return nil, err
	}
	var out []TransferBroker
	if len(e.Data) > 0 {
		var v any
		if err := json.Unmarshal(e.Data, &v); err != nil {
			return nil, &APIError{CallInfo: CallInfo{OperationID: "getEnumerations"}, StatusCode: 200, Message: "jsonData is not JSON"}
		}
		collectBrokers(v, &out)
	}
	return out, nil
}

// collectBrokers finds the objects carrying brokerId and brokerName
// anywhere in an enumeration's data (IBKR does not document the list's
// nesting, only the two fields).
func collectBrokers(v any, out *[]TransferBroker) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			collectBrokers(e, out)
		}
	case map[string]any:
		id, idOK := brokerField(x["brokerId"])
		name, nameOK := x["brokerName"].(string)
		if idOK && nameOK {
			*out = append(*out, TransferBroker{ID: id, Name: name})
			return
		}
		for _, e := range x {
			collectBrokers(e, out)
		}
	}
}

// brokerField reads a broker id given as a string or a number.
func brokerField(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, x != ""
	case float64:
		b, _ := json.Marshal(x)
		return string(b), true
	}
	return "", false
}

// FindTransferBroker finds a broker of IBKR's ACATS or ATON list by id
// (exactly) or name (ignoring case and surrounding spaces). A broker not
// on the list is an *InputError for brokerId matching ErrBroker: nothing
// is transferred.
func (c *Client) FindTransferBroker(ctx context.Context, m AccountTransferMethod, idOrName string) (TransferBroker, error) {
	if err := brokerText("brokerId", idOrName, MaxBrokerNameLen, true); err != nil {
		return TransferBroker{}, err
	}
	list, err := c.TransferBrokers(ctx, m)
	if err != nil {
		return TransferBroker{}, err
	}
	for _, b := range list {
		if b.ID == idOrName {
			return b, nil
		}
	}
	want := upperTrim(idOrName)
	for _, b := range list {
		if upperTrim(b.Name) == want {
			return b, nil
		}
	}
	return TransferBroker{}, inputErr("brokerId", ErrBroker, "%q is not on IBKR's %s broker list", clipText(idOrName), m)
}

// FindComplexAssetTransferBroker checks a broker name against IBKR's list
// for complex asset transfers (ignoring case and surrounding spaces) and
// returns it as IBKR spells it, for ContraBroker.Name. A name not on the
// list is an *InputError for contraBrokerInfo.brokerName matching
// ErrBroker.
func (c *Client) FindComplexAssetTransferBroker(ctx context.Context, name string) (string, error) {
	const field = "contraBrokerInfo.brokerName"
	if err := brokerText(field, name, MaxContraBrokerNameLen, true); err != nil {
		return "", err
	}
	list, err := c.ComplexAssetTransferBrokers(ctx, "COMPLEX_ASSET_TRANSFER")
	if err != nil {
		return "", err
	}
	want := upperTrim(name)
	for _, b := range list {
		if upperTrim(b) == want {
			return b, nil
		}
	}
	return "", inputErr(field, ErrBroker, "%q is not on IBKR's list of complex asset transfer brokers", clipText(name))
}
