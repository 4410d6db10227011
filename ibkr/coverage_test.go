package ibkr

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// Typed coverage: every operation of the generated table has a facade
// method on *Client, or an explicit, justified exemption.
//
// facadeMethods maps each operationId to the *Client methods that send it
// (the first is the main one). The test checks each name with reflect, so
// a renamed or removed method fails here, and checks in the package's
// source that the method reaches the operation (it, or a function it
// calls, names optable.Op…), so a method mapped to the wrong operation
// fails too.
var facadeMethods = map[string][]string{
	"createInternalAssetTransfers":         {"TransferPosition"},
	"createExternalAssetTransfers":         {"TransferAccount", "TransferFOP", "TransferDWAC", "TransferComplexAsset"},
	"bulkInstructionsCancel":               {"BulkCancelInstructions"},
	"bulkInternalCashTransfers":            {"BulkInternalCashTransfers"},
	"bulkExternalCashTransfers":            {"BulkExternalCashTransfers"},
	"bulkBankInstructions":                 {"BulkBankInstructions"},
	"bulkExternalAssetTransfers":           {"BulkExternalAssetTransfers"},
	"bulkInternalAssetTransfers":           {"BulkInternalAssetTransfers"},
	"applyCSV":                             {"ApplyRestrictions"},
	"createAccounts":                       {"Register", "RegisterApplication"},
	"createAccountsDocuments":              {"UploadDocuments"},
	"createBalancesQuery":                  {"Balance"},
	"createBankInstructions":               {"LinkBankAccount", "VerifyMicroDeposits", "DeleteBankInstruction", "AddWireDestination", "AddEDDAInstruction"},
	"createBankInstructionsQuery":          {"BankInstructions", "RecurringInstructions"},
	"createEchoSignedJwt":                  {"EchoSigned"},
	"createExternalCashTransfers":          {"DepositACH", "Withdraw", "NotifyWireDeposit"},
	"createExternalCashTransfersQuery":     {"WithdrawableCash"},
	"createInstructionsCancel":             {"CancelInstruction"},
	"createInstructionsQuery":              {"RecentInstructions"},
	"createInternalCashTransfers":          {"TransferCash"},
	"createSsoBrowserSessions":             {"CreateSSOSession"},
	"createSsoSessions":                    {"CreateSSOToken"},
	"createStatements":                     {"Statement"},
	"createTaxDocuments":                   {"TaxDocument"},
	"createTradeConfirmations":             {"TradeConfirmations"},
	"generateToken":                        {"TokenSource"},
	"getAccountsDetails":                   {"AccountDetails"},
	"getAccountsKyc":                       {"AccountKYC"},
	"getAccountsLoginMessages":             {"AccountLoginMessages"},
	"getAccountsStatus":                    {"AccountStatus"},
	"getAccountsTasks":                     {"PendingTasks", "RegistrationTasks"},
	"getClientInstructions":                {"InstructionStatus"},
	"getEnumerations":                      {"Enumeration"},
	"getInstructionSets":                   {"InstructionSet"},
	"getInstructions":                      {"InstructionByID"},
	"getRequestsStatus":                    {"RequestStatus"},
	"getValidationsUsernames":              {"ValidateUserName"},
	"listAccounts":                         {"FindApplication"},
	"listAccountsLoginMessages":            {"LoginMessages"},
	"listAccountsStatus":                   {"AccountStatuses"},
	"listEchoHttps":                        {"Echo"},
	"listEnumerationsComplexAssetTransfer": {"ComplexAssetTransferBrokers"},
	"listForms":                            {"Forms"},
	"listFormsRequiredForms":               {"RequiredForms"},
	"listParticipatingBanks":               {"ParticipatingBanks"},
	"listRequests":                         {"Requests"},
	"listStatementsAvailable":              {"AvailableStatements"},
	"listTaxDocumentsAvailable":            {"AvailableTaxDocuments"},
	"listTradeConfirmationsAvailable":      {"AvailableTradeConfirmations"},
	"updateAccounts":                       {"UpdateAccount"},
	"verifyCSV":                            {"VerifyRestrictions"},
}

// exemptMethods are operations deliberately left without a facade method,
// each with its reason. None today: every operation is a call.
var exemptMethods = map[string]string{}

func TestTypedCoverage(t *testing.T) {
	client := reflect.TypeOf(&Client{})
	reach := opReach(t)
	typed := 0
	for _, op := range optable.Operations {
		methods, isTyped := facadeMethods[op.ID]
		why, isExempt := exemptMethods[op.ID]
		switch n := btoi(isTyped) + btoi(isExempt); {
		case n == 0:
			t.Errorf("operation %s has no facade method: add one (and list it in facadeMethods) or exempt it with a reason", op.ID)
			continue
		case n > 1:
			t.Errorf("operation %s is both typed and exempt", op.ID)
			continue
		case isExempt && strings.TrimSpace(why) == "":
			t.Errorf("operation %s is exempt without a reason", op.ID)
		}
		if !isTyped {
			continue
		}
		if len(methods) == 0 {
			t.Errorf("operation %s: no method named", op.ID)
			continue
		}
		ok := true
		for _, name := range methods {
			if _, found := client.MethodByName(name); !found {
				t.Errorf("operation %s: *Client has no method %s (renamed? update facadeMethods)", op.ID, name)
				ok = false
				continue
			}
			if !reach("Client." + name)[op.ID] {
				t.Errorf("operation %s: (*Client).%s does not reach optable.%s", op.ID, name, goName(op.ID))
				ok = false
			}
		}
		if ok {
			typed++
		}
	}
	// Stale entries: ids that are not operations.
	for _, m := range []map[string]bool{keys(facadeMethods), keys(exemptMethods)} {
		for id := range m {
			if _, ok := optable.ByID(id); !ok {
				t.Errorf("%s is listed but is not an operation of the table", id)
			}
		}
	}
	t.Logf("typed coverage: %d/%d operations have facade methods; %d exempt", typed, len(optable.Operations), len(exemptMethods))
}

// The test's own machinery finds a wrong mapping.
func TestTypedCoverageCatchesWrongMapping(t *testing.T) {
	reach := opReach(t)
	if !reach("Client.Echo")["listEchoHttps"] || reach("Client.Echo")["createEchoSignedJwt"] {
		t.Fatalf("Echo reaches %v", reach("Client.Echo"))
	}
	if !reach("Client.Withdraw")["createExternalCashTransfers"] || reach("Client.Withdraw")["applyCSV"] {
		t.Fatal("Withdraw's reach is wrong")
	}
	if _, ok := reflect.TypeOf(&Client{}).MethodByName("NoSuchMethod"); ok {
		t.Fatal("reflect found a method that does not exist")
	}
}

// opReach parses the package's non-test source and returns, for a function
// ("name") or method ("Type.name"), the operationIds it reaches: the
// optable.Op… it names, directly or through what it calls. Without type
// information, calls are followed this way: a plain name to the package's
// function or variable of that name; recv.m (recv the method's own
// receiver) to the receiver type's method m; x.m, for any other x and an
// unexported m, to every method named m; a composite literal T{…} to
// every method of T (its value may be used through an interface).
// Exported methods reached through other values (String, Error ...) are
// not followed: they name no operations.
func opReach(t *testing.T) func(string) map[string]bool {
	t.Helper()
	fset := gotoken.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File // every build variant: their references add up
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			f, err := parser.ParseFile(fset, n, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	ids := map[string]string{} // Go name (OpListEchoHttps) -> operationId
	for _, op := range optable.Operations {
		ids[goName(op.ID)] = op.ID
	}
	refs := map[string]map[string]bool{} // node -> "op:id", "id:name", "self:T.m", "sel:m", "type:T"
	methods := map[string][]string{}     // bare method name -> nodes
	ofType := map[string][]string{}      // type name -> its method nodes
	add := func(node, recvType, recvVar string, body ast.Node) {
		r, known := refs[node] // known: another build variant of the node
		if !known {
			r = map[string]bool{}
			refs[node] = r
		}
		if recvType != "" && !known {
			bare := node[len(recvType)+1:]
			methods[bare] = append(methods[bare], node)
			ofType[recvType] = append(ofType[recvType], node)
		}
		sels := map[*ast.Ident]bool{} // selected names, not references of their own
		ast.Inspect(body, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.SelectorExpr:
				sels[x.Sel] = true
				if p, ok := x.X.(*ast.Ident); ok {
					switch {
					case p.Name == "optable":
						if id, ok := ids[x.Sel.Name]; ok {
							r["op:"+id] = true
						}
						return false
					case recvVar != "" && p.Name == recvVar:
						r["self:"+recvType+"."+x.Sel.Name] = true
						return false
					}
				}
				if !ast.IsExported(x.Sel.Name) {
					r["sel:"+x.Sel.Name] = true
				}
			case *ast.CompositeLit:
				if id, ok := x.Type.(*ast.Ident); ok {
					r["type:"+id.Name] = true
				}
			case *ast.Ident:
				if !sels[x] {
					r["id:"+x.Name] = true
				}
			}
			return true
		})
	}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Body == nil {
					continue
				}
				if d.Recv == nil || len(d.Recv.List) != 1 {
					add(d.Name.Name, "", "", d.Body)
					continue
				}
				recv := d.Recv.List[0]
				typ, v := recvName(recv.Type), ""
				if len(recv.Names) == 1 {
					v = recv.Names[0].Name
				}
				add(typ+"."+d.Name.Name, typ, v, d.Body)
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					if vs, ok := sp.(*ast.ValueSpec); ok {
						for _, n := range vs.Names {
							add(n.Name, "", "", vs)
						}
					}
				}
			}
		}
	}
	next := func(ref string) []string {
		kind, name, _ := strings.Cut(ref, ":")
		switch kind {
		case "id":
			if _, ok := refs[name]; ok {
				return []string{name}
			}
		case "self":
			return []string{name}
		case "sel":
			return methods[name]
		case "type":
			return ofType[name]
		}
		return nil
	}
	memo := map[string]map[string]bool{}
	return func(start string) map[string]bool {
		if r, ok := memo[start]; ok {
			return r
		}
		out, seen, queue := map[string]bool{}, map[string]bool{start: true}, []string{start}
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			for ref := range refs[n] {
				if id, ok := strings.CutPrefix(ref, "op:"); ok {
					out[id] = true
					continue
				}
				for _, m := range next(ref) {
					if !seen[m] && !pipeline[m] {
						seen[m] = true
						queue = append(queue, m)
					}
				}
			}
		}
		memo[start] = out
		return out
	}
}

// pipeline are the shared call path's functions: every call goes through
// them and they name operations of their own (the clientInstructionId
// lookup of reconciliation, the token), so following them would let any
// method seem to reach those.
var pipeline = map[string]bool{
	"Client.invoke": true, "Client.run": true, "Client.do": true, "Client.submit": true,
	"Client.query": true, "Client.sendQuery": true, "Client.reconcile": true, "Client.token": true,
}

func recvName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return recvName(x.X)
	case *ast.IndexExpr:
		return recvName(x.X)
	case *ast.Ident:
		return x.Name
	}
	return ""
}

// goName is the optable variable of an operationId: listEchoHttps ->
// OpListEchoHttps.
func goName(id string) string { return "Op" + strings.ToUpper(id[:1]) + id[1:] }

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func keys[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// The three lists are disjoint and together name every operation.
func TestTypedCoverageListsComplete(t *testing.T) {
	var all []string
	for _, m := range []map[string]bool{keys(facadeMethods), keys(exemptMethods)} {
		for k := range m {
			all = append(all, k)
		}
	}
	sort.Strings(all)
	for i := 1; i < len(all); i++ {
		if all[i] == all[i-1] {
			t.Errorf("%s listed twice", all[i])
		}
	}
	if len(all) != len(optable.Operations) {
		t.Errorf("%d operations listed, the table has %d", len(all), len(optable.Operations))
	}
}
