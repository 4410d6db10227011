package ibkr

import "errors"

// ErrAccountStatus is the cause (InputError.Err) when a text is not an
// account status code.
var ErrAccountStatus = errors.New("ibkr: invalid account status")

// AccountStatus is the one-letter status IBKR gives an account or
// application.
type AccountStatus string

// The documented account statuses.
const (
	// StatusAbandoned (A): the application was deleted, by request or
	// after 135 days of inactivity. It can be reset within six months.
	StatusAbandoned AccountStatus = "A"
	// StatusNew (N): a pending application without funding details.
	StatusNew AccountStatus = "N"
	// StatusOpen (O): approved and opened by IBKR; the account is active.
	StatusOpen AccountStatus = "O"
	// StatusClosed (C): an account that was open and has been closed.
	StatusClosed AccountStatus = "C"
	// StatusPending (P): a pending application with funding instructions.
	StatusPending AccountStatus = "P"
	// StatusRejected (R): never opened; rejected by IBKR compliance.
	StatusRejected AccountStatus = "R"
	// StatusReopenPending (E): a request to reopen a closed account is
	// pending.
	StatusReopenPending AccountStatus = "E"
	// StatusMigrationPending (Q): a bulk-migrated account IBKR has not yet
	// approved.
	StatusMigrationPending AccountStatus = "Q"
)

var accountStatusNames = map[AccountStatus]string{
	StatusAbandoned:        "abandoned",
	StatusNew:              "new",
	StatusOpen:             "open",
	StatusClosed:           "closed",
	StatusPending:          "pending",
	StatusRejected:         "rejected",
	StatusReopenPending:    "reopen pending",
	StatusMigrationPending: "migration pending",
}

// accountTransitions lists IBKR's documented status changes, from → to.
var accountTransitions = map[AccountStatus][]AccountStatus{
	StatusNew:              {StatusPending, StatusOpen, StatusRejected, StatusAbandoned},
	StatusPending:          {StatusOpen, StatusRejected, StatusAbandoned},
	StatusAbandoned:        {StatusNew, StatusPending, StatusOpen, StatusRejected},
	StatusOpen:             {StatusClosed},
	StatusClosed:           {StatusOpen, StatusReopenPending},
	StatusReopenPending:    {StatusOpen},
	StatusMigrationPending: {StatusOpen, StatusRejected},
	StatusRejected:         nil,
}

// ParseAccountStatus reads a one-letter status code. IBKR's bulk status
// filter knows a few more letters than it documents (F, I, J, L, M, W);
// those are refused here because their meaning is not documented.
func ParseAccountStatus(s string) (AccountStatus, error) {
	st := AccountStatus(s)
	if !st.Known() {
		return "", inputErr("status", ErrAccountStatus, "must be one of A, N, O, C, P, R, E, Q")
	}
	return st, nil
}

// Known reports whether s is one of the documented statuses.
func (s AccountStatus) Known() bool {
	_, ok := accountStatusNames[s]
	return ok
}

// String returns a readable name with the code, e.g. "open (O)"; unknown
// codes print as themselves.
func (s AccountStatus) String() string {
	if n, ok := accountStatusNames[s]; ok {
		return n + " (" + string(s) + ")"
	}
	return string(s)
}

// Open reports whether the account is open and active (O).
func (s AccountStatus) Open() bool { return s == StatusOpen }

// Pending reports whether IBKR still has to decide: a new or pending
// application (N, P), a pending reopen (E) or an unapproved migration (Q).
func (s AccountStatus) Pending() bool {
	switch s {
	case StatusNew, StatusPending, StatusReopenPending, StatusMigrationPending:
		return true
	}
	return false
}

// Terminal reports whether no documented transition leaves s. Only
// rejected (R) is terminal: abandoned applications can be reset and
// closed accounts reopened.
func (s AccountStatus) Terminal() bool {
	next, ok := accountTransitions[s]
	return ok && len(next) == 0
}

// Transitions returns the statuses IBKR documents s can move to.
func (s AccountStatus) Transitions() []AccountStatus {
	return append([]AccountStatus(nil), accountTransitions[s]...)
}

// CanTransition reports whether IBKR documents a change from one status to
// another. Staying in the same status is not a transition.
func CanTransition(from, to AccountStatus) bool {
	for _, t := range accountTransitions[from] {
		if t == to {
			return true
		}
	}
	return false
}
