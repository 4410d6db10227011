package specfacts

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// field is what one position in a schema tree says about the JSON there.
type field struct {
	types    map[string]bool // JSON types: string, number, integer, boolean, array, object
	enum     map[string]bool // JSON-encoded enum values
	refs     map[string]bool // named schemas of IBKR's document referenced here
	required map[string]bool // required property names of the object here
	bounds   map[string]bool // "maxLength=32", "pattern=^[0-9]{9}$" ...
}

// boundKeys are the validation keywords compared besides types and enums.
var boundKeys = []string{"minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems"}

// tree maps a field path ("" is the root, ".a.b", ".list[]", ".map{}") to
// what the schemas say about it.
type tree map[string]*field

func (t tree) at(path string) *field {
	f := t[path]
	if f == nil {
		f = &field{types: map[string]bool{}, enum: map[string]bool{}, refs: map[string]bool{}, required: map[string]bool{}, bounds: map[string]bool{}}
		t[path] = f
	}
	return f
}

// flattener turns generic JSON-schema maps into trees. A reference to a
// schema that IBKR's document also names stays a leaf (that schema is
// compared on its own); a reference to one of our own schemas is expanded
// in place, so restructuring (wrapper types, extracted objects) does not
// count as a difference.
type flattener struct {
	schemas map[string]any  // this side's components
	shared  map[string]bool // names that IBKR's document defines
	prefix  string          // "$ref" prefix of this side
}

func (fl *flattener) name(ref string) string { return strings.TrimPrefix(ref, fl.prefix) }

// root flattens the definition of a named schema.
func (fl *flattener) root(name string) tree {
	t := tree{}
	fl.walk(fl.schemas[name], "", t, []string{name})
	return t
}

// value flattens an inline schema (an operation's body or response).
func (fl *flattener) value(s any) tree {
	t := tree{}
	fl.walk(s, "", t, nil)
	return t
}

func (fl *flattener) walk(v any, path string, t tree, stack []string) {
	s, ok := v.(map[string]any)
	if !ok {
		return
	}
	f := t.at(path)
	if ref, ok := s["$ref"].(string); ok {
		name := fl.name(ref)
		if fl.shared[name] || slices.Contains(stack, name) {
			f.refs[name] = true
			return
		}
		fl.walk(fl.schemas[name], path, t, append(stack, name))
		return
	}
	if typ, ok := s["type"].(string); ok {
		f.types[typ] = true
	} else if _, ok := s["properties"]; ok {
		f.types["object"] = true
	}
	if enum, ok := s["enum"].([]any); ok {
		for _, e := range enum {
			b, _ := json.Marshal(e)
			f.enum[string(b)] = true
		}
	}
	for _, k := range boundKeys {
		v, ok := s[k]
		if !ok || v == false || ((k == "minLength" || k == "minItems") && fmt.Sprint(v) == "0") {
			continue // kin-openapi drops the no-op zero lengths
		}
		f.bounds[fmt.Sprintf("%s=%v", k, v)] = true
	}
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			f.required[fmt.Sprint(r)] = true
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for k, p := range props {
			fl.walk(p, path+"."+k, t, stack)
		}
	}
	if items, ok := s["items"]; ok {
		fl.walk(items, path+"[]", t, stack)
	}
	if ap, ok := s["additionalProperties"].(map[string]any); ok {
		fl.walk(ap, path+"{}", t, stack)
	}
	for _, k := range []string{"allOf", "oneOf", "anyOf"} {
		if subs, ok := s[k].([]any); ok {
			for _, sub := range subs {
				fl.walk(sub, path, t, stack)
			}
		}
	}
}

func setString(m map[string]bool) string {
	keys := slices.Sorted(maps.Keys(m))
	return "[" + strings.Join(keys, " ") + "]"
}

// compare lists the differences between IBKR's tree and ours, each
// prefixed with scope.
func compare(scope string, theirs, ours tree) []string {
	var diffs []string
	paths := map[string]bool{}
	for p := range theirs {
		paths[p] = true
	}
	for p := range ours {
		paths[p] = true
	}
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		where := scope + " " + p
		if p == "" {
			where = scope + " (root)"
		}
		a, b := theirs[p], ours[p]
		switch {
		case b == nil:
			diffs = append(diffs, where+": only in IBKR's document")
			continue
		case a == nil:
			diffs = append(diffs, where+": only in ours")
			continue
		}
		for _, aspect := range []struct {
			name string
			x, y map[string]bool
		}{{"type", a.types, b.types}, {"enum", a.enum, b.enum}, {"ref", a.refs, b.refs}, {"required", a.required, b.required}, {"bounds", a.bounds, b.bounds}} {
			if !maps.Equal(aspect.x, aspect.y) {
				diffs = append(diffs, fmt.Sprintf("%s: %s %s in IBKR's, %s in ours", where, aspect.name, setString(aspect.x), setString(aspect.y)))
			}
		}
	}
	sort.Strings(diffs)
	return diffs
}
