package ibkr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"log/slog"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// secretHolders returns one value of every exported type that holds a
// Secret, each Secret field set to secret (fillSecrets), so that the
// property test below covers all of them.
func secretHolders(secret string) []any {
	vals := []any{
		&BankAccountLink{AccountID: "U1234567", InstructionName: "Checking", RoutingNumber: "021000021", BankName: "Bank"},
		&WireDestination{AccountID: "U1234567", InstructionName: "Wire", Currency: USD, BankName: "Bank", Identifier: "BANKUS33"},
		&EDDAInstruction{AccountID: "U1234567", InstructionName: "EDDA", Currency: "HKD"},
		&WireDeposit{AccountID: "U1234567", Amount: MustDecimal("10"), Currency: USD},
		&W9{Name: "Jane"},
		&W8BEN{Name: "Jane", TreatyCountry: "GBR"},
		&UpdateTaxForm{AccountID: "U1234567", W9: &W9{Name: "Jane"}},
		&UpdateTaxForm{AccountID: "U1234567", W8BEN: &W8BEN{Name: "Jane"}},
		&UpdateEmail{UserName: "jane1", Email: "j@example.com"},
		&UpdatePassword{UserName: "jane1"},
	}
	for _, v := range vals {
		fillSecrets(reflect.ValueOf(v), secret)
	}
	return vals
}

// fillSecrets sets every Secret reachable from v (through structs and
// pointers) to secret.
func fillSecrets(v reflect.Value, secret string) int {
	n := 0
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			n += fillSecrets(v.Elem(), secret)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[Secret]() {
			v.Set(reflect.ValueOf(NewSecret(secret)))
			return 1
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				n += fillSecrets(v.Field(i), secret)
			}
		}
	}
	return n
}

// callerStruct is how an application might hold the SDK's values.
type callerStruct struct {
	Name    string
	Link    any
	List    []any
	ByName  map[string]any
	private any
}

// renderings prints, logs and encodes v every way a program might.
func renderings(t testing.TB, v any) map[string]string {
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	for _, name := range []string{"text", "json"} {
		var buf bytes.Buffer
		var h slog.Handler = slog.NewTextHandler(&buf, nil)
		if name == "json" {
			h = slog.NewJSONHandler(&buf, nil)
		}
		slog.New(h).Info("event", "value", v, slog.Group("g", slog.Any("nested", v)))
		out["slog "+name] = buf.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal(%T): %v", v, err)
	}
	out["json.Marshal"] = string(b)
	return out
}

// leaked reports whether s shows secret, raw or escaped.
func leaked(s, secret string) bool {
	q := strconv.Quote(secret)
	j, _ := json.Marshal(secret)
	return strings.Contains(s, secret) || strings.Contains(s, q[1:len(q)-1]) || strings.Contains(s, string(j[1:len(j)-1])) ||
		strings.Contains(s, fmt.Sprintf("%x", secret))
}

func checkNoLeak(t *testing.T, secret string) {
	t.Helper()
	holders := secretHolders(secret)
	var all []any
	for _, h := range holders {
		elem := reflect.ValueOf(h).Elem().Interface()
		all = append(all, h, elem)
	}
	wrapped := []any{
		NewSecret(secret),
		[]Secret{NewSecret(secret)},
		map[string]Secret{"k": NewSecret(secret)},
		all,
		map[string]any{"values": all},
		callerStruct{Name: "mine", Link: all[0], List: all, ByName: map[string]any{"x": all[1]}, private: all[1]},
		&callerStruct{List: all, private: NewSecret(secret)},
		struct {
			Acct   Secret
			hidden Secret
		}{NewSecret(secret), NewSecret(secret)},
		[]AccountChange{UpdateTaxForm{AccountID: "U1234567", W9: &W9{Name: "Jane", TIN: NewSecret(secret)}}},
	}
	wrapped = append(wrapped, all...)
	for _, v := range wrapped {
		for form, s := range renderings(t, v) {
			if leaked(s, secret) {
				t.Fatalf("%T under %s shows the secret:\n%s", v, form, s)
			}
		}
	}
}

// No exported type holding a secret prints it, in any form, nested or
// not (a property over fuzzed secrets; see also FuzzSecretNeverShown).
func TestSecretNeverShown(t *testing.T) {
	for _, h := range secretHolders("x") {
		if n := fillSecrets(reflect.ValueOf(h), "123456789"); n == 0 {
			t.Errorf("%T holds no Secret", h)
		}
	}
	for _, s := range []string{"123456789012", "123-45-6789", "tok_ABCDEFGHIJKLMNOP", "pässwörd\"\\\n<&>", "ZZ9 0000 1111"} {
		checkNoLeak(t, s)
	}
	// Reveal and the wire still get the value.
	if NewSecret("123456789").Reveal() != "123456789" || !NewSecret("a1b2c3d4e5").Equal(NewSecret("a1b2c3d4e5")) {
		t.Fatal("Reveal or Equal")
	}
	var s struct{ A Secret }
	if err := json.Unmarshal([]byte(`{"A":"987654321"}`), &s); err != nil || s.A.Reveal() != "987654321" {
		t.Fatalf("UnmarshalJSON: %v %q", err, s.A.Reveal())
	}
	if got := fmt.Sprint(NewSecret("123456789")); got != "****6789" {
		t.Fatalf("mask %q", got)
	}
}

func FuzzSecretNeverShown(f *testing.F) {
	for _, s := range []string{"123456789012", "GB29NWBK60161331926819", "a\"b\\c\x00d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// A marker around the fuzzed value keeps it from matching the
		// type and field names the printed forms legitimately contain.
		checkNoLeak(t, "Zq!"+s+"!qZ9")
	})
}

// maskedAtSource lists fields that never hold a secret: IBKR's answer
// already masks them, and the SDK masks them again on reading.
var maskedAtSource = map[string]bool{"SavedBankInstruction.AccountNumber": true}

// No exported struct field named like a secret is a plain string, so new
// fields cannot slip back from Secret.
func TestSecretFieldsAreSecrets(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	name := regexp.MustCompile(`(?i)(accountnumber|bankaccount|senderaccount|^tin$|taxid(s|number)?$|token$|password|keyname)`)
	fset := gotoken.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || !ts.Name.IsExported() {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			for _, fld := range st.Fields.List {
				for _, id := range fld.Names {
					if !id.IsExported() || !name.MatchString(id.Name) || maskedAtSource[ts.Name.Name+"."+id.Name] {
						continue
					}
					if typ, ok := fld.Type.(*ast.Ident); ok && typ.Name == "string" {
						t.Errorf("%s: %s.%s is a plain string, not a Secret", fset.Position(id.Pos()), ts.Name.Name, id.Name)
					}
				}
			}
			return false
		})
	}
}
