package ibkrtest

import (
	"fmt"

	"github.com/ibkrweb/ibkr-go/wire"
)

// Helpers for simulating thousands of instructions across many accounts:
// setting accounts up without a request each, rejecting a pending
// instruction the way IBKR later does (a returned ACH debit), and an index
// that keeps QUERY_RECENT_INSTRUCTIONS proportional to one account's
// history instead of every instruction the sandbox holds.

// AddLinkedACH gives an account an ACH bank instruction (USACH, USD,
// DEBIT_CREDIT) that is already verified (PROCESSED), without a request,
// so that ACH deposits can be made from it at once. The account must
// exist; the name must be free. No client made it, so it is in no
// client's recent instructions.
func (s *Sandbox) AddLinkedACH(accountID, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.Accounts[accountID] == nil {
		return fmt.Errorf("ibkrtest: no account %s", accountID)
	}
	if s.st.bankByName(accountID, name, "") != nil {
		return fmt.Errorf("ibkrtest: account %s already has a bank instruction named %q", accountID, name)
	}
	now := s.clk.Now()
	in := s.st.newInstruction("", wire.ID{}, "ACH_INSTRUCTION", 0, now)
	in.Account, in.Currency, in.Method, in.BankName = accountID, "USD", "ACH", name
	in.Status, in.HTTPStatus, in.Description = StatusProcessed, 201, "bank account verified"
	s.st.Banks[in.ID] = &bankInstr{
		InstructionID: in.ID, Account: accountID, Name: name, Method: "ACH", Code: "USACH",
		Currency: "USD", AchType: "DEBIT_CREDIT", Routing: RoutingNumberVerified, AcctLast4: "0000",
		BankName: "Sandbox Bank", Status: StatusProcessed, Micro: microAmounts(in.ID),
	}
	return nil
}

// RejectInstruction turns a PENDING instruction REJECTED with IBKR's
// error code and message, as IBKR does when, say, an ACH debit is
// returned by the bank, and announces it like any status change (and a
// callback, with WithCallbackURL). A held withdrawal's funds are released.
func (s *Sandbox) RejectInstruction(instructionID wire.ID, code, message string) error {
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
	if in.Held {
		if a := s.st.Accounts[in.Account]; a != nil {
			a.hold(in.Currency, in.Amount.Neg())
		}
		in.Held = false
	}
	in.ErrCode, in.ErrMsg = code, message
	s.setStatus(in, StatusRejected, s.clk.Now(), message)
	s.mu.Unlock()
	s.flush()
	return nil
}

// recentIndex lists, per account, the ids of the instructions that
// concern it (as source or target), in creation order, for
// QUERY_RECENT_INSTRUCTIONS. It is built lazily from instruction ids
// above upTo (ids grow, and an instruction is complete once the lock that
// created it is released), and rebuilt when LoadState replaces the state.
// Guarded by Sandbox.mu.
type recentIndex struct {
	st        *state
	upTo      uint64
	byAccount map[string][]uint64
}

// accountHistory returns the instructions of client that
// concern acct, oldest first. Called with s.mu held.
func (s *Sandbox) accountHistory(client, acct string) []*instruction {
	x := &s.recentIdx
	if x.st != s.st || x.upTo > s.st.Seq.Instruction {
		*x = recentIndex{st: s.st, byAccount: map[string][]uint64{}}
	}
	for id := x.upTo + 1; id <= s.st.Seq.Instruction; id++ {
		in := s.st.Instructions[id]
		if in == nil || len(in.Result) > 0 { // queries are not history
			continue
		}
		if in.Account != "" {
			x.byAccount[in.Account] = append(x.byAccount[in.Account], id)
		}
		if in.Target != "" && in.Target != in.Account {
			x.byAccount[in.Target] = append(x.byAccount[in.Target], id)
		}
	}
	x.upTo = s.st.Seq.Instruction
	ids := x.byAccount[acct]
	out := make([]*instruction, 0, len(ids))
	for _, id := range ids {
		if in := s.st.Instructions[id]; in != nil && in.Client == client {
			out = append(out, in)
		}
	}
	return out
}
