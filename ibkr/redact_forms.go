package ibkr

import "fmt"

// Summaries of the account-change requests that carry a tax id, a
// confirmation token or a password. Those values are Secrets, so every
// printed, logged or encoded form of these requests masks them
// (****1234); String adds a one-line description.

// String describes the form (the tax id masked).
func (w W9) String() string {
	typ := w.TINType
	if typ == "" {
		typ = "SSN"
	}
	return fmt.Sprintf("W-9 for %q (%s %s)", w.Name, typ, w.TIN)
}

// String describes the form (the foreign tax id masked).
func (w W8BEN) String() string {
	if w.ForeignTaxID.IsZero() {
		return fmt.Sprintf("W-8BEN for %q (%s, treaty %s)", w.Name, w.Explanation, w.TreatyCountry)
	}
	return fmt.Sprintf("W-8BEN for %q (tax id %s, treaty %s)", w.Name, w.ForeignTaxID, w.TreatyCountry)
}

// String describes the request (the tax id masked).
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

// String describes the request (the confirmation token masked).
func (r UpdateEmail) String() string {
	tok := "no token"
	if !r.Token.IsZero() {
		tok = "token " + r.Token.String()
	}
	return fmt.Sprintf("updateCredentials: email of %s to %s (%s)", r.UserName, r.Email, tok)
}

// String describes the request without the password, key name or token.
func (r UpdatePassword) String() string {
	return fmt.Sprintf("updateCredentials: password of %s", r.UserName)
}
