package ibkr

import (
	"fmt"
	"log/slog"
)

// Printed and logged forms of the account-change requests that carry a
// tax id, a confirmation token or a password: like BankAccountLink, their
// String, GoString (%#v) and LogValue (slog) show such values only as
// ****1234, so printing or logging a request never reveals them.

// String describes the form without the tax id.
func (w W9) String() string {
	typ := w.TINType
	if typ == "" {
		typ = "SSN"
	}
	return fmt.Sprintf("W-9 for %q (%s %s)", w.Name, typ, redact(w.TIN))
}

// GoString is String, so that %#v does not print the tax id.
func (w W9) GoString() string { return w.String() }

// LogValue keeps the tax id out of structured logs.
func (w W9) LogValue() slog.Value { return slog.StringValue(w.String()) }

// String describes the form without the foreign tax id.
func (w W8BEN) String() string {
	if w.ForeignTaxID == "" {
		return fmt.Sprintf("W-8BEN for %q (%s, treaty %s)", w.Name, w.Explanation, w.TreatyCountry)
	}
	return fmt.Sprintf("W-8BEN for %q (tax id %s, treaty %s)", w.Name, redact(w.ForeignTaxID), w.TreatyCountry)
}

// GoString is String, so that %#v does not print the foreign tax id.
func (w W8BEN) GoString() string { return w.String() }

// LogValue keeps the foreign tax id out of structured logs.
func (w W8BEN) LogValue() slog.Value { return slog.StringValue(w.String()) }

// String describes the request without the tax id.
func (r UpdateTaxForm) String() string {
	form := "no form"
	switch {
	case r.W9 != nil:
		form = r.W9.String()
	case r.W8BEN != nil:
		form = r.W8BEN.String()
	}
	return fmt.Sprintf("updateTaxForm of %s: %s, %d document(s)", r.AccountID, form, len(r.Documents))
}

// GoString is String, so that %#v does not print the tax id.
func (r UpdateTaxForm) GoString() string { return r.String() }

// LogValue keeps the tax id out of structured logs.
func (r UpdateTaxForm) LogValue() slog.Value { return slog.StringValue(r.String()) }

// String describes the request without the confirmation token.
func (r UpdateEmail) String() string {
	tok := "no token"
	if r.Token != "" {
		tok = "token " + redact(r.Token)
	}
	return fmt.Sprintf("updateCredentials: email of %s to %s (%s)", r.UserName, r.Email, tok)
}

// GoString is String, so that %#v does not print the token.
func (r UpdateEmail) GoString() string { return r.String() }

// LogValue keeps the token out of structured logs.
func (r UpdateEmail) LogValue() slog.Value { return slog.StringValue(r.String()) }

// String describes the request without the password, key name or token.
func (r UpdatePassword) String() string {
	return fmt.Sprintf("updateCredentials: password of %s", r.UserName)
}

// GoString is String, so that %#v does not print the password.
func (r UpdatePassword) GoString() string { return r.String() }

// LogValue keeps the password out of structured logs.
func (r UpdatePassword) LogValue() slog.Value { return slog.StringValue(r.String()) }
