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
	// intendedByPC caches, per return address in the generated client,
	// the operation its method sends ("" for none).
	intendedByPC sync.Map // uintptr → string

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

// intendedOperation returns the operation the generated method that is
// sending the current request stands for, or "" when the request did not
// come from a generated method (a request the caller built and handed to
// the doer). skip counts the frames between the caller and the doer.
func intendedOperation(skip int) string {
	var pcs [1]uintptr
	if runtime.Callers(skip+2, pcs[:]) == 0 {
		return ""
	}
	if v, ok := intendedByPC.Load(pcs[0]); ok {
		return v.(string)
	}
	frame, _ := runtime.CallersFrames(pcs[:]).Next()
	op := ""
	if name, ok := strings.CutPrefix(frame.Function, genClientPrefix); ok {
		op = genMethodOps()[name]
	}
	intendedByPC.Store(pcs[0], op)
	return op
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
