package ibkrtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/ibkrweb/ibkr-go/wire"
)

// Event kinds of the lifecycle queue.
const (
	evACHVerify     = "ach.verify"
	evSettle        = "transfer.settle"
	evRecurring     = "recurring.occur"
	evEDDA          = "edda.settle"
	evAccountReview = "account.review"
	evAccountClose  = "account.close"
	evAccountReopen = "account.reopen"
)

// runDue processes every event due at or before now, each at its own
// time, in order. Called with s.mu held.
func (s *Sandbox) runDue(now time.Time) {
	for {
		e, ok := s.st.nextDue(now)
		if !ok {
			return
		}
		s.handleEvent(e)
	}
}

func (s *Sandbox) handleEvent(e event) {
	st := s.st
	at := e.At
	switch e.Kind {
	case evACHVerify:
		in, b := st.Instructions[e.ID], st.Banks[e.ID]
		if in == nil || b == nil || in.Status != StatusPending {
			return
		}
		outcome, _ := achOutcome(b.Routing)
		b.Status = outcome
		switch outcome {
		case StatusPendingVerification:
			s.setStatus(in, outcome, at, "micro-deposits sent; verify them with TRADITIONAL_BANK_INSTRUCTION_VERIFICATION")
		case StatusProcessed:
			s.setStatus(in, outcome, at, "bank account verified")
		case StatusRejected:
			in.ErrCode, in.ErrMsg = CodeBankVerificationFailed, "the bank account could not be verified"
			s.setStatus(in, outcome, at, in.ErrMsg)
		}
	case evEDDA:
		in, b := st.Instructions[e.ID], st.Banks[e.ID]
		if in == nil || b == nil || in.Status != StatusPending {
			return
		}
		b.Status = StatusProcessed
		s.setStatus(in, StatusProcessed, at, "eDDA authorised")
	case evSettle:
		in := st.Instructions[e.ID]
		if in == nil || in.Status != StatusPending {
			return
		}
		s.settle(in, at)
	case evRecurring:
		s.recurOccurrence(e.ID, at)
	case evAccountReview:
		a := st.Accounts[e.Acct]
		if a == nil || !a.InReview {
			return
		}
		a.InReview = false
		if (a.Status == "N" || a.Status == "P") && tasksDone(a) {
			_ = s.setAccountStatus(a, "O", at)
		}
	case evAccountClose:
		a := st.Accounts[e.Acct]
		if a == nil {
			return
		}
		switch a.Status {
		case "O":
			_ = s.setAccountStatus(a, "C", at)
		case "Q":
			_ = s.setAccountStatus(a, "R", at)
		}
	case evAccountReopen:
		if a := st.Accounts[e.Acct]; a != nil && a.Status == "E" {
			_ = s.setAccountStatus(a, "O", at)
		}
	}
}

// settle completes a pending money movement.
func (s *Sandbox) settle(in *instruction, at time.Time) {
	st := s.st
	switch in.Type {
	case "DEPOSIT":
		a := st.Accounts[in.Account]
		if a == nil {
			in.ErrCode, in.ErrMsg = CodeAccountNotFound, "account no longer exists"
			s.setStatus(in, StatusRejected, at, in.ErrMsg)
			return
		}
		a.credit(in.Currency, in.Amount)
		if a.Funded.IsZero() {
			a.Funded = at
		}
		s.setStatus(in, StatusProcessed, at, "funds credited")
	case "WITHDRAWAL":
		a := st.Accounts[in.Account]
		if a == nil {
			return
		}
		if in.Held {
			a.hold(in.Currency, in.Amount.Neg())
			in.Held = false
		}
		if a.cash(in.Currency).Cmp(in.Amount) < 0 {
			in.ErrCode, in.ErrMsg = CodeInsufficientFunds, "insufficient cash at the time of the withdrawal"
			s.setStatus(in, StatusRejected, at, in.ErrMsg)
			return
		}
		a.credit(in.Currency, in.Amount.Neg())
		s.setStatus(in, StatusProcessed, at, "funds sent")
	case "INTERNAL_CASH_TRANSFER":
		src, dst := st.Accounts[in.Account], st.Accounts[in.Target]
		if src == nil || dst == nil {
			return
		}
		if in.Held {
			src.hold(in.Currency, in.Amount.Neg())
			in.Held = false
		}
		if src.cash(in.Currency).Cmp(in.Amount) < 0 {
			in.ErrCode, in.ErrMsg = CodeInsufficientFunds, "insufficient cash at the time of the transfer"
			s.setStatus(in, StatusRejected, at, in.ErrMsg)
			return
		}
		src.credit(in.Currency, in.Amount.Neg())
		dst.credit(in.Currency, in.Amount)
		if dst.Funded.IsZero() {
			dst.Funded = at
		}
		s.setStatus(in, StatusProcessed, at, "transfer completed")
	case "INTERNAL_POSITION_TRANSFER", "EXTERNAL_POSITION_TRANSFER", "FOP", "DWAC", "COMPLEX_ASSET_TRANSFER":
		s.settleAsset(in, at)
	}
}

// setStatus changes an instruction's status and queues a notification.
func (s *Sandbox) setStatus(in *instruction, status string, at time.Time, desc string) {
	if in.Status == status {
		return
	}
	in.Status = status
	in.Updated = at
	if desc != "" {
		in.Description = desc
	}
	body, _ := json.Marshal(pollingBody(in))
	s.queueNote(Notification{Time: at, Kind: "instruction", ID: itoa(in.ID), ClientInstructionID: in.CID, Status: status, Body: body})
}

// Notification is a status change the sandbox announced (and, with
// WithCallbackURL, POSTed): Body is what IBKR's polling endpoint would
// answer at that moment (GET client-instructions for instructions, GET
// accounts/{id}/status for accounts).
type Notification struct {
	Time                time.Time
	Kind                string // "instruction" or "account"
	ID                  string // instruction id or account id
	ClientInstructionID wire.ID
	Status              string
	Body                []byte
	// Delivered and Err report the callback POST, when a URL is set.
	Delivered bool
	Err       string
}

// maxNotes bounds the notifications Notifications returns (the newest).
const maxNotes = DefaultRequestRecordLimit

func (s *Sandbox) queueNote(n Notification) {
	if len(s.st.Notes) >= maxNotes {
		s.st.Notes = append(s.st.Notes[:0], s.st.Notes[len(s.st.Notes)-maxNotes/2:]...)
	}
	s.st.Notes = append(s.st.Notes, n)
	s.outbox = append(s.outbox, n)
}

// Notifications returns the status changes announced so far (the newest
// several thousand), oldest first, with their delivery outcome.
func (s *Sandbox) Notifications() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Notification(nil), s.st.Notes...)
}

// flush delivers queued callbacks, outside the state lock, in order.
func (s *Sandbox) flush() {
	s.mu.Lock()
	out := s.outbox
	s.outbox = nil
	s.mu.Unlock()
	if len(out) == 0 || s.cfg.callbackURL == "" {
		return
	}
	client := s.cfg.callbackClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	for _, n := range out {
		err := post(client, s.cfg.callbackURL, n)
		s.mu.Lock()
		for i := len(s.st.Notes) - 1; i >= 0; i-- {
			x := &s.st.Notes[i]
			if x.ID == n.ID && x.Kind == n.Kind && x.Status == n.Status && x.Time.Equal(n.Time) {
				x.Delivered = err == nil
				if err != nil {
					x.Err = err.Error()
				}
				break
			}
		}
		s.mu.Unlock()
		if err != nil {
			s.logger.Warn("ibkrtest: callback failed", "kind", n.Kind, "id", n.ID, "err", err)
		}
	}
}

func post(client *http.Client, url string, n Notification) error {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(n.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Ibkrtest-Notification", n.Kind)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("callback answered HTTP %d", resp.StatusCode)
	}
	return nil
}
