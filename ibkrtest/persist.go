package ibkrtest

import (
	"encoding/json"
	"fmt"
	"io"
)

// stateVersion guards LoadState against files from an incompatible
// sandbox.
const stateVersion = 1

type stateFile struct {
	Version int    `json:"version"`
	State   *state `json:"state"`
}

// SaveState writes the sandbox's state (accounts, balances, instructions,
// bank instructions, scheduled lifecycle steps, tokens) as JSON, so that a
// local server can stop and resume. Registered clients, faults, recorded
// requests and notifications are not saved.
func (s *Sandbox) SaveState(w io.Writer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(stateFile{Version: stateVersion, State: s.st})
}

// LoadState replaces the sandbox's state with one written by SaveState.
func (s *Sandbox) LoadState(r io.Reader) error {
	var f stateFile
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return fmt.Errorf("ibkrtest: read state: %w", err)
	}
	if f.Version != stateVersion || f.State == nil {
		return fmt.Errorf("ibkrtest: state file version %d, want %d", f.Version, stateVersion)
	}
	fresh := newState()
	st := f.State
	if st.Accounts == nil {
		st.Accounts = fresh.Accounts
	}
	if st.Instructions == nil {
		st.Instructions = fresh.Instructions
	}
	if st.ByClientID == nil {
		st.ByClientID = fresh.ByClientID
	}
	if st.Sets == nil {
		st.Sets = fresh.Sets
	}
	if st.Banks == nil {
		st.Banks = fresh.Banks
	}
	if st.Tokens == nil {
		st.Tokens = fresh.Tokens
	}
	if st.JTIs == nil {
		st.JTIs = fresh.JTIs
	}
	if st.Requests == nil {
		st.Requests = fresh.Requests
	}
	if st.SSO == nil {
		st.SSO = fresh.SSO
	}
	if st.Usernames == nil {
		st.Usernames = fresh.Usernames
	}
	s.mu.Lock()
	s.st = st
	s.mu.Unlock()
	return nil
}
