package ibkrtest

import (
	"fmt"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
)

// Login messages: IBKR assigns them to a user when the client must act
// after the account was opened (an expired tax form, MiFIR data ...).
// Tests assign them with AddLoginMessage; the per-account and bulk
// listings answer them, the bulk one paged with offset and limit over the
// messages of the accounts created in the requested date range (sorted by
// account id, then message id).

type loginMessage struct {
	ID          int32     `json:"id"`
	Type        string    `json:"type"`
	Description string    `json:"description"`
	State       string    `json:"state"`
	Tasks       []int32   `json:"tasks,omitempty"`
	Recorded    time.Time `json:"recorded"`
}

// AddLoginMessage assigns a login message of messageType (such as W8INFO
// or MIFIR_INFO) to an account's user, optionally naming the forms it asks
// for, and returns its id.
func (s *Sandbox) AddLoginMessage(accountID, messageType, description string, forms ...int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[accountID]
	if a == nil {
		return 0, fmt.Errorf("ibkrtest: no account %s", accountID)
	}
	if messageType == "" {
		return 0, fmt.Errorf("ibkrtest: a login message needs a type")
	}
	s.st.Seq.Request++
	m := loginMessage{ID: int32(s.st.Seq.Request), Type: messageType, Description: description, State: "PENDING", Recorded: s.clk.Now()}
	for _, f := range forms {
		m.Tasks = append(m.Tasks, int32(f))
	}
	a.LoginMsgs = append(a.LoginMsgs, m)
	return int(m.ID), nil
}

func (m loginMessage) wire(user string) gen.LoginMessage {
	lm := gen.LoginMessage{Id: ptr(m.ID), MessageType: ptr(m.Type), Description: ptr(m.Description), State: ptr(m.State),
		Username: ptr(user), RecordDate: tptr(m.Recorded), ContentId: ptr(m.ID)}
	if len(m.Tasks) > 0 {
		lm.Tasks = ptr(append([]int32(nil), m.Tasks...))
	}
	return lm
}

func (s *Sandbox) accountLoginMessages(accountID string, typ *string) (gen.LoginMessageResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[accountID]
	if a == nil {
		return gen.LoginMessageResponse{}, noAccount(accountID)
	}
	msgs := []gen.LoginMessage{}
	for _, m := range a.LoginMsgs {
		if typ == nil || *typ == "" || *typ == m.Type {
			msgs = append(msgs, m.wire(a.UserName))
		}
	}
	return gen.LoginMessageResponse{AccountId: ptr(a.ID), ClearingStatus: ptr(a.Status),
		ClearingStatusDescription: ptr(statusDescriptions[a.Status]), LoginMessagePresent: ptr(len(msgs) > 0), LoginMessages: &msgs}, nil
}

func (s *Sandbox) listLoginMessages(p gen.ListAccountsLoginMessagesParams) gen.LoginMessageResponse {
	start, end := p.StartDate.Time, p.EndDate.Time.AddDate(0, 0, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	all := []gen.LoginMessage{}
	for _, a := range s.sortedAccounts() {
		day := etDay(a.Created)
		if day.Before(start) || !day.Before(end) {
			continue
		}
		if p.Status != nil && string(*p.Status) != a.Status {
			continue
		}
		for _, m := range a.LoginMsgs {
			if p.Type == nil || *p.Type == "" || *p.Type == m.Type {
				all = append(all, m.wire(a.UserName))
			}
		}
	}
	off, lim := page(p.Offset, p.Limit, len(all))
	items := all[off:lim]
	return gen.LoginMessageResponse{LoginMessagePresent: ptr(len(items) > 0), LoginMessages: &items}
}
