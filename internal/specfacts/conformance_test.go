package specfacts

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// allowed is one deliberate kind of difference from IBKR's document. note
// is the tag of the api/NOTES.md line that explains it ("- [tag] ...").
type allowed struct {
	note  string
	match *regexp.Regexp
}

func allow(note, pattern string) allowed {
	return allowed{note: note, match: regexp.MustCompile("^" + pattern + "$")}
}

// allowlist is every difference between IBKR's wire facts and our spec
// that ibkr-go makes on purpose. Anything else fails the test.
var allowlist = []allowed{
	allow("client-id-path", `op \w+ param path client-id: only in IBKR's document`),
	allow("authorization-header", `op \w+ param header [Aa]uthorization: only in IBKR's document`),
	allow("jwt-media-type", `op \w+ request: media type (application/json|text/plain) in IBKR's, application/jwt in ours`),
	allow("applycsv-claims", `op applyCSV request application/jwt \(root\): (ref \[\] in IBKR's, \[VerifyRequest\]|type \[string\] in IBKR's, \[\]) in ours`),
	allow("problem-415", `op \w+ response 415: media type \*/\* in IBKR's, application/json in ours`),
	allow("object-query-params", `op (listAccountsLoginMessages|listAccountsStatus|listFormsRequiredForms|listRequests) param query \w+: object parameter in IBKR's document`),
	allow("enumeration-type-param", `op getEnumerations param path (type: only in IBKR's document|enumerationType: only in ours)`),
	allow("bulk-items", `op bulk\w+ request application/jwt \.instructions(\[\]: only in ours|: bounds \[\] in IBKR's, \[minItems=1\] in ours)`),
	allow("bulk-results-items", `schema BulkMultiStatusResponse \.instructionResults\[\]: only in ours`),
	allow("history-result-items", `schema QueryRecentInstructionResult \.instructionHistory\.result(\.\w+: only in IBKR's document|\[\](\.\w+)?: only in ours|: required \[[a-zA-Z ]+\] in IBKR's, \[\] in ours)`),
	allow("integer-status", `schema (InstructionResponse|InstructionPollingResponse) \.status: type \[number\] in IBKR's, \[integer\] in ours`),
	allow("integer-counts", `schema (QueryRecentInstructions \.transactionHistory\.daysToGoBack|QueryRecentRecurringEvents \.numberOfTransactions): type \[number\] in IBKR's, \[integer\] in ours`),
	allow("ach-account-type", `schema AchInstruction \.clientAccountInfo\.bankAccountTypeCode: (type \[number\] in IBKR's, \[integer\]|enum \["0" "1" "2"\] in IBKR's, \[0 1 2\]) in ours`),
	allow("trading-instrument", `schema TradingInstrument \(root\): required \[conid currency tradingInstrumentDescription\] in IBKR's, \[currency\] in ours`),
	allow("browser-session-required", `schema CreateBrowserSessionResponse \(root\): required \[access_token\] in IBKR's, \[\] in ours`),
	allow("token-request", `schema TokenRequest (\(root\): required \[\] in IBKR's, \[client_assertion client_assertion_type grant_type\] in ours|\.(clientAssertion|clientAssertionType|clientAuthenticationMethod|clientId|clientSecret): only in IBKR's document|\.(client_assertion|client_assertion_type|grant_type|scope): only in ours)`),
	allow("token-response-required", `schema TokenResponse \(root\): required \[\] in IBKR's, \[access_token expires_in token_type\] in ours`),
	allow("ach-name-32", `schema (AchInstruction|TraditionalBankInstructionVerification) \.bankInstructionName: bounds \[maxLength=100 minLength=1\] in IBKR's, \[maxLength=32 minLength=1\] in ours`),
	allow("routing-9-digits", `schema AchInstruction \.clientAccountInfo\.bankRoutingNumber: bounds \[maxLength=24 minLength=1\] in IBKR's, \[maxLength=9 minLength=9 pattern=\^\[0-9\]\{9\}\$\] in ours`),
	allow("file-name-20", `schema AttachedFileType \.fileName: bounds \[\] in IBKR's, \[maxLength=20 minLength=1\] in ours`),
	allow("bank-identifier-16", `schema PredefinedDestinationInstruction \.financialInstitution\.identifier: bounds \[maxLength=24 minLength=1\] in IBKR's, \[maxLength=16 minLength=1\] in ours`),
	allow("days-to-go-back-30", `schema QueryRecentInstructions \.transactionHistory\.daysToGoBack: bounds \[minimum=1\] in IBKR's, \[maximum=30 minimum=1\] in ours`),
	allow("positive-amounts", `schema (DepositFundsInstruction|WithdrawFundsInstruction|InternalCashTransferInstruction) \.amount: bounds \[\] in IBKR's, \[exclusiveMinimum=true minimum=0\] in ours`),
	allow("history-async", `schema QueryRecentInstructionResult \(root\): required \[instructionHistory\] in IBKR's, \[\] in ours`),
	allow("polling-pending-verification", `schema PollingInstructionResult \.instructionStatus: enum \["PENDING" "PROCESSED" "REJECTED"\] in IBKR's, \["PENDING" "PENDING_VERIFICATION" "PROCESSED" "REJECTED"\] in ours`),
	allow("account-close-withdrawal-info", `schema AccountClose \.withdrawalInfo(\.bankInstructionMethod|\.bankInstructionName)?: only in ours`),
}

func TestOperationsMatchFacts(t *testing.T) {
	f := loadFacts(t)
	ours := loadOurs(t)
	seen := map[string]bool{}
	for _, op := range f.Operations {
		where := op.Method + " " + op.Path
		ourOp := ourOperation(ours, op.Method, op.Path)
		if ourOp == nil {
			t.Errorf("%s (%s) is missing from our spec", where, op.OperationID)
			continue
		}
		seen[where] = true
		if got := ourOp["operationId"]; got != op.OperationID {
			t.Errorf("%s: operationId %v, IBKR says %s", where, got, op.OperationID)
		}
		// IBKR publishes no policy and no scopes for the token endpoint;
		// we say NONE and [] (NOTES: token-policy).
		wantPolicy, wantScopes := "NONE", []string{}
		if op.SecurityPolicy != nil {
			wantPolicy, wantScopes = *op.SecurityPolicy, op.Scopes
		}
		if got := ourOp["x-ib-gateway-security-policy"]; got != wantPolicy {
			t.Errorf("%s: policy %v, IBKR says %s", where, got, wantPolicy)
		}
		var gotScopes []string
		for _, s := range list(ourOp["x-ib-gateway-allowed-scopes"]) {
			gotScopes = append(gotScopes, fmt.Sprint(s))
		}
		if !slices.Equal(gotScopes, wantScopes) && !(len(gotScopes) == 0 && len(wantScopes) == 0) {
			t.Errorf("%s: scopes %v, IBKR says %v", where, gotScopes, wantScopes)
		}
		if tags := list(ourOp["tags"]); len(tags) != 1 || tags[0] != op.Tag {
			t.Errorf("%s: tags %v, IBKR says %s", where, tags, op.Tag)
		}
		if s, _ := ourOp["summary"].(string); s == "" {
			t.Errorf("%s: no summary", where)
		}
		if d, _ := ourOp["description"].(string); len(d) < 40 {
			t.Errorf("%s: description %q is too thin", where, d)
		}
	}
	// Nothing beyond IBKR's operations, unless NOTES.md explains it.
	for path, item := range obj(ours, "paths") {
		for method := range obj(item) {
			where := strings.ToUpper(method) + " " + path
			if !seen[where] {
				t.Errorf("%s is in our spec but not in IBKR's 2.28 document; explain it in api/NOTES.md and here", where)
			}
		}
	}
	if len(seen) != 51 {
		t.Errorf("matched %d operations, want 51", len(seen))
	}
}

func TestServersMatchFacts(t *testing.T) {
	f := loadFacts(t)
	ours := loadOurs(t)
	var urls []string
	for _, s := range list(ours["servers"]) {
		urls = append(urls, fmt.Sprint(obj(s)["url"]))
	}
	if !slices.Equal(urls, f.Servers) {
		t.Fatalf("servers %v, IBKR says %v", urls, f.Servers)
	}
}

// TestFieldsAgreeWithFacts compares field names, JSON types, enums,
// required lists and bounds of every schema, parameter, request body and
// response of IBKR's document with ours, following $ref, allOf, oneOf and
// anyOf. Each difference must be allowed by exactly the allowlist.
func TestFieldsAgreeWithFacts(t *testing.T) {
	f := loadFacts(t)
	ours := loadOurs(t)
	used := map[string]int{}
	for _, d := range differences(f, ours) {
		var by []string
		for _, a := range allowlist {
			if a.match.MatchString(d) {
				by = append(by, a.note)
				used[a.note]++
			}
		}
		switch len(by) {
		case 0:
			t.Errorf("unexplained difference from IBKR's document: %s", d)
		case 1:
		default:
			t.Errorf("difference %q is allowed by several entries %v; make them disjoint", d, by)
		}
	}
	for _, a := range allowlist {
		if used[a.note] == 0 {
			t.Errorf("allowlist entry [%s] matches no difference; remove it", a.note)
		}
	}
}

var noteTag = regexp.MustCompile(`(?m)^- \[([a-z0-9-]+)\] `)

// TestAllowlistIsExplained checks that every allowlist entry has its line
// in api/NOTES.md, and that NOTES.md has no duplicate tags.
func TestAllowlistIsExplained(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, notesPath))
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]int{}
	for _, m := range noteTag.FindAllStringSubmatch(string(raw), -1) {
		notes[m[1]]++
	}
	for tag, n := range notes {
		if n > 1 {
			t.Errorf("api/NOTES.md explains [%s] %d times", tag, n)
		}
	}
	tags := map[string]bool{}
	for _, a := range allowlist {
		if tags[a.note] {
			t.Errorf("allowlist tag [%s] appears twice; merge the entries", a.note)
		}
		tags[a.note] = true
		if notes[a.note] == 0 {
			t.Errorf("allowlist entry [%s] has no line \"- [%s] ...\" in api/NOTES.md", a.note, a.note)
		}
	}
	// The token endpoint's policy is mapped in TestOperationsMatchFacts.
	if notes["token-policy"] == 0 {
		t.Error("api/NOTES.md does not explain [token-policy]")
	}
}

// TestNoFloatsInGeneratedCode checks that no money amount or identifier
// of the generated types passes through a binary floating-point type.
func TestNoFloatsInGeneratedCode(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot, "gen", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated files: %v", err)
	}
	float := regexp.MustCompile(`\bfloat(32|64)\b`)
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(raw), "\n") {
			if float.MatchString(line) {
				t.Errorf("%s:%d: %s", filepath.Base(file), i+1, strings.TrimSpace(line))
			}
		}
	}
}

// TestNumbersAreExact checks that every property the spec types as a JSON
// number maps to wire.Decimal or wire.ID.
func TestNumbersAreExact(t *testing.T) {
	ours := loadOurs(t)
	var walk func(v any, where string)
	walk = func(v any, where string) {
		switch x := v.(type) {
		case map[string]any:
			if x["type"] == "number" {
				if goType := x["x-go-type"]; goType != "wire.Decimal" && goType != "wire.ID" {
					t.Errorf("%s: number without an exact Go type (x-go-type %v)", where, goType)
				}
			}
			for k, c := range x {
				walk(c, where+"/"+k)
			}
		case []any:
			for i, c := range x {
				walk(c, fmt.Sprintf("%s/%d", where, i))
			}
		}
	}
	walk(ours["components"], "#/components")
	walk(ours["paths"], "#/paths")
}
