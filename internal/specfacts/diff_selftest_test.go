package specfacts

import (
	"encoding/json"
	"slices"
	"testing"
)

func mustJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDifferencesDetects proves the comparison sees renamed fields, changed
// types, enums, required lists, bounds, parameters and media types, and
// that restructuring through our own named schemas is not a difference.
func TestDifferencesDetects(t *testing.T) {
	f := &facts{
		Schemas: mustJSON(t, `{
			"Thing": {"type": "object", "required": ["a"], "properties": {
				"a": {"type": "string", "maxLength": 5},
				"b": {"type": "number", "enum": ["1"]},
				"nested": {"type": "object", "properties": {"x": {"type": "string"}}},
				"other": {"allOf": [{"$ref": "Other"}]}}},
			"Other": {"type": "object", "properties": {"y": {"type": "boolean"}}}
		}`),
		Operations: []factOperation{{
			Method: "POST", Path: "/things/{id}", OperationID: "createThing",
			Parameters: []factParameter{
				{Name: "id", In: "path", Required: true, Schema: map[string]any{"type": "integer"}},
				{Name: "q", In: "query", Schema: map[string]any{"type": "string"}},
			},
			RequestBody: &factBody{Required: true, Content: map[string]map[string]any{"application/json": {"$ref": "Thing"}}},
			Responses:   map[string]map[string]map[string]any{"200": {"application/json": {"$ref": "Other"}}},
		}},
	}
	ours := mustJSON(t, `{
		"paths": {"/things/{id}": {"post": {
			"parameters": [
				{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
				{"name": "r", "in": "query", "schema": {"type": "string"}}],
			"requestBody": {"required": true, "content": {"application/jwt": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
			"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Other"}}}}}
		}}},
		"components": {"schemas": {
			"Thing": {"type": "object", "required": ["a", "b"], "properties": {
				"a": {"type": "string", "maxLength": 4},
				"b": {"type": "integer", "enum": [1]},
				"nested": {"$ref": "#/components/schemas/OurNested"},
				"other": {"$ref": "#/components/schemas/Other"},
				"extra": {"type": "string"}}},
			"OurNested": {"type": "object", "properties": {"x": {"type": "string"}}},
			"Other": {"type": "object", "properties": {"y": {"type": "boolean"}}}
		}}
	}`)
	got := differences(f, ours)
	want := []string{
		"op createThing param path id (root): type [integer] in IBKR's, [string] in ours",
		"op createThing param query q: only in IBKR's document",
		"op createThing param query r: only in ours",
		"op createThing request: media type application/json in IBKR's, application/jwt in ours",
		"schema Thing (root): required [a] in IBKR's, [a b] in ours",
		"schema Thing .a: bounds [maxLength=5] in IBKR's, [maxLength=4] in ours",
		`schema Thing .b: enum ["1"] in IBKR's, [1] in ours`,
		"schema Thing .b: type [number] in IBKR's, [integer] in ours",
		"schema Thing .extra: only in ours",
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("differences:\n%q\nwant:\n%q", got, want)
	}
}

func TestAllowlistPatternsAreAnchored(t *testing.T) {
	for _, a := range allowlist {
		if a.match.MatchString("x "+"schema TokenRequest .scope: only in ours") && a.note == "token-request" {
			t.Fatalf("[%s] matches with a prefix: patterns must be anchored", a.note)
		}
	}
	if !allowlist[0].match.MatchString("op createBankInstructions param path client-id: only in IBKR's document") {
		t.Fatal("client-id entry does not match its difference")
	}
}
