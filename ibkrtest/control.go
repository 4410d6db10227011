package ibkrtest

import (
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/wire"
)

// MicroDeposits returns the two micro-deposit amounts IBKR "sent" for an
// ACH instruction (as a real customer would read them off a bank
// statement). ok is false for an unknown instruction or one that never
// reached PENDING_VERIFICATION.
func (s *Sandbox) MicroDeposits(instructionID wire.InstructionID) (a1, a2 wire.Decimal, ok bool) {
	n, okID := parseUint(instructionID.ID)
	if !okID {
		return wire.Decimal{}, wire.Decimal{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.st.Banks[n]
	if b == nil || b.Method != "ACH" || b.Status == StatusPending {
		return wire.Decimal{}, wire.Decimal{}, false
	}
	if st, _ := achOutcome(b.Routing); st != StatusPendingVerification {
		return wire.Decimal{}, wire.Decimal{}, false
	}
	return b.Micro[0], b.Micro[1], true
}

// Balance returns an account's cash in a currency (zero if none).
func (s *Sandbox) Balance(accountID, currency string) wire.Decimal {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.st.Accounts[accountID]; a != nil {
		return a.cash(currency)
	}
	return wire.Decimal{}
}

// SetBalance sets an account's cash in a currency.
func (s *Sandbox) SetBalance(accountID, currency string, amount wire.Decimal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[accountID]
	if a == nil {
		return fmt.Errorf("ibkrtest: no account %s", accountID)
	}
	if a.Cash == nil {
		a.Cash = map[string]wire.Decimal{}
	}
	a.Cash[currency] = amount
	if amount.Sign() > 0 && a.Funded.IsZero() {
		a.Funded = s.clk.Now()
	}
	return nil
}

// AddAccount creates an account directly, bypassing registration: status
// is one of the Account* constants, and its registration tasks count as
// done. The username is derived from the id.
func (s *Sandbox) AddAccount(accountID, status string) error {
	if _, ok := statusDescriptions[status]; !ok {
		return fmt.Errorf("ibkrtest: unknown account status %q", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.st.Accounts[accountID]; dup {
		return fmt.Errorf("ibkrtest: account %s exists", accountID)
	}
	now := s.clk.Now()
	a := demoAccount(now)
	a.ID, a.Status, a.Email = accountID, status, "user@example.com"
	if status != AccountOpen {
		a.Opened = time.Time{}
	}
	a.UserName = s.newUsername("", "", "user"+accountID)
	s.st.Accounts[a.ID] = a
	s.st.Usernames[a.UserName] = a.ID
	return nil
}

// AccountStatus returns an account's status letter.
func (s *Sandbox) AccountStatus(accountID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.st.Accounts[accountID]; a != nil {
		return a.Status, true
	}
	return "", false
}

// UserName returns an account's IBKR username.
func (s *Sandbox) UserName(accountID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.st.Accounts[accountID]; a != nil {
		return a.UserName, true
	}
	return "", false
}

// SetAccountStatus moves an account to another status, as IBKR's back
// office would. It refuses moves the documentation does not allow (e.g.
// C to A) and sends the usual notification.
func (s *Sandbox) SetAccountStatus(accountID, status string) error {
	s.mu.Lock()
	a := s.st.Accounts[accountID]
	if a == nil {
		s.mu.Unlock()
		return fmt.Errorf("ibkrtest: no account %s", accountID)
	}
	err := s.setAccountStatus(a, status, s.clk.Now())
	s.mu.Unlock()
	s.flush()
	return err
}

// CompleteTasks marks every registration task of an account done, as if
// the customer had sent all documents; IBKR's review then opens the
// account after Timings.AccountReview.
func (s *Sandbox) CompleteTasks(accountID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[accountID]
	if a == nil {
		return fmt.Errorf("ibkrtest: no account %s", accountID)
	}
	s.completeTasks(a, nil, s.clk.Now())
	return nil
}

// InstructionInfo is a snapshot of an instruction, for assertions.
type InstructionInfo struct {
	ID                  wire.ID
	ClientInstructionID wire.ID
	SetID               wire.ID
	Type                string
	Status              string
	ErrorCode           string
	AccountID           string
	Amount              wire.Decimal
	Currency            string
	BankInstructionName string
	Created, Updated    time.Time
}

func snapshot(in *instruction) InstructionInfo {
	return InstructionInfo{
		ID: idOf(in.ID), ClientInstructionID: in.CID, SetID: idOf(in.SetID), Type: in.Type, Status: in.Status,
		ErrorCode: in.ErrCode, AccountID: in.Account, Amount: in.Amount, Currency: in.Currency,
		BankInstructionName: in.BankName, Created: in.Created, Updated: in.Updated,
	}
}

// Instruction returns the instruction with an instruction id.
func (s *Sandbox) Instruction(instructionID wire.ID) (InstructionInfo, bool) {
	n, ok := parseUint(instructionID)
	if !ok {
		return InstructionInfo{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.st.Instructions[n]
	if in == nil {
		return InstructionInfo{}, false
	}
	return snapshot(in), true
}

// InstructionByClientID returns the instruction a client submitted under
// a clientInstructionId.
func (s *Sandbox) InstructionByClientID(clientID string, clientInstructionID wire.ID) (InstructionInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.st.byCID(clientID, clientInstructionID)
	if in == nil {
		return InstructionInfo{}, false
	}
	return snapshot(in), true
}

// Instructions returns every instruction, oldest first.
func (s *Sandbox) Instructions() []InstructionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []InstructionInfo
	for _, c := range s.clientIDs() {
		for _, in := range s.sortedInstructions(c) {
			out = append(out, snapshot(in))
		}
	}
	return out
}

func (s *Sandbox) clientIDs() []string {
	seen := map[string]bool{}
	var out []string
	for _, in := range s.st.Instructions {
		if !seen[in.Client] {
			seen[in.Client] = true
			out = append(out, in.Client)
		}
	}
	return out
}

// PendingEvents reports how many lifecycle steps are scheduled, and when
// the next is due (zero time if none).
func (s *Sandbox) PendingEvents() (int, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.st.Events) == 0 {
		return 0, time.Time{}
	}
	return len(s.st.Events), s.st.Events[0].At
}
