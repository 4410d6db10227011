package ibkrtest

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// Paths of the control API and the console (none of them is part of
// IBKR's API).
const (
	// ControlPath is the prefix of the JSON control endpoints; see
	// docs/sandbox-control.md and ConsoleHandler.
	ControlPath = "/ibkrtest/v1/"
	// ConsolePath is where the console's pages are served.
	ConsolePath = "/ibkrtest/console/"
	// CSRFHeader is the header every POST to a control endpoint carries,
	// with the token GET ControlPath+"csrf" answers (one per sandbox).
	CSRFHeader = "X-Ibkrtest-Csrf"
	// MicroDepositsPath is the endpoint answering the micro-deposit
	// amounts of an ACH instruction (append IBKR's instructionId).
	MicroDepositsPath = ControlPath + "micro-deposits/"
)

// consoleRoot prefixes everything ConsoleHandler serves.
const consoleRoot = "/ibkrtest/"

// maxControlBody bounds the body of a control request.
const maxControlBody = 64 << 10

// consoleState is the console's per-sandbox state.
type consoleState struct {
	once    sync.Once
	token   string
	handler http.Handler
	index   instructionIndex // guarded by Sandbox.mu
}

// WithConsole makes the sandbox serve the control endpoints and the
// console (ConsoleHandler) under /ibkrtest/ besides the API, as "ibkr
// sandbox" does.
func WithConsole() Option { return func(o *config) { o.console = true } }

// ConsoleHandler serves the JSON control endpoints under ControlPath and
// the console's pages under ConsolePath, for mounting next to the API
// (WithConsole mounts it in the sandbox itself). Reads are GET; controls
// are POST and need the CSRF token (CSRFHeader for the JSON endpoints, a
// form field for the console's forms), so that another web site cannot
// drive the sandbox through the browser of someone using the console.
// Like the API it answers only to loopback Host names unless WithHosts
// adds others.
//
// Endpoints (JSON; lists take offset and limit, at most MaxPageSize):
//
//	GET  /ibkrtest/v1/csrf                           {"header": CSRFHeader, "token": ...}
//	GET  /ibkrtest/v1/accounts[/{id}]                AccountPage / AccountView
//	GET  /ibkrtest/v1/instructions[/{id}]            InstructionPage (account, status, type, clientInstructionId, id) / InstructionView
//	GET  /ibkrtest/v1/requests                       RequestPage (operation, status, clientInstructionId)
//	GET  /ibkrtest/v1/micro-deposits/{id}            MicroDepositsView
//	GET  /ibkrtest/v1/flex                           FlexView
//	GET  /ibkrtest/v1/clock                          ClockView
//	GET  /ibkrtest/v1/faults                         FaultsView
//	POST /ibkrtest/v1/clock/advance                  {"duration": "24h"} or {"toNextEvent": true}
//	POST /ibkrtest/v1/instructions/{id}/settle       run its next lifecycle step now
//	POST /ibkrtest/v1/instructions/{id}/reject       {"code": ..., "message": ...}
//	POST /ibkrtest/v1/bank-instructions/{id}/confirm verify the bank instruction
//	POST /ibkrtest/v1/bank-instructions/{id}/fail    fail its verification
//	POST /ibkrtest/v1/accounts                       {"accountId": ...} open an account
//	POST /ibkrtest/v1/faults                         {"kind", "operationId", "count", "status", "delay"}
//	POST /ibkrtest/v1/faults/clear                   clear pending faults
//	POST /ibkrtest/v1/maintenance                    {"on": true|false}
//	POST /ibkrtest/v1/reset                          start over
//
// POSTs answer ControlResult; errors answer {"error": ...} with 400 (bad
// input), 403 (missing CSRF token), 404 or 409 (the state does not allow
// it, e.g. advancing a wall clock).
func (s *Sandbox) ConsoleHandler() http.Handler {
	s.console.once.Do(func() {
		var b [24]byte
		_, _ = rand.Read(b[:])
		s.console.token = hex.EncodeToString(b[:])
		mux := http.NewServeMux()
		s.routeControl(mux)
		s.routeConsole(mux)
		s.console.handler = mux
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) {
			writePlainProblem(w, http.StatusMisdirectedRequest, "Unknown host")
			return
		}
		s.console.handler.ServeHTTP(w, r)
	})
}

// CSRFToken returns the token the controls need (see ConsoleHandler).
func (s *Sandbox) CSRFToken() string {
	s.ConsoleHandler()
	return s.console.token
}

func (s *Sandbox) csrfOK(got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.console.token)) == 1
}

func (s *Sandbox) routeControl(mux *http.ServeMux) {
	get := func(path string, fn func(r *http.Request) (any, error)) {
		mux.HandleFunc("GET "+ControlPath+path, func(w http.ResponseWriter, r *http.Request) {
			v, err := fn(r)
			writeControl(w, v, err)
		})
	}
	get("{$}", func(*http.Request) (any, error) {
		return map[string]any{"console": ConsolePath, "csrfHeader": CSRFHeader, "docs": "docs/sandbox-control.md"}, nil
	})
	get("csrf", func(*http.Request) (any, error) {
		return map[string]string{"header": CSRFHeader, "token": s.console.token}, nil
	})
	get("accounts", func(r *http.Request) (any, error) {
		offset, limit, err := pageParams(r)
		if err != nil {
			return nil, err
		}
		return s.AccountPage(offset, limit), nil
	})
	get("accounts/{id}", func(r *http.Request) (any, error) {
		if v, ok := s.AccountView(r.PathValue("id")); ok {
			return v, nil
		}
		return nil, notFound("no account " + r.PathValue("id"))
	})
	get("instructions", func(r *http.Request) (any, error) {
		f, err := instructionFilter(r)
		if err != nil {
			return nil, err
		}
		return s.InstructionPage(f), nil
	})
	get("instructions/{id}", func(r *http.Request) (any, error) {
		id, err := controlID(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		if v, ok := s.InstructionView(id); ok {
			return v, nil
		}
		return nil, notFound("no instruction " + id.String())
	})
	get("requests", func(r *http.Request) (any, error) {
		f, err := requestFilter(r)
		if err != nil {
			return nil, err
		}
		return s.RequestPage(f), nil
	})
	get("micro-deposits/{id}", func(r *http.Request) (any, error) {
		id, err := controlID(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		if v, ok := s.microDepositsView(id); ok {
			return v, nil
		}
		return nil, notFound("no micro-deposits were sent for this instruction (yet)")
	})
	get("flex", func(*http.Request) (any, error) { return s.FlexView(), nil })
	get("clock", func(*http.Request) (any, error) { return s.ClockView(), nil })
	get("faults", func(*http.Request) (any, error) { return s.FaultsView(), nil })

	post := func(path, action string) {
		mux.HandleFunc("POST "+ControlPath+path, func(w http.ResponseWriter, r *http.Request) {
			if !s.csrfOK(r.Header.Get(CSRFHeader)) {
				writeControl(w, nil, &controlError{status: http.StatusForbidden, msg: "missing or wrong " + CSRFHeader + " header: GET " + ControlPath + "csrf for the token"})
				return
			}
			var c ControlRequest
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxControlBody))
			if err == nil && len(body) > 0 {
				dec := json.NewDecoder(bytes.NewReader(body))
				dec.DisallowUnknownFields()
				err = dec.Decode(&c)
			}
			if err != nil {
				writeControl(w, nil, badControl("body: %s", shortErr(err)))
				return
			}
			if id := r.PathValue("id"); id != "" {
				c.InstructionID = id
			}
			res, err := s.runControl(action, c)
			if err != nil {
				writeControl(w, nil, err)
				return
			}
			writeControl(w, res, nil)
		})
	}
	post("clock/advance", "advance")
	post("instructions/{id}/settle", "settle")
	post("instructions/{id}/reject", "reject")
	post("bank-instructions/{id}/confirm", "confirm-bank")
	post("bank-instructions/{id}/fail", "fail-bank")
	post("accounts", "open-account")
	post("faults", "fault")
	post("faults/clear", "clear-faults")
	post("maintenance", "maintenance")
	post("reset", "reset")
	mux.HandleFunc(ControlPath, func(w http.ResponseWriter, r *http.Request) {
		writeControl(w, nil, notFound("no control endpoint "+r.Method+" "+r.URL.Path))
	})
}

func notFound(msg string) error { return &controlError{status: http.StatusNotFound, msg: msg} }

// writeControl answers v as JSON, or the error.
func writeControl(w http.ResponseWriter, v any, err error) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if err != nil {
		status := http.StatusInternalServerError
		var ce *controlError
		if errors.As(err, &ce) {
			status = ce.status
		}
		w.WriteHeader(status)
		v = map[string]string{"error": err.Error()}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func intParam(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badControl("%s %q: a whole number", name, v)
	}
	return n, nil
}

func pageParams(r *http.Request) (offset, limit int, err error) {
	var err1, err2 error
	offset, err1 = intParam(r, "offset")
	limit, err2 = intParam(r, "limit")
	return offset, limit, errors.Join(err1, err2)
}

func instructionFilter(r *http.Request) (InstructionFilter, error) {
	q := r.URL.Query()
	f := InstructionFilter{AccountID: q.Get("account"), Status: q.Get("status"), Type: q.Get("type"), ClientInstructionID: q.Get("clientInstructionId"), ID: q.Get("id")}
	var err error
	f.Offset, f.Limit, err = pageParams(r)
	return f, err
}

func requestFilter(r *http.Request) (RequestFilter, error) {
	q := r.URL.Query()
	f := RequestFilter{OperationID: q.Get("operation"), ClientInstructionID: q.Get("clientInstructionId")}
	var err1, err2 error
	f.Status, err1 = intParam(r, "status")
	f.Offset, f.Limit, err2 = pageParams(r)
	return f, errors.Join(err1, err2)
}
