package gencheck

import (
	"regexp"
	"strings"

	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
)

// dotImportsModels reports whether a configuration generates code that
// refers to the models of another package through a dot import (the
// sandbox's strict server in gen/genserver uses the models of gen).
func dotImportsModels(c codegen.Configuration) bool {
	for _, imp := range c.AdditionalImports {
		if imp.Alias == "." {
			return true
		}
	}
	return false
}

var unionAliasRE = regexp.MustCompile(`(?m)^type (\w+) = (\w+)$`)

// ownUnionResponses adapts the strict server's responses whose body is a
// union to models that live in another package. The generator declares
// such a response as an alias of the model and encodes the model's
// unexported union field; neither compiles across packages. The response
// becomes a defined type instead, encoded through the model's own
// MarshalJSON, which writes the same bytes.
func ownUnionResponses(code string) string {
	var b strings.Builder
	rest := code
	for {
		m := unionAliasRE.FindStringSubmatchIndex(rest)
		if m == nil {
			b.WriteString(rest)
			return b.String()
		}
		name, model := rest[m[2]:m[3]], rest[m[4]:m[5]]
		b.WriteString(rest[:m[0]])
		b.WriteString("type " + name + " " + model)
		rest = rest[m[1]:]
		// The response's Visit method follows its declaration.
		const union = "Encode(response.union)"
		if i := strings.Index(rest, union); i >= 0 {
			if next := unionAliasRE.FindStringIndex(rest); next == nil || i < next[0] {
				b.WriteString(rest[:i])
				b.WriteString("Encode(" + model + "(response))")
				rest = rest[i+len(union):]
			}
		}
	}
}
