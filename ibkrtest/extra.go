package ibkrtest

import "encoding/json"

// The state's Extra map holds what simulations added after the state's
// own fields (Flex, trade confirmations, restrictions ...), each under its
// key as JSON, so SaveState and LoadState carry it unchanged.

// loadExtra decodes Extra[key] into v, leaving v as it is when the key is
// absent. Called with s.mu held.
func (s *Sandbox) loadExtra(key string, v any) {
	if raw, ok := s.st.Extra[key]; ok {
		_ = json.Unmarshal(raw, v)
	}
}

// saveExtra encodes v into Extra[key]. Called with s.mu held.
func (s *Sandbox) saveExtra(key string, v any) {
	b, _ := json.Marshal(v)
	if s.st.Extra == nil {
		s.st.Extra = map[string]json.RawMessage{}
	}
	s.st.Extra[key] = b
}
