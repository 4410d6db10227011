package ibkr

import (
	"runtime"
	"strings"
	"sync"

	"github.com/ibkrweb/ibkr-go/internal/optable"
)

// The generated client resolves each path against the base URL, which
// removes "." and ".." segments: a path value of "." or ".." would turn
// GET /accounts/{accountId}/status into another endpoint. The pipeline
// therefore finds which generated method built the request (the frame of
// gen.(*Client).<Operation> calling the client's doer) and refuses a
// request whose path matches a different operation, or none.

const genClientPrefix = "github.com/ibkrweb/ibkr-go/gen.(*Client)."

var (
	genMethodsOnce sync.Once
	genMethods     map[string]string // generated method name → operationId
)

// genMethodOps maps GetAccountsStatus (and GetAccountsStatusWithBody) to
// getAccountsStatus.
func genMethodOps() map[string]string {
	genMethodsOnce.Do(func() {
		genMethods = make(map[string]string, 2*len(optable.Operations))
		for _, op := range optable.Operations {
			m := strings.ToUpper(op.ID[:1]) + op.ID[1:]
			genMethods[m] = op.ID
			genMethods[m+"WithBody"] = op.ID
		}
	})
	return genMethods
}

// intendedOperation returns the operation of the generated method that is
// sending the current request: the nearest gen.(*Client) frame among the
// few callers above Client.do. It returns "" when the request did not come
// from a generated method (one the caller built and handed to the doer).
// Only Raw() requests come this way; facade calls name their operation.
func intendedOperation() string {
	var pcs [8]uintptr
	n := runtime.Callers(3, pcs[:]) // skip Callers, intendedOperation, Client.do
	for _, pc := range pcs[:n] {
		// pc is a return address; pc-1 lies in the calling instruction.
		// The generated methods call the doer from their own body, so no
		// inlining stands between (and FuncForPC allocates nothing).
		f := runtime.FuncForPC(pc - 1)
		if f == nil {
			continue
		}
		if name, ok := strings.CutPrefix(f.Name(), genClientPrefix); ok {
			return genMethodOps()[name]
		}
	}
	return ""
}

// checkIntended refuses a request whose path does not match the
// operation its generated method stands for.
func checkIntended(intended string, matched optable.Operation, found bool, method, path string) error {
	if intended == "" || (found && matched.ID == intended) {
		return nil
	}
	want, _ := optable.ByID(intended)
	if hasDotSegment(want.Path, path) || !found {
		return invalid("path", "a path value of \".\" or \"..\" (or an empty one) would send %s %s to %s %s instead; such values are not valid", want.Method, want.Path, method, path)
	}
	return invalid("path", "%s %s matches %s, not the intended %s", method, path, matched.ID, intended)
}

// hasDotSegment reports a path with fewer segments than its template: a
// "." or ".." value was removed while resolving the URL.
func hasDotSegment(template, path string) bool {
	return strings.Count(template, "/") != strings.Count(path, "/")
}
