package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// Exit codes. "ibkr help" lists them.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitConfig      = 3
	exitAuth        = 4
	exitAPI         = 5
	exitNetwork     = 6
	exitInterrupted = 130
)

var exitDescriptions = map[int]string{
	exitOK:          "success",
	exitFailure:     "failure not covered below (local files, a doctor check that is not one of these classes)",
	exitUsage:       "usage error: unknown command, bad flag or argument, missing required flag",
	exitConfig:      "configuration error: key file missing, unreadable or too weak; client id or key id missing",
	exitAuth:        "authentication failed: IBKR refused the client assertion or token (401), or a scope is missing (403)",
	exitAPI:         "API error: IBKR answered with an error (400, 404, 422 reject, 429, 5xx, maintenance), an instruction was REJECTED, or a wait timed out",
	exitNetwork:     "network error: host unreachable, connection refused, TLS failure",
	exitInterrupted: "interrupted (Ctrl-C)",
}

func exitClass(code int) string {
	switch code {
	case exitUsage:
		return "usage"
	case exitConfig:
		return "config"
	case exitAuth:
		return "auth"
	case exitAPI:
		return "api"
	case exitNetwork:
		return "network"
	case exitInterrupted:
		return "interrupted"
	}
	return "failure"
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{msg: fmt.Sprintf(format, args...)} }

// configError is a problem with the credentials or their files.
type configError struct {
	msg  string
	hint string
	err  error
}

func (e *configError) Error() string {
	if e.err != nil && e.msg == "" {
		return e.err.Error()
	}
	return e.msg
}

func (e *configError) Unwrap() error { return e.err }

// codedError carries an explicit exit code (doctor's summary).
type codedError struct {
	code int
	msg  string
}

func (e *codedError) Error() string { return e.msg }

// exitCode maps an error to the documented exit codes.
func exitCode(err error) int {
	var ue usageError
	var ce *configError
	var coded *codedError
	var ae *ibkr.APIError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &coded):
		return coded.code
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &ce):
		return exitConfig
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case flexExitCode(err) != 0:
		return flexExitCode(err)
	case tokenRefused(err):
		return exitAuth
	case errors.Is(err, ibkr.ErrUnauthorized), errors.Is(err, ibkr.ErrForbidden):
		return exitAuth
	case isNetwork(err):
		return exitNetwork
	case errors.As(err, &ae),
		errors.Is(err, ibkr.ErrRejected), errors.Is(err, ibkr.ErrMaintenance), errors.Is(err, ibkr.ErrOutcomeUnknown),
		errors.Is(err, ibkr.ErrTimeout), errors.Is(err, ibkr.ErrServer), errors.Is(err, ibkr.ErrRateLimited),
		errors.Is(err, ibkr.ErrNotFound), errors.Is(err, ibkr.ErrBadRequest):
		return exitAPI
	case errors.Is(err, ibkr.ErrInvalidInput):
		return exitUsage
	}
	return exitFailure
}

// tokenRefused reports an error answer of the token endpoint that refuses
// the client (a 4xx). Its 429 and 5xx answers say nothing about the
// credentials: they are API errors like any other.
func tokenRefused(err error) bool {
	var ae *ibkr.APIError
	return errors.As(err, &ae) && ae.OperationID == "generateToken" &&
		ae.StatusCode != http.StatusTooManyRequests && ae.StatusCode < 500
}

// isNetwork reports failures of the connection itself.
func isNetwork(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ue *url.Error
	switch {
	case errors.As(err, &op), errors.As(err, &dns), errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &hn):
		return true
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &ue):
		return true
	}
	return false
}

// errorMessage is the one line shown for err.
func errorMessage(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "ibkr: ")
	return msg
}

// hint suggests the next step for common failures.
func hint(err error) string {
	var ce *configError
	if errors.As(err, &ce) && ce.hint != "" {
		return ce.hint
	}
	if h := flexHint(err); h != "" {
		return h
	}
	switch {
	case errors.Is(err, context.Canceled):
		return ""
	case tokenRefused(err) || errors.Is(err, ibkr.ErrUnauthorized):
		return "IBKR refused the client assertion: check the client id, the key id (kid) and that the public key registered for it matches your private key; \"ibkr doctor\" checks each step"
	case errors.Is(err, ibkr.ErrForbidden):
		return "the access token lacks the scope this call needs; ask IBKR to grant it to your client"
	case isNetwork(err):
		return "check the host (--env, --base-url), your network and proxy settings"
	case errors.Is(err, ibkr.ErrMaintenance):
		return "IBKR is in a scheduled maintenance window (US Eastern time); try again after it"
	}
	return ""
}
