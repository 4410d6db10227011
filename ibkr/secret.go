package ibkr

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
)

// Secret holds a value that must never be shown: a bank account number,
// a tax id, a confirmation token, an encrypted password. It masks itself
// in every form a program might print, log or encode it: String, GoString
// (%#v), Format (every fmt verb, %+v and %x included), LogValue (slog's
// text and JSON handlers), MarshalJSON and MarshalText all give the mask
// (****6789 for values longer than four characters, **** otherwise), also
// when the Secret sits in a slice, a map or the caller's own struct. The
// value lives behind a pointer to a string, which fmt prints as an address
// whenever it cannot call the Secret's methods (a Secret in an unexported
// field of the caller's struct), never as the string. Reveal returns the
// value itself, for sending it.
//
// The zero Secret is empty. Secrets compare equal with == only when they
// are copies of one NewSecret result; compare the values with Equal.
type Secret struct{ p *string }

// NewSecret wraps s.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{p: &s}
}

// Reveal returns the secret value. Call it only to send the value where
// it belongs (the SDK does, when building a request).
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// IsZero reports an empty secret.
func (s Secret) IsZero() bool { return s.Reveal() == "" }

// Equal reports whether both secrets hold the same value.
func (s Secret) Equal(o Secret) bool { return s.Reveal() == o.Reveal() }

// String returns the mask: "****" and, for values longer than four
// characters, their last four ("****6789"); "" for an empty secret.
func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return redact(s.Reveal())
}

// GoString is String, so that %#v masks too.
func (s Secret) GoString() string { return s.String() }

// Format writes the mask for every verb (quoted for %q).
func (s Secret) Format(f fmt.State, verb rune) {
	m := s.String()
	if verb == 'q' {
		m = strconv.Quote(m)
	}
	_, _ = f.Write([]byte(m))
}

// LogValue masks the secret in structured logs.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON encodes the mask as a JSON string: a Secret never leaves a
// program through json.Marshal.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalText encodes the mask.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalJSON reads a JSON string as the secret value (so configuration
// can be decoded into structs holding Secrets). Since MarshalJSON writes
// only the mask, a marshalled Secret does not read back as the value.
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("ibkr: a secret must be a JSON string")
	}
	*s = NewSecret(v)
	return nil
}

// UnmarshalText reads text as the secret value.
func (s *Secret) UnmarshalText(b []byte) error {
	*s = NewSecret(string(b))
	return nil
}
