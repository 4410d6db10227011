package specfacts

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// sides holds the flatteners of both documents.
type sides struct {
	theirs, ours *flattener
}

func newSides(f *facts, ours map[string]any) sides {
	shared := map[string]bool{}
	for name := range f.Schemas {
		shared[name] = true
	}
	return sides{
		theirs: &flattener{schemas: f.Schemas, shared: shared},
		ours:   &flattener{schemas: obj(ours, "components", "schemas"), shared: shared, prefix: ourPrefix},
	}
}

// ourOperation finds an operation of our document by method and path.
func ourOperation(ours map[string]any, method, path string) map[string]any {
	return obj(ours, "paths", path, strings.ToLower(method))
}

// differences lists every wire-level difference between IBKR's facts and
// our document: named schemas, then each operation's parameters, request
// bodies and responses.
func differences(f *facts, ours map[string]any) []string {
	s := newSides(f, ours)
	var diffs []string
	for _, name := range slices.Sorted(maps.Keys(f.Schemas)) {
		if _, ok := s.ours.schemas[name]; !ok {
			diffs = append(diffs, "schema "+name+": only in IBKR's document")
			continue
		}
		diffs = append(diffs, compare("schema "+name, s.theirs.root(name), s.ours.root(name))...)
	}
	for _, op := range f.Operations {
		ourOp := ourOperation(ours, op.Method, op.Path)
		if ourOp == nil {
			diffs = append(diffs, fmt.Sprintf("op %s: %s %s only in IBKR's document", op.OperationID, op.Method, op.Path))
			continue
		}
		diffs = append(diffs, s.parameters(op, ourOp)...)
		diffs = append(diffs, s.requestBody(op, ourOp)...)
		diffs = append(diffs, s.responses(op, ourOp)...)
	}
	sort.Strings(diffs)
	return diffs
}

type param struct {
	required bool
	schema   any
	theirs   bool // schema is in IBKR's flattener's terms
}

// parameters compares by (in, name). An object-typed query parameter in
// IBKR's document stands for its properties as separate query parameters.
func (s sides) parameters(op factOperation, ourOp map[string]any) []string {
	scope := "op " + op.OperationID + " param "
	theirs := map[string]param{}
	var diffs []string
	for _, p := range op.Parameters {
		key := p.In + " " + p.Name
		if ref, ok := p.Schema["$ref"].(string); ok && p.In == "query" {
			// Object parameter: expand its properties.
			def := obj(s.theirs.schemas, ref)
			if def == nil {
				diffs = append(diffs, scope+key+": dangling reference "+ref)
				continue
			}
			diffs = append(diffs, scope+key+": object parameter in IBKR's document")
			req := map[string]bool{}
			for _, r := range list(def["required"]) {
				req[fmt.Sprint(r)] = true
			}
			for name, ps := range obj(def, "properties") {
				theirs["query "+name] = param{required: req[name], schema: ps, theirs: true}
			}
			continue
		}
		theirs[key] = param{required: p.Required, schema: p.Schema, theirs: true}
	}
	ours := map[string]param{}
	for _, raw := range list(ourOp["parameters"]) {
		p := obj(raw)
		required, _ := p["required"].(bool)
		ours[fmt.Sprint(p["in"])+" "+fmt.Sprint(p["name"])] = param{required: required, schema: p["schema"]}
	}
	keys := map[string]bool{}
	for k := range theirs {
		keys[k] = true
	}
	for k := range ours {
		keys[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		a, inTheirs := theirs[k]
		b, inOurs := ours[k]
		switch {
		case !inOurs:
			diffs = append(diffs, scope+k+": only in IBKR's document")
		case !inTheirs:
			diffs = append(diffs, scope+k+": only in ours")
		default:
			if a.required != b.required {
				diffs = append(diffs, fmt.Sprintf("%s%s: required %v in IBKR's, %v in ours", scope, k, a.required, b.required))
			}
			diffs = append(diffs, compare(scope+k, s.theirs.value(a.schema), s.ours.value(b.schema))...)
		}
	}
	return diffs
}

func (s sides) requestBody(op factOperation, ourOp map[string]any) []string {
	scope := "op " + op.OperationID + " request"
	ourBody := obj(ourOp, "requestBody")
	switch {
	case op.RequestBody == nil && ourBody == nil:
		return nil
	case op.RequestBody == nil:
		return []string{scope + ": only in ours"}
	case ourBody == nil:
		return []string{scope + ": only in IBKR's document"}
	}
	var diffs []string
	if required, _ := ourBody["required"].(bool); required != op.RequestBody.Required {
		diffs = append(diffs, fmt.Sprintf("%s: required %v in IBKR's, %v in ours", scope, op.RequestBody.Required, required))
	}
	return append(diffs, s.content(scope, op.RequestBody.Content, obj(ourBody, "content"))...)
}

func (s sides) responses(op factOperation, ourOp map[string]any) []string {
	ourResponses := obj(ourOp, "responses")
	var diffs []string
	codes := map[string]bool{}
	for c := range op.Responses {
		codes[c] = true
	}
	for c := range ourResponses {
		codes[c] = true
	}
	for _, code := range slices.Sorted(maps.Keys(codes)) {
		scope := "op " + op.OperationID + " response " + code
		theirs, inTheirs := op.Responses[code]
		ours := obj(ourResponses, code)
		switch {
		case ours == nil:
			diffs = append(diffs, scope+": only in IBKR's document")
		case !inTheirs:
			diffs = append(diffs, scope+": only in ours")
		default:
			diffs = append(diffs, s.content(scope, theirs, obj(ours, "content"))...)
		}
	}
	return diffs
}

// content compares media types and the schema under each. A media type
// present on one side only is reported once; when each side has exactly one
// media type and they differ, their schemas are still compared.
func (s sides) content(scope string, theirs map[string]map[string]any, ours map[string]any) []string {
	var diffs []string
	types := map[string]bool{}
	for ct := range theirs {
		types[ct] = true
	}
	for ct := range ours {
		types[ct] = true
	}
	onlyTheirs, onlyOurs := []string{}, []string{}
	for _, ct := range slices.Sorted(maps.Keys(types)) {
		a, inTheirs := theirs[ct]
		b := obj(ours, ct)
		switch {
		case b == nil:
			onlyTheirs = append(onlyTheirs, ct)
		case !inTheirs:
			onlyOurs = append(onlyOurs, ct)
		default:
			diffs = append(diffs, compare(scope+" "+ct, s.theirs.value(a), s.ours.value(b["schema"]))...)
		}
	}
	if len(onlyTheirs) == 1 && len(onlyOurs) == 1 {
		diffs = append(diffs, fmt.Sprintf("%s: media type %s in IBKR's, %s in ours", scope, onlyTheirs[0], onlyOurs[0]))
		diffs = append(diffs, compare(scope+" "+onlyOurs[0], s.theirs.value(theirs[onlyTheirs[0]]), s.ours.value(obj(ours, onlyOurs[0])["schema"]))...)
		return diffs
	}
	for _, ct := range onlyTheirs {
		diffs = append(diffs, scope+" "+ct+": only in IBKR's document")
	}
	for _, ct := range onlyOurs {
		diffs = append(diffs, scope+" "+ct+": only in ours")
	}
	return diffs
}
