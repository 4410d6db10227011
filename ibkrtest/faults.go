package ibkrtest

import (
	"fmt"
	"net/http"
	"time"

	"github.com/ibkrweb/ibkr-go/internal/optable"
)

type faultKind int

const (
	faultFail faultKind = iota
	faultLatency
	faultDrop
	faultMalformed
	faultPartial
)

type fault struct {
	kind   faultKind
	n      int
	status int
	delay  time.Duration
	items  int // faultPartial: how many instructions take effect
}

func mustOp(opID string) {
	if _, ok := optable.ByID(opID); !ok {
		panic(fmt.Sprintf("ibkrtest: unknown operationId %q", opID))
	}
}

func (s *Sandbox) addFault(opID string, f fault) {
	mustOp(opID)
	if f.n <= 0 {
		return
	}
	s.faultMu.Lock()
	s.faults[opID] = append(s.faults[opID], f)
	s.faultMu.Unlock()
}

// FailNext makes the next n calls of the operation fail with status
// (e.g. 500, 502, 503) before anything happens: no state changes. The
// body is a problem document shaped as the spec declares for that status.
func (s *Sandbox) FailNext(operationID string, n, status int) {
	if status < 400 || status > 599 {
		panic("ibkrtest: FailNext status must be 4xx or 5xx")
	}
	s.addFault(operationID, fault{kind: faultFail, n: n, status: status})
}

// DelayNext holds back the answers of the next n calls of the operation by
// d of sandbox time: the call takes effect at once, the answer leaves only
// when the sandbox clock has moved d further (on a fake clock: when the
// test advances it, or at once with auto-advance), or when the client
// gives up. The case a client timeout must handle.
func (s *Sandbox) DelayNext(operationID string, n int, d time.Duration) {
	s.addFault(operationID, fault{kind: faultLatency, n: n, delay: d})
}

// DropAfterCommit makes the next n calls of the operation take full effect
// (the instruction is accepted, money moves) and then closes the
// connection without an answer: the case that tempts clients to
// double-submit.
func (s *Sandbox) DropAfterCommit(operationID string, n int) {
	s.addFault(operationID, fault{kind: faultDrop, n: n})
}

// MalformNext makes the next n calls of the operation take effect and
// answer with their real status and headers but a truncated body.
func (s *Sandbox) MalformNext(operationID string, n int) {
	s.addFault(operationID, fault{kind: faultMalformed, n: n})
}

// ClearFaults removes every pending injected fault.
func (s *Sandbox) ClearFaults() {
	s.faultMu.Lock()
	s.faults = map[string][]fault{}
	s.faultMu.Unlock()
}

// takeOne consumes one use of the first pending fault of kind for opID.
func (s *Sandbox) takeOne(opID string, kind faultKind) (fault, bool) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	fs := s.faults[opID]
	for i := range fs {
		if fs[i].kind != kind {
			continue
		}
		f := fs[i]
		fs[i].n--
		if fs[i].n <= 0 {
			fs = append(fs[:i], fs[i+1:]...)
		}
		s.faults[opID] = fs
		return f, true
	}
	return fault{}, false
}

func (s *Sandbox) take(opID string, kind faultKind) bool {
	_, ok := s.takeOne(opID, kind)
	return ok
}

func (s *Sandbox) takeFail(opID string) (int, bool) {
	f, ok := s.takeOne(opID, faultFail)
	if !ok {
		return 0, false
	}
	if f.status == 0 {
		return http.StatusInternalServerError, true
	}
	return f.status, true
}

func (s *Sandbox) takeLatency(opID string) time.Duration {
	f, ok := s.takeOne(opID, faultLatency)
	if !ok {
		return 0
	}
	return f.delay
}
