package ibkrtest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/ibkrweb/ibkr-go/gen"
	"github.com/ibkrweb/ibkr-go/gen/genserver"
)

// Trading restrictions (PreTrade Compliance).
//
// verifyCSV and applyCSV take the signed claims {userName, requestId,
// payload}, payload a base64 CSV whose header is RestrictionCSVHeader and
// whose rows are accountId,action,restriction (action ADD or REMOVE).
// IBKR publishes no column layout; this one is ibkr-go's (api/NOTES.md,
// applycsv-claims). A file that is not such a CSV, or names an unknown
// user, is a 400. Otherwise every row is checked against the accounts'
// restrictions as the earlier rows leave them: the account exists and is
// not closed or rejected, the name is 1 to 64 letters, digits, spaces,
// '_', '-' or '.', ADD names a restriction the account does not have,
// REMOVE one it has that IBKR did not place. The answer says, in its
// message, which rows were refused and why ("row 2: ..."), or what was
// done. verifyCSV changes nothing; applyCSV applies all rows or none, and
// answers a requestId it already applied for the client with the earlier
// answer, applying nothing again. Applied restrictions show in the
// account's details (getAccountsDetails, restrictions).

// RestrictionCSVHeader is the header row of a restriction CSV.
const RestrictionCSVHeader = "accountId,action,restriction"

// restrictionsKey is where the restrictions live in the state's Extra.
const restrictionsKey = "restrictions"

// restriction is one restriction on an account.
type restriction struct {
	ID    int32     `json:"id"`
	Name  string    `json:"name"`
	ByIB  bool      `json:"byIB,omitempty"`
	Added time.Time `json:"added"`
}

// restrictionState is what the restrictions persist.
type restrictionState struct {
	Seq      int32                      `json:"seq"`
	Accounts map[string][]restriction   `json:"accounts"`
	Applied  map[string]gen.CSVResponse `json:"applied"` // client + "/" + requestId
}

// restrictions reads the restriction state. Called with s.mu held.
func (s *Sandbox) restrictions() *restrictionState {
	st := &restrictionState{}
	s.loadExtra(restrictionsKey, st)
	if st.Accounts == nil {
		st.Accounts = map[string][]restriction{}
	}
	if st.Applied == nil {
		st.Applied = map[string]gen.CSVResponse{}
	}
	return st
}

// saveRestrictions writes the restriction state. Called with s.mu held.
func (s *Sandbox) saveRestrictions(st *restrictionState) { s.saveExtra(restrictionsKey, st) }

// AddIBRestriction places a restriction on an account as IBKR itself
// would (byIB): restriction lists cannot lift it.
func (s *Sandbox) AddIBRestriction(accountID, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.Accounts[accountID] == nil {
		return fmt.Errorf("ibkrtest: no account %s", accountID)
	}
	st := s.restrictions()
	st.Seq++
	st.Accounts[accountID] = append(st.Accounts[accountID], restriction{ID: st.Seq, Name: name, ByIB: true, Added: s.clk.Now()})
	s.saveRestrictions(st)
	return nil
}

// Restrictions returns the names of an account's restrictions, sorted.
func (s *Sandbox) Restrictions(accountID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.restrictions().Accounts[accountID] {
		out = append(out, r.Name)
	}
	sort.Strings(out)
	return out
}

// accountRestrictions is an account's restrictions as getAccountsDetails
// answers them, nil if none. Called with s.mu held.
func (s *Sandbox) accountRestrictions(accountID string) *[]gen.RestrictionInfo {
	list := s.restrictions().Accounts[accountID]
	if len(list) == 0 {
		return nil
	}
	out := make([]gen.RestrictionInfo, 0, len(list))
	for _, r := range list {
		out = append(out, gen.RestrictionInfo{Id: ptr(r.ID), Name: ptr(r.Name), ByIB: ptr(r.ByIB)})
	}
	return &out
}

// restrictionRow is one data row of a restriction CSV.
type restrictionRow struct {
	account, action, name string
}

// parseRestrictionCSV reads a restriction CSV: its header and rows, each
// with three fields. A file that is not such a CSV is an error.
func parseRestrictionCSV(file []byte) ([]restrictionRow, error) {
	r := csv.NewReader(bytes.NewReader(file))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	head, err := r.Read()
	if err == io.EOF {
		return nil, errors.New("the file is empty")
	}
	if err != nil {
		return nil, fmt.Errorf("not a CSV file: %v", err)
	}
	if strings.Join(head, ",") != RestrictionCSVHeader {
		return nil, fmt.Errorf("the header must be %q", RestrictionCSVHeader)
	}
	var rows []restrictionRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not a CSV file: %v", err)
		}
		if len(rec) != 3 {
			return nil, fmt.Errorf("row %d has %d fields, not 3", len(rows)+1, len(rec))
		}
		rows = append(rows, restrictionRow{account: rec[0], action: rec[1], name: rec[2]})
	}
	if len(rows) == 0 {
		return nil, errors.New("the file has no rows")
	}
	return rows, nil
}

// validRestrictionName is the rule for restriction names.
func validRestrictionName(n string) bool {
	if n == "" || len(n) > 64 || n[0] == ' ' || n[len(n)-1] == ' ' {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// evaluate runs rows against the accounts' restrictions (changing st),
// and returns the refused rows' reasons and the counts of additions and
// removals. Called with s.mu held.
func (s *Sandbox) evaluate(st *restrictionState, rows []restrictionRow) (problems []string, added, removed int) {
	now := s.clk.Now()
	for i, row := range rows {
		refuse := func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("row %d: ", i+1)+fmt.Sprintf(format, args...))
		}
		acct := s.st.Accounts[row.account]
		switch {
		case acct == nil:
			refuse("unknown account %q", row.account)
			continue
		case acct.Status == "C" || acct.Status == "R":
			refuse("account %s is %s", row.account, strings.ToLower(statusDescriptions[acct.Status]))
			continue
		case !validRestrictionName(row.name):
			refuse("invalid restriction name %q", row.name)
			continue
		}
		list := st.Accounts[row.account]
		at := -1
		for j, r := range list {
			if r.Name == row.name {
				at = j
			}
		}
		switch row.action {
		case "ADD":
			if at >= 0 {
				refuse("account %s already has restriction %q", row.account, row.name)
				continue
			}
			st.Seq++
			st.Accounts[row.account] = append(list, restriction{ID: st.Seq, Name: row.name, Added: now})
			added++
		case "REMOVE":
			switch {
			case at < 0:
				refuse("account %s has no restriction %q", row.account, row.name)
				continue
			case list[at].ByIB:
				refuse("restriction %q on account %s was placed by IBKR and cannot be removed", row.name, row.account)
				continue
			}
			st.Accounts[row.account] = append(list[:at:at], list[at+1:]...)
			if len(st.Accounts[row.account]) == 0 {
				delete(st.Accounts, row.account)
			}
			removed++
		default:
			refuse("action %q is not ADD or REMOVE", row.action)
		}
	}
	return problems, added, removed
}

// restrictionList answers verifyCSV (apply false) and applyCSV.
func (s *Sandbox) restrictionList(ri *reqInfo, apply bool) (gen.CSVResponse, error) {
	var x gen.VerifyRequest
	if err := json.Unmarshal(ri.claims, &x); err != nil {
		return gen.CSVResponse{}, fail(badArg("payload", "must be base64").problem(idZero, ""))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.Usernames[x.UserName]; !ok {
		return gen.CSVResponse{}, fail(badArg("userName", "unknown IBKR username").problem(idZero, ""))
	}
	st := s.restrictions()
	key := ri.client + "/" + x.RequestId.String()
	if prev, ok := st.Applied[key]; ok && apply {
		return prev, nil
	}
	rows, err := parseRestrictionCSV(x.Payload)
	if err != nil {
		return gen.CSVResponse{}, fail(badArg("payload", err.Error()).problem(idZero, ""))
	}
	problems, added, removed := s.evaluate(st, rows)
	r := gen.CSVResponse{RequestId: x.RequestId}
	switch {
	case len(problems) > 0:
		r.Message = fmt.Sprintf("%d of %d rows refused, nothing %s: %s", len(problems), len(rows),
			map[bool]string{true: "applied", false: "would be applied"}[apply], strings.Join(problems, "; "))
	case apply:
		r.Success = true
		r.Message = fmt.Sprintf("%d rows applied: %d added, %d removed", len(rows), added, removed)
		st.Applied[key] = r
		s.saveRestrictions(st)
	default:
		r.Success = true
		r.Message = fmt.Sprintf("%d rows verified: %d to add, %d to remove", len(rows), added, removed)
	}
	return r, nil
}

func (a *api) ApplyCSV(ctx contextT, req genserver.ApplyCSVRequestObject) (genserver.ApplyCSVResponseObject, error) {
	r, err := a.s.restrictionList(info(ctx), true)
	if err != nil {
		return nil, err
	}
	return genserver.ApplyCSV200JSONResponse(r), nil
}

func (a *api) VerifyCSV(ctx contextT, req genserver.VerifyCSVRequestObject) (genserver.VerifyCSVResponseObject, error) {
	r, err := a.s.restrictionList(info(ctx), false)
	if err != nil {
		return nil, err
	}
	return genserver.VerifyCSV200JSONResponse(r), nil
}
