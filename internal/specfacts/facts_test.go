package specfacts

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/ibkrweb/ibkr-go/internal/gencheck"
)

const (
	repoRoot  = "../.."
	factsPath = "testdata/ibkr-webapi-wire-facts-2.28.0.json"
	notesPath = "api/NOTES.md"
	ourPrefix = "#/components/schemas/"
)

// facts is IBKR's published document 2.28.0 reduced to wire facts.
type facts struct {
	Source     string          `json:"source"`
	Servers    []string        `json:"servers"`
	Operations []factOperation `json:"operations"`
	Schemas    map[string]any  `json:"schemas"`
}

type factOperation struct {
	Method         string                               `json:"method"`
	Path           string                               `json:"path"`
	OperationID    string                               `json:"operationId"`
	Tag            string                               `json:"tag"`
	SecurityPolicy *string                              `json:"securityPolicy"`
	Scopes         []string                             `json:"scopes"`
	Parameters     []factParameter                      `json:"parameters"`
	RequestBody    *factBody                            `json:"requestBody"`
	Responses      map[string]map[string]map[string]any `json:"responses"`
}

type factParameter struct {
	Name     string         `json:"name"`
	In       string         `json:"in"`
	Required bool           `json:"required"`
	Schema   map[string]any `json:"schema"`
}

type factBody struct {
	Required bool                      `json:"required"`
	Content  map[string]map[string]any `json:"content"`
}

func loadFacts(t testing.TB) *facts {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, factsPath))
	if err != nil {
		t.Fatal(err)
	}
	var f facts
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Operations) != 51 {
		t.Fatalf("%s holds %d operations, want 51", factsPath, len(f.Operations))
	}
	return &f
}

// loadOurs loads api/openapi.yaml with kin-openapi (validating it) and
// returns it as generic JSON maps, the same shape as the facts.
func loadOurs(t testing.TB) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, gencheck.SpecPath))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := gencheck.LoadSpec(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// obj and list navigate generic JSON without panicking.
func obj(v any, keys ...string) map[string]any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	m, _ := v.(map[string]any)
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
