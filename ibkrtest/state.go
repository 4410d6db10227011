package ibkrtest

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/ibkrweb/ibkr-go/wire"
)

// Instruction statuses, as on the wire.
const (
	StatusPending             = "PENDING"
	StatusProcessed           = "PROCESSED"
	StatusRejected            = "REJECTED"
	StatusPendingVerification = "PENDING_VERIFICATION"
	statusDeleted             = "DELETED" // bank instructions only, never on the wire
)

// state is everything the sandbox remembers. Its fields are exported (for
// encoding/json) so that SaveState/LoadState are a plain JSON round trip.
type state struct {
	Seq          seqs                       `json:"seq"`
	Accounts     map[string]*account        `json:"accounts"`
	Instructions map[uint64]*instruction    `json:"instructions"`
	ByClientID   map[string]uint64          `json:"byClientId"` // client + "/" + clientInstructionId
	Sets         map[uint64][]uint64        `json:"sets"`
	Banks        map[uint64]*bankInstr      `json:"banks"` // by creating instruction id
	Events       []event                    `json:"events"`
	Tokens       map[string]*token          `json:"tokens"`
	JTIs         map[string]time.Time       `json:"jtis"` // client + "/" + jti → forget after
	Requests     map[uint64]*amRequest      `json:"requests"`
	SSO          map[string]*ssoSession     `json:"sso"`
	Usernames    map[string]string          `json:"usernames"` // username → account id
	Notes        []Notification             `json:"-"`
	Extra        map[string]json.RawMessage `json:"extra,omitempty"`
	Assets       *assetState                `json:"assets,omitempty"` // positions (asset_transfers.go)
}

type seqs struct {
	Account     uint64 `json:"account"`
	Instruction uint64 `json:"instruction"`
	Set         uint64 `json:"set"`
	Ref         uint64 `json:"ref"`
	Request     uint64 `json:"request"`
	Event       uint64 `json:"event"`
}

func newState() *state {
	return &state{
		Seq: seqs{
			Account:     1000000,
			Instruction: 43000000,
			Set:         9000000,
			Ref:         206000000,
			Request:     50000,
		},
		Accounts:     map[string]*account{},
		Instructions: map[uint64]*instruction{},
		ByClientID:   map[string]uint64{},
		Sets:         map[uint64][]uint64{},
		Banks:        map[uint64]*bankInstr{},
		Tokens:       map[string]*token{},
		JTIs:         map[string]time.Time{},
		Requests:     map[uint64]*amRequest{},
		SSO:          map[string]*ssoSession{},
		Usernames:    map[string]string{},
	}
}

type account struct {
	ID         string                  `json:"id"`
	Status     string                  `json:"status"`
	UserName   string                  `json:"userName"`
	Email      string                  `json:"email"`
	Country    string                  `json:"country"`
	First      string                  `json:"first"`
	Last       string                  `json:"last"`
	ExternalID string                  `json:"externalId,omitempty"`
	Created    time.Time               `json:"created"`
	Opened     time.Time               `json:"opened"`
	Closed     time.Time               `json:"closed"`
	Funded     time.Time               `json:"funded"`
	Tasks      []task                  `json:"tasks"`
	Cash       map[string]wire.Decimal `json:"cash"`
	Holds      map[string]wire.Decimal `json:"holds"`
	InReview   bool                    `json:"inReview"`
	// LoginMsgs are the account's login messages (loginmessages_ext.go).
	LoginMsgs []loginMessage `json:"loginMessages,omitempty"`
	// Type and Title are the customer type and the account title of an
	// application (accounts_types.go); empty for an individual.
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

type task struct {
	Form     int       `json:"form"`
	Name     string    `json:"name"`
	Action   string    `json:"action"`
	Online   bool      `json:"online"`
	Required bool      `json:"required"`
	Done     bool      `json:"done"`
	DoneAt   time.Time `json:"doneAt"`
}

type instruction struct {
	ID          uint64          `json:"id"`
	SetID       uint64          `json:"setId"`
	RefID       uint64          `json:"refId,omitempty"`
	Client      string          `json:"client"`
	CID         wire.ID         `json:"cid"`
	Type        string          `json:"type"`
	Status      string          `json:"status"`
	HTTPStatus  int32           `json:"httpStatus"`
	Description string          `json:"description,omitempty"`
	ErrCode     string          `json:"errCode,omitempty"`
	ErrMsg      string          `json:"errMsg,omitempty"`
	Account     string          `json:"account,omitempty"`
	Target      string          `json:"target,omitempty"`
	Amount      wire.Decimal    `json:"amount"`
	Currency    string          `json:"currency,omitempty"`
	Method      string          `json:"method,omitempty"`
	BankName    string          `json:"bankName,omitempty"`
	Created     time.Time       `json:"created"`
	Updated     time.Time       `json:"updated"`
	When        time.Time       `json:"when"`
	Related     uint64          `json:"related,omitempty"` // verification/cancel target, recurring parent
	Recurring   *recurring      `json:"recurring,omitempty"`
	Held        bool            `json:"held,omitempty"`
	Result      json.RawMessage `json:"result,omitempty"` // stored query answer
}

type recurring struct {
	Name      string    `json:"name"`
	Frequency string    `json:"frequency"`
	Start     string    `json:"start"`
	End       string    `json:"end,omitempty"`
	Index     int       `json:"index"`
	Children  []uint64  `json:"children"`
	Next      time.Time `json:"next"`
}

type bankInstr struct {
	InstructionID uint64          `json:"instructionId"`
	Account       string          `json:"account"`
	Name          string          `json:"name"`
	Method        string          `json:"method"` // ACH, WIRE, EDDA, ...
	Code          string          `json:"code,omitempty"`
	Currency      string          `json:"currency"`
	AchType       string          `json:"achType,omitempty"`
	Routing       string          `json:"routing,omitempty"`
	AcctLast4     string          `json:"acctLast4,omitempty"`
	BankName      string          `json:"bankName,omitempty"`
	Status        string          `json:"status"`
	Micro         [2]wire.Decimal `json:"micro"`
	Attempts      int             `json:"attempts"`
}

func (b *bankInstr) active() bool {
	return b.Status == StatusPending || b.Status == StatusPendingVerification || b.Status == StatusProcessed
}

type event struct {
	At   time.Time `json:"at"`
	Seq  uint64    `json:"seq"`
	Kind string    `json:"kind"`
	ID   uint64    `json:"id,omitempty"`
	Acct string    `json:"acct,omitempty"`
}

type token struct {
	Client  string    `json:"client"`
	Scopes  []string  `json:"scopes"`
	Expires time.Time `json:"expires"`
}

type amRequest struct {
	ID      uint64    `json:"id"`
	Type    string    `json:"type"`
	Account string    `json:"account"`
	Status  string    `json:"status"`
	Message string    `json:"message,omitempty"`
	At      time.Time `json:"at"`
}

type ssoSession struct {
	User    string    `json:"user"`
	IP      string    `json:"ip"`
	Expires time.Time `json:"expires"`
	Used    bool      `json:"used"`
}

// schedule adds an event, keeping Events ordered by (At, Seq).
func (st *state) schedule(at time.Time, kind string, id uint64, acct string) {
	st.Seq.Event++
	e := event{At: at, Seq: st.Seq.Event, Kind: kind, ID: id, Acct: acct}
	i := sort.Search(len(st.Events), func(i int) bool {
		x := st.Events[i]
		return x.At.After(at) || (x.At.Equal(at) && x.Seq > e.Seq)
	})
	st.Events = append(st.Events, event{})
	copy(st.Events[i+1:], st.Events[i:])
	st.Events[i] = e
}

// nextDue pops the earliest event due at or before now.
func (st *state) nextDue(now time.Time) (event, bool) {
	if len(st.Events) == 0 || st.Events[0].At.After(now) {
		return event{}, false
	}
	e := st.Events[0]
	st.Events = st.Events[1:]
	return e, true
}

func (st *state) newInstruction(client string, cid wire.ID, typ string, setID uint64, now time.Time) *instruction {
	st.Seq.Instruction++
	if setID == 0 {
		setID = st.newSet()
	}
	in := &instruction{
		ID: st.Seq.Instruction, SetID: setID, Client: client, CID: cid, Type: typ,
		Status: StatusPending, HTTPStatus: 202, Created: now, Updated: now,
	}
	st.Instructions[in.ID] = in
	st.Sets[setID] = append(st.Sets[setID], in.ID)
	if !cid.IsZero() {
		st.ByClientID[cidKey(client, cid)] = in.ID
	}
	return in
}

func (st *state) newSet() uint64 {
	st.Seq.Set++
	return st.Seq.Set
}

func (st *state) newRef() uint64 {
	st.Seq.Ref++
	return st.Seq.Ref
}

func cidKey(client string, cid wire.ID) string { return client + "/" + cid.String() }

func (st *state) byCID(client string, cid wire.ID) *instruction {
	id, ok := st.ByClientID[cidKey(client, cid)]
	if !ok {
		return nil
	}
	return st.Instructions[id]
}

// bankByName finds an active bank instruction of an account by name and,
// if method is not empty, method.
func (st *state) bankByName(acct, name, method string) *bankInstr {
	var best *bankInstr
	for _, b := range st.Banks {
		if b.Account == acct && b.Name == name && b.active() && (method == "" || b.Method == method) {
			if best == nil || b.InstructionID > best.InstructionID {
				best = b
			}
		}
	}
	return best
}

func (st *state) activeBanks(acct string) int {
	n := 0
	for _, b := range st.Banks {
		if b.Account == acct && b.active() {
			n++
		}
	}
	return n
}

// sortedBanks returns an account's bank instructions in creation order.
func (st *state) sortedBanks(acct string) []*bankInstr {
	var out []*bankInstr
	for _, b := range st.Banks {
		if b.Account == acct {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].InstructionID < out[j].InstructionID })
	return out
}

func idOf(n uint64) wire.ID { return wire.NewID(n) }

func parseUint(id wire.ID) (uint64, bool) { return id.Uint64() }

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
