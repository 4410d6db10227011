package ibkrtest

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ibkrweb/ibkr-go/internal/optable"
	"github.com/ibkrweb/ibkr-go/wire"
)

// The write side of the control API: what the console's controls and
// the POST endpoints of /ibkrtest/v1/ do. The exported methods are
// there for tests too; the actions table maps the endpoints onto them,
// so that the JSON endpoints and the console share one implementation.

// ErrNoFakeClock is returned by the clock controls of a sandbox that does
// not run on a fake clock (such as "ibkr sandbox" on the wall clock).
var ErrNoFakeClock = errors.New("ibkrtest: the sandbox does not run on a fake clock")

// SettleInstruction runs the next lifecycle step of a PENDING instruction
// now instead of when it falls due: a deposit, withdrawal or transfer
// settles (PROCESSED, or REJECTED for want of cash), an ACH instruction
// gets its verification outcome, an eDDA instruction is authorised.
func (s *Sandbox) SettleInstruction(instructionID wire.ID) error {
	n, ok := parseUint(instructionID)
	if !ok {
		return fmt.Errorf("ibkrtest: bad instruction id %s", instructionID)
	}
	s.mu.Lock()
	in := s.st.Instructions[n]
	if in == nil || in.Status != StatusPending {
		s.mu.Unlock()
		return fmt.Errorf("ibkrtest: no pending instruction %s", instructionID)
	}
	idx := -1
	for i, e := range s.st.Events {
		if e.ID == n && (e.Kind == evSettle || e.Kind == evACHVerify || e.Kind == evEDDA) {
			idx = i
			break
		}
	}
	if idx < 0 {
		s.mu.Unlock()
		return fmt.Errorf("ibkrtest: instruction %s has no scheduled step", instructionID)
	}
	e := s.st.Events[idx]
	s.st.Events = append(s.st.Events[:idx], s.st.Events[idx+1:]...)
	e.At = s.clk.Now()
	s.handleEvent(e)
	s.mu.Unlock()
	s.flush()
	return nil
}

// ConfirmBankVerification verifies a bank instruction (by the id of the
// instruction that created it) as if the customer had confirmed the
// micro-deposits: it turns PROCESSED, ready for deposits.
func (s *Sandbox) ConfirmBankVerification(instructionID wire.ID) error {
	return s.endVerification(instructionID, StatusProcessed)
}

// FailBankVerification fails a bank instruction's verification: it turns
// REJECTED with CodeBankVerificationFailed.
func (s *Sandbox) FailBankVerification(instructionID wire.ID) error {
	return s.endVerification(instructionID, StatusRejected)
}

func (s *Sandbox) endVerification(instructionID wire.ID, to string) error {
	n, ok := parseUint(instructionID)
	if !ok {
		return fmt.Errorf("ibkrtest: bad instruction id %s", instructionID)
	}
	s.mu.Lock()
	in, b := s.st.Instructions[n], s.st.Banks[n]
	if in == nil || b == nil || (b.Status != StatusPending && b.Status != StatusPendingVerification) {
		s.mu.Unlock()
		return fmt.Errorf("ibkrtest: no bank instruction %s awaiting verification", instructionID)
	}
	b.Status = to
	desc := "bank account verified (sandbox control)"
	if to == StatusRejected {
		in.ErrCode, in.ErrMsg = CodeBankVerificationFailed, "the bank account could not be verified (sandbox control)"
		desc = in.ErrMsg
	}
	s.setStatus(in, to, s.clk.Now(), desc)
	s.mu.Unlock()
	s.flush()
	return nil
}

// OpenAccount opens an account: an existing one has its registration
// tasks marked done and moves to status O (where the documented moves
// allow); an unknown or empty id creates an open account (a new id when
// empty). It returns the account id.
func (s *Sandbox) OpenAccount(accountID string) (string, error) {
	s.mu.Lock()
	if accountID == "" {
		for {
			s.st.Seq.Account++
			accountID = fmt.Sprintf("U%07d", s.st.Seq.Account)
			if s.st.Accounts[accountID] == nil {
				break
			}
		}
	}
	a := s.st.Accounts[accountID]
	if a == nil {
		s.mu.Unlock()
		return accountID, s.AddAccount(accountID, AccountOpen)
	}
	now := s.clk.Now()
	s.completeTasks(a, nil, now)
	err := s.setAccountStatus(a, AccountOpen, now)
	if err == nil {
		a.InReview = false
	}
	s.mu.Unlock()
	s.flush()
	return accountID, err
}

// AdvanceToNextEvent moves the fake clock to the next scheduled lifecycle
// step and runs it (with any others due then). It reports false when
// nothing is scheduled.
func (s *Sandbox) AdvanceToNextEvent() (bool, error) {
	if s.fake == nil {
		return false, ErrNoFakeClock
	}
	n, next := s.PendingEvents()
	if n == 0 {
		return false, nil
	}
	s.Advance(max(next.Sub(s.clk.Now()), 0))
	return true, nil
}

// Reset forgets everything the sandbox holds (accounts, instructions,
// bank instructions, scheduled steps, tokens, Flex statements, recorded
// requests, pending faults) and starts over as new, the demo account
// included unless WithoutDemoAccount; registered clients and the clock
// stay.
func (s *Sandbox) Reset() {
	s.mu.Lock()
	s.st = newState()
	if s.cfg.demoAccount {
		s.st.Accounts[DemoAccountID] = demoAccount(s.clk.Now())
		s.st.Usernames[DemoUserName] = DemoAccountID
	}
	s.outbox = nil
	s.mu.Unlock()
	s.flex.mu.Lock()
	s.flex.refs, s.flex.hits, s.flex.faults, s.flex.requests = nil, nil, nil, nil
	s.flex.mu.Unlock()
	s.ClearFaults()
	s.ResetRequests()
	s.SetMaintenance(s.cfg.maintenance)
}

// ControlRequest is the JSON body of the control endpoints (each reads
// the fields it needs) and the form of the console's controls.
type ControlRequest struct {
	// Duration advances the clock, e.g. "10m", "24h" (advance).
	Duration string `json:"duration,omitempty"`
	// ToNextEvent advances the clock to the next scheduled step (advance).
	ToNextEvent bool `json:"toNextEvent,omitempty"`
	// InstructionID is IBKR's instruction id (settle, reject,
	// confirm-bank, fail-bank; taken from the path by the JSON endpoints).
	InstructionID string `json:"instructionId,omitempty"`
	// Code and Message are a rejection's error (reject).
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// AccountID is the account to open (open-account; empty: a new one).
	AccountID string `json:"accountId,omitempty"`
	// Kind (fail, latency, drop, malformed), OperationID, Count, Status
	// (fail) and Delay (latency) describe a fault to inject (fault).
	Kind        string `json:"kind,omitempty"`
	OperationID string `json:"operationId,omitempty"`
	Count       int    `json:"count,omitempty"`
	Status      int    `json:"status,omitempty"`
	Delay       string `json:"delay,omitempty"`
	// On switches the maintenance windows on or off (maintenance).
	On bool `json:"on,omitempty"`
}

// ControlResult is the answer of a control endpoint.
type ControlResult struct {
	// Done says what happened, in words.
	Done string `json:"done"`
	// Clock is the clock after the control.
	Clock ClockView `json:"clock"`
	// AccountID is the account opened (open-account).
	AccountID string `json:"accountId,omitempty"`
}

// controlError is a refused control, with its HTTP status.
type controlError struct {
	status int
	msg    string
}

func (e *controlError) Error() string { return e.msg }

func badControl(format string, args ...any) error {
	return &controlError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

func conflict(err error) error {
	if err == nil {
		return nil
	}
	return &controlError{status: http.StatusConflict, msg: trimPkg(err.Error())}
}

func trimPkg(s string) string {
	const p = "ibkrtest: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// controlActions are the controls, by name (the console's form action
// and the JSON endpoint's last path element).
var controlActions = map[string]func(s *Sandbox, c ControlRequest) (string, error){
	"advance": func(s *Sandbox, c ControlRequest) (string, error) {
		if s.fake == nil {
			return "", conflict(ErrNoFakeClock)
		}
		if c.ToNextEvent {
			ok, err := s.AdvanceToNextEvent()
			if err != nil || !ok {
				return "", conflict(errors.Join(err, errors.New("no lifecycle step is scheduled")))
			}
			return "advanced the clock to the next scheduled step", nil
		}
		d, err := time.ParseDuration(c.Duration)
		if err != nil || d <= 0 || d > 400*24*time.Hour {
			return "", badControl("duration %q: a positive Go duration up to 400 days, e.g. 10m or 24h", c.Duration)
		}
		s.Advance(d)
		return "advanced the clock by " + d.String(), nil
	},
	"settle": func(s *Sandbox, c ControlRequest) (string, error) {
		id, err := controlID(c.InstructionID)
		if err != nil {
			return "", err
		}
		return "ran the next step of instruction " + id.String(), conflict(s.SettleInstruction(id))
	},
	"reject": func(s *Sandbox, c ControlRequest) (string, error) {
		id, err := controlID(c.InstructionID)
		if err != nil {
			return "", err
		}
		code, msg := cmp.Or(c.Code, "ERROR_INSTRUCTION_REJECTED"), cmp.Or(c.Message, "rejected through the sandbox control API")
		return "rejected instruction " + id.String(), conflict(s.RejectInstruction(id, code, msg))
	},
	"confirm-bank": func(s *Sandbox, c ControlRequest) (string, error) {
		id, err := controlID(c.InstructionID)
		if err != nil {
			return "", err
		}
		return "verified bank instruction " + id.String(), conflict(s.ConfirmBankVerification(id))
	},
	"fail-bank": func(s *Sandbox, c ControlRequest) (string, error) {
		id, err := controlID(c.InstructionID)
		if err != nil {
			return "", err
		}
		return "failed the verification of bank instruction " + id.String(), conflict(s.FailBankVerification(id))
	},
	"open-account": func(s *Sandbox, c ControlRequest) (string, error) {
		if c.AccountID != "" && !validAccountID(c.AccountID) {
			return "", badControl("accountId %q: letters and digits, up to 20", c.AccountID)
		}
		id, err := s.OpenAccount(c.AccountID)
		return "opened account " + id, conflict(err)
	},
	"fault": func(s *Sandbox, c ControlRequest) (string, error) {
		if _, ok := optable.ByID(c.OperationID); !ok {
			return "", badControl("operationId %q: not an operation of the API", c.OperationID)
		}
		n := c.Count
		if n == 0 {
			n = 1
		}
		if n < 0 || n > 1000 {
			return "", badControl("count %d: 1 to 1000", c.Count)
		}
		switch c.Kind {
		case "fail":
			st := c.Status
			if st == 0 {
				st = http.StatusInternalServerError
			}
			if st < 400 || st > 599 {
				return "", badControl("status %d: 4xx or 5xx", c.Status)
			}
			s.FailNext(c.OperationID, n, st)
		case "latency":
			d, err := time.ParseDuration(c.Delay)
			if err != nil || d <= 0 {
				return "", badControl("delay %q: a positive Go duration, e.g. 30s", c.Delay)
			}
			s.DelayNext(c.OperationID, n, d)
		case "drop":
			s.DropAfterCommit(c.OperationID, n)
		case "malformed":
			s.MalformNext(c.OperationID, n)
		default:
			return "", badControl("kind %q: fail, latency, drop or malformed", c.Kind)
		}
		return fmt.Sprintf("injected %s into the next %d call(s) of %s", c.Kind, n, c.OperationID), nil
	},
	"clear-faults": func(s *Sandbox, _ ControlRequest) (string, error) {
		s.ClearFaults()
		return "cleared every pending fault", nil
	},
	"maintenance": func(s *Sandbox, c ControlRequest) (string, error) {
		s.SetMaintenance(c.On)
		if c.On {
			return "IBKR's maintenance windows are simulated", nil
		}
		return "IBKR's maintenance windows are off", nil
	},
	"reset": func(s *Sandbox, _ ControlRequest) (string, error) {
		s.Reset()
		return "reset the sandbox", nil
	},
}

func controlID(s string) (wire.ID, error) {
	id, err := wire.ParseID(s)
	if err != nil {
		return wire.ID{}, badControl("instructionId %q: a whole number", s)
	}
	return id, nil
}

func validAccountID(id string) bool {
	if len(id) > 20 {
		return false
	}
	for _, r := range id {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// runControl runs a control and says what it did.
func (s *Sandbox) runControl(action string, c ControlRequest) (ControlResult, error) {
	fn := controlActions[action]
	if fn == nil {
		return ControlResult{}, &controlError{status: http.StatusNotFound, msg: "no control " + action}
	}
	done, err := fn(s, c)
	if err != nil {
		return ControlResult{}, err
	}
	res := ControlResult{Done: done, Clock: s.ClockView()}
	if action == "open-account" {
		res.AccountID = done[len("opened account "):]
	}
	return res, nil
}
