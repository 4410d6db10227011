// Package optable holds the facts about each IBKR operation that ibkr-go's
// facade and sandbox are driven by. The table itself (table.gen.go) is
// generated from api/openapi.yaml by cmd/gen-check; this file holds the
// hand-written types and lookups.
package optable

import (
	"strings"
	"sync"
)

// Security policies, as in the x-ib-gateway-security-policy extension.
const (
	PolicyHTTPS     = "HTTPS"      // plain JSON body with a bearer token
	PolicySignedJWT = "SIGNED_JWT" // the body is a JWS signed with the client key
	PolicyNone      = "NONE"       // no bearer token (the token endpoint)
)

// Maintenance groups, as in the x-ibkr-go-maintenance extension.
const (
	MaintenanceAccounts = "accounts" // daily 18:00-18:01 ET, Wednesdays 18:00-18:30 ET
	MaintenanceBanking  = "banking"  // daily 23:45-00:30 ET, Saturdays, Sundays before 15:00 ET
)

// Operation is one row of the table.
type Operation struct {
	ID          string   // operationId
	Method      string   // HTTP method
	Path        string   // path template, e.g. /gw/api/v1/instructions/{instructionId}
	Policy      string   // PolicyHTTPS, PolicySignedJWT or PolicyNone
	Scopes      []string // any one of these scopes allows the call
	Maintenance string   // "", MaintenanceAccounts or MaintenanceBanking
	ReadOnly    bool     // safe to retry: it changes nothing at IBKR
}

// Signed reports whether the request body must be a signed JWT.
func (o Operation) Signed() bool { return o.Policy == PolicySignedJWT }

var (
	indexOnce sync.Once
	byID      map[string]*Operation
)

// pathTemplate is an operation's path split into segments once, for Match.
type pathTemplate struct {
	op       *Operation
	segs     []string
	params   []bool // segs[i] is a {parameter}
	literals int
}

var templates []pathTemplate

func index() {
	byID = make(map[string]*Operation, len(Operations))
	templates = make([]pathTemplate, len(Operations))
	for i := range Operations {
		op := &Operations[i]
		byID[op.ID] = op
		t := pathTemplate{op: op, segs: strings.Split(strings.Trim(op.Path, "/"), "/")}
		t.params = make([]bool, len(t.segs))
		for j, sg := range t.segs {
			t.params[j] = strings.HasPrefix(sg, "{") && strings.HasSuffix(sg, "}")
			if !t.params[j] {
				t.literals++
			}
		}
		templates[i] = t
	}
}

// ByID returns the operation with the given operationId.
func ByID(id string) (Operation, bool) {
	indexOnce.Do(index)
	op, ok := byID[id]
	if !ok {
		return Operation{}, false
	}
	return *op, true
}

// Match finds the operation for a request method and URL path (without
// query). Literal segments win over parameters, so
// /gw/api/v1/accounts/status is not taken for /gw/api/v1/accounts/{accountId}.
//
// It runs on every request the facade sends, so the templates are split
// once and the path once per call.
func Match(method, path string) (Operation, bool) {
	indexOnce.Do(index)
	ps := strings.Split(strings.Trim(path, "/"), "/")
	var best *Operation
	bestLiterals := -1
	for i := range templates {
		t := &templates[i]
		if t.op.Method != method || len(t.segs) != len(ps) || t.literals <= bestLiterals {
			continue
		}
		if t.matches(ps) {
			best, bestLiterals = t.op, t.literals
		}
	}
	if best == nil {
		return Operation{}, false
	}
	return *best, true
}

// matches reports whether the path segments ps fit the template (same
// length already checked).
func (t *pathTemplate) matches(ps []string) bool {
	for i, sg := range t.segs {
		if t.params[i] {
			if ps[i] == "" {
				return false
			}
			continue
		}
		if sg != ps[i] {
			return false
		}
	}
	return true
}

// PathParams extracts the path parameters of path according to template.
func PathParams(template, path string) map[string]string {
	ts := strings.Split(strings.Trim(template, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	out := map[string]string{}
	if len(ts) != len(ps) {
		return out
	}
	for i, t := range ts {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			out[t[1:len(t)-1]] = ps[i]
		}
	}
	return out
}
