package ibkr

import (
	"regexp"
	"strings"
)

// redact masks a secret for display, keeping only its last four
// characters: "123456789" becomes "****6789". Values of four characters or
// fewer are masked entirely, so nothing of a short secret leaks.
func redact(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= 4 {
		return "****"
	}
	return "****" + s[len(s)-4:]
}

var (
	// Compact JWS/JWT: three base64url segments, the first a JSON header.
	jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*`)
	// Bearer credentials echoed back.
	bearerPattern = regexp.MustCompile(`(?i)(bearer|access_token|client_assertion)([\s:="']+)[A-Za-z0-9._~+/=-]{8,}`)
	// PEM blocks (keys).
	pemPattern = regexp.MustCompile(`-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)`)
	// US tax ids written with dashes (SSN 123-45-6789, EIN 12-3456789).
	taxIDPattern = regexp.MustCompile(`\b(\d{3}-\d{2}-\d{4}|\d{2}-\d{7})\b`)
	// Long digit runs: bank account numbers, tax ids without dashes.
	digitsPattern = regexp.MustCompile(`\d{8,}`)
)

// scrubText removes secrets from free text that came from outside the
// client, such as an error message in a server's answer that might echo a
// request: tokens and client assertions, PEM key blocks, tax ids and long
// digit runs (bank account numbers) are masked. Identifiers in messages are
// masked too; structured fields such as APIError.ClientInstructionID keep
// them exact.
func scrubText(s string) string {
	if s == "" {
		return s
	}
	s = pemPattern.ReplaceAllString(s, "[redacted key]")
	s = jwtPattern.ReplaceAllString(s, "[redacted token]")
	s = bearerPattern.ReplaceAllString(s, "$1$2[redacted]")
	s = taxIDPattern.ReplaceAllStringFunc(s, func(m string) string { return redact(m) })
	s = digitsPattern.ReplaceAllStringFunc(s, redact)
	if len(s) > 512 {
		s = s[:512] + "..."
	}
	return s
}
